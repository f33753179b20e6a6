package rest_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"github.com/cienerp/cienerp/internal/testenv"
	"github.com/cienerp/cienerp/modules/finance"
	"github.com/cienerp/cienerp/modules/itsupport"
	"github.com/cienerp/cienerp/policy"
)

// These tests assert latencies (a change within a second, a stream ended
// in time): they do not call t.Parallel, so that what they measure is the
// platform and not the machine's load.

// The events feed as server-sent events, read by a raw SSE reader.

func streaming(t *testing.T, opts ...testenv.Options) (*fixture, string) {
	f := setup(t, opts...)
	f.RunBackground()
	return f, f.Serve()
}

type streamed struct {
	ID       string `json:"id"`
	Type     string `json:"type"`
	Sequence int64  `json:"sequence"`
	Env      string `json:"environment"`
	Data     struct {
		Object map[string]any `json:"object"`
	} `json:"data"`
}

func decode(t *testing.T, ev testenv.SSEEvent) streamed {
	t.Helper()
	var s streamed
	if err := json.Unmarshal([]byte(ev.Data), &s); err != nil {
		t.Fatalf("event data %q: %v", ev.Data, err)
	}
	if ev.ID != strconv.FormatInt(s.Sequence, 10) || ev.Event != s.Type {
		t.Fatalf("SSE id/event %q/%q do not match the event %d/%s", ev.ID, ev.Event, s.Sequence, s.Type)
	}
	return s
}

func TestStreamSendsAChangeWithinASecond(t *testing.T) {
	f, url := streaming(t)
	s := testenv.OpenSSE(t, url+sandbox+"/events/stream", testenv.Key(f.sandboxA))
	if s.Status != 200 || s.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("stream answered %d %s", s.Status, s.Header.Get("Content-Type"))
	}
	start := time.Now()
	id := f.ticket(sandbox, f.sandboxA, f.A.Owner.ID, "Printer jams")
	ev, ok := s.Next(time.Second)
	if !ok {
		t.Fatal("no event within 1 s of the ticket's creation")
	}
	got := decode(t, ev)
	if got.Type != "ticket.created" || got.Data.Object["id"] != id || got.Env != "sandbox" {
		t.Fatalf("event: %+v", got)
	}
	t.Logf("commit to SSE: %v", time.Since(start))
	// The stream's event is the feed's: same id, same body.
	feed := f.Expect(f.Do("GET", sandbox+"/events/"+got.ID, nil, testenv.Key(f.sandboxA)), 200)
	if feed.Str("data.type") != "ticket.created" || feed.Str("data.data.object.id") != id {
		t.Fatalf("feed: %s", feed)
	}
}

func TestStreamResumesWithLastEventIDExactly(t *testing.T) {
	f, url := streaming(t)
	s := testenv.OpenSSE(t, url+sandbox+"/events/stream", testenv.Key(f.sandboxA))
	f.ticket(sandbox, f.sandboxA, f.A.Owner.ID, "first")
	ev, ok := s.Next(2 * time.Second)
	if !ok {
		t.Fatal("no first event")
	}
	last := ev.ID
	s.Close()

	// Missed while disconnected.
	var missed []string
	for i := range 3 {
		missed = append(missed, f.ticket(sandbox, f.sandboxA, f.A.Owner.ID, fmt.Sprint("missed ", i)))
	}
	r := testenv.OpenSSE(t, url+sandbox+"/events/stream", testenv.Key(f.sandboxA).With("Last-Event-ID", last))
	after := f.ticket(sandbox, f.sandboxA, f.A.Owner.ID, "after")
	want := append(missed, after)
	prev, _ := strconv.ParseInt(last, 10, 64)
	for i, id := range want {
		ev, ok := r.Next(2 * time.Second)
		if !ok {
			t.Fatalf("event %d of %d did not come", i+1, len(want))
		}
		got := decode(t, ev)
		if got.Data.Object["id"] != id || got.Sequence != prev+1 {
			t.Fatalf("event %d: %s #%d, want ticket %s #%d", i+1, got.Data.Object["id"], got.Sequence, id, prev+1)
		}
		prev = got.Sequence
	}
	if ev, ok := r.Next(300 * time.Millisecond); ok {
		t.Fatalf("an extra event after the resume: %+v", ev)
	}
	// The query parameter does the same for clients that cannot set headers.
	q := testenv.OpenSSE(t, url+sandbox+"/events/stream?last_event_id="+strconv.FormatInt(prev-1, 10), testenv.Key(f.sandboxA))
	if ev, ok := q.Next(2 * time.Second); !ok || decode(t, ev).Sequence != prev {
		t.Fatalf("resume by query: %+v %v", ev, ok)
	}
	// 0: every event still kept, from the first.
	z := testenv.OpenSSE(t, url+sandbox+"/events/stream?last_event_id=0", testenv.Key(f.sandboxA))
	for want := int64(1); want <= prev; want++ {
		if ev, ok := z.Next(2 * time.Second); !ok || decode(t, ev).Sequence != want {
			t.Fatalf("from 0, event %d: %+v %v", want, ev, ok)
		}
	}
}

