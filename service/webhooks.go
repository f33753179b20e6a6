package service

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/cienerp/cienerp/ent"
	"github.com/cienerp/cienerp/ent/event"
	"github.com/cienerp/cienerp/ent/schema"
	"github.com/cienerp/cienerp/ent/webhookattempt"
	"github.com/cienerp/cienerp/ent/webhookdelivery"
	"github.com/cienerp/cienerp/ent/webhookendpoint"
	"github.com/cienerp/cienerp/internal/netguard"
	"github.com/cienerp/cienerp/modules/settings"
	"github.com/cienerp/cienerp/policy"
)

// WebhookRules configure deliveries.
type WebhookRules struct {
	// AllowPrivate lets endpoints name loopback and private addresses
	// (CIEN_WEBHOOK_ALLOW_PRIVATE: local receivers, tests).
	AllowPrivate bool
	// Retries are the waits after each failed attempt; nil means
	// DefaultRetries. One attempt more than waits is made in all.
	Retries []time.Duration
	// DisableAfter disables an endpoint failing that long without a
	// success; zero means 5 days.
	DisableAfter time.Duration
}

// DefaultRetries spread a delivery's 12 attempts over about 3 days.
var DefaultRetries = []time.Duration{
	30 * time.Second, 2 * time.Minute, 10 * time.Minute, time.Hour, 6 * time.Hour,
	12 * time.Hour, 12 * time.Hour, 12 * time.Hour, 12 * time.Hour, 12 * time.Hour, 12 * time.Hour,
}

// SecretOverlap is how long a rotated-out secret keeps signing.
const SecretOverlap = 24 * time.Hour

// MaxReplay bounds the events one replay re-sends.
const MaxReplay = 10000

// WebhookEndpointInput creates an endpoint or, with Opt semantics, edits one.
type WebhookEndpointInput struct {
	URL         Opt[string]   `json:"url"`
	Description Opt[string]   `json:"description"`
	Enabled     Opt[bool]     `json:"enabled"`
	EventTypes  Opt[[]string] `json:"event_types"`
}

func (s *Service) checkEndpoint(ctx context.Context, in WebhookEndpointInput, creating bool, verr *ValidationError) {
	if in.URL.Null || in.Description.Null || in.Enabled.Null || in.EventTypes.Null {
		verr.Add("body", "Fields of a webhook endpoint cannot be null.")
	}
	if creating && strings.TrimSpace(in.URL.V) == "" {
		verr.Add("url", "The url field is required.")
	} else if in.URL.Set {
		checkText(verr, "url", in.URL.V, schema.MaxWebhookURL)
		live := policy.FromContext(ctx).Env == policy.Live
		if err := netguard.CheckURL(ctx, strings.TrimSpace(in.URL.V), live, s.Webhooks.AllowPrivate); err != nil {
			verr.Add("url", "%s", err.Error())
		}
	}
	checkText(verr, "description", in.Description.V, schema.MaxRoleDesc)
	if creating && len(in.EventTypes.V) == 0 {
		verr.Add("event_types", `Name the event types to receive, e.g. ["invoice.*", "ticket.created"] or ["*"]; GET /event-types lists them.`)
	}
	if in.EventTypes.Set && len(in.EventTypes.V) > schema.MaxWebhookEventTypes {
		verr.Add("event_types", "At most %d event types.", schema.MaxWebhookEventTypes)
	}
	checkEventPatterns(verr, "event_types", in.EventTypes.V, true)
}

// newWebhookSecret is whsec_ and 32 random bytes in base64, the Standard
// Webhooks form.
func newWebhookSecret() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return "whsec_" + base64.StdEncoding.EncodeToString(b)
}

