// Package itsupport declares the IT support module: tickets and their
// comments.
package itsupport

import "github.com/cienerp/cienerp/module"

const (
	TicketsView    = "it-support.tickets.view"
	TicketsCreate  = "it-support.tickets.create"
	TicketsUpdate  = "it-support.tickets.update"
	TicketsDelete  = "it-support.tickets.delete"
	CommentsCreate = "it-support.comments.create"
	// CommentsInternal shows comments marked internal (agents' notes).
	CommentsInternal = "it-support.comments.internal"
)

const (
	TicketCreated        module.Change = "ticket.created"
	TicketUpdated        module.Change = "ticket.updated"
	TicketDeleted        module.Change = "ticket.deleted"
	TicketCommentCreated module.Change = "ticket.comment.created"
)

// The operations and the permission each needs: REST routes name these,
// GraphQL fields are listed in them.
var (
	ViewTickets   = module.Op{Permission: TicketsView, GraphQL: []string{"Query.tickets", "Query.ticketComments"}}
	CreateTicket  = module.Op{Permission: TicketsCreate, GraphQL: []string{"Mutation.createTicket"}}
	UpdateTicket  = module.Op{Permission: TicketsUpdate, GraphQL: []string{"Mutation.updateTicket"}}
	DeleteTicket  = module.Op{Permission: TicketsDelete, GraphQL: []string{"Mutation.deleteTicket"}}
	UpsertTicket  = module.Op{GraphQL: []string{"Mutation.upsertTicket"}}
	CommentTicket = module.Op{Permission: CommentsCreate, GraphQL: []string{"Mutation.addTicketComment"}}
)

// TicketStatuses and TicketPriorities are a ticket's statuses and
// priorities in workflow order: the one list every layer names them from.
var (
	TicketStatuses   = []string{"open", "in_progress", "on_hold", "resolved", "closed"}
	TicketPriorities = []string{"low", "normal", "high", "urgent"}
)

// Module is the declaration the registry (modules.All) lists.
var Module = module.Module{
	Name: "it-support",
	Tag:  "IT Support", TagDescription: "Tickets and their comments.",
	Permissions: []module.Permission{
		{Name: TicketsView, Description: "List and read IT support tickets and their comments.", Object: "ticket"},
		{Name: TicketsCreate, Description: "Open IT support tickets.", Object: "ticket"},
		{Name: TicketsUpdate, Description: "Edit tickets: title, description, priority, assignee and status.", Object: "ticket"},
		{Name: TicketsDelete, Description: "Delete tickets and their comments.", Object: "ticket"},
		{Name: CommentsCreate, Description: "Comment on IT support tickets (on the tickets one may see).", Object: "ticket_comment"},
		{Name: CommentsInternal, Description: "See and write internal comments (agents' notes, hidden from requesters)."},
	},
	Grants: map[string][]string{
		"admin":     {"it-support.*"},
		"it-agent":  {"it-support.*"},
		"viewer":    {TicketsView, CommentsInternal},
		"requester": {TicketsView, TicketsCreate, CommentsCreate},
	},
	Conditions: map[string]map[string]string{
		"requester": {
			TicketsView:    `{"requester_id": {"_eq": "$user"}}`,
			TicketsCreate:  `{"requester_id": {"_eq": "$user"}}`,
			CommentsCreate: `{"author": {"_eq": "$user"}}`,
		},
	},
	Objects: []module.Object{
		{Type: "ticket", Schema: "Ticket", View: TicketsView, Events: []module.Event{
			{Change: TicketCreated, Description: "A ticket was opened.", Was: []string{"ticket.create"}},
			{Change: TicketUpdated, Description: "A ticket's title, description, priority, assignee or status changed; previous_attributes holds the old values.", Was: []string{"ticket.update"}},
			{Change: TicketDeleted, Description: "A ticket and its comments were deleted; data.object is the ticket as it was.", Was: []string{"ticket.delete"}},
		}, Relations: []module.Relation{{Name: "comments", Object: "ticket_comment"}},
			Fields: []module.Field{
				{Name: "requester_id", Kind: module.KindUser},
				{Name: "assignee_id", Kind: module.KindUser},
				{Name: "status", Kind: module.KindEnum, Values: TicketStatuses},
				{Name: "priority", Kind: module.KindEnum, Values: TicketPriorities},
				{Name: "created_by", Kind: module.KindSubject},
				{Name: "created_at", Kind: module.KindTime},
			}},
		{Type: "ticket_comment", Schema: "TicketComment", View: TicketsView, Events: []module.Event{
			{Change: TicketCommentCreated, Description: "A comment was added to a ticket.", Was: []string{"ticket_comment.create"}},
		}, Within: &module.Relation{Name: "ticket", Object: "ticket", Ref: "ticket_id"},
			Fields: []module.Field{{Name: "author", Kind: module.KindSubject}, {Name: "internal", Kind: module.KindBool}, {Name: "ticket_id", Kind: module.KindID}},
			Gates:  []module.Gate{{Field: "internal", Permission: CommentsInternal}}},
	},
	Ops: []module.Op{ViewTickets, CreateTicket, UpdateTicket, DeleteTicket, UpsertTicket, CommentTicket},
}
