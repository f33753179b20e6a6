package rest_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/cienerp/cienerp/internal/testenv"
	"github.com/cienerp/cienerp/policy"
)

func TestTicketLifecycle(t *testing.T) {
	t.Parallel()
	f := setup(t)
	agent := f.User(f.A.ID, "agent@acme.test", "it-agent")
	outsider := f.User(f.B.ID, "outsider@globex.test", "it-agent")
	owner := testenv.Bearer(f.token(f.A.Owner, ""))

	// A user opening a ticket is its requester; numbers count per tenant+env.
	r := f.Expect(f.Do("POST", live+"/tickets", map[string]any{"title": "  VPN drops  ", "description": "Every hour.", "priority": "high", "assignee_id": agent.ID}, owner), 201)
	id := r.Str("data.id")
	if r.Str("data.number") != "IT-000001" || r.Str("data.title") != "VPN drops" || r.Str("data.status") != "open" ||
		r.Str("data.requester_id") != f.A.Owner.ID.String() || r.Str("data.assignee_id") != agent.ID.String() || r.Str("data.environment") != "live" {
		t.Fatalf("create: %s", r)
	}
	if r := f.Expect(f.Do("POST", live+"/tickets", map[string]any{"title": "Second"}, owner), 201); r.Str("data.number") != "IT-000002" {
		t.Fatalf("second number: %s", r)
	}
	// Sandbox numbers are separate, and so are another tenant's.
	if r := f.Expect(f.Do("POST", sandbox+"/tickets", map[string]any{"title": "S"}, owner), 201); r.Str("data.number") != "IT-000001" {
		t.Fatalf("sandbox number: %s", r)
	}
	f.ticket(sandbox, f.sandboxB, f.B.Owner.ID, "B's")

	// Read and update.
	f.Expect(f.Do("GET", live+"/tickets/"+id, nil, owner), 200)
	r = f.Expect(f.Do("PATCH", live+"/tickets/"+id, map[string]any{"status": "in_progress", "priority": "urgent"}, owner), 200)
	if r.Str("data.status") != "in_progress" || r.Str("data.priority") != "urgent" || r.Str("data.title") != "VPN drops" {
		t.Fatalf("patch: %s", r)
	}
	r = f.Expect(f.Do("PATCH", live+"/tickets/"+id, map[string]any{"assignee_id": nil}, owner), 200)
	if r.Get("data.assignee_id") != nil {
		t.Fatalf("unassign: %s", r)
	}
	// Members only.
	r = f.Expect(f.Do("PATCH", live+"/tickets/"+id, map[string]any{"assignee_id": outsider.ID}, owner), 422)
	if len(r.Errors()["assignee_id"]) != 1 {
		t.Fatalf("foreign assignee: %s", r)
	}
	// Workflow: resolved -> closed is fine, closed is final.
	f.Expect(f.Do("PATCH", live+"/tickets/"+id, map[string]any{"status": "resolved"}, owner), 200)
	r = f.Expect(f.Do("PATCH", live+"/tickets/"+id, map[string]any{"status": "on_hold"}, owner), 422)
	if !strings.Contains(r.Errors()["status"][0], "allowed: open, in_progress, closed") {
		t.Fatalf("resolved -> on_hold: %s", r)
	}
	r = f.Expect(f.Do("PATCH", live+"/tickets/"+id, map[string]any{"status": "closed"}, owner), 200)
	if r.Get("data.closed_at") == nil || r.Get("data.resolved_at") == nil {
		t.Fatalf("close: %s", r)
	}
	f.Expect(f.Do("PATCH", live+"/tickets/"+id, map[string]any{"status": "open"}, owner), 422)
	// A refused change writes nothing.
	if r := f.Expect(f.Do("GET", live+"/tickets/"+id, nil, owner), 200); r.Str("data.status") != "closed" {
		t.Fatalf("after refused transition: %s", r)
	}

	// Comments.
	c := f.Expect(f.Do("POST", live+"/tickets/"+id+"/comments", map[string]any{"body": "Rebooted the router.", "internal": true}, owner), 201)
	if c.Str("data.author") != policy.UserSubject(f.A.Owner.ID.String()) || c.Get("data.internal") != true {
		t.Fatalf("comment: %s", c)
	}
	f.Expect(f.Do("POST", live+"/tickets/"+id+"/comments", map[string]any{"body": "   "}, owner), 422)
	f.Expect(f.Do("POST", live+"/tickets/"+id+"/comments", map[string]any{"body": "Still dropping."}, owner), 201)
	f.Expect(f.Do("POST", live+"/tickets/"+id+"/comments", map[string]any{"body": "Fixed."}, owner), 201)
	page1 := f.Expect(f.Do("GET", live+"/tickets/"+id+"/comments?limit=2", nil, owner), 200)
	page2 := f.Expect(f.Do("GET", live+"/tickets/"+id+"/comments?limit=2&cursor="+page1.Str("meta.next_cursor"), nil, owner), 200)
	if len(page1.List()) != 2 || page1.Str("data.0.body") != "Rebooted the router." || len(page2.List()) != 1 || page2.Str("data.0.body") != "Fixed." || page2.Get("meta.has_more") != false {
		t.Fatalf("comment pages: %s / %s", page1, page2)
	}

	// Delete takes the comments along.
	f.Expect(f.Do("DELETE", live+"/tickets/"+id, nil, owner), 200)
	f.Expect(f.Do("GET", live+"/tickets/"+id, nil, owner), 404)
	f.Expect(f.Do("GET", live+"/tickets/"+id+"/comments", nil, owner), 404)
}

