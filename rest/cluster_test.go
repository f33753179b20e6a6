package rest_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/cienerp/cienerp/ent/privacy"
	"github.com/cienerp/cienerp/ent/tenant"
	"github.com/cienerp/cienerp/internal/testenv"
	"github.com/cienerp/cienerp/modules/documents"
	"github.com/cienerp/cienerp/modules/itsupport"
	"github.com/cienerp/cienerp/policy"
)

// Two instances on one database and one Redis: what one changes, the other
// obeys as soon as the change is pushed to it (testenv.Settle waits for
// that; rest/freshness_test.go holds it to 100 ms).

func TestClusterAppliesChanges(t *testing.T) {
	// Not parallel: it shares the machine's Redis (the change channel and
	// counter, the limiter's keys) with the other tests that use it.
	nodes := testenv.Cluster(t, 2, testenv.RedisURL(t))
	a, b := nodes[0], nodes[1]
	tn := a.Tenant("acme")
	_, admin := a.Key(tn.ID, policy.Sandbox, "admin")
	ah := testenv.Key(admin)
	a.Expect(a.Do("POST", sandbox+"/admin/roles", map[string]any{"name": "reader", "permissions": []string{"it-support.tickets.view"}}, ah), 201)
	readerID, reader := a.Key(tn.ID, policy.Sandbox, "reader")

	// B knows the role and the key (and caches both).
	b.Expect(b.Do("GET", sandbox+"/tickets", nil, testenv.Key(reader)), 200)

	// A role loses a permission on A: B refuses at once.
	a.Expect(a.Do("PATCH", sandbox+"/admin/roles/reader", map[string]any{"permissions": []string{"documents.view"}}, ah), 200)
	testenv.Settle(t, b)
	if r := b.Expect(b.Do("GET", sandbox+"/tickets", nil, testenv.Key(reader)), 403); r.Str("permission") != itsupport.TicketsView {
		t.Fatalf("B after the role change: %s", r)
	}
	logDelay(t, b, "role change")

	// A policy import on A: B obeys at once.
	doc := a.Expect(a.Do("GET", sandbox+"/admin/policy", nil, ah), 200).Get("data").(map[string]any)
	for _, rl := range doc["roles"].([]any) {
		if m := rl.(map[string]any); m["name"] == "reader" {
			m["permissions"] = []string{"it-support.tickets.view"}
		}
	}
	a.Expect(a.Do("POST", sandbox+"/admin/policy/import", doc, ah), 200)
	testenv.Settle(t, b)
	b.Expect(b.Do("GET", sandbox+"/tickets", nil, testenv.Key(reader)), 200)

	// A row condition set on A limits the key on B at once (a condition
	// without $user limits a key).
	a.Expect(a.Do("POST", sandbox+"/tickets", map[string]any{"title": "Open one", "requester_id": tn.Owner.ID}, ah), 201)
	if l := b.Expect(b.Do("GET", sandbox+"/tickets", nil, testenv.Key(reader)), 200).List(); len(l) != 1 {
		t.Fatalf("B before the condition: %d tickets", len(l))
	}
	a.Expect(a.Do("PATCH", sandbox+"/admin/roles/reader", map[string]any{"conditions": map[string]any{"it-support.tickets.view": map[string]any{"status": map[string]any{"_eq": "closed"}}}}, ah), 200)
	testenv.Settle(t, b)
	if l := b.Expect(b.Do("GET", sandbox+"/tickets", nil, testenv.Key(reader)), 200).List(); len(l) != 0 {
		t.Fatalf("B after the condition: %d tickets, want none (the ticket is open)", len(l))
	}
	logDelay(t, b, "condition change")
	a.Expect(a.Do("PATCH", sandbox+"/admin/roles/reader", map[string]any{"conditions": map[string]any{}}, ah), 200)

	// A key revoked on A fails on B.
	a.Expect(a.Do("POST", sandbox+"/settings/integration-keys/"+readerID.String()+"/revoke", nil, ah), 200)
	testenv.Settle(t, b)
	if r := b.Expect(b.Do("GET", sandbox+"/tickets", nil, testenv.Key(reader)), 403); r.Str("code") != "key_revoked" {
		t.Fatalf("B after the revoke: %s", r)
	}
	logDelay(t, b, "key revoke")

	// A member removed on A loses access on B.
	agent := a.User(tn.ID, "agent@acme.test", "it-agent")
	tok := testenv.Bearer(userToken(b, agent))
	b.Expect(b.Do("GET", sandbox+"/tickets", nil, tok), 200)
	a.Expect(a.Do("DELETE", sandbox+"/admin/members/"+agent.ID.String(), nil, ah), 200)
	testenv.Settle(t, b)
	b.Expect(b.Do("GET", sandbox+"/tickets", nil, tok), 403)
}

func userToken(e *testenv.Env, u testenv.User) string {
	e.T.Helper()
	return e.Expect(e.Do("POST", "/api/auth/token", map[string]any{"grant_type": "password", "username": u.Email, "password": u.Password}, nil), 200).Str("access_token")
}

// logDelay reports the publish-to-apply delay of the last change B received.
func logDelay(t *testing.T, b *testenv.Env, what string) {
	for i := 0; i < 100 && b.App.Sync.LastDelay() == 0; i++ {
		time.Sleep(10 * time.Millisecond)
	}
	t.Logf("propagation delay of a %s to the other instance: %v", what, b.App.Sync.LastDelay())
}

