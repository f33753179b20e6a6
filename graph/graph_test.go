package graph_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/client"

	"github.com/cienerp/cienerp/ent/privacy"
	"github.com/cienerp/cienerp/internal/testenv"
	"github.com/cienerp/cienerp/modules/itsupport"
	"github.com/cienerp/cienerp/policy"
)

// gql is a real GraphQL client on the whole platform: the request goes
// through the same authentication, tenancy and rate limits as REST.
func gql(e *testenv.Env, base, key string) *client.Client {
	return client.New(e.App.Handler, client.Path(base+"/graphql"), client.AddHeader("X-API-Key", key), onThisMachine)
}

// onThisMachine makes a test request come from 127.0.0.1, like testenv's
// own requests: live credentials over plain HTTP are refused from elsewhere.
func onThisMachine(r *client.Request) { r.HTTP.RemoteAddr = "127.0.0.1:40000" }

type ticketsResp struct {
	Tickets struct {
		TotalCount int
		Edges      []struct {
			Node struct {
				ID, Title string
				Status    string
			}
		}
	}
}

func TestGraphQLSeesWhatRESTSees(t *testing.T) {
	t.Parallel()
	e := testenv.New(t)
	a, b := e.Tenant("acme"), e.Tenant("globex")
	_, keyA := e.Key(a.ID, policy.Sandbox, "it-agent")
	_, keyB := e.Key(b.ID, policy.Sandbox, "it-agent")
	var ids []string
	for _, title := range []string{"VPN drops", "Printer jams"} {
		r := e.Expect(e.Do("POST", "/api/sandbox/tickets", map[string]any{"title": title, "requester_id": a.Owner.ID}, testenv.Key(keyA)), 201)
		ids = append(ids, r.Str("data.id"))
	}
	e.Expect(e.Do("POST", "/api/tickets", map[string]any{"title": "live one", "requester_id": a.Owner.ID}, testenv.Key(func() string { _, k := e.Key(a.ID, policy.Live, "admin"); return k }())), 201)

	var resp ticketsResp
	gql(e, "/api/sandbox", keyA).MustPost(`{ tickets(first: 10, where: {statusIn: [open]}) { totalCount edges { node { id title status } } } }`, &resp)
	if resp.Tickets.TotalCount != 2 || len(resp.Tickets.Edges) != 2 {
		t.Fatalf("acme sandbox sees %+v", resp)
	}
	rest := e.Expect(e.Do("GET", "/api/sandbox/tickets", nil, testenv.Key(keyA)), 200).List()
	seen := map[string]bool{}
	for _, it := range rest {
		seen[it.(map[string]any)["id"].(string)] = true
	}
	for _, edge := range resp.Tickets.Edges {
		if !seen[edge.Node.ID] {
			t.Fatalf("GraphQL shows %s, REST does not", edge.Node.ID)
		}
	}
	// Another tenant sees none of them, by list or by node id.
	var other ticketsResp
	gql(e, "/api/sandbox", keyB).MustPost(`{ tickets(first: 10) { totalCount edges { node { id title status } } } }`, &other)
	if other.Tickets.TotalCount != 0 {
		t.Fatalf("globex sees acme's tickets: %+v", other)
	}
	raw, err := gql(e, "/api/sandbox", keyB).RawPost(`query($id: ID!) { node(id: $id) { id } }`, client.Var("id", ids[0]))
	if err != nil {
		t.Fatal(err)
	}
	if data, _ := json.Marshal(raw.Data); !strings.Contains(string(raw.Errors), `"NOT_FOUND"`) || string(data) != `{"node":null}` {
		t.Fatalf("foreign node: data %s errors %s", raw.Data, raw.Errors)
	}
	var mine struct{ Node struct{ ID string } }
	gql(e, "/api/sandbox", keyA).MustPost(`query($id: ID!) { node(id: $id) { id } }`, &mine, client.Var("id", ids[0]))
	if mine.Node.ID != ids[0] {
		t.Fatalf("own node: %+v", mine)
	}
}

