package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
	"github.com/google/uuid"

	gen "github.com/cienerp/cienerp/ent"
	"github.com/cienerp/cienerp/ent/privacy"
	"github.com/cienerp/cienerp/ent/ticketcomment"
	"github.com/cienerp/cienerp/modules/itsupport"
)

// TicketComment is one message on a ticket. Comments are removed with
// their ticket.
type TicketComment struct{ ent.Schema }

func (TicketComment) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{}, TenantEnvMixin{}, TimeMixin{}}
}

func (TicketComment) Fields() []ent.Field {
	return []ent.Field{
		field.UUID("ticket_id", uuid.UUID{}).Immutable(),
		limited(field.Text("body").NotEmpty(), MaxDescription),
		field.Bool("internal").Default(false).Comment("visible to agents only"),
		field.String("author").Immutable().Comment("subject that wrote it: user:<id> or key:<id>"),
	}
}

func (TicketComment) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("ticket", Ticket.Type).Ref("comments").Field("ticket_id").Unique().Required().Immutable().
			Annotations(entsql.OnDelete(entsql.Cascade)),
	}
}

func (TicketComment) Indexes() []ent.Index {
	return []ent.Index{index.Fields("ticket_id", "created_at")}
}

func (TicketComment) Policy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{ticketCommentRows.Query(), requireQuery(itsupport.TicketsView)},
		Mutation: privacy.MutationPolicy{
			ticketCommentRows.Mutation(),
			requireMutation(itsupport.CommentsCreate, ent.OpCreate),
			requireMutation(itsupport.TicketsUpdate, ent.OpUpdate|ent.OpUpdateOne),
			requireMutation(itsupport.TicketsDelete, ent.OpDelete|ent.OpDeleteOne),
		},
	}
}

// ticketCommentRows binds TicketComment to the row conditions on its object type.
var ticketCommentRows = rows("ticket_comment", ticketcomment.Table, func(c *gen.Client) *gen.TicketCommentQuery { return c.TicketComment.Query() }, (*gen.TicketCommentQuery).Where)

func (TicketComment) Hooks() []ent.Hook { return []ent.Hook{ticketCommentRows.Check()} }

func (TicketComment) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.QueryField(), entgql.RelayConnection()}
}
