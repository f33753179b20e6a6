package rest_test

import (
	"bufio"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cienerp/cienerp/internal/testenv"
)

// rawExchange sends raw bytes to the server and reads its answer.
func rawExchange(t *testing.T, base, request string) (*http.Response, map[string]any) {
	t.Helper()
	conn, err := net.DialTimeout("tcp", strings.TrimPrefix(base, "http://"), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(conn, request); err != nil {
		t.Fatal(err)
	}
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("%q: %v", request[:min(len(request), 60)], err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	var body map[string]any
	if err := json.Unmarshal(raw, &body); err != nil {
		t.Errorf("%q: %d %s is not JSON: %q", request[:min(len(request), 60)], res.StatusCode, res.Header.Get("Content-Type"), raw)
	}
	return res, body
}

// TestRequestsNetHTTPRefusesGetJSONBodies: requests the HTTP server
// refuses before any handler runs (a control character in a header value,
// a bad header name, a malformed request line, headers over the size
// limit) get the JSON error body, a request id and a message that says
// what to fix, like every other 4xx. Before, they got Go's bare
// text/plain "400 Bad Request".
func TestRequestsNetHTTPRefusesGetJSONBodies(t *testing.T) {
	t.Parallel()
	f := setup(t)
	base := f.Serve()
	for name, c := range map[string]struct {
		request string
		status  int
		says    string
	}{
		"control character": {"GET /api/sandbox/customers HTTP/1.1\r\nHost: x\r\nX-API-Key: cien\x01key\r\n\r\n", 400, "control characters"},
		"bad header name":   {"GET /api/sandbox/customers HTTP/1.1\r\nHost: x\r\nX(Key: a\r\n\r\n", 400, "header names"},
		"request line":      {"GET /a b c HTTP/1.1\r\nHost: x\r\n\r\n", 400, "request line"},
		"no host":           {"GET /ping HTTP/1.1\r\n\r\n", 400, "Host"},
		"too large":         {"GET /ping HTTP/1.1\r\nHost: x\r\nX-Big: " + strings.Repeat("a", 1<<20+4096) + "\r\n\r\n", 431, "too large"},
	} {
		res, body := rawExchange(t, base, c.request)
		msg, _ := body["message"].(string)
		if res.StatusCode != c.status || body["status"] != "error" || body["code"] != "bad_request" || body["request_id"] == nil ||
			res.Header.Get("X-Request-Id") != body["request_id"] || !strings.Contains(msg, c.says) {
			t.Errorf("%s: %d %v (headers %v)", name, res.StatusCode, body, res.Header)
		}
	}
	// A well-formed request on the same kind of connection is untouched.
	res, body := rawExchange(t, base, "GET /api/sandbox/ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	if res.StatusCode != 200 || body["status"] != "success" {
		t.Errorf("ping: %d %v", res.StatusCode, body)
	}
}

// TestANullBodyIsA422: a JSON body of null is not an empty object: on
// every route that takes one it is a 422 naming the body, and nothing is
// written.
func TestANullBodyIsA422(t *testing.T) {
	t.Parallel()
	f := setup(t)
	key := testenv.Key(f.sandboxA)
	id := f.Expect(f.Do("POST", sandbox+"/customers", map[string]any{"name": "Zed"}, key), 201).Str("data.id")
	before := rowCount(f)
	for _, c := range [][2]string{
		{"POST", "/customers"}, {"PATCH", "/customers/" + id}, {"POST", "/tickets"}, {"POST", "/invoices"},
		{"POST", "/admin/roles"}, {"POST", "/webhook-endpoints"}, {"POST", "/settings/integration-keys"},
	} {
		for _, body := range []string{"null", " null\n"} {
			r := f.Do(c[0], sandbox+c[1], body, key.With("Content-Type", "application/json"))
			if r.Code != 422 || len(r.Errors()["body"]) == 0 {
				t.Errorf("%s %s with %q: %s", c[0], c[1], body, r)
			}
		}
	}
	if after := rowCount(f); after != before {
		t.Errorf("null bodies wrote %d rows", after-before)
	}
}
