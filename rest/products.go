package rest

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/cienerp/cienerp/edge"
	"github.com/cienerp/cienerp/ent"
	"github.com/cienerp/cienerp/ent/schema"
	"github.com/cienerp/cienerp/modules/inventory"
	"github.com/cienerp/cienerp/openapi"
	"github.com/cienerp/cienerp/service"
)

// Products & stock.

func init() {
	register(part{routes: (*Server).productsRoutes, schemas: productsSchemas, loaders: productsLoaders})
}

func (s *Server) productsRoutes() []edge.Route {
	tag := inventory.Module.Tag
	return []edge.Route{
		{Method: http.MethodGet, Path: "/products", Op: inventory.ViewProducts, Handle: s.listProducts,
			Doc: openapi.Doc{Tag: tag, Summary: "List products, newest first", Params: []openapi.Param{limitParam, cursorParam, metadataParam,
				openapi.Query("q", "Search in SKU, name and barcode.", openapi.StrSchema("")),
				openapi.Query("active", "true: only active products; false: only inactive ones.", openapi.Enum("", "true", "false")),
				openapi.Query("sku", "Exactly this SKU.", openapi.StrSchema("")),
				openapi.Query("barcode", "Exactly this barcode.", openapi.StrSchema("")),
			}, Status: 200, Data: "Product", List: true}},
		{Method: http.MethodPost, Path: "/products", Op: inventory.CreateProduct, Creates: true, Handle: s.createProduct,
			Doc: openapi.Doc{Tag: tag, Summary: "Create a product", Body: "ProductInput", Status: 201, Data: "Product",
				Example: obj{"sku": "CABLE-USBC-2M", "name": "USB-C cable, 2 m", "currency": "EUR", "unit_price": "12.90", "tax_rate": "19", "barcode": "4006381333931"}}},
		{Method: http.MethodGet, Path: "/products/:id", Op: inventory.ViewProducts, Handle: s.getProduct,
			Doc: openapi.Doc{Tag: tag, Summary: "Get a product", Params: []openapi.Param{idParam}, Status: 200, Data: "Product"}},
		{Method: http.MethodPatch, Conditional: true, Path: "/products/:id", Op: inventory.UpdateProduct, Handle: s.updateProduct,
			Doc: openapi.Doc{Tag: tag, Summary: "Edit a product", Description: "A new currency needs the unit price in it.", Params: []openapi.Param{idParam}, Body: "ProductInput", Status: 200, Data: "Product",
				Example: obj{"unit_price": "11.90", "allow_backorder": true}}},
		{Method: http.MethodPut, Path: "/products/by-external-id/:external_id", Op: inventory.UpsertProduct, Handle: s.upsertProduct,
			Doc: openapi.Doc{Tag: tag, Summary: "Create or update the product of an external id", Description: upsertDescription("product", inventory.ProductsCreate, inventory.ProductsUpdate),
				Params: []openapi.Param{externalIDParam}, Body: "ProductInput", Status: 200, Data: "Product",
				Example: obj{"sku": "CABLE-USBC-2M", "name": "USB-C cable, 2 m", "currency": "EUR", "unit_price": "12.90", "metadata": obj{"pim_id": "P-4471"}}}},
		{Method: http.MethodDelete, Conditional: true, Path: "/products/:id", Op: inventory.DeleteProduct, Handle: s.deleteProduct,
			Doc: openapi.Doc{Tag: tag, Summary: "Delete a product that never moved stock", Description: "A product with stock movements stays (deactivate it with active: false).", Params: []openapi.Param{idParam}, Status: 200, Data: "Deleted"}},

		{Method: http.MethodGet, Path: "/stock/locations", Op: inventory.ViewStock, Handle: s.listLocations,
			Doc: openapi.Doc{Tag: tag, Summary: "List stock locations, newest first", Params: []openapi.Param{limitParam, cursorParam}, Status: 200, Data: "StockLocation", List: true}},
		{Method: http.MethodPost, Path: "/stock/locations", Op: inventory.ManageLocations, Creates: true, Handle: s.createLocation,
			Doc: openapi.Doc{Tag: tag, Summary: "Create a stock location", Description: "The first location is the default one: POS sales and issued invoices take stock from it unless told otherwise.", Body: "StockLocationInput", Status: 201, Data: "StockLocation",
				Example: obj{"name": "Main shop", "code": "main"}}},
		{Method: http.MethodGet, Path: "/stock/locations/:id", Op: inventory.ViewStock, Handle: s.getLocation,
			Doc: openapi.Doc{Tag: tag, Summary: "Get a stock location", Params: []openapi.Param{idParam}, Status: 200, Data: "StockLocation"}},
		{Method: http.MethodPatch, Conditional: true, Path: "/stock/locations/:id", Op: inventory.ManageLocations, Handle: s.updateLocation,
			Doc: openapi.Doc{Tag: tag, Summary: "Rename a stock location or make it the default", Params: []openapi.Param{idParam}, Body: "StockLocationInput", Status: 200, Data: "StockLocation",
				Example: obj{"default": true}}},
		{Method: http.MethodGet, Path: "/stock/levels", Op: inventory.ViewStock, Handle: s.listLevels,
			Doc: openapi.Doc{Tag: tag, Summary: "List on-hand quantities by product and location", Params: []openapi.Param{limitParam, cursorParam,
				openapi.Query("product_id", "A product id.", openapi.StrSchema("uuid")),
				openapi.Query("location_id", "A stock location id.", openapi.StrSchema("uuid")),
			}, Status: 200, Data: "StockLevel", List: true}},
		{Method: http.MethodGet, Path: "/stock/movements", Op: inventory.ViewStock, Handle: s.listMovements,
			Doc: openapi.Doc{Tag: tag, Summary: "List stock movements, newest first", Params: []openapi.Param{limitParam, cursorParam,
				openapi.Query("product_id", "A product id.", openapi.StrSchema("uuid")),
				openapi.Query("location_id", "A stock location id (either end of a transfer).", openapi.StrSchema("uuid")),
				openapi.Query("kind", "Comma-separated: "+strings.Join(schema.StockMovementKinds, ", ")+".", openapi.StrSchema("")),
				openapi.Query("invoice_id", "The invoice that caused them.", openapi.StrSchema("uuid")),
				openapi.Query("sale_id", "The POS sale that caused them.", openapi.StrSchema("uuid")),
			}, Status: 200, Data: "StockMovement", List: true}},
		{Method: http.MethodPost, Path: "/stock/movements", Op: inventory.AdjustStock, Creates: true, Handle: s.moveStock,
			Doc: openapi.Doc{Tag: tag, Summary: "Receive, adjust or transfer stock", Description: "receipt: quantity > 0 arrives at location_id; adjustment: a signed correction with its reason; transfer: quantity > 0 moves from location_id to to_location_id. location_id defaults to the default location. On-hand never goes below 0 unless the product allows backorders (a 422 says how many are on hand).",
				Body: "StockMovementInput", Status: 201, Data: "StockMovement",
				Example: obj{"sku": "CABLE-USBC-2M", "kind": "receipt", "quantity": 40, "reason": "Delivery note 2026-118"}}},
		{Method: http.MethodGet, Path: "/stock/movements/:id", Op: inventory.ViewStock, Handle: s.getMovement,
			Doc: openapi.Doc{Tag: tag, Summary: "Get a stock movement", Params: []openapi.Param{idParam}, Status: 200, Data: "StockMovement"}},
	}
}

