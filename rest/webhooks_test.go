package rest_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cienerp/cienerp/internal/testenv"
	"github.com/cienerp/cienerp/modules/itsupport"
	"github.com/cienerp/cienerp/modules/settings"
	"github.com/cienerp/cienerp/policy"
	"github.com/cienerp/cienerp/service"
)

// webhooks: a fixture whose instance works deliveries, with local
// receivers allowed and a short retry schedule.
func webhooks(t *testing.T, retries ...time.Duration) *fixture {
	f := setup(t, func(c *appConfig) {
		c.WebhookAllowPrivate = true
		c.Webhooks = service.WebhookRules{Retries: retries}
	})
	f.RunBackground()
	return f
}

func (f *fixture) endpoint(base, key, url string, types ...string) (id, secret string) {
	f.T.Helper()
	r := f.Expect(f.Do("POST", base+"/webhook-endpoints", map[string]any{"url": url, "event_types": types}, testenv.Key(key)), 201)
	return r.Str("data.id"), r.Str("data.secret")
}

// verify checks deliveries with the standardwebhooks npm library, as a
// real receiver would, against each secret; it returns the output lines.
func verify(t *testing.T, secrets []string, got []testenv.Received) []string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "deliveries.json")
	raw, _ := json.Marshal(map[string]any{"secrets": secrets, "requests": got})
	if err := os.WriteFile(file, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSpace(string(testenv.Node(t, "verify-webhooks.mjs", file))), "\n")
}

func TestWebhookDeliveredSignedAndAsTheAPIShowsIt(t *testing.T) {
	t.Parallel()
	f := webhooks(t)
	rc := testenv.NewReceiver(t)
	epID, secret := f.endpoint(sandbox, f.sandboxA, rc.URL, "ticket.*")
	if !strings.HasPrefix(secret, "whsec_") {
		t.Fatalf("secret %q is not whsec_…", secret)
	}
	// The secret is shown once.
	if r := f.Expect(f.Do("GET", sandbox+"/webhook-endpoints/"+epID, nil, testenv.Key(f.sandboxA)), 200); r.Get("data.secret") != nil {
		t.Fatal("GET shows the endpoint's secret")
	}
	start := time.Now()
	ticketID := f.ticket(sandbox, f.sandboxA, f.A.Owner.ID, "Printer on fire")
	got := rc.WaitFor(t, 1, 2*time.Second)
	t.Logf("commit to delivery: %s", got[0].At.Sub(start))

	var ev map[string]any
	if err := json.Unmarshal([]byte(got[0].Body), &ev); err != nil {
		t.Fatal(err)
	}
	if ev["type"] != "ticket.created" || !strings.HasPrefix(got[0].Headers["webhook-id"], "msg_") {
		t.Fatalf("delivery %v %s", got[0].Headers, got[0].Body)
	}
	// data.object is the ticket exactly as GET returns it (nothing changed since).
	ticket := f.Expect(f.Do("GET", sandbox+"/tickets/"+ticketID, nil, testenv.Key(f.sandboxA)), 200)
	want, _ := json.Marshal(ticket.Get("data"))
	gotObj, _ := json.Marshal(ev["data"].(map[string]any)["object"])
	if string(want) != string(gotObj) {
		t.Fatalf("data.object\n%s\nwant (GET)\n%s", gotObj, want)
	}
	// The body is the event of the feed, byte for byte.
	feed := f.Expect(f.Do("GET", sandbox+"/events/"+ev["id"].(string), nil, testenv.Key(f.sandboxA)), 200)
	inFeed, _ := json.Marshal(feed.Get("data"))
	var delivered any
	_ = json.Unmarshal([]byte(got[0].Body), &delivered)
	again, _ := json.Marshal(delivered)
	if string(inFeed) != string(again) {
		t.Fatalf("delivered event differs from GET /events/{id}:\n%s\n%s", again, inFeed)
	}
	if out := verify(t, []string{secret}, got[:1]); len(out) != 1 || !strings.HasPrefix(out[0], "ok msg_") {
		t.Fatalf("standardwebhooks: %v", out)
	}
	if out := verify(t, []string{"whsec_" + strings.Repeat("A", 43) + "="}, got[:1]); !strings.HasPrefix(out[0], "bad") {
		t.Fatalf("a wrong secret verified: %v", out)
	}

	// Rotation: for 24 h both the old and the new secret verify.
	rot := f.Expect(f.Do("POST", sandbox+"/webhook-endpoints/"+epID+"/rotate-secret", nil, testenv.Key(f.sandboxA)), 200)
	newSecret := rot.Str("data.secret")
	f.Expect(f.Do("PATCH", sandbox+"/tickets/"+ticketID, map[string]any{"priority": "high"}, testenv.Key(f.sandboxA)), 200)
	got = rc.WaitFor(t, 2, 2*time.Second)
	if n := len(strings.Fields(got[1].Headers["webhook-signature"])); n != 2 {
		t.Fatalf("after a rotation %d signatures, want 2: %q", n, got[1].Headers["webhook-signature"])
	}
	out := verify(t, []string{secret, newSecret}, got[1:2])
	if len(out) != 2 || !strings.HasPrefix(out[0], "ok") || !strings.HasPrefix(out[1], "ok") {
		t.Fatalf("standardwebhooks after rotation: %v", out)
	}
	var upd map[string]any
	_ = json.Unmarshal([]byte(got[1].Body), &upd)
	prev := upd["data"].(map[string]any)["previous_attributes"].(map[string]any)
	if upd["type"] != "ticket.updated" || prev["priority"] != "normal" {
		t.Fatalf("update event: %s", got[1].Body)
	}
}

