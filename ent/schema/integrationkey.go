package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
	"github.com/google/uuid"

	"github.com/cienerp/cienerp/ent/privacy"
	"github.com/cienerp/cienerp/modules/settings"
)

// IntegrationKey is a server-to-server credential bound to one tenant and
// one environment. Only a SHA-256 of the secret is stored.
type IntegrationKey struct{ ent.Schema }

func (IntegrationKey) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{}, TenantEnvMixin{}, TimeMixin{}}
}

func (IntegrationKey) Fields() []ent.Field {
	return []ent.Field{
		limited(field.String("name").NotEmpty(), MaxKeyName),
		field.String("prefix").NotEmpty().Immutable().Comment("first characters of the secret, shown in lists"),
		field.String("secret_hash").NotEmpty().Immutable().Unique().Sensitive(),
		field.UUID("created_by", uuid.UUID{}).Optional().Nillable().Immutable(),
		field.Time("expires_at").Optional().Nillable(),
		field.Time("revoked_at").Optional().Nillable(),
		field.Time("last_used_at").Optional().Nillable(),
		field.Time("rolled_at").Optional().Nillable().Comment("set when the key was replaced by a roll"),
		field.UUID("rolled_from", uuid.UUID{}).Optional().Nillable().Immutable(),
	}
}

func (IntegrationKey) Indexes() []ent.Index {
	return []ent.Index{index.Fields("tenant_id", "created_at")}
}

func (IntegrationKey) Policy() ent.Policy {
	return privacy.Policy{
		Query:    privacy.QueryPolicy{requireQuery(settings.IntegrationKeysManage)},
		Mutation: privacy.MutationPolicy{requireMutation(settings.IntegrationKeysManage, ent.OpCreate|ent.OpUpdate|ent.OpUpdateOne|ent.OpDelete|ent.OpDeleteOne)},
	}
}

func (IntegrationKey) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip()}
}
