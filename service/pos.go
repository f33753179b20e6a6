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
	"github.com/cienerp/cienerp/ent/possale"
	"github.com/cienerp/cienerp/ent/possession"
	"github.com/cienerp/cienerp/ent/predicate"
	"github.com/cienerp/cienerp/ent/schema"
	"github.com/cienerp/cienerp/modules/pos"
	"github.com/cienerp/cienerp/money"
	"github.com/cienerp/cienerp/policy"
)

// OpenSessionInput opens a register with its cash float.
type OpenSessionInput struct {
	Register     string `json:"register"`
	Currency     string `json:"currency"`
	OpeningFloat string `json:"opening_float"`
}

// CloseSessionInput closes a register with the cash counted in the drawer.
type CloseSessionInput struct {
	CountedCash string `json:"counted_cash"`
}

// Tender is one way a customer pays at the register.
type Tender struct {
	Method string `json:"method"` // cash, card or other
	Amount string `json:"amount"`
}

// SaleInput rings up a sale.
type SaleInput struct {
	SessionID  *uuid.UUID    `json:"session_id"`
	CustomerID *uuid.UUID    `json:"customer_id"`
	LocationID *uuid.UUID    `json:"location_id"` // where product lines take their stock; the default location when absent
	Items      []money.Item  `json:"items"`
	Tenders    []Tender      `json:"tenders"`
	Metadata   MetadataInput `json:"metadata"`
}

// Sale is a rung-up sale with its invoice and payments.
type Sale struct {
	*ent.PosSale
	Invoice  *ent.Invoice
	Payments []*ent.Payment
}

// OpenSession opens a register session.
func (s *Service) OpenSession(ctx context.Context, in OpenSessionInput) (*ent.PosSession, error) {
	verr := &ValidationError{}
	in.Register = strings.TrimSpace(in.Register)
	if in.Register == "" {
		verr.Add("register", "Name the register, e.g. \"front-1\".")
	}
	checkText(verr, "register", in.Register, schema.MaxRegister)
	cur, ok := money.Lookup(in.Currency)
	if !ok {
		verr.Add("currency", "Unknown currency %q; use an ISO 4217 code such as EUR.", in.Currency)
	}
	float, err := cur.ParseAmount(in.OpeningFloat)
	if ok && err != nil {
		verr.Add("opening_float", "The opening float %s.", err)
	} else if float.IsNegative() {
		verr.Add("opening_float", "The opening float must not be negative.")
	}
	if err := verr.OrNil(); err != nil {
		return nil, err
	}
	var out *ent.PosSession
	err = s.inTx(ctx, func(tx *ent.Tx) error {
		open, err := tx.PosSession.Query().Where(possession.Register(in.Register), possession.StatusEQ(possession.StatusOpen)).Exist(ctx)
		if err != nil {
			return err
		}
		if open {
			return Invalid("register", "Register %q has an open session; close it first.", in.Register)
		}
		out, err = tx.PosSession.Create().SetRegister(in.Register).SetCurrency(in.Currency).
			SetOpeningFloatMinor(cur.ToMinor(float)).SetOpenedBy(policy.FromContext(ctx).Subject).Save(ctx)
		if err != nil {
			return err
		}
		if err := record(ctx, tx, pos.SessionOpened, "pos_session", out.ID.String(), nil, out); err != nil {
			return err
		}
		return s.emit(ctx, tx, change{Type: pos.SessionOpened, ObjectID: out.ID.String(), Object: SessionObject(out)})
	})
	return out, err
}

// lockSession reads a register session for a change: its sales and its
// close queue.
func (s *Service) lockSession(ctx context.Context, tx *ent.Tx, id uuid.UUID) (*ent.PosSession, error) {
	return lockRow(s, ctx, tx.PosSession.Query().Where(possession.ID(id)), "POS session", SessionObject)
}

// SessionExpected is the cash that should be in the drawer.
func SessionExpected(p *ent.PosSession) int64 { return p.OpeningFloatMinor + p.CashInMinor }

// SessionOverShort is counted minus expected cash, once a session is
// counted (nil before).
func SessionOverShort(p *ent.PosSession) *int64 {
	if p.CountedMinor == nil {
		return nil
	}
	v := *p.CountedMinor - SessionExpected(p)
	return &v
}

