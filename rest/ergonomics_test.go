package rest_test

import (
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"

	"github.com/cienerp/cienerp/ent/privacy"
	"github.com/cienerp/cienerp/ent/tenant"
	"github.com/cienerp/cienerp/internal/testenv"
	"github.com/cienerp/cienerp/modules/finance"
	"github.com/cienerp/cienerp/policy"
)

func atoi(s string) int { n, _ := strconv.Atoi(s); return n }

// module is one object of a business module as REST serves it: the path
// of its list and of the object, and a change its PATCH accepts ("" when
// it has none).
type module struct {
	name, list, one string
	patch           map[string]any
}

// modules creates one object of every business module below base as key,
// each with the metadata {"module": its name}.
func (f *fixture) modules(base, key string) []module {
	f.T.Helper()
	h := testenv.Key(key)
	post := func(path string, body map[string]any, name string) string {
		body["metadata"] = map[string]any{"module": name}
		return f.Expect(f.Do("POST", base+path, body, h), 201).Str("data.id")
	}
	items := []map[string]any{{"description": "Support hour", "quantity": "2", "unit_price": "50.00", "tax_rate": "19"}}
	ticket := post("/tickets", map[string]any{"title": "Printer on fire", "requester_id": f.A.Owner.ID}, "ticket")
	doc := f.Expect(f.upload(base, key, "contract.pdf", pdf, map[string]string{"title": "Contract", "metadata": `{"module":"document"}`}), 201).Str("data.id")
	customer := post("/customers", map[string]any{"name": "Acme Inc", "currency": "EUR"}, "customer")
	invoice := post("/invoices", map[string]any{"customer_id": customer, "currency": "EUR", "items": items}, "invoice")
	issued := post("/invoices", map[string]any{"customer_id": customer, "currency": "EUR", "items": items}, "issued invoice")
	f.Expect(f.Do("POST", base+"/invoices/"+issued+"/issue", nil, h), 200)
	payment := post("/payments", map[string]any{"invoice_id": issued, "amount": "20.00", "currency": "EUR", "method": "bank_transfer"}, "payment")
	session := f.Expect(f.Do("POST", base+"/pos/sessions", map[string]any{"register": "front-1", "currency": "EUR", "opening_float": "100.00"}, h), 201).Str("data.id")
	sale := post("/pos/sales", map[string]any{"session_id": session, "items": items, "tenders": []map[string]any{{"method": "card", "amount": "119.00"}}}, "pos sale")
	product := post("/products", map[string]any{"sku": "LAMP-1", "name": "Desk lamp", "currency": "EUR", "unit_price": "24.00"}, "product")
	return []module{
		{"ticket", "/tickets", "/tickets/" + ticket, map[string]any{"title": "Printer still on fire"}},
		{"document", "/documents", "/documents/" + doc, map[string]any{"title": "Signed contract"}},
		{"customer", "/customers", "/customers/" + customer, map[string]any{"notes": "Pays by transfer."}},
		{"invoice", "/invoices", "/invoices/" + invoice, map[string]any{"notes": "Thank you."}},
		{"payment", "/payments", "/payments/" + payment, nil},
		{"pos sale", "/pos/sales", "/pos/sales/" + sale, nil},
		{"product", "/products", "/products/" + product, map[string]any{"description": "Warm white."}},
	}
}

