package rest_test

import (
	"encoding/json"
	"sort"
	"strings"
	"testing"

	"github.com/cienerp/cienerp/internal/testenv"
	"github.com/cienerp/cienerp/modules/admin"
	"github.com/cienerp/cienerp/modules/finance"
	"github.com/cienerp/cienerp/policy"
)

// TestEveryChangeWritesItsEvent walks every module through its changes
// and checks the feed: each catalog type appears (but ping and the
// platform's own webhook_endpoint.disabled), each event's object is what
// the change answered, and a refused change writes none.
func TestEveryChangeWritesItsEvent(t *testing.T) {
	t.Parallel()
	f := docSetup(t)
	h := testenv.Key(f.sandboxA)
	do := func(method, path string, body any, status int) *testenv.Response {
		return f.Expect(f.Do(method, sandbox+path, body, h), status)
	}
	answered := map[string]string{} // event type -> data of the change's answer, for changes answered with the object
	keep := func(typ string, r *testenv.Response) {
		b, _ := json.Marshal(r.Get("data"))
		answered[typ] = string(b)
	}
	// IT support
	tk := do("POST", "/tickets", map[string]any{"title": "Screen", "requester_id": f.A.Owner.ID}, 201)
	keep("ticket.created", tk)
	keep("ticket.updated", do("PATCH", "/tickets/"+tk.Str("data.id"), map[string]any{"status": "in_progress"}, 200))
	keep("ticket.comment.created", do("POST", "/tickets/"+tk.Str("data.id")+"/comments", map[string]any{"body": "On it"}, 201))
	do("DELETE", "/tickets/"+tk.Str("data.id"), nil, 200)
	// Documents
	d1 := f.Expect(f.upload(sandbox, f.sandboxA, "a.pdf", pdf, nil), 201)
	keep("document.uploaded", d1)
	keep("document.updated", do("PATCH", "/documents/"+d1.Str("data.id"), map[string]any{"title": "Contract"}, 200))
	keep("document.verified", do("POST", "/documents/"+d1.Str("data.id")+"/verify", map[string]any{}, 200))
	d2 := f.Expect(f.upload(sandbox, f.sandboxA, "b.pdf", pdf, nil), 201)
	keep("document.rejected", do("POST", "/documents/"+d2.Str("data.id")+"/reject", map[string]any{"reason": "Blurry"}, 200))
	do("DELETE", "/documents/"+d2.Str("data.id"), nil, 200)
	// Finance
	cu := do("POST", "/customers", map[string]any{"name": "Acme", "currency": "EUR"}, 201)
	keep("customer.created", cu)
	keep("customer.updated", do("PATCH", "/customers/"+cu.Str("data.id"), map[string]any{"phone": "+49 1"}, 200))
	items := []map[string]any{{"description": "Plan", "quantity": "1", "unit_price": "100.00"}}
	inv := do("POST", "/invoices", map[string]any{"customer_id": cu.Str("data.id"), "items": items}, 201)
	keep("invoice.created", inv)
	id := inv.Str("data.id")
	keep("invoice.updated", do("PATCH", "/invoices/"+id, map[string]any{"notes": "Thanks"}, 200))
	keep("invoice.issued", do("POST", "/invoices/"+id+"/issue", nil, 200))
	p := do("POST", "/payments", map[string]any{"invoice_id": id, "amount": "40.00", "currency": "EUR", "method": "card"}, 201)
	do("POST", "/payments", map[string]any{"invoice_id": id, "amount": "60.00", "currency": "EUR", "method": "card"}, 201)
	keep("payment.refunded", do("POST", "/payments/"+p.Str("data.id")+"/refund", map[string]any{"amount": "10.00"}, 200))
	void := do("POST", "/invoices", map[string]any{"items": items, "currency": "EUR"}, 201)
	keep("invoice.voided", do("POST", "/invoices/"+void.Str("data.id")+"/void", nil, 200))
	do("DELETE", "/customers/"+do("POST", "/customers", map[string]any{"name": "Gone"}, 201).Str("data.id"), nil, 200)
	// POS
	sess := do("POST", "/pos/sessions", map[string]any{"register": "front", "currency": "EUR", "opening_float": "10.00"}, 201)
	keep("pos.session.opened", sess)
	keep("pos.sale.created", do("POST", "/pos/sales", map[string]any{"session_id": sess.Str("data.id"), "items": items,
		"tenders": []map[string]any{{"method": "card", "amount": "100.00"}}}, 201))
	keep("pos.session.closed", do("POST", "/pos/sessions/"+sess.Str("data.id")+"/close", map[string]any{"counted_cash": "10.00"}, 200))
	// Products & stock
	pr := do("POST", "/products", map[string]any{"sku": "PEN-1", "name": "Pen", "currency": "EUR", "unit_price": "2.00"}, 201)
	keep("product.created", pr)
	keep("product.updated", do("PATCH", "/products/"+pr.Str("data.id"), map[string]any{"tax_rate": "7"}, 200))
	loc := do("POST", "/stock/locations", map[string]any{"name": "Shop", "code": "shop"}, 201)
	keep("stock.location.created", loc)
	keep("stock.location.updated", do("PATCH", "/stock/locations/"+loc.Str("data.id"), map[string]any{"name": "Main shop"}, 200))
	keep("stock.adjusted", do("POST", "/stock/movements", map[string]any{"sku": "PEN-1", "kind": "receipt", "quantity": 5}, 201))
	sold := do("POST", "/invoices", map[string]any{"items": []map[string]any{{"sku": "PEN-1", "quantity": "2"}}}, 201).Str("data.id")
	do("POST", "/invoices/"+sold+"/issue", nil, 200) // invoice.issued, stock.sold
	do("POST", "/invoices/"+sold+"/void", nil, 200)  // invoice.voided, stock.returned
	do("DELETE", "/products/"+do("POST", "/products", map[string]any{"sku": "GONE", "name": "Gone", "currency": "EUR", "unit_price": "1"}, 201).Str("data.id"), nil, 200)
	// Admin: keys, roles, members, webhook endpoints, the policy.
	k := do("POST", "/settings/integration-keys", map[string]any{"name": "sync", "roles": []string{"viewer"}}, 201)
	keep("integration_key.updated", do("PUT", "/admin/integration-keys/"+k.Str("data.id")+"/roles", map[string]any{"roles": []string{"accountant"}}, 200))
	rolled := do("POST", "/settings/integration-keys/"+k.Str("data.id")+"/roll", map[string]any{}, 201)
	keep("integration_key.revoked", do("POST", "/settings/integration-keys/"+rolled.Str("data.id")+"/revoke", nil, 200))
	do("POST", "/admin/roles", map[string]any{"name": "auditor", "permissions": []string{admin.AuditView}}, 201)
	keep("role.updated", do("PATCH", "/admin/roles/auditor", map[string]any{"description": "Reads the trail"}, 200))
	m := do("POST", "/admin/members", map[string]any{"email": "ann@acme.test", "roles": []string{"auditor"}}, 201)
	keep("member.updated", do("PUT", "/admin/members/"+m.Str("data.user_id")+"/roles", map[string]any{"roles": []string{"viewer"}}, 200))
	do("DELETE", "/admin/members/"+m.Str("data.user_id"), nil, 200)
	do("DELETE", "/admin/roles/auditor", nil, 200)
	ep := do("POST", "/webhook-endpoints", map[string]any{"url": "https://9.9.9.9/h", "event_types": []string{"customer.*"}}, 201)
	keep("webhook_endpoint.updated", do("PATCH", "/webhook-endpoints/"+ep.Str("data.id"), map[string]any{"description": "CRM"}, 200))
	do("POST", "/webhook-endpoints/"+ep.Str("data.id")+"/rotate-secret", nil, 200)
	do("DELETE", "/webhook-endpoints/"+ep.Str("data.id"), nil, 200)
	doc := do("GET", "/admin/policy", nil, 200).Get("data").(map[string]any)
	doc["roles"] = append(doc["roles"].([]any), map[string]any{"name": "imported", "permissions": []string{finance.CustomersView}})
	do("POST", "/admin/policy/import", doc, 200)
	// Refused changes write nothing.
	do("POST", "/customers", map[string]any{"name": ""}, 422)
	do("POST", "/payments", map[string]any{"invoice_id": id, "amount": "50.00", "currency": "EUR", "method": "card"}, 422) // over the 10.00 the refund reopened

	var events []map[string]any
	for cur := ""; ; {
		r := do("GET", "/events?limit=100&cursor="+cur, nil, 200)
		for _, e := range r.List() {
			events = append(events, e.(map[string]any))
		}
		if r.Get("meta.has_more") != true {
			break
		}
		cur = r.Str("meta.next_cursor")
	}
	seen := map[string]bool{}
	for i, e := range events {
		typ := e["type"].(string)
		seen[typ] = true
		if seq := e["sequence"].(float64); seq != float64(i+1) {
			t.Fatalf("event %d has sequence %v: the sequence must be gapless", i+1, seq)
		}
		if want, ok := answered[typ]; ok {
			obj, _ := json.Marshal(e["data"].(map[string]any)["object"])
			if string(obj) != want {
				t.Errorf("%s: data.object\n%s\nthe change answered\n%s", typ, obj, want)
			}
			delete(answered, typ) // the first of a type is the one kept
		}
	}
	var missing []string
	for _, et := range policy.EventCatalog() {
		if !seen[et.Name] && et.Name != "ping" && et.Name != "webhook_endpoint.disabled" {
			missing = append(missing, et.Name)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Fatalf("no event for %s; feed: %d events", strings.Join(missing, ", "), len(events))
	}
	if n := len(events); n != 59 {
		var types []string
		for _, e := range events {
			types = append(types, e["type"].(string))
		}
		t.Errorf("%d events, want 59 (one per change, two for a payment: the invoice moves too, and for a roll: the new key and the old one; the setup's key is the first): %s", n, strings.Join(types, " "))
	}
}
