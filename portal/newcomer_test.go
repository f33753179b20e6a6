package portal_test

import (
	"fmt"
	"net"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/cienerp/cienerp/internal/testenv"
)

// newcomer opens the portal of a fresh platform with its demo tenant, as
// "cienerp serve" creates and prints it, in a fresh browser.
func newcomer(t *testing.T) (*portal, string) {
	e := testenv.New(t)
	demo, err := e.App.EnsureDemo(e.Ctx)
	if err != nil || demo == nil {
		t.Fatalf("demo: %v", err)
	}
	srv := httptest.NewServer(e.App.Handler)
	t.Cleanup(srv.Close)
	p := &portal{t: t, ctx: testenv.Browser(t), url: srv.URL}
	go p.collectConsole()
	return p, demo.SandboxKey
}

// TestNewcomersFirstHour follows a newcomer with nothing but the printed
// sandbox key: portal → console → a ticket → the explorer (schema, docs, a
// query and a mutation) → the reference (sandbox selected, a call made),
// with no console error and no stack trace on the way.
func TestNewcomersFirstHour(t *testing.T) {
	p, key := newcomer(t)
	p.do(chromedp.Navigate(p.url+"/"), chromedp.WaitVisible(css("#start")), chromedp.WaitVisible(css("#module-list .route")))
	if s := p.text("#start"); !strings.Contains(s, "sandbox key") || !strings.Contains(s, "cienerp key create") {
		t.Fatalf("first steps do not say where a key comes from: %s", s)
	}

	// Console: paste the key, Try it on POST /tickets, pick the requester.
	p.do(chromedp.SendKeys(css("#api-key"), key), chromedp.Click(css(`button[aria-label="Try POST /tickets"]`)),
		chromedp.WaitVisible(css("#param-requester_id")))
	p.poll(`document.querySelectorAll("#choices-requester_id option").length > 0`)
	p.do(chromedp.Evaluate[chromedp.Void](`(() => { const i = document.getElementById("param-requester_id");
		i.value = document.querySelector("#choices-requester_id option").value; i.dispatchEvent(new Event("input", {bubbles: true})); })()`))
	p.do(chromedp.Click(css("#send")))
	if s := p.waitStatus(); !strings.HasPrefix(s, "201") {
		t.Fatalf("create a ticket: %q %s", s, p.text("#resp-body"))
	}
	if !strings.Contains(p.text("#sample"), "/api/sandbox/tickets") || strings.Contains(p.text("#sample"), "{requester_id}") {
		t.Errorf("the sample does not carry the chosen id: %s", p.text("#sample"))
	}

	// Products & stock from the console: each Try it sends its documented
	// example, and the examples follow on (the product, a location, a receipt of it).
	for _, c := range []struct{ route, object string }{{"POST /products", "product"}, {"POST /stock/locations", "stock_location"}, {"POST /stock/movements", "stock_movement"}} {
		p.do(chromedp.Click(css(`button[aria-label="Try `+c.route+`"]`)), chromedp.Click(css("#send")))
		p.poll(fmt.Sprintf(`document.getElementById("resp-body").textContent.includes('"object": "%s"')`, c.object))
		if s := p.text("#status"); !strings.HasPrefix(s, "201") {
			t.Fatalf("%s from the console: %q %s", c.route, s, p.text("#resp-body"))
		}
	}

	// Explorer: the key carried over, the schema and its docs load, a query
	// and a mutation run.
	p.do(chromedp.Navigate(p.url+"/api/sandbox/graphql"), chromedp.WaitVisible(css(".graphiql-container")))
	if hint := get(p, chromedp.Evaluate[bool](`document.getElementById("key-hint").hidden`)); !hint {
		t.Error("the key hint shows although the console's key carried over")
	}
	p.do(chromedp.Click(css(`button[aria-label="Show Documentation Explorer"]`)))
	p.poll(`document.querySelector(".graphiql-doc-explorer") && document.querySelector(".graphiql-doc-explorer").textContent.includes("Query")`)
	p.do(chromedp.Click(css(".graphiql-execute-button")))
	p.poll(`document.querySelector(".graphiql-response") && document.querySelector(".graphiql-response").textContent.includes("Printer on floor 2 jams")`)
	p.screenshot("newcomer-explorer")
	p.do(chromedp.Navigate(p.url+`/api/sandbox/graphql?query=`+strings.ReplaceAll(`mutation { createCustomer(input: {name: "From the explorer"}) { id name } }`, " ", "%20")),
		chromedp.WaitVisible(css(".graphiql-execute-button")), chromedp.Click(css(".graphiql-execute-button")))
	p.poll(`document.querySelector(".graphiql-response") && document.querySelector(".graphiql-response").textContent.includes("From the explorer")`)
	if r := p.text(".graphiql-response"); strings.Contains(r, "TypeError") || strings.Contains(r, "    at ") {
		t.Errorf("the explorer shows a stack trace: %s", r)
	}

	// Reference: the sandbox server is selected and a call with the key works.
	p.do(chromedp.Navigate(p.url+"/docs/reference/"), chromedp.WaitVisible(css(".swagger-ui .info .title")))
	if server := p.value(".servers select"); server != "/api/sandbox" {
		t.Errorf("reference server %q, want /api/sandbox", server)
	}
	if link := p.text("#portal-link"); !strings.Contains(link, "Developer portal") || !strings.Contains(link, "sandbox") {
		t.Errorf("no way back to the portal: %q", link)
	}
	p.do(chromedp.Click(css("#operations-Auth-getMe .opblock-summary")), chromedp.WaitVisible(css("#operations-Auth-getMe .try-out__btn")),
		chromedp.Click(css("#operations-Auth-getMe .try-out__btn")), chromedp.Click(css("#operations-Auth-getMe .execute")))
	p.poll(`(() => { const c = document.querySelector("#operations-Auth-getMe .live-responses-table tr.response .response-col_status"); return c && c.textContent.trim().startsWith("200") })()`)
	p.screenshot("newcomer-reference")
	p.noErrors()
}

