package graph_test

import (
	"bytes"
	"mime/multipart"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/cienerp/cienerp/internal/testenv"
	"github.com/cienerp/cienerp/policy"
)

const (
	mediaJSON    = "application/json"
	mediaGraphQL = "application/graphql-response+json"
)

// TestGraphQLOverGETFollowsPOSTRules holds GET to the README's rules for
// POST (GraphQL over HTTP): a failure before execution is 200 for JSON
// clients and 400 for graphql-response+json ones, never with "data"; a
// mutation is 405 with Allow: POST and changes nothing; a request that is
// not GraphQL is 400. Before, GET went through gqlgen's stock transport:
// a bad query was 422 with "data": null and a mutation 406.
func TestGraphQLOverGETFollowsPOSTRules(t *testing.T) {
	t.Parallel()
	e := testenv.New(t)
	a := e.Tenant("acme")
	_, key := e.Key(a.ID, policy.Sandbox, "admin")
	get := func(query url.Values, accept string) *testenv.Response {
		return e.Do("GET", "/api/sandbox/graphql?"+query.Encode(), nil, testenv.Key(key).With("Accept", accept))
	}
	r := get(url.Values{"query": {`query Q($n: Int) { customers(first: $n) { totalCount } }`}, "variables": {`{"n": 5}`}, "operationName": {"Q"}}, mediaJSON)
	if r.Code != 200 || testenv.Dig(r.Body, "data.customers.totalCount") == nil {
		t.Fatalf("query over GET: %s", r)
	}
	for _, c := range []struct {
		accept string
		want   int
	}{{mediaJSON, 200}, {mediaGraphQL, 400}} {
		for name, q := range map[string]url.Values{
			"syntax":     {"query": {`{ customers( }`}},
			"validation": {"query": {`{ nope }`}},
			"variables":  {"query": {`query($n: Int!) { customers(first: $n) { totalCount } }`}},
		} {
			r := get(q, c.accept)
			if _, hasData := r.Body["data"]; r.Code != c.want || hasData || r.Body["errors"] == nil {
				t.Errorf("%s error as %s: %d, want %d without data: %s", name, c.accept, r.Code, c.want, r)
			}
			if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, c.accept) {
				t.Errorf("%s error as %s: Content-Type %s", name, c.accept, ct)
			}
		}
	}
	for _, accept := range []string{mediaJSON, mediaGraphQL} {
		r := get(url.Values{"query": {`mutation { createCustomer(input: {name: "Over GET"}) { id } }`}}, accept)
		if _, hasData := r.Body["data"]; r.Code != 405 || r.Header.Get("Allow") != "POST" || hasData ||
			testenv.Dig(r.Body, "errors.0.extensions.code") != "METHOD_NOT_ALLOWED" {
			t.Errorf("mutation over GET as %s: %d Allow=%q: %s", accept, r.Code, r.Header.Get("Allow"), r)
		}
	}
	if n := e.Expect(e.Do("GET", "/api/sandbox/customers", nil, testenv.Key(key)), 200).List(); len(n) != 0 {
		t.Errorf("a mutation over GET wrote %d customers", len(n))
	}
	for name, q := range map[string]url.Values{
		"no query":       {"operationName": {"Q"}},
		"bad variables":  {"query": {`{ customers { totalCount } }`}, "variables": {`{"n":`}},
		"bad extensions": {"query": {`{ customers { totalCount } }`}, "extensions": {`[1]`}},
	} {
		if r := get(q, mediaJSON); r.Code != 400 || testenv.Dig(r.Body, "errors.0.extensions.code") != "BAD_REQUEST" {
			t.Errorf("%s over GET: %s", name, r)
		}
	}
}

// TestSubscriptionsOverHTTPAreRefusedAtOnce sends a subscription as POST,
// GET and a multipart POST: each is answered at once with BAD_REQUEST
// naming the socket and the stream, and takes no subscription slot (all
// 20 of the key's slots still open afterwards). Before, a POST was held
// until the next event or the 10 s budget, then answered 200 null, and
// held one of the key's 20 slots meanwhile.
func TestSubscriptionsOverHTTPAreRefusedAtOnce(t *testing.T) {
	t.Parallel()
	e := testenv.New(t)
	a := e.Tenant("acme")
	_, key := e.Key(a.ID, policy.Sandbox, "admin")
	sub := `subscription { events { id type } }`
	refused := func(name string, r *testenv.Response, took time.Duration) {
		t.Helper()
		msg, _ := testenv.Dig(r.Body, "errors.0.message").(string)
		if _, hasData := r.Body["data"]; hasData || testenv.Dig(r.Body, "errors.0.extensions.code") != "BAD_REQUEST" ||
			!strings.Contains(msg, "WebSocket") || !strings.Contains(msg, "/events/stream") {
			t.Errorf("%s: %s", name, r)
		}
		if took > 2*time.Second {
			t.Errorf("%s took %s: held open", name, took)
		}
	}
	for i := range 25 { // more than the key's 20 slots
		start := time.Now()
		r := e.Do("POST", "/api/sandbox/graphql", map[string]any{"query": sub}, testenv.Key(key))
		refused("POST", r, time.Since(start))
		if i == 0 {
			start = time.Now()
			r = e.Do("GET", "/api/sandbox/graphql?query="+url.QueryEscape(sub), nil, testenv.Key(key).With("Accept", mediaJSON))
			refused("GET", r, time.Since(start))
			body, ct := multipartOperation(`{"query":"` + sub + `"}`)
			start = time.Now()
			r = e.Do("POST", "/api/sandbox/graphql", body, testenv.Key(key).With("Content-Type", ct))
			refused("multipart", r, time.Since(start))
		}
	}
	if n := e.App.Realtime.Subscribers(); n != 0 {
		t.Errorf("refused subscriptions hold %d hub slots", n)
	}
}

// multipartOperation is a GraphQL multipart request without files.
func multipartOperation(operations string) ([]byte, string) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	_ = w.WriteField("operations", operations)
	_ = w.WriteField("map", "{}")
	_ = w.Close()
	return buf.Bytes(), w.FormDataContentType()
}
