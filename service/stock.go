package service

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/cienerp/cienerp/ent"
	"github.com/cienerp/cienerp/ent/product"
	"github.com/cienerp/cienerp/ent/schema"
	"github.com/cienerp/cienerp/ent/stocklevel"
	"github.com/cienerp/cienerp/ent/stocklocation"
	"github.com/cienerp/cienerp/ent/stockmovement"
	"github.com/cienerp/cienerp/module"
	"github.com/cienerp/cienerp/modules/inventory"
	"github.com/cienerp/cienerp/policy"
)

// Stock: locations, the movements ledger and the on-hand level of each
// product at each location. A level changes only with a movement, in the
// same transaction, by one conditional UPDATE: of two sales racing for the
// last unit, the database lets one through and the other finds too few.

// LocationInput creates a stock location or edits one.
type LocationInput struct {
	Name    Opt[string] `json:"name"`
	Code    Opt[string] `json:"code"`
	Default Opt[bool]   `json:"default"` // true makes it the default (the previous one stops being it)
}

func (in LocationInput) check(creating bool, verr *ValidationError) {
	if in.Name.Null || (creating || in.Name.Set) && strings.TrimSpace(in.Name.V) == "" {
		verr.Add("name", "Name is required.")
	}
	checkText(verr, "name", in.Name.V, schema.MaxName)
	if in.Code.Null || (creating || in.Code.Set) && !skuRE.MatchString(in.Code.V) {
		verr.Add("code", "The code is required: letters, digits, '.', '_', '/' and '-', e.g. \"main\".")
	}
	checkText(verr, "code", in.Code.V, schema.MaxLocationCode)
	if in.Default.Null || in.Default.Set && !in.Default.V && !creating {
		verr.Add("default", "Make another location the default instead (default: true on it).")
	}
}

// CreateLocation adds a stock location; the first one is the default.
func (s *Service) CreateLocation(ctx context.Context, in LocationInput) (*ent.StockLocation, error) {
	verr := &ValidationError{}
	in.check(true, verr)
	if err := verr.OrNil(); err != nil {
		return nil, err
	}
	var out *ent.StockLocation
	err := s.inTx(ctx, func(tx *ent.Tx) error {
		// The code is unique and one location is the default whatever the
		// viewer may read of stock: inventory.stock.adjust creates locations.
		sys := schema.BypassPermissions(ctx, "a new location's code and default are checked against every location of the tenant")
		if err := locationCodeFree(sys, tx, in.Code.V, uuid.Nil); err != nil {
			return err
		}
		first, err := tx.StockLocation.Query().Where(stocklocation.IsDefault(true)).Exist(sys)
		if err != nil {
			return err
		}
		isDefault := !first || in.Default.V
		if isDefault && first {
			if err := tx.StockLocation.Update().Where(stocklocation.IsDefault(true)).SetIsDefault(false).Exec(ctx); err != nil {
				return err
			}
		}
		if out, err = tx.StockLocation.Create().SetName(strings.TrimSpace(in.Name.V)).SetCode(in.Code.V).SetIsDefault(isDefault).Save(ctx); err != nil {
			return err
		}
		if err := record(ctx, tx, inventory.LocationCreated, "stock_location", out.ID.String(), nil, LocationObject(out)); err != nil {
			return err
		}
		return s.emit(ctx, tx, change{Type: inventory.LocationCreated, ObjectID: out.ID.String(), Object: LocationObject(out)})
	})
	return out, err
}

func locationCodeFree(ctx context.Context, tx *ent.Tx, code string, self uuid.UUID) error {
	taken, err := tx.StockLocation.Query().Where(stocklocation.Code(code), stocklocation.IDNEQ(self)).Exist(ctx)
	if err == nil && taken {
		return Invalid("code", "Another stock location has the code %q.", code)
	}
	return err
}

