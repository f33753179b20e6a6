package rest_test

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/cienerp/cienerp/ent/document"
	"github.com/cienerp/cienerp/ent/privacy"
	"github.com/cienerp/cienerp/internal/testenv"
	"github.com/cienerp/cienerp/modules/documents"
	"github.com/cienerp/cienerp/policy"
)

var pdf = []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")

// upload posts a multipart form with one file.
func (f *fixture) upload(base, key, filename string, content []byte, fields map[string]string) *testenv.Response {
	f.T.Helper()
	body, ctype := testenv.Multipart(filename, content, fields)
	return f.Do("POST", base+"/documents", body, testenv.Key(key).With("Content-Type", ctype))
}

// pngOf returns n bytes that sniff as PNG.
func pngOf(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	copy(b, "\x89PNG\r\n\x1a\n")
	return b
}

func docSetup(t *testing.T, opts ...testenv.Options) *fixture {
	return setup(t, append([]testenv.Options{testenv.WithS3(t)}, opts...)...)
}

func TestDocumentRoundTrip(t *testing.T) {
	t.Parallel()
	f := docSetup(t)
	for _, c := range []struct {
		name    string
		file    string
		content []byte
		ctype   string
	}{
		{"small pdf", "Invoice März.pdf", pdf, "application/pdf"},
		{"50 MB image", "scan.png", pngOf(50 << 20), "image/png"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := f.upload(sandbox, f.sandboxA, c.file, c.content, map[string]string{"title": "  Q1 " + c.name, "category": "invoices", "tags": "q1, finance"})
			f.Expect(r, 201)
			sum := sha256.Sum256(c.content)
			if r.Str("data.content_type") != c.ctype || r.Str("data.sha256") != hex.EncodeToString(sum[:]) ||
				int(r.Get("data.size").(float64)) != len(c.content) || r.Str("data.status") != "pending" ||
				r.Str("data.filename") != c.file || r.Str("data.title") != "Q1 "+c.name || len(r.Get("data.tags").([]any)) != 2 {
				t.Fatalf("upload: %s", r)
			}
			id := r.Str("data.id")
			d := f.Do("GET", sandbox+"/documents/"+id+"/download", nil, testenv.Key(f.sandboxA))
			if d.Code != 200 || !bytes.Equal(d.Raw, c.content) {
				t.Fatalf("download: %d, %d bytes, equal %v", d.Code, len(d.Raw), bytes.Equal(d.Raw, c.content))
			}
			h := d.Header
			if h.Get("Content-Type") != c.ctype || h.Get("Content-Length") != fmt.Sprint(len(c.content)) ||
				h.Get("ETag") != `"`+hex.EncodeToString(sum[:])+`"` || h.Get("X-Content-Type-Options") != "nosniff" ||
				!strings.HasPrefix(h.Get("Content-Disposition"), "attachment;") {
				t.Fatalf("download headers: %v", h)
			}
			// Range and conditional requests.
			part := f.Do("GET", sandbox+"/documents/"+id+"/download", nil, testenv.Key(f.sandboxA).With("Range", "bytes=1-3"))
			if part.Code != 206 || !bytes.Equal(part.Raw, c.content[1:4]) || part.Header.Get("Content-Range") != fmt.Sprintf("bytes 1-3/%d", len(c.content)) {
				t.Fatalf("range: %d %q %v", part.Code, part.Raw, part.Header)
			}
			if nm := f.Do("GET", sandbox+"/documents/"+id+"/download", nil, testenv.Key(f.sandboxA).With("If-None-Match", h.Get("ETag"))); nm.Code != 304 {
				t.Fatalf("If-None-Match: %d", nm.Code)
			}
		})
	}
	// A filename with a path and quotes is reduced to a safe base name.
	r := f.Expect(f.upload(sandbox, f.sandboxA, `..\..\evil"name.pdf`, pdf, nil), 201)
	if r.Str("data.filename") != "evilname.pdf" || r.Str("data.title") != "evilname.pdf" {
		t.Fatalf("filename: %s", r)
	}
}