func productsSchemas() obj {
	uuidOrNull := openapi.Nullable("string", "uuid", "")
	return obj{
		"Product": openapi.Object([]string{"id", "object", "sku", "name", "description", "currency", "unit_price", "tax_rate", "barcode", "active", "allow_backorder", "environment", "created_at", "updated_at", "external_id", "metadata"}, obj{
			"id": openapi.UUID, "object": obj{"const": "product"}, "sku": obj{"type": "string"}, "name": obj{"type": "string"}, "description": obj{"type": "string"},
			"currency": obj{"type": "string"}, "unit_price": openapi.DecimalStr("In the currency's decimals."), "tax_rate": openapi.DecimalStr("Percent."),
			"barcode": openapi.Nullable("string", "", ""), "active": obj{"type": "boolean"}, "allow_backorder": obj{"type": "boolean", "description": "Sales may take on-hand below 0."},
			"environment": openapi.Env, "created_at": openapi.Time, "updated_at": openapi.Time, "metadata": openapi.Ref("Metadata"),
			"external_id": openapi.Nullable("string", "", "The id in another system (unique per tenant, environment and type): upsert with PUT …/by-external-id/{external_id}."),
		}),
		"ProductInput": openapi.Object(nil, obj{"metadata": openapi.Ref("MetadataInput"), "external_id": openapi.ExternalIDInput,
			"sku":  obj{"type": "string", "minLength": 1, "maxLength": schema.MaxSKU, "pattern": `^[A-Za-z0-9][A-Za-z0-9._/-]*$`, "description": "Required on create; unique per tenant and environment."},
			"name": openapi.TextMax(schema.MaxName, "Required on create."), "description": openapi.TextMax(schema.MaxNotes, ""),
			"currency":   openapi.TextMax(schema.MaxCurrency, "ISO 4217; required on create."),
			"unit_price": openapi.DecimalStr("Required on create; at most the currency's decimals."), "tax_rate": openapi.DecimalStr("Percent, 0 to 100, default 0."),
			"barcode": obj{"type": []string{"string", "null"}, "minLength": 1, "maxLength": schema.MaxBarcode, "description": "Unique when set; null removes it."},
			"active":  obj{"type": "boolean", "description": "Default true; inactive products cannot be sold."}, "allow_backorder": obj{"type": "boolean", "description": "Default false."},
		}),
		"StockLocation": openapi.Object([]string{"id", "object", "name", "code", "default"}, obj{
			"id": openapi.UUID, "object": obj{"const": "stock_location"}, "name": obj{"type": "string"}, "code": obj{"type": "string"},
			"default":     obj{"type": "boolean", "description": "Where POS sales and issued invoices take stock from unless told otherwise."},
			"environment": openapi.Env, "created_at": openapi.Time, "updated_at": openapi.Time,
		}),
		"StockLocationInput": openapi.Object(nil, obj{
			"name":    openapi.TextMax(schema.MaxName, "Required on create."),
			"code":    obj{"type": "string", "minLength": 1, "maxLength": schema.MaxLocationCode, "pattern": `^[A-Za-z0-9][A-Za-z0-9._/-]*$`, "description": "Required on create; unique per tenant and environment."},
			"default": obj{"type": "boolean", "description": "true makes it the default location."},
		}),
		"StockLevel": openapi.Object([]string{"id", "object", "product_id", "location_id", "on_hand"}, obj{
			"id": openapi.UUID, "object": obj{"const": "stock_level"}, "product_id": openapi.UUID, "location_id": openapi.UUID,
			"on_hand":     obj{"type": "integer", "description": "Whole units; below 0 only for products that allow backorders."},
			"environment": openapi.Env, "updated_at": openapi.Time,
		}),
		"StockMovement": openapi.Object([]string{"id", "object", "product_id", "location_id", "kind", "quantity"}, obj{
			"id": openapi.UUID, "object": obj{"const": "stock_movement"}, "product_id": openapi.UUID, "location_id": openapi.UUID,
			"to_location_id": uuidOrNull, "kind": openapi.Enum("", schema.StockMovementKinds...),
			"quantity": obj{"type": "integer", "description": "The change at location_id (negative takes out); a transfer's quantity leaves location_id for to_location_id."},
			"reason":   obj{"type": "string"}, "invoice_id": uuidOrNull, "sale_id": uuidOrNull, "created_by": obj{"type": "string"},
			"on_hand":     obj{"type": []string{"integer", "null"}, "description": "On hand at location_id right after the movement (in its answer and events; null when read later)."},
			"to_on_hand":  obj{"type": []string{"integer", "null"}, "description": "On hand at to_location_id right after a transfer."},
			"environment": openapi.Env, "created_at": openapi.Time,
		}),
		"StockMovementInput": openapi.Object([]string{"kind", "quantity"}, obj{
			"product_id": openapi.UUID, "sku": obj{"type": "string", "description": "Instead of product_id."},
			"kind": openapi.Enum("", "receipt", "adjustment", "transfer"), "quantity": obj{"type": "integer", "description": "Whole units."},
			"location_id": openapi.UUID, "to_location_id": openapi.UUID, "reason": openapi.TextMax(schema.MaxStockReason, "Required for an adjustment."),
		}),
	}
}

