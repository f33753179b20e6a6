package graph_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/cienerp/cienerp/ent/privacy"
	"github.com/cienerp/cienerp/internal/testenv"
	"github.com/cienerp/cienerp/modules/finance"
	"github.com/cienerp/cienerp/modules/itsupport"
	"github.com/cienerp/cienerp/policy"
)

// These tests assert latencies (a change within a second, a socket closed
// in time): they do not call t.Parallel, so that what they measure is the
// platform and not the machine's load.

// Subscriptions through the graphql-ws npm client, against a real server.

type wsClient struct {
	t     *testing.T
	lines <-chan string
	stop  func()
}

// subscribe opens a graphql-ws client on base's /graphql with payload
// and waits until the server holds its subscription.
func subscribe(t *testing.T, e *testenv.Env, url, base string, payload map[string]any, query string) *wsClient {
	t.Helper()
	before := e.App.Realtime.Subscribers()
	raw, _ := json.Marshal(payload)
	lines, stop := testenv.NodeProcess(t, "graphql-ws-client.mjs", "ws"+strings.TrimPrefix(url, "http")+base+"/graphql", string(raw), query)
	c := &wsClient{t: t, lines: lines, stop: stop}
	deadline := time.Now().Add(10 * time.Second)
	for e.App.Realtime.Subscribers() <= before {
		if time.Now().After(deadline) {
			t.Fatalf("the subscription never reached the server: %v", c.drain())
		}
		time.Sleep(10 * time.Millisecond)
	}
	return c
}

// next is the client's next line as JSON; ok is false when none came in time.
func (c *wsClient) next(timeout time.Duration) (map[string]any, bool) {
	for {
		select {
		case line, ok := <-c.lines:
			if !ok {
				return nil, false
			}
			var m map[string]any
			if err := json.Unmarshal([]byte(line), &m); err != nil {
				c.t.Fatalf("client printed %q", line)
			}
			if m["connected"] != nil {
				continue
			}
			return m, true
		case <-time.After(timeout):
			return nil, false
		}
	}
}

func (c *wsClient) drain() []string {
	var out []string
	for {
		select {
		case l, ok := <-c.lines:
			if !ok {
				return out
			}
			out = append(out, l)
		case <-time.After(200 * time.Millisecond):
			return out
		}
	}
}

// closedWith waits for the socket to close and returns its code and reason.
func (c *wsClient) closedWith(timeout time.Duration) (int, string) {
	c.t.Helper()
	deadline := time.After(timeout)
	for {
		select {
		case line, ok := <-c.lines:
			if !ok {
				c.t.Fatal("the client ended without saying how the socket closed")
			}
			var m struct {
				Closed *int   `json:"closed"`
				Reason string `json:"reason"`
			}
			if json.Unmarshal([]byte(line), &m) == nil && m.Closed != nil {
				return *m.Closed, m.Reason
			}
		case <-deadline:
			c.t.Fatalf("the socket stayed open for %v", timeout)
		}
	}
}

func dig(m any, path string) any { return testenv.Dig(m, path) }

func realtimeEnv(t *testing.T) (*testenv.Env, testenv.Tenant, string, string) {
	e := testenv.New(t)
	e.RunBackground()
	acme := e.Tenant("acme")
	_, admin := e.Key(acme.ID, policy.Sandbox, "admin")
	return e, acme, admin, e.Serve()
}

