package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/cienerp/cienerp/ent/privacy"
	"github.com/cienerp/cienerp/modules/admin"
)

// Role is a named set of permissions in one tenant. The permissions
// themselves are Casbin rules (p, role:<name>, tenant, pattern); this row
// holds what Casbin cannot: the description, whether it is built in, and
// the role's existence while it grants nothing.
type Role struct{ ent.Schema }

func (Role) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{}, TenantMixin{}, TimeMixin{}}
}

func (Role) Fields() []ent.Field {
	return []ent.Field{
		limited(field.String("name").NotEmpty().Annotations(entgql.OrderField("NAME")), MaxSlug),
		limited(field.String("description").Default(""), MaxRoleDesc),
		field.Bool("builtin").Default(false).Immutable(),
	}
}

func (Role) Indexes() []ent.Index {
	return []ent.Index{index.Fields("tenant_id", "name").Unique()}
}

func (Role) Policy() ent.Policy {
	return privacy.Policy{
		Query:    privacy.QueryPolicy{anyViewer},
		Mutation: privacy.MutationPolicy{requireMutation(admin.PoliciesManage, ent.OpCreate|ent.OpUpdate|ent.OpUpdateOne|ent.OpDelete|ent.OpDeleteOne)},
	}
}

func (Role) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.QueryField(), entgql.RelayConnection()}
}