func TestDocumentUploadRefusals(t *testing.T) {
	t.Parallel()
	f := docSetup(t, func(c *appConfig) { c.DocumentLimits.MaxBytes = 1 << 20 })
	h := testenv.Key(f.sandboxA)
	r := f.Expect(f.upload(sandbox, f.sandboxA, "big.png", pngOf(1<<20+1), nil), 413)
	if !strings.Contains(r.Str("message"), "1 MiB") || r.Str("code") != "file_too_large" {
		t.Fatalf("413: %s", r)
	}
	// A lying Content-Length is caught as the bytes stream.
	r = f.Expect(f.upload(sandbox, f.sandboxA, "page.html", []byte("<!DOCTYPE html><html><body>hi</body></html>"), nil), 415)
	if !strings.Contains(r.Str("message"), "text/html") || r.Str("code") != "unsupported_file_type" {
		t.Fatalf("415: %s", r)
	}
	// The client's claimed type is ignored: HTML sent as "image/png" is still HTML.
	f.Expect(f.upload(sandbox, f.sandboxA, "fake.png", []byte("<html><script>alert(1)</script></html>"), nil), 415)
	r = f.Expect(f.upload(sandbox, f.sandboxA, "", nil, map[string]string{"title": "no file"}), 422)
	if r.Str("message") != "The given data was invalid." || len(r.Errors()["file"]) != 1 {
		t.Fatalf("no file: %s", r)
	}
	r = f.Expect(f.upload(sandbox, f.sandboxA, "a.pdf", pdf, map[string]string{"status": "verified"}), 422)
	if len(r.Errors()["status"]) != 1 {
		t.Fatalf("unknown field: %s", r)
	}
	f.Expect(f.upload(sandbox, f.sandboxA, "empty.pdf", []byte{}, nil), 422)
	f.Expect(f.upload(sandbox, f.sandboxA, "a.pdf", pdf, map[string]string{"title": strings.Repeat("x", 201)}), 422)
	f.Expect(f.Do("POST", sandbox+"/documents", map[string]any{"file": "x"}, h), 415)
	f.Expect(f.Do("POST", sandbox+"/documents", "--x\r\nbroken", h.With("Content-Type", "multipart/form-data; boundary=x")), 400)

	// Nothing of any refused upload was kept: no rows, no objects.
	if l := f.Expect(f.Do("GET", sandbox+"/documents", nil, h), 200).List(); len(l) != 0 {
		t.Fatalf("%d documents after refused uploads", len(l))
	}
	rep, err := f.App.Service.CheckStorage(f.Ctx)
	if err != nil || rep.Objects != 0 || len(rep.ObjectsWithoutRow) != 0 {
		t.Fatalf("storage after refused uploads: %+v %v", rep, err)
	}
}

func TestDocumentReviewAndPermissions(t *testing.T) {
	t.Parallel()
	f := docSetup(t)
	_, agent := f.Key(f.A.ID, policy.Sandbox, "it-agent") // view + upload, no verify/update/delete
	a := f.Expect(f.upload(sandbox, agent, "a.pdf", pdf, nil), 201).Str("data.id")
	b := f.Expect(f.upload(sandbox, agent, "b.pdf", pdf, nil), 201).Str("data.id")
	for _, c := range []struct{ method, path, perm string }{
		{"POST", "/documents/" + a + "/verify", documents.Verify},
		{"POST", "/documents/" + a + "/reject", documents.Verify},
		{"PATCH", "/documents/" + a, documents.Update},
		{"DELETE", "/documents/" + a, documents.Delete},
	} {
		if r := f.Expect(f.Do(c.method, sandbox+c.path, map[string]any{"reason": "x"}, testenv.Key(agent)), 403); r.Str("permission") != c.perm {
			t.Fatalf("%s %s: %s", c.method, c.path, r)
		}
	}
	admin := testenv.Key(f.sandboxA)
	r := f.Expect(f.Do("POST", sandbox+"/documents/"+a+"/verify", map[string]any{"note": "Matches the PO"}, admin), 200)
	if r.Str("data.status") != "verified" || r.Str("data.reviewed_by") != policy.KeySubject(f.sandboxAKey.String()) || r.Str("data.review_note") != "Matches the PO" {
		t.Fatalf("verify: %s", r)
	}
	for _, path := range []string{"/verify", "/reject"} {
		if r := f.Expect(f.Do("POST", sandbox+"/documents/"+a+path, map[string]any{"reason": "late"}, admin), 422); len(r.Errors()["status"]) != 1 {
			t.Fatalf("review of a verified document: %s", r)
		}
	}
	if r := f.Expect(f.Do("POST", sandbox+"/documents/"+b+"/reject", map[string]any{}, admin), 422); len(r.Errors()["reason"]) != 1 {
		t.Fatalf("reject without reason: %s", r)
	}
	r = f.Expect(f.Do("POST", sandbox+"/documents/"+b+"/reject", map[string]any{"reason": "Blurry scan"}, admin), 200)
	if r.Str("data.status") != "rejected" || r.Str("data.review_note") != "Blurry scan" {
		t.Fatalf("reject: %s", r)
	}
	// Metadata only through PATCH.
	r = f.Expect(f.Do("PATCH", sandbox+"/documents/"+b, map[string]any{"title": "Renamed", "tags": []string{"x"}}, admin), 200)
	if r.Str("data.title") != "Renamed" || r.Str("data.status") != "rejected" {
		t.Fatalf("patch: %s", r)
	}
	f.Expect(f.Do("PATCH", sandbox+"/documents/"+b, map[string]any{"status": "pending"}, admin), 422)
	// Both reviews are audited.
	ev := f.Expect(f.Do("GET", sandbox+"/audit-events?entity_type=document&action=document.rejected", nil, admin), 200).List()
	if len(ev) != 1 {
		t.Fatalf("reject audit events: %v", ev)
	}
}

