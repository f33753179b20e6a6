package service

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/cienerp/cienerp/auth"
	"github.com/cienerp/cienerp/ent"
	"github.com/cienerp/cienerp/ent/membership"
	"github.com/cienerp/cienerp/ent/schema"
	"github.com/cienerp/cienerp/ent/webhookdelivery"
	"github.com/cienerp/cienerp/internal/jsonwire"
	"github.com/cienerp/cienerp/modules/settings"
	"github.com/cienerp/cienerp/policy"
)

// The delivery state machine, worked by the webhook jobs: PrepareDelivery
// says what to send, FinishAttempt records what happened and when to try
// again. Both act as the platform (no viewer of a request).

// WebhookMessage is one HTTP attempt to make.
type WebhookMessage struct {
	DeliveryID uuid.UUID
	WebhookID  string // msg_…, the same on every attempt
	URL        string
	Secrets    []string // whsec_…: the current one, and the previous one during its overlap
	Body       []byte   // the event as GET /events/{id} returns it

	delivery *ent.WebhookDelivery // as read when prepared, for FinishAttempt
	endpoint *ent.WebhookEndpoint
}

// AttemptResult is what one attempt found.
type AttemptResult struct {
	StatusCode int // 0 when no response came
	Latency    time.Duration
	Body       string        // the first 2 KB of the response
	Err        string        // transport error, if any
	RetryAfter time.Duration // from a 429 or 503, if it said
}

// Delivered reports whether the receiver took the event (a 2xx).
func (r AttemptResult) Delivered() bool { return r.StatusCode >= 200 && r.StatusCode < 300 }

func (s *Service) retries() []time.Duration {
	if s.Webhooks.Retries != nil {
		return s.Webhooks.Retries
	}
	return DefaultRetries
}

func (s *Service) disableAfter() time.Duration {
	if s.Webhooks.DisableAfter > 0 {
		return s.Webhooks.DisableAfter
	}
	return 5 * 24 * time.Hour
}

// platform is the context of the delivery machinery: past the privacy
// layer, since a job belongs to no request; every row it touches is found
// by the delivery's id.
func platform(ctx context.Context) context.Context {
	return schema.Bypass(ctx, "webhook jobs act for the platform on the delivery they were given")
}

// PrepareDelivery returns the message of a due delivery, or nil when
// nothing is to be sent: delivered already, deleted, retried by hand since
// (a job of an earlier round), or undeliverable (the endpoint was disabled
// or its owner may no longer view the event: marked failed with the reason).
func (s *Service) PrepareDelivery(ctx context.Context, job DeliveryJob) (*WebhookMessage, error) {
	sys := platform(ctx)
	d, err := s.Client.WebhookDelivery.Get(sys, job.ID)
	if ent.IsNotFound(err) || err == nil && (d.Round != job.Round || d.Status == webhookdelivery.StatusDelivered || d.Status == webhookdelivery.StatusFailed) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	ep, err := s.Client.WebhookEndpoint.Get(sys, d.EndpointID)
	if ent.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	ev, err := s.Client.Event.Get(sys, d.EventID)
	if ent.IsNotFound(err) {
		return nil, s.Client.WebhookDelivery.UpdateOne(d).SetStatus(webhookdelivery.StatusFailed).
			SetLastError("The event is past retention.").ClearNextAttemptAt().Exec(sys)
	}
	if err != nil {
		return nil, err
	}
	var why string
	switch {
	case !ep.Enabled && ev.Type != "ping":
		why = "The endpoint is disabled."
	case ev.Type != "ping":
		if err := s.ownerCan(sys, s.Client, ep, ev.ObjectType); err != nil {
			why = err.Error()
		}
	}
	var owner *policy.Viewer
	if why == "" {
		var sees bool
		if sees, owner, err = s.ownerSees(sys, s.Client, ep, ev); err != nil {
			return nil, err
		} else if !sees {
			why = fmt.Sprintf("The condition on the endpoint's owner's %s does not admit this %s.", policy.ObjectPermission(ev.ObjectType), ev.ObjectType)
		}
	}
	if why != "" {
		return nil, s.Client.WebhookDelivery.UpdateOne(d).SetStatus(webhookdelivery.StatusFailed).SetLastError(why).ClearNextAttemptAt().Exec(sys)
	}
	body, err := jsonwire.Marshal(EventObject(ev))
	if err != nil {
		return nil, err
	}
	if body, err = Redact(owner, body); err != nil { // as the owner may see it
		return nil, err
	}
	stored := []string{ep.Secret}
	if ep.PreviousSecret != nil && ep.PreviousSecretExpiresAt != nil && time.Now().Before(*ep.PreviousSecretExpiresAt) {
		stored = append(stored, *ep.PreviousSecret)
	}
	secrets := make([]string, len(stored))
	for i, st := range stored {
		if secrets[i], err = s.Secrets.Open(st); err != nil {
			return nil, err
		}
	}
	return &WebhookMessage{DeliveryID: d.ID, WebhookID: DeliveryID(d.ID), URL: ep.URL, Secrets: secrets, Body: body, delivery: d, endpoint: ep}, nil
}

