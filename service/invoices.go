package service

import (
	"context"
	"fmt"
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

// InvoiceInput creates a draft or edits one; totals are always derived by
// the server from the items.
type InvoiceInput struct {
	CustomerID Opt[uuid.UUID]    `json:"customer_id"`
	Currency   Opt[string]       `json:"currency"`
	Items      Opt[[]money.Item] `json:"items"`
	DueDate    Opt[string]       `json:"due_date"` // YYYY-MM-DD
	Notes      Opt[string]       `json:"notes"`
	// Metadata is merged into the invoice's (a null value deletes a key);
	// it and the external id may change after the draft too.
	Metadata   MetadataInput `json:"metadata"`
	ExternalID Opt[string]   `json:"external_id"` // null removes it
}

// ExternalIDField is the input's external id, which an upsert sets from
// its path.
func (in *InvoiceInput) ExternalIDField() *Opt[string] { return &in.ExternalID }

// content reports whether in changes what the invoice bills (only drafts
// may), rather than only its metadata or external id.
func (in InvoiceInput) content() bool {
	return in.CustomerID.Set || in.Currency.Set || in.Items.Set || in.DueDate.Set || in.Notes.Set
}

// invoiceExternalID refuses an external id another invoice holds.
func invoiceExternalID(ctx context.Context, tx *ent.Tx, id *string, self uuid.UUID) error {
	if id == nil {
		return nil
	}
	taken, err := tx.Invoice.Query().Where(invoice.ExternalID(*id), invoice.IDNEQ(self)).Exist(ctx)
	return takenExternalID("invoice", *id, taken, err)
}

// DefaultTermDays is the due date of an issued invoice without one.
const DefaultTermDays = 30

// Quote prices items without storing anything: the arithmetic of invoices.
func Quote(currency string, items []money.Item) (money.Totals, error) {
	verr := &ValidationError{}
	for i, it := range items {
		if it.ProductID != nil || it.SKU != "" {
			verr.Add(fmt.Sprintf("items.%d.product_id", i), "The public quote knows no products; give description and unit_price (an invoice or a POS sale may name products).")
		}
	}
	if err := verr.OrNil(); err != nil {
		return money.Totals{}, err
	}
	t, errs := money.Compute(strings.ToUpper(currency), items)
	priceErrors(errs, verr)
	return t, verr.OrNil()
}

func priceErrors(errs []money.FieldError, verr *ValidationError) {
	for _, e := range errs {
		verr.Add(e.Field, "%s", e.Message)
	}
}

func parseDate(field, s string, verr *ValidationError) *time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		verr.Add(field, "The %s must be a date like 2026-12-31.", field)
		return nil
	}
	return &t
}

// CreateInvoice creates a draft.
func (s *Service) CreateInvoice(ctx context.Context, in InvoiceInput) (*ent.Invoice, error) {
	verr := &ValidationError{}
	checkText(verr, "notes", in.Notes.V, schema.MaxNotes)
	checkExternalID(in.ExternalID.Ptr(), verr)
	md := mergeMetadata(nil, in.Metadata, verr)
	var out *ent.Invoice
	err := s.inTx(ctx, func(tx *ent.Tx) error {
		if err := invoiceExternalID(ctx, tx, in.ExternalID.Ptr(), uuid.Nil); err != nil {
			return err
		}
		cur := in.Currency.V
		if in.CustomerID.Set && !in.CustomerID.Null {
			c, err := getCustomer(ctx, tx.Client(), in.CustomerID.V)
			if err != nil {
				verr.Add("customer_id", "No such customer in this tenant and environment.")
			} else if cur == "" {
				cur = c.Currency
			}
		}
		items, err := productItems(ctx, tx, &cur, in.Items.V, verr)
		if err != nil {
			return err
		}
		totals, errs := money.Compute(cur, items)
		priceErrors(errs, verr)
		var due *time.Time
		if in.DueDate.Set && !in.DueDate.Null {
			due = parseDate("due_date", in.DueDate.V, verr)
		}
		if err := verr.OrNil(); err != nil {
			return err
		}
		c := tx.Invoice.Create().SetCurrency(totals.Currency).SetLines(totals.Lines).
			SetSubtotalMinor(totals.SubtotalMinor).SetDiscountMinor(totals.DiscountMinor).SetTaxMinor(totals.TaxMinor).
			SetTotalMinor(totals.TotalMinor).SetNillableDueDate(due).SetNotes(in.Notes.V).
			SetCreatedBy(policy.FromContext(ctx).Subject).SetNillableExternalID(in.ExternalID.Ptr()).SetMetadata(md)
		if in.CustomerID.Set && !in.CustomerID.Null {
			c.SetCustomerID(in.CustomerID.V)
		}
		if out, err = c.Save(ctx); err != nil {
			return err
		}
		if err := record(ctx, tx, finance.InvoiceCreated, "invoice", out.ID.String(), nil, invoiceAudit(out)); err != nil {
			return err
		}
		return s.emit(ctx, tx, change{Type: finance.InvoiceCreated, ObjectID: out.ID.String(), Object: InvoiceObject(out)})
	})
	return out, err
}

