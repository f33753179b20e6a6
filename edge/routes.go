package edge

import (
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/cienerp/cienerp/modules"
	"github.com/cienerp/cienerp/openapi"
)

const tokenPath = "/auth/token"

// routes are the edge's own: a health check per base URL, the token
// endpoint and the OpenAPI document.
func (s *server) routes() []Route {
	return []Route{
		{Method: http.MethodGet, Path: "/ping", Public: true, Handle: s.ping,
			Doc: openapi.Doc{Tag: "System", Summary: "Health check of this base URL", Status: 200, Data: "Ping"}},
		{Method: http.MethodGet, Path: "/openapi.json", Public: true, Handle: s.openAPI,
			Doc: openapi.Doc{Tag: "System", Summary: "This OpenAPI document", Status: 200, Raw: "OpenAPI"}},
		{Method: http.MethodPost, Path: tokenPath, Public: true, Secret: true, token: true, Handle: s.token,
			Doc: openapi.Doc{Tag: "Auth", Summary: "OAuth2 token endpoint", Description: "Grants: password (username, password, optional tenant), client_credentials (client_secret = an integration key) and refresh_token. Errors follow RFC 6749 section 5.2. Limited per client address.", Body: "TokenRequest", Form: true, Status: 200, Raw: "TokenResponse",
				Example: openapi.Obj{"grant_type": "client_credentials", "client_secret": "cien_test_your_key"}}},
	}
}

func (s *server) ping(c *gin.Context) error {
	c.JSON(http.StatusOK, gin.H{"status": "success", "data": gin.H{"object": "ping", "environment": Env(c), "time": time.Now().UTC(), "version": s.cfg.Version}})
	return nil
}

func (s *server) openAPI(c *gin.Context) error {
	c.Data(http.StatusOK, "application/json; charset=utf-8", s.openapi)
	return nil
}

// ownSchemas are the component schemas of the edge's routes.
func ownSchemas() openapi.Obj {
	str := openapi.Str
	return openapi.Obj{
		"OpenAPI": openapi.Obj{"type": "object", "description": "An OpenAPI 3.1 document."},
		"Ping": openapi.Object([]string{"environment"}, openapi.Obj{
			"object": openapi.Obj{"const": "ping"}, "environment": openapi.Env, "time": openapi.Time, "version": str("Server version."),
		}),
		"OAuthError": openapi.Object([]string{"error"}, openapi.Obj{
			"error":             openapi.Enum("RFC 6749 error code.", "invalid_request", "invalid_client", "invalid_grant", "unsupported_grant_type"),
			"error_description": str("What went wrong."),
		}),
		"TokenRequest": openapi.Object([]string{"grant_type"}, openapi.Obj{
			"grant_type":    openapi.Enum("The grant.", "password", "client_credentials", "refresh_token"),
			"username":      str("password grant: the user's email."),
			"password":      openapi.Obj{"type": "string", "format": "password", "description": "password grant."},
			"tenant":        str("password grant: bind the token to this tenant (id or slug)."),
			"client_id":     str("client_credentials: the key id (optional)."),
			"client_secret": str("client_credentials: the integration key."),
			"refresh_token": str("refresh_token grant."),
		}),
		"TokenResponse": openapi.Object([]string{"access_token", "token_type", "expires_in"}, openapi.Obj{
			"access_token": str("Send as Authorization: Bearer."), "token_type": openapi.Obj{"const": "Bearer"},
			"expires_in": openapi.Obj{"type": "integer", "description": "Seconds."}, "refresh_token": str("password and refresh_token grants."),
			"tenant_id": openapi.UUID, "environment": openapi.Env,
			"tenants": openapi.Obj{"type": "array", "description": "User tokens not bound to a tenant: the tenants the user may name in X-Tenant-ID.",
				"items": openapi.Object([]string{"id", "slug"}, openapi.Obj{"id": openapi.UUID, "slug": str("")})},
		}),
	}
}

// document describes every route of the mounted transports.
func document(version string, mounted []Transport) ([]byte, error) {
	d := openapi.Document{Version: version, Public: openapi.Server{URL: PublicPrefix, Description: "public tools"}, Schemas: openapi.Obj{}, Webhooks: openapi.Obj{}, Tags: tags()}
	for _, b := range Bases {
		desc := string(b.Env)
		if strings.HasSuffix(b.Prefix, "/v1") {
			desc += " (v1 alias)"
		}
		d.Servers = append(d.Servers, openapi.Server{URL: b.Prefix, Description: desc})
	}
	for _, t := range mounted {
		for _, rt := range t.Routes {
			d.Operations = append(d.Operations, openapi.Operation{Method: rt.Method, Path: rt.Path, Permission: rt.Op.Permission,
				Public: rt.Public, Creates: rt.Creates, Conditional: rt.Conditional, AtPublic: rt.AtPublic, Doc: rt.Doc})
		}
		for k, v := range t.Schemas {
			d.Schemas[k] = v
		}
		for k, v := range t.Webhooks {
			d.Webhooks[k] = v
		}
	}
	return d.JSON()
}

// tags orders the document's sections: the platform's own, then each
// module's (from its declaration, in the registry's order; a tag shared
// by two modules once), then GraphQL.
func tags() []openapi.Obj {
	out := []openapi.Obj{
		{"name": "System", "description": "Health, the permission catalog and this document."},
		{"name": "Auth", "description": "Tokens and the caller."},
		{"name": "Events & Webhooks", "description": "The events feed for reconciliation, the event catalog, and webhook endpoints with their deliveries. Deliveries are signed per Standard Webhooks (webhook-id, webhook-timestamp, webhook-signature)."},
	}
	for _, m := range modules.All() {
		if m.TagDescription != "" {
			out = append(out, openapi.Obj{"name": m.Tag, "description": m.TagDescription})
		}
	}
	return append(out, openapi.Obj{"name": "GraphQL", "description": "The same data and rules as a GraphQL schema."})
}
