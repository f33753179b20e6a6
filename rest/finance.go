package rest

import (
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/cienerp/cienerp/ent"
	"github.com/cienerp/cienerp/ent/invoice"
	"github.com/cienerp/cienerp/money"
	"github.com/cienerp/cienerp/service"
)

// Amounts leave as decimal strings in the object's currency.

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

func customerView(cu *ent.Customer) gin.H {
	return gin.H{"id": cu.ID, "object": "customer", "name": cu.Name, "email": cu.Email, "phone": cu.Phone, "tax_id": cu.TaxID,
		"address": cu.Address, "currency": cu.Currency, "notes": cu.Notes, "environment": cu.Env, "created_at": cu.CreatedAt, "updated_at": cu.UpdatedAt}
}

func invoiceView(i *ent.Invoice) gin.H {
	f := func(n int64) string { return money.FormatMinorIn(i.Currency, n) }
	return gin.H{"id": i.ID, "object": "invoice", "number": i.Number, "status": i.Status, "customer_id": i.CustomerID,
		"currency": i.Currency, "lines": i.Lines, "subtotal": f(i.SubtotalMinor), "discount_total": f(i.DiscountMinor),
		"tax_total": f(i.TaxMinor), "total": f(i.TotalMinor), "amount_paid": f(i.PaidMinor), "balance": f(i.TotalMinor - i.PaidMinor),
		"issue_date": dateOnly(i.IssueDate), "due_date": dateOnly(i.DueDate), "notes": i.Notes, "voided_at": i.VoidedAt,
		"environment": i.Env, "created_at": i.CreatedAt, "updated_at": i.UpdatedAt}
}

func dateOnly(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := t.UTC().Format(time.DateOnly)
	return &s
}

func paymentView(p *ent.Payment) gin.H {
	return gin.H{"id": p.ID, "object": "payment", "invoice_id": p.InvoiceID, "currency": p.Currency,
		"amount": money.FormatMinorIn(p.Currency, p.AmountMinor), "amount_refunded": money.FormatMinorIn(p.Currency, p.RefundedMinor), "status": service.PaymentStatus(p),
		"method": p.Method, "reference": p.Reference, "sale_id": p.SaleID, "created_by": p.CreatedBy, "environment": p.Env, "created_at": p.CreatedAt}
}

func sessionView(p *ent.PosSession) gin.H {
	f := func(n int64) string { return money.FormatMinorIn(p.Currency, n) }
	out := gin.H{"id": p.ID, "object": "pos_session", "register": p.Register, "currency": p.Currency, "status": p.Status,
		"opening_float": f(p.OpeningFloatMinor), "cash_sales": f(p.CashInMinor), "expected_cash": f(service.SessionExpected(p)),
		"counted_cash": nil, "over_short": nil, "opened_by": p.OpenedBy, "closed_by": p.ClosedBy, "opened_at": p.CreatedAt, "closed_at": p.ClosedAt}
	if p.CountedMinor != nil {
		out["counted_cash"] = f(*p.CountedMinor)
		out["over_short"] = f(*p.CountedMinor - service.SessionExpected(p))
	}
	return out
}

func saleView(s *service.Sale) gin.H {
	inv := s.Invoice
	return gin.H{"id": s.ID, "object": "pos_sale", "receipt_number": s.ReceiptNumber, "session_id": s.SessionID, "invoice_id": s.InvoiceID,
		"currency": s.Currency, "lines": inv.Lines, "subtotal": money.FormatMinorIn(inv.Currency, inv.SubtotalMinor),
		"discount_total": money.FormatMinorIn(inv.Currency, inv.DiscountMinor), "tax_total": money.FormatMinorIn(inv.Currency, inv.TaxMinor),
		"total": money.FormatMinorIn(s.Currency, s.TotalMinor), "tenders": s.Tenders, "change": money.FormatMinorIn(s.Currency, s.ChangeMinor),
		"payments": mapSlice(s.Payments, paymentView), "created_by": s.CreatedBy, "environment": s.Env, "created_at": s.CreatedAt}
}

// create runs a creating service call on a decoded body and answers 201.
func create[In, Out any](c *gin.Context, call func(In) (Out, error), view func(Out) gin.H) error {
	var in In
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	out, err := call(in)
	if err != nil {
		return err
	}
	respond(c, http.StatusCreated, view(out))
	return nil
}

