package graph

import (
	"context"
	"strings"

	"github.com/99designs/gqlgen/graphql"

	"github.com/cienerp/cienerp/modules"
	"github.com/cienerp/cienerp/policy"
)

// opPermissions is, per GraphQL type and field, the permission of the
// operation the field performs, from the modules' declarations: the same
// binding the edge checks on a REST route, so the two transports cannot
// differ; and for a declared relation (Invoice.customer), the related
// object's view permission, as REST's expand asks. Fields not listed need
// none beyond what ent's privacy rules and the service decide (an upsert
// checks create or update itself).
func opPermissions() map[string]map[string]string {
	out := map[string]map[string]string{}
	for _, r := range modules.Relations() {
		if out[r.Of.Schema] == nil {
			out[r.Of.Schema] = map[string]string{}
		}
		out[r.Of.Schema][r.Name] = r.Target.View
	}
	for _, m := range modules.All() {
		for _, op := range m.Ops {
			for _, f := range op.GraphQL {
				typ, field, _ := strings.Cut(f, ".")
				if out[typ] == nil {
					out[typ] = map[string]string{}
				}
				if op.Permission != "" {
					out[typ][field] = op.Permission
				}
			}
		}
	}
	return out
}

// groupedField is a field in a field group: its object type and its name
// in the object's public shape.
type groupedField struct{ object, field string }

// groupedFields is, per GraphQL type and field, the declared field group
// member it shows (Customer.taxId is the customer's tax_id).
func groupedFields() map[string]map[string]groupedField {
	out := map[string]map[string]groupedField{}
	for t, o := range modules.Objects() {
		for _, g := range o.FieldGroups {
			for _, f := range g.Fields {
				if out[o.Schema] == nil {
					out[o.Schema] = map[string]groupedField{}
				}
				out[o.Schema][camel(f)] = groupedField{t, f}
			}
		}
	}
	return out
}

// camel is tax_id as GraphQL names it: taxId.
func camel(s string) string {
	parts := strings.Split(s, "_")
	for i := 1; i < len(parts); i++ {
		parts[i] = strings.ToUpper(parts[i][:1]) + parts[i][1:]
	}
	return strings.Join(parts, "")
}

// requireOps checks a field's operation permission before its resolver
// runs; a refusal is the field's error, with the permission named, as the
// resolver's own would be. A field of a field group the caller may not
// see is null with the same error (field rules).
func requireOps(perms map[string]map[string]string, groups map[string]map[string]groupedField) graphql.FieldMiddleware {
	return func(ctx context.Context, next graphql.Resolver) (any, error) {
		fc := graphql.GetFieldContext(ctx)
		if g, ok := groups[fc.Object][fc.Field.Name]; ok {
			if perm := policy.FromContext(ctx).Hidden(g.object)[g.field]; perm != "" {
				return nil, &policy.DeniedError{Permission: perm}
			}
		}
		if perm := perms[fc.Object][fc.Field.Name]; perm != "" {
			if err := policy.Require(ctx, perm); err != nil {
				return nil, err
			}
			ctx = policy.WithOperation(ctx, perm) // its row condition governs what it writes
		}
		return next(ctx)
	}
}
