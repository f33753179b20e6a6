package rest

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/cienerp/cienerp/service"
)

type obj = map[string]any

var ginParam = regexp.MustCompile(`:([A-Za-z_]+)`)

// OpenAPIPath turns a gin path into an OpenAPI path: /tickets/:id -> /tickets/{id}.
func OpenAPIPath(p string) string { return ginParam.ReplaceAllString(p, "{$1}") }

// buildOpenAPI renders the OpenAPI 3.1 document from the route table.
// Paths are relative to the servers (live /api, sandbox /api/sandbox and
// their /v1 aliases).
func (s *Server) buildOpenAPI() ([]byte, error) {
	paths := obj{}
	for _, rt := range s.routes() {
		p := OpenAPIPath(rt.Path)
		item, _ := paths[p].(obj)
		if item == nil {
			item = obj{}
			paths[p] = item
		}
		item[strings.ToLower(rt.Method)] = operation(rt)
		if rt.AtPublic {
			item["servers"] = append([]obj{{"url": PublicPrefix, "description": "public tools"}}, servers()...)
		}
	}
	doc := obj{
		"openapi": "3.1.0",
		"info": obj{
			"title":   "Cien ERP API",
			"version": s.cfg.Version,
			"description": "One API for many tenants. Live data is under /api, sandbox data under /api/sandbox; " +
				"every route is also served under /v1. Authenticate with an integration key (X-API-Key) or a bearer token " +
				"from /auth/token. Success responses are {\"status\":\"success\",\"data\":…}; validation errors are 422 " +
				"{\"message\":\"The given data was invalid.\",\"errors\":{field:[messages]}}.",
		},
		"servers": servers(),
		"tags": []obj{
			{"name": "System", "description": "Health, the permission catalog and this document."},
			{"name": "Auth", "description": "Tokens and the caller."},
			{"name": "Settings", "description": "Integration keys (Settings → Integration Keys)."},
			{"name": "Admin", "description": "Roles, members, policy as data, the explain endpoint and the audit trail."},
			{"name": "Documents", "description": "Uploads kept in document storage, with a verification workflow."},
			{"name": "Finance & POS", "description": "Customers, invoices, payments, register sessions and sales; the public quote calculator. Amounts are exact decimal strings in the object's currency."},
			{"name": "IT Support", "description": "Tickets and their comments."},
			{"name": "GraphQL", "description": "The same data and rules as a GraphQL schema."},
		},
		"paths": paths,
		"components": obj{
			"schemas": schemas(),
			"securitySchemes": obj{
				"ApiKeyAuth": obj{"type": "apiKey", "in": "header", "name": "X-API-Key",
					"description": "An integration key: cien_test_… for sandbox, cien_live_… for live."},
				"BearerAuth": obj{"type": "http", "scheme": "bearer", "bearerFormat": "JWT",
					"description": "A token from POST /auth/token."},
			},
			"responses": errorResponses(),
		},
	}
	return json.MarshalIndent(doc, "", "  ")
}

func servers() []obj {
	out := []obj{}
	for _, b := range Bases {
		out = append(out, obj{"url": b.Prefix, "description": string(b.Env) + map[bool]string{true: " (v1 alias)", false: ""}[strings.HasSuffix(b.Prefix, "/v1")]})
	}
	return out
}

