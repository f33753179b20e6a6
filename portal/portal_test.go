package portal_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/cienerp/cienerp/internal/testenv"
	"github.com/cienerp/cienerp/policy"
)

// The browser tests do not call t.Parallel: each drives a Chromium, and
// several at once on a 2-core machine took twice as long as one after the
// other (266 s against 124 s for the package).

// portal opens the portal of a fresh platform in headless Chromium and
// records console errors (which include failed requests).
type portal struct {
	t      *testing.T
	ctx    context.Context
	url    string
	mu     sync.Mutex
	errors []string
}

func open(t *testing.T) *portal {
	e := testenv.New(t)
	srv := httptest.NewServer(e.App.Handler)
	t.Cleanup(srv.Close)
	ctx := testenv.Browser(t)
	p := &portal{t: t, ctx: ctx, url: srv.URL}
	go p.collectConsole()
	p.do(chromedp.Navigate(srv.URL+"/"), chromedp.WaitVisible(css("#catalog table")), chromedp.WaitVisible(css("#module-list .route")))
	return p
}

// collectConsole records console errors and exceptions until the browser ends.
func (p *portal) collectConsole() {
	for m, err := range chromedp.Console(p.ctx) {
		if err != nil {
			return
		}
		if string(m.Type) == "error" || m.IsException() {
			p.mu.Lock()
			p.errors = append(p.errors, m.String())
			p.mu.Unlock()
		}
	}
}

func css(sel string) chromedp.CSS { return chromedp.CSS(sel) }

func (p *portal) do(actions ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	if err := chromedp.Do(p.ctx, actions...); err != nil {
		p.t.Fatal(err)
	}
}

func get[T any](p *portal, a chromedp.Action[T]) T {
	p.t.Helper()
	v, err := chromedp.Run(p.ctx, a)
	if err != nil {
		p.t.Fatal(err)
	}
	return v
}

func (p *portal) text(sel string) string  { p.t.Helper(); return get(p, chromedp.TextContent(css(sel))) }
func (p *portal) value(sel string) string { p.t.Helper(); return get(p, chromedp.Value(css(sel))) }

func (p *portal) poll(expr string) {
	p.t.Helper()
	get(p, chromedp.Poll[any](expr, chromedp.WithPollingTimeout(20*time.Second)))
}

func (p *portal) screenshot(name string) {
	p.t.Helper()
	buf := get(p, chromedp.FullScreenshot(100))
	p.t.Logf("screenshot: %s", testenv.Artifact(p.t, "portal-"+name+".png", buf))
}

// viewShot saves what the viewport shows (a dialog over a long page).
func (p *portal) viewShot(name string) {
	p.t.Helper()
	buf := get(p, chromedp.CaptureScreenshot())
	p.t.Logf("screenshot: %s", testenv.Artifact(p.t, "portal-"+name+".png", buf))
}

// waitStatus waits until the console shows a response (or a refusal).
func (p *portal) waitStatus() string {
	p.t.Helper()
	p.poll(`(() => { const s = document.getElementById("status").textContent; return s !== "Ready." && s !== "Sending…" && !s.startsWith("Waiting") })()`)
	return p.text("#status")
}

// noErrors fails on any console error, but for those containing one of
// expected (a page meant to get refusals: the browser logs each 4xx).
func (p *portal) noErrors(expected ...string) {
	p.t.Helper()
	time.Sleep(200 * time.Millisecond) // let late console messages arrive
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, e := range p.errors {
		if !slices.ContainsFunc(expected, func(x string) bool { return strings.Contains(e, x) }) {
			p.t.Fatalf("the page logged errors: %v", p.errors)
		}
	}
}

