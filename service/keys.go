package service

import (
	"context"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/cienerp/cienerp/auth"
	"github.com/cienerp/cienerp/ent"
	"github.com/cienerp/cienerp/ent/integrationkey"
	"github.com/cienerp/cienerp/ent/schema"
	"github.com/cienerp/cienerp/ent/webhookendpoint"
	"github.com/cienerp/cienerp/modules/settings"
	"github.com/cienerp/cienerp/policy"
	"github.com/cienerp/cienerp/policy/entadapter"
)

// CreateKeyInput is the body of "create integration key".
type CreateKeyInput struct {
	Name      string     `json:"name"`
	Roles     []string   `json:"roles"`
	ExpiresAt *time.Time `json:"expires_at"`
}

// Key is an integration key with its roles (and, once, its secret).
type Key struct {
	*ent.IntegrationKey
	Roles  []string
	Secret string
	// Usage is the key's last 7 days in the request log (KeysWithUsage).
	Usage *KeyUsage
}

// Status is active, expired, revoked or rolled.
func (k *Key) Status(now time.Time) string {
	switch {
	case k.RevokedAt != nil && k.RolledAt != nil:
		return "rolled"
	case k.RevokedAt != nil:
		return "revoked"
	case k.ExpiresAt != nil && now.After(*k.ExpiresAt):
		return "expired"
	}
	return "active"
}

// MaxRollGrace bounds how long a rolled key keeps working.
const MaxRollGrace = 7 * 24 * time.Hour

// CreateKey creates a key in the viewer's tenant and environment. The
// viewer may only grant roles whose permissions it holds itself.
func (s *Service) CreateKey(ctx context.Context, in CreateKeyInput) (*Key, error) {
	v := policy.FromContext(ctx)
	verr := &ValidationError{}
	in.Name = strings.TrimSpace(in.Name)
	if in.Name == "" {
		verr.Add("name", "Name is required.")
	} else {
		checkText(verr, "name", in.Name, schema.MaxKeyName)
	}
	if in.ExpiresAt != nil && !in.ExpiresAt.After(time.Now()) {
		verr.Add("expires_at", "Expiry must be in the future.")
	}
	st, _, err := s.tenantState(ctx)
	if err != nil {
		return nil, err
	}
	checkGrant(v, st, in.Roles, verr)
	if err := verr.OrNil(); err != nil {
		return nil, err
	}
	return s.newKey(ctx, in.Name, in.Roles, in.ExpiresAt, nil)
}

// checkGrant refuses unknown roles and roles that would give a key more
// than its creator holds.
func checkGrant(v *policy.Viewer, st policy.State, roles []string, verr *ValidationError) {
	if len(roles) == 0 {
		verr.Add("roles", "Choose at least one role, e.g. [\"it-agent\"].")
	}
	for _, r := range roles {
		perms, ok := st.Roles[r]
		if !ok {
			verr.Add("roles", "Role %q does not exist in this tenant.", r)
			continue
		}
		for _, p := range policy.Expand(perms) {
			if !v.Can(p) {
				verr.Add("roles", "You cannot grant role %q: it holds %q, which you do not.", r, p)
				break
			}
		}
	}
}

// roll names the key a new key replaces and how long the old one lives on.
type roll struct {
	old   *ent.IntegrationKey
	grace time.Duration
}

