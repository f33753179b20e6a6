package graph

import (
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/cienerp/cienerp/internal/jsonwire"
	"github.com/cienerp/cienerp/service"
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
	ctx := r.Context()
	media := responseMedia(r.Header.Get("Accept"))
	w.Header().Set("Content-Type", media)
	start := graphql.Now()
	var params graphql.RawParams
	body, err := io.ReadAll(r.Body)
	if err == nil {
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		err = dec.Decode(&params)
	}
	if err != nil {
		requestError(w, http.StatusBadRequest, exec.DispatchError(ctx, gqlerror.List{badRequestError(
			"The body must be a JSON object with a query string (and optional operationName, variables and extensions).")}))
		return
	}
	if params.Query == "" && params.Extensions["persistedQuery"] == nil {
		requestError(w, http.StatusBadRequest, exec.DispatchError(ctx, gqlerror.List{badRequestError(
			"The body has no query: send {\"query\": \"…\"}.")}))
		return
	}
	params.Headers = r.Header
	params.ReadTime = graphql.TraceTiming{Start: start, End: graphql.Now()}
	oc, errs := exec.CreateOperationContext(ctx, &params)
	if errs != nil {
		status := http.StatusOK
		switch {
		case rateLimited(errs):
			status = http.StatusTooManyRequests
		case media == mediaGraphQLResponse:
			status = http.StatusBadRequest
		}
		requestError(w, status, exec.DispatchError(graphql.WithOperationContext(ctx, oc), errs))
		return
	}
	responses, ctx := exec.DispatchOperation(ctx, oc)
	writeJSON(w, http.StatusOK, responses(ctx))
}

// rateLimited reports whether the operation was refused for its cost to
// the rate budget: a 429 whichever the media type, like a REST request's.
func rateLimited(errs gqlerror.List) bool {
	for _, e := range errs {
		if e.Extensions["code"] == codes[service.KindRateLimited] {
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