func TestWebhookRetriedWithTheSameID(t *testing.T) {
	t.Parallel()
	f := webhooks(t, 50*time.Millisecond, 50*time.Millisecond, 50*time.Millisecond)
	rc := testenv.NewReceiver(t)
	rc.Answer = func(n int, _ *http.Request) int {
		if n <= 2 {
			return 500
		}
		return 200
	}
	epID, _ := f.endpoint(sandbox, f.sandboxA, rc.URL, "ticket.created")
	f.ticket(sandbox, f.sandboxA, f.A.Owner.ID, "Flaky receiver")
	got := rc.WaitFor(t, 3, 5*time.Second)
	for _, g := range got {
		if g.Headers["webhook-id"] != got[0].Headers["webhook-id"] {
			t.Fatalf("webhook-id changed between attempts: %q, %q", got[0].Headers["webhook-id"], g.Headers["webhook-id"])
		}
	}
	d := waitDelivery(t, f, got[0].Headers["webhook-id"], "delivered")
	if n := len(d.Get("data.attempt_log").([]any)); n != 3 || d.Get("data.attempts").(float64) != 3 {
		t.Fatalf("attempts: %v", d.Get("data"))
	}
	if code := d.Get("data.attempt_log.0.status_code"); code != 500.0 {
		t.Fatalf("first attempt recorded %v, want 500", code)
	}
	list := f.Expect(f.Do("GET", sandbox+"/webhook-endpoints/"+epID+"/deliveries?status=delivered", nil, testenv.Key(f.sandboxA)), 200)
	if len(list.List()) != 1 {
		t.Fatalf("delivered deliveries: %v", list.Body)
	}
	f.Expect(f.Do("GET", sandbox+"/webhook-endpoints/"+epID+"/deliveries?status=bogus", nil, testenv.Key(f.sandboxA)), 422)
}

