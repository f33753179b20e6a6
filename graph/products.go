package graph

import (
	"context"

	"github.com/google/uuid"

	"github.com/cienerp/cienerp/ent"
	"github.com/cienerp/cienerp/ent/product"
	"github.com/cienerp/cienerp/ent/stocklevel"
	"github.com/cienerp/cienerp/ent/stocklocation"
	"github.com/cienerp/cienerp/ent/stockmovement"
	"github.com/cienerp/cienerp/modules/inventory"
	"github.com/cienerp/cienerp/service"
)

// Products & stock: what the resolvers share, and the module's entities
// (placeable by node, priced as connections).

func init() {
	registerEntity(entity{product.Table, inventory.ProductsView, func(ctx context.Context, c *ent.Client, ids []uuid.UUID) ([]uuid.UUID, error) {
		return c.Product.Query().Where(product.IDIn(ids...)).IDs(ctx)
	}, func(cfg *Config) {
		cfg.Complexity.Query.Products = connectionCost[*ent.ProductOrder, *ent.ProductWhereInput]
	}})
	registerEntity(entity{stocklocation.Table, inventory.StockView, func(ctx context.Context, c *ent.Client, ids []uuid.UUID) ([]uuid.UUID, error) {
		return c.StockLocation.Query().Where(stocklocation.IDIn(ids...)).IDs(ctx)
	}, func(cfg *Config) {
		cfg.Complexity.Query.StockLocations = connectionCost[*ent.StockLocationOrder, *ent.StockLocationWhereInput]
	}})
	registerEntity(entity{stocklevel.Table, inventory.StockView, func(ctx context.Context, c *ent.Client, ids []uuid.UUID) ([]uuid.UUID, error) {
		return c.StockLevel.Query().Where(stocklevel.IDIn(ids...)).IDs(ctx)
	}, func(cfg *Config) {
		cfg.Complexity.Query.StockLevels = connectionCost[*ent.StockLevelOrder, *ent.StockLevelWhereInput]
	}})
	registerEntity(entity{stockmovement.Table, inventory.StockView, func(ctx context.Context, c *ent.Client, ids []uuid.UUID) ([]uuid.UUID, error) {
		return c.StockMovement.Query().Where(stockmovement.IDIn(ids...)).IDs(ctx)
	}, func(cfg *Config) {
		cfg.Complexity.Query.StockMovements = connectionCost[*ent.StockMovementOrder, *ent.StockMovementWhereInput]
	}})
}

// productUpdate is an UpdateProductInput in the service's terms.
func productUpdate(input UpdateProductInput) service.ProductInput {
	return service.ProductInput{SKU: opt(input.Sku), Name: opt(input.Name), Description: opt(input.Description), Currency: opt(input.Currency),
		UnitPrice: opt(input.UnitPrice), TaxRate: opt(input.TaxRate), Barcode: omittable[string](input.Barcode), Active: opt(input.Active),
		AllowBackorder: opt(input.AllowBackorder), Metadata: input.Metadata, ExternalID: omittable[string](input.ExternalID)}
}

// Lookups by id for belongsTo, through the privacy layer.

func (r *Resolver) products(ctx context.Context, ids []uuid.UUID) ([]*ent.Product, error) {
	return r.Client.Product.Query().Where(product.IDIn(ids...)).All(ctx)
}

func (r *Resolver) locations(ctx context.Context, ids []uuid.UUID) ([]*ent.StockLocation, error) {
	return r.Client.StockLocation.Query().Where(stocklocation.IDIn(ids...)).All(ctx)
}

func productID(p *ent.Product) uuid.UUID        { return p.ID }
func locationID(l *ent.StockLocation) uuid.UUID { return l.ID }
func levelID(l *ent.StockLevel) uuid.UUID       { return l.ID }
func movementID(m *ent.StockMovement) uuid.UUID { return m.ID }

// movePayload is a movement just made with the levels it left (a replay
// answers them as the first answer did).
func movePayload(m *service.Movement) *StockMovePayload {
	out := &StockMovePayload{Movement: m.StockMovement, OnHand: int(*m.OnHand)}
	if m.ToOnHand != nil {
		to := int(*m.ToOnHand)
		out.ToOnHand = &to
	}
	return out
}