func TestConditionalGetsAreFreeAndAnswer304(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ms := f.modules(sandbox, f.sandboxA)
	// A small budget: a 304 that were charged would show at once.
	if _, err := f.App.DB.Client.Tenant.Update().Where(tenant.ID(f.A.ID)).SetRateLimitPerMinute(40).Save(privacy.DecisionContext(f.Ctx, privacy.Allow)); err != nil {
		t.Fatal(err)
	}
	f.App.Auth.Dir.ForgetTenant(f.A.ID)
	h := testenv.Key(f.sandboxA)
	for _, m := range ms {
		for _, path := range []string{m.one, m.list} {
			first := f.Expect(f.Do("GET", sandbox+path, nil, h), 200)
			tag := first.Header.Get("ETag")
			if !strings.HasPrefix(tag, `W/"`) {
				t.Fatalf("%s: ETag %q", path, tag)
			}
			remaining := first.Header.Get("X-RateLimit-Remaining")
			for _, inm := range []string{tag, strings.TrimPrefix(tag, "W/"), `W/"other", ` + tag, "*"} {
				r := f.Expect(f.Do("GET", sandbox+path, nil, h.With("If-None-Match", inm)), 304)
				if len(r.Raw) != 0 || r.Header.Get("ETag") != tag {
					t.Fatalf("%s If-None-Match %s: body %q, ETag %q", path, inm, r.Raw, r.Header.Get("ETag"))
				}
				if got := r.Header.Get("X-RateLimit-Remaining"); atoi(got) < atoi(remaining) {
					t.Fatalf("%s: a 304 lowered X-RateLimit-Remaining from %s to %s", path, remaining, got)
				}
			}
			// Another tag is a full answer.
			if r := f.Expect(f.Do("GET", sandbox+path, nil, h.With("If-None-Match", `W/"0000"`)), 200); r.Header.Get("ETag") != tag {
				t.Fatalf("%s: a changed If-None-Match: %v", path, r.Header)
			}
		}
	}
	// A change gives the object and its list new tags (another key: this
	// one's budget is nearly spent).
	_, other := f.Key(f.A.ID, policy.Sandbox, "admin")
	h = testenv.Key(other)
	for _, m := range ms {
		if m.patch == nil {
			continue
		}
		before := f.Expect(f.Do("GET", sandbox+m.one, nil, h), 200).Header.Get("ETag")
		list := f.Expect(f.Do("GET", sandbox+m.list, nil, h), 200).Header.Get("ETag")
		f.Expect(f.Do("PATCH", sandbox+m.one, m.patch, h), 200)
		f.Expect(f.Do("GET", sandbox+m.one, nil, h.With("If-None-Match", before)), 200)
		f.Expect(f.Do("GET", sandbox+m.list, nil, h.With("If-None-Match", list)), 200)
	}
}

func TestIfMatchRefusesStaleWrites(t *testing.T) {
	t.Parallel()
	f := setup(t)
	h := testenv.Key(f.sandboxA)
	for _, m := range f.modules(sandbox, f.sandboxA) {
		if m.patch == nil {
			continue
		}
		read := f.Expect(f.Do("GET", sandbox+m.one, nil, h), 200)
		tag := read.Header.Get("ETag")
		// Someone else changes it.
		changed := f.Expect(f.Do("PATCH", sandbox+m.one, m.patch, h), 200)
		current := f.Expect(f.Do("GET", sandbox+m.one, nil, h), 200).Header.Get("ETag")
		if current == tag {
			t.Fatalf("%s: the tag did not change with the object", m.name)
		}
		for method, body := range map[string]map[string]any{"PATCH": m.patch, "DELETE": nil} {
			r := f.Do(method, sandbox+m.one, body, h.With("If-Match", tag))
			if r.Code == 405 { // invoices are voided, not deleted
				continue
			}
			f.Expect(r, 412)
			if r.Header.Get("ETag") != current || r.Str("etag") != current || r.Str("code") != "precondition_failed" {
				t.Fatalf("%s %s stale: %s %v", method, m.name, r, r.Header)
			}
		}
		if now := f.Expect(f.Do("GET", sandbox+m.one, nil, h), 200); string(now.Raw) != string(changed.Raw) {
			t.Fatalf("%s: a refused If-Match changed it:\n%s\n%s", m.name, now.Raw, changed.Raw)
		}
		// The current tag (strong or weak form) lets the change through.
		f.Expect(f.Do("PATCH", sandbox+m.one, m.patch, h.With("If-Match", strings.TrimPrefix(current, "W/"))), 200)
		f.Expect(f.Do("PATCH", sandbox+m.one, m.patch, h.With("If-Match", "garbage")), 400)
		f.Expect(f.Do("PATCH", sandbox+m.one, m.patch, h.With("If-Match", "*")), 200)
	}
	// Another tenant's tag or object never matches: 404 before any tag.
	ticket := f.ticket(sandbox, f.sandboxB, f.B.Owner.ID, "Globex")
	f.Expect(f.Do("PATCH", sandbox+"/tickets/"+ticket, map[string]any{"title": "x"}, h.With("If-Match", "*")), 404)
	// A write that cannot honour If-Match says so instead of ignoring it.
	if r := f.Expect(f.Do("DELETE", sandbox+"/admin/members/"+f.A.Owner.ID.String(), nil, h.With("If-Match", "*")), 400); r.Str("code") != "precondition_unsupported" {
		t.Fatalf("unsupported If-Match: %s", r)
	}
}

