package rest_test

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"entgo.io/ent/dialect"

	"github.com/cienerp/cienerp/internal/testenv"
	"github.com/cienerp/cienerp/modules/itsupport"
	"github.com/cienerp/cienerp/policy"
	"github.com/cienerp/cienerp/policy/dbsync"
)

// TestChangesArePushedWithin100ms: two instances on one PostgreSQL
// database and nothing else. Key revocations and role changes made on A
// reach B pushed (LISTEN/NOTIFY): B applies each within 100 ms (p99,
// measured by B from the change being counted to it being applied),
// without any request of B reading the change counter. Then both
// notification connections are killed: a change made while they are down
// is obeyed by B's very next request (B reads the counter per request
// meanwhile), the listeners reconnect, and changes are pushed again
// within the bound. The CLI's changes: cmd/cienerp/sync_test.go.
func TestChangesArePushedWithin100ms(t *testing.T) {
	if testenv.Kind() != dialect.Postgres {
		t.Skip("LISTEN/NOTIFY is PostgreSQL's (CIEN_TEST_DB=postgres); SQLite's poll is held to the bound in cmd/cienerp/sync_test.go")
	}
	nodes := testenv.Cluster(t, 2, "")
	a, b := nodes[0], nodes[1]
	tn := a.Tenant("acme")
	_, admin := a.Key(tn.ID, policy.Sandbox, "admin")
	ah := testenv.Key(admin)
	a.Expect(a.Do("POST", sandbox+"/admin/roles", map[string]any{"name": "reader", "permissions": []string{itsupport.TicketsView}}, ah), 201)
	_, reader := a.Key(tn.ID, policy.Sandbox, "reader")
	testenv.Settle(t, a, b)

	var delays []time.Duration
	// pushed waits until B applied the change A just made, checks that B
	// now answers want to the credential and records B's delay.
	pushed := func(what, key string, want int) {
		t.Helper()
		testenv.Settle(t, b)
		delays = append(delays, b.App.Changes.LastDelay())
		if r := b.Do("GET", sandbox+"/tickets", nil, testenv.Key(key)); r.Code != want {
			t.Fatalf("B after %s on A: %d, want %d: %s", what, r.Code, want, r.Raw)
		}
	}
	reads := counterReads(t, b)
	for range 10 {
		// A role loses its permission, and gets it back.
		a.Expect(a.Do("PATCH", sandbox+"/admin/roles/reader", map[string]any{"permissions": []string{"documents.view"}}, ah), 200)
		pushed("a role change", reader, 403)
		a.Expect(a.Do("PATCH", sandbox+"/admin/roles/reader", map[string]any{"permissions": []string{itsupport.TicketsView}}, ah), 200)
		pushed("a role change back", reader, 200)
		// A key B has cached is revoked.
		id, key := a.Key(tn.ID, policy.Sandbox, "viewer")
		// B has not cached it: a key granted elsewhere works at once (a
		// refusal reads the counter before it stands).
		b.Expect(b.Do("GET", sandbox+"/tickets", nil, testenv.Key(key)), 200)
		a.Expect(a.Do("POST", sandbox+"/settings/integration-keys/"+id.String()+"/revoke", nil, ah), 200)
		pushed("a key revocation", key, 403)
	}
	if n := counterReads(t, b); n != reads {
		t.Errorf("B read the change counter for %v requests while changes were pushed", n-reads)
	}
	assertP99(t, "pushed to another instance", delays)

	// The notification connections are killed. Until B listens again its
	// requests read the counter: a change made meanwhile is obeyed by the
	// next one, and none is lost.
	var killed int
	if err := a.App.DB.SQL.QueryRow(`SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1 AND datname = current_database()`, dbsync.ListenerName).Scan(&killed); err != nil || killed != 2 {
		t.Fatalf("killed %d listener connections, want 2 (%v)", killed, err)
	}
	for b.App.Changes.Pushed() { // the listener notices at once (the server says so)
		time.Sleep(time.Millisecond)
	}
	id, key := a.Key(tn.ID, policy.Sandbox, "viewer")
	b.Expect(b.Do("GET", sandbox+"/tickets", nil, testenv.Key(key)), 200)
	a.Expect(a.Do("POST", sandbox+"/settings/integration-keys/"+id.String()+"/revoke", nil, ah), 200)
	if r := b.Do("GET", sandbox+"/tickets", nil, testenv.Key(key)); r.Code != 403 {
		if !b.App.Changes.Pushed() { // back already: then it was pushed, and settles
			t.Fatalf("B, its listener down, after a revocation on A: %d", r.Code)
		}
	}
	b.WaitPushed()
	delays = delays[:0]
	for range 5 {
		a.Expect(a.Do("PATCH", sandbox+"/admin/roles/reader", map[string]any{"permissions": []string{"documents.view"}}, ah), 200)
		pushed("a role change after the reconnect", reader, 403)
		a.Expect(a.Do("PATCH", sandbox+"/admin/roles/reader", map[string]any{"permissions": []string{itsupport.TicketsView}}, ah), 200)
		pushed("a role change back after the reconnect", reader, 200)
	}
	assertP99(t, "pushed after the reconnect", delays)
}

// assertP99 fails when the 99th percentile (nearest rank) of delays is
// over 100 ms.
func assertP99(t *testing.T, what string, delays []time.Duration) {
	t.Helper()
	s := slices.Clone(delays)
	slices.Sort(s)
	p99 := s[(len(s)*99+99)/100-1]
	t.Logf("%s: %d changes, median %v, p99 %v", what, len(s), s[len(s)/2], p99)
	if p99 > 100*time.Millisecond || s[0] <= 0 {
		t.Errorf("%s: p99 %v (want ≤ 100 ms): %v", what, p99, s)
	}
}

// counterReads is how many requests of e read the change counter.
func counterReads(t *testing.T, e *testenv.Env) float64 {
	t.Helper()
	r := e.Do("GET", "/metrics", nil, nil)
	for _, line := range strings.Split(string(r.Raw), "\n") {
		if v, ok := strings.CutPrefix(line, "cienerp_change_counter_reads_total "); ok {
			n, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatalf("cienerp_change_counter_reads_total %q", v)
			}
			return n
		}
	}
	t.Fatalf("no cienerp_change_counter_reads_total in /metrics")
	return 0
}
