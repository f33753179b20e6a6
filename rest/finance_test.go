package rest_test

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cienerp/cienerp/internal/testenv"
	"github.com/cienerp/cienerp/policy"
)

func TestQuoteWorkedExampleFromTheOpenAPIDocument(t *testing.T) {
	t.Parallel()
	f := setup(t)
	doc := f.Expect(f.Do("GET", "/api/openapi.json", nil, nil), 200)
	op := doc.Get("paths./quote/calculate.post").(map[string]any)
	req := op["requestBody"].(map[string]any)["content"].(map[string]any)["application/json"].(map[string]any)["example"]
	want := op["responses"].(map[string]any)["200"].(map[string]any)["content"].(map[string]any)["application/json"].(map[string]any)["example"]
	for _, path := range []string{"/public/quote/calculate", "/api/quote/calculate", "/api/sandbox/v1/quote/calculate"} {
		r := f.Expect(f.Do("POST", path, req, nil), 200) // no credentials
		var got any
		_ = json.Unmarshal(r.Raw, &got)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%s answers\n%s\nbut the document shows\n%v", path, r.Raw, want)
		}
	}
	t.Logf("worked example: %s", mustJSON(req))
}

func mustJSON(v any) string { b, _ := json.Marshal(v); return string(b) }

func TestQuoteRefusesBadInputPerField(t *testing.T) {
	t.Parallel()
	f := setup(t)
	item := func(q, p any) map[string]any {
		return map[string]any{"description": "x", "quantity": q, "unit_price": p}
	}
	cases := []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"currency": "EUR", "items": []any{item("-1", "1.00")}}, "items.0.quantity"},
		{map[string]any{"currency": "XYZ", "items": []any{item("1", "1.00")}}, "currency"},
		{map[string]any{"currency": "EUR", "items": []any{item("1", "1.005")}}, "items.0.unit_price"},
		{map[string]any{"currency": "JPY", "items": []any{item("1", "1.5")}}, "items.0.unit_price"},
		{map[string]any{"currency": "EUR", "items": []any{item("1", "1.00"), item("1", "99999999999999999999.00")}}, "items.1.unit_price"},
		{map[string]any{"currency": "EUR", "items": []any{item("1", json.RawMessage("1e3"))}}, "items.0.unit_price"},
		{map[string]any{"currency": "EUR", "items": []any{item("1", "1.00")}, "total": "0.01"}, "total"},
		{map[string]any{"currency": "EUR", "items": []any{}}, "items"},
		{map[string]any{"currency": "EUR", "items": []any{map[string]any{"description": "x", "quantity": "1", "unit_price": "1.00", "tax_rate": "150"}}}, "items.0.tax_rate"},
	}
	for _, c := range cases {
		r := f.Expect(f.Do("POST", "/public/quote/calculate", c.body, nil), 422)
		if r.Str("message") != "The given data was invalid." || len(r.Errors()[c.field]) == 0 {
			t.Errorf("%v: %s", c.body, r)
		}
	}
	// JSON numbers are taken as their exact text, never through a float.
	r := f.Expect(f.Do("POST", "/public/quote/calculate", map[string]any{"currency": "EUR", "items": []any{item(json.RawMessage("3"), json.RawMessage("0.10"))}}, nil), 200)
	if r.Str("data.grand_total") != "0.30" {
		t.Fatalf("numbers: %s", r)
	}
}

