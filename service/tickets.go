package service

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/cienerp/cienerp/ent"
	"github.com/cienerp/cienerp/ent/membership"
	"github.com/cienerp/cienerp/ent/schema"
	"github.com/cienerp/cienerp/ent/ticket"
	"github.com/cienerp/cienerp/ent/ticketcomment"
	"github.com/cienerp/cienerp/ent/user"
	"github.com/cienerp/cienerp/modules/itsupport"
	"github.com/cienerp/cienerp/policy"
)

// TicketNumber formats a ticket number for people: IT-000042.
func TicketNumber(n int) string { return fmt.Sprintf("IT-%06d", n) }

// transitions is the status workflow: from -> allowed targets. Closed is
// final; a resolved ticket may be reopened.
var transitions = map[ticket.Status][]ticket.Status{
	ticket.StatusOpen:       {ticket.StatusInProgress, ticket.StatusOnHold, ticket.StatusResolved, ticket.StatusClosed},
	ticket.StatusInProgress: {ticket.StatusOpen, ticket.StatusOnHold, ticket.StatusResolved, ticket.StatusClosed},
	ticket.StatusOnHold:     {ticket.StatusOpen, ticket.StatusInProgress, ticket.StatusResolved, ticket.StatusClosed},
	ticket.StatusResolved:   {ticket.StatusOpen, ticket.StatusInProgress, ticket.StatusClosed},
	ticket.StatusClosed:     {},
}

// Transitions returns the statuses a ticket in status from may move to.
func Transitions(from ticket.Status) []ticket.Status { return transitions[from] }

// CreateTicketInput is the body of "open a ticket".
type CreateTicketInput struct {
	Title       string     `json:"title"`
	Description string     `json:"description"`
	Priority    string     `json:"priority"`
	RequesterID *uuid.UUID `json:"requester_id"`
	// RequesterEmail names the requester by the email of a member, for
	// integrations that know people by email rather than by id.
	RequesterEmail string        `json:"requester_email"`
	AssigneeID     *uuid.UUID    `json:"assignee_id"`
	ExternalID     *string       `json:"external_id"`
	Metadata       MetadataInput `json:"metadata"`
}

// UpdateTicketInput is the body of "update a ticket"; absent fields stay.
type UpdateTicketInput struct {
	Title       Opt[string]    `json:"title"`
	Description Opt[string]    `json:"description"`
	Priority    Opt[string]    `json:"priority"`
	Status      Opt[string]    `json:"status"`
	RequesterID Opt[uuid.UUID] `json:"requester_id"`
	AssigneeID  Opt[uuid.UUID] `json:"assignee_id"`
	ExternalID  Opt[string]    `json:"external_id"` // null removes it
	// Metadata is merged into the ticket's; a null value deletes a key.
	Metadata MetadataInput `json:"metadata"`
}

// CreateCommentInput is the body of "comment on a ticket".
type CreateCommentInput struct {
	Body     string `json:"body"`
	Internal bool   `json:"internal"`
}

func checkTitle(title string, verr *ValidationError) {
	if strings.TrimSpace(title) == "" {
		verr.Add("title", "Title is required.")
	}
	checkText(verr, "title", strings.TrimSpace(title), schema.MaxTitle)
}

func checkDescription(d string, verr *ValidationError) {
	checkText(verr, "description", d, schema.MaxDescription)
}

func checkPriority(p string, verr *ValidationError) {
	if ticket.PriorityValidator(ticket.Priority(p)) != nil {
		verr.Add("priority", "Priority must be one of low, normal, high, urgent.")
	}
}

// checkMember refuses users who are not members of the viewer's tenant.
func checkMember(ctx context.Context, tx *ent.Tx, field string, id uuid.UUID, verr *ValidationError) error {
	ok, err := tx.Membership.Query().Where(membership.UserID(id)).Exist(ctx)
	if err != nil {
		return err
	}
	if !ok {
		verr.Add(field, "The %s must be a member of this tenant.", strings.TrimSuffix(field, "_id"))
	}
	return nil
}

