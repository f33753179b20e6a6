package service

import (
	"context"
	"encoding/json"
	"time"

	"github.com/cienerp/cienerp/ent"
	"github.com/cienerp/cienerp/ent/event"
	"github.com/cienerp/cienerp/ent/predicate"
	"github.com/cienerp/cienerp/ent/schema"
	"github.com/cienerp/cienerp/ent/webhookattempt"
	"github.com/cienerp/cienerp/ent/webhookdelivery"
	"github.com/cienerp/cienerp/policy"
)

// EventFilter selects events of the viewer's tenant and environment. The
// privacy layer keeps only the object types the viewer may view.
type EventFilter struct {
	Types    []string // catalog names or wildcards: invoice.*
	ObjectID string
	Since    string // RFC 3339, inclusive
	Order    string // asc (default: the reconciliation order) or desc
	Limit    int
	Cursor   string
}

// ListEvents pages through events by their sequence. Ascending, the next
// cursor is set even on the last page, so a poller resumes where it left
// off and sees each event once: sequence numbers follow commit order.
func (s *Service) ListEvents(ctx context.Context, f EventFilter) (*Page[*ent.Event], error) {
	verr := &ValidationError{}
	checkEventPatterns(verr, "type", f.Types, false)
	since := rfc3339("since", f.Since, verr)
	if f.Order != "" && f.Order != "asc" && f.Order != "desc" {
		verr.Add("order", "Order must be asc or desc.")
	}
	if err := verr.OrNil(); err != nil {
		return nil, err
	}
	sort := "events-" + f.Order
	after, err := pageArgs(f.Limit, f.Cursor, sort)
	if err != nil {
		return nil, err
	}
	q := s.Client.Event.Query().Limit(f.Limit + 1)
	if len(f.Types) > 0 {
		q.Where(event.Or(typePredicates(f.Types)...))
	}
	if f.ObjectID != "" {
		q.Where(event.ObjectID(f.ObjectID))
	}
	if since != nil {
		q.Where(event.CreatedAtGTE(*since))
	}
	desc := f.Order == "desc"
	if desc {
		q.Order(ent.Desc(event.FieldSeq))
	} else {
		q.Order(ent.Asc(event.FieldSeq))
	}
	if after != nil {
		if desc {
			q.Where(event.SeqLT(int64(after.Num)))
		} else {
			q.Where(event.SeqGT(int64(after.Num)))
		}
	}
	rows, err := q.All(ctx)
	if err != nil {
		return nil, err
	}
	page := &Page[*ent.Event]{Items: rows}
	if len(rows) > f.Limit {
		page.Items, page.HasMore = rows[:f.Limit], true
	}
	switch {
	case len(page.Items) > 0 && (page.HasMore || !desc):
		page.NextCursor = encodeCursor(cursor{Sort: sort, Num: int(page.Items[len(page.Items)-1].Seq)})
	case !desc && after != nil:
		page.NextCursor = f.Cursor // caught up: poll again from the same place
	}
	return page, nil
}

// checkEventPatterns names each pattern that covers no catalog event type;
// for an endpoint's filter (subscribing) ping is not one either, since only
// the test route sends it.
func checkEventPatterns(verr *ValidationError, field string, patterns []string, subscribing bool) {
	if !CheckListSize(verr, field, len(patterns), MaxListValues) {
		return
	}
	for _, p := range patterns {
		if !policy.ValidEventPattern(p) || subscribing && p == "ping" {
			verr.Add(field, "Unknown event type %q; GET /event-types lists them (wildcards such as invoice.* work).", p)
		}
	}
}

// typePredicates turns type patterns into predicates: a wildcard matches
// by prefix ("invoice.*" → type LIKE 'invoice.%').
func typePredicates(patterns []string) []predicate.Event {
	var out []predicate.Event
	for _, p := range patterns {
		switch {
		case p == "*":
			out = append(out, event.TypeNEQ(""))
		case len(p) > 1 && p[len(p)-1] == '*':
			out = append(out, event.TypeHasPrefix(p[:len(p)-1]))
		default:
			out = append(out, event.Type(p))
		}
	}
	return out
}

// GetEvent reads one event (evt_…) the viewer may see.
func (s *Service) GetEvent(ctx context.Context, id string) (*ent.Event, error) {
	uid, ok := parsePrefixed("evt_", id)
	if !ok {
		return nil, &NotFoundError{Entity: "event"}
	}
	e, err := s.Client.Event.Get(ctx, uid)
	if ent.IsNotFound(err) {
		return nil, &NotFoundError{Entity: "event"}
	}
	return e, err
}

// PruneEvents deletes events, deliveries and attempts older than before.
func (s *Service) PruneEvents(ctx context.Context, before time.Time) (int, error) {
	sys := schema.Bypass(ctx, "retention removes every tenant's old events")
	if _, err := s.Client.WebhookAttempt.Delete().Where(webhookattempt.CreatedAtLT(before)).Exec(sys); err != nil {
		return 0, err
	}
	if _, err := s.Client.WebhookDelivery.Delete().Where(webhookdelivery.CreatedAtLT(before)).Exec(sys); err != nil {
		return 0, err
	}
	return s.Client.Event.Delete().Where(event.CreatedAtLT(before)).Exec(sys)
}

// CheckSubscriptionTypes refuses the event type patterns a realtime
// subscription cannot use: the rule of an endpoint's filter.
func CheckSubscriptionTypes(field string, patterns []string) error {
	verr := &ValidationError{}
	checkEventPatterns(verr, field, patterns, true)
	return verr.OrNil()
}

// EventJSON is an event as the feed lists it and webhooks deliver it.
type EventJSON struct {
	ID          string          `json:"id"`
	Object      string          `json:"object"`
	Type        string          `json:"type"`
	Sequence    int64           `json:"sequence"`
	CreatedAt   time.Time       `json:"created_at"`
	Environment policy.Env      `json:"environment"`
	RequestID   string          `json:"request_id"`
	Actor       string          `json:"actor"`
	Data        json.RawMessage `json:"data"`
}

func EventObject(e *ent.Event) EventJSON {
	return EventJSON{ID: EventID(e.ID), Object: "event", Type: e.Type, Sequence: e.Seq, CreatedAt: e.CreatedAt, Environment: e.Env,
		RequestID: e.RequestID, Actor: e.Actor, Data: json.RawMessage(e.Data)}
}