func invoiceAudit(i *ent.Invoice) map[string]any {
	return map[string]any{"number": i.Number, "status": i.Status, "currency": i.Currency, "total_minor": i.TotalMinor,
		"paid_minor": i.PaidMinor, "customer_id": i.CustomerID, "due_date": i.DueDate, "lines": len(i.Lines)}
}

// lockInvoice reads an invoice for a change: concurrent payments and
// issues of it queue.
func (s *Service) lockInvoice(ctx context.Context, tx *ent.Tx, id uuid.UUID) (*ent.Invoice, error) {
	return lockRow(s, ctx, tx.Invoice.Query().Where(invoice.ID(id)), "invoice", InvoiceObject)
}

// GetInvoice reads one invoice.
func (s *Service) GetInvoice(ctx context.Context, id uuid.UUID) (*ent.Invoice, error) {
	i, err := s.Client.Invoice.Get(ctx, id)
	if ent.IsNotFound(err) {
		return nil, &NotFoundError{Entity: "invoice"}
	}
	return i, err
}

// UpdateInvoice edits a draft; items replace the lines and the totals are
// derived again.
func (s *Service) UpdateInvoice(ctx context.Context, id uuid.UUID, in InvoiceInput) (*ent.Invoice, error) {
	verr := &ValidationError{}
	checkText(verr, "notes", in.Notes.V, schema.MaxNotes)
	checkExternalID(in.ExternalID.Ptr(), verr)
	var out *ent.Invoice
	err := s.inTx(ctx, func(tx *ent.Tx) error {
		i, err := s.lockInvoice(ctx, tx, id)
		if err != nil {
			return err
		}
		if i.Status != invoice.StatusDraft && in.content() {
			return Invalid("status", "Only a draft can be edited (metadata and external_id excepted); this invoice is %s.", i.Status)
		}
		u := tx.Invoice.UpdateOne(i)
		setExternalID(u.Mutation(), in.ExternalID)
		if err := invoiceExternalID(ctx, tx, in.ExternalID.Ptr(), i.ID); err != nil {
			return err
		}
		setMetadata(u.Mutation(), i.Metadata, in.Metadata, verr)
		cur := i.Currency
		if in.Currency.Set {
			cur = in.Currency.V
		}
		if in.Items.Set || in.Currency.Set {
			items := in.Items.V
			if !in.Items.Set {
				items = itemsOf(i.Lines)
			}
			if items, err = productItems(ctx, tx, &cur, items, verr); err != nil {
				return err
			}
			totals, errs := money.Compute(cur, items)
			priceErrors(errs, verr)
			u.SetCurrency(totals.Currency).SetLines(totals.Lines).SetSubtotalMinor(totals.SubtotalMinor).
				SetDiscountMinor(totals.DiscountMinor).SetTaxMinor(totals.TaxMinor).SetTotalMinor(totals.TotalMinor)
		}
		switch {
		case in.CustomerID.Null:
			u.ClearCustomerID()
		case in.CustomerID.Set:
			if _, err := getCustomer(ctx, tx.Client(), in.CustomerID.V); err != nil {
				verr.Add("customer_id", "No such customer in this tenant and environment.")
			}
			u.SetCustomerID(in.CustomerID.V)
		}
		switch {
		case in.DueDate.Null:
			u.ClearDueDate()
		case in.DueDate.Set:
			u.SetNillableDueDate(parseDate("due_date", in.DueDate.V, verr))
		}
		if in.Notes.Set {
			u.SetNotes(in.Notes.V)
		}
		if err := verr.OrNil(); err != nil {
			return err
		}
		if out, err = u.Save(ctx); err != nil {
			return err
		}
		if err := record(ctx, tx, finance.InvoiceUpdated, "invoice", id.String(), invoiceAudit(i), invoiceAudit(out)); err != nil {
			return err
		}
		return s.emit(ctx, tx, change{Type: finance.InvoiceUpdated, ObjectID: id.String(), Object: InvoiceObject(out), Before: InvoiceObject(i)})
	})
	return out, err
}

