package rest_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cienerp/cienerp/ent/privacy"
	"github.com/cienerp/cienerp/ent/tenant"
	"github.com/cienerp/cienerp/internal/testenv"
	declared "github.com/cienerp/cienerp/module"
	"github.com/cienerp/cienerp/modules"
	"github.com/cienerp/cienerp/modules/finance"
	"github.com/cienerp/cienerp/modules/itsupport"
	"github.com/cienerp/cienerp/policy"
)

// TestRowConditionsLeakNothing gives a role random conditions on tickets,
// customers, invoices and payments (through their invoice's customer too), signs in as one of its members and asks every
// read path — REST lists (filtered, searched, paged), GETs, expand, the
// comments of a ticket, the events feed, GraphQL connections with their
// counts, nested fields, node and nodes — comparing what comes back with
// a reference evaluation of the same conditions in Go (policy.Matches) on
// the objects as the owner sees them. Anything seen but not admitted is a
// leak; anything admitted but missing is a miss (the SQL and the
// reference disagree). A planted leak (the reference told one admitted
// object is not) must be caught, so the test cannot pass by seeing
// nothing. CIEN_ROW_ROUNDS sets the rounds (default 70, over 10,000 checks).
func TestRowConditionsLeakNothing(t *testing.T) {
	t.Parallel()
	f := setup(t)
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("CIEN_ROW_SEED"); s != "" {
		seed, _ = strconv.ParseUint(s, 10, 64)
	}
	rng := rand.New(rand.NewPCG(seed, 7))
	t.Logf("seed %d (CIEN_ROW_SEED)", seed)
	rounds := 70
	if s := os.Getenv("CIEN_ROW_ROUNDS"); s != "" {
		rounds, _ = strconv.Atoi(s)
	}

	// Thousands of requests a minute: past the tenant's rate limit.
	f.App.DB.Client.Tenant.Update().Where(tenant.ID(f.A.ID)).SetRateLimitPerMinute(1_000_000).ExecX(privacy.DecisionContext(f.Ctx, privacy.Allow))
	admin := testenv.Key(f.sandboxA)
	f.Expect(f.Do("POST", sandbox+"/admin/roles", map[string]any{"name": "probe", "permissions": []string{itsupport.TicketsView}}, admin), 201)
	users := []testenv.User{
		f.User(f.A.ID, "u0@acme.test", "probe"), f.User(f.A.ID, "u1@acme.test", "probe"), f.User(f.A.ID, "u2@acme.test", "probe"),
	}
	tokens := make([]testenv.H, len(users))
	for i, u := range users {
		tokens[i] = testenv.Bearer(f.token(u, ""))
	}
	people := []string{users[0].ID.String(), users[1].ID.String(), users[2].ID.String(), f.A.Owner.ID.String()}
	pick := func(list []string) string { return list[rng.IntN(len(list))] }

	// The data: tickets (some changed, some commented), customers, invoices.
	var customers []string
	for i := range 8 {
		customers = append(customers, f.Expect(f.Do("POST", sandbox+"/customers", map[string]any{"name": pick([]string{"Ada", "Bo", "Cy"}) + strconv.Itoa(i%3),
			"email": fmt.Sprintf("c%d@x.test", i), "currency": pick([]string{"EUR", "USD"})}, admin), 201).Str("data.id"))
	}
	for range 12 {
		body := map[string]any{"currency": pick([]string{"EUR", "USD"}), "items": []map[string]any{{"description": "x", "quantity": "1", "unit_price": "10.00"}}}
		if rng.IntN(4) > 0 {
			body["customer_id"] = pick(customers)
		}
		id := f.Expect(f.Do("POST", sandbox+"/invoices", body, admin), 201).Str("data.id")
		if rng.IntN(2) == 0 {
			f.Expect(f.Do("POST", sandbox+"/invoices/"+id+"/issue", nil, admin), 200)
			// A payment: conditions reach its invoice's customer (invoice.customer_id).
			f.Expect(f.Do("POST", sandbox+"/payments", map[string]any{"invoice_id": id, "amount": "1.00", "currency": body["currency"], "method": pick([]string{"cash", "card"})}, admin), 201)
		}
	}
	var tickets []string
	for i := range 24 {
		body := map[string]any{"title": "T" + strconv.Itoa(i), "requester_id": pick(people), "priority": pick(itsupport.TicketPriorities)}
		if rng.IntN(3) > 0 {
			body["assignee_id"] = pick(people)
		}
		id := f.Expect(f.Do("POST", sandbox+"/tickets", body, admin), 201).Str("data.id")
		tickets = append(tickets, id)
		if rng.IntN(2) == 0 {
			f.Expect(f.Do("PATCH", sandbox+"/tickets/"+id, map[string]any{"status": pick(itsupport.TicketStatuses), "requester_id": pick(people)}, admin), 200)
		}
		if rng.IntN(3) == 0 {
			f.Expect(f.Do("POST", sandbox+"/tickets/"+id+"/comments", map[string]any{"body": "hi"}, admin), 201)
		}
	}
	// A canary in the other tenant: never visible, whatever the condition.
	f.ticket(sandbox, f.sandboxB, f.B.Owner.ID, "canary")

	// The objects as the owner sees them: the reference's input.
	all := func(path string) map[string]map[string]any {
		out := map[string]map[string]any{}
		for _, o := range listAll(f, path, admin) {
			out[o["id"].(string)] = o
		}
		return out
	}
	objects := map[string]map[string]map[string]any{"ticket": all("/tickets"), "customer": all("/customers"), "invoice": all("/invoices"), "payment": all("/payments")}
	comments := map[string][]string{} // ticket → comment ids
	for _, id := range tickets {
		for _, c := range listAll(f, "/tickets/"+id+"/comments", admin) {
			comments[id] = append(comments[id], c["id"].(string))
		}
	}
	events := listAll(f, "/events", admin)

	gen := condGen{rng: rng, pools: map[string][]any{}}
	for _, p := range people {
		gen.pools["user"] = append(gen.pools["user"], p)
		gen.pools["subject"] = append(gen.pools["subject"], "user:"+p)
	}
	gen.pools["subject"] = append(gen.pools["subject"], "key:"+f.sandboxAKey.String())
	gen.pools["id"] = anys(customers)
	for _, objs := range objects {
		for _, o := range objs {
			gen.times = append(gen.times, o["created_at"].(string))
			if n, ok := o["name"].(string); ok {
				gen.pools["string"] = append(gen.pools["string"], n)
			}
		}
	}
	gen.pools["string"] = append(gen.pools["string"], "EUR", "USD", "nobody")

	perms := map[string]string{"ticket": itsupport.TicketsView, "customer": finance.CustomersView, "invoice": finance.InvoicesView, "payment": finance.PaymentsView}
	st := leakStats{}
	for round := range rounds + 1 {
		planted := round == rounds // the last round plants a leak the checks must catch
		who := rng.IntN(len(users))
		actor := policy.Actor{UserID: users[who].ID.String(), Email: users[who].Email}
		conds := map[string]json.RawMessage{}
		parsed := map[string]policy.Cond{}
		granted := []string{}
		for obj, perm := range perms {
			if rng.IntN(5) == 0 && !planted {
				continue // not granted this round
			}
			granted = append(granted, perm)
			if rng.IntN(4) == 0 || planted {
				continue // granted without a condition (the planted round: all, so that it admits some)
			}
			raw := gen.cond(modules.Objects()[obj], 2)
			c, err := policy.ParseCondition(obj, raw)
			if err != nil {
				t.Fatalf("generated an invalid condition %s: %v", raw, err)
			}
			conds[perm], parsed[obj] = raw, c
		}
		sort.Strings(granted)
		r := f.Do("PATCH", sandbox+"/admin/roles/probe", map[string]any{"permissions": granted, "conditions": conds}, admin)
		f.Expect(r, 200)
		admits := func(obj string, o map[string]any) bool {
			if !slices.Contains(granted, perms[obj]) {
				return false
			}
			c, limited := parsed[obj]
			if !limited {
				return true
			}
			return policy.Matches([]policy.Cond{c}, fieldsOf(obj, o, objects), actor)
		}
		expected := map[string]map[string]bool{}
		for obj, objs := range objects {
			expected[obj] = map[string]bool{}
			for id, o := range objs {
				expected[obj][id] = admits(obj, o)
			}
		}
		if planted { // the reference now hides one object it admits
			for _, obj := range []string{"ticket", "customer", "invoice", "payment"} {
				for id, ok := range expected[obj] {
					if ok {
						expected[obj][id] = false
						goto plantedOne
					}
				}
			}
			t.Fatalf("the planted round admits nothing: seed %d", seed)
		plantedOne:
		}
		stats := &st
		if planted {
			stats = &leakStats{} // counted apart, reported only if missed
		}
		ck := &leakCheck{t: t, st: stats, quiet: planted, desc: fmt.Sprintf("round %d, u%d, conditions %s", round, who, mustJSON(conds))}
		tok := tokens[who]

		for obj, path := range map[string]string{"ticket": "/tickets", "customer": "/customers", "invoice": "/invoices", "payment": "/payments"} {
			if !slices.Contains(granted, perms[obj]) {
				continue
			}
			// The list, in small pages: has_more and the cursor too.
			seen := map[string]bool{}
			for _, o := range listPaged(f, path, tok, 7) {
				seen[o["id"].(string)] = true
			}
			ck.sameSet("REST list "+path, expected[obj], seen)
			// Filters and search select within what is admitted.
			if obj == "ticket" {
				p := pick(people)
				want := filter(expected[obj], func(id string) bool { return objects[obj][id]["requester_id"] == p })
				ck.sameSet("REST "+path+"?requester", want, ids(listAll(f, path+"?requester="+p, tok)))
			}
			if obj == "customer" {
				want := filter(expected[obj], func(id string) bool { return strings.Contains(objects[obj][id]["name"].(string), "Ada") })
				ck.sameSet("REST "+path+"?q=Ada", want, ids(listAll(f, path+"?q=Ada", tok)))
			}
			// GETs of a sample, admitted or not: a hidden row is a 404.
			for _, id := range sample(rng, keys(objects[obj]), 4) {
				code := f.Do("GET", sandbox+path+"/"+id, nil, tok).Code
				ck.one("REST GET "+path, id, expected[obj][id], code == 200, code != 200 && code != 404)
			}
			// GraphQL: the connection, its count, and node for a sample.
			field := map[string]string{"ticket": "tickets", "customer": "customers", "invoice": "invoices", "payment": "payments"}[obj]
			g := f.Do("POST", sandbox+"/graphql", map[string]any{"query": "{ " + field + "(first: 100) { totalCount edges { node { id } } } }"}, tok)
			nodes := map[string]bool{}
			for _, e := range asList(g.Get("data." + field + ".edges")) {
				nodes[testenv.Dig(e, "node.id").(string)] = true
			}
			ck.sameSet("GraphQL "+field, expected[obj], nodes)
			if n, _ := g.Get("data." + field + ".totalCount").(float64); int(n) != count(expected[obj]) {
				ck.fail("GraphQL %s.totalCount is %d, %d admitted", field, int(n), count(expected[obj]))
			}
			some := sample(rng, keys(objects[obj]), 4)
			g = f.Do("POST", sandbox+"/graphql", map[string]any{"query": `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, "variables": map[string]any{"ids": some}}, tok)
			for i, id := range some {
				n := testenv.Dig(g.Body, "data.nodes."+strconv.Itoa(i))
				ck.one("GraphQL nodes", id, expected[obj][id], n != nil, false)
			}
		}
		// expand and GraphQL's nested field: an invoice's customer is there
		// only when the customer is admitted.
		if slices.Contains(granted, perms["invoice"]) && slices.Contains(granted, perms["customer"]) {
			for _, inv := range listAll(f, "/invoices?expand=customer", tok) {
				if c, ok := inv["customer"].(map[string]any); ok {
					ck.one("REST expand=customer", c["id"].(string), expected["customer"][c["id"].(string)], true, false)
				}
			}
			g := f.Do("POST", sandbox+"/graphql", map[string]any{"query": "{ invoices(first: 100) { edges { node { customer { id } } } } }"}, tok)
			for _, e := range asList(g.Get("data.invoices.edges")) {
				if id, ok := testenv.Dig(e, "node.customer.id").(string); ok {
					ck.one("GraphQL Invoice.customer", id, expected["customer"][id], true, false)
				}
			}
		}
		// A ticket's comments are seen with it.
		if slices.Contains(granted, perms["ticket"]) {
			for _, id := range sample(rng, keys(comments), 3) {
				r := f.Do("GET", sandbox+"/tickets/"+id+"/comments", nil, tok)
				for _, c := range comments[id] {
					ck.one("REST comments", c, expected["ticket"][id], r.Code == 200 && slices.ContainsFunc(r.List(), func(x any) bool { return testenv.Dig(x, "id") == c }), r.Code >= 500)
				}
			}
		}
		// The events feed: each event as it carries its object.
		seen := ids(listPaged(f, "/events", tok, 50))
		for _, ev := range events {
			data, _ := ev["data"].(map[string]any)
			o, _ := data["object"].(map[string]any)
			objType, _ := o["object"].(string)
			want := false
			switch objType {
			case "ticket", "customer", "invoice", "payment":
				want = admits(objType, o)
			case "ticket_comment":
				tk := objects["ticket"][o["ticket_id"].(string)]
				want = admits("ticket", tk)
			}
			ck.one("events feed", ev["id"].(string), want, seen[ev["id"].(string)], false)
		}
		if planted {
			if ck.leaks == 0 {
				t.Fatalf("the planted leak was not caught: the checks see nothing (seed %d)", seed)
			}
			continue
		}
		st.leaks += ck.leaks
	}
	t.Logf("%s: %d rounds, %d checks (%d admitted, %d hidden), %d leaks, %d misses; the planted leak was caught", testenv.Kind(), rounds, st.checks, st.admitted, st.hidden, st.leaks, st.misses)
	if os.Getenv("CIEN_ROW_ROUNDS") == "" && st.checks < 10_000 {
		t.Fatalf("only %d checks: the goal is 10,000 per database", st.checks)
	}
	if st.hidden == 0 || st.admitted == 0 {
		t.Fatalf("the rounds admitted %d and hid %d: the conditions do not exercise both", st.admitted, st.hidden)
	}
}

// leakStats counts over the rounds.
type leakStats struct{ checks, admitted, hidden, leaks, misses int }

type leakCheck struct {
	t     *testing.T
	st    *leakStats
	quiet bool // the planted round: leaks are expected, not errors
	desc  string
	leaks int
}

func (c *leakCheck) fail(format string, a ...any) {
	c.t.Helper()
	c.leaks++
	if c.leaks <= 3 && !c.quiet {
		c.t.Errorf("%s: "+format, append([]any{c.desc}, a...)...)
	}
}

// one checks that id is seen on a path exactly when it is admitted.
func (c *leakCheck) one(path, id string, admitted, seen, broken bool) {
	c.t.Helper()
	c.st.checks++
	if admitted {
		c.st.admitted++
	} else {
		c.st.hidden++
	}
	switch {
	case broken:
		c.fail("%s %s answered with an error", path, id)
	case seen && !admitted:
		c.fail("LEAK through %s: %s is not admitted", path, id)
	case admitted && !seen:
		c.st.misses++
		c.fail("%s misses %s, which is admitted", path, id)
	}
}

func (c *leakCheck) sameSet(path string, want, got map[string]bool) {
	c.t.Helper()
	for id, ok := range want {
		c.one(path, id, ok, got[id], false)
	}
	for id := range got {
		if _, known := want[id]; !known {
			c.st.checks++
			c.fail("LEAK through %s: %s is no object of this tenant's", path, id)
		}
	}
}

// fieldsOf reads an object's fields for the reference, through its
// declared relations to the other objects.
func fieldsOf(objType string, o map[string]any, objects map[string]map[string]map[string]any) func([]string) any {
	return func(path []string) any {
		if len(path) == 1 {
			for _, r := range modules.Objects()[objType].Relations {
				if r.Name == path[0] && r.Ref != "" {
					id, _ := o[r.Ref].(string)
					if rel, ok := objects[r.Object][id]; ok {
						return rel
					}
					return nil
				}
			}
			return o[path[0]]
		}
		for _, r := range modules.Objects()[objType].Relations {
			if r.Name == path[0] {
				id, _ := o[r.Ref].(string)
				return objects[r.Object][id][path[1]]
			}
		}
		return nil
	}
}

// condGen draws random conditions over an object's declared fields.
type condGen struct {
	rng   *rand.Rand
	pools map[string][]any // kind → values
	times []string
}

func (g *condGen) cond(obj declared.Object, depth int) json.RawMessage {
	b, _ := json.Marshal(g.node(obj, depth, true))
	return b
}

func (g *condGen) node(obj declared.Object, depth int, relations bool) map[string]any {
	if depth > 0 {
		switch g.rng.IntN(6) {
		case 0, 1:
			return map[string]any{[]string{"_and", "_or"}[g.rng.IntN(2)]: []any{g.node(obj, depth-1, relations), g.node(obj, depth-1, relations)}}
		case 2:
			return map[string]any{"_not": g.node(obj, depth-1, relations)}
		}
	}
	if relations && g.rng.IntN(5) == 0 {
		for _, r := range obj.Relations {
			if target := modules.Objects()[r.Object]; r.Ref != "" && len(target.Fields) > 0 {
				return map[string]any{r.Name: g.node(target, 0, false)}
			}
		}
	}
	f := obj.Fields[g.rng.IntN(len(obj.Fields))]
	return map[string]any{f.Name: g.leaf(f)}
}

func (g *condGen) leaf(f declared.Field) map[string]any {
	value := func() any {
		switch f.Kind {
		case declared.KindEnum:
			return f.Values[g.rng.IntN(len(f.Values))]
		case declared.KindBool:
			return g.rng.IntN(2) == 0
		case declared.KindUser, declared.KindSubject:
			if g.rng.IntN(3) == 0 {
				return "$user"
			}
		}
		pool := g.pools[string(f.Kind)]
		if len(pool) == 0 {
			return "nobody"
		}
		return pool[g.rng.IntN(len(pool))]
	}
	if f.Kind == declared.KindDate {
		day := time.Now().UTC().AddDate(0, 0, g.rng.IntN(3)-1).Format(time.DateOnly)
		return map[string]any{[]string{"_eq", "_lt", "_lte", "_gt", "_gte", "_neq"}[g.rng.IntN(6)]: day}
	}
	if f.Kind == declared.KindTime { // ordered comparisons between two objects' instants
		return map[string]any{[]string{"_lt", "_lte", "_gt", "_gte"}[g.rng.IntN(4)]: g.between()}
	}
	switch g.rng.IntN(6) {
	case 0:
		return map[string]any{"_neq": value()}
	case 1:
		return map[string]any{"_in": []any{value(), value()}}
	case 2:
		return map[string]any{"_nin": []any{value()}}
	case 3:
		return map[string]any{"_null": g.rng.IntN(2) == 0}
	}
	return map[string]any{"_eq": value()}
}

// between is an instant between two objects' creation at least 2 ms apart
// (times compare to the millisecond: SQLite's precision).
func (g *condGen) between() string {
	ts := make([]time.Time, len(g.times))
	for i, s := range g.times {
		ts[i], _ = time.Parse(time.RFC3339Nano, s)
	}
	slices.SortFunc(ts, time.Time.Compare)
	for range 20 {
		i := g.rng.IntN(len(ts) - 1)
		a, b := ts[i], ts[i+1]
		if b.Sub(a) >= 2*time.Millisecond {
			return a.Add(b.Sub(a) / 2).UTC().Format(time.RFC3339Nano)
		}
	}
	return "2026-01-01"
}

// listAll reads every page of a list as h.
func listAll(f *fixture, path string, h testenv.H) []map[string]any {
	return listPaged(f, path, h, 100)
}

func listPaged(f *fixture, path string, h testenv.H, limit int) []map[string]any {
	f.T.Helper()
	var out []map[string]any
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	cursor := ""
	for range 200 {
		r := f.Expect(f.Do("GET", sandbox+path+sep+"limit="+strconv.Itoa(limit)+cursor, nil, h), 200)
		for _, o := range r.List() {
			out = append(out, o.(map[string]any))
		}
		next, _ := r.Get("meta.next_cursor").(string)
		if os.Getenv("CIEN_ROW_DEBUG") != "" {
			f.T.Logf("%s%s: %d items, meta %v", path, cursor, len(r.List()), r.Get("meta"))
		}
		if r.Get("meta.has_more") != true || next == "" {
			return out
		}
		cursor = "&cursor=" + url.QueryEscape(next)
	}
	f.T.Fatalf("%s: more than 200 pages", path)
	return nil
}

func ids(list []map[string]any) map[string]bool {
	out := map[string]bool{}
	for _, o := range list {
		out[o["id"].(string)] = true
	}
	return out
}

func filter(set map[string]bool, keep func(string) bool) map[string]bool {
	out := map[string]bool{}
	for id, ok := range set {
		if keep(id) {
			out[id] = ok
		}
	}
	return out
}

func count(set map[string]bool) int {
	n := 0
	for _, ok := range set {
		if ok {
			n++
		}
	}
	return n
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func sample(rng *rand.Rand, list []string, n int) []string {
	list = slices.Clone(list)
	rng.Shuffle(len(list), func(i, j int) { list[i], list[j] = list[j], list[i] })
	return list[:min(n, len(list))]
}

func anys(list []string) []any {
	out := make([]any, len(list))
	for i, s := range list {
		out[i] = s
	}
	return out
}

func asList(v any) []any { l, _ := v.([]any); return l }
