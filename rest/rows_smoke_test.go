package rest_test

import (
	"testing"

	"github.com/cienerp/cienerp/internal/testenv"
	"github.com/cienerp/cienerp/policy"
)

func TestRequesterSeesOwnTicketsSmoke(t *testing.T) {
	f := setup(t)
	alice := f.User(f.A.ID, "alice@acme.test", "requester")
	bob := f.User(f.A.ID, "bob@acme.test", "requester")
	mine := f.ticket(sandbox, f.sandboxA, alice.ID, "alice's printer")
	theirs := f.ticket(sandbox, f.sandboxA, bob.ID, "bob's laptop")
	tok := testenv.Bearer(f.token(alice, ""))
	tok["X-Tenant-ID"] = f.A.ID.String()
	r := f.Expect(f.Do("GET", sandbox+"/tickets", nil, tok), 200)
	t.Log(r.String())
	if n := len(r.List()); n != 1 {
		t.Fatalf("alice sees %d tickets", n)
	}
	f.Expect(f.Do("GET", sandbox+"/tickets/"+mine, nil, tok), 200)
	f.Expect(f.Do("GET", sandbox+"/tickets/"+theirs, nil, tok), 404)
	r = f.Do("POST", sandbox+"/tickets", map[string]any{"title": "for bob", "requester_id": bob.ID}, tok)
	t.Log(r.String())
	f.Expect(r, 403)
	f.Expect(f.Do("POST", sandbox+"/tickets", map[string]any{"title": "mine too"}, tok), 201)
	r = f.Expect(f.Do("GET", sandbox+"/events", nil, tok), 200)
	t.Log(r.String())
	_ = policy.Sandbox
}
