package money

import (
	"encoding/json"
	"fmt"
	"regexp"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
)

// Item is one line as a client sends it; numbers are decimal strings (or
// JSON numbers, kept as their exact text).
type Item struct {
	// ProductID or SKU name a product (invoices and POS sales only): the
	// service fills the description, unit price and tax rate left empty
	// from it before pricing.
	ProductID       *uuid.UUID `json:"product_id"`
	SKU             string     `json:"sku"`
	Description     string     `json:"description"`
	Quantity        Text       `json:"quantity"`
	UnitPrice       Text       `json:"unit_price"`
	DiscountPercent Text       `json:"discount_percent"`
	TaxRate         Text       `json:"tax_rate"`
}

// Text is a decimal as written: a JSON string, or a JSON number whose
// literal text is kept as is and never goes through a float.
type Text string

// UnmarshalJSON implements json.Unmarshaler.
func (t *Text) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*t = Text(s)
		return nil
	}
	if !json.Valid(b) || !decimalRE.Match(b) && !exponentRE.Match(b) {
		return fmt.Errorf("not a decimal")
	}
	*t = Text(b) // exponent forms are refused by ParseDecimal with a clear message
	return nil
}

var exponentRE = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?[eE][-+]?[0-9]+$`)

// Line is a computed line: amounts are strings in the currency's decimals.
type Line struct {
	ProductID       *uuid.UUID `json:"product_id,omitempty"` // the product it sells, if any
	SKU             string     `json:"sku,omitempty"`
	Description     string     `json:"description"`
	Quantity        string     `json:"quantity"`
	UnitPrice       string     `json:"unit_price"`
	DiscountPercent string     `json:"discount_percent"`
	TaxRate         string     `json:"tax_rate"`
	Subtotal        string     `json:"subtotal"` // quantity × unit price, rounded
	Discount        string     `json:"discount"` // subtotal × discount %, rounded
	Net             string     `json:"net"`      // subtotal − discount
	Tax             string     `json:"tax"`      // net × tax rate %, rounded
	Total           string     `json:"total"`    // net + tax
}

// Totals are the sums of the lines.
type Totals struct {
	Currency      string `json:"currency"`
	Lines         []Line `json:"lines"`
	Subtotal      string `json:"subtotal"`
	DiscountTotal string `json:"discount_total"`
	TaxTotal      string `json:"tax_total"`
	GrandTotal    string `json:"grand_total"`
	// Minor units, for storage; not part of the JSON.
	SubtotalMinor, DiscountMinor, TaxMinor, TotalMinor int64 `json:"-"`
}

// FieldError is a problem with one input field (dotted: items.0.quantity).
type FieldError struct {
	Field, Message string
}

// MaxItems bounds the lines of one quote or invoice.
const MaxItems = 500

// Hundred is 100, for percentages.
var Hundred = decimal.NewFromInt(100)

// Compute checks items and prices them in currency code. The rule, per
// line: subtotal = round(quantity × unit_price); discount =
// round(subtotal × discount% / 100); net = subtotal − discount; tax =
// round(net × tax% / 100); total = net + tax. Totals are plain sums of the
// lines, so the line totals always add up to the grand total.
func Compute(code string, items []Item) (Totals, []FieldError) {
	var errs []FieldError
	add := func(field, format string, a ...any) {
		errs = append(errs, FieldError{field, fmt.Sprintf(format, a...)})
	}
	cur, ok := Lookup(code)
	if code == "" {
		add("currency", "The currency field is required (ISO 4217, e.g. EUR).")
	} else if !ok {
		add("currency", "Unknown currency %q; use an ISO 4217 code such as EUR, USD or JPY.", code)
	}
	switch {
	case len(items) == 0:
		add("items", "At least one item is required.")
	case len(items) > MaxItems:
		add("items", "At most %d items.", MaxItems)
	}
	if len(errs) > 0 && !ok {
		return Totals{}, errs
	}
	t := Totals{Currency: code, Lines: []Line{}}
	var sub, disc, tax, total decimal.Decimal
	for i, it := range items {
		f := func(name string) string { return fmt.Sprintf("items.%d.%s", i, name) }
		before := len(errs)
		if it.Description == "" {
			add(f("description"), "The description is required.")
		} else if len([]rune(it.Description)) > 500 {
			add(f("description"), "The description may have at most 500 characters.")
		}
		qty, err := ParseDecimal(string(it.Quantity), 4)
		if err != nil {
			add(f("quantity"), "The quantity %s.", err)
		} else if !qty.IsPositive() {
			add(f("quantity"), "The quantity must be greater than 0.")
		}
		price, err := cur.ParseAmount(string(it.UnitPrice))
		if err != nil {
			add(f("unit_price"), "The unit price %s.", err)
		} else if price.IsNegative() {
			add(f("unit_price"), "The unit price must not be negative.")
		}
		pct := func(name string, s Text) decimal.Decimal {
			if s == "" {
				return decimal.Zero
			}
			d, err := ParseDecimal(string(s), 4)
			if err != nil {
				add(f(name), "The %s %s.", name, err)
			} else if d.IsNegative() || d.GreaterThan(Hundred) {
				add(f(name), "The %s must be between 0 and 100.", name)
			}
			return d
		}
		dp, tr := pct("discount_percent", it.DiscountPercent), pct("tax_rate", it.TaxRate)
		if len(errs) > before {
			continue
		}
		ls := cur.Round(qty.Mul(price))
		ld := cur.Round(ls.Mul(dp).Div(Hundred))
		ln := ls.Sub(ld)
		lt := cur.Round(ln.Mul(tr).Div(Hundred))
		lTotal := ln.Add(lt)
		if lTotal.GreaterThanOrEqual(MaxAmount) {
			add(f("quantity"), "The line total is too large.")
			continue
		}
		t.Lines = append(t.Lines, Line{
			ProductID: it.ProductID, SKU: it.SKU, Description: it.Description, Quantity: qty.String(), UnitPrice: cur.Format(price),
			DiscountPercent: dp.String(), TaxRate: tr.String(),
			Subtotal: cur.Format(ls), Discount: cur.Format(ld), Net: cur.Format(ln), Tax: cur.Format(lt), Total: cur.Format(lTotal),
		})
		sub, disc, tax, total = sub.Add(ls), disc.Add(ld), tax.Add(lt), total.Add(lTotal)
	}
	if len(errs) > 0 {
		return Totals{}, errs
	}
	if total.GreaterThanOrEqual(MaxAmount) {
		return Totals{}, []FieldError{{"items", "The grand total is too large."}}
	}
	t.Subtotal, t.DiscountTotal, t.TaxTotal, t.GrandTotal = cur.Format(sub), cur.Format(disc), cur.Format(tax), cur.Format(total)
	t.SubtotalMinor, t.DiscountMinor, t.TaxMinor, t.TotalMinor = cur.ToMinor(sub), cur.ToMinor(disc), cur.ToMinor(tax), cur.ToMinor(total)
	return t, nil
}
