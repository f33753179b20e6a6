package rest_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/cienerp/cienerp/internal/testenv"
	"github.com/cienerp/cienerp/policy"
)

// TestEveryMutatingRouteIsAudited walks the route table: each mutating
// operation must have a step here, and each step must leave an audit event
// carrying its request id.
func TestEveryMutatingRouteIsAudited(t *testing.T) {
	t.Parallel()
	f := setup(t)
	h := testenv.Key(f.sandboxA)
	member := f.User(f.A.ID, "member@acme.test", "viewer")
	ticket := f.ticket(sandbox, f.sandboxA, f.A.Owner.ID, "audited")
	keyID, _ := f.Key(f.A.ID, policy.Sandbox, "viewer")
	rollID, _ := f.Key(f.A.ID, policy.Sandbox, "viewer")
	var invited, endpoint, delivery string
	pdfBody, pdfType := testenv.Multipart("a.pdf", pdf, nil)
	items := []map[string]any{{"description": "Widget", "quantity": "2", "unit_price": "10.00", "tax_rate": "20"}}
	cust := f.Expect(f.Do("POST", sandbox+"/customers", map[string]any{"name": "Doomed"}, testenv.Key(f.sandboxA)), 201).Str("data.id")
	draft := f.Expect(f.Do("POST", sandbox+"/invoices", map[string]any{"currency": "EUR", "items": items}, testenv.Key(f.sandboxA)), 201).Str("data.id")
	toVoid := f.Expect(f.Do("POST", sandbox+"/invoices", map[string]any{"currency": "EUR", "items": items}, testenv.Key(f.sandboxA)), 201).Str("data.id")
	payable := f.Expect(f.Do("POST", sandbox+"/invoices", map[string]any{"currency": "EUR", "items": items}, testenv.Key(f.sandboxA)), 201).Str("data.id")
	f.Expect(f.Do("POST", sandbox+"/invoices/"+payable+"/issue", nil, testenv.Key(f.sandboxA)), 200)
	paid := f.Expect(f.Do("POST", sandbox+"/payments", map[string]any{"invoice_id": payable, "amount": "5.00", "currency": "EUR", "method": "card"}, testenv.Key(f.sandboxA)), 201).Str("data.id")
	session := f.Expect(f.Do("POST", sandbox+"/pos/sessions", map[string]any{"register": "r1", "currency": "EUR", "opening_float": "50.00"}, testenv.Key(f.sandboxA)), 201).Str("data.id")
	docA := f.Expect(f.upload(sandbox, f.sandboxA, "a.pdf", pdf, nil), 201).Str("data.id")
	docB := f.Expect(f.upload(sandbox, f.sandboxA, "b.pdf", pdf, nil), 201).Str("data.id")
	product := f.Expect(f.Do("POST", sandbox+"/products", map[string]any{"sku": "AUD-1", "name": "Audited", "currency": "EUR", "unit_price": "1"}, testenv.Key(f.sandboxA)), 201).Str("data.id")
	location := f.Expect(f.Do("POST", sandbox+"/stock/locations", map[string]any{"name": "Shop", "code": "shop"}, testenv.Key(f.sandboxA)), 201).Str("data.id")

	type step struct {
		op      string // METHOD and OpenAPI path
		path    string
		body    any
		keep    func(*testenv.Response)
		headers testenv.H
	}
	steps := []step{
		{"POST /tickets", "/tickets", map[string]any{"title": "t", "requester_id": f.A.Owner.ID}, nil, nil},
		{"PATCH /tickets/{id}", "/tickets/" + ticket, map[string]any{"priority": "low"}, nil, nil},
		{"POST /tickets/{id}/comments", "/tickets/" + ticket + "/comments", map[string]any{"body": "c"}, nil, nil},
		{"DELETE /tickets/{id}", "/tickets/" + ticket, nil, nil, nil},
		{"POST /documents", "/documents", pdfBody, nil, testenv.H{"Content-Type": pdfType}},
		{"PATCH /documents/{id}", "/documents/" + docA, map[string]any{"title": "t"}, nil, nil},
		{"POST /documents/{id}/verify", "/documents/" + docA + "/verify", nil, nil, nil},
		{"POST /documents/{id}/reject", "/documents/" + docB + "/reject", map[string]any{"reason": "r"}, nil, nil},
		{"DELETE /documents/{id}", "/documents/" + docB, nil, nil, nil},
		{"POST /customers", "/customers", map[string]any{"name": "Acme Buyer"}, nil, nil},
		{"PATCH /customers/{id}", "/customers/" + cust, map[string]any{"phone": "123"}, nil, nil},
		{"DELETE /customers/{id}", "/customers/" + cust, nil, nil, nil},
		{"POST /invoices", "/invoices", map[string]any{"currency": "EUR", "items": items}, nil, nil},
		{"PATCH /invoices/{id}", "/invoices/" + draft, map[string]any{"notes": "n"}, nil, nil},
		{"PUT /tickets/by-external-id/{external_id}", "/tickets/by-external-id/jira-1", map[string]any{"title": "synced", "requester_id": f.A.Owner.ID}, nil, nil},
		{"PUT /customers/by-external-id/{external_id}", "/customers/by-external-id/crm-1", map[string]any{"name": "Synced Buyer"}, nil, nil},
		{"PUT /invoices/by-external-id/{external_id}", "/invoices/by-external-id/erp-1", map[string]any{"currency": "EUR", "items": items}, nil, nil},
		{"POST /invoices/{id}/issue", "/invoices/" + draft + "/issue", nil, nil, nil},
		{"POST /invoices/{id}/void", "/invoices/" + toVoid + "/void", nil, nil, nil},
		{"POST /payments", "/payments", map[string]any{"invoice_id": payable, "amount": "1.00", "currency": "EUR", "method": "cash"}, nil, nil},
		{"POST /payments/{id}/refund", "/payments/" + paid + "/refund", map[string]any{"amount": "1.00"}, nil, nil},
		{"POST /pos/sales", "/pos/sales", map[string]any{"session_id": session, "items": items, "tenders": []map[string]any{{"method": "cash", "amount": "30.00"}}}, nil, nil},
		{"POST /pos/sessions", "/pos/sessions", map[string]any{"register": "r2", "currency": "EUR", "opening_float": "0"}, nil, nil},
		{"POST /pos/sessions/{id}/close", "/pos/sessions/" + session + "/close", map[string]any{"counted_cash": "56.00"}, nil, nil},
		{"POST /products", "/products", map[string]any{"sku": "AUD-2", "name": "New", "currency": "EUR", "unit_price": "2"}, nil, nil},
		{"PATCH /products/{id}", "/products/" + product, map[string]any{"name": "Renamed"}, nil, nil},
		{"PUT /products/by-external-id/{external_id}", "/products/by-external-id/pim-1", map[string]any{"sku": "AUD-3", "name": "Synced", "currency": "EUR", "unit_price": "3"}, nil, nil},
		{"POST /stock/locations", "/stock/locations", map[string]any{"name": "Van", "code": "van"}, nil, nil},
		{"PATCH /stock/locations/{id}", "/stock/locations/" + location, map[string]any{"name": "Main shop"}, nil, nil},
		{"POST /stock/movements", "/stock/movements", map[string]any{"product_id": product, "kind": "receipt", "quantity": 3}, nil, nil},
		{"DELETE /products/{id}", "/products/by-external-id/pim-1", nil, nil, nil}, // path filled in below: the upserted product never moved stock
		{"POST /settings/integration-keys", "/settings/integration-keys", map[string]any{"name": "k", "roles": []string{"viewer"}}, nil, nil},
		{"POST /settings/integration-keys/{id}/revoke", "/settings/integration-keys/" + keyID.String() + "/revoke", nil, nil, nil},
		{"POST /settings/integration-keys/{id}/roll", "/settings/integration-keys/" + rollID.String() + "/roll", nil, nil, nil},
		{"POST /admin/roles", "/admin/roles", map[string]any{"name": "temp", "permissions": []string{"documents.view"}}, nil, nil},
		{"PATCH /admin/roles/{name}", "/admin/roles/temp", map[string]any{"description": "changed"}, nil, nil},
		{"POST /admin/members", "/admin/members", map[string]any{"email": "invited@acme.test", "roles": []string{"temp"}}, func(r *testenv.Response) { invited = r.Str("data.user_id") }, nil},
		{"POST /admin/members/{id}/roles", "/admin/members/" + member.ID.String() + "/roles", map[string]any{"role": "temp"}, nil, nil},
		{"DELETE /admin/members/{id}/roles/{role}", "/admin/members/" + member.ID.String() + "/roles/temp", nil, nil, nil},
		{"PUT /admin/members/{id}/roles", "/admin/members/" + member.ID.String() + "/roles", map[string]any{"roles": []string{"it-agent"}}, nil, nil},
		{"PUT /admin/integration-keys/{id}/roles", "/admin/integration-keys/" + f.sandboxAKey.String() + "/roles", map[string]any{"roles": []string{"admin", "viewer"}}, nil, nil},
		{"DELETE /admin/members/{id}", "", nil, nil, nil}, // path filled in once the invite ran
		{"DELETE /admin/roles/{name}", "/admin/roles/temp", nil, nil, nil},
		{"POST /admin/policy/import", "/admin/policy/import", nil, nil, nil}, // body filled in below
		{"POST /webhook-endpoints", "/webhook-endpoints", map[string]any{"url": "https://9.9.9.9/hook", "event_types": []string{"*"}},
			func(r *testenv.Response) { endpoint = r.Str("data.id") }, nil},
		{"PATCH /webhook-endpoints/{id}", "", map[string]any{"description": "audited"}, nil, nil}, // paths with the endpoint filled in below
		{"POST /webhook-endpoints/{id}/rotate-secret", "", nil, nil, nil},
		{"POST /webhook-endpoints/{id}/test", "", nil, func(r *testenv.Response) { delivery = r.Str("data.id") }, nil},
		{"POST /webhook-deliveries/{id}/retry", "", nil, nil, nil},
		{"POST /webhook-endpoints/{id}/replay", "", map[string]any{"since": "2000-01-01T00:00:00Z"}, nil, nil},
		{"DELETE /webhook-endpoints/{id}", "", nil, nil, nil},
	}

	doc := f.Expect(f.Do("GET", "/api/openapi.json", nil, nil), 200)
	want := map[string]bool{}
	for path, item := range doc.Body["paths"].(map[string]any) {
		for method, op := range item.(map[string]any) {
			if method == "servers" {
				continue
			}
			// POST /graphql carries queries; changes through it go through the
			// same audited service calls as REST. A preview or a simulation
			// is a POST (its input is a JSON body) that changes nothing.
			if method != "get" && secured(op) && path != "/graphql" && op.(map[string]any)["x-changes-nothing"] != true {
				want[strings.ToUpper(method)+" "+path] = true
			}
		}
	}
	for _, s := range steps {
		if !want[s.op] {
			t.Errorf("step %q is not a mutating route", s.op)
		}
		delete(want, s.op)
	}
	for op := range want {
		t.Errorf("mutating route %s has no audit step: add one", op)
	}

	for i, s := range steps {
		switch s.op {
		case "DELETE /admin/members/{id}":
			s.path = "/admin/members/" + invited
		case "DELETE /products/{id}":
			s.path = "/products/" + f.Expect(f.Do("GET", sandbox+"/products?sku=AUD-3", nil, h), 200).Str("data.0.id")
		case "POST /webhook-deliveries/{id}/retry":
			s.path = "/webhook-deliveries/" + delivery + "/retry"
		case "POST /admin/policy/import":
			exported := f.Expect(f.Do("GET", sandbox+"/admin/policy", nil, h), 200).Get("data").(map[string]any)
			exported["roles"] = append(exported["roles"].([]any), map[string]any{"name": "imported", "permissions": []string{"documents.view"}})
			s.body = exported
		}
		if strings.HasPrefix(s.op, "PATCH /webhook-endpoints/") || strings.HasPrefix(s.op, "DELETE /webhook-endpoints/") ||
			strings.HasPrefix(s.op, "POST /webhook-endpoints/{id}") {
			s.path = strings.Replace(strings.SplitN(s.op, " ", 2)[1], "{id}", endpoint, 1)
		}
		rid := fmt.Sprintf("audit-walk-%d", i)
		method, _, _ := strings.Cut(s.op, " ")
		hh := h.With("X-Request-ID", rid)
		for k, v := range s.headers {
			hh = hh.With(k, v)
		}
		r := f.Do(method, sandbox+s.path, s.body, hh)
		if r.Code >= 300 {
			t.Fatalf("%s: %s", s.op, r)
		}
		if s.keep != nil {
			s.keep(r)
		}
		events := f.Expect(f.Do("GET", sandbox+"/audit-events?request_id="+rid, nil, h), 200).List()
		if len(events) == 0 {
			t.Errorf("%s left no audit event", s.op)
			continue
		}
		e := events[0].(map[string]any)
		if e["actor"] != policy.KeySubject(f.sandboxAKey.String()) || e["environment"] != "sandbox" || e["action"] == "" {
			t.Errorf("%s: event %v", s.op, e)
		}
	}
}

