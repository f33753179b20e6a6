package graph_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/client"

	"github.com/cienerp/cienerp/internal/testenv"
	"github.com/cienerp/cienerp/policy"
)

func TestGraphQLMutationsUseTheSameRules(t *testing.T) {
	t.Parallel()
	e := testenv.New(t)
	a := e.Tenant("acme")
	_, key := e.Key(a.ID, policy.Sandbox, "admin")
	c := client.New(e.App.Handler, client.Path("/api/sandbox/graphql"), client.AddHeader("X-API-Key", key))
	agent := e.User(a.ID, "agent@acme.test", "it-agent")

	var created struct{ CreateTicket struct{ ID, Status string } }
	c.MustPost(fmt.Sprintf(`mutation { createTicket(input: {title: "VPN", requesterId: %q, assigneeId: %q}) { id status } }`, a.Owner.ID, agent.ID), &created)
	id := created.CreateTicket.ID
	// The workflow and null-unassign behave as over REST.
	var upd struct {
		UpdateTicket struct {
			Status     string
			AssigneeID *string
		}
	}
	c.MustPost(`mutation($id: ID!) { updateTicket(id: $id, input: {status: "closed", assigneeId: null}) { status assigneeID } }`, &upd, client.Var("id", id))
	if upd.UpdateTicket.Status != "closed" || upd.UpdateTicket.AssigneeID != nil {
		t.Fatalf("update: %+v", upd)
	}
	raw, _ := c.RawPost(`mutation($id: ID!) { updateTicket(id: $id, input: {status: "open"}) { status } }`, client.Var("id", id))
	if !strings.Contains(string(raw.Errors), `"VALIDATION"`) || !strings.Contains(string(raw.Errors), "cannot change status") {
		t.Fatalf("closed → open: %s", raw.Errors)
	}
	// Invoices: derived totals, issue, payment with the balance rule.
	var inv struct{ CreateInvoice struct{ ID, Total string } }
	c.MustPost(`mutation { createInvoice(input: {currency: "EUR", items: [{description: "x", quantity: "2", unitPrice: "10.00", taxRate: "10"}]}) { id total } }`, &inv)
	if inv.CreateInvoice.Total != "22.00" {
		t.Fatalf("invoice: %+v", inv)
	}
	var issued struct{ IssueInvoice struct{ Number *string } }
	c.MustPost(`mutation($id: ID!) { issueInvoice(id: $id) { number } }`, &issued, client.Var("id", inv.CreateInvoice.ID))
	if issued.IssueInvoice.Number == nil || !strings.HasPrefix(*issued.IssueInvoice.Number, "INV-") {
		t.Fatalf("issue: %+v", issued)
	}
	raw, _ = c.RawPost(`mutation($id: UUID!) { recordPayment(input: {invoiceId: $id, amount: "22.01", currency: "EUR", method: "card"}) { id } }`, client.Var("id", inv.CreateInvoice.ID))
	if !strings.Contains(string(raw.Errors), `"amount"`) {
		t.Fatalf("overpayment: %s", raw.Errors)
	}
	// Payments show exact amounts too.
	var paid struct {
		RecordPayment struct{ Amount, AmountRefunded string }
	}
	c.MustPost(`mutation($id: UUID!) { recordPayment(input: {invoiceId: $id, amount: "2.50", currency: "EUR", method: "card"}) { amount amountRefunded } }`, &paid, client.Var("id", inv.CreateInvoice.ID))
	if paid.RecordPayment.Amount != "2.50" || paid.RecordPayment.AmountRefunded != "0.00" {
		t.Fatalf("payment: %+v", paid)
	}
	// POS: a session and a sale with change, as over REST.
	var sess struct {
		OpenPosSession struct{ ID, OpeningFloat string }
	}
	c.MustPost(`mutation { openPosSession(register: "g1", currency: "EUR", openingFloat: "50.00") { id openingFloat } }`, &sess)
	var sale struct {
		CreatePosSale struct{ Total, Change string }
	}
	c.MustPost(`mutation($s: UUID!) { createPosSale(input: {sessionId: $s, items: [{description: "Tea", quantity: "1", unitPrice: "2.40"}], tenders: [{method: "cash", amount: "5.00"}]}) { total change } }`, &sale, client.Var("s", sess.OpenPosSession.ID))
	if sale.CreatePosSale.Total != "2.40" || sale.CreatePosSale.Change != "2.60" {
		t.Fatalf("sale: %+v", sale)
	}
	var closed struct {
		ClosePosSession struct {
			ExpectedCash string
			OverShort    *string
		}
	}
	c.MustPost(`mutation($s: ID!) { closePosSession(id: $s, countedCash: "52.50") { expectedCash overShort } }`, &closed, client.Var("s", sess.OpenPosSession.ID))
	if closed.ClosePosSession.ExpectedCash != "52.40" || closed.ClosePosSession.OverShort == nil || *closed.ClosePosSession.OverShort != "0.10" {
		t.Fatalf("close: %+v", closed)
	}
	// Every change is audited like a REST change.
	events := e.Expect(e.Do("GET", "/api/sandbox/audit-events?action=invoice.issued", nil, testenv.Key(key)), 200).List()
	if len(events) != 1 {
		t.Fatalf("audit: %v", events)
	}
	// Another tenant cannot touch it.
	b := e.Tenant("globex")
	_, keyB := e.Key(b.ID, policy.Sandbox, "admin")
	cb := client.New(e.App.Handler, client.Path("/api/sandbox/graphql"), client.AddHeader("X-API-Key", keyB))
	raw, _ = cb.RawPost(`mutation($id: ID!) { voidInvoice(id: $id) { id } }`, client.Var("id", inv.CreateInvoice.ID))
	if !strings.Contains(string(raw.Errors), `"NOT_FOUND"`) {
		t.Fatalf("foreign void: %s", raw.Errors)
	}
}

