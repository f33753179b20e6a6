// Package settings declares the settings module: integration keys and
// webhook endpoints with their deliveries.
package settings

import "github.com/cienerp/cienerp/module"

const (
	IntegrationKeysManage = "settings.integration-keys.manage"
	WebhooksManage        = "settings.webhooks.manage"
	RequestLogsView       = "settings.request-logs.view"
)

const (
	KeyCreated            module.Change = "integration_key.created"
	KeyUpdated            module.Change = "integration_key.updated"
	KeyRolled             module.Change = "integration_key.rolled"
	KeyRevoked            module.Change = "integration_key.revoked"
	EndpointCreated       module.Change = "webhook_endpoint.created"
	EndpointUpdated       module.Change = "webhook_endpoint.updated"
	EndpointSecretRotated module.Change = "webhook_endpoint.secret_rotated"
	EndpointDeleted       module.Change = "webhook_endpoint.deleted"
	EndpointDisabled      module.Change = "webhook_endpoint.disabled"
	EndpointTested        module.Change = "webhook_endpoint.tested"
	EndpointReplayed      module.Change = "webhook_endpoint.replayed"
	DeliveryRetried       module.Change = "webhook_delivery.retried"
	Ping                  module.Change = "ping"
)

// The operations and the permission each needs: REST routes name these,
// GraphQL fields are listed in them.
var (
	ManageKeys      = module.Op{Permission: IntegrationKeysManage, GraphQL: []string{"Query.integrationKeys", "Mutation.createIntegrationKey", "Mutation.revokeIntegrationKey", "Mutation.rollIntegrationKey"}}
	ViewRequestLogs = module.Op{Permission: RequestLogsView, GraphQL: []string{"Query.requestLogs", "Query.requestLog", "Query.requestLogErrors", "Query.requestLogStats"}}
	ManageWebhooks  = module.Op{Permission: WebhooksManage, GraphQL: []string{"Query.webhookEndpoints", "Query.webhookDeliveries", "Mutation.createWebhookEndpoint",
		"Mutation.updateWebhookEndpoint", "Mutation.deleteWebhookEndpoint", "Mutation.rotateWebhookSecret", "Mutation.testWebhookEndpoint", "Mutation.retryWebhookDelivery"}}
)

// Module is the declaration the registry (modules.All) lists.
var Module = module.Module{
	Name: "settings",
	Tag:  "Settings", TagDescription: "Integration keys, webhook endpoints and the request log (Settings).",
	Permissions: []module.Permission{
		{Name: IntegrationKeysManage, Description: "List, create, revoke and roll integration keys."},
		{Name: WebhooksManage, Description: "Manage webhook endpoints, their secrets and deliveries; see ping and endpoint events."},
		{Name: RequestLogsView, Description: "Read the request log: every API request of the tenant's credentials, its outcome and its permission decision; error summaries and per-key usage."},
	},
	Grants: map[string][]string{"admin": {"settings.*"}},
	Objects: []module.Object{
		{Type: "webhook_endpoint", Schema: "WebhookEndpoint", View: WebhooksManage, Events: []module.Event{
			{Change: EndpointCreated, Description: "A webhook endpoint was created (its secret is never in an event).", Was: []string{"webhook_endpoint.create"}},
			{Change: EndpointUpdated, Description: "A webhook endpoint's url, event types, description or enabled state changed.", Was: []string{"webhook_endpoint.update"}},
			{Change: EndpointSecretRotated, Description: "A webhook endpoint's signing secret was rotated; the previous one signs beside it until previous_secret_expires_at.", Was: []string{"webhook_endpoint.rotate_secret"}},
			{Change: EndpointDeleted, Description: "A webhook endpoint was deleted.", Was: []string{"webhook_endpoint.delete"}},
			{Change: EndpointDisabled, Description: "A webhook endpoint was disabled after failing continuously for 5 days.", Was: []string{"webhook_endpoint.disable"}},
			{Change: EndpointTested, Description: "A test ping was sent to a webhook endpoint.", AuditOnly: true, Was: []string{"webhook_endpoint.test"}},
			{Change: EndpointReplayed, Description: "Past events were sent to a webhook endpoint again.", AuditOnly: true, Was: []string{"webhook_endpoint.replay"}},
			{Change: Ping, Description: "Sent by POST /webhook-endpoints/{id}/test; never in the events feed of other endpoints."},
		}},
		{Type: "webhook_delivery", Schema: "WebhookDelivery", View: WebhooksManage, Events: []module.Event{
			{Change: DeliveryRetried, Description: "A webhook delivery was retried by hand.", AuditOnly: true, Was: []string{"webhook_delivery.retry"}},
		}},
		{Type: "integration_key", Schema: "IntegrationKey", View: IntegrationKeysManage, Events: []module.Event{
			{Change: KeyCreated, Description: "An integration key was created (by a roll too: rolled_from names the old one); its secret is never in an event.", Was: []string{"integration_key.create"}},
			{Change: KeyUpdated, Description: "An integration key's roles changed.", Was: []string{"integration_key.roles.set"}},
			{Change: KeyRolled, Description: "An integration key was rolled: it stops now or at its new expires_at.", Was: []string{"integration_key.roll"}},
			{Change: KeyRevoked, Description: "An integration key was revoked and stopped working.", Was: []string{"integration_key.revoke"}},
		}},
	},
	Ops: []module.Op{ManageKeys, ManageWebhooks, ViewRequestLogs},
}
