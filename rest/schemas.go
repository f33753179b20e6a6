package rest

import (
	"strings"

	"github.com/cienerp/cienerp/ent/schema"
	"github.com/cienerp/cienerp/service"
)

// The component schemas of the OpenAPI document.

func str(desc string) obj { return obj{"type": "string", "description": desc} }

// textMax is a string of at most max characters (the schema's limit).
func textMax(max int, desc string) obj {
	o := obj{"type": "string", "maxLength": max}
	if desc != "" {
		o["description"] = desc
	}
	return o
}

func nullable(typ, format, desc string) obj {
	o := obj{"type": []string{typ, "null"}, "description": desc}
	if format != "" {
		o["format"] = format
	}
	return o
}

func decimalStr(desc string) obj {
	return obj{"type": "string", "pattern": "^-?[0-9]+(\\.[0-9]+)?$", "description": strings.TrimSpace("A decimal string. " + desc)}
}

func enum(desc string, values ...string) obj {
	return obj{"type": "string", "enum": values, "description": desc}
}

func object(required []string, props obj) obj {
	o := obj{"type": "object", "properties": props}
	if len(required) > 0 {
		o["required"] = required
	}
	return o
}

var (
	stringList = obj{"type": "array", "items": obj{"type": "string"}}
	uuidSchema = obj{"type": "string", "format": "uuid"}
	timeSchema = obj{"type": "string", "format": "date-time"}
	envSchema  = enum("The environment the object lives in.", "live", "sandbox")
)