// TestExplorerWithoutAKey: opened directly, the explorer shows where the
// key goes, loads the schema anyway (Docs and autocomplete work), sends
// nothing to the endpoint until a key is there, and never shows an
// exception; the live explorer asks for a live key. Before, its "…"
// placeholder made fetch throw, and introspection was refused.
func TestExplorerWithoutAKey(t *testing.T) {
	p, _ := newcomer(t)
	for _, c := range []struct{ path, prefix string }{{"/api/sandbox/graphql", "cien_test_"}, {"/api/graphql", "cien_live_"}} {
		p.do(chromedp.Navigate(p.url+c.path), chromedp.WaitVisible(css(".graphiql-container")), chromedp.WaitVisible(css("#key-hint")))
		if hint := p.text("#key-hint"); !strings.Contains(hint, c.prefix) {
			t.Errorf("%s: hint %q, want %s", c.path, hint, c.prefix)
		}
		p.do(chromedp.Click(css(`button[aria-label="Show Documentation Explorer"]`)))
		p.poll(`document.querySelector(".graphiql-doc-explorer") && document.querySelector(".graphiql-doc-explorer").textContent.includes("Query")`)
		p.do(chromedp.Click(css(".graphiql-execute-button")))
		p.poll(`document.querySelector(".graphiql-response") && document.querySelector(".graphiql-response").textContent.includes("Paste your key")`)
		if r := p.text(".graphiql-response"); strings.Contains(r, "ISO-8859-1") || strings.Contains(r, "TypeError") {
			t.Errorf("%s: %s", c.path, r)
		}
	}
	p.screenshot("explorer-no-key")
	p.noErrors()
}

