package rest

import (
	"context"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/cienerp/cienerp/edge"
	"github.com/cienerp/cienerp/ent"
	"github.com/cienerp/cienerp/ent/schema"
	"github.com/cienerp/cienerp/modules/itsupport"
	"github.com/cienerp/cienerp/openapi"
	"github.com/cienerp/cienerp/service"
)

// IT-support tickets and their comments.

func init() {
	register(part{routes: (*Server).ticketsRoutes, schemas: ticketsSchemas, loaders: ticketsLoaders})
}

func (s *Server) ticketsRoutes() []edge.Route {
	return []edge.Route{
		{Method: http.MethodGet, Path: "/tickets", Op: itsupport.ViewTickets, Handle: s.listTickets,
			Doc: openapi.Doc{Tag: itsupport.Module.Tag, Summary: "List tickets", Params: ticketListParams, Status: 200, Data: "Ticket", List: true}},
		{Method: http.MethodPost, Path: "/tickets", Op: itsupport.CreateTicket, Creates: true, Handle: s.createTicket,
			Doc: openapi.Doc{Tag: itsupport.Module.Tag, Summary: "Open a ticket", Description: "Numbers (IT-000042) count per tenant and environment. A user is the requester unless another member is named; a key must name one.", Body: "CreateTicket", Status: 201, Data: "Ticket",
				Example: obj{"title": "Printer on floor 2 jams", "priority": "high", "requester_id": exampleID}}},
		{Method: http.MethodGet, Path: "/tickets/:id", Op: itsupport.ViewTickets, Handle: s.getTicket,
			Doc: openapi.Doc{Tag: itsupport.Module.Tag, Summary: "Get a ticket", Params: []openapi.Param{idParam}, Status: 200, Data: "Ticket"}},
		{Method: http.MethodPatch, Conditional: true, Path: "/tickets/:id", Op: itsupport.UpdateTicket, Handle: s.updateTicket,
			Doc: openapi.Doc{Tag: itsupport.Module.Tag, Summary: "Update a ticket", Description: "Absent fields stay as they are; assignee_id null unassigns. Status follows the workflow: open, in_progress and on_hold move freely between each other and to resolved or closed; resolved may reopen or close; closed is final.", Params: []openapi.Param{idParam}, Body: "UpdateTicket", Status: 200, Data: "Ticket",
				Example: obj{"status": "in_progress", "priority": "urgent"}}},
		{Method: http.MethodPut, Path: "/tickets/by-external-id/:external_id", Op: itsupport.UpsertTicket, Handle: s.upsertTicket,
			Doc: openapi.Doc{Tag: itsupport.Module.Tag, Summary: "Create or update the ticket of an external id", Description: upsertDescription("ticket", itsupport.TicketsCreate, itsupport.TicketsUpdate) + " Creating takes the fields of CreateTicket, updating those of UpdateTicket.",
				Params: []openapi.Param{externalIDParam}, Body: "CreateTicket", Status: 200, Data: "Ticket",
				Example: obj{"title": "VPN drops every hour", "requester_email": "ana@acme.example", "metadata": obj{"jira": "OPS-4411"}}}},
		{Method: http.MethodDelete, Conditional: true, Path: "/tickets/:id", Op: itsupport.DeleteTicket, Handle: s.deleteTicket,
			Doc: openapi.Doc{Tag: itsupport.Module.Tag, Summary: "Delete a ticket and its comments", Params: []openapi.Param{idParam}, Status: 200, Data: "Deleted"}},
		{Method: http.MethodGet, Path: "/tickets/:id/comments", Op: itsupport.ViewTickets, Handle: s.listComments,
			Doc: openapi.Doc{Tag: itsupport.Module.Tag, Summary: "List a ticket's comments, oldest first", Params: []openapi.Param{idParam, limitParam, cursorParam}, Status: 200, Data: "TicketComment", List: true}},
		{Method: http.MethodPost, Path: "/tickets/:id/comments", Op: itsupport.CommentTicket, Creates: true, Handle: s.addComment,
			Doc: openapi.Doc{Tag: itsupport.Module.Tag, Summary: "Comment on a ticket", Params: []openapi.Param{idParam}, Body: "CreateTicketComment", Status: 201, Data: "TicketComment",
				Example: obj{"body": "Replaced the fuser; please try again.", "internal": false}}},
	}
}

