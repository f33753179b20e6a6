package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/cienerp/cienerp/ent/privacy"
)

// IdempotencyKey remembers the first response to a creating POST so that a
// retry with the same Idempotency-Key replays it (Stripe semantics).
type IdempotencyKey struct{ ent.Schema }

func (IdempotencyKey) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{}, TenantEnvMixin{}}
}

func (IdempotencyKey) Fields() []ent.Field {
	return []ent.Field{
		field.String("credential").Immutable(),
		limited(field.String("key").NotEmpty().Immutable(), MaxIdemKey),
		field.String("request_hash").Default("").Comment("SHA-256 of method, path and body; set when the first request finishes"),
		field.Enum("state").Values("running", "done").Default("running"),
		field.Int("response_status").Optional(),
		field.Bytes("response_body").Optional(),
		field.Time("created_at").Default(timeNow).Immutable(),
		field.Time("expires_at").Comment("end of the lease while running, of the replay once done"),
	}
}

func (IdempotencyKey) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("tenant_id", "env", "credential", "key").Unique(),
		index.Fields("expires_at"),
	}
}

func (IdempotencyKey) Policy() ent.Policy {
	return privacy.Policy{
		Query:    privacy.QueryPolicy{anyViewer},
		Mutation: privacy.MutationPolicy{anyViewer},
	}
}

func (IdempotencyKey) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip()}
}
