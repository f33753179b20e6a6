// Package money computes exact amounts: decimals (never float64) with ISO
// 4217 currencies and their minor units. One rounding rule everywhere:
// half-up (away from zero) to the currency's minor unit, once per line.
package money

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/shopspring/decimal"
)

// Currency is an ISO 4217 currency with its number of minor-unit digits.
type Currency struct {
	Code  string
	Minor int32
}

// minorUnits lists the currencies we accept (ISO 4217).
var minorUnits = map[string]int32{
	"AED": 2, "ARS": 2, "AUD": 2, "BHD": 3, "BRL": 2, "CAD": 2, "CHF": 2, "CLP": 0, "CNY": 2, "COP": 2,
	"CZK": 2, "DKK": 2, "EGP": 2, "EUR": 2, "GBP": 2, "HKD": 2, "HUF": 2, "IDR": 2, "ILS": 2, "INR": 2,
	"ISK": 0, "JOD": 3, "JPY": 0, "KES": 2, "KRW": 0, "KWD": 3, "MAD": 2, "MXN": 2, "MYR": 2, "NGN": 2,
	"NOK": 2, "NZD": 2, "OMR": 3, "PEN": 2, "PHP": 2, "PKR": 2, "PLN": 2, "QAR": 2, "RON": 2, "SAR": 2,
	"SEK": 2, "SGD": 2, "THB": 2, "TND": 3, "TRY": 2, "TWD": 2, "UAH": 2, "USD": 2, "VND": 0, "ZAR": 2,
}

// Lookup finds a currency by its code (upper case).
func Lookup(code string) (Currency, bool) {
	m, ok := minorUnits[code]
	return Currency{Code: code, Minor: m}, ok
}

// Codes lists the accepted currency codes, sorted.
func Codes() []string {
	out := make([]string, 0, len(minorUnits))
	for c := range minorUnits {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}

// MaxAmount bounds every amount and quantity we accept.
var MaxAmount = decimal.New(1, 12) // 1 000 000 000 000

var decimalRE = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?$`)

// ParseDecimal reads a plain decimal string ("1234.50"): no exponent, no
// sign other than a leading minus, at most maxPlaces decimals, below
// MaxAmount in size.
func ParseDecimal(s string, maxPlaces int32) (decimal.Decimal, error) {
	s = strings.TrimSpace(s)
	if !decimalRE.MatchString(s) {
		return decimal.Zero, fmt.Errorf("must be a decimal number written as a string, e.g. \"12.50\"")
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		return decimal.Zero, fmt.Errorf("must be a decimal number written as a string, e.g. \"12.50\"")
	}
	if -d.Exponent() > maxPlaces && !d.Equal(d.Round(maxPlaces)) {
		return decimal.Zero, fmt.Errorf("may have at most %d decimal places", maxPlaces)
	}
	if d.Abs().GreaterThanOrEqual(MaxAmount) {
		return decimal.Zero, fmt.Errorf("must be less than %s", MaxAmount.String())
	}
	return d, nil
}

// Round rounds half-up (away from zero) to the currency's minor unit.
func (c Currency) Round(d decimal.Decimal) decimal.Decimal { return d.Round(c.Minor) }

// Format writes d with exactly the currency's decimals: "1234.50".
func (c Currency) Format(d decimal.Decimal) string { return d.StringFixed(c.Minor) }

// ToMinor converts a rounded amount to integer minor units (for storage).
func (c Currency) ToMinor(d decimal.Decimal) int64 { return c.Round(d).Shift(c.Minor).IntPart() }

// FromMinor converts integer minor units back to an amount.
func (c Currency) FromMinor(n int64) decimal.Decimal { return decimal.New(n, -c.Minor) }

// FormatMinor formats integer minor units: 123450 EUR -> "1234.50".
func (c Currency) FormatMinor(n int64) string { return c.Format(c.FromMinor(n)) }

// ParseAmount reads an amount in currency c: at most c.Minor decimals.
func (c Currency) ParseAmount(s string) (decimal.Decimal, error) { return ParseDecimal(s, c.Minor) }

// FormatMinorIn formats minor units of the currency with that code; an
// unknown code formats as whole units.
func FormatMinorIn(code string, n int64) string {
	c, _ := Lookup(code)
	return c.FormatMinor(n)
}