func (s *Service) newKey(ctx context.Context, name string, roles []string, expires *time.Time, from *roll) (*Key, error) {
	v := policy.FromContext(ctx)
	secret, display, hash := auth.NewKey(v.Env)
	var key *ent.IntegrationKey
	var rules []policy.Rule
	var revoked []uuid.UUID
	err := s.inTx(ctx, func(tx *ent.Tx) error {
		c := tx.IntegrationKey.Create().SetName(name).SetPrefix(display).SetSecretHash(hash).SetNillableExpiresAt(expires)
		if v.UserID != uuid.Nil {
			c.SetCreatedBy(v.UserID)
		}
		if from != nil {
			c.SetRolledFrom(from.old.ID)
		}
		var err error
		if key, err = c.Save(ctx); err != nil {
			return err
		}
		for _, r := range roles {
			rules = append(rules, policy.GroupingRule(policy.KeySubject(key.ID.String()), r, v.TenantID.String()))
		}
		if err := entadapter.Save(ctx, tx.Client(), rules...); err != nil {
			return err
		}
		after := keyAudit(key, roles)
		if err := record(ctx, tx, settings.KeyCreated, "integration_key", key.ID.String(), nil, after); err != nil {
			return err
		}
		if err := s.emit(ctx, tx, change{Type: settings.KeyCreated, ObjectID: key.ID.String(), Object: KeyObject(&Key{IntegrationKey: key, Roles: roles})}); err != nil {
			return err
		}
		if from != nil {
			revoked = append(revoked, from.old.ID)
			return s.retire(ctx, tx, from, key, roles)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.changed(ctx, policyChanged(v.TenantID))
	for _, id := range revoked {
		s.changed(ctx, policy.Change{Kind: policy.ChangedKey, ID: id.String()})
	}
	return &Key{IntegrationKey: key, Roles: roles, Secret: secret}, nil
}

// ListKeys lists the keys of the viewer's tenant and environment, newest first.
func (s *Service) ListKeys(ctx context.Context) ([]*Key, error) {
	rows, err := s.Client.IntegrationKey.Query().Order(ent.Desc(integrationkey.FieldCreatedAt), ent.Desc(integrationkey.FieldID)).All(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]*Key, len(rows))
	for i, k := range rows {
		out[i] = s.withRoles(k)
	}
	return out, nil
}

// KeysWithUsage is ListKeys with each key's last 7 days from the request
// log (requests, error rate, requests per day, last request): for callers
// holding settings.request-logs.view; others get null usage.
func (s *Service) KeysWithUsage(ctx context.Context) ([]*Key, error) {
	keys, err := s.ListKeys(ctx)
	if err != nil {
		return nil, err
	}
	usage, err := s.KeysUsage(ctx)
	if err != nil || usage == nil {
		return keys, err
	}
	for _, k := range keys {
		u := usage[k.ID]
		k.Usage = &u
	}
	return keys, nil
}

func (s *Service) withRoles(k *ent.IntegrationKey) *Key {
	return &Key{IntegrationKey: k, Roles: s.Enforcer.Roles(policy.KeySubject(k.ID.String()), k.TenantID.String())}
}

func (s *Service) getKey(ctx context.Context, id uuid.UUID) (*ent.IntegrationKey, error) {
	k, err := s.Client.IntegrationKey.Get(ctx, id)
	if ent.IsNotFound(err) {
		return nil, &NotFoundError{Entity: "integration key"}
	}
	return k, err
}

// RevokeKey stops a key at once. Revoking a revoked key changes nothing.
func (s *Service) RevokeKey(ctx context.Context, id uuid.UUID) (*Key, error) {
	k, err := s.getKey(ctx, id)
	if err != nil {
		return nil, err
	}
	if k.RevokedAt != nil {
		return s.withRoles(k), nil
	}
	err = s.inTx(ctx, func(tx *ent.Tx) error {
		updated, err := tx.IntegrationKey.UpdateOne(k).SetRevokedAt(schema.Now()).Save(ctx)
		if err != nil {
			return err
		}
		roles := s.withRoles(k).Roles
		if err := record(ctx, tx, settings.KeyRevoked, "integration_key", k.ID.String(), keyAudit(k, roles), keyAudit(updated, roles)); err != nil {
			return err
		}
		if err := s.emit(ctx, tx, change{Type: settings.KeyRevoked, ObjectID: k.ID.String(),
			Object: KeyObject(&Key{IntegrationKey: updated, Roles: roles}), Before: KeyObject(&Key{IntegrationKey: k, Roles: roles})}); err != nil {
			return err
		}
		k = updated
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.changed(ctx, policy.Change{Kind: policy.ChangedKey, ID: k.ID.String()})
	return s.withRoles(k), nil
}

// RollKey replaces a key with a new secret that keeps its name, roles and
// expiry. The old key stops at once, or after grace (at most 7 days).
func (s *Service) RollKey(ctx context.Context, id uuid.UUID, grace time.Duration) (*Key, error) {
	if grace < 0 || grace > MaxRollGrace {
		return nil, Invalid("expires_in_hours", "The old key may keep working for 0 to %d hours.", int(MaxRollGrace.Hours()))
	}
	k, err := s.getKey(ctx, id)
	if err != nil {
		return nil, err
	}
	if k.RevokedAt != nil || k.RolledAt != nil {
		return nil, Invalid("id", "Only an active key can be rolled; this one was already revoked or rolled.")
	}
	roles := s.withRoles(k).Roles
	return s.newKey(ctx, k.Name, roles, k.ExpiresAt, &roll{old: k, grace: grace})
}

// retire marks the old key of r as rolled into its replacement.
func (s *Service) retire(ctx context.Context, tx *ent.Tx, r *roll, replacement *ent.IntegrationKey, roles []string) error {
	now := schema.Now()
	old := r.old
	u := tx.IntegrationKey.UpdateOne(old).SetRolledAt(now)
	if r.grace == 0 {
		u.SetRevokedAt(now)
	} else if until := now.Add(r.grace); old.ExpiresAt == nil || until.Before(*old.ExpiresAt) {
		u.SetExpiresAt(until)
	}
	updated, err := u.Save(ctx)
	if err != nil {
		return err
	}
	// Webhook endpoints the old key owns pass to its replacement.
	sys := schema.Bypass(ctx, "a rolled key's endpoints follow it, in whichever environment they are")
	if err := tx.WebhookEndpoint.Update().Where(webhookendpoint.TenantID(old.TenantID), webhookendpoint.Owner(policy.KeySubject(old.ID.String()))).
		SetOwner(policy.KeySubject(replacement.ID.String())).Exec(sys); err != nil {
		return err
	}
	after := keyAudit(updated, nil)
	after["replaced_by"] = replacement.ID
	if err := record(ctx, tx, settings.KeyRolled, "integration_key", old.ID.String(), keyAudit(old, nil), after); err != nil {
		return err
	}
	return s.emit(ctx, tx, change{Type: settings.KeyRolled, ObjectID: old.ID.String(),
		Object: KeyObject(&Key{IntegrationKey: updated, Roles: roles}), Before: KeyObject(&Key{IntegrationKey: old, Roles: roles})})
}

func keyAudit(k *ent.IntegrationKey, roles []string) map[string]any {
	m := map[string]any{"name": k.Name, "prefix": k.Prefix, "expires_at": k.ExpiresAt, "revoked_at": k.RevokedAt, "rolled_at": k.RolledAt}
	if roles != nil {
		m["roles"] = roles
	}
	return m
}

// KeyJSON is an integration key's public shape; Secret is set only in the
// answer that created or rolled it, never in events.
type KeyJSON struct {
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
	Usage       *KeyUsage  `json:"usage"`
}

// KeyObject is k's public shape, without its secret.
func KeyObject(k *Key) KeyJSON {
	roles := k.Roles
	if roles == nil {
		roles = []string{}
	}
	return KeyJSON{
		ID: k.ID, Object: "integration_key", Name: k.Name, Prefix: k.Prefix,
		Environment: k.Env, Roles: roles, Status: k.Status(time.Now()), CreatedBy: k.CreatedBy, CreatedAt: k.CreatedAt,
		ExpiresAt: k.ExpiresAt, RevokedAt: k.RevokedAt, RolledAt: k.RolledAt, RolledFrom: k.RolledFrom, LastUsedAt: k.LastUsedAt,
		Usage: k.Usage,
	}
}
