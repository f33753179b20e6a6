package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
	"github.com/google/uuid"

	gen "github.com/cienerp/cienerp/ent"
	"github.com/cienerp/cienerp/ent/customer"
	"github.com/cienerp/cienerp/ent/invoice"
	"github.com/cienerp/cienerp/ent/payment"
	"github.com/cienerp/cienerp/ent/possale"
	"github.com/cienerp/cienerp/ent/possession"
	"github.com/cienerp/cienerp/ent/privacy"
	"github.com/cienerp/cienerp/modules/finance"
	"github.com/cienerp/cienerp/modules/pos"
	"github.com/cienerp/cienerp/money"
)

// Amounts are stored as integer minor units of the row's currency (exact,
// no floats); the API shows them as decimal strings.

// Customer is someone invoices are made out to.
type Customer struct{ ent.Schema }

func (Customer) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{}, TenantEnvMixin{}, TimeMixin{}, MetadataMixin{}, ExternalIDMixin{}}
}

func (Customer) Fields() []ent.Field {
	return []ent.Field{
		limited(field.String("name").NotEmpty().Annotations(entgql.OrderField("NAME")), MaxName),
		// The contact group (field rules): typed nullable in GraphQL by
		// graph/customers.graphqls, null with FORBIDDEN for who may not
		// see them, and not filterable there (REST cannot filter them).
		limited(field.String("email").Default("").Annotations(contactField), MaxEmail),
		limited(field.String("phone").Default("").Annotations(contactField), MaxPhone),
		limited(field.String("tax_id").Default("").Annotations(contactField), MaxTaxID),
		limited(field.Text("address").Default("").Annotations(contactField), MaxAddress),
		limited(field.String("currency").Default("").Comment("default currency of its invoices"), MaxCurrency),
		limited(field.Text("notes").Default(""), MaxNotes),
	}
}

var contactField = entgql.Skip(entgql.SkipType, entgql.SkipWhereInput)

func (Customer) Indexes() []ent.Index {
	return []ent.Index{index.Fields("tenant_id", "env", "created_at")}
}

func (Customer) Policy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{customerRows.Query(), requireQuery(finance.CustomersView)},
		Mutation: privacy.MutationPolicy{
			customerRows.Mutation(),
			requireAnyMutation(ent.OpCreate, finance.CustomersCreate, pos.SalesCreate),
			requireMutation(finance.CustomersUpdate, ent.OpUpdate|ent.OpUpdateOne),
			requireMutation(finance.CustomersDelete, ent.OpDelete|ent.OpDeleteOne),
		},
	}
}

// customerRows binds Customer to the row conditions on its object type.
var customerRows = rows("customer", customer.Table, func(c *gen.Client) *gen.CustomerQuery { return c.Customer.Query() }, (*gen.CustomerQuery).Where)

func (Customer) Hooks() []ent.Hook { return []ent.Hook{customerRows.Check()} }

// Invoice is a bill: draft (editable) -> issued (numbered) ->
// partially_paid -> paid, or void while nothing is paid.
type Invoice struct{ ent.Schema }

func (Invoice) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{}, TenantEnvMixin{}, TimeMixin{}, MetadataMixin{}, ExternalIDMixin{}}
}

func (Invoice) Fields() []ent.Field {
	return []ent.Field{
		field.String("number").Optional().Nillable().Comment("INV-2026-000017, assigned when issued").Annotations(entgql.OrderField("NUMBER")),
		field.UUID("customer_id", uuid.UUID{}).Optional().Nillable(),
		limited(field.String("currency"), MaxCurrency),
		field.Enum("status").Values(InvoiceStatuses...).Default("draft"),
		field.JSON("lines", []money.Line{}).Annotations(entgql.Type("[Line!]")),
		field.Int64("subtotal_minor").Default(0).Annotations(entgql.Skip()),
		field.Int64("discount_minor").Default(0).Annotations(entgql.Skip()),
		field.Int64("tax_minor").Default(0).Annotations(entgql.Skip()),
		field.Int64("total_minor").Default(0).Annotations(entgql.OrderField("TOTAL"), entgql.Skip(entgql.SkipType, entgql.SkipWhereInput)),
		field.Int64("paid_minor").Default(0).Annotations(entgql.Skip()),
		field.Time("issue_date").Optional().Nillable(),
		field.Time("due_date").Optional().Nillable().Annotations(entgql.OrderField("DUE_DATE")),
		limited(field.Text("notes").Default(""), MaxNotes),
		field.String("created_by").Immutable(),
		field.Time("voided_at").Optional().Nillable(),
	}
}