func schemas() obj {
	statuses := []string{"open", "in_progress", "on_hold", "resolved", "closed"}
	priorities := []string{"low", "normal", "high", "urgent"}
	return obj{
		"Error": object([]string{"status", "message", "code"}, obj{
			"status": obj{"const": "error"}, "message": str("What went wrong and what to do."),
			"code":       str("Machine-readable reason, e.g. not_found, forbidden, rate_limited."),
			"request_id": str("Quote it to support."), "permission": str("On 403 for a missing permission: its name."),
			"retry_after": obj{"type": "integer", "description": "On 429: seconds to wait (also in Retry-After)."},
		}),
		"ValidationError": object([]string{"message", "errors"}, obj{
			"message": obj{"const": service.InvalidMessage},
			"errors":  obj{"type": "object", "additionalProperties": obj{"type": "array", "items": obj{"type": "string"}}, "description": "Field name to messages."},
			"code":    obj{"const": "validation_failed"}, "request_id": str("Quote it to support."),
		}),
		"OAuthError": object([]string{"error"}, obj{
			"error":             enum("RFC 6749 error code.", "invalid_request", "invalid_client", "invalid_grant", "unsupported_grant_type"),
			"error_description": str("What went wrong."),
		}),
		"Meta": object([]string{"limit", "has_more"}, obj{
			"limit": obj{"type": "integer"}, "has_more": obj{"type": "boolean"},
			"next_cursor": str("Pass as cursor to get the next page."),
		}),
		"OpenAPI": obj{"type": "object", "description": "An OpenAPI 3.1 document."},
		"Ping": object([]string{"environment"}, obj{
			"object": obj{"const": "ping"}, "environment": envSchema, "time": timeSchema, "version": str("Server version."),
		}),
		"Permission": object([]string{"name", "module", "description"}, obj{
			"name": str("Dotted permission, e.g. it-support.tickets.view."), "module": str("UI module."), "description": str("What it allows."),
		}),
		"TokenRequest": object([]string{"grant_type"}, obj{
			"grant_type":    enum("The grant.", "password", "client_credentials", "refresh_token"),
			"username":      str("password grant: the user's email."),
			"password":      obj{"type": "string", "format": "password", "description": "password grant."},
			"tenant":        str("password grant: bind the token to this tenant (id or slug)."),
			"client_id":     str("client_credentials: the key id (optional)."),
			"client_secret": str("client_credentials: the integration key."),
			"refresh_token": str("refresh_token grant."),
		}),
		"TokenResponse": object([]string{"access_token", "token_type", "expires_in"}, obj{
			"access_token": str("Send as Authorization: Bearer."), "token_type": obj{"const": "Bearer"},
			"expires_in": obj{"type": "integer", "description": "Seconds."}, "refresh_token": str("password and refresh_token grants."),
			"tenant_id": uuidSchema, "environment": envSchema,
		}),
		"Me": object([]string{"subject", "tenant", "environment", "permissions"}, obj{
			"object": obj{"const": "me"}, "subject": str("user:<id> or key:<id>."), "credential": enum("How the caller authenticated.", "api_key", "bearer"),
			"user_id": uuidSchema, "key_id": uuidSchema,
			"tenant":      object(nil, obj{"id": uuidSchema, "slug": obj{"type": "string"}, "rate_limit_per_minute": obj{"type": "integer"}}),
			"environment": envSchema,
			"roles":       obj{"type": "array", "items": obj{"type": "string"}},
			"permissions": obj{"type": "array", "items": obj{"type": "string"}, "description": "Effective catalog permissions."},
		}),
		"IntegrationKey": object([]string{"id", "name", "prefix", "environment", "roles", "status"}, obj{
			"id": uuidSchema, "object": obj{"const": "integration_key"}, "name": obj{"type": "string"},
			"prefix":      str("The first characters, to recognise the key."),
			"secret":      str("Only in the responses of create and roll: store it now, it is never shown again."),
			"environment": envSchema, "roles": obj{"type": "array", "items": obj{"type": "string"}},
			"status":     enum("", "active", "expired", "revoked", "rolled"),
			"created_by": nullable("string", "uuid", "The user who created it."), "created_at": timeSchema,
			"expires_at": nullable("string", "date-time", ""), "revoked_at": nullable("string", "date-time", ""),
			"rolled_at": nullable("string", "date-time", ""), "rolled_from": nullable("string", "uuid", "The key this one replaced."),
			"last_used_at": nullable("string", "date-time", "Updated within a minute of use."),
		}),
		"CreateIntegrationKey": object([]string{"name", "roles"}, obj{
			"name":       obj{"type": "string", "maxLength": schema.MaxKeyName, "examples": []string{"Warehouse sync"}},
			"roles":      obj{"type": "array", "items": obj{"type": "string"}, "minItems": 1, "examples": [][]string{{"it-agent"}}},
			"expires_at": obj{"type": "string", "format": "date-time"},
		}),
		"RollIntegrationKey": object(nil, obj{
			"expires_in_hours": obj{"type": "integer", "minimum": 0, "maximum": 168, "default": 0, "description": "How long the old key keeps working."},
		}),
		"Ticket": object([]string{"id", "number", "title", "status", "priority", "requester_id", "environment"}, obj{
			"id": uuidSchema, "object": obj{"const": "ticket"}, "number": str("IT-000042: per tenant and environment."),
			"title": obj{"type": "string"}, "description": obj{"type": "string"},
			"status": enum("", statuses...), "priority": enum("", priorities...),
			"requester_id": uuidSchema, "assignee_id": nullable("string", "uuid", ""), "created_by": str("user:<id> or key:<id>."),
			"environment": envSchema, "created_at": timeSchema, "updated_at": timeSchema,
			"resolved_at": nullable("string", "date-time", ""), "closed_at": nullable("string", "date-time", ""),
		}),
		"CreateTicket": object([]string{"title"}, obj{
			"title":           obj{"type": "string", "maxLength": schema.MaxTitle, "examples": []string{"Printer on floor 2 jams"}},
			"description":     obj{"type": "string", "maxLength": schema.MaxDescription},
			"priority":        obj{"type": "string", "enum": priorities, "default": "normal"},
			"requester_id":    obj{"type": "string", "format": "uuid", "description": "A member's user id (GET /admin/members lists them); defaults to the calling user. A key gives this or requester_email."},
			"requester_email": obj{"type": "string", "format": "email", "maxLength": schema.MaxEmail, "description": "A member's email, instead of requester_id."},
			"assignee_id":     obj{"type": "string", "format": "uuid", "description": "A member of the tenant."},
		}),
		"UpdateTicket": object(nil, obj{
			"title": obj{"type": "string", "maxLength": schema.MaxTitle}, "description": obj{"type": "string", "maxLength": schema.MaxDescription},
			"priority": obj{"type": "string", "enum": priorities}, "status": obj{"type": "string", "enum": statuses},
			"requester_id": obj{"type": "string", "format": "uuid"},
			"assignee_id":  nullable("string", "uuid", "null unassigns."),
		}),
		"TicketComment": object([]string{"id", "ticket_id", "body", "author"}, obj{
			"id": uuidSchema, "object": obj{"const": "ticket_comment"}, "ticket_id": uuidSchema, "body": obj{"type": "string"},
			"internal": obj{"type": "boolean"}, "author": str("user:<id> or key:<id>."), "created_at": timeSchema,
		}),
		"CreateTicketComment": object([]string{"body"}, obj{
			"body": obj{"type": "string", "maxLength": schema.MaxDescription}, "internal": obj{"type": "boolean", "default": false, "description": "Visible to agents only."},
		}),
		"Role": object([]string{"name", "permissions", "builtin"}, obj{
			"name": obj{"type": "string"}, "description": obj{"type": "string"}, "builtin": obj{"type": "boolean"},
			"permissions": stringList, "holders": obj{"type": "integer", "description": "Members and keys holding it."},
		}),
		"CreateRole": object([]string{"name", "permissions"}, obj{
			"name": obj{"type": "string", "pattern": "^[a-z0-9][a-z0-9-]{0,62}$", "maxLength": schema.MaxSlug, "examples": []string{"help-desk"}}, "description": textMax(schema.MaxRoleDesc, ""),
			"permissions": obj{"type": "array", "items": obj{"type": "string"}, "examples": [][]string{{"it-support.*", "documents.view"}}},
		}),
		"UpdateRole": object(nil, obj{
			"name": obj{"type": "string", "pattern": "^[a-z0-9][a-z0-9-]{0,62}$", "maxLength": schema.MaxSlug}, "description": textMax(schema.MaxRoleDesc, ""), "permissions": stringList,
		}),
		"DeletedRole":   object([]string{"name", "deleted"}, obj{"name": obj{"type": "string"}, "object": obj{"type": "string"}, "deleted": obj{"const": true}}),
		"DeletedMember": object([]string{"user_id", "deleted"}, obj{"user_id": uuidSchema, "object": obj{"type": "string"}, "deleted": obj{"const": true}}),
		"Member": object([]string{"user_id", "email", "roles"}, obj{
			"user_id": uuidSchema, "email": obj{"type": "string"}, "name": obj{"type": "string"}, "status": enum("", "active", "disabled"),
			"roles": stringList, "joined_at": timeSchema,
			"password":  str("Only when the invite created the login and no password was given: the generated password, shown once."),
			"new_login": obj{"type": "boolean"},
		}),
		"InviteMember": object([]string{"email", "roles"}, obj{
			"email": obj{"type": "string", "format": "email", "maxLength": schema.MaxEmail}, "name": textMax(schema.MaxName, ""),
			"password": obj{"type": "string", "format": "password", "description": "For a new login only; generated when left out."},
			"roles":    stringList,
		}),
		"SetRoles": object([]string{"roles"}, obj{"roles": stringList}),
		"AddRole":  object([]string{"role"}, obj{"role": obj{"type": "string"}}),
		"Explanation": object([]string{"subject", "permission", "allowed", "roles", "reason"}, obj{
			"subject": obj{"type": "string"}, "permission": obj{"type": "string"}, "allowed": obj{"type": "boolean"},
			"role": str("The role whose rule decided (when allowed)."), "rule": str("The pattern that matched, e.g. documents.*."),
			"roles": stringList, "reason": str("The decision in a sentence."),
		}),
		"PolicyDocument": object([]string{"roles"}, obj{
			"roles": obj{"type": "array", "items": object([]string{"name", "permissions"}, obj{
				"name": obj{"type": "string"}, "description": obj{"type": "string"}, "permissions": stringList})},
			"members":          obj{"type": "array", "items": ref("PolicyAssignment")},
			"integration_keys": obj{"type": "array", "items": ref("PolicyAssignment")},
		}),
		"PolicyAssignment": object([]string{"id", "roles"}, obj{"id": uuidSchema, "label": str("Email or key name; ignored on import."), "roles": stringList}),
		"PolicyImport": object([]string{"dry_run", "changes"}, obj{
			"object": obj{"const": "policy_import"}, "dry_run": obj{"type": "boolean"},
			"changes": object(nil, obj{
				"roles_created": stringList, "roles_deleted": stringList,
				"roles_changed":       obj{"type": "array", "items": object(nil, obj{"name": obj{"type": "string"}, "permissions_added": stringList, "permissions_removed": stringList, "description": obj{"type": "string"}})},
				"assignments_added":   obj{"type": "array", "items": object(nil, obj{"subject": obj{"type": "string"}, "role": obj{"type": "string"}})},
				"assignments_removed": obj{"type": "array", "items": object(nil, obj{"subject": obj{"type": "string"}, "role": obj{"type": "string"}})},
			}),
		}),
		"AuditEvent": object([]string{"id", "actor", "action", "entity_type", "entity_id", "created_at"}, obj{
			"id": uuidSchema, "object": obj{"const": "audit_event"}, "environment": envSchema,
			"actor": str("user:<id>, key:<id> or cli."), "credential": str("How the actor authenticated."),
			"request_id": obj{"type": "string"}, "action": obj{"type": "string"}, "entity_type": obj{"type": "string"}, "entity_id": obj{"type": "string"},
			"before":     obj{"type": []string{"object", "null"}, "description": "The changed fields before."},
			"after":      obj{"type": []string{"object", "null"}, "description": "The changed fields after."},
			"created_at": timeSchema,
		}),
		"Document": object([]string{"id", "title", "filename", "content_type", "size", "sha256", "status"}, obj{
			"id": uuidSchema, "object": obj{"const": "document"}, "title": obj{"type": "string"}, "filename": obj{"type": "string"},
			"content_type": str("Sniffed from the bytes."), "size": obj{"type": "integer"}, "sha256": str("Hex SHA-256 of the bytes."),
			"category": obj{"type": "string"}, "tags": stringList, "status": enum("", "pending", "verified", "rejected"),
			"uploaded_by": str("user:<id> or key:<id>."), "reviewed_by": nullable("string", "", "Who verified or rejected it."),
			"reviewed_at": nullable("string", "date-time", ""), "review_note": str("The verify note or the reject reason."),
			"environment": envSchema, "created_at": timeSchema, "updated_at": timeSchema,
		}),
		"UploadDocument": object([]string{"file"}, obj{
			"file":  obj{"type": "string", "contentMediaType": "application/octet-stream", "description": "The bytes."},
			"title": textMax(schema.MaxTitle, "Defaults to the file name."), "category": textMax(schema.MaxCategory, ""),
			"tags": obj{"type": "array", "maxItems": schema.MaxTags, "items": obj{"type": "string", "minLength": 1, "maxLength": schema.MaxTag}, "description": "Repeat the field or separate with commas."},
		}),
		"UpdateDocument": object(nil, obj{"title": textMax(schema.MaxTitle, ""), "category": textMax(schema.MaxCategory, ""),
			"tags": obj{"type": "array", "maxItems": schema.MaxTags, "items": obj{"type": "string", "minLength": 1, "maxLength": schema.MaxTag}}}),
		"VerifyDocument": object(nil, obj{"note": textMax(schema.MaxReviewNote, "")}),
		"RejectDocument": object([]string{"reason"}, obj{"reason": textMax(schema.MaxReviewNote, "")}),
		"QuoteRequest": object([]string{"currency", "items"}, obj{
			"currency": str("ISO 4217 code, e.g. EUR, JPY, KWD."),
			"items":    obj{"type": "array", "minItems": 1, "maxItems": 500, "items": ref("Item")},
		}),
		"Item": object([]string{"description", "quantity", "unit_price"}, obj{
			"description": obj{"type": "string", "maxLength": 500}, "quantity": decimalStr("Up to 4 decimals, greater than 0."),
			"unit_price":       decimalStr("At most the currency's decimals (2 for EUR, 0 for JPY, 3 for KWD)."),
			"discount_percent": decimalStr("0 to 100, default 0."), "tax_rate": decimalStr("Percent, 0 to 100, default 0."),
		}),
		"Line": object(nil, obj{
			"description": obj{"type": "string"}, "quantity": obj{"type": "string"}, "unit_price": obj{"type": "string"},
			"discount_percent": obj{"type": "string"}, "tax_rate": obj{"type": "string"}, "subtotal": obj{"type": "string"},
			"discount": obj{"type": "string"}, "net": obj{"type": "string"}, "tax": obj{"type": "string"}, "total": obj{"type": "string"},
		}),
		"Quote": object([]string{"currency", "lines", "grand_total"}, obj{
			"object": obj{"const": "quote"}, "currency": obj{"type": "string"}, "lines": obj{"type": "array", "items": ref("Line")},
			"subtotal": obj{"type": "string"}, "discount_total": obj{"type": "string"}, "tax_total": obj{"type": "string"}, "grand_total": obj{"type": "string"},
		}),
		"Customer": object([]string{"id", "name"}, obj{
			"id": uuidSchema, "object": obj{"const": "customer"}, "name": obj{"type": "string"}, "email": obj{"type": "string"},
			"phone": obj{"type": "string"}, "tax_id": obj{"type": "string"}, "address": obj{"type": "string"},
			"currency": obj{"type": "string"}, "notes": obj{"type": "string"}, "environment": envSchema, "created_at": timeSchema, "updated_at": timeSchema,
		}),
		"CustomerInput": object(nil, obj{
			"name": textMax(schema.MaxName, "Required on create."), "email": obj{"type": "string", "format": "email", "maxLength": schema.MaxEmail},
			"phone": textMax(schema.MaxPhone, ""), "tax_id": textMax(schema.MaxTaxID, ""), "address": textMax(schema.MaxAddress, ""),
			"currency": textMax(schema.MaxCurrency, "Default currency of the customer's invoices."), "notes": textMax(schema.MaxNotes, ""),
		}),
		"Invoice": object([]string{"id", "status", "currency", "total", "balance"}, obj{
			"id": uuidSchema, "object": obj{"const": "invoice"}, "number": nullable("string", "", "INV-2026-000017 once issued."),
			"status":      enum("", "draft", "issued", "partially_paid", "paid", "void"),
			"customer_id": nullable("string", "uuid", ""), "currency": obj{"type": "string"}, "lines": obj{"type": "array", "items": ref("Line")},
			"subtotal": obj{"type": "string"}, "discount_total": obj{"type": "string"}, "tax_total": obj{"type": "string"},
			"total": obj{"type": "string"}, "amount_paid": obj{"type": "string"}, "balance": obj{"type": "string"},
			"issue_date": nullable("string", "date", ""), "due_date": nullable("string", "date", ""), "notes": obj{"type": "string"},
			"voided_at": nullable("string", "date-time", ""), "environment": envSchema, "created_at": timeSchema, "updated_at": timeSchema,
		}),
		"InvoiceInput": object(nil, obj{
			"customer_id": nullable("string", "uuid", ""), "currency": str("Defaults to the customer's currency."),
			"items": obj{"type": "array", "items": ref("Item")}, "due_date": nullable("string", "date", "YYYY-MM-DD."), "notes": textMax(schema.MaxNotes, ""),
		}),
		"Payment": object([]string{"id", "invoice_id", "amount", "currency", "method"}, obj{
			"id": uuidSchema, "object": obj{"const": "payment"}, "invoice_id": uuidSchema, "currency": obj{"type": "string"},
			"amount": obj{"type": "string"}, "amount_refunded": obj{"type": "string"}, "status": enum("", "succeeded", "partially_refunded", "refunded"),
			"method": enum("", "cash", "card", "bank_transfer", "other"), "reference": obj{"type": "string"},
			"sale_id": nullable("string", "uuid", ""), "created_by": obj{"type": "string"}, "environment": envSchema, "created_at": timeSchema,
		}),
		"PaymentInput": object([]string{"invoice_id", "amount", "currency", "method"}, obj{
			"invoice_id": uuidSchema, "amount": decimalStr("More than 0, at most the balance."), "currency": str("The invoice's currency."),
			"method": enum("", "cash", "card", "bank_transfer", "other"), "reference": textMax(schema.MaxReference, ""),
		}),
		"RefundInput": object(nil, obj{"amount": decimalStr("Default: all that is left."), "reason": obj{"type": "string"}}),
		"PosSession": object([]string{"id", "register", "status"}, obj{
			"id": uuidSchema, "object": obj{"const": "pos_session"}, "register": obj{"type": "string"}, "currency": obj{"type": "string"},
			"status": enum("", "open", "closed"), "opening_float": obj{"type": "string"}, "cash_sales": obj{"type": "string"},
			"expected_cash": obj{"type": "string"}, "counted_cash": nullable("string", "", ""), "over_short": nullable("string", "", "Counted minus expected."),
			"opened_by": obj{"type": "string"}, "closed_by": nullable("string", "", ""), "opened_at": timeSchema, "closed_at": nullable("string", "date-time", ""),
		}),
		"OpenSession":  object([]string{"register", "currency", "opening_float"}, obj{"register": textMax(schema.MaxRegister, ""), "currency": textMax(schema.MaxCurrency, ""), "opening_float": decimalStr("")}),
		"CloseSession": object([]string{"counted_cash"}, obj{"counted_cash": decimalStr("")}),
		"PosSale": object([]string{"id", "receipt_number", "total", "change"}, obj{
			"id": uuidSchema, "object": obj{"const": "pos_sale"}, "receipt_number": obj{"type": "string"}, "session_id": uuidSchema,
			"invoice_id": uuidSchema, "currency": obj{"type": "string"}, "lines": obj{"type": "array", "items": ref("Line")},
			"subtotal": obj{"type": "string"}, "discount_total": obj{"type": "string"}, "tax_total": obj{"type": "string"}, "total": obj{"type": "string"},
			"tenders": obj{"type": "array", "items": object(nil, obj{"method": obj{"type": "string"}, "amount": obj{"type": "string"}})},
			"change":  obj{"type": "string"}, "payments": obj{"type": "array", "items": ref("Payment")}, "created_at": timeSchema,
		}),
		"SaleInput": object([]string{"session_id", "items", "tenders"}, obj{
			"session_id": uuidSchema, "customer_id": uuidSchema, "items": obj{"type": "array", "items": ref("Item")},
			"tenders": obj{"type": "array", "items": object([]string{"method", "amount"}, obj{"method": enum("", "cash", "card", "other"), "amount": decimalStr("")})},
		}),
		"GraphQLRequest": object([]string{"query"}, obj{
			"query":     obj{"type": "string", "examples": []string{"{ tickets(first: 20) { totalCount edges { node { id title status } } } }"}},
			"variables": obj{"type": "object"}, "operationName": obj{"type": "string"},
		}),
		"IntrospectionResult": object([]string{"data"}, obj{"data": obj{"type": "object", "description": "{__schema: …}"}}),
		"GraphQLResponse":     object(nil, obj{"data": obj{"type": []string{"object", "null"}}, "errors": obj{"type": "array", "items": obj{"type": "object"}}, "extensions": obj{"type": "object"}}),
		"Deleted":             object([]string{"id", "deleted"}, obj{"id": uuidSchema, "object": obj{"type": "string"}, "deleted": obj{"const": true}}),
	}
}
