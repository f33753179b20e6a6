package openapi

import (
	"strings"

	"github.com/cienerp/cienerp/ent/schema"
	"github.com/cienerp/cienerp/service"
)

// Obj is a JSON object of the document.
type Obj = map[string]any

// Str is a string with a description.
func Str(desc string) Obj { return Obj{"type": "string", "description": desc} }

// StrSchema is a string, of a format when one is given ("uuid", "date-time").
func StrSchema(format string) Obj {
	if format == "" {
		return Obj{"type": "string"}
	}
	return Obj{"type": "string", "format": format}
}

// TextMax is a string of at most max characters (the schema's limit).
func TextMax(max int, desc string) Obj {
	o := Obj{"type": "string", "maxLength": max}
	if desc != "" {
		o["description"] = desc
	}
	return o
}

// Nullable is a typ or null.
func Nullable(typ, format, desc string) Obj {
	o := Obj{"type": []string{typ, "null"}, "description": desc}
	if format != "" {
		o["format"] = format
	}
	return o
}

// DecimalStr is an exact amount as a decimal string.
func DecimalStr(desc string) Obj {
	return Obj{"type": "string", "pattern": "^-?[0-9]+(\\.[0-9]+)?$", "description": strings.TrimSpace("A decimal string. " + desc)}
}

// Enum is a string of the given values.
func Enum(desc string, values ...string) Obj {
	return Obj{"type": "string", "enum": values, "description": desc}
}

// Object is an object with properties, the required ones named.
func Object(required []string, props Obj) Obj {
	o := Obj{"type": "object", "properties": props}
	if len(required) > 0 {
		o["required"] = required
	}
	return o
}

// Ref points at a component schema.
func Ref(name string) Obj { return Obj{"$ref": "#/components/schemas/" + name} }

// Schemas shared by every description.
var (
	StringList = Obj{"type": "array", "items": Obj{"type": "string"}}
	UUID       = Obj{"type": "string", "format": "uuid"}
	Time       = Obj{"type": "string", "format": "date-time"}
	Env        = Enum("The environment the object lives in.", "live", "sandbox")
	// ExternalIDInput sets or (null) removes an object's external id.
	ExternalIDInput = Obj{"type": []string{"string", "null"}, "minLength": 1, "maxLength": schema.MaxExternalID, "pattern": `^\S+$`,
		"description": "The id in another system, unique per tenant, environment and type; null removes it."}
)

// commonSchemas are the shapes every route may answer: the error bodies
// and the list meta.
func commonSchemas() Obj {
	return Obj{
		"Error": Object([]string{"status", "message", "code"}, Obj{
			"status": Obj{"const": "error"}, "message": Str("What went wrong and what to do."),
			"code":       Str("Machine-readable reason, e.g. not_found, forbidden, rate_limited."),
			"request_id": Str("Quote it to support."), "permission": Str("On 403 for a missing permission: its name."),
			"retry_after": Obj{"type": "integer", "description": "On 429: seconds to wait (also in Retry-After)."},
			"etag":        Str("On 412: the object's current ETag (also in the ETag header)."),
		}),
		"ValidationError": Object([]string{"message", "errors"}, Obj{
			"message": Obj{"const": service.InvalidMessage},
			"errors":  Obj{"type": "object", "additionalProperties": Obj{"type": "array", "items": Obj{"type": "string"}}, "description": "Field name to messages."},
			"code":    Obj{"const": "validation_failed"}, "request_id": Str("Quote it to support."),
		}),
		"Metadata": Obj{"type": "object", "maxProperties": schema.MaxMetadataKeys,
			"propertyNames":        Obj{"pattern": "^[A-Za-z0-9_-]+$", "maxLength": schema.MaxMetadataKey},
			"additionalProperties": Obj{"type": "string", "maxLength": schema.MaxMetadataValue},
			"description":          "Your own key-value strings (order numbers, sync markers): up to 50 keys of letters, digits, _ and - (at most 40 characters), values of at most 500. Filter lists with metadata[key]=value.",
			"example":              Obj{"order_id": "A-1001"}},
		"MetadataInput": Obj{"type": "object",
			"propertyNames":        Obj{"pattern": "^[A-Za-z0-9_-]+$", "maxLength": schema.MaxMetadataKey},
			"additionalProperties": Obj{"type": []string{"string", "null"}, "maxLength": schema.MaxMetadataValue},
			"description":          "Set on create; on update merged into the object's metadata, a null value deleting its key.",
			"example":              Obj{"order_id": "A-1001", "old_key": nil}},
		"Meta": Object([]string{"limit", "has_more"}, Obj{
			"limit": Obj{"type": "integer"}, "has_more": Obj{"type": "boolean"},
			"next_cursor": Str("Pass as cursor to get the next page."),
		}),
	}
}
