package service_test

import (
	"testing"

	"github.com/cienerp/cienerp/ent/auditevent"
	"github.com/cienerp/cienerp/ent/event"
	"github.com/cienerp/cienerp/ent/schema"
	"github.com/cienerp/cienerp/internal/testenv"
	"github.com/cienerp/cienerp/modules/itsupport"
	"github.com/cienerp/cienerp/policy"
	"github.com/cienerp/cienerp/service"
)

// TestAChangeHasOneName: a change is recorded in the audit trail and in
// the events feed under the one name its module declares, in the same
// transaction (both or neither).
func TestAChangeHasOneName(t *testing.T) {
	t.Parallel()
	e := testenv.New(t)
	acme := e.Tenant("acme")
	ctx := e.As(acme.ID, policy.Sandbox, policy.UserSubject(acme.Owner.ID.String()))
	tk, err := e.App.Service.CreateTicket(ctx, service.CreateTicketInput{Title: "Printer", RequesterID: &acme.Owner.ID})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.App.Service.UpdateTicket(ctx, tk.ID, service.UpdateTicketInput{Title: service.Opt[string]{Set: true, V: "Printer jams"}}); err != nil {
		t.Fatal(err)
	}
	// An update refused by validation writes neither.
	if _, err := e.App.Service.UpdateTicket(ctx, tk.ID, service.UpdateTicketInput{Title: service.Opt[string]{Set: true, V: ""}}); err == nil {
		t.Fatal("an empty title was accepted")
	}
	sys := schema.Bypass(e.Ctx, "the test reads both records of the tenant")
	for _, c := range []string{string(itsupport.TicketCreated), string(itsupport.TicketUpdated)} {
		audits, err := e.App.DB.Client.AuditEvent.Query().Where(auditevent.EntityID(tk.ID.String()), auditevent.Action(c)).Count(sys)
		if err != nil {
			t.Fatal(err)
		}
		events, err := e.App.DB.Client.Event.Query().Where(event.ObjectID(tk.ID.String()), event.Type(c)).Count(sys)
		if err != nil {
			t.Fatal(err)
		}
		if audits != 1 || events != 1 {
			t.Errorf("%s: %d audit events and %d integration events, want one of each", c, audits, events)
		}
	}
	all, err := e.App.DB.Client.AuditEvent.Query().Where(auditevent.EntityID(tk.ID.String())).Count(sys)
	if err != nil || all != 2 {
		t.Errorf("audit events of the ticket: %d (%v), want 2", all, err)
	}
}
