package graph_test

import (
	"strconv"
	"testing"

	"github.com/cienerp/cienerp/ent/privacy"
	"github.com/cienerp/cienerp/ent/tenant"
	"github.com/cienerp/cienerp/graph"
	"github.com/cienerp/cienerp/internal/testenv"
	"github.com/cienerp/cienerp/policy"
)

// TestGraphQLSpendsTheRateBudgetByCost: an operation spends as many
// requests as its computed cost asks (extensions.cost.ratePoints), shown
// in X-RateLimit-Remaining; one that costs more than is left is a 429
// before anything runs, and charges nothing.
func TestGraphQLSpendsTheRateBudgetByCost(t *testing.T) {
	t.Parallel()
	e := testenv.New(t)
	a := e.Tenant("acme")
	if _, err := e.App.DB.Client.Tenant.Update().Where(tenant.ID(a.ID)).SetRateLimitPerMinute(12).Save(privacy.DecisionContext(e.Ctx, privacy.Allow)); err != nil {
		t.Fatal(err)
	}
	e.App.Auth.Dir.ForgetTenant(a.ID)
	_, key := e.Key(a.ID, policy.Sandbox, "admin")
	h := testenv.Key(key)
	remaining := func(r *testenv.Response) int {
		n, err := strconv.Atoi(r.Header.Get("X-RateLimit-Remaining"))
		if err != nil {
			t.Fatalf("X-RateLimit-Remaining: %v", r.Header)
		}
		return n
	}
	cheap := e.Expect(e.Do("POST", "/api/sandbox/graphql", map[string]any{"query": "{ me { subject } }"}, h), 200)
	if p := testenv.Dig(cheap.Body, "extensions.cost.ratePoints"); p != 1.0 || remaining(cheap) != 11 {
		t.Fatalf("a cheap query: points %v, remaining %d: %s", p, remaining(cheap), cheap.Raw)
	}
	if testenv.Dig(cheap.Body, "extensions.rateLimit.remaining") != 11.0 || testenv.Dig(cheap.Body, "extensions.rateLimit.limit") != 12.0 || testenv.Dig(cheap.Body, "extensions.rateLimit.resetAt") == nil {
		t.Fatalf("extensions.rateLimit: %s", cheap.Raw)
	}
	big := "{ tickets(first: 100) { edges { node { id title status priority createdAt } } } }"
	r := e.Expect(e.Do("POST", "/api/sandbox/graphql", map[string]any{"query": big}, h), 200)
	cost := int(testenv.Dig(r.Body, "extensions.cost.requested").(float64))
	points := graph.RatePoints(cost)
	if points < 2 || testenv.Dig(r.Body, "extensions.cost.ratePoints") != float64(points) || remaining(r) > 11-points {
		t.Fatalf("cost %d, %d points: remaining %d after 11: %s", cost, points, remaining(r), r.Raw)
	}
	if testenv.Dig(r.Body, "extensions.rateLimit.remaining") != float64(remaining(r)) {
		t.Fatalf("extensions.rateLimit disagrees with X-RateLimit-Remaining: %s %v", r.Raw, r.Header)
	}
	left := remaining(r)
	if left >= points {
		t.Fatalf("the test needs fewer than %d left, has %d", points, left)
	}
	before := e.Queries.Count()
	refused := e.Expect(e.Do("POST", "/api/sandbox/graphql", map[string]any{"query": big}, h), 429)
	if testenv.Dig(refused.Body, "errors.0.extensions.code") != "RATE_LIMITED" || refused.Body["data"] != nil || refused.Header.Get("Retry-After") == "" {
		t.Fatalf("over budget: %s %v", refused.Raw, refused.Header)
	}
	if n := e.Queries.Count() - before; n != 0 {
		t.Fatalf("%d queries ran for a refused operation", n)
	}
	// The refused operation took nothing beyond its request's own point:
	// a cheap query still fits.
	if left > 1 {
		e.Expect(e.Do("POST", "/api/sandbox/graphql", map[string]any{"query": "{ me { subject } }"}, h), 200)
	}
}
