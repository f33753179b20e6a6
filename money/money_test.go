package money

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/shopspring/decimal"
)

func TestRoundingPerCurrency(t *testing.T) {
	t.Parallel()
	cases := []struct {
		code, items, price, want string
	}{
		{"EUR", "3", "0.335", ""}, // too many decimals for EUR
		{"EUR", "1", "0.005", ""},
		{"EUR", "3", "0.33", "0.99"},
		{"JPY", "3", "333", "999"},
		{"KWD", "1.5", "1.333", "2.000"}, // 1.9995 rounds half-up to 2.000
		{"EUR", "0.5", "0.05", "0.03"},   // 0.025 rounds half-up
		{"JPY", "0.5", "1", "1"},         // 0.5 rounds half-up
	}
	for _, c := range cases {
		tot, errs := Compute(c.code, []Item{{Description: "x", Quantity: Text(c.items), UnitPrice: Text(c.price)}})
		if c.want == "" {
			if len(errs) == 0 || errs[0].Field != "items.0.unit_price" {
				t.Errorf("%s %s×%s: want a unit_price error, got %v %v", c.code, c.items, c.price, tot.GrandTotal, errs)
			}
			continue
		}
		if len(errs) > 0 || tot.GrandTotal != c.want {
			t.Errorf("%s %s×%s = %s (%v), want %s", c.code, c.items, c.price, tot.GrandTotal, errs, c.want)
		}
	}
}

func TestWorkedExample(t *testing.T) {
	t.Parallel()
	tot, errs := Compute("EUR", []Item{
		{Description: "Consulting", Quantity: "2.5", UnitPrice: "120.00", DiscountPercent: "10", TaxRate: "21"},
		{Description: "Travel", Quantity: "1", UnitPrice: "45.99", TaxRate: "0"},
	})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	// 2.5 × 120 = 300.00; discount 30.00; net 270.00; tax 56.70; total 326.70.
	got := fmt.Sprintf("%s %s %s %s | %s %s %s %s", tot.Lines[0].Subtotal, tot.Lines[0].Discount, tot.Lines[0].Tax, tot.Lines[0].Total,
		tot.Subtotal, tot.DiscountTotal, tot.TaxTotal, tot.GrandTotal)
	if want := "300.00 30.00 56.70 326.70 | 345.99 30.00 56.70 372.69"; got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
	if tot.TotalMinor != 37269 {
		t.Fatalf("minor units %d", tot.TotalMinor)
	}
}

// TestLinesAlwaysAddUp checks on random input that the line totals sum to
// the grand total, subtotal − discounts + tax = grand total, and every
// amount has exactly the currency's decimals.
func TestLinesAlwaysAddUp(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	codes := []string{"EUR", "JPY", "KWD", "USD", "CLP", "BHD"}
	for round := 0; round < 2000; round++ {
		code := codes[rng.IntN(len(codes))]
		cur, _ := Lookup(code)
		var items []Item
		for i := 0; i < 1+rng.IntN(8); i++ {
			price := decimal.New(rng.Int64N(1_000_000), -cur.Minor)
			qty := decimal.New(1+rng.Int64N(10_000), -int32(rng.IntN(5)))
			items = append(items, Item{Description: "item", Quantity: Text(qty.String()), UnitPrice: Text(cur.Format(price)),
				DiscountPercent: Text(decimal.New(rng.Int64N(10001), -2).String()), TaxRate: Text(decimal.New(rng.Int64N(3001), -2).String())})
		}
		tot, errs := Compute(code, items)
		if len(errs) > 0 {
			t.Fatalf("round %d: %v", round, errs)
		}
		sum := decimal.Zero
		for _, l := range tot.Lines {
			lt, _ := decimal.NewFromString(l.Total)
			sum = sum.Add(lt)
			for _, a := range []string{l.Subtotal, l.Discount, l.Net, l.Tax, l.Total} {
				if d, _ := decimal.NewFromString(a); a != d.StringFixed(cur.Minor) {
					t.Fatalf("%s amount %q does not have %d decimals", code, a, cur.Minor)
				}
			}
		}
		grand, _ := decimal.NewFromString(tot.GrandTotal)
		sub, _ := decimal.NewFromString(tot.Subtotal)
		disc, _ := decimal.NewFromString(tot.DiscountTotal)
		tax, _ := decimal.NewFromString(tot.TaxTotal)
		if !sum.Equal(grand) || !sub.Sub(disc).Add(tax).Equal(grand) || cur.FromMinor(tot.TotalMinor).Cmp(grand) != 0 {
			t.Fatalf("round %d (%s): lines %s, grand %s, sub-disc+tax %s", round, code, sum, grand, sub.Sub(disc).Add(tax))
		}
	}
}

func TestBadInputNamesTheField(t *testing.T) {
	t.Parallel()
	_, errs := Compute("XXX", []Item{{Quantity: "1", UnitPrice: "1"}})
	if len(errs) == 0 || errs[0].Field != "currency" {
		t.Fatalf("unknown currency: %v", errs)
	}
	_, errs = Compute("EUR", []Item{
		{Description: "a", Quantity: "-1", UnitPrice: "1.00"},
		{Description: "b", Quantity: "1", UnitPrice: "1e3"},
		{Description: "c", Quantity: "1", UnitPrice: "99999999999999.00"},
		{Description: "d", Quantity: "1", UnitPrice: "1.00", TaxRate: "101"},
		{Description: "", Quantity: "abc", UnitPrice: "1.00"},
	})
	want := map[string]bool{"items.0.quantity": true, "items.1.unit_price": true, "items.2.unit_price": true, "items.3.tax_rate": true, "items.4.description": true, "items.4.quantity": true}
	for _, e := range errs {
		if !want[e.Field] {
			t.Errorf("unexpected error %v", e)
		}
		delete(want, e.Field)
	}
	if len(want) > 0 {
		t.Fatalf("missing errors for %v (got %v)", want, errs)
	}
}

// TestNoFloatInMoneyPaths fails when a float type or conversion appears
// in the money code or the finance domain code.
func TestNoFloatInMoneyPaths(t *testing.T) {
	t.Parallel()
	files, _ := filepath.Glob("*.go")
	more, _ := filepath.Glob("../service/finance*.go")
	pos, _ := filepath.Glob("../service/pos*.go")
	for _, f := range append(append(files, more...), pos...) {
		if filepath.Base(f) == "money_test.go" {
			continue
		}
		file, err := parser.ParseFile(token.NewFileSet(), f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(file, func(n ast.Node) bool {
			if id, ok := n.(*ast.Ident); ok && (id.Name == "float64" || id.Name == "float32" || id.Name == "NewFromFloat" || id.Name == "InexactFloat64") {
				t.Errorf("%s uses %s", f, id.Name)
			}
			return true
		})
	}
}