// TestConcurrentIfMatchWritesOneWins sends parallel PATCHes that all
// carry the tag they read: exactly one applies (row lock on PostgreSQL,
// one writer at a time on SQLite).
func TestConcurrentIfMatchWritesOneWins(t *testing.T) {
	t.Parallel()
	f := setup(t)
	h := testenv.Key(f.sandboxA)
	id := f.ticket(sandbox, f.sandboxA, f.A.Owner.ID, "Race")
	tag := f.Expect(f.Do("GET", sandbox+"/tickets/"+id, nil, h), 200).Header.Get("ETag")
	const n = 8
	codes := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i] = f.Do("PATCH", sandbox+"/tickets/"+id, map[string]any{"title": "Writer " + string(rune('A'+i))}, h.With("If-Match", tag)).Code
		}()
	}
	wg.Wait()
	won := 0
	for _, c := range codes {
		switch c {
		case 200:
			won++
		case 412:
		default:
			t.Fatalf("codes %v", codes)
		}
	}
	if won != 1 {
		t.Fatalf("%d writers with the same If-Match won (codes %v), want 1 (%s)", won, codes, testenv.Kind())
	}
}

func TestExpandEmbedsWhatTheCallerMayView(t *testing.T) {
	t.Parallel()
	f := setup(t)
	h := testenv.Key(f.sandboxA)
	ms := f.modules(sandbox, f.sandboxA)
	invoice, payment, sale, ticket := ms[3].one, ms[4].one, ms[5].one, ms[0].one
	f.Expect(f.Do("POST", sandbox+ticket+"/comments", map[string]any{"body": "On it."}, h), 201)

	r := f.Expect(f.Do("GET", sandbox+invoice+"?expand=customer,payments", nil, h), 200)
	if r.Str("data.customer.id") != r.Str("data.customer_id") || r.Str("data.customer.name") != "Acme Inc" || r.Get("data.payments") == nil {
		t.Fatalf("invoice expanded: %s", r)
	}
	// Two levels: a payment's invoice and that invoice's customer.
	r = f.Expect(f.Do("GET", sandbox+payment+"?expand=invoice.customer", nil, h), 200)
	if r.Str("data.invoice.id") != r.Str("data.invoice_id") || r.Str("data.invoice.customer.name") != "Acme Inc" {
		t.Fatalf("payment expanded two levels: %s", r)
	}
	r = f.Expect(f.Do("GET", sandbox+sale+"?expand=session,invoice", nil, h), 200)
	if r.Str("data.session.id") != r.Str("data.session_id") || r.Str("data.invoice.status") != "paid" {
		t.Fatalf("sale expanded: %s", r)
	}
	r = f.Expect(f.Do("GET", sandbox+ticket+"?expand=comments", nil, h), 200)
	if cs, _ := r.Get("data.comments").([]any); len(cs) != 1 || testenv.Dig(cs[0], "body") != "On it." {
		t.Fatalf("ticket comments: %s", r)
	}
	// Lists: data.customer and customer alike; an invoice without a
	// customer embeds null.
	f.Expect(f.Do("POST", sandbox+"/invoices", map[string]any{"currency": "EUR", "items": []map[string]any{{"description": "x", "quantity": "1", "unit_price": "1.00"}}}, h), 201)
	for _, q := range []string{"expand=data.customer", "expand=customer"} {
		l := f.Expect(f.Do("GET", sandbox+"/invoices?"+q, nil, h), 200).List()
		withCustomer := 0
		for _, inv := range l {
			c := testenv.Dig(inv, "customer")
			switch {
			case testenv.Dig(inv, "customer_id") == nil && c == nil:
			case c != nil && testenv.Dig(c, "id") == testenv.Dig(inv, "customer_id"):
				withCustomer++
			default:
				t.Fatalf("%s: %v", q, inv)
			}
		}
		if withCustomer != 2 || len(l) != 4 { // two with the customer, one draft without, the sale's
			t.Fatalf("%s: %d of %d invoices embed their customer", q, withCustomer, len(l))
		}
	}
	for q, want := range map[string]string{
		"expand=customer.invoice.x": "levels", "expand=nothing": "is not a relation of invoice", "expand=payments.nothing": "is not a relation of payment",
	} {
		if r := f.Expect(f.Do("GET", sandbox+invoice+"?"+q, nil, h), 422); !strings.Contains(strings.Join(r.Errors()["expand"], " "), want) {
			t.Errorf("%s: %s", q, r)
		}
	}
	if r := f.Expect(f.Do("GET", sandbox+ms[1].one+"?expand=uploader", nil, h), 422); !strings.Contains(r.Errors()["expand"][0], "no related objects") {
		t.Errorf("document expand: %s", r)
	}

	// An expanded object the caller may not view is refused as its own GET is.
	f.Expect(f.Do("POST", sandbox+"/admin/roles", map[string]any{"name": "invoice-reader", "permissions": []string{finance.InvoicesView}}, h), 201)
	_, reader := f.Key(f.A.ID, policy.Sandbox, "invoice-reader")
	rh := testenv.Key(reader)
	f.Expect(f.Do("GET", sandbox+invoice, nil, rh), 200)
	own := f.Expect(f.Do("GET", sandbox+"/customers/"+r.Str("data.customer_id"), nil, rh), 403)
	for _, q := range []string{"?expand=customer", "?expand=payments", "?expand=customer,payments"} {
		r := f.Expect(f.Do("GET", sandbox+invoice+q, nil, rh), 403)
		if r.Str("permission") == "" || q == "?expand=customer" && r.Str("permission") != own.Str("permission") {
			t.Fatalf("%s by a reader of invoices only: %s (the customer's GET: %s)", q, r, own)
		}
	}
	f.Expect(f.Do("GET", sandbox+"/invoices?expand=customer", nil, rh), 403)
}

