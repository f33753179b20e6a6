package graph_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"testing"

	"github.com/cienerp/cienerp/internal/testenv"
	"github.com/cienerp/cienerp/policy"
)

// TestRESTAndGraphQLListFiltersAgree: every list filter REST documents
// selects the same rows as its GraphQL where field, for every module. Each
// case must select some rows but not all, so a filter that does nothing fails.
func TestRESTAndGraphQLListFiltersAgree(t *testing.T) {
	t.Parallel()
	e := testenv.New(t)
	a := e.Tenant("acme")
	_, owner := e.Key(a.ID, policy.Sandbox, "owner")
	p := &parity{e: e, t: t, owner: owner, member: a.Owner.ID.String(), email: a.Owner.Email, seed: map[string]string{}}
	do := func(method, path string, body any, want int) *testenv.Response {
		t.Helper()
		return e.Expect(e.Do(method, "/api/sandbox"+path, body, testenv.Key(owner)), want)
	}
	upload := func(fields map[string]string) string {
		body, ctype := testenv.Multipart("f.pdf", pdf, fields)
		return e.Expect(e.Do("POST", "/api/sandbox/documents", body, testenv.Key(owner).With("Content-Type", ctype)), 201).Str("data.id")
	}

	// Tickets: priorities, an assignee, a search hit in the description, a status.
	t1 := p.post("/tickets", map[string]any{"title": "Printer jams", "priority": "high", "requester_id": p.member})
	p.post("/tickets", map[string]any{"title": "VPN drops", "description": "after the printer driver update", "priority": "low", "requester_id": p.member, "assignee_id": p.member})
	t3 := p.post("/tickets", map[string]any{"title": "Laptop", "requester_id": p.member})
	do("PATCH", "/tickets/"+t3, map[string]any{"status": "in_progress"}, 200)
	// Documents: categories, tags, a verified one.
	upload(map[string]string{"title": "Signed contract", "category": "legal", "tags": "legal,2026"})
	d2 := upload(map[string]string{"title": "Receipt scan", "category": "finance", "tags": "2026"})
	upload(map[string]string{"title": "Other", "category": "finance"})
	do("POST", "/documents/"+d2+"/verify", map[string]any{}, 200)
	// Customers, invoices (a draft, an overdue one, one due later), payments.
	c1 := p.post("/customers", map[string]any{"name": "Acme GmbH", "email": "billing@acme.example"})
	p.post("/customers", map[string]any{"name": "Other Ltd", "email": "ap@other.example"})
	items := []map[string]any{{"description": "x", "quantity": "1", "unit_price": "10.00"}}
	p.post("/invoices", map[string]any{"currency": "EUR", "customer_id": c1, "items": items})
	late := p.post("/invoices", map[string]any{"currency": "EUR", "due_date": "2020-01-31", "items": items})
	do("POST", "/invoices/"+late+"/issue", nil, 200)
	later := p.issued()
	p.post("/payments", map[string]any{"invoice_id": late, "amount": "1.00", "currency": "EUR", "method": "card"})
	p.post("/payments", map[string]any{"invoice_id": later, "amount": "1.00", "currency": "EUR", "method": "cash"})
	// POS: two registers, one closed, a sale in the open one.
	s1, s2 := p.session(), p.session()
	do("POST", "/pos/sessions/"+s2+"/close", map[string]any{"counted_cash": "10.00"}, 200)
	s3 := p.session()
	p.post("/pos/sales", map[string]any{"session_id": s1, "items": items, "tenders": []map[string]any{{"method": "card", "amount": "10.00"}}})
	p.post("/pos/sales", map[string]any{"session_id": s3, "items": items, "tenders": []map[string]any{{"method": "card", "amount": "10.00"}}})
	// Products & stock: an inactive product with a barcode, movements of two kinds and products.
	pen := p.post("/products", map[string]any{"sku": "PEN-1", "name": "Fountain pen", "currency": "EUR", "unit_price": "9.00", "barcode": "400100"})
	p.post("/products", map[string]any{"sku": "INK-1", "name": "Ink", "currency": "EUR", "unit_price": "3.00", "active": false})
	p.post("/stock/locations", map[string]any{"name": "Shop", "code": "shop"})
	p.post("/stock/movements", map[string]any{"product_id": pen, "kind": "receipt", "quantity": 5})
	p.post("/stock/movements", map[string]any{"sku": "INK-1", "kind": "receipt", "quantity": 2})
	p.post("/stock/movements", map[string]any{"product_id": pen, "kind": "adjustment", "quantity": -1, "reason": "broken"})

	type listCase struct {
		name, rest, gql string // REST path with query; GraphQL connection with its arguments
	}
	cases := []listCase{
		{"tickets by status", "/tickets?status=in_progress", `tickets(first: 100, where: {statusIn: [in_progress]})`},
		{"tickets by priority", "/tickets?priority=high,low", `tickets(first: 100, where: {priorityIn: [high, low]})`},
		{"tickets unassigned", "/tickets?assignee=none", `tickets(first: 100, where: {assigneeIDIsNil: true})`},
		{"tickets by assignee", "/tickets?assignee=" + p.member, fmt.Sprintf(`tickets(first: 100, where: {assigneeID: %q})`, p.member)},
		{"tickets by search", "/tickets?q=PRINTER", `tickets(first: 100, where: {search: "PRINTER"})`},
		{"tickets by requester and search", "/tickets?q=laptop&requester=" + p.member, fmt.Sprintf(`tickets(first: 100, where: {search: "laptop", requesterID: %q})`, p.member)},
		{"documents by status", "/documents?status=verified", `documents(first: 100, where: {statusIn: [verified]})`},
		{"documents by category", "/documents?category=finance", `documents(first: 100, where: {category: "finance"})`},
		{"documents by tag", "/documents?tag=2026", `documents(first: 100, where: {tag: "2026"})`},
		{"documents by search", "/documents?q=CONTRACT", `documents(first: 100, where: {search: "CONTRACT"})`},
		{"customers by search", "/customers?q=billing@ACME", `customers(first: 100, where: {search: "billing@ACME"})`},
		{"invoices by status", "/invoices?status=issued,partially_paid", `invoices(first: 100, where: {statusIn: [issued, partially_paid]})`},
		{"invoices by customer", "/invoices?customer=" + c1, fmt.Sprintf(`invoices(first: 100, where: {customerID: %q})`, c1)},
		{"invoices overdue", "/invoices?overdue=true", `invoices(first: 100, where: {overdue: true})`},
		{"payments by invoice", "/payments?invoice=" + late, fmt.Sprintf(`payments(first: 100, where: {invoiceID: %q})`, late)},
		{"sessions by status", "/pos/sessions?status=closed", `posSessions(first: 100, where: {status: closed})`},
		{"sessions by register", "/pos/sessions?register=R1", `posSessions(first: 100, where: {register: "R1"})`},
		{"sales by session", "/pos/sales?session=" + s1, fmt.Sprintf(`posSales(first: 100, where: {sessionID: %q})`, s1)},
		{"products by search", "/products?q=FOUNTAIN", `products(first: 100, where: {search: "FOUNTAIN"})`},
		{"products by SKU", "/products?sku=INK-1", `products(first: 100, where: {sku: "INK-1"})`},
		{"products by barcode", "/products?barcode=400100", `products(first: 100, where: {barcode: "400100"})`},
		{"products inactive", "/products?active=false", `products(first: 100, where: {active: false})`},
		{"movements by product", "/stock/movements?product_id=" + pen, fmt.Sprintf(`stockMovements(first: 100, where: {productID: %q})`, pen)},
		{"movements by kind", "/stock/movements?kind=adjustment", `stockMovements(first: 100, where: {kindIn: [adjustment]})`},
		{"levels by product", "/stock/levels?product_id=" + pen, fmt.Sprintf(`stockLevels(first: 100, where: {productID: %q})`, pen)},
		{"audit by action", "/audit-events?action=ticket.updated", `auditEvents(first: 100, where: {action: "ticket.updated"})`},
		{"audit by entity", "/audit-events?entity_type=ticket&entity_id=" + t1, fmt.Sprintf(`auditEvents(first: 100, where: {entityType: "ticket", entityID: %q})`, t1)},
		{"audit by entity type", "/audit-events?entity_type=payment", `auditEvents(first: 100, where: {entityType: "payment"})`},
	}
	gc := gql(e, "/api/sandbox", owner)
	ids := func(r *testenv.Response) []string {
		var out []string
		for _, it := range r.List() {
			out = append(out, it.(map[string]any)["id"].(string))
		}
		slices.Sort(out)
		return out
	}
	for _, c := range cases {
		u, _ := url.Parse(c.rest)
		all := ids(do("GET", u.Path+"?limit=100", nil, 200))
		q := u.Query()
		q.Set("limit", "100")
		want := ids(do("GET", u.Path+"?"+q.Encode(), nil, 200))
		raw, err := gc.RawPost("{ list: " + c.gql + " { edges { node { id } } } }")
		if err != nil || len(raw.Errors) > 0 && string(raw.Errors) != "null" {
			t.Errorf("%s over GraphQL: %v %s", c.name, err, raw.Errors)
			continue
		}
		var data struct {
			List struct {
				Edges []struct{ Node struct{ ID string } }
			}
		}
		b, _ := json.Marshal(raw.Data)
		if err := json.Unmarshal(b, &data); err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, ed := range data.List.Edges {
			got = append(got, ed.Node.ID)
		}
		slices.Sort(got)
		switch {
		case len(want) == 0 || len(want) == len(all):
			t.Errorf("%s: REST selects %d of %d rows; the case must tell rows apart", c.name, len(want), len(all))
		case !slices.Equal(want, got):
			t.Errorf("%s: REST %v, GraphQL %v", c.name, want, got)
		}
	}
}
