package rest_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/cienerp/cienerp/internal/testenv"
	"github.com/cienerp/cienerp/modules/itsupport"
	"github.com/cienerp/cienerp/policy"
)

func TestRolesCRUDAndRules(t *testing.T) {
	t.Parallel()
	f := setup(t)
	admin := testenv.Key(f.sandboxA)
	r := f.Expect(f.Do("POST", sandbox+"/admin/roles", map[string]any{"name": "help-desk", "description": "First line", "permissions": []string{"it-support.tickets.*", "documents.view"}}, admin), 201)
	if r.Str("data.name") != "help-desk" || len(r.Get("data.permissions").([]any)) != 2 || r.Get("data.builtin") != false {
		t.Fatalf("create: %s", r)
	}
	bad := []struct {
		body  map[string]any
		field string
		text  string
	}{
		{map[string]any{"name": "x", "permissions": []string{"documents.fly", "it-support.tickets.view", "nope.*"}}, "permissions", `"documents.fly", "nope.*"`},
		{map[string]any{"name": "help-desk", "permissions": []string{}}, "name", "exists already"},
		{map[string]any{"name": "Bad Name", "permissions": []string{}}, "name", "lowercase"},
	}
	for _, c := range bad {
		r := f.Expect(f.Do("POST", sandbox+"/admin/roles", c.body, admin), 422)
		if msg := strings.Join(r.Errors()[c.field], " "); !strings.Contains(msg, c.text) {
			t.Errorf("%v: %s", c.body, r)
		}
	}
	// Rename, describe, replace permissions.
	r = f.Expect(f.Do("PATCH", sandbox+"/admin/roles/help-desk", map[string]any{"name": "service-desk", "permissions": []string{"it-support.*"}}, admin), 200)
	if r.Str("data.name") != "service-desk" || r.Get("data.permissions").([]any)[0] != "it-support.*" || r.Str("data.description") != "First line" {
		t.Fatalf("update: %s", r)
	}
	f.Expect(f.Do("GET", sandbox+"/admin/roles/help-desk", nil, admin), 404)
	// Built-ins: editable, not deletable; the owner keeps "*" and its name.
	f.Expect(f.Do("PATCH", sandbox+"/admin/roles/viewer", map[string]any{"permissions": []string{"it-support.tickets.view"}}, admin), 200)
	if r := f.Expect(f.Do("DELETE", sandbox+"/admin/roles/viewer", nil, admin), 422); !strings.Contains(r.Errors()["name"][0], "not deleted") {
		t.Fatalf("delete built-in: %s", r)
	}
	r = f.Expect(f.Do("PATCH", sandbox+"/admin/roles/owner", map[string]any{"permissions": []string{"documents.*"}}, admin), 422)
	if !strings.Contains(strings.Join(r.Errors()["permissions"], " "), `keep "*"`) {
		t.Fatalf("owner without *: %s", r)
	}
	f.Expect(f.Do("PATCH", sandbox+"/admin/roles/owner", map[string]any{"name": "boss"}, admin), 422)
	f.Expect(f.Do("DELETE", sandbox+"/admin/roles/service-desk", nil, admin), 200)
	list := f.Expect(f.Do("GET", sandbox+"/admin/roles", nil, admin), 200).List()
	if len(list) != 7 {
		t.Fatalf("%d roles after delete, want the 7 built-ins", len(list))
	}
	// Another tenant's roles are untouched and invisible.
	if r := f.Expect(f.Do("GET", sandbox+"/admin/roles/viewer", nil, testenv.Key(f.sandboxB)), 200); len(r.Get("data.permissions").([]any)) < 5 {
		t.Fatalf("B's viewer changed with A's: %s", r)
	}
}

