package auth

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/cienerp/cienerp/policy"
)

// Error is an authentication or tenancy failure with the HTTP status and
// machine code that a transport should answer with.
type Error struct {
	Kind    ErrorKind
	Code    string
	Message string
	// Key is the known key that was refused (revoked, rolled, expired, sent
	// to the other environment or with another tenant's X-Tenant-ID): its
	// tenant's request log records the refusal.
	Key *Key
}

// ErrorKind says how a credential was refused.
type ErrorKind int

// The ways a credential is refused.
const (
	Unauthenticated ErrorKind = iota // none, or not a valid one
	Forbidden                        // valid, but not here (revoked, other tenant or environment)
	BadRequest                       // the request is ambiguous
)

func (e *Error) Error() string { return e.Message }

func fail(kind ErrorKind, code, format string, a ...any) *Error {
	return &Error{Kind: kind, Code: code, Message: fmt.Sprintf(format, a...)}
}

// Request is what a transport extracted from the request: at most one of
// APIKey and Bearer, the optional tenant selector, and the environment of
// the base URL.
type Request struct {
	APIKey     string
	Bearer     string
	TenantHint string // X-Tenant-ID: id or slug
	Env        policy.Env
}

// Authenticator resolves credentials into a viewer without touching the
// database once its directory is warm.
type Authenticator struct {
	Dir      *Directory
	Signer   *Signer
	Enforcer policy.Decider
}

// Authenticate returns the viewer and its tenant, or an *Error.
func (a *Authenticator) Authenticate(ctx context.Context, r Request) (*policy.Viewer, Tenant, error) {
	switch {
	case r.APIKey != "" && r.Bearer != "":
		return nil, Tenant{}, fail(BadRequest, "ambiguous_credentials", "Send either X-API-Key or Authorization: Bearer, not both.")
	case r.APIKey != "":
		return a.withKey(ctx, r, r.APIKey)
	case r.Bearer != "":
		return a.withToken(ctx, r)
	}
	return nil, Tenant{}, fail(Unauthenticated, "unauthenticated", "Authentication required: send an integration key in X-API-Key or a token in Authorization: Bearer.")
}

// CheckKey validates a key secret on its own (also used by the token
// endpoint's client_credentials grant).
func (a *Authenticator) CheckKey(ctx context.Context, secret string) (Key, error) {
	if _, ok := KeyEnv(secret); !ok {
		return Key{}, fail(Unauthenticated, "invalid_api_key", "The API key is not valid: keys start with %s or %s.", SandboxPrefix, LivePrefix)
	}
	k, found, err := a.Dir.KeyByHash(ctx, HashKey(secret))
	if err != nil {
		return Key{}, err
	}
	if !found {
		return Key{}, fail(Unauthenticated, "invalid_api_key", "The API key is not valid.")
	}
	return k, keyUsable(k)
}

func keyUsable(k Key) error {
	now := time.Now()
	switch {
	case k.RolledAt != nil && (k.RevokedAt != nil || (k.ExpiresAt != nil && now.After(*k.ExpiresAt))):
		return fail(Forbidden, "key_rolled", "This key was rolled on %s; use its replacement.", k.RolledAt.UTC().Format(time.RFC3339))
	case k.RevokedAt != nil:
		return fail(Forbidden, "key_revoked", "This key was revoked on %s.", k.RevokedAt.UTC().Format(time.RFC3339))
	case k.ExpiresAt != nil && now.After(*k.ExpiresAt):
		return fail(Forbidden, "key_expired", "This key expired on %s.", k.ExpiresAt.UTC().Format(time.RFC3339))
	}
	return nil
}

func (a *Authenticator) withKey(ctx context.Context, r Request, secret string) (*policy.Viewer, Tenant, error) {
	k, err := a.CheckKey(ctx, secret)
	if err != nil {
		return nil, Tenant{}, refusing(k, err)
	}
	a.Dir.Touch(k.ID)
	return a.bound(ctx, r, k, "api_key")
}

// refusing names the known key k (none when its id is zero) in err.
func refusing(k Key, err error) error {
	if e, ok := err.(*Error); ok && k.ID != uuid.Nil {
		e.Key = &k
	}
	return err
}

// bound finishes a key credential (direct or behind a token): environment,
// tenant header and tenant status.
func (a *Authenticator) bound(ctx context.Context, r Request, k Key, via string) (*policy.Viewer, Tenant, error) {
	if k.Env != r.Env {
		return nil, Tenant{}, refusing(k, wrongEnv(k.Env))
	}
	t, err := a.tenant(ctx, k.TenantID.String(), r.TenantHint)
	if err != nil {
		return nil, Tenant{}, refusing(k, err)
	}
	v := a.viewer(t, r.Env, uuid.Nil, k.ID, policy.KeySubject(k.ID.String()))
	v.Via, v.KeyName = via, k.Name
	return v, t, nil
}

