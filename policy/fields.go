package policy

import (
	"sort"

	"github.com/cienerp/cienerp/module"
	"github.com/cienerp/cienerp/modules"
)

// Field rules: an object's sensitive fields come in groups, each behind its
// own permission (module.Object.FieldGroups). A caller without it gets
// the object without those fields, on every path.

// fieldGroups lists every declared group with its object type.
var fieldGroups = func() map[string][]module.FieldGroup {
	out := map[string][]module.FieldGroup{}
	for t, o := range modules.Objects() {
		if len(o.FieldGroups) > 0 {
			out[t] = o.FieldGroups
		}
	}
	return out
}()

// GroupedTypes lists the object types that declare field groups.
func GroupedTypes() []string { return groupedTypes }

var groupedTypes = func() []string {
	var out []string
	for t := range fieldGroups {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}()

// Hidden lists the fields of objectType that v may not see, by the
// permission that would show them.
func (v *Viewer) Hidden(objectType string) map[string]string {
	var out map[string]string
	for _, g := range fieldGroups[objectType] {
		if v.Can(g.Permission) {
			continue
		}
		if out == nil {
			out = map[string]string{}
		}
		for _, f := range g.Fields {
			out[f] = g.Permission
		}
	}
	return out
}

// HidesAny reports whether some field of some object is hidden from v:
// when not, nothing needs redacting.
func (v *Viewer) HidesAny() bool {
	if v == nil { // unauthenticated answers carry no objects
		return false
	}
	for t := range fieldGroups {
		if v.Hidden(t) != nil {
			return true
		}
	}
	return false
}

// Gated lists objectType's gates whose permission v lacks: the rows they
// keep from v.
func (v *Viewer) Gated(objectType string) []module.Gate {
	var out []module.Gate
	for _, g := range modules.Objects()[objectType].Gates {
		if !v.Can(g.Permission) {
			out = append(out, g)
		}
	}
	return out
}
