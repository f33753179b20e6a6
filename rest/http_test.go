package rest_test

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/gin-gonic/gin"

	"github.com/cienerp/cienerp/edge"
	"github.com/cienerp/cienerp/ent/auditevent"
	"github.com/cienerp/cienerp/ent/privacy"
	"github.com/cienerp/cienerp/ent/tenant"
	"github.com/cienerp/cienerp/internal/testenv"
	"github.com/cienerp/cienerp/openapi"
	"github.com/cienerp/cienerp/policy"
)

func TestValidationErrorShapes(t *testing.T) {
	t.Parallel()
	f := setup(t)
	h := testenv.Key(f.sandboxA)
	id := f.ticket(sandbox, f.sandboxA, f.A.Owner.ID, "x")
	cases := []struct {
		name, method, path string
		body               any
		headers            testenv.H
		status             int
		field              string
	}{
		{"missing title", "POST", "/tickets", map[string]any{"requester_id": f.A.Owner.ID}, nil, 422, "title"},
		{"title too long", "POST", "/tickets", map[string]any{"title": strings.Repeat("x", 201), "requester_id": f.A.Owner.ID}, nil, 422, "title"},
		{"unknown field", "POST", "/tickets", map[string]any{"title": "x", "requester_id": f.A.Owner.ID, "colour": "red"}, nil, 422, "colour"},
		{"wrong type", "POST", "/tickets", map[string]any{"title": 42, "requester_id": f.A.Owner.ID}, nil, 422, "title"},
		{"bad uuid", "POST", "/tickets", map[string]any{"title": "x", "requester_id": "bob"}, nil, 422, "requester_id"},
		{"bad enum", "POST", "/tickets", map[string]any{"title": "x", "requester_id": f.A.Owner.ID, "priority": "asap"}, nil, 422, "priority"},
		{"array body", "POST", "/tickets", "[1,2]", nil, 422, "body"},
		{"null title on patch", "PATCH", "/tickets/" + id, map[string]any{"title": nil}, nil, 422, "title"},
		{"bad status on patch", "PATCH", "/tickets/" + id, map[string]any{"status": "done"}, nil, 422, "status"},
		{"malformed JSON", "POST", "/tickets", `{"title": "x",`, nil, 400, "body"},
		{"text body", "POST", "/tickets", "title=x", testenv.H{"Content-Type": "text/plain"}, 415, ""},
		{"huge body", "POST", "/tickets", `{"title":"` + strings.Repeat("x", edge.MaxBodyBytes) + `"}`, nil, 413, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			hh := h
			for k, v := range c.headers {
				hh = hh.With(k, v)
			}
			r := f.Expect(f.Do(c.method, sandbox+c.path, c.body, hh), c.status)
			if c.status == 422 && r.Str("message") != "The given data was invalid." {
				t.Fatalf("message: %s", r)
			}
			if c.field != "" && len(r.Errors()[c.field]) == 0 {
				t.Fatalf("no error for %s: %s", c.field, r)
			}
			if c.status != 422 && (r.Str("status") != "error" || r.Str("code") == "") {
				t.Fatalf("error shape: %s", r)
			}
		})
	}
	// Nothing was written by any of them.
	if l := f.Expect(f.Do("GET", sandbox+"/tickets", nil, h), 200).List(); len(l) != 1 {
		t.Fatalf("%d tickets after refused writes, want 1", len(l))
	}
}

func TestRateLimitPerCredential(t *testing.T) {
	t.Parallel()
	f := setup(t)
	if _, err := f.App.DB.Client.Tenant.Update().Where(tenant.ID(f.A.ID)).SetRateLimitPerMinute(3).Save(privacy.DecisionContext(f.Ctx, privacy.Allow)); err != nil {
		t.Fatal(err)
	}
	f.App.Auth.Dir.ForgetTenant(f.A.ID)
	h := testenv.Key(f.sandboxA)
	for i := 0; i < 3; i++ {
		r := f.Expect(f.Do("GET", sandbox+"/tickets", nil, h), 200)
		if r.Header.Get("X-RateLimit-Limit") != "3" || r.Header.Get("X-RateLimit-Remaining") != []string{"2", "1", "0"}[i] || r.Header.Get("X-RateLimit-Reset") == "" {
			t.Fatalf("request %d headers: %v", i, r.Header)
		}
	}
	r := f.Expect(f.Do("GET", sandbox+"/tickets", nil, h), 429)
	if r.Header.Get("Retry-After") != "20" || r.Str("code") != "rate_limited" {
		t.Fatalf("429: %s %v", r, r.Header)
	}
	// Another credential of the same tenant has its own budget.
	f.Expect(f.Do("GET", live+"/tickets", nil, testenv.Key(f.liveA)), 200)
}