func TestTicketsOfOtherTenantsAndEnvironmentsAreNotFound(t *testing.T) {
	t.Parallel()
	f := setup(t)
	id := f.ticket(sandbox, f.sandboxA, f.A.Owner.ID, "secret ticket")
	_, liveB := f.Key(f.B.ID, policy.Live, "admin")
	intruders := map[string]struct{ base, key string }{
		"other tenant, same env":  {sandbox, f.sandboxB},
		"same tenant, other env":  {live, f.liveA},
		"other tenant, other env": {live, liveB},
	}
	for name, in := range intruders {
		t.Run(name, func(t *testing.T) {
			h := testenv.Key(in.key)
			for _, req := range []struct {
				method, path string
				body         any
			}{
				{"GET", "/tickets/" + id, nil},
				{"PATCH", "/tickets/" + id, map[string]any{"title": "pwned"}},
				{"DELETE", "/tickets/" + id, nil},
				{"GET", "/tickets/" + id + "/comments", nil},
				{"POST", "/tickets/" + id + "/comments", map[string]any{"body": "hi"}},
			} {
				r := f.Expect(f.Do(req.method, in.base+req.path, req.body, h), 404)
				if r.Str("code") != "not_found" {
					t.Fatalf("%s %s: %s", req.method, req.path, r)
				}
			}
			if l := f.Expect(f.Do("GET", in.base+"/tickets?q=secret", nil, h), 200).List(); len(l) != 0 {
				t.Fatalf("list shows %d foreign tickets", len(l))
			}
		})
	}
	// Untouched.
	r := f.Expect(f.Do("GET", sandbox+"/tickets/"+id, nil, testenv.Key(f.sandboxA)), 200)
	if r.Str("data.title") != "secret ticket" {
		t.Fatalf("ticket changed: %s", r)
	}
	if l := f.Expect(f.Do("GET", sandbox+"/tickets/"+id+"/comments", nil, testenv.Key(f.sandboxA)), 200).List(); len(l) != 0 {
		t.Fatalf("foreign comment landed: %v", l)
	}
	// A malformed id is simply not found.
	f.Expect(f.Do("GET", sandbox+"/tickets/not-a-uuid", nil, testenv.Key(f.sandboxA)), 404)
}

