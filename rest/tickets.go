package rest

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/cienerp/cienerp/ent/ticket"
	"github.com/cienerp/cienerp/service"
)

func (s *Server) listTickets(c *gin.Context) error {
	f, err := ticketFilter(c)
	if err != nil {
		return err
	}
	page, err := s.svc.ListTickets(c.Request.Context(), f)
	if err != nil {
		return err
	}
	respondList(c, mapSlice(page.Items, ticketView), Meta{Limit: f.Limit, HasMore: page.HasMore, NextCursor: page.NextCursor})
	return nil
}

// ticketFilter reads the list's query parameters, reporting every bad one.
func ticketFilter(c *gin.Context) (service.TicketFilter, error) {
	verr := &service.ValidationError{}
	f := service.TicketFilter{Q: strings.TrimSpace(c.Query("q")), Sort: c.Query("sort"), Cursor: c.Query("cursor"), Limit: queryLimit(c, verr)}
	for _, v := range splitList(c.Query("status")) {
		if ticket.StatusValidator(ticket.Status(v)) != nil {
			verr.Add("status", "Unknown status %q; use open, in_progress, on_hold, resolved or closed.", v)
		}
		f.Statuses = append(f.Statuses, ticket.Status(v))
	}
	for _, v := range splitList(c.Query("priority")) {
		if ticket.PriorityValidator(ticket.Priority(v)) != nil {
			verr.Add("priority", "Unknown priority %q; use low, normal, high or urgent.", v)
		}
		f.Priorities = append(f.Priorities, ticket.Priority(v))
	}
	if a := c.Query("assignee"); a == "none" {
		f.Unassigned = true
	} else if a != "" {
		id, err := uuid.Parse(a)
		if err != nil {
			verr.Add("assignee", "Assignee must be a user id or \"none\".")
		}
		f.Assignee = &id
	}
	if r := c.Query("requester"); r != "" {
		id, err := uuid.Parse(r)
		if err != nil {
			verr.Add("requester", "Requester must be a user id.")
		}
		f.Requester = &id
	}
	return f, verr.OrNil()
}

// queryLimit reads ?limit= (default 20, at most service.MaxPageSize).
func queryLimit(c *gin.Context, verr *service.ValidationError) int {
	l := c.Query("limit")
	if l == "" {
		return 20
	}
	n, err := strconv.Atoi(l)
	if err != nil || n < 1 || n > service.MaxPageSize {
		verr.Add("limit", "Limit must be an integer between 1 and %d.", service.MaxPageSize)
	}
	return n
}

func splitList(s string) []string {
	var out []string
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
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
	respond(c, http.StatusCreated, ticketView(t))
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
	respond(c, http.StatusOK, ticketView(t))
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
	respond(c, http.StatusOK, ticketView(t))
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
	respondList(c, mapSlice(page.Items, commentView), Meta{Limit: limit, HasMore: page.HasMore, NextCursor: page.NextCursor})
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
	respond(c, http.StatusCreated, commentView(cm))
	return nil
}