func TestGraphQLNamesTheMissingPermission(t *testing.T) {
	t.Parallel()
	e := testenv.New(t)
	a := e.Tenant("acme")
	_, cashier := e.Key(a.ID, policy.Sandbox, "cashier")
	raw, err := gql(e, "/api/sandbox", cashier).RawPost(`{ tickets(first: 5) { totalCount } }`)
	if err != nil {
		t.Fatal(err)
	}
	var errs []struct {
		Message    string
		Extensions map[string]any
	}
	_ = json.Unmarshal(raw.Errors, &errs)
	if len(errs) != 1 || errs[0].Extensions["code"] != "FORBIDDEN" || errs[0].Extensions["permission"] != itsupport.TicketsView {
		t.Fatalf("errors %s", raw.Errors)
	}
	// REST decides the same.
	if r := e.Expect(e.Do("GET", "/api/sandbox/tickets", nil, testenv.Key(cashier)), 403); r.Str("permission") != itsupport.TicketsView {
		t.Fatalf("REST: %s", r)
	}
	// Without credentials GraphQL is refused before anything runs, as a GraphQL error.
	r := e.Expect(e.Do("POST", "/api/sandbox/graphql", map[string]any{"query": "{ permissions { name } }"}, nil), 401)
	if r.Str("errors.0.extensions.code") != "UNAUTHENTICATED" {
		t.Fatalf("no credentials: %s", r)
	}
	// A spent rate limit is RATE_LIMITED.
	_, limited := e.Key(a.ID, policy.Sandbox, "viewer")
	e.App.DB.Client.Tenant.UpdateOneID(a.ID).SetRateLimitPerMinute(1).ExecX(privacy.DecisionContext(e.Ctx, privacy.Allow))
	e.App.Auth.Dir.ForgetTenant(a.ID)
	e.Expect(e.Do("POST", "/api/sandbox/graphql", map[string]any{"query": "{ permissions { name } }"}, testenv.Key(limited)), 200)
	if r := e.Expect(e.Do("POST", "/api/sandbox/graphql", map[string]any{"query": "{ permissions { name } }"}, testenv.Key(limited)), 429); r.Str("errors.0.extensions.code") != "RATE_LIMITED" || r.Header.Get("Retry-After") == "" {
		t.Fatalf("rate limited: %s", r)
	}
}

func TestGraphQLInvoiceAmountsAreExactStrings(t *testing.T) {
	t.Parallel()
	e := testenv.New(t)
	a := e.Tenant("acme")
	_, key := e.Key(a.ID, policy.Sandbox, "accountant")
	e.Expect(e.Do("POST", "/api/sandbox/invoices", map[string]any{"currency": "KWD", "items": []map[string]any{{"description": "x", "quantity": "3", "unit_price": "0.333", "tax_rate": "5"}}}, testenv.Key(key)), 201)
	var resp struct {
		Invoices struct {
			Edges []struct {
				Node struct {
					Currency, Total, Balance, TaxTotal string
					Payments                           []struct{ ID string }
					Lines                              []struct{ UnitPrice, Total string }
				}
			}
		}
	}
	gql(e, "/api/sandbox", key).MustPost(`{ invoices(first: 1) { edges { node { currency total balance taxTotal payments { id } lines { unitPrice total } } } } }`, &resp)
	n := resp.Invoices.Edges[0].Node
	// 0.999 + 5% (0.04995 → 0.050) = 1.049
	if n.Currency != "KWD" || n.Total != "1.049" || n.Balance != "1.049" || n.TaxTotal != "0.050" || len(n.Payments) != 0 || n.Lines[0].UnitPrice != "0.333" {
		t.Fatalf("invoice: %+v", n)
	}
}