func TestInvoiceLifecycle(t *testing.T) {
	t.Parallel()
	f := setup(t)
	h := testenv.Key(f.sandboxA)
	cust := f.Expect(f.Do("POST", sandbox+"/customers", map[string]any{"name": "Globex GmbH", "email": "ap@globex.test", "currency": "EUR"}, h), 201).Str("data.id")
	items := []map[string]any{{"description": "Support plan", "quantity": "3", "unit_price": "33.33", "tax_rate": "19"}}
	r := f.Expect(f.Do("POST", sandbox+"/invoices", map[string]any{"customer_id": cust, "items": items}, h), 201)
	id := r.Str("data.id")
	// 99.99 + 19.00 tax (18.9981 rounds up) = 118.99
	if r.Str("data.currency") != "EUR" || r.Str("data.total") != "118.99" || r.Str("data.status") != "draft" || r.Get("data.number") != nil {
		t.Fatalf("draft: %s", r)
	}
	f.Expect(f.Do("POST", sandbox+"/invoices", map[string]any{"customer_id": cust, "items": items, "total": "1.00"}, h), 422)
	r = f.Expect(f.Do("PATCH", sandbox+"/invoices/"+id, map[string]any{"items": []map[string]any{{"description": "Support", "quantity": "1", "unit_price": "100.00", "tax_rate": "20"}}}, h), 200)
	if r.Str("data.total") != "120.00" || r.Str("data.tax_total") != "20.00" {
		t.Fatalf("edit: %s", r)
	}
	r = f.Expect(f.Do("POST", sandbox+"/invoices/"+id+"/issue", nil, h), 200)
	year := time.Now().UTC().Year()
	if r.Str("data.number") != fmt.Sprintf("INV-%d-000001", year) || r.Str("data.status") != "issued" || r.Str("data.due_date") != time.Now().UTC().AddDate(0, 0, 30).Format(time.DateOnly) {
		t.Fatalf("issue: %s", r)
	}
	f.Expect(f.Do("POST", sandbox+"/invoices/"+id+"/issue", nil, h), 422)
	f.Expect(f.Do("PATCH", sandbox+"/invoices/"+id, map[string]any{"notes": "late edit"}, h), 422)

	pay := func(amount, currency string, status int) *testenv.Response {
		return f.Expect(f.Do("POST", sandbox+"/payments", map[string]any{"invoice_id": id, "amount": amount, "currency": currency, "method": "bank_transfer", "reference": "TX-1"}, h), status)
	}
	if r := pay("20.00", "USD", 422); len(r.Errors()["currency"]) == 0 {
		t.Fatalf("currency: %s", r)
	}
	pay("0.00", "EUR", 422)
	pay("120.01", "EUR", 422)
	pay("20.001", "EUR", 422)
	p1 := pay("20.00", "EUR", 201).Str("data.id")
	if r := f.Expect(f.Do("GET", sandbox+"/invoices/"+id, nil, h), 200); r.Str("data.status") != "partially_paid" || r.Str("data.balance") != "100.00" {
		t.Fatalf("after partial payment: %s", r)
	}
	pay("100.00", "EUR", 201)
	if r := f.Expect(f.Do("GET", sandbox+"/invoices/"+id, nil, h), 200); r.Str("data.status") != "paid" || r.Str("data.balance") != "0.00" {
		t.Fatalf("after full payment: %s", r)
	}
	pay("1.00", "EUR", 422)
	f.Expect(f.Do("POST", sandbox+"/invoices/"+id+"/void", nil, h), 422)
	// Refunds reopen the balance.
	r = f.Expect(f.Do("POST", sandbox+"/payments/"+p1+"/refund", map[string]any{"amount": "5.00", "reason": "goodwill"}, h), 200)
	if r.Str("data.amount_refunded") != "5.00" || r.Str("data.status") != "partially_refunded" {
		t.Fatalf("refund: %s", r)
	}
	f.Expect(f.Do("POST", sandbox+"/payments/"+p1+"/refund", map[string]any{"amount": "15.01"}, h), 422)
	f.Expect(f.Do("POST", sandbox+"/payments/"+p1+"/refund", map[string]any{}, h), 200) // the rest
	if r := f.Expect(f.Do("GET", sandbox+"/invoices/"+id, nil, h), 200); r.Str("data.status") != "partially_paid" || r.Str("data.balance") != "20.00" || r.Str("data.amount_paid") != "100.00" {
		t.Fatalf("after refunds: %s", r)
	}
	if l := f.Expect(f.Do("GET", sandbox+"/invoices/"+id+"/payments", nil, h), 200).List(); len(l) != 2 {
		t.Fatalf("payments: %v", l)
	}
	// Void: only with nothing paid; a void invoice cannot be issued.
	other := f.Expect(f.Do("POST", sandbox+"/invoices", map[string]any{"currency": "JPY", "items": []map[string]any{{"description": "x", "quantity": "1", "unit_price": "500"}}, "due_date": "2020-01-31"}, h), 201).Str("data.id")
	f.Expect(f.Do("POST", sandbox+"/invoices/"+other+"/issue", nil, h), 200)
	if l := f.Expect(f.Do("GET", sandbox+"/invoices?overdue=true", nil, h), 200).List(); len(l) != 1 || l[0].(map[string]any)["id"] != other {
		t.Fatalf("overdue: %v", l)
	}
	f.Expect(f.Do("POST", sandbox+"/invoices/"+other+"/void", nil, h), 200)
	f.Expect(f.Do("POST", sandbox+"/invoices/"+other+"/issue", nil, h), 422)
	for q, n := range map[string]int{"status=void": 1, "status=partially_paid": 1, "customer=" + cust: 1, "overdue=true": 0} {
		if l := f.Expect(f.Do("GET", sandbox+"/invoices?"+q, nil, h), 200).List(); len(l) != n {
			t.Errorf("%s: %d invoices, want %d", q, len(l), n)
		}
	}
	// A customer with invoices stays.
	f.Expect(f.Do("DELETE", sandbox+"/customers/"+cust, nil, h), 422)
}