func TestIdempotencyKeys(t *testing.T) {
	t.Parallel()
	f := setup(t)
	h := testenv.Key(f.sandboxA).With("Idempotency-Key", "order-42")
	body := map[string]any{"title": "Once only", "requester_id": f.A.Owner.ID}
	first := f.Expect(f.Do("POST", sandbox+"/tickets", body, h), 201)
	again := f.Expect(f.Do("POST", sandbox+"/tickets", body, h), 201)
	if string(first.Raw) != string(again.Raw) || again.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("replay differs:\n%s\n%s", first.Raw, again.Raw)
	}
	if l := f.Expect(f.Do("GET", sandbox+"/tickets", nil, testenv.Key(f.sandboxA)), 200).List(); len(l) != 1 {
		t.Fatalf("%d tickets after a replay, want 1", len(l))
	}
	// Same key, another body.
	r := f.Expect(f.Do("POST", sandbox+"/tickets", map[string]any{"title": "Other", "requester_id": f.A.Owner.ID}, h), 422)
	if len(r.Errors()["Idempotency-Key"]) == 0 {
		t.Fatalf("reuse: %s", r)
	}
	// The same key is free for another credential and another environment.
	for _, other := range []*testenv.Response{
		f.Do("POST", sandbox+"/tickets", body, testenv.Key(f.sandboxB).With("Idempotency-Key", "order-42")),
		f.Do("POST", live+"/tickets", body, testenv.Key(f.liveA).With("Idempotency-Key", "order-42")),
	} {
		if other.Header.Get("Idempotent-Replayed") != "" || other.Str("data.id") == first.Str("data.id") {
			t.Fatalf("another credential or environment got a replay: %s", other)
		}
	}
	// Validation failures are replayed too (Stripe does the same).
	bad := testenv.Key(f.sandboxA).With("Idempotency-Key", "bad-1")
	first = f.Expect(f.Do("POST", sandbox+"/tickets", map[string]any{"title": ""}, bad), 422)
	again = f.Expect(f.Do("POST", sandbox+"/tickets", map[string]any{"title": ""}, bad), 422)
	if again.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatal("a 422 was not replayed")
	}
}

func TestIdempotencyKeyInFlightIsConflict(t *testing.T) {
	t.Parallel()
	f := setup(t)
	// Two identical requests at once: exactly one runs, the other is
	// either a 409 (still running) or a replay; never two tickets.
	h := testenv.Key(f.sandboxA).With("Idempotency-Key", "race")
	body := map[string]any{"title": "Race", "requester_id": f.A.Owner.ID}
	var wg sync.WaitGroup
	codes := make([]int, 8)
	for i := range codes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i] = f.Do("POST", sandbox+"/tickets", body, h).Code
		}()
	}
	wg.Wait()
	for _, c := range codes {
		if c != 201 && c != 409 {
			t.Fatalf("codes %v: want only 201 and 409", codes)
		}
	}
	if l := f.Expect(f.Do("GET", sandbox+"/tickets", nil, testenv.Key(f.sandboxA)), 200).List(); len(l) != 1 {
		t.Fatalf("%d tickets from one idempotency key", len(l))
	}
	// A key whose first request is still running answers 409, deterministically.
	raw, _ := json.Marshal(body)
	v := f.As(f.A.ID, policy.Sandbox, policy.KeySubject(f.sandboxAKey.String()))
	f.App.DB.Client.IdempotencyKey.Create().SetCredential(policy.KeySubject(f.sandboxAKey.String())).SetKey("busy").
		SetRequestHash(edge.RequestHash("POST", sandbox+"/tickets", raw)).SetExpiresAt(time.Now().Add(time.Hour)).ExecX(v)
	r := f.Expect(f.Do("POST", sandbox+"/tickets", body, testenv.Key(f.sandboxA).With("Idempotency-Key", "busy")), 409)
	if r.Str("code") != "idempotency_in_progress" {
		t.Fatalf("in flight: %s", r)
	}
}

func TestAuditRecordsEveryChange(t *testing.T) {
	t.Parallel()
	f := setup(t)
	h := testenv.Key(f.sandboxA).With("X-Request-ID", "trace-123")
	id := f.Expect(f.Do("POST", sandbox+"/tickets", map[string]any{"title": "Audit me", "requester_id": f.A.Owner.ID}, h), 201).Str("data.id")
	f.Expect(f.Do("PATCH", sandbox+"/tickets/"+id, map[string]any{"priority": "high"}, h), 200)
	f.Expect(f.Do("POST", sandbox+"/tickets/"+id+"/comments", map[string]any{"body": "noted"}, h), 201)
	f.Expect(f.Do("DELETE", sandbox+"/tickets/"+id, nil, h), 200)

	ctx := privacy.DecisionContext(context.Background(), privacy.Allow)
	events := f.App.DB.Client.AuditEvent.Query().Where(auditevent.TenantID(f.A.ID), auditevent.RequestID("trace-123")).
		Order(auditevent.ByCreatedAt()).AllX(ctx)
	var actions []string
	for _, e := range events {
		actions = append(actions, e.Action)
		if e.Actor != policy.KeySubject(f.sandboxAKey.String()) || e.Env != policy.Sandbox || !strings.HasPrefix(e.Credential, "api_key:") {
			t.Fatalf("event %s: actor %s env %s credential %s", e.Action, e.Actor, e.Env, e.Credential)
		}
		if e.Action == "ticket.updated" {
			if e.Before["priority"] != "normal" || e.After["priority"] != "high" || e.Before["title"] != nil {
				t.Fatalf("update diff: before %v after %v", e.Before, e.After)
			}
		}
	}
	if strings.Join(actions, ",") != "ticket.created,ticket.updated,ticket.comment.created,ticket.deleted" {
		t.Fatalf("actions %v", actions)
	}
}