func TestPortalLoadsCleanAndShowsEverySection(t *testing.T) {
	p := open(t)
	if s := p.text("#status"); s != "Ready." {
		t.Fatalf("console status before the first request: %q", s)
	}
	if base := p.text("#base-sandbox"); base != p.url+"/api/sandbox" {
		t.Fatalf("sandbox base %q", base)
	}
	for _, sel := range []string{"#overview", "#auth", "#permissions", "#console", "#modules", "#errors", "#reference", "#graphql"} {
		p.do(chromedp.WaitVisible(css(sel)))
	}
	modules := p.text("#module-list")
	for _, m := range []string{"IT Support", "Documents", "Finance & POS", "Admin"} {
		if !strings.Contains(modules, m) {
			t.Errorf("module %q missing", m)
		}
	}
	if c := p.text("#catalog"); !strings.Contains(c, "Rows of ticket; conditions on requester_id") || !strings.Contains(c, "Shows customer.email") {
		t.Fatalf("the catalog does not show row conditions and field groups: %s", c)
	}
	if !strings.Contains(p.text("#error-list"), "The given data was invalid.") || !strings.Contains(p.text("#catalog"), "documents.verify") {
		t.Fatal("errors or catalog section incomplete")
	}
	p.poll(`document.getElementById("success-example").textContent.includes('"status": "success"')`)
	p.screenshot("loaded")
	p.noErrors()
}

func TestConsoleQuoteSampleToggleAndCurl(t *testing.T) {
	p := open(t)
	// The preloaded sample: the public quote calculation.
	if path := p.value("#path"); path != "/quote/calculate" {
		t.Fatalf("preloaded path %q", path)
	}
	p.do(chromedp.Click(css("#send")))
	if s := p.waitStatus(); !strings.HasPrefix(s, "200") {
		t.Fatalf("quote status %q", s)
	}
	if total := p.text("#grand-total"); total != "372.69 EUR" {
		t.Fatalf("grand total %q", total)
	}
	p.screenshot("quote")

	// The curl sample gets the same response.
	body := p.text("#resp-body")
	curl := p.text("#sample")
	if !strings.HasPrefix(curl, "curl ") {
		t.Fatalf("sample %q", curl)
	}
	out, err := exec.Command("bash", "-c", curl).Output()
	if err != nil {
		t.Fatalf("running the curl sample: %v", err)
	}
	var fromCurl, fromPage any
	if json.Unmarshal(out, &fromCurl) != nil || json.Unmarshal([]byte(body), &fromPage) != nil || fmt.Sprint(fromCurl) != fmt.Sprint(fromPage) {
		t.Fatalf("curl answered\n%s\nthe page showed\n%s", out, body)
	}
	for _, lang := range []string{"js", "go", "python"} {
		p.do(chromedp.Click(css(`[data-lang="` + lang + `"]`)))
		if s := p.text("#sample"); !strings.Contains(s, p.url+"/api/sandbox/quote/calculate") {
			t.Fatalf("%s sample: %s", lang, s)
		}
	}

	// The toggle switches the base URL shown and used.
	p.do(chromedp.Click(css("#env-live")))
	if base := p.text("#console-base"); base != p.url+"/api" {
		t.Fatalf("live base %q", base)
	}
	p.do(chromedp.SetValue(css("#method"), "GET"), chromedp.SetValue(css("#path"), "/ping"), chromedp.Click(css("#send")))
	p.waitStatus()
	if body := p.text("#resp-body"); !strings.Contains(body, `"environment": "live"`) {
		t.Fatalf("live ping: %s", body)
	}
	p.screenshot("live")
	p.do(chromedp.Click(css("#env-sandbox")), chromedp.Click(css("#send")))
	p.poll(`document.getElementById("resp-body").textContent.includes('"environment": "sandbox"')`)
	p.noErrors()
}