func (s *Server) createProduct(c *gin.Context) error {
	return create(c, func(in service.ProductInput) (*ent.Product, error) {
		return s.svc.CreateProduct(c.Request.Context(), in)
	}, service.ProductObject)
}

func (s *Server) getProduct(c *gin.Context) error {
	return byID(c, "product", func(id uuid.UUID) (*ent.Product, error) { return s.svc.GetProduct(c.Request.Context(), id) }, service.ProductObject)
}

func (s *Server) updateProduct(c *gin.Context) error {
	return byIDWithBody(c, "product", func(id uuid.UUID, in service.ProductInput) (*ent.Product, error) {
		return s.svc.UpdateProduct(c.Request.Context(), id, in)
	}, service.ProductObject)
}

func (s *Server) deleteProduct(c *gin.Context) error {
	return byID(c, "product", func(id uuid.UUID) (uuid.UUID, error) { return id, s.svc.DeleteProduct(c.Request.Context(), id) },
		func(id uuid.UUID) map[string]any {
			return map[string]any{"id": id, "object": "product", "deleted": true}
		})
}

func (s *Server) upsertProduct(c *gin.Context) error {
	return upsertByExternalID[service.ProductInput](c, inventory.CreateProduct, inventory.UpdateProduct, s.svc.ProductByExternalID,
		s.svc.CreateProduct, s.svc.UpdateProduct, service.ProductObject)
}

