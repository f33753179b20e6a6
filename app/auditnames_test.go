package app_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/cienerp/cienerp/app"
	"github.com/cienerp/cienerp/internal/testenv"
	"github.com/cienerp/cienerp/policy"
	"github.com/cienerp/cienerp/service"
)

// TestStartRenamesOldAuditActions: audit events stored under the names a
// change had before it had one (ticket.update, member.roles.add) carry
// the change's name after the next start; other actions stay as stored.
func TestStartRenamesOldAuditActions(t *testing.T) {
	t.Parallel()
	e := testenv.New(t)
	acme := e.Tenant("acme")
	ctx := e.As(acme.ID, policy.Sandbox, policy.UserSubject(acme.Owner.ID.String()))
	var tickets []string
	for range 3 {
		tk, err := e.App.Service.CreateTicket(ctx, service.CreateTicketInput{Title: "Printer", RequesterID: &acme.Owner.ID})
		if err != nil {
			t.Fatal(err)
		}
		tickets = append(tickets, tk.ID.String())
	}
	db := e.App.DB.SQL
	set := func(action, where string, args ...any) {
		t.Helper()
		q := "UPDATE audit_events SET action = '" + action + "' WHERE " + where
		if _, err := db.Exec(q, args...); err != nil {
			t.Fatal(err)
		}
	}
	// Three events as stored before (two old names) and a canary that no
	// change names.
	set("ticket.update", "entity_id = '"+tickets[0]+"'")
	set("member.roles.add", "entity_id = '"+tickets[1]+"'")
	set("custom.kept", "entity_id = '"+tickets[2]+"'")

	cfg := app.Defaults()
	cfg.DataDir, cfg.JWTSecret, cfg.SecretsKey = t.TempDir(), strings.Repeat("s", 32), strings.Repeat("5e", 32)
	if _, err := app.NewWithDB(context.Background(), cfg, slog.New(slog.DiscardHandler), e.App.DB); err != nil {
		t.Fatal(err)
	}
	count := func(action string) int {
		var n int
		if err := db.QueryRow("SELECT count(*) FROM audit_events WHERE action = '" + action + "'").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	for action, want := range map[string]bool{"ticket.update": false, "member.roles.add": false, "ticket.updated": true, "member.updated": true, "custom.kept": true} {
		if got := count(action) > 0; got != want {
			t.Errorf("after the start, events with action %s: %v, want %v", action, got, want)
		}
	}
}
