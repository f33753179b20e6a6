package service

import (
	"context"

	"github.com/google/uuid"

	"github.com/cienerp/cienerp/ent"
	"github.com/cienerp/cienerp/ent/customer"
	"github.com/cienerp/cienerp/ent/invoice"
	"github.com/cienerp/cienerp/ent/possale"
	"github.com/cienerp/cienerp/ent/possession"
	"github.com/cienerp/cienerp/ent/ticketcomment"
)

// Related objects in their public views, many parents at a time (one
// query each), for a transport that embeds them (REST's expand). They are
// read with the caller's context: the tenancy filter and the view
// permission apply exactly as to their own GET, so an object the caller
// may not view is refused with the permission it lacks.

// RelatedCustomers are customers by id.
func (s *Service) RelatedCustomers(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]any, error) {
	rows, err := s.Client.Customer.Query().Where(customer.IDIn(ids...)).All(ctx)
	return keyedViews(rows, err, func(c *ent.Customer) uuid.UUID { return c.ID }, CustomerObject)
}

// RelatedInvoices are invoices by id.
func (s *Service) RelatedInvoices(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]any, error) {
	rows, err := s.Client.Invoice.Query().Where(invoice.IDIn(ids...)).All(ctx)
	return keyedViews(rows, err, func(i *ent.Invoice) uuid.UUID { return i.ID }, InvoiceObject)
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

// RelatedPayments are the payments of each invoice, oldest first.
func (s *Service) RelatedPayments(ctx context.Context, invoices []uuid.UUID) (map[uuid.UUID]any, error) {
	lists, err := s.PaymentsOfInvoices(ctx, invoices)
	return listViews(lists, err, PaymentObject)
}

// RelatedComments are the comments of each ticket, oldest first.
func (s *Service) RelatedComments(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]any, error) {
	rows, err := s.Client.TicketComment.Query().Where(ticketcomment.TicketIDIn(ids...)).Order(ent.Asc(ticketcomment.FieldCreatedAt), ent.Asc(ticketcomment.FieldID)).All(ctx)
	return listViews(groupBy(ids, rows, func(c *ent.TicketComment) uuid.UUID { return c.TicketID }), err, CommentObject)
}

// keyedViews are rows in their public views, by id.
func keyedViews[T, V any](rows []T, err error, id func(T) uuid.UUID, view func(T) V) (map[uuid.UUID]any, error) {
	if err != nil {
		return nil, err
	}
	out := make(map[uuid.UUID]any, len(rows))
	for _, r := range rows {
		out[id(r)] = view(r)
	}
	return out, nil
}

// groupBy lists rows under their parent; every parent asked for has a
// list, empty when it has none.
func groupBy[T any](parents []uuid.UUID, rows []T, parent func(T) uuid.UUID) map[uuid.UUID][]T {
	lists := make(map[uuid.UUID][]T, len(parents))
	for _, p := range parents {
		lists[p] = []T{}
	}
	for _, r := range rows {
		lists[parent(r)] = append(lists[parent(r)], r)
	}
	return lists
}

// listViews are grouped rows in their public views.
func listViews[T, V any](lists map[uuid.UUID][]T, err error, view func(T) V) (map[uuid.UUID]any, error) {
	if err != nil {
		return nil, err
	}
	out := make(map[uuid.UUID]any, len(lists))
	for p, rows := range lists {
		views := make([]V, len(rows))
		for i, r := range rows {
			views[i] = view(r)
		}
		out[p] = views
	}
	return out, nil
}