// CloseSession closes a session with the counted cash; the answer carries
// expected, counted and over/short.
func (s *Service) CloseSession(ctx context.Context, id uuid.UUID, in CloseSessionInput) (*ent.PosSession, error) {
	var out *ent.PosSession
	err := s.inTx(ctx, func(tx *ent.Tx) error {
		p, err := s.lockSession(ctx, tx, id)
		if err != nil {
			return err
		}
		if p.Status != possession.StatusOpen {
			return Invalid("status", "This session is closed already.")
		}
		cur, _ := money.Lookup(p.Currency)
		counted, perr := cur.ParseAmount(in.CountedCash)
		if perr != nil {
			return Invalid("counted_cash", "The counted cash %s.", perr)
		}
		if counted.IsNegative() {
			return Invalid("counted_cash", "The counted cash must not be negative.")
		}
		out, err = tx.PosSession.UpdateOne(p).SetStatus(possession.StatusClosed).SetCountedMinor(cur.ToMinor(counted)).
			SetClosedBy(policy.FromContext(ctx).Subject).SetClosedAt(schema.Now()).Save(ctx)
		if err != nil {
			return err
		}
		if err := record(ctx, tx, pos.SessionClosed, "pos_session", id.String(), nil,
			map[string]any{"expected_minor": SessionExpected(out), "counted_minor": *out.CountedMinor}); err != nil {
			return err
		}
		return s.emit(ctx, tx, change{Type: pos.SessionClosed, ObjectID: id.String(), Object: SessionObject(out), Before: SessionObject(p)})
	})
	return out, err
}

// GetSession reads one session.
func (s *Service) GetSession(ctx context.Context, id uuid.UUID) (*ent.PosSession, error) {
	p, err := s.Client.PosSession.Get(ctx, id)
	if ent.IsNotFound(err) {
		return nil, &NotFoundError{Entity: "POS session"}
	}
	return p, err
}

// CreateSale rings up a sale in an open session: in one transaction a paid
// invoice, a payment per tender (cash net of change) and the sale.
func (s *Service) CreateSale(ctx context.Context, in SaleInput) (*Sale, error) {
	verr := &ValidationError{}
	if in.SessionID == nil {
		verr.Add("session_id", "The session_id field is required.")
	}
	if len(in.Tenders) == 0 {
		verr.Add("tenders", "At least one tender is required.")
	}
	md := mergeMetadata(nil, in.Metadata, verr)
	if err := verr.OrNil(); err != nil {
		return nil, err
	}
	var out *Sale
	err := s.inTx(ctx, func(tx *ent.Tx) error {
		sess, err := s.lockSession(ctx, tx, *in.SessionID)
		if _, nf := err.(*NotFoundError); nf {
			return Invalid("session_id", "No such POS session in this tenant and environment.")
		}
		if err != nil {
			return err
		}
		if sess.Status != possession.StatusOpen {
			verr.Add("session_id", "The session is closed; open a new one.")
		}
		if in.CustomerID != nil {
			if _, err := getCustomer(ctx, tx.Client(), *in.CustomerID); err != nil {
				verr.Add("customer_id", "No such customer in this tenant and environment.")
			}
		}
		currency := sess.Currency
		items, err := productItems(ctx, tx, &currency, in.Items, verr)
		if err != nil {
			return err
		}
		totals, errs := money.Compute(sess.Currency, items)
		priceErrors(errs, verr)
		cur, _ := money.Lookup(sess.Currency)
		var cash, other int64
		tenders := make([]map[string]string, 0, len(in.Tenders))
		for i, t := range in.Tenders {
			f := fmt.Sprintf("tenders.%d", i)
			if t.Method != "cash" && t.Method != "card" && t.Method != "other" {
				verr.Add(f+".method", "Method must be cash, card or other.")
				continue
			}
			a, perr := cur.ParseAmount(t.Amount)
			if perr != nil {
				verr.Add(f+".amount", "The amount %s.", perr)
				continue
			}
			if !a.IsPositive() {
				verr.Add(f+".amount", "The amount must be greater than 0.")
				continue
			}
			if t.Method == "cash" {
				cash += cur.ToMinor(a)
			} else {
				other += cur.ToMinor(a)
			}
			tenders = append(tenders, map[string]string{"method": t.Method, "amount": cur.Format(a)})
		}
		if err := verr.OrNil(); err != nil {
			return err
		}
		total := totals.TotalMinor
		switch {
		case other > total:
			return Invalid("tenders", "Card and other tenders (%s) exceed the total (%s); only cash gives change.", cur.FormatMinor(other), cur.FormatMinor(total))
		case cash+other < total:
			return Invalid("tenders", "The tenders (%s) do not cover the total (%s).", cur.FormatMinor(cash+other), cur.FormatMinor(total))
		}
		changeGiven := cash + other - total
		cashKept := cash - changeGiven

		c := tx.Invoice.Create().SetCurrency(sess.Currency).SetLines(totals.Lines).SetSubtotalMinor(totals.SubtotalMinor).
			SetDiscountMinor(totals.DiscountMinor).SetTaxMinor(totals.TaxMinor).SetTotalMinor(total).
			SetCreatedBy(policy.FromContext(ctx).Subject).SetNillableCustomerID(in.CustomerID)
		inv, err := c.Save(ctx)
		if err != nil {
			return err
		}
		if inv, err = s.issue(ctx, tx, inv, invoice.StatusIssued, 0); err != nil {
			return err
		}
		saleID := uuid.Must(uuid.NewV7())
		if err := s.takeStock(ctx, tx, inv, in.LocationID, &saleID, "location_id"); err != nil {
			return err
		}
		var payments []*ent.Payment
		if cashKept > 0 {
			p, err := s.pay(ctx, tx, inv, cashKept, payment.MethodCash, "POS "+sess.Register, &saleID, nil)
			if err != nil {
				return err
			}
			payments = append(payments, p)
		}
		for _, t := range in.Tenders {
			if t.Method == "cash" {
				continue
			}
			a, _ := cur.ParseAmount(t.Amount)
			p, err := s.pay(ctx, tx, inv, cur.ToMinor(a), payment.Method(t.Method), "POS "+sess.Register, &saleID, nil)
			if err != nil {
				return err
			}
			payments = append(payments, p)
		}
		if err := tx.PosSession.UpdateOne(sess).AddCashInMinor(cashKept).Exec(ctx); err != nil {
			return err
		}
		sale, err := tx.PosSale.Create().SetID(saleID).SetSessionID(sess.ID).SetInvoiceID(inv.ID).SetReceiptNumber(*inv.Number).
			SetCurrency(sess.Currency).SetTotalMinor(total).SetTenders(tenders).SetChangeMinor(changeGiven).
			SetCreatedBy(policy.FromContext(ctx).Subject).SetMetadata(md).Save(ctx)
		if err != nil {
			return err
		}
		out = &Sale{PosSale: sale, Invoice: inv, Payments: payments}
		if err := record(ctx, tx, pos.SaleCreated, "pos_sale", sale.ID.String(), nil,
			map[string]any{"receipt_number": sale.ReceiptNumber, "total_minor": total, "change_minor": changeGiven, "session_id": sess.ID}); err != nil {
			return err
		}
		return s.emit(ctx, tx, change{Type: pos.SaleCreated, ObjectID: sale.ID.String(), Object: SaleObject(out)})
	})
	return out, err
}