func TestFinanceIsolationAndIdempotentPayments(t *testing.T) {
	t.Parallel()
	f := setup(t)
	h := testenv.Key(f.sandboxA)
	items := []map[string]any{{"description": "x", "quantity": "1", "unit_price": "10.00"}}
	cust := f.Expect(f.Do("POST", sandbox+"/customers", map[string]any{"name": "C"}, h), 201).Str("data.id")
	inv := f.Expect(f.Do("POST", sandbox+"/invoices", map[string]any{"currency": "EUR", "items": items}, h), 201).Str("data.id")
	f.Expect(f.Do("POST", sandbox+"/invoices/"+inv+"/issue", nil, h), 200)
	body := map[string]any{"invoice_id": inv, "amount": "4.00", "currency": "EUR", "method": "cash"}
	p1 := f.Expect(f.Do("POST", sandbox+"/payments", body, h.With("Idempotency-Key", "pay-1")), 201)
	p2 := f.Expect(f.Do("POST", sandbox+"/payments", body, h.With("Idempotency-Key", "pay-1")), 201)
	if p1.Str("data.id") != p2.Str("data.id") || p2.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("replayed payment: %s / %s", p1, p2)
	}
	if r := f.Expect(f.Do("GET", sandbox+"/invoices/"+inv, nil, h), 200); r.Str("data.amount_paid") != "4.00" {
		t.Fatalf("a replay paid twice: %s", r)
	}
	sess := f.Expect(f.Do("POST", sandbox+"/pos/sessions", map[string]any{"register": "r", "currency": "EUR", "opening_float": "0"}, h), 201).Str("data.id")
	sale := f.Expect(f.Do("POST", sandbox+"/pos/sales", map[string]any{"session_id": sess, "items": items, "tenders": []map[string]any{{"method": "card", "amount": "10.00"}}}, h), 201).Str("data.id")
	_, liveB := f.Key(f.B.ID, policy.Live, "admin")
	for name, in := range map[string]struct{ base, key string }{"other tenant": {sandbox, f.sandboxB}, "other env": {live, f.liveA}, "both": {live, liveB}} {
		for _, req := range []struct {
			method, path string
			body         any
		}{
			{"GET", "/customers/" + cust, nil}, {"PATCH", "/customers/" + cust, map[string]any{"name": "x"}}, {"DELETE", "/customers/" + cust, nil},
			{"GET", "/invoices/" + inv, nil}, {"PATCH", "/invoices/" + inv, map[string]any{"notes": "x"}}, {"POST", "/invoices/" + inv + "/issue", nil},
			{"POST", "/invoices/" + inv + "/void", nil}, {"GET", "/invoices/" + inv + "/payments", nil},
			{"GET", "/payments/" + p1.Str("data.id"), nil}, {"POST", "/payments/" + p1.Str("data.id") + "/refund", map[string]any{}},
			{"GET", "/pos/sessions/" + sess, nil}, {"POST", "/pos/sessions/" + sess + "/close", map[string]any{"counted_cash": "0"}},
			{"GET", "/pos/sales/" + sale, nil},
		} {
			if r := f.Expect(f.Do(req.method, in.base+req.path, req.body, testenv.Key(in.key)), 404); r.Str("code") != "not_found" {
				t.Fatalf("%s %s %s: %s", name, req.method, req.path, r)
			}
		}
		// References in bodies are checked in scope too.
		r := f.Expect(f.Do("POST", in.base+"/payments", body, testenv.Key(in.key)), 422)
		if len(r.Errors()["invoice_id"]) == 0 {
			t.Fatalf("%s pays a foreign invoice: %s", name, r)
		}
		f.Expect(f.Do("POST", in.base+"/pos/sales", map[string]any{"session_id": sess, "items": items, "tenders": []map[string]any{{"method": "cash", "amount": "10.00"}}}, testenv.Key(in.key)), 422)
		for _, list := range []string{"/customers", "/invoices", "/payments", "/pos/sales", "/pos/sessions"} {
			if l := f.Expect(f.Do("GET", in.base+list, nil, testenv.Key(in.key)), 200).List(); len(l) != 0 {
				t.Fatalf("%s lists %d of %s", name, len(l), list)
			}
		}
	}
}