// TestSubscriptionSeesARESTChangeWithinASecond: a ticket updated through
// REST reaches ticketChanged (as the ticket query returns it) and events
// within a second.
func TestSubscriptionSeesARESTChangeWithinASecond(t *testing.T) {
	e, acme, admin, url := realtimeEnv(t)
	id := e.Expect(e.Do("POST", "/api/sandbox/tickets", map[string]any{"title": "Printer jams", "requester_email": acme.Owner.Email}, testenv.Key(admin)), 201).Str("data.id")
	tc := subscribe(t, e, url, "/api/sandbox", map[string]any{"X-API-Key": admin},
		`subscription { ticketChanged(id: "`+id+`") { id title status requesterID } }`)
	ev := subscribe(t, e, url, "/api/sandbox", map[string]any{"X-API-Key": admin}, `subscription { events(types: ["ticket.*"]) { id type sequence data } }`)

	start := time.Now()
	e.Expect(e.Do("PATCH", "/api/sandbox/tickets/"+id, map[string]any{"title": "Printer fixed"}, testenv.Key(admin)), 200)
	m, ok := tc.next(time.Second)
	if !ok || dig(m, "next.data.ticketChanged.title") != "Printer fixed" || dig(m, "next.data.ticketChanged.requesterID") != acme.Owner.ID.String() {
		t.Fatalf("ticketChanged within 1 s: %v", m)
	}
	t.Logf("REST commit to graphql-ws: %v", time.Since(start))
	// The same fields as the query returns.
	q := e.Expect(e.Do("POST", "/api/sandbox/graphql", map[string]any{"query": `{ node(id: "` + id + `") { ... on Ticket { id title status requesterID } } }`}, testenv.Key(admin)), 200)
	if fmt.Sprint(q.Get("data.node")) != fmt.Sprint(dig(m, "next.data.ticketChanged")) {
		t.Fatalf("subscription %v, query %v", dig(m, "next.data.ticketChanged"), q.Get("data.node"))
	}
	m, ok = ev.next(time.Second)
	if !ok || dig(m, "next.data.events.type") != "ticket.updated" || dig(m, "next.data.events.data.previous_attributes.title") != "Printer jams" {
		t.Fatalf("events within 1 s: %v", m)
	}
}

// TestSubscriptionNestedFieldsKeepTheirPermissions: an invoice pushed to a
// key that may not view customers carries the same refusal on customer as
// the invoice query does.
func TestSubscriptionNestedFieldsKeepTheirPermissions(t *testing.T) {
	e, acme, admin, url := realtimeEnv(t)
	e.Expect(e.Do("POST", "/api/sandbox/admin/roles", map[string]any{"name": "billing", "permissions": []string{finance.InvoicesView}}, testenv.Key(admin)), 201)
	_, billing := e.Key(acme.ID, policy.Sandbox, "billing")
	cust := e.Expect(e.Do("POST", "/api/sandbox/customers", map[string]any{"name": "Initech"}, testenv.Key(admin)), 201).Str("data.id")
	const fields = `{ id status customer { name } }`
	c := subscribe(t, e, url, "/api/sandbox", map[string]any{"X-API-Key": billing}, `subscription { invoiceChanged `+fields+` }`)
	inv := e.Expect(e.Do("POST", "/api/sandbox/invoices", map[string]any{"customer_id": cust, "currency": "EUR", "items": []map[string]any{{"description": "Support", "quantity": "1", "unit_price": "10.00"}}}, testenv.Key(admin)), 201).Str("data.id")
	m, ok := c.next(2 * time.Second)
	if !ok {
		t.Fatal("no invoice pushed")
	}
	q := e.Expect(e.Do("POST", "/api/sandbox/graphql", map[string]any{"query": `{ node(id: "` + inv + `") { ... on Invoice ` + fields + ` } }`}, testenv.Key(billing)), 200)
	subCode, queryCode := dig(m, "next.errors.0.extensions.code"), q.Get("errors.0.extensions.code")
	if subCode == nil || subCode != queryCode || dig(m, "next.errors.0.extensions.permission") != finance.CustomersView {
		t.Fatalf("nested customer: subscription %v, query %v", m, q)
	}
}

