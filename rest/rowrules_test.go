package rest_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cienerp/cienerp/ent/casbinrule"
	"github.com/cienerp/cienerp/ent/privacy"
	"github.com/cienerp/cienerp/ent/role"
	"github.com/cienerp/cienerp/internal/testenv"
	"github.com/cienerp/cienerp/modules/admin"
	"github.com/cienerp/cienerp/modules/documents"
	"github.com/cienerp/cienerp/modules/finance"
	"github.com/cienerp/cienerp/modules/inventory"
	"github.com/cienerp/cienerp/modules/itsupport"
	"github.com/cienerp/cienerp/modules/pos"
	"github.com/cienerp/cienerp/modules/settings"
)

// person signs a new member with roles in and returns its headers.
func (f *fixture) person(email string, roles ...string) (testenv.User, testenv.H) {
	f.T.Helper()
	u := f.User(f.A.ID, email, roles...)
	return u, testenv.Bearer(f.token(u, ""))
}

// role creates a role of tenant A with permissions and conditions.
func (f *fixture) role(name string, perms []string, conds map[string]any) {
	f.T.Helper()
	f.Expect(f.Do("POST", sandbox+"/admin/roles", map[string]any{"name": name, "permissions": perms, "conditions": conds}, testenv.Key(f.sandboxA)), 201)
}

var own = map[string]any{"requester_id": map[string]any{"_eq": "$user"}}

// TestRowConditionsOnTheStreams: a member who sees only the tickets it
// requested gets, over SSE and on its own webhook endpoint, the events of
// its ticket (the canary that anything arrives) and none of another's.
func TestRowConditionsOnTheStreams(t *testing.T) {
	t.Parallel()
	f := webhooks(t)
	f.role("self", []string{itsupport.TicketsView, settings.WebhooksManage}, map[string]any{itsupport.TicketsView: own})
	me, h := f.person("me@acme.test", "self")
	bob := f.User(f.A.ID, "bob@acme.test", "viewer")
	rc := testenv.NewReceiver(t)
	f.Expect(f.Do("POST", sandbox+"/webhook-endpoints", map[string]any{"url": rc.URL, "event_types": []string{"ticket.*"}}, h), 201)
	sse := testenv.OpenSSE(t, f.Serve()+sandbox+"/events/stream", h)
	defer sse.Close()

	theirs := f.ticket(sandbox, f.sandboxA, bob.ID, "bob's")
	mine := f.ticket(sandbox, f.sandboxA, me.ID, "mine")
	ev, ok := sse.Next(5 * time.Second)
	if !ok || !strings.Contains(ev.Data, mine) {
		t.Fatalf("SSE: first event %v (%v), want my ticket's", ev, ok)
	}
	if strings.Contains(ev.Data, theirs) {
		t.Fatalf("SSE leaked bob's ticket: %s", ev.Data)
	}
	got := rc.WaitFor(t, 1, 5*time.Second)
	time.Sleep(300 * time.Millisecond) // bob's delivery, were it sent, is here by now
	got = rc.Got()
	if len(got) != 1 || !strings.Contains(got[0].Body, mine) {
		t.Fatalf("webhook deliveries: %d, want exactly my ticket's: %v", len(got), got)
	}
}

