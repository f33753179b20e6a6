package rest

import "github.com/cienerp/cienerp/openapi"

// Parameters and examples the route descriptions share.

var (
	idParam     = openapi.PathParam("id", "The object's id.", openapi.StrSchema("uuid"))
	nameParam   = openapi.PathParam("name", "The role's name.", openapi.StrSchema(""))
	roleParam   = openapi.PathParam("role", "A role name.", openapi.StrSchema(""))
	limitParam  = openapi.Query("limit", "Page size, 1 to 100 (default 20).", obj{"type": "integer", "minimum": 1, "maximum": 100, "default": 20})
	cursorParam = openapi.Query("cursor", "The next_cursor of the previous page.", openapi.StrSchema(""))
	// externalIDParam is the id another system knows an object by.
	externalIDParam = openapi.PathParam("external_id", "The id in the other system: 1 to 255 characters without spaces, unique per tenant, environment and type.", openapi.StrSchema(""))
	metadataParam   = openapi.Param{Name: "metadata", In: "query", Description: "metadata[key]=value keeps objects whose metadata has that value under that key; several must all hold.",
		// The empty example keeps "Try it out" from sending made-up keys (additionalProp1=string) that match nothing.
		Schema: obj{"type": "object", "additionalProperties": obj{"type": "string"}, "example": obj{}}}
)

// exampleID stands for an id in request examples: the portal's console
// asks for it (and offers the ids a list call returns).
const exampleID = "00000000-0000-0000-0000-000000000000"

// upsertDescription documents a PUT …/by-external-id route.
func upsertDescription(entity, create, update string) string {
	return "Idempotent sync by the other system's id, with no lookup first: creates the " + entity + " (201, as its POST, needing `" + create +
		"`) when none has the external id in this tenant and environment, otherwise edits it (200, as its PATCH, needing `" + update +
		"`). Concurrent calls for the same new id make one " + entity + "."
}
