// Package openapi builds the OpenAPI 3.1 document from the routes the
// edge serves, each described next to its handler by a Doc.
package openapi

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/cienerp/cienerp/modules/itsupport"
	"github.com/cienerp/cienerp/service"
)

// Doc describes a route for the document.
type Doc struct {
	Tag         string
	Summary     string
	Description string
	Params      []Param
	Body        string // component schema of the JSON body
	Form        bool   // the body may also be form-urlencoded and answers RFC 6749 errors (the token endpoint)
	Multipart   bool   // the body is a multipart/form-data upload (file limits and types apply)
	Storage     bool   // writes may answer storage_unavailable
	Status      int    // success status
	Data        string // component schema of "data" in the envelope
	List        bool   // data is an array of Data, with meta
	Raw         string // component schema of a response without the envelope; "SDL", "Binary" and "EventStream" are not JSON
	// ChangesNothing marks a POST that only computes an answer from its
	// body (a preview, a simulation): x-changes-nothing in the document.
	ChangesNothing bool
	Example        any // a request body example
	ExampleData    any // the "data" the example request answers (checked by a test)
}

// Param is a path or query parameter.
type Param struct {
	Name, In, Description string
	Schema                map[string]any
}

// Operation is one route with what the edge does around it.
type Operation struct {
	Method, Path string // gin syntax below the base: /tickets/:id
	Permission   string
	Public       bool // no credentials
	Creates      bool // honours Idempotency-Key
	Conditional  bool // honours If-Match
	AtPublic     bool // also served under the public prefix
	Doc          Doc
}

// Server is a base URL of the document.
type Server struct{ URL, Description string }

// Document describes the API.
type Document struct {
	Version string
	Servers []Server
	// Public is the server of the public tools (operations with AtPublic).
	Public     Server
	Tags       []Obj
	Operations []Operation
	Schemas    Obj
	// Webhooks are the requests sent to receivers, by name (OpenAPI 3.1).
	Webhooks Obj
}

var ginParam = regexp.MustCompile(`:([A-Za-z_]+)`)

// Path turns a gin path into an OpenAPI path: /tickets/:id -> /tickets/{id}.
func Path(p string) string { return ginParam.ReplaceAllString(p, "{$1}") }

// JSON renders the OpenAPI 3.1 document. Paths are relative to the servers.
func (d Document) JSON() ([]byte, error) {
	servers := []Obj{}
	for _, s := range d.Servers {
		servers = append(servers, Obj{"url": s.URL, "description": s.Description})
	}
	paths := Obj{}
	for _, rt := range d.Operations {
		p := Path(rt.Path)
		item, _ := paths[p].(Obj)
		if item == nil {
			item = Obj{}
			paths[p] = item
		}
		item[strings.ToLower(rt.Method)] = operation(rt)
		if rt.AtPublic {
			item["servers"] = append([]Obj{{"url": d.Public.URL, "description": d.Public.Description}}, servers...)
		}
	}
	schemas := commonSchemas()
	for k, v := range d.Schemas {
		schemas[k] = v
	}
	doc := Obj{
		"openapi": "3.1.0",
		"info": Obj{
			"title":   "Cien ERP API",
			"version": d.Version,
			"description": "One API for many tenants. Live data is under /api, sandbox data under /api/sandbox; " +
				"every route is also served under /v1. Authenticate with an integration key (X-API-Key) or a bearer token " +
				"from /auth/token. Success responses are {\"status\":\"success\",\"data\":…}; validation errors are 422 " +
				"{\"message\":\"The given data was invalid.\",\"errors\":{field:[messages]}}.",
		},
		"servers":  servers,
		"tags":     d.Tags,
		"paths":    paths,
		"webhooks": d.Webhooks,
		"components": Obj{
			"schemas": schemas,
			"securitySchemes": Obj{
				"ApiKeyAuth": Obj{"type": "apiKey", "in": "header", "name": "X-API-Key",
					"description": "An integration key: cien_test_… for sandbox, cien_live_… for live."},
				"BearerAuth": Obj{"type": "http", "scheme": "bearer", "bearerFormat": "JWT",
					"description": "A token from POST /auth/token."},
			},
			"responses": errorResponses(),
		},
	}
	return json.MarshalIndent(doc, "", "  ")
}

