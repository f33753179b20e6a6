package service

import (
	"context"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/cienerp/cienerp/ent"
	"github.com/cienerp/cienerp/ent/invoice"
	"github.com/cienerp/cienerp/ent/payment"
	"github.com/cienerp/cienerp/ent/predicate"
	"github.com/cienerp/cienerp/ent/schema"
	"github.com/cienerp/cienerp/modules/finance"
	"github.com/cienerp/cienerp/money"
	"github.com/cienerp/cienerp/policy"
)

// PaymentInput records money received against an invoice.
type PaymentInput struct {
	InvoiceID *uuid.UUID    `json:"invoice_id"`
	Amount    string        `json:"amount"`
	Currency  string        `json:"currency"`
	Method    string        `json:"method"`
	Reference string        `json:"reference"`
	Metadata  MetadataInput `json:"metadata"`
}

// RefundInput gives money back; an empty amount refunds what remains.
type RefundInput struct {
	Amount string `json:"amount"`
	Reason string `json:"reason"`
}

// statusFor is an issued invoice's status for what is paid on it.
func statusFor(total, paid int64) invoice.Status {
	switch {
	case paid <= 0:
		return invoice.StatusIssued
	case paid < total:
		return invoice.StatusPartiallyPaid
	}
	return invoice.StatusPaid
}

// RecordPayment pays (part of) an issued invoice. The invoice row is
// locked for the transaction, so concurrent payments see each other's
// amounts and can never overpay it.
func (s *Service) RecordPayment(ctx context.Context, in PaymentInput) (*ent.Payment, error) {
	verr := &ValidationError{}
	if in.InvoiceID == nil {
		verr.Add("invoice_id", "The invoice_id field is required.")
	}
	if payment.MethodValidator(payment.Method(in.Method)) != nil {
		verr.Add("method", "Method must be one of cash, card, bank_transfer, other.")
	}
	checkText(verr, "reference", in.Reference, schema.MaxReference)
	md := mergeMetadata(nil, in.Metadata, verr)
	if err := verr.OrNil(); err != nil {
		return nil, err
	}
	var out *ent.Payment
	err := s.inTx(ctx, func(tx *ent.Tx) error {
		i, err := s.lockInvoice(ctx, tx, *in.InvoiceID)
		if _, nf := err.(*NotFoundError); nf {
			return Invalid("invoice_id", "No such invoice in this tenant and environment.")
		}
		if err != nil {
			return err
		}
		cur, _ := money.Lookup(i.Currency)
		if in.Currency != i.Currency {
			verr.Add("currency", "The invoice is in %s; pay it in %s.", i.Currency, i.Currency)
		}
		if i.Status != invoice.StatusIssued && i.Status != invoice.StatusPartiallyPaid {
			verr.Add("invoice_id", "Only an issued, unpaid invoice can take payments; this one is %s.", i.Status)
		}
		amount, perr := cur.ParseAmount(in.Amount)
		balance := InvoiceBalance(i)
		switch {
		case perr != nil:
			verr.Add("amount", "The amount %s.", perr)
		case !amount.IsPositive():
			verr.Add("amount", "The amount must be greater than 0.")
		case cur.ToMinor(amount) > balance:
			verr.Add("amount", "The amount is more than the balance of %s %s.", cur.FormatMinor(balance), i.Currency)
		}
		if err := verr.OrNil(); err != nil {
			return err
		}
		minor := cur.ToMinor(amount)
		out, err = s.pay(ctx, tx, i, minor, payment.Method(in.Method), strings.TrimSpace(in.Reference), nil, md)
		return err
	})
	return out, err
}

// pay records a payment and moves the invoice's paid amount and status.
func (s *Service) pay(ctx context.Context, tx *ent.Tx, i *ent.Invoice, minor int64, method payment.Method, ref string, sale *uuid.UUID, md map[string]string) (*ent.Payment, error) {
	p, err := tx.Payment.Create().SetInvoiceID(i.ID).SetCurrency(i.Currency).SetAmountMinor(minor).SetMethod(method).
		SetReference(ref).SetCreatedBy(policy.FromContext(ctx).Subject).SetNillableSaleID(sale).SetMetadata(md).Save(ctx)
	if err != nil {
		return nil, err
	}
	paid := i.PaidMinor + minor
	updated, err := tx.Invoice.UpdateOne(i).SetPaidMinor(paid).SetStatus(statusFor(i.TotalMinor, paid)).Save(ctx)
	if err != nil {
		return nil, err
	}
	before := InvoiceObject(i)
	*i = *updated
	if err := record(ctx, tx, finance.PaymentCreated, "payment", p.ID.String(), nil,
		map[string]any{"invoice_id": i.ID, "amount_minor": minor, "currency": i.Currency, "method": method, "invoice_status": updated.Status}); err != nil {
		return nil, err
	}
	if err := s.emit(ctx, tx, change{Type: finance.PaymentCreated, ObjectID: p.ID.String(), Object: PaymentObject(p)}); err != nil {
		return nil, err
	}
	paidEvent := finance.InvoicePartiallyPaid
	if updated.Status == invoice.StatusPaid {
		paidEvent = finance.InvoicePaid
	}
	return p, s.emit(ctx, tx, change{Type: paidEvent, ObjectID: i.ID.String(), Object: InvoiceObject(updated), Before: before})
}

// PaymentStatus is succeeded, partially_refunded or refunded.
func PaymentStatus(p *ent.Payment) string {
	switch {
	case p.RefundedMinor == p.AmountMinor:
		return "refunded"
	case p.RefundedMinor > 0:
		return "partially_refunded"
	}
	return "succeeded"
}

