package rest_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/cienerp/cienerp/ent/privacy"
	"github.com/cienerp/cienerp/ent/schema"
	"github.com/cienerp/cienerp/internal/testenv"
)

// hostile is one request carrying input no field may hold, and the field
// or parameter its 422 must name.
type hostile struct {
	name, method, path string
	body               any
	field              string
}

// rowCount counts every business row of the fixture's tenants, so a test
// can see that a refused request wrote nothing.
func rowCount(f *fixture) int {
	ctx := privacy.DecisionContext(f.Ctx, privacy.Allow)
	c := f.App.DB.Client
	n := 0
	for _, count := range []func(context.Context) (int, error){
		c.Customer.Query().Count, c.Ticket.Query().Count, c.TicketComment.Query().Count, c.Invoice.Query().Count,
		c.Payment.Query().Count, c.PosSession.Query().Count, c.Role.Query().Count, c.IntegrationKey.Query().Count,
		c.Document.Query().Count, c.User.Query().Count, c.AuditEvent.Query().Count,
	} {
		k, err := count(ctx)
		if err != nil {
			f.T.Fatal(err)
		}
		n += k
	}
	return n
}

// TestNULIsRefusedEverywhere sends a NUL character through every kind of
// text input (JSON fields, nested items, query filters, path parameters,
// multipart fields, the token form, GraphQL literals and variables): each
// is a 422 (token endpoint: RFC 6749's invalid_request) naming the field,
// on SQLite and PostgreSQL, and nothing is written. Before, PostgreSQL
// answered 500 (SQLSTATE 22021) and SQLite matched the NUL against every
// row (?q=%00 listed every customer).
func TestNULIsRefusedEverywhere(t *testing.T) {
	t.Parallel()
	f := setup(t)
	key := testenv.Key(f.sandboxA)
	owner := f.A.Owner.ID
	f.ticket(sandbox, f.sandboxA, owner, "Printer jams")
	f.Expect(f.Do("POST", sandbox+"/customers", map[string]any{"name": "Zed"}, key), 201)
	nul := "a\x00b"
	items := []map[string]any{{"description": nul, "quantity": "1", "unit_price": "1.00"}}
	cases := []hostile{
		{"customer name", "POST", "/customers", map[string]any{"name": nul}, "name"},
		{"customer notes", "POST", "/customers", map[string]any{"name": "n", "notes": nul}, "notes"},
		{"ticket title", "POST", "/tickets", map[string]any{"title": nul, "requester_id": owner}, "title"},
		{"ticket description", "POST", "/tickets", map[string]any{"title": "t", "description": nul, "requester_id": owner}, "description"},
		{"invoice item", "POST", "/invoices", map[string]any{"currency": "EUR", "items": items}, "items.0.description"},
		{"quote item", "POST", "/quote/calculate", map[string]any{"currency": "EUR", "items": items}, "items.0.description"},
		{"pos register", "POST", "/pos/sessions", map[string]any{"register": nul, "currency": "EUR", "opening_float": "0"}, "register"},
		{"role description", "POST", "/admin/roles", map[string]any{"name": "r1", "description": nul, "permissions": []string{}}, "description"},
		{"member email", "POST", "/admin/members", map[string]any{"email": nul + "@x.test", "roles": []string{"viewer"}}, "email"},
		{"key name", "POST", "/settings/integration-keys", map[string]any{"name": nul, "roles": []string{"viewer"}}, "name"},
		{"object key", "POST", "/customers", map[string]any{"na\x00me": "x"}, `na\u0000me`},
		{"customer filter", "GET", "/customers?q=" + url.QueryEscape(nul), nil, "q"},
		{"ticket filter", "GET", "/tickets?q=%00", nil, "q"},
		{"audit filter", "GET", "/audit-events?actor=%00", nil, "actor"},
		{"document filter", "GET", "/documents?category=%00", nil, "category"},
		{"role name in path", "GET", "/admin/roles/ad%00min", nil, "name"},
		{"role name in patch", "PATCH", "/admin/roles/ad%00min", map[string]any{"description": "x"}, "name"},
		{"graphql variable", "POST", "/graphql", map[string]any{"query": `mutation($t:String!){createTicket(input:{title:$t,requesterId:"` + owner.String() + `"}){id}}`, "variables": map[string]any{"t": nul}}, "variables.t"},
	}
	before := rowCount(f)
	for _, c := range cases {
		r := f.Do(c.method, sandbox+c.path, c.body, key)
		if r.Code != 422 {
			t.Errorf("%s: %d, want 422: %s", c.name, r.Code, r)
			continue
		}
		if c.path == "/graphql" {
			if fields, _ := testenv.Dig(r.Body, "errors.0.extensions.errors").(map[string]any); fields[c.field] == nil {
				t.Errorf("%s: GraphQL error names no %q: %s", c.name, c.field, r)
			}
			continue
		}
		if msgs := r.Errors()[c.field]; len(msgs) == 0 || !strings.Contains(msgs[0], "NUL") {
			t.Errorf("%s: errors do not name %q with NUL: %s", c.name, c.field, r)
		}
	}

	// GraphQL string literals, in arguments and inside fragments.
	for name, q := range map[string]string{
		"literal":          `{ customers(where:{nameContains:"a\u0000"}) { totalCount } }`,
		"literal in input": `mutation { createCustomer(input:{name:"a\u0000"}) { id } }`,
		"fragment":         `query { ...F } fragment F on Query { tickets(where:{titleContains:"\u0000"}) { totalCount } }`,
	} {
		r := f.Do("POST", sandbox+"/graphql", map[string]any{"query": q}, key)
		if code := testenv.Dig(r.Body, "errors.0.extensions.code"); code != "VALIDATION" || r.Body["data"] != nil {
			t.Errorf("graphql %s: %s", name, r)
		}
	}

	// Multipart fields reach the schema's validator.
	body, ct := testenv.Multipart("a.txt", []byte("hello"), map[string]string{"title": nul})
	r := f.Do("POST", sandbox+"/documents", body, key.With("Content-Type", ct))
	if r.Code != 422 || len(r.Errors()["title"]) == 0 {
		t.Errorf("document title: %s", r)
	}
	// The token endpoint answers in RFC 6749's words.
	r = f.Do("POST", "/api/auth/token", "grant_type=password&username=a%00b&password=x", testenv.H{"Content-Type": "application/x-www-form-urlencoded"})
	if r.Code != 400 || r.Body["error"] != "invalid_request" {
		t.Errorf("token form: %s", r)
	}
	if after := rowCount(f); after != before {
		t.Errorf("refused requests wrote %d rows", after-before)
	}
	// And the filter that used to match everything now matches by value.
	r = f.Expect(f.Do("GET", sandbox+"/customers?q=Zed", nil, key), 200)
	if len(r.List()) != 1 {
		t.Errorf("q=Zed: %s", r)
	}
}

