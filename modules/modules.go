// Package modules is the registry: every module's declaration, in the
// order the catalogs, the default roles and the API reference list them.
// Adding a module is one line here.
package modules

import (
	"github.com/cienerp/cienerp/module"
	"github.com/cienerp/cienerp/modules/admin"
	"github.com/cienerp/cienerp/modules/documents"
	"github.com/cienerp/cienerp/modules/finance"
	"github.com/cienerp/cienerp/modules/inventory"
	"github.com/cienerp/cienerp/modules/itsupport"
	"github.com/cienerp/cienerp/modules/pos"
	"github.com/cienerp/cienerp/modules/settings"
)

var all = []module.Module{
	itsupport.Module,
	documents.Module,
	finance.Module,
	pos.Module,
	inventory.Module,
	settings.Module,
	admin.Module,
}

// objects is built once: requests ask it (row conditions, field rules).
var objects = func() map[string]module.Object {
	out := map[string]module.Object{}
	for _, m := range all {
		for _, o := range m.Objects {
			out[o.Type] = o
		}
	}
	return out
}()

// All lists the declarations (shared: do not modify).
func All() []module.Module { return all }

// Objects are every module's object kinds, by type ("invoice") (shared:
// do not modify).
func Objects() map[string]module.Object { return objects }

// Related is a declared relation with both ends resolved: Of embeds
// Target, which is shown behind Target.View wherever it is embedded (REST's
// expand, GraphQL's relation fields).
type Related struct {
	module.Relation
	Of, Target module.Object
}

// Relations are every declared relation.
func Relations() []Related {
	objects := Objects()
	var out []Related
	for _, m := range All() {
		for _, o := range m.Objects {
			for _, r := range o.Relations {
				out = append(out, Related{Relation: r, Of: o, Target: objects[r.Object]})
			}
		}
	}
	return out
}

// Declared is a declared change with the object it is about.
type Declared struct {
	module.Event
	Object module.Object
}

// Events are every declared change (audit-only ones included), in
// registry order.
func Events() []Declared {
	var out []Declared
	for _, m := range All() {
		for _, o := range m.Objects {
			for _, e := range o.Events {
				out = append(out, Declared{Event: e, Object: o})
			}
		}
	}
	return out
}
