package rest

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/cienerp/cienerp/edge"
	"github.com/cienerp/cienerp/modules/admin"
	"github.com/cienerp/cienerp/modules/itsupport"
	"github.com/cienerp/cienerp/modules/settings"
	"github.com/cienerp/cienerp/openapi"
	"github.com/cienerp/cienerp/service"
)

// The request log (settings.request-logs.view) and the policy simulator
// that replays it (admin.policies.manage).

func init() {
	register(part{routes: (*Server).requestLogRoutes, schemas: requestLogSchemas})
}

func (s *Server) requestLogRoutes() []edge.Route {
	window := []openapi.Param{
		openapi.Query("since", "From this time (RFC 3339), inclusive; default until minus 7 days. A window spans at most 90 days.", openapi.StrSchema("date-time")),
		openapi.Query("until", "Before this time (RFC 3339); default now.", openapi.StrSchema("date-time")),
		openapi.Query("credential", "Only this key or member: key:<id>, user:<id>, or the id alone.", openapi.StrSchema("")),
	}
	tag := settings.Module.Tag
	return []edge.Route{
		{Method: http.MethodGet, Path: "/request-logs", Op: settings.ViewRequestLogs, Handle: s.listRequestLogs,
			Doc: openapi.Doc{Tag: tag, Summary: "List the request log, newest first", Description: "Every API request of this tenant's credentials in this environment, kept for CIEN_REQUEST_LOG_RETENTION (14 days): who, which route, the outcome and the permission decision. Never a body, a secret or a credential header. Written within a second of the response.", Params: []openapi.Param{
				limitParam, cursorParam,
				openapi.Query("credential", "key:<id>, user:<id>, or a key's or member's id.", openapi.StrSchema("")),
				openapi.Query("user", "A member's id or email.", openapi.StrSchema("")),
				openapi.Query("status", "A status (404) or a class (4xx).", obj{"type": "string", "pattern": "^[1-5]([0-9]{2}|xx)$"}),
				openapi.Query("method", "GET, POST, …", openapi.StrSchema("")),
				openapi.Query("route", "The route template below the base URL, e.g. /tickets/{id} or /graphql.", openapi.StrSchema("")),
				openapi.Query("error_code", "The error's code, e.g. validation_failed, or GraphQL's FORBIDDEN.", openapi.StrSchema("")),
				openapi.Query("request_id", "The X-Request-ID a response carried.", openapi.StrSchema("")),
				openapi.Query("decision", "allowed or denied.", openapi.Enum("", "allowed", "denied")),
				openapi.Query("operation", "A GraphQL operation's name.", openapi.StrSchema("")),
				openapi.Query("since", "From this time (RFC 3339), inclusive.", openapi.StrSchema("date-time")),
				openapi.Query("until", "Before this time (RFC 3339).", openapi.StrSchema("date-time")),
			}, Status: 200, Data: "RequestLog", List: true}},
		{Method: http.MethodGet, Path: "/request-logs/errors", Op: settings.ViewRequestLogs, Handle: s.requestLogErrors,
			Doc: openapi.Doc{Tag: tag, Summary: "Summarise the failed requests", Description: "Requests with a status of 400 or more over a window, grouped by error code, method, route and status, the most frequent first (at most 100 groups), each with an example request id.", Params: window, Status: 200, Data: "RequestLogErrors"}},
		{Method: http.MethodGet, Path: "/request-logs/stats", Op: settings.ViewRequestLogs, Handle: s.requestLogStats,
			Doc: openapi.Doc{Tag: tag, Summary: "Count requests and failures per hour or day", Description: "For one key or member (credential) or all: the chart of Settings → Request log. Empty buckets are listed with zeros; at most 744 buckets.", Params: append(window,
				openapi.Query("bucket", "hour (default) or day.", openapi.Enum("", "hour", "day"))), Status: 200, Data: "RequestLogStats"}},
		{Method: http.MethodGet, Path: "/request-logs/:request_id", Op: settings.ViewRequestLogs, Handle: s.getRequestLog,
			Doc: openapi.Doc{Tag: tag, Summary: "Get a request by its request id", Description: "The newest request that carried this X-Request-ID, with the integration events it produced (as the events feed shows them to you) and its audit entries (null without admin.audit.view).", Params: []openapi.Param{
				openapi.PathParam("request_id", "The X-Request-ID of the response.", openapi.StrSchema("")),
			}, Status: 200, Data: "RequestLogDetail"}},
		{Method: http.MethodPost, Path: "/admin/policy/simulate", Op: admin.ManagePolicies, Handle: s.simulatePolicy,
			Doc: openapi.Doc{ChangesNothing: true, Tag: admin.Module.Tag, Summary: "Simulate a policy change on the logged traffic", Description: "Decides the requests logged over the last days (both environments) under the policy as it is and as the change would leave it: which keys and members would go from allowed to denied or back, on which routes, how many requests, with an example request id; and, per credential whose view of an object type changes, how many objects it sees now and would see (this environment). Nothing is saved.", Body: "PolicyChange", Status: 200, Data: "PolicySimulation",
				Example: obj{"role": obj{"name": "viewer", "permissions": []string{itsupport.TicketsView}}}}},
	}
}