// waitDelivery polls a delivery until it has status.
func waitDelivery(t *testing.T, f *fixture, id, status string) *testenv.Response {
	t.Helper()
	var r *testenv.Response
	for i := 0; i < 300; i++ {
		r = f.Expect(f.Do("GET", sandbox+"/webhook-deliveries/"+id, nil, testenv.Key(f.sandboxA)), 200)
		if r.Str("data.status") == status {
			return r
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("delivery %s never became %s: %v", id, status, r.Body)
	return r
}

func TestWebhookFailedThenRetriedByHand(t *testing.T) {
	t.Parallel()
	f := webhooks(t, 20*time.Millisecond, 20*time.Millisecond)
	rc := testenv.NewReceiver(t)
	down := true
	rc.Answer = func(int, *http.Request) int {
		if down {
			return http.StatusServiceUnavailable
		}
		return http.StatusNoContent
	}
	f.endpoint(sandbox, f.sandboxA, rc.URL, "*")
	f.ticket(sandbox, f.sandboxA, f.A.Owner.ID, "Receiver down")
	got := rc.WaitFor(t, 3, 5*time.Second) // one attempt and two retries
	id := got[0].Headers["webhook-id"]
	d := waitDelivery(t, f, id, "failed")
	if d.Str("data.last_error") == "" {
		t.Fatalf("failed without a reason: %v", d.Body)
	}
	time.Sleep(200 * time.Millisecond)
	if n := len(rc.Got()); n != 3 {
		t.Fatalf("%d attempts after failing, want 3", n)
	}
	down = false
	f.Expect(f.Do("POST", sandbox+"/webhook-deliveries/"+id+"/retry", nil, testenv.Key(f.sandboxA)), 202)
	waitDelivery(t, f, id, "delivered")
	if last := rc.Got()[len(rc.Got())-1]; last.Headers["webhook-id"] != id {
		t.Fatalf("manual retry changed the webhook-id: %s", last.Headers["webhook-id"])
	}
}

func TestWebhookEndpointDisabledAfterFailingTooLong(t *testing.T) {
	t.Parallel()
	f := setup(t, func(c *appConfig) {
		c.WebhookAllowPrivate = true
		c.Webhooks = service.WebhookRules{Retries: []time.Duration{10 * time.Millisecond}, DisableAfter: time.Millisecond}
	})
	f.RunBackground()
	bad := testenv.NewReceiver(t)
	bad.Answer = func(int, *http.Request) int { return 500 }
	watcher := testenv.NewReceiver(t)
	epID, _ := f.endpoint(sandbox, f.sandboxA, bad.URL, "ticket.created")
	f.endpoint(sandbox, f.sandboxA, watcher.URL, "webhook_endpoint.disabled")
	f.ticket(sandbox, f.sandboxA, f.A.Owner.ID, "one")
	bad.WaitFor(t, 2, 5*time.Second)
	got := watcher.WaitFor(t, 1, 5*time.Second)
	if !strings.Contains(got[0].Body, `"type":"webhook_endpoint.disabled"`) || !strings.Contains(got[0].Body, epID) {
		t.Fatalf("watcher got %s", got[0].Body)
	}
	ep := f.Expect(f.Do("GET", sandbox+"/webhook-endpoints/"+epID, nil, testenv.Key(f.sandboxA)), 200)
	if ep.Get("data.enabled") != false || ep.Str("data.disabled_reason") == "" {
		t.Fatalf("endpoint after failing: %v", ep.Body)
	}
	audit := f.Expect(f.Do("GET", sandbox+"/audit-events?action=webhook_endpoint.disabled", nil, testenv.Key(f.sandboxA)), 200)
	if len(audit.List()) != 1 {
		t.Fatalf("audit of the disabling: %v", audit.Body)
	}
	// Disabled: later events are not delivered to it.
	f.ticket(sandbox, f.sandboxA, f.A.Owner.ID, "two")
	time.Sleep(300 * time.Millisecond)
	if n := len(bad.Got()); n != 2 {
		t.Fatalf("a disabled endpoint got %d requests, want 2", n)
	}
}

func TestWebhookURLsAreChecked(t *testing.T) {
	t.Parallel()
	f := setup(t) // private addresses refused (the default)
	for _, c := range []struct{ base, key, url string }{
		{live, f.liveA, "http://example.com/hook"},              // live needs https
		{sandbox, f.sandboxA, "https://10.0.0.7/hook"},          // private
		{sandbox, f.sandboxA, "https://169.254.169.254/latest"}, // metadata
		{sandbox, f.sandboxA, "http://127.0.0.1:9/hook"},        // loopback
		{sandbox, f.sandboxA, "http://[::1]/hook"},              // loopback v6
		{sandbox, f.sandboxA, "https://localhost/hook"},         // localhost by name
		{sandbox, f.sandboxA, "not a url"},
		{sandbox, f.sandboxA, "ftp://example.com/x"},
		{sandbox, f.sandboxA, "https://user:pw@example.com/x"},
	} {
		r := f.Expect(f.Do("POST", c.base+"/webhook-endpoints", map[string]any{"url": c.url, "event_types": []string{"*"}}, testenv.Key(c.key)), 422)
		if len(r.Errors()["url"]) == 0 {
			t.Errorf("%s: 422 does not name url: %v", c.url, r.Body)
		}
	}
	r := f.Expect(f.Do("POST", sandbox+"/webhook-endpoints", map[string]any{"url": "https://example.com", "event_types": []string{"invoice.nope"}}, testenv.Key(f.sandboxA)), 422)
	if len(r.Errors()["event_types"]) == 0 {
		t.Errorf("unknown event type: %v", r.Body)
	}
	// Permission: an it-agent may not manage endpoints.
	_, agent := f.Key(f.A.ID, policy.Sandbox, "it-agent")
	r = f.Expect(f.Do("GET", sandbox+"/webhook-endpoints", nil, testenv.Key(agent)), 403)
	if !strings.Contains(r.String(), settings.WebhooksManage) {
		t.Errorf("403 does not name %s: %v", settings.WebhooksManage, r.Body)
	}
}

func TestEventsFeedPermissionsIsolationAndCursor(t *testing.T) {
	t.Parallel()
	f := setup(t, func(c *appConfig) { c.WebhookAllowPrivate = true })
	_, agent := f.Key(f.A.ID, policy.Sandbox, "it-agent")
	_, accountant := f.Key(f.A.ID, policy.Sandbox, "accountant")
	ticketID := f.ticket(sandbox, f.sandboxA, f.A.Owner.ID, "feed")
	f.Expect(f.Do("POST", sandbox+"/customers", map[string]any{"name": "Acme"}, testenv.Key(f.sandboxA)), 201)
	f.ticket(live, f.liveA, f.A.Owner.ID, "live one")
	f.ticket(sandbox, f.sandboxB, f.B.Owner.ID, "other tenant")
	// A validation failure changes nothing and writes no event.
	f.Expect(f.Do("POST", sandbox+"/customers", map[string]any{"name": ""}, testenv.Key(f.sandboxA)), 422)

	types := func(key, query string) []string {
		r := f.Expect(f.Do("GET", sandbox+"/events"+query, nil, testenv.Key(key)), 200)
		var out []string
		for _, e := range r.List() {
			out = append(out, e.(map[string]any)["type"].(string))
		}
		return out
	}
	// The admin also sees the creation of the two keys above and its own.
	if got := strings.Join(types(f.sandboxA, ""), ","); got != "integration_key.created,integration_key.created,integration_key.created,ticket.created,customer.created" {
		t.Fatalf("admin's sandbox feed: %s", got)
	}
	if got := strings.Join(types(agent, ""), ","); got != "ticket.created" {
		t.Fatalf("it-agent sees %s, want only ticket events", got)
	}
	if got := strings.Join(types(accountant, ""), ","); got != "customer.created" {
		t.Fatalf("accountant sees %s, want only customer events", got)
	}
	// GraphQL's events are the same list under the same rule.
	g := f.Expect(f.Do("POST", sandbox+"/graphql", map[string]any{"query": `{ events { nodes { type sequence } hasNextPage } }`}, testenv.Key(agent)), 200)
	if nodes, _ := g.Get("data.events.nodes").([]any); len(nodes) != 1 || g.Str("data.events.nodes.0.type") != "ticket.created" {
		t.Fatalf("GraphQL events for the it-agent: %v", g.Body)
	}
	if got := strings.Join(types(f.sandboxA, "?type=customer.*"), ","); got != "customer.created" {
		t.Fatalf("type=customer.*: %s", got)
	}
	if got := strings.Join(types(f.sandboxA, "?object_id="+ticketID), ","); got != "ticket.created" {
		t.Fatalf("object_id: %s", got)
	}
	f.Expect(f.Do("GET", sandbox+"/events?type=nonsense", nil, testenv.Key(f.sandboxA)), 422)
	f.Expect(f.Do("GET", sandbox+"/events?since=yesterday", nil, testenv.Key(f.sandboxA)), 422)

	// Another tenant's or environment's event is not found; one the caller
	// may not view is not found either.
	ev := f.Expect(f.Do("GET", sandbox+"/events?type=ticket.created", nil, testenv.Key(f.sandboxA)), 200).Str("data.0.id")
	f.Expect(f.Do("GET", sandbox+"/events/"+ev, nil, testenv.Key(f.sandboxB)), 404)
	f.Expect(f.Do("GET", live+"/events/"+ev, nil, testenv.Key(f.liveA)), 404)
	f.Expect(f.Do("GET", sandbox+"/events/"+ev, nil, testenv.Key(accountant)), 404)

	// Polling: the last page still has a cursor; later events come after it.
	page := f.Expect(f.Do("GET", sandbox+"/events?limit=4", nil, testenv.Key(f.sandboxA)), 200)
	cur := page.Str("meta.next_cursor")
	page = f.Expect(f.Do("GET", sandbox+"/events?limit=5&cursor="+cur, nil, testenv.Key(f.sandboxA)), 200)
	if len(page.List()) != 1 || page.Get("meta.has_more") != false || page.Str("meta.next_cursor") == "" {
		t.Fatalf("last page: %v", page.Body)
	}
	cur = page.Str("meta.next_cursor")
	f.Expect(f.Do("PATCH", sandbox+"/tickets/"+ticketID, map[string]any{"status": "in_progress"}, testenv.Key(f.sandboxA)), 200)
	page = f.Expect(f.Do("GET", sandbox+"/events?cursor="+cur, nil, testenv.Key(f.sandboxA)), 200)
	if len(page.List()) != 1 || page.Str("data.0.type") != "ticket.updated" || page.Get("data.0.sequence") != 6.0 { // after three keys, a ticket, a customer
		t.Fatalf("after the cursor: %v", page.Body)
	}

	// Endpoints and deliveries of another tenant are not found.
	id, _ := f.endpoint(sandbox, f.sandboxA, "https://127.0.0.1:9/hook", "*")
	f.Expect(f.Do("GET", sandbox+"/webhook-endpoints/"+id, nil, testenv.Key(f.sandboxB)), 404)
	f.Expect(f.Do("PATCH", sandbox+"/webhook-endpoints/"+id, map[string]any{"enabled": false}, testenv.Key(f.sandboxB)), 404)
	f.Expect(f.Do("GET", live+"/webhook-endpoints/"+id, nil, testenv.Key(f.liveA)), 404)
	if n := len(f.Expect(f.Do("GET", sandbox+"/webhook-endpoints", nil, testenv.Key(f.sandboxB)), 200).List()); n != 0 {
		t.Fatalf("tenant B lists %d of A's endpoints", n)
	}
	cat := f.Expect(f.Do("GET", "/api/event-types", nil, nil), 200)
	if len(cat.List()) != len(policy.EventCatalog()) {
		t.Fatalf("event-types lists %d", len(cat.List()))
	}
}

// Two instances on one database: every delivery is attempted exactly once
// (River locks each job to one worker), whichever instance made the change.
func TestWebhookTwoInstancesDeliverOnce(t *testing.T) {
	// Not parallel: it shares the machine's Redis (the change channel and
	// counter, the limiter's keys) with the other tests that use it.
	nodes := testenv.Cluster(t, 2, testenv.RedisURL(t), func(c *appConfig) { c.WebhookAllowPrivate = true })
	tenant := nodes[0].Tenant("acme")
	_, key := nodes[0].Key(tenant.ID, policy.Sandbox, "admin")
	rc := testenv.NewReceiver(t)
	nodes[0].Expect(nodes[0].Do("POST", sandbox+"/webhook-endpoints", map[string]any{"url": rc.URL, "event_types": []string{"customer.created"}}, testenv.Key(key)), 201)
	const n = 40
	for i := 0; i < n; i++ {
		node := nodes[i%2]
		node.Expect(node.Do("POST", sandbox+"/customers", map[string]any{"name": fmt.Sprint("Customer ", i)}, testenv.Key(key)), 201)
	}
	rc.WaitFor(t, n, 10*time.Second)
	time.Sleep(500 * time.Millisecond) // a second attempt of any of them would arrive by now
	seen := map[string]int{}
	for _, g := range rc.Got() {
		seen[g.Headers["webhook-id"]]++
	}
	if len(rc.Got()) != n || len(seen) != n {
		t.Fatalf("%d requests for %d deliveries, want %d each once", len(rc.Got()), len(seen), n)
	}
}

// A receiver's redirect is an answer (not 2xx), never followed: a redirect
// to an internal address reaches nothing.
func TestWebhookRedirectsAreNotFollowed(t *testing.T) {
	t.Parallel()
	f := webhooks(t) // the default schedule: the next attempt is 30 s away
	inner := testenv.NewReceiver(t)
	rc := testenv.NewReceiver(t)
	rc.Answer = func(_ int, r *http.Request) int { return http.StatusFound }
	redirect := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, inner.URL, http.StatusFound)
	}))
	t.Cleanup(redirect.Close)
	f.endpoint(sandbox, f.sandboxA, redirect.URL+"/hook", "ticket.created")
	ep2, _ := f.endpoint(sandbox, f.sandboxA, rc.URL, "ticket.created")
	f.ticket(sandbox, f.sandboxA, f.A.Owner.ID, "redirected")
	got := rc.WaitFor(t, 1, 3*time.Second)
	d := waitDelivery(t, f, got[0].Headers["webhook-id"], "retrying")
	if d.Get("data.attempt_log.0.status_code") != 302.0 {
		t.Fatalf("302 recorded as %v", d.Get("data.attempt_log.0.status_code"))
	}
	time.Sleep(300 * time.Millisecond)
	if n := len(inner.Got()); n != 0 {
		t.Fatalf("the redirect was followed: the inner receiver got %d requests", n)
	}
	// Deliveries are the endpoint's tenant's and environment's only.
	id := got[0].Headers["webhook-id"]
	f.Expect(f.Do("GET", sandbox+"/webhook-deliveries/"+id, nil, testenv.Key(f.sandboxB)), 404)
	f.Expect(f.Do("POST", sandbox+"/webhook-deliveries/"+id+"/retry", nil, testenv.Key(f.sandboxB)), 404)
	f.Expect(f.Do("GET", live+"/webhook-deliveries/"+id, nil, testenv.Key(f.liveA)), 404)
	f.Expect(f.Do("GET", sandbox+"/webhook-endpoints/"+ep2+"/deliveries", nil, testenv.Key(f.sandboxB)), 404)
}

