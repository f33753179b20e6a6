package graph_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/client"

	"github.com/cienerp/cienerp/app"
	"github.com/cienerp/cienerp/internal/testenv"
	"github.com/cienerp/cienerp/policy"
)

var pdf = []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")

func tempFile(t *testing.T, name string, content []byte) *os.File {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, content, 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// multipartOp builds a GraphQL multipart request by hand, with the file
// parts in the order given (the spec lets clients order them freely).
func multipartOp(t *testing.T, query string, vars map[string]any, fileMap map[string][]string, files [][2]string) (*bytes.Buffer, string) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	ops, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	m, _ := json.Marshal(fileMap)
	_ = w.WriteField("operations", string(ops))
	_ = w.WriteField("map", string(m))
	for _, f := range files { // {part name, content}
		fw, _ := w.CreateFormFile(f[0], "file-"+f[0]+".txt")
		_, _ = fw.Write([]byte(f[1]))
	}
	_ = w.Close()
	return &buf, w.FormDataContentType()
}

func TestGraphQLUploadStreamsWithTheDocumentRules(t *testing.T) {
	t.Parallel()
	e := testenv.New(t, testenv.WithS3(t), func(c *app.Config) { c.DocumentLimits.MaxBytes = 1 << 20 })
	a := e.Tenant("acme")
	_, key := e.Key(a.ID, policy.Sandbox, "admin")
	c := gql(e, "/api/sandbox", key)
	count := func() int {
		return len(e.Expect(e.Do("GET", "/api/sandbox/documents?limit=100", nil, testenv.Key(key)), 200).List())
	}

	// A real client (gqlgen's, multipart per the spec).
	var up struct {
		UploadDocument struct {
			ID, Filename, ContentType, Sha256, Status, DownloadURL string
			Size                                                   int
			Tags                                                   []string
		}
	}
	c.MustPost(`mutation($file: Upload!) { uploadDocument(file: $file, title: "Q1", tags: ["q1", "tax"]) { id filename contentType sha256 status downloadUrl size tags } }`,
		&up, client.Var("file", tempFile(t, "Rechnung März.pdf", pdf)), client.WithFiles())
	d := up.UploadDocument
	if d.Filename != "Rechnung März.pdf" || d.ContentType != "application/pdf" || d.Sha256 != sha(pdf) || d.Size != len(pdf) || d.Status != "pending" || len(d.Tags) != 2 {
		t.Fatalf("upload: %+v", d)
	}
	if r := e.Expect(e.Do("GET", d.DownloadURL, nil, testenv.Key(key)), 200); !bytes.Equal(r.Raw, pdf) {
		t.Fatalf("download from %s differs", d.DownloadURL)
	}

	// Two uploads in one request with the parts in the other order than
	// the mutations read them: the first part waits in a temporary file.
	body, ctype := multipartOp(t, `mutation($a: Upload!, $b: Upload!) {
		a: uploadDocument(file: $a, title: "A") { sha256 filename }
		b: uploadDocument(file: $b, title: "B") { sha256 filename } }`,
		map[string]any{"a": nil, "b": nil}, map[string][]string{"0": {"variables.a"}, "1": {"variables.b"}},
		[][2]string{{"1", "second file"}, {"0", "first file"}})
	r := e.Expect(e.Do("POST", "/api/sandbox/graphql", body.Bytes(), testenv.Key(key).With("Content-Type", ctype)), 200)
	if r.Str("data.a.sha256") != sha([]byte("first file")) || r.Str("data.b.sha256") != sha([]byte("second file")) || r.Str("data.a.filename") != "file-0.txt" {
		t.Fatalf("out-of-order parts: %s", r)
	}

	// The document rules hold, and a refused upload leaves nothing behind.
	before := count()
	big := make([]byte, 2<<20)
	copy(big, "\x89PNG\r\n\x1a\n")
	raw, err := c.RawPost(`mutation($file: Upload!) { uploadDocument(file: $file) { id } }`, client.Var("file", tempFile(t, "big.png", big)), client.WithFiles())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(raw.Errors), `"reason":"file_too_large"`) {
		t.Fatalf("too large: %s", raw.Errors)
	}
	raw, _ = c.RawPost(`mutation($file: Upload!) { uploadDocument(file: $file) { id } }`, client.Var("file", tempFile(t, "page.html", []byte("<html><script>alert(1)</script></html>"))), client.WithFiles())
	if !strings.Contains(string(raw.Errors), `"reason":"unsupported_file_type"`) {
		t.Fatalf("html: %s", raw.Errors)
	}
	raw, _ = c.RawPost(`mutation($file: Upload!) { uploadDocument(file: $file, tags: ["`+strings.Repeat("x", 60)+`"]) { id } }`, client.Var("file", tempFile(t, "a.pdf", pdf)), client.WithFiles())
	if !strings.Contains(string(raw.Errors), `"VALIDATION"`) || !strings.Contains(string(raw.Errors), `"tags"`) {
		t.Fatalf("bad tags: %s", raw.Errors)
	}
	// A map entry without its part, and a body that is not the spec's.
	body, ctype = multipartOp(t, `mutation($f: Upload!) { uploadDocument(file: $f) { id } }`, map[string]any{"f": nil}, map[string][]string{"0": {"variables.f"}}, nil)
	r = e.Expect(e.Do("POST", "/api/sandbox/graphql", body.Bytes(), testenv.Key(key).With("Content-Type", ctype)), 200)
	if r.Str("errors.0.extensions.code") != "VALIDATION" || !strings.Contains(fmt.Sprint(r.Get("errors.0.extensions.errors.file")), `no part named "0"`) {
		t.Fatalf("missing part: %s", r)
	}
	body, ctype = multipartOp(t, `mutation($f: Upload!) { uploadDocument(file: $f) { id } }`, map[string]any{"f": nil}, map[string][]string{"0": {"variables.f", "variables.g"}}, [][2]string{{"0", "x"}})
	if r := e.Expect(e.Do("POST", "/api/sandbox/graphql", body.Bytes(), testenv.Key(key).With("Content-Type", ctype)), 400); r.Str("errors.0.extensions.code") != "BAD_REQUEST" {
		t.Fatalf("file used twice: %s", r)
	}
	if r := e.Expect(e.Do("POST", "/api/sandbox/graphql", "--x\r\nbroken", testenv.Key(key).With("Content-Type", "multipart/form-data; boundary=x")), 400); r.Str("errors.0.extensions.code") != "BAD_REQUEST" {
		t.Fatalf("broken body: %s", r)
	}
	if after := count(); after != before {
		t.Fatalf("refused uploads left %d documents", after-before)
	}

	// Without documents.upload the file is refused before it is read.
	_, viewer := e.Key(a.ID, policy.Sandbox, "viewer")
	raw, _ = gql(e, "/api/sandbox", viewer).RawPost(`mutation($file: Upload!) { uploadDocument(file: $file) { id } }`, client.Var("file", tempFile(t, "b.pdf", pdf)), client.WithFiles())
	if !strings.Contains(string(raw.Errors), `"permission":"documents.upload"`) {
		t.Fatalf("viewer: %s", raw.Errors)
	}
	// JSON bodies keep the small limit; only multipart ones get the upload limit.
	huge := fmt.Sprintf(`{"query": "{ me { subject } }", "variables": {"pad": %q}}`, strings.Repeat("x", 2<<20))
	req := httptest.NewRequest("POST", "/api/sandbox/graphql", strings.NewReader(huge))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-API-Key", key)
	w := httptest.NewRecorder()
	e.App.Handler.ServeHTTP(w, req)
	if w.Code != 413 || !strings.Contains(w.Body.String(), `"BAD_REQUEST"`) {
		t.Fatalf("2 MB JSON body: %d %s", w.Code, w.Body.String()[:min(200, w.Body.Len())])
	}
	if r := e.Expect(e.Do("POST", "/api/sandbox/graphql", "{not json", testenv.Key(key)), 400); r.Str("errors.0.extensions.code") != "BAD_REQUEST" {
		t.Fatalf("malformed JSON: %s", r)
	}
}

func TestGraphQLIdempotencyKey(t *testing.T) {
	t.Parallel()
	e := testenv.New(t, testenv.WithS3(t))
	a := e.Tenant("acme")
	_, key := e.Key(a.ID, policy.Sandbox, "admin")
	c := gql(e, "/api/sandbox", key)
	create := fmt.Sprintf(`mutation($k: String, $title: String!) { createTicket(input: {title: $title, requesterId: %q}, idempotencyKey: $k) { id number title } }`, a.Owner.ID)
	type ticket struct {
		CreateTicket struct {
			ID, Title string
			Number    int
		}
	}
	var first, again ticket
	c.MustPost(create, &first, client.Var("k", "order-17"), client.Var("title", "VPN"))
	c.MustPost(create, &again, client.Var("k", "order-17"), client.Var("title", "VPN"))
	if first.CreateTicket.ID == "" || again != first {
		t.Fatalf("replay: %+v then %+v", first, again)
	}
	if n := len(e.Expect(e.Do("GET", "/api/sandbox/tickets", nil, testenv.Key(key)), 200).List()); n != 1 {
		t.Fatalf("%d tickets after a replay", n)
	}
	// Other arguments with the same key, and the same key over REST, are refused.
	raw, _ := c.RawPost(create, client.Var("k", "order-17"), client.Var("title", "Printer"))
	if !strings.Contains(string(raw.Errors), `"VALIDATION"`) || !strings.Contains(string(raw.Errors), `"idempotencyKey"`) {
		t.Fatalf("other arguments: %s", raw.Errors)
	}
	r := e.Do("POST", "/api/sandbox/tickets", map[string]any{"title": "VPN", "requester_id": a.Owner.ID}, testenv.Key(key).With("Idempotency-Key", "order-17"))
	if r.Code != 422 || r.Errors()["Idempotency-Key"] == nil {
		t.Fatalf("REST with a GraphQL key: %s", r)
	}
	// A refused call does not use the key up.
	raw, _ = c.RawPost(create, client.Var("k", "order-18"), client.Var("title", ""))
	if !strings.Contains(string(raw.Errors), `"VALIDATION"`) {
		t.Fatalf("empty title: %s", raw.Errors)
	}
	var fixed ticket
	c.MustPost(create, &fixed, client.Var("k", "order-18"), client.Var("title", "Fixed"))
	if fixed.CreateTicket.Title != "Fixed" {
		t.Fatalf("retry after a refusal: %+v", fixed)
	}
	// Keys are per credential: another key's "order-17" is its own.
	_, other := e.Key(a.ID, policy.Sandbox, "admin")
	var theirs ticket
	gql(e, "/api/sandbox", other).MustPost(create, &theirs, client.Var("k", "order-17"), client.Var("title", "VPN"))
	if theirs.CreateTicket.ID == first.CreateTicket.ID {
		t.Fatal("another credential got this credential's replay")
	}
	// A replayed integration key still carries its one-time secret.
	type newKey struct {
		CreateIntegrationKey struct{ ID, Secret string }
	}
	var k1, k2 newKey
	mk := `mutation { createIntegrationKey(name: "ci", roles: ["viewer"], idempotencyKey: "key-1") { id secret } }`
	c.MustPost(mk, &k1)
	c.MustPost(mk, &k2)
	if k1.CreateIntegrationKey.Secret == "" || k1 != k2 {
		t.Fatalf("key replay: %+v then %+v", k1, k2)
	}
	// Uploads hash their bytes: the same key with another file is refused.
	up := `mutation($file: Upload!) { uploadDocument(file: $file, idempotencyKey: "doc-1") { id } }`
	var d1, d2 struct{ UploadDocument struct{ ID string } }
	c.MustPost(up, &d1, client.Var("file", tempFile(t, "a.pdf", pdf)), client.WithFiles())
	c.MustPost(up, &d2, client.Var("file", tempFile(t, "a.pdf", pdf)), client.WithFiles())
	if d1.UploadDocument.ID == "" || d1 != d2 {
		t.Fatalf("upload replay: %+v then %+v", d1, d2)
	}
	raw, _ = c.RawPost(up, client.Var("file", tempFile(t, "a.pdf", append([]byte{}, append(pdf, '\n')...))), client.WithFiles())
	if !strings.Contains(string(raw.Errors), `"idempotencyKey"`) {
		t.Fatalf("upload with other bytes: %s", raw.Errors)
	}
	raw, _ = c.RawPost(`mutation { createCustomer(input: {name: "x"}, idempotencyKey: "") { id } }`)
	if !strings.Contains(string(raw.Errors), `"idempotencyKey"`) {
		t.Fatalf("empty key: %s", raw.Errors)
	}
}