// CreateTicket opens a ticket with the next number of the tenant and
// environment. A user opening a ticket is its requester unless another is
// named; a key must name one.
func (s *Service) CreateTicket(ctx context.Context, in CreateTicketInput) (*ent.Ticket, error) {
	v := policy.FromContext(ctx)
	verr := &ValidationError{}
	checkTitle(in.Title, verr)
	checkDescription(in.Description, verr)
	if in.Priority == "" {
		in.Priority = string(ticket.PriorityNormal)
	}
	checkPriority(in.Priority, verr)
	email := strings.TrimSpace(in.RequesterEmail)
	switch {
	case in.RequesterID != nil && email != "":
		verr.Add("requester_email", "Give requester_id or requester_email, not both.")
	case in.RequesterID == nil && email == "" && v.UserID == uuid.Nil:
		verr.Add("requester_id", "Requester is required when an integration key opens a ticket: give requester_id (GET /admin/members lists the members with their user_id) or requester_email (a member's email).")
	case in.RequesterID == nil && email == "":
		in.RequesterID = &v.UserID
	}
	checkExternalID(in.ExternalID, verr)
	md := mergeMetadata(nil, in.Metadata, verr)
	var t *ent.Ticket
	err := s.inTx(ctx, func(tx *ent.Tx) error {
		if in.RequesterID == nil && email != "" {
			m, err := tx.Membership.Query().Where(membership.HasUserWith(user.EmailEqualFold(email))).Only(ctx) // memberships are filtered to the viewer's tenant
			switch {
			case ent.IsNotFound(err):
				verr.Add("requester_email", "No member of this tenant has the email %s; GET /admin/members lists them.", email)
			case err != nil:
				return err
			default:
				in.RequesterID = &m.UserID
			}
		}
		if in.RequesterID != nil {
			if err := checkMember(ctx, tx, "requester_id", *in.RequesterID, verr); err != nil {
				return err
			}
		}
		if in.AssigneeID != nil {
			if err := checkMember(ctx, tx, "assignee_id", *in.AssigneeID, verr); err != nil {
				return err
			}
		}
		if err := ticketExternalID(ctx, tx, in.ExternalID, uuid.Nil); err != nil {
			return err
		}
		if err := verr.OrNil(); err != nil {
			return err
		}
		n, err := s.next(ctx, tx, "ticket")
		if err != nil {
			return err
		}
		t, err = tx.Ticket.Create().
			SetNumber(int(n)).SetTitle(strings.TrimSpace(in.Title)).SetDescription(in.Description).
			SetPriority(ticket.Priority(in.Priority)).SetRequesterID(*in.RequesterID).
			SetNillableAssigneeID(in.AssigneeID).SetCreatedBy(v.Subject).
			SetNillableExternalID(in.ExternalID).SetMetadata(md).
			Save(ctx)
		if err != nil {
			return err
		}
		if err := record(ctx, tx, itsupport.TicketCreated, "ticket", t.ID.String(), nil, t); err != nil {
			return err
		}
		return s.emit(ctx, tx, change{Type: itsupport.TicketCreated, ObjectID: t.ID.String(), Object: TicketObject(t)})
	})
	return t, err
}

// ticketExternalID refuses an external id another ticket holds.
func ticketExternalID(ctx context.Context, tx *ent.Tx, id *string, self uuid.UUID) error {
	if id == nil {
		return nil
	}
	taken, err := tx.Ticket.Query().Where(ticket.ExternalID(*id), ticket.IDNEQ(self)).Exist(ctx)
	return takenExternalID("ticket", *id, taken, err)
}

// GetTicket reads one ticket of the viewer's tenant and environment.
func (s *Service) GetTicket(ctx context.Context, id uuid.UUID) (*ent.Ticket, error) {
	return getTicket(ctx, s.Client, id)
}

// lockTicket reads a ticket for a change.
func (s *Service) lockTicket(ctx context.Context, tx *ent.Tx, id uuid.UUID) (*ent.Ticket, error) {
	return lockRow(s, ctx, tx.Ticket.Query().Where(ticket.ID(id)), "ticket", TicketObject)
}

func getTicket(ctx context.Context, c *ent.Client, id uuid.UUID) (*ent.Ticket, error) {
	t, err := c.Ticket.Get(ctx, id)
	if ent.IsNotFound(err) {
		return nil, &NotFoundError{Entity: "ticket"}
	}
	return t, err
}