// TestExpandCostsAFixedNumberOfQueries: a list expands each relation in one
// query, whatever the page size.
func TestExpandCostsAFixedNumberOfQueries(t *testing.T) {
	t.Parallel()
	f := setup(t)
	h := testenv.Key(f.sandboxA)
	items := []map[string]any{{"description": "x", "quantity": "1", "unit_price": "10.00"}}
	count := func(limit int) int64 {
		f.Expect(f.Do("GET", sandbox+"/me", nil, h), 200) // credential caches warm
		before := f.Queries.Count()
		l := f.Expect(f.Do("GET", sandbox+"/payments?expand=invoice.customer,sale&limit="+strconv.Itoa(limit), nil, h), 200).List()
		if len(l) != limit {
			t.Fatalf("%d payments, want %d", len(l), limit)
		}
		for _, p := range l {
			if testenv.Dig(p, "invoice.customer.name") == nil {
				t.Fatalf("not expanded: %v", p)
			}
		}
		return f.Queries.Count() - before
	}
	for i := range 12 {
		cust := f.Expect(f.Do("POST", sandbox+"/customers", map[string]any{"name": "Customer " + strconv.Itoa(i)}, h), 201).Str("data.id")
		inv := f.Expect(f.Do("POST", sandbox+"/invoices", map[string]any{"customer_id": cust, "currency": "EUR", "items": items}, h), 201).Str("data.id")
		f.Expect(f.Do("POST", sandbox+"/invoices/"+inv+"/issue", nil, h), 200)
		f.Expect(f.Do("POST", sandbox+"/payments", map[string]any{"invoice_id": inv, "amount": "1.00", "currency": "EUR", "method": "cash"}, h), 201)
	}
	small, large := count(2), count(12)
	if small != large {
		t.Fatalf("expand ran %d queries for 2 payments and %d for 12", small, large)
	}
	t.Logf("a page of payments with expand=invoice.customer,sale: %d queries for 2 or 12 (%s)", large, testenv.Kind())
}