func requestLogSchemas() obj {
	str := obj{"type": "string"}
	nullUUID := openapi.Nullable("string", "uuid", "")
	window := obj{"since": openapi.Time, "until": openapi.Time}
	usage := openapi.Object([]string{"requests", "errors", "error_rate", "requests_per_day", "last_request_at"}, obj{
		"requests": obj{"type": "integer"}, "errors": obj{"type": "integer", "description": "Requests answered with a status of 400 or more."},
		"error_rate": obj{"type": "number"}, "requests_per_day": obj{"type": "number"},
		"last_request_at": openapi.Nullable("string", "date-time", ""),
	})
	record := obj{
		"id": openapi.UUID, "object": obj{"const": "request_log"}, "environment": openapi.Env, "created_at": openapi.Time,
		"request_id": str, "method": str, "route": openapi.Str("The route template below the base URL (/tickets/{id}); empty for an unknown path."),
		"path": openapi.Str("The path as sent, without the query string."), "status": obj{"type": "integer"},
		"latency_ms": obj{"type": "number"}, "credential": openapi.Str("key:<id> or user:<id>."),
		"key_id": nullUUID, "key_name": str, "user_id": nullUUID, "user_email": str,
		"via":             openapi.Enum("How the credential came: a key in X-API-Key or a bearer token.", "api_key", "bearer"),
		"idempotency_key": str, "error_code": openapi.Str("The error's code; empty on success."),
		"permission": openapi.Str("The permission the route needed (the one refused, when one was)."),
		"decision":   openapi.Enum("allowed, denied, or empty when the route needs no permission.", "", "allowed", "denied"),
		"role":       openapi.Str("The role whose rule allowed it."), "rule": openapi.Str("That rule's pattern, e.g. finance.*."),
		"permissions": openapi.StringList, "client_ip": str, "user_agent": str,
		"operation": openapi.Str("GraphQL: the operation's name."), "cost": obj{"type": "integer", "description": "GraphQL: the operation's computed cost."},
	}
	required := []string{"id", "object", "environment", "created_at", "request_id", "method", "route", "path", "status", "latency_ms", "credential", "decision", "permissions"}
	return obj{
		"RequestLog": openapi.Object(required, record),
		"RequestLogDetail": openapi.Object([]string{"request", "events", "audit_events"}, obj{
			"request":      openapi.Ref("RequestLog"),
			"events":       obj{"type": "array", "items": obj{"type": "object"}, "description": "The integration events the request produced, as the events feed shows them to you."},
			"audit_events": obj{"type": []string{"array", "null"}, "items": obj{"type": "object"}, "description": "Its audit entries; null without admin.audit.view."},
		}),
		"RequestLogErrors": openapi.Object([]string{"since", "until", "groups"}, obj{"since": openapi.Time, "until": openapi.Time,
			"groups": obj{"type": "array", "items": openapi.Object([]string{"code", "method", "route", "status", "count", "last_seen_at", "example_request_id"}, obj{
				"code": str, "method": str, "route": str, "status": obj{"type": "integer"}, "count": obj{"type": "integer"},
				"last_seen_at": openapi.Time, "example_request_id": str,
			})}}),
		"RequestLogStats": openapi.Object([]string{"since", "until", "bucket", "requests", "errors", "error_rate", "buckets"}, merge(window, obj{
			"bucket": openapi.Enum("", "hour", "day"), "requests": obj{"type": "integer"}, "errors": obj{"type": "integer"}, "error_rate": obj{"type": "number"},
			"last_request_at": openapi.Nullable("string", "date-time", ""),
			"buckets":         obj{"type": "array", "items": openapi.Object([]string{"start", "requests", "errors"}, obj{"start": openapi.Time, "requests": obj{"type": "integer"}, "errors": obj{"type": "integer"}})},
		})),
		"KeyUsage": usage,
		"PolicyChange": openapi.Object(nil, obj{
			"role":            openapi.Object([]string{"name"}, obj{"name": str, "permissions": openapi.StringList, "conditions": openapi.Ref("Conditions")}),
			"delete_role":     str,
			"member":          openapi.Object([]string{"id", "roles"}, obj{"id": openapi.UUID, "roles": openapi.StringList}),
			"integration_key": openapi.Object([]string{"id", "roles"}, obj{"id": openapi.UUID, "roles": openapi.StringList}),
			"policy":          openapi.Ref("PolicyDocument"),
			"days":            obj{"type": "integer", "minimum": 1, "maximum": 90, "default": 7},
		}),
		"PolicySimulation": openapi.Object([]string{"since", "until", "requests_examined", "requests_affected", "changes", "rows", "summary"}, merge(window, obj{
			"requests_examined": obj{"type": "integer"}, "requests_affected": obj{"type": "integer"},
			"summary": openapi.Str("The answer in a sentence, e.g. \"No logged request is affected (120 examined).\""),
			"changes": obj{"type": "array", "items": openapi.Object([]string{"credential", "environment", "method", "route", "from", "to", "permission", "requests", "example_request_id"}, obj{
				"credential": str, "key_id": nullUUID, "key_name": str, "user_id": nullUUID, "user_email": str, "environment": openapi.Env,
				"method": str, "route": str, "operation": str, "from": openapi.Enum("", "allowed", "denied"), "to": openapi.Enum("", "allowed", "denied"),
				"permission": openapi.Str("The permission that decides the difference."), "requests": obj{"type": "integer"},
				"example_request_id": str, "last_seen_at": openapi.Time,
			})},
			"rows": obj{"type": "array", "items": openapi.Object([]string{"credential", "label", "roles", "object", "before", "after", "stop", "start"}, obj{
				"credential": str, "label": openapi.Str("The member's email or the key's name."), "roles": openapi.StringList, "object": str,
				"before": obj{"type": "integer"}, "after": obj{"type": "integer"},
				"stop": obj{"type": "integer", "description": "Objects it sees now and would not."}, "start": obj{"type": "integer", "description": "Objects it would see and does not now."},
			})},
		})),
	}
}

