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
	svc       *service.Service
	hub       *realtime.Hub
	schemas   obj                            // the component schemas: the fields of each object
	relations map[string]map[string]relation // what expand may embed, by schema
}

// New is the REST transport for the edge to mount; hub serves the events
// stream.
func New(svc *service.Service, hub *realtime.Hub) (edge.Transport, error) {
	t := edge.Transport{Render: render, Schemas: obj{
		"Deleted": openapi.Object([]string{"id", "deleted"}, obj{"id": openapi.UUID, "object": obj{"type": "string"}, "deleted": obj{"const": true}}),
	}}
	s := &Server{svc: svc, hub: hub, schemas: t.Schemas}
	loaders := map[string]loader{}
	for _, m := range []struct {
		routes  []edge.Route
		schemas obj
		loaders map[string]loader // "<Schema>.<relation>" → its loader
	}{
		{s.systemRoutes(), systemSchemas(), nil},
		{s.streamRoutes(), nil, nil},
		{s.quoteRoutes(), quoteSchemas(), nil},
		{s.keysRoutes(), keysSchemas(), nil},
		{s.rolesRoutes(), rolesSchemas(), nil},
		{s.membersRoutes(), membersSchemas(), nil},
		{s.policyRoutes(), policySchemas(), nil},
		{s.auditRoutes(), auditSchemas(), nil},
		{s.documentsRoutes(), documentsSchemas(), nil},
		{s.customersRoutes(), customersSchemas(), nil},
		{s.invoicesRoutes(), invoicesSchemas(), invoicesLoaders},
		{s.paymentsRoutes(), paymentsSchemas(), paymentsLoaders},
		{s.posRoutes(), posSchemas(), posLoaders},
		{s.eventsRoutes(), eventsSchemas(), nil},
		{s.webhooksRoutes(), webhooksSchemas(), nil},
		{s.ticketsRoutes(), ticketsSchemas(), ticketsLoaders},
	} {
		t.Routes = append(t.Routes, m.routes...)
		for k, v := range m.schemas {
			t.Schemas[k] = v
		}
		for k, v := range m.loaders {
			loaders[k] = v
		}
	}
	var err error
	if s.relations, err = relationsOf(loaders); err != nil {
		return edge.Transport{}, err
	}
	for i, rt := range t.Routes {
		if rt.Method == http.MethodGet && rt.Doc.Data != "" && rt.Doc.Raw == "" {
			t.Routes[i] = s.shapeable(rt)
		}
	}
	t.Webhooks = eventWebhooks()
	return t, nil
}