func (s *Server) listProducts(c *gin.Context) error {
	verr := &service.ValidationError{}
	f := service.ProductFilter{Search: strings.TrimSpace(c.Query("q")), SKU: c.Query("sku"), Barcode: c.Query("barcode"),
		Metadata: c.QueryMap("metadata"), Limit: queryLimit(c, verr), Cursor: c.Query("cursor")}
	switch a := c.Query("active"); a {
	case "":
	case "true", "false":
		active := a == "true"
		f.Active = &active
	default:
		verr.Add("active", "Active must be true or false.")
	}
	if err := verr.OrNil(); err != nil {
		return err
	}
	page, err := s.svc.ListProducts(c.Request.Context(), f)
	if err != nil {
		return err
	}
	respondList(c, mapSlice(page.Items, service.ProductObject), Meta{Limit: f.Limit, HasMore: page.HasMore, NextCursor: page.NextCursor})
	return nil
}

func (s *Server) createLocation(c *gin.Context) error {
	return create(c, func(in service.LocationInput) (*ent.StockLocation, error) {
		return s.svc.CreateLocation(c.Request.Context(), in)
	}, service.LocationObject)
}

func (s *Server) getLocation(c *gin.Context) error {
	return byID(c, "stock location", func(id uuid.UUID) (*ent.StockLocation, error) { return s.svc.GetLocation(c.Request.Context(), id) }, service.LocationObject)
}

func (s *Server) updateLocation(c *gin.Context) error {
	return byIDWithBody(c, "stock location", func(id uuid.UUID, in service.LocationInput) (*ent.StockLocation, error) {
		return s.svc.UpdateLocation(c.Request.Context(), id, in)
	}, service.LocationObject)
}

func (s *Server) listLocations(c *gin.Context) error {
	verr := &service.ValidationError{}
	limit := queryLimit(c, verr)
	if err := verr.OrNil(); err != nil {
		return err
	}
	page, err := s.svc.ListLocations(c.Request.Context(), limit, c.Query("cursor"))
	if err != nil {
		return err
	}
	respondList(c, mapSlice(page.Items, service.LocationObject), Meta{Limit: limit, HasMore: page.HasMore, NextCursor: page.NextCursor})
	return nil
}

func (s *Server) listLevels(c *gin.Context) error {
	verr := &service.ValidationError{}
	f := service.LevelFilter{Product: c.Query("product_id"), Location: c.Query("location_id"), Limit: queryLimit(c, verr), Cursor: c.Query("cursor")}
	if err := verr.OrNil(); err != nil {
		return err
	}
	page, err := s.svc.ListLevels(c.Request.Context(), f)
	if err != nil {
		return err
	}
	respondList(c, mapSlice(page.Items, service.LevelObject), Meta{Limit: f.Limit, HasMore: page.HasMore, NextCursor: page.NextCursor})
	return nil
}

func (s *Server) moveStock(c *gin.Context) error {
	return create(c, func(in service.MovementInput) (*service.Movement, error) {
		return s.svc.MoveStock(c.Request.Context(), in)
	}, service.MovementObject)
}

func (s *Server) getMovement(c *gin.Context) error {
	return byID(c, "stock movement", func(id uuid.UUID) (*service.Movement, error) { return s.svc.GetMovement(c.Request.Context(), id) }, service.MovementObject)
}

func (s *Server) listMovements(c *gin.Context) error {
	verr := &service.ValidationError{}
	f := service.MovementFilter{Product: c.Query("product_id"), Location: c.Query("location_id"), Invoice: c.Query("invoice_id"), Sale: c.Query("sale_id"),
		Kinds: splitList(c.Query("kind")), Limit: queryLimit(c, verr), Cursor: c.Query("cursor")}
	if err := verr.OrNil(); err != nil {
		return err
	}
	page, err := s.svc.ListMovements(c.Request.Context(), f)
	if err != nil {
		return err
	}
	respondList(c, mapSlice(page.Items, service.MovementObject), Meta{Limit: f.Limit, HasMore: page.HasMore, NextCursor: page.NextCursor})
	return nil
}

// productsLoaders read what stock levels and movements embed (their
// declared relations).
var productsLoaders = map[string]loader{
	"StockLevel.product":     (*service.Service).RelatedProducts,
	"StockLevel.location":    (*service.Service).RelatedLocations,
	"StockMovement.product":  (*service.Service).RelatedProducts,
	"StockMovement.location": (*service.Service).RelatedLocations,
}