// TestFieldRulesOnEveryPath: without finance.customers.contact.view a
// customer's email, phone, address and tax id appear nowhere — not in
// GET, lists, expand, events (object and previous_attributes), search or
// GraphQL — and cannot be written; asking for them by name is a 403
// naming the permission. A canary value is looked for in every answer.
func TestFieldRulesOnEveryPath(t *testing.T) {
	t.Parallel()
	f := webhooks(t)
	admin := testenv.Key(f.sandboxA)
	const canary = "canary-contact@hidden.test"
	f.role("sales", []string{finance.CustomersView, finance.CustomersCreate, finance.CustomersUpdate, finance.InvoicesView, settings.WebhooksManage}, nil)
	_, h := f.person("sales@acme.test", "sales")
	rc := testenv.NewReceiver(t)
	f.Expect(f.Do("POST", sandbox+"/webhook-endpoints", map[string]any{"url": rc.URL, "event_types": []string{"customer.*"}}, h), 201)
	c := f.Expect(f.Do("POST", sandbox+"/customers", map[string]any{"name": "Hidden Ltd", "email": canary, "phone": "+1 555 0100", "tax_id": "VAT-CANARY", "address": "1 Canary Wharf"}, admin), 201).Str("data.id")
	f.Expect(f.Do("PATCH", sandbox+"/customers/"+c, map[string]any{"email": "second-" + canary}, admin), 200)
	f.Expect(f.Do("POST", sandbox+"/invoices", map[string]any{"customer_id": c, "currency": "EUR", "items": []map[string]any{{"description": "x", "quantity": "1", "unit_price": "1.00"}}}, admin), 201)

	hidden := []string{"canary", "555 0100", "VAT-CANARY", "Canary Wharf"}
	clean := func(what string, r *testenv.Response) {
		t.Helper()
		for _, s := range hidden {
			if strings.Contains(strings.ToLower(string(r.Raw)), strings.ToLower(s)) {
				t.Errorf("%s shows %q: %s", what, s, r.Raw)
			}
		}
	}
	// The owner sees them (the canary is there to be found).
	if r := f.Expect(f.Do("GET", sandbox+"/customers/"+c, nil, admin), 200); r.Str("data.email") != "second-"+canary {
		t.Fatalf("the owner's view: %s", r)
	}
	r := f.Expect(f.Do("GET", sandbox+"/customers/"+c, nil, h), 200)
	clean("GET", r)
	if r.Str("data.name") != "Hidden Ltd" || r.Get("data.id") == nil {
		t.Fatalf("GET lost more than the contact group: %s", r)
	}
	clean("list", f.Expect(f.Do("GET", sandbox+"/customers", nil, h), 200))
	clean("expand", f.Expect(f.Do("GET", sandbox+"/invoices?expand=customer", nil, h), 200))
	clean("events", f.Expect(f.Do("GET", sandbox+"/events", nil, h), 200))
	if l := f.Expect(f.Do("GET", sandbox+"/customers?q=canary", nil, h), 200).List(); len(l) != 0 {
		t.Errorf("a search by a hidden email finds %d customers", len(l))
	}
	if l := f.Expect(f.Do("GET", sandbox+"/customers?q=Hidden", nil, h), 200).List(); len(l) != 1 {
		t.Errorf("a search by name finds %d customers", len(l))
	}
	for _, q := range []string{"?fields=email", "?fields=name,tax_id"} {
		if r := f.Expect(f.Do("GET", sandbox+"/customers/"+c+q, nil, h), 403); r.Str("permission") != finance.CustomersContactView {
			t.Errorf("%s: %s", q, r)
		}
	}
	inv := f.Expect(f.Do("GET", sandbox+"/invoices", nil, h), 200).List()[0].(map[string]any)["id"].(string)
	if r := f.Expect(f.Do("GET", sandbox+"/invoices/"+inv+"?expand=customer&fields=customer.phone", nil, h), 403); r.Str("permission") != finance.CustomersContactView {
		t.Errorf("fields=customer.phone: %s", r)
	}
	// Writing one is refused, naming the permission; nothing changes.
	if r := f.Expect(f.Do("PATCH", sandbox+"/customers/"+c, map[string]any{"phone": "0"}, h), 403); r.Str("permission") != finance.CustomersContactView {
		t.Errorf("PATCH phone: %s", r)
	}
	f.Expect(f.Do("POST", sandbox+"/customers", map[string]any{"name": "New", "email": "x@y.test"}, h), 403)
	f.Expect(f.Do("POST", sandbox+"/customers", map[string]any{"name": "New"}, h), 201)
	if r := f.Expect(f.Do("GET", sandbox+"/customers/"+c, nil, admin), 200); r.Str("data.phone") != "+1 555 0100" {
		t.Fatalf("a refused write changed the customer: %s", r)
	}
	// GraphQL: null with FORBIDDEN at the field, the rest of the object there.
	g := f.Do("POST", sandbox+"/graphql", map[string]any{"query": `query($id: ID!) { node(id: $id) { ... on Customer { name email taxId } } }`, "variables": map[string]any{"id": c}}, h)
	clean("GraphQL", g)
	if g.Str("data.node.name") != "Hidden Ltd" || g.Get("data.node.email") != nil || g.Str("errors.0.extensions.code") != "FORBIDDEN" || g.Str("errors.0.extensions.permission") != finance.CustomersContactView {
		t.Errorf("GraphQL: %s", g)
	}
	g = f.Do("POST", sandbox+"/graphql", map[string]any{"query": `{ customers(first: 10, where: {search: "canary"}) { totalCount } }`}, h)
	if g.Get("data.customers.totalCount") != 0.0 {
		t.Errorf("GraphQL search by a hidden email: %s", g)
	}
	g = f.Do("POST", sandbox+"/graphql", map[string]any{"query": `{ events(first: 50) { nodes { data } } }`}, h)
	clean("GraphQL events", g)
	// The endpoint's owner may not see them: its deliveries carry none.
	got := rc.WaitFor(t, 3, 5*time.Second) // the customer's created and updated, and "New"'s created, in any order
	seen := 0
	for _, d := range got {
		for _, s := range hidden {
			if strings.Contains(strings.ToLower(d.Body), strings.ToLower(s)) {
				t.Errorf("a webhook delivery shows %q: %s", s, d.Body)
			}
		}
		var ev map[string]any
		_ = json.Unmarshal([]byte(d.Body), &ev)
		if testenv.Dig(ev, "data.object.id") == c {
			seen++
			if testenv.Dig(ev, "data.object.name") != "Hidden Ltd" {
				t.Errorf("the delivery lost more than the contact group: %s", d.Body)
			}
		}
	}
	if seen != 2 {
		t.Errorf("%d deliveries of the customer's two events: %v", seen, got)
	}
}