func TestTicketListPagesFiltersAndSorts(t *testing.T) {
	t.Parallel()
	f := setup(t)
	h := testenv.Key(f.sandboxA)
	agent := f.User(f.A.ID, "agent@acme.test", "it-agent")
	for i := 1; i <= 25; i++ {
		body := map[string]any{"title": fmt.Sprintf("Ticket %02d", i), "requester_id": f.A.Owner.ID, "priority": "normal"}
		if i%5 == 0 {
			body["priority"] = "urgent"
			body["assignee_id"] = agent.ID
			body["description"] = "Keyboard on fire"
		}
		f.Expect(f.Do("POST", sandbox+"/tickets", body, h), 201)
	}
	// Walk all pages: every ticket once, newest first.
	seen := map[string]bool{}
	var numbers []string
	cursor := ""
	pages := 0
	for {
		r := f.Expect(f.Do("GET", sandbox+"/tickets?limit=10&cursor="+cursor, nil, h), 200)
		pages++
		for _, it := range r.List() {
			m := it.(map[string]any)
			if seen[m["id"].(string)] {
				t.Fatalf("ticket %s on two pages", m["id"])
			}
			seen[m["id"].(string)] = true
			numbers = append(numbers, m["number"].(string))
		}
		if r.Get("meta.has_more") != true {
			if r.Str("meta.next_cursor") != "" {
				t.Fatal("last page has a next cursor")
			}
			break
		}
		cursor = r.Str("meta.next_cursor")
	}
	if pages != 3 || len(seen) != 25 || numbers[0] != "IT-000025" || numbers[24] != "IT-000001" {
		t.Fatalf("pages %d, tickets %d, first %s, last %s", pages, len(seen), numbers[0], numbers[len(numbers)-1])
	}
	// Ascending by number, across a page boundary.
	r := f.Expect(f.Do("GET", sandbox+"/tickets?sort=number&limit=3", nil, h), 200)
	r = f.Expect(f.Do("GET", sandbox+"/tickets?sort=number&limit=3&cursor="+r.Str("meta.next_cursor"), nil, h), 200)
	if r.Str("data.0.number") != "IT-000004" {
		t.Fatalf("second ascending page starts at %s", r.Str("data.0.number"))
	}
	// Filters.
	count := func(q string) int {
		return len(f.Expect(f.Do("GET", sandbox+"/tickets?limit=100&"+q, nil, h), 200).List())
	}
	if n := count("priority=urgent"); n != 5 {
		t.Errorf("urgent: %d", n)
	}
	if n := count("assignee=" + agent.ID.String()); n != 5 {
		t.Errorf("assigned: %d", n)
	}
	if n := count("assignee=none"); n != 20 {
		t.Errorf("unassigned: %d", n)
	}
	if n := count("q=KEYBOARD"); n != 5 {
		t.Errorf("search: %d", n)
	}
	if n := count("q=ticket%2001"); n != 1 {
		t.Errorf("title search: %d", n)
	}
	if n := count("status=open,in_progress&requester=" + f.A.Owner.ID.String()); n != 25 {
		t.Errorf("status+requester: %d", n)
	}
	if n := count("status=closed"); n != 0 {
		t.Errorf("closed: %d", n)
	}
	// Bad parameters are 422 with the field named.
	for q, field := range map[string]string{
		"limit=0": "limit", "limit=101": "limit", "limit=ten": "limit", "status=lost": "status", "priority=meh": "priority",
		"sort=title": "sort", "cursor=garbage": "cursor", "assignee=bob": "assignee", "requester=x": "requester",
	} {
		r := f.Expect(f.Do("GET", sandbox+"/tickets?"+q, nil, h), 422)
		if r.Str("message") != "The given data was invalid." || len(r.Errors()[field]) == 0 {
			t.Errorf("%s: %s", q, r)
		}
	}
	// A cursor of one order is refused under another.
	c := f.Expect(f.Do("GET", sandbox+"/tickets?limit=2", nil, h), 200).Str("meta.next_cursor")
	f.Expect(f.Do("GET", sandbox+"/tickets?sort=number&cursor="+c, nil, h), 422)
}

func TestTicketListIsOneQuery(t *testing.T) {
	t.Parallel()
	f := setup(t)
	h := testenv.Key(f.sandboxA)
	for i := 0; i < 3; i++ {
		f.ticket(sandbox, f.sandboxA, f.A.Owner.ID, "t")
	}
	f.Expect(f.Do("GET", sandbox+"/tickets", nil, h), 200) // warms the credential cache
	before := f.Queries.Count()
	f.Expect(f.Do("GET", sandbox+"/tickets?limit=2&status=open", nil, h), 200)
	if n := f.Queries.Count() - before; n != 1 {
		t.Fatalf("an authenticated ticket list ran %d queries, want 1", n)
	}
	before = f.Queries.Count()
	f.Expect(f.Do("GET", sandbox+"/me", nil, h), 200)
	if n := f.Queries.Count() - before; n != 0 {
		t.Fatalf("authentication and permission checks ran %d queries, want 0", n)
	}
}

func TestKeysMustNameARequester(t *testing.T) {
	t.Parallel()
	f := setup(t)
	r := f.Expect(f.Do("POST", sandbox+"/tickets", map[string]any{"title": "x"}, testenv.Key(f.sandboxA)), 422)
	if len(r.Errors()["requester_id"]) != 1 {
		t.Fatalf("%s", r)
	}
	r = f.Expect(f.Do("POST", sandbox+"/tickets", map[string]any{"title": "x", "requester_id": f.B.Owner.ID}, testenv.Key(f.sandboxA)), 422)
	if len(r.Errors()["requester_id"]) != 1 {
		t.Fatalf("foreign requester: %s", r)
	}
}

func TestConcurrentTicketsGetDistinctGaplessNumbers(t *testing.T) {
	t.Parallel()
	f := setup(t)
	const n = 12
	numbers := make(chan string, n)
	done := make(chan struct{})
	for i := 0; i < n; i++ {
		go func() {
			defer func() { done <- struct{}{} }()
			r := f.Do("POST", sandbox+"/tickets", map[string]any{"title": "parallel", "requester_id": f.A.Owner.ID}, testenv.Key(f.sandboxA))
			if r.Code != 201 {
				t.Errorf("create: %s", r)
				return
			}
			numbers <- r.Str("data.number")
		}()
	}
	for i := 0; i < n; i++ {
		<-done
	}
	close(numbers)
	seen := map[string]bool{}
	for num := range numbers {
		if seen[num] {
			t.Fatalf("number %s given twice", num)
		}
		seen[num] = true
	}
	for i := 1; i <= n; i++ {
		if !seen[fmt.Sprintf("IT-%06d", i)] {
			t.Fatalf("number %d missing: %v", i, seen)
		}
	}
}
