package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
)

// Tenant is one company using the platform. Tenants are not scoped: only
// system code (auth, CLI) reads them directly.
type Tenant struct{ ent.Schema }

func (Tenant) Mixin() []ent.Mixin { return []ent.Mixin{IDMixin{}, TimeMixin{}} }

func (Tenant) Fields() []ent.Field {
	return []ent.Field{
		limited(field.String("name").NotEmpty(), MaxName),
		limited(field.String("slug").NotEmpty().Unique(), MaxSlug),
		field.Enum("status").Values("active", "suspended").Default("active"),
		field.Int("rate_limit_per_minute").Positive().Default(600),
	}
}

func (Tenant) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip()}
}