// FinishAttempt records an attempt and moves the delivery on: delivered,
// retrying after the next wait of the schedule (or the receiver's
// Retry-After), or failed once the schedule is spent. An endpoint failing
// continuously for DisableAfter is disabled, with its audit event and a
// webhook_endpoint.disabled event. retryIn is zero when no retry follows.
func (s *Service) FinishAttempt(ctx context.Context, m *WebhookMessage, r AttemptResult) (retryIn time.Duration, err error) {
	d, ep := m.delivery, m.endpoint
	ctx = systemContext(ctx, d.TenantID, d.Env)
	err = s.inTx(ctx, func(tx *ent.Tx) error {
		now := schema.Now()
		if err := tx.WebhookAttempt.Create().SetDeliveryID(d.ID).SetStatusCode(r.StatusCode).
			SetLatencyMs(int(r.Latency.Milliseconds())).SetResponseBody(truncateUTF8(r.Body, 2048)).SetError(truncateUTF8(r.Err, 1000)).
			Exec(ctx); err != nil {
			return err
		}
		n := d.Attempts + 1
		// Only while the round is the one prepared: a retry by hand since
		// owns the delivery now, and this attempt is only recorded.
		u := tx.WebhookDelivery.Update().Where(webhookdelivery.ID(d.ID), webhookdelivery.Round(d.Round)).SetAttempts(n)
		if r.Delivered() {
			if changed, err := u.SetStatus(webhookdelivery.StatusDelivered).SetDeliveredAt(now).ClearNextAttemptAt().SetLastError("").Save(ctx); err != nil || changed == 0 {
				return err
			}
			if ep.FailingSince != nil {
				return tx.WebhookEndpoint.UpdateOne(ep).ClearFailingSince().Exec(ctx)
			}
			return nil
		}
		u.SetLastError(attemptError(r))
		if waits := s.retries(); n <= len(waits) {
			retryIn = jitter(waits[n-1])
			if r.RetryAfter > retryIn {
				retryIn = min(r.RetryAfter, 12*time.Hour)
			}
			u.SetStatus(webhookdelivery.StatusRetrying).SetNextAttemptAt(now.Add(retryIn))
		} else {
			u.SetStatus(webhookdelivery.StatusFailed).ClearNextAttemptAt()
		}
		if changed, err := u.Save(ctx); err != nil || changed == 0 {
			retryIn = 0
			return err
		}
		switch {
		case d.EventType == "ping":
			return nil // a test says nothing about the endpoint's health
		case ep.FailingSince == nil:
			return tx.WebhookEndpoint.UpdateOne(ep).SetFailingSince(now).Exec(ctx)
		case ep.Enabled && now.Sub(*ep.FailingSince) >= s.disableAfter():
			return s.disableEndpoint(ctx, tx, ep, now)
		}
		return nil
	})
	if ent.IsNotFound(err) { // the delivery or its endpoint was deleted meanwhile
		return 0, nil
	}
	return retryIn, err
}