func TestOpenAPIDocumentCoversEveryRouteAndValidates(t *testing.T) {
	t.Parallel()
	f := setup(t)
	r := f.Expect(f.Do("GET", "/api/openapi.json", nil, nil), 200)
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(r.Raw)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("validate: %v", err)
	}
	if doc.OpenAPI != "3.1.0" || doc.Components.SecuritySchemes["ApiKeyAuth"] == nil || doc.Components.SecuritySchemes["BearerAuth"] == nil {
		t.Fatalf("openapi %s, schemes %v", doc.OpenAPI, doc.Components.SecuritySchemes)
	}
	// Operational endpoints and the developer portal are outside the API.
	operational := map[string]bool{"/healthz": true, "/readyz": true, "/metrics": true, "/": true, "/docs": true, "/settings": true, "/portal/*file": true, "/docs/reference/*file": true}
	for _, rt := range f.App.Handler.(*gin.Engine).Routes() {
		if operational[rt.Path] {
			continue
		}
		var rel string
		if p, ok := strings.CutPrefix(rt.Path, edge.PublicPrefix+"/"); ok {
			rel = "/" + p
		}
		for _, b := range edge.Bases {
			if p, ok := strings.CutPrefix(rt.Path, b.Prefix+"/"); ok && len(b.Prefix) > 0 {
				if rel == "" || len(p) < len(rel) {
					rel = "/" + p
				}
			}
		}
		if rel == "" {
			t.Errorf("route %s %s is outside the API bases and not operational", rt.Method, rt.Path)
			continue
		}
		method := rt.Method
		if method == "HEAD" { // every GET answers HEAD too; its GET documents it
			method = "GET"
		}
		item := doc.Paths.Find(openapi.Path(rel))
		if item == nil || item.GetOperation(method) == nil {
			t.Errorf("route %s %s is missing from the OpenAPI document", rt.Method, rt.Path)
		}
	}
}

func TestOperationalEndpointsAndJSONErrors(t *testing.T) {
	t.Parallel()
	f := setup(t)
	f.Expect(f.Do("GET", "/healthz", nil, nil), 200)
	f.Expect(f.Do("GET", "/readyz", nil, nil), 200)
	f.Expect(f.Do("GET", sandbox+"/tickets", nil, testenv.Key(f.sandboxA)), 200)
	m := f.Do("GET", "/metrics", nil, nil)
	if m.Code != 200 || !strings.Contains(string(m.Raw), `cienerp_http_requests_total{method="GET",route="/api/sandbox/tickets",status="200"} 1`) {
		t.Fatalf("metrics: %d\n%.2000s", m.Code, m.Raw)
	}
	r := f.Expect(f.Do("GET", "/api/nope", nil, nil), 404)
	if r.Str("status") != "error" || r.Str("code") != "route_not_found" || r.Header.Get("X-Request-ID") == "" {
		t.Fatalf("404: %s", r)
	}
	r = f.Expect(f.Do("PUT", "/api/ping", nil, nil), 405)
	if r.Str("code") != "method_not_allowed" {
		t.Fatalf("405: %s", r)
	}
	// An incoming request id is kept; a hostile one is replaced.
	if got := f.Do("GET", "/api/ping", nil, testenv.H{"X-Request-ID": "abc-123"}).Header.Get("X-Request-ID"); got != "abc-123" {
		t.Fatalf("request id %q", got)
	}
	if got := f.Do("GET", "/api/ping", nil, testenv.H{"X-Request-ID": "<script>"}).Header.Get("X-Request-ID"); got == "<script>" {
		t.Fatal("a hostile request id was echoed")
	}
	// The catalog is public and complete.
	cat := f.Expect(f.Do("GET", "/api/permissions", nil, nil), 200)
	if len(cat.List()) != len(policy.Catalog()) {
		t.Fatalf("catalog has %d entries, want %d", len(cat.List()), len(policy.Catalog()))
	}
}