func TestGraphQLAdminMutationsAndMe(t *testing.T) {
	t.Parallel()
	e := testenv.New(t)
	a := e.Tenant("acme")
	_, key := e.Key(a.ID, policy.Sandbox, "admin")
	c := client.New(e.App.Handler, client.Path("/api/sandbox/graphql"), client.AddHeader("X-API-Key", key))

	var me struct {
		Me struct {
			Environment, Credential string
			Roles, Permissions      []string
		}
	}
	c.MustPost(`{ me { environment credential roles permissions } }`, &me)
	if me.Me.Environment != "sandbox" || me.Me.Credential != "api_key" || me.Me.Roles[0] != "admin" || len(me.Me.Permissions) < 20 {
		t.Fatalf("me: %+v", me)
	}
	var role struct {
		CreateRole struct {
			Name        string
			Permissions []string
		}
	}
	c.MustPost(`mutation { createRole(name: "reader", permissions: ["it-support.tickets.view"]) { name permissions } }`, &role)
	if role.CreateRole.Name != "reader" {
		t.Fatalf("create role: %+v", role)
	}
	raw, _ := c.RawPost(`mutation { createRole(name: "bad", permissions: ["documents.fly"]) { name } }`)
	if !strings.Contains(string(raw.Errors), `"VALIDATION"`) || !strings.Contains(string(raw.Errors), "documents.fly") {
		t.Fatalf("unknown permission: %s", raw.Errors)
	}
	var inv struct {
		InviteMember struct {
			UserID, Password string
			NewLogin         bool
		}
	}
	c.MustPost(`mutation { inviteMember(email: "new@acme.test", roles: ["reader"]) { userID password newLogin } }`, &inv)
	if inv.InviteMember.Password == "" || !inv.InviteMember.NewLogin {
		t.Fatalf("invite: %+v", inv)
	}
	var members struct {
		Members []struct {
			Email string
			Roles []string
		}
	}
	c.MustPost(`{ members { email roles } }`, &members)
	if len(members.Members) != 2 {
		t.Fatalf("members: %+v", members)
	}
	// REST sees what GraphQL did, and the lockout rule holds over GraphQL too.
	if r := e.Expect(e.Do("GET", "/api/sandbox/admin/roles/reader", nil, testenv.Key(key)), 200); r.Get("data.holders").(float64) != 1 {
		t.Fatalf("REST role: %s", r)
	}
	raw, _ = c.RawPost(fmt.Sprintf(`mutation { setMemberRoles(userId: %q, roles: ["viewer"]) { roles } }`, a.Owner.ID))
	if !strings.Contains(string(raw.Errors), "admin.policies.manage") {
		t.Fatalf("lockout over GraphQL: %s", raw.Errors)
	}
	var upd struct {
		UpdateRole struct{ Permissions []string }
	}
	c.MustPost(`mutation { updateRole(name: "reader", permissions: []) { permissions } }`, &upd)
	if len(upd.UpdateRole.Permissions) != 0 {
		t.Fatalf("update role: %+v", upd)
	}
	var del struct{ DeleteRole bool }
	raw, _ = c.RawPost(`mutation { deleteRole(name: "owner") }`)
	if !strings.Contains(string(raw.Errors), "not deleted") {
		t.Fatalf("delete built-in: %s", raw.Errors)
	}
	c.MustPost(`mutation { deleteRole(name: "reader") }`, &del)
	// A caller without admin.policies.manage is refused with the same permission as REST.
	_, agent := e.Key(a.ID, policy.Sandbox, "it-agent")
	ca := client.New(e.App.Handler, client.Path("/api/sandbox/graphql"), client.AddHeader("X-API-Key", agent))
	raw, _ = ca.RawPost(`mutation { createRole(name: "x", permissions: []) { name } }`)
	if !strings.Contains(string(raw.Errors), `"permission":"admin.policies.manage"`) {
		t.Fatalf("agent: %s", raw.Errors)
	}
}

