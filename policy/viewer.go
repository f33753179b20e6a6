package policy

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"sync"

	"github.com/google/uuid"
)

// Env is the data environment a request works in.
type Env string

const (
	Live    Env = "live"
	Sandbox Env = "sandbox"
)

// Decider answers whether a subject holds a permission in a tenant. The
// Casbin enforcer implements it; the viewer only holds a handle on it.
type Decider interface {
	Allowed(subject, tenant, permission string) bool
	Permissions(subject, tenant string) []string
	// Conditions are the row conditions on the subject's grant of
	// permission, any of which admits a row; limited is false when some
	// grant of it carries none (or the subject lacks it: Allowed decides).
	Conditions(subject, tenant, permission string) (conds []Cond, limited bool)
}

// Viewer is who is asking: set once per request by the transport and read
// everywhere below it (ent privacy rules, domain code).
type Viewer struct {
	TenantID  uuid.UUID
	Env       Env
	UserID    uuid.UUID // zero for integration keys
	Email     string    // the user's email ($user.email in conditions)
	KeyID     uuid.UUID // the key used directly or behind a token; zero for user tokens
	Subject   string    // Casbin subject: "user:<id>", "key:<id>" or "cli"
	Via       string    // how it authenticated: "api_key", "bearer" or "cli"
	RequestID string
	Decider   Decider
	KeyName   string // the integration key's name (the request log)
	// Checks, when set, records the request's permission checks (the
	// request log).
	Checks *Checks
	// Recheck, when set, checks the credential again as the transport did
	// (nil while it still holds here): for connections that outlive the
	// request that authenticated them.
	Recheck func(context.Context) error
	// Confirm, when set, is asked before a refusal stands: whether this
	// instance's rules were behind another process's changes (a key or
	// role granted elsewhere, not pushed here yet) and are now caught up,
	// so the permission is decided again. The transport makes it ask the
	// database at most once per request.
	Confirm func() bool
}

// Decision is one permission check: held or not and, when held, the role
// and the rule (pattern) that grant it.
type Decision struct {
	Permission string
	Allowed    bool
	Role, Rule string
}

// Explainer is a Decider that can say which role and rule decided.
type Explainer interface {
	Decide(subject, tenant, permission string) Decision
}

// Checks records the permissions a request was required to hold (Require),
// each once, in order: the request log keeps them, and the policy
// simulator decides them again under a proposed policy.
type Checks struct {
	mu   sync.Mutex
	list []Decision
}

// maxChecks bounds what one request records (a GraphQL operation may
// touch many fields; they share few permissions).
const maxChecks = 16

func (c *Checks) add(d Decision) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, have := range c.list {
		if have.Permission == d.Permission {
			return
		}
	}
	if len(c.list) < maxChecks {
		c.list = append(c.list, d)
	}
}

// List returns the checks made so far.
func (c *Checks) List() []Decision {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Decision(nil), c.list...)
}

// Credential identifies the credential for rate limits, idempotency and
// audit. A key and the tokens issued to it share one credential.
func (v *Viewer) Credential() string { return v.Subject }

// AllowAll is the decider of operator commands run on the server itself
// (the CLI): they act inside one tenant with every permission.
var AllowAll Decider = allowAll{}

type allowAll struct{}

func (allowAll) Allowed(string, string, string) bool { return true }
func (allowAll) Permissions(string, string) []string { return []string{"*"} }
func (allowAll) Conditions(string, string, string) ([]Cond, bool) {
	return nil, false
}

// Can reports whether the viewer holds perm in its tenant.
func (v *Viewer) Can(perm string) bool {
	return v != nil && v.Decider != nil && v.decideNow(perm).Allowed
}

// Holds is Can for a permission the request cannot go on without: a
// refusal is confirmed first (Viewer.Confirm), as Require's is.
func (v *Viewer) Holds(perm string) bool {
	return v != nil && v.decide(perm).Allowed
}

