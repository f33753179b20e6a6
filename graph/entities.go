package graph

import (
	"context"

	"github.com/google/uuid"

	"github.com/cienerp/cienerp/ent"
	"github.com/cienerp/cienerp/ent/auditevent"
	"github.com/cienerp/cienerp/ent/customer"
	"github.com/cienerp/cienerp/ent/document"
	"github.com/cienerp/cienerp/ent/invoice"
	"github.com/cienerp/cienerp/ent/payment"
	"github.com/cienerp/cienerp/ent/possale"
	"github.com/cienerp/cienerp/ent/possession"
	"github.com/cienerp/cienerp/ent/role"
	"github.com/cienerp/cienerp/ent/ticket"
	"github.com/cienerp/cienerp/ent/ticketcomment"
	"github.com/cienerp/cienerp/modules/admin"
	"github.com/cienerp/cienerp/modules/documents"
	"github.com/cienerp/cienerp/modules/finance"
	"github.com/cienerp/cienerp/modules/itsupport"
	"github.com/cienerp/cienerp/modules/pos"
)

// entity is what GraphQL needs to know of one entity with a connection:
// its table and view permission (node lookups) and the connection's cost.
type entity struct {
	table string
	view  string
	ids   func(ctx context.Context, c *ent.Client, ids []uuid.UUID) ([]uuid.UUID, error)
	cost  func(*Config)
}

// registerEntity adds a module's entities from its own file's init (a new
// module's way: graph/products.go); the ones below predate it.
func registerEntity(e entity) { entities = append(entities, e) }

// entities is the one list of them: an entity with a connection is listed
// to be placeable by node and priced.
var entities = []entity{
	{ticket.Table, itsupport.TicketsView, func(ctx context.Context, c *ent.Client, ids []uuid.UUID) ([]uuid.UUID, error) {
		return c.Ticket.Query().Where(ticket.IDIn(ids...)).IDs(ctx)
	}, func(cfg *Config) {
		cfg.Complexity.Query.Tickets = connectionCost[*ent.TicketOrder, *ent.TicketWhereInput]
	}},
	{ticketcomment.Table, itsupport.TicketsView, func(ctx context.Context, c *ent.Client, ids []uuid.UUID) ([]uuid.UUID, error) {
		return c.TicketComment.Query().Where(ticketcomment.IDIn(ids...)).IDs(ctx)
	}, func(cfg *Config) {
		cfg.Complexity.Query.TicketComments = connectionCost[*ent.TicketCommentOrder, *ent.TicketCommentWhereInput]
	}},
	{document.Table, documents.View, func(ctx context.Context, c *ent.Client, ids []uuid.UUID) ([]uuid.UUID, error) {
		return c.Document.Query().Where(document.IDIn(ids...)).IDs(ctx)
	}, func(cfg *Config) {
		cfg.Complexity.Query.Documents = connectionCost[*ent.DocumentOrder, *ent.DocumentWhereInput]
	}},
	{customer.Table, finance.CustomersView, func(ctx context.Context, c *ent.Client, ids []uuid.UUID) ([]uuid.UUID, error) {
		return c.Customer.Query().Where(customer.IDIn(ids...)).IDs(ctx)
	}, func(cfg *Config) {
		cfg.Complexity.Query.Customers = connectionCost[*ent.CustomerOrder, *ent.CustomerWhereInput]
	}},
	{invoice.Table, finance.InvoicesView, func(ctx context.Context, c *ent.Client, ids []uuid.UUID) ([]uuid.UUID, error) {
		return c.Invoice.Query().Where(invoice.IDIn(ids...)).IDs(ctx)
	}, func(cfg *Config) {
		cfg.Complexity.Query.Invoices = connectionCost[*ent.InvoiceOrder, *ent.InvoiceWhereInput]
	}},
	{payment.Table, finance.PaymentsView, func(ctx context.Context, c *ent.Client, ids []uuid.UUID) ([]uuid.UUID, error) {
		return c.Payment.Query().Where(payment.IDIn(ids...)).IDs(ctx)
	}, func(cfg *Config) {
		cfg.Complexity.Query.Payments = connectionCost[*ent.PaymentOrder, *ent.PaymentWhereInput]
	}},
	{possession.Table, pos.SessionsManage, func(ctx context.Context, c *ent.Client, ids []uuid.UUID) ([]uuid.UUID, error) {
		return c.PosSession.Query().Where(possession.IDIn(ids...)).IDs(ctx)
	}, func(cfg *Config) {
		cfg.Complexity.Query.PosSessions = connectionCost[*ent.PosSessionOrder, *ent.PosSessionWhereInput]
	}},
	{possale.Table, pos.SalesView, func(ctx context.Context, c *ent.Client, ids []uuid.UUID) ([]uuid.UUID, error) {
		return c.PosSale.Query().Where(possale.IDIn(ids...)).IDs(ctx)
	}, func(cfg *Config) {
		cfg.Complexity.Query.PosSales = connectionCost[*ent.PosSaleOrder, *ent.PosSaleWhereInput]
	}},
	// Roles and the audit trail belong to the tenant, not to an environment
	// (the tenancy rule knows).
	{role.Table, admin.PoliciesManage, func(ctx context.Context, c *ent.Client, ids []uuid.UUID) ([]uuid.UUID, error) {
		return c.Role.Query().Where(role.IDIn(ids...)).IDs(ctx)
	}, func(cfg *Config) { cfg.Complexity.Query.Roles = connectionCost[*ent.RoleOrder, *ent.RoleWhereInput] }},
	{auditevent.Table, admin.AuditView, func(ctx context.Context, c *ent.Client, ids []uuid.UUID) ([]uuid.UUID, error) {
		return c.AuditEvent.Query().Where(auditevent.IDIn(ids...)).IDs(ctx)
	}, func(cfg *Config) {
		cfg.Complexity.Query.AuditEvents = connectionCost[*ent.AuditEventOrder, *ent.AuditEventWhereInput]
	}},
}
