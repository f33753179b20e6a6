package rest

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/cienerp/cienerp/edge"
	"github.com/cienerp/cienerp/ent"
	"github.com/cienerp/cienerp/ent/schema"
	"github.com/cienerp/cienerp/modules/finance"
	"github.com/cienerp/cienerp/openapi"
	"github.com/cienerp/cienerp/service"
)

// Customers.

func init() {
	register(part{routes: (*Server).customersRoutes, schemas: customersSchemas})
}

func (s *Server) customersRoutes() []edge.Route {
	return []edge.Route{
		{Method: http.MethodGet, Path: "/customers", Op: finance.ViewCustomers, Handle: s.listCustomers,
			Doc: openapi.Doc{Tag: finance.Module.Tag, Summary: "List customers, newest first", Params: []openapi.Param{limitParam, cursorParam, metadataParam, openapi.Query("q", "Search in name and email.", openapi.StrSchema(""))}, Status: 200, Data: "Customer", List: true}},
		{Method: http.MethodPost, Path: "/customers", Op: finance.CreateCustomer, Creates: true, Handle: s.createCustomer,
			Doc: openapi.Doc{Tag: finance.Module.Tag, Summary: "Create a customer", Body: "CustomerInput", Status: 201, Data: "Customer",
				Example: obj{"name": "Acme Inc", "email": "billing@acme.example", "currency": "EUR", "tax_id": "DE123456789"}}},
		{Method: http.MethodGet, Path: "/customers/:id", Op: finance.ViewCustomers, Handle: s.getCustomer,
			Doc: openapi.Doc{Tag: finance.Module.Tag, Summary: "Get a customer", Params: []openapi.Param{idParam}, Status: 200, Data: "Customer"}},
		{Method: http.MethodPatch, Conditional: true, Path: "/customers/:id", Op: finance.UpdateCustomer, Handle: s.updateCustomer,
			Doc: openapi.Doc{Tag: finance.Module.Tag, Summary: "Edit a customer", Params: []openapi.Param{idParam}, Body: "CustomerInput", Status: 200, Data: "Customer",
				Example: obj{"phone": "+49 30 1234567", "notes": "Invoices by email only."}}},
		{Method: http.MethodPut, Path: "/customers/by-external-id/:external_id", Op: finance.UpsertCustomer, Handle: s.upsertCustomer,
			Doc: openapi.Doc{Tag: finance.Module.Tag, Summary: "Create or update the customer of an external id", Description: upsertDescription("customer", finance.CustomersCreate, finance.CustomersUpdate),
				Params: []openapi.Param{externalIDParam}, Body: "CustomerInput", Status: 200, Data: "Customer",
				Example: obj{"name": "Acme Inc", "email": "billing@acme.example", "metadata": obj{"crm_id": "A-1001"}}}},
		{Method: http.MethodDelete, Conditional: true, Path: "/customers/:id", Op: finance.DeleteCustomer, Handle: s.deleteCustomer,
			Doc: openapi.Doc{Tag: finance.Module.Tag, Summary: "Delete a customer without invoices", Params: []openapi.Param{idParam}, Status: 200, Data: "Deleted"}},
	}
}

func customersSchemas() obj {
	return obj{
		"Customer": openapi.Object([]string{"id", "name"}, obj{"metadata": openapi.Ref("Metadata"), "external_id": openapi.Nullable("string", "", "The id in another system (unique per tenant, environment and type): upsert with PUT …/by-external-id/{external_id}."),
			"id": openapi.UUID, "object": obj{"const": "customer"}, "name": obj{"type": "string"}, "email": obj{"type": "string"},
			"phone": obj{"type": "string"}, "tax_id": obj{"type": "string"}, "address": obj{"type": "string"},
			"currency": obj{"type": "string"}, "notes": obj{"type": "string"}, "environment": openapi.Env, "created_at": openapi.Time, "updated_at": openapi.Time,
		}),
		"CustomerInput": openapi.Object(nil, obj{"metadata": openapi.Ref("MetadataInput"), "external_id": openapi.ExternalIDInput,
			"name": openapi.TextMax(schema.MaxName, "Required on create."), "email": obj{"type": "string", "format": "email", "maxLength": schema.MaxEmail},
			"phone": openapi.TextMax(schema.MaxPhone, ""), "tax_id": openapi.TextMax(schema.MaxTaxID, ""), "address": openapi.TextMax(schema.MaxAddress, ""),
			"currency": openapi.TextMax(schema.MaxCurrency, "Default currency of the customer's invoices."), "notes": openapi.TextMax(schema.MaxNotes, ""),
		}),
	}
}

func (s *Server) createCustomer(c *gin.Context) error {
	return create(c, func(in service.CustomerInput) (*ent.Customer, error) {
		return s.svc.CreateCustomer(c.Request.Context(), in)
	}, service.CustomerObject)
}

func (s *Server) getCustomer(c *gin.Context) error {
	return byID(c, "customer", func(id uuid.UUID) (*ent.Customer, error) { return s.svc.GetCustomer(c.Request.Context(), id) }, service.CustomerObject)
}

func (s *Server) updateCustomer(c *gin.Context) error {
	return byIDWithBody(c, "customer", func(id uuid.UUID, in service.CustomerInput) (*ent.Customer, error) {
		return s.svc.UpdateCustomer(c.Request.Context(), id, in)
	}, service.CustomerObject)
}

func (s *Server) deleteCustomer(c *gin.Context) error {
	return byID(c, "customer", func(id uuid.UUID) (uuid.UUID, error) { return id, s.svc.DeleteCustomer(c.Request.Context(), id) },
		func(id uuid.UUID) map[string]any {
			return map[string]any{"id": id, "object": "customer", "deleted": true}
		})
}

func (s *Server) upsertCustomer(c *gin.Context) error {
	return upsertByExternalID[service.CustomerInput](c, finance.CreateCustomer, finance.UpdateCustomer, s.svc.CustomerByExternalID,
		s.svc.CreateCustomer, s.svc.UpdateCustomer, service.CustomerObject)
}

func (s *Server) listCustomers(c *gin.Context) error {
	verr := &service.ValidationError{}
	limit := queryLimit(c, verr)
	if err := verr.OrNil(); err != nil {
		return err
	}
	page, err := s.svc.ListCustomers(c.Request.Context(), strings.TrimSpace(c.Query("q")), c.QueryMap("metadata"), limit, c.Query("cursor"))
	if err != nil {
		return err
	}
	respondList(c, mapSlice(page.Items, service.CustomerObject), Meta{Limit: limit, HasMore: page.HasMore, NextCursor: page.NextCursor})
	return nil
}
