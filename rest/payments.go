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

// Payments against issued invoices, and refunds.

func init() {
	register(part{routes: (*Server).paymentsRoutes, schemas: paymentsSchemas, loaders: paymentsLoaders})
}

func (s *Server) paymentsRoutes() []edge.Route {
	return []edge.Route{
		{Method: http.MethodGet, Path: "/payments", Op: finance.ViewPayments, Handle: s.listPayments,
			Doc: openapi.Doc{Tag: finance.Module.Tag, Summary: "List payments, newest first", Params: []openapi.Param{limitParam, cursorParam, metadataParam, openapi.Query("invoice", "An invoice id.", openapi.StrSchema("uuid"))}, Status: 200, Data: "Payment", List: true}},
		{Method: http.MethodPost, Path: "/payments", Op: finance.RecordPayment, Creates: true, Handle: s.createPayment,
			Doc: openapi.Doc{Tag: finance.Module.Tag, Summary: "Record a payment", Description: "Against an issued invoice, in its currency; more than 0 and at most the balance. Concurrent payments never overpay: the invoice is locked while one is recorded.", Body: "PaymentInput", Status: 201, Data: "Payment",
				Example: obj{"invoice_id": exampleID, "amount": "10.00", "currency": "EUR", "method": "bank_transfer", "reference": "SEPA 2026-11-30"}}},
		{Method: http.MethodGet, Path: "/payments/:id", Op: finance.ViewPayments, Handle: s.getPayment,
			Doc: openapi.Doc{Tag: finance.Module.Tag, Summary: "Get a payment", Params: []openapi.Param{idParam}, Status: 200, Data: "Payment"}},
		{Method: http.MethodPost, Path: "/payments/:id/refund", Op: finance.RefundPayment, Creates: true, Handle: s.refundPayment,
			Doc: openapi.Doc{Tag: finance.Module.Tag, Summary: "Refund a payment, fully or partly", Description: "The invoice balance reopens by the refunded amount.", Params: []openapi.Param{idParam}, Body: "RefundInput", Status: 200, Data: "Payment",
				Example: obj{"amount": "5.00", "reason": "Damaged item"}}},
	}
}

func paymentsSchemas() obj {
	return obj{
		"Payment": openapi.Object([]string{"id", "invoice_id", "amount", "currency", "method"}, obj{"metadata": openapi.Ref("Metadata"),
			"id": openapi.UUID, "object": obj{"const": "payment"}, "invoice_id": openapi.UUID, "currency": obj{"type": "string"},
			"amount": obj{"type": "string"}, "amount_refunded": obj{"type": "string"}, "status": openapi.Enum("", "succeeded", "partially_refunded", "refunded"),
			"method": openapi.Enum("", "cash", "card", "bank_transfer", "other"), "reference": obj{"type": "string"},
			"sale_id": openapi.Nullable("string", "uuid", ""), "created_by": obj{"type": "string"}, "environment": openapi.Env, "created_at": openapi.Time,
		}),
		"PaymentInput": openapi.Object([]string{"invoice_id", "amount", "currency", "method"}, obj{"metadata": openapi.Ref("MetadataInput"),
			"invoice_id": openapi.UUID, "amount": openapi.DecimalStr("More than 0, at most the balance."), "currency": openapi.Str("The invoice's currency."),
			"method": openapi.Enum("", "cash", "card", "bank_transfer", "other"), "reference": openapi.TextMax(schema.MaxReference, ""),
		}),
		"RefundInput": openapi.Object(nil, obj{"amount": openapi.DecimalStr("Default: all that is left."), "reason": obj{"type": "string"}}),
	}
}

func (s *Server) invoicePayments(c *gin.Context) error {
	id, err := pathID(c, "invoice")
	if err != nil {
		return err
	}
	ps, err := s.svc.InvoicePayments(c.Request.Context(), id)
	if err != nil {
		return err
	}
	respondList(c, mapSlice(ps, service.PaymentObject), Meta{})
	return nil
}

func (s *Server) createPayment(c *gin.Context) error {
	return create(c, func(in service.PaymentInput) (*ent.Payment, error) {
		return s.svc.RecordPayment(c.Request.Context(), in)
	}, service.PaymentObject)
}

func (s *Server) getPayment(c *gin.Context) error {
	return byID(c, "payment", func(id uuid.UUID) (*ent.Payment, error) { return s.svc.GetPayment(c.Request.Context(), id) }, service.PaymentObject)
}

func (s *Server) refundPayment(c *gin.Context) error {
	return byIDWithBody(c, "payment", func(id uuid.UUID, in service.RefundInput) (*ent.Payment, error) {
		return s.svc.RefundPayment(c.Request.Context(), id, in)
	}, service.PaymentObject)
}

func (s *Server) listPayments(c *gin.Context) error {
	verr := &service.ValidationError{}
	limit := queryLimit(c, verr)
	if err := verr.OrNil(); err != nil {
		return err
	}
	page, err := s.svc.ListPayments(c.Request.Context(), c.Query("invoice"), c.QueryMap("metadata"), limit, c.Query("cursor"))
	if err != nil {
		return err
	}
	respondList(c, mapSlice(page.Items, service.PaymentObject), Meta{Limit: limit, HasMore: page.HasMore, NextCursor: page.NextCursor})
	return nil
}

// paymentsLoaders read what a payment embeds (its declared relations).
var paymentsLoaders = map[string]loader{
	"Payment.invoice": (*service.Service).RelatedInvoices,
	"Payment.sale":    (*service.Service).RelatedSales,
}
