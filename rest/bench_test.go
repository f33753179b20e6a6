package rest_test

import (
	"net/http/httptest"
	"testing"

	"github.com/cienerp/cienerp/ent/privacy"
	"github.com/cienerp/cienerp/ent/tenant"
	"github.com/cienerp/cienerp/internal/testenv"
	"github.com/cienerp/cienerp/policy"
)

// benchEnv is a tenant with a high rate limit and an admin sandbox key.
func benchEnv(b *testing.B) (*testenv.Env, string, testenv.Tenant) {
	e := testenv.New(b)
	tn := e.Tenant("bench")
	e.App.DB.Client.Tenant.Update().Where(tenant.ID(tn.ID)).SetRateLimitPerMinute(1_000_000).ExecX(privacy.DecisionContext(e.Ctx, privacy.Allow))
	_, key := e.Key(tn.ID, policy.Sandbox, "admin")
	return e, key, tn
}

func serve(b *testing.B, e *testenv.Env, path, key string) {
	req := httptest.NewRequest("GET", path, nil)
	req.Header.Set("X-API-Key", key)
	for b.Loop() {
		w := httptest.NewRecorder()
		e.App.Handler.ServeHTTP(w, req)
		if w.Code != 200 {
			b.Fatalf("status %d: %s", w.Code, w.Body)
		}
	}
}

// BenchmarkMiddlewareChain measures request id, logging, metrics,
// authentication, tenant resolution, rate limit and a permission decision
// (GET /me), with warm caches: no database on this path.
func BenchmarkMiddlewareChain(b *testing.B) {
	e, key, _ := benchEnv(b)
	serve(b, e, "/api/sandbox/me", key)
}

// BenchmarkTicketList measures an authenticated list of 20 tickets: one
// query.
func BenchmarkTicketList(b *testing.B) {
	e, key, tn := benchEnv(b)
	for i := 0; i < 40; i++ {
		e.Expect(e.Do("POST", "/api/sandbox/tickets", map[string]any{"title": "Bench ticket", "requester_id": tn.Owner.ID}, testenv.Key(key)), 201)
	}
	serve(b, e, "/api/sandbox/tickets?limit=20", key)
}