// Events, deliveries and attempts past retention are deleted.
func TestEventsPastRetentionArePruned(t *testing.T) {
	t.Parallel()
	f := webhooks(t)
	rc := testenv.NewReceiver(t)
	f.endpoint(sandbox, f.sandboxA, rc.URL, "ticket.created")
	f.ticket(sandbox, f.sandboxA, f.A.Owner.ID, "old")
	got := rc.WaitFor(t, 1, 3*time.Second)
	waitDelivery(t, f, got[0].Headers["webhook-id"], "delivered")
	n, err := f.App.Service.PruneEvents(f.Ctx, time.Now().Add(time.Second))
	// The setup's three keys, the endpoint, the ticket.
	if err != nil || n != 5 {
		t.Fatalf("pruned %d events: %v", n, err)
	}
	if r := f.Expect(f.Do("GET", sandbox+"/events", nil, testenv.Key(f.sandboxA)), 200); len(r.List()) != 0 {
		t.Fatalf("feed after pruning: %v", r.Body)
	}
	f.Expect(f.Do("GET", sandbox+"/webhook-deliveries/"+got[0].Headers["webhook-id"], nil, testenv.Key(f.sandboxA)), 404)
}

// An endpoint receives only what its owner may view, now: events of other
// object types are never delivered, and once the owner's key is revoked
// the next attempt fails with the reason instead of sending.
func TestWebhookOwnerPermissionsBoundDeliveries(t *testing.T) {
	t.Parallel()
	f := webhooks(t, time.Second, 100*time.Millisecond) // time enough to revoke before the retry
	f.Expect(f.Do("POST", sandbox+"/admin/roles", map[string]any{"name": "ticket-hooks",
		"permissions": []string{settings.WebhooksManage, itsupport.TicketsView}}, testenv.Key(f.sandboxA)), 201)
	ownerID, owner := f.Key(f.A.ID, policy.Sandbox, "ticket-hooks")
	rc := testenv.NewReceiver(t)
	rc.Answer = func(n int, _ *http.Request) int {
		if n == 1 {
			return 500
		}
		return 200
	}
	f.endpoint(sandbox, owner, rc.URL, "*")
	f.Expect(f.Do("POST", sandbox+"/customers", map[string]any{"name": "Not for the owner"}, testenv.Key(f.sandboxA)), 201)
	f.ticket(sandbox, f.sandboxA, f.A.Owner.ID, "for the owner")
	got := rc.WaitFor(t, 1, 3*time.Second)
	if !strings.Contains(got[0].Body, `"type":"ticket.created"`) {
		t.Fatalf("first delivery: %s", got[0].Body)
	}
	// The first attempt failed; revoke the owner before the retry.
	f.Expect(f.Do("POST", sandbox+"/settings/integration-keys/"+ownerID.String()+"/revoke", nil, testenv.Key(f.sandboxA)), 200)
	d := waitDelivery(t, f, got[0].Headers["webhook-id"], "failed")
	if !strings.Contains(d.Str("data.last_error"), "revoked") {
		t.Fatalf("failed for %q, want the owner's revocation", d.Str("data.last_error"))
	}
	time.Sleep(300 * time.Millisecond)
	for _, g := range rc.Got() {
		if strings.Contains(g.Body, `"type":"customer.created"`) {
			t.Fatal("a customer event reached an endpoint whose owner may not view customers")
		}
	}
	if n := len(rc.Got()); n != 1 {
		t.Fatalf("%d requests after the owner was revoked, want only the first", n)
	}
}