// UpdateTicket applies a partial update; status moves along the workflow.
func (s *Service) UpdateTicket(ctx context.Context, id uuid.UUID, in UpdateTicketInput) (*ent.Ticket, error) {
	verr := &ValidationError{}
	nonNull := func(field string, set, null bool) {
		if set && null {
			verr.Add(field, "The %s field cannot be null.", field)
		}
	}
	nonNull("title", in.Title.Set, in.Title.Null)
	nonNull("description", in.Description.Set, in.Description.Null)
	nonNull("priority", in.Priority.Set, in.Priority.Null)
	nonNull("status", in.Status.Set, in.Status.Null)
	nonNull("requester_id", in.RequesterID.Set, in.RequesterID.Null)
	if in.Title.Set && !in.Title.Null {
		checkTitle(in.Title.V, verr)
	}
	if in.Description.Set {
		checkDescription(in.Description.V, verr)
	}
	if in.Priority.Set && !in.Priority.Null {
		checkPriority(in.Priority.V, verr)
	}
	if in.Status.Set && !in.Status.Null && ticket.StatusValidator(ticket.Status(in.Status.V)) != nil {
		verr.Add("status", "Status must be one of open, in_progress, on_hold, resolved, closed.")
	}
	checkExternalID(in.ExternalID.Ptr(), verr)
	if err := verr.OrNil(); err != nil {
		return nil, err
	}
	var out *ent.Ticket
	err := s.inTx(ctx, func(tx *ent.Tx) error {
		t, err := s.lockTicket(ctx, tx, id)
		if err != nil {
			return err
		}
		u := tx.Ticket.UpdateOne(t)
		if in.Title.Set {
			u.SetTitle(strings.TrimSpace(in.Title.V))
		}
		if in.Description.Set {
			u.SetDescription(in.Description.V)
		}
		if in.Priority.Set {
			u.SetPriority(ticket.Priority(in.Priority.V))
		}
		if in.RequesterID.Set {
			if err := checkMember(ctx, tx, "requester_id", in.RequesterID.V, verr); err != nil {
				return err
			}
			u.SetRequesterID(in.RequesterID.V)
		}
		switch {
		case in.AssigneeID.Null:
			u.ClearAssigneeID()
		case in.AssigneeID.Set:
			if err := checkMember(ctx, tx, "assignee_id", in.AssigneeID.V, verr); err != nil {
				return err
			}
			u.SetAssigneeID(in.AssigneeID.V)
		}
		if in.Status.Set {
			moveStatus(t, ticket.Status(in.Status.V), u, verr)
		}
		setExternalID(u.Mutation(), in.ExternalID)
		if err := ticketExternalID(ctx, tx, in.ExternalID.Ptr(), t.ID); err != nil {
			return err
		}
		setMetadata(u.Mutation(), t.Metadata, in.Metadata, verr)
		if err := verr.OrNil(); err != nil {
			return err
		}
		if out, err = u.Save(ctx); err != nil {
			return err
		}
		if err := record(ctx, tx, itsupport.TicketUpdated, "ticket", t.ID.String(), t, out); err != nil {
			return err
		}
		return s.emit(ctx, tx, change{Type: itsupport.TicketUpdated, ObjectID: t.ID.String(), Object: TicketObject(out), Before: TicketObject(t)})
	})
	return out, err
}

func moveStatus(t *ent.Ticket, to ticket.Status, u *ent.TicketUpdateOne, verr *ValidationError) {
	if to == t.Status {
		return
	}
	if !slices.Contains(transitions[t.Status], to) {
		allowed := make([]string, 0, 4)
		for _, s := range transitions[t.Status] {
			allowed = append(allowed, string(s))
		}
		if len(allowed) == 0 {
			verr.Add("status", "A %s ticket cannot change status.", t.Status)
		} else {
			verr.Add("status", "A %s ticket cannot move to %s; allowed: %s.", t.Status, to, strings.Join(allowed, ", "))
		}
		return
	}
	now := schema.Now()
	u.SetStatus(to)
	switch to {
	case ticket.StatusResolved:
		u.SetResolvedAt(now)
	case ticket.StatusClosed:
		u.SetClosedAt(now)
	default:
		u.ClearResolvedAt()
	}
}

// DeleteTicket removes a ticket and its comments.
func (s *Service) DeleteTicket(ctx context.Context, id uuid.UUID) error {
	return s.inTx(ctx, func(tx *ent.Tx) error {
		t, err := s.lockTicket(ctx, tx, id)
		if err != nil {
			return err
		}
		if _, err := tx.TicketComment.Delete().Where(ticketcomment.TicketID(id)).Exec(ctx); err != nil {
			return err
		}
		if err := tx.Ticket.DeleteOne(t).Exec(ctx); err != nil {
			return err
		}
		if err := record(ctx, tx, itsupport.TicketDeleted, "ticket", t.ID.String(), t, nil); err != nil {
			return err
		}
		return s.emit(ctx, tx, change{Type: itsupport.TicketDeleted, ObjectID: t.ID.String(), Object: TicketObject(t)})
	})
}

// ListComments pages through a ticket's comments, oldest first.
func (s *Service) ListComments(ctx context.Context, ticketID uuid.UUID, limit int, cur string) (*Page[*ent.TicketComment], error) {
	after, err := pageArgs(limit, cur, "comments")
	if err != nil {
		return nil, err
	}
	if _, err := s.GetTicket(ctx, ticketID); err != nil {
		return nil, err
	}
	q := s.Client.TicketComment.Query().Where(ticketcomment.TicketID(ticketID))
	if after != nil {
		q.Where(afterOldest(*after))
	}
	rows, err := q.Order(ent.Asc(ticketcomment.FieldCreatedAt), ent.Asc(ticketcomment.FieldID)).Limit(limit + 1).All(ctx)
	if err != nil {
		return nil, err
	}
	return pageOf(rows, limit, "comments", func(c *ent.TicketComment) (time.Time, uuid.UUID) { return c.CreatedAt, c.ID }), nil
}