func TestFieldsKeepOnlyWhatIsAsked(t *testing.T) {
	t.Parallel()
	f := setup(t)
	h := testenv.Key(f.sandboxA)
	ms := f.modules(sandbox, f.sandboxA)
	for _, m := range ms {
		for _, path := range []string{m.one, m.list} {
			r := f.Expect(f.Do("GET", sandbox+path+"?fields=id,created_at", nil, h), 200)
			objs := r.List()
			if path == m.one {
				objs = []any{r.Get("data")}
			}
			for _, o := range objs {
				if got := o.(map[string]any); len(got) != 2 || got["id"] == nil || got["created_at"] == nil {
					t.Fatalf("%s fields=id,created_at: %v", path, got)
				}
			}
			if r.Str("status") != "success" {
				t.Fatalf("%s: the envelope went: %s", path, r)
			}
			bad := f.Expect(f.Do("GET", sandbox+path+"?fields=id,colour,secret_sauce", nil, h), 422)
			if msg := strings.Join(bad.Errors()["fields"], " "); !strings.Contains(msg, "colour, secret_sauce") || strings.Contains(msg, "Unknown fields: id") {
				t.Fatalf("%s unknown fields: %s", path, bad)
			}
			f.Expect(f.Do("GET", sandbox+path+"?fields=", nil, h), 422)
		}
	}
	// With expand, embedded fields by their dotted name.
	r := f.Expect(f.Do("GET", sandbox+ms[3].one+"?expand=customer&fields=total,customer.name", nil, h), 200)
	if d := r.Get("data").(map[string]any); len(d) != 2 || d["total"] != "119.00" || len(d["customer"].(map[string]any)) != 1 || r.Str("data.customer.name") != "Acme Inc" {
		t.Fatalf("fields with expand: %s", r)
	}
	f.Expect(f.Do("GET", sandbox+ms[3].one+"?fields=customer.name", nil, h), 422) // not expanded
}