func TestClusterSharesTheRateLimit(t *testing.T) {
	// Not parallel: it shares the machine's Redis (the change channel and
	// counter, the limiter's keys) with the other tests that use it.
	nodes := testenv.Cluster(t, 2, testenv.RedisURL(t))
	a, b := nodes[0], nodes[1]
	tn := a.Tenant("acme")
	a.App.DB.Client.Tenant.Update().Where(tenant.ID(tn.ID)).SetRateLimitPerMinute(5).ExecX(privacy.DecisionContext(a.Ctx, privacy.Allow))
	_, key := a.Key(tn.ID, policy.Sandbox, "viewer")
	for i := 0; i < 5; i++ {
		n := nodes[i%2]
		r := n.Expect(n.Do("GET", sandbox+"/tickets", nil, testenv.Key(key)), 200)
		if r.Header.Get("X-RateLimit-Remaining") != []string{"4", "3", "2", "1", "0"}[i] {
			t.Fatalf("request %d remaining %s", i, r.Header.Get("X-RateLimit-Remaining"))
		}
	}
	for _, n := range []*testenv.Env{a, b} {
		if r := n.Expect(n.Do("GET", sandbox+"/tickets", nil, testenv.Key(key)), 429); r.Header.Get("Retry-After") == "" {
			t.Fatal("429 without Retry-After")
		}
	}
}

func TestClusterSurvivesRedisGoingAway(t *testing.T) {
	t.Parallel()
	rs := testenv.StartRedis(t)
	nodes := testenv.Cluster(t, 2, rs.URL())
	a, b := nodes[0], nodes[1]
	tn := a.Tenant("acme")
	_, admin := a.Key(tn.ID, policy.Sandbox, "admin")
	ah := testenv.Key(admin)
	a.Expect(a.Do("POST", sandbox+"/admin/roles", map[string]any{"name": "reader", "permissions": []string{"it-support.tickets.view"}}, ah), 201)
	_, reader := a.Key(tn.ID, policy.Sandbox, "reader")
	b.Expect(b.Do("GET", sandbox+"/tickets", nil, testenv.Key(reader)), 200)

	rs.Stop()
	// Both keep serving, on local limits and caches.
	for i := 0; i < 3; i++ {
		a.Expect(a.Do("GET", sandbox+"/tickets", nil, ah), 200)
		b.Expect(b.Do("GET", sandbox+"/tickets", nil, testenv.Key(reader)), 200)
	}
	// A change made while Redis is away applies on A at once...
	a.Expect(a.Do("PATCH", sandbox+"/admin/roles/reader", map[string]any{"permissions": []string{"documents.view"}}, ah), 200)
	_, readerOnA := a.Key(tn.ID, policy.Sandbox, "reader")
	a.Expect(a.Do("GET", sandbox+"/tickets", nil, testenv.Key(readerOnA)), 403)

	// ...and reaches B once Redis is back.
	rs.Start()
	b.WaitSubscribed()
	deadline := time.Now().Add(5 * time.Second)
	for {
		// A's next request announces what it could not; B's next request catches up.
		a.Do("GET", sandbox+"/me", nil, ah)
		if r := b.Do("GET", sandbox+"/tickets", nil, testenv.Key(reader)); r.Code == 403 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("B never caught up with the change made while Redis was away")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestClusterResyncsAfterRedisRestartsEmpty: changes made through A while
// Redis is down (a role loses a permission, a key is revoked), then Redis
// comes back empty, as after a restart without persistence, and A speaks
// first (its counter starts again at 1). B must resynchronise in full and
// refuse both within a second, in every round. Before, B remembered its
// old, higher count, took the new counter as old news, and kept allowing
// the permission until some later policy change and the revoked key until
// its cache expired (6 of 8 runs; here every run).
func TestClusterResyncsAfterRedisRestartsEmpty(t *testing.T) {
	t.Parallel()
	rs := testenv.StartRedis(t)
	nodes := testenv.Cluster(t, 2, rs.URL())
	a, b := nodes[0], nodes[1]
	tn := a.Tenant("acme")
	_, admin := a.Key(tn.ID, policy.Sandbox, "admin")
	ah := testenv.Key(admin)
	for round := range 2 {
		role := fmt.Sprintf("reader%d", round)
		a.Expect(a.Do("POST", sandbox+"/admin/roles", map[string]any{"name": role, "permissions": []string{itsupport.TicketsView}}, ah), 201)
		_, reader := a.Key(tn.ID, policy.Sandbox, role)
		victimID, victim := a.Key(tn.ID, policy.Sandbox, "viewer")
		// B holds both in its caches, and has seen every change so far.
		for _, k := range []string{reader, victim} {
			b.Expect(b.Do("GET", sandbox+"/tickets", nil, testenv.Key(k)), 200)
		}

		rs.Stop()
		// Long enough for B's reconnect attempts to back off to a second,
		// so that A speaks first once Redis is back, as in production.
		time.Sleep(2500 * time.Millisecond)
		a.Expect(a.Do("PATCH", sandbox+"/admin/roles/"+role, map[string]any{"permissions": []string{documents.View}}, ah), 200)
		a.Expect(a.Do("POST", sandbox+"/settings/integration-keys/"+victimID.String()+"/revoke", nil, ah), 200)
		time.Sleep(1100 * time.Millisecond)                // A stops skipping its Redis checks a second after a failure
		rs.Start()                                         // empty
		a.Expect(a.Do("GET", sandbox+"/me", nil, ah), 200) // A announces what it could not, counting from 1

		deadline := time.Now().Add(time.Second)
		for {
			r1 := b.Do("GET", sandbox+"/tickets", nil, testenv.Key(reader))
			r2 := b.Do("GET", sandbox+"/tickets", nil, testenv.Key(victim))
			if r1.Code == 403 && r2.Code == 403 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("round %d: a second after Redis came back empty, B still answers %d to the role's lost permission and %d to the revoked key", round, r1.Code, r2.Code)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
}