func merge(a, b obj) obj {
	out := obj{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

func (s *Server) listRequestLogs(c *gin.Context) error {
	verr := &service.ValidationError{}
	f := service.RequestLogFilter{
		Credential: c.Query("credential"), User: c.Query("user"), Status: c.Query("status"), Method: c.Query("method"),
		Route: c.Query("route"), ErrorCode: c.Query("error_code"), RequestID: c.Query("request_id"), Decision: c.Query("decision"),
		Operation: c.Query("operation"), Since: c.Query("since"), Until: c.Query("until"), Cursor: c.Query("cursor"), Limit: queryLimit(c, verr),
	}
	if err := verr.OrNil(); err != nil {
		return err
	}
	page, err := s.svc.ListRequestLogs(c.Request.Context(), f)
	if err != nil {
		return err
	}
	respondList(c, mapSlice(page.Items, service.RequestLogObject), Meta{Limit: f.Limit, HasMore: page.HasMore, NextCursor: page.NextCursor})
	return nil
}

func (s *Server) getRequestLog(c *gin.Context) error {
	d, err := s.svc.RequestLogEntry(c.Request.Context(), c.Param("request_id"))
	if err != nil {
		return err
	}
	respond(c, http.StatusOK, d)
	return nil
}

func (s *Server) requestLogErrors(c *gin.Context) error {
	sum, err := s.svc.RequestLogErrors(c.Request.Context(), c.Query("since"), c.Query("until"), c.Query("credential"))
	if err != nil {
		return err
	}
	respond(c, http.StatusOK, sum)
	return nil
}

func (s *Server) requestLogStats(c *gin.Context) error {
	st, err := s.svc.RequestLogStats(c.Request.Context(), c.Query("since"), c.Query("until"), c.Query("credential"), c.Query("bucket"))
	if err != nil {
		return err
	}
	respond(c, http.StatusOK, st)
	return nil
}

func (s *Server) simulatePolicy(c *gin.Context) error {
	var in service.PolicyChange
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	sim, err := s.svc.SimulatePolicy(c.Request.Context(), in)
	if err != nil {
		return err
	}
	respond(c, http.StatusOK, sim)
	return nil
}
