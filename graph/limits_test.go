package graph_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/cienerp/cienerp/app"
	"github.com/cienerp/cienerp/internal/testenv"
	"github.com/cienerp/cienerp/policy"
)

// fragments builds n fragments on typ, each spreading the next twice: the
// query is a few hundred bytes, its expansion 2^n selections.
func fragments(n int, typ string) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, " fragment F%d on %s { __typename ...F%d ...F%d }", i, typ, i+1, i+1)
	}
	fmt.Fprintf(&b, " fragment F%d on %s { __typename }", n, typ)
	return b.String()
}

// TestGraphQLLimitsCountTheQueryAsExecuted: fragments spread into each
// other, aliases and introspection are counted expanded, and refused
// before any resolver or query runs. Before, a 1.3 KB query of 24 nested
// fragments took seconds of CPU and then ran; 200 aliased introspections
// returned 21 MB.
func TestGraphQLLimitsCountTheQueryAsExecuted(t *testing.T) {
	t.Parallel()
	e := testenv.New(t)
	a := e.Tenant("acme")
	_, key := e.Key(a.ID, policy.Sandbox, "admin")
	h := testenv.Key(key)
	e.Expect(e.Do("GET", "/api/sandbox/me", nil, h), 200) // warm the credential cache
	introspection, err := os.ReadFile("introspection.graphql")
	if err != nil {
		t.Fatal(err)
	}
	aliased := func(n int, field string) string {
		var b strings.Builder
		b.WriteString("{")
		for i := 0; i < n; i++ {
			fmt.Fprintf(&b, " a%d: %s", i, field)
		}
		return b.String() + " }"
	}
	schemaQuery := strings.TrimSpace(string(introspection))
	schemaQuery = schemaQuery[strings.Index(schemaQuery, "{")+1 : strings.LastIndex(schemaQuery[:strings.Index(schemaQuery, "fragment")], "}")]
	fragmentDefs := string(introspection)[strings.Index(string(introspection), "fragment"):]
	for _, c := range []struct{ name, query, code string }{
		{"fragments at the root", "query { ...F0 }" + fragments(24, "Query"), "ROOT_FIELD_LIMIT_EXCEEDED"},
		{"fragments in a connection", "query { tickets(first: 1) { edges { node { ...F0 } } } }" + fragments(24, "Ticket"), "COMPLEXITY_LIMIT_EXCEEDED"},
		{"aliases", aliased(31, "tickets(first: 1) { totalCount }"), "ROOT_FIELD_LIMIT_EXCEEDED"},
		{"aliased introspections", "query " + aliased(2, strings.TrimSpace(schemaQuery)) + fragmentDefs, "INTROSPECTION_LIMIT_EXCEEDED"},
		{"introspection in fragments", "query { ...S ...T } fragment S on Query { __schema { types { name } } } fragment T on Query { again: __schema { types { name } } }", "INTROSPECTION_LIMIT_EXCEEDED"},
		{"deep introspection", `{ __type(name: "Query") { ` + strings.Repeat("ofType { ", 30) + "name" + strings.Repeat(" }", 30) + " } }", "DEPTH_LIMIT_EXCEEDED"},
	} {
		before := e.Queries.Count()
		r := e.Do("POST", "/api/sandbox/graphql", map[string]any{"query": c.query}, h)
		if got := testenv.Dig(r.Body, "errors.0.extensions.code"); got != c.code || r.Body["data"] != nil {
			t.Errorf("%s: %s, want %s and no data", c.name, r, c.code)
		}
		if n := e.Queries.Count() - before; n != 0 {
			t.Errorf("%s: %d queries ran before the refusal", c.name, n)
		}
	}

	// The introspection query every GraphQL tool sends passes, and costs
	// what its fields are.
	r := e.Expect(e.Do("POST", "/api/sandbox/graphql", map[string]any{"query": string(introspection)}, h), 200)
	if r.Body["errors"] != nil || testenv.Dig(r.Body, "data.__schema.queryType.name") != "Query" {
		t.Fatalf("standard introspection: %.300s", r.Raw)
	}
	if cost := testenv.Dig(r.Body, "extensions.cost.requested"); cost == nil || cost.(float64) < 50 {
		t.Errorf("introspection is not counted: cost %v", cost)
	}
}

