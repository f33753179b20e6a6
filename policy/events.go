package policy

import (
	"github.com/cienerp/cienerp/module"
	"github.com/cienerp/cienerp/modules"
)

// EventType is one entry of the event catalog: what happened, to which kind
// of object, and the permission a caller needs to see it (the view
// permission of that object, as its REST GET requires).
type EventType struct {
	Name        string `json:"name"`
	ObjectType  string `json:"object_type"`
	Permission  string `json:"permission"`
	Description string `json:"description"`
	// Schema is the OpenAPI component schema of the object it carries.
	Schema string `json:"-"`
}

// objectPermissions is the view permission of each object type that
// events carry, from the modules' declarations: the one place the feed,
// webhooks and subscriptions ask.
var objectPermissions = func() map[string]string {
	out := map[string]string{}
	for t, o := range modules.Objects() {
		out[t] = o.View
	}
	return out
}()

// eventCatalog lists every event type the platform emits, from the
// modules' declarations; the service emits only these (a test fails
// otherwise).
var eventCatalog = func() []EventType {
	var out []EventType
	for _, e := range modules.Events() {
		if !e.AuditOnly {
			out = append(out, EventType{Name: string(e.Change), ObjectType: e.Object.Type, Permission: e.Object.View, Description: e.Description, Schema: e.Object.Schema})
		}
	}
	return out
}()

// EventCatalog returns every event type in catalog order.
func EventCatalog() []EventType { return append([]EventType(nil), eventCatalog...) }

// LookupEventType returns the catalog entry of c.
func LookupEventType(c module.Change) (EventType, bool) {
	for _, e := range eventCatalog {
		if e.Name == string(c) {
			return e, true
		}
	}
	return EventType{}, false
}

// ObjectPermission is the permission needed to see events about objects of
// type objectType ("" when the type is unknown: nobody sees it).
func ObjectPermission(objectType string) string { return objectPermissions[objectType] }

// VisibleObjectTypes lists the object types whose events v may see.
func VisibleObjectTypes(v *Viewer) []string {
	var out []string
	for t, perm := range objectPermissions {
		if v.Can(perm) {
			out = append(out, t)
		}
	}
	return out
}

// ValidEventPattern reports whether pattern names a catalog event type or
// is a wildcard covering at least one ("*", "invoice.*"): the same
// wildcards as permissions, matched with Match.
func ValidEventPattern(pattern string) bool {
	for _, e := range eventCatalog {
		if Match(pattern, e.Name) {
			return true
		}
	}
	return false
}
