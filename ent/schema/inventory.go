package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
	"github.com/google/uuid"

	gen "github.com/cienerp/cienerp/ent"
	"github.com/cienerp/cienerp/ent/privacy"
	"github.com/cienerp/cienerp/ent/product"
	"github.com/cienerp/cienerp/ent/stocklevel"
	"github.com/cienerp/cienerp/ent/stocklocation"
	"github.com/cienerp/cienerp/ent/stockmovement"
	"github.com/cienerp/cienerp/modules/finance"
	"github.com/cienerp/cienerp/modules/inventory"
	"github.com/cienerp/cienerp/modules/pos"
)

// Length limits of the inventory's own text fields, in characters.
const (
	MaxSKU          = 64
	MaxBarcode      = 64
	MaxLocationCode = 32
	MaxStockReason  = 500
)

// Quantities of stock are whole units: a line that takes stock must sell
// a whole number of them.

// Product is something sold: on invoice and POS sale lines by id or SKU.
type Product struct{ ent.Schema }

func (Product) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{}, TenantEnvMixin{}, TimeMixin{}, MetadataMixin{}, ExternalIDMixin{}}
}

func (Product) Fields() []ent.Field {
	return []ent.Field{
		limited(field.String("sku").NotEmpty().Annotations(entgql.OrderField("SKU")), MaxSKU),
		limited(field.String("name").NotEmpty().Annotations(entgql.OrderField("NAME")), MaxName),
		limited(field.Text("description").Default(""), MaxNotes),
		limited(field.String("currency"), MaxCurrency),
		field.Int64("unit_price_minor").NonNegative().Annotations(entgql.OrderField("UNIT_PRICE"), entgql.Skip(entgql.SkipType, entgql.SkipWhereInput)),
		field.String("tax_rate").Default("0").Comment("percent, a decimal string").Annotations(entgql.Skip(entgql.SkipWhereInput)),
		limited(field.String("barcode").Optional().Nillable(), MaxBarcode),
		field.Bool("active").Default(true),
		field.Bool("allow_backorder").Default(false),
	}
}

func (Product) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("tenant_id", "env", "sku").Unique(),
		index.Fields("tenant_id", "env", "barcode").Unique(),
		index.Fields("tenant_id", "env", "created_at"),
	}
}

func (Product) Policy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{productRows.Query(), requireQuery(inventory.ProductsView)},
		Mutation: privacy.MutationPolicy{
			productRows.Mutation(),
			requireMutation(inventory.ProductsCreate, ent.OpCreate),
			requireMutation(inventory.ProductsUpdate, ent.OpUpdate|ent.OpUpdateOne),
			requireMutation(inventory.ProductsDelete, ent.OpDelete|ent.OpDeleteOne),
		},
	}
}

// productRows binds Product to the row conditions on its object type.
var productRows = rows("product", product.Table, func(c *gen.Client) *gen.ProductQuery { return c.Product.Query() }, (*gen.ProductQuery).Where)

func (Product) Hooks() []ent.Hook { return []ent.Hook{productRows.Check()} }

// StockLocation is a place stock is kept: a shop, a warehouse, a van. One
// location per tenant and environment is the default: POS sales and issued
// invoices take their stock from it unless told otherwise.
type StockLocation struct{ ent.Schema }

func (StockLocation) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{}, TenantEnvMixin{}, TimeMixin{}}
}

func (StockLocation) Fields() []ent.Field {
	return []ent.Field{
		limited(field.String("name").NotEmpty().Annotations(entgql.OrderField("NAME")), MaxName),
		limited(field.String("code").NotEmpty().Annotations(entgql.OrderField("CODE")), MaxLocationCode),
		field.Bool("is_default").Default(false),
	}
}

func (StockLocation) Indexes() []ent.Index {
	return []ent.Index{index.Fields("tenant_id", "env", "code").Unique(), index.Fields("tenant_id", "env", "created_at")}
}

// stockWriters may change stock: by hand, or by the sale, issue, void or
// refund that takes stock out or puts it back (the service checks which).
var stockWriters = []string{inventory.StockAdjust, pos.SalesCreate, finance.InvoicesIssue, finance.InvoicesVoid, finance.PaymentsRefund}

func (StockLocation) Policy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{stockLocationRows.Query(), requireQuery(inventory.StockView)},
		Mutation: privacy.MutationPolicy{
			stockLocationRows.Mutation(),
			requireMutation(inventory.StockAdjust, ent.OpCreate|ent.OpUpdate|ent.OpUpdateOne),
			privacy.OnMutationOperation(privacy.AlwaysDenyRule(), ent.OpDelete|ent.OpDeleteOne),
		},
	}
}