func TestPointOfSale(t *testing.T) {
	t.Parallel()
	f := setup(t)
	// A cashier is a person: the role's conditions ($user) admit no key.
	cashier, admin := testenv.Bearer(f.token(f.User(f.A.ID, "cashier@acme.test", "cashier"), "")), testenv.Key(f.sandboxA)
	sess := f.Expect(f.Do("POST", sandbox+"/pos/sessions", map[string]any{"register": "front-1", "currency": "EUR", "opening_float": "100.00"}, cashier), 201).Str("data.id")
	f.Expect(f.Do("POST", sandbox+"/pos/sessions", map[string]any{"register": "front-1", "currency": "EUR", "opening_float": "0"}, cashier), 422)
	items := []map[string]any{{"description": "Coffee", "quantity": "2", "unit_price": "3.50", "tax_rate": "10"}, {"description": "Cake", "quantity": "1", "unit_price": "4.90", "tax_rate": "10"}}
	// 7.00 + 0.70 + 4.90 + 0.49 = 13.09
	sale := func(tenders []map[string]any, status int) *testenv.Response {
		return f.Expect(f.Do("POST", sandbox+"/pos/sales", map[string]any{"session_id": sess, "items": items, "tenders": tenders}, cashier), status)
	}
	r := sale([]map[string]any{{"method": "cash", "amount": "20.00"}}, 201)
	if r.Str("data.total") != "13.09" || r.Str("data.change") != "6.91" || !strings.HasPrefix(r.Str("data.receipt_number"), "INV-") || len(r.Get("data.lines").([]any)) != 2 {
		t.Fatalf("cash sale: %s", r)
	}
	inv := f.Expect(f.Do("GET", sandbox+"/invoices/"+r.Str("data.invoice_id"), nil, admin), 200)
	if inv.Str("data.status") != "paid" || inv.Str("data.amount_paid") != "13.09" {
		t.Fatalf("sale invoice: %s", inv)
	}
	r = sale([]map[string]any{{"method": "card", "amount": "10.00"}, {"method": "cash", "amount": "5.00"}}, 201)
	if r.Str("data.change") != "1.91" || len(r.Get("data.payments").([]any)) != 2 {
		t.Fatalf("mixed sale: %s", r)
	}
	if r := sale([]map[string]any{{"method": "card", "amount": "20.00"}}, 422); len(r.Errors()["tenders"]) == 0 {
		t.Fatalf("card over total: %s", r)
	}
	sale([]map[string]any{{"method": "cash", "amount": "13.08"}}, 422)
	sale([]map[string]any{{"method": "cheque", "amount": "13.09"}}, 422)
	if l := f.Expect(f.Do("GET", sandbox+"/pos/sales?session="+sess, nil, cashier), 200).List(); len(l) != 2 {
		t.Fatalf("sales: %v", l)
	}
	// Expected cash: 100 float + 13.09 + (5.00 − 1.91) = 116.18; counted 116.00 → 0.18 short.
	r = f.Expect(f.Do("POST", sandbox+"/pos/sessions/"+sess+"/close", map[string]any{"counted_cash": "116.00"}, cashier), 200)
	if r.Str("data.expected_cash") != "116.18" || r.Str("data.counted_cash") != "116.00" || r.Str("data.over_short") != "-0.18" || r.Str("data.status") != "closed" {
		t.Fatalf("close: %s", r)
	}
	sale([]map[string]any{{"method": "cash", "amount": "20.00"}}, 422)
	for q, n := range map[string]int{"": 1, "status=closed": 1, "status=open": 0, "register=front-1": 1, "register=back": 0} {
		if l := f.Expect(f.Do("GET", sandbox+"/pos/sessions?"+q, nil, cashier), 200).List(); len(l) != n {
			t.Errorf("sessions %q: %d, want %d", q, len(l), n)
		}
	}
	f.Expect(f.Do("GET", sandbox+"/pos/sessions?status=lost", nil, cashier), 422)
	f.Expect(f.Do("POST", sandbox+"/pos/sessions/"+sess+"/close", map[string]any{"counted_cash": "1.00"}, cashier), 422)
	// A viewer cannot sell.
	_, viewer := f.Key(f.A.ID, policy.Sandbox, "viewer")
	if r := f.Expect(f.Do("POST", sandbox+"/pos/sales", map[string]any{}, testenv.Key(viewer)), 403); r.Str("permission") != "pos.sales.create" {
		t.Fatalf("viewer sale: %s", r)
	}
}

