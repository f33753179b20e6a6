package service

import (
	"context"

	"github.com/google/uuid"

	"github.com/cienerp/cienerp/auth"
	"github.com/cienerp/cienerp/policy"
)

// Syncer is told about every committed change that other caches depend
// on. The local one drops this instance's caches; the Redis one
// (policy/redissync) also tells every other instance.
type Syncer interface {
	Changed(ctx context.Context, c policy.Change)
}

// Local applies changes to this instance's caches.
type Local struct {
	Dir      *auth.Directory
	Enforcer *policy.Enforcer
	// OnError reports a failed policy reload (the old policy stays).
	OnError func(error)
}

// Changed implements Syncer.
func (l Local) Changed(_ context.Context, c policy.Change) {
	id, _ := uuid.Parse(c.ID)
	switch c.Kind {
	case policy.ChangedPolicy:
		if err := l.Enforcer.Reload(); err != nil && l.OnError != nil {
			l.OnError(err)
		}
	case policy.ChangedKey:
		l.Dir.ForgetKey(id)
	case policy.ChangedUser:
		l.Dir.ForgetUser(id)
	case policy.ChangedTenant:
		l.Dir.ForgetTenant(id)
	}
}

// ResyncAll drops every cache and reloads the policy: for when changes may
// have been missed (another instance's, while Redis was away).
func (l Local) ResyncAll(context.Context) error {
	l.Dir.ForgetAll()
	return l.Enforcer.Reload()
}

// changed tells the syncer, after commit.
func (s *Service) changed(ctx context.Context, changes ...policy.Change) {
	for _, c := range changes {
		s.Sync.Changed(ctx, c)
	}
}

func policyChanged(tenant uuid.UUID) policy.Change {
	return policy.Change{Kind: policy.ChangedPolicy, ID: tenant.String()}
}
