package rest_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cienerp/cienerp/internal/testenv"
	"github.com/cienerp/cienerp/modules/inventory"
	"github.com/cienerp/cienerp/modules/pos"
	"github.com/cienerp/cienerp/modules/settings"
	"github.com/cienerp/cienerp/policy"
)

// product creates a product as h and returns its id.
func (f *fixture) product(h testenv.H, body map[string]any) string {
	f.T.Helper()
	return f.Expect(f.Do("POST", sandbox+"/products", body, h), 201).Str("data.id")
}

// onHand is the product's on-hand quantity at the location (0: no level).
func (f *fixture) onHand(h testenv.H, product, location string) float64 {
	f.T.Helper()
	for _, l := range f.Expect(f.Do("GET", sandbox+"/stock/levels?product_id="+product+"&location_id="+location, nil, h), 200).List() {
		return l.(map[string]any)["on_hand"].(float64)
	}
	return 0
}

func TestProductsAreCheckedAndUpsertedByExternalID(t *testing.T) {
	t.Parallel()
	f := setup(t)
	h := testenv.Key(f.sandboxA)
	id := f.product(h, map[string]any{"sku": "CABLE-1", "name": "USB-C cable", "currency": "eur", "unit_price": "12.90", "tax_rate": "19.00", "barcode": "4006381333931"})
	r := f.Expect(f.Do("GET", sandbox+"/products/"+id, nil, h), 200)
	if r.Str("data.currency") != "EUR" || r.Str("data.unit_price") != "12.90" || r.Str("data.tax_rate") != "19" || r.Get("data.active") != true || r.Get("data.allow_backorder") != false {
		t.Fatalf("product: %s", r)
	}
	for _, c := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"sku": "CABLE-1", "name": "x", "currency": "EUR", "unit_price": "1"}, "sku"},
		{map[string]any{"sku": "C-2", "name": "x", "currency": "EUR", "unit_price": "1", "barcode": "4006381333931"}, "barcode"},
		{map[string]any{"sku": "has space", "name": "x", "currency": "EUR", "unit_price": "1"}, "sku"},
		{map[string]any{"sku": "C-3", "name": "x", "currency": "JPY", "unit_price": "1.5"}, "unit_price"},
		{map[string]any{"sku": "C-4", "name": "x", "currency": "EUR", "unit_price": "-1"}, "unit_price"},
		{map[string]any{"sku": "C-5", "name": "x", "currency": "EUR", "unit_price": "1", "tax_rate": "101"}, "tax_rate"},
		{map[string]any{"sku": "C-6", "name": "x", "currency": "XYZ", "unit_price": "1"}, "currency"},
		{map[string]any{"sku": "C-7", "name": "x", "currency": "EUR"}, "unit_price"},
		{map[string]any{"sku": "C-8", "name": "x", "currency": "EUR", "unit_price": "1", "colour": "red"}, "colour"},
		{map[string]any{"sku": "C-9", "name": "x", "currency": "EUR", "unit_price": "1", "active": nil}, "active"},
	} {
		if r := f.Expect(f.Do("POST", sandbox+"/products", c.body, h), 422); len(r.Errors()[c.field]) == 0 {
			t.Errorf("%v: no error on %s: %s", c.body, c.field, r)
		}
	}
	// A new currency needs the price in it.
	f.Expect(f.Do("PATCH", sandbox+"/products/"+id, map[string]any{"currency": "USD"}, h), 422)
	if r := f.Expect(f.Do("PATCH", sandbox+"/products/"+id, map[string]any{"currency": "JPY", "unit_price": "1500", "barcode": nil}, h), 200); r.Str("data.unit_price") != "1500" || r.Get("data.barcode") != nil {
		t.Fatalf("patch: %s", r)
	}
	// The same SKU in the other environment and in another tenant is another product.
	f.Expect(f.Do("POST", live+"/products", map[string]any{"sku": "CABLE-1", "name": "x", "currency": "EUR", "unit_price": "1"}, testenv.Key(f.liveA)), 201)
	f.Expect(f.Do("POST", sandbox+"/products", map[string]any{"sku": "CABLE-1", "name": "x", "currency": "EUR", "unit_price": "1"}, testenv.Key(f.sandboxB)), 201)
	f.Expect(f.Do("GET", sandbox+"/products/"+id, nil, testenv.Key(f.sandboxB)), 404)
	f.Expect(f.Do("GET", live+"/products/"+id, nil, testenv.Key(f.liveA)), 404)

	// Upsert by external id: 201, then 200 on the same object; nothing changes the second time.
	body := map[string]any{"sku": "PIM-7", "name": "Stapler", "currency": "EUR", "unit_price": "8.50"}
	first := f.Expect(f.Do("PUT", sandbox+"/products/by-external-id/pim-7", body, h), 201)
	again := f.Expect(f.Do("PUT", sandbox+"/products/by-external-id/pim-7", body, h), 200)
	if first.Str("data.id") != again.Str("data.id") || again.Str("data.external_id") != "pim-7" {
		t.Fatalf("upsert: %s then %s", first, again)
	}
	// Search and filters.
	if l := f.Expect(f.Do("GET", sandbox+"/products?q=stapl", nil, h), 200).List(); len(l) != 1 {
		t.Fatalf("q=stapl: %v", l)
	}
	if l := f.Expect(f.Do("GET", sandbox+"/products?sku=CABLE-1&active=true", nil, h), 200).List(); len(l) != 1 {
		t.Fatalf("sku filter: %v", l)
	}
	f.Expect(f.Do("GET", sandbox+"/products?active=maybe", nil, h), 422)
	// Deleting: a product that never moved stock goes; one that did stays.
	f.Expect(f.Do("DELETE", sandbox+"/products/"+again.Str("data.id"), nil, h), 200)
	f.Expect(f.Do("POST", sandbox+"/stock/locations", map[string]any{"name": "Shop", "code": "shop"}, h), 201)
	f.Expect(f.Do("POST", sandbox+"/stock/movements", map[string]any{"product_id": id, "kind": "receipt", "quantity": 1}, h), 201)
	if r := f.Expect(f.Do("DELETE", sandbox+"/products/"+id, nil, h), 422); len(r.Errors()["id"]) == 0 {
		t.Fatalf("delete with movements: %s", r)
	}
}

