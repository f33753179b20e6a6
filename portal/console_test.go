package portal_test

import (
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/cienerp/cienerp/internal/testenv"
	"github.com/cienerp/cienerp/policy"
)

// TestConsoleCredentialsStreamsAndForms: the console sends a member's
// bearer token with X-Tenant-ID (it could only send keys); shows an event
// stream as it arrives, until Stop; offers a file picker only on routes
// that take an upload, whichever way the route was chosen; and its Python
// sample of an upload keeps repeated form fields (tags), run for real.
func TestConsoleCredentialsStreamsAndForms(t *testing.T) {
	e := testenv.New(t)
	e.RunBackground()
	tn := e.Tenant("acme")
	other := e.Tenant("globex")
	member := e.User(other.ID, tn.Owner.Email, "viewer") // the acme owner is in globex too
	_, key := e.Key(tn.ID, policy.Sandbox, "admin")
	srv := httptest.NewServer(e.App.Handler)
	t.Cleanup(srv.Close)
	p := &portal{t: t, ctx: testenv.Browser(t), url: srv.URL}
	go p.collectConsole()
	p.do(chromedp.Navigate(srv.URL+"/"), chromedp.WaitVisible(css("#module-list .route")))

	// A bearer token, with the tenant picked by X-Tenant-ID.
	tok := e.Expect(e.Do("POST", "/api/auth/token", map[string]any{"grant_type": "password", "username": member.Email, "password": member.Password, "tenant": "acme"}, nil), 200).Str("access_token")
	p.choose("#auth-scheme", "bearer")
	p.do(chromedp.SetValue(css("#api-key"), tok), chromedp.SetValue(css("#tenant"), "acme"), chromedp.SetValue(css("#method"), "GET"),
		chromedp.SetValue(css("#path"), "/me"), chromedp.Click(css("#send")))
	if s := p.waitStatus(); !strings.HasPrefix(s, "200") || !strings.Contains(p.text("#resp-body"), `"tenant_slug": "acme"`) && !strings.Contains(p.text("#resp-body"), tn.ID.String()) {
		t.Fatalf("bearer /me: %s %s", s, p.text("#resp-body"))
	}
	if !strings.Contains(p.text("#sample"), "Authorization: Bearer ") || strings.Contains(p.text("#sample"), "X-API-Key") {
		t.Fatalf("the sample does not send the bearer token: %s", p.text("#sample"))
	}

	// An event stream shows as it comes, until Stop.
	p.choose("#auth-scheme", "key")
	get(p, chromedp.Evaluate[any](`document.getElementById("tenant").value = ""; true`))
	p.do(chromedp.SetValue(css("#api-key"), key), chromedp.SetValue(css("#path"), "/events/stream"), chromedp.Click(css("#send")))
	p.poll(`document.getElementById("status").textContent.includes("streaming")`)
	e.Expect(e.Do("POST", "/api/sandbox/customers", map[string]any{"name": "Streamed to the console"}, testenv.Key(key)), 201)
	p.poll(`document.getElementById("resp-body").textContent.includes("Streamed to the console")`)
	p.do(chromedp.WaitVisible(css("#stop")))
	p.screenshot("console-stream")
	p.do(chromedp.Click(css("#stop")))
	p.poll(`document.getElementById("status").textContent.includes("stopped") && document.getElementById("stop").hidden`)
	for deadline := time.Now().Add(5 * time.Second); e.App.Realtime.Subscribers() != 0; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("Stop left the stream open on the server")
		}
	}

	// The file picker follows the route: typed, chosen from the list, or by Try it.
	pick := func(method, path string) bool {
		p.do(chromedp.SetValue(css("#method"), method), chromedp.SetValue(css("#path"), path))
		get(p, chromedp.Evaluate[any](`document.getElementById("path").dispatchEvent(new Event("change")); document.getElementById("method").dispatchEvent(new Event("change")); true`))
		return !get(p, chromedp.Evaluate[bool](`document.getElementById("file-row").hidden`))
	}
	if !pick("POST", "/documents") {
		t.Error("no file picker on POST /documents")
	}
	if pick("POST", "/customers") || pick("GET", "/documents") || pick("PATCH", "/documents/{id}") {
		t.Error("a file picker on a JSON route")
	}

	// The Python sample of an upload sends every tag.
	if !pick("POST", "/documents") {
		t.Fatal("no file picker on POST /documents")
	}
	dir := t.TempDir()
	pdf := filepath.Join(dir, "contract.pdf")
	if err := os.WriteFile(pdf, []byte("%PDF-1.4\n%%EOF\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p.do(chromedp.SetValue(css("#body"), `{"title": "Contract", "tags": ["legal", "2026"]}`), chromedp.SetUploadFiles(css("#file"), []string{pdf}))
	get(p, chromedp.Evaluate[any](`document.getElementById("body").dispatchEvent(new Event("input", {bubbles: true})); true`))
	p.do(chromedp.Click(css(`[data-lang="python"]`)))
	sample := p.text("#sample")
	if !strings.Contains(sample, `("tags", "legal"), ("tags", "2026")`) {
		t.Fatalf("the Python sample drops a tag: %s", sample)
	}
	cmd := exec.Command("python3", "-c", sample)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("running the Python sample: %v\n%s", err, out)
	}
	if !strings.HasPrefix(string(out), "201") || !strings.Contains(string(out), "'legal'") || !strings.Contains(string(out), "'2026'") {
		t.Fatalf("the Python sample's upload: %s", out)
	}
	p.noErrors()
}