func TestMetadataOnEveryModule(t *testing.T) {
	t.Parallel()
	f := setup(t)
	h := testenv.Key(f.sandboxA)
	ms := f.modules(sandbox, f.sandboxA)
	f.modules(live, f.liveA) // the same metadata in the other environment
	for _, m := range ms {
		r := f.Expect(f.Do("GET", sandbox+m.one, nil, h), 200)
		if r.Str("data.metadata.module") != m.name {
			t.Fatalf("%s: metadata %v", m.name, r.Get("data.metadata"))
		}
		// Filtered lists: this module's object, only in this environment.
		l := f.Expect(f.Do("GET", sandbox+m.list+"?metadata[module]="+url.QueryEscape(m.name), nil, h), 200).List()
		if len(l) != 1 || testenv.Dig(l[0], "id") != r.Str("data.id") {
			t.Fatalf("%s metadata[module]=%s: %v", m.name, m.name, l)
		}
		if l := f.Expect(f.Do("GET", sandbox+m.list+"?metadata[module]=nothing", nil, h), 200).List(); len(l) != 0 {
			t.Fatalf("%s metadata[module]=nothing: %v", m.name, l)
		}
		if l := f.Expect(f.Do("GET", sandbox+m.list+"?metadata[module]="+url.QueryEscape(m.name)+"&metadata[other]=x", nil, h), 200).List(); len(l) != 0 {
			t.Fatalf("%s: two filters must both hold: %v", m.name, l)
		}
		for _, bad := range []string{"metadata[a'b]=x", "metadata[" + strings.Repeat("k", 41) + "]=x"} {
			if r := f.Expect(f.Do("GET", sandbox+m.list+"?"+bad, nil, h), 422); len(r.Errors()["metadata"]) == 0 {
				t.Fatalf("%s %s: %s", m.name, bad, r)
			}
		}
		if m.patch == nil {
			continue
		}
		// PATCH merges; null deletes.
		r = f.Expect(f.Do("PATCH", sandbox+m.one, map[string]any{"metadata": map[string]any{"order_id": "A-1"}}, h), 200)
		if r.Str("data.metadata.module") != m.name || r.Str("data.metadata.order_id") != "A-1" {
			t.Fatalf("%s merge: %v", m.name, r.Get("data.metadata"))
		}
		r = f.Expect(f.Do("PATCH", sandbox+m.one, map[string]any{"metadata": map[string]any{"module": nil}}, h), 200)
		if md := r.Get("data.metadata").(map[string]any); len(md) != 1 || md["order_id"] != "A-1" {
			t.Fatalf("%s delete: %v", m.name, md)
		}
		before := f.Expect(f.Do("GET", sandbox+m.one, nil, h), 200)
		many := map[string]any{}
		for i := range 50 {
			many["k"+strconv.Itoa(i)] = "v"
		}
		for field, body := range map[string]map[string]any{
			"metadata":          {"metadata": many}, // 50 new + order_id
			"metadata.long":     {"metadata": map[string]any{"long": strings.Repeat("x", 501)}},
			"metadata.nul":      {"metadata": map[string]any{"nul": "a\u0000b"}},
			"metadata ":         {"metadata": map[string]any{strings.Repeat("k", 41): "v"}},
			"metadata  ":        {"metadata": map[string]any{"has space": "v"}},
			"metadata   (type)": {"metadata": map[string]any{"n": 5}},
		} {
			r := f.Expect(f.Do("PATCH", sandbox+m.one, body, h), 422)
			if len(r.Errors()[strings.TrimSpace(strings.TrimSuffix(field, "(type)"))]) == 0 {
				t.Fatalf("%s %q: %s", m.name, field, r)
			}
		}
		if after := f.Expect(f.Do("GET", sandbox+m.one, nil, h), 200); string(after.Raw) != string(before.Raw) {
			t.Fatalf("%s: a refused metadata change wrote something", m.name)
		}
	}
	// No metadata is SQL NULL, not JSON null: nothing to decode when read.
	plain := f.Expect(f.Do("POST", sandbox+"/customers", map[string]any{"name": "Plain"}, h), 201).Str("data.id")
	emptied := f.Expect(f.Do("POST", sandbox+"/customers", map[string]any{"name": "Emptied", "metadata": map[string]any{"a": "1"}}, h), 201).Str("data.id")
	f.Expect(f.Do("PATCH", sandbox+"/customers/"+emptied, map[string]any{"metadata": map[string]any{"a": nil}}, h), 200)
	var nulls int
	q := "SELECT count(*) FROM customers WHERE metadata IS NULL AND id IN ($1, $2)"
	if testenv.Kind() == "sqlite3" {
		q = "SELECT count(*) FROM customers WHERE metadata IS NULL AND id IN (?, ?)"
	}
	if err := f.App.DB.SQL.QueryRow(q, uuid.MustParse(plain), uuid.MustParse(emptied)).Scan(&nulls); err != nil || nulls != 2 {
		t.Fatalf("customers without metadata stored as SQL NULL: %d of 2 (%v)", nulls, err)
	}
	// Limits on create too.
	r := f.Expect(f.Do("POST", sandbox+"/customers", map[string]any{"name": "Too much", "metadata": map[string]any{"v": strings.Repeat("x", 501)}}, h), 422)
	if len(r.Errors()["metadata.v"]) == 0 {
		t.Fatalf("create over the limit: %s", r)
	}
	if l := f.Expect(f.Do("GET", sandbox+"/customers?q=Too", nil, h), 200).List(); len(l) != 0 {
		t.Fatal("a refused create wrote a customer")
	}
}

