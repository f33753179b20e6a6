package rest

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/cienerp/cienerp/edge"
	"github.com/cienerp/cienerp/ent"
	"github.com/cienerp/cienerp/ent/schema"
	"github.com/cienerp/cienerp/modules/settings"
	"github.com/cienerp/cienerp/openapi"
	"github.com/cienerp/cienerp/service"
)

// Webhook endpoints and their deliveries.

func init() {
	register(part{routes: (*Server).webhooksRoutes, schemas: webhooksSchemas})
}

func (s *Server) webhooksRoutes() []edge.Route {
	const tag = "Events & Webhooks"
	op := settings.ManageWebhooks
	msgParam := openapi.PathParam("id", "The delivery id, msg_… (the webhook-id header).", openapi.StrSchema(""))
	return []edge.Route{
		{Method: http.MethodGet, Path: "/webhook-endpoints", Op: op, Handle: s.listEndpoints,
			Doc: openapi.Doc{Tag: tag, Summary: "List webhook endpoints of this environment, newest first", Params: []openapi.Param{limitParam, cursorParam}, Status: 200, Data: "WebhookEndpoint", List: true}},
		{Method: http.MethodPost, Path: "/webhook-endpoints", Op: op, Creates: true, Secret: true, Handle: s.createEndpoint,
			Doc: openapi.Doc{Tag: tag, Summary: "Create a webhook endpoint", Description: "The secret (whsec_…) is in the response once and never again. " +
				"Live endpoints must use https; loopback, private, link-local and reserved addresses are refused, here and again at every connection. " +
				"Events reach the endpoint while its owner (its creator or last editor) may view them.",
				Body: "WebhookEndpointInput", Status: 201, Data: "WebhookEndpointWithSecret",
				Example: obj{"url": "https://example.com/webhooks/cien", "description": "Accounting sync", "event_types": []string{"invoice.*", "payment.*"}}}},
		{Method: http.MethodGet, Path: "/webhook-endpoints/:id", Op: op, Handle: s.getEndpoint,
			Doc: openapi.Doc{Tag: tag, Summary: "Get a webhook endpoint", Params: []openapi.Param{idParam}, Status: 200, Data: "WebhookEndpoint"}},
		{Method: http.MethodPatch, Conditional: true, Path: "/webhook-endpoints/:id", Op: op, Handle: s.updateEndpoint,
			Doc: openapi.Doc{Tag: tag, Summary: "Edit a webhook endpoint", Description: "The editor becomes the endpoint's owner. Enabling a disabled endpoint clears its failure record.",
				Params: []openapi.Param{idParam}, Body: "WebhookEndpointInput", Status: 200, Data: "WebhookEndpoint", Example: obj{"enabled": false}}},
		{Method: http.MethodDelete, Conditional: true, Path: "/webhook-endpoints/:id", Op: op, Handle: s.deleteEndpoint,
			Doc: openapi.Doc{Tag: tag, Summary: "Delete a webhook endpoint with its deliveries", Params: []openapi.Param{idParam}, Status: 200, Data: "Deleted"}},
		{Method: http.MethodPost, Path: "/webhook-endpoints/:id/rotate-secret", Op: op, Secret: true, Handle: s.rotateSecret,
			Doc: openapi.Doc{Tag: tag, Summary: "Rotate an endpoint's secret", Description: "The new secret is shown once; for 24 h deliveries carry signatures by both secrets.",
				Params: []openapi.Param{idParam}, Status: 200, Data: "WebhookEndpointWithSecret"}},
		{Method: http.MethodPost, Path: "/webhook-endpoints/:id/test", Op: op, Handle: s.testEndpoint,
			Doc: openapi.Doc{Tag: tag, Summary: "Send a ping event to the endpoint now", Description: "Answers at once with the delivery; GET /webhook-deliveries/{id} shows its attempt.",
				Params: []openapi.Param{idParam}, Status: 202, Data: "WebhookDelivery"}},
		{Method: http.MethodPost, Path: "/webhook-endpoints/:id/replay", Op: op, Handle: s.replay,
			Doc: openapi.Doc{Tag: tag, Summary: "Re-send every matching event since a time", Description: "New deliveries (new webhook-ids) of the events since then that the endpoint's filter covers, oldest first; at most 10,000 per call.",
				Params: []openapi.Param{idParam}, Body: "ReplayInput", Status: 202, Data: "Replay", Example: obj{"since": "2026-12-01T00:00:00Z"}}},
		{Method: http.MethodGet, Path: "/webhook-endpoints/:id/deliveries", Op: op, Handle: s.listDeliveries,
			Doc: openapi.Doc{Tag: tag, Summary: "List an endpoint's deliveries, newest first", Params: []openapi.Param{idParam, limitParam, cursorParam,
				openapi.Query("status", "Comma-separated: pending, retrying, delivered, failed.", openapi.StrSchema("")),
				openapi.Query("event_type", "One event type.", openapi.StrSchema(""))}, Status: 200, Data: "WebhookDelivery", List: true}},
		{Method: http.MethodGet, Path: "/webhook-deliveries/:id", Op: op, Handle: s.getDelivery,
			Doc: openapi.Doc{Tag: tag, Summary: "Get a delivery with its attempts", Params: []openapi.Param{msgParam}, Status: 200, Data: "WebhookDeliveryDetail"}},
		{Method: http.MethodPost, Path: "/webhook-deliveries/:id/retry", Op: op, Handle: s.retryDelivery,
			Doc: openapi.Doc{Tag: tag, Summary: "Send a delivery again now", Description: "The same webhook-id; a failed delivery gets a fresh round of attempts.",
				Params: []openapi.Param{msgParam}, Status: 202, Data: "WebhookDeliveryDetail"}},
	}
}