// itemsOf turns computed lines back into items (to re-price in another currency).
func itemsOf(lines []money.Line) []money.Item {
	out := make([]money.Item, len(lines))
	for i, l := range lines {
		out[i] = money.Item{ProductID: l.ProductID, SKU: l.SKU, Description: l.Description, Quantity: money.Text(l.Quantity), UnitPrice: money.Text(l.UnitPrice),
			DiscountPercent: money.Text(l.DiscountPercent), TaxRate: money.Text(l.TaxRate)}
	}
	return out
}

// InvoiceNumber formats the gapless number of year: INV-2026-000017.
func InvoiceNumber(year int, n int64) string { return fmt.Sprintf("INV-%d-%06d", year, n) }

// IssueInvoice numbers a draft and makes it payable. The number comes
// from the tenant+environment+year counter inside the same transaction:
// concurrent issues queue on the counter row, a rollback returns the number.
func (s *Service) IssueInvoice(ctx context.Context, id uuid.UUID) (*ent.Invoice, error) {
	var out *ent.Invoice
	err := s.inTx(ctx, func(tx *ent.Tx) error {
		i, err := s.lockInvoice(ctx, tx, id)
		if err != nil {
			return err
		}
		if i.Status != invoice.StatusDraft {
			return Invalid("status", "Only a draft can be issued; this invoice is %s.", i.Status)
		}
		if i.TotalMinor <= 0 {
			return Invalid("items", "An invoice must total more than zero to be issued.")
		}
		out, err = s.issue(ctx, tx, i, invoice.StatusIssued, 0)
		if err != nil {
			return err
		}
		if err := s.takeStock(ctx, tx, out, nil, nil, "items"); err != nil {
			return err
		}
		if err := record(ctx, tx, finance.InvoiceIssued, "invoice", id.String(), invoiceAudit(i), invoiceAudit(out)); err != nil {
			return err
		}
		return s.emit(ctx, tx, change{Type: finance.InvoiceIssued, ObjectID: id.String(), Object: InvoiceObject(out), Before: InvoiceObject(i)})
	})
	return out, err
}

// issue numbers i and sets its status (POS sales issue straight to paid).
func (s *Service) issue(ctx context.Context, tx *ent.Tx, i *ent.Invoice, status invoice.Status, paid int64) (*ent.Invoice, error) {
	today := time.Now().UTC().Truncate(24 * time.Hour)
	n, err := s.next(ctx, tx, fmt.Sprintf("invoice-%d", today.Year()))
	if err != nil {
		return nil, err
	}
	u := tx.Invoice.UpdateOne(i).SetNumber(InvoiceNumber(today.Year(), n)).SetStatus(status).SetIssueDate(today).SetPaidMinor(paid)
	if i.DueDate == nil {
		u.SetDueDate(today.AddDate(0, 0, DefaultTermDays))
	}
	return u.Save(ctx)
}

// VoidInvoice cancels an invoice on which nothing is paid.
func (s *Service) VoidInvoice(ctx context.Context, id uuid.UUID) (*ent.Invoice, error) {
	var out *ent.Invoice
	err := s.inTx(ctx, func(tx *ent.Tx) error {
		i, err := s.lockInvoice(ctx, tx, id)
		if err != nil {
			return err
		}
		if i.Status != invoice.StatusDraft && i.Status != invoice.StatusIssued || i.PaidMinor != 0 {
			return Invalid("status", "Only an invoice with nothing paid can be voided; this one is %s.", i.Status)
		}
		if i.Status == invoice.StatusIssued {
			if err := s.returnStock(ctx, tx, i.ID, "invoice "+invoiceLabel(i)+" voided"); err != nil {
				return err
			}
		}
		if out, err = tx.Invoice.UpdateOne(i).SetStatus(invoice.StatusVoid).SetVoidedAt(schema.Now()).Save(ctx); err != nil {
			return err
		}
		if err := record(ctx, tx, finance.InvoiceVoided, "invoice", id.String(), invoiceAudit(i), invoiceAudit(out)); err != nil {
			return err
		}
		return s.emit(ctx, tx, change{Type: finance.InvoiceVoided, ObjectID: id.String(), Object: InvoiceObject(out), Before: InvoiceObject(i)})
	})
	return out, err
}

// InvoiceFilter selects a page of invoices, newest first.
type InvoiceFilter struct {
	Statuses []string          // draft, issued, partially_paid, paid, void
	Customer string            // a customer id
	Overdue  bool              // InvoiceOverdue
	Metadata map[string]string // metadata[key]=value, all must hold
	Limit    int
	Cursor   string
}

