package graph

import (
	"context"
	"errors"

	"github.com/99designs/gqlgen/graphql"
	"github.com/google/uuid"

	"github.com/cienerp/cienerp/ent"
	"github.com/cienerp/cienerp/ent/auditevent"
	"github.com/cienerp/cienerp/ent/customer"
	"github.com/cienerp/cienerp/ent/document"
	"github.com/cienerp/cienerp/ent/invoice"
	"github.com/cienerp/cienerp/ent/payment"
	"github.com/cienerp/cienerp/ent/possale"
	"github.com/cienerp/cienerp/ent/possession"
	"github.com/cienerp/cienerp/ent/privacy"
	"github.com/cienerp/cienerp/ent/role"
	"github.com/cienerp/cienerp/ent/ticket"
	"github.com/cienerp/cienerp/ent/ticketcomment"
	"github.com/cienerp/cienerp/money"
	"github.com/cienerp/cienerp/service"
)

// Resolver is the root of the resolvers: thin calls into ent (reads,
// scoped by the privacy layer) and the service layer (changes).
type Resolver struct {
	Client  *ent.Client
	Service *service.Service
}

// nodeType finds which table an id belongs to, among the rows the viewer
// may see: ids are UUIDs without a type prefix.
func (r *Resolver) nodeType(ctx context.Context, id uuid.UUID) (string, error) {
	c := r.Client
	for _, t := range []struct {
		table string
		exist func() (bool, error)
	}{
		{ticket.Table, func() (bool, error) { return c.Ticket.Query().Where(ticket.ID(id)).Exist(ctx) }},
		{ticketcomment.Table, func() (bool, error) { return c.TicketComment.Query().Where(ticketcomment.ID(id)).Exist(ctx) }},
		{document.Table, func() (bool, error) { return c.Document.Query().Where(document.ID(id)).Exist(ctx) }},
		{customer.Table, func() (bool, error) { return c.Customer.Query().Where(customer.ID(id)).Exist(ctx) }},
		{invoice.Table, func() (bool, error) { return c.Invoice.Query().Where(invoice.ID(id)).Exist(ctx) }},
		{payment.Table, func() (bool, error) { return c.Payment.Query().Where(payment.ID(id)).Exist(ctx) }},
		{possession.Table, func() (bool, error) { return c.PosSession.Query().Where(possession.ID(id)).Exist(ctx) }},
		{possale.Table, func() (bool, error) { return c.PosSale.Query().Where(possale.ID(id)).Exist(ctx) }},
		{role.Table, func() (bool, error) { return c.Role.Query().Where(role.ID(id)).Exist(ctx) }},
		{auditevent.Table, func() (bool, error) { return c.AuditEvent.Query().Where(auditevent.ID(id)).Exist(ctx) }},
	} {
		ok, err := t.exist()
		if errors.Is(err, privacy.Deny) {
			continue // a type the viewer may not read is a type it cannot find
		}
		if err != nil {
			return "", err
		}
		if ok {
			return t.table, nil
		}
	}
	return "", &service.NotFoundError{Entity: "node"}
}

// opt turns an optional GraphQL argument into a partial-update field.
func opt[T any](v *T) service.Opt[T] {
	if v == nil {
		return service.Opt[T]{}
	}
	return service.Some(*v)
}

// items turns GraphQL item inputs into priced-line inputs.
func priceItems(in []*ItemInput) []money.Item {
	out := make([]money.Item, len(in))
	for i, it := range in {
		out[i] = money.Item{Description: it.Description, Quantity: money.Text(it.Quantity), UnitPrice: money.Text(it.UnitPrice),
			DiscountPercent: money.Text(it.DiscountPercent), TaxRate: money.Text(it.TaxRate)}
	}
	return out
}

// nonEmpty is null for "", as REST leaves such fields out.
func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// omittable turns a nullable, omittable argument into a partial-update
// field: absent keeps, null clears.
func omittable[T any](o graphql.Omittable[*T]) service.Opt[T] {
	v, set := o.ValueOK()
	if !set {
		return service.Opt[T]{}
	}
	if v == nil {
		return service.Opt[T]{Set: true, Null: true}
	}
	return service.Some(*v)
}

// deleted answers a delete mutation.
func deleted(err error) (bool, error) { return err == nil, err }
