package rest

import (
	"net/http"

	"github.com/gin-gonic/gin"

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
	MaxBody    int64  // request body limit; 0 means MaxBodyBytes
	AtPublic   bool   // also served under /public (no environment: sandbox rules)
	Secret     bool   // the answer carries a secret: Cache-Control: no-store
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
	Example     any    // a request body example
	ExampleData any    // the "data" the example request answers (checked by a test)
}

func (s *Server) sdl(c *gin.Context) error {
	c.Data(http.StatusOK, "text/plain; charset=utf-8", []byte(s.cfg.SDL))
	return nil
}

func (s *Server) introspection(c *gin.Context) error {
	c.Data(http.StatusOK, "application/json; charset=utf-8", s.cfg.Introspection)
	return nil
}

// graphql hands the request to the GraphQL server. A JSON body has been
// read already by guardInput (an oversized one is a clear 413 there).
func (s *Server) graphql(c *gin.Context) error {
	s.cfg.GraphQL.ServeHTTP(c.Writer, c.Request)
	return nil
}

// param is a path or query parameter.
type param struct {
	Name, In, Description string
	Schema                map[string]any
}

const tokenPath = "/auth/token"

var (
	idParam     = param{"id", "path", "The object's id.", strSchema("uuid")}
	nameParam   = param{"name", "path", "The role's name.", strSchema("")}
	roleParam   = param{"role", "path", "A role name.", strSchema("")}
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
		{Method: http.MethodPost, Path: tokenPath, Public: true, Secret: true, Handle: s.token,
			Doc: doc{Tag: "Auth", Summary: "OAuth2 token endpoint", Description: "Grants: password (username, password, optional tenant), client_credentials (client_secret = an integration key) and refresh_token. Errors follow RFC 6749 section 5.2. Limited per client address.", Body: "TokenRequest", Status: 200, Raw: "TokenResponse",
				Example: obj{"grant_type": "client_credentials", "client_secret": "cien_test_your_key"}}},
		{Method: http.MethodPost, Path: "/quote/calculate", Public: true, AtPublic: true, Handle: s.calculateQuote,
			Doc: doc{Tag: "Finance & POS", Summary: "Calculate a quote (no credentials)", Description: "Prices items exactly: per line subtotal = round(quantity × unit_price), discount = round(subtotal × discount_percent / 100), net = subtotal − discount, tax = round(net × tax_rate / 100), total = net + tax, rounding half-up to the currency's minor unit; the totals are the sums of the lines. Amounts are decimal strings. Also at /public/quote/calculate. Limited per client address.", Body: "QuoteRequest", Status: 200, Data: "Quote",
				Example: quoteExample, ExampleData: quoteExampleAnswer}},
		{Method: http.MethodGet, Path: "/me", Handle: s.me,
			Doc: doc{Tag: "Auth", Summary: "The caller, its tenant, environment and effective permissions", Status: 200, Data: "Me"}},

		{Method: http.MethodPost, Path: "/graphql", Handle: s.graphql,
			Doc: doc{Tag: "GraphQL", Summary: "GraphQL endpoint", Description: "The same data and rules as REST, as a GraphQL schema generated from the data model: Relay connections with where filters, node/nodes. Same credentials, tenant and environment, rate limits and request ids; errors carry extensions.code (FORBIDDEN with the missing permission, NOT_FOUND, VALIDATION). uploadDocument takes a multipart/form-data body per the GraphQL multipart request spec (operations, map, then the files; streamed, up to the document size limit); other bodies are JSON up to 1 MiB. Creating mutations take an optional idempotencyKey. The SDL is available through introspection and at /graphql/schema.graphql.", Body: "GraphQLRequest", Status: 200, Raw: "GraphQLResponse",
				Example: obj{"query": "{ tickets(first: 5, orderBy: {field: CREATED_AT, direction: DESC}) { totalCount edges { node { id displayNumber title status } } } }"}}},
		{Method: http.MethodGet, Path: "/graphql/schema.graphql", Public: true, Handle: s.sdl,
			Doc: doc{Tag: "GraphQL", Summary: "The GraphQL schema (SDL) for download", Status: 200, Raw: "SDL"}},
		{Method: http.MethodGet, Path: "/graphql/schema.json", Public: true, Handle: s.introspection,
			Doc: doc{Tag: "GraphQL", Summary: "The GraphQL schema as an introspection result", Description: "The answer of the standard introspection query (graphql-js getIntrospectionQuery), for tools that build a client schema from it; available where introspection itself is off.", Status: 200, Raw: "IntrospectionResult"}},
		{Method: http.MethodGet, Path: "/graphql", Handle: s.graphql,
			Doc: doc{Tag: "GraphQL", Summary: "GraphQL query over GET; a browser opening it gets the GraphQL explorer", Params: []param{{"query", "query", "The GraphQL query (queries only; mutations need POST).", strSchema("")}, {"variables", "query", "JSON-encoded variables.", strSchema("")}}, Status: 200, Raw: "GraphQLResponse"}},
		{Method: http.MethodGet, Path: "/settings/integration-keys", Permission: policy.IntegrationKeysManage, Handle: s.listKeys,
			Doc: doc{Tag: "Settings", Summary: "List integration keys of this environment", Status: 200, Data: "IntegrationKey", List: true}},
		{Method: http.MethodPost, Path: "/settings/integration-keys", Permission: policy.IntegrationKeysManage, Creates: true, Secret: true, Handle: s.createKey,
			Doc: doc{Tag: "Settings", Summary: "Create an integration key", Description: "The secret is in the response once and never again. The key works only in this base URL's environment. You can only grant roles whose permissions you hold.", Body: "CreateIntegrationKey", Status: 201, Data: "IntegrationKey",
				Example: obj{"name": "Warehouse sync", "roles": []string{"it-agent"}}}},
		{Method: http.MethodPost, Path: "/settings/integration-keys/:id/revoke", Permission: policy.IntegrationKeysManage, Handle: s.revokeKey,
			Doc: doc{Tag: "Settings", Summary: "Revoke an integration key", Description: "Refused from the very next request on.", Params: []param{idParam}, Status: 200, Data: "IntegrationKey"}},
		{Method: http.MethodPost, Path: "/settings/integration-keys/:id/roll", Permission: policy.IntegrationKeysManage, Creates: true, Secret: true, Handle: s.rollKey,
			Doc: doc{Tag: "Settings", Summary: "Roll an integration key", Description: "Creates a replacement with a new secret, the same name, roles and expiry. The old key stops at once, or after expires_in_hours (at most 168).", Params: []param{idParam}, Body: "RollIntegrationKey", Status: 201, Data: "IntegrationKey",
				Example: obj{"expires_in_hours": 24}}},

		{Method: http.MethodGet, Path: "/admin/roles", Permission: policy.PoliciesManage, Handle: s.listRoles,
			Doc: doc{Tag: "Admin", Summary: "List roles with their permissions", Status: 200, Data: "Role", List: true}},
		{Method: http.MethodPost, Path: "/admin/roles", Permission: policy.PoliciesManage, Creates: true, Handle: s.createRole,
			Doc: doc{Tag: "Admin", Summary: "Create a role", Description: "Permissions must be catalog names or wildcards (\"*\", \"module.*\"); unknown names are 422 and named.", Body: "CreateRole", Status: 201, Data: "Role",
				Example: obj{"name": "help-desk", "description": "First-line support", "permissions": []string{"it-support.*", "documents.view"}}}},
		{Method: http.MethodGet, Path: "/admin/roles/:name", Permission: policy.PoliciesManage, Handle: s.getRole,
			Doc: doc{Tag: "Admin", Summary: "Get a role", Params: []param{nameParam}, Status: 200, Data: "Role"}},
		{Method: http.MethodPatch, Path: "/admin/roles/:name", Permission: policy.PoliciesManage, Handle: s.updateRole,
			Doc: doc{Tag: "Admin", Summary: "Rename a role, edit its description or replace its permissions", Description: "Refused (422) when it would leave no user holding admin.policies.manage, or the owner role without \"*\".", Params: []param{nameParam}, Body: "UpdateRole", Status: 200, Data: "Role",
				Example: obj{"description": "First-line support and documents"}}},
		{Method: http.MethodDelete, Path: "/admin/roles/:name", Permission: policy.PoliciesManage, Handle: s.deleteRole,
			Doc: doc{Tag: "Admin", Summary: "Delete a role and its assignments", Description: "Built-in roles cannot be deleted.", Params: []param{nameParam}, Status: 200, Data: "DeletedRole"}},
		{Method: http.MethodGet, Path: "/admin/members", Permission: policy.PoliciesManage, Handle: s.listMembers,
			Doc: doc{Tag: "Admin", Summary: "List members with their roles", Status: 200, Data: "Member", List: true}},
		{Method: http.MethodPost, Path: "/admin/members", Permission: policy.PoliciesManage, Creates: true, Secret: true, Handle: s.inviteMember,
			Doc: doc{Tag: "Admin", Summary: "Invite or create a member", Description: "An existing login is added to the tenant; otherwise a login is created with the given password, or a generated one returned once in password.", Body: "InviteMember", Status: 201, Data: "Member",
				Example: obj{"email": "new.agent@example.com", "name": "New Agent", "roles": []string{"it-agent"}}}},
		{Method: http.MethodDelete, Path: "/admin/members/:id", Permission: policy.PoliciesManage, Handle: s.removeMember,
			Doc: doc{Tag: "Admin", Summary: "Remove a member and its roles", Params: []param{idParam}, Status: 200, Data: "DeletedMember"}},
		{Method: http.MethodPut, Path: "/admin/members/:id/roles", Permission: policy.PoliciesManage, Handle: s.setMemberRoles,
			Doc: doc{Tag: "Admin", Summary: "Replace a member's roles", Params: []param{idParam}, Body: "SetRoles", Status: 200, Data: "Member",
				Example: obj{"roles": []string{"it-agent"}}}},
		{Method: http.MethodPost, Path: "/admin/members/:id/roles", Permission: policy.PoliciesManage, Handle: s.addMemberRole,
			Doc: doc{Tag: "Admin", Summary: "Give a member a role", Params: []param{idParam}, Body: "AddRole", Status: 200, Data: "Member",
				Example: obj{"role": "viewer"}}},
		{Method: http.MethodDelete, Path: "/admin/members/:id/roles/:role", Permission: policy.PoliciesManage, Handle: s.removeMemberRole,
			Doc: doc{Tag: "Admin", Summary: "Take a role from a member", Params: []param{idParam, roleParam}, Status: 200, Data: "Member"}},
		{Method: http.MethodPut, Path: "/admin/integration-keys/:id/roles", Permission: policy.PoliciesManage, Handle: s.setKeyRoles,
			Doc: doc{Tag: "Admin", Summary: "Replace an integration key's roles", Params: []param{idParam}, Body: "SetRoles", Status: 200, Data: "IntegrationKey",
				Example: obj{"roles": []string{"it-agent"}}}},
		{Method: http.MethodGet, Path: "/permissions/check", Permission: policy.PoliciesManage, Handle: s.checkPermission,
			Doc: doc{Tag: "Admin", Summary: "Explain a permission decision", Description: "Whether the subject holds the permission here, and which role and rule decided: the same Casbin decision that requests get.", Params: []param{
				{"subject", "query", "user:<id>, key:<id>, a user or key id, or a member's email.", strSchema("")},
				{"permission", "query", "A catalog permission, e.g. documents.verify.", strSchema("")},
			}, Status: 200, Data: "Explanation"}},
		{Method: http.MethodGet, Path: "/admin/policy", Permission: policy.PoliciesManage, Handle: s.exportPolicy,
			Doc: doc{Tag: "Admin", Summary: "Export the tenant's policy as JSON", Description: "Roles, members' roles, and the roles of this environment's active keys.", Status: 200, Data: "PolicyDocument"}},
		{Method: http.MethodPost, Path: "/admin/policy/import", Permission: policy.PoliciesManage, Handle: s.importPolicy,
			Doc: doc{Tag: "Admin", Summary: "Import a policy document", Description: "Roles become exactly the document's; listed members and keys get exactly their listed roles. With dry_run=1 only the diff is returned. All or nothing.", Params: []param{
				{"dry_run", "query", "1 to see the diff without applying it.", strSchema("")},
			}, Body: "PolicyDocument", Status: 200, Data: "PolicyImport",
				Example: policyExample()}},
		{Method: http.MethodGet, Path: "/audit-events", Permission: policy.AuditView, Handle: s.listAuditEvents,
			Doc: doc{Tag: "Admin", Summary: "Read the audit trail, newest first", Description: "Every change from the API and the CLI, from both environments, with before/after.", Params: []param{
				limitParam, cursorParam,
				{"actor", "query", "user:<id>, key:<id> or cli.", strSchema("")},
				{"credential", "query", "e.g. api_key:key:<id> or bearer:user:<id>.", strSchema("")},
				{"action", "query", "e.g. ticket.update, role.update.", strSchema("")},
				{"entity_type", "query", "e.g. ticket, role, integration_key.", strSchema("")},
				{"entity_id", "query", "The entity's id.", strSchema("")},
				{"request_id", "query", "The X-Request-ID of the request that made the change.", strSchema("")},
				{"environment", "query", "live or sandbox (default both).", strSchema("")},
				{"since", "query", "From this time (RFC 3339), inclusive.", strSchema("date-time")},
				{"until", "query", "Before this time (RFC 3339).", strSchema("date-time")},
			}, Status: 200, Data: "AuditEvent", List: true}},

		{Method: http.MethodGet, Path: "/documents", Permission: policy.DocumentsView, Handle: s.listDocuments,
			Doc: doc{Tag: "Documents", Summary: "List documents, newest first", Params: []param{
				limitParam, cursorParam,
				{"status", "query", "Comma-separated: pending, verified, rejected.", strSchema("")},
				{"category", "query", "Exact category.", strSchema("")},
				{"tag", "query", "Documents carrying this tag.", strSchema("")},
				{"uploader", "query", "user:<id> or key:<id>.", strSchema("")},
				{"q", "query", "Text search in title and filename (case-insensitive).", strSchema("")},
			}, Status: 200, Data: "Document", List: true}},
		{Method: http.MethodPost, Path: "/documents", Permission: policy.DocumentsUpload, Creates: true, Handle: s.uploadDocument, MaxBody: -1,
			Doc: doc{Tag: "Documents", Summary: "Upload a document", Description: "multipart/form-data with the bytes in file, plus title, category and tags (repeated or comma-separated). The file streams to storage; its type is sniffed from the bytes, its SHA-256 computed on the way. Too large: 413; a type not allowed: 415; no file: 422; storage down: 503 and nothing saved.", Body: "UploadDocument", Status: 201, Data: "Document",
				Example: obj{"file": "(the file's bytes)", "title": "Signed contract", "category": "contracts", "tags": []string{"legal", "2026"}}}},
		{Method: http.MethodGet, Path: "/documents/:id", Permission: policy.DocumentsView, Handle: s.getDocument,
			Doc: doc{Tag: "Documents", Summary: "Get a document's metadata", Params: []param{idParam}, Status: 200, Data: "Document"}},
		{Method: http.MethodPatch, Path: "/documents/:id", Permission: policy.DocumentsUpdate, Handle: s.updateDocument,
			Doc: doc{Tag: "Documents", Summary: "Edit a document's title, category or tags", Params: []param{idParam}, Body: "UpdateDocument", Status: 200, Data: "Document",
				Example: obj{"title": "Signed contract (final)", "tags": []string{"legal", "2026"}}}},
		{Method: http.MethodDelete, Path: "/documents/:id", Permission: policy.DocumentsDelete, Handle: s.deleteDocument,
			Doc: doc{Tag: "Documents", Summary: "Delete a document and its file", Description: "Both go, or neither (storage down: 503). Safe to retry.", Params: []param{idParam}, Status: 200, Data: "Deleted"}},
		{Method: http.MethodGet, Path: "/documents/:id/download", Permission: policy.DocumentsView, Handle: s.downloadDocument,
			Doc: doc{Tag: "Documents", Summary: "Download a document's bytes", Description: "Streams with Content-Type, Content-Length, Content-Disposition: attachment, ETag (the SHA-256) and Range support. With redirect=1 and S3 storage: 302 to a direct URL valid for 5 minutes.", Params: []param{idParam,
				{"redirect", "query", "1 to be redirected to a short-lived direct URL (S3 storage).", strSchema("")},
			}, Status: 200, Raw: "Binary"}},
		{Method: http.MethodPost, Path: "/documents/:id/verify", Permission: policy.DocumentsVerify, Handle: s.verifyDocument,
			Doc: doc{Tag: "Documents", Summary: "Verify a pending document", Params: []param{idParam}, Body: "VerifyDocument", Status: 200, Data: "Document",
				Example: obj{"note": "Checked against the original."}}},
		{Method: http.MethodPost, Path: "/documents/:id/reject", Permission: policy.DocumentsVerify, Handle: s.rejectDocument,
			Doc: doc{Tag: "Documents", Summary: "Reject a pending document", Description: "A reason is required.", Params: []param{idParam}, Body: "RejectDocument", Status: 200, Data: "Document",
				Example: obj{"reason": "The scan is unreadable; please upload it again."}}},

		{Method: http.MethodGet, Path: "/customers", Permission: "finance.customers.view", Handle: s.listCustomers,
			Doc: doc{Tag: "Finance & POS", Summary: "List customers, newest first", Params: []param{limitParam, cursorParam, {"q", "query", "Search in name and email.", strSchema("")}}, Status: 200, Data: "Customer", List: true}},
		{Method: http.MethodPost, Path: "/customers", Permission: "finance.customers.create", Creates: true, Handle: s.createCustomer,
			Doc: doc{Tag: "Finance & POS", Summary: "Create a customer", Body: "CustomerInput", Status: 201, Data: "Customer",
				Example: obj{"name": "Acme Inc", "email": "billing@acme.example", "currency": "EUR", "tax_id": "DE123456789"}}},
		{Method: http.MethodGet, Path: "/customers/:id", Permission: "finance.customers.view", Handle: s.getCustomer,
			Doc: doc{Tag: "Finance & POS", Summary: "Get a customer", Params: []param{idParam}, Status: 200, Data: "Customer"}},
		{Method: http.MethodPatch, Path: "/customers/:id", Permission: "finance.customers.update", Handle: s.updateCustomer,
			Doc: doc{Tag: "Finance & POS", Summary: "Edit a customer", Params: []param{idParam}, Body: "CustomerInput", Status: 200, Data: "Customer",
				Example: obj{"phone": "+49 30 1234567", "notes": "Invoices by email only."}}},
		{Method: http.MethodDelete, Path: "/customers/:id", Permission: "finance.customers.delete", Handle: s.deleteCustomer,
			Doc: doc{Tag: "Finance & POS", Summary: "Delete a customer without invoices", Params: []param{idParam}, Status: 200, Data: "Deleted"}},
		{Method: http.MethodGet, Path: "/invoices", Permission: "finance.invoices.view", Handle: s.listInvoices,
			Doc: doc{Tag: "Finance & POS", Summary: "List invoices, newest first", Params: []param{limitParam, cursorParam,
				{"status", "query", "Comma-separated: draft, issued, partially_paid, paid, void.", strSchema("")},
				{"customer", "query", "A customer id.", strSchema("uuid")},
				{"overdue", "query", "true: issued or partially paid, due before today.", strSchema("")},
			}, Status: 200, Data: "Invoice", List: true}},
		{Method: http.MethodPost, Path: "/invoices", Permission: "finance.invoices.create", Creates: true, Handle: s.createInvoice,
			Doc: doc{Tag: "Finance & POS", Summary: "Create a draft invoice", Description: "Lines and totals are derived by the server from the items (see the quote calculator); a client cannot set totals.", Body: "InvoiceInput", Status: 201, Data: "Invoice",
				Example: obj{"currency": "EUR", "due_date": "2026-12-31", "items": quoteExample["items"]}}},
		{Method: http.MethodGet, Path: "/invoices/:id", Permission: "finance.invoices.view", Handle: s.getInvoice,
			Doc: doc{Tag: "Finance & POS", Summary: "Get an invoice", Params: []param{idParam}, Status: 200, Data: "Invoice"}},
		{Method: http.MethodPatch, Path: "/invoices/:id", Permission: "finance.invoices.update", Handle: s.updateInvoice,
			Doc: doc{Tag: "Finance & POS", Summary: "Edit a draft invoice", Description: "Only drafts; items replace the lines.", Params: []param{idParam}, Body: "InvoiceInput", Status: 200, Data: "Invoice",
				Example: obj{"notes": "Thank you for your business.", "due_date": "2026-12-31"}}},
		{Method: http.MethodPost, Path: "/invoices/:id/issue", Permission: "finance.invoices.issue", Handle: s.issueInvoice,
			Doc: doc{Tag: "Finance & POS", Summary: "Issue a draft", Description: "Assigns the gapless number of the tenant, environment and year (INV-2026-000017), the issue date, and a due date 30 days out when none was set.", Params: []param{idParam}, Status: 200, Data: "Invoice"}},
		{Method: http.MethodPost, Path: "/invoices/:id/void", Permission: "finance.invoices.void", Handle: s.voidInvoice,
			Doc: doc{Tag: "Finance & POS", Summary: "Void an invoice with nothing paid", Params: []param{idParam}, Status: 200, Data: "Invoice"}},
		{Method: http.MethodGet, Path: "/invoices/:id/payments", Permission: "finance.payments.view", Handle: s.invoicePayments,
			Doc: doc{Tag: "Finance & POS", Summary: "List an invoice's payments", Params: []param{idParam}, Status: 200, Data: "Payment", List: true}},
		{Method: http.MethodGet, Path: "/payments", Permission: "finance.payments.view", Handle: s.listPayments,
			Doc: doc{Tag: "Finance & POS", Summary: "List payments, newest first", Params: []param{limitParam, cursorParam, {"invoice", "query", "An invoice id.", strSchema("uuid")}}, Status: 200, Data: "Payment", List: true}},
		{Method: http.MethodPost, Path: "/payments", Permission: "finance.payments.create", Creates: true, Handle: s.createPayment,
			Doc: doc{Tag: "Finance & POS", Summary: "Record a payment", Description: "Against an issued invoice, in its currency; more than 0 and at most the balance. Concurrent payments never overpay: the invoice is locked while one is recorded.", Body: "PaymentInput", Status: 201, Data: "Payment",
				Example: obj{"invoice_id": exampleID, "amount": "10.00", "currency": "EUR", "method": "bank_transfer", "reference": "SEPA 2026-11-30"}}},
		{Method: http.MethodGet, Path: "/payments/:id", Permission: "finance.payments.view", Handle: s.getPayment,
			Doc: doc{Tag: "Finance & POS", Summary: "Get a payment", Params: []param{idParam}, Status: 200, Data: "Payment"}},
		{Method: http.MethodPost, Path: "/payments/:id/refund", Permission: "finance.payments.refund", Creates: true, Handle: s.refundPayment,
			Doc: doc{Tag: "Finance & POS", Summary: "Refund a payment, fully or partly", Description: "The invoice balance reopens by the refunded amount.", Params: []param{idParam}, Body: "RefundInput", Status: 200, Data: "Payment",
				Example: obj{"amount": "5.00", "reason": "Damaged item"}}},
		{Method: http.MethodGet, Path: "/pos/sessions", Permission: "pos.sessions.manage", Handle: s.listSessions,
			Doc: doc{Tag: "Finance & POS", Summary: "List register sessions, newest first", Params: []param{limitParam, cursorParam,
				{"status", "query", "open or closed.", strSchema("")}, {"register", "query", "One register's sessions.", strSchema("")},
			}, Status: 200, Data: "PosSession", List: true}},
		{Method: http.MethodPost, Path: "/pos/sessions", Permission: "pos.sessions.manage", Creates: true, Handle: s.openSession,
			Doc: doc{Tag: "Finance & POS", Summary: "Open a register session with a cash float", Body: "OpenSession", Status: 201, Data: "PosSession",
				Example: obj{"register": "front-1", "currency": "EUR", "opening_float": "100.00"}}},
		{Method: http.MethodGet, Path: "/pos/sessions/:id", Permission: "pos.sessions.manage", Handle: s.getSession,
			Doc: doc{Tag: "Finance & POS", Summary: "Get a register session", Params: []param{idParam}, Status: 200, Data: "PosSession"}},
		{Method: http.MethodPost, Path: "/pos/sessions/:id/close", Permission: "pos.sessions.manage", Handle: s.closeSession,
			Doc: doc{Tag: "Finance & POS", Summary: "Close a session with the counted cash", Description: "Answers expected, counted and over/short.", Params: []param{idParam}, Body: "CloseSession", Status: 200, Data: "PosSession",
				Example: obj{"counted_cash": "107.70"}}},
		{Method: http.MethodGet, Path: "/pos/sales", Permission: "pos.sales.view", Handle: s.listSales,
			Doc: doc{Tag: "Finance & POS", Summary: "List sales, newest first", Params: []param{limitParam, cursorParam, {"session", "query", "A POS session id.", strSchema("uuid")}}, Status: 200, Data: "PosSale", List: true}},
		{Method: http.MethodPost, Path: "/pos/sales", Permission: "pos.sales.create", Creates: true, Handle: s.createSale,
			Doc: doc{Tag: "Finance & POS", Summary: "Ring up a sale", Description: "In an open session: in one transaction a paid invoice and a payment per tender (cash net of change). Card and other tenders cannot exceed the total; only cash gives change. Answers the receipt.", Body: "SaleInput", Status: 201, Data: "PosSale",
				Example: obj{"session_id": exampleID, "items": []obj{{"description": "Coffee", "quantity": "2", "unit_price": "3.50", "tax_rate": "10"}},
					"tenders": []obj{{"method": "card", "amount": "5.00"}, {"method": "cash", "amount": "5.00"}}}}},
		{Method: http.MethodGet, Path: "/pos/sales/:id", Permission: "pos.sales.view", Handle: s.getSale,
			Doc: doc{Tag: "Finance & POS", Summary: "Get a sale (its receipt)", Params: []param{idParam}, Status: 200, Data: "PosSale"}},

		{Method: http.MethodGet, Path: "/tickets", Permission: policy.TicketsView, Handle: s.listTickets,
			Doc: doc{Tag: "IT Support", Summary: "List tickets", Params: ticketListParams, Status: 200, Data: "Ticket", List: true}},
		{Method: http.MethodPost, Path: "/tickets", Permission: policy.TicketsCreate, Creates: true, Handle: s.createTicket,
			Doc: doc{Tag: "IT Support", Summary: "Open a ticket", Description: "Numbers (IT-000042) count per tenant and environment. A user is the requester unless another member is named; a key must name one.", Body: "CreateTicket", Status: 201, Data: "Ticket",
				Example: obj{"title": "Printer on floor 2 jams", "priority": "high", "requester_id": exampleID}}},
		{Method: http.MethodGet, Path: "/tickets/:id", Permission: policy.TicketsView, Handle: s.getTicket,
			Doc: doc{Tag: "IT Support", Summary: "Get a ticket", Params: []param{idParam}, Status: 200, Data: "Ticket"}},
		{Method: http.MethodPatch, Path: "/tickets/:id", Permission: policy.TicketsUpdate, Handle: s.updateTicket,
			Doc: doc{Tag: "IT Support", Summary: "Update a ticket", Description: "Absent fields stay as they are; assignee_id null unassigns. Status follows the workflow: open, in_progress and on_hold move freely between each other and to resolved or closed; resolved may reopen or close; closed is final.", Params: []param{idParam}, Body: "UpdateTicket", Status: 200, Data: "Ticket",
				Example: obj{"status": "in_progress", "priority": "urgent"}}},
		{Method: http.MethodDelete, Path: "/tickets/:id", Permission: policy.TicketsDelete, Handle: s.deleteTicket,
			Doc: doc{Tag: "IT Support", Summary: "Delete a ticket and its comments", Params: []param{idParam}, Status: 200, Data: "Deleted"}},
		{Method: http.MethodGet, Path: "/tickets/:id/comments", Permission: policy.TicketsView, Handle: s.listComments,
			Doc: doc{Tag: "IT Support", Summary: "List a ticket's comments, oldest first", Params: []param{idParam, limitParam, cursorParam}, Status: 200, Data: "TicketComment", List: true}},
		{Method: http.MethodPost, Path: "/tickets/:id/comments", Permission: policy.CommentsCreate, Creates: true, Handle: s.addComment,
			Doc: doc{Tag: "IT Support", Summary: "Comment on a ticket", Params: []param{idParam}, Body: "CreateTicketComment", Status: 201, Data: "TicketComment",
				Example: obj{"body": "Replaced the fuser; please try again.", "internal": false}}},
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

// exampleID stands for an id in request examples: the portal's console
// asks for it (and offers the ids a list call returns).
const exampleID = "00000000-0000-0000-0000-000000000000"

// policyExample is a policy document with the default roles.
func policyExample() obj {
	var roles []obj
	for _, r := range policy.DefaultRoles() {
		roles = append(roles, obj{"name": r.Name, "description": r.Description, "permissions": r.Permissions})
	}
	return obj{"roles": roles}
}

// The worked quote example of the OpenAPI document; a test sends it and
// compares the answer.
var (
	quoteExample = obj{"currency": "EUR", "items": []obj{
		{"description": "Consulting", "quantity": "2.5", "unit_price": "120.00", "discount_percent": "10", "tax_rate": "21"},
		{"description": "Travel", "quantity": "1", "unit_price": "45.99", "tax_rate": "0"},
	}}
	quoteExampleAnswer = obj{"object": "quote", "currency": "EUR", "lines": []obj{
		{"description": "Consulting", "quantity": "2.5", "unit_price": "120.00", "discount_percent": "10", "tax_rate": "21",
			"subtotal": "300.00", "discount": "30.00", "net": "270.00", "tax": "56.70", "total": "326.70"},
		{"description": "Travel", "quantity": "1", "unit_price": "45.99", "discount_percent": "0", "tax_rate": "0",
			"subtotal": "45.99", "discount": "0.00", "net": "45.99", "tax": "0.00", "total": "45.99"},
	}, "subtotal": "345.99", "discount_total": "30.00", "tax_total": "56.70", "grand_total": "372.69"}
)