func ticketsSchemas() obj {
	return obj{
		"Ticket": openapi.Object([]string{"id", "number", "title", "status", "priority", "requester_id", "environment"}, obj{"metadata": openapi.Ref("Metadata"), "external_id": openapi.Nullable("string", "", "The id in another system (unique per tenant, environment and type): upsert with PUT …/by-external-id/{external_id}."),
			"id": openapi.UUID, "object": obj{"const": "ticket"}, "number": openapi.Str("IT-000042: per tenant and environment."),
			"title": obj{"type": "string"}, "description": obj{"type": "string"},
			"status": openapi.Enum("", schema.TicketStatuses...), "priority": openapi.Enum("", schema.TicketPriorities...),
			"requester_id": openapi.UUID, "assignee_id": openapi.Nullable("string", "uuid", ""), "created_by": openapi.Str("user:<id> or key:<id>."),
			"environment": openapi.Env, "created_at": openapi.Time, "updated_at": openapi.Time,
			"resolved_at": openapi.Nullable("string", "date-time", ""), "closed_at": openapi.Nullable("string", "date-time", ""),
		}),
		"CreateTicket": openapi.Object([]string{"title"}, obj{"metadata": openapi.Ref("MetadataInput"), "external_id": openapi.ExternalIDInput,
			"title":           obj{"type": "string", "maxLength": schema.MaxTitle, "examples": []string{"Printer on floor 2 jams"}},
			"description":     obj{"type": "string", "maxLength": schema.MaxDescription},
			"priority":        obj{"type": "string", "enum": schema.TicketPriorities, "default": "normal"},
			"requester_id":    obj{"type": "string", "format": "uuid", "description": "A member's user id (GET /admin/members lists them); defaults to the calling user. A key gives this or requester_email."},
			"requester_email": obj{"type": "string", "format": "email", "maxLength": schema.MaxEmail, "description": "A member's email, instead of requester_id."},
			"assignee_id":     obj{"type": "string", "format": "uuid", "description": "A member of the tenant."},
		}),
		"UpdateTicket": openapi.Object(nil, obj{"metadata": openapi.Ref("MetadataInput"), "external_id": openapi.ExternalIDInput,
			"title": obj{"type": "string", "maxLength": schema.MaxTitle}, "description": obj{"type": "string", "maxLength": schema.MaxDescription},
			"priority": obj{"type": "string", "enum": schema.TicketPriorities}, "status": obj{"type": "string", "enum": schema.TicketStatuses},
			"requester_id": obj{"type": "string", "format": "uuid"},
			"assignee_id":  openapi.Nullable("string", "uuid", "null unassigns."),
		}),
		"TicketComment": openapi.Object([]string{"id", "ticket_id", "body", "author"}, obj{
			"id": openapi.UUID, "object": obj{"const": "ticket_comment"}, "ticket_id": openapi.UUID, "body": obj{"type": "string"},
			"internal": obj{"type": "boolean"}, "author": openapi.Str("user:<id> or key:<id>."), "created_at": openapi.Time,
		}),
		"CreateTicketComment": openapi.Object([]string{"body"}, obj{
			"body": obj{"type": "string", "maxLength": schema.MaxDescription}, "internal": obj{"type": "boolean", "default": false, "description": "Visible to agents only."},
		}),
	}
}

func (s *Server) listTickets(c *gin.Context) error {
	f, err := ticketFilter(c)
	if err != nil {
		return err
	}
	page, err := s.svc.ListTickets(c.Request.Context(), f)
	if err != nil {
		return err
	}
	respondList(c, mapSlice(page.Items, service.TicketObject), Meta{Limit: f.Limit, HasMore: page.HasMore, NextCursor: page.NextCursor})
	return nil
}

// ticketFilter reads the list's query parameters, reporting every bad one.
func ticketFilter(c *gin.Context) (service.TicketFilter, error) {
	verr := &service.ValidationError{}
	f := service.TicketFilter{Statuses: splitList(c.Query("status")), Priorities: splitList(c.Query("priority")),
		Assignee: c.Query("assignee"), Requester: c.Query("requester"),
		Q: strings.TrimSpace(c.Query("q")), Sort: c.Query("sort"), Metadata: c.QueryMap("metadata"), Cursor: c.Query("cursor"), Limit: queryLimit(c, verr)}
	return f, verr.OrNil()
}