// byID runs a service call on the :id of the path and answers 200.
func byID[Out any](c *gin.Context, entity string, call func(uuid.UUID) (Out, error), view func(Out) gin.H) error {
	id, err := pathID(c, entity)
	if err != nil {
		return err
	}
	out, err := call(id)
	if err != nil {
		return err
	}
	respond(c, http.StatusOK, view(out))
	return nil
}

// byIDWithBody is byID with a decoded JSON body.
func byIDWithBody[In, Out any](c *gin.Context, entity string, call func(uuid.UUID, In) (Out, error), view func(Out) gin.H) error {
	var in In
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	return byID(c, entity, func(id uuid.UUID) (Out, error) { return call(id, in) }, view)
}

func (s *Server) createCustomer(c *gin.Context) error {
	return create(c, func(in service.CustomerInput) (*ent.Customer, error) {
		return s.svc.CreateCustomer(c.Request.Context(), in)
	}, customerView)
}

func (s *Server) getCustomer(c *gin.Context) error {
	return byID(c, "customer", func(id uuid.UUID) (*ent.Customer, error) { return s.svc.GetCustomer(c.Request.Context(), id) }, customerView)
}

func (s *Server) updateCustomer(c *gin.Context) error {
	return byIDWithBody(c, "customer", func(id uuid.UUID, in service.CustomerInput) (*ent.Customer, error) {
		return s.svc.UpdateCustomer(c.Request.Context(), id, in)
	}, customerView)
}

func (s *Server) deleteCustomer(c *gin.Context) error {
	return byID(c, "customer", func(id uuid.UUID) (uuid.UUID, error) { return id, s.svc.DeleteCustomer(c.Request.Context(), id) },
		func(id uuid.UUID) gin.H { return gin.H{"id": id, "object": "customer", "deleted": true} })
}

func (s *Server) listCustomers(c *gin.Context) error {
	verr := &service.ValidationError{}
	limit := queryLimit(c, verr)
	if err := verr.OrNil(); err != nil {
		return err
	}
	page, err := s.svc.ListCustomers(c.Request.Context(), strings.TrimSpace(c.Query("q")), limit, c.Query("cursor"))
	if err != nil {
		return err
	}
	respondList(c, mapSlice(page.Items, customerView), Meta{Limit: limit, HasMore: page.HasMore, NextCursor: page.NextCursor})
	return nil
}

func (s *Server) createInvoice(c *gin.Context) error {
	return create(c, func(in service.InvoiceInput) (*ent.Invoice, error) {
		return s.svc.CreateInvoice(c.Request.Context(), in)
	}, invoiceView)
}

func (s *Server) getInvoice(c *gin.Context) error {
	return byID(c, "invoice", func(id uuid.UUID) (*ent.Invoice, error) { return s.svc.GetInvoice(c.Request.Context(), id) }, invoiceView)
}

func (s *Server) updateInvoice(c *gin.Context) error {
	return byIDWithBody(c, "invoice", func(id uuid.UUID, in service.InvoiceInput) (*ent.Invoice, error) {
		return s.svc.UpdateInvoice(c.Request.Context(), id, in)
	}, invoiceView)
}

func (s *Server) issueInvoice(c *gin.Context) error {
	return byID(c, "invoice", func(id uuid.UUID) (*ent.Invoice, error) { return s.svc.IssueInvoice(c.Request.Context(), id) }, invoiceView)
}

func (s *Server) voidInvoice(c *gin.Context) error {
	return byID(c, "invoice", func(id uuid.UUID) (*ent.Invoice, error) { return s.svc.VoidInvoice(c.Request.Context(), id) }, invoiceView)
}

func (s *Server) listInvoices(c *gin.Context) error {
	verr := &service.ValidationError{}
	f := service.InvoiceFilter{Limit: queryLimit(c, verr), Cursor: c.Query("cursor"), Overdue: c.Query("overdue") == "true" || c.Query("overdue") == "1"}
	for _, v := range splitList(c.Query("status")) {
		if invoice.StatusValidator(invoice.Status(v)) != nil {
			verr.Add("status", "Unknown status %q; use draft, issued, partially_paid, paid or void.", v)
		}
		f.Statuses = append(f.Statuses, invoice.Status(v))
	}
	if v := c.Query("customer"); v != "" {
		id, err := uuid.Parse(v)
		if err != nil {
			verr.Add("customer", "Customer must be a customer id.")
		}
		f.Customer = &id
	}
	if err := verr.OrNil(); err != nil {
		return err
	}
	page, err := s.svc.ListInvoices(c.Request.Context(), f)
	if err != nil {
		return err
	}
	respondList(c, mapSlice(page.Items, invoiceView), Meta{Limit: f.Limit, HasMore: page.HasMore, NextCursor: page.NextCursor})
	return nil
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
	respondList(c, mapSlice(ps, paymentView), Meta{})
	return nil
}

