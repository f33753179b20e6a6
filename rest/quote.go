package rest

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/cienerp/cienerp/edge"
	"github.com/cienerp/cienerp/modules/finance"
	"github.com/cienerp/cienerp/money"
	"github.com/cienerp/cienerp/openapi"
	"github.com/cienerp/cienerp/service"
)

// The public quote calculator: exact amounts, no credentials.

func init() {
	register(part{routes: (*Server).quoteRoutes, schemas: quoteSchemas})
}

func (s *Server) quoteRoutes() []edge.Route {
	return []edge.Route{
		{Method: http.MethodPost, Path: "/quote/calculate", Public: true, AtPublic: true, Handle: s.calculateQuote,
			Doc: openapi.Doc{Tag: finance.Module.Tag, Summary: "Calculate a quote (no credentials)", Description: "Prices items exactly: per line subtotal = round(quantity × unit_price), discount = round(subtotal × discount_percent / 100), net = subtotal − discount, tax = round(net × tax_rate / 100), total = net + tax, rounding half-up to the currency's minor unit; the totals are the sums of the lines. Amounts are decimal strings. Also at /public/quote/calculate. Limited per client address.", Body: "QuoteRequest", Status: 200, Data: "Quote",
				Example: quoteExample, ExampleData: quoteExampleAnswer}},
	}
}

func quoteSchemas() obj {
	return obj{
		"QuoteRequest": openapi.Object([]string{"currency", "items"}, obj{
			"currency": openapi.Str("ISO 4217 code, e.g. EUR, JPY, KWD."),
			"items":    obj{"type": "array", "minItems": 1, "maxItems": 500, "items": openapi.Ref("Item")},
		}),
		"Item": openapi.Object([]string{"description", "quantity", "unit_price"}, obj{
			"description": obj{"type": "string", "maxLength": 500}, "quantity": openapi.DecimalStr("Up to 4 decimals, greater than 0."),
			"unit_price":       openapi.DecimalStr("At most the currency's decimals (2 for EUR, 0 for JPY, 3 for KWD)."),
			"discount_percent": openapi.DecimalStr("0 to 100, default 0."), "tax_rate": openapi.DecimalStr("Percent, 0 to 100, default 0."),
		}),
		"Line": openapi.Object(nil, obj{
			"product_id": obj{"type": "string", "format": "uuid", "description": "The product the line sells (present only then)."}, "sku": obj{"type": "string", "description": "Its SKU (present only then)."},
			"description": obj{"type": "string"}, "quantity": obj{"type": "string"}, "unit_price": obj{"type": "string"},
			"discount_percent": obj{"type": "string"}, "tax_rate": obj{"type": "string"}, "subtotal": obj{"type": "string"},
			"discount": obj{"type": "string"}, "net": obj{"type": "string"}, "tax": obj{"type": "string"}, "total": obj{"type": "string"},
		}),
		"Quote": openapi.Object([]string{"currency", "lines", "grand_total"}, obj{
			"object": obj{"const": "quote"}, "currency": obj{"type": "string"}, "lines": obj{"type": "array", "items": openapi.Ref("Line")},
			"subtotal": obj{"type": "string"}, "discount_total": obj{"type": "string"}, "tax_total": obj{"type": "string"}, "grand_total": obj{"type": "string"},
		}),
	}
}

type quoteInput struct {
	Currency string       `json:"currency"`
	Items    []money.Item `json:"items"`
}

func (s *Server) calculateQuote(c *gin.Context) error {
	var in quoteInput
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	t, err := service.Quote(in.Currency, in.Items)
	if err != nil {
		return err
	}
	respond(c, http.StatusOK, gin.H{"object": "quote", "currency": t.Currency, "lines": t.Lines, "subtotal": t.Subtotal,
		"discount_total": t.DiscountTotal, "tax_total": t.TaxTotal, "grand_total": t.GrandTotal})
	return nil
}

// The worked quote example of the OpenAPI document; a test sends it and
// compares the answer.
var (
	quoteExample = obj{"currency": "EUR", "items": []obj{
		{"description": "Consulting", "quantity": "2.5", "unit_price": "120.00", "discount_percent": "10", "tax_rate": "21"},
		{"description": "Travel", "quantity": "1", "unit_price": "45.99", "tax_rate": "0"},
	}}
	quoteExampleAnswer = obj{"object": "quote", "currency": "EUR", "lines": []obj{
		{"description": "Consulting", "quantity": "2.5", "unit_price": "120.00", "discount_percent": "10", "tax_rate": "21",
			"subtotal": "300.00", "discount": "30.00", "net": "270.00", "tax": "56.70", "total": "326.70"},
		{"description": "Travel", "quantity": "1", "unit_price": "45.99", "discount_percent": "0", "tax_rate": "0",
			"subtotal": "45.99", "discount": "0.00", "net": "45.99", "tax": "0.00", "total": "45.99"},
	}, "subtotal": "345.99", "discount_total": "30.00", "tax_total": "56.70", "grand_total": "372.69"}
)