func TestDocumentsOfOtherTenantsAndEnvironmentsAreNotFound(t *testing.T) {
	t.Parallel()
	f := docSetup(t)
	id := f.Expect(f.upload(sandbox, f.sandboxA, "secret.pdf", pdf, nil), 201).Str("data.id")
	_, liveB := f.Key(f.B.ID, policy.Live, "admin")
	for name, in := range map[string]struct{ base, key string }{
		"other tenant": {sandbox, f.sandboxB}, "other env": {live, f.liveA}, "both": {live, liveB},
	} {
		for _, req := range []struct {
			method, path string
			body         any
		}{
			{"GET", "/documents/" + id, nil}, {"GET", "/documents/" + id + "/download", nil},
			{"GET", "/documents/" + id + "/download?redirect=1", nil},
			{"PATCH", "/documents/" + id, map[string]any{"title": "x"}}, {"DELETE", "/documents/" + id, nil},
			{"POST", "/documents/" + id + "/verify", map[string]any{}}, {"POST", "/documents/" + id + "/reject", map[string]any{"reason": "x"}},
		} {
			if r := f.Expect(f.Do(req.method, in.base+req.path, req.body, testenv.Key(in.key)), 404); r.Str("code") != "not_found" {
				t.Fatalf("%s: %s %s: %s", name, req.method, req.path, r)
			}
		}
		if l := f.Expect(f.Do("GET", in.base+"/documents", nil, testenv.Key(in.key)), 200).List(); len(l) != 0 {
			t.Fatalf("%s lists %d foreign documents", name, len(l))
		}
	}
	if r := f.Expect(f.Do("GET", sandbox+"/documents/"+id, nil, testenv.Key(f.sandboxA)), 200); r.Str("data.status") != "pending" {
		t.Fatalf("document changed: %s", r)
	}
}

func TestDocumentListAndDelete(t *testing.T) {
	t.Parallel()
	f := docSetup(t)
	h := testenv.Key(f.sandboxA)
	_, other := f.Key(f.A.ID, policy.Sandbox, "admin")
	var ids []string
	for i := 0; i < 5; i++ {
		key, cat := f.sandboxA, "invoices"
		if i%2 == 1 {
			key, cat = other, "contracts"
		}
		ids = append(ids, f.Expect(f.upload(sandbox, key, fmt.Sprintf("doc-%d.pdf", i), pdf, map[string]string{"category": cat, "tags": fmt.Sprintf("t%d,all", i)}), 201).Str("data.id"))
	}
	f.Expect(f.Do("POST", sandbox+"/documents/"+ids[0]+"/verify", nil, h), 200)
	count := func(q string) int {
		return len(f.Expect(f.Do("GET", sandbox+"/documents?limit=100&"+q, nil, h), 200).List())
	}
	for q, want := range map[string]int{"": 5, "status=verified": 1, "status=pending,rejected": 4, "category=contracts": 2,
		"tag=t3": 1, "tag=all": 5, "uploader=" + policy.KeySubject(f.sandboxAKey.String()): 3, "q=DOC-4": 1} {
		if n := count(q); n != want {
			t.Errorf("%q: %d documents, want %d", q, n, want)
		}
	}
	r := f.Expect(f.Do("GET", sandbox+"/documents?limit=2", nil, h), 200)
	r2 := f.Expect(f.Do("GET", sandbox+"/documents?limit=2&cursor="+r.Str("meta.next_cursor"), nil, h), 200)
	if r.Str("data.0.id") != ids[4] || r2.Str("data.0.id") != ids[2] {
		t.Fatalf("pages: %s / %s", r.Str("data.0.id"), r2.Str("data.0.id"))
	}
	f.Expect(f.Do("GET", sandbox+"/documents?status=lost", nil, h), 422)

	f.Expect(f.Do("DELETE", sandbox+"/documents/"+ids[1], nil, h), 200)
	f.Expect(f.Do("DELETE", sandbox+"/documents/"+ids[1], nil, h), 404)
	f.Expect(f.Do("GET", sandbox+"/documents/"+ids[1]+"/download", nil, h), 404)
	rep, err := f.App.Service.CheckStorage(f.Ctx)
	if err != nil || rep.Rows != 4 || rep.Objects != 4 || len(rep.RowsWithoutObject)+len(rep.ObjectsWithoutRow) != 0 {
		t.Fatalf("storage after delete: %+v %v", rep, err)
	}
}