// UpdateLocation renames a location or makes it the default.
func (s *Service) UpdateLocation(ctx context.Context, id uuid.UUID, in LocationInput) (*ent.StockLocation, error) {
	verr := &ValidationError{}
	in.check(false, verr)
	if err := verr.OrNil(); err != nil {
		return nil, err
	}
	var out *ent.StockLocation
	err := s.inTx(ctx, func(tx *ent.Tx) error {
		l, err := lockRow(s, ctx, tx.StockLocation.Query().Where(stocklocation.ID(id)), "stock location", LocationObject)
		if err != nil {
			return err
		}
		u := tx.StockLocation.UpdateOne(l)
		if in.Name.Set {
			u.SetName(strings.TrimSpace(in.Name.V))
		}
		if in.Code.Set {
			if err := locationCodeFree(ctx, tx, in.Code.V, id); err != nil {
				return err
			}
			u.SetCode(in.Code.V)
		}
		if in.Default.V && !l.IsDefault {
			if err := tx.StockLocation.Update().Where(stocklocation.IsDefault(true)).SetIsDefault(false).Exec(ctx); err != nil {
				return err
			}
			u.SetIsDefault(true)
		}
		if out, err = u.Save(ctx); err != nil {
			return err
		}
		if err := record(ctx, tx, inventory.LocationUpdated, "stock_location", id.String(), LocationObject(l), LocationObject(out)); err != nil {
			return err
		}
		return s.emit(ctx, tx, change{Type: inventory.LocationUpdated, ObjectID: id.String(), Object: LocationObject(out), Before: LocationObject(l)})
	})
	return out, err
}

// GetLocation reads one stock location.
func (s *Service) GetLocation(ctx context.Context, id uuid.UUID) (*ent.StockLocation, error) {
	l, err := s.Client.StockLocation.Get(ctx, id)
	if ent.IsNotFound(err) {
		return nil, &NotFoundError{Entity: "stock location"}
	}
	return l, err
}

// ListLocations pages through stock locations, newest first.
func (s *Service) ListLocations(ctx context.Context, limit int, cur string) (*Page[*ent.StockLocation], error) {
	after, err := pageArgs(limit, cur, "stock_locations")
	if err != nil {
		return nil, err
	}
	q := s.Client.StockLocation.Query()
	if after != nil {
		q.Where(afterNewest(*after))
	}
	rows, err := q.Order(ent.Desc(stocklocation.FieldCreatedAt), ent.Desc(stocklocation.FieldID)).Limit(limit + 1).All(ctx)
	if err != nil {
		return nil, err
	}
	return pageOf(rows, limit, "stock_locations", func(l *ent.StockLocation) (time.Time, uuid.UUID) { return l.CreatedAt, l.ID }), nil
}

// MovementInput moves stock by hand: a receipt (quantity > 0 arrives), an
// adjustment (a signed correction, with its reason) or a transfer
// (quantity > 0 from location_id to to_location_id). Sales and returns
// are made by the sales, invoices and refunds that cause them.
type MovementInput struct {
	ProductID    *uuid.UUID `json:"product_id"`
	SKU          string     `json:"sku"`
	Kind         string     `json:"kind"`
	Quantity     *int64     `json:"quantity"`
	LocationID   *uuid.UUID `json:"location_id"` // the default location when absent
	ToLocationID *uuid.UUID `json:"to_location_id"`
	Reason       string     `json:"reason"`
}

// Movement is a movement with the on-hand quantities it left.
type Movement struct {
	*ent.StockMovement
	OnHand, ToOnHand *int64
}