// CreateWebhookEndpoint adds an endpoint and returns its secret, shown once.
func (s *Service) CreateWebhookEndpoint(ctx context.Context, in WebhookEndpointInput) (*ent.WebhookEndpoint, string, error) {
	verr := &ValidationError{}
	s.checkEndpoint(ctx, in, true, verr)
	if err := verr.OrNil(); err != nil {
		return nil, "", err
	}
	secret := newWebhookSecret()
	var ep *ent.WebhookEndpoint
	err := s.inTx(ctx, func(tx *ent.Tx) error {
		c := tx.WebhookEndpoint.Create().SetURL(strings.TrimSpace(in.URL.V)).SetDescription(strings.TrimSpace(in.Description.V)).
			SetEventTypes(dedupe(in.EventTypes.V)).SetSecret(s.Secrets.Seal(secret)).SetOwner(policy.FromContext(ctx).Subject)
		if in.Enabled.Set {
			c.SetEnabled(in.Enabled.V)
		}
		var err error
		if ep, err = c.Save(ctx); err != nil {
			return err
		}
		if err := s.countEndpoints(ctx, tx); err != nil {
			return err
		}
		if err := record(ctx, tx, settings.EndpointCreated, "webhook_endpoint", ep.ID.String(), nil, WebhookEndpointObject(ep)); err != nil {
			return err
		}
		return s.emit(ctx, tx, change{Type: settings.EndpointCreated, ObjectID: ep.ID.String(), Object: WebhookEndpointObject(ep)})
	})
	return ep, secret, err
}

// ListWebhookEndpoints pages through the environment's endpoints, newest first.
func (s *Service) ListWebhookEndpoints(ctx context.Context, limit int, cur string) (*Page[*ent.WebhookEndpoint], error) {
	after, err := pageArgs(limit, cur, "webhook_endpoints")
	if err != nil {
		return nil, err
	}
	q := s.Client.WebhookEndpoint.Query().Order(ent.Desc(webhookendpoint.FieldCreatedAt), ent.Desc(webhookendpoint.FieldID)).Limit(limit + 1)
	if after != nil {
		q.Where(afterNewest(*after))
	}
	rows, err := q.All(ctx)
	if err != nil {
		return nil, err
	}
	return pageOf(rows, limit, "webhook_endpoints", func(e *ent.WebhookEndpoint) (time.Time, uuid.UUID) { return e.CreatedAt, e.ID }), nil
}

// GetWebhookEndpoint reads one endpoint.
func (s *Service) GetWebhookEndpoint(ctx context.Context, id uuid.UUID) (*ent.WebhookEndpoint, error) {
	return getEndpoint(ctx, s.Client, id)
}

func getEndpoint(ctx context.Context, c *ent.Client, id uuid.UUID) (*ent.WebhookEndpoint, error) {
	ep, err := c.WebhookEndpoint.Get(ctx, id)
	if ent.IsNotFound(err) {
		return nil, &NotFoundError{Entity: "webhook endpoint"}
	}
	return ep, err
}

// lockEndpoint reads an endpoint for a change.
func (s *Service) lockEndpoint(ctx context.Context, tx *ent.Tx, id uuid.UUID) (*ent.WebhookEndpoint, error) {
	return lockRow(s, ctx, tx.WebhookEndpoint.Query().Where(webhookendpoint.ID(id)), "webhook endpoint", WebhookEndpointObject)
}

