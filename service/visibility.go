package service

import (
	"context"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/cienerp/cienerp/ent"
	"github.com/cienerp/cienerp/ent/event"
	"github.com/cienerp/cienerp/ent/schema"
	"github.com/cienerp/cienerp/policy"
)

// EventVisible reports whether v may see ev under its row conditions, for
// the consumers that get events one at a time (SSE, subscriptions,
// webhooks): the feed's own predicate (ent/schema visibleEvents), asked of
// this one event, so that no consumer has its own idea of who sees what.
// c is the client the event is visible on (a transaction's, in the change).
func EventVisible(ctx context.Context, c *ent.Client, v *policy.Viewer, ev *ent.Event) (bool, error) {
	if _, limited := v.Conditions(policy.ObjectPermission(ev.ObjectType)); !limited && len(v.Gated(ev.ObjectType)) == 0 {
		return true, nil
	}
	// A fresh context: ctx may carry a decision past the privacy layer
	// (the delivery machinery's), which must not apply here.
	qctx, cancel := context.WithTimeout(policy.NewContext(context.Background(), v), 10*time.Second)
	defer cancel()
	return c.Event.Query().Where(event.ID(ev.ID)).Exist(qctx)
}

// ownerViewer is an endpoint's owner as a viewer of env: what its
// deliveries may carry is what the owner may see.
func (s *Service) ownerViewer(ctx context.Context, c *ent.Client, ep *ent.WebhookEndpoint, env policy.Env) (*policy.Viewer, error) {
	return s.subjectViewer(ctx, c, ep.TenantID, env, ep.Owner)
}

// subjectViewer is a Casbin subject (user:<id>, key:<id> or cli) of a
// tenant as a viewer: for deciding on its behalf outside its requests.
func (s *Service) subjectViewer(ctx context.Context, c *ent.Client, tenant uuid.UUID, env policy.Env, subject string) (*policy.Viewer, error) {
	v := &policy.Viewer{TenantID: tenant, Env: env, Subject: subject, Via: "system", Decider: s.Enforcer}
	if subject == "cli" {
		v.Decider = policy.AllowAll
		return v, nil
	}
	kind, id, _ := strings.Cut(subject, ":")
	uid, err := uuid.Parse(id)
	if err != nil {
		return v, nil
	}
	switch kind {
	case "user":
		v.UserID = uid
		u, err := c.User.Get(schema.Bypass(ctx, "the endpoint owner's email is a condition variable"), uid)
		if err != nil && !ent.IsNotFound(err) {
			return nil, err
		}
		if u != nil {
			v.Email = u.Email
		}
	case "key":
		v.KeyID = uid
	}
	return v, nil
}

// ownerSees reports whether ep's owner may see ev under its row
// conditions; the permission itself is ownerCan's.
func (s *Service) ownerSees(ctx context.Context, c *ent.Client, ep *ent.WebhookEndpoint, ev *ent.Event) (bool, *policy.Viewer, error) {
	v, err := s.ownerViewer(ctx, c, ep, ev.Env)
	if err != nil {
		return false, nil, err
	}
	ok, err := EventVisible(ctx, c, v, ev)
	return ok, v, err
}