func operation(rt route) obj {
	d := rt.Doc
	op := obj{
		"tags":        []string{d.Tag},
		"summary":     d.Summary,
		"operationId": operationID(rt),
	}
	desc := d.Description
	if rt.Permission != "" {
		desc = strings.TrimSpace(desc + "\n\nRequires the permission `" + rt.Permission + "`.")
		op["x-permission"] = rt.Permission
	}
	if desc != "" {
		op["description"] = desc
	}
	params := []obj{}
	for _, p := range d.Params {
		params = append(params, obj{"name": p.Name, "in": p.In, "description": p.Description, "required": p.In == "path", "schema": p.Schema})
	}
	if !rt.Public {
		params = append(params, obj{"name": "X-Tenant-ID", "in": "header", "required": false, "schema": strSchema(""),
			"description": "Tenant id or slug: selects the tenant for a user in several; must match a tenant-bound credential."})
	}
	if rt.Creates {
		params = append(params, obj{"name": "Idempotency-Key", "in": "header", "required": false, "schema": obj{"type": "string", "maxLength": 255},
			"description": "Replays the first response for 24 hours; reuse with another body is 422, while the first runs 409."})
	}
	if len(params) > 0 {
		op["parameters"] = params
	}
	if d.Body != "" {
		content := obj{"application/json": obj{"schema": ref(d.Body)}}
		if rt.MaxBody < 0 {
			content = obj{"multipart/form-data": obj{"schema": ref(d.Body), "encoding": obj{"file": obj{"contentType": "application/octet-stream"}}}}
		}
		if rt.Path == tokenPath {
			content["application/x-www-form-urlencoded"] = obj{"schema": ref(d.Body)}
		}
		if d.Example != nil {
			for _, media := range content {
				media.(obj)["example"] = d.Example
			}
		}
		op["requestBody"] = obj{"required": rt.Path == tokenPath || d.Example != nil, "content": content}
	}
	responses := obj{strconv.Itoa(d.Status): successResponse(d)}
	if rt.Public {
		op["security"] = []obj{} // public: no credentials
	}
	switch {
	case rt.Path == tokenPath:
		responses["400"] = obj{"description": "RFC 6749 error (invalid_request, invalid_grant, unsupported_grant_type).", "content": jsonContent(ref("OAuthError"))}
		responses["401"] = obj{"description": "invalid_client: the integration key is not valid.", "content": jsonContent(ref("OAuthError"))}
		responses["429"] = refResponse("TooManyRequests")
	case rt.Public:
		responses["429"] = refResponse("TooManyRequests")
	default:
		op["security"] = []obj{{"ApiKeyAuth": []string{}}, {"BearerAuth": []string{}}}
		responses["401"] = refResponse("Unauthenticated")
		responses["403"] = refResponse("Forbidden")
		responses["429"] = refResponse("TooManyRequests")
	}
	if strings.Contains(rt.Path, "/:") {
		responses["404"] = refResponse("NotFound")
	}
	if !rt.Public {
		responses["503"] = refResponse("Unavailable")
	}
	if d.Body != "" && rt.Path != tokenPath {
		responses["400"] = refResponse("MalformedJSON")
		responses["413"] = refResponse("TooLarge")
		responses["415"] = refResponse("UnsupportedMediaType")
	}
	if (d.Body != "" || len(d.Params) > 1) && rt.Path != tokenPath {
		responses["422"] = refResponse("ValidationFailed")
	}
	if rt.MaxBody < 0 {
		responses["413"] = refResponse("FileTooLarge")
		responses["415"] = refResponse("UnsupportedFileType")
		responses["503"] = refResponse("StorageUnavailable")
	}
	if strings.HasPrefix(rt.Path, "/documents") && rt.Method != http.MethodGet {
		responses["503"] = refResponse("StorageUnavailable")
	}
	if rt.Creates {
		responses["409"] = refResponse("Conflict")
		responses["422"] = refResponse("ValidationFailed")
	}
	op["responses"] = responses
	return op
}

func operationID(rt route) string {
	id := strings.ToLower(rt.Method)
	for _, part := range strings.Split(strings.Trim(rt.Path, "/"), "/") {
		part = strings.TrimPrefix(part, ":")
		for _, w := range strings.FieldsFunc(part, func(r rune) bool { return r == '-' || r == '_' || r == '.' }) {
			id += strings.ToUpper(w[:1]) + w[1:]
		}
	}
	return id
}