func webhooksSchemas() obj {
	endpoint := obj{
		"id": openapi.UUID, "object": obj{"const": "webhook_endpoint"}, "url": openapi.Str(""), "description": openapi.Str(""),
		"enabled": obj{"type": "boolean"}, "event_types": openapi.StringList, "owner": openapi.Str("user:<id> or key:<id>: events reach the endpoint while it may view them."),
		"failing_since":              openapi.Nullable("string", "date-time", "First failed attempt since the last delivered one."),
		"disabled_reason":            openapi.Str("Why the platform disabled it, if it did."),
		"previous_secret_expires_at": openapi.Nullable("string", "date-time", "Until then the previous secret signs too."),
		"environment":                openapi.Env, "created_at": openapi.Time, "updated_at": openapi.Time,
	}
	withSecret := obj{"secret": openapi.Str("whsec_…; shown once.")}
	for k, v := range endpoint {
		withSecret[k] = v
	}
	delivery := obj{
		"id": openapi.Str("msg_…, the webhook-id header."), "object": obj{"const": "webhook_delivery"}, "endpoint_id": openapi.UUID,
		"event_id": openapi.Str("evt_…"), "event_type": openapi.Str(""), "status": openapi.Enum("", schema.WebhookDeliveryStatuses...),
		"attempts": obj{"type": "integer"}, "next_attempt_at": openapi.Nullable("string", "date-time", ""), "delivered_at": openapi.Nullable("string", "date-time", ""),
		"last_error": openapi.Str(""), "environment": openapi.Env, "created_at": openapi.Time, "updated_at": openapi.Time,
	}
	detail := obj{"attempt_log": obj{"type": "array", "items": openapi.Object(nil, obj{
		"created_at": openapi.Time, "status_code": obj{"type": "integer", "description": "0 when no response came."}, "latency_ms": obj{"type": "integer"},
		"response_body": openapi.Str("The first 2 KB."), "error": openapi.Str(""),
	})}}
	for k, v := range delivery {
		detail[k] = v
	}
	return obj{
		"WebhookEndpoint":           openapi.Object([]string{"id", "url", "enabled", "event_types"}, endpoint),
		"WebhookEndpointWithSecret": openapi.Object([]string{"id", "url", "enabled", "event_types", "secret"}, withSecret),
		"WebhookEndpointInput": openapi.Object(nil, obj{
			"url":         obj{"type": "string", "format": "uri", "maxLength": schema.MaxWebhookURL, "description": "Required on create; https in live."},
			"description": openapi.TextMax(schema.MaxRoleDesc, ""), "enabled": obj{"type": "boolean", "default": true},
			"event_types": obj{"type": "array", "maxItems": schema.MaxWebhookEventTypes, "items": obj{"type": "string"}, "description": `Required on create: catalog types or wildcards ("*", "invoice.*").`},
		}),
		"WebhookDelivery":       openapi.Object([]string{"id", "endpoint_id", "event_id", "status"}, delivery),
		"WebhookDeliveryDetail": openapi.Object([]string{"id", "endpoint_id", "event_id", "status", "attempt_log"}, detail),
		"ReplayInput":           openapi.Object([]string{"since"}, obj{"since": obj{"type": "string", "format": "date-time"}}),
		"Replay":                openapi.Object([]string{"deliveries"}, obj{"object": obj{"const": "replay"}, "endpoint_id": openapi.UUID, "deliveries": obj{"type": "integer", "description": "Deliveries queued."}}),
	}
}

