package rest

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/cienerp/cienerp/edge"
	"github.com/cienerp/cienerp/ent"
	"github.com/cienerp/cienerp/ent/schema"
	"github.com/cienerp/cienerp/modules/pos"
	"github.com/cienerp/cienerp/openapi"
	"github.com/cienerp/cienerp/service"
)

// Point of sale: register sessions and sales.

func init() {
	register(part{routes: (*Server).posRoutes, schemas: posSchemas, loaders: posLoaders})
}

func (s *Server) posRoutes() []edge.Route {
	return []edge.Route{
		{Method: http.MethodGet, Path: "/pos/sessions", Op: pos.ManageSessions, Handle: s.listSessions,
			Doc: openapi.Doc{Tag: pos.Module.Tag, Summary: "List register sessions, newest first", Params: []openapi.Param{limitParam, cursorParam,
				openapi.Query("status", "open or closed.", openapi.StrSchema("")), openapi.Query("register", "One register's sessions.", openapi.StrSchema("")),
			}, Status: 200, Data: "PosSession", List: true}},
		{Method: http.MethodPost, Path: "/pos/sessions", Op: pos.ManageSessions, Creates: true, Handle: s.openSession,
			Doc: openapi.Doc{Tag: pos.Module.Tag, Summary: "Open a register session with a cash float", Body: "OpenSession", Status: 201, Data: "PosSession",
				Example: obj{"register": "front-1", "currency": "EUR", "opening_float": "100.00"}}},
		{Method: http.MethodGet, Path: "/pos/sessions/:id", Op: pos.ManageSessions, Handle: s.getSession,
			Doc: openapi.Doc{Tag: pos.Module.Tag, Summary: "Get a register session", Params: []openapi.Param{idParam}, Status: 200, Data: "PosSession"}},
		{Method: http.MethodPost, Path: "/pos/sessions/:id/close", Op: pos.ManageSessions, Handle: s.closeSession,
			Doc: openapi.Doc{Tag: pos.Module.Tag, Summary: "Close a session with the counted cash", Description: "Answers expected, counted and over/short.", Params: []openapi.Param{idParam}, Body: "CloseSession", Status: 200, Data: "PosSession",
				Example: obj{"counted_cash": "107.70"}}},
		{Method: http.MethodGet, Path: "/pos/sales", Op: pos.ViewSales, Handle: s.listSales,
			Doc: openapi.Doc{Tag: pos.Module.Tag, Summary: "List sales, newest first", Params: []openapi.Param{limitParam, cursorParam, metadataParam, openapi.Query("session", "A POS session id.", openapi.StrSchema("uuid"))}, Status: 200, Data: "PosSale", List: true}},
		{Method: http.MethodPost, Path: "/pos/sales", Op: pos.CreateSale, Creates: true, Handle: s.createSale,
			Doc: openapi.Doc{Tag: pos.Module.Tag, Summary: "Ring up a sale", Description: "In an open session: in one transaction a paid invoice and a payment per tender (cash net of change). Card and other tenders cannot exceed the total; only cash gives change. Answers the receipt.", Body: "SaleInput", Status: 201, Data: "PosSale",
				Example: obj{"session_id": exampleID, "items": []obj{{"description": "Coffee", "quantity": "2", "unit_price": "3.50", "tax_rate": "10"}},
					"tenders": []obj{{"method": "card", "amount": "5.00"}, {"method": "cash", "amount": "5.00"}}}}},
		{Method: http.MethodGet, Path: "/pos/sales/:id", Op: pos.ViewSales, Handle: s.getSale,
			Doc: openapi.Doc{Tag: pos.Module.Tag, Summary: "Get a sale (its receipt)", Params: []openapi.Param{idParam}, Status: 200, Data: "PosSale"}},
	}
}