func TestStockMovesByHandAndNeverBelowZero(t *testing.T) {
	t.Parallel()
	f := setup(t)
	h := testenv.Key(f.sandboxA)
	p := f.product(h, map[string]any{"sku": "BOLT", "name": "Bolt", "currency": "EUR", "unit_price": "0.10"})
	// No location yet: the movement says where to make one.
	if r := f.Expect(f.Do("POST", sandbox+"/stock/movements", map[string]any{"product_id": p, "kind": "receipt", "quantity": 5}, h), 422); len(r.Errors()["location_id"]) == 0 {
		t.Fatalf("no location: %s", r)
	}
	shop := f.Expect(f.Do("POST", sandbox+"/stock/locations", map[string]any{"name": "Shop", "code": "shop"}, h), 201)
	if shop.Get("data.default") != true {
		t.Fatalf("the first location is the default: %s", shop)
	}
	store := f.Expect(f.Do("POST", sandbox+"/stock/locations", map[string]any{"name": "Store room", "code": "store"}, h), 201).Str("data.id")
	f.Expect(f.Do("POST", sandbox+"/stock/locations", map[string]any{"name": "Again", "code": "store"}, h), 422)
	r := f.Expect(f.Do("POST", sandbox+"/stock/movements", map[string]any{"sku": "BOLT", "kind": "receipt", "quantity": 10, "reason": "PO-1"}, h), 201)
	if r.Get("data.on_hand") != 10.0 || r.Str("data.location_id") != shop.Str("data.id") {
		t.Fatalf("receipt: %s", r)
	}
	r = f.Expect(f.Do("POST", sandbox+"/stock/movements", map[string]any{"product_id": p, "kind": "transfer", "quantity": 4, "to_location_id": store}, h), 201)
	if r.Get("data.on_hand") != 6.0 || r.Get("data.to_on_hand") != 4.0 {
		t.Fatalf("transfer: %s", r)
	}
	for _, c := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"product_id": p, "kind": "adjustment", "quantity": -7, "reason": "count"}, "quantity"}, // 6 on hand
		{map[string]any{"product_id": p, "kind": "adjustment", "quantity": -1}, "reason"},
		{map[string]any{"product_id": p, "kind": "transfer", "quantity": 5, "location_id": store, "to_location_id": store}, "to_location_id"},
		{map[string]any{"product_id": p, "kind": "transfer", "quantity": 5, "location_id": store, "to_location_id": shop.Str("data.id")}, "quantity"}, // 4 there
		{map[string]any{"product_id": p, "kind": "sale", "quantity": -1}, "kind"},
		{map[string]any{"product_id": p, "kind": "receipt", "quantity": 1.5}, "quantity"},
		{map[string]any{"product_id": p, "kind": "receipt", "quantity": 0}, "quantity"},
		{map[string]any{"sku": "NOPE", "kind": "receipt", "quantity": 1}, "sku"},
		{map[string]any{"product_id": f.A.ID, "kind": "receipt", "quantity": 1}, "product_id"},
	} {
		if r := f.Expect(f.Do("POST", sandbox+"/stock/movements", c.body, h), 422); len(r.Errors()[c.field]) == 0 {
			t.Errorf("%v: no error on %s: %s", c.body, c.field, r)
		}
	}
	// Refusals wrote nothing.
	if a, b := f.onHand(h, p, shop.Str("data.id")), f.onHand(h, p, store); a != 6 || b != 4 {
		t.Fatalf("on hand after refusals: %v and %v, want 6 and 4", a, b)
	}
	if n := len(f.Expect(f.Do("GET", sandbox+"/stock/movements?product_id="+p, nil, h), 200).List()); n != 2 {
		t.Fatalf("%d movements, want 2", n)
	}
	if n := len(f.Expect(f.Do("GET", sandbox+"/stock/movements?location_id="+store+"&kind=transfer&expand=data.product,data.location", nil, h), 200).List()); n != 1 {
		t.Fatalf("%d transfers touching the store room, want 1", n)
	}
	// A product that allows backorders may go below zero.
	f.Expect(f.Do("PATCH", sandbox+"/products/"+p, map[string]any{"allow_backorder": true}, h), 200)
	if r := f.Expect(f.Do("POST", sandbox+"/stock/movements", map[string]any{"product_id": p, "kind": "adjustment", "quantity": -8, "reason": "broken"}, h), 201); r.Get("data.on_hand") != -2.0 {
		t.Fatalf("backorder: %s", r)
	}
	// Moving the default.
	f.Expect(f.Do("PATCH", sandbox+"/stock/locations/"+store, map[string]any{"default": true}, h), 200)
	if r := f.Expect(f.Do("GET", sandbox+"/stock/locations/"+shop.Str("data.id"), nil, h), 200); r.Get("data.default") != false {
		t.Fatalf("two defaults: %s", r)
	}
	f.Expect(f.Do("PATCH", sandbox+"/stock/locations/"+store, map[string]any{"default": false}, h), 422)
}

