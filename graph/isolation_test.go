package graph_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/99designs/gqlgen/client"

	"github.com/cienerp/cienerp/internal/testenv"
	"github.com/cienerp/cienerp/policy"
)

// TestGraphQLIsolation tries another tenant's and the other environment's
// ids through node, nodes, connections and every mutation that takes an
// id, with the strongest role: all must be NOT_FOUND (or, for an id inside
// an input, the same VALIDATION as REST's 422), and nothing may change.
func TestGraphQLIsolation(t *testing.T) {
	t.Parallel()
	e := testenv.New(t)
	a, b := e.Tenant("acme"), e.Tenant("globex")
	_, owner := e.Key(a.ID, policy.Sandbox, "owner")
	post := func(path string, body any) string {
		return e.Expect(e.Do("POST", "/api/sandbox"+path, body, testenv.Key(owner)), 201).Str("data.id")
	}
	item := []map[string]any{{"description": "x", "quantity": "1", "unit_price": "10.00"}}
	body, ctype := testenv.Multipart("a.pdf", pdf, nil)
	ids := map[string]string{
		"ticket":   post("/tickets", map[string]any{"title": "Mine", "requester_id": a.Owner.ID}),
		"document": e.Expect(e.Do("POST", "/api/sandbox/documents", body, testenv.Key(owner).With("Content-Type", ctype)), 201).Str("data.id"),
		"customer": post("/customers", map[string]any{"name": "Mine"}),
		"draft":    post("/invoices", map[string]any{"currency": "EUR", "items": item}),
		"issued":   post("/invoices", map[string]any{"currency": "EUR", "items": item}),
		"session":  post("/pos/sessions", map[string]any{"register": "R1", "currency": "EUR", "opening_float": "0"}),
		"member":   a.Owner.ID.String(),
		"product":  post("/products", map[string]any{"sku": "MINE", "name": "Mine", "currency": "EUR", "unit_price": "1.00"}),
		"location": post("/stock/locations", map[string]any{"name": "Mine", "code": "mine"}),
	}
	ids["movement"] = post("/stock/movements", map[string]any{"product_id": ids["product"], "kind": "receipt", "quantity": 4})
	e.Expect(e.Do("POST", "/api/sandbox/invoices/"+ids["issued"]+"/issue", nil, testenv.Key(owner)), 200)
	ids["payment"] = post("/payments", map[string]any{"invoice_id": ids["issued"], "amount": "1.00", "currency": "EUR", "method": "card"})
	keyID, _ := e.Key(a.ID, policy.Sandbox, "viewer")
	ids["key"] = keyID.String()

	mutations := []struct{ name, op, code string }{
		{"updateTicket", `updateTicket(id: "%s", input: {title: "Stolen"}) { id }`, "NOT_FOUND"},
		{"deleteTicket", `deleteTicket(id: "%s")`, "NOT_FOUND"},
		{"addTicketComment", `addTicketComment(ticketId: "%s", body: "hi") { id }`, "NOT_FOUND"},
		{"updateDocument", `updateDocument(id: "%s", input: {title: "Stolen"}) { id }`, "NOT_FOUND"},
		{"deleteDocument", `deleteDocument(id: "%s")`, "NOT_FOUND"},
		{"verifyDocument", `verifyDocument(id: "%s") { id }`, "NOT_FOUND"},
		{"rejectDocument", `rejectDocument(id: "%s", reason: "no") { id }`, "NOT_FOUND"},
		{"updateCustomer", `updateCustomer(id: "%s", input: {name: "Stolen"}) { id }`, "NOT_FOUND"},
		{"deleteCustomer", `deleteCustomer(id: "%s")`, "NOT_FOUND"},
		{"updateInvoice", `updateInvoice(id: "%s", input: {notes: "Stolen"}) { id }`, "NOT_FOUND"},
		{"issueInvoice", `issueInvoice(id: "%s") { id }`, "NOT_FOUND"},
		{"voidInvoice", `voidInvoice(id: "%s") { id }`, "NOT_FOUND"},
		{"recordPayment", `recordPayment(input: {invoiceId: "%s", amount: "1.00", currency: "EUR", method: "cash"}) { id }`, "VALIDATION"},
		{"refundPayment", `refundPayment(id: "%s") { id }`, "NOT_FOUND"},
		{"closePosSession", `closePosSession(id: "%s", countedCash: "0") { id }`, "NOT_FOUND"},
		{"createPosSale", `createPosSale(input: {sessionId: "%s", items: [{description: "x", quantity: "1", unitPrice: "1"}], tenders: [{method: "cash", amount: "1"}]}) { id }`, "VALIDATION"},
		{"revokeIntegrationKey", `revokeIntegrationKey(id: "%s") { id }`, "NOT_FOUND"},
		{"rollIntegrationKey", `rollIntegrationKey(id: "%s") { id }`, "NOT_FOUND"},
		{"setIntegrationKeyRoles", `setIntegrationKeyRoles(id: "%s", roles: ["owner"])`, "NOT_FOUND"},
		{"setMemberRoles", `setMemberRoles(userId: "%s", roles: ["viewer"]) { roles }`, "NOT_FOUND"},
		{"addMemberRole", `addMemberRole(userId: "%s", role: "viewer") { roles }`, "NOT_FOUND"},
		{"removeMemberRole", `removeMemberRole(userId: "%s", role: "owner") { roles }`, "NOT_FOUND"},
		{"removeMember", `removeMember(userId: "%s")`, "NOT_FOUND"},
		{"updateProduct", `updateProduct(id: "%s", input: {name: "Stolen"}) { id }`, "NOT_FOUND"},
		{"deleteProduct", `deleteProduct(id: "%s")`, "NOT_FOUND"},
		{"moveStock", `moveStock(input: {productId: "%s", kind: adjustment, quantity: -4, reason: "stolen"}) { onHand }`, "VALIDATION"},
		{"updateStockLocation", `updateStockLocation(id: "%s", input: {name: "Stolen"}) { id }`, "NOT_FOUND"},
	}
	target := map[string]string{
		"updateTicket": "ticket", "deleteTicket": "ticket", "addTicketComment": "ticket",
		"updateDocument": "document", "deleteDocument": "document", "verifyDocument": "document", "rejectDocument": "document",
		"updateCustomer": "customer", "deleteCustomer": "customer", "updateInvoice": "draft", "issueInvoice": "draft",
		"voidInvoice": "issued", "recordPayment": "issued", "refundPayment": "payment", "closePosSession": "session",
		"createPosSale": "session", "revokeIntegrationKey": "key", "rollIntegrationKey": "key", "setIntegrationKeyRoles": "key",
		"setMemberRoles": "member", "addMemberRole": "member", "removeMemberRole": "member", "removeMember": "member",
		"updateProduct": "product", "deleteProduct": "product", "moveStock": "product", "updateStockLocation": "location",
	}
	code := func(raw *client.Response) string {
		var errs []struct{ Extensions map[string]any }
		_ = json.Unmarshal(raw.Errors, &errs)
		if len(errs) == 0 {
			return "none"
		}
		return fmt.Sprint(errs[0].Extensions["code"])
	}
	_, otherTenant := e.Key(b.ID, policy.Sandbox, "owner")
	_, otherEnv := e.Key(a.ID, policy.Live, "owner")
	tries := 0
	for who, key := range map[string]string{"another tenant": otherTenant, "the live environment": otherEnv} {
		c := gql(e, "/api/sandbox", key)
		if who == "the live environment" {
			c = gql(e, "/api", key)
		}
		all := []string{}
		for kind, id := range ids {
			if kind == "member" || kind == "key" {
				continue // not nodes
			}
			all = append(all, id)
			tries++
			raw, err := c.RawPost(`query($id: ID!) { node(id: $id) { id } }`, client.Var("id", id))
			if err != nil || code(raw) != "NOT_FOUND" || fmt.Sprint(raw.Data) != "map[node:<nil>]" {
				t.Errorf("%s: node(%s) = %v %s %v", who, kind, raw.Data, raw.Errors, err)
			}
		}
		raw, _ := c.RawPost(`query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, client.Var("ids", all))
		if code(raw) != "NOT_FOUND" || fmt.Sprint(raw.Data) != "map[nodes:<nil>]" && fmt.Sprint(raw.Data) != fmt.Sprint(map[string]any{"nodes": make([]any, len(all))}) {
			t.Errorf("%s: nodes = %v %s", who, raw.Data, raw.Errors)
		}
		for conn, id := range map[string]string{"tickets": ids["ticket"], "documents": ids["document"], "customers": ids["customer"],
			"invoices": ids["issued"], "payments": ids["payment"], "posSessions": ids["session"], "products": ids["product"],
			"stockLocations": ids["location"], "stockMovements": ids["movement"]} {
			tries++
			var resp map[string]struct{ TotalCount int }
			c.MustPost(fmt.Sprintf(`{ %s(where: {id: %q}) { totalCount } }`, conn, id), &resp)
			if resp[conn].TotalCount != 0 {
				t.Errorf("%s: %s shows %s", who, conn, id)
			}
		}
		for _, m := range mutations {
			if who == "the live environment" && (target[m.name] == "member") {
				continue // members belong to the tenant, not to an environment
			}
			tries++
			raw, err := c.RawPost("mutation { " + fmt.Sprintf(m.op, ids[target[m.name]]) + " }")
			if err != nil || code(raw) != m.code {
				t.Errorf("%s: %s on acme's sandbox %s: want %s, got %s %v", who, m.name, target[m.name], m.code, raw.Errors, err)
			}
		}
	}
	// Nothing changed.
	get := func(path string) *testenv.Response {
		return e.Expect(e.Do("GET", "/api/sandbox"+path, nil, testenv.Key(owner)), 200)
	}
	if get("/tickets/"+ids["ticket"]).Str("data.title") != "Mine" || get("/documents/"+ids["document"]).Str("data.status") != "pending" ||
		get("/customers/"+ids["customer"]).Str("data.name") != "Mine" || get("/invoices/"+ids["draft"]).Str("data.status") != "draft" ||
		get("/invoices/"+ids["issued"]).Str("data.amount_paid") != "1.00" || get("/payments/"+ids["payment"]).Str("data.amount_refunded") != "0.00" ||
		get("/pos/sessions/"+ids["session"]).Str("data.status") != "open" || get("/products/"+ids["product"]).Str("data.name") != "Mine" ||
		get("/stock/locations/"+ids["location"]).Str("data.name") != "Mine" || get("/stock/levels?product_id="+ids["product"]).Get("data.0.on_hand") != 4.0 {
		t.Fatal("a foreign credential changed acme's sandbox")
	}
	if len(get("/tickets/"+ids["ticket"]+"/comments").List()) != 0 || len(get("/pos/sales").List()) != 0 {
		t.Fatal("a foreign credential added to acme's sandbox")
	}
	keys := get("/settings/integration-keys").List()
	for _, k := range keys {
		if k := k.(map[string]any); k["id"] == ids["key"] && (k["status"] != "active" || fmt.Sprint(k["roles"]) != "[viewer]") {
			t.Fatalf("acme's key changed: %v", k)
		}
	}
	if r := get("/admin/members"); fmt.Sprint(r.Get("data.0.roles")) != "[owner]" {
		t.Fatalf("acme's owner changed: %s", r)
	}
	t.Logf("%d cross-tenant and cross-environment attempts, all refused, nothing changed", tries)
}