// MoveStock records a movement by hand and changes the levels with it.
func (s *Service) MoveStock(ctx context.Context, in MovementInput) (*Movement, error) {
	verr := &ValidationError{}
	switch in.Kind {
	case "receipt", "transfer":
		if in.Quantity != nil && *in.Quantity <= 0 {
			verr.Add("quantity", "The quantity of a %s must be greater than 0.", in.Kind)
		}
	case "adjustment":
		if in.Quantity != nil && *in.Quantity == 0 {
			verr.Add("quantity", "The quantity of an adjustment is the change: positive adds, negative takes out, never 0.")
		}
		if strings.TrimSpace(in.Reason) == "" {
			verr.Add("reason", "Say why stock is adjusted (counted, damaged, …).")
		}
	case "sale", "return":
		verr.Add("kind", "Sales and returns are made by POS sales, invoices and refunds; use receipt, adjustment or transfer.")
	default:
		verr.Add("kind", "The kind must be receipt, adjustment or transfer.")
	}
	if in.Quantity == nil {
		verr.Add("quantity", "The quantity field is required (whole units).")
	}
	if in.ProductID == nil && in.SKU == "" {
		verr.Add("product_id", "Name the product: product_id or sku.")
	}
	if in.Kind == "transfer" && in.ToLocationID == nil {
		verr.Add("to_location_id", "A transfer needs the location it goes to.")
	}
	if in.Kind != "transfer" && in.ToLocationID != nil {
		verr.Add("to_location_id", "Only a transfer has a to_location_id.")
	}
	checkText(verr, "reason", in.Reason, schema.MaxStockReason)
	if err := verr.OrNil(); err != nil {
		return nil, err
	}
	var out *Movement
	err := s.inTx(ctx, func(tx *ent.Tx) error {
		// stock.adjust names any product of the tenant, whatever the viewer may read of products.
		p, err := findProduct(schema.BypassPermissions(ctx, "a movement by hand names its product; inventory.stock.adjust was checked"), tx, in.ProductID, in.SKU)
		if err != nil {
			return err
		}
		from, err := stockLocation(ctx, tx, in.LocationID, "location_id")
		if err != nil {
			return err
		}
		m := stockMove{product: p, location: from, quantity: *in.Quantity, kind: stockmovement.Kind(in.Kind), reason: strings.TrimSpace(in.Reason), field: "quantity"}
		if in.Kind == "transfer" {
			to, err := stockLocation(ctx, tx, in.ToLocationID, "to_location_id")
			if err != nil {
				return err
			}
			if to == from {
				return Invalid("to_location_id", "A transfer goes to another location.")
			}
			m.to = &to
		}
		out, err = s.move(ctx, tx, m, inventory.StockAdjusted)
		return err
	})
	return out, err
}

// stockMove is one movement to make.
type stockMove struct {
	product  *ent.Product
	location uuid.UUID
	to       *uuid.UUID // a transfer's destination
	quantity int64      // the change at location (a transfer: what leaves it)
	kind     stockmovement.Kind
	reason   string
	invoice  *uuid.UUID
	sale     *uuid.UUID
	field    string // the input field a shortage is reported on
}

// move changes the levels and records the movement, its audit event and
// its integration event (typ).
func (s *Service) move(ctx context.Context, tx *ent.Tx, m stockMove, typ module.Change) (*Movement, error) {
	out := &Movement{}
	delta := m.quantity
	if m.kind == stockmovement.KindTransfer {
		delta = -m.quantity
	}
	onHand, err := s.changeLevel(ctx, tx, m.product, m.location, delta, m.field)
	if err != nil {
		return nil, err
	}
	out.OnHand = &onHand
	if m.to != nil {
		toOnHand, err := s.changeLevel(ctx, tx, m.product, *m.to, m.quantity, m.field)
		if err != nil {
			return nil, err
		}
		out.ToOnHand = &toOnHand
	}
	sys := schema.BypassPermissions(ctx, "a sale, an issue, a void or a refund records the stock it moves; the write's own permission was checked")
	out.StockMovement, err = tx.StockMovement.Create().SetProductID(m.product.ID).SetLocationID(m.location).SetNillableToLocationID(m.to).
		SetKind(m.kind).SetQuantity(m.quantity).SetReason(m.reason).SetNillableInvoiceID(m.invoice).SetNillableSaleID(m.sale).
		SetCreatedBy(policy.FromContext(ctx).Subject).Save(sys)
	if err != nil {
		return nil, err
	}
	if err := record(ctx, tx, typ, "stock_movement", out.ID.String(), nil, MovementObject(out)); err != nil {
		return nil, err
	}
	return out, s.emit(ctx, tx, change{Type: typ, ObjectID: out.ID.String(), Object: MovementObject(out)})
}