func TestSalesAndInvoicesTakeStockAndGiveItBack(t *testing.T) {
	t.Parallel()
	f := setup(t)
	h := testenv.Key(f.sandboxA)
	p := f.product(h, map[string]any{"sku": "MUG", "name": "Mug", "currency": "EUR", "unit_price": "8.00", "tax_rate": "19"})
	loc := f.Expect(f.Do("POST", sandbox+"/stock/locations", map[string]any{"name": "Shop", "code": "shop"}, h), 201).Str("data.id")
	f.Expect(f.Do("POST", sandbox+"/stock/movements", map[string]any{"product_id": p, "kind": "receipt", "quantity": 5}, h), 201)
	sess := f.Expect(f.Do("POST", sandbox+"/pos/sessions", map[string]any{"register": "front", "currency": "EUR", "opening_float": "0"}, h), 201).Str("data.id")

	// By SKU: the line's description, price and tax come from the product; an explicit price wins.
	sale := f.Expect(f.Do("POST", sandbox+"/pos/sales", map[string]any{"session_id": sess, "items": []map[string]any{
		{"sku": "MUG", "quantity": "2"}, {"product_id": p, "quantity": "1", "unit_price": "5.00", "description": "Mug (seconds)"},
	}, "tenders": []map[string]any{{"method": "card", "amount": "24.99"}}}, h), 201)
	if sale.Str("data.lines.0.description") != "Mug" || sale.Str("data.lines.0.unit_price") != "8.00" || sale.Str("data.lines.0.tax_rate") != "19" ||
		sale.Str("data.lines.0.product_id") != p || sale.Str("data.lines.1.unit_price") != "5.00" || sale.Str("data.lines.1.description") != "Mug (seconds)" || sale.Str("data.total") != "24.99" {
		t.Fatalf("sale: %s", sale)
	}
	if n := f.onHand(h, p, loc); n != 2 {
		t.Fatalf("on hand after selling 3 of 5: %v", n)
	}
	// Past stock: a 422 naming the line; nothing written (no sale, no invoice, no movement).
	invoices := len(f.Expect(f.Do("GET", sandbox+"/invoices?limit=100", nil, h), 200).List())
	r := f.Expect(f.Do("POST", sandbox+"/pos/sales", map[string]any{"session_id": sess, "items": []map[string]any{
		{"description": "Bag", "quantity": "1", "unit_price": "1.00"}, {"sku": "MUG", "quantity": "3"},
	}, "tenders": []map[string]any{{"method": "cash", "amount": "100.00"}}}, h), 422)
	if len(r.Errors()["items.1.quantity"]) == 0 {
		t.Fatalf("sale past stock: %s", r)
	}
	if n := len(f.Expect(f.Do("GET", sandbox+"/invoices?limit=100", nil, h), 200).List()); n != invoices || f.onHand(h, p, loc) != 2 {
		t.Fatalf("a refused sale wrote: %d invoices (was %d), on hand %v", n, invoices, f.onHand(h, p, loc))
	}
	for _, c := range []struct {
		item  map[string]any
		field string
	}{
		{map[string]any{"sku": "MUG", "quantity": "0.5"}, "items.0.quantity"},
		{map[string]any{"sku": "NOPE", "quantity": "1"}, "items.0.sku"},
		{map[string]any{"product_id": p, "sku": "OTHER", "quantity": "1"}, "items.0.sku"},
	} {
		r := f.Expect(f.Do("POST", sandbox+"/pos/sales", map[string]any{"session_id": sess, "items": []any{c.item},
			"tenders": []map[string]any{{"method": "cash", "amount": "100.00"}}}, h), 422)
		if len(r.Errors()[c.field]) == 0 {
			t.Errorf("%v: no error on %s: %s", c.item, c.field, r)
		}
	}
	// A full refund of the sale puts its stock back; a second refund cannot put it back twice.
	pay := sale.Str("data.payments.0.id")
	f.Expect(f.Do("POST", sandbox+"/payments/"+pay+"/refund", map[string]any{"amount": "10.00"}, h), 200)
	if n := f.onHand(h, p, loc); n != 2 {
		t.Fatalf("a partial refund moved stock: %v", n)
	}
	f.Expect(f.Do("POST", sandbox+"/payments/"+pay+"/refund", map[string]any{}, h), 200)
	if n := f.onHand(h, p, loc); n != 5 {
		t.Fatalf("on hand after the full refund: %v, want 5", n)
	}
	ret := f.Expect(f.Do("GET", sandbox+"/stock/movements?kind=return&sale_id="+sale.Str("data.id"), nil, h), 200).List()
	if len(ret) != 1 || ret[0].(map[string]any)["quantity"] != 3.0 {
		t.Fatalf("returns of the sale: %v", ret)
	}

	// An invoice takes its stock when issued (not as a draft) and gives it back when voided.
	f.Expect(f.Do("PATCH", sandbox+"/products/"+p, map[string]any{"active": false}, h), 200)
	if r := f.Expect(f.Do("POST", sandbox+"/invoices", map[string]any{"items": []map[string]any{{"sku": "MUG", "quantity": "1"}}}, h), 422); len(r.Errors()["items.0.product_id"]) == 0 {
		t.Fatalf("an inactive product sold: %s", r)
	}
	f.Expect(f.Do("PATCH", sandbox+"/products/"+p, map[string]any{"active": true}, h), 200)
	inv := f.Expect(f.Do("POST", sandbox+"/invoices", map[string]any{"items": []map[string]any{{"sku": "MUG", "quantity": "4"}}}, h), 201)
	if inv.Str("data.currency") != "EUR" || inv.Str("data.total") != "38.08" || f.onHand(h, p, loc) != 5 {
		t.Fatalf("draft: %s, on hand %v", inv, f.onHand(h, p, loc))
	}
	id := inv.Str("data.id")
	f.Expect(f.Do("POST", sandbox+"/invoices/"+id+"/issue", nil, h), 200)
	if n := f.onHand(h, p, loc); n != 1 {
		t.Fatalf("on hand after issuing 4: %v", n)
	}
	f.Expect(f.Do("POST", sandbox+"/invoices/"+id+"/void", nil, h), 200)
	if n := f.onHand(h, p, loc); n != 5 {
		t.Fatalf("on hand after the void: %v", n)
	}
	// An invoice in another currency must price the product itself.
	if r := f.Expect(f.Do("POST", sandbox+"/invoices", map[string]any{"currency": "USD", "items": []map[string]any{{"sku": "MUG", "quantity": "1"}}}, h), 422); len(r.Errors()["items.0.unit_price"]) == 0 {
		t.Fatalf("EUR price on a USD invoice: %s", r)
	}
	// The public quote knows no products.
	f.Expect(f.Do("POST", "/public/quote/calculate", map[string]any{"currency": "EUR", "items": []map[string]any{{"sku": "MUG", "quantity": "1", "description": "x", "unit_price": "1"}}}, nil), 422)
	// Another tenant cannot sell this tenant's product, by id or by SKU.
	hb := testenv.Key(f.sandboxB)
	for _, item := range []map[string]any{{"product_id": p, "quantity": "1"}, {"sku": "MUG", "quantity": "1"}} {
		f.Expect(f.Do("POST", sandbox+"/invoices", map[string]any{"currency": "EUR", "items": []any{item}}, hb), 422)
	}
}

