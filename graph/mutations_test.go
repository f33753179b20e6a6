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
	events := e.Expect(e.Do("GET", "/api/sandbox/audit-events?action=invoice.issue", nil, testenv.Key(key)), 200).List()
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