func posSchemas() obj {
	return obj{
		"PosSession": openapi.Object([]string{"id", "register", "status"}, obj{
			"id": openapi.UUID, "object": obj{"const": "pos_session"}, "register": obj{"type": "string"}, "currency": obj{"type": "string"},
			"status": openapi.Enum("", "open", "closed"), "opening_float": obj{"type": "string"}, "cash_sales": obj{"type": "string"},
			"expected_cash": obj{"type": "string"}, "counted_cash": openapi.Nullable("string", "", ""), "over_short": openapi.Nullable("string", "", "Counted minus expected."),
			"opened_by": obj{"type": "string"}, "closed_by": openapi.Nullable("string", "", ""), "opened_at": openapi.Time, "closed_at": openapi.Nullable("string", "date-time", ""),
		}),
		"OpenSession":  openapi.Object([]string{"register", "currency", "opening_float"}, obj{"register": openapi.TextMax(schema.MaxRegister, ""), "currency": openapi.TextMax(schema.MaxCurrency, ""), "opening_float": openapi.DecimalStr("")}),
		"CloseSession": openapi.Object([]string{"counted_cash"}, obj{"counted_cash": openapi.DecimalStr("")}),
		"PosSale": openapi.Object([]string{"id", "receipt_number", "total", "change"}, obj{"metadata": openapi.Ref("Metadata"),
			"id": openapi.UUID, "object": obj{"const": "pos_sale"}, "receipt_number": obj{"type": "string"}, "session_id": openapi.UUID,
			"invoice_id": openapi.UUID, "currency": obj{"type": "string"}, "lines": obj{"type": "array", "items": openapi.Ref("Line")},
			"subtotal": obj{"type": "string"}, "discount_total": obj{"type": "string"}, "tax_total": obj{"type": "string"}, "total": obj{"type": "string"},
			"tenders": obj{"type": "array", "items": openapi.Object(nil, obj{"method": obj{"type": "string"}, "amount": obj{"type": "string"}})},
			"change":  obj{"type": "string"}, "payments": obj{"type": "array", "items": openapi.Ref("Payment")}, "created_at": openapi.Time,
		}),
		"SaleInput": openapi.Object([]string{"session_id", "items", "tenders"}, obj{"metadata": openapi.Ref("MetadataInput"),
			"session_id": openapi.UUID, "customer_id": openapi.UUID, "items": obj{"type": "array", "items": openapi.Ref("InvoiceItem")},
			"location_id": obj{"type": "string", "format": "uuid", "description": "Where product lines take their stock from; the default location when absent."},
			"tenders":     obj{"type": "array", "items": openapi.Object([]string{"method", "amount"}, obj{"method": openapi.Enum("", "cash", "card", "other"), "amount": openapi.DecimalStr("")})},
		}),
	}
}

func (s *Server) openSession(c *gin.Context) error {
	return create(c, func(in service.OpenSessionInput) (*ent.PosSession, error) {
		return s.svc.OpenSession(c.Request.Context(), in)
	}, service.SessionObject)
}

func (s *Server) getSession(c *gin.Context) error {
	return byID(c, "POS session", func(id uuid.UUID) (*ent.PosSession, error) { return s.svc.GetSession(c.Request.Context(), id) }, service.SessionObject)
}

func (s *Server) closeSession(c *gin.Context) error {
	return byIDWithBody(c, "POS session", func(id uuid.UUID, in service.CloseSessionInput) (*ent.PosSession, error) {
		return s.svc.CloseSession(c.Request.Context(), id, in)
	}, service.SessionObject)
}

func (s *Server) listSessions(c *gin.Context) error {
	verr := &service.ValidationError{}
	limit := queryLimit(c, verr)
	if err := verr.OrNil(); err != nil {
		return err
	}
	page, err := s.svc.ListSessions(c.Request.Context(), c.Query("status"), c.Query("register"), limit, c.Query("cursor"))
	if err != nil {
		return err
	}
	respondList(c, mapSlice(page.Items, service.SessionObject), Meta{Limit: limit, HasMore: page.HasMore, NextCursor: page.NextCursor})
	return nil
}

func (s *Server) createSale(c *gin.Context) error {
	return create(c, func(in service.SaleInput) (*service.Sale, error) { return s.svc.CreateSale(c.Request.Context(), in) }, service.SaleObject)
}

func (s *Server) getSale(c *gin.Context) error {
	return byID(c, "sale", func(id uuid.UUID) (*service.Sale, error) { return s.svc.GetSale(c.Request.Context(), id) }, service.SaleObject)
}

func (s *Server) listSales(c *gin.Context) error {
	verr := &service.ValidationError{}
	limit := queryLimit(c, verr)
	if err := verr.OrNil(); err != nil {
		return err
	}
	ctx := c.Request.Context()
	page, err := s.svc.ListSales(ctx, c.Query("session"), c.QueryMap("metadata"), limit, c.Query("cursor"))
	if err != nil {
		return err
	}
	sales, err := s.svc.SaleDetails(ctx, page.Items)
	if err != nil {
		return err
	}
	respondList(c, mapSlice(sales, service.SaleObject), Meta{Limit: limit, HasMore: page.HasMore, NextCursor: page.NextCursor})
	return nil
}

// posLoaders read what a sale embeds (its declared relations).
var posLoaders = map[string]loader{
	"PosSale.invoice": (*service.Service).RelatedInvoices,
	"PosSale.session": (*service.Service).RelatedSessions,
}
