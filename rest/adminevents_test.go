package rest_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/cienerp/cienerp/internal/testenv"
	"github.com/cienerp/cienerp/modules/admin"
	"github.com/cienerp/cienerp/modules/finance"
	"github.com/cienerp/cienerp/policy"
)

// TestAdminChangesHaveEvents makes every kind of admin change (keys
// created, re-roled, rolled, revoked; roles created, changed, deleted;
// members added, re-roled, removed; webhook endpoints created, changed,
// rotated, deleted; a policy import) and finds each one's event in the
// feed: keys and endpoints in their environment, roles, members and the
// policy in both. No event holds a secret (the canaries: the key's and the
// endpoint's), and a key without the view permission sees none of them.
// Before, these changes wrote audit events only.
func TestAdminChangesHaveEvents(t *testing.T) {
	t.Parallel()
	f := setup(t)
	key := testenv.Key(f.sandboxA)
	_, agent := f.Key(f.A.ID, policy.Sandbox, "it-agent")

	k := f.Expect(f.Do("POST", sandbox+"/settings/integration-keys", map[string]any{"name": "sync", "roles": []string{"viewer"}}, key), 201)
	keyID, keySecret := k.Str("data.id"), k.Str("data.secret")
	f.Expect(f.Do("PUT", sandbox+"/admin/integration-keys/"+keyID+"/roles", map[string]any{"roles": []string{"accountant"}}, key), 200)
	rolled := f.Expect(f.Do("POST", sandbox+"/settings/integration-keys/"+keyID+"/roll", map[string]any{}, key), 201)
	f.Expect(f.Do("POST", sandbox+"/settings/integration-keys/"+rolled.Str("data.id")+"/revoke", nil, key), 200)
	f.Expect(f.Do("POST", sandbox+"/admin/roles", map[string]any{"name": "auditor", "permissions": []string{admin.AuditView}}, key), 201)
	f.Expect(f.Do("PATCH", sandbox+"/admin/roles/auditor", map[string]any{"description": "Reads the trail"}, key), 200)
	member := f.Expect(f.Do("POST", sandbox+"/admin/members", map[string]any{"email": "ann@acme.test", "roles": []string{"auditor"}}, key), 201).Str("data.user_id")
	f.Expect(f.Do("PUT", sandbox+"/admin/members/"+member+"/roles", map[string]any{"roles": []string{"viewer"}}, key), 200)
	f.Expect(f.Do("DELETE", sandbox+"/admin/members/"+member, nil, key), 200)
	f.Expect(f.Do("DELETE", sandbox+"/admin/roles/auditor", nil, key), 200)
	ep := f.Expect(f.Do("POST", sandbox+"/webhook-endpoints", map[string]any{"url": "https://9.9.9.9/h", "event_types": []string{"customer.*"}}, key), 201)
	epID, epSecret := ep.Str("data.id"), ep.Str("data.secret")
	f.Expect(f.Do("PATCH", sandbox+"/webhook-endpoints/"+epID, map[string]any{"description": "CRM"}, key), 200)
	rotated := f.Expect(f.Do("POST", sandbox+"/webhook-endpoints/"+epID+"/rotate-secret", nil, key), 200).Str("data.secret")
	f.Expect(f.Do("DELETE", sandbox+"/webhook-endpoints/"+epID, nil, key), 200)
	doc := f.Expect(f.Do("GET", sandbox+"/admin/policy", nil, key), 200).Get("data").(map[string]any)
	doc["roles"] = append(doc["roles"].([]any), map[string]any{"name": "imported", "description": "From a file", "permissions": []string{finance.CustomersView}})
	f.Expect(f.Do("POST", sandbox+"/admin/policy/import", doc, key), 200)

	ours := map[string]bool{keyID: true, rolled.Str("data.id"): true, epID: true, member: true}
	type seen struct{ types, ids []string }
	feed := func(base, k string) seen {
		r := f.Expect(f.Do("GET", base+"/events?limit=100", nil, testenv.Key(k)), 200)
		for _, secret := range []string{keySecret, rolled.Str("data.secret"), epSecret, rotated} {
			if secret == "" || strings.Contains(string(r.Raw), secret) {
				t.Fatalf("an event holds a secret (or a canary is empty)")
			}
		}
		var out seen
		for _, e := range r.List() {
			ev := e.(map[string]any)
			out.types = append(out.types, ev["type"].(string))
			if id, _ := ev["object_id"].(string); ours[id] {
				out.ids = append(out.ids, ev["type"].(string))
			}
		}
		return out
	}
	sandboxFeed := feed(sandbox, f.sandboxA)
	for _, want := range []string{
		"integration_key.created", "integration_key.updated", "integration_key.rolled", "integration_key.revoked",
		"role.created", "role.updated", "role.deleted", "member.added", "member.updated", "member.removed",
		"webhook_endpoint.created", "webhook_endpoint.updated", "webhook_endpoint.secret_rotated", "webhook_endpoint.deleted",
		"policy.imported",
	} {
		if !slices.Contains(sandboxFeed.types, want) {
			t.Errorf("the sandbox feed has no %s: %v", want, sandboxFeed.types)
		}
	}
	liveFeed := feed(live, f.liveA)
	for _, want := range []string{"role.created", "role.updated", "role.deleted", "member.added", "member.updated", "member.removed", "policy.imported"} {
		if !slices.Contains(liveFeed.types, want) {
			t.Errorf("the live feed has no tenant-wide %s: %v", want, liveFeed.types)
		}
	}
	for _, ty := range liveFeed.ids {
		if strings.HasPrefix(ty, "integration_key.") || strings.HasPrefix(ty, "webhook_endpoint.") {
			t.Errorf("a sandbox key or endpoint change reached the live feed: %s", ty)
		}
	}
	if got := feed(sandbox, agent); len(got.types) != 0 {
		t.Errorf("an it-agent key sees admin events: %v", got.types)
	}
	if got := feed(sandbox, f.sandboxB); len(got.ids) != 0 || slices.ContainsFunc(got.types, func(ty string) bool { return !strings.HasPrefix(ty, "integration_key.") }) {
		t.Errorf("another tenant sees %v (ours: %v)", got.types, got.ids)
	}
}
