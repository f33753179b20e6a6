package graph

import (
	"strings"
	"testing"

	"github.com/cienerp/cienerp/modules"
)

// unboundRootFields need no operation permission: they show the caller
// itself or public data, or each result is filtered by its own rule (the
// events of objects the caller may view; node, by the entity's view
// permission).
var unboundRootFields = map[string]bool{
	"Query.me": true, "Query.tenant": true, "Query.permissions": true, "Query.calculateQuote": true,
	"Query.events": true, "Query.node": true, "Query.nodes": true,
}

// TestEveryRootFieldIsBoundToAnOperation keeps GraphQL from offering a
// query or mutation that no module's declaration binds to a permission,
// and the declarations from naming fields that do not exist.
func TestEveryRootFieldIsBoundToAnOperation(t *testing.T) {
	t.Parallel()
	declared := map[string]bool{}
	for _, m := range modules.All() {
		for _, op := range m.Ops {
			for _, f := range op.GraphQL {
				typ, field, _ := strings.Cut(f, ".")
				def := parsedSchema.Types[typ]
				if def == nil || def.Fields.ForName(field) == nil {
					t.Errorf("module %s binds %s, which the schema does not have", m.Name, f)
				}
				declared[f] = true
			}
		}
	}
	for _, root := range []string{"Query", "Mutation"} {
		for _, f := range parsedSchema.Types[root].Fields {
			name := root + "." + f.Name
			if strings.HasPrefix(f.Name, "__") || unboundRootFields[name] {
				continue
			}
			if !declared[name] {
				t.Errorf("%s is bound to no operation: list it in its module's Ops (or in unboundRootFields, saying why)", name)
			}
		}
	}
}