func TestRoleChangesApplyOnTheNextRequest(t *testing.T) {
	t.Parallel()
	f := setup(t)
	admin := testenv.Key(f.sandboxA)
	f.Expect(f.Do("POST", sandbox+"/admin/roles", map[string]any{"name": "reader", "permissions": []string{"it-support.tickets.view"}}, admin), 201)
	_, key := f.Key(f.A.ID, policy.Sandbox, "reader")
	f.Expect(f.Do("GET", sandbox+"/tickets", nil, testenv.Key(key)), 200)
	f.Expect(f.Do("PATCH", sandbox+"/admin/roles/reader", map[string]any{"permissions": []string{"documents.view"}}, admin), 200)
	if r := f.Expect(f.Do("GET", sandbox+"/tickets", nil, testenv.Key(key)), 403); r.Str("permission") != itsupport.TicketsView {
		t.Fatalf("after the role lost the permission: %s", r)
	}
	// And back, through the key's roles.
	keyID := f.Expect(f.Do("GET", sandbox+"/me", nil, testenv.Key(key)), 200).Str("data.key_id")
	f.Expect(f.Do("PUT", sandbox+"/admin/integration-keys/"+keyID+"/roles", map[string]any{"roles": []string{"it-agent"}}, admin), 200)
	f.Expect(f.Do("GET", sandbox+"/tickets", nil, testenv.Key(key)), 200)
	f.Expect(f.Do("PUT", sandbox+"/admin/integration-keys/"+keyID+"/roles", map[string]any{"roles": []string{"wizard"}}, admin), 422)
}

func TestMembers(t *testing.T) {
	t.Parallel()
	f := setup(t)
	admin := testenv.Key(f.sandboxA)
	r := f.Expect(f.Do("POST", live+"/admin/members", map[string]any{"email": "New.Hire@Acme.test", "name": "New Hire", "roles": []string{"it-agent"}}, testenv.Key(f.liveA)), 201)
	password, uid := r.Str("data.password"), r.Str("data.user_id")
	if password == "" || r.Str("data.email") != "new.hire@acme.test" || r.Get("data.new_login") != true {
		t.Fatalf("invite: %s", r)
	}
	hire := testenv.User{Email: "new.hire@acme.test", Password: password}
	tok := testenv.Bearer(f.token(hire, ""))
	f.Expect(f.Do("GET", live+"/tickets", nil, tok), 200)

	// An existing login (from another tenant) is added without a password.
	r = f.Expect(f.Do("POST", sandbox+"/admin/members", map[string]any{"email": f.B.Owner.Email, "roles": []string{"viewer"}}, admin), 201)
	if r.Str("data.password") != "" || r.Get("data.new_login") != nil {
		t.Fatalf("existing login: %s", r)
	}
	f.Expect(f.Do("POST", sandbox+"/admin/members", map[string]any{"email": f.B.Owner.Email, "roles": []string{"viewer"}}, admin), 422)
	f.Expect(f.Do("POST", sandbox+"/admin/members", map[string]any{"email": "x@y.test", "roles": []string{"wizard"}}, admin), 422)
	f.Expect(f.Do("POST", sandbox+"/admin/members", map[string]any{"email": "x@y.test", "roles": []string{}}, admin), 422)

	// Roles: add, remove, replace.
	r = f.Expect(f.Do("POST", sandbox+"/admin/members/"+uid+"/roles", map[string]any{"role": "accountant"}, admin), 200)
	if strings.Join(toStrings(r.Get("data.roles")), ",") != "accountant,it-agent" {
		t.Fatalf("add: %s", r)
	}
	r = f.Expect(f.Do("DELETE", sandbox+"/admin/members/"+uid+"/roles/it-agent", nil, admin), 200)
	if strings.Join(toStrings(r.Get("data.roles")), ",") != "accountant" {
		t.Fatalf("remove: %s", r)
	}
	f.Expect(f.Do("GET", live+"/tickets", nil, tok), 403)
	f.Expect(f.Do("DELETE", sandbox+"/admin/members/"+uid+"/roles/it-agent", nil, admin), 404)
	f.Expect(f.Do("PUT", sandbox+"/admin/members/"+uid+"/roles", map[string]any{"roles": []string{"it-agent", "viewer"}}, admin), 200)
	f.Expect(f.Do("GET", live+"/tickets", nil, tok), 200)

	members := f.Expect(f.Do("GET", sandbox+"/admin/members", nil, admin), 200).List()
	if len(members) != 3 {
		t.Fatalf("%d members, want owner, hire and B's owner", len(members))
	}
	// Removal ends access on the next request.
	f.Expect(f.Do("DELETE", sandbox+"/admin/members/"+uid, nil, admin), 200)
	if r := f.Expect(f.Do("GET", live+"/tickets", nil, tok), 403); r.Str("code") != "no_tenant" && r.Str("code") != "not_a_member" {
		t.Fatalf("removed member: %s", r)
	}
	// Another tenant's admin cannot touch A's members.
	f.Expect(f.Do("DELETE", sandbox+"/admin/members/"+f.A.Owner.ID.String(), nil, testenv.Key(f.sandboxB)), 404)
}

