package service

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/cienerp/cienerp/ent"
	"github.com/cienerp/cienerp/ent/auditevent"
	"github.com/cienerp/cienerp/ent/predicate"
	"github.com/cienerp/cienerp/ent/schema"
	"github.com/cienerp/cienerp/policy"
)

// AuditFilter selects audit events, newest first.
type AuditFilter struct {
	Actor      string // user:<id>, key:<id> or cli
	Credential string // e.g. api_key:key:<id>
	Action     string // e.g. ticket.update
	EntityType string
	EntityID   string
	RequestID  string
	Env        string // live or sandbox; empty: both environments
	Since      string // RFC 3339, inclusive
	Until      string // RFC 3339, exclusive
	Limit      int
	Cursor     string
}

// AuditJSON is an audit entry's public shape.
type AuditJSON struct {
	ID          uuid.UUID      `json:"id"`
	Object      string         `json:"object"`
	Environment policy.Env     `json:"environment"`
	Actor       string         `json:"actor"`
	Credential  string         `json:"credential"`
	RequestID   string         `json:"request_id"`
	Action      string         `json:"action"`
	EntityType  string         `json:"entity_type"`
	EntityID    string         `json:"entity_id"`
	Before      map[string]any `json:"before"`
	After       map[string]any `json:"after"`
	CreatedAt   time.Time      `json:"created_at"`
}

// AuditObject is e's public shape.
func AuditObject(e *ent.AuditEvent) AuditJSON {
	return AuditJSON{ID: e.ID, Object: "audit_event", Environment: e.Env, Actor: e.Actor, Credential: e.Credential, RequestID: e.RequestID,
		Action: e.Action, EntityType: e.EntityType, EntityID: e.EntityID, Before: e.Before, After: e.After, CreatedAt: e.CreatedAt}
}

// ListAuditEvents pages through the tenant's audit trail.
func (s *Service) ListAuditEvents(ctx context.Context, f AuditFilter) (*Page[*ent.AuditEvent], error) {
	verr := &ValidationError{}
	env := policy.Env(f.Env)
	if env != "" && !env.Valid() {
		verr.Add("environment", "Environment must be live or sandbox.")
	}
	since, until := rfc3339("since", f.Since, verr), rfc3339("until", f.Until, verr)
	if err := verr.OrNil(); err != nil {
		return nil, err
	}
	if since != nil && until != nil && until.Before(*since) {
		return nil, Invalid("until", "Until must not be before since.")
	}
	after, err := pageArgs(f.Limit, f.Cursor, "audit")
	if err != nil {
		return nil, err
	}
	q := s.Client.AuditEvent.Query()
	for _, p := range []struct {
		v    string
		pred func(string) predicate.AuditEvent
	}{
		{f.Actor, auditevent.Actor}, {f.Credential, auditevent.Credential}, {f.Action, auditevent.Action},
		{f.EntityType, auditevent.EntityType}, {f.EntityID, auditevent.EntityID}, {f.RequestID, auditevent.RequestID},
	} {
		if p.v != "" {
			q.Where(p.pred(p.v))
		}
	}
	if env != "" {
		q.Where(auditevent.EnvEQ(env))
	}
	if since != nil {
		q.Where(auditevent.CreatedAtGTE(*since))
	}
	if until != nil {
		q.Where(auditevent.CreatedAtLT(*until))
	}
	if after != nil {
		q.Where(afterNewest(*after))
	}
	rows, err := q.Order(ent.Desc(auditevent.FieldCreatedAt), ent.Desc(auditevent.FieldID)).Limit(f.Limit + 1).All(ctx)
	if err != nil {
		return nil, err
	}
	return pageOf(rows, f.Limit, "audit", func(e *ent.AuditEvent) (time.Time, uuid.UUID) { return e.CreatedAt, e.ID }), nil
}

// PruneAudit deletes the events of every tenant older than before (the
// retention period) and says how many went.
func (s *Service) PruneAudit(ctx context.Context, before time.Time) (int, error) {
	return s.Client.AuditEvent.Delete().Where(auditevent.CreatedAtLT(before)).Exec(schema.Bypass(ctx, "retention prunes the trail of every tenant"))
}