// UpdateWebhookEndpoint edits an endpoint. The editor becomes its owner
// (events reach it while the owner may view them); enabling it again
// forgets its failures.
func (s *Service) UpdateWebhookEndpoint(ctx context.Context, id uuid.UUID, in WebhookEndpointInput) (*ent.WebhookEndpoint, error) {
	verr := &ValidationError{}
	s.checkEndpoint(ctx, in, false, verr)
	if err := verr.OrNil(); err != nil {
		return nil, err
	}
	var out *ent.WebhookEndpoint
	err := s.inTx(ctx, func(tx *ent.Tx) error {
		ep, err := s.lockEndpoint(ctx, tx, id)
		if err != nil {
			return err
		}
		u := tx.WebhookEndpoint.UpdateOne(ep).SetOwner(policy.FromContext(ctx).Subject)
		if in.URL.Set {
			u.SetURL(strings.TrimSpace(in.URL.V))
		}
		if in.Description.Set {
			u.SetDescription(strings.TrimSpace(in.Description.V))
		}
		if in.EventTypes.Set {
			u.SetEventTypes(dedupe(in.EventTypes.V))
		}
		if in.Enabled.Set {
			u.SetEnabled(in.Enabled.V)
			if in.Enabled.V && !ep.Enabled {
				u.ClearFailingSince().SetDisabledReason("")
			}
		}
		if out, err = u.Save(ctx); err != nil {
			return err
		}
		if err := s.countEndpoints(ctx, tx); err != nil {
			return err
		}
		if err := record(ctx, tx, settings.EndpointUpdated, "webhook_endpoint", id.String(), WebhookEndpointObject(ep), WebhookEndpointObject(out)); err != nil {
			return err
		}
		return s.emit(ctx, tx, change{Type: settings.EndpointUpdated, ObjectID: id.String(), Object: WebhookEndpointObject(out), Before: WebhookEndpointObject(ep)})
	})
	return out, err
}

// DeleteWebhookEndpoint removes an endpoint with its deliveries; jobs still
// queued for them find nothing to send.
func (s *Service) DeleteWebhookEndpoint(ctx context.Context, id uuid.UUID) error {
	return s.inTx(ctx, func(tx *ent.Tx) error {
		ep, err := s.lockEndpoint(ctx, tx, id)
		if err != nil {
			return err
		}
		ids, err := tx.WebhookDelivery.Query().Where(webhookdelivery.EndpointID(id)).IDs(ctx)
		if err != nil {
			return err
		}
		for start := 0; start < len(ids); start += 500 {
			chunk := ids[start:min(start+500, len(ids))]
			if _, err := tx.WebhookAttempt.Delete().Where(webhookattempt.DeliveryIDIn(chunk...)).Exec(ctx); err != nil {
				return err
			}
		}
		if _, err := tx.WebhookDelivery.Delete().Where(webhookdelivery.EndpointID(id)).Exec(ctx); err != nil {
			return err
		}
		if err := tx.WebhookEndpoint.DeleteOne(ep).Exec(ctx); err != nil {
			return err
		}
		if err := s.countEndpoints(ctx, tx); err != nil {
			return err
		}
		if err := record(ctx, tx, settings.EndpointDeleted, "webhook_endpoint", id.String(), WebhookEndpointObject(ep), nil); err != nil {
			return err
		}
		return s.emit(ctx, tx, change{Type: settings.EndpointDeleted, ObjectID: id.String(), Object: WebhookEndpointObject(ep)})
	})
}

// RotateWebhookSecret gives an endpoint a new secret, returned once; the
// old one keeps signing beside it for SecretOverlap.
func (s *Service) RotateWebhookSecret(ctx context.Context, id uuid.UUID) (*ent.WebhookEndpoint, string, error) {
	secret := newWebhookSecret()
	var out *ent.WebhookEndpoint
	err := s.inTx(ctx, func(tx *ent.Tx) error {
		ep, err := getEndpoint(ctx, tx.Client(), id)
		if err != nil {
			return err
		}
		until := schema.Now().Add(SecretOverlap)
		if out, err = tx.WebhookEndpoint.UpdateOne(ep).SetSecret(s.Secrets.Seal(secret)).SetPreviousSecret(ep.Secret).SetPreviousSecretExpiresAt(until).Save(ctx); err != nil {
			return err
		}
		if err := record(ctx, tx, settings.EndpointSecretRotated, "webhook_endpoint", id.String(), nil, map[string]any{"previous_secret_expires_at": until}); err != nil {
			return err
		}
		return s.emit(ctx, tx, change{Type: settings.EndpointSecretRotated, ObjectID: id.String(), Object: WebhookEndpointObject(out), Before: WebhookEndpointObject(ep)})
	})
	return out, secret, err
}