// TestConsoleReadsGraphQLAnswersAndUploads: a failing GraphQL query shows
// its errors (not "msgs.join is not a function"), and POST /documents
// sends the chosen file as multipart.
func TestConsoleReadsGraphQLAnswersAndUploads(t *testing.T) {
	p, key := newcomer(t)
	p.do(chromedp.Navigate(p.url+"/"), chromedp.WaitVisible(css("#module-list .route")),
		chromedp.SendKeys(css("#api-key"), key), chromedp.Click(css(`button[aria-label="Try POST /graphql"]`)),
		chromedp.SetValue(css("#body"), `{"query":"{ nope }"}`), chromedp.Click(css("#send")))
	p.waitStatus()
	if s := p.text("#summary"); !strings.Contains(s, "nope") || strings.Contains(p.text("#status"), "Network error") {
		t.Errorf("GraphQL errors: status %q, summary %q", p.text("#status"), s)
	}

	p.do(chromedp.Click(css(`button[aria-label="Try POST /documents"]`)), chromedp.WaitVisible(css("#file")))
	p.do(chromedp.Evaluate[chromedp.Void](`(() => { const dt = new DataTransfer();
		dt.items.add(new File(["hello from the console"], "note.txt", {type: "text/plain"}));
		const f = document.getElementById("file"); f.files = dt.files; f.dispatchEvent(new Event("change", {bubbles: true})); })()`))
	if s := p.text("#sample"); !strings.Contains(s, "-F 'file=@note.txt'") {
		t.Errorf("upload sample: %s", s)
	}
	p.do(chromedp.Click(css("#send")))
	if s := p.waitStatus(); !strings.HasPrefix(s, "201") || !strings.Contains(p.text("#resp-body"), `"filename": "note.txt"`) {
		t.Fatalf("upload: %q %s", s, p.text("#resp-body"))
	}
	// Copy says it copied (or that it could not).
	p.do(chromedp.Click(css("#copy")))
	p.poll(`document.getElementById("copied").textContent !== ""`)
	p.noErrors()
}

// TestHeadingsStayClearOfTheHeader: after a nav click the section's
// heading is below the sticky header (which holds the sandbox/live
// toggle), on a phone and on a desktop, and the base URLs break only after
// a slash.
func TestHeadingsStayClearOfTheHeader(t *testing.T) {
	p, _ := newcomer(t)
	for _, width := range []int64{375, 1280} {
		p.do(chromedp.EmulateViewport(width, 800), chromedp.Navigate(p.url+"/"), chromedp.WaitVisible(css("#module-list .route")),
			chromedp.Click(css(`nav a[href="#console"]`)))
		p.poll(`document.getElementById("console").getBoundingClientRect().top < 200`)
		covered := get(p, chromedp.Evaluate[bool](`(() => {
			const header = document.querySelector(".top").getBoundingClientRect();
			const fixed = getComputedStyle(document.querySelector(".top")).position === "sticky";
			const h = document.querySelector("#console h2").getBoundingClientRect();
			return fixed && h.top < header.bottom;
		})()`))
		if covered {
			p.screenshot("covered")
			t.Errorf("at %d px the header covers the console heading", width)
		}
	}
	if broken := get(p, chromedp.Evaluate[bool](`getComputedStyle(document.querySelector("#base-sandbox")).overflowWrap === "anywhere"`)); broken {
		t.Error("base URLs may break inside a word")
	}
	p.noErrors()
}

// TestPortalWarnsOverPlainHTTP: opened over plain HTTP from another host
// the portal says that keys travel in clear text and links to HTTPS; on
// this machine it does not.
func TestPortalWarnsOverPlainHTTP(t *testing.T) {
	e := testenv.New(t)
	ln, err := net.Listen("tcp", "127.0.0.2:0")
	if err != nil {
		t.Skipf("no second loopback address: %v", err)
	}
	srv := httptest.NewUnstartedServer(e.App.Handler)
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)
	p := &portal{t: t, ctx: testenv.Browser(t), url: srv.URL}
	go p.collectConsole()
	p.do(chromedp.Navigate(srv.URL+"/"), chromedp.WaitVisible(css("#http-warning")))
	if link := p.text("#https-link"); link != "https://"+strings.TrimPrefix(srv.URL, "http://")+"/" {
		t.Errorf("HTTPS link %q", link)
	}
	local, _ := newcomer(t)
	local.do(chromedp.Navigate(local.url+"/"), chromedp.WaitVisible(css("#start")))
	if hidden := get(local, chromedp.Evaluate[bool](`document.getElementById("http-warning").hidden`)); !hidden {
		t.Error("the warning shows on this machine")
	}
	p.noErrors()
}
