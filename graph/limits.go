package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// Limits bound what one operation may ask for.
type Limits struct {
	MaxComplexity int // page size × fields, summed (default 1000)
	MaxDepth      int // nesting of selections (default 10)
}

// DefaultLimits are used when none are configured.
var DefaultLimits = Limits{MaxComplexity: 1000, MaxDepth: 10}

// depthLimit refuses an operation nested deeper than max before any
// resolver (and so any query) runs.
type depthLimit struct{ max int }

var (
	_ graphql.HandlerExtension        = depthLimit{}
	_ graphql.OperationContextMutator = depthLimit{}
)

func (depthLimit) ExtensionName() string                   { return "DepthLimit" }
func (depthLimit) Validate(graphql.ExecutableSchema) error { return nil }
func (d depthLimit) MutateOperationContext(_ context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil {
		return nil
	}
	if depth := selectionDepth(oc.Operation.SelectionSet, 0); depth > d.max {
		err := gqlerror.Errorf("operation has depth %d, which exceeds the limit of %d", depth, d.max)
		err.Extensions = map[string]any{"code": "DEPTH_LIMIT_EXCEEDED"}
		return err
	}
	return nil
}

func selectionDepth(set ast.SelectionSet, depth int) int {
	deepest := depth
	for _, sel := range set {
		var d int
		switch s := sel.(type) {
		case *ast.Field:
			if len(s.SelectionSet) == 0 {
				d = depth + 1
			} else {
				d = selectionDepth(s.SelectionSet, depth+1)
			}
		case *ast.InlineFragment:
			d = selectionDepth(s.SelectionSet, depth)
		case *ast.FragmentSpread:
			if s.Definition != nil {
				d = selectionDepth(s.Definition.SelectionSet, depth)
			}
		}
		deepest = max(deepest, d)
	}
	return deepest
}

// costReport adds extensions.cost = {requested, limit} to every response,
// as Shopify does, so clients see how close they are to the limit.
type costReport struct{}

var (
	_ graphql.HandlerExtension    = costReport{}
	_ graphql.ResponseInterceptor = costReport{}
)

func (costReport) ExtensionName() string                   { return "CostReport" }
func (costReport) Validate(graphql.ExecutableSchema) error { return nil }
func (costReport) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	resp := next(ctx)
	if resp == nil || !graphql.HasOperationContext(ctx) { // a body that never became an operation
		return resp
	}
	if stats := extension.GetComplexityStats(ctx); stats != nil {
		if resp.Extensions == nil {
			resp.Extensions = map[string]any{}
		}
		resp.Extensions["cost"] = map[string]int{"requested": stats.Complexity, "limit": stats.ComplexityLimit}
	}
	return resp
}