// TestOverLongTextIsA422 sends one character past every limit of the
// schema through the routes that write it: each is a 422 naming the field
// and the limit, nothing is written, and the OpenAPI document states the
// same limit. Limits count characters, not bytes (é is one). Before, the
// fields without a check of their own (invoice notes, POS register, role
// description, …) answered 500 with ent's validator error.
func TestOverLongTextIsA422(t *testing.T) {
	t.Parallel()
	f := setup(t)
	key := testenv.Key(f.sandboxA)
	owner := f.A.Owner.ID
	tid := f.ticket(sandbox, f.sandboxA, owner, "Printer jams")
	over := func(n int) string { return strings.Repeat("é", n+1) }
	inv := f.Expect(f.Do("POST", sandbox+"/invoices", map[string]any{"currency": "EUR", "items": []map[string]any{{"description": "x", "quantity": "1", "unit_price": "1.00"}}}, key), 201).Str("data.id")
	cases := []struct {
		hostile
		max int
	}{
		{hostile{"invoice notes", "POST", "/invoices", map[string]any{"currency": "EUR", "notes": over(schema.MaxNotes)}, "notes"}, schema.MaxNotes},
		{hostile{"invoice notes on update", "PATCH", "/invoices/" + inv, map[string]any{"notes": over(schema.MaxNotes)}, "notes"}, schema.MaxNotes},
		{hostile{"pos register", "POST", "/pos/sessions", map[string]any{"register": over(schema.MaxRegister), "currency": "EUR", "opening_float": "0"}, "register"}, schema.MaxRegister},
		{hostile{"role description", "POST", "/admin/roles", map[string]any{"name": "r2", "description": over(schema.MaxRoleDesc), "permissions": []string{}}, "description"}, schema.MaxRoleDesc},
		{hostile{"role description on update", "PATCH", "/admin/roles/viewer", map[string]any{"description": over(schema.MaxRoleDesc)}, "description"}, schema.MaxRoleDesc},
		{hostile{"customer name", "POST", "/customers", map[string]any{"name": over(schema.MaxName)}, "name"}, schema.MaxName},
		{hostile{"customer notes", "POST", "/customers", map[string]any{"name": "n", "notes": over(schema.MaxNotes)}, "notes"}, schema.MaxNotes},
		{hostile{"customer address", "POST", "/customers", map[string]any{"name": "n", "address": over(schema.MaxAddress)}, "address"}, schema.MaxAddress},
		{hostile{"customer phone", "POST", "/customers", map[string]any{"name": "n", "phone": over(schema.MaxPhone)}, "phone"}, schema.MaxPhone},
		{hostile{"ticket title", "POST", "/tickets", map[string]any{"title": over(schema.MaxTitle), "requester_id": owner}, "title"}, schema.MaxTitle},
		{hostile{"comment", "POST", "/tickets/" + tid + "/comments", map[string]any{"body": over(schema.MaxDescription)}, "body"}, schema.MaxDescription},
		{hostile{"key name", "POST", "/settings/integration-keys", map[string]any{"name": over(schema.MaxKeyName), "roles": []string{"viewer"}}, "name"}, schema.MaxKeyName},
		{hostile{"member name", "POST", "/admin/members", map[string]any{"email": "new@acme.test", "name": over(schema.MaxName), "roles": []string{"viewer"}}, "name"}, schema.MaxName},
	}
	before := rowCount(f)
	for _, c := range cases {
		r := f.Do(c.method, sandbox+c.path, c.body, key)
		msgs := r.Errors()[c.field]
		if r.Code != 422 || len(msgs) == 0 || !strings.Contains(msgs[0], fmt.Sprint(c.max)) {
			t.Errorf("%s: want 422 naming %s and %d: %s", c.name, c.field, c.max, r)
		}
	}
	// At the limit exactly, in characters of two bytes each, it is fine.
	f.Expect(f.Do("POST", sandbox+"/pos/sessions", map[string]any{"register": strings.Repeat("é", schema.MaxRegister), "currency": "EUR", "opening_float": "0"}, key), 201)
	if after := rowCount(f); after != before+2 { // the session and its audit event
		t.Errorf("refused requests wrote %d rows", after-before-2)
	}

	doc := f.Expect(f.Do("GET", "/api/openapi.json", nil, nil), 200)
	for schemaName, fields := range map[string]map[string]int{
		"CustomerInput": {"name": schema.MaxName, "notes": schema.MaxNotes, "address": schema.MaxAddress, "phone": schema.MaxPhone, "tax_id": schema.MaxTaxID, "email": schema.MaxEmail},
		"InvoiceInput":  {"notes": schema.MaxNotes},
		"OpenSession":   {"register": schema.MaxRegister},
		"CreateRole":    {"description": schema.MaxRoleDesc, "name": schema.MaxSlug},
		"UpdateRole":    {"description": schema.MaxRoleDesc},
		"CreateTicket":  {"title": schema.MaxTitle, "description": schema.MaxDescription},
		"PaymentInput":  {"reference": schema.MaxReference},
		"InviteMember":  {"name": schema.MaxName, "email": schema.MaxEmail},
	} {
		for field, max := range fields {
			got := testenv.Dig(doc.Body, "components.schemas."+schemaName+".properties."+field+".maxLength")
			if got != float64(max) {
				t.Errorf("OpenAPI %s.%s maxLength = %v, want %d", schemaName, field, got, max)
			}
		}
	}
}