func TestExternalIDsUpsert(t *testing.T) {
	t.Parallel()
	f := setup(t)
	h := testenv.Key(f.sandboxA)
	items := []map[string]any{{"description": "x", "quantity": "1", "unit_price": "10.00"}}
	for _, c := range []struct {
		name, path     string
		create, update map[string]any
		field, want    string
	}{
		{"customer", "/customers", map[string]any{"name": "Acme Inc"}, map[string]any{"name": "Acme GmbH"}, "name", "Acme GmbH"},
		{"invoice", "/invoices", map[string]any{"currency": "EUR", "items": items}, map[string]any{"notes": "Synced"}, "notes", "Synced"},
		{"ticket", "/tickets", map[string]any{"title": "VPN down", "requester_id": f.A.Owner.ID}, map[string]any{"status": "in_progress"}, "status", "in_progress"},
	} {
		put := func(base, key, eid string, body map[string]any, status int) *testenv.Response {
			return f.Expect(f.Do("PUT", base+c.path+"/by-external-id/"+eid, body, testenv.Key(key)), status)
		}
		first := put(sandbox, f.sandboxA, "sys-42", c.create, 201)
		if first.Str("data.external_id") != "sys-42" {
			t.Fatalf("%s created: %s", c.name, first)
		}
		again := put(sandbox, f.sandboxA, "sys-42", c.update, 200)
		if again.Str("data.id") != first.Str("data.id") || again.Str("data."+c.field) != c.want {
			t.Fatalf("%s updated: %s", c.name, again)
		}
		// The same external id is another object in another environment or tenant.
		liveObj := put(live, f.liveA, "sys-42", c.create, 201)
		if c.name == "ticket" {
			c.create["requester_id"] = f.B.Owner.ID
		}
		other := put(sandbox, f.sandboxB, "sys-42", c.create, 201)
		if liveObj.Str("data.id") == first.Str("data.id") || other.Str("data.id") == first.Str("data.id") {
			t.Fatalf("%s: an external id reached another environment or tenant", c.name)
		}
		if c.name == "ticket" {
			c.create["requester_id"] = f.A.Owner.ID
		}
		if now := f.Expect(f.Do("GET", sandbox+c.path+"/"+first.Str("data.id"), nil, h), 200); now.Str("data."+c.field) != c.want {
			t.Fatalf("%s: another tenant's upsert changed it: %s", c.name, now)
		}
		// A create or an edit cannot take an external id another object holds.
		body := map[string]any{"external_id": "sys-42"}
		for k, v := range c.create {
			body[k] = v
		}
		if r := f.Expect(f.Do("POST", sandbox+c.path, body, h), 422); len(r.Errors()["external_id"]) == 0 {
			t.Fatalf("%s duplicate create: %s", c.name, r)
		}
		second := put(sandbox, f.sandboxA, "sys-43", c.create, 201).Str("data.id")
		f.Expect(f.Do("PATCH", sandbox+c.path+"/"+second, map[string]any{"external_id": "sys-42"}, h), 422)
		// The body may repeat the path's id, not name another; bad ids are 422.
		put(sandbox, f.sandboxA, "sys-42", map[string]any{"external_id": "sys-42"}, 200)
		if r := put(sandbox, f.sandboxA, "sys-42", map[string]any{"external_id": "sys-9"}, 422); len(r.Errors()["external_id"]) == 0 {
			t.Fatalf("%s mismatch: %s", c.name, r)
		}
		put(sandbox, f.sandboxA, "has%20space", c.create, 422)
		put(sandbox, f.sandboxA, strings.Repeat("x", 256), c.create, 422)
		// Removing it frees it.
		f.Expect(f.Do("PATCH", sandbox+c.path+"/"+second, map[string]any{"external_id": nil}, h), 200)
		if r := f.Expect(f.Do("GET", sandbox+c.path+"/"+second, nil, h), 200); r.Get("data.external_id") != nil {
			t.Fatalf("%s: external id not removed: %s", c.name, r)
		}
	}
	// Creating needs the create permission, updating the update one.
	_, viewer := f.Key(f.A.ID, policy.Sandbox, "viewer")
	if r := f.Expect(f.Do("PUT", sandbox+"/customers/by-external-id/new-1", map[string]any{"name": "x"}, testenv.Key(viewer)), 403); r.Str("permission") != finance.CustomersCreate {
		t.Fatalf("viewer create: %s", r)
	}
	if r := f.Expect(f.Do("PUT", sandbox+"/customers/by-external-id/sys-42", map[string]any{"name": "x"}, testenv.Key(viewer)), 403); r.Str("permission") != finance.CustomersUpdate {
		t.Fatalf("viewer update: %s", r)
	}
}