// stockLocationRows binds StockLocation to the row conditions on stock (by location).
var stockLocationRows = rows("stock_location", stocklocation.Table, func(c *gen.Client) *gen.StockLocationQuery { return c.StockLocation.Query() }, (*gen.StockLocationQuery).Where)

func (StockLocation) Hooks() []ent.Hook { return []ent.Hook{stockLocationRows.Check()} }

// StockLevel is the on-hand quantity of one product at one location,
// changed only by movements, in their transaction. It never goes below
// zero unless the product allows backorders.
type StockLevel struct{ ent.Schema }

func (StockLevel) Mixin() []ent.Mixin { return []ent.Mixin{IDMixin{}, TenantEnvMixin{}, TimeMixin{}} }

func (StockLevel) Fields() []ent.Field {
	return []ent.Field{
		field.UUID("product_id", uuid.UUID{}).Immutable(),
		field.UUID("location_id", uuid.UUID{}).Immutable(),
		field.Int64("on_hand").Default(0).Annotations(entgql.OrderField("ON_HAND")),
	}
}

func (StockLevel) Indexes() []ent.Index {
	return []ent.Index{index.Fields("product_id", "location_id").Unique(), index.Fields("location_id")}
}

func (StockLevel) Policy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{stockLevelRows.Query(), requireQuery(inventory.StockView)},
		Mutation: privacy.MutationPolicy{
			stockLevelRows.Mutation(),
			requireAnyMutation(ent.OpCreate|ent.OpUpdate|ent.OpUpdateOne, stockWriters...),
			privacy.OnMutationOperation(privacy.AlwaysDenyRule(), ent.OpDelete|ent.OpDeleteOne),
		},
	}
}

// stockLevelRows binds StockLevel to the row conditions on stock (by location).
var stockLevelRows = rows("stock_level", stocklevel.Table, func(c *gen.Client) *gen.StockLevelQuery { return c.StockLevel.Query() }, (*gen.StockLevelQuery).Where)

func (StockLevel) Hooks() []ent.Hook { return []ent.Hook{stockLevelRows.Check()} }

// StockMovements are the stock's ledger: append-only, each with what
// caused it.
var StockMovementKinds = []string{"receipt", "adjustment", "transfer", "sale", "return"}

// StockMovement is one change of stock: quantity is the change at
// location_id (negative takes out); a transfer moves quantity from
// location_id to to_location_id.
type StockMovement struct{ ent.Schema }

func (StockMovement) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{}, TenantEnvMixin{}, TimeMixin{}}
}

func (StockMovement) Fields() []ent.Field {
	return []ent.Field{
		field.UUID("product_id", uuid.UUID{}).Immutable(),
		field.UUID("location_id", uuid.UUID{}).Immutable(),
		field.UUID("to_location_id", uuid.UUID{}).Optional().Nillable().Immutable(),
		field.Enum("kind").Values(StockMovementKinds...).Immutable(),
		field.Int64("quantity").Immutable(),
		limited(field.String("reason").Default("").Immutable(), MaxStockReason),
		field.UUID("invoice_id", uuid.UUID{}).Optional().Nillable().Immutable(),
		field.UUID("sale_id", uuid.UUID{}).Optional().Nillable().Immutable(),
		field.String("created_by").Immutable(),
	}
}

func (StockMovement) Indexes() []ent.Index {
	return []ent.Index{index.Fields("tenant_id", "env", "created_at"), index.Fields("product_id"), index.Fields("invoice_id")}
}

func (StockMovement) Policy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{stockMovementRows.Query(), requireQuery(inventory.StockView)},
		Mutation: privacy.MutationPolicy{
			stockMovementRows.Mutation(),
			requireAnyMutation(ent.OpCreate, stockWriters...),
			privacy.OnMutationOperation(privacy.AlwaysDenyRule(), ent.OpUpdate|ent.OpUpdateOne|ent.OpDelete|ent.OpDeleteOne),
		},
	}
}

// stockMovementRows binds StockMovement to the row conditions on stock (by location).
var stockMovementRows = rows("stock_movement", stockmovement.Table, func(c *gen.Client) *gen.StockMovementQuery { return c.StockMovement.Query() }, (*gen.StockMovementQuery).Where)

func (StockMovement) Hooks() []ent.Hook { return []ent.Hook{stockMovementRows.Check()} }

func (Product) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.QueryField(), entgql.RelayConnection()}
}

func (StockLocation) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.QueryField(), entgql.RelayConnection()}
}

func (StockLevel) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.QueryField(), entgql.RelayConnection()}
}

func (StockMovement) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.QueryField(), entgql.RelayConnection()}
}
