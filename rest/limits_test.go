package rest_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/cienerp/cienerp/internal/testenv"
	"github.com/cienerp/cienerp/service"
)

// TestInputsThatGrowAQueryAreBounded sends every kind of input that adds
// terms to a query (metadata filters, enum lists, event type lists, expand,
// fields, GraphQL where inputs with In lists, and/or/not and metadata, the
// events query's types) one past its limit and far past it: each is a 422
// (GraphQL: VALIDATION) naming the parameter, on both databases. Before,
// about 1,000 terms made SQLite fail with "Expression tree is too large"
// (500 / INTERNAL). At the limit, each is answered normally.
func TestInputsThatGrowAQueryAreBounded(t *testing.T) {
	t.Parallel()
	f := setup(t)
	key := testenv.Key(f.sandboxA)
	f.Expect(f.Do("POST", sandbox+"/customers", map[string]any{"name": "Zed", "metadata": map[string]string{"k0": "v"}}, key), 201)

	metadata := func(n int) string {
		q := url.Values{}
		for i := range n {
			q.Set(fmt.Sprintf("metadata[k%d]", i), "v")
		}
		return q.Encode()
	}
	list := func(v string, n int) string { return strings.TrimSuffix(strings.Repeat(v+",", n), ",") }
	types := func(n int) string {
		var out []string
		for i := range n {
			out = append(out, []string{"invoice.created", "customer.*", "ticket.updated"}[i%3])
		}
		return strings.Join(out, ",")
	}
	type limited struct {
		name, path, field string
		over, at          string // query strings one past the limit and at it
	}
	cases := []limited{
		{"customer metadata", "/customers?", "metadata", metadata(service.MaxMetadataFilter + 1), metadata(service.MaxMetadataFilter)},
		{"ticket metadata", "/tickets?", "metadata", metadata(service.MaxMetadataFilter + 1), metadata(service.MaxMetadataFilter)},
		{"invoice metadata", "/invoices?", "metadata", metadata(service.MaxMetadataFilter + 1), metadata(service.MaxMetadataFilter)},
		{"document metadata", "/documents?", "metadata", metadata(service.MaxMetadataFilter + 1), metadata(service.MaxMetadataFilter)},
		{"payment metadata", "/payments?", "metadata", metadata(service.MaxMetadataFilter + 1), metadata(service.MaxMetadataFilter)},
		{"sale metadata", "/pos/sales?", "metadata", metadata(service.MaxMetadataFilter + 1), metadata(service.MaxMetadataFilter)},
		{"ticket statuses", "/tickets?status=", "status", list("open", service.MaxListValues+1), list("open", service.MaxListValues)},
		{"ticket priorities", "/tickets?priority=", "priority", list("high", service.MaxListValues+1), list("high", service.MaxListValues)},
		{"invoice statuses", "/invoices?status=", "status", list("draft", service.MaxListValues+1), list("draft", service.MaxListValues)},
		{"event types", "/events?type=", "type", types(service.MaxListValues + 1), types(service.MaxListValues)},
		{"expand", "/invoices?expand=", "expand", list("data.customer", service.MaxListValues+1), list("data.customer", service.MaxListValues)},
		{"fields", "/customers?fields=", "fields", list("id", service.MaxListValues+1), list("id", service.MaxListValues)},
	}
	for _, c := range cases {
		for _, q := range []string{c.over} {
			r := f.Do("GET", sandbox+c.path+q, nil, key)
			if r.Code != 422 || len(r.Errors()[c.field]) == 0 {
				t.Errorf("%s over the limit: %d, want a 422 naming %s: %.300s", c.name, r.Code, c.field, r)
			}
		}
		if r := f.Do("GET", sandbox+c.path+c.at, nil, key); r.Code != 200 {
			t.Errorf("%s at the limit: %d: %.300s", c.name, r.Code, r)
		}
	}
	// Far past the limit (what broke SQLite), and the stream's type list.
	for _, path := range []string{"/customers?" + metadata(1000), "/events?type=" + types(1000), "/events/stream?type=" + types(1000)} {
		if r := f.Do("GET", sandbox+path, nil, key); r.Code != 422 {
			t.Errorf("%.60s…: %d, want 422: %.300s", path, r.Code, r)
		}
	}

	// GraphQL: where inputs, counted across and/or/not and In lists, and
	// the events query's types.
	ids := func(n int) string {
		return "[" + strings.TrimSuffix(strings.Repeat(`"00000000-0000-0000-0000-000000000000",`, n), ",") + "]"
	}
	meta := func(n int) string {
		var parts []string
		for i := range n {
			parts = append(parts, fmt.Sprintf("k%d: \"v\"", i))
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	ors := func(n int) string {
		return "[" + strings.TrimSuffix(strings.Repeat(`{nameContains: "a"},`, n), ",") + "]"
	}
	nots := func(n int) string {
		return strings.Repeat("{not: ", n) + `{nameContains: "a"}` + strings.Repeat("}", n)
	}
	gqlCases := map[string][2]string{
		"idIn":         {fmt.Sprintf(`{ customers(where: {idIn: %s}) { totalCount } }`, ids(service.MaxWhereTerms+1)), fmt.Sprintf(`{ customers(where: {idIn: %s}) { totalCount } }`, ids(service.MaxWhereTerms))},
		"metadata":     {fmt.Sprintf(`{ tickets(where: {metadata: %s}) { totalCount } }`, meta(service.MaxMetadataFilter+1)), fmt.Sprintf(`{ tickets(where: {metadata: %s}) { totalCount } }`, meta(service.MaxMetadataFilter))},
		"or":           {fmt.Sprintf(`{ customers(where: {or: %s}) { totalCount } }`, ors(service.MaxWhereTerms+1)), fmt.Sprintf(`{ customers(where: {or: %s}) { totalCount } }`, ors(service.MaxWhereTerms))},
		"not":          {fmt.Sprintf(`{ customers(where: %s) { totalCount } }`, nots(service.MaxWhereDepth)), fmt.Sprintf(`{ customers(where: %s) { totalCount } }`, nots(service.MaxWhereDepth-1))},
		"events":       {fmt.Sprintf(`{ events(types: [%s]) { nodes { id } } }`, `"`+strings.ReplaceAll(types(service.MaxListValues+1), ",", `","`)+`"`), fmt.Sprintf(`{ events(types: [%s]) { nodes { id } } }`, `"`+strings.ReplaceAll(types(service.MaxListValues), ",", `","`)+`"`)},
		"metadata far": {fmt.Sprintf(`{ invoices(where: {metadata: %s}) { totalCount } }`, meta(1000)), `{ invoices { totalCount } }`},
	}
	for name, c := range gqlCases {
		r := f.Do("POST", sandbox+"/graphql", map[string]any{"query": c[0]}, key)
		if code := testenv.Dig(r.Body, "errors.0.extensions.code"); code != "VALIDATION" {
			t.Errorf("graphql %s over the limit: %s, want VALIDATION: %.400s", name, code, r)
		}
		r = f.Do("POST", sandbox+"/graphql", map[string]any{"query": c[1]}, key)
		if r.Code != 200 || r.Body["errors"] != nil {
			t.Errorf("graphql %s at the limit: %.400s", name, r)
		}
	}
	// The same where through variables.
	vars := map[string]any{"w": map[string]any{"metadata": map[string]any{}}}
	for i := range 1000 {
		vars["w"].(map[string]any)["metadata"].(map[string]any)[fmt.Sprintf("k%d", i)] = "v"
	}
	r := f.Do("POST", sandbox+"/graphql", map[string]any{"query": `query($w: CustomerWhereInput) { customers(where: $w) { totalCount } }`, "variables": vars}, key)
	if code := testenv.Dig(r.Body, "errors.0.extensions.code"); code != "VALIDATION" {
		t.Errorf("graphql variables: %.400s", r)
	}
}