func TestGraphQLComplexityIsLimited(t *testing.T) {
	t.Parallel()
	e := testenv.New(t)
	a := e.Tenant("acme")
	_, key := e.Key(a.ID, policy.Sandbox, "admin")
	e.Expect(e.Do("GET", "/api/sandbox/me", nil, testenv.Key(key)), 200) // warm the credential cache
	before := e.Queries.Count()
	raw, err := gql(e, "/api/sandbox", key).RawPost(`{ a: tickets(first: 1000) { edges { node { id } } } b: documents(first: 1000) { edges { node { id } } } }`)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(raw.Errors), "complexity") || e.Queries.Count() != before {
		t.Fatalf("over-complex query: errors %s, %d queries run", raw.Errors, e.Queries.Count()-before)
	}
	// Too deep is refused before any query too.
	deep := e.Do("POST", "/api/sandbox/graphql", map[string]any{"query": `{ tickets(first: 1) { edges { node { comments { ticket { comments { ticket { comments { ticket { comments { ticket { id } } } } } } } } } } } }`}, testenv.Key(key))
	if !strings.Contains(string(deep.Raw), "DEPTH_LIMIT_EXCEEDED") || e.Queries.Count() != before {
		t.Fatalf("over-deep query: %s, %d queries run", deep, e.Queries.Count()-before)
	}
	// Every answer reports its cost.
	ok, _ := gql(e, "/api/sandbox", key).RawPost(`{ tickets(first: 5) { edges { node { id title } } } }`)
	cost, _ := ok.Extensions["cost"].(map[string]any)
	if cost == nil || cost["limit"].(float64) != 1000 || cost["requested"].(float64) < 5 {
		t.Fatalf("cost: %v", ok.Extensions)
	}
}

func TestGraphQLPageSizeIsBounded(t *testing.T) {
	t.Parallel()
	e := testenv.New(t)
	a := e.Tenant("acme")
	_, key := e.Key(a.ID, policy.Sandbox, "admin")
	raw, err := gql(e, "/api/sandbox", key).RawPost(`{ tickets(first: 101) { totalCount } }`)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(raw.Errors), `"VALIDATION"`) || !strings.Contains(string(raw.Errors), "first") {
		t.Fatalf("first: 101 → %s", raw.Errors)
	}
}