// TestConcurrentPaymentsNeverOverpay runs parallel payments on one
// invoice: the sum accepted never passes the total (PostgreSQL row lock;
// SQLite serialises writers).
func TestConcurrentPaymentsNeverOverpay(t *testing.T) {
	t.Parallel()
	f := setup(t)
	h := testenv.Key(f.sandboxA)
	inv := f.Expect(f.Do("POST", sandbox+"/invoices", map[string]any{"currency": "EUR", "items": []map[string]any{{"description": "x", "quantity": "1", "unit_price": "100.00"}}}, h), 201).Str("data.id")
	f.Expect(f.Do("POST", sandbox+"/invoices/"+inv+"/issue", nil, h), 200)
	const n = 12
	codes := make([]int, n)
	start := time.Now()
	var wg sync.WaitGroup
	for i := range codes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i] = f.Do("POST", sandbox+"/payments", map[string]any{"invoice_id": inv, "amount": "30.00", "currency": "EUR", "method": "card"}, h).Code
		}()
	}
	wg.Wait()
	ok := 0
	for _, c := range codes {
		switch c {
		case 201:
			ok++
		case 422:
		default:
			t.Fatalf("codes %v", codes)
		}
	}
	r := f.Expect(f.Do("GET", sandbox+"/invoices/"+inv, nil, h), 200)
	if ok != 3 || r.Str("data.amount_paid") != "90.00" || r.Str("data.balance") != "10.00" {
		t.Fatalf("%d payments accepted, paid %s: %v", ok, r.Str("data.amount_paid"), codes)
	}
	t.Logf("%d parallel payments of 30.00 on 100.00: %d accepted, %d refused, paid 90.00, in %v (%s)", n, ok, n-ok, time.Since(start).Round(time.Millisecond), testenv.Kind())
}

func TestConcurrentIssuesAreGapless(t *testing.T) {
	t.Parallel()
	f := setup(t)
	h := testenv.Key(f.sandboxA)
	const n = 12
	ids := make([]string, n)
	for i := range ids {
		ids[i] = f.Expect(f.Do("POST", sandbox+"/invoices", map[string]any{"currency": "EUR", "items": []map[string]any{{"description": "x", "quantity": "1", "unit_price": "1.00"}}}, h), 201).Str("data.id")
	}
	numbers := make([]string, n)
	start := time.Now()
	var wg sync.WaitGroup
	for i := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			numbers[i] = f.Do("POST", sandbox+"/invoices/"+ids[i]+"/issue", nil, h).Str("data.number")
		}()
	}
	wg.Wait()
	seen := map[string]bool{}
	for _, num := range numbers {
		seen[num] = true
	}
	year := time.Now().UTC().Year()
	for i := 1; i <= n; i++ {
		if !seen[fmt.Sprintf("INV-%d-%06d", year, i)] {
			t.Fatalf("numbers %v: %d missing", numbers, i)
		}
	}
	t.Logf("%d parallel issues: numbers 1..%d, no gap, no duplicate, in %v (%s)", n, n, time.Since(start).Round(time.Millisecond), testenv.Kind())
}