func (Invoice) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("tenant_id", "env", "number").Unique(),
		index.Fields("tenant_id", "env", "status", "due_date"),
		index.Fields("tenant_id", "env", "created_at"),
		index.Fields("tenant_id", "env", "customer_id", "created_at"), // conditions on the customer
	}
}

func (Invoice) Policy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{invoiceRows.Query(), requireQuery(finance.InvoicesView)},
		Mutation: privacy.MutationPolicy{
			invoiceRows.Mutation(),
			requireAnyMutation(ent.OpCreate, finance.InvoicesCreate, pos.SalesCreate),
			// Edits, issuing, voiding and payments all update an invoice;
			// the domain code checks which permission the change needs.
			requireAnyMutation(ent.OpUpdate|ent.OpUpdateOne, finance.InvoicesUpdate, finance.InvoicesIssue,
				finance.InvoicesVoid, finance.PaymentsCreate, finance.PaymentsRefund, pos.SalesCreate),
			privacy.OnMutationOperation(privacy.AlwaysDenyRule(), ent.OpDelete|ent.OpDeleteOne),
		},
	}
}

// invoiceRows binds Invoice to the row conditions on its object type.
var invoiceRows = rows("invoice", invoice.Table, func(c *gen.Client) *gen.InvoiceQuery { return c.Invoice.Query() }, (*gen.InvoiceQuery).Where)

func (Invoice) Hooks() []ent.Hook { return []ent.Hook{invoiceRows.Check()} }

// Payment is money received against an issued invoice; refunds reduce it.
type Payment struct{ ent.Schema }

func (Payment) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{}, TenantEnvMixin{}, TimeMixin{}, MetadataMixin{}}
}

func (Payment) Fields() []ent.Field {
	return []ent.Field{
		field.UUID("invoice_id", uuid.UUID{}).Immutable(),
		limited(field.String("currency").Immutable(), MaxCurrency),
		field.Int64("amount_minor").Positive().Immutable().Annotations(entgql.OrderField("AMOUNT"), entgql.Skip(entgql.SkipType, entgql.SkipWhereInput)),
		field.Int64("refunded_minor").Default(0).Annotations(entgql.Skip()),
		field.Enum("method").Values("cash", "card", "bank_transfer", "other").Immutable(),
		limited(field.String("reference").Default("").Immutable(), MaxReference),
		field.String("created_by").Immutable(),
		field.UUID("sale_id", uuid.UUID{}).Optional().Nillable().Immutable(),
	}
}

func (Payment) Indexes() []ent.Index {
	return []ent.Index{index.Fields("invoice_id"), index.Fields("tenant_id", "env", "created_at")}
}

func (Payment) Policy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{paymentRows.Query(), requireAnyQuery(finance.PaymentsView, pos.SalesView)},
		Mutation: privacy.MutationPolicy{
			paymentRows.Mutation(),
			requireAnyMutation(ent.OpCreate, finance.PaymentsCreate, pos.SalesCreate),
			requireMutation(finance.PaymentsRefund, ent.OpUpdate|ent.OpUpdateOne),
			privacy.OnMutationOperation(privacy.AlwaysDenyRule(), ent.OpDelete|ent.OpDeleteOne),
		},
	}
}

// paymentRows binds Payment to the row conditions on its object type.
var paymentRows = rows("payment", payment.Table, func(c *gen.Client) *gen.PaymentQuery { return c.Payment.Query() }, (*gen.PaymentQuery).Where)

func (Payment) Hooks() []ent.Hook { return []ent.Hook{paymentRows.Check()} }

// PosSession is one register's shift: opened with a cash float, closed
// with the counted cash.
type PosSession struct{ ent.Schema }

func (PosSession) Mixin() []ent.Mixin { return []ent.Mixin{IDMixin{}, TenantEnvMixin{}, TimeMixin{}} }