func successResponse(d doc) obj {
	desc := http.StatusText(d.Status)
	headers := obj{
		"X-Request-ID":          obj{"schema": strSchema(""), "description": "Identifies the request in logs and support."},
		"X-RateLimit-Limit":     obj{"schema": obj{"type": "integer"}, "description": "Requests allowed per minute (public routes: per client address)."},
		"X-RateLimit-Remaining": obj{"schema": obj{"type": "integer"}},
		"X-RateLimit-Reset":     obj{"schema": obj{"type": "integer"}, "description": "Unix time when the budget is full again."},
	}
	if d.Raw == "SDL" {
		return obj{"description": desc, "content": obj{"text/plain": obj{"schema": obj{"type": "string"}}}}
	}
	if d.Raw == "Binary" {
		headers["ETag"] = obj{"schema": strSchema(""), "description": "The document's SHA-256 in quotes."}
		headers["Content-Disposition"] = obj{"schema": strSchema(""), "description": "attachment; filename=…"}
		return obj{"description": desc + " (also 206 for Range requests, 302 with redirect=1)", "headers": headers,
			"content": obj{"application/octet-stream": obj{"schema": obj{"type": "string", "contentMediaType": "application/octet-stream"}}}}
	}
	if d.Raw != "" {
		return obj{"description": desc, "headers": headers, "content": jsonContent(ref(d.Raw))}
	}
	data := ref(d.Data)
	props := obj{"status": obj{"const": "success"}, "data": data}
	var example any
	if d.ExampleData != nil {
		example = obj{"status": "success", "data": d.ExampleData}
	}
	required := []string{"status", "data"}
	if d.List {
		props["data"] = obj{"type": "array", "items": data}
		props["meta"] = ref("Meta")
		required = append(required, "meta")
	}
	content := jsonContent(obj{"type": "object", "properties": props, "required": required})
	if example != nil {
		content["application/json"].(obj)["example"] = example
	}
	return obj{"description": desc, "headers": headers, "content": content}
}

func ref(name string) obj { return obj{"$ref": "#/components/schemas/" + name} }

func refResponse(name string) obj { return obj{"$ref": "#/components/responses/" + name} }

func jsonContent(schema obj) obj { return obj{"application/json": obj{"schema": schema}} }

func errorResponses() obj {
	e := func(desc, code, msg string, extra ...any) obj {
		ex := obj{"status": "error", "message": msg, "code": code, "request_id": "req_5f2b9c0d1e3a4b6c7d8e9f01"}
		for i := 0; i+1 < len(extra); i += 2 {
			ex[extra[i].(string)] = extra[i+1]
		}
		return obj{"description": desc, "content": obj{"application/json": obj{"schema": ref("Error"), "example": ex}}}
	}
	return obj{
		"Unauthenticated":      e("No or invalid credentials.", "unauthenticated", "Authentication required: send an integration key in X-API-Key or a token in Authorization: Bearer."),
		"Forbidden":            e("Missing permission, wrong environment, revoked, expired or rolled key, or another tenant.", "forbidden", "This credential lacks the permission it-support.tickets.create.", "permission", "it-support.tickets.create"),
		"NotFound":             e("No such object in this tenant and environment.", "not_found", "No such ticket."),
		"TooManyRequests":      e("Rate limited; see Retry-After.", "rate_limited", "Too many requests: the limit is 600 per minute; retry in 2 seconds.", "retry_after", 2),
		"Conflict":             e("A request with this Idempotency-Key is still running.", "idempotency_in_progress", "A request with this Idempotency-Key is still being processed; retry later."),
		"MalformedJSON":        e("The body is not valid JSON.", "malformed_json", "The request body is not valid JSON."),
		"TooLarge":             e("The body is larger than 1 MiB.", "body_too_large", "The request body is larger than 1048576 bytes."),
		"UnsupportedMediaType": e("The body is not application/json.", "unsupported_media_type", "Send the body as application/json."),
		"FileTooLarge":         e("The file is larger than the configured limit (named in the message and in max_bytes).", "file_too_large", "The file is larger than the limit of 100 MiB."),
		"UnsupportedFileType":  e("The sniffed type is not allowed (allowed_types lists those that are).", "unsupported_file_type", "Files of type application/x-msdownload are not accepted; allowed: application/pdf, image/png."),
		"StorageUnavailable":   e("Document storage did not answer; nothing was changed.", "storage_unavailable", "Document storage is unavailable right now; nothing was changed. Retry in a moment."),
		"Unavailable":          e("The database did not answer; see Retry-After.", "unavailable", "The database is not answering right now. Retry in a moment (with the same Idempotency-Key, a create runs at most once)."),
		"ValidationFailed": obj{"description": "The given data was invalid.", "content": obj{"application/json": obj{
			"schema":  ref("ValidationError"),
			"example": obj{"message": service.InvalidMessage, "errors": obj{"title": []string{"Title is required."}}, "code": "validation_failed", "request_id": "req_5f2b9c0d1e3a4b6c7d8e9f01"},
		}}},
	}
}