func TestStreamRefusesBadInput(t *testing.T) {
	f, url := streaming(t)
	for _, c := range []struct {
		path    string
		headers testenv.H
		status  int
	}{
		{"/events/stream", testenv.Key(f.sandboxA).With("Last-Event-ID", "yesterday"), 422},
		{"/events/stream?last_event_id=-4", testenv.Key(f.sandboxA), 422},
		{"/events/stream?type=ticket.exploded", testenv.Key(f.sandboxA), 422},
		{"/events/stream?type=ping", testenv.Key(f.sandboxA), 422},
		{"/events/stream", nil, 401},
		{"/events/stream", testenv.Key(f.liveA), 403}, // a live key on the sandbox base
	} {
		s := testenv.OpenSSE(t, url+sandbox+c.path, c.headers)
		if s.Status != c.status {
			t.Errorf("%s %v: %d, want %d", c.path, c.headers, s.Status, c.status)
		}
	}
}

// TestStreamEndsWhenTheCredentialStops: a revoked key's stream ends within
// a second with the reason; so does a removed member's.
func TestStreamEndsWhenTheCredentialStops(t *testing.T) {
	f, url := streaming(t)
	keyID, key := f.Key(f.A.ID, policy.Sandbox, "viewer")
	s := testenv.OpenSSE(t, url+sandbox+"/events/stream", testenv.Key(key))
	start := time.Now()
	f.Expect(f.Do("POST", sandbox+"/settings/integration-keys/"+keyID.String()+"/revoke", nil, testenv.Key(f.sandboxA)), 200)
	ev, ok := s.Next(time.Second)
	if !ok || ev.Event != "error" {
		t.Fatalf("within 1 s of the revocation: %+v %v", ev, ok)
	}
	var reason map[string]string
	if json.Unmarshal([]byte(ev.Data), &reason); reason["code"] != "key_revoked" {
		t.Fatalf("the reason: %s", ev.Data)
	}
	if !s.Ended(time.Second) {
		t.Fatal("the stream stayed open")
	}
	t.Logf("revocation to the end of the stream: %v", time.Since(start))

	member := f.User(f.A.ID, "leaving@acme.test", "viewer")
	m := testenv.OpenSSE(t, url+sandbox+"/events/stream", testenv.Bearer(f.token(member, "acme")))
	f.Expect(f.Do("DELETE", sandbox+"/admin/members/"+member.ID.String(), nil, testenv.Key(f.sandboxA)), 200)
	if ev, ok := m.Next(time.Second); !ok || ev.Event != "error" {
		t.Fatalf("within 1 s of removing the member: %+v %v", ev, ok)
	}
}

// TestStreamFollowsPermissions: events of an object type stop as soon as
// the role loses its view permission, and the rest keep coming.
func TestStreamFollowsPermissions(t *testing.T) {
	f, url := streaming(t)
	f.Expect(f.Do("POST", sandbox+"/admin/roles", map[string]any{"name": "watcher", "permissions": []string{itsupport.TicketsView, finance.CustomersView}}, testenv.Key(f.sandboxA)), 201)
	_, key := f.Key(f.A.ID, policy.Sandbox, "watcher")
	s := testenv.OpenSSE(t, url+sandbox+"/events/stream", testenv.Key(key))
	f.ticket(sandbox, f.sandboxA, f.A.Owner.ID, "seen")
	if ev, ok := s.Next(2 * time.Second); !ok || ev.Event != "ticket.created" {
		t.Fatalf("before: %+v %v", ev, ok)
	}
	f.Expect(f.Do("PATCH", sandbox+"/admin/roles/watcher", map[string]any{"permissions": []string{finance.CustomersView}}, testenv.Key(f.sandboxA)), 200)
	f.ticket(sandbox, f.sandboxA, f.A.Owner.ID, "unseen")
	f.Expect(f.Do("POST", sandbox+"/customers", map[string]any{"name": "Initech"}, testenv.Key(f.sandboxA)), 201)
	ev, ok := s.Next(2 * time.Second)
	if !ok || ev.Event != "customer.created" {
		t.Fatalf("after losing tickets.view the next event is %+v %v, want the customer", ev, ok)
	}
	// An event of a type nobody may see is not even streamed: only view permissions decide.
	_, invisible := f.Key(f.A.ID, policy.Sandbox, "cashier") // no ticket permission
	c := testenv.OpenSSE(t, url+sandbox+"/events/stream?type=ticket.*", testenv.Key(invisible))
	f.ticket(sandbox, f.sandboxA, f.A.Owner.ID, "hidden from cashiers")
	if ev, ok := c.Next(500 * time.Millisecond); ok {
		t.Fatalf("a cashier got a ticket event: %+v", ev)
	}
}

