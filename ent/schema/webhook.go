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

// WebhookDeliveryStatuses: pending (not tried yet), retrying (failed, a
// retry is scheduled), delivered (a 2xx), failed (retries exhausted, or
// the endpoint can no longer receive it).
var WebhookDeliveryStatuses = []string{"pending", "retrying", "delivered", "failed"}

// MaxWebhookURL bounds endpoint URLs; MaxWebhookEventTypes the filter.
const (
	MaxWebhookURL        = 2048
	MaxWebhookEventTypes = 100
)

// webhookPolicy: endpoints, deliveries and attempts are the tenant admins'
// (settings.webhooks.manage); the service writes deliveries for any change
// through BypassPermissions, tenancy kept.
func webhookPolicy() ent.Policy {
	return privacy.Policy{
		Query:    privacy.QueryPolicy{requireQuery(settings.WebhooksManage)},
		Mutation: privacy.MutationPolicy{requireMutation(settings.WebhooksManage, ent.OpCreate|ent.OpUpdate|ent.OpUpdateOne|ent.OpDelete|ent.OpDeleteOne)},
	}
}

// WebhookEndpoint is a URL of the tenant's that receives signed events of
// one environment.
type WebhookEndpoint struct{ ent.Schema }

func (WebhookEndpoint) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{}, TenantEnvMixin{}, TimeMixin{}}
}

func (WebhookEndpoint) Fields() []ent.Field {
	return []ent.Field{
		limited(field.Text("url").NotEmpty(), MaxWebhookURL),
		limited(field.String("description").Default(""), MaxRoleDesc),
		field.Bool("enabled").Default(true),
		field.JSON("event_types", []string{}).Comment(`patterns: "*", "invoice.*", "ticket.created"`),
		field.String("secret").Sensitive().Comment("whsec_…: signing needs it in the clear; never returned after creation"),
		field.String("previous_secret").Optional().Nillable().Sensitive(),
		field.Time("previous_secret_expires_at").Optional().Nillable().Comment("both secrets sign until then"),
		field.String("owner").Comment("subject that last created or edited it; events reach it only while the owner may view them"),
		field.Time("failing_since").Optional().Nillable().Comment("first failed attempt since the last delivered one"),
		field.String("disabled_reason").Default(""),
	}
}

func (WebhookEndpoint) Policy() ent.Policy { return webhookPolicy() }

func (WebhookEndpoint) Annotations() []schema.Annotation { return []schema.Annotation{entgql.Skip()} }

// WebhookDelivery is one event on its way to one endpoint. Its id is the
// webhook-id header: the same on every attempt, so receivers can dedupe.
type WebhookDelivery struct{ ent.Schema }

func (WebhookDelivery) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{}, TenantEnvMixin{}, TimeMixin{}}
}

func (WebhookDelivery) Fields() []ent.Field {
	return []ent.Field{
		field.UUID("endpoint_id", uuid.UUID{}).Immutable(),
		field.UUID("event_id", uuid.UUID{}).Immutable(),
		field.String("event_type").Immutable(),
		field.Enum("status").Values(WebhookDeliveryStatuses...).Default("pending"),
		field.Int("attempts").Default(0),
		field.Time("next_attempt_at").Optional().Nillable(),
		field.Time("delivered_at").Optional().Nillable(),
		field.Int("round").Default(0).Comment("bumped by each manual retry: jobs of an earlier round stop, so a retry never races an attempt in flight"),
		field.String("last_error").Default(""),
	}
}

func (WebhookDelivery) Indexes() []ent.Index {
	return []ent.Index{index.Fields("endpoint_id", "id"), index.Fields("event_id")}
}

func (WebhookDelivery) Policy() ent.Policy { return webhookPolicy() }

func (WebhookDelivery) Annotations() []schema.Annotation { return []schema.Annotation{entgql.Skip()} }

// WebhookAttempt records one HTTP attempt of a delivery.
type WebhookAttempt struct{ ent.Schema }

func (WebhookAttempt) Mixin() []ent.Mixin { return []ent.Mixin{IDMixin{}, TenantEnvMixin{}} }

func (WebhookAttempt) Fields() []ent.Field {
	return []ent.Field{
		field.UUID("delivery_id", uuid.UUID{}).Immutable(),
		field.Time("created_at").Default(timeNow).Immutable(),
		field.Int("status_code").Optional().Immutable().Comment("0 when no response came"),
		field.Int("latency_ms").Immutable(),
		field.Text("response_body").Default("").Immutable().Comment("the first 2 KB"),
		field.String("error").Default("").Immutable(),
	}
}

func (WebhookAttempt) Indexes() []ent.Index { return []ent.Index{index.Fields("delivery_id")} }

func (WebhookAttempt) Policy() ent.Policy { return webhookPolicy() }

func (WebhookAttempt) Annotations() []schema.Annotation { return []schema.Annotation{entgql.Skip()} }