func (s *Server) createPayment(c *gin.Context) error {
	return create(c, func(in service.PaymentInput) (*ent.Payment, error) {
		return s.svc.RecordPayment(c.Request.Context(), in)
	}, paymentView)
}

func (s *Server) getPayment(c *gin.Context) error {
	return byID(c, "payment", func(id uuid.UUID) (*ent.Payment, error) { return s.svc.GetPayment(c.Request.Context(), id) }, paymentView)
}

func (s *Server) refundPayment(c *gin.Context) error {
	return byIDWithBody(c, "payment", func(id uuid.UUID, in service.RefundInput) (*ent.Payment, error) {
		return s.svc.RefundPayment(c.Request.Context(), id, in)
	}, paymentView)
}

func (s *Server) listPayments(c *gin.Context) error {
	verr := &service.ValidationError{}
	limit := queryLimit(c, verr)
	var inv *uuid.UUID
	if v := c.Query("invoice"); v != "" {
		id, err := uuid.Parse(v)
		if err != nil {
			verr.Add("invoice", "Invoice must be an invoice id.")
		}
		inv = &id
	}
	if err := verr.OrNil(); err != nil {
		return err
	}
	page, err := s.svc.ListPayments(c.Request.Context(), inv, limit, c.Query("cursor"))
	if err != nil {
		return err
	}
	respondList(c, mapSlice(page.Items, paymentView), Meta{Limit: limit, HasMore: page.HasMore, NextCursor: page.NextCursor})
	return nil
}

func (s *Server) openSession(c *gin.Context) error {
	return create(c, func(in service.OpenSessionInput) (*ent.PosSession, error) {
		return s.svc.OpenSession(c.Request.Context(), in)
	}, sessionView)
}

func (s *Server) getSession(c *gin.Context) error {
	return byID(c, "POS session", func(id uuid.UUID) (*ent.PosSession, error) { return s.svc.GetSession(c.Request.Context(), id) }, sessionView)
}

func (s *Server) closeSession(c *gin.Context) error {
	return byIDWithBody(c, "POS session", func(id uuid.UUID, in service.CloseSessionInput) (*ent.PosSession, error) {
		return s.svc.CloseSession(c.Request.Context(), id, in)
	}, sessionView)
}

func (s *Server) listSessions(c *gin.Context) error {
	verr := &service.ValidationError{}
	limit := queryLimit(c, verr)
	if err := verr.OrNil(); err != nil {
		return err
	}
	page, err := s.svc.ListSessions(c.Request.Context(), c.Query("status"), c.Query("register"), limit, c.Query("cursor"))
	if err != nil {
		return err
	}
	respondList(c, mapSlice(page.Items, sessionView), Meta{Limit: limit, HasMore: page.HasMore, NextCursor: page.NextCursor})
	return nil
}

func (s *Server) createSale(c *gin.Context) error {
	return create(c, func(in service.SaleInput) (*service.Sale, error) { return s.svc.CreateSale(c.Request.Context(), in) }, saleView)
}

func (s *Server) getSale(c *gin.Context) error {
	return byID(c, "sale", func(id uuid.UUID) (*service.Sale, error) { return s.svc.GetSale(c.Request.Context(), id) }, saleView)
}

func (s *Server) listSales(c *gin.Context) error {
	verr := &service.ValidationError{}
	limit := queryLimit(c, verr)
	var session *uuid.UUID
	if v := c.Query("session"); v != "" {
		id, err := uuid.Parse(v)
		if err != nil {
			verr.Add("session", "Session must be a POS session id.")
		}
		session = &id
	}
	if err := verr.OrNil(); err != nil {
		return err
	}
	ctx := c.Request.Context()
	page, err := s.svc.ListSales(ctx, session, limit, c.Query("cursor"))
	if err != nil {
		return err
	}
	sales, err := s.svc.SaleDetails(ctx, page.Items)
	if err != nil {
		return err
	}
	respondList(c, mapSlice(sales, saleView), Meta{Limit: limit, HasMore: page.HasMore, NextCursor: page.NextCursor})
	return nil
}