// TestSubscriptionClosesWhenTheKeyIsRevoked: within a second, with 4403
// and the reason.
func TestSubscriptionClosesWhenTheKeyIsRevoked(t *testing.T) {
	e, acme, admin, url := realtimeEnv(t)
	keyID, key := e.Key(acme.ID, policy.Sandbox, "viewer")
	c := subscribe(t, e, url, "/api/sandbox", map[string]any{"X-API-Key": key}, `subscription { events { id type } }`)
	start := time.Now()
	e.Expect(e.Do("POST", "/api/sandbox/settings/integration-keys/"+keyID.String()+"/revoke", nil, testenv.Key(admin)), 200)
	code, reason := c.closedWith(time.Second)
	if code != 4403 || !strings.Contains(reason, "revoked") {
		t.Fatalf("closed %d %q", code, reason)
	}
	t.Logf("revocation to close: %v", time.Since(start))
}

// TestSubscriptionFollowsPermissions: a role losing tickets.view stops
// ticket events on an open subscription; customer events keep coming.
func TestSubscriptionFollowsPermissions(t *testing.T) {
	e, acme, admin, url := realtimeEnv(t)
	e.Expect(e.Do("POST", "/api/sandbox/admin/roles", map[string]any{"name": "watcher", "permissions": []string{itsupport.TicketsView, finance.CustomersView}}, testenv.Key(admin)), 201)
	_, key := e.Key(acme.ID, policy.Sandbox, "watcher")
	c := subscribe(t, e, url, "/api/sandbox", map[string]any{"X-API-Key": key}, `subscription { events { type } }`)
	ticket := func() {
		e.Expect(e.Do("POST", "/api/sandbox/tickets", map[string]any{"title": "x", "requester_email": acme.Owner.Email}, testenv.Key(admin)), 201)
	}
	ticket()
	if m, ok := c.next(2 * time.Second); !ok || dig(m, "next.data.events.type") != "ticket.created" {
		t.Fatalf("before: %v", m)
	}
	e.Expect(e.Do("PATCH", "/api/sandbox/admin/roles/watcher", map[string]any{"permissions": []string{finance.CustomersView}}, testenv.Key(admin)), 200)
	ticket()
	e.Expect(e.Do("POST", "/api/sandbox/customers", map[string]any{"name": "Initech"}, testenv.Key(admin)), 201)
	if m, ok := c.next(2 * time.Second); !ok || dig(m, "next.data.events.type") != "customer.created" {
		t.Fatalf("after losing tickets.view: %v", m)
	}
}

// TestSubscriptionRefusesCredentialsAsHTTPDoes: none (4401), a sandbox key
// on the live endpoint (4403, naming the right base), an unknown type (the
// subscription's error, the socket stays).
func TestSubscriptionRefusesCredentialsAsHTTPDoes(t *testing.T) {
	e, _, admin, url := realtimeEnv(t)
	for _, c := range []struct {
		base    string
		payload map[string]any
		code    int
		reason  string
	}{
		{"/api/sandbox", map[string]any{}, 4401, "connection_init"},
		{"/api", map[string]any{"X-API-Key": admin}, 4403, "/api/sandbox"},
		{"/api/sandbox", map[string]any{"Authorization": "Basic x"}, 4401, "Bearer"},
		{"/api/sandbox", map[string]any{"X-API-Key": admin, "X-Tenant-ID": "globex"}, 4403, "X-Tenant-ID"},
	} {
		raw, _ := json.Marshal(c.payload)
		lines, _ := testenv.NodeProcess(t, "graphql-ws-client.mjs", "ws"+strings.TrimPrefix(url, "http")+c.base+"/graphql", string(raw), `subscription { events { id } }`)
		w := &wsClient{t: t, lines: lines}
		if code, reason := w.closedWith(5 * time.Second); code != c.code || !strings.Contains(reason, c.reason) {
			t.Errorf("%s %v: closed %d %q, want %d with %q", c.base, c.payload, code, reason, c.code, c.reason)
		}
	}
	lines, _ := testenv.NodeProcess(t, "graphql-ws-client.mjs", "ws"+strings.TrimPrefix(url, "http")+"/api/sandbox/graphql", `{"X-API-Key":"`+admin+`"}`, `subscription { events(types: ["ticket.exploded"]) { id } }`)
	w := &wsClient{t: t, lines: lines}
	m, ok := w.next(5 * time.Second)
	if !ok || !strings.Contains(fmt.Sprint(m), "ticket.exploded") || !strings.Contains(fmt.Sprint(m), "VALIDATION") {
		t.Fatalf("an unknown type: %v", m)
	}
	_ = e
}

