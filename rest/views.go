package rest

import (
	"time"

	"github.com/google/uuid"

	"github.com/cienerp/cienerp/ent"
	"github.com/cienerp/cienerp/policy"
	"github.com/cienerp/cienerp/service"
)

// The JSON shapes of our objects. Each carries "object" (Stripe style) so
// that a client can tell what it holds.

type ticketJSON struct {
	ID          uuid.UUID  `json:"id"`
	Object      string     `json:"object"`
	Number      string     `json:"number"`
	Title       string     `json:"title"`
	Description string     `json:"description"`
	Status      string     `json:"status"`
	Priority    string     `json:"priority"`
	RequesterID uuid.UUID  `json:"requester_id"`
	AssigneeID  *uuid.UUID `json:"assignee_id"`
	CreatedBy   string     `json:"created_by"`
	Environment policy.Env `json:"environment"`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
	ResolvedAt  *time.Time `json:"resolved_at"`
	ClosedAt    *time.Time `json:"closed_at"`
}

func ticketView(t *ent.Ticket) ticketJSON {
	return ticketJSON{
		ID: t.ID, Object: "ticket", Number: service.TicketNumber(t.Number), Title: t.Title,
		Description: t.Description, Status: string(t.Status), Priority: string(t.Priority),
		RequesterID: t.RequesterID, AssigneeID: t.AssigneeID, CreatedBy: t.CreatedBy, Environment: t.Env,
		CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt, ResolvedAt: t.ResolvedAt, ClosedAt: t.ClosedAt,
	}
}

type commentJSON struct {
	ID        uuid.UUID `json:"id"`
	Object    string    `json:"object"`
	TicketID  uuid.UUID `json:"ticket_id"`
	Body      string    `json:"body"`
	Internal  bool      `json:"internal"`
	Author    string    `json:"author"`
	CreatedAt time.Time `json:"created_at"`
}

func commentView(c *ent.TicketComment) commentJSON {
	return commentJSON{ID: c.ID, Object: "ticket_comment", TicketID: c.TicketID, Body: c.Body, Internal: c.Internal, Author: c.Author, CreatedAt: c.CreatedAt}
}

type keyJSON struct {
	ID          uuid.UUID  `json:"id"`
	Object      string     `json:"object"`
	Name        string     `json:"name"`
	Prefix      string     `json:"prefix"`
	Secret      string     `json:"secret,omitempty"`
	Environment policy.Env `json:"environment"`
	Roles       []string   `json:"roles"`
	Status      string     `json:"status"`
	CreatedBy   *uuid.UUID `json:"created_by"`
	CreatedAt   time.Time  `json:"created_at"`
	ExpiresAt   *time.Time `json:"expires_at"`
	RevokedAt   *time.Time `json:"revoked_at"`
	RolledAt    *time.Time `json:"rolled_at"`
	RolledFrom  *uuid.UUID `json:"rolled_from"`
	LastUsedAt  *time.Time `json:"last_used_at"`
}

func keyView(k *service.Key) keyJSON {
	roles := k.Roles
	if roles == nil {
		roles = []string{}
	}
	return keyJSON{
		ID: k.ID, Object: "integration_key", Name: k.Name, Prefix: k.Prefix, Secret: k.Secret,
		Environment: k.Env, Roles: roles, Status: k.Status(time.Now()), CreatedBy: k.CreatedBy, CreatedAt: k.CreatedAt,
		ExpiresAt: k.ExpiresAt, RevokedAt: k.RevokedAt, RolledAt: k.RolledAt, RolledFrom: k.RolledFrom, LastUsedAt: k.LastUsedAt,
	}
}

func mapSlice[T, U any](in []T, f func(T) U) []U {
	out := make([]U, len(in))
	for i, v := range in {
		out[i] = f(v)
	}
	return out
}
