// Package policy holds who is asking (the viewer), what may be asked for (the
// permission catalog) and the decision (Casbin RBAC with domains). It imports
// only the modules' declarations so that ent/schema, REST and GraphQL can
// all depend on it.
package policy

import (
	"sort"
	"strings"

	"github.com/cienerp/cienerp/modules"
)

// Permission is one entry of the catalog: a dotted name that mirrors the UI.
type Permission struct {
	Name        string `json:"name"`
	Module      string `json:"module"`
	Description string `json:"description"`
	// Object is the object type it acts on: a grant of it may carry a row
	// condition over ConditionFields. Empty for permissions that take none.
	Object          string   `json:"object,omitempty"`
	ConditionFields []string `json:"condition_fields,omitempty"`
	// Shows lists the fields (object.field) of the field group it shows.
	Shows []string `json:"shows,omitempty"`
}

// catalog is every permission the platform knows, from the modules'
// declarations (a permission is named only there, by its constant: a test
// fails on a literal elsewhere). Roles and policies may only name these
// (or wildcards over them).
var catalog = func() []Permission {
	var out []Permission
	for _, m := range modules.All() {
		for _, p := range m.Permissions {
			e := Permission{Name: p.Name, Module: m.Name, Description: p.Description, Object: p.Object}
			if p.Object != "" {
				e.ConditionFields = FieldNames(modules.Objects()[p.Object], true)
			}
			for t, o := range modules.Objects() {
				for _, g := range o.FieldGroups {
					if g.Permission == p.Name {
						for _, f := range g.Fields {
							e.Shows = append(e.Shows, t+"."+f)
						}
					}
				}
			}
			out = append(out, e)
		}
	}
	return out
}()

// Catalog returns every permission, sorted by name.
func Catalog() []Permission {
	out := append([]Permission(nil), catalog...)
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Known reports whether name is a catalog permission.
func Known(name string) bool {
	for _, p := range catalog {
		if p.Name == name {
			return true
		}
	}
	return false
}

// ValidPattern reports whether pattern is "*", a catalog name, or a
// "prefix.*" wildcard that covers at least one catalog name.
func ValidPattern(pattern string) bool {
	if pattern == "*" || Known(pattern) {
		return true
	}
	if !strings.HasSuffix(pattern, ".*") {
		return false
	}
	for _, p := range catalog {
		if Match(pattern, p.Name) {
			return true
		}
	}
	return false
}

// Match reports whether a granted pattern covers the permission perm:
// "*" covers everything, "documents.*" covers "documents.verify" and
// "documents.x.y", anything else must be equal.
func Match(pattern, perm string) bool {
	if pattern == "*" || pattern == perm {
		return true
	}
	if prefix, ok := strings.CutSuffix(pattern, "*"); ok && strings.HasSuffix(prefix, ".") {
		return strings.HasPrefix(perm, prefix)
	}
	return false
}

// Expand lists the catalog permissions that the patterns cover, sorted.
func Expand(patterns []string) []string {
	var out []string
	for _, p := range Catalog() {
		for _, pat := range patterns {
			if Match(pat, p.Name) {
				out = append(out, p.Name)
				break
			}
		}
	}
	return out
}