func (PosSession) Fields() []ent.Field {
	return []ent.Field{
		limited(field.String("register").NotEmpty(), MaxRegister),
		limited(field.String("currency").Immutable(), MaxCurrency),
		field.Enum("status").Values("open", "closed").Default("open"),
		field.Int64("opening_float_minor").NonNegative().Immutable().Annotations(entgql.Skip()),
		field.Int64("cash_in_minor").Default(0).Comment("cash kept from sales: tendered minus change").Annotations(entgql.Skip()),
		field.Int64("counted_minor").Optional().Nillable().Annotations(entgql.Skip()),
		field.String("opened_by").Immutable(),
		field.String("closed_by").Optional().Nillable(),
		field.Time("closed_at").Optional().Nillable(),
	}
}

func (PosSession) Indexes() []ent.Index {
	return []ent.Index{index.Fields("tenant_id", "env", "created_at"), index.Fields("tenant_id", "env", "opened_by", "created_at")} // the cashier's condition
}

func (PosSession) Policy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{posSessionRows.Query(), requireAnyQuery(pos.SessionsManage, pos.SalesView, pos.SalesCreate)},
		Mutation: privacy.MutationPolicy{
			posSessionRows.Mutation(),
			requireMutation(pos.SessionsManage, ent.OpCreate),
			requireAnyMutation(ent.OpUpdate|ent.OpUpdateOne, pos.SessionsManage, pos.SalesCreate),
			privacy.OnMutationOperation(privacy.AlwaysDenyRule(), ent.OpDelete|ent.OpDeleteOne),
		},
	}
}

// posSessionRows binds PosSession to the row conditions on its object type.
var posSessionRows = rows("pos_session", possession.Table, func(c *gen.Client) *gen.PosSessionQuery { return c.PosSession.Query() }, (*gen.PosSessionQuery).Where)

func (PosSession) Hooks() []ent.Hook { return []ent.Hook{posSessionRows.Check()} }

// PosSale is a sale rung up in a session: a paid invoice, its payments,
// the tenders and the change given.
type PosSale struct{ ent.Schema }

func (PosSale) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{}, TenantEnvMixin{}, TimeMixin{}, MetadataMixin{}}
}

func (PosSale) Fields() []ent.Field {
	return []ent.Field{
		field.UUID("session_id", uuid.UUID{}).Immutable(),
		field.UUID("invoice_id", uuid.UUID{}).Immutable(),
		field.String("receipt_number").Immutable().Annotations(entgql.OrderField("RECEIPT_NUMBER")),
		limited(field.String("currency").Immutable(), MaxCurrency),
		field.Int64("total_minor").Immutable().Annotations(entgql.Skip()),
		field.JSON("tenders", []map[string]string{}).Immutable().Annotations(entgql.Skip()),
		field.Int64("change_minor").Immutable().Annotations(entgql.Skip()),
		field.String("created_by").Immutable(),
	}
}

func (PosSale) Indexes() []ent.Index {
	return []ent.Index{index.Fields("session_id"), index.Fields("tenant_id", "env", "created_at"), index.Fields("tenant_id", "env", "created_by", "created_at")} // the cashier's condition
}

func (PosSale) Policy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{posSaleRows.Query(), requireQuery(pos.SalesView)},
		Mutation: privacy.MutationPolicy{
			posSaleRows.Mutation(),
			requireMutation(pos.SalesCreate, ent.OpCreate),
			privacy.OnMutationOperation(privacy.AlwaysDenyRule(), ent.OpUpdate|ent.OpUpdateOne|ent.OpDelete|ent.OpDeleteOne),
		},
	}
}

// posSaleRows binds PosSale to the row conditions on its object type.
var posSaleRows = rows("pos_sale", possale.Table, func(c *gen.Client) *gen.PosSaleQuery { return c.PosSale.Query() }, (*gen.PosSaleQuery).Where)

func (PosSale) Hooks() []ent.Hook { return []ent.Hook{posSaleRows.Check()} }

func (Customer) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.QueryField(), entgql.RelayConnection()}
}

func (Invoice) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.QueryField(), entgql.RelayConnection()}
}

func (Payment) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.QueryField(), entgql.RelayConnection()}
}

func (PosSession) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.QueryField(), entgql.RelayConnection()}
}

func (PosSale) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.QueryField(), entgql.RelayConnection()}
}

// InvoiceStatuses are the states of an invoice, in workflow order.
var InvoiceStatuses = finance.InvoiceStatuses