// ListInvoices returns one page in one query.
func (s *Service) ListInvoices(ctx context.Context, f InvoiceFilter) (*Page[*ent.Invoice], error) {
	after, err := pageArgs(f.Limit, f.Cursor, "invoices")
	verr := validationOf(err)
	statuses := enumList("status", f.Statuses, invoice.StatusValidator, schema.InvoiceStatuses, verr)
	cust := idParam("customer", "a customer", f.Customer, verr)
	meta := MetadataFilter[predicate.Invoice](f.Metadata, verr)
	if err := verr.OrNil(); err != nil {
		return nil, err
	}
	q := s.Client.Invoice.Query().Where(meta...)
	if len(statuses) > 0 {
		q.Where(invoice.StatusIn(statuses...))
	}
	if cust != nil {
		q.Where(invoice.CustomerID(*cust))
	}
	if f.Overdue {
		q.Where(InvoiceOverdue(time.Now()))
	}
	if after != nil {
		q.Where(afterNewest(*after))
	}
	rows, err := q.Order(ent.Desc(invoice.FieldCreatedAt), ent.Desc(invoice.FieldID)).Limit(f.Limit + 1).All(ctx)
	if err != nil {
		return nil, err
	}
	return pageOf(rows, f.Limit, "invoices", func(i *ent.Invoice) (time.Time, uuid.UUID) { return i.CreatedAt, i.ID }), nil
}

// InvoicePayments lists an invoice's payments, oldest first.
func (s *Service) InvoicePayments(ctx context.Context, id uuid.UUID) ([]*ent.Payment, error) {
	if _, err := s.GetInvoice(ctx, id); err != nil {
		return nil, err
	}
	byInvoice, err := s.PaymentsOfInvoices(ctx, []uuid.UUID{id})
	return byInvoice[id], err
}

// PaymentsOfInvoices reads the payments of invoices in one query, oldest
// first; every invoice gets a (possibly empty) list.
func (s *Service) PaymentsOfInvoices(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID][]*ent.Payment, error) {
	ps, err := s.Client.Payment.Query().Where(payment.InvoiceIDIn(ids...)).
		Order(ent.Asc(payment.FieldCreatedAt), ent.Asc(payment.FieldID)).All(ctx)
	if err != nil {
		return nil, err
	}
	return groupBy(ids, ps, func(p *ent.Payment) uuid.UUID { return p.InvoiceID }), nil
}

// InvoiceBalance is what is left to pay on an invoice, in minor units.
func InvoiceBalance(i *ent.Invoice) int64 { return i.TotalMinor - i.PaidMinor }

func InvoiceObject(i *ent.Invoice) map[string]any {
	f := func(n int64) string { return money.FormatMinorIn(i.Currency, n) }
	return map[string]any{"id": i.ID, "object": "invoice", "number": i.Number, "status": i.Status, "customer_id": i.CustomerID,
		"currency": i.Currency, "lines": i.Lines, "subtotal": f(i.SubtotalMinor), "discount_total": f(i.DiscountMinor),
		"tax_total": f(i.TaxMinor), "total": f(i.TotalMinor), "amount_paid": f(i.PaidMinor), "balance": f(InvoiceBalance(i)),
		"issue_date": dateOnly(i.IssueDate), "due_date": dateOnly(i.DueDate), "notes": i.Notes, "voided_at": i.VoidedAt, "created_by": i.CreatedBy,
		"environment": i.Env, "created_at": i.CreatedAt, "updated_at": i.UpdatedAt, "external_id": i.ExternalID, "metadata": MetadataView(i.Metadata)}
}

func dateOnly(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := t.UTC().Format(time.DateOnly)
	return &s
}

// InvoiceOverdue: issued or partially paid, due before today (UTC).
func InvoiceOverdue(now time.Time) predicate.Invoice {
	return invoice.And(invoice.StatusIn(invoice.StatusIssued, invoice.StatusPartiallyPaid), invoice.DueDateLT(now.UTC().Truncate(24*time.Hour)))
}

// RelatedInvoices are invoices by id.
func (s *Service) RelatedInvoices(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]any, error) {
	rows, err := s.Client.Invoice.Query().Where(invoice.IDIn(ids...)).All(ctx)
	return keyedViews(rows, err, func(i *ent.Invoice) uuid.UUID { return i.ID }, InvoiceObject)
}

// InvoiceByExternalID finds the invoice another system knows as id.
func (s *Service) InvoiceByExternalID(ctx context.Context, id string) (uuid.UUID, bool, error) {
	return found(s.Client.Invoice.Query().Where(invoice.ExternalID(id)).
		OnlyID(schema.BypassPermissions(ctx, "an upsert finds its invoice by external id; the write checks its own permission")))
}
