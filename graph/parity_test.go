package graph_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/client"

	"github.com/cienerp/cienerp/internal/testenv"
	"github.com/cienerp/cienerp/modules/admin"
	"github.com/cienerp/cienerp/modules/documents"
	"github.com/cienerp/cienerp/modules/inventory"
	"github.com/cienerp/cienerp/modules/itsupport"
	"github.com/cienerp/cienerp/modules/settings"
	"github.com/cienerp/cienerp/policy"
)

// parityCase is one operation done over both transports. setup, when
// set, makes a fresh object for each call (as the owner) and returns its
// id; the REST answer's data at restPath and the GraphQL answer's data at
// gqlPath must agree whenever both allow the call.
type parityCase struct {
	perm              string   // the permission it needs
	also              []string // what else it needs to be allowed (reading what it changes)
	name              string
	setup             func() string
	rest              func(id string, n int) (method, path string, body any)
	gql               func(id string, n int) string
	restPath, gqlPath string
}

// conditioned reports whether r grants one of perms under a row condition:
// for a key (this test's credentials) such a grant admits no row.
func conditioned(r policy.Role, perms []string) bool {
	for _, p := range perms {
		if r.Conditions[p] != "" {
			return true
		}
	}
	return false
}

// parity is the owner's view of a tenant's sandbox with one of everything.
type parity struct {
	e      *testenv.Env
	t      *testing.T
	owner  string // owner key
	member string // the owner's user id
	email  string
	seed   map[string]string

	registers, products int
}

func (p *parity) post(path string, body any) string {
	p.t.Helper()
	return p.e.Expect(p.e.Do("POST", "/api/sandbox"+path, body, testenv.Key(p.owner)), 201).Str("data.id")
}

func (p *parity) ticket() string {
	return p.post("/tickets", map[string]any{"title": "Parity", "requester_id": p.member})
}

func (p *parity) document() string {
	p.t.Helper()
	body, ctype := testenv.Multipart("parity.pdf", pdf, map[string]string{"title": "Parity"})
	return p.e.Expect(p.e.Do("POST", "/api/sandbox/documents", body, testenv.Key(p.owner).With("Content-Type", ctype)), 201).Str("data.id")
}

func (p *parity) customer() string { return p.post("/customers", map[string]any{"name": "Parity Ltd"}) }

func (p *parity) draft() string {
	return p.post("/invoices", map[string]any{"currency": "EUR", "items": []map[string]any{{"description": "x", "quantity": "1", "unit_price": "10.00"}}})
}

func (p *parity) issued() string {
	id := p.draft()
	p.e.Expect(p.e.Do("POST", "/api/sandbox/invoices/"+id+"/issue", nil, testenv.Key(p.owner)), 200)
	return id
}

func (p *parity) payment() string {
	return p.post("/payments", map[string]any{"invoice_id": p.issued(), "amount": "4.00", "currency": "EUR", "method": "card"})
}

func (p *parity) session() string {
	p.registers++ // one open session per register
	return p.post("/pos/sessions", map[string]any{"register": fmt.Sprint("R", p.registers), "currency": "EUR", "opening_float": "10.00"})
}

func (p *parity) product() string {
	p.products++
	return p.post("/products", map[string]any{"sku": fmt.Sprint("P-", p.products), "name": "Parity pen", "currency": "EUR", "unit_price": "1.00"})
}