// TestWebhookEndpoint sends a ping event to the endpoint now (disabled or
// not: testing is how an admin checks a receiver before enabling it).
func (s *Service) TestWebhookEndpoint(ctx context.Context, id uuid.UUID) (*ent.WebhookDelivery, error) {
	var d *ent.WebhookDelivery
	err := s.inTx(ctx, func(tx *ent.Tx) error {
		ep, err := getEndpoint(ctx, tx.Client(), id)
		if err != nil {
			return err
		}
		ev, _, err := s.writeEvent(ctx, tx, change{Type: settings.Ping, ObjectID: ep.ID.String(), Object: WebhookEndpointObject(ep)})
		if err != nil {
			return err
		}
		if d, err = tx.WebhookDelivery.Create().SetEndpointID(ep.ID).SetEventID(ev.ID).SetEventType(ev.Type).Save(ctx); err != nil {
			return err
		}
		s.enqueueOnCommit(tx, []DeliveryJob{{ID: d.ID}})
		return record(ctx, tx, settings.EndpointTested, "webhook_endpoint", ep.ID.String(), nil, map[string]any{"delivery": DeliveryID(d.ID)})
	})
	return d, err
}

// DeliveryFilter selects an endpoint's deliveries, newest first.
type DeliveryFilter struct {
	Statuses  []string
	EventType string
	Limit     int
	Cursor    string
}

// ListDeliveries pages through an endpoint's deliveries.
func (s *Service) ListDeliveries(ctx context.Context, endpointID uuid.UUID, f DeliveryFilter) (*Page[*ent.WebhookDelivery], error) {
	verr := &ValidationError{}
	statuses := enumList("status", f.Statuses, webhookdelivery.StatusValidator, schema.WebhookDeliveryStatuses, verr)
	if err := verr.OrNil(); err != nil {
		return nil, err
	}
	after, err := pageArgs(f.Limit, f.Cursor, "webhook_deliveries")
	if err != nil {
		return nil, err
	}
	if _, err := s.GetWebhookEndpoint(ctx, endpointID); err != nil {
		return nil, err
	}
	q := s.Client.WebhookDelivery.Query().Where(webhookdelivery.EndpointID(endpointID)).
		Order(ent.Desc(webhookdelivery.FieldCreatedAt), ent.Desc(webhookdelivery.FieldID)).Limit(f.Limit + 1)
	if len(statuses) > 0 {
		q.Where(webhookdelivery.StatusIn(statuses...))
	}
	if f.EventType != "" {
		q.Where(webhookdelivery.EventType(f.EventType))
	}
	if after != nil {
		q.Where(afterNewest(*after))
	}
	rows, err := q.All(ctx)
	if err != nil {
		return nil, err
	}
	return pageOf(rows, f.Limit, "webhook_deliveries", func(d *ent.WebhookDelivery) (time.Time, uuid.UUID) { return d.CreatedAt, d.ID }), nil
}

// Delivery is a delivery with its attempts, oldest first.
type Delivery struct {
	*ent.WebhookDelivery
	Attempts []*ent.WebhookAttempt
}

// GetDelivery reads a delivery (msg_… or its UUID) with its attempts.
func (s *Service) GetDelivery(ctx context.Context, id string) (*Delivery, error) {
	d, err := s.getDelivery(ctx, id)
	if err != nil {
		return nil, err
	}
	as, err := s.Client.WebhookAttempt.Query().Where(webhookattempt.DeliveryID(d.ID)).Order(ent.Asc(webhookattempt.FieldID)).All(ctx)
	if err != nil {
		return nil, err
	}
	return &Delivery{WebhookDelivery: d, Attempts: as}, nil
}

func (s *Service) getDelivery(ctx context.Context, id string) (*ent.WebhookDelivery, error) {
	uid, ok := parsePrefixed("msg_", id)
	if !ok {
		return nil, &NotFoundError{Entity: "webhook delivery"}
	}
	d, err := s.Client.WebhookDelivery.Get(ctx, uid)
	if ent.IsNotFound(err) {
		return nil, &NotFoundError{Entity: "webhook delivery"}
	}
	return d, err
}

