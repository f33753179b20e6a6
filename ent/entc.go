//go:build ignore

// Runs from the module root (see generate.go): ent code into ./ent, the
// GraphQL schema of the entities into ./graph/ent.graphql.
package main

import (
	"log"

	"entgo.io/contrib/entgql"
	"entgo.io/ent/entc"
	"entgo.io/ent/entc/gen"
)

func main() {
	ex, err := entgql.NewExtension(
		entgql.WithSchemaGenerator(),
		entgql.WithSchemaPath("graph/ent.graphql"),
		entgql.WithConfigPath("gqlgen.yml"),
		entgql.WithWhereInputs(true),
		entgql.WithRelaySpec(true),
	)
	if err != nil {
		log.Fatalf("creating entgql extension: %v", err)
	}
	err = entc.Generate("./ent/schema", &gen.Config{
		Target:   "./ent",
		Package:  "github.com/cienerp/cienerp/ent",
		Features: []gen.Feature{gen.FeaturePrivacy, gen.FeatureEntQL, gen.FeatureLock, gen.FeatureUpsert, gen.FeatureExecQuery, gen.FeatureModifier},
	}, entc.Extensions(ex))
	if err != nil {
		log.Fatalf("running ent codegen: %v", err)
	}
}