// TestConcurrentUpsertsMakeOneObject: parallel PUTs of one new external
// id create one object; the others update it.
func TestConcurrentUpsertsMakeOneObject(t *testing.T) {
	t.Parallel()
	f := setup(t)
	h := testenv.Key(f.sandboxA)
	for _, path := range []string{"/customers", "/tickets", "/invoices"} {
		body := map[string]any{"customers": map[string]any{"name": "Racer"}, "tickets": map[string]any{"title": "Racer", "requester_id": f.A.Owner.ID},
			"invoices": map[string]any{"currency": "EUR", "items": []map[string]any{{"description": "x", "quantity": "1", "unit_price": "1.00"}}}}[strings.TrimPrefix(path, "/")]
		const n = 8
		codes, ids := make([]int, n), make([]string, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := f.Do("PUT", sandbox+path+"/by-external-id/race-1", body, h)
				codes[i], ids[i] = r.Code, r.Str("data.id")
			}()
		}
		wg.Wait()
		created := 0
		for i, c := range codes {
			if c == 201 {
				created++
			}
			if c != 200 && c != 201 || ids[i] != ids[0] {
				t.Fatalf("%s: codes %v ids %v", path, codes, ids)
			}
		}
		if created != 1 {
			t.Fatalf("%s: %d creates of one external id (codes %v)", path, created, codes)
		}
		if l := f.Expect(f.Do("GET", sandbox+path, nil, h), 200).List(); len(l) != 1 {
			t.Fatalf("%s: %d objects after %d concurrent upserts", path, len(l), n)
		}
		if path == "/tickets" { // the creates that lost gave their numbers back
			if next := f.ticket(sandbox, f.sandboxA, f.A.Owner.ID, "Next"); f.Expect(f.Do("GET", sandbox+"/tickets/"+next, nil, h), 200).Str("data.number") != "IT-000002" {
				t.Fatal("ticket numbers have a gap after concurrent upserts")
			}
		}
		t.Logf("%s: %d concurrent upserts of one new external id: one 201, %d 200, one object (%s)", path, n, n-1, testenv.Kind())
	}
}

// TestExpandNeverCrossesTenantsOrEnvironments: even an invoice whose
// customer_id names another tenant's or environment's customer (which
// the API never lets one write) embeds null, not that customer.
func TestExpandNeverCrossesTenantsOrEnvironments(t *testing.T) {
	t.Parallel()
	f := setup(t)
	h := testenv.Key(f.sandboxA)
	items := []map[string]any{{"description": "x", "quantity": "1", "unit_price": "1.00"}}
	own := f.Expect(f.Do("POST", sandbox+"/customers", map[string]any{"name": "Own"}, h), 201).Str("data.id")
	inv := f.Expect(f.Do("POST", sandbox+"/invoices", map[string]any{"customer_id": own, "currency": "EUR", "items": items}, h), 201).Str("data.id")
	for name, foreign := range map[string]string{
		"live":   f.Expect(f.Do("POST", live+"/customers", map[string]any{"name": "Live twin"}, testenv.Key(f.liveA)), 201).Str("data.id"),
		"globex": f.Expect(f.Do("POST", sandbox+"/customers", map[string]any{"name": "Globex"}, testenv.Key(f.sandboxB)), 201).Str("data.id"),
	} {
		if _, err := f.App.DB.Client.Invoice.UpdateOneID(uuid.MustParse(inv)).SetCustomerID(uuid.MustParse(foreign)).Save(privacy.DecisionContext(f.Ctx, privacy.Allow)); err != nil {
			t.Fatal(err)
		}
		one := f.Expect(f.Do("GET", sandbox+"/invoices/"+inv+"?expand=customer", nil, h), 200)
		list := f.Expect(f.Do("GET", sandbox+"/invoices?expand=customer", nil, h), 200).List()
		if one.Get("data.customer") != nil || one.Str("data.customer_id") != foreign || len(list) != 1 || testenv.Dig(list[0], "customer") != nil {
			t.Fatalf("expand reached the %s customer: %s %v", name, one.Raw, list)
		}
	}
}
