package rest_test

import (
	"fmt"
	"sort"
	"testing"

	"github.com/cienerp/cienerp/internal/testenv"
	"github.com/cienerp/cienerp/policy"
)

// traffic is a request a credential makes, replayed before and after a
// change.
type traffic struct {
	who          string // a key of creds
	method, path string
	body         any
}

// TestPolicySimulatorMatchesReplay: the simulator's answer for a role
// change equals what happens when the change is applied and the same
// requests are sent again: the same credentials and routes flip, the same
// way; and each credential's row counts are what its lists show after.
func TestPolicySimulatorMatchesReplay(t *testing.T) {
	t.Parallel()
	f := setup(t)
	admin := testenv.Key(f.sandboxA)
	f.Expect(f.Do("POST", sandbox+"/admin/roles", map[string]any{"name": "sync", "permissions": []string{"finance.invoices.view", "finance.customers.view", "it-support.tickets.view"}}, admin), 201)
	keyID, keySecret := f.Key(f.A.ID, policy.Sandbox, "sync")
	member := f.User(f.A.ID, "sync@acme.test", "sync")
	creds := map[string]testenv.H{"key": testenv.Key(keySecret), "member": testenv.Bearer(f.token(member, "acme"))}
	subjects := map[string]string{"key": "key:" + keyID.String(), "member": "user:" + member.ID.String()}
	var alpha string
	for _, name := range []string{"Alpha", "Beta", "Gamma"} {
		id := f.Expect(f.Do("POST", sandbox+"/customers", map[string]any{"name": name}, admin), 201).Str("data.id")
		if name == "Alpha" {
			alpha = id
		}
		f.Expect(f.Do("POST", sandbox+"/invoices", map[string]any{"customer_id": id, "currency": "EUR", "items": []map[string]any{{"description": "x", "quantity": "1", "unit_price": "1.00"}}}, admin), 201)
	}
	requests := []traffic{
		{"key", "GET", "/invoices", nil}, {"key", "GET", "/customers", nil}, {"key", "GET", "/tickets", nil},
		{"key", "POST", "/graphql", map[string]any{"query": "query Inv { invoices { totalCount } }"}},
		{"key", "GET", "/products", nil},
		{"member", "GET", "/customers/" + alpha, nil}, {"member", "GET", "/invoices?expand=data.customer", nil}, {"member", "GET", "/tickets", nil},
	}
	denied := func(r *testenv.Response) bool {
		if r.Code == 403 {
			return true
		}
		return testenv.Dig(r.Body, "errors.0.extensions.code") == "FORBIDDEN"
	}
	route := func(p string) string { // the log's route template of each path
		switch {
		case p == "/customers/"+alpha:
			return "/customers/{id}"
		case p == "/invoices?expand=data.customer":
			return "/invoices"
		}
		return p
	}
	send := func() map[string]bool {
		out := map[string]bool{}
		for _, q := range requests {
			r := f.Do(q.method, sandbox+q.path, q.body, creds[q.who])
			if r.Code >= 500 {
				t.Fatalf("%s %s: %s", q.method, q.path, r)
			}
			out[subjects[q.who]+" "+q.method+" "+route(q.path)] = !denied(r)
		}
		return out
	}
	before := send()
	flushLog(f)

	change := map[string]any{"role": map[string]any{"name": "sync",
		"permissions": []string{"finance.customers.view", "it-support.tickets.view", "inventory.products.view"},
		"conditions":  map[string]any{"finance.customers.view": map[string]any{"name": map[string]any{"_eq": "Alpha"}}}}}
	sim := f.Expect(f.Do("POST", sandbox+"/admin/policy/simulate", change, admin), 200)
	predicted := map[string]string{}
	for _, x := range sim.Get("data.changes").([]any) {
		c := x.(map[string]any)
		if c["credential"] != subjects["key"] && c["credential"] != subjects["member"] {
			continue // the admin key's own requests (it keeps admin)
		}
		predicted[fmt.Sprint(c["credential"], " ", c["method"], " ", c["route"])] = c["from"].(string) + "→" + c["to"].(string)
		if c["example_request_id"] == "" || c["requests"].(float64) < 1 {
			t.Errorf("change without its example or count: %v", c)
		}
	}
	rows := map[string][3]float64{}
	for _, x := range sim.Get("data.rows").([]any) {
		r := x.(map[string]any)
		rows[fmt.Sprint(r["credential"], " ", r["object"])] = [3]float64{r["after"].(float64), r["stop"].(float64), r["start"].(float64)}
	}
	// Nothing is saved by a simulation.
	if r := f.Expect(f.Do("GET", sandbox+"/admin/roles/sync", nil, admin), 200); len(r.Get("data.permissions").([]any)) != 3 {
		t.Fatalf("the simulation changed the role: %s", r)
	}

	f.Expect(f.Do("PATCH", sandbox+"/admin/roles/sync", change["role"].(map[string]any), admin), 200)
	after := send()
	actual := map[string]string{}
	word := map[bool]string{true: "allowed", false: "denied"}
	for k, b := range before {
		if a := after[k]; a != b {
			actual[k] = word[b] + "→" + word[a]
		}
	}
	if fmt.Sprint(sorted(predicted)) != fmt.Sprint(sorted(actual)) {
		t.Errorf("simulated flips:\n  %v\nreplayed flips:\n  %v", sorted(predicted), sorted(actual))
	}
	t.Logf("flips: %v", sorted(actual))
	if len(actual) < 4 {
		t.Errorf("the change flips %d routes, want at least 4: the comparison proves little", len(actual))
	}
	// Rows: what the simulator said each credential would see is what it sees.
	for who, h := range creds {
		r := f.Expect(f.Do("GET", sandbox+"/customers?limit=100", nil, h), 200)
		if got, want := float64(len(r.List())), rows[subjects[who]+" customer"]; got != want[0] || want[1] != 2 || want[2] != 0 {
			t.Errorf("%s customers: sees %v after, simulated (after, stop, start) %v", who, got, want)
		}
		if want := rows[subjects[who]+" invoice"]; want != [3]float64{0, 3, 0} {
			t.Errorf("%s invoices: simulated (after, stop, start) %v, want 0 after, 3 stopped", who, want)
		}
	}
}

