package service

import (
	"context"
	"strings"

	"entgo.io/ent/dialect/sql"
	"github.com/google/uuid"

	"github.com/cienerp/cienerp/ent"
	"github.com/cienerp/cienerp/ent/predicate"
	"github.com/cienerp/cienerp/ent/schema"
	"github.com/cienerp/cienerp/ent/ticket"
)

// MaxPageSize bounds every list.
const MaxPageSize = 100

// TicketSorts are the accepted sort values; a leading "-" means descending.
var TicketSorts = []string{"-created_at", "created_at", "-updated_at", "updated_at", "-number", "number"}

// TicketFilter selects and orders a page of tickets.
type TicketFilter struct {
	Statuses   []string          // of schema.TicketStatuses
	Priorities []string          // of schema.TicketPriorities
	Assignee   string            // a user id, or "none" for unassigned tickets
	Requester  string            // a user id
	Q          string            // TicketSearch
	Sort       string            // one of TicketSorts; default -created_at
	Metadata   map[string]string // metadata[key]=value, all must hold
	Limit      int
	Cursor     string
}

// ListTickets returns one page in one query (limit+1 rows tell has_more).
func (s *Service) ListTickets(ctx context.Context, f TicketFilter) (*Page[*ent.Ticket], error) {
	verr := &ValidationError{}
	if f.Sort == "" {
		f.Sort = "-created_at"
	}
	valid := false
	for _, s := range TicketSorts {
		valid = valid || s == f.Sort
	}
	if !valid {
		verr.Add("sort", "Sort must be one of %s.", strings.Join(TicketSorts, ", "))
	}
	if f.Limit == 0 {
		f.Limit = 20
	}
	if f.Limit < 1 || f.Limit > MaxPageSize {
		verr.Add("limit", "Limit must be between 1 and %d.", MaxPageSize)
	}
	var after *cursor
	if f.Cursor != "" && valid {
		c, ok := decodeCursor(f.Cursor, f.Sort)
		if !ok {
			verr.Add("cursor", "Cursor is invalid or belongs to another sort order; use next_cursor from the previous page.")
		}
		after = &c
	}
	statuses := enumList("status", f.Statuses, ticket.StatusValidator, schema.TicketStatuses, verr)
	priorities := enumList("priority", f.Priorities, ticket.PriorityValidator, schema.TicketPriorities, verr)
	var assignee *uuid.UUID
	if f.Assignee != "" && f.Assignee != "none" {
		if id, err := uuid.Parse(f.Assignee); err != nil {
			verr.Add("assignee", "Assignee must be a user id or \"none\".")
		} else {
			assignee = &id
		}
	}
	requester := idParam("requester", "a user", f.Requester, verr)
	meta := MetadataFilter[predicate.Ticket](f.Metadata, verr)
	if err := verr.OrNil(); err != nil {
		return nil, err
	}

	desc := strings.HasPrefix(f.Sort, "-")
	field := strings.TrimPrefix(f.Sort, "-")
	q := s.Client.Ticket.Query().Where(meta...)
	if len(statuses) > 0 {
		q.Where(ticket.StatusIn(statuses...))
	}
	if len(priorities) > 0 {
		q.Where(ticket.PriorityIn(priorities...))
	}
	if assignee != nil {
		q.Where(ticket.AssigneeID(*assignee))
	}
	if f.Assignee == "none" {
		q.Where(ticket.AssigneeIDIsNil())
	}
	if requester != nil {
		q.Where(ticket.RequesterID(*requester))
	}
	if f.Q != "" {
		q.Where(TicketSearch(f.Q))
	}
	if after != nil {
		q.Where(keyset(field, desc, after))
	}
	order := ent.Asc
	if desc {
		order = ent.Desc
	}
	rows, err := q.Order(order(field), order(ticket.FieldID)).Limit(f.Limit + 1).All(ctx)
	if err != nil {
		return nil, err
	}
	page := &Page[*ent.Ticket]{Items: rows}
	if len(rows) > f.Limit {
		page.Items, page.HasMore = rows[:f.Limit], true
		last := page.Items[f.Limit-1]
		c := cursor{Sort: f.Sort, ID: last.ID}
		switch field {
		case ticket.FieldCreatedAt:
			c.Time = last.CreatedAt
		case ticket.FieldUpdatedAt:
			c.Time = last.UpdatedAt
		case ticket.FieldNumber:
			c.Num = last.Number
		}
		page.NextCursor = encodeCursor(c)
	}
	return page, nil
}

// keyset selects the rows after c in the (field, id) order.
func keyset(field string, desc bool, c *cursor) predicate.Ticket {
	var v any = c.Time
	if field == ticket.FieldNumber {
		v = c.Num
	}
	beyond := sql.GT
	if desc {
		beyond = sql.LT
	}
	return func(s *sql.Selector) {
		col, id := s.C(field), s.C(ticket.FieldID)
		s.Where(sql.Or(beyond(col, v), sql.And(sql.EQ(col, v), beyond(id, c.ID))))
	}
}

// TicketSearch: q in the title or the description, case-insensitive.
func TicketSearch(q string) predicate.Ticket {
	return ticket.Or(ticket.TitleContainsFold(q), ticket.DescriptionContainsFold(q))
}