// GetSale reads a sale with its invoice and payments.
func (s *Service) GetSale(ctx context.Context, id uuid.UUID) (*Sale, error) {
	sale, err := s.Client.PosSale.Get(ctx, id)
	if ent.IsNotFound(err) {
		return nil, &NotFoundError{Entity: "sale"}
	}
	if err != nil {
		return nil, err
	}
	return s.saleDetails(ctx, sale)
}

func (s *Service) saleDetails(ctx context.Context, sale *ent.PosSale) (*Sale, error) {
	out, err := s.SaleDetails(ctx, []*ent.PosSale{sale})
	if err != nil {
		return nil, err
	}
	return out[0], nil
}

// SaleDetails loads the invoices and payments of sales in two queries.
// They are part of the receipt: whoever may read the sales reads them, so
// they are read by the sales' ids without the finance view permissions.
func (s *Service) SaleDetails(ctx context.Context, sales []*ent.PosSale) ([]*Sale, error) {
	ctx = schema.BypassPermissions(ctx, "a sale's invoice and payments are its receipt: whoever reads the sale reads them")
	invIDs, saleIDs := make([]uuid.UUID, len(sales)), make([]uuid.UUID, len(sales))
	for i, sale := range sales {
		invIDs[i], saleIDs[i] = sale.InvoiceID, sale.ID
	}
	invs, err := s.Client.Invoice.Query().Where(invoice.IDIn(invIDs...)).All(ctx)
	if err != nil {
		return nil, err
	}
	ps, err := s.Client.Payment.Query().Where(payment.SaleIDIn(saleIDs...)).Order(ent.Asc(payment.FieldCreatedAt), ent.Asc(payment.FieldID)).All(ctx)
	if err != nil {
		return nil, err
	}
	byID := map[uuid.UUID]*ent.Invoice{}
	for _, i := range invs {
		byID[i.ID] = i
	}
	paid := groupBy(saleIDs, ps, func(p *ent.Payment) uuid.UUID { return *p.SaleID }) // SaleIDIn: never nil
	out := make([]*Sale, len(sales))
	for i, sale := range sales {
		out[i] = &Sale{PosSale: sale, Invoice: byID[sale.InvoiceID], Payments: paid[sale.ID]}
		if out[i].Invoice == nil {
			return nil, &NotFoundError{Entity: "sale invoice"}
		}
	}
	return out, nil
}