// TestGraphQLNodesCostsAQueryPerTable: nodes(ids) finds the ids' types
// with one query per table and loads each table's rows at once, however
// many ids are asked for.
func TestGraphQLNodesCostsAQueryPerTable(t *testing.T) {
	t.Parallel()
	e := testenv.New(t)
	a := e.Tenant("acme")
	_, key := e.Key(a.ID, policy.Sandbox, "owner")
	c := gql(e, "/api/sandbox", key)
	count := func(n int) int64 {
		var ids []string
		for i := 0; i < n; i++ {
			ids = append(ids, e.Expect(e.Do("POST", "/api/sandbox/tickets", map[string]any{"title": "T", "requester_id": a.Owner.ID}, testenv.Key(key)), 201).Str("data.id"))
			ids = append(ids, e.Expect(e.Do("POST", "/api/sandbox/customers", map[string]any{"name": "C"}, testenv.Key(key)), 201).Str("data.id"))
		}
		var resp struct{ Nodes []struct{ ID string } }
		before := e.Queries.Count()
		c.MustPost(`query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, &resp, client.Var("ids", ids))
		spent := e.Queries.Count() - before
		for i, node := range resp.Nodes {
			if node.ID != ids[i] {
				t.Fatalf("nodes out of order: %v vs %v", resp.Nodes, ids)
			}
		}
		return spent
	}
	few, many := count(2), count(40)
	if few != many {
		t.Fatalf("4 ids took %d queries, 80 ids %d", few, many)
	}
	hundredOne := make([]string, 101)
	for i := range hundredOne {
		hundredOne[i] = a.Owner.ID.String()
	}
	raw, _ := c.RawPost(`query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, client.Var("ids", hundredOne))
	if !strings.Contains(string(raw.Errors), `"VALIDATION"`) || !strings.Contains(string(raw.Errors), `"ids"`) {
		t.Fatalf("101 ids: %s", raw.Errors)
	}
	// A malformed id in a variable is the caller's mistake, named by its path.
	raw, _ = c.RawPost(`query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, client.Var("ids", []string{a.Owner.ID.String(), "nope"}))
	if !strings.Contains(string(raw.Errors), `"VALIDATION"`) || !strings.Contains(string(raw.Errors), `"ids.1"`) {
		t.Fatalf("malformed id: %s", raw.Errors)
	}
	raw, _ = c.RawPost(`query($after: Cursor) { tickets(first: 1, after: $after) { totalCount } }`, client.Var("after", "garbage"))
	if !strings.Contains(string(raw.Errors), `"VALIDATION"`) || !strings.Contains(string(raw.Errors), `"after"`) {
		t.Fatalf("malformed cursor: %s", raw.Errors)
	}
	t.Logf("nodes: %d queries for 4 ids and for 80", few)
}

// TestGraphQLListsLoadRelatedRowsOnce: an invoice's payments and a sale's
// receipt are loaded for the whole list at once, so the query count does
// not grow with the page, and they match REST.
func TestGraphQLListsLoadRelatedRowsOnce(t *testing.T) {
	t.Parallel()
	e := testenv.New(t)
	a := e.Tenant("acme")
	_, key := e.Key(a.ID, policy.Sandbox, "owner")
	c := gql(e, "/api/sandbox", key)
	session := e.Expect(e.Do("POST", "/api/sandbox/pos/sessions", map[string]any{"register": "R1", "currency": "EUR", "opening_float": "0"}, testenv.Key(key)), 201).Str("data.id")
	sell := func(n int) {
		for i := 0; i < n; i++ {
			e.Expect(e.Do("POST", "/api/sandbox/pos/sales", map[string]any{"session_id": session,
				"items":   []map[string]any{{"description": "Coffee", "quantity": "2", "unit_price": "2.40", "tax_rate": "7"}},
				"tenders": []map[string]any{{"method": "card", "amount": "1.00"}, {"method": "cash", "amount": "10.00"}}}, testenv.Key(key)), 201)
		}
	}
	type saleResp struct {
		ID, Subtotal, TaxTotal, Total, Change string
		Lines                                 []struct{ Description, Total string }
		Tenders                               []struct{ Method, Amount string }
		Payments                              []struct{ Amount string }
	}
	var resp struct {
		PosSales struct{ Edges []struct{ Node saleResp } }
		Invoices struct {
			Edges []struct {
				Node struct{ Payments []struct{ Amount string } }
			}
		}
	}
	query := `{ posSales(first: 25) { edges { node { id subtotal taxTotal total change lines { description total } tenders { method amount } payments { amount }
			session { register } invoice { number } } } }
		invoices(first: 25) { edges { node { payments { amount } customer { name } } } }
		payments(first: 25) { edges { node { status invoice { number } } } } }`
	// Decoded loosely: each check below reads part of the one answer.
	post := func(into any) {
		raw, err := c.RawPost(query)
		if err != nil || len(raw.Errors) > 0 {
			t.Fatalf("%v %s", err, raw.Errors)
		}
		data, _ := json.Marshal(raw.Data)
		if err := json.Unmarshal(data, into); err != nil {
			t.Fatal(err)
		}
	}
	cost := func() int64 {
		before := e.Queries.Count()
		post(&resp)
		return e.Queries.Count() - before
	}
	sell(2)
	few := cost()
	sell(18)
	many := cost()
	if few != many || len(resp.PosSales.Edges) != 20 || len(resp.Invoices.Edges) != 20 {
		t.Fatalf("2 sales took %d queries, 20 took %d (%d sales, %d invoices)", few, many, len(resp.PosSales.Edges), len(resp.Invoices.Edges))
	}
	got := resp.PosSales.Edges[0].Node
	rest := e.Expect(e.Do("GET", "/api/sandbox/pos/sales/"+got.ID, nil, testenv.Key(key)), 200)
	if got.Total != rest.Str("data.total") || got.Subtotal != rest.Str("data.subtotal") || got.TaxTotal != rest.Str("data.tax_total") ||
		got.Change != rest.Str("data.change") || len(got.Lines) != 1 || got.Lines[0].Total != rest.Str("data.lines.0.total") ||
		len(got.Tenders) != 2 || got.Tenders[1].Amount != rest.Str("data.tenders.1.amount") ||
		len(got.Payments) != len(rest.Get("data.payments").([]any)) || got.Payments[0].Amount != rest.Str("data.payments.0.amount") {
		t.Fatalf("GraphQL sale %+v, REST %s", got, rest)
	}
	if len(resp.Invoices.Edges[0].Node.Payments) == 0 {
		t.Fatalf("invoice payments: %+v", resp.Invoices)
	}
	var related struct {
		PosSales struct {
			Edges []struct {
				Node struct {
					Session struct{ Register string }
					Invoice struct{ Number string }
				}
			}
		}
		Payments struct {
			Edges []struct {
				Node struct{ Invoice struct{ Number string } }
			}
		}
	}
	post(&related)
	if n := related.PosSales.Edges[3].Node; n.Session.Register != "R1" || !strings.HasPrefix(n.Invoice.Number, "INV-") ||
		!strings.HasPrefix(related.Payments.Edges[7].Node.Invoice.Number, "INV-") {
		t.Fatalf("related rows: %+v", related)
	}
	// A related row needs the permission REST's GET of it needs; the rest of the answer stays.
	e.Expect(e.Do("POST", "/api/sandbox/admin/roles", map[string]any{"name": "sales-reader", "permissions": []string{"pos.sales.view"}}, testenv.Key(key)), 201)
	_, reader := e.Key(a.ID, policy.Sandbox, "sales-reader")
	raw, _ := gql(e, "/api/sandbox", reader).RawPost(`{ posSales(first: 2) { edges { node { total invoice { number } } } } }`)
	if !strings.Contains(string(raw.Errors), `"permission":"finance.invoices.view"`) || testenv.Dig(raw.Data, "posSales.edges.0.node.total") == nil {
		t.Fatalf("a sales reader asking for invoices: %v %s", raw.Data, raw.Errors)
	}
	t.Logf("%d queries for 2 sales and their invoices, %d for 20", few, many)
}

// TestGraphQLPersistedQueries: a client may send a query's SHA-256 alone
// once the query has been sent with it (Apollo's protocol); limits and
// permissions apply as to the full text.
func TestGraphQLPersistedQueries(t *testing.T) {
	t.Parallel()
	e := testenv.New(t)
	a := e.Tenant("acme")
	_, key := e.Key(a.ID, policy.Sandbox, "it-agent")
	query := `{ tickets(first: 3) { totalCount } }`
	sum := sha256.Sum256([]byte(query))
	ext := map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": hex.EncodeToString(sum[:])}}
	r := e.Do("POST", "/api/sandbox/graphql", map[string]any{"extensions": ext}, testenv.Key(key))
	if r.Str("errors.0.extensions.code") != "PERSISTED_QUERY_NOT_FOUND" {
		t.Fatalf("unknown hash: %s", r)
	}
	e.Expect(e.Do("POST", "/api/sandbox/graphql", map[string]any{"query": query, "extensions": ext}, testenv.Key(key)), 200)
	if r := e.Expect(e.Do("POST", "/api/sandbox/graphql", map[string]any{"extensions": ext}, testenv.Key(key)), 200); r.Get("data.tickets.totalCount") != float64(0) {
		t.Fatalf("by hash: %s", r)
	}
	_, cashier := e.Key(a.ID, policy.Sandbox, "cashier")
	if r := e.Do("POST", "/api/sandbox/graphql", map[string]any{"extensions": ext}, testenv.Key(cashier)); r.Str("errors.0.extensions.permission") != itsupport.TicketsView {
		t.Fatalf("by hash without the permission: %s", r)
	}
	wrong := map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": "00"}}
	if r := e.Do("POST", "/api/sandbox/graphql", map[string]any{"query": query, "extensions": wrong}, testenv.Key(key)); r.Str("errors.0.extensions.code") != "BAD_REQUEST" || r.Get("data") != nil {
		t.Fatalf("hash that does not match: %s", r)
	}
}
