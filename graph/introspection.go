package graph

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"sync"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/executor"
	"github.com/99designs/gqlgen/graphql/handler/extension"
)

// introspectionQuery is graphql-js's getIntrospectionQuery with every
// option: what GraphiQL and other tools send.
//
//go:embed introspection.graphql
var introspectionQuery string

// Introspection is the answer to introspectionQuery, computed once per
// process (the schema is compiled in; a process may wire several
// instances, as the tests do): the explorer loads it without a credential,
// and where introspection is off (live by default). It says what the SDL
// download says.
var Introspection = sync.OnceValues(introspect)

func introspect() ([]byte, error) {
	exec := executor.New(NewExecutableSchema(Config{}))
	exec.Use(extension.Introspection{})
	ctx := graphql.StartOperationTrace(context.Background())
	oc, errs := exec.CreateOperationContext(ctx, &graphql.RawParams{Query: introspectionQuery})
	if errs != nil {
		return nil, fmt.Errorf("introspection: %v", errs)
	}
	responses, ctx := exec.DispatchOperation(ctx, oc)
	resp := responses(ctx)
	if len(resp.Errors) > 0 {
		return nil, fmt.Errorf("introspection: %v", resp.Errors)
	}
	return json.Marshal(map[string]json.RawMessage{"data": resp.Data})
}
