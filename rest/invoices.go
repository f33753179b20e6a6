package rest

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/cienerp/cienerp/edge"
	"github.com/cienerp/cienerp/ent"
	"github.com/cienerp/cienerp/ent/schema"
	"github.com/cienerp/cienerp/modules/finance"
	"github.com/cienerp/cienerp/openapi"
	"github.com/cienerp/cienerp/service"
)

// Invoices: drafts, issue, void; amounts leave as decimal strings in the
// invoice's currency.

func init() {
	register(part{routes: (*Server).invoicesRoutes, schemas: invoicesSchemas, loaders: invoicesLoaders})
}

func (s *Server) invoicesRoutes() []edge.Route {
	return []edge.Route{
		{Method: http.MethodGet, Path: "/invoices", Op: finance.ViewInvoices, Handle: s.listInvoices,
			Doc: openapi.Doc{Tag: finance.Module.Tag, Summary: "List invoices, newest first", Params: []openapi.Param{limitParam, cursorParam, metadataParam,
				openapi.Query("status", "Comma-separated: draft, issued, partially_paid, paid, void.", openapi.StrSchema("")),
				openapi.Query("customer", "A customer id.", openapi.StrSchema("uuid")),
				openapi.Query("overdue", "true: issued or partially paid, due before today.", openapi.StrSchema("")),
			}, Status: 200, Data: "Invoice", List: true}},
		{Method: http.MethodPost, Path: "/invoices", Op: finance.CreateInvoice, Creates: true, Handle: s.createInvoice,
			Doc: openapi.Doc{Tag: finance.Module.Tag, Summary: "Create a draft invoice", Description: "Lines and totals are derived by the server from the items (see the quote calculator); a client cannot set totals.", Body: "InvoiceInput", Status: 201, Data: "Invoice",
				Example: obj{"currency": "EUR", "due_date": "2026-12-31", "items": quoteExample["items"]}}},
		{Method: http.MethodGet, Path: "/invoices/:id", Op: finance.ViewInvoices, Handle: s.getInvoice,
			Doc: openapi.Doc{Tag: finance.Module.Tag, Summary: "Get an invoice", Params: []openapi.Param{idParam}, Status: 200, Data: "Invoice"}},
		{Method: http.MethodPatch, Conditional: true, Path: "/invoices/:id", Op: finance.UpdateInvoice, Handle: s.updateInvoice,
			Doc: openapi.Doc{Tag: finance.Module.Tag, Summary: "Edit a draft invoice", Description: "Only drafts; items replace the lines.", Params: []openapi.Param{idParam}, Body: "InvoiceInput", Status: 200, Data: "Invoice",
				Example: obj{"notes": "Thank you for your business.", "due_date": "2026-12-31"}}},
		{Method: http.MethodPut, Path: "/invoices/by-external-id/:external_id", Op: finance.UpsertInvoice, Handle: s.upsertInvoice,
			Doc: openapi.Doc{Tag: finance.Module.Tag, Summary: "Create or update the invoice of an external id", Description: upsertDescription("invoice", finance.InvoicesCreate, finance.InvoicesUpdate) + " An issued invoice takes only metadata changes.",
				Params: []openapi.Param{externalIDParam}, Body: "InvoiceInput", Status: 200, Data: "Invoice",
				Example: obj{"currency": "EUR", "items": quoteExample["items"], "metadata": obj{"erp_doc": "SO-2026-118"}}}},
		{Method: http.MethodPost, Conditional: true, Path: "/invoices/:id/issue", Op: finance.IssueInvoice, Handle: s.issueInvoice,
			Doc: openapi.Doc{Tag: finance.Module.Tag, Summary: "Issue a draft", Description: "Assigns the gapless number of the tenant, environment and year (INV-2026-000017), the issue date, and a due date 30 days out when none was set.", Params: []openapi.Param{idParam}, Status: 200, Data: "Invoice"}},
		{Method: http.MethodPost, Conditional: true, Path: "/invoices/:id/void", Op: finance.VoidInvoice, Handle: s.voidInvoice,
			Doc: openapi.Doc{Tag: finance.Module.Tag, Summary: "Void an invoice with nothing paid", Params: []openapi.Param{idParam}, Status: 200, Data: "Invoice"}},
		{Method: http.MethodGet, Path: "/invoices/:id/payments", Op: finance.ViewPayments, Handle: s.invoicePayments,
			Doc: openapi.Doc{Tag: finance.Module.Tag, Summary: "List an invoice's payments", Params: []openapi.Param{idParam}, Status: 200, Data: "Payment", List: true}},
	}
}