func operation(rt Operation) Obj {
	d := rt.Doc
	op := Obj{
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
	if d.ChangesNothing {
		op["x-changes-nothing"] = true
	}
	params := []Obj{}
	for _, p := range d.Params {
		param := Obj{"name": p.Name, "in": p.In, "description": p.Description, "required": p.In == "path", "schema": p.Schema}
		if p.In == "query" && p.Schema["type"] == "object" { // metadata[key]=value
			param["style"], param["explode"] = "deepObject", true
		}
		params = append(params, param)
	}
	if !rt.Public {
		params = append(params, Obj{"name": "X-Tenant-ID", "in": "header", "required": false, "schema": StrSchema(""),
			"description": "Tenant id or slug: selects the tenant for a user in several; must match a tenant-bound credential."})
	}
	if rt.Creates {
		params = append(params, Obj{"name": "Idempotency-Key", "in": "header", "required": false, "schema": Obj{"type": "string", "maxLength": 255},
			"description": "Replays the first response for 24 hours; reuse with another body is 422, while the first runs 409."})
	}
	etagged := !rt.Public && rt.Method == http.MethodGet && d.Raw == "" && d.Data != ""
	if etagged {
		params = append(params, Obj{"name": "If-None-Match", "in": "header", "required": false, "schema": StrSchema(""),
			"description": "The ETag of an earlier answer: 304 with no body while it is unchanged. A 304 costs no rate-limit budget."})
	}
	if rt.Conditional {
		params = append(params, Obj{"name": "If-Match", "in": "header", "required": false, "schema": StrSchema(""),
			"description": "The ETag of the object's GET (without fields or expand): the change applies only while the object is unchanged, otherwise 412 with the current ETag. Prevents lost updates."})
	}
	if len(params) > 0 {
		op["parameters"] = params
	}
	if d.Body != "" {
		content := Obj{"application/json": Obj{"schema": Ref(d.Body)}}
		if d.Multipart {
			content = Obj{"multipart/form-data": Obj{"schema": Ref(d.Body), "encoding": Obj{"file": Obj{"contentType": "application/octet-stream"}}}}
		}
		if d.Form {
			content["application/x-www-form-urlencoded"] = Obj{"schema": Ref(d.Body)}
		}
		if d.Example != nil {
			for _, media := range content {
				media.(Obj)["example"] = d.Example
			}
		}
		op["requestBody"] = Obj{"required": d.Form || d.Example != nil, "content": content}
	}
	responses := Obj{strconv.Itoa(d.Status): successResponse(d)}
	if etagged {
		responses[strconv.Itoa(d.Status)].(Obj)["headers"].(Obj)["ETag"] = Obj{"schema": StrSchema(""), "description": "A weak entity tag of this representation; send it in If-None-Match (and an object's in If-Match)."}
		responses["304"] = Obj{"description": "Not modified: the representation still has the ETag of If-None-Match. No body; not charged to the rate limit."}
	}
	if rt.Conditional {
		responses["400"] = refResponse("BadPrecondition")
		responses["412"] = refResponse("PreconditionFailed")
	}
	if rt.Public {
		op["security"] = []Obj{} // public: no credentials
	}
	switch {
	case d.Form:
		responses["400"] = Obj{"description": "RFC 6749 error (invalid_request, invalid_grant, unsupported_grant_type).", "content": jsonContent(Ref("OAuthError"))}
		responses["401"] = Obj{"description": "invalid_client: the integration key is not valid.", "content": jsonContent(Ref("OAuthError"))}
		responses["429"] = refResponse("TooManyRequests")
	case rt.Public:
		responses["429"] = refResponse("TooManyRequests")
	default:
		op["security"] = []Obj{{"ApiKeyAuth": []string{}}, {"BearerAuth": []string{}}}
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
	if d.Body != "" && !d.Form {
		responses["400"] = refResponse("MalformedJSON")
		responses["413"] = refResponse("TooLarge")
		responses["415"] = refResponse("UnsupportedMediaType")
	}
	if (d.Body != "" || len(d.Params) > 1) && !d.Form {
		responses["422"] = refResponse("ValidationFailed")
	}
	if d.Multipart {
		responses["413"] = refResponse("FileTooLarge")
		responses["415"] = refResponse("UnsupportedFileType")
		responses["503"] = refResponse("StorageUnavailable")
	}
	if d.Storage && rt.Method != http.MethodGet {
		responses["503"] = refResponse("StorageUnavailable")
	}
	if rt.Creates {
		responses["409"] = refResponse("Conflict")
		responses["422"] = refResponse("ValidationFailed")
	}
	op["responses"] = responses
	return op
}

func operationID(rt Operation) string {
	id := strings.ToLower(rt.Method)
	for _, part := range strings.Split(strings.Trim(rt.Path, "/"), "/") {
		part = strings.TrimPrefix(part, ":")
		for _, w := range strings.FieldsFunc(part, func(r rune) bool { return r == '-' || r == '_' || r == '.' }) {
			id += strings.ToUpper(w[:1]) + w[1:]
		}
	}
	return id
}

func successResponse(d Doc) Obj {
	desc := http.StatusText(d.Status)
	headers := Obj{
		"X-Request-ID":          Obj{"schema": StrSchema(""), "description": "Identifies the request in logs and support."},
		"X-RateLimit-Limit":     Obj{"schema": Obj{"type": "integer"}, "description": "Requests allowed per minute (public routes: per client address)."},
		"X-RateLimit-Remaining": Obj{"schema": Obj{"type": "integer"}},
		"X-RateLimit-Reset":     Obj{"schema": Obj{"type": "integer"}, "description": "Unix time when the budget is full again."},
	}
	if d.Raw == "SDL" {
		return Obj{"description": desc, "content": Obj{"text/plain": Obj{"schema": Obj{"type": "string"}}}}
	}
	if d.Raw == "EventStream" {
		return Obj{"description": desc + ": a text/event-stream that stays open", "headers": headers,
			"content": Obj{"text/event-stream": Obj{"schema": Obj{"type": "string", "description": "Server-sent events: each has id (the event's sequence), event (its type) and data (the Event as JSON); an event named error ends the stream with the reason; comments are heartbeats."}}}}
	}
	if d.Raw == "Binary" {
		headers["ETag"] = Obj{"schema": StrSchema(""), "description": "The document's SHA-256 in quotes."}
		headers["Content-Disposition"] = Obj{"schema": StrSchema(""), "description": "attachment; filename=…"}
		return Obj{"description": desc + " (also 206 for Range requests, 302 with redirect=1)", "headers": headers,
			"content": Obj{"application/octet-stream": Obj{"schema": Obj{"type": "string", "contentMediaType": "application/octet-stream"}}}}
	}
	if d.Raw != "" {
		return Obj{"description": desc, "headers": headers, "content": jsonContent(Ref(d.Raw))}
	}
	data := Ref(d.Data)
	props := Obj{"status": Obj{"const": "success"}, "data": data}
	var example any
	if d.ExampleData != nil {
		example = Obj{"status": "success", "data": d.ExampleData}
	}
	required := []string{"status", "data"}
	if d.List {
		props["data"] = Obj{"type": "array", "items": data}
		props["meta"] = Ref("Meta")
		required = append(required, "meta")
	}
	content := jsonContent(Obj{"type": "object", "properties": props, "required": required})
	if example != nil {
		content["application/json"].(Obj)["example"] = example
	}
	return Obj{"description": desc, "headers": headers, "content": content}
}

func refResponse(name string) Obj { return Obj{"$ref": "#/components/responses/" + name} }

func jsonContent(schema Obj) Obj { return Obj{"application/json": Obj{"schema": schema}} }

func errorResponses() Obj {
	e := func(desc, code, msg string, extra ...any) Obj {
		ex := Obj{"status": "error", "message": msg, "code": code, "request_id": "req_5f2b9c0d1e3a4b6c7d8e9f01"}
		for i := 0; i+1 < len(extra); i += 2 {
			ex[extra[i].(string)] = extra[i+1]
		}
		return Obj{"description": desc, "content": Obj{"application/json": Obj{"schema": Ref("Error"), "example": ex}}}
	}
	return Obj{
		"Unauthenticated":      e("No or invalid credentials.", "unauthenticated", "Authentication required: send an integration key in X-API-Key or a token in Authorization: Bearer."),
		"Forbidden":            e("Missing permission, wrong environment, revoked, expired or rolled key, or another tenant.", "forbidden", "This credential lacks the permission "+itsupport.TicketsCreate+".", "permission", itsupport.TicketsCreate),
		"NotFound":             e("No such object in this tenant and environment.", "not_found", "No such ticket."),
		"TooManyRequests":      e("Rate limited; see Retry-After.", "rate_limited", "Too many requests: the limit is 600 per minute; retry in 2 seconds.", "retry_after", 2),
		"Conflict":             e("A request with this Idempotency-Key is still running.", "idempotency_in_progress", "A request with this Idempotency-Key is still being processed; retry later."),
		"MalformedJSON":        e("The body is not valid JSON.", "malformed_json", "The request body is not valid JSON."),
		"TooLarge":             e("The body is larger than 1 MiB.", "body_too_large", "The request body is larger than 1048576 bytes."),
		"UnsupportedMediaType": e("The body is not application/json.", "unsupported_media_type", "Send the body as application/json."),
		"FileTooLarge":         e("The file is larger than the configured limit (named in the message and in max_bytes).", "file_too_large", "The file is larger than the limit of 100 MiB."),
		"UnsupportedFileType":  e("The sniffed type is not allowed (allowed_types lists those that are).", "unsupported_file_type", "Files of type application/x-msdownload are not accepted; allowed: application/pdf, image/png."),
		"StorageUnavailable":   e("Document storage did not answer; nothing was changed.", "storage_unavailable", "Document storage is unavailable right now; nothing was changed. Retry in a moment."),
		"PreconditionFailed":   e("If-Match does not match: the object changed since it was read. The ETag header and etag carry its current tag.", "precondition_failed", "The customer changed since you read it: If-Match does not match its current ETag W/\"3f1c…\". Read it again, re-apply your change and retry.", "etag", "W/\"3f1c9a0b7d2e4f5a\""),
		"BadPrecondition":      e("If-Match is malformed.", "bad_precondition", "If-Match must be \"*\" or a list of entity tags such as W/\"8f4e2a9c1d7b3e60\"."),
		"Unavailable":          e("The database did not answer; see Retry-After.", "unavailable", "The database is not answering right now. Retry in a moment (with the same Idempotency-Key, a create runs at most once)."),
		"ValidationFailed": Obj{"description": "The given data was invalid.", "content": Obj{"application/json": Obj{
			"schema":  Ref("ValidationError"),
			"example": Obj{"message": service.InvalidMessage, "errors": Obj{"title": []string{"Title is required."}}, "code": "validation_failed", "request_id": "req_5f2b9c0d1e3a4b6c7d8e9f01"},
		}}},
	}
}

// Query is a query parameter.
func Query(name, desc string, schema Obj) Param {
	return Param{Name: name, In: "query", Description: desc, Schema: schema}
}

// PathParam is a parameter in the path.
func PathParam(name, desc string, schema Obj) Param {
	return Param{Name: name, In: "path", Description: desc, Schema: schema}
}