// TestWritesMustPassTheirCondition: an update or delete needs the row to
// pass the operation's condition first (else it is not found, and nothing
// changes), a create or update needs its result to pass (else 403 and
// nothing is written), whichever way the write comes in.
func TestWritesMustPassTheirCondition(t *testing.T) {
	t.Parallel()
	f := setup(t)
	admin := testenv.Key(f.sandboxA)
	mineCond := map[string]any{"assignee_id": map[string]any{"_eq": "$user"}}
	f.role("desk", []string{itsupport.TicketsView, itsupport.TicketsUpdate, itsupport.TicketsCreate},
		map[string]any{itsupport.TicketsUpdate: mineCond, itsupport.TicketsCreate: own})
	me, h := f.person("desk@acme.test", "desk")
	bob := f.User(f.A.ID, "bob@acme.test", "viewer")
	mine := f.Expect(f.Do("POST", sandbox+"/tickets", map[string]any{"title": "mine", "requester_id": bob.ID, "assignee_id": me.ID}, admin), 201).Str("data.id")
	theirs := f.Expect(f.Do("POST", sandbox+"/tickets", map[string]any{"title": "theirs", "requester_id": bob.ID, "assignee_id": bob.ID}, admin), 201).Str("data.id")

	f.Expect(f.Do("PATCH", sandbox+"/tickets/"+mine, map[string]any{"priority": "high"}, h), 200)
	// Reassigning it away would put it out of reach: refused, unchanged.
	if r := f.Expect(f.Do("PATCH", sandbox+"/tickets/"+mine, map[string]any{"assignee_id": bob.ID}, h), 403); r.Str("permission") != itsupport.TicketsUpdate {
		t.Errorf("reassign away: %s", r)
	}
	// Another's ticket (visible: the view is unconditioned) is not found to update.
	f.Expect(f.Do("PATCH", sandbox+"/tickets/"+theirs, map[string]any{"priority": "low"}, h), 404)
	g := f.Do("POST", sandbox+"/graphql", map[string]any{"query": `mutation($id: ID!) { updateTicket(id: $id, input: {priority: "low"}) { id } }`, "variables": map[string]any{"id": theirs}}, h)
	if g.Str("errors.0.extensions.code") != "NOT_FOUND" {
		t.Errorf("GraphQL update of another's ticket: %s", g)
	}
	for id, want := range map[string]map[string]any{mine: {"assignee_id": me.ID.String(), "priority": "high"}, theirs: {"priority": "normal"}} {
		r := f.Expect(f.Do("GET", sandbox+"/tickets/"+id, nil, admin), 200)
		for k, v := range want {
			if r.Get("data."+k) != v {
				t.Errorf("%s: %s is %v, want %v", id, k, r.Get("data."+k), v)
			}
		}
	}
	// Filing a ticket in someone else's name: 403, over REST, GraphQL and upsert; nothing written.
	before := len(f.Expect(f.Do("GET", sandbox+"/tickets", nil, admin), 200).List())
	if r := f.Expect(f.Do("POST", sandbox+"/tickets", map[string]any{"title": "for bob", "requester_id": bob.ID}, h), 403); r.Str("permission") != itsupport.TicketsCreate {
		t.Errorf("create for bob: %s", r)
	}
	g = f.Do("POST", sandbox+"/graphql", map[string]any{"query": `mutation($r: UUID!) { createTicket(input: {title: "for bob", requesterId: $r}) { id } }`, "variables": map[string]any{"r": bob.ID}}, h)
	if g.Str("errors.0.extensions.code") != "FORBIDDEN" {
		t.Errorf("GraphQL create for bob: %s", g)
	}
	f.Expect(f.Do("PUT", sandbox+"/tickets/by-external-id/ext-1", map[string]any{"title": "for bob", "requester_id": bob.ID}, h), 403)
	if after := len(f.Expect(f.Do("GET", sandbox+"/tickets", nil, admin), 200).List()); after != before {
		t.Fatalf("refused creates wrote %d tickets", after-before)
	}
	f.Expect(f.Do("POST", sandbox+"/tickets", map[string]any{"title": "for me", "requester_id": me.ID}, h), 201)
}

