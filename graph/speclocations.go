package graph

import (
	"slices"

	"github.com/vektah/gqlparser/v2/ast"
)

// specLocations are the directive locations of the GraphQL specification
// (October 2021): the only ones every client library knows.
var specLocations = []ast.DirectiveLocation{
	ast.LocationQuery, ast.LocationMutation, ast.LocationSubscription, ast.LocationField,
	ast.LocationFragmentDefinition, ast.LocationFragmentSpread, ast.LocationInlineFragment, ast.LocationVariableDefinition,
	ast.LocationSchema, ast.LocationScalar, ast.LocationObject, ast.LocationFieldDefinition, ast.LocationArgumentDefinition,
	ast.LocationInterface, ast.LocationUnion, ast.LocationEnum, ast.LocationEnumValue, ast.LocationInputObject,
	ast.LocationInputFieldDefinition,
}

// The parser's prelude declares @deprecated on DIRECTIVE_DEFINITION too, a
// location of no specification: graphql-core (Python) then refuses the
// whole introspected schema. The schema every answer, download and
// introspection is made from keeps only the specification's locations.
func init() {
	for _, d := range NewExecutableSchema(Config{}).Schema().Directives {
		d.Locations = slices.DeleteFunc(d.Locations, func(l ast.DirectiveLocation) bool { return !slices.Contains(specLocations, l) })
	}
}