// TestSubscriptionsCrossInstances: a subscriber on instance B gets what is
// committed through A, in order; a key revoked on A closes B's socket
// within a second.
func TestSubscriptionsCrossInstances(t *testing.T) {
	// Not parallel: it shares the machine's Redis (the change channel and
	// counter, the limiter's keys) with the other tests that use it.
	nodes := testenv.Cluster(t, 2, testenv.RedisURL(t))
	a, b := nodes[0], nodes[1]
	acme := a.Tenant("acme")
	_, admin := a.Key(acme.ID, policy.Sandbox, "admin")
	keyID, key := a.Key(acme.ID, policy.Sandbox, "viewer")
	urlB := b.Serve()
	c := subscribe(t, b, urlB, "/api/sandbox", map[string]any{"X-API-Key": key}, `subscription { events { type sequence data } }`)
	var ids []string
	for i := range 3 {
		ids = append(ids, a.Expect(a.Do("POST", "/api/sandbox/customers", map[string]any{"name": fmt.Sprint("c", i)}, testenv.Key(admin)), 201).Str("data.id"))
	}
	var prev float64
	for i, id := range ids {
		m, ok := c.next(time.Second)
		if !ok || dig(m, "next.data.events.data.object.id") != id {
			t.Fatalf("event %d on B: %v", i, m)
		}
		seq := dig(m, "next.data.events.sequence").(float64)
		if prev != 0 && seq != prev+1 {
			t.Fatalf("out of order: %v after %v", seq, prev)
		}
		prev = seq
	}
	start := time.Now()
	a.Expect(a.Do("POST", "/api/sandbox/settings/integration-keys/"+keyID.String()+"/revoke", nil, testenv.Key(admin)), 200)
	if code, _ := c.closedWith(time.Second); code != 4403 {
		t.Fatalf("B's socket closed with %d", code)
	}
	t.Logf("revocation on A to close on B: %v", time.Since(start))
}

// TestSubscriptionIsolationRandomized: two tenants × two environments,
// random changes; each subscriber gets exactly its own, in order.
func TestSubscriptionIsolationRandomized(t *testing.T) {
	e := testenv.New(t)
	e.RunBackground()
	url := e.Serve()
	tenants := map[byte]testenv.Tenant{'A': e.Tenant("acme"), 'B': e.Tenant("globex")}
	keys := map[string]string{}
	bases := map[string]string{"sandbox": "/api/sandbox", "live": "/api"}
	names := []string{"A/sandbox", "A/live", "B/sandbox", "B/live"}
	subs := map[string]*wsClient{}
	for _, name := range names {
		_, keys[name] = e.Key(tenants[name[0]].ID, policy.Env(name[2:]), "admin")
		subs[name] = subscribe(t, e, url, bases[name[2:]], map[string]any{"X-API-Key": keys[name]}, `subscription { events { environment sequence data } }`)
	}
	seed := uint64(time.Now().UnixNano())
	rnd := rand.New(rand.NewPCG(seed, 2))
	made := map[string][]string{}
	for i := range 24 {
		name := names[rnd.IntN(len(names))]
		id := e.Expect(e.Do("POST", bases[name[2:]]+"/customers", map[string]any{"name": fmt.Sprint("c", i)}, testenv.Key(keys[name])), 201).Str("data.id")
		made[name] = append(made[name], id)
	}
	for _, name := range names {
		for i, id := range made[name] {
			m, ok := subs[name].next(3 * time.Second)
			if !ok || dig(m, "next.data.events.data.object.id") != id || dig(m, "next.data.events.environment") != name[2:] {
				t.Fatalf("seed %d: %s event %d: %v, want %s", seed, name, i, m, id)
			}
		}
		if m, ok := subs[name].next(200 * time.Millisecond); ok {
			t.Fatalf("seed %d: %s got another's event: %v", seed, name, m)
		}
	}
}

