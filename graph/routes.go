package graph

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/cienerp/cienerp/edge"
	"github.com/cienerp/cienerp/ent"
	"github.com/cienerp/cienerp/openapi"
	"github.com/cienerp/cienerp/realtime"
	"github.com/cienerp/cienerp/service"
)

type obj = openapi.Obj

// Transport is GraphQL for the edge to mount: the endpoint (POST, GET for
// queries; a browser's GET gets explorer) and the schema downloads.
func Transport(client *ent.Client, svc *service.Service, limits Limits, explorer http.Handler, hub *realtime.Hub) (edge.Transport, error) {
	h := newHandler(client, svc, limits, hub)
	introspection, err := Introspection()
	if err != nil {
		return edge.Transport{}, err
	}
	sdl := []byte(SDL())
	serve := func(c *gin.Context) error { h.ServeHTTP(c.Writer, c.Request); return nil }
	return edge.Transport{Render: render, Schemas: schemas(), Routes: []edge.Route{
		{Method: http.MethodPost, Path: "/graphql", Upload: true, Handle: serve,
			Doc: openapi.Doc{Tag: "GraphQL", Summary: "GraphQL endpoint", Description: "The same data and rules as REST, as a GraphQL schema generated from the data model: Relay connections with where filters, node/nodes. Same credentials, tenant and environment, rate limits and request ids; errors carry extensions.code (FORBIDDEN with the missing permission, NOT_FOUND, VALIDATION). uploadDocument takes a multipart/form-data body per the GraphQL multipart request spec (operations, map, then the files; streamed, up to the document size limit); other bodies are JSON up to 1 MiB. Creating mutations take an optional idempotencyKey. The SDL is available through introspection and at /graphql/schema.graphql.", Body: "GraphQLRequest", Status: 200, Raw: "GraphQLResponse",
				Example: obj{"query": "{ tickets(first: 5, orderBy: {field: CREATED_AT, direction: DESC}) { totalCount edges { node { id displayNumber title status } } } }"}}},
		{Method: http.MethodGet, Path: "/graphql/schema.graphql", Public: true,
			Handle: func(c *gin.Context) error { c.Data(http.StatusOK, "text/plain; charset=utf-8", sdl); return nil },
			Doc:    openapi.Doc{Tag: "GraphQL", Summary: "The GraphQL schema (SDL) for download", Status: 200, Raw: "SDL"}},
		{Method: http.MethodGet, Path: "/graphql/schema.json", Public: true,
			Handle: func(c *gin.Context) error {
				c.Data(http.StatusOK, "application/json; charset=utf-8", introspection)
				return nil
			},
			Doc: openapi.Doc{Tag: "GraphQL", Summary: "The GraphQL schema as an introspection result", Description: "The answer of the standard introspection query (graphql-js getIntrospectionQuery), for tools that build a client schema from it; available where introspection itself is off.", Status: 200, Raw: "IntrospectionResult"}},
		{Method: http.MethodGet, Path: "/graphql", Browser: explorer, Socket: h, Handle: serve,
			Doc: openapi.Doc{Tag: "GraphQL", Summary: "GraphQL query over GET; a browser opening it gets the GraphQL explorer; a WebSocket upgrade (graphql-transport-ws) carries subscriptions", Description: "Subscriptions: connect with the graphql-transport-ws protocol and authenticate in connection_init's payload with the header names ({\"X-API-Key\": …} or {\"Authorization\": \"Bearer …\"}, optionally \"X-Tenant-ID\"). Each event is checked against the subscriber's current permissions; a credential that stops holding closes the socket with 4401/4403 and the reason.", Params: []openapi.Param{openapi.Query("query", "The GraphQL query (queries only; mutations need POST).", openapi.StrSchema("")), openapi.Query("variables", "JSON-encoded variables.", openapi.StrSchema(""))}, Status: 200, Raw: "GraphQLResponse"}},
	}}, nil
}

func schemas() obj {
	return obj{
		"GraphQLRequest": openapi.Object([]string{"query"}, obj{
			"query":     obj{"type": "string", "examples": []string{"{ tickets(first: 20) { totalCount edges { node { id title status } } } }"}},
			"variables": obj{"type": "object"}, "operationName": obj{"type": "string"},
		}),
		"IntrospectionResult": openapi.Object([]string{"data"}, obj{"data": obj{"type": "object", "description": "{__schema: …}"}}),
		"GraphQLResponse":     openapi.Object(nil, obj{"data": obj{"type": []string{"object", "null"}}, "errors": obj{"type": "array", "items": obj{"type": "object"}}, "extensions": obj{"type": "object"}}),
	}
}
