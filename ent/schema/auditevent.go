package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/cienerp/cienerp/ent/privacy"
	"github.com/cienerp/cienerp/modules/admin"
	"github.com/cienerp/cienerp/policy"
)

// AuditEvent records one change: who, with which credential, from which
// request, what, and the before/after of the fields that changed. The
// trail is tenant-wide: env records where the change was made, and admins
// read both environments' events from either base URL.
type AuditEvent struct{ ent.Schema }

func (AuditEvent) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{}, TenantMixin{}}
}

func (AuditEvent) Fields() []ent.Field {
	return []ent.Field{
		field.Enum("env").GoType(policy.Env("")).Immutable(),
		field.String("actor").Immutable().Comment("user:<id>, key:<id> or cli"),
		field.String("credential").Default("").Immutable().Comment("key:<id> when a key was used, directly or behind a token"),
		field.String("request_id").Default("").Immutable(),
		field.String("action").Immutable().Comment("the change, named as its event type: e.g. ticket.updated"),
		field.String("entity_type").Immutable(),
		field.String("entity_id").Immutable(),
		field.JSON("before", map[string]any{}).Optional().Immutable().Annotations(entgql.Type("Map")),
		field.JSON("after", map[string]any{}).Optional().Immutable().Annotations(entgql.Type("Map")),
		field.Time("created_at").Default(timeNow).Immutable().Annotations(entgql.OrderField("CREATED_AT")),
	}
}

func (AuditEvent) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("tenant_id", "created_at"),
		index.Fields("created_at"),
		index.Fields("entity_type", "entity_id"),
		index.Fields("tenant_id", "request_id"), // a request log entry's changes
	}
}

func (AuditEvent) Policy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{requireQuery(admin.AuditView), visibleAudit},
		// Any authenticated change records its event; events are never edited.
		Mutation: privacy.MutationPolicy{
			privacy.OnMutationOperation(anyViewer, ent.OpCreate),
			privacy.AlwaysDenyRule(),
		},
	}
}

func (AuditEvent) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.QueryField(), entgql.RelayConnection()}
}