// Conditions are the row conditions limiting the viewer's perm (see
// Decider.Conditions).
func (v *Viewer) Conditions(perm string) ([]Cond, bool) {
	if v == nil || v.Decider == nil {
		return nil, false
	}
	return v.Decider.Conditions(v.Subject, v.TenantID.String(), perm)
}

// Actor is the viewer as conditions see it.
func (v *Viewer) Actor() Actor {
	if v == nil || v.UserID == uuid.Nil {
		return Actor{}
	}
	return Actor{UserID: v.UserID.String(), Email: v.Email}
}

// Permissions lists the catalog permissions the viewer holds.
func (v *Viewer) Permissions() []string {
	if v == nil || v.Decider == nil {
		return nil
	}
	return Expand(v.Decider.Permissions(v.Subject, v.TenantID.String()))
}

type viewerKey struct{}

// NewContext returns ctx carrying v.
func NewContext(ctx context.Context, v *Viewer) context.Context {
	return context.WithValue(ctx, viewerKey{}, v)
}

// FromContext returns the viewer in ctx, or nil.
func FromContext(ctx context.Context) *Viewer {
	v, _ := ctx.Value(viewerKey{}).(*Viewer)
	return v
}

// DeniedError says which permission was missing. Object is set when the
// permission is held but its row condition refused this object.
type DeniedError struct {
	Permission string
	Object     string
}

func (e *DeniedError) Error() string {
	if e.Object != "" {
		return fmt.Sprintf("the condition on this credential's permission %q does not admit this %s", e.Permission, e.Object)
	}
	return fmt.Sprintf("this credential lacks the permission %q", e.Permission)
}

type operationKey struct{}

// WithOperation marks ctx as performing an operation that needs perm: a
// write's row condition is the one on the operation's permission (an
// invoice is issued under finance.invoices.issue's condition).
func WithOperation(ctx context.Context, perm string) context.Context {
	return context.WithValue(ctx, operationKey{}, perm)
}

// Operation is the permission of the operation ctx performs ("" outside one).
func Operation(ctx context.Context) string {
	s, _ := ctx.Value(operationKey{}).(string)
	return s
}

// ErrNoViewer is returned when a check runs without a viewer in the context.
var ErrNoViewer = fmt.Errorf("no authenticated viewer")

// Require is the one permission check that every transport calls.
func Require(ctx context.Context, perm string) error {
	v := FromContext(ctx)
	if v == nil {
		return ErrNoViewer
	}
	d := v.decide(perm)
	v.Checks.add(d)
	if !d.Allowed {
		return &DeniedError{Permission: perm}
	}
	return nil
}

// decide is Can with the role and rule, when the decider knows them.
func (v *Viewer) decide(perm string) Decision {
	if v.Decider == nil {
		return Decision{Permission: perm}
	}
	d := v.decideNow(perm)
	if !d.Allowed && v.Confirm != nil && v.Confirm() {
		d = v.decideNow(perm)
	}
	return d
}

func (v *Viewer) decideNow(perm string) Decision {
	if e, ok := v.Decider.(Explainer); ok {
		return e.Decide(v.Subject, v.TenantID.String(), perm)
	}
	return Decision{Permission: perm, Allowed: v.Decider.Allowed(v.Subject, v.TenantID.String(), perm)}
}

// Values lets ent use Env as an enum type.
func (Env) Values() []string { return []string{string(Live), string(Sandbox)} }

// Valid reports whether e is live or sandbox.
func (e Env) Valid() bool { return e == Live || e == Sandbox }

// MarshalGQL writes the environment as a GraphQL enum value.
func (e Env) MarshalGQL(w io.Writer) { _, _ = io.WriteString(w, strconv.Quote(string(e))) }

// UnmarshalGQL reads a GraphQL enum value.
func (e *Env) UnmarshalGQL(v any) error {
	s, ok := v.(string)
	if !ok || !Env(s).Valid() {
		return fmt.Errorf("environment must be live or sandbox")
	}
	*e = Env(s)
	return nil
}
