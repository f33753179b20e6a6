package graph

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
)

// marshalSlice keeps what gqlgen's concurrent marshalling promised: each
// element sees its own index in the path (so an error names its row), and
// a panicking element is null with an error while the others are kept.
func TestMarshalSliceIndexesAndRecovers(t *testing.T) {
	t.Parallel()
	ctx := graphql.WithResponseContext(context.Background(), graphql.DefaultErrorPresenter,
		func(_ context.Context, r any) error { return fmt.Errorf("panic: %v", r) })
	ctx = graphql.WithFieldContext(ctx, &graphql.FieldContext{Field: graphql.CollectedField{Field: &ast.Field{Alias: "edges"}}})
	var paths []string
	ret := marshalSlice(ctx, 3, 0, false, func(ctx context.Context, i int) graphql.Marshaler {
		paths = append(paths, graphql.GetPath(ctx).String())
		if i == 1 {
			panic("row 1 broke")
		}
		return graphql.MarshalInt(i)
	})
	if got := strings.Join(paths, " "); got != "edges[0] edges[1] edges[2]" {
		t.Fatalf("paths %q", got)
	}
	if ret[1] != graphql.Null || ret[0] == graphql.Null || ret[2] == graphql.Null {
		t.Fatalf("elements %v", ret)
	}
	errs := graphql.GetErrors(ctx)
	if len(errs) != 1 || errs[0].Path.String() != "edges[1]" {
		t.Fatalf("errors %v", errs)
	}
}