func toStrings(v any) []string {
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	return out
}

func TestNoChangeLocksTheTenantOut(t *testing.T) {
	t.Parallel()
	f := setup(t)
	admin := testenv.Key(f.sandboxA)
	owner := f.A.Owner.ID.String()
	lockouts := []struct {
		method, path string
		body         any
	}{
		{"PUT", "/admin/members/" + owner + "/roles", map[string]any{"roles": []string{"viewer"}}},
		{"DELETE", "/admin/members/" + owner + "/roles/owner", nil},
		{"DELETE", "/admin/members/" + owner, nil},
		{"PATCH", "/admin/roles/owner", map[string]any{"permissions": []string{"it-support.*"}}},
	}
	for _, c := range lockouts {
		r := f.Expect(f.Do(c.method, sandbox+c.path, c.body, admin), 422)
		if msg := strings.Join(append(r.Errors()["policy"], r.Errors()["permissions"]...), " "); !strings.Contains(msg, "admin.policies.manage") && !strings.Contains(msg, `keep "*"`) {
			t.Errorf("%s %s: %s", c.method, c.path, r)
		}
	}
	// Once another member can manage policies, the owner may step down.
	second := f.User(f.A.ID, "second@acme.test", "admin")
	f.Expect(f.Do("PUT", sandbox+"/admin/members/"+owner+"/roles", map[string]any{"roles": []string{"viewer"}}, admin), 200)
	// ...and now the admin role may not lose the permission, since second holds it only through admin.
	r := f.Expect(f.Do("PATCH", sandbox+"/admin/roles/admin", map[string]any{"permissions": []string{"it-support.*"}}, admin), 422)
	if len(r.Errors()["policy"]) == 0 {
		t.Fatalf("admin role change: %s", r)
	}
	// Keys do not count as someone who can fix it later.
	f.Expect(f.Do("DELETE", sandbox+"/admin/members/"+second.ID.String(), nil, admin), 422)
}

func TestExplainPermissionDecisions(t *testing.T) {
	t.Parallel()
	f := setup(t)
	admin := testenv.Key(f.sandboxA)
	agent := f.User(f.A.ID, "agent@acme.test", "it-agent")
	viewer := f.User(f.A.ID, "viewer@acme.test", "viewer")
	keyID, _ := f.Key(f.A.ID, policy.Live, "cashier")

	r := f.Expect(f.Do("GET", sandbox+"/permissions/check?subject=user:"+agent.ID.String()+"&permission=it-support.tickets.delete", nil, admin), 200)
	if r.Get("data.allowed") != true || r.Str("data.role") != "it-agent" || r.Str("data.rule") != "it-support.*" {
		t.Fatalf("allow by wildcard: %s", r)
	}
	r = f.Expect(f.Do("GET", sandbox+"/permissions/check?subject="+viewer.Email+"&permission=it-support.tickets.create", nil, admin), 200)
	if r.Get("data.allowed") != false || !strings.Contains(r.Str("data.reason"), "none of its roles (viewer)") {
		t.Fatalf("deny by missing role: %s", r)
	}
	// A key of the other environment is still the tenant's.
	r = f.Expect(f.Do("GET", sandbox+"/permissions/check?subject=key:"+keyID.String()+"&permission=pos.sales.create", nil, admin), 200)
	if r.Get("data.allowed") != true || r.Str("data.role") != "cashier" || r.Str("data.rule") != "pos.sales.create" {
		t.Fatalf("key: %s", r)
	}
	// A member without roles.
	f.Expect(f.Do("PUT", sandbox+"/admin/members/"+viewer.ID.String()+"/roles", map[string]any{"roles": []string{}}, admin), 200)
	r = f.Expect(f.Do("GET", sandbox+"/permissions/check?subject="+viewer.ID.String()+"&permission=documents.view", nil, admin), 200)
	if r.Get("data.allowed") != false || !strings.Contains(r.Str("data.reason"), "holds no role") {
		t.Fatalf("no roles: %s", r)
	}
	// The explanation agrees with what requests get.
	tok := f.token(agent, "")
	f.Expect(f.Do("DELETE", sandbox+"/tickets/01a21a2f-0000-7000-8000-000000000000", nil, testenv.Bearer(tok)), 404) // allowed, then not found
	for q, field := range map[string]string{
		"subject=user:" + agent.ID.String() + "&permission=documents.fly":      "permission",
		"subject=user:" + f.B.Owner.ID.String() + "&permission=documents.view": "subject",
		"subject=nobody@x.test&permission=documents.view":                      "subject",
		"permission=documents.view":                                            "subject",
	} {
		if r := f.Expect(f.Do("GET", sandbox+"/permissions/check?"+q, nil, admin), 422); len(r.Errors()[field]) == 0 {
			t.Errorf("%s: %s", q, r)
		}
	}
}

