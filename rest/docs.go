package rest

import "github.com/cienerp/cienerp/openapi"

// Parameters and examples the route descriptions share.

var (
	idParam     = openapi.PathParam("id", "The object's id.", openapi.StrSchema("uuid"))
	nameParam   = openapi.PathParam("name", "The role's name.", openapi.StrSchema(""))
	roleParam   = openapi.PathParam("role", "A role name.", openapi.StrSchema(""))
	limitParam  = openapi.Query("limit", "Page size, 1 to 100 (default 20).", obj{"type": "integer", "minimum": 1, "maximum": 100, "default": 20})
	cursorParam = openapi.Query("cursor", "The next_cursor of the previous page.", openapi.StrSchema(""))
)

// exampleID stands for an id in request examples: the portal's console
// asks for it (and offers the ids a list call returns).
const exampleID = "00000000-0000-0000-0000-000000000000"