func TestConsoleShowsErrorsAndConfirmsLiveWrites(t *testing.T) {
	p := open(t)
	p.do(chromedp.SetValue(css("#method"), "GET"), chromedp.SetValue(css("#path"), "/me"),
		chromedp.SendKeys(css("#api-key"), "cien_test_wrong"), chromedp.Click(css("#send")))
	if s := p.waitStatus(); !strings.HasPrefix(s, "401") {
		t.Fatalf("bad key status %q", s)
	}
	if body := p.text("#resp-body"); !strings.Contains(body, "invalid_api_key") {
		t.Fatalf("401 body: %s", body)
	}
	p.screenshot("bad-key")

	// A write to live with no live key is not even offered for confirmation.
	p.do(chromedp.Click(css("#env-live")), chromedp.SetValue(css("#method"), "POST"),
		chromedp.SetValue(css("#path"), "/tickets"), chromedp.SetValue(css("#body"), `{"title":"from the portal"}`),
		chromedp.Click(css("#send")))
	if s := p.waitStatus(); !strings.HasPrefix(s, "Paste a live key") {
		t.Fatalf("live write without a key: %q", s)
	}
	if open := get(p, chromedp.Evaluate[bool](`document.getElementById("confirm-live").open`)); open {
		t.Fatal("the live confirmation opened with an empty key")
	}
	// With a key it asks first, the previous answer gone; cancelling sends nothing.
	p.do(chromedp.SendKeys(css("#api-key"), "cien_live_wrong"), chromedp.Click(css("#send")), chromedp.WaitVisible(css("#confirm-live")))
	if body := p.text("#resp-body"); body != "" {
		t.Fatalf("the previous response stays on screen while confirming: %q", body)
	}
	p.screenshot("confirm-live")
	p.do(chromedp.Click(css("#confirm-cancel")))
	if s := p.waitStatus(); !strings.HasPrefix(s, "Cancelled") {
		t.Fatalf("after cancel: %q", s)
	}
	// Confirming sends it (and the server refuses the unknown key).
	p.do(chromedp.Click(css("#send")), chromedp.WaitVisible(css("#confirm-live")), chromedp.Click(css("#confirm-ok")))
	p.poll(`document.getElementById("status").textContent.startsWith("401")`)
	// Invalid JSON never leaves the page.
	p.do(chromedp.Click(css("#env-sandbox")), chromedp.SetValue(css("#body"), `{"title":`), chromedp.Click(css("#send")))
	if s := p.waitStatus(); !strings.Contains(s, "not valid JSON") {
		t.Fatalf("invalid JSON: %q", s)
	}
}

func TestTryItFillsTheConsoleAndKeyboardSends(t *testing.T) {
	p := open(t)
	p.do(chromedp.Click(css(`button[aria-label="Try GET /ping"]`)))
	if path := p.value("#path"); path != "/ping" {
		t.Fatalf("try it filled %q", path)
	}
	// Send by keyboard: the Send button has focus after "Try it".
	p.do(chromedp.KeyEvent("\r"))
	if s := p.waitStatus(); !strings.HasPrefix(s, "200") {
		t.Fatalf("keyboard send: %q", s)
	}
}

