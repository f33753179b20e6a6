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

// RequestLog is one API request of a tenant's credential: who, what, the
// outcome and the permission decision — never a body, a secret or a
// credential header. Rows are written in batches by package requestlog
// (the platform's own writer, not a viewer's mutation) and read by
// viewers holding settings.request-logs.view in their tenant and
// environment.
type RequestLog struct{ ent.Schema }

func (RequestLog) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{}, logScope{}}
}

// logScope is TenantEnvMixin without its (tenant_id, env) index: the log's
// own indexes all begin with those columns, and every index is paid on
// each of the many writes.
type logScope struct{ TenantEnvMixin }

func (logScope) Indexes() []ent.Index { return nil }

func (RequestLog) Fields() []ent.Field {
	return []ent.Field{
		field.Time("created_at").Default(timeNow).Immutable().Comment("when the request arrived"),
		field.String("subject").Immutable().Comment("key:<id> or user:<id>: the Casbin subject that was decided on"),
		field.UUID("key_id", uuid.UUID{}).Optional().Nillable().Immutable(),
		field.String("key_name").Default("").Immutable(),
		field.UUID("user_id", uuid.UUID{}).Optional().Nillable().Immutable(),
		field.String("user_email").Default("").Immutable(),
		field.String("via").Default("").Immutable().Comment("api_key or bearer"),
		field.String("method").Immutable(),
		field.String("route").Default("").Immutable().Comment("the route template below the base URL: /tickets/{id}"),
		field.String("path").Immutable().Comment("the path as sent, without the query string"),
		field.Int("status").Immutable(),
		field.Int("latency_us").Immutable(),
		field.String("request_id").Immutable(),
		field.String("idempotency_key").Default("").Immutable(),
		field.String("error_code").Default("").Immutable(),
		field.String("permission").Default("").Immutable().Comment("the permission the route needed (the one denied, when one was)"),
		field.String("decision").Default("").Immutable().Comment("allowed, denied, or empty when no permission was needed"),
		field.String("role").Default("").Immutable().Comment("the role whose rule allowed it"),
		field.String("rule").Default("").Immutable().Comment("that rule's pattern"),
		field.String("permissions").Default("").Immutable().Comment("every permission the request required, in order, comma-separated"),
		field.String("client_ip").Default("").Immutable(),
		field.String("user_agent").Default("").Immutable(),
		field.String("operation").Default("").Immutable().Comment("GraphQL: the operation's name"),
		field.Int("cost").Default(0).Immutable().Comment("GraphQL: the operation's computed cost"),
	}
}

func (RequestLog) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("tenant_id", "env", "created_at"),
		index.Fields("tenant_id", "env", "request_id"),
		index.Fields("tenant_id", "env", "subject", "created_at"),
	}
}

func (RequestLog) Policy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{requireQuery(settings.RequestLogsView)},
		// Written by the platform's log writer only (package requestlog).
		Mutation: privacy.MutationPolicy{privacy.AlwaysDenyRule()},
	}
}

func (RequestLog) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip()}
}