// ListSales pages through sales, newest first, optionally of one session.
func (s *Service) ListSales(ctx context.Context, sessionID string, metadata map[string]string, limit int, cur string) (*Page[*ent.PosSale], error) {
	after, err := pageArgs(limit, cur, "sales")
	verr := validationOf(err)
	session := idParam("session", "a POS session", sessionID, verr)
	meta := MetadataFilter[predicate.PosSale](metadata, verr)
	if err := verr.OrNil(); err != nil {
		return nil, err
	}
	q := s.Client.PosSale.Query().Where(meta...)
	if session != nil {
		q.Where(possale.SessionID(*session))
	}
	if after != nil {
		q.Where(afterNewest(*after))
	}
	rows, err := q.Order(ent.Desc(possale.FieldCreatedAt), ent.Desc(possale.FieldID)).Limit(limit + 1).All(ctx)
	if err != nil {
		return nil, err
	}
	return pageOf(rows, limit, "sales", func(p *ent.PosSale) (time.Time, uuid.UUID) { return p.CreatedAt, p.ID }), nil
}

// ListSessions pages through register sessions, newest first, optionally
// only open or closed ones, or one register's.
func (s *Service) ListSessions(ctx context.Context, status, register string, limit int, cur string) (*Page[*ent.PosSession], error) {
	after, err := pageArgs(limit, cur, "sessions")
	if err != nil {
		return nil, err
	}
	q := s.Client.PosSession.Query()
	if status != "" {
		if possession.StatusValidator(possession.Status(status)) != nil {
			return nil, Invalid("status", "Status must be open or closed.")
		}
		q.Where(possession.StatusEQ(possession.Status(status)))
	}
	if register != "" {
		q.Where(possession.Register(register))
	}
	if after != nil {
		q.Where(afterNewest(*after))
	}
	rows, err := q.Order(ent.Desc(possession.FieldCreatedAt), ent.Desc(possession.FieldID)).Limit(limit + 1).All(ctx)
	if err != nil {
		return nil, err
	}
	return pageOf(rows, limit, "sessions", func(p *ent.PosSession) (time.Time, uuid.UUID) { return p.CreatedAt, p.ID }), nil
}

func SessionObject(p *ent.PosSession) map[string]any {
	f := func(n int64) string { return money.FormatMinorIn(p.Currency, n) }
	out := map[string]any{"id": p.ID, "object": "pos_session", "register": p.Register, "currency": p.Currency, "status": p.Status,
		"opening_float": f(p.OpeningFloatMinor), "cash_sales": f(p.CashInMinor), "expected_cash": f(SessionExpected(p)),
		"counted_cash": nil, "over_short": nil, "opened_by": p.OpenedBy, "closed_by": p.ClosedBy, "opened_at": p.CreatedAt, "closed_at": p.ClosedAt}
	if d := SessionOverShort(p); d != nil {
		out["counted_cash"], out["over_short"] = f(*p.CountedMinor), f(*d)
	}
	return out
}

func SaleObject(s *Sale) map[string]any {
	inv := s.Invoice
	return map[string]any{"id": s.ID, "object": "pos_sale", "receipt_number": s.ReceiptNumber, "session_id": s.SessionID, "invoice_id": s.InvoiceID,
		"currency": s.Currency, "lines": inv.Lines, "subtotal": money.FormatMinorIn(inv.Currency, inv.SubtotalMinor),
		"discount_total": money.FormatMinorIn(inv.Currency, inv.DiscountMinor), "tax_total": money.FormatMinorIn(inv.Currency, inv.TaxMinor),
		"total": money.FormatMinorIn(s.Currency, s.TotalMinor), "tenders": s.Tenders, "change": money.FormatMinorIn(s.Currency, s.ChangeMinor),
		"payments": paymentObjects(s.Payments), "created_by": s.CreatedBy, "environment": s.Env, "created_at": s.CreatedAt,
		"metadata": MetadataView(s.PosSale.Metadata)}
}

func paymentObjects(ps []*ent.Payment) []map[string]any {
	out := make([]map[string]any, len(ps))
	for i, p := range ps {
		out[i] = PaymentObject(p)
	}
	return out
}

// RelatedSessions are POS sessions by id.
func (s *Service) RelatedSessions(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]any, error) {
	rows, err := s.Client.PosSession.Query().Where(possession.IDIn(ids...)).All(ctx)
	return keyedViews(rows, err, func(p *ent.PosSession) uuid.UUID { return p.ID }, SessionObject)
}

// RelatedSales are POS sales (receipts) by id.
func (s *Service) RelatedSales(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]any, error) {
	rows, err := s.Client.PosSale.Query().Where(possale.IDIn(ids...)).All(ctx)
	if err != nil {
		return nil, err
	}
	sales, err := s.SaleDetails(ctx, rows)
	return keyedViews(sales, err, func(s *Sale) uuid.UUID { return s.ID }, SaleObject)
}
