// Package rest is the REST transport: one file per module, each declaring
// its routes (with their OpenAPI descriptions) and component schemas next
// to its handlers. The edge mounts it; the rules are in service.
package rest

import (
	"net/http"

	"github.com/cienerp/cienerp/edge"
	"github.com/cienerp/cienerp/openapi"
	"github.com/cienerp/cienerp/realtime"
	"github.com/cienerp/cienerp/service"
)

type obj = openapi.Obj

// Server holds the REST handlers' dependencies.
type Server struct {
	svc     *service.Service
	hub     *realtime.Hub
	schemas obj // the component schemas: the fields of each object
}

// New is the REST transport for the edge to mount; hub serves the events
// stream.
func New(svc *service.Service, hub *realtime.Hub) edge.Transport {
	t := edge.Transport{Render: render, Schemas: obj{
		"Deleted": openapi.Object([]string{"id", "deleted"}, obj{"id": openapi.UUID, "object": obj{"type": "string"}, "deleted": obj{"const": true}}),
	}}
	s := &Server{svc: svc, hub: hub, schemas: t.Schemas}
	for _, m := range []struct {
		routes  []edge.Route
		schemas obj
	}{
		{s.systemRoutes(), systemSchemas()},
		{s.streamRoutes(), nil},
		{s.quoteRoutes(), quoteSchemas()},
		{s.keysRoutes(), keysSchemas()},
		{s.rolesRoutes(), rolesSchemas()},
		{s.membersRoutes(), membersSchemas()},
		{s.policyRoutes(), policySchemas()},
		{s.auditRoutes(), auditSchemas()},
		{s.documentsRoutes(), documentsSchemas()},
		{s.customersRoutes(), customersSchemas()},
		{s.invoicesRoutes(), invoicesSchemas()},
		{s.paymentsRoutes(), paymentsSchemas()},
		{s.posRoutes(), posSchemas()},
		{s.eventsRoutes(), eventsSchemas()},
		{s.webhooksRoutes(), webhooksSchemas()},
		{s.ticketsRoutes(), ticketsSchemas()},
	} {
		t.Routes = append(t.Routes, m.routes...)
		for k, v := range m.schemas {
			t.Schemas[k] = v
		}
	}
	for i, rt := range t.Routes {
		if rt.Method == http.MethodGet && rt.Doc.Data != "" && rt.Doc.Raw == "" {
			t.Routes[i] = s.shapeable(rt)
		}
	}
	t.Webhooks = eventWebhooks()
	return t
}