func (p *parity) cases() []parityCase {
	s := p.seed
	get := func(path string) func(string, int) (string, string, any) {
		return func(string, int) (string, string, any) { return "GET", path, nil }
	}
	byID := func(id, typ, fields string) func(string, int) string {
		return func(string, int) string { return fmt.Sprintf(`{ node(id: %q) { ... on %s { %s } } }`, id, typ, fields) }
	}
	line := `[{description: "x", quantity: "1", unitPrice: "10.00"}]`
	restLine := []map[string]any{{"description": "x", "quantity": "1", "unit_price": "10.00"}}
	return []parityCase{
		// IT support
		{perm: itsupport.TicketsView, name: "read a ticket", rest: get("/tickets/" + s["ticket"]), gql: byID(s["ticket"], "Ticket", "displayNumber"), restPath: "number", gqlPath: "node.displayNumber"},
		{perm: itsupport.TicketsCreate, name: "open a ticket",
			rest: func(_ string, n int) (string, string, any) {
				return "POST", "/tickets", map[string]any{"title": fmt.Sprint("T", n), "requester_id": p.member, "priority": "high"}
			},
			gql: func(_ string, n int) string {
				return fmt.Sprintf(`mutation { createTicket(input: {title: "T%d", requesterId: %q, priority: "high"}) { priority } }`, n, p.member)
			}, restPath: "priority", gqlPath: "createTicket.priority"},
		{perm: itsupport.TicketsUpdate, also: []string{itsupport.TicketsView}, name: "edit a ticket", setup: p.ticket,
			rest: func(id string, _ int) (string, string, any) {
				return "PATCH", "/tickets/" + id, map[string]any{"status": "in_progress"}
			},
			gql: func(id string, _ int) string {
				return fmt.Sprintf(`mutation { updateTicket(id: %q, input: {status: "in_progress"}) { status } }`, id)
			}, restPath: "status", gqlPath: "updateTicket.status"},
		{perm: itsupport.TicketsDelete, also: []string{itsupport.TicketsView}, name: "delete a ticket", setup: p.ticket,
			rest: func(id string, _ int) (string, string, any) { return "DELETE", "/tickets/" + id, nil },
			gql:  func(id string, _ int) string { return fmt.Sprintf(`mutation { deleteTicket(id: %q) }`, id) }, restPath: "deleted", gqlPath: "deleteTicket"},
		{perm: itsupport.CommentsCreate, also: []string{itsupport.TicketsView}, name: "comment on a ticket",
			rest: func(string, int) (string, string, any) {
				return "POST", "/tickets/" + s["ticket"] + "/comments", map[string]any{"body": "Rebooted"}
			},
			gql: func(string, int) string {
				return fmt.Sprintf(`mutation { addTicketComment(ticketId: %q, body: "Rebooted") { body } }`, s["ticket"])
			}, restPath: "body", gqlPath: "addTicketComment.body"},
		{perm: itsupport.CommentsInternal, also: []string{itsupport.CommentsCreate, itsupport.TicketsView}, name: "write an internal comment",
			rest: func(string, int) (string, string, any) {
				return "POST", "/tickets/" + s["ticket"] + "/comments", map[string]any{"body": "Agents only", "internal": true}
			},
			gql: func(string, int) string {
				return fmt.Sprintf(`mutation { addTicketComment(ticketId: %q, body: "Agents only", internal: true) { internal } }`, s["ticket"])
			}, restPath: "internal", gqlPath: "addTicketComment.internal"},
		// Documents
		{perm: documents.View, name: "read a document", rest: get("/documents/" + s["document"]), gql: byID(s["document"], "Document", "sha256"), restPath: "sha256", gqlPath: "node.sha256"},
		{perm: documents.Upload, name: "upload a document",
			rest: func(string, int) (string, string, any) { return "UPLOAD", "/documents", nil },
			gql: func(string, int) string {
				return `mutation($file: Upload!) { uploadDocument(file: $file, title: "Parity") { sha256 } }`
			}, restPath: "sha256", gqlPath: "uploadDocument.sha256"},
		{perm: documents.Update, also: []string{documents.View}, name: "edit a document", setup: p.document,
			rest: func(id string, _ int) (string, string, any) {
				return "PATCH", "/documents/" + id, map[string]any{"category": "contracts"}
			},
			gql: func(id string, _ int) string {
				return fmt.Sprintf(`mutation { updateDocument(id: %q, input: {category: "contracts"}) { category } }`, id)
			}, restPath: "category", gqlPath: "updateDocument.category"},
		{perm: documents.Verify, also: []string{documents.View}, name: "verify a document", setup: p.document,
			rest: func(id string, _ int) (string, string, any) {
				return "POST", "/documents/" + id + "/verify", map[string]any{}
			},
			gql: func(id string, _ int) string {
				return fmt.Sprintf(`mutation { verifyDocument(id: %q) { status } }`, id)
			}, restPath: "status", gqlPath: "verifyDocument.status"},
		{perm: documents.Delete, also: []string{documents.View}, name: "delete a document", setup: p.document,
			rest: func(id string, _ int) (string, string, any) { return "DELETE", "/documents/" + id, nil },
			gql:  func(id string, _ int) string { return fmt.Sprintf(`mutation { deleteDocument(id: %q) }`, id) }, restPath: "deleted", gqlPath: "deleteDocument"},
		// Finance
		{perm: "finance.customers.view", name: "read a customer", rest: get("/customers/" + s["customer"]), gql: byID(s["customer"], "Customer", "name"), restPath: "name", gqlPath: "node.name"},
		{perm: "finance.customers.contact.view", also: []string{"finance.customers.view"}, name: "read a customer's email", rest: get("/customers/" + s["customer"] + "?fields=email"), gql: byID(s["customer"], "Customer", "email"), restPath: "email", gqlPath: "node.email"},
		{perm: "finance.customers.create", name: "create a customer",
			rest: func(_ string, n int) (string, string, any) {
				return "POST", "/customers", map[string]any{"name": fmt.Sprint("C", n), "currency": "EUR"}
			},
			gql: func(_ string, n int) string {
				return fmt.Sprintf(`mutation { createCustomer(input: {name: "C%d", currency: "EUR"}) { currency } }`, n)
			}, restPath: "currency", gqlPath: "createCustomer.currency"},
		{perm: "finance.customers.update", also: []string{"finance.customers.view"}, name: "edit a customer", setup: p.customer,
			rest: func(id string, _ int) (string, string, any) {
				return "PATCH", "/customers/" + id, map[string]any{"notes": "VIP"}
			},
			gql: func(id string, _ int) string {
				return fmt.Sprintf(`mutation { updateCustomer(id: %q, input: {notes: "VIP"}) { notes } }`, id)
			}, restPath: "notes", gqlPath: "updateCustomer.notes"},
		{perm: "finance.customers.delete", also: []string{"finance.customers.view"}, name: "delete a customer", setup: p.customer,
			rest: func(id string, _ int) (string, string, any) { return "DELETE", "/customers/" + id, nil },
			gql:  func(id string, _ int) string { return fmt.Sprintf(`mutation { deleteCustomer(id: %q) }`, id) }, restPath: "deleted", gqlPath: "deleteCustomer"},
		{perm: "finance.invoices.view", name: "read an invoice", rest: get("/invoices/" + s["invoice"]), gql: byID(s["invoice"], "Invoice", "balance"), restPath: "balance", gqlPath: "node.balance"},
		{perm: "finance.invoices.create", name: "create an invoice",
			rest: func(string, int) (string, string, any) {
				return "POST", "/invoices", map[string]any{"currency": "EUR", "items": restLine}
			},
			gql: func(string, int) string {
				return `mutation { createInvoice(input: {currency: "EUR", items: ` + line + `}) { total } }`
			}, restPath: "total", gqlPath: "createInvoice.total"},
		{perm: "finance.invoices.update", also: []string{"finance.invoices.view"}, name: "edit a draft", setup: p.draft,
			rest: func(id string, _ int) (string, string, any) {
				return "PATCH", "/invoices/" + id, map[string]any{"items": []map[string]any{{"description": "y", "quantity": "3", "unit_price": "2.50"}}}
			},
			gql: func(id string, _ int) string {
				return fmt.Sprintf(`mutation { updateInvoice(id: %q, input: {items: [{description: "y", quantity: "3", unitPrice: "2.50"}]}) { total } }`, id)
			}, restPath: "total", gqlPath: "updateInvoice.total"},
		{perm: "finance.invoices.issue", also: []string{"finance.invoices.view"}, name: "issue an invoice", setup: p.draft,
			rest: func(id string, _ int) (string, string, any) { return "POST", "/invoices/" + id + "/issue", nil },
			gql:  func(id string, _ int) string { return fmt.Sprintf(`mutation { issueInvoice(id: %q) { status } }`, id) }, restPath: "status", gqlPath: "issueInvoice.status"},
		{perm: "finance.invoices.void", also: []string{"finance.invoices.view"}, name: "void an invoice", setup: p.issued,
			rest: func(id string, _ int) (string, string, any) { return "POST", "/invoices/" + id + "/void", nil },
			gql:  func(id string, _ int) string { return fmt.Sprintf(`mutation { voidInvoice(id: %q) { status } }`, id) }, restPath: "status", gqlPath: "voidInvoice.status"},
		{perm: "finance.payments.view", name: "read a payment", rest: get("/payments/" + s["payment"]), gql: byID(s["payment"], "Payment", "amount"), restPath: "amount", gqlPath: "node.amount"},
		{perm: "finance.payments.create", also: []string{"finance.invoices.view"}, name: "record a payment", setup: p.issued,
			rest: func(id string, _ int) (string, string, any) {
				return "POST", "/payments", map[string]any{"invoice_id": id, "amount": "2.50", "currency": "EUR", "method": "cash"}
			},
			gql: func(id string, _ int) string {
				return fmt.Sprintf(`mutation { recordPayment(input: {invoiceId: %q, amount: "2.50", currency: "EUR", method: "cash"}) { amount } }`, id)
			}, restPath: "amount", gqlPath: "recordPayment.amount"},
		{perm: "finance.payments.refund", also: []string{"finance.payments.view"}, name: "refund a payment", setup: p.payment,
			rest: func(id string, _ int) (string, string, any) {
				return "POST", "/payments/" + id + "/refund", map[string]any{"amount": "1.25"}
			},
			gql: func(id string, _ int) string {
				return fmt.Sprintf(`mutation { refundPayment(id: %q, amount: "1.25") { status } }`, id)
			}, restPath: "status", gqlPath: "refundPayment.status"},
		// POS
		{perm: "pos.sales.view", name: "read a sale", rest: get("/pos/sales/" + s["sale"]), gql: byID(s["sale"], "PosSale", "receiptNumber"), restPath: "receipt_number", gqlPath: "node.receiptNumber"},
		{perm: "pos.sales.create", name: "ring up a sale",
			rest: func(string, int) (string, string, any) {
				return "POST", "/pos/sales", map[string]any{"session_id": s["session"], "items": restLine,
					"tenders": []map[string]any{{"method": "cash", "amount": "20.00"}}}
			},
			gql: func(string, int) string {
				return fmt.Sprintf(`mutation { createPosSale(input: {sessionId: %q, items: %s, tenders: [{method: "cash", amount: "20.00"}]}) { change } }`, s["session"], line)
			}, restPath: "change", gqlPath: "createPosSale.change"},
		{perm: "pos.sessions.manage", name: "close a register", setup: p.session,
			rest: func(id string, _ int) (string, string, any) {
				return "POST", "/pos/sessions/" + id + "/close", map[string]any{"counted_cash": "9.50"}
			},
			gql: func(id string, _ int) string {
				return fmt.Sprintf(`mutation { closePosSession(id: %q, countedCash: "9.50") { overShort } }`, id)
			}, restPath: "over_short", gqlPath: "closePosSession.overShort"},
		// Products & stock
		{perm: inventory.ProductsView, name: "read a product", rest: get("/products/" + s["product"]), gql: byID(s["product"], "Product", "unitPrice"), restPath: "unit_price", gqlPath: "node.unitPrice"},
		{perm: inventory.ProductsCreate, name: "create a product",
			rest: func(_ string, n int) (string, string, any) {
				return "POST", "/products", map[string]any{"sku": fmt.Sprint("R-", n), "name": "Pen", "currency": "EUR", "unit_price": "1.50"}
			},
			gql: func(_ string, n int) string {
				return fmt.Sprintf(`mutation { createProduct(input: {sku: "G-%d", name: "Pen", currency: "EUR", unitPrice: "1.50"}) { unitPrice } }`, n)
			}, restPath: "unit_price", gqlPath: "createProduct.unitPrice"},
		{perm: inventory.ProductsUpdate, also: []string{inventory.ProductsView}, name: "edit a product", setup: p.product,
			rest: func(id string, _ int) (string, string, any) {
				return "PATCH", "/products/" + id, map[string]any{"allow_backorder": true}
			},
			gql: func(id string, _ int) string {
				return fmt.Sprintf(`mutation { updateProduct(id: %q, input: {allowBackorder: true}) { allowBackorder } }`, id)
			}, restPath: "allow_backorder", gqlPath: "updateProduct.allowBackorder"},
		{perm: inventory.ProductsDelete, also: []string{inventory.ProductsView}, name: "delete a product", setup: p.product,
			rest: func(id string, _ int) (string, string, any) { return "DELETE", "/products/" + id, nil },
			gql:  func(id string, _ int) string { return fmt.Sprintf(`mutation { deleteProduct(id: %q) }`, id) }, restPath: "deleted", gqlPath: "deleteProduct"},
		{perm: inventory.StockView, name: "read a stock movement", rest: get("/stock/movements/" + s["movement"]), gql: byID(s["movement"], "StockMovement", "quantity"), restPath: "quantity", gqlPath: "node.quantity"},
		{perm: inventory.StockAdjust, name: "receive stock",
			rest: func(string, int) (string, string, any) {
				return "POST", "/stock/movements", map[string]any{"product_id": s["product"], "kind": "receipt", "quantity": 2}
			},
			gql: func(string, int) string {
				return fmt.Sprintf(`mutation { moveStock(input: {productId: %q, kind: receipt, quantity: 2}) { movement { quantity } } }`, s["product"])
			}, restPath: "quantity", gqlPath: "moveStock.movement.quantity"},
		// Settings and administration
		{perm: settings.WebhooksManage, name: "create a webhook endpoint",
			rest: func(_ string, n int) (string, string, any) {
				return "POST", "/webhook-endpoints", map[string]any{"url": fmt.Sprintf("https://9.9.9.9/hook/%d", n), "event_types": []string{"invoice.*"}}
			},
			gql: func(_ string, n int) string {
				return fmt.Sprintf(`mutation { createWebhookEndpoint(url: "https://9.9.9.9/hook/%d", eventTypes: ["invoice.*"]) { endpoint { enabled } } }`, n)
			}, restPath: "enabled", gqlPath: "createWebhookEndpoint.endpoint.enabled"},
		{perm: settings.IntegrationKeysManage, name: "create an integration key",
			rest: func(_ string, n int) (string, string, any) {
				return "POST", "/settings/integration-keys", map[string]any{"name": fmt.Sprint("K", n), "roles": []string{"key-maker"}}
			},
			gql: func(_ string, n int) string {
				return fmt.Sprintf(`mutation { createIntegrationKey(name: "K%d", roles: ["key-maker"]) { status } }`, n)
			}, restPath: "status", gqlPath: "createIntegrationKey.status"},
		{perm: admin.PoliciesManage, name: "explain a decision",
			rest: func(string, int) (string, string, any) {
				return "GET", "/permissions/check?subject=" + p.email + "&permission=documents.verify", nil
			},
			gql: func(string, int) string {
				return fmt.Sprintf(`{ explainPermission(subject: %q, permission: "documents.verify") { rule } }`, p.email)
			}, restPath: "rule", gqlPath: "explainPermission.rule"},
		{perm: admin.AuditView, name: "read the audit trail",
			rest: get("/audit-events?action=ticket.created&entity_id=" + s["ticket"]),
			gql: func(string, int) string {
				return fmt.Sprintf(`{ auditEvents(first: 5, where: {action: "ticket.created", entityID: %q}) { edges { node { id } } } }`, s["ticket"])
			}, restPath: "0.id", gqlPath: "auditEvents.edges.0.node.id"},
		{perm: settings.RequestLogsView, name: "read the request log's figures",
			rest: get("/request-logs/stats?bucket=day&since=2026-01-01T00:00:00Z&until=2026-01-08T00:00:00Z"),
			gql: func(string, int) string {
				return `{ requestLogStats(bucket: "day", since: "2026-01-01T00:00:00Z", until: "2026-01-08T00:00:00Z") { buckets { start requests } } }`
			}, restPath: "buckets.6.start", gqlPath: "requestLogStats.buckets.6.start"},
	}
}

