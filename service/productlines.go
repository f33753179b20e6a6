package service

import (
	"context"
	"fmt"

	"github.com/google/uuid"

	"github.com/cienerp/cienerp/ent"
	"github.com/cienerp/cienerp/ent/product"
	"github.com/cienerp/cienerp/ent/schema"
	"github.com/cienerp/cienerp/ent/stockmovement"
	"github.com/cienerp/cienerp/modules/inventory"
	"github.com/cienerp/cienerp/money"
)

// Lines that sell a product: an invoice or POS sale line may name a
// product by product_id or sku. What the line leaves empty (description,
// unit price, tax rate) comes from the product; the quantity is whole
// units. Issuing the invoice (a POS sale issues its own) takes the stock
// out of a location; voiding it, or refunding it in full, puts it back.

// productItems fills the lines that name a product from it. *cur is the
// document's currency; when empty, the first product's becomes it. The
// products are read as the caller may read them: naming a product needs
// inventory.products.view.
func productItems(ctx context.Context, tx *ent.Tx, cur *string, items []money.Item, verr *ValidationError) ([]money.Item, error) {
	var ids []uuid.UUID
	var skus []string
	for _, it := range items {
		switch {
		case it.ProductID != nil:
			ids = append(ids, *it.ProductID)
		case it.SKU != "":
			skus = append(skus, it.SKU)
		}
	}
	if len(ids)+len(skus) == 0 {
		return items, nil
	}
	rows, err := tx.Product.Query().Where(product.Or(product.IDIn(ids...), product.SkuIn(skus...))).All(ctx)
	if err != nil {
		return nil, err
	}
	byID, bySKU := map[uuid.UUID]*ent.Product{}, map[string]*ent.Product{}
	for _, p := range rows {
		byID[p.ID], bySKU[p.Sku] = p, p
	}
	out := make([]money.Item, len(items))
	for i, it := range items {
		out[i] = it
		if it.ProductID == nil && it.SKU == "" {
			continue
		}
		f := func(name string) string { return fmt.Sprintf("items.%d.%s", i, name) }
		p := bySKU[it.SKU]
		if it.ProductID != nil {
			p = byID[*it.ProductID]
		}
		switch {
		case p == nil && it.ProductID != nil:
			verr.Add(f("product_id"), "No such product in this tenant and environment.")
			continue
		case p == nil:
			verr.Add(f("sku"), "No product has the SKU %q in this tenant and environment.", it.SKU)
			continue
		case it.SKU != "" && it.SKU != p.Sku:
			verr.Add(f("sku"), "The product %s has the SKU %q, not %q; name it once.", p.ID, p.Sku, it.SKU)
			continue
		case !p.Active:
			verr.Add(f("product_id"), "The product %s is inactive.", p.Sku)
			continue
		}
		if q, err := money.ParseDecimal(string(it.Quantity), 4); err == nil && !q.IsInteger() {
			verr.Add(f("quantity"), "The quantity of a product is a whole number of units.")
		}
		if *cur == "" {
			*cur = p.Currency
		}
		if it.Description == "" {
			out[i].Description = p.Name
		}
		if it.UnitPrice == "" {
			if p.Currency != *cur {
				verr.Add(f("unit_price"), "The product %s is priced in %s, this document is in %s; give the unit_price.", p.Sku, p.Currency, *cur)
			}
			out[i].UnitPrice = money.Text(money.FormatMinorIn(p.Currency, p.UnitPriceMinor))
		}
		if it.TaxRate == "" {
			out[i].TaxRate = money.Text(p.TaxRate)
		}
		out[i].ProductID, out[i].SKU = &p.ID, p.Sku
	}
	return out, nil
}

// takeStock takes out the stock an issued invoice's product lines sell,
// from location (the default one when nil); sale is the POS sale it is
// part of. field is where a missing location is reported.
func (s *Service) takeStock(ctx context.Context, tx *ent.Tx, inv *ent.Invoice, location, sale *uuid.UUID, field string) error {
	type take struct {
		line int
		qty  int64
	}
	var order []uuid.UUID
	takes := map[uuid.UUID]*take{}
	for i, l := range inv.Lines {
		if l.ProductID == nil {
			continue
		}
		q, _ := money.ParseDecimal(l.Quantity, 4)
		if t := takes[*l.ProductID]; t != nil {
			t.qty += q.IntPart()
			continue
		}
		order = append(order, *l.ProductID)
		takes[*l.ProductID] = &take{line: i, qty: q.IntPart()}
	}
	if len(order) == 0 {
		return nil
	}
	at, err := stockLocation(ctx, tx, location, field)
	if err != nil {
		return err
	}
	byID, err := productsByID(schema.BypassPermissions(ctx, "the stock follows the lines the caller may issue or sell"), tx, order)
	if err != nil {
		return err
	}
	for _, id := range order {
		t := takes[id]
		line := fmt.Sprintf("items.%d", t.line)
		p := byID[id]
		if p == nil {
			return Invalid(line+".product_id", "The product of this line no longer exists.")
		}
		_, err := s.move(ctx, tx, stockMove{product: p, location: at, quantity: -t.qty, kind: stockmovement.KindSale,
			invoice: &inv.ID, sale: sale, field: line + ".quantity"}, inventory.StockSold)
		if err != nil {
			return err
		}
	}
	return nil
}

// returnStock puts back what the sale movements of an invoice took, once.
func (s *Service) returnStock(ctx context.Context, tx *ent.Tx, invoiceID uuid.UUID, reason string) error {
	sys := schema.BypassPermissions(ctx, "a void or a refund puts back the stock its invoice took, whatever the viewer may read of stock")
	moved, err := tx.StockMovement.Query().Where(stockmovement.InvoiceID(invoiceID)).
		Order(ent.Asc(stockmovement.FieldCreatedAt), ent.Asc(stockmovement.FieldID)).All(sys)
	if err != nil || len(moved) == 0 {
		return err
	}
	ids := []uuid.UUID{}
	for _, m := range moved {
		if m.Kind == stockmovement.KindReturn {
			return nil // put back already
		}
		ids = append(ids, m.ProductID)
	}
	byID, err := productsByID(sys, tx, ids)
	if err != nil {
		return err
	}
	for _, m := range moved {
		p := byID[m.ProductID]
		if p == nil { // cannot happen: a product with movements is never deleted
			return fmt.Errorf("stock movement %s: product %s is gone", m.ID, m.ProductID)
		}
		if _, err := s.move(ctx, tx, stockMove{product: p, location: m.LocationID, quantity: -m.Quantity, kind: stockmovement.KindReturn,
			reason: reason, invoice: &invoiceID, sale: m.SaleID, field: "id"}, inventory.StockReturned); err != nil {
			return err
		}
	}
	return nil
}

// productsByID reads products by id in one query, as ctx may read them.
func productsByID(ctx context.Context, tx *ent.Tx, ids []uuid.UUID) (map[uuid.UUID]*ent.Product, error) {
	rows, err := tx.Product.Query().Where(product.IDIn(ids...)).All(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[uuid.UUID]*ent.Product, len(rows))
	for _, p := range rows {
		out[p.ID] = p
	}
	return out, nil
}

// invoiceLabel names an invoice in a movement's reason: its number once issued.
func invoiceLabel(i *ent.Invoice) string {
	if i.Number != nil {
		return *i.Number
	}
	return i.ID.String()
}
