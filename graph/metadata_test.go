package graph_test

import (
	"strings"
	"testing"

	"github.com/cienerp/cienerp/internal/testenv"
	"github.com/cienerp/cienerp/policy"
)

// TestGraphQLMetadataAndExternalIDs: the same metadata rules as REST
// (set, merged with null deleting, filtered, limits as VALIDATION), seen
// the same from both, and upserts by external id.
func TestGraphQLMetadataAndExternalIDs(t *testing.T) {
	t.Parallel()
	e := testenv.New(t)
	a := e.Tenant("acme")
	_, key := e.Key(a.ID, policy.Sandbox, "admin")
	h := testenv.Key(key)
	do := func(query string, vars map[string]any) *testenv.Response {
		t.Helper()
		return e.Expect(e.Do("POST", "/api/sandbox/graphql", map[string]any{"query": query, "variables": vars}, h), 200)
	}
	ok := func(r *testenv.Response) *testenv.Response {
		t.Helper()
		if r.Body["errors"] != nil {
			t.Fatalf("errors: %s", r.Raw)
		}
		return r
	}
	created := ok(do(`mutation($md: JSON) { createTicket(input: {title: "VPN", requesterId: "`+a.Owner.ID.String()+`", metadata: $md, externalId: "jira-1"}) { id metadata externalID } }`,
		map[string]any{"md": map[string]any{"jira": "OPS-1", "team": "net"}}))
	id := created.Str("data.createTicket.id")
	if created.Str("data.createTicket.metadata.jira") != "OPS-1" || created.Str("data.createTicket.externalID") != "jira-1" {
		t.Fatalf("create: %s", created.Raw)
	}
	// Merged, null deleting; REST shows the same.
	r := ok(do(`mutation($id: ID!) { updateTicket(id: $id, input: {metadata: {team: null, sla: "gold"}}) { metadata } }`, map[string]any{"id": id}))
	if md := r.Get("data.updateTicket.metadata").(map[string]any); len(md) != 2 || md["jira"] != "OPS-1" || md["sla"] != "gold" {
		t.Fatalf("merge: %s", r.Raw)
	}
	rest := e.Expect(e.Do("GET", "/api/sandbox/tickets/"+id, nil, h), 200)
	if rest.Str("data.metadata.sla") != "gold" || rest.Get("data.metadata.team") != nil || rest.Str("data.external_id") != "jira-1" {
		t.Fatalf("REST sees: %s", rest.Raw)
	}
	other := ok(do(`mutation { createTicket(input: {title: "Other", requesterId: "`+a.Owner.ID.String()+`"}) { id metadata } }`, nil))
	if md, isMap := other.Get("data.createTicket.metadata").(map[string]any); !isMap || len(md) != 0 {
		t.Fatalf("no metadata is {} as in REST: %s", other.Raw)
	}
	// Filtered like REST's metadata[key]=value.
	for filter, want := range map[string]int{`{sla: "gold"}`: 1, `{sla: "gold", jira: "OPS-1"}`: 1, `{sla: "silver"}`: 0} {
		r := ok(do(`{ tickets(where: {metadata: `+filter+`}) { totalCount } }`, nil))
		if n := int(r.Get("data.tickets.totalCount").(float64)); n != want {
			t.Errorf("filter %s: %d, want %d", filter, n, want)
		}
	}
	for _, bad := range []string{`{tickets(where: {metadata: {sla: null}}) { totalCount }}`, `{tickets(where: {metadata: {sla: 5}}) { totalCount }}`} {
		if r := do(bad, nil); r.Body["errors"] == nil {
			t.Errorf("%s: no error: %s", bad, r.Raw)
		}
	}
	r = do(`{ tickets(where: {metadata: {bad_key_because_it_is_far_too_long_for_one: "x"}}) { totalCount } }`, nil)
	if testenv.Dig(r.Body, "errors.0.extensions.code") != "VALIDATION" {
		t.Fatalf("long filter key: %s", r.Raw)
	}
	// Limits are VALIDATION with the field, and write nothing.
	r = do(`mutation($id: ID!, $md: JSON) { updateTicket(id: $id, input: {metadata: $md}) { id } }`, map[string]any{"id": id, "md": map[string]any{"v": strings.Repeat("x", 501)}})
	if testenv.Dig(r.Body, "errors.0.extensions.code") != "VALIDATION" || testenv.Dig(r.Body, "errors.0.extensions.errors").(map[string]any)["metadata.v"] == nil {
		t.Fatalf("over the limit: %s", r.Raw)
	}
	// Upserts: created once, then updated; the payload says which.
	q := `mutation($in: UpdateCustomerInput!) { upsertCustomer(externalId: "crm-7", input: $in) { created customer { id name externalID metadata } } }`
	first := ok(do(q, map[string]any{"in": map[string]any{"name": "Acme", "metadata": map[string]any{"tier": "a"}}}))
	again := ok(do(q, map[string]any{"in": map[string]any{"name": "Acme GmbH"}}))
	if first.Get("data.upsertCustomer.created") != true || again.Get("data.upsertCustomer.created") != false ||
		again.Str("data.upsertCustomer.customer.id") != first.Str("data.upsertCustomer.customer.id") ||
		again.Str("data.upsertCustomer.customer.name") != "Acme GmbH" || again.Str("data.upsertCustomer.customer.metadata.tier") != "a" {
		t.Fatalf("upsertCustomer:\n%s\n%s", first.Raw, again.Raw)
	}
	up := ok(do(`mutation { upsertTicket(externalId: "jira-1", input: {status: "in_progress"}) { created ticket { id status } } }`, nil))
	if up.Get("data.upsertTicket.created") != false || up.Str("data.upsertTicket.ticket.id") != id || up.Str("data.upsertTicket.ticket.status") != "in_progress" {
		t.Fatalf("upsertTicket: %s", up.Raw)
	}
	inv := ok(do(`mutation { upsertInvoice(externalId: "erp-1", input: {currency: "EUR", items: [{description: "x", quantity: "1", unitPrice: "2.00"}]}) { created invoice { total externalID } } }`, nil))
	if inv.Get("data.upsertInvoice.created") != true || inv.Str("data.upsertInvoice.invoice.total") != "2.00" {
		t.Fatalf("upsertInvoice: %s", inv.Raw)
	}
	// The external id names the object in this tenant and environment only.
	_, live := e.Key(a.ID, policy.Live, "admin")
	lr := e.Expect(e.Do("POST", "/api/graphql", map[string]any{"query": `mutation { upsertTicket(externalId: "jira-1", input: {title: "Live one", requesterId: "` + a.Owner.ID.String() + `"}) { created ticket { id } } }`}, testenv.Key(live)), 200)
	if lr.Get("data.upsertTicket.created") != true || lr.Str("data.upsertTicket.ticket.id") == id {
		t.Fatalf("live upsert reached sandbox: %s", lr.Raw)
	}
}
