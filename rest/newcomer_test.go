package rest_test

import (
	"strings"
	"testing"

	"github.com/cienerp/cienerp/internal/testenv"
)

// TestTicketRequesterByEmail: a key names the requester by a member's
// email; without one, the 422 says where ids come from. Before, a key got
// "Requester is required" and nothing pointed to GET /admin/members.
func TestTicketRequesterByEmail(t *testing.T) {
	t.Parallel()
	f := setup(t)
	key := testenv.Key(f.sandboxA)
	r := f.Expect(f.Do("POST", sandbox+"/tickets", map[string]any{"title": "VPN down", "requester_email": strings.ToUpper(f.A.Owner.Email)}, key), 201)
	if r.Str("data.requester_id") != f.A.Owner.ID.String() {
		t.Errorf("requester: %s", r)
	}
	for _, c := range []struct {
		body  map[string]any
		field string
		want  string
	}{
		{map[string]any{"title": "x"}, "requester_id", "GET /admin/members"},
		{map[string]any{"title": "x", "requester_email": "nobody@acme.test"}, "requester_email", "No member"},
		{map[string]any{"title": "x", "requester_email": f.B.Owner.Email}, "requester_email", "No member"}, // another tenant's member
		{map[string]any{"title": "x", "requester_email": f.A.Owner.Email, "requester_id": f.A.Owner.ID}, "requester_email", "not both"},
	} {
		r := f.Do("POST", sandbox+"/tickets", c.body, key)
		if msgs := r.Errors()[c.field]; r.Code != 422 || len(msgs) == 0 || !strings.Contains(msgs[0], c.want) {
			t.Errorf("%v: %s, want %s naming %q", c.body, r, c.field, c.want)
		}
	}
	q := `mutation($e: String) { createTicket(input: {title: "From GraphQL", requesterEmail: $e}) { requesterID } }`
	g := f.Do("POST", sandbox+"/graphql", map[string]any{"query": q, "variables": map[string]any{"e": f.A.Owner.Email}}, key)
	if testenv.Dig(g.Body, "data.createTicket.requesterID") != f.A.Owner.ID.String() {
		t.Errorf("graphql requesterEmail: %s", g)
	}
}

// TestSmallInconsistencies: a trailing slash is the same route in JSON,
// HEAD answers like GET, a key sent as a bearer token is named as such,
// empty lists are [] and lists that are not paged carry no limit, and the
// documented error examples carry what real answers carry.
func TestSmallInconsistencies(t *testing.T) {
	t.Parallel()
	f := setup(t)
	key := testenv.Key(f.sandboxA)
	if r := f.Do("GET", sandbox+"/tickets/", nil, key); r.Code != 200 || r.Body["status"] != "success" {
		t.Errorf("GET with a trailing slash: %s", r)
	}
	if r := f.Do("POST", sandbox+"/customers/", map[string]any{"name": "Slash"}, key); r.Code != 201 {
		t.Errorf("POST with a trailing slash: %s", r)
	}
	// Counted once, under its route.
	metrics := string(f.Do("GET", "/metrics", nil, nil).Raw)
	if !strings.Contains(metrics, `cienerp_http_requests_total{method="POST",route="/api/sandbox/customers",status="201"} 1`) || strings.Contains(metrics, `route="unmatched",status="201"`) {
		t.Errorf("a trailing-slash request is not counted once under its route")
	}
	if r := f.Do("HEAD", "/api/ping", nil, nil); r.Code != 200 || len(r.Raw) != 0 && r.Header.Get("Content-Type") == "" {
		t.Errorf("HEAD /api/ping: %d", r.Code)
	}
	if r := f.Do("HEAD", sandbox+"/tickets", nil, key); r.Code != 200 {
		t.Errorf("HEAD /tickets: %d", r.Code)
	}
	r := f.Do("GET", sandbox+"/me", nil, testenv.Bearer(f.sandboxA))
	if r.Code != 401 || !strings.Contains(r.Str("message"), "X-API-Key") {
		t.Errorf("a key as a bearer token: %s", r)
	}
	f.Expect(f.Do("POST", sandbox+"/admin/roles", map[string]any{"name": "nothing", "permissions": []string{}}, key), 201)
	_, none := f.Key(f.A.ID, "sandbox", "nothing")
	me := f.Expect(f.Do("GET", sandbox+"/me", nil, testenv.Key(none)), 200)
	if perms, ok := testenv.Dig(me.Body, "data.permissions").([]any); !ok || len(perms) != 0 {
		t.Errorf("/me permissions of a role with none: %s", me)
	}
	roles := f.Expect(f.Do("GET", sandbox+"/admin/roles", nil, key), 200)
	if _, has := roles.Body["meta"].(map[string]any)["limit"]; has {
		t.Errorf("an unpaged list reports a limit: %v", roles.Body["meta"])
	}
	doc := f.Expect(f.Do("GET", "/api/openapi.json", nil, nil), 200)
	for name, fields := range map[string][]string{
		"Forbidden":        {"permission", "code", "request_id"},
		"ValidationFailed": {"code", "request_id", "errors"},
		"TooManyRequests":  {"retry_after", "code", "request_id"},
	} {
		ex, _ := testenv.Dig(doc.Body, "components.responses."+name+".content.application/json.example").(map[string]any)
		for _, k := range fields {
			if ex[k] == nil {
				t.Errorf("example of %s lacks %s: %v", name, k, ex)
			}
		}
	}
	if ex := testenv.Dig(doc.Body, "components.responses.TooManyRequests.content.application/json.example.message"); strings.Contains(ex.(string), "1 seconds") {
		t.Errorf("message: %v", ex)
	}
}

// TestEveryBodyHasAnExample: "Try it" fills the console with a working
// body for every operation that takes one (the examples are also checked
// against their schemas, by kin-openapi and Redocly).
func TestEveryBodyHasAnExample(t *testing.T) {
	t.Parallel()
	f := setup(t)
	doc := f.Expect(f.Do("GET", "/api/openapi.json", nil, nil), 200)
	n := 0
	for path, item := range doc.Body["paths"].(map[string]any) {
		for method, op := range item.(map[string]any) {
			content, _ := testenv.Dig(op, "requestBody.content").(map[string]any)
			for media, m := range content {
				n++
				if m.(map[string]any)["example"] == nil {
					t.Errorf("%s %s (%s) has no example", strings.ToUpper(method), path, media)
				}
			}
		}
	}
	if n < 25 {
		t.Errorf("only %d request bodies found", n)
	}
}
