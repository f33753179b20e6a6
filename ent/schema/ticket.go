package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
	"github.com/google/uuid"

	"github.com/cienerp/cienerp/ent/privacy"
	"github.com/cienerp/cienerp/modules/itsupport"
)

// Ticket is an IT support request.
type Ticket struct{ ent.Schema }

func (Ticket) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{}, TenantEnvMixin{}, TimeMixin{}, MetadataMixin{}, ExternalIDMixin{}}
}

func (Ticket) Fields() []ent.Field {
	return []ent.Field{
		field.Int("number").Positive().Immutable().Comment("per tenant and environment; shown as IT-000042").Annotations(entgql.OrderField("NUMBER")),
		limited(field.String("title").NotEmpty(), MaxTitle),
		limited(field.Text("description").Default(""), MaxDescription),
		field.Enum("status").Values(TicketStatuses...).Default("open"),
		field.Enum("priority").Values(TicketPriorities...).Default("normal"),
		field.UUID("requester_id", uuid.UUID{}),
		field.UUID("assignee_id", uuid.UUID{}).Optional().Nillable(),
		field.String("created_by").Immutable().Comment("subject that opened it: user:<id> or key:<id>"),
		field.Time("resolved_at").Optional().Nillable(),
		field.Time("closed_at").Optional().Nillable(),
	}
}

func (Ticket) Edges() []ent.Edge {
	return []ent.Edge{edge.To("comments", TicketComment.Type)}
}

func (Ticket) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("tenant_id", "env", "number").Unique(),
		index.Fields("tenant_id", "env", "status"),
		index.Fields("tenant_id", "env", "created_at"),
	}
}

func (Ticket) Policy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{requireQuery(itsupport.TicketsView)},
		Mutation: privacy.MutationPolicy{
			requireMutation(itsupport.TicketsCreate, ent.OpCreate),
			requireMutation(itsupport.TicketsUpdate, ent.OpUpdate|ent.OpUpdateOne),
			requireMutation(itsupport.TicketsDelete, ent.OpDelete|ent.OpDeleteOne),
		},
	}
}

func (Ticket) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.QueryField(), entgql.RelayConnection()}
}

// TicketStatuses and TicketPriorities are the values of a ticket's status
// and priority, in workflow order: the one list every layer names them from.
var (
	TicketStatuses   = []string{"open", "in_progress", "on_hold", "resolved", "closed"}
	TicketPriorities = []string{"low", "normal", "high", "urgent"}
)
