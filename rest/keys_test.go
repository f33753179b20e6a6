package rest_test

import (
	"strings"
	"testing"

	"github.com/cienerp/cienerp/internal/testenv"
	"github.com/cienerp/cienerp/modules/itsupport"
	"github.com/cienerp/cienerp/modules/settings"
	"github.com/cienerp/cienerp/policy"
	"github.com/cienerp/cienerp/policy/entadapter"
)

func TestIntegrationKeysAPI(t *testing.T) {
	t.Parallel()
	f := setup(t)
	admin := testenv.Key(f.sandboxA)

	r := f.Expect(f.Do("POST", sandbox+"/settings/integration-keys", map[string]any{"name": "Warehouse sync", "roles": []string{"it-agent"}}, admin), 201)
	secret, id := r.Str("data.secret"), r.Str("data.id")
	if !strings.HasPrefix(secret, "cien_test_") || !strings.HasPrefix(secret, r.Str("data.prefix")) || r.Str("data.status") != "active" || r.Str("data.environment") != "sandbox" {
		t.Fatalf("create: %s", r)
	}
	// The new key works, with exactly its role; its use is recorded.
	f.Expect(f.Do("GET", sandbox+"/tickets", nil, testenv.Key(secret)), 200)
	if err := f.App.Auth.Dir.FlushLastUsed(f.Ctx); err != nil {
		t.Fatal(err)
	}
	f.Expect(f.Do("GET", sandbox+"/settings/integration-keys", nil, testenv.Key(secret)), 403)

	// The secret is never listed; only this environment's keys are.
	list := f.Expect(f.Do("GET", sandbox+"/settings/integration-keys", nil, admin), 200)
	if strings.Contains(string(list.Raw), secret) || strings.Contains(string(list.Raw), `"secret"`) {
		t.Fatal("the list shows a secret")
	}
	for _, k := range list.List() {
		m := k.(map[string]any)
		if m["environment"] != "sandbox" {
			t.Fatalf("sandbox list shows %v", k)
		}
		if m["id"] == id && m["last_used_at"] == nil {
			t.Fatalf("last use not recorded: %v", m)
		}
	}
	if len(list.List()) != 2 { // the fixture's admin key and the new one
		t.Fatalf("list has %d keys, want 2", len(list.List()))
	}
	// A live key of the same tenant cannot revoke a sandbox key.
	f.Expect(f.Do("POST", live+"/settings/integration-keys/"+id+"/revoke", nil, testenv.Key(f.liveA)), 404)
	// Another tenant's admin cannot either.
	f.Expect(f.Do("POST", sandbox+"/settings/integration-keys/"+id+"/revoke", nil, testenv.Key(f.sandboxB)), 404)

	// Validation.
	bad := []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"roles": []string{"viewer"}}, "name"},
		{map[string]any{"name": "x"}, "roles"},
		{map[string]any{"name": "x", "roles": []string{"wizard"}}, "roles"},
		{map[string]any{"name": "x", "roles": []string{"viewer"}, "expires_at": "2001-01-01T00:00:00Z"}, "expires_at"},
		{map[string]any{"name": "x", "roles": []string{"viewer"}, "expires_at": "tomorrow"}, "expires_at"},
		{map[string]any{"name": "x", "roles": "viewer"}, "roles"},
	}
	for _, c := range bad {
		r := f.Expect(f.Do("POST", sandbox+"/settings/integration-keys", c.body, admin), 422)
		if len(r.Errors()[c.field]) == 0 {
			t.Errorf("%v: %s", c.body, r)
		}
	}
	// Roll with a grace period: both keys work until it ends.
	r = f.Expect(f.Do("POST", sandbox+"/settings/integration-keys/"+id+"/roll", map[string]any{"expires_in_hours": 24}, admin), 201)
	f.Expect(f.Do("GET", sandbox+"/tickets", nil, testenv.Key(secret)), 200)
	f.Expect(f.Do("GET", sandbox+"/tickets", nil, testenv.Key(r.Str("data.secret"))), 200)
	if roles := r.Get("data.roles").([]any); len(roles) != 1 || roles[0] != "it-agent" {
		t.Fatalf("rolled key roles: %v", roles)
	}
	// A rolled key cannot be rolled again; the grace is bounded.
	f.Expect(f.Do("POST", sandbox+"/settings/integration-keys/"+id+"/roll", nil, admin), 422)
	f.Expect(f.Do("POST", sandbox+"/settings/integration-keys/"+r.Str("data.id")+"/roll", map[string]any{"expires_in_hours": 500}, admin), 422)
}

