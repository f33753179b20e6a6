// Package inventory declares the products & stock module: the product
// catalogue, stock locations, stock movements and the on-hand quantity of
// each product at each location.
package inventory

import "github.com/cienerp/cienerp/module"

const (
	ProductsView   = "inventory.products.view"
	ProductsCreate = "inventory.products.create"
	ProductsUpdate = "inventory.products.update"
	ProductsDelete = "inventory.products.delete"
	StockView      = "inventory.stock.view"
	StockAdjust    = "inventory.stock.adjust"
)

const (
	ProductCreated  module.Change = "product.created"
	ProductUpdated  module.Change = "product.updated"
	ProductDeleted  module.Change = "product.deleted"
	LocationCreated module.Change = "stock.location.created"
	LocationUpdated module.Change = "stock.location.updated"
	StockAdjusted   module.Change = "stock.adjusted"
	StockSold       module.Change = "stock.sold"
	StockReturned   module.Change = "stock.returned"
)

// The operations and the permission each needs: REST routes name these,
// GraphQL fields are listed in them.
var (
	ViewProducts    = module.Op{Permission: ProductsView, GraphQL: []string{"Query.products"}}
	CreateProduct   = module.Op{Permission: ProductsCreate, GraphQL: []string{"Mutation.createProduct"}}
	UpdateProduct   = module.Op{Permission: ProductsUpdate, GraphQL: []string{"Mutation.updateProduct"}}
	DeleteProduct   = module.Op{Permission: ProductsDelete, GraphQL: []string{"Mutation.deleteProduct"}}
	UpsertProduct   = module.Op{GraphQL: []string{"Mutation.upsertProduct"}}
	ViewStock       = module.Op{Permission: StockView, GraphQL: []string{"Query.stockLocations", "Query.stockMovements", "Query.stockLevels"}}
	AdjustStock     = module.Op{Permission: StockAdjust, GraphQL: []string{"Mutation.moveStock"}}
	ManageLocations = module.Op{Permission: StockAdjust, GraphQL: []string{"Mutation.createStockLocation", "Mutation.updateStockLocation"}}
)

// atLocation: levels and movements are seen with their location (a
// transfer with the location it leaves).
var atLocation = &module.Relation{Name: "location", Object: "stock_location", Ref: "location_id"}

// Module is the declaration the registry (modules.All) lists.
var Module = module.Module{
	Name: "inventory",
	Tag:  "Products & stock", TagDescription: "The product catalogue (SKU, price, tax rate, barcode), stock locations, stock movements and on-hand quantities. Invoice and POS sale lines may name a product by product_id or sku: its description, unit price and tax rate are the line's defaults, and a POS sale or an issued invoice takes its stock.",
	Permissions: []module.Permission{
		{Name: ProductsView, Description: "List and read products.", Object: "product"},
		{Name: ProductsCreate, Description: "Create products.", Object: "product"},
		{Name: ProductsUpdate, Description: "Edit products: name, price, tax rate, barcode, flags.", Object: "product"},
		{Name: ProductsDelete, Description: "Delete products that never moved stock.", Object: "product"},
		{Name: StockView, Description: "Read stock locations, on-hand quantities and stock movements (a condition is on the location: a clerk limited to one store).", Object: "stock_location"},
		{Name: StockAdjust, Description: "Receive, adjust and transfer stock; create and edit stock locations."},
	},
	Grants: map[string][]string{
		"admin":      {"inventory.*"},
		"accountant": {ProductsView, StockView},
		"cashier":    {ProductsView},
		"viewer":     {ProductsView, StockView},
	},
	Objects: []module.Object{
		{Type: "product", Schema: "Product", View: ProductsView, Events: []module.Event{
			{Change: ProductCreated, Description: "A product was created."},
			{Change: ProductUpdated, Description: "A product changed; previous_attributes holds the old values."},
			{Change: ProductDeleted, Description: "A product was deleted; data.object is the product as it was."},
		}, Fields: []module.Field{
			{Name: "sku", Kind: module.KindString},
			{Name: "currency", Kind: module.KindString},
			{Name: "active", Kind: module.KindBool},
			{Name: "created_at", Kind: module.KindTime},
		}},
		{Type: "stock_location", Schema: "StockLocation", View: StockView, Events: []module.Event{
			{Change: LocationCreated, Description: "A stock location was created."},
			{Change: LocationUpdated, Description: "A stock location was renamed or made the default."},
		}, Fields: []module.Field{
			{Name: "code", Kind: module.KindString},
			{Name: "name", Kind: module.KindString},
			{Name: "created_at", Kind: module.KindTime},
		}},
		{Type: "stock_level", Schema: "StockLevel", View: StockView, Within: atLocation,
			Relations: []module.Relation{{Name: "product", Object: "product", Ref: "product_id"}, {Name: "location", Object: "stock_location", Ref: "location_id"}}},
		{Type: "stock_movement", Schema: "StockMovement", View: StockView, Events: []module.Event{
			{Change: StockAdjusted, Description: "Stock was received, adjusted or transferred by hand; data.object is the movement with the on-hand quantities after it."},
			{Change: StockSold, Description: "A POS sale or an issued invoice took stock out."},
			{Change: StockReturned, Description: "A voided invoice or a fully refunded sale put stock back."},
		}, Within: atLocation, Relations: []module.Relation{{Name: "product", Object: "product", Ref: "product_id"}, {Name: "location", Object: "stock_location", Ref: "location_id"}}},
	},
	Ops: []module.Op{ViewProducts, CreateProduct, UpdateProduct, DeleteProduct, UpsertProduct, ViewStock, AdjustStock, ManageLocations},
}