func invoicesSchemas() obj {
	return obj{
		"InvoiceItem": openapi.Object([]string{"quantity"}, obj{
			"product_id":  obj{"type": "string", "format": "uuid", "description": "A product (inventory.products.view): description, unit_price and tax_rate default from it; the quantity is whole units, taken from stock when the invoice is issued (a POS sale: when rung up)."},
			"sku":         obj{"type": "string", "description": "The product by SKU instead of product_id."},
			"description": obj{"type": "string", "maxLength": 500, "description": "Required without a product."}, "quantity": openapi.DecimalStr("Up to 4 decimals, greater than 0; whole units for a product."),
			"unit_price":       openapi.DecimalStr("Required without a product; at most the currency's decimals."),
			"discount_percent": openapi.DecimalStr("0 to 100, default 0."), "tax_rate": openapi.DecimalStr("Percent, 0 to 100; default 0, or the product's."),
		}),
		"Invoice": openapi.Object([]string{"id", "status", "currency", "total", "balance"}, obj{"metadata": openapi.Ref("Metadata"), "external_id": openapi.Nullable("string", "", "The id in another system (unique per tenant, environment and type): upsert with PUT …/by-external-id/{external_id}."),
			"id": openapi.UUID, "object": obj{"const": "invoice"}, "number": openapi.Nullable("string", "", "INV-2026-000017 once issued."),
			"status":      openapi.Enum("", "draft", "issued", "partially_paid", "paid", "void"),
			"customer_id": openapi.Nullable("string", "uuid", ""), "currency": obj{"type": "string"}, "created_by": openapi.Str("Who created it: user:<id>, key:<id> or cli."), "lines": obj{"type": "array", "items": openapi.Ref("Line")},
			"subtotal": obj{"type": "string"}, "discount_total": obj{"type": "string"}, "tax_total": obj{"type": "string"},
			"total": obj{"type": "string"}, "amount_paid": obj{"type": "string"}, "balance": obj{"type": "string"},
			"issue_date": openapi.Nullable("string", "date", ""), "due_date": openapi.Nullable("string", "date", ""), "notes": obj{"type": "string"},
			"voided_at": openapi.Nullable("string", "date-time", ""), "environment": openapi.Env, "created_at": openapi.Time, "updated_at": openapi.Time,
		}),
		"InvoiceInput": openapi.Object(nil, obj{"metadata": openapi.Ref("MetadataInput"), "external_id": openapi.ExternalIDInput,
			"customer_id": openapi.Nullable("string", "uuid", ""), "currency": openapi.Str("Defaults to the customer's currency."),
			"items": obj{"type": "array", "items": openapi.Ref("InvoiceItem")}, "due_date": openapi.Nullable("string", "date", "YYYY-MM-DD."), "notes": openapi.TextMax(schema.MaxNotes, ""),
		}),
	}
}

func (s *Server) createInvoice(c *gin.Context) error {
	return create(c, func(in service.InvoiceInput) (*ent.Invoice, error) {
		return s.svc.CreateInvoice(c.Request.Context(), in)
	}, service.InvoiceObject)
}

func (s *Server) getInvoice(c *gin.Context) error {
	return byID(c, "invoice", func(id uuid.UUID) (*ent.Invoice, error) { return s.svc.GetInvoice(c.Request.Context(), id) }, service.InvoiceObject)
}

func (s *Server) updateInvoice(c *gin.Context) error {
	return byIDWithBody(c, "invoice", func(id uuid.UUID, in service.InvoiceInput) (*ent.Invoice, error) {
		return s.svc.UpdateInvoice(c.Request.Context(), id, in)
	}, service.InvoiceObject)
}

func (s *Server) upsertInvoice(c *gin.Context) error {
	return upsertByExternalID[service.InvoiceInput](c, finance.CreateInvoice, finance.UpdateInvoice, s.svc.InvoiceByExternalID,
		s.svc.CreateInvoice, s.svc.UpdateInvoice, service.InvoiceObject)
}

func (s *Server) issueInvoice(c *gin.Context) error {
	return byID(c, "invoice", func(id uuid.UUID) (*ent.Invoice, error) { return s.svc.IssueInvoice(c.Request.Context(), id) }, service.InvoiceObject)
}

func (s *Server) voidInvoice(c *gin.Context) error {
	return byID(c, "invoice", func(id uuid.UUID) (*ent.Invoice, error) { return s.svc.VoidInvoice(c.Request.Context(), id) }, service.InvoiceObject)
}

func (s *Server) listInvoices(c *gin.Context) error {
	verr := &service.ValidationError{}
	f := service.InvoiceFilter{Statuses: splitList(c.Query("status")), Customer: c.Query("customer"), Limit: queryLimit(c, verr), Cursor: c.Query("cursor"),
		Overdue: c.Query("overdue") == "true" || c.Query("overdue") == "1", Metadata: c.QueryMap("metadata")}
	if err := verr.OrNil(); err != nil {
		return err
	}
	page, err := s.svc.ListInvoices(c.Request.Context(), f)
	if err != nil {
		return err
	}
	respondList(c, mapSlice(page.Items, service.InvoiceObject), Meta{Limit: f.Limit, HasMore: page.HasMore, NextCursor: page.NextCursor})
	return nil
}

// invoicesLoaders read what an invoice embeds (its declared relations).
var invoicesLoaders = map[string]loader{
	"Invoice.customer": (*service.Service).RelatedCustomers,
	"Invoice.payments": (*service.Service).RelatedPayments,
}
