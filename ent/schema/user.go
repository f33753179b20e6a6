package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
)

// User is a person who logs in (password grant). A user may belong to
// several tenants through memberships.
type User struct{ ent.Schema }

func (User) Mixin() []ent.Mixin { return []ent.Mixin{IDMixin{}, TimeMixin{}} }

func (User) Fields() []ent.Field {
	return []ent.Field{
		limited(field.String("email").NotEmpty().Unique(), MaxEmail),
		limited(field.String("name").Default(""), MaxName),
		field.String("password_hash").Sensitive(),
		field.Enum("status").Values("active", "disabled").Default("active"),
	}
}

func (User) Edges() []ent.Edge {
	return []ent.Edge{edge.To("memberships", Membership.Type)}
}

func (User) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip()}
}