func (s *Server) createTicket(c *gin.Context) error {
	var in service.CreateTicketInput
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	t, err := s.svc.CreateTicket(c.Request.Context(), in)
	if err != nil {
		return err
	}
	respond(c, http.StatusCreated, service.TicketObject(t))
	return nil
}

func (s *Server) getTicket(c *gin.Context) error {
	id, err := pathID(c, "ticket")
	if err != nil {
		return err
	}
	t, err := s.svc.GetTicket(c.Request.Context(), id)
	if err != nil {
		return err
	}
	respond(c, http.StatusOK, service.TicketObject(t))
	return nil
}

func (s *Server) updateTicket(c *gin.Context) error {
	id, err := pathID(c, "ticket")
	if err != nil {
		return err
	}
	var in service.UpdateTicketInput
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	t, err := s.svc.UpdateTicket(c.Request.Context(), id, in)
	if err != nil {
		return err
	}
	respond(c, http.StatusOK, service.TicketObject(t))
	return nil
}

func (s *Server) deleteTicket(c *gin.Context) error {
	id, err := pathID(c, "ticket")
	if err != nil {
		return err
	}
	if err := s.svc.DeleteTicket(c.Request.Context(), id); err != nil {
		return err
	}
	respond(c, http.StatusOK, gin.H{"id": id, "object": "ticket", "deleted": true})
	return nil
}

func (s *Server) upsertTicket(c *gin.Context) error {
	return upsert(c, itsupport.CreateTicket, itsupport.UpdateTicket, s.svc.TicketByExternalID,
		func(ctx context.Context, in service.CreateTicketInput, eid string) (*ent.Ticket, error) {
			if err := sameExternalID(in.ExternalID, eid); err != nil {
				return nil, err
			}
			in.ExternalID = &eid
			return s.svc.CreateTicket(ctx, in)
		},
		func(ctx context.Context, id uuid.UUID, in service.UpdateTicketInput) (*ent.Ticket, error) {
			if err := sameExternalID(in.ExternalID.Ptr(), c.Param("external_id")); err != nil {
				return nil, err
			}
			in.ExternalID = service.Opt[string]{}
			return s.svc.UpdateTicket(ctx, id, in)
		}, service.TicketObject)
}

func (s *Server) listComments(c *gin.Context) error {
	id, err := pathID(c, "ticket")
	if err != nil {
		return err
	}
	verr := &service.ValidationError{}
	limit := queryLimit(c, verr)
	if err := verr.OrNil(); err != nil {
		return err
	}
	page, err := s.svc.ListComments(c.Request.Context(), id, limit, c.Query("cursor"))
	if err != nil {
		return err
	}
	respondList(c, mapSlice(page.Items, service.CommentObject), Meta{Limit: limit, HasMore: page.HasMore, NextCursor: page.NextCursor})
	return nil
}

func (s *Server) addComment(c *gin.Context) error {
	id, err := pathID(c, "ticket")
	if err != nil {
		return err
	}
	var in service.CreateCommentInput
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	cm, err := s.svc.AddComment(c.Request.Context(), id, in)
	if err != nil {
		return err
	}
	respond(c, http.StatusCreated, service.CommentObject(cm))
	return nil
}

var ticketListParams = []openapi.Param{
	limitParam, cursorParam, metadataParam,
	openapi.Query("status", "Comma-separated statuses: "+strings.Join(schema.TicketStatuses, ", ")+".", openapi.StrSchema("")),
	openapi.Query("priority", "Comma-separated priorities: "+strings.Join(schema.TicketPriorities, ", ")+".", openapi.StrSchema("")),
	openapi.Query("assignee", "Assignee user id, or \"none\" for unassigned tickets.", openapi.StrSchema("")),
	openapi.Query("requester", "Requester user id.", openapi.StrSchema("uuid")),
	openapi.Query("q", "Text search in title and description (case-insensitive).", openapi.StrSchema("")),
	openapi.Query("sort", "Order: -created_at (default), created_at, -updated_at, updated_at, -number, number.", openapi.StrSchema("")),
}

// ticketsLoaders read what a ticket embeds (its declared relations).
var ticketsLoaders = map[string]loader{
	"Ticket.comments": (*service.Service).RelatedComments,
}
