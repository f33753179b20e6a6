package rest_test

import (
	"testing"

	"github.com/google/uuid"

	"github.com/cienerp/cienerp/app"
	"github.com/cienerp/cienerp/internal/testenv"
	"github.com/cienerp/cienerp/policy"
)

// fixture is two tenants, each with keys in both environments.
type fixture struct {
	*testenv.Env
	A, B        testenv.Tenant
	sandboxA    string // admin key, tenant A, sandbox
	liveA       string // admin key, tenant A, live
	sandboxB    string // admin key, tenant B, sandbox
	sandboxAKey uuid.UUID
}

type appConfig = app.Config

const (
	sandbox = "/api/sandbox"
	live    = "/api"
)

func setup(t *testing.T, opts ...testenv.Options) *fixture {
	t.Helper()
	e := testenv.New(t, opts...)
	f := &fixture{Env: e, A: e.Tenant("acme"), B: e.Tenant("globex")}
	f.sandboxAKey, f.sandboxA = e.Key(f.A.ID, policy.Sandbox, "admin")
	_, f.liveA = e.Key(f.A.ID, policy.Live, "admin")
	_, f.sandboxB = e.Key(f.B.ID, policy.Sandbox, "admin")
	return f
}

// ticket opens a ticket as key for requester and returns its id.
func (f *fixture) ticket(base, key string, requester uuid.UUID, title string) string {
	f.T.Helper()
	r := f.Expect(f.Do("POST", base+"/tickets", map[string]any{"title": title, "requester_id": requester}, testenv.Key(key)), 201)
	return r.Str("data.id")
}

// token gets a password-grant access token.
func (f *fixture) token(u testenv.User, tenant string) string {
	f.T.Helper()
	body := map[string]any{"grant_type": "password", "username": u.Email, "password": u.Password}
	if tenant != "" {
		body["tenant"] = tenant
	}
	r := f.Expect(f.Do("POST", "/api/auth/token", body, nil), 200)
	return r.Str("access_token")
}
