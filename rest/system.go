package rest

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/cienerp/cienerp/edge"
	"github.com/cienerp/cienerp/openapi"
	"github.com/cienerp/cienerp/policy"
)

// The permission catalog and the caller.

func init() {
	register(part{routes: (*Server).systemRoutes, schemas: systemSchemas})
}

func (s *Server) systemRoutes() []edge.Route {
	return []edge.Route{
		{Method: http.MethodGet, Path: "/permissions", Public: true, Handle: s.permissions,
			Doc: openapi.Doc{Tag: "System", Summary: "The permission catalog", Description: "Every permission that roles may grant, with its module and description.", Status: 200, Data: "Permission", List: true}},
		{Method: http.MethodGet, Path: "/me", Handle: s.me,
			Doc: openapi.Doc{Tag: "Auth", Summary: "The caller, its tenant, environment and effective permissions", Status: 200, Data: "Me"}},
	}
}

func systemSchemas() obj {
	return obj{
		"Permission": openapi.Object([]string{"name", "module", "description"}, obj{
			"name": openapi.Str("Dotted permission, e.g. it-support.tickets.view."), "module": openapi.Str("UI module."), "description": openapi.Str("What it allows."),
			"object":           openapi.Str("The object type it acts on: a role's grant of it may carry a row condition (README \"Permissions\")."),
			"condition_fields": obj{"type": "array", "items": obj{"type": "string"}, "description": "The fields a condition on it may name (relation.field through a relation)."},
			"shows":            obj{"type": "array", "items": obj{"type": "string"}, "description": "The fields (object.field) of the field group it shows; without it they are left out."},
		}),
		"Me": openapi.Object([]string{"subject", "tenant", "environment", "permissions"}, obj{
			"object": obj{"const": "me"}, "subject": openapi.Str("user:<id> or key:<id>."), "credential": openapi.Enum("How the caller authenticated.", "api_key", "bearer"),
			"user_id": openapi.UUID, "key_id": openapi.UUID,
			"tenant":      openapi.Object(nil, obj{"id": openapi.UUID, "slug": obj{"type": "string"}, "rate_limit_per_minute": obj{"type": "integer"}}),
			"environment": openapi.Env,
			"roles":       obj{"type": "array", "items": obj{"type": "string"}},
			"permissions": obj{"type": "array", "items": obj{"type": "string"}, "description": "Effective catalog permissions."},
		}),
	}
}

func (s *Server) me(c *gin.Context) error {
	v := policy.FromContext(c.Request.Context())
	t := edge.Tenant(c)
	out := gin.H{
		"object":      "me",
		"subject":     v.Subject,
		"credential":  v.Via,
		"tenant":      gin.H{"id": t.ID, "slug": t.Slug, "rate_limit_per_minute": t.RateLimit},
		"environment": v.Env,
		"roles":       nonNil(s.svc.Enforcer.Roles(v.Subject, v.TenantID.String())),
		"permissions": nonNil(v.Permissions()),
	}
	if v.UserID != uuid.Nil {
		out["user_id"] = v.UserID
	}
	if v.KeyID != uuid.Nil {
		out["key_id"] = v.KeyID
	}
	respond(c, http.StatusOK, out)
	return nil
}

func (s *Server) permissions(c *gin.Context) error {
	cat := policy.Catalog()
	respondList(c, cat, Meta{})
	return nil
}