// disableEndpoint turns off an endpoint that kept failing.
func (s *Service) disableEndpoint(ctx context.Context, tx *ent.Tx, ep *ent.WebhookEndpoint, now time.Time) error {
	reason := fmt.Sprintf("Disabled on %s after failing continuously since %s; fix the receiver, then enable the endpoint again.",
		now.Format(time.RFC3339), ep.FailingSince.UTC().Format(time.RFC3339))
	out, err := tx.WebhookEndpoint.UpdateOne(ep).SetEnabled(false).SetDisabledReason(reason).Save(ctx)
	if err != nil {
		return err
	}
	if err := s.countEndpoints(ctx, tx); err != nil {
		return err
	}
	if err := record(ctx, tx, settings.EndpointDisabled, "webhook_endpoint", ep.ID.String(), WebhookEndpointObject(ep), WebhookEndpointObject(out)); err != nil {
		return err
	}
	return s.emit(ctx, tx, change{Type: settings.EndpointDisabled, ObjectID: ep.ID.String(), Object: WebhookEndpointObject(out), Before: WebhookEndpointObject(ep)})
}

func attemptError(r AttemptResult) string {
	if r.Err != "" {
		return r.Err
	}
	return fmt.Sprintf("The receiver answered %d.", r.StatusCode)
}

// jitter spreads retries of many deliveries by ±10 %.
func jitter(d time.Duration) time.Duration {
	return d + time.Duration((rand.Float64()*0.2-0.1)*float64(d))
}

func truncateUTF8(s string, n int) string {
	if len(s) > n {
		s = s[:n]
	}
	return strings.ToValidUTF8(s, "")
}

// subjectActive checks that a subject still acts in the tenant: a key that
// is neither revoked nor expired, a user who is still a member. Keys are
// read through dir when given.
func subjectActive(ctx context.Context, c *ent.Client, dir *auth.Directory, tenantID uuid.UUID, subject string) error {
	sys := schema.Bypass(ctx, "an endpoint's owner is checked whatever the caller may read")
	kind, raw, _ := strings.Cut(subject, ":")
	id, err := uuid.Parse(raw)
	if err != nil {
		return fmt.Errorf("the endpoint's owner %s is not a user or key", subject)
	}
	switch kind {
	case "key":
		var k auth.Key
		found := false
		if dir != nil {
			if k, found, err = dir.KeyByID(ctx, id); err != nil {
				return err
			}
		} else if row, err := c.IntegrationKey.Get(sys, id); err == nil {
			k, found = auth.Key{ID: row.ID, TenantID: row.TenantID, ExpiresAt: row.ExpiresAt, RevokedAt: row.RevokedAt}, true
		} else if !ent.IsNotFound(err) {
			return err
		}
		if !found || k.TenantID != tenantID {
			return fmt.Errorf("the endpoint's owner %s is gone; editing the endpoint makes the editor its owner", subject)
		}
		if k.RevokedAt != nil || k.ExpiresAt != nil && time.Now().After(*k.ExpiresAt) {
			return fmt.Errorf("the endpoint's owner %s is revoked or expired; editing the endpoint makes the editor its owner", subject)
		}
		return nil
	case "user":
		ok, err := c.Membership.Query().Where(membership.UserID(id), membership.TenantID(tenantID)).Exist(sys)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("the endpoint's owner %s is no longer a member; editing the endpoint makes the editor its owner", subject)
		}
		return nil
	}
	return fmt.Errorf("the endpoint's owner %s is not a user or key", subject)
}

func DeliveryObject(d *ent.WebhookDelivery) map[string]any {
	return map[string]any{"id": DeliveryID(d.ID), "object": "webhook_delivery", "endpoint_id": d.EndpointID, "event_id": EventID(d.EventID),
		"event_type": d.EventType, "status": d.Status, "attempts": d.Attempts, "next_attempt_at": d.NextAttemptAt,
		"delivered_at": d.DeliveredAt, "last_error": d.LastError, "environment": d.Env, "created_at": d.CreatedAt, "updated_at": d.UpdatedAt}
}

// DeliveryWithAttempts is a delivery with its attempts, oldest first.
func DeliveryWithAttempts(d *Delivery) map[string]any {
	out := DeliveryObject(d.WebhookDelivery)
	as := make([]map[string]any, len(d.Attempts))
	for i, a := range d.Attempts {
		as[i] = map[string]any{"created_at": a.CreatedAt, "status_code": a.StatusCode, "latency_ms": a.LatencyMs,
			"response_body": a.ResponseBody, "error": a.Error}
	}
	out["attempt_log"] = as
	return out
}
