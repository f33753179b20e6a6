package service

import (
	"context"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"

	"github.com/google/uuid"

	"github.com/cienerp/cienerp/auth"
	"github.com/cienerp/cienerp/database"
	"github.com/cienerp/cienerp/ent"
	"github.com/cienerp/cienerp/ent/schema"
	"github.com/cienerp/cienerp/ent/webhookendpoint"
	"github.com/cienerp/cienerp/internal/jsonwire"
	"github.com/cienerp/cienerp/module"
	"github.com/cienerp/cienerp/modules/settings"
	"github.com/cienerp/cienerp/policy"
)

// Deliveries enqueues the jobs that deliver webhook deliveries, in the
// transaction tx that created them (River, wired by app).
type Deliveries interface {
	Enqueue(ctx context.Context, tx *sql.Tx, jobs []DeliveryJob) error
}

// DeliveryJob is one delivery's job: the delivery and its round (a manual
// retry starts a new round with a job of its own).
type DeliveryJob struct {
	ID    uuid.UUID `json:"delivery_id"`
	Round int       `json:"round"`
}

// EventID renders an event's id as integrators see it: evt_<32 hex>.
func EventID(id uuid.UUID) string { return "evt_" + hex.EncodeToString(id[:]) }

// DeliveryID renders a delivery's id, the webhook-id header: msg_<32 hex>.
func DeliveryID(id uuid.UUID) string { return "msg_" + hex.EncodeToString(id[:]) }

// parsePrefixed reads evt_…/msg_… ids (a bare UUID is accepted too).
func parsePrefixed(prefix, s string) (uuid.UUID, bool) {
	id, err := uuid.Parse(strings.TrimPrefix(s, prefix))
	return id, err == nil
}

// change is what emit needs to know about one change.
type change struct {
	Type     module.Change // a catalog event type
	ObjectID string
	Object   any // the object's public JSON shape after the change (before, for deletes)
	Before   any // for updates: the shape before, to derive previous_attributes
}

// emit writes the integration event of a change in the change's
// transaction, with a delivery for each enabled webhook endpoint of the
// tenant's environment that subscribes to its type; their jobs are
// enqueued when tx commits, in the same commit. Called beside record.
func (s *Service) emit(ctx context.Context, tx *ent.Tx, c change) error {
	ev, endpoints, err := s.writeEvent(ctx, tx, c)
	if err != nil {
		return err
	}
	s.announceOnCommit(tx)
	if endpoints == 0 {
		return nil
	}
	return s.deliver(ctx, tx, ev)
}

// emitTenantWide writes c's event into both environments of the tenant:
// roles, members and the policy hold for sandbox and live alike, so the
// feed, webhooks and streams of each see the change.
func (s *Service) emitTenantWide(ctx context.Context, tx *ent.Tx, c change) error {
	v := policy.FromContext(ctx)
	for _, env := range []policy.Env{policy.Sandbox, policy.Live} {
		in := *v
		in.Env = env
		if err := s.emit(policy.NewContext(ctx, &in), tx, c); err != nil {
			return err
		}
	}
	return nil
}

// announceOnCommit tells EventsCommitted once tx has committed.
func (s *Service) announceOnCommit(tx *ent.Tx) {
	if s.EventsCommitted == nil {
		return
	}
	tx.OnCommit(func(next ent.Committer) ent.Committer {
		return ent.CommitFunc(func(ctx context.Context, tx *ent.Tx) error {
			err := next.Commit(ctx, tx)
			if err == nil {
				s.EventsCommitted()
			}
			return err
		})
	})
}

// writeEvent stores the event of c with the next number of the tenant's
// environment, and says how many endpoints the environment has enabled.
func (s *Service) writeEvent(ctx context.Context, tx *ent.Tx, c change) (*ent.Event, int, error) {
	et, ok := policy.LookupEventType(c.Type)
	if !ok {
		return nil, 0, fmt.Errorf("event type %q is not in the catalog", c.Type)
	}
	object, err := jsonwire.Marshal(c.Object)
	if err != nil {
		return nil, 0, fmt.Errorf("event %s: %w", c.Type, err)
	}
	data := map[string]any{"object": json.RawMessage(object)}
	if c.Before != nil {
		data["previous_attributes"] = previousAttributes(c.Before, object)
	}
	raw, err := jsonwire.Marshal(data)
	if err != nil {
		return nil, 0, fmt.Errorf("event %s: %w", c.Type, err)
	}
	seq, endpoints, err := s.nextWithEndpoints(ctx, tx, "event")
	if err != nil {
		return nil, 0, err
	}
	v := policy.FromContext(ctx)
	ev, err := tx.Event.Create().SetSeq(seq).SetType(string(c.Type)).SetObjectType(et.ObjectType).SetObjectID(c.ObjectID).
		SetRequestID(v.RequestID).SetActor(v.Subject).SetData(string(raw)).Save(ctx)
	return ev, endpoints, err
}

