package service_test

import (
	"context"
	"errors"
	"testing"

	"github.com/google/uuid"

	"github.com/cienerp/cienerp/internal/testenv"
	"github.com/cienerp/cienerp/modules/itsupport"
	"github.com/cienerp/cienerp/policy"
	"github.com/cienerp/cienerp/service"
)

// TestUpsertChecksTheOperationItPerforms: an upsert that would create
// needs the create operation's permission and one that would update the
// update's, each checked before the write runs (the canary write must not
// run when refused), whichever transport calls it.
func TestUpsertChecksTheOperationItPerforms(t *testing.T) {
	t.Parallel()
	e := testenv.New(t)
	acme := e.Tenant("acme")
	role := func(perms ...string) context.Context {
		name := "only-" + uuid.NewString()[:8]
		ctx := e.As(acme.ID, policy.Sandbox, policy.UserSubject(acme.Owner.ID.String()))
		if _, err := e.App.Service.CreateRole(ctx, service.CreateRoleInput{Name: name, Permissions: perms}); err != nil {
			t.Fatal(err)
		}
		u := e.User(acme.ID, name+"@acme.test", name)
		return e.As(acme.ID, policy.Sandbox, policy.UserSubject(u.ID.String()))
	}
	for _, c := range []struct {
		name   string
		ctx    context.Context
		exists bool
		denied string // the permission named, "" = allowed
	}{
		{"create without create", role(itsupport.TicketsUpdate), false, itsupport.TicketsCreate},
		{"update without update", role(itsupport.TicketsCreate), true, itsupport.TicketsUpdate},
		{"create with create", role(itsupport.TicketsCreate), false, ""},
		{"update with update", role(itsupport.TicketsUpdate), true, ""},
	} {
		wrote := false
		_, created, err := service.Upsert(c.ctx, itsupport.CreateTicket, itsupport.UpdateTicket,
			func(context.Context) (uuid.UUID, bool, error) { return uuid.New(), c.exists, nil },
			func(context.Context) (int, error) { wrote = true; return 1, nil },
			func(context.Context, uuid.UUID) (int, error) { wrote = true; return 2, nil })
		var denied *policy.DeniedError
		switch {
		case c.denied == "" && (err != nil || !wrote || created == c.exists):
			t.Errorf("%s: err %v, wrote %v, created %v", c.name, err, wrote, created)
		case c.denied != "" && (!errors.As(err, &denied) || denied.Permission != c.denied || wrote):
			t.Errorf("%s: err %v (want the refusal naming %s), wrote %v", c.name, err, c.denied, wrote)
		}
	}
}