func sorted(m map[string]string) []string {
	var out []string
	for k, v := range m {
		out = append(out, k+" "+v)
	}
	sort.Strings(out)
	return out
}

// TestPolicySimulatorAnswers: a change that affects no logged request says
// so; assignments and imports are simulated; bad proposals are 422s; and
// GraphQL gives the same answer.
func TestPolicySimulatorAnswers(t *testing.T) {
	t.Parallel()
	f := setup(t)
	admin := testenv.Key(f.sandboxA)
	keyID, keySecret := f.Key(f.A.ID, policy.Sandbox, "viewer")
	f.Expect(f.Do("GET", sandbox+"/tickets", nil, testenv.Key(keySecret)), 200)
	f.Expect(f.Do("GET", sandbox+"/customers", nil, testenv.Key(keySecret)), 200)
	flushLog(f)

	none := f.Expect(f.Do("POST", sandbox+"/admin/policy/simulate", map[string]any{"role": map[string]any{"name": "accountant", "permissions": []string{"finance.*"}}}, admin), 200)
	if s := none.Str("data.summary"); s == "" || len(none.Get("data.changes").([]any)) != 0 || none.Get("data.requests_examined").(float64) < 2 {
		t.Errorf("no-impact answer: %s", none)
	}
	assign := f.Expect(f.Do("POST", sandbox+"/admin/policy/simulate", map[string]any{"integration_key": map[string]any{"id": keyID, "roles": []string{"it-agent"}}}, admin), 200)
	flips := map[string]string{}
	for _, x := range assign.Get("data.changes").([]any) {
		c := x.(map[string]any)
		flips[c["route"].(string)] = c["to"].(string)
	}
	if flips["/customers"] != "denied" || flips["/tickets"] != "" {
		t.Errorf("key assignment: %v", flips)
	}
	doc := f.Expect(f.Do("GET", sandbox+"/admin/policy", nil, admin), 200).Get("data").(map[string]any)
	for _, r := range doc["roles"].([]any) {
		role := r.(map[string]any)
		if role["name"] == "viewer" {
			role["permissions"] = []string{"finance.customers.view"}
		}
	}
	imp := f.Expect(f.Do("POST", sandbox+"/admin/policy/simulate", map[string]any{"policy": doc}, admin), 200)
	if n := len(imp.Get("data.changes").([]any)); n != 1 || imp.Str("data.changes.0.route") != "/tickets" {
		t.Errorf("import: %s", imp)
	}
	for name, body := range map[string]any{
		"two changes":  map[string]any{"delete_role": "viewer", "role": map[string]any{"name": "viewer"}},
		"none":         map[string]any{},
		"builtin":      map[string]any{"delete_role": "viewer"},
		"unknown role": map[string]any{"integration_key": map[string]any{"id": keyID, "roles": []string{"ghost"}}},
		"days":         map[string]any{"role": map[string]any{"name": "viewer"}, "days": 91},
		"bad pattern":  map[string]any{"role": map[string]any{"name": "viewer", "permissions": []string{"no such"}}},
	} {
		if r := f.Do("POST", sandbox+"/admin/policy/simulate", body, admin); r.Code != 422 {
			t.Errorf("%s: %s, want 422", name, r)
		}
	}
	g := f.Expect(f.Do("POST", sandbox+"/graphql", map[string]any{"query": `query($id: UUID!) { simulatePolicy(change: {integrationKey: {id: $id, roles: ["it-agent"]}}) { requestsAffected changes { route to } summary } }`,
		"variables": map[string]any{"id": keyID}}, admin), 200)
	if g.Get("data.simulatePolicy.requestsAffected") != assign.Get("data.requests_affected") {
		t.Errorf("graphql: %s\nrest: %s", g, assign)
	}
	// The key holding only viewer may not simulate.
	if r := f.Do("POST", sandbox+"/admin/policy/simulate", map[string]any{"delete_role": "x"}, testenv.Key(keySecret)); r.Code != 403 {
		t.Errorf("viewer simulates: %s", r)
	}
}