// deliver creates the deliveries of ev to the enabled endpoints that
// subscribe to it and enqueues them with tx.
func (s *Service) deliver(ctx context.Context, tx *ent.Tx, ev *ent.Event) error {
	sys := schema.BypassPermissions(ctx, "a change delivers its event to the tenant's endpoints, whoever made it")
	endpoints, err := tx.WebhookEndpoint.Query().Where(webhookendpoint.Enabled(true)).All(sys)
	if err != nil {
		return err
	}
	var creates []*ent.WebhookDeliveryCreate
	for _, ep := range endpoints {
		if s.receives(sys, tx.Client(), ep, ev) {
			creates = append(creates, tx.WebhookDelivery.Create().SetEndpointID(ep.ID).SetEventID(ev.ID).SetEventType(ev.Type))
		}
	}
	if len(creates) == 0 {
		return nil
	}
	ds, err := tx.WebhookDelivery.CreateBulk(creates...).Save(sys)
	if err != nil {
		return err
	}
	jobs := make([]DeliveryJob, len(ds))
	for i, d := range ds {
		jobs[i] = DeliveryJob{ID: d.ID, Round: d.Round}
	}
	s.enqueueOnCommit(tx, jobs)
	return nil
}

// enqueueOnCommit enqueues the deliveries' jobs in tx's own commit: the
// hook runs inside Commit, before the database commit, on the *sql.Tx
// that inTx exposed.
func (s *Service) enqueueOnCommit(tx *ent.Tx, jobs []DeliveryJob) {
	tx.OnCommit(func(next ent.Committer) ent.Committer {
		return ent.CommitFunc(func(ctx context.Context, tx *ent.Tx) error {
			if s.Deliveries == nil { // deliveries without jobs would wait forever
				return fmt.Errorf("enqueue deliveries: no delivery engine is wired")
			}
			sqlTx := database.TxOf(ctx)
			if sqlTx == nil {
				return fmt.Errorf("enqueue deliveries: the transaction was not begun by inTx")
			}
			if err := s.Deliveries.Enqueue(ctx, sqlTx, jobs); err != nil {
				return fmt.Errorf("enqueue deliveries: %w", err)
			}
			return next.Commit(ctx, tx)
		})
	})
}

// receives reports whether ep is to get ev: its filter covers the type and
// its owner may view the object (the change's delivery and a replay ask alike).
// An endpoint does not receive the event of its own creation: it
// receives what happens once it exists.
func (s *Service) receives(ctx context.Context, c *ent.Client, ep *ent.WebhookEndpoint, ev *ent.Event) bool {
	if ev.Type == string(settings.EndpointCreated) && ev.ObjectID == ep.ID.String() {
		return false
	}
	if !Subscribed(ep.EventTypes, ev.Type) || s.ownerCan(ctx, c, ep, ev.ObjectType) != nil {
		return false
	}
	sees, _, err := s.ownerSees(ctx, c, ep, ev)
	return err == nil && sees
}

// Subscribed reports whether a filter of event type patterns (an
// endpoint's, a realtime subscription's) covers the event type. ping is
// sent only by an endpoint's test route, never by a filter.
func Subscribed(patterns []string, eventType string) bool {
	if eventType == "ping" {
		return false
	}
	for _, p := range patterns {
		if policy.Match(p, eventType) {
			return true
		}
	}
	return false
}

// ownerCan checks that the endpoint's owner may still view objectType's
// events: the same permission the feed asks of a caller. A revoked or
// expired key and a removed member hold nothing.
func (s *Service) ownerCan(ctx context.Context, c *ent.Client, ep *ent.WebhookEndpoint, objectType string) error {
	if ep.Owner == "cli" { // the operator holds every permission
		return nil
	}
	// Outside a transaction the credential cache answers for keys (the one
	// requests use, emptied on every instance by a revocation); inside one,
	// the lookup joins the transaction.
	var dir *auth.Directory
	if c == s.Client {
		dir = s.Dir
	}
	if err := subjectActive(ctx, c, dir, ep.TenantID, ep.Owner); err != nil {
		return err
	}
	if perm := policy.ObjectPermission(objectType); !s.Enforcer.Allowed(ep.Owner, ep.TenantID.String(), perm) {
		return fmt.Errorf("the endpoint's owner %s does not hold %s; editing the endpoint makes the editor its owner", ep.Owner, perm)
	}
	return nil
}

// previousAttributes holds the old values of the top-level fields of the
// object's shape that the change altered.
func previousAttributes(before any, after []byte) map[string]any {
	b, err := jsonwire.Marshal(before)
	if err != nil {
		return nil
	}
	var old, now map[string]any
	if json.Unmarshal(b, &old) != nil || json.Unmarshal(after, &now) != nil {
		return nil
	}
	out := map[string]any{}
	for k, v := range old {
		if !reflect.DeepEqual(v, now[k]) {
			out[k] = v
		}
	}
	return out
}

// systemContext acts for the platform inside one tenant and environment
// (webhook workers): every permission, audited as "system".
func systemContext(ctx context.Context, tenantID uuid.UUID, env policy.Env) context.Context {
	return actingAs(ctx, tenantID, env, "system")
}