// TestDeepJSONIsRefusedEarly: past 64 levels of nesting a body is a 422
// naming the limit (REST and GraphQL alike); at 64 it is read as usual.
func TestDeepJSONIsRefusedEarly(t *testing.T) {
	t.Parallel()
	f := setup(t)
	key := testenv.Key(f.sandboxA)
	nest := func(n int) string {
		return `{"name":"x","notes":` + strings.Repeat("[", n-1) + strings.Repeat("]", n-1) + `}`
	}
	r := f.Do("POST", sandbox+"/customers", nest(65), key)
	if msgs := r.Errors()["body"]; r.Code != 422 || len(msgs) == 0 || !strings.Contains(msgs[0], "64") {
		t.Errorf("65 levels: %s", r)
	}
	r = f.Do("POST", sandbox+"/customers", nest(64), key)
	if r.Code != 422 || len(r.Errors()["notes"]) == 0 { // read, and refused for its type
		t.Errorf("64 levels: %s", r)
	}
	deep := `{"query":"{ __typename }","variables":{"v":` + strings.Repeat("[", 10000) + strings.Repeat("]", 10000) + `}}`
	r = f.Do("POST", sandbox+"/graphql", deep, key)
	if r.Code != 422 || testenv.Dig(r.Body, "errors.0.extensions.code") != "VALIDATION" {
		t.Errorf("graphql, 10000 levels: %s", r)
	}
}

// TestIdempotencyComparesParametersNotBytes: the same JSON with its keys
// in another order and other spacing is the same request (replayed, not
// 422); another value is still a 422.
func TestIdempotencyComparesParametersNotBytes(t *testing.T) {
	t.Parallel()
	f := setup(t)
	key := testenv.Key(f.sandboxA).With("Idempotency-Key", "order-1")
	first := f.Expect(f.Do("POST", sandbox+"/customers", `{"name":"Acme","email":"a@acme.test","currency":"EUR"}`, key), 201)
	again := f.Expect(f.Do("POST", sandbox+"/customers", "{ \"currency\" : \"EUR\",\n \"email\":\"a@acme.test\", \"name\":\"Acme\" }", key), 201)
	if again.Header.Get("Idempotent-Replayed") != "true" || again.Str("data.id") != first.Str("data.id") {
		t.Errorf("reordered body not replayed: %s", again)
	}
	other := f.Do("POST", sandbox+"/customers", `{"currency":"EUR","email":"a@acme.test","name":"Acme Inc"}`, key)
	if other.Code != 422 || len(other.Errors()["Idempotency-Key"]) == 0 {
		t.Errorf("other body: %s", other)
	}
	n, err := f.App.DB.Client.Customer.Query().Count(privacy.DecisionContext(f.Ctx, privacy.Allow))
	if err != nil || n != 1 {
		t.Errorf("%d customers (%v), want 1", n, err)
	}
}