func TestGraphQLKeysPolicyAndOrder(t *testing.T) {
	t.Parallel()
	e := testenv.New(t)
	a := e.Tenant("acme")
	_, key := e.Key(a.ID, policy.Sandbox, "owner")
	c := gql(e, "/api/sandbox", key)

	// Keys: create, list (no secrets), roll with grace, revoke; REST agrees.
	type keyResp struct {
		ID, Status string
		Secret     *string
		Roles      []string
	}
	var created struct{ CreateIntegrationKey keyResp }
	c.MustPost(`mutation { createIntegrationKey(name: "shop", roles: ["cashier"]) { id status secret roles } }`, &created)
	k := created.CreateIntegrationKey
	if k.Secret == nil || !strings.HasPrefix(*k.Secret, "cien_test_") || k.Status != "active" || len(k.Roles) != 1 {
		t.Fatalf("create: %+v", k)
	}
	e.Expect(e.Do("GET", "/api/sandbox/me", nil, testenv.Key(*k.Secret)), 200)
	var list struct{ IntegrationKeys []keyResp }
	c.MustPost(`{ integrationKeys { id status secret } }`, &list)
	rest := e.Expect(e.Do("GET", "/api/sandbox/settings/integration-keys", nil, testenv.Key(key)), 200).List()
	if len(list.IntegrationKeys) != len(rest) || len(rest) < 2 {
		t.Fatalf("list: %d over GraphQL, %d over REST", len(list.IntegrationKeys), len(rest))
	}
	for _, lk := range list.IntegrationKeys {
		if lk.Secret != nil {
			t.Fatalf("a listed key shows its secret: %+v", lk)
		}
	}
	var rolled struct{ RollIntegrationKey keyResp }
	c.MustPost(fmt.Sprintf(`mutation { rollIntegrationKey(id: %q, expiresInHours: 1) { id status secret } }`, k.ID), &rolled)
	if rolled.RollIntegrationKey.Secret == nil || rolled.RollIntegrationKey.ID == k.ID {
		t.Fatalf("roll: %+v", rolled)
	}
	e.Expect(e.Do("GET", "/api/sandbox/me", nil, testenv.Key(*k.Secret)), 200) // within its grace
	var revoked struct{ RevokeIntegrationKey keyResp }
	c.MustPost(fmt.Sprintf(`mutation { revokeIntegrationKey(id: %q) { status } }`, rolled.RollIntegrationKey.ID), &revoked)
	if revoked.RevokeIntegrationKey.Status != "revoked" {
		t.Fatalf("revoke: %+v", revoked)
	}
	e.Expect(e.Do("GET", "/api/sandbox/me", nil, testenv.Key(*rolled.RollIntegrationKey.Secret)), 403)
	raw, _ := c.RawPost(`mutation { rollIntegrationKey(id: "` + k.ID + `", expiresInHours: 500) { id } }`)
	if !strings.Contains(string(raw.Errors), `"VALIDATION"`) {
		t.Fatalf("grace beyond a week: %s", raw.Errors)
	}

	// Policy: export, a dry run that changes nothing, then the import.
	var exported struct {
		Policy struct {
			Roles []struct {
				Name        string
				Permissions []string
			}
			Members, IntegrationKeys []struct {
				ID    string
				Roles []string
			}
		}
	}
	c.MustPost(`{ policy { roles { name permissions } members { id roles } integrationKeys { id roles } } }`, &exported)
	restDoc := e.Expect(e.Do("GET", "/api/sandbox/admin/policy", nil, testenv.Key(key)), 200)
	if len(exported.Policy.Roles) == 0 || len(exported.Policy.Roles) != len(restDoc.Get("data.roles").([]any)) ||
		len(exported.Policy.Members) != 1 || len(exported.Policy.IntegrationKeys) != len(restDoc.Get("data.integration_keys").([]any)) {
		t.Fatalf("export: %+v vs %s", exported, restDoc)
	}
	roles := []map[string]any{{"name": "auditor", "description": "Reads the trail", "permissions": []string{"admin.audit.view"}}}
	for _, r := range exported.Policy.Roles {
		roles = append(roles, map[string]any{"name": r.Name, "permissions": r.Permissions})
	}
	imp := `mutation($doc: PolicyDocumentInput!, $dry: Boolean!) { importPolicy(document: $doc, dryRun: $dry) { dryRun changes { rolesCreated rolesDeleted } } }`
	type importResp struct {
		ImportPolicy struct {
			DryRun  bool
			Changes struct{ RolesCreated, RolesDeleted []string }
		}
	}
	var dry, applied importResp
	c.MustPost(imp, &dry, client.Var("doc", map[string]any{"roles": roles}), client.Var("dry", true))
	if !dry.ImportPolicy.DryRun || fmt.Sprint(dry.ImportPolicy.Changes.RolesCreated) != "[auditor]" || len(dry.ImportPolicy.Changes.RolesDeleted) != 0 {
		t.Fatalf("dry run: %+v", dry)
	}
	e.Expect(e.Do("GET", "/api/sandbox/admin/roles/auditor", nil, testenv.Key(key)), 404)
	raw, _ = c.RawPost(imp, client.Var("doc", map[string]any{"roles": append(roles, map[string]any{"name": "x", "permissions": []string{"documents.fly"}})}), client.Var("dry", false))
	if !strings.Contains(string(raw.Errors), `"VALIDATION"`) || !strings.Contains(string(raw.Errors), "documents.fly") {
		t.Fatalf("unknown permission: %s", raw.Errors)
	}
	e.Expect(e.Do("GET", "/api/sandbox/admin/roles/auditor", nil, testenv.Key(key)), 404) // all or nothing
	c.MustPost(imp, &applied, client.Var("doc", map[string]any{"roles": roles}), client.Var("dry", false))
	if applied.ImportPolicy.DryRun || fmt.Sprint(applied.ImportPolicy.Changes.RolesCreated) != "[auditor]" {
		t.Fatalf("import: %+v", applied)
	}
	e.Expect(e.Do("GET", "/api/sandbox/admin/roles/auditor", nil, testenv.Key(key)), 200)

	// Member roles one at a time.
	agent := e.User(a.ID, "agent@acme.test", "it-agent")
	var added struct{ AddMemberRole struct{ Roles []string } }
	c.MustPost(fmt.Sprintf(`mutation { addMemberRole(userId: %q, role: "viewer") { roles } }`, agent.ID), &added)
	if fmt.Sprint(added.AddMemberRole.Roles) != "[it-agent viewer]" {
		t.Fatalf("add role: %+v", added)
	}
	var removed struct{ RemoveMemberRole struct{ Roles []string } }
	c.MustPost(fmt.Sprintf(`mutation { removeMemberRole(userId: %q, role: "it-agent") { roles } }`, agent.ID), &removed)
	if fmt.Sprint(removed.RemoveMemberRole.Roles) != "[viewer]" {
		t.Fatalf("remove role: %+v", removed)
	}

	// orderBy: tickets by number, newest first, as REST's sort=-number.
	for i := 0; i < 3; i++ {
		e.Expect(e.Do("POST", "/api/sandbox/tickets", map[string]any{"title": fmt.Sprint("T", i), "requester_id": a.Owner.ID}, testenv.Key(key)), 201)
	}
	var ordered struct {
		Tickets struct {
			Edges []struct{ Node struct{ Number int } }
		}
	}
	c.MustPost(`{ tickets(first: 3, orderBy: {field: NUMBER, direction: DESC}) { edges { node { number } } } }`, &ordered)
	restOrder := e.Expect(e.Do("GET", "/api/sandbox/tickets?sort=-number&limit=3", nil, testenv.Key(key)), 200).List()
	for i, edge := range ordered.Tickets.Edges {
		if want := restOrder[i].(map[string]any)["number"]; fmt.Sprint(edge.Node.Number) != fmt.Sprint(want) && fmt.Sprintf("IT-%06d", edge.Node.Number) != fmt.Sprint(want) {
			t.Fatalf("order: GraphQL %+v, REST %v", ordered, restOrder)
		}
	}
	if len(ordered.Tickets.Edges) != 3 || ordered.Tickets.Edges[0].Node.Number < ordered.Tickets.Edges[2].Node.Number {
		t.Fatalf("order: %+v", ordered)
	}
	// A quote prices without storing, with REST's field errors.
	var q struct{ CalculateQuote struct{ GrandTotal string } }
	c.MustPost(`{ calculateQuote(currency: "eur", items: [{description: "x", quantity: "3", unitPrice: "19.99", taxRate: "19"}]) { grandTotal } }`, &q)
	restQ := e.Expect(e.Do("POST", "/api/sandbox/quote/calculate", map[string]any{"currency": "eur", "items": []map[string]any{{"description": "x", "quantity": "3", "unit_price": "19.99", "tax_rate": "19"}}}, nil), 200)
	if q.CalculateQuote.GrandTotal == "" || q.CalculateQuote.GrandTotal != restQ.Str("data.grand_total") {
		t.Fatalf("quote: %+v vs %s", q, restQ)
	}
	raw, _ = c.RawPost(`{ calculateQuote(currency: "XXX", items: []) { grandTotal } }`)
	if !strings.Contains(string(raw.Errors), `"currency"`) {
		t.Fatalf("unknown currency: %s", raw.Errors)
	}
	raw, _ = c.RawPost(`{ calculateQuote(currency: "EUR", items: [{description: "x", quantity: "-1", unitPrice: "1"}]) { grandTotal } }`)
	if !strings.Contains(string(raw.Errors), `"items.0.quantity"`) {
		t.Fatalf("negative quantity: %s", raw.Errors)
	}
}
