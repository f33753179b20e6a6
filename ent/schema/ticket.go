package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
	"github.com/google/uuid"

	gen "github.com/cienerp/cienerp/ent"
	"github.com/cienerp/cienerp/ent/privacy"
	"github.com/cienerp/cienerp/ent/ticket"
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
		// The default roles' row conditions (requester_id = $user, an
		// agent's assignee_id = $user) with the list's newest-first order.
		index.Fields("tenant_id", "env", "requester_id", "created_at"),
		index.Fields("tenant_id", "env", "assignee_id", "created_at"),
	}
}

func (Ticket) Policy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{ticketRows.Query(), requireQuery(itsupport.TicketsView)},
		Mutation: privacy.MutationPolicy{
			ticketRows.Mutation(),
			requireMutation(itsupport.TicketsCreate, ent.OpCreate),
			requireMutation(itsupport.TicketsUpdate, ent.OpUpdate|ent.OpUpdateOne),
			requireMutation(itsupport.TicketsDelete, ent.OpDelete|ent.OpDeleteOne),
		},
	}
}

// ticketRows binds Ticket to the row conditions on its object type.
var ticketRows = rows("ticket", ticket.Table, func(c *gen.Client) *gen.TicketQuery { return c.Ticket.Query() }, (*gen.TicketQuery).Where)

func (Ticket) Hooks() []ent.Hook { return []ent.Hook{ticketRows.Check()} }

func (Ticket) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.QueryField(), entgql.RelayConnection()}
}

// TicketStatuses and TicketPriorities are the values of a ticket's status
// and priority, in workflow order: the one list every layer names them from.
var (
	TicketStatuses   = itsupport.TicketStatuses
	TicketPriorities = itsupport.TicketPriorities
)
