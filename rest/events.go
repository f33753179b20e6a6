package rest

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/cienerp/cienerp/edge"
	"github.com/cienerp/cienerp/openapi"
	"github.com/cienerp/cienerp/policy"
	"github.com/cienerp/cienerp/service"
)

// Events: the catalog and the reconciliation feed.

func init() {
	register(part{routes: (*Server).eventsRoutes, schemas: eventsSchemas})
}

func (s *Server) eventsRoutes() []edge.Route {
	return []edge.Route{
		{Method: http.MethodGet, Path: "/event-types", Public: true, Handle: s.eventTypes,
			Doc: openapi.Doc{Tag: "Events & Webhooks", Summary: "The event catalog", Description: "Every event type, the object it carries and the permission needed to see it (in the feed, on webhooks).", Status: 200, Data: "EventType", List: true}},
		{Method: http.MethodGet, Path: "/events", Handle: s.listEvents,
			Doc: openapi.Doc{Tag: "Events & Webhooks", Summary: "The events feed, oldest first", Description: "Events of this environment in commit order (by sequence). Only events whose object the caller may view are listed. " +
				"In ascending order next_cursor is set on every page, the last one too: keep it and poll with it to receive each later event exactly once. Events are kept for CIEN_EVENT_RETENTION (30 days).",
				Params: []openapi.Param{limitParam, cursorParam,
					openapi.Query("type", "Comma-separated event types; wildcards such as invoice.* work.", openapi.StrSchema("")),
					openapi.Query("object_id", "Only events about this object.", openapi.StrSchema("")),
					openapi.Query("since", "RFC 3339; events created at or after it.", obj{"type": "string", "format": "date-time"}),
					openapi.Query("order", "asc (default, the reconciliation order) or desc (newest first).", openapi.Enum("", "asc", "desc"))},
				Status: 200, Data: "Event", List: true}},
		{Method: http.MethodGet, Path: "/events/:id", Handle: s.getEvent,
			Doc: openapi.Doc{Tag: "Events & Webhooks", Summary: "Get an event", Params: []openapi.Param{openapi.PathParam("id", "The event id, evt_….", openapi.StrSchema(""))}, Status: 200, Data: "Event"}},
	}
}

func eventsSchemas() obj {
	return obj{
		"EventType": openapi.Object([]string{"name", "object_type", "permission", "description"}, obj{
			"name": openapi.Str("e.g. invoice.paid."), "object_type": openapi.Str("The object in data.object."),
			"permission": openapi.Str("Needed to see events of this type."), "description": openapi.Str(""),
		}),
		"Event": openapi.Object([]string{"id", "object", "type", "sequence", "created_at", "environment", "data"}, obj{
			"id": openapi.Str("evt_…; the same in the feed and in every webhook delivery of it."), "object": obj{"const": "event"},
			"type": openapi.Str("A catalog event type."), "sequence": obj{"type": "integer", "description": "Gapless per environment, in commit order."},
			"created_at": openapi.Time, "environment": openapi.Env, "request_id": openapi.Str("The X-Request-ID of the change."),
			"actor": openapi.Str("user:<id>, key:<id>, cli or system."),
			"data": openapi.Object([]string{"object"}, obj{
				"object":              obj{"type": "object", "description": "The object exactly as its REST GET returned it at that moment (as it was, for deletions)."},
				"previous_attributes": obj{"type": "object", "description": "Updates only: the old values of the fields that changed."},
			}),
		}),
	}
}

func (s *Server) eventTypes(c *gin.Context) error {
	respondList(c, policy.EventCatalog(), Meta{})
	return nil
}

func (s *Server) listEvents(c *gin.Context) error {
	verr := &service.ValidationError{}
	f := service.EventFilter{Types: splitList(c.Query("type")), ObjectID: c.Query("object_id"), Since: c.Query("since"),
		Order: c.Query("order"), Limit: queryLimit(c, verr), Cursor: c.Query("cursor")}
	if err := verr.OrNil(); err != nil {
		return err
	}
	page, err := s.svc.ListEvents(c.Request.Context(), f)
	if err != nil {
		return err
	}
	respondList(c, mapSlice(page.Items, service.EventObject), Meta{Limit: f.Limit, HasMore: page.HasMore, NextCursor: page.NextCursor})
	return nil
}

func (s *Server) getEvent(c *gin.Context) error {
	e, err := s.svc.GetEvent(c.Request.Context(), c.Param("id"))
	if err != nil {
		return err
	}
	respond(c, http.StatusOK, service.EventObject(e))
	return nil
}

// eventWebhooks describes, for the OpenAPI document's top-level webhooks,
// the request each event type is delivered in.
func eventWebhooks() obj {
	header := func(name, desc string) obj {
		return obj{"in": "header", "name": name, "required": true, "description": desc, "schema": obj{"type": "string"}}
	}
	headers := []obj{
		header("webhook-id", "msg_…: the same on every attempt of one delivery; dedupe on it."),
		header("webhook-timestamp", "Unix seconds when the attempt was signed; reject old ones (5 minutes is usual)."),
		header("webhook-signature", "Space-separated v1,<base64 HMAC-SHA256 of id.timestamp.body> with the endpoint's secret (two during 24 h after a rotation)."),
	}
	out := obj{}
	for _, et := range policy.EventCatalog() {
		payload := obj{"allOf": []obj{openapi.Ref("Event"), {"type": "object", "properties": obj{
			"type": obj{"const": et.Name},
			"data": obj{"type": "object", "properties": obj{"object": openapi.Ref(et.Schema)}},
		}}}}
		out[et.Name] = obj{"post": obj{
			"operationId": "webhook_" + strings.NewReplacer(".", "_").Replace(et.Name),
			"security":    []obj{}, // receivers check the signature, not our credentials
			"summary":     et.Name,
			"description": et.Description + " Seen by holders of " + et.Permission + ". Answer 2xx within 10 s; anything else is retried for about 3 days.",
			"parameters":  headers,
			"requestBody": obj{"required": true, "content": obj{"application/json": obj{"schema": payload}}},
			"responses":   obj{"2XX": obj{"description": "Delivered."}},
		}}
	}
	return out
}