// TestLastUnitsUnderConcurrentSales: 50 sales race for the last 7 units
// from five registers (so that no session lock queues them): exactly 7
// succeed, the rest are 422s naming the line, and on-hand ends at 0.
func TestLastUnitsUnderConcurrentSales(t *testing.T) {
	t.Parallel()
	f := setup(t)
	h := testenv.Key(f.sandboxA)
	p := f.product(h, map[string]any{"sku": "LAST", "name": "Last ones", "currency": "EUR", "unit_price": "3.00"})
	loc := f.Expect(f.Do("POST", sandbox+"/stock/locations", map[string]any{"name": "Shop", "code": "shop"}, h), 201).Str("data.id")
	f.Expect(f.Do("POST", sandbox+"/stock/movements", map[string]any{"product_id": p, "kind": "receipt", "quantity": 7}, h), 201)
	sessions := make([]string, 5)
	for i := range sessions {
		sessions[i] = f.Expect(f.Do("POST", sandbox+"/pos/sessions", map[string]any{"register": fmt.Sprintf("r%d", i), "currency": "EUR", "opening_float": "0"}, h), 201).Str("data.id")
	}
	const n = 50
	codes := make([]int, n)
	start := time.Now()
	var wg sync.WaitGroup
	for i := range codes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := f.Do("POST", sandbox+"/pos/sales", map[string]any{"session_id": sessions[i%len(sessions)], "items": []map[string]any{{"product_id": p, "quantity": "1"}},
				"tenders": []map[string]any{{"method": "card", "amount": "3.00"}}}, h)
			codes[i] = r.Code
			if r.Code == 422 && len(r.Errors()["items.0.quantity"]) == 0 {
				t.Errorf("a refused sale does not name the line: %s", r)
			}
		}()
	}
	wg.Wait()
	won := 0
	for _, c := range codes {
		switch c {
		case 201:
			won++
		case 422:
		default:
			t.Fatalf("codes %v", codes)
		}
	}
	sales := len(f.Expect(f.Do("GET", sandbox+"/pos/sales?limit=100", nil, h), 200).List())
	if won != 7 || sales != 7 || f.onHand(h, p, loc) != 0 {
		t.Fatalf("%d sales won (%d stored), on hand %v; want 7, 7, 0: %v", won, sales, f.onHand(h, p, loc), codes)
	}
	t.Logf("%d concurrent sales of the last 7 units from 5 registers: 7 sold, %d refused, on hand 0, in %v (%s)", n, n-won, time.Since(start).Round(time.Millisecond), testenv.Kind())
}