// TestRequestersSeeNoInternalComments: the requester role sees its own
// tickets' comments but not the agents' internal ones (a gate), on the
// comments list and in the events feed, and cannot write one.
func TestRequestersSeeNoInternalComments(t *testing.T) {
	t.Parallel()
	f := setup(t)
	admin := testenv.Key(f.sandboxA)
	me, h := f.person("me@acme.test", "requester")
	tk := f.ticket(sandbox, f.sandboxA, me.ID, "mine")
	f.Expect(f.Do("POST", sandbox+"/tickets/"+tk+"/comments", map[string]any{"body": "public reply"}, admin), 201)
	f.Expect(f.Do("POST", sandbox+"/tickets/"+tk+"/comments", map[string]any{"body": "internal-canary", "internal": true}, admin), 201)
	r := f.Expect(f.Do("GET", sandbox+"/tickets/"+tk+"/comments", nil, h), 200)
	if len(r.List()) != 1 || strings.Contains(string(r.Raw), "internal-canary") {
		t.Fatalf("the requester's comments: %s", r)
	}
	if l := f.Expect(f.Do("GET", sandbox+"/tickets/"+tk+"/comments", nil, admin), 200).List(); len(l) != 2 {
		t.Fatalf("the owner sees %d comments", len(l))
	}
	if r := f.Expect(f.Do("GET", sandbox+"/events", nil, h), 200); strings.Contains(string(r.Raw), "internal-canary") || !strings.Contains(string(r.Raw), "public reply") {
		t.Fatalf("the requester's feed: %s", r)
	}
	if r := f.Expect(f.Do("POST", sandbox+"/tickets/"+tk+"/comments", map[string]any{"body": "x", "internal": true}, h), 403); r.Str("permission") != itsupport.CommentsInternal {
		t.Fatalf("an internal comment by the requester: %s", r)
	}
	f.Expect(f.Do("POST", sandbox+"/tickets/"+tk+"/comments", map[string]any{"body": "thanks"}, h), 201)
}

