package rest

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/cienerp/cienerp/edge"
	"github.com/cienerp/cienerp/modules/admin"
	"github.com/cienerp/cienerp/openapi"
	"github.com/cienerp/cienerp/service"
)

// The audit trail (admin.audit.view).

func init() {
	register(part{routes: (*Server).auditRoutes, schemas: auditSchemas})
}

func (s *Server) auditRoutes() []edge.Route {
	return []edge.Route{
		{Method: http.MethodGet, Path: "/audit-events", Op: admin.ViewAudit, Handle: s.listAuditEvents,
			Doc: openapi.Doc{Tag: admin.Module.Tag, Summary: "Read the audit trail, newest first", Description: "Every change from the API and the CLI, from both environments, with before/after.", Params: []openapi.Param{
				limitParam, cursorParam,
				openapi.Query("actor", "user:<id>, key:<id> or cli.", openapi.StrSchema("")),
				openapi.Query("credential", "e.g. api_key:key:<id> or bearer:user:<id>.", openapi.StrSchema("")),
				openapi.Query("action", "The change, named as its event type (e.g. ticket.updated, role.updated; also the audit-only webhook_endpoint.tested, webhook_endpoint.replayed, webhook_delivery.retried).", openapi.StrSchema("")),
				openapi.Query("entity_type", "e.g. ticket, role, integration_key.", openapi.StrSchema("")),
				openapi.Query("entity_id", "The entity's id.", openapi.StrSchema("")),
				openapi.Query("request_id", "The X-Request-ID of the request that made the change.", openapi.StrSchema("")),
				openapi.Query("environment", "live or sandbox (default both).", openapi.StrSchema("")),
				openapi.Query("since", "From this time (RFC 3339), inclusive.", openapi.StrSchema("date-time")),
				openapi.Query("until", "Before this time (RFC 3339).", openapi.StrSchema("date-time")),
			}, Status: 200, Data: "AuditEvent", List: true}},
	}
}

func auditSchemas() obj {
	return obj{
		"AuditEvent": openapi.Object([]string{"id", "actor", "action", "entity_type", "entity_id", "created_at"}, obj{
			"id": openapi.UUID, "object": obj{"const": "audit_event"}, "environment": openapi.Env,
			"actor": openapi.Str("user:<id>, key:<id> or cli."), "credential": openapi.Str("How the actor authenticated."),
			"request_id": obj{"type": "string"}, "action": obj{"type": "string"}, "entity_type": obj{"type": "string"}, "entity_id": obj{"type": "string"},
			"before":     obj{"type": []string{"object", "null"}, "description": "The changed fields before."},
			"after":      obj{"type": []string{"object", "null"}, "description": "The changed fields after."},
			"created_at": openapi.Time,
		}),
	}
}

func (s *Server) listAuditEvents(c *gin.Context) error {
	verr := &service.ValidationError{}
	f := service.AuditFilter{
		Actor: c.Query("actor"), Credential: c.Query("credential"), Action: c.Query("action"),
		EntityType: c.Query("entity_type"), EntityID: c.Query("entity_id"), RequestID: c.Query("request_id"), Cursor: c.Query("cursor"),
		Env: c.Query("environment"), Since: c.Query("since"), Until: c.Query("until"), Limit: queryLimit(c, verr),
	}
	if err := verr.OrNil(); err != nil {
		return err
	}
	page, err := s.svc.ListAuditEvents(c.Request.Context(), f)
	if err != nil {
		return err
	}
	respondList(c, mapSlice(page.Items, service.AuditObject), Meta{Limit: f.Limit, HasMore: page.HasMore, NextCursor: page.NextCursor})
	return nil
}
