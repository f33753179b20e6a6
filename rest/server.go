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

// part is one file's share of the transport: its routes, the component
// schemas they use and the loaders of the relations its objects declare
// ("<Schema>.<relation>"). Each file registers its part from init, so a
// new module adds its own file and touches no shared one.
type part struct {
	routes  func(*Server) []edge.Route
	schemas func() obj
	loaders map[string]loader
}

// parts are the registered files' parts, in file-name order (Go runs the
// files' init functions in that order, so the document is stable).
var parts []part

// register adds a file's part; called from init only.
func register(p part) { parts = append(parts, p) }

// New is the REST transport for the edge to mount; hub serves the events
// stream.
func New(svc *service.Service, hub *realtime.Hub) (edge.Transport, error) {
	t := edge.Transport{Render: render, Schemas: obj{
		"Deleted": openapi.Object([]string{"id", "deleted"}, obj{"id": openapi.UUID, "object": obj{"type": "string"}, "deleted": obj{"const": true}}),
	}}
	s := &Server{svc: svc, hub: hub, schemas: t.Schemas}
	loaders := map[string]loader{}
	for _, p := range parts {
		t.Routes = append(t.Routes, p.routes(s)...)
		if p.schemas != nil {
			for k, v := range p.schemas() {
				t.Schemas[k] = v
			}
		}
		for k, v := range p.loaders {
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