// TestCashiersSeeTheirOwnRegister: the default cashier role sees the
// sessions it opened and the sales it rang up; another cashier's session is
// not found (to read, close or sell into), and a key with the role, having
// no user, sees none.
func TestCashiersSeeTheirOwnRegister(t *testing.T) {
	t.Parallel()
	f := setup(t)
	_, ann := f.person("ann@acme.test", "cashier")
	_, ben := f.person("ben@acme.test", "cashier")
	_, key := f.Key(f.A.ID, "sandbox", "cashier")
	sale := func(h testenv.H, sess string, code int) {
		t.Helper()
		f.Expect(f.Do("POST", sandbox+"/pos/sales", map[string]any{"session_id": sess, "items": []map[string]any{{"description": "Tea", "quantity": "1", "unit_price": "2.00"}},
			"tenders": []map[string]any{{"method": "cash", "amount": "2.00"}}}, h), code)
	}
	open := func(h testenv.H, reg string) string {
		return f.Expect(f.Do("POST", sandbox+"/pos/sessions", map[string]any{"register": reg, "currency": "EUR", "opening_float": "0"}, h), 201).Str("data.id")
	}
	a, b := open(ann, "front"), open(ben, "back")
	sale(ann, a, 201)
	sale(ben, b, 201)
	sale(ann, b, 422) // ben's session does not exist for ann
	f.Expect(f.Do("GET", sandbox+"/pos/sessions/"+b, nil, ann), 404)
	f.Expect(f.Do("POST", sandbox+"/pos/sessions/"+b+"/close", map[string]any{"counted_cash": "2.00"}, ann), 404)
	for who, h := range map[string]testenv.H{"ann": ann, "ben": ben} {
		if l := f.Expect(f.Do("GET", sandbox+"/pos/sessions", nil, h), 200).List(); len(l) != 1 {
			t.Errorf("%s sees %d sessions", who, len(l))
		}
		if l := f.Expect(f.Do("GET", sandbox+"/pos/sales", nil, h), 200).List(); len(l) != 1 {
			t.Errorf("%s sees %d sales", who, len(l))
		}
	}
	if l := f.Expect(f.Do("GET", sandbox+"/pos/sessions", nil, testenv.Key(key)), 200).List(); len(l) != 0 {
		t.Errorf("a cashier key sees %d sessions: $user admits no key", len(l))
	}
	// The accountant (pos.sales.view without a condition) sees both sales.
	_, acc := f.person("acc@acme.test", "accountant")
	if l := f.Expect(f.Do("GET", sandbox+"/pos/sales", nil, acc), 200).List(); len(l) != 2 {
		t.Errorf("the accountant sees %d sales", len(l))
	}
	_ = pos.SalesView
}

// TestConditionsAreValidatedAndExplained: a condition naming an unknown
// field, operator or variable is a 422 naming it; explain shows the rule,
// its condition, and whether a given ticket passes.
func TestConditionsAreValidatedAndExplained(t *testing.T) {
	t.Parallel()
	f := setup(t)
	admin := testenv.Key(f.sandboxA)
	for cond, want := range map[string]string{
		`{"requester": {"_eq": "$user"}}`:     `unknown field "requester"`,
		`{"requester_id": {"_like": "x"}}`:    `unknown operator "_like"`,
		`{"requester_id": {"_eq": "$owner"}}`: `unknown variable "$owner"`,
	} {
		var c any
		_ = json.Unmarshal([]byte(cond), &c)
		r := f.Expect(f.Do("POST", sandbox+"/admin/roles", map[string]any{"name": "bad", "permissions": []string{itsupport.TicketsView}, "conditions": map[string]any{itsupport.TicketsView: c}}, admin), 422)
		if msg := strings.Join(r.Errors()["conditions."+itsupport.TicketsView], " "); !strings.Contains(msg, want) {
			t.Errorf("%s: %s, want it to say %s", cond, r, want)
		}
	}
	r := f.Expect(f.Do("POST", sandbox+"/admin/roles", map[string]any{"name": "bad", "permissions": []string{"it-support.*"}, "conditions": map[string]any{"it-support.*": own}}, admin), 422)
	if len(r.Errors()["conditions.it-support.*"]) == 0 {
		t.Errorf("a condition on a wildcard: %s", r)
	}
	f.Expect(f.Do("POST", sandbox+"/admin/roles", map[string]any{"name": "bad", "permissions": []string{documents.View, settings.WebhooksManage}, "conditions": map[string]any{settings.WebhooksManage: own}}, admin), 422)

	me := f.User(f.A.ID, "me@acme.test", "requester")
	bob := f.User(f.A.ID, "bob@acme.test", "viewer")
	mine, theirs := f.ticket(sandbox, f.sandboxA, me.ID, "mine"), f.ticket(sandbox, f.sandboxA, bob.ID, "theirs")
	for id, pass := range map[string]bool{mine: true, theirs: false} {
		r := f.Expect(f.Do("GET", sandbox+"/permissions/check?subject="+me.Email+"&permission="+itsupport.TicketsView+"&object_id="+id, nil, admin), 200)
		if r.Get("data.allowed") != true || r.Get("data.object_passes") != pass || r.Str("data.conditions.0.role") != "requester" ||
			testenv.Dig(r.Body, "data.conditions.0.condition.requester_id._eq") != "$user" {
			t.Errorf("explain %s: %s", id, r)
		}
	}
	f.Expect(f.Do("GET", sandbox+"/permissions/check?subject="+me.Email+"&permission="+itsupport.TicketsView+"&object_id=nope", nil, admin), 422)
}