// changeLevel adds delta to the product's on-hand quantity at location
// and returns the new quantity. Taking out more than is on hand is refused
// (unless the product allows backorders) by the UPDATE's own condition,
// so concurrent takers cannot both pass a check made before.
func (s *Service) changeLevel(ctx context.Context, tx *ent.Tx, p *ent.Product, location uuid.UUID, delta int64, field string) (int64, error) {
	sys := schema.BypassPermissions(ctx, "a movement changes its level whatever the viewer may read of stock; the write's own permission was checked")
	err := tx.StockLevel.Create().SetProductID(p.ID).SetLocationID(location).SetOnHand(0).
		OnConflictColumns(stocklevel.FieldProductID, stocklevel.FieldLocationID).DoNothing().Exec(sys)
	if err != nil && !isNoRows(err) {
		return 0, err
	}
	at := tx.StockLevel.Update().Where(stocklevel.ProductID(p.ID), stocklevel.LocationID(location)).AddOnHand(delta)
	if delta < 0 && !p.AllowBackorder {
		at.Where(stocklevel.OnHandGTE(-delta))
	}
	n, err := at.Save(sys)
	if err != nil {
		return 0, err
	}
	level, err := tx.StockLevel.Query().Where(stocklevel.ProductID(p.ID), stocklevel.LocationID(location)).Only(sys)
	if err != nil {
		return 0, err
	}
	if n == 0 {
		return 0, Invalid(field, "Only %d of %s are on hand there, %d asked; the product does not allow backorders.", level.OnHand, p.Sku, -delta)
	}
	return level.OnHand, nil
}

// findProduct reads the product an input names by product_id or sku
// (both must agree), as ctx may read it.
func findProduct(ctx context.Context, tx *ent.Tx, id *uuid.UUID, sku string) (*ent.Product, error) {
	q := tx.Product.Query().Where(product.Sku(sku))
	if id != nil {
		q = tx.Product.Query().Where(product.ID(*id))
	}
	p, err := q.Only(ctx)
	if ent.IsNotFound(err) {
		if id == nil {
			return nil, Invalid("sku", "No product has the SKU %q in this tenant and environment.", sku)
		}
		return nil, Invalid("product_id", "No such product in this tenant and environment.")
	}
	if err != nil {
		return nil, err
	}
	if id != nil && sku != "" && p.Sku != sku {
		return nil, Invalid("sku", "The product %s has the SKU %q, not %q; name it once.", p.ID, p.Sku, sku)
	}
	return p, nil
}

// stockLocation is the location named, or the default one.
func stockLocation(ctx context.Context, tx *ent.Tx, id *uuid.UUID, field string) (uuid.UUID, error) {
	sys := schema.BypassPermissions(ctx, "a sale finds the location it takes stock from, whatever the viewer may read of stock")
	q := tx.StockLocation.Query()
	if id != nil {
		q.Where(stocklocation.ID(*id))
	} else {
		q.Where(stocklocation.IsDefault(true))
	}
	l, err := q.OnlyID(sys)
	if ent.IsNotFound(err) {
		if id != nil {
			return uuid.Nil, Invalid(field, "No such stock location in this tenant and environment.")
		}
		return uuid.Nil, Invalid(field, "There is no stock location yet; create one (POST /stock/locations) or name %s.", field)
	}
	return l, err
}

// GetMovement reads one stock movement.
func (s *Service) GetMovement(ctx context.Context, id uuid.UUID) (*Movement, error) {
	m, err := s.Client.StockMovement.Get(ctx, id)
	if ent.IsNotFound(err) {
		return nil, &NotFoundError{Entity: "stock movement"}
	}
	if err != nil {
		return nil, err
	}
	return &Movement{StockMovement: m}, nil
}

// MovementFilter selects a page of movements, newest first.
type MovementFilter struct {
	Product, Location, Invoice, Sale string // ids
	Kinds                            []string
	Limit                            int
	Cursor                           string
}