// RetryDelivery sends a delivery again now, with the same webhook-id; a
// failed one gets a fresh round of attempts.
func (s *Service) RetryDelivery(ctx context.Context, id string) (*Delivery, error) {
	d, err := s.getDelivery(ctx, id)
	if err != nil {
		return nil, err
	}
	err = s.inTx(ctx, func(tx *ent.Tx) error {
		// A new round: the job of the old one (waiting, or finishing an
		// attempt right now) stops, and this round's job starts at once.
		out, err := tx.WebhookDelivery.UpdateOneID(d.ID).SetStatus(webhookdelivery.StatusPending).SetAttempts(0).ClearNextAttemptAt().
			AddRound(1).Save(ctx)
		if err != nil {
			return err
		}
		s.enqueueOnCommit(tx, []DeliveryJob{{ID: out.ID, Round: out.Round}})
		return record(ctx, tx, settings.DeliveryRetried, "webhook_delivery", DeliveryID(d.ID), nil, nil)
	})
	if err != nil {
		return nil, err
	}
	return s.GetDelivery(ctx, id)
}

// ReplayWebhookEvents re-sends to the endpoint every event since then that
// its filter covers and its owner may view, oldest first, as new
// deliveries (new webhook-ids; the event ids in the payloads repeat).
func (s *Service) ReplayWebhookEvents(ctx context.Context, id uuid.UUID, since string) (int, error) {
	verr := &ValidationError{}
	if since == "" {
		verr.Add("since", "The since field is required (RFC 3339, e.g. 2026-12-01T00:00:00Z).")
	}
	t := rfc3339("since", since, verr)
	if err := verr.OrNil(); err != nil {
		return 0, err
	}
	n := 0
	err := s.inTx(ctx, func(tx *ent.Tx) error {
		ep, err := getEndpoint(ctx, tx.Client(), id)
		if err != nil {
			return err
		}
		sys := schema.BypassPermissions(ctx, "a replay sends what the endpoint's owner may view, checked per event type below")
		evs, err := tx.Event.Query().Where(event.CreatedAtGTE(*t), event.TypeNEQ("ping")).Order(ent.Asc(event.FieldSeq)).Limit(MaxReplay + 1).All(sys)
		if err != nil {
			return err
		}
		if len(evs) > MaxReplay {
			return Invalid("since", "More than %d events since then; replay a shorter period at a time.", MaxReplay)
		}
		var creates []*ent.WebhookDeliveryCreate
		for _, ev := range evs {
			if s.receives(sys, tx.Client(), ep, ev) {
				creates = append(creates, tx.WebhookDelivery.Create().SetEndpointID(ep.ID).SetEventID(ev.ID).SetEventType(ev.Type))
			}
		}
		var jobs []DeliveryJob
		for start := 0; start < len(creates); start += 500 {
			ds, err := tx.WebhookDelivery.CreateBulk(creates[start:min(start+500, len(creates))]...).Save(ctx)
			if err != nil {
				return err
			}
			for _, d := range ds {
				jobs = append(jobs, DeliveryJob{ID: d.ID})
			}
		}
		n = len(jobs)
		if n > 0 {
			s.enqueueOnCommit(tx, jobs)
		}
		return record(ctx, tx, settings.EndpointReplayed, "webhook_endpoint", id.String(), nil, map[string]any{"since": t, "deliveries": n})
	})
	return n, err
}

// WebhookEndpointObject never carries the secret.
func WebhookEndpointObject(ep *ent.WebhookEndpoint) map[string]any {
	return map[string]any{"id": ep.ID, "object": "webhook_endpoint", "url": ep.URL, "description": ep.Description, "enabled": ep.Enabled,
		"event_types": ep.EventTypes, "owner": ep.Owner, "failing_since": ep.FailingSince, "disabled_reason": ep.DisabledReason,
		"previous_secret_expires_at": ep.PreviousSecretExpiresAt, "environment": ep.Env, "created_at": ep.CreatedAt, "updated_at": ep.UpdatedAt}
}
