package graph_test

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/cienerp/cienerp/ent/privacy"
	"github.com/cienerp/cienerp/ent/tenant"
	"github.com/cienerp/cienerp/internal/testenv"
	"github.com/cienerp/cienerp/policy"
)

// The same 20 tickets through GraphQL and through REST, side by side.

func benchTickets(b *testing.B) (*testenv.Env, string) {
	e := testenv.New(b)
	tn := e.Tenant("bench")
	e.App.DB.Client.Tenant.Update().Where(tenant.ID(tn.ID)).SetRateLimitPerMinute(1_000_000).ExecX(privacy.DecisionContext(e.Ctx, privacy.Allow))
	_, key := e.Key(tn.ID, policy.Sandbox, "admin")
	for i := 0; i < 40; i++ {
		e.Expect(e.Do("POST", "/api/sandbox/tickets", map[string]any{"title": "Bench ticket", "requester_id": tn.Owner.ID}, testenv.Key(key)), 201)
	}
	return e, key
}

func run(b *testing.B, e *testenv.Env, method, path, body, key string) {
	for b.Loop() {
		req := httptest.NewRequest(method, path, strings.NewReader(body))
		req.Header.Set("X-API-Key", key)
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		w := httptest.NewRecorder()
		e.App.Handler.ServeHTTP(w, req)
		if w.Code != 200 || strings.Contains(w.Body.String(), `"errors"`) {
			b.Fatalf("%d %s", w.Code, w.Body)
		}
	}
}

func BenchmarkGraphQLTickets20(b *testing.B) {
	e, key := benchTickets(b)
	run(b, e, "POST", "/api/sandbox/graphql", `{"query":"{ tickets(first: 20) { edges { node { id number title description status priority requesterID assigneeID createdBy createdAt updatedAt } } } }"}`, key)
}

func BenchmarkRESTTickets20(b *testing.B) {
	e, key := benchTickets(b)
	run(b, e, "GET", "/api/sandbox/tickets?limit=20", "", key)
}