// ListMovements returns one page of the ledger in one query.
func (s *Service) ListMovements(ctx context.Context, f MovementFilter) (*Page[*Movement], error) {
	after, err := pageArgs(f.Limit, f.Cursor, "stock_movements")
	verr := validationOf(err)
	kinds := enumList[stockmovement.Kind]("kind", f.Kinds, stockmovement.KindValidator, schema.StockMovementKinds, verr)
	prod := idParam("product_id", "a product", f.Product, verr)
	loc := idParam("location_id", "a stock location", f.Location, verr)
	inv := idParam("invoice_id", "an invoice", f.Invoice, verr)
	sale := idParam("sale_id", "a POS sale", f.Sale, verr)
	if err := verr.OrNil(); err != nil {
		return nil, err
	}
	q := s.Client.StockMovement.Query()
	if len(kinds) > 0 {
		q.Where(stockmovement.KindIn(kinds...))
	}
	if prod != nil {
		q.Where(stockmovement.ProductID(*prod))
	}
	if loc != nil {
		q.Where(stockmovement.Or(stockmovement.LocationID(*loc), stockmovement.ToLocationID(*loc)))
	}
	if inv != nil {
		q.Where(stockmovement.InvoiceID(*inv))
	}
	if sale != nil {
		q.Where(stockmovement.SaleID(*sale))
	}
	if after != nil {
		q.Where(afterNewest(*after))
	}
	rows, err := q.Order(ent.Desc(stockmovement.FieldCreatedAt), ent.Desc(stockmovement.FieldID)).Limit(f.Limit + 1).All(ctx)
	if err != nil {
		return nil, err
	}
	page := pageOf(rows, f.Limit, "stock_movements", func(m *ent.StockMovement) (time.Time, uuid.UUID) { return m.CreatedAt, m.ID })
	out := &Page[*Movement]{Items: make([]*Movement, len(page.Items)), HasMore: page.HasMore, NextCursor: page.NextCursor}
	for i, m := range page.Items {
		out.Items[i] = &Movement{StockMovement: m}
	}
	return out, nil
}

// LevelFilter selects on-hand quantities.
type LevelFilter struct {
	Product, Location string // ids
	Limit             int
	Cursor            string
}

// ListLevels pages through on-hand quantities, newest level first.
func (s *Service) ListLevels(ctx context.Context, f LevelFilter) (*Page[*ent.StockLevel], error) {
	after, err := pageArgs(f.Limit, f.Cursor, "stock_levels")
	verr := validationOf(err)
	prod := idParam("product_id", "a product", f.Product, verr)
	loc := idParam("location_id", "a stock location", f.Location, verr)
	if err := verr.OrNil(); err != nil {
		return nil, err
	}
	q := s.Client.StockLevel.Query()
	if prod != nil {
		q.Where(stocklevel.ProductID(*prod))
	}
	if loc != nil {
		q.Where(stocklevel.LocationID(*loc))
	}
	if after != nil {
		q.Where(afterNewest(*after))
	}
	rows, err := q.Order(ent.Desc(stocklevel.FieldCreatedAt), ent.Desc(stocklevel.FieldID)).Limit(f.Limit + 1).All(ctx)
	if err != nil {
		return nil, err
	}
	return pageOf(rows, f.Limit, "stock_levels", func(l *ent.StockLevel) (time.Time, uuid.UUID) { return l.CreatedAt, l.ID }), nil
}

// LocationObject is a stock location's public shape.
func LocationObject(l *ent.StockLocation) map[string]any {
	return map[string]any{"id": l.ID, "object": "stock_location", "name": l.Name, "code": l.Code, "default": l.IsDefault,
		"environment": l.Env, "created_at": l.CreatedAt, "updated_at": l.UpdatedAt}
}

// LevelObject is an on-hand quantity's public shape.
func LevelObject(l *ent.StockLevel) map[string]any {
	return map[string]any{"id": l.ID, "object": "stock_level", "product_id": l.ProductID, "location_id": l.LocationID,
		"on_hand": l.OnHand, "environment": l.Env, "updated_at": l.UpdatedAt}
}

// MovementObject is a movement's public shape; on_hand (and a transfer's
// to_on_hand) are the levels right after it, known when it was just made.
func MovementObject(m *Movement) map[string]any {
	return map[string]any{"id": m.ID, "object": "stock_movement", "product_id": m.ProductID, "location_id": m.LocationID,
		"to_location_id": m.ToLocationID, "kind": m.Kind, "quantity": m.Quantity, "reason": m.Reason,
		"invoice_id": m.InvoiceID, "sale_id": m.SaleID, "created_by": m.CreatedBy, "on_hand": m.OnHand, "to_on_hand": m.ToOnHand,
		"environment": m.Env, "created_at": m.CreatedAt}
}

// RelatedLocations are stock locations by id.
func (s *Service) RelatedLocations(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]any, error) {
	rows, err := s.Client.StockLocation.Query().Where(stocklocation.IDIn(ids...)).All(ctx)
	return keyedViews(rows, err, func(l *ent.StockLocation) uuid.UUID { return l.ID }, LocationObject)
}

// isNoRows: an insert that did nothing on a conflict returns no id.
func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }
