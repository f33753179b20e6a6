package rest_test

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cienerp/cienerp/ent/privacy"
	"github.com/cienerp/cienerp/internal/testenv"
	"github.com/cienerp/cienerp/policy"
)

// TestDatabaseOutageIs503: with PostgreSQL gone, reads, creates, uploads
// and GraphQL answer 503 "unavailable" with Retry-After (GraphQL:
// UNAVAILABLE), /readyz says 503, and once it is back everything works
// again. Before, they were 500 internal_error.
func TestDatabaseOutageIs503(t *testing.T) {
	t.Parallel()
	e, proxy := testenv.NewDBBehindProxy(t)
	tenant := e.Tenant("acme")
	_, key := e.Key(tenant.ID, policy.Sandbox, "admin")
	h := testenv.Key(key)
	e.Expect(e.Do("GET", sandbox+"/tickets", nil, h), 200) // the credential is cached now

	proxy.Cut()
	body, ct := testenv.Multipart("a.txt", []byte("hello"), map[string]string{"title": "Notes"})
	for name, r := range map[string]*testenv.Response{
		"list":   e.Do("GET", sandbox+"/tickets", nil, h),
		"create": e.Do("POST", sandbox+"/customers", map[string]any{"name": "Acme"}, h),
		"upload": e.Do("POST", sandbox+"/documents", body, h.With("Content-Type", ct)),
	} {
		if r.Code != 503 || r.Body["code"] != "unavailable" || r.Header.Get("Retry-After") == "" {
			t.Errorf("%s: %d %s (Retry-After %q), want 503 unavailable", name, r.Code, r, r.Header.Get("Retry-After"))
		}
	}
	r := e.Do("POST", sandbox+"/graphql", map[string]any{"query": "{ tickets { totalCount } }"}, h)
	if code := testenv.Dig(r.Body, "errors.0.extensions.code"); code != "UNAVAILABLE" {
		t.Errorf("graphql: %s", r)
	}
	if r := e.Do("GET", "/readyz", nil, nil); r.Code != 503 {
		t.Errorf("readyz: %s", r)
	}

	proxy.Restore()
	deadline := time.Now().Add(10 * time.Second)
	for {
		r := e.Do("POST", sandbox+"/customers", map[string]any{"name": "Acme"}, h)
		if r.Code == 201 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after the outage: %s", r)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestIdempotencyKeySurvivesAnOutage reproduces the stuck key: a slow
// upload holds an Idempotency-Key, PostgreSQL goes away in the middle of
// its body, and comes back. The failed request could not release its
// claim; the claim's lease lapses, the retry runs once, and the retry
// after that is a replay. Before, every retry met 409 for 24 hours.
func TestIdempotencyKeySurvivesAnOutage(t *testing.T) {
	t.Parallel()
	e, proxy := testenv.NewDBBehindProxy(t)
	e.App.Service.IdempotencyLease = 2 * time.Second
	tenant := e.Tenant("acme")
	_, key := e.Key(tenant.ID, policy.Sandbox, "admin")
	base := e.Serve()
	content := bytes.Repeat([]byte("0123456789abcdef"), 3<<20/16) // 3 MiB of text

	upload := func(slow bool) (int, string) {
		pr, pw := io.Pipe()
		mw := multipart.NewWriter(pw)
		go func() {
			_ = mw.WriteField("title", "Contract")
			fw, _ := mw.CreateFormFile("file", "contract.txt")
			_, _ = fw.Write(content[:1<<20])
			if slow {
				time.Sleep(300 * time.Millisecond) // the handler holds the key now
				proxy.Cut()
				time.Sleep(200 * time.Millisecond)
			}
			_, _ = fw.Write(content[1<<20:])
			_ = mw.Close()
			_ = pw.Close()
		}()
		req, _ := http.NewRequest("POST", base+sandbox+"/documents", pr)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set("X-API-Key", key)
		req.Header.Set("Idempotency-Key", "contract-upload")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}

	if code, body := upload(true); code != 503 {
		t.Fatalf("upload during the outage: %d %s, want 503", code, body)
	}
	proxy.Restore()
	var code int
	var body string
	deadline := time.Now().Add(15 * time.Second)
	for {
		code, body = upload(false)
		if code != 409 && code != 503 || time.Now().After(deadline) {
			break
		}
		time.Sleep(250 * time.Millisecond)
	}
	if code != 201 {
		t.Fatalf("retry after recovery: %d %s, want 201", code, body)
	}
	replay, again := upload(false)
	if replay != 201 || again != body {
		t.Errorf("second retry is not the replay: %d %s", replay, again)
	}
	n, err := e.App.DB.Client.Document.Query().Count(privacy.DecisionContext(e.Ctx, privacy.Allow))
	if err != nil || n != 1 {
		t.Errorf("%d documents (%v), want exactly 1", n, err)
	}
	if !strings.Contains(body, `"sha256"`) {
		t.Errorf("answer: %s", body)
	}
}
