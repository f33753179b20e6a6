package rest

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/cienerp/cienerp/edge"
	"github.com/cienerp/cienerp/ent/schema"
	"github.com/cienerp/cienerp/modules/admin"
	"github.com/cienerp/cienerp/modules/settings"
	"github.com/cienerp/cienerp/openapi"
	"github.com/cienerp/cienerp/service"
)

// Integration keys (Settings → Integration Keys).

func init() {
	register(part{routes: (*Server).keysRoutes, schemas: keysSchemas})
}

func (s *Server) keysRoutes() []edge.Route {
	return []edge.Route{
		{Method: http.MethodGet, Path: "/settings/integration-keys", Op: settings.ManageKeys, Handle: s.listKeys,
			Doc: openapi.Doc{Tag: settings.Module.Tag, Summary: "List integration keys of this environment", Description: "With settings.request-logs.view, each key carries its last 7 days from the request log (usage).", Status: 200, Data: "IntegrationKey", List: true}},
		{Method: http.MethodPost, Path: "/settings/integration-keys", Op: settings.ManageKeys, Creates: true, Secret: true, Handle: s.createKey,
			Doc: openapi.Doc{Tag: settings.Module.Tag, Summary: "Create an integration key", Description: "The secret is in the response once and never again. The key works only in this base URL's environment. You can only grant roles whose permissions you hold.", Body: "CreateIntegrationKey", Status: 201, Data: "IntegrationKey",
				Example: obj{"name": "Warehouse sync", "roles": []string{"it-agent"}}}},
		{Method: http.MethodPost, Path: "/settings/integration-keys/:id/revoke", Op: settings.ManageKeys, Handle: s.revokeKey,
			Doc: openapi.Doc{Tag: settings.Module.Tag, Summary: "Revoke an integration key", Description: "Refused from the very next request on.", Params: []openapi.Param{idParam}, Status: 200, Data: "IntegrationKey"}},
		{Method: http.MethodPost, Path: "/settings/integration-keys/:id/roll", Op: settings.ManageKeys, Creates: true, Secret: true, Handle: s.rollKey,
			Doc: openapi.Doc{Tag: settings.Module.Tag, Summary: "Roll an integration key", Description: "Creates a replacement with a new secret, the same name, roles and expiry. The old key stops at once, or after expires_in_hours (at most 168).", Params: []openapi.Param{idParam}, Body: "RollIntegrationKey", Status: 201, Data: "IntegrationKey",
				Example: obj{"expires_in_hours": 24}}},
		{Method: http.MethodPut, Path: "/admin/integration-keys/:id/roles", Op: admin.ManagePolicies, Handle: s.setKeyRoles,
			Doc: openapi.Doc{Tag: admin.Module.Tag, Summary: "Replace an integration key's roles", Params: []openapi.Param{idParam}, Body: "SetRoles", Status: 200, Data: "IntegrationKey",
				Example: obj{"roles": []string{"it-agent"}}}},
	}
}

func keysSchemas() obj {
	return obj{
		"IntegrationKey": openapi.Object([]string{"id", "name", "prefix", "environment", "roles", "status"}, obj{
			"id": openapi.UUID, "object": obj{"const": "integration_key"}, "name": obj{"type": "string"},
			"prefix":      openapi.Str("The first characters, to recognise the key."),
			"secret":      openapi.Str("Only in the responses of create and roll: store it now, it is never shown again."),
			"environment": openapi.Env, "roles": obj{"type": "array", "items": obj{"type": "string"}},
			"status":     openapi.Enum("", "active", "expired", "revoked", "rolled"),
			"created_by": openapi.Nullable("string", "uuid", "The user who created it."), "created_at": openapi.Time,
			"expires_at": openapi.Nullable("string", "date-time", ""), "revoked_at": openapi.Nullable("string", "date-time", ""),
			"rolled_at": openapi.Nullable("string", "date-time", ""), "rolled_from": openapi.Nullable("string", "uuid", "The key this one replaced."),
			"last_used_at": openapi.Nullable("string", "date-time", "Updated within a minute of use."),
			"usage":        obj{"anyOf": []any{openapi.Ref("KeyUsage"), obj{"type": "null"}}, "description": "The last 7 days from the request log (the keys list only, for callers holding settings.request-logs.view; null otherwise)."},
		}),
		"CreateIntegrationKey": openapi.Object([]string{"name", "roles"}, obj{
			"name":       obj{"type": "string", "maxLength": schema.MaxKeyName, "examples": []string{"Warehouse sync"}},
			"roles":      obj{"type": "array", "items": obj{"type": "string"}, "minItems": 1, "examples": [][]string{{"it-agent"}}},
			"expires_at": obj{"type": "string", "format": "date-time"},
		}),
		"RollIntegrationKey": openapi.Object(nil, obj{
			"expires_in_hours": obj{"type": "integer", "minimum": 0, "maximum": 168, "default": 0, "description": "How long the old key keeps working."},
		}),
	}
}

func (s *Server) setKeyRoles(c *gin.Context) error {
	id, err := pathID(c, "integration key")
	if err != nil {
		return err
	}
	var in rolesInput
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	k, err := s.svc.SetKeyRoles(c.Request.Context(), id, in.Roles)
	if err != nil {
		return err
	}
	respond(c, http.StatusOK, keyView(k))
	return nil
}

// keyView is a key as REST answers it: its secret only in the answer
// that created or rolled it.
func keyView(k *service.Key) service.KeyJSON {
	out := service.KeyObject(k)
	out.Secret = k.Secret
	return out
}

func (s *Server) listKeys(c *gin.Context) error {
	keys, err := s.svc.KeysWithUsage(c.Request.Context())
	if err != nil {
		return err
	}
	respondList(c, mapSlice(keys, keyView), Meta{})
	return nil
}

func (s *Server) createKey(c *gin.Context) error {
	var in service.CreateKeyInput
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	k, err := s.svc.CreateKey(c.Request.Context(), in)
	if err != nil {
		return err
	}
	respond(c, http.StatusCreated, keyView(k))
	return nil
}

func (s *Server) revokeKey(c *gin.Context) error {
	id, err := pathID(c, "integration key")
	if err != nil {
		return err
	}
	k, err := s.svc.RevokeKey(c.Request.Context(), id)
	if err != nil {
		return err
	}
	respond(c, http.StatusOK, keyView(k))
	return nil
}

type rollKeyInput struct {
	ExpiresInHours int `json:"expires_in_hours"`
}

func (s *Server) rollKey(c *gin.Context) error {
	id, err := pathID(c, "integration key")
	if err != nil {
		return err
	}
	var in rollKeyInput
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	k, err := s.svc.RollKey(c.Request.Context(), id, time.Duration(in.ExpiresInHours)*time.Hour)
	if err != nil {
		return err
	}
	respond(c, http.StatusCreated, keyView(k))
	return nil
}