// TestSocketServesSubscriptionsOnlyAndChargesEach: queries and mutations
// over the socket are refused (HTTP checks, logs and limits them), and
// each subscription started costs one request of the credential's budget.
func TestSocketServesSubscriptionsOnlyAndChargesEach(t *testing.T) {
	e, acme, admin, url := realtimeEnv(t)
	ws := "ws" + strings.TrimPrefix(url, "http") + "/api/sandbox/graphql"
	payload := `{"X-API-Key":"` + admin + `"}`
	lines, _ := testenv.NodeProcess(t, "graphql-ws-client.mjs", ws, payload, `{ me { subject } }`)
	q := &wsClient{t: t, lines: lines}
	if m, ok := q.next(5 * time.Second); !ok || !strings.Contains(fmt.Sprint(m), "Only subscriptions") {
		t.Fatalf("a query over the socket: %v", m)
	}
	// A budget of 1 per minute: the connection spends it, the subscription finds none.
	e.App.DB.Client.Tenant.UpdateOneID(acme.ID).SetRateLimitPerMinute(1).ExecX(privacy.DecisionContext(e.Ctx, privacy.Allow))
	e.App.Auth.Dir.ForgetTenant(acme.ID)
	_, fresh := e.Key(acme.ID, policy.Sandbox, "admin")
	lines, _ = testenv.NodeProcess(t, "graphql-ws-client.mjs", ws, `{"X-API-Key":"`+fresh+`"}`, `subscription { events { id } }`)
	r := &wsClient{t: t, lines: lines}
	if m, ok := r.next(5 * time.Second); !ok || !strings.Contains(fmt.Sprint(m), "RATE_LIMITED") {
		t.Fatalf("a subscription past the budget: %v", m)
	}
}

// TestSubscriptionsFollowRowConditions: a requester subscribed over
// graphql-ws (events and ticketChanged) gets its own ticket's changes (the
// canary that anything arrives) and nothing of another's.
func TestSubscriptionsFollowRowConditions(t *testing.T) {
	e, acme, admin, url := realtimeEnv(t)
	me := e.User(acme.ID, "me@acme.test", "requester")
	bob := e.User(acme.ID, "bob@acme.test", "viewer")
	tok := e.Expect(e.Do("POST", "/api/auth/token", map[string]any{"grant_type": "password", "username": me.Email, "password": me.Password}, nil), 200).Str("access_token")
	auth := map[string]any{"Authorization": "Bearer " + tok}
	ev := subscribe(t, e, url, "/api/sandbox", auth, `subscription { events(types: ["ticket.*"]) { type data } }`)
	tc := subscribe(t, e, url, "/api/sandbox", auth, `subscription { ticketChanged { id title } }`)
	theirs := e.Expect(e.Do("POST", "/api/sandbox/tickets", map[string]any{"title": "bob's", "requester_id": bob.ID}, testenv.Key(admin)), 201).Str("data.id")
	e.Expect(e.Do("PATCH", "/api/sandbox/tickets/"+theirs, map[string]any{"title": "bob's, again"}, testenv.Key(admin)), 200)
	mine := e.Expect(e.Do("POST", "/api/sandbox/tickets", map[string]any{"title": "mine", "requester_id": me.ID}, testenv.Key(admin)), 201).Str("data.id")
	m, ok := ev.next(5 * time.Second)
	if !ok || dig(m, "next.data.events.data.object.id") != mine {
		t.Fatalf("events: the first event %v, want my ticket's", m)
	}
	m, ok = tc.next(5 * time.Second)
	if !ok || dig(m, "next.data.ticketChanged.id") != mine {
		t.Fatalf("ticketChanged: the first change %v, want my ticket's", m)
	}
}