func wrongEnv(keyEnv policy.Env) *Error {
	if keyEnv == policy.Sandbox {
		return fail(Forbidden, "wrong_environment", "This is a sandbox credential; use the sandbox base URL /api/sandbox.")
	}
	return fail(Forbidden, "wrong_environment", "This is a live credential; use the live base URL /api.")
}

func (a *Authenticator) withToken(ctx context.Context, r Request) (*policy.Viewer, Tenant, error) {
	if strings.HasPrefix(r.Bearer, SandboxPrefix) || strings.HasPrefix(r.Bearer, LivePrefix) {
		return nil, Tenant{}, fail(Unauthenticated, "invalid_token", "This is an integration key, not a bearer token: send it as X-API-Key: %s…, or exchange it at /api/auth/token (grant_type=client_credentials).", r.Bearer[:len(SandboxPrefix)])
	}
	c, err := a.Signer.Parse(r.Bearer, "access")
	if err != nil {
		return nil, Tenant{}, fail(Unauthenticated, "invalid_token", "The bearer token is invalid or expired; get a new one from /api/auth/token.")
	}
	kind, id, _ := strings.Cut(c.Subject, ":")
	uid, err := uuid.Parse(id)
	if err != nil {
		return nil, Tenant{}, fail(Unauthenticated, "invalid_token", "The bearer token is invalid.")
	}
	if kind == "key" {
		k, found, err := a.Dir.KeyByID(ctx, uid)
		if err != nil {
			return nil, Tenant{}, err
		}
		if !found {
			return nil, Tenant{}, fail(Unauthenticated, "invalid_token", "The key behind this token no longer exists.")
		}
		if err := keyUsable(k); err != nil {
			return nil, Tenant{}, refusing(k, err)
		}
		return a.bound(ctx, r, k, "bearer")
	}
	u, found, err := a.Dir.User(ctx, uid)
	if err != nil {
		return nil, Tenant{}, err
	}
	if !found || !u.Active {
		return nil, Tenant{}, fail(Unauthenticated, "invalid_token", "The user behind this token is disabled or gone.")
	}
	var t Tenant
	switch {
	case c.Tenant != "":
		t, err = a.tenant(ctx, c.Tenant, r.TenantHint)
	case r.TenantHint != "":
		t, err = a.tenant(ctx, r.TenantHint, "")
	case len(u.Tenants) == 1:
		t, err = a.tenant(ctx, u.Tenants[0].String(), "")
	case len(u.Tenants) == 0:
		return nil, Tenant{}, fail(Forbidden, "no_tenant", "This user is not a member of any tenant.")
	default:
		return nil, Tenant{}, fail(BadRequest, "tenant_required", "This user belongs to several tenants: send X-Tenant-ID with the tenant id or slug.")
	}
	if err != nil {
		return nil, Tenant{}, err
	}
	if !slices.Contains(u.Tenants, t.ID) {
		return nil, Tenant{}, fail(Forbidden, "not_a_member", "This user is not a member of tenant %q.", t.Slug)
	}
	v := a.viewer(t, r.Env, u.ID, uuid.Nil, policy.UserSubject(u.ID.String()))
	v.Via, v.Email = "bearer", u.Email
	return v, t, nil
}

// tenant loads the credential's tenant and checks the X-Tenant-ID hint
// against it: a hint naming another tenant is refused.
func (a *Authenticator) tenant(ctx context.Context, idOrSlug, hint string) (Tenant, error) {
	t, found, err := a.Dir.Tenant(ctx, idOrSlug)
	if err != nil {
		return Tenant{}, err
	}
	if !found {
		return Tenant{}, fail(Forbidden, "unknown_tenant", "Tenant %q does not exist or you are not a member.", idOrSlug)
	}
	if hint != "" && hint != t.ID.String() && hint != t.Slug {
		return Tenant{}, fail(Forbidden, "tenant_mismatch", "X-Tenant-ID %q does not match the tenant of this credential (%s).", hint, t.Slug)
	}
	if !t.Active {
		return Tenant{}, fail(Forbidden, "tenant_suspended", "Tenant %q is suspended.", t.Slug)
	}
	return t, nil
}

func (a *Authenticator) viewer(t Tenant, env policy.Env, user, key uuid.UUID, subject string) *policy.Viewer {
	return &policy.Viewer{TenantID: t.ID, Env: env, UserID: user, KeyID: key, Subject: subject, Decider: a.Enforcer}
}
