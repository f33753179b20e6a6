package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/cienerp/cienerp/ent/privacy"
)

// Sequence is a gapless counter per tenant, environment and name (ticket
// numbers, later invoice numbers). Incremented inside the transaction that
// uses the number, so a rollback gives the number back.
type Sequence struct{ ent.Schema }

func (Sequence) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{}, TenantEnvMixin{}}
}

func (Sequence) Fields() []ent.Field {
	return []ent.Field{
		field.String("name").NotEmpty(),
		field.Int64("value").Default(0),
		field.Int("endpoints").Default(0).Comment(`on the "event" counter: the environment's enabled webhook endpoints, kept by their changes, so an event without any looks for none`),
	}
}

func (Sequence) Indexes() []ent.Index {
	return []ent.Index{index.Fields("tenant_id", "env", "name").Unique()}
}

func (Sequence) Policy() ent.Policy {
	return privacy.Policy{
		Query:    privacy.QueryPolicy{anyViewer},
		Mutation: privacy.MutationPolicy{anyViewer},
	}
}

func (Sequence) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip()}
}
