// Package graph is the GraphQL transport: the schema (entgql's ent.graphql
// plus *.graphqls), the executor gqlgen generates, and thin resolvers.
package graph

//go:generate go run -C .. -mod=mod ./graph/gqlgen.go