// TestRESTAndGraphQLDecideAlike runs one operation per catalog permission
// over both transports as: a role holding just that permission (and what
// the operation needs to read), a role holding every permission but that
// one, and each default role. Both transports must allow or refuse alike,
// refusals must name the same permission, and allowed calls must answer
// the same data.
func TestRESTAndGraphQLDecideAlike(t *testing.T) {
	t.Parallel()
	e := testenv.New(t)
	a := e.Tenant("acme")
	_, owner := e.Key(a.ID, policy.Sandbox, "owner")
	p := &parity{e: e, t: t, owner: owner, member: a.Owner.ID.String(), email: a.Owner.Email, seed: map[string]string{}}
	p.seed["ticket"], p.seed["document"], p.seed["customer"] = p.ticket(), p.document(), p.customer()
	p.seed["invoice"], p.seed["payment"], p.seed["session"] = p.issued(), p.payment(), p.session()
	p.seed["sale"] = p.post("/pos/sales", map[string]any{"session_id": p.seed["session"],
		"items": []map[string]any{{"description": "x", "quantity": "1", "unit_price": "1.00"}}, "tenders": []map[string]any{{"method": "card", "amount": "1.00"}}})

	p.seed["product"] = p.product()
	p.post("/stock/locations", map[string]any{"name": "Shop", "code": "shop"})
	p.seed["movement"] = p.post("/stock/movements", map[string]any{"product_id": p.seed["product"], "kind": "receipt", "quantity": 5})
	p.post("/admin/roles", map[string]any{"name": "key-maker", "permissions": []string{settings.IntegrationKeysManage}})
	cases := p.cases()
	covered := map[string]bool{}
	for _, c := range cases {
		covered[c.perm] = true
	}
	for _, perm := range policy.Catalog() {
		if !covered[perm.Name] {
			t.Errorf("no parity case for %s", perm.Name)
		}
	}

	n, allowed, denied := 0, 0, 0
	run := func(c parityCase, role string, want string) {
		_, key := e.Key(a.ID, policy.Sandbox, role)
		gc := gql(e, "/api/sandbox", key)
		n++
		var id string
		if c.setup != nil {
			id = c.setup()
		}
		var r *testenv.Response
		method, path, body := c.rest(id, n)
		if method == "UPLOAD" {
			mp, ctype := testenv.Multipart("parity.pdf", pdf, map[string]string{"title": "Parity"})
			r = e.Do("POST", "/api/sandbox"+path, mp, testenv.Key(key).With("Content-Type", ctype))
		} else {
			r = e.Do(method, "/api/sandbox"+path, body, testenv.Key(key))
		}
		if c.setup != nil {
			id = c.setup()
		}
		opts := []client.Option{}
		if strings.Contains(c.gql(id, n), "$file") {
			opts = append(opts, client.Var("file", tempFile(t, "parity.pdf", pdf)), client.WithFiles())
		}
		raw, err := gc.RawPost(c.gql(id, n), opts...)
		if err != nil {
			t.Fatalf("%s as %s over GraphQL: %v", c.name, role, err)
		}
		var errs []struct{ Extensions map[string]any }
		_ = json.Unmarshal(raw.Errors, &errs)
		restDenied, gqlDenied := r.Code == 403, len(errs) > 0 && errs[0].Extensions["code"] == "FORBIDDEN"
		switch {
		case r.Code >= 300 && !restDenied:
			t.Errorf("%s as %s over REST: %s", c.name, role, r)
		case len(errs) > 0 && !gqlDenied:
			t.Errorf("%s as %s over GraphQL: %s", c.name, role, raw.Errors)
		case restDenied != gqlDenied:
			t.Errorf("%s as %s: REST denied=%v, GraphQL denied=%v (%s / %s)", c.name, role, restDenied, gqlDenied, r, raw.Errors)
		case want == "allow" && restDenied, want == "deny" && !restDenied:
			t.Errorf("%s as %s: want %s, both transports decided otherwise (%s)", c.name, role, want, r)
		case restDenied:
			denied++
			named := append([]string{c.perm}, c.also...) // lacking what it also needs, that is named
			if !slices.Contains(named, r.Str("permission")) || errs[0].Extensions["permission"] != r.Str("permission") {
				t.Errorf("%s as %s: refused for %q over REST and %v over GraphQL, want %s", c.name, role, r.Str("permission"), errs[0].Extensions["permission"], c.perm)
			}
		default:
			allowed++
			got, want := fmt.Sprint(r.Get("data."+c.restPath)), fmt.Sprint(testenv.Dig(raw.Data, c.gqlPath))
			if got != want || got == "<nil>" {
				t.Errorf("%s as %s: REST answers %s=%s, GraphQL %s=%s", c.name, role, c.restPath, got, c.gqlPath, want)
			}
		}
	}
	for i, c := range cases {
		only, allBut := fmt.Sprintf("only-%d", i), fmt.Sprintf("all-but-%d", i)
		rest := []string{}
		for _, perm := range policy.Catalog() {
			if perm.Name != c.perm {
				rest = append(rest, perm.Name)
			}
		}
		p.post("/admin/roles", map[string]any{"name": only, "permissions": append([]string{c.perm}, c.also...)})
		p.post("/admin/roles", map[string]any{"name": allBut, "permissions": rest})
		run(c, only, "allow")
		run(c, allBut, "deny")
		for _, r := range policy.DefaultRoles() {
			if conditioned(r, append([]string{c.perm}, c.also...)) {
				continue // a row condition's parity is TestRowConditionsLeakNothing's (rest) and the rows cases'
			}
			run(c, r.Name, "")
		}
	}
	t.Logf("%d permissions, %d (role, operation) pairs per transport: %d allowed alike with the same data, %d refused alike naming the same permission", len(covered), n, allowed, denied)
}