// TestInventoryPermissionsOnEveryPath: what each default role may do with
// products and stock, and that a sale takes stock for a cashier who may
// not read it. The stock events reach only those who may view stock; the
// admin seeing them is the canary that they exist.
func TestInventoryPermissionsOnEveryPath(t *testing.T) {
	t.Parallel()
	f := setup(t)
	h := testenv.Key(f.sandboxA)
	p := f.product(h, map[string]any{"sku": "TEA", "name": "Tea", "currency": "EUR", "unit_price": "4.00"})
	f.Expect(f.Do("POST", sandbox+"/stock/locations", map[string]any{"name": "Shop", "code": "shop"}, h), 201)
	f.Expect(f.Do("POST", sandbox+"/stock/movements", map[string]any{"product_id": p, "kind": "receipt", "quantity": 3}, h), 201)
	role := func(r string) testenv.H { _, k := f.Key(f.A.ID, policy.Sandbox, r); return testenv.Key(k) }
	cashier := testenv.Bearer(f.token(f.User(f.A.ID, "cashier@acme.test", "cashier"), "")) // a person: the role's conditions admit no key
	accountant, agent := role("accountant"), role("it-agent")

	denied := func(h testenv.H, method, path string, body any, perm string) {
		t.Helper()
		if r := f.Expect(f.Do(method, sandbox+path, body, h), 403); r.Str("permission") != perm {
			t.Errorf("%s %s: %s, want a 403 naming %s", method, path, r, perm)
		}
	}
	f.Expect(f.Do("GET", sandbox+"/products/"+p, nil, cashier), 200)
	denied(cashier, "POST", "/products", map[string]any{"sku": "X", "name": "x", "currency": "EUR", "unit_price": "1"}, inventory.ProductsCreate)
	denied(cashier, "GET", "/stock/levels", nil, inventory.StockView)
	denied(cashier, "GET", "/stock/movements?expand=data.product", nil, inventory.StockView)
	denied(accountant, "POST", "/stock/movements", map[string]any{"product_id": p, "kind": "receipt", "quantity": 1}, inventory.StockAdjust)
	denied(accountant, "PATCH", "/products/"+p, map[string]any{"name": "y"}, inventory.ProductsUpdate)
	denied(agent, "GET", "/products", nil, inventory.ProductsView)
	denied(agent, "PUT", "/products/by-external-id/x", map[string]any{"sku": "X", "name": "x", "currency": "EUR", "unit_price": "1"}, inventory.ProductsCreate)
	f.Expect(f.Do("GET", sandbox+"/stock/levels?expand=data.product", nil, accountant), 200)
	// inventory.stock.adjust alone: locations and movements by hand, no reading of stock or products.
	f.Expect(f.Do("POST", sandbox+"/admin/roles", map[string]any{"name": "adjuster", "permissions": []string{inventory.StockAdjust}}, h), 201)
	adjuster := role("adjuster")
	f.Expect(f.Do("POST", sandbox+"/stock/locations", map[string]any{"name": "Van", "code": "van"}, adjuster), 201)
	if r := f.Expect(f.Do("POST", sandbox+"/stock/locations", map[string]any{"name": "Van", "code": "van"}, adjuster), 422); len(r.Errors()["code"]) == 0 {
		t.Fatalf("a taken code for an adjuster: %s", r)
	}
	f.Expect(f.Do("POST", sandbox+"/stock/movements", map[string]any{"sku": "TEA", "kind": "receipt", "quantity": 1}, adjuster), 201)
	denied(adjuster, "GET", "/stock/levels", nil, inventory.StockView)
	denied(adjuster, "GET", "/products/"+p, nil, inventory.ProductsView)

	// The cashier rings up a sale by SKU: the stock goes, though the cashier may not read stock.
	sess := f.Expect(f.Do("POST", sandbox+"/pos/sessions", map[string]any{"register": "front", "currency": "EUR", "opening_float": "0"}, cashier), 201).Str("data.id")
	f.Expect(f.Do("POST", sandbox+"/pos/sales", map[string]any{"session_id": sess, "items": []map[string]any{{"sku": "TEA", "quantity": "2"}},
		"tenders": []map[string]any{{"method": "cash", "amount": "10.00"}}}, cashier), 201)
	if r := f.Expect(f.Do("GET", sandbox+"/stock/levels?product_id="+p, nil, accountant), 200); r.Get("data.0.on_hand") != 2.0 {
		t.Fatalf("after the cashier's sale: %s", r)
	}
	// The events feed: stock.sold for stock viewers only.
	seen := func(h testenv.H) map[string]bool {
		out := map[string]bool{}
		for _, e := range f.Expect(f.Do("GET", sandbox+"/events?limit=100", nil, h), 200).List() {
			out[e.(map[string]any)["type"].(string)] = true
		}
		return out
	}
	if s := seen(h); !s["stock.sold"] || !s["pos.sale.created"] {
		t.Fatalf("the admin does not see the sale's events: %v", s)
	}
	if s := seen(cashier); s["stock.sold"] || s["stock.adjusted"] || !s["pos.sale.created"] {
		t.Fatalf("the cashier's feed: %v", s)
	}
	if s := seen(accountant); !s["stock.sold"] || !s["product.created"] {
		t.Fatalf("the accountant's feed: %v", s)
	}
}