func TestKeysCannotGrantMoreThanTheirCreatorHolds(t *testing.T) {
	t.Parallel()
	f := setup(t)
	// A custom role that may manage keys and read tickets, nothing else.
	rules := []policy.Rule{
		policy.PolicyRule("key-manager", f.A.ID.String(), settings.IntegrationKeysManage, ""),
		policy.PolicyRule("key-manager", f.A.ID.String(), itsupport.TicketsView, ""),
	}
	if err := entadapter.Save(f.Ctx, f.App.DB.Client, rules...); err != nil {
		t.Fatal(err)
	}
	f.App.Enforcer.Apply(rules...)
	_, manager := f.Key(f.A.ID, policy.Sandbox, "key-manager")

	for _, role := range []string{"owner", "admin", "it-agent", "viewer"} {
		r := f.Expect(f.Do("POST", sandbox+"/settings/integration-keys", map[string]any{"name": "escalate", "roles": []string{role}}, testenv.Key(manager)), 422)
		if msg := strings.Join(r.Errors()["roles"], " "); !strings.Contains(msg, "cannot grant role \""+role+"\"") {
			t.Fatalf("granting %s: %s", role, r)
		}
	}
	f.Expect(f.Do("POST", sandbox+"/settings/integration-keys", map[string]any{"name": "peer", "roles": []string{"key-manager"}}, testenv.Key(manager)), 201)
}

// TestEveryRouteRefusesBadCredentials walks the OpenAPI document (built
// from the route table) so that a new route cannot skip these checks.
func TestEveryRouteRefusesBadCredentials(t *testing.T) {
	t.Parallel()
	f := setup(t)
	// A role that grants nothing: every protected operation must refuse it.
	f.Expect(f.Do("POST", sandbox+"/admin/roles", map[string]any{"name": "nobody", "permissions": []string{}}, testenv.Key(f.sandboxA)), 201)
	_, cashier := f.Key(f.A.ID, policy.Sandbox, "nobody")
	revokedID, revoked := f.Key(f.A.ID, policy.Sandbox, "admin")
	f.Expect(f.Do("POST", sandbox+"/settings/integration-keys/"+revokedID.String()+"/revoke", nil, testenv.Key(f.sandboxA)), 200)
	doc := f.Expect(f.Do("GET", "/api/openapi.json", nil, nil), 200)
	protected, permissioned := 0, 0
	for path, item := range doc.Body["paths"].(map[string]any) {
		for method, op := range item.(map[string]any) {
			if method == "servers" {
				continue
			}
			if !secured(op) {
				continue
			}
			protected++
			m, rel := strings.ToUpper(method), strings.ReplaceAll(path, "{id}", "01a21a2f-0000-7000-8000-000000000000")
			expect := func(base string, h testenv.H, status int, code string) {
				t.Helper()
				r := f.Expect(f.Do(m, base+rel, map[string]any{}, h), status)
				if errorCode(r) != code {
					t.Errorf("%s %s%s: %s, want code %s", m, base, rel, r, code)
				}
			}
			expect(sandbox, nil, 401, "unauthenticated")
			expect(live, testenv.Key(f.sandboxA), 403, "wrong_environment")
			expect(sandbox, testenv.Key(f.liveA), 403, "wrong_environment")
			expect(sandbox, testenv.Key(revoked), 403, "key_revoked")
			expect(sandbox, testenv.Key(f.sandboxA).With("X-Tenant-ID", f.B.Slug), 403, "tenant_mismatch")

			perm, _ := op.(map[string]any)["x-permission"].(string)
			if perm == "" {
				continue
			}
			if !policy.Known(perm) {
				t.Errorf("%s %s declares %q, which is not in the catalog", method, path, perm)
			}
			permissioned++
			r := f.Expect(f.Do(m, sandbox+rel, map[string]any{}, testenv.Key(cashier)), 403)
			if errorCode(r) != "forbidden" || r.Str("permission") != perm || !strings.Contains(r.Str("message"), perm) {
				t.Errorf("%s %s: %s", method, path, r)
			}
		}
	}
	if protected < 12 || permissioned < 10 {
		t.Fatalf("only %d protected and %d permissioned operations found", protected, permissioned)
	}
}

// errorCode is the machine reason of a refusal: "code" in the REST body,
// extensions.reason on /graphql (whose extensions.code is GraphQL's).
func errorCode(r *testenv.Response) string {
	if c := r.Str("code"); c != "" {
		return c
	}
	return r.Str("errors.0.extensions.reason")
}

// secured: an operation of the OpenAPI document that needs credentials
// (public ones declare an empty security list).
func secured(op any) bool {
	sec, _ := op.(map[string]any)["security"].([]any)
	return len(sec) > 0
}
