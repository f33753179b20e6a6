package service

import (
	"context"
	"regexp"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/cienerp/cienerp/ent"
	"github.com/cienerp/cienerp/ent/predicate"
	"github.com/cienerp/cienerp/ent/product"
	"github.com/cienerp/cienerp/ent/schema"
	"github.com/cienerp/cienerp/ent/stockmovement"
	"github.com/cienerp/cienerp/modules/inventory"
	"github.com/cienerp/cienerp/money"
)

// ProductInput creates a product or, with Opt semantics, edits one.
type ProductInput struct {
	SKU            Opt[string]   `json:"sku"`
	Name           Opt[string]   `json:"name"`
	Description    Opt[string]   `json:"description"`
	Currency       Opt[string]   `json:"currency"`
	UnitPrice      Opt[string]   `json:"unit_price"`
	TaxRate        Opt[string]   `json:"tax_rate"`
	Barcode        Opt[string]   `json:"barcode"` // null removes it
	Active         Opt[bool]     `json:"active"`
	AllowBackorder Opt[bool]     `json:"allow_backorder"`
	Metadata       MetadataInput `json:"metadata"`
	ExternalID     Opt[string]   `json:"external_id"` // null removes it
}

// ExternalIDField is the input's external id, which an upsert sets from
// its path.
func (in *ProductInput) ExternalIDField() *Opt[string] { return &in.ExternalID }