// TestStockEventsReachWebhooksSigned: a sale's stock.sold reaches an
// endpoint subscribed to stock.*, signed as Standard Webhooks verifies,
// with the movement as GET shows it plus the level it left; an endpoint
// whose owner key may not view stock gets nothing of it (its pos.sale.created
// delivery is the canary that it is delivered to at all).
func TestStockEventsReachWebhooksSigned(t *testing.T) {
	t.Parallel()
	f := webhooks(t)
	h := testenv.Key(f.sandboxA)
	rc, cashierRC := testenv.NewReceiver(t), testenv.NewReceiver(t)
	_, secret := f.endpoint(sandbox, f.sandboxA, rc.URL, "stock.*")
	f.Expect(f.Do("POST", sandbox+"/admin/roles", map[string]any{"name": "hooks", "permissions": []string{settings.WebhooksManage}}, h), 201)
	// A till's key: the cashier role's conditions ($user) admit no key.
	f.Expect(f.Do("POST", sandbox+"/admin/roles", map[string]any{"name": "till", "permissions": []string{pos.SalesView, pos.SalesCreate, pos.SessionsManage}}, h), 201)
	_, cashier := f.Key(f.A.ID, policy.Sandbox, "till", "hooks")
	p := f.product(h, map[string]any{"sku": "INK", "name": "Ink", "currency": "EUR", "unit_price": "6.00"})
	f.Expect(f.Do("POST", sandbox+"/stock/locations", map[string]any{"name": "Shop", "code": "shop"}, h), 201)
	f.Expect(f.Do("POST", sandbox+"/stock/movements", map[string]any{"product_id": p, "kind": "receipt", "quantity": 4}, h), 201)
	f.endpoint(sandbox, cashier, cashierRC.URL, "*")
	sess := f.Expect(f.Do("POST", sandbox+"/pos/sessions", map[string]any{"register": "front", "currency": "EUR", "opening_float": "0"}, h), 201).Str("data.id")
	f.Expect(f.Do("POST", sandbox+"/pos/sales", map[string]any{"session_id": sess, "items": []map[string]any{{"sku": "INK", "quantity": "3"}},
		"tenders": []map[string]any{{"method": "card", "amount": "18.00"}}}, h), 201)
	got := rc.WaitFor(t, 3, 5*time.Second) // stock.location.created, stock.adjusted (the receipt), stock.sold
	var sold map[string]any
	for _, d := range got {
		var ev map[string]any
		if err := json.Unmarshal([]byte(d.Body), &ev); err != nil {
			t.Fatal(err)
		}
		if ev["type"] == "stock.sold" {
			sold = ev["data"].(map[string]any)["object"].(map[string]any)
		}
	}
	if sold == nil || sold["quantity"] != -3.0 || sold["on_hand"] != 1.0 || sold["product_id"] != p || sold["sale_id"] == nil {
		t.Fatalf("stock.sold delivery: %v", got)
	}
	out := verify(t, []string{secret}, got)
	for _, line := range out {
		if !strings.HasPrefix(line, "ok") {
			t.Fatalf("standardwebhooks: %v", out)
		}
	}
	if len(out) != len(got) {
		t.Fatalf("standardwebhooks checked %d of %d deliveries: %v", len(out), len(got), out)
	}
	types := map[string]bool{}
	for _, d := range cashierRC.WaitFor(t, 2, 5*time.Second) { // pos.session.opened, pos.sale.created, …
		var ev map[string]any
		_ = json.Unmarshal([]byte(d.Body), &ev)
		types[ev["type"].(string)] = true
	}
	time.Sleep(300 * time.Millisecond) // anything later than the sale's own events would be here by now
	for _, d := range cashierRC.Got() {
		var ev map[string]any
		_ = json.Unmarshal([]byte(d.Body), &ev)
		types[ev["type"].(string)] = true
	}
	if !types["pos.sale.created"] || types["stock.sold"] || types["stock.adjusted"] {
		t.Fatalf("the cashier's endpoint got %v", types)
	}
}