// TestExistingTenantsGetTheNewRoleAndKeepWhatTheySaw: a tenant from
// before this wave (no requester role, roles holding customers.view and
// tickets.view by name) gets the requester role at start, and those roles
// get the new field-group and gate permissions, so nothing they saw
// disappears; a second start finds nothing to do.
func TestExistingTenantsGetTheNewRoleAndKeepWhatTheySaw(t *testing.T) {
	t.Parallel()
	f := setup(t)
	admin := testenv.Key(f.sandboxA)
	f.role("sales", []string{finance.CustomersView, itsupport.TicketsView}, nil)
	// The tenant as it was: no requester role.
	sys := privacy.DecisionContext(f.Ctx, privacy.Allow)
	f.App.DB.Client.Role.Delete().Where(role.Name("requester"), role.TenantID(f.A.ID)).ExecX(sys)
	f.App.DB.Client.CasbinRule.Delete().Where(casbinrule.V0("role:requester"), casbinrule.V1(f.A.ID.String())).ExecX(sys)
	if err := f.App.Enforcer.Reload(); err != nil {
		t.Fatal(err)
	}
	n, err := f.App.Service.AddDefaultRoles(f.Ctx)
	if err != nil || n != 1 {
		t.Fatalf("added %d roles (%v), want the requester role of one tenant", n, err)
	}
	r := f.Expect(f.Do("GET", sandbox+"/admin/roles/sales", nil, admin), 200)
	for _, p := range []string{finance.CustomersContactView, itsupport.CommentsInternal} {
		if !slices.Contains(asStrings(r.Get("data.permissions")), p) {
			t.Errorf("sales lacks %s after the migration: %s", p, r)
		}
	}
	if r := f.Expect(f.Do("GET", sandbox+"/admin/roles/requester", nil, admin), 200); testenv.Dig(r.Get("data.conditions").(map[string]any)[itsupport.TicketsView], "requester_id._eq") != "$user" {
		t.Errorf("the requester role: %s", r)
	}
	if n, err := f.App.Service.AddDefaultRoles(f.Ctx); err != nil || n != 0 {
		t.Fatalf("a second start added %d roles (%v)", n, err)
	}
}

func asStrings(v any) []string {
	var out []string
	for _, x := range asList(v) {
		s, _ := x.(string)
		out = append(out, s)
	}
	return out
}

// TestRequestersDocumentsOnDownloads: a requester sees, reads and
// downloads the documents it uploaded, and another's is a 404 on each of
// those paths, the download's presigned redirect included.
func TestRequestersDocumentsOnDownloads(t *testing.T) {
	t.Parallel()
	f := docSetup(t)
	_, h := f.person("me@acme.test", "requester")
	body, ctype := testenv.Multipart("mine.pdf", pdf, map[string]string{"title": "Mine"})
	mine := f.Expect(f.Do("POST", sandbox+"/documents", body, h.With("Content-Type", ctype)), 201).Str("data.id")
	theirs := f.upload(sandbox, f.sandboxA, "theirs.pdf", pdf, map[string]string{"title": "Theirs"})
	f.Expect(theirs, 201)
	other := theirs.Str("data.id")
	if l := f.Expect(f.Do("GET", sandbox+"/documents", nil, h), 200).List(); len(l) != 1 {
		t.Fatalf("the requester lists %d documents", len(l))
	}
	f.Expect(f.Do("GET", sandbox+"/documents/"+mine, nil, h), 200)
	if r := f.Do("GET", sandbox+"/documents/"+mine+"/download", nil, h); r.Code != 200 && r.Code != 302 && r.Code != 307 {
		t.Fatalf("downloading its own document: %d", r.Code)
	}
	for _, path := range []string{"/documents/" + other, "/documents/" + other + "/download", "/documents/" + other + "/download?redirect=1"} {
		if r := f.Do("GET", sandbox+path, nil, h); r.Code != 404 {
			t.Errorf("%s: %d, want 404: %s", path, r.Code, r.Raw)
		}
	}
}