// RefundPayment gives back all or part of a payment; the invoice balance
// reopens by the same amount.
func (s *Service) RefundPayment(ctx context.Context, id uuid.UUID, in RefundInput) (*ent.Payment, error) {
	verr := &ValidationError{}
	if checkText(verr, "reason", in.Reason, schema.MaxReviewNote); verr.OrNil() != nil {
		return nil, verr // before the invoice is locked
	}
	var out *ent.Payment
	err := s.inTx(ctx, func(tx *ent.Tx) error {
		p, err := tx.Payment.Get(ctx, id)
		if ent.IsNotFound(err) {
			return &NotFoundError{Entity: "payment"}
		}
		if err != nil {
			return err
		}
		// The payment's own invoice changes with it, whatever the viewer may
		// read or edit of invoices otherwise.
		sys := schema.BypassPermissions(ctx, "a refund reopens its own invoice, whatever the viewer may do with invoices otherwise")
		i, err := s.lockInvoice(sys, tx, p.InvoiceID) // serialises refunds and payments of the invoice
		if err != nil {
			return err
		}
		if p, err = tx.Payment.Get(ctx, id); err != nil { // re-read under the lock
			return err
		}
		cur, _ := money.Lookup(p.Currency)
		left := p.AmountMinor - p.RefundedMinor
		minor := left
		if in.Amount != "" {
			amount, perr := cur.ParseAmount(in.Amount)
			switch {
			case perr != nil:
				return Invalid("amount", "The amount %s.", perr)
			case !amount.IsPositive():
				return Invalid("amount", "The amount must be greater than 0.")
			}
			minor = cur.ToMinor(amount)
		}
		if left == 0 {
			return Invalid("id", "This payment is fully refunded already.")
		}
		if minor > left {
			return Invalid("amount", "At most %s %s of this payment can be refunded.", cur.FormatMinor(left), p.Currency)
		}
		if out, err = tx.Payment.UpdateOne(p).SetRefundedMinor(p.RefundedMinor + minor).Save(ctx); err != nil {
			return err
		}
		paid := i.PaidMinor - minor
		reopened, err := tx.Invoice.UpdateOne(i).SetPaidMinor(paid).SetStatus(statusFor(i.TotalMinor, paid)).Save(sys)
		if err == nil && paid == 0 { // refunded in full: the goods came back
			err = s.returnStock(ctx, tx, i.ID, "invoice "+invoiceLabel(i)+" refunded in full")
		}
		if err != nil {
			return err
		}
		if err := record(ctx, tx, finance.PaymentRefunded, "payment", p.ID.String(), map[string]any{"refunded_minor": p.RefundedMinor},
			map[string]any{"refunded_minor": out.RefundedMinor, "reason": strings.TrimSpace(in.Reason)}); err != nil {
			return err
		}
		if err := s.emit(ctx, tx, change{Type: finance.PaymentRefunded, ObjectID: p.ID.String(), Object: PaymentObject(out), Before: PaymentObject(p)}); err != nil {
			return err
		}
		return s.emit(ctx, tx, change{Type: finance.InvoiceUpdated, ObjectID: i.ID.String(), Object: InvoiceObject(reopened), Before: InvoiceObject(i)})
	})
	return out, err
}

// GetPayment reads one payment.
func (s *Service) GetPayment(ctx context.Context, id uuid.UUID) (*ent.Payment, error) {
	p, err := s.Client.Payment.Get(ctx, id)
	if ent.IsNotFound(err) {
		return nil, &NotFoundError{Entity: "payment"}
	}
	return p, err
}

// ListPayments pages through payments, newest first.
func (s *Service) ListPayments(ctx context.Context, invoice string, metadata map[string]string, limit int, cur string) (*Page[*ent.Payment], error) {
	after, err := pageArgs(limit, cur, "payments")
	verr := validationOf(err)
	invoiceID := idParam("invoice", "an invoice", invoice, verr)
	meta := MetadataFilter[predicate.Payment](metadata, verr)
	if err := verr.OrNil(); err != nil {
		return nil, err
	}
	q := s.Client.Payment.Query().Where(meta...)
	if invoiceID != nil {
		q.Where(payment.InvoiceID(*invoiceID))
	}
	if after != nil {
		q.Where(afterNewest(*after))
	}
	rows, err := q.Order(ent.Desc(payment.FieldCreatedAt), ent.Desc(payment.FieldID)).Limit(limit + 1).All(ctx)
	if err != nil {
		return nil, err
	}
	return pageOf(rows, limit, "payments", func(p *ent.Payment) (time.Time, uuid.UUID) { return p.CreatedAt, p.ID }), nil
}

func PaymentObject(p *ent.Payment) map[string]any {
	return map[string]any{"id": p.ID, "object": "payment", "invoice_id": p.InvoiceID, "currency": p.Currency,
		"amount": money.FormatMinorIn(p.Currency, p.AmountMinor), "amount_refunded": money.FormatMinorIn(p.Currency, p.RefundedMinor), "status": PaymentStatus(p),
		"method": p.Method, "reference": p.Reference, "sale_id": p.SaleID, "created_by": p.CreatedBy, "environment": p.Env, "created_at": p.CreatedAt,
		"metadata": MetadataView(p.Metadata)}
}

// RelatedPayments are the payments of each invoice, oldest first.
func (s *Service) RelatedPayments(ctx context.Context, invoices []uuid.UUID) (map[uuid.UUID]any, error) {
	lists, err := s.PaymentsOfInvoices(ctx, invoices)
	return listViews(lists, err, PaymentObject)
}