func TestPolicyExportImport(t *testing.T) {
	t.Parallel()
	f := setup(t)
	admin := testenv.Key(f.sandboxA)
	agent := f.User(f.A.ID, "agent@acme.test", "it-agent")
	doc := f.Expect(f.Do("GET", sandbox+"/admin/policy", nil, admin), 200).Get("data").(map[string]any)

	// The export imports as "no change".
	r := f.Expect(f.Do("POST", sandbox+"/admin/policy/import?dry_run=1", doc, admin), 200)
	if s := string(r.Raw); !strings.Contains(s, `"roles_created":[]`) || !strings.Contains(s, `"assignments_added":[]`) || !strings.Contains(s, `"roles_changed":[]`) {
		t.Fatalf("round trip is not empty: %s", r)
	}

	// A new role, a changed role, an assignment.
	roles := doc["roles"].([]any)
	roles = append(roles, map[string]any{"name": "auditor", "description": "Reads the trail", "permissions": []string{"admin.audit.view"}})
	for _, rl := range roles {
		if m := rl.(map[string]any); m["name"] == "viewer" {
			m["permissions"] = []string{"it-support.tickets.view"}
		}
	}
	doc["roles"] = roles
	for _, m := range doc["members"].([]any) {
		if mm := m.(map[string]any); mm["id"] == agent.ID.String() {
			mm["roles"] = []string{"it-agent", "auditor"}
		}
	}
	r = f.Expect(f.Do("POST", sandbox+"/admin/policy/import?dry_run=1", doc, admin), 200)
	ch := r.Get("data.changes").(map[string]any)
	if r.Get("data.dry_run") != true || len(ch["roles_created"].([]any)) != 1 || len(ch["roles_changed"].([]any)) != 1 || len(ch["assignments_added"].([]any)) != 1 {
		t.Fatalf("dry run diff: %s", r)
	}
	// Nothing applied by the dry run.
	f.Expect(f.Do("GET", sandbox+"/admin/roles/auditor", nil, admin), 404)

	// An invalid document changes nothing, and names every problem.
	broken := map[string]any{"roles": append(append([]any{}, roles...), map[string]any{"name": "bad", "permissions": []string{"documents.fly"}}), "members": doc["members"]}
	r = f.Expect(f.Do("POST", sandbox+"/admin/policy/import", broken, admin), 422)
	if !regexp.MustCompile(`documents\.fly`).MatchString(string(r.Raw)) {
		t.Fatalf("broken import: %s", r)
	}
	f.Expect(f.Do("GET", sandbox+"/admin/roles/auditor", nil, admin), 404)
	// Dropping a built-in role or locking everyone out is refused.
	f.Expect(f.Do("POST", sandbox+"/admin/policy/import", map[string]any{"roles": []any{map[string]any{"name": "owner", "permissions": []string{"*"}}}}, admin), 422)
	lock := map[string]any{"roles": roles, "members": []any{map[string]any{"id": f.A.Owner.ID, "roles": []string{"viewer"}}}}
	if r := f.Expect(f.Do("POST", sandbox+"/admin/policy/import", lock, admin), 422); len(r.Errors()["policy"]) == 0 {
		t.Fatalf("lockout import: %s", r)
	}

	// Apply.
	r = f.Expect(f.Do("POST", sandbox+"/admin/policy/import", doc, admin), 200)
	if r.Get("data.dry_run") != false {
		t.Fatalf("apply: %s", r)
	}
	f.Expect(f.Do("GET", sandbox+"/admin/roles/auditor", nil, admin), 200)
	tok := testenv.Bearer(f.token(agent, ""))
	f.Expect(f.Do("GET", sandbox+"/audit-events", nil, tok), 200)
	// And again: now it is a no-op.
	r = f.Expect(f.Do("POST", sandbox+"/admin/policy/import?dry_run=1", doc, admin), 200)
	if !strings.Contains(string(r.Raw), `"roles_changed":[]`) {
		t.Fatalf("second import is not empty: %s", r)
	}
}