// TestStockClerkSeesOneLocation: inventory.stock.view limited by a
// condition on the location (a key: no $user) shows that location, its
// levels and its movements, and nothing of another.
func TestStockClerkSeesOneLocation(t *testing.T) {
	t.Parallel()
	f := setup(t)
	admin := testenv.Key(f.sandboxA)
	f.role("clerk", []string{inventory.StockView, inventory.ProductsView}, map[string]any{inventory.StockView: map[string]any{"code": map[string]any{"_eq": "shop"}}})
	_, k := f.Key(f.A.ID, "sandbox", "clerk")
	clerk := testenv.Key(k)
	p := f.product(admin, map[string]any{"sku": "TEA", "name": "Tea", "currency": "EUR", "unit_price": "2.00"})
	shop := f.Expect(f.Do("POST", sandbox+"/stock/locations", map[string]any{"name": "Shop", "code": "shop"}, admin), 201).Str("data.id")
	depot := f.Expect(f.Do("POST", sandbox+"/stock/locations", map[string]any{"name": "Depot", "code": "depot"}, admin), 201).Str("data.id")
	for _, loc := range []string{shop, depot} {
		f.Expect(f.Do("POST", sandbox+"/stock/movements", map[string]any{"product_id": p, "location_id": loc, "kind": "receipt", "quantity": 3}, admin), 201)
	}
	for path, want := range map[string]int{"/stock/locations": 1, "/stock/levels": 1, "/stock/movements": 1} {
		r := f.Expect(f.Do("GET", sandbox+path, nil, clerk), 200)
		if len(r.List()) != want || strings.Contains(string(r.Raw), depot) {
			t.Errorf("%s as the clerk: %s", path, r)
		}
	}
	f.Expect(f.Do("GET", sandbox+"/stock/locations/"+depot, nil, clerk), 404)
	if l := f.Expect(f.Do("GET", sandbox+"/stock/levels", nil, admin), 200).List(); len(l) != 2 {
		t.Fatalf("the admin sees %d levels", len(l))
	}
}

// TestAuditTrailFollowsRowConditions: an auditor whose ticket view is
// limited to its own requests reads the audit entries of those tickets
// only; entries of other kinds are as before.
func TestAuditTrailFollowsRowConditions(t *testing.T) {
	t.Parallel()
	f := setup(t)
	f.role("self-auditor", []string{admin.AuditView, itsupport.TicketsView}, map[string]any{itsupport.TicketsView: own})
	me, h := f.person("me@acme.test", "self-auditor")
	bob := f.User(f.A.ID, "bob@acme.test", "viewer")
	mine := f.ticket(sandbox, f.sandboxA, me.ID, "mine")
	theirs := f.ticket(sandbox, f.sandboxA, bob.ID, "theirs")
	r := f.Expect(f.Do("GET", sandbox+"/audit-events?entity_type=ticket", nil, h), 200)
	if l := r.List(); len(l) != 1 || testenv.Dig(l[0], "entity_id") != mine || strings.Contains(string(r.Raw), theirs) {
		t.Fatalf("the auditor's ticket entries: %s", r)
	}
	if l := f.Expect(f.Do("GET", sandbox+"/audit-events?entity_type=ticket", nil, testenv.Key(f.sandboxA)), 200).List(); len(l) != 2 {
		t.Fatalf("the admin sees %d ticket entries", len(l))
	}
	if l := f.Expect(f.Do("GET", sandbox+"/audit-events?entity_type=role", nil, h), 200).List(); len(l) == 0 {
		t.Fatal("the auditor lost the entries of other kinds")
	}
}
