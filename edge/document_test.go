package edge_test

import (
	"testing"

	"github.com/cienerp/cienerp/internal/testenv"
	"github.com/cienerp/cienerp/modules"
	"github.com/cienerp/cienerp/modules/itsupport"
	"github.com/cienerp/cienerp/policy"
)

// TestTheEdgeEnforcesAndDocumentsTheRoutesOperation: the permission a
// route's operation needs (from its module's declaration) is the one the
// edge refuses without, before the handler reads the body, and the one
// the OpenAPI document states; the document's sections are the modules'
// tags, each once.
func TestTheEdgeEnforcesAndDocumentsTheRoutesOperation(t *testing.T) {
	t.Parallel()
	e := testenv.New(t)
	acme := e.Tenant("acme")
	_, viewer := e.Key(acme.ID, policy.Sandbox, "viewer")

	// A body that would be a 422 is refused as a 403 first: the edge
	// decides before the handler runs.
	r := e.Expect(e.Do("POST", "/api/sandbox/tickets", map[string]any{"title": ""}, testenv.Key(viewer)), 403)
	if got := r.Str("permission"); got != itsupport.CreateTicket.Permission {
		t.Errorf("403 names %q, want the operation's %q", got, itsupport.CreateTicket.Permission)
	}
	e.Expect(e.Do("GET", "/api/sandbox/tickets", nil, testenv.Key(viewer)), 200)

	doc := e.Expect(e.Do("GET", "/api/openapi.json", nil, nil), 200)
	for path, ops := range map[string]map[string]string{
		"paths./tickets.get":  {"x-permission": itsupport.ViewTickets.Permission},
		"paths./tickets.post": {"x-permission": itsupport.CreateTicket.Permission},
	} {
		if got := doc.Str(path + ".x-permission"); got != ops["x-permission"] {
			t.Errorf("%s: x-permission %q, want %q", path, got, ops["x-permission"])
		}
	}
	count := map[string]int{}
	for _, tag := range doc.Get("tags").([]any) {
		count[tag.(map[string]any)["name"].(string)]++
	}
	for _, m := range modules.All() {
		if count[m.Tag] != 1 {
			t.Errorf("module %s's tag %q is in the document %d times", m.Name, m.Tag, count[m.Tag])
		}
	}
}