func TestDocumentUploadIsIdempotent(t *testing.T) {
	t.Parallel()
	f := docSetup(t)
	body, ctype := testenv.Multipart("a.pdf", pdf, map[string]string{"title": "once"})
	h := testenv.Key(f.sandboxA).With("Content-Type", ctype).With("Idempotency-Key", "upload-1")
	first := f.Expect(f.Do("POST", sandbox+"/documents", body, h), 201)
	again := f.Expect(f.Do("POST", sandbox+"/documents", body, h), 201)
	if again.Header.Get("Idempotent-Replayed") != "true" || again.Str("data.id") != first.Str("data.id") {
		t.Fatalf("replay: %s", again)
	}
	other, octype := testenv.Multipart("b.pdf", pdf, map[string]string{"title": "other"})
	f.Expect(f.Do("POST", sandbox+"/documents", other, h.With("Content-Type", octype)), 422)
	if l := f.Expect(f.Do("GET", sandbox+"/documents", nil, testenv.Key(f.sandboxA)), 200).List(); len(l) != 1 {
		t.Fatalf("%d documents, want 1", len(l))
	}
}

func TestDatabaseFailureAfterUploadLeavesNoObject(t *testing.T) {
	t.Parallel()
	f := docSetup(t)
	// Make the database refuse one insert, after the bytes are stored.
	db := f.App.DB.SQL
	var stmts []string
	if testenv.Kind() == "postgres" {
		stmts = []string{
			`CREATE FUNCTION refuse_doc() RETURNS trigger AS $$ BEGIN IF NEW.title = 'db-fail' THEN RAISE EXCEPTION 'refused'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql`,
			`CREATE TRIGGER refuse_doc BEFORE INSERT ON documents FOR EACH ROW EXECUTE FUNCTION refuse_doc()`,
		}
	} else {
		stmts = []string{`CREATE TRIGGER refuse_doc BEFORE INSERT ON documents WHEN NEW.title = 'db-fail' BEGIN SELECT RAISE(ABORT, 'refused'); END`}
	}
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			t.Fatal(err)
		}
	}
	r := f.Expect(f.upload(sandbox, f.sandboxA, "a.pdf", pdf, map[string]string{"title": "db-fail"}), 500)
	if strings.Contains(string(r.Raw), "refused") {
		t.Fatalf("internal error text leaked: %s", r)
	}
	rep, err := f.App.Service.CheckStorage(f.Ctx)
	if err != nil || rep.Objects != 0 || rep.Rows != 0 {
		t.Fatalf("after a failed insert: %+v %v", rep, err)
	}
	f.Expect(f.upload(sandbox, f.sandboxA, "a.pdf", pdf, map[string]string{"title": "fine"}), 201)
}

func TestStorageDownIsServiceUnavailableAndLosesNothing(t *testing.T) {
	t.Parallel()
	m := testenv.StartMinio(t)
	f := setup(t, func(c *appConfig) { c.Storage, c.S3 = "s3", m.Config })
	h := testenv.Key(f.sandboxA)
	id := f.Expect(f.upload(sandbox, f.sandboxA, "kept.pdf", pdf, nil), 201).Str("data.id")
	m.Stop()

	r := f.Expect(f.upload(sandbox, f.sandboxA, "lost.pdf", pdf, nil), 503)
	if r.Str("code") != "storage_unavailable" || r.Header.Get("Retry-After") == "" || strings.Contains(string(r.Raw), "dial") {
		t.Fatalf("upload with storage down: %s", r)
	}
	f.Expect(f.Do("DELETE", sandbox+"/documents/"+id, nil, h), 503)
	f.Expect(f.Do("GET", sandbox+"/documents/"+id+"/download", nil, h), 503)
	f.Expect(f.Do("GET", "/readyz", nil, nil), 503)
	// No row for the failed upload; the document whose delete failed is still there.
	n, err := f.App.DB.Client.Document.Query().Where(document.TenantID(f.A.ID)).Count(privacy.DecisionContext(f.Ctx, privacy.Allow))
	if err != nil || n != 1 {
		t.Fatalf("%d document rows (err %v), want the one kept", n, err)
	}
	f.Expect(f.Do("GET", sandbox+"/documents/"+id, nil, h), 200)
}

func TestPresignedRedirect(t *testing.T) {
	t.Parallel()
	testenv.RequireS3(t)
	f := docSetup(t)
	id := f.Expect(f.upload(sandbox, f.sandboxA, "a.pdf", pdf, nil), 201).Str("data.id")
	r := f.Expect(f.Do("GET", sandbox+"/documents/"+id+"/download?redirect=1", nil, testenv.Key(f.sandboxA)), 302)
	resp, err := http.Get(r.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	got, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || !bytes.Equal(got, pdf) || !strings.Contains(resp.Header.Get("Content-Disposition"), "a.pdf") {
		t.Fatalf("presigned GET: %d %q %v", resp.StatusCode, got, resp.Header)
	}
}
