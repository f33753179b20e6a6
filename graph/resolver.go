package graph

import (
	"context"
	"entgo.io/ent/dialect/sql"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/google/uuid"

	"github.com/cienerp/cienerp/ent"
	"github.com/cienerp/cienerp/ent/customer"
	"github.com/cienerp/cienerp/ent/invoice"
	"github.com/cienerp/cienerp/ent/possession"
	"github.com/cienerp/cienerp/ent/schema"
	"github.com/cienerp/cienerp/money"
	"github.com/cienerp/cienerp/policy"
	"github.com/cienerp/cienerp/realtime"
	"github.com/cienerp/cienerp/service"
)

// Resolver is the root of the resolvers: thin calls into ent (reads,
// scoped by the privacy layer) and the service layer (changes).
type Resolver struct {
	Client  *ent.Client
	Service *service.Service
	Hub     *realtime.Hub // subscriptions
}

// nodeTypes finds which table each id belongs to, with at most one query
// per table whatever the number of ids: ids are UUIDs without a type prefix, as
// in REST. An id of the viewer's tenant and environment in a table whose
// view permission the viewer lacks is refused naming that permission, as
// REST's GET of it is; anything else it cannot see is not found.
func (r *Resolver) nodeTypes(ctx context.Context, ids []uuid.UUID) (ent.NodeOption, error) {
	if len(ids) > MaxPage {
		return nil, service.Invalid("ids", "Ask for at most %d ids at once.", MaxPage)
	}
	v := policy.FromContext(ctx)
	if v == nil {
		return nil, policy.ErrNoViewer
	}
	found := map[uuid.UUID]string{}
	denied := map[uuid.UUID]error{}
	unique := map[uuid.UUID]bool{}
	for _, id := range ids {
		unique[id] = true
	}
	for _, e := range entities {
		if len(found)+len(denied) == len(unique) {
			break // every id placed: the rest of the tables cannot hold them
		}
		allowed, lctx := v.Can(e.view), ctx
		if !allowed {
			lctx = schema.BypassPermissions(ctx, "an id the viewer may not read is refused naming the permission, not reported missing")
		}
		hits, err := e.ids(lctx, r.Client, ids)
		if err != nil {
			return nil, err
		}
		for _, id := range hits {
			if allowed {
				found[id] = e.table
			} else {
				denied[id] = &policy.DeniedError{Permission: e.view}
			}
		}
	}
	return ent.WithNodeType(func(_ context.Context, id uuid.UUID) (string, error) {
		if table, ok := found[id]; ok {
			return table, nil
		}
		if err, ok := denied[id]; ok {
			return "", err
		}
		return "", &service.NotFoundError{Entity: "node"}
	}), nil
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
		out[i] = money.Item{ProductID: it.ProductID, SKU: text(it.Sku), Description: text(it.Description), Quantity: money.Text(it.Quantity),
			UnitPrice: money.Text(text(it.UnitPrice)), DiscountPercent: money.Text(it.DiscountPercent), TaxRate: money.Text(text(it.TaxRate))}
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

// sale is a sale's receipt (invoice and payments), loaded with its list.
func (r *Resolver) sale(ctx context.Context, obj *ent.PosSale) (*service.Sale, error) {
	sale, err := batched(ctx, obj, saleID, func(ctx context.Context, rows []*ent.PosSale) (map[uuid.UUID]*service.Sale, error) {
		sales, err := r.Service.SaleDetails(ctx, rows)
		byID := make(map[uuid.UUID]*service.Sale, len(sales))
		for _, s := range sales {
			byID[s.ID] = s
		}
		return byID, err
	})
	if err == nil && sale == nil {
		err = &service.NotFoundError{Entity: "sale"}
	}
	return sale, err
}

// receiptAmount is one amount of a sale's invoice, as a decimal string.
func (r *Resolver) receiptAmount(ctx context.Context, obj *ent.PosSale, minor func(*ent.Invoice) int64) (string, error) {
	sale, err := r.sale(ctx, obj)
	if err != nil {
		return "", err
	}
	return money.FormatMinorIn(sale.Invoice.Currency, minor(sale.Invoice)), nil
}

// Lookups by id for belongsTo, through the privacy layer.

func (r *Resolver) customers(ctx context.Context, ids []uuid.UUID) ([]*ent.Customer, error) {
	return r.Client.Customer.Query().Where(customer.IDIn(ids...)).All(ctx)
}

func (r *Resolver) invoices(ctx context.Context, ids []uuid.UUID) ([]*ent.Invoice, error) {
	return r.Client.Invoice.Query().Where(invoice.IDIn(ids...)).All(ctx)
}

func (r *Resolver) sessions(ctx context.Context, ids []uuid.UUID) ([]*ent.PosSession, error) {
	return r.Client.PosSession.Query().Where(possession.IDIn(ids...)).All(ctx)
}

func customerID(c *ent.Customer) uuid.UUID  { return c.ID }
func invoiceID(i *ent.Invoice) uuid.UUID    { return i.ID }
func paymentID(p *ent.Payment) uuid.UUID    { return p.ID }
func saleID(s *ent.PosSale) uuid.UUID       { return s.ID }
func sessionID(s *ent.PosSession) uuid.UUID { return s.ID }

func deref(id *uuid.UUID) (uuid.UUID, bool) {
	if id == nil {
		return uuid.Nil, false
	}
	return *id, true
}

func mapRows[R, T any](rows []R, f func(R) T) []T {
	out := make([]T, len(rows))
	for i, r := range rows {
		out[i] = f(r)
	}
	return out
}

// text is an optional text argument, trimmed ("" when absent).
func text(v *string) string {
	if v == nil {
		return ""
	}
	return strings.TrimSpace(*v)
}

// intOr is *p, or def when the argument was left out.
func intOr(p *int, def int) int {
	if p == nil {
		return def
	}
	return *p
}

// metadataFilter is a where input's metadata: every key must have its
// value (REST's metadata[key]=value).
func metadataFilter[P ~func(*sql.Selector)](data service.MetadataInput) ([]P, error) {
	verr := &service.ValidationError{}
	want := make(map[string]string, len(data))
	for k, v := range data {
		if v == nil {
			verr.Add("metadata", "Filter values are strings; %q is null.", k)
			continue
		}
		want[k] = *v
	}
	ps := service.MetadataFilter[P](want, verr)
	return ps, verr.OrNil()
}