// skuRE: what an SKU or a barcode may hold, so that it survives a CSV,
// a URL and a label printer alike.
var skuRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._/-]*$`)

// check validates the fields given; price is the unit price in the
// product's currency (cur), parsed, when one was given.
func (in ProductInput) check(creating bool, cur string, verr *ValidationError) (price *int64) {
	for field, o := range map[string]Opt[string]{"sku": in.SKU, "name": in.Name, "description": in.Description, "currency": in.Currency, "unit_price": in.UnitPrice, "tax_rate": in.TaxRate} {
		if o.Null {
			verr.Add(field, "The %s field cannot be null.", field)
		}
	}
	for field, o := range map[string]Opt[bool]{"active": in.Active, "allow_backorder": in.AllowBackorder} {
		if o.Null {
			verr.Add(field, "The %s field cannot be null; send true or false.", field)
		}
	}
	if sku := in.SKU.V; creating || in.SKU.Set {
		switch {
		case sku == "":
			verr.Add("sku", "The SKU is required.")
		case !skuRE.MatchString(sku):
			verr.Add("sku", "The SKU may hold letters, digits, '.', '_', '/' and '-', starting with a letter or digit.")
		}
		checkText(verr, "sku", sku, schema.MaxSKU)
	}
	if (creating || in.Name.Set) && strings.TrimSpace(in.Name.V) == "" {
		verr.Add("name", "Name is required.")
	}
	checkText(verr, "name", in.Name.V, schema.MaxName)
	checkText(verr, "description", in.Description.V, schema.MaxNotes)
	if b := in.Barcode.Ptr(); b != nil {
		if !skuRE.MatchString(*b) {
			verr.Add("barcode", "The barcode may hold letters, digits, '.', '_', '/' and '-'; send null to remove it.")
		}
		checkText(verr, "barcode", *b, schema.MaxBarcode)
	}
	currency, ok := money.Lookup(cur)
	switch {
	case creating && cur == "":
		verr.Add("currency", "The currency field is required (ISO 4217, e.g. EUR).")
	case cur != "" && !ok:
		verr.Add("currency", "Unknown currency %q; use an ISO 4217 code such as EUR.", cur)
	case in.Currency.Set && !creating && !in.UnitPrice.Set:
		verr.Add("unit_price", "Give the unit price in the new currency with it.")
	}
	switch {
	case creating && !in.UnitPrice.Set:
		verr.Add("unit_price", "The unit price is required.")
	case in.UnitPrice.Set && ok:
		d, err := currency.ParseAmount(in.UnitPrice.V)
		if err != nil {
			verr.Add("unit_price", "The unit price %s.", err)
		} else if d.IsNegative() {
			verr.Add("unit_price", "The unit price must not be negative.")
		} else if d.GreaterThanOrEqual(money.MaxAmount) {
			verr.Add("unit_price", "The unit price is too large.")
		} else {
			m := currency.ToMinor(d)
			price = &m
		}
	}
	if in.TaxRate.Set {
		if d, err := money.ParseDecimal(in.TaxRate.V, 4); err != nil {
			verr.Add("tax_rate", "The tax rate %s.", err)
		} else if d.IsNegative() || d.GreaterThan(money.Hundred) {
			verr.Add("tax_rate", "The tax rate must be between 0 and 100.")
		}
	}
	checkExternalID(in.ExternalID.Ptr(), verr)
	return price
}

// taxRate is a rate as stored: its shortest decimal form ("19", "7.5").
func taxRate(s string) string {
	d, _ := money.ParseDecimal(s, 4)
	return d.String()
}

// productUnique refuses an SKU, a barcode or an external id another
// product holds, naming the field.
func productUnique(ctx context.Context, tx *ent.Tx, in ProductInput, self uuid.UUID) error {
	ctx = schema.BypassPermissions(ctx, "an SKU, a barcode or an external id is unique whatever the viewer may read of products")
	verr := &ValidationError{}
	for _, c := range []struct {
		field string
		v     *string
		p     func(string) predicate.Product
	}{{"sku", in.SKU.Ptr(), product.Sku}, {"barcode", in.Barcode.Ptr(), func(v string) predicate.Product { return product.Barcode(v) }}} {
		if c.v == nil {
			continue
		}
		taken, err := tx.Product.Query().Where(c.p(*c.v), product.IDNEQ(self)).Exist(ctx)
		if err != nil {
			return err
		}
		if taken {
			verr.Add(c.field, "Another product has the %s %q.", strings.ReplaceAll(c.field, "sku", "SKU"), *c.v)
		}
	}
	if err := verr.OrNil(); err != nil {
		return err
	}
	if id := in.ExternalID.Ptr(); id != nil {
		taken, err := tx.Product.Query().Where(product.ExternalID(*id), product.IDNEQ(self)).Exist(ctx)
		return takenExternalID("product", *id, taken, err)
	}
	return nil
}

// CreateProduct adds a product.
func (s *Service) CreateProduct(ctx context.Context, in ProductInput) (*ent.Product, error) {
	verr := &ValidationError{}
	in.Currency.V = strings.ToUpper(in.Currency.V)
	price := in.check(true, in.Currency.V, verr)
	md := mergeMetadata(nil, in.Metadata, verr)
	if err := verr.OrNil(); err != nil {
		return nil, err
	}
	var p *ent.Product
	err := s.inTx(ctx, func(tx *ent.Tx) error {
		if err := productUnique(ctx, tx, in, uuid.Nil); err != nil {
			return err
		}
		c := tx.Product.Create().SetSku(in.SKU.V).SetName(strings.TrimSpace(in.Name.V)).SetDescription(in.Description.V).
			SetCurrency(in.Currency.V).SetUnitPriceMinor(*price).SetNillableBarcode(in.Barcode.Ptr()).
			SetNillableExternalID(in.ExternalID.Ptr()).SetMetadata(md)
		if in.TaxRate.Set {
			c.SetTaxRate(taxRate(in.TaxRate.V))
		}
		if in.Active.Set {
			c.SetActive(in.Active.V)
		}
		if in.AllowBackorder.Set {
			c.SetAllowBackorder(in.AllowBackorder.V)
		}
		var err error
		if p, err = c.Save(ctx); err != nil {
			return err
		}
		if err := record(ctx, tx, inventory.ProductCreated, "product", p.ID.String(), nil, ProductObject(p)); err != nil {
			return err
		}
		return s.emit(ctx, tx, change{Type: inventory.ProductCreated, ObjectID: p.ID.String(), Object: ProductObject(p)})
	})
	return p, err
}

// GetProduct reads one product.
func (s *Service) GetProduct(ctx context.Context, id uuid.UUID) (*ent.Product, error) {
	p, err := s.Client.Product.Get(ctx, id)
	if ent.IsNotFound(err) {
		return nil, &NotFoundError{Entity: "product"}
	}
	return p, err
}

// ProductFilter selects a page of products, newest first.
type ProductFilter struct {
	Search   string            // ProductSearch
	Active   *bool             // only active (or inactive) ones
	SKU      string            // exactly this SKU
	Barcode  string            // exactly this barcode
	Metadata map[string]string // metadata[key]=value, all must hold
	Limit    int
	Cursor   string
}

// ListProducts returns one page in one query.
func (s *Service) ListProducts(ctx context.Context, f ProductFilter) (*Page[*ent.Product], error) {
	after, err := pageArgs(f.Limit, f.Cursor, "products")
	verr := validationOf(err)
	meta := MetadataFilter[predicate.Product](f.Metadata, verr)
	if err := verr.OrNil(); err != nil {
		return nil, err
	}
	q := s.Client.Product.Query().Where(meta...)
	if f.Search != "" {
		q.Where(ProductSearch(f.Search))
	}
	if f.Active != nil {
		q.Where(product.Active(*f.Active))
	}
	if f.SKU != "" {
		q.Where(product.Sku(f.SKU))
	}
	if f.Barcode != "" {
		q.Where(product.Barcode(f.Barcode))
	}
	if after != nil {
		q.Where(afterNewest(*after))
	}
	rows, err := q.Order(ent.Desc(product.FieldCreatedAt), ent.Desc(product.FieldID)).Limit(f.Limit + 1).All(ctx)
	if err != nil {
		return nil, err
	}
	return pageOf(rows, f.Limit, "products", func(p *ent.Product) (time.Time, uuid.UUID) { return p.CreatedAt, p.ID }), nil
}

// UpdateProduct edits a product. A new currency needs the unit price in it.
func (s *Service) UpdateProduct(ctx context.Context, id uuid.UUID, in ProductInput) (*ent.Product, error) {
	in.Currency.V = strings.ToUpper(in.Currency.V)
	var out *ent.Product
	err := s.inTx(ctx, func(tx *ent.Tx) error {
		p, err := s.lockProduct(ctx, tx, id)
		if err != nil {
			return err
		}
		cur := p.Currency
		if in.Currency.Set {
			cur = in.Currency.V
		}
		verr := &ValidationError{}
		price := in.check(false, cur, verr)
		if err := verr.OrNil(); err != nil {
			return err
		}
		if err := productUnique(ctx, tx, in, id); err != nil {
			return err
		}
		u := tx.Product.UpdateOne(p)
		if in.SKU.Set {
			u.SetSku(in.SKU.V)
		}
		if in.Name.Set {
			u.SetName(strings.TrimSpace(in.Name.V))
		}
		if in.Description.Set {
			u.SetDescription(in.Description.V)
		}
		if in.Currency.Set {
			u.SetCurrency(cur)
		}
		if price != nil {
			u.SetUnitPriceMinor(*price)
		}
		if in.TaxRate.Set {
			u.SetTaxRate(taxRate(in.TaxRate.V))
		}
		switch {
		case in.Barcode.Null:
			u.ClearBarcode()
		case in.Barcode.Set:
			u.SetBarcode(in.Barcode.V)
		}
		if in.Active.Set {
			u.SetActive(in.Active.V)
		}
		if in.AllowBackorder.Set {
			u.SetAllowBackorder(in.AllowBackorder.V)
		}
		setExternalID(u.Mutation(), in.ExternalID)
		setMetadata(u.Mutation(), p.Metadata, in.Metadata, verr)
		if err := verr.OrNil(); err != nil {
			return err
		}
		if out, err = u.Save(ctx); err != nil {
			return err
		}
		if err := record(ctx, tx, inventory.ProductUpdated, "product", id.String(), ProductObject(p), ProductObject(out)); err != nil {
			return err
		}
		return s.emit(ctx, tx, change{Type: inventory.ProductUpdated, ObjectID: id.String(), Object: ProductObject(out), Before: ProductObject(p)})
	})
	return out, err
}

// lockProduct reads a product for a change.
func (s *Service) lockProduct(ctx context.Context, tx *ent.Tx, id uuid.UUID) (*ent.Product, error) {
	return lockRow(s, ctx, tx.Product.Query().Where(product.ID(id)), "product", ProductObject)
}

// DeleteProduct removes a product that never moved stock; one that did
// stays in the ledger's history: deactivate it instead.
func (s *Service) DeleteProduct(ctx context.Context, id uuid.UUID) error {
	return s.inTx(ctx, func(tx *ent.Tx) error {
		p, err := s.lockProduct(ctx, tx, id)
		if err != nil {
			return err
		}
		moved, err := tx.StockMovement.Query().Where(stockmovement.ProductID(id)).
			Exist(schema.BypassPermissions(ctx, "a product with stock movements is kept, whatever the viewer may read of stock"))
		if err != nil {
			return err
		}
		if moved {
			return Invalid("id", "This product has stock movements and cannot be deleted; set active to false instead.")
		}
		if err := tx.Product.DeleteOne(p).Exec(ctx); err != nil {
			return err
		}
		if err := record(ctx, tx, inventory.ProductDeleted, "product", id.String(), ProductObject(p), nil); err != nil {
			return err
		}
		return s.emit(ctx, tx, change{Type: inventory.ProductDeleted, ObjectID: id.String(), Object: ProductObject(p)})
	})
}

// ProductObject is a product's public shape.
func ProductObject(p *ent.Product) map[string]any {
	return map[string]any{"id": p.ID, "object": "product", "sku": p.Sku, "name": p.Name, "description": p.Description,
		"currency": p.Currency, "unit_price": money.FormatMinorIn(p.Currency, p.UnitPriceMinor), "tax_rate": p.TaxRate,
		"barcode": p.Barcode, "active": p.Active, "allow_backorder": p.AllowBackorder, "environment": p.Env,
		"created_at": p.CreatedAt, "updated_at": p.UpdatedAt, "external_id": p.ExternalID, "metadata": MetadataView(p.Metadata)}
}

// ProductSearch: q in the SKU, the name or the barcode, case-insensitive.
func ProductSearch(q string) predicate.Product {
	return product.Or(product.SkuContainsFold(q), product.NameContainsFold(q), product.BarcodeContainsFold(q))
}

// RelatedProducts are products by id.
func (s *Service) RelatedProducts(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]any, error) {
	rows, err := s.Client.Product.Query().Where(product.IDIn(ids...)).All(ctx)
	return keyedViews(rows, err, func(p *ent.Product) uuid.UUID { return p.ID }, ProductObject)
}

// ProductByExternalID finds the product another system knows as id.
func (s *Service) ProductByExternalID(ctx context.Context, id string) (uuid.UUID, bool, error) {
	return found(s.Client.Product.Query().Where(product.ExternalID(id)).
		OnlyID(schema.BypassPermissions(ctx, "an upsert finds its product by external id; the write checks its own permission")))
}
