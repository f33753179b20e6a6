package graph

import (
	"context"

	"entgo.io/ent/dialect/sql"
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
	"github.com/cienerp/cienerp/policy"
	"github.com/cienerp/cienerp/service"
)

// Resolver is the root of the resolvers: thin calls into ent (reads,
// scoped by the privacy layer) and the service layer (changes).
type Resolver struct {
	Client  *ent.Client
	Service *service.Service
}

// nodeType finds which table an id belongs to: ids are UUIDs without a
// type prefix, as in REST. An id of the viewer's tenant and environment in
// a table whose view permission the viewer lacks is refused naming that
// permission, as REST's GET of it is; anything else it cannot see is not
// found.
func (r *Resolver) nodeType(ctx context.Context, id uuid.UUID) (string, error) {
	c := r.Client
	v := policy.FromContext(ctx)
	if v == nil {
		return "", policy.ErrNoViewer
	}
	// Existence checks for a denied table run without the privacy layer,
	// so they restrict to the viewer's tenant (and environment) themselves.
	tenant := sql.FieldEQ("tenant_id", v.TenantID)
	tenantEnv := sql.AndPredicates(tenant, sql.FieldEQ("env", string(v.Env)))
	for _, t := range []struct {
		table, perm string
		exist       func(ctx context.Context, scope func(*sql.Selector)) (bool, error)
	}{
		{ticket.Table, policy.TicketsView, func(ctx context.Context, scope func(*sql.Selector)) (bool, error) {
			return c.Ticket.Query().Where(ticket.ID(id), scope).Exist(ctx)
		}},
		{ticketcomment.Table, policy.TicketsView, func(ctx context.Context, scope func(*sql.Selector)) (bool, error) {
			return c.TicketComment.Query().Where(ticketcomment.ID(id), scope).Exist(ctx)
		}},
		{document.Table, policy.DocumentsView, func(ctx context.Context, scope func(*sql.Selector)) (bool, error) {
			return c.Document.Query().Where(document.ID(id), scope).Exist(ctx)
		}},
		{customer.Table, "finance.customers.view", func(ctx context.Context, scope func(*sql.Selector)) (bool, error) {
			return c.Customer.Query().Where(customer.ID(id), scope).Exist(ctx)
		}},
		{invoice.Table, "finance.invoices.view", func(ctx context.Context, scope func(*sql.Selector)) (bool, error) {
			return c.Invoice.Query().Where(invoice.ID(id), scope).Exist(ctx)
		}},
		{payment.Table, "finance.payments.view", func(ctx context.Context, scope func(*sql.Selector)) (bool, error) {
			return c.Payment.Query().Where(payment.ID(id), scope).Exist(ctx)
		}},
		{possession.Table, "pos.sessions.manage", func(ctx context.Context, scope func(*sql.Selector)) (bool, error) {
			return c.PosSession.Query().Where(possession.ID(id), scope).Exist(ctx)
		}},
		{possale.Table, "pos.sales.view", func(ctx context.Context, scope func(*sql.Selector)) (bool, error) {
			return c.PosSale.Query().Where(possale.ID(id), scope).Exist(ctx)
		}},
		{role.Table, policy.PoliciesManage, func(ctx context.Context, _ func(*sql.Selector)) (bool, error) {
			return c.Role.Query().Where(role.ID(id), role.TenantID(v.TenantID)).Exist(ctx)
		}},
		{auditevent.Table, policy.AuditView, func(ctx context.Context, _ func(*sql.Selector)) (bool, error) {
			return c.AuditEvent.Query().Where(auditevent.ID(id), auditevent.TenantID(v.TenantID)).Exist(ctx)
		}},
	} {
		if !v.Can(t.perm) {
			ok, err := t.exist(privacy.DecisionContext(ctx, privacy.Allow), tenantEnv)
			if err != nil {
				return "", err
			}
			if ok {
				return "", &policy.DeniedError{Permission: t.perm}
			}
			continue
		}
		ok, err := t.exist(ctx, func(*sql.Selector) {})
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