// AddComment comments on a ticket.
func (s *Service) AddComment(ctx context.Context, ticketID uuid.UUID, in CreateCommentInput) (*ent.TicketComment, error) {
	body := strings.TrimSpace(in.Body)
	verr := &ValidationError{}
	if body == "" {
		verr.Add("body", "Body is required.")
	}
	checkText(verr, "body", body, schema.MaxDescription)
	if err := verr.OrNil(); err != nil {
		return nil, err
	}
	var c *ent.TicketComment
	err := s.inTx(ctx, func(tx *ent.Tx) error {
		if _, err := getTicket(ctx, tx.Client(), ticketID); err != nil {
			return err
		}
		var err error
		c, err = tx.TicketComment.Create().SetTicketID(ticketID).SetBody(body).SetInternal(in.Internal).
			SetAuthor(policy.FromContext(ctx).Subject).Save(ctx)
		if err != nil {
			return err
		}
		if err := record(ctx, tx, itsupport.TicketCommentCreated, "ticket_comment", c.ID.String(), nil, c); err != nil {
			return err
		}
		return s.emit(ctx, tx, change{Type: itsupport.TicketCommentCreated, ObjectID: c.ID.String(), Object: CommentObject(c)})
	})
	return c, err
}

type TicketJSON struct {
	ID          uuid.UUID         `json:"id"`
	Object      string            `json:"object"`
	Number      string            `json:"number"`
	Title       string            `json:"title"`
	Description string            `json:"description"`
	Status      string            `json:"status"`
	Priority    string            `json:"priority"`
	RequesterID uuid.UUID         `json:"requester_id"`
	AssigneeID  *uuid.UUID        `json:"assignee_id"`
	CreatedBy   string            `json:"created_by"`
	Environment policy.Env        `json:"environment"`
	CreatedAt   time.Time         `json:"created_at"`
	UpdatedAt   time.Time         `json:"updated_at"`
	ResolvedAt  *time.Time        `json:"resolved_at"`
	ClosedAt    *time.Time        `json:"closed_at"`
	ExternalID  *string           `json:"external_id"`
	Metadata    map[string]string `json:"metadata"`
}

func TicketObject(t *ent.Ticket) TicketJSON {
	return TicketJSON{
		ID: t.ID, Object: "ticket", Number: TicketNumber(t.Number), Title: t.Title,
		Description: t.Description, Status: string(t.Status), Priority: string(t.Priority),
		RequesterID: t.RequesterID, AssigneeID: t.AssigneeID, CreatedBy: t.CreatedBy, Environment: t.Env,
		CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt, ResolvedAt: t.ResolvedAt, ClosedAt: t.ClosedAt,
		ExternalID: t.ExternalID, Metadata: MetadataView(t.Metadata),
	}
}

type CommentJSON struct {
	ID        uuid.UUID `json:"id"`
	Object    string    `json:"object"`
	TicketID  uuid.UUID `json:"ticket_id"`
	Body      string    `json:"body"`
	Internal  bool      `json:"internal"`
	Author    string    `json:"author"`
	CreatedAt time.Time `json:"created_at"`
}

func CommentObject(c *ent.TicketComment) CommentJSON {
	return CommentJSON{ID: c.ID, Object: "ticket_comment", TicketID: c.TicketID, Body: c.Body, Internal: c.Internal, Author: c.Author, CreatedAt: c.CreatedAt}
}

// RelatedComments are the comments of each ticket, oldest first.
func (s *Service) RelatedComments(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]any, error) {
	rows, err := s.Client.TicketComment.Query().Where(ticketcomment.TicketIDIn(ids...)).Order(ent.Asc(ticketcomment.FieldCreatedAt), ent.Asc(ticketcomment.FieldID)).All(ctx)
	return listViews(groupBy(ids, rows, func(c *ent.TicketComment) uuid.UUID { return c.TicketID }), err, CommentObject)
}

// TicketByExternalID finds the ticket another system knows as id.
func (s *Service) TicketByExternalID(ctx context.Context, id string) (uuid.UUID, bool, error) {
	return found(s.Client.Ticket.Query().Where(ticket.ExternalID(id)).
		OnlyID(schema.BypassPermissions(ctx, "an upsert finds its ticket by external id; the write checks its own permission")))
}
