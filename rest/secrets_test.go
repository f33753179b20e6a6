package rest_test

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/cienerp/cienerp/ent/privacy"
	"github.com/cienerp/cienerp/graph"
	"github.com/cienerp/cienerp/internal/secretbox"
	"github.com/cienerp/cienerp/internal/testenv"
)

var secretName = regexp.MustCompile(`(?i)secret|password`)

// TestEveryAnswerWithASecretIsNoStore finds the answers that carry a
// secret from the documents themselves (every 2xx schema of the OpenAPI
// document with a secret or password property; every GraphQL field so
// named) and holds each to Cache-Control: no-store, REST and GraphQL.
// Before, a webhook endpoint's create and rotate-secret answers and every
// GraphQL answer carrying a secret had no Cache-Control.
func TestEveryAnswerWithASecretIsNoStore(t *testing.T) {
	t.Parallel()
	f := setup(t)
	key := testenv.Key(f.sandboxA)
	var doc struct {
		Paths      map[string]map[string]json.RawMessage
		Components struct{ Schemas map[string]json.RawMessage }
	}
	if err := json.Unmarshal(f.Expect(f.Do("GET", "/api/openapi.json", nil, nil), 200).Raw, &doc); err != nil {
		t.Fatal(err)
	}
	var carrying []string
	for path, ops := range doc.Paths {
		for method, raw := range ops {
			var op struct{ Responses map[string]json.RawMessage }
			_ = json.Unmarshal(raw, &op)
			for status, resp := range op.Responses {
				if status[0] == '2' && holdsSecret(string(resp), doc.Components.Schemas, map[string]bool{}) {
					carrying = append(carrying, strings.ToUpper(method)+" "+path)
				}
			}
		}
	}
	// Schemas are shared between the answer that shows a secret once and
	// the others: each operation whose schema could carry one is either
	// called below or named here with why its answer never does.
	never := map[string]string{
		"GET /admin/members":                          "a member's password is only in the invite's answer",
		"POST /admin/members/{id}/roles":              "same member schema, no password",
		"PUT /admin/members/{id}/roles":               "same member schema, no password",
		"DELETE /admin/members/{id}/roles/{role}":     "same member schema, no password",
		"GET /settings/integration-keys":              "a key's secret is only in its create and roll answers",
		"POST /settings/integration-keys/{id}/revoke": "same key schema, no secret",
		"PUT /admin/integration-keys/{id}/roles":      "same key schema, no secret",
	}
	carrying = slices.DeleteFunc(carrying, func(op string) bool { return never[op] != "" })
	slices.Sort(carrying)
	want := []string{"POST /admin/members", "POST /settings/integration-keys", "POST /settings/integration-keys/{id}/roll",
		"POST /webhook-endpoints", "POST /webhook-endpoints/{id}/rotate-secret"}
	if !slices.Equal(carrying, want) {
		t.Fatalf("answers that may carry a secret are %v; this test calls %v: call the new ones below, or say why they never do", carrying, want)
	}
	keyID := f.Expect(f.Do("POST", sandbox+"/settings/integration-keys", map[string]any{"name": "k", "roles": []string{"viewer"}}, key), 201).Str("data.id")
	ep := f.Expect(f.Do("POST", sandbox+"/webhook-endpoints", map[string]any{"url": "https://9.9.9.9/h", "event_types": []string{"*"}}, key), 201)
	for name, r := range map[string]*testenv.Response{
		"invite":          f.Expect(f.Do("POST", sandbox+"/admin/members", map[string]any{"email": "n@acme.test", "roles": []string{"viewer"}}, key), 201),
		"key roll":        f.Expect(f.Do("POST", sandbox+"/settings/integration-keys/"+keyID+"/roll", map[string]any{}, key), 201),
		"endpoint create": ep,
		"endpoint rotate": f.Expect(f.Do("POST", sandbox+"/webhook-endpoints/"+ep.Str("data.id")+"/rotate-secret", nil, key), 200),
	} {
		if r.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("REST %s: Cache-Control %q", name, r.Header.Get("Cache-Control"))
		}
	}

	// GraphQL: every field named like a secret is a SecretFields entry.
	sdl := string(f.Expect(f.Do("GET", "/api/graphql/schema.graphql", nil, nil), 200).Raw)
	typ := ""
	for _, line := range strings.Split(sdl, "\n") {
		if m := regexp.MustCompile(`^type (\w+)`).FindStringSubmatch(line); m != nil {
			typ = m[1]
		}
		if m := regexp.MustCompile(`^\s+(\w+)\s*:`).FindStringSubmatch(line); m != nil && typ != "" && secretName.MatchString(m[1]) && !graph.SecretFields[typ+"."+m[1]] {
			t.Errorf("GraphQL field %s.%s looks like a secret but is not in graph.SecretFields", typ, m[1])
		}
		if strings.HasPrefix(line, "}") {
			typ = ""
		}
	}
	for name, q := range map[string]string{
		"createIntegrationKey":  `mutation { createIntegrationKey(name: "g", roles: ["viewer"]) { secret } }`,
		"rotateWebhookSecret":   `mutation { rotateWebhookSecret(id: "` + ep.Str("data.id") + `") { secret } }`,
		"createWebhookEndpoint": `mutation { createWebhookEndpoint(url: "https://9.9.9.9/g", eventTypes: ["*"]) { ...S } } fragment S on WebhookEndpointSecret { secret }`,
		"inviteMember":          `mutation { inviteMember(email: "g@acme.test", roles: ["viewer"]) { password } }`,
	} {
		r := f.Do("POST", sandbox+"/graphql", map[string]any{"query": q}, key)
		if r.Code != 200 || r.Body["errors"] != nil || r.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("GraphQL %s: %d Cache-Control %q: %s", name, r.Code, r.Header.Get("Cache-Control"), r)
		}
	}
	if r := f.Do("POST", sandbox+"/graphql", map[string]any{"query": `{ customers { totalCount } }`}, key); r.Header.Get("Cache-Control") == "no-store" {
		t.Error("an ordinary GraphQL answer is no-store")
	}
}

