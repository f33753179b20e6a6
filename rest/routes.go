package rest

import (
	"net/http"

	"github.com/cienerp/cienerp/policy"
)

// route is one API operation below a base URL. The route table drives the
// router and the OpenAPI document alike.
type route struct {
	Method     string
	Path       string // gin syntax below the base: /tickets/:id
	Permission string // checked before the handler; "" = any authenticated caller
	Public     bool   // no credentials; limited per client address instead
	Creates    bool   // honours Idempotency-Key
	Handle     handler
	Doc        doc
}

// doc describes a route for the OpenAPI document.
type doc struct {
	Tag         string
	Summary     string
	Description string
	Params      []param
	Body        string // component schema of the JSON body
	Status      int    // success status
	Data        string // component schema of "data" in the envelope
	List        bool   // data is an array of Data, with meta
	Raw         string // component schema of a response without the envelope
}

// param is a path or query parameter.
type param struct {
	Name, In, Description string
	Schema                map[string]any
}

const tokenPath = "/auth/token"

var (
	idParam     = param{"id", "path", "The object's id.", strSchema("uuid")}
	limitParam  = param{"limit", "query", "Page size, 1 to 100 (default 20).", map[string]any{"type": "integer", "minimum": 1, "maximum": 100, "default": 20}}
	cursorParam = param{"cursor", "query", "The next_cursor of the previous page.", strSchema("")}
)

func (s *Server) routes() []route {
	return []route{
		{Method: http.MethodGet, Path: "/ping", Public: true, Handle: s.ping,
			Doc: doc{Tag: "System", Summary: "Health check of this base URL", Status: 200, Data: "Ping"}},
		{Method: http.MethodGet, Path: "/openapi.json", Public: true, Handle: s.openAPI,
			Doc: doc{Tag: "System", Summary: "This OpenAPI document", Status: 200, Raw: "OpenAPI"}},
		{Method: http.MethodGet, Path: "/permissions", Public: true, Handle: s.permissions,
			Doc: doc{Tag: "System", Summary: "The permission catalog", Description: "Every permission that roles may grant, with its module and description.", Status: 200, Data: "Permission", List: true}},
		{Method: http.MethodPost, Path: tokenPath, Public: true, Handle: s.token,
			Doc: doc{Tag: "Auth", Summary: "OAuth2 token endpoint", Description: "Grants: password (username, password, optional tenant), client_credentials (client_secret = an integration key) and refresh_token. Errors follow RFC 6749 section 5.2. Limited per client address.", Body: "TokenRequest", Status: 200, Raw: "TokenResponse"}},
		{Method: http.MethodGet, Path: "/me", Handle: s.me,
			Doc: doc{Tag: "Auth", Summary: "The caller, its tenant, environment and effective permissions", Status: 200, Data: "Me"}},

		{Method: http.MethodGet, Path: "/settings/integration-keys", Permission: policy.IntegrationKeysManage, Handle: s.listKeys,
			Doc: doc{Tag: "Settings", Summary: "List integration keys of this environment", Status: 200, Data: "IntegrationKey", List: true}},
		{Method: http.MethodPost, Path: "/settings/integration-keys", Permission: policy.IntegrationKeysManage, Creates: true, Handle: s.createKey,
			Doc: doc{Tag: "Settings", Summary: "Create an integration key", Description: "The secret is in the response once and never again. The key works only in this base URL's environment. You can only grant roles whose permissions you hold.", Body: "CreateIntegrationKey", Status: 201, Data: "IntegrationKey"}},
		{Method: http.MethodPost, Path: "/settings/integration-keys/:id/revoke", Permission: policy.IntegrationKeysManage, Handle: s.revokeKey,
			Doc: doc{Tag: "Settings", Summary: "Revoke an integration key", Description: "Refused from the very next request on.", Params: []param{idParam}, Status: 200, Data: "IntegrationKey"}},
		{Method: http.MethodPost, Path: "/settings/integration-keys/:id/roll", Permission: policy.IntegrationKeysManage, Creates: true, Handle: s.rollKey,
			Doc: doc{Tag: "Settings", Summary: "Roll an integration key", Description: "Creates a replacement with a new secret, the same name, roles and expiry. The old key stops at once, or after expires_in_hours (at most 168).", Params: []param{idParam}, Body: "RollIntegrationKey", Status: 201, Data: "IntegrationKey"}},

		{Method: http.MethodGet, Path: "/tickets", Permission: policy.TicketsView, Handle: s.listTickets,
			Doc: doc{Tag: "IT Support", Summary: "List tickets", Params: ticketListParams, Status: 200, Data: "Ticket", List: true}},
		{Method: http.MethodPost, Path: "/tickets", Permission: policy.TicketsCreate, Creates: true, Handle: s.createTicket,
			Doc: doc{Tag: "IT Support", Summary: "Open a ticket", Description: "Numbers (IT-000042) count per tenant and environment. A user is the requester unless another member is named; a key must name one.", Body: "CreateTicket", Status: 201, Data: "Ticket"}},
		{Method: http.MethodGet, Path: "/tickets/:id", Permission: policy.TicketsView, Handle: s.getTicket,
			Doc: doc{Tag: "IT Support", Summary: "Get a ticket", Params: []param{idParam}, Status: 200, Data: "Ticket"}},
		{Method: http.MethodPatch, Path: "/tickets/:id", Permission: policy.TicketsUpdate, Handle: s.updateTicket,
			Doc: doc{Tag: "IT Support", Summary: "Update a ticket", Description: "Absent fields stay as they are; assignee_id null unassigns. Status follows the workflow: open, in_progress and on_hold move freely between each other and to resolved or closed; resolved may reopen or close; closed is final.", Params: []param{idParam}, Body: "UpdateTicket", Status: 200, Data: "Ticket"}},
		{Method: http.MethodDelete, Path: "/tickets/:id", Permission: policy.TicketsDelete, Handle: s.deleteTicket,
			Doc: doc{Tag: "IT Support", Summary: "Delete a ticket and its comments", Params: []param{idParam}, Status: 200, Data: "Deleted"}},
		{Method: http.MethodGet, Path: "/tickets/:id/comments", Permission: policy.TicketsView, Handle: s.listComments,
			Doc: doc{Tag: "IT Support", Summary: "List a ticket's comments, oldest first", Params: []param{idParam}, Status: 200, Data: "TicketComment", List: true}},
		{Method: http.MethodPost, Path: "/tickets/:id/comments", Permission: policy.CommentsCreate, Creates: true, Handle: s.addComment,
			Doc: doc{Tag: "IT Support", Summary: "Comment on a ticket", Params: []param{idParam}, Body: "CreateTicketComment", Status: 201, Data: "TicketComment"}},
	}
}

var ticketListParams = []param{
	limitParam, cursorParam,
	{"status", "query", "Comma-separated statuses: open, in_progress, on_hold, resolved, closed.", strSchema("")},
	{"priority", "query", "Comma-separated priorities: low, normal, high, urgent.", strSchema("")},
	{"assignee", "query", "Assignee user id, or \"none\" for unassigned tickets.", strSchema("")},
	{"requester", "query", "Requester user id.", strSchema("uuid")},
	{"q", "query", "Text search in title and description (case-insensitive).", strSchema("")},
	{"sort", "query", "Order: -created_at (default), created_at, -updated_at, updated_at, -number, number.", strSchema("")},
}

func strSchema(format string) map[string]any {
	if format == "" {
		return map[string]any{"type": "string"}
	}
	return map[string]any{"type": "string", "format": format}
}