// TestStreamIsolationRandomized: random changes in two tenants × two
// environments; each stream gets exactly its own tenant's environment's
// events, gapless and in order.
func TestStreamIsolationRandomized(t *testing.T) {
	f, url := streaming(t)
	_, liveB := f.Key(f.B.ID, policy.Live, "admin")
	keys := map[string]string{"A/sandbox": f.sandboxA, "A/live": f.liveA, "B/sandbox": f.sandboxB, "B/live": liveB}
	bases := map[string]string{"sandbox": sandbox, "live": live}
	streams := map[string]*testenv.SSE{}
	for name, key := range keys {
		streams[name] = testenv.OpenSSE(t, url+bases[name[2:]]+"/events/stream", testenv.Key(key))
	}
	seed := uint64(time.Now().UnixNano())
	rnd := rand.New(rand.NewPCG(seed, 1))
	made := map[string][]string{}
	names := []string{"A/sandbox", "A/live", "B/sandbox", "B/live"}
	for i := range 40 {
		name := names[rnd.IntN(len(names))]
		base := bases[name[2:]]
		var id string
		if rnd.IntN(2) == 0 {
			id = f.Expect(f.Do("POST", base+"/customers", map[string]any{"name": fmt.Sprint("c", i)}, testenv.Key(keys[name])), 201).Str("data.id")
		} else {
			id = f.Expect(f.Do("POST", base+"/tickets", map[string]any{"title": fmt.Sprint("t", i), "requester_email": map[byte]string{'A': f.A.Owner.Email, 'B': f.B.Owner.Email}[name[0]]}, testenv.Key(keys[name])), 201).Str("data.id")
		}
		made[name] = append(made[name], id)
	}
	for _, name := range names {
		var prev int64
		for i, id := range made[name] {
			ev, ok := streams[name].Next(3 * time.Second)
			if !ok {
				t.Fatalf("seed %d: %s got %d of %d events", seed, name, i, len(made[name]))
			}
			got := decode(t, ev)
			if got.Data.Object["id"] != id || got.Env != name[2:] || prev != 0 && got.Sequence != prev+1 {
				t.Fatalf("seed %d: %s event %d is %s #%d (%s), want %s after #%d", seed, name, i, got.Data.Object["id"], got.Sequence, got.Env, id, prev)
			}
			prev = got.Sequence
		}
		if ev, ok := streams[name].Next(200 * time.Millisecond); ok {
			t.Fatalf("seed %d: %s got another environment's or tenant's event: %s", seed, name, ev.Data)
		}
	}
}

// TestStreamLimitsSubscriptionsPerCredential: past the limit a stream is
// refused with 429; closing one frees a place.
func TestStreamLimitsSubscriptionsPerCredential(t *testing.T) {
	f, url := streaming(t, func(c *appConfig) { c.Realtime.PerCredential = 2 })
	a := testenv.OpenSSE(t, url+sandbox+"/events/stream", testenv.Key(f.sandboxA))
	testenv.OpenSSE(t, url+sandbox+"/events/stream", testenv.Key(f.sandboxA))
	if s := testenv.OpenSSE(t, url+sandbox+"/events/stream", testenv.Key(f.sandboxA)); s.Status != 429 || s.Header.Get("Retry-After") == "" {
		t.Fatalf("the third stream: %d, Retry-After %q", s.Status, s.Header.Get("Retry-After"))
	}
	if s := testenv.OpenSSE(t, url+sandbox+"/events/stream", testenv.Key(f.sandboxB)); s.Status != 200 {
		t.Fatalf("another credential: %d", s.Status)
	}
	a.Close()
	deadline := time.Now().Add(2 * time.Second)
	for {
		s := testenv.OpenSSE(t, url+sandbox+"/events/stream", testenv.Key(f.sandboxA))
		if s.Status == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("a closed stream's place was not freed: %d", s.Status)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestStreamCrossesInstancesWithoutRedis: two instances on one database
// and nothing else: a stream on B gets what A commits, and a key revoked
// on A ends B's stream within a second (the database's change counter).
func TestStreamCrossesInstancesWithoutRedis(t *testing.T) {
	nodes := testenv.Cluster(t, 2, "")
	a, b := nodes[0], nodes[1]
	acme := a.Tenant("acme")
	_, admin := a.Key(acme.ID, policy.Sandbox, "admin")
	keyID, key := a.Key(acme.ID, policy.Sandbox, "viewer")
	s := testenv.OpenSSE(t, b.Serve()+sandbox+"/events/stream", testenv.Key(key))
	id := a.Expect(a.Do("POST", sandbox+"/customers", map[string]any{"name": "Initech"}, testenv.Key(admin)), 201).Str("data.id")
	ev, ok := s.Next(time.Second)
	if !ok || decode(t, ev).Data.Object["id"] != id {
		t.Fatalf("on B within 1 s: %+v %v", ev, ok)
	}
	a.Expect(a.Do("POST", sandbox+"/settings/integration-keys/"+keyID.String()+"/revoke", nil, testenv.Key(admin)), 200)
	if ev, ok := s.Next(time.Second); !ok || ev.Event != "error" {
		t.Fatalf("B's stream after the revocation on A: %+v %v", ev, ok)
	}
}