// holdsSecret reports whether a schema (JSON text) has a property named
// like a secret, following $refs into components.
func holdsSecret(schema string, components map[string]json.RawMessage, seen map[string]bool) bool {
	for _, m := range regexp.MustCompile(`"(\w+)":\s*\{`).FindAllStringSubmatch(schema, -1) {
		if secretName.MatchString(m[1]) && !strings.Contains(m[1], "expires") {
			return true
		}
	}
	for _, m := range regexp.MustCompile(`"#/components/schemas/(\w+)"`).FindAllStringSubmatch(schema, -1) {
		if !seen[m[1]] {
			seen[m[1]] = true
			if holdsSecret(string(components[m[1]]), components, seen) {
				return true
			}
		}
	}
	return false
}

// TestWebhookSecretsAreEncryptedAtRest: the stored signing secrets (and
// the previous one after a rotation) hold no trace of the secret the API
// showed once; after a key rotation (the new key first, the old second)
// they are sealed again at start, and open with the new key alone.
func TestWebhookSecretsAreEncryptedAtRest(t *testing.T) {
	t.Parallel()
	oldKey, newKey := secretbox.NewKey(), secretbox.NewKey()
	f := setup(t, func(c *appConfig) { c.SecretsKey = oldKey })
	key := testenv.Key(f.sandboxA)
	ep := f.Expect(f.Do("POST", sandbox+"/webhook-endpoints", map[string]any{"url": "https://9.9.9.9/h", "event_types": []string{"*"}}, key), 201)
	first := ep.Str("data.secret")
	second := f.Expect(f.Do("POST", sandbox+"/webhook-endpoints/"+ep.Str("data.id")+"/rotate-secret", nil, key), 200).Str("data.secret")
	if !strings.HasPrefix(first, "whsec_") || !strings.HasPrefix(second, "whsec_") {
		t.Fatalf("secrets %q %q", first, second)
	}
	sys := privacy.DecisionContext(f.Ctx, privacy.Allow)
	row := f.App.DB.Client.WebhookEndpoint.Query().OnlyX(sys)
	for _, stored := range []string{row.Secret, *row.PreviousSecret} {
		for _, plain := range []string{first, second, strings.TrimPrefix(first, "whsec_"), strings.TrimPrefix(second, "whsec_")} {
			if strings.Contains(stored, plain) {
				t.Fatalf("the database holds a signing secret in clear: %s", stored)
			}
		}
	}
	rotated, _ := secretbox.Parse(newKey + "," + oldKey)
	f.App.Service.Secrets = rotated
	if n, err := f.App.Service.ResealSecrets(f.Ctx); err != nil || n != 1 {
		t.Fatalf("reseal: %d, %v", n, err)
	}
	onlyNew, _ := secretbox.Parse(newKey)
	row = f.App.DB.Client.WebhookEndpoint.Query().OnlyX(sys)
	if s, err := onlyNew.Open(row.Secret); err != nil || s != second {
		t.Errorf("after the rotation the secret opens as %q, %v", s, err)
	}
	if s, err := onlyNew.Open(*row.PreviousSecret); err != nil || s != first {
		t.Errorf("after the rotation the previous secret opens as %q, %v", s, err)
	}
	if n, _ := f.App.Service.ResealSecrets(f.Ctx); n != 0 {
		t.Errorf("a second reseal changed %d endpoints", n)
	}
}