func endpointWithSecret(ep *ent.WebhookEndpoint, secret string) map[string]any {
	out := service.WebhookEndpointObject(ep)
	out["secret"] = secret
	return out
}

func (s *Server) listEndpoints(c *gin.Context) error {
	verr := &service.ValidationError{}
	limit := queryLimit(c, verr)
	if err := verr.OrNil(); err != nil {
		return err
	}
	page, err := s.svc.ListWebhookEndpoints(c.Request.Context(), limit, c.Query("cursor"))
	if err != nil {
		return err
	}
	respondList(c, mapSlice(page.Items, service.WebhookEndpointObject), Meta{Limit: limit, HasMore: page.HasMore, NextCursor: page.NextCursor})
	return nil
}

func (s *Server) createEndpoint(c *gin.Context) error {
	var in service.WebhookEndpointInput
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	ep, secret, err := s.svc.CreateWebhookEndpoint(c.Request.Context(), in)
	if err != nil {
		return err
	}
	respond(c, http.StatusCreated, endpointWithSecret(ep, secret))
	return nil
}

func (s *Server) getEndpoint(c *gin.Context) error {
	return byID(c, "webhook endpoint", func(id uuid.UUID) (*ent.WebhookEndpoint, error) {
		return s.svc.GetWebhookEndpoint(c.Request.Context(), id)
	}, service.WebhookEndpointObject)
}

func (s *Server) updateEndpoint(c *gin.Context) error {
	return byIDWithBody(c, "webhook endpoint", func(id uuid.UUID, in service.WebhookEndpointInput) (*ent.WebhookEndpoint, error) {
		return s.svc.UpdateWebhookEndpoint(c.Request.Context(), id, in)
	}, service.WebhookEndpointObject)
}

func (s *Server) deleteEndpoint(c *gin.Context) error {
	return byID(c, "webhook endpoint", func(id uuid.UUID) (uuid.UUID, error) { return id, s.svc.DeleteWebhookEndpoint(c.Request.Context(), id) },
		func(id uuid.UUID) map[string]any {
			return map[string]any{"id": id, "object": "webhook_endpoint", "deleted": true}
		})
}

func (s *Server) rotateSecret(c *gin.Context) error {
	id, err := pathID(c, "webhook endpoint")
	if err != nil {
		return err
	}
	ep, secret, err := s.svc.RotateWebhookSecret(c.Request.Context(), id)
	if err != nil {
		return err
	}
	respond(c, http.StatusOK, endpointWithSecret(ep, secret))
	return nil
}

func (s *Server) testEndpoint(c *gin.Context) error {
	id, err := pathID(c, "webhook endpoint")
	if err != nil {
		return err
	}
	d, err := s.svc.TestWebhookEndpoint(c.Request.Context(), id)
	if err != nil {
		return err
	}
	respond(c, http.StatusAccepted, service.DeliveryObject(d))
	return nil
}

func (s *Server) replay(c *gin.Context) error {
	id, err := pathID(c, "webhook endpoint")
	if err != nil {
		return err
	}
	var in struct {
		Since string `json:"since"`
	}
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	n, err := s.svc.ReplayWebhookEvents(c.Request.Context(), id, in.Since)
	if err != nil {
		return err
	}
	respond(c, http.StatusAccepted, gin.H{"object": "replay", "endpoint_id": id, "deliveries": n})
	return nil
}

func (s *Server) listDeliveries(c *gin.Context) error {
	id, err := pathID(c, "webhook endpoint")
	if err != nil {
		return err
	}
	verr := &service.ValidationError{}
	f := service.DeliveryFilter{Statuses: splitList(c.Query("status")), EventType: c.Query("event_type"), Limit: queryLimit(c, verr), Cursor: c.Query("cursor")}
	if err := verr.OrNil(); err != nil {
		return err
	}
	page, err := s.svc.ListDeliveries(c.Request.Context(), id, f)
	if err != nil {
		return err
	}
	respondList(c, mapSlice(page.Items, service.DeliveryObject), Meta{Limit: f.Limit, HasMore: page.HasMore, NextCursor: page.NextCursor})
	return nil
}

func (s *Server) getDelivery(c *gin.Context) error {
	d, err := s.svc.GetDelivery(c.Request.Context(), c.Param("id"))
	if err != nil {
		return err
	}
	respond(c, http.StatusOK, service.DeliveryWithAttempts(d))
	return nil
}

func (s *Server) retryDelivery(c *gin.Context) error {
	d, err := s.svc.RetryDelivery(c.Request.Context(), c.Param("id"))
	if err != nil {
		return err
	}
	respond(c, http.StatusAccepted, service.DeliveryWithAttempts(d))
	return nil
}
