package testenv

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
)

// Response is a recorded HTTP response with its JSON body decoded.
type Response struct {
	Code   int
	Header http.Header
	Raw    []byte
	Body   map[string]any
}

// H is a set of request headers.
type H map[string]string

// Do sends a request through the real router. body is JSON-encoded unless
// it is a string or []byte, sent as is.
func (e *Env) Do(method, path string, body any, headers H) *Response {
	e.T.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		e.must(err)
		rd = bytes.NewReader(raw)
	}
	req := httptest.NewRequest(method, path, rd)
	req.RemoteAddr = "127.0.0.1:40000" // a client on this machine, as curl on a laptop (plain HTTP allowed)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	e.App.Handler.ServeHTTP(w, req)
	r := &Response{Code: w.Code, Header: w.Header(), Raw: w.Body.Bytes()}
	if len(r.Raw) > 0 && strings.Contains(w.Header().Get("Content-Type"), "json") {
		if err := json.Unmarshal(r.Raw, &r.Body); err != nil {
			e.T.Fatalf("%s %s: response is not a JSON object: %v\n%s", method, path, err, r.Raw)
		}
	}
	return r
}

// Key returns the headers of an integration key.
func Key(secret string) H { return H{"X-API-Key": secret} }

// Bearer returns the headers of a bearer token.
func Bearer(token string) H { return H{"Authorization": "Bearer " + token} }

// With returns a copy of h with header k set to v.
func (h H) With(k, v string) H {
	out := H{}
	for kk, vv := range h {
		out[kk] = vv
	}
	out[k] = v
	return out
}

// Get walks the body by a dotted path ("data.id", "data.0.number").
func (r *Response) Get(path string) any { return Dig(r.Body, path) }

// Dig walks decoded JSON by a dotted path ("a.0.b"); nil when absent.
func Dig(v any, path string) any {
	for _, part := range strings.Split(path, ".") {
		switch cur := v.(type) {
		case map[string]any:
			v = cur[part]
		case []any:
			var i int
			if _, err := fmt.Sscanf(part, "%d", &i); err != nil || i >= len(cur) {
				return nil
			}
			v = cur[i]
		default:
			return nil
		}
	}
	return v
}

// Str is Get as a string ("" when absent).
func (r *Response) Str(path string) string {
	s, _ := r.Get(path).(string)
	return s
}

// List is Get("data") as a slice.
func (r *Response) List() []any {
	l, _ := r.Get("data").([]any)
	return l
}

// Errors is the field -> messages map of a 422.
func (r *Response) Errors() map[string][]string {
	out := map[string][]string{}
	m, _ := r.Body["errors"].(map[string]any)
	for k, v := range m {
		for _, msg := range v.([]any) {
			out[k] = append(out[k], msg.(string))
		}
	}
	return out
}

func (r *Response) String() string {
	raw := r.Raw
	if len(raw) > 800 {
		raw = append(raw[:800:800], "…"...)
	}
	return fmt.Sprintf("%d %s", r.Code, raw)
}

// Expect fails the test unless the status is code.
func (e *Env) Expect(r *Response, code int) *Response {
	e.T.Helper()
	if r.Code != code {
		e.T.Fatalf("status %d, want %d: %s", r.Code, code, r)
	}
	return r
}
