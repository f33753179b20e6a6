package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/cienerp/cienerp/internal/jsonwire"
	"github.com/cienerp/cienerp/service"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// Media types of GraphQL over HTTP responses.
const (
	mediaJSON            = "application/json"
	mediaGraphQLResponse = "application/graphql-response+json"
)

// httpPOST is GraphQL over HTTP's POST (graphql.github.io/graphql-over-http)
// as its audit expects, where gqlgen's transport.POST differs: a request
// that is not GraphQL (undecodable, no query) is 400; a query that fails
// before execution (parse, validation, variables, limits) is 200 for
// application/json clients and 400 for application/graphql-response+json
// ones, and its answer has no "data" entry, since nothing ran.
type httpPOST struct{}

var _ graphql.Transport = httpPOST{}

func (httpPOST) Supports(r *http.Request) bool {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return err == nil && r.Method == http.MethodPost && mt == mediaJSON && r.Header.Get("Upgrade") == ""
}

func (httpPOST) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	start := graphql.Now()
	var params graphql.RawParams
	body, err := io.ReadAll(r.Body)
	if err == nil {
		err = decodeJSON(body, &params)
	}
	if err != nil {
		refuseRequest(w, r, exec, "The body must be a JSON object with a query string (and optional operationName, variables and extensions).")
		return
	}
	execute(w, r, exec, &params, start)
}

// httpGET is GraphQL over HTTP's GET, held to the same rules as POST:
// query, operationName, variables and extensions in the URL (the last two
// JSON-encoded); a request that is not GraphQL is 400; a failure before
// execution is 200 or 400 by media type, without "data"; a mutation is
// 405 with Allow: POST, refused before anything is charged or run.
type httpGET struct{}

var _ graphql.Transport = httpGET{}

func (httpGET) Supports(r *http.Request) bool {
	return r.Method == http.MethodGet && r.Header.Get("Upgrade") == ""
}

func (httpGET) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	start := graphql.Now()
	q := r.URL.Query()
	params := graphql.RawParams{Query: q.Get("query"), OperationName: q.Get("operationName")}
	for name, into := range map[string]any{"variables": &params.Variables, "extensions": &params.Extensions} {
		if v := q.Get(name); v != "" && decodeJSON([]byte(v), into) != nil {
			refuseRequest(w, r, exec, "The "+name+" parameter must be a JSON object.")
			return
		}
	}
	execute(w, r.WithContext(context.WithValue(r.Context(), overGETKey{}, true)), exec, &params, start)
}

// overGETKey marks a request that came as GET, for operationLimits to
// refuse a mutation before it costs anything.
type overGETKey struct{}

func overGET(ctx context.Context) bool { b, _ := ctx.Value(overGETKey{}).(bool); return b }

func decodeJSON(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	return dec.Decode(v)
}

// refuseRequest answers 400 to a request that is not GraphQL at all.
func refuseRequest(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor, msg string) {
	w.Header().Set("Content-Type", responseMedia(r.Header.Get("Accept")))
	requestError(w, http.StatusBadRequest, exec.DispatchError(r.Context(), gqlerror.List{badRequestError(msg)}))
}

// execute runs a decoded request under the rules every HTTP transport
// shares (POST, GET, multipart): no query is 400; a failure before
// execution is 429 when over the rate budget, 405 for a mutation over
// GET, otherwise 200 (application/json) or 400 (the GraphQL response
// type), without "data".
func execute(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor, params *graphql.RawParams, start time.Time) {
	ctx := r.Context()
	media := responseMedia(r.Header.Get("Accept"))
	if params.Query == "" && params.Extensions["persistedQuery"] == nil {
		refuseRequest(w, r, exec, "The request has no query: send {\"query\": \"…\"} (or ?query= with GET).")
		return
	}
	w.Header().Set("Content-Type", media)
	params.Headers = r.Header
	params.ReadTime = graphql.TraceTiming{Start: start, End: graphql.Now()}
	oc, errs := exec.CreateOperationContext(ctx, params)
	if errs != nil {
		status := http.StatusOK
		switch {
		case hasCode(errs, codes[service.KindRateLimited]):
			status = http.StatusTooManyRequests
		case hasCode(errs, codeMutationOverGET):
			status = http.StatusMethodNotAllowed
			w.Header().Set("Allow", http.MethodPost)
		case media == mediaGraphQLResponse:
			status = http.StatusBadRequest
		}
		requestError(w, status, exec.DispatchError(graphql.WithOperationContext(ctx, oc), errs))
		return
	}
	if selectsSecret(oc) {
		w.Header().Set("Cache-Control", "no-store")
	}
	responses, ctx := exec.DispatchOperation(ctx, oc)
	writeJSON(w, http.StatusOK, responses(ctx))
}

// SecretFields are the schema's fields that carry a secret (shown once):
// an answer selecting one is Cache-Control: no-store, as REST's routes
// marked Secret are.
var SecretFields = map[string]bool{
	"IntegrationKey.secret":        true,
	"WebhookEndpointSecret.secret": true,
	"MemberInfo.password":          true,
}

// selectsSecret reports whether the operation selects a SecretFields field.
func selectsSecret(oc *graphql.OperationContext) bool {
	return eachField(oc, func(f *ast.Field) *gqlerror.Error {
		if f.ObjectDefinition != nil && SecretFields[f.ObjectDefinition.Name+"."+f.Name] {
			return &gqlerror.Error{} // found: stop walking
		}
		return nil
	}) != nil
}

// hasCode reports whether any of errs has extensions.code code.
func hasCode(errs gqlerror.List, code string) bool {
	for _, e := range errs {
		if e.Extensions["code"] == code {
			return true
		}
	}
	return false
}

// responseMedia picks the response type from Accept: the GraphQL
// response type when asked for, JSON otherwise (clients from before the
// spec send */* or nothing).
func responseMedia(accept string) string {
	for part := range strings.SplitSeq(accept, ",") {
		mt, _, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		switch mt {
		case mediaGraphQLResponse:
			return mediaGraphQLResponse
		case mediaJSON:
			return mediaJSON
		}
	}
	return mediaJSON
}

func badRequestError(msg string) *gqlerror.Error {
	err := gqlerror.Errorf("%s", msg)
	err.Extensions = map[string]any{"code": "BAD_REQUEST"}
	return err
}

// requestError writes an answer to a request that never executed: its
// errors and extensions, without "data".
func requestError(w http.ResponseWriter, status int, resp *graphql.Response) {
	writeJSON(w, status, struct {
		Errors     gqlerror.List  `json:"errors"`
		Extensions map[string]any `json:"extensions,omitempty"`
	}{resp.Errors, resp.Extensions})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	var b []byte
	if enc, err := jsonwire.Encode(v); err == nil {
		defer enc.Free()
		b = enc.Bytes()
	} else {
		status, b = http.StatusInternalServerError, []byte(`{"errors":[{"message":"internal error","extensions":{"code":"INTERNAL"}}]}`)
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