func TestPhoneWidthAndReference(t *testing.T) {
	p := open(t)
	p.do(chromedp.EmulateViewport(375, 800))
	width := get(p, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
	if width > 380 {
		t.Fatalf("the page scrolls sideways on a phone: %d px wide", width)
	}
	p.screenshot("phone")
	p.do(chromedp.EmulateViewport(1280, 900), chromedp.Navigate(p.url+"/docs/reference/"),
		chromedp.WaitVisible(css(".swagger-ui .info .title")))
	if title := p.text(".swagger-ui .info .title"); !strings.Contains(title, "Cien ERP API") {
		t.Fatalf("reference title %q", title)
	}
	p.screenshot("reference")
	p.noErrors()
}

func TestGraphQLExplorerRunsAQueryWithTheConsoleKey(t *testing.T) {
	e := testenv.New(t)
	tn := e.Tenant("acme")
	_, key := e.Key(tn.ID, policy.Sandbox, "admin")
	e.Expect(e.Do("POST", "/api/sandbox/tickets", map[string]any{"title": "From the explorer test", "requester_id": tn.Owner.ID}, testenv.Key(key)), 201)
	srv := httptest.NewServer(e.App.Handler)
	t.Cleanup(srv.Close)
	p := &portal{t: t, ctx: testenv.Browser(t), url: srv.URL}
	go p.collectConsole()
	// The key typed in the console carries over to the explorer.
	p.do(chromedp.Navigate(srv.URL+"/"), chromedp.WaitVisible(css("#api-key")), chromedp.SendKeys(css("#api-key"), key),
		chromedp.SetValue(css("#method"), "GET"), chromedp.SetValue(css("#path"), "/me"), chromedp.Click(css("#send")))
	if s := p.waitStatus(); !strings.HasPrefix(s, "200") {
		t.Fatalf("console /me: %q", s)
	}
	p.do(chromedp.Navigate(srv.URL+"/api/sandbox/graphql"), chromedp.WaitVisible(css(".graphiql-container")),
		chromedp.Click(css(".graphiql-execute-button")))
	p.poll(`document.querySelector(".graphiql-response") && document.querySelector(".graphiql-response").textContent.includes("From the explorer test")`)
	p.screenshot("graphql-explorer")
	p.noErrors()
}

// TestGraphQLExplorerRunsASubscription: a subscription typed in the
// explorer goes over the WebSocket; a REST change shows in its results,
// and a revoked key's socket says why it closed.
func TestGraphQLExplorerRunsASubscription(t *testing.T) {
	e := testenv.New(t)
	e.RunBackground()
	tn := e.Tenant("acme")
	keyID, key := e.Key(tn.ID, policy.Sandbox, "admin")
	srv := httptest.NewServer(e.App.Handler)
	t.Cleanup(srv.Close)
	p := &portal{t: t, ctx: testenv.Browser(t), url: srv.URL}
	go p.collectConsole()
	p.do(chromedp.Navigate(srv.URL+"/"), chromedp.WaitVisible(css("#api-key")), chromedp.SendKeys(css("#api-key"), key))
	query := strings.ReplaceAll(`subscription { ticketChanged { title status } }`, " ", "%20")
	p.do(chromedp.Navigate(srv.URL+"/api/sandbox/graphql?query="+query), chromedp.WaitVisible(css(".graphiql-execute-button")),
		chromedp.Click(css(".graphiql-execute-button")))
	for deadline := time.Now().Add(10 * time.Second); e.App.Realtime.Subscribers() == 0; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the explorer's subscription never reached the server")
		}
	}
	e.Expect(e.Do("POST", "/api/sandbox/tickets", map[string]any{"title": "Pushed to the explorer", "requester_id": tn.Owner.ID}, testenv.Key(key)), 201)
	p.poll(`document.querySelector(".graphiql-response") && document.querySelector(".graphiql-response").textContent.includes("Pushed to the explorer")`)
	p.screenshot("graphql-explorer-subscription")
	e.Expect(e.Do("POST", "/api/sandbox/settings/integration-keys/"+keyID.String()+"/revoke", nil, testenv.Key(key)), 200)
	p.poll(`document.querySelector(".graphiql-response").textContent.includes("The socket closed (4403)")`)
	p.noErrors()
}

// TestAssetsAreRevalidatedNotRefetched: every embedded asset (the portal's
// and the API reference's) has its content's hash as ETag, so a browser
// revalidates it and gets a 304 without a body instead of the whole file
// (GraphiQL is 3.5 MB) on every page.
func TestAssetsAreRevalidatedNotRefetched(t *testing.T) {
	t.Parallel()
	e := testenv.New(t)
	for _, path := range []string{"/portal/graphiql/graphiql.min.js", "/portal/portal.js", "/docs/reference/swagger-ui-bundle.js", "/docs/reference/swagger-initializer.js"} {
		first := e.Do("GET", path, nil, nil)
		tag := first.Header.Get("ETag")
		if first.Code != 200 || tag == "" || first.Header.Get("Cache-Control") != "no-cache" || len(first.Raw) == 0 {
			t.Fatalf("%s: %d, ETag %q, Cache-Control %q", path, first.Code, tag, first.Header.Get("Cache-Control"))
		}
		again := e.Do("GET", path, nil, testenv.H{"If-None-Match": tag})
		if again.Code != 304 || len(again.Raw) != 0 {
			t.Fatalf("%s revalidated: %d with %d bytes", path, again.Code, len(again.Raw))
		}
		if other := e.Do("GET", path, nil, testenv.H{"If-None-Match": `"stale"`}); other.Code != 200 || len(other.Raw) != len(first.Raw) {
			t.Fatalf("%s with a stale tag: %d", path, other.Code)
		}
	}
}