func TestAuditTrailReadAPI(t *testing.T) {
	t.Parallel()
	f := setup(t)
	h := testenv.Key(f.sandboxA)
	start := time.Now().UTC().Add(-time.Second)
	for i := 0; i < 5; i++ {
		f.ticket(sandbox, f.sandboxA, f.A.Owner.ID, "s")
	}
	liveTicket := f.ticket(live, f.liveA, f.A.Owner.ID, "l")
	f.Expect(f.Do("PATCH", live+"/tickets/"+liveTicket, map[string]any{"title": "renamed"}, testenv.Key(f.liveA)), 200)
	f.ticket(sandbox, f.sandboxB, f.B.Owner.ID, "other tenant")

	list := func(q string) []any { return f.Expect(f.Do("GET", sandbox+"/audit-events?"+q, nil, h), 200).List() }
	// Both environments are visible from either base; other tenants never.
	if n := len(list("action=ticket.created&limit=100")); n != 6 {
		t.Fatalf("ticket.create events: %d, want 6", n)
	}
	if n := len(list("action=ticket.created&environment=live")); n != 1 {
		t.Fatalf("live ticket.create events: %d", n)
	}
	upd := list("entity_type=ticket&entity_id=" + liveTicket + "&action=ticket.updated")
	if len(upd) != 1 {
		t.Fatalf("update events: %v", upd)
	}
	e := upd[0].(map[string]any)
	if e["before"].(map[string]any)["title"] != "l" || e["after"].(map[string]any)["title"] != "renamed" || !strings.HasPrefix(e["credential"].(string), "api_key:key:") {
		t.Fatalf("update event: %v", e)
	}
	if n := len(list("actor=" + url.QueryEscape(e["actor"].(string)))); n != 2 {
		t.Fatalf("by actor: %d", n)
	}
	if n := len(list("since=" + url.QueryEscape(time.Now().UTC().Add(time.Hour).Format(time.RFC3339)))); n != 0 {
		t.Fatalf("future since: %d", n)
	}
	if n := len(list("action=ticket.created&since=" + url.QueryEscape(start.Format(time.RFC3339)) + "&until=" + url.QueryEscape(time.Now().UTC().Add(time.Minute).Format(time.RFC3339)))); n != 6 {
		t.Fatalf("window: %d", n)
	}
	// Pages.
	seen := map[string]bool{}
	cursor := ""
	for {
		r := f.Expect(f.Do("GET", sandbox+"/audit-events?limit=2&action=ticket.created&cursor="+cursor, nil, h), 200)
		for _, it := range r.List() {
			seen[it.(map[string]any)["id"].(string)] = true
		}
		if r.Get("meta.has_more") != true {
			break
		}
		cursor = r.Str("meta.next_cursor")
	}
	if len(seen) != 6 {
		t.Fatalf("paged through %d events, want 6", len(seen))
	}
	for q, field := range map[string]string{"since=yesterday": "since", "environment=prod": "environment", "limit=500": "limit", "cursor=x": "cursor"} {
		if r := f.Expect(f.Do("GET", sandbox+"/audit-events?"+q, nil, h), 422); len(r.Errors()[field]) == 0 {
			t.Errorf("%s: %s", q, r)
		}
	}
	// The trail is for admins.
	_, agent := f.Key(f.A.ID, policy.Sandbox, "it-agent")
	f.Expect(f.Do("GET", sandbox+"/audit-events", nil, testenv.Key(agent)), 403)
	_, viewer := f.Key(f.A.ID, policy.Sandbox, "viewer")
	f.Expect(f.Do("GET", sandbox+"/audit-events", nil, testenv.Key(viewer)), 403)

	// Retention: events older than the cut-off go.
	n, err := f.App.Service.PruneAudit(f.Ctx, time.Now().Add(time.Hour))
	if err != nil || n < 8 {
		t.Fatalf("prune removed %d (err %v)", n, err)
	}
	if n := len(list("")); n != 0 {
		t.Fatalf("%d events left after pruning everything", n)
	}
}