// TestGraphQLIntrospectionFollowsTheEnvironment: on by default in sandbox
// only; CIEN_GRAPHQL_INTROSPECTION opens it for live too. __typename is
// always there, and the SDL stays downloadable.
func TestGraphQLIntrospectionFollowsTheEnvironment(t *testing.T) {
	t.Parallel()
	query := map[string]any{"query": "{ __typename __schema { queryType { name } } }"}
	e := testenv.New(t)
	a := e.Tenant("acme")
	_, sandboxKey := e.Key(a.ID, policy.Sandbox, "admin")
	_, liveKey := e.Key(a.ID, policy.Live, "admin")
	if r := e.Do("POST", "/api/sandbox/graphql", query, testenv.Key(sandboxKey)); testenv.Dig(r.Body, "data.__schema.queryType.name") != "Query" {
		t.Errorf("sandbox: %s", r)
	}
	r := e.Do("POST", "/api/graphql", query, testenv.Key(liveKey))
	if testenv.Dig(r.Body, "errors.0.extensions.code") != "INTROSPECTION_DISABLED" || !strings.Contains(string(r.Raw), "schema.graphql") {
		t.Errorf("live, by default: %s", r)
	}
	if r := e.Do("POST", "/api/graphql", map[string]any{"query": "{ __typename }"}, testenv.Key(liveKey)); testenv.Dig(r.Body, "data.__typename") != "Query" {
		t.Errorf("live __typename: %s", r)
	}
	if r := e.Do("GET", "/api/graphql/schema.graphql", nil, nil); r.Code != 200 || !strings.Contains(string(r.Raw), "type Query") {
		t.Errorf("SDL: %d", r.Code)
	}

	open := testenv.New(t, func(c *app.Config) { c.GraphQL.Introspection = []policy.Env{policy.Sandbox, policy.Live} })
	b := open.Tenant("acme")
	_, liveKey = open.Key(b.ID, policy.Live, "admin")
	if r := open.Do("POST", "/api/graphql", query, testenv.Key(liveKey)); testenv.Dig(r.Body, "data.__schema.queryType.name") != "Query" {
		t.Errorf("live, opened: %s", r)
	}
}

// TestGraphQLStopsAtItsTimeBudget: a query that waits on the database is
// stopped when the request's budget runs out (answer UNAVAILABLE, reason
// timeout) and when its client hangs up (the database query is cancelled,
// not left running). PostgreSQL: a table lock makes the query wait.
func TestGraphQLStopsAtItsTimeBudget(t *testing.T) {
	// Not parallel: it measures time, not the machine's load.
	if testenv.Kind() != "postgres" {
		t.Skip("a waiting query needs PostgreSQL's locks (CIEN_TEST_DB=postgres)")
	}
	e := testenv.New(t, func(c *app.Config) { c.GraphQL.Timeout = 300 * time.Millisecond })
	a := e.Tenant("acme")
	_, key := e.Key(a.ID, policy.Sandbox, "admin")
	h := testenv.Key(key)
	e.Expect(e.Do("GET", "/api/sandbox/me", nil, h), 200)
	lock, err := e.App.DB.SQL.BeginTx(e.Ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Rollback()
	if _, err := lock.Exec("LOCK TABLE tickets IN ACCESS EXCLUSIVE MODE"); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	r := e.Do("POST", "/api/sandbox/graphql", map[string]any{"query": "{ tickets { totalCount } }"}, h)
	if took := time.Since(start); testenv.Dig(r.Body, "errors.0.extensions.reason") != "timeout" || took > 5*time.Second {
		t.Errorf("after %v: %s, want reason timeout", took, r)
	}

	// A client that hangs up: its query must not stay waiting on the lock.
	base := e.Serve()
	ctx, cancel := context.WithTimeout(e.Ctx, 100*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "POST", base+"/api/sandbox/graphql", strings.NewReader(`{"query":"{ tickets { totalCount } }"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-API-Key", key)
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
	}
	waiting := func() (n int) {
		_ = lock.QueryRow(`SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`).Scan(&n)
		return n
	}
	deadline := time.Now().Add(2 * time.Second)
	for waiting() > 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if n := waiting(); n > 0 {
		t.Errorf("%d queries still wait after their clients left", n)
	}
}
