package portal_test

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/cienerp/cienerp/ent/customer"
	"github.com/cienerp/cienerp/ent/privacy"
	"github.com/cienerp/cienerp/internal/testenv"
	"github.com/cienerp/cienerp/policy"
)

// liveGuard is a platform with a sandbox and a live key of one tenant,
// and the browser on it with both keys in the portal's session storage.
type liveGuard struct {
	*portal
	e *testenv.Env
}

func openWithKeys(t *testing.T) *liveGuard {
	e := testenv.New(t)
	tn := e.Tenant("acme")
	_, sandboxKey := e.Key(tn.ID, policy.Sandbox, "admin")
	_, liveKey := e.Key(tn.ID, policy.Live, "admin")
	srv := httptest.NewServer(e.App.Handler)
	t.Cleanup(srv.Close)
	p := &portal{t: t, ctx: testenv.Browser(t), url: srv.URL}
	go p.collectConsole()
	p.do(chromedp.Navigate(srv.URL+"/"), chromedp.WaitVisible(css("#api-key")))
	get(p, chromedp.Evaluate[any](`sessionStorage.setItem("cien-portal-key-sandbox", "`+sandboxKey+`");
		sessionStorage.setItem("cien-portal-key-live", "`+liveKey+`"); true`))
	return &liveGuard{portal: p, e: e}
}

// customers counts the customers of env, past the privacy layer.
func (g *liveGuard) customers(env string) int {
	g.t.Helper()
	n, err := g.e.App.DB.Client.Customer.Query().Where(customer.EnvEQ(policy.Env(env))).Count(privacy.DecisionContext(context.Background(), privacy.Allow))
	if err != nil {
		g.t.Fatal(err)
	}
	return n
}

// sel is a CSS selector as a JavaScript expression for its element.
func sel(s string) string {
	b, _ := json.Marshal(s)
	return "document.querySelector(" + string(b) + ")"
}

func (g *liveGuard) liveBar() bool {
	g.t.Helper()
	return get(g.portal, chromedp.Evaluate[bool](`!document.getElementById("live-bar").hidden && document.body.classList.contains("live")`))
}

// TestExplorerLiveMutationsAsk: the GraphQL explorer has the portal's
// sandbox/live toggle; in sandbox there is no bar and a mutation runs at
// once; the toggle moves to the live endpoint, where the red bar shows and
// a mutation asks first: cancelled, nothing is sent; confirmed, it runs.
// Queries never ask. Checked at 375 px too. Before, live mutations ran at
// once, with no bar and no toggle.
func TestExplorerLiveMutationsAsk(t *testing.T) {
	g := openWithKeys(t)
	mutation := strings.ReplaceAll(`mutation { createCustomer(input: {name: "Made in the explorer"}) { id name } }`, " ", "%20")
	run := func() { g.do(chromedp.Click(css(".graphiql-execute-button"))) }
	response := `(document.querySelector(".graphiql-response") ? document.querySelector(".graphiql-response").textContent : "")`

	g.do(chromedp.Navigate(g.url+"/api/sandbox/graphql?query="+mutation), chromedp.WaitVisible(css(".graphiql-execute-button")), chromedp.WaitVisible(css("#env-sandbox")))
	if g.liveBar() {
		t.Fatal("the live bar shows in the sandbox explorer")
	}
	run()
	g.poll(response + `.includes("Made in the explorer")`)
	if n := g.customers("sandbox"); n != 1 {
		t.Fatalf("the sandbox mutation made %d customers", n)
	}
	if open := get(g.portal, chromedp.Evaluate[bool](`!!document.getElementById("ask") && document.getElementById("ask").open`)); open {
		t.Fatal("a sandbox mutation asked")
	}
	g.screenshot("explorer-sandbox")

	// The toggle takes the explorer to live.
	g.do(chromedp.Click(css("#env-live")), chromedp.Sleep(time.Second), chromedp.WaitVisible(css(".graphiql-execute-button")))
	if path := get(g.portal, chromedp.Evaluate[string](`window.location.pathname`)); path != "/api/graphql" {
		t.Fatalf("the toggle took the explorer to %s", path)
	}
	g.do(chromedp.Navigate(g.url+"/api/graphql?query="+mutation), chromedp.WaitVisible(css(".graphiql-execute-button")))
	if !g.liveBar() {
		t.Fatal("no live bar in the live explorer")
	}
	before := g.customers("live")
	run()
	g.do(chromedp.WaitVisible(css("#ask")))
	g.screenshot("explorer-live-ask")
	// Ours on this page (GraphiQL's own widgets are not): the header with the toggle and bar, and the question.
	g.accessible("explorer header and question", `{include: ["header.top", "#ask"]}`)
	g.do(chromedp.Click(css("#ask-cancel")))
	g.poll(response + `.includes("Cancelled: nothing was sent to live.")`)
	if n := g.customers("live"); n != before {
		t.Fatalf("a cancelled live mutation wrote %d customers", n-before)
	}
	run()
	g.do(chromedp.WaitVisible(css("#ask")), chromedp.Click(css("#ask-ok")))
	g.poll(response + `.includes("Made in the explorer")`)
	if n := g.customers("live"); n != before+1 {
		t.Fatalf("a confirmed live mutation wrote %d customers (sandbox has %d): %s", n-before, g.customers("sandbox"), get(g.portal, chromedp.Evaluate[string](response)))
	}
	// A query does not ask.
	g.do(chromedp.Navigate(g.url+"/api/graphql?query="+strings.ReplaceAll(`{ customers { totalCount } }`, " ", "%20")),
		chromedp.WaitVisible(css(".graphiql-execute-button")))
	run()
	g.poll(response + `.includes("totalCount")`)
	g.do(chromedp.EmulateViewport(375, 800))
	g.screenshot("explorer-live-375")
	g.noErrors()
}

// TestReferenceLiveWritesAsk: the API reference has the toggle and the
// live bar; on live, "Try it out" on a write asks first (cancelled: nothing
// is sent), while sandbox writes and every GET run at once; a list's
// metadata filter is sent empty, not as placeholder keys. Before, live
// writes ran at once and the filter sent additionalProp1=string.
func TestReferenceLiveWritesAsk(t *testing.T) {
	g := openWithKeys(t)
	post := `.opblock-post:has(.opblock-summary-path[data-path="/customers"])`
	list := `.opblock-get:has(.opblock-summary-path[data-path="/customers"])`
	// Try it out sends the documented example body.
	tryPost := func() {
		g.do(chromedp.Click(css(post+" .opblock-summary")), chromedp.WaitVisible(css(post+" .try-out__btn")), chromedp.Click(css(post+" .try-out__btn")),
			chromedp.WaitVisible(css(post+" .execute")), chromedp.Click(css(post+" .execute")))
	}

	for _, env := range []string{"sandbox", "live"} {
		get(g.portal, chromedp.Evaluate[any](`sessionStorage.setItem("cien-portal-env", "`+env+`"); true`))
		g.do(chromedp.Navigate(g.url+"/docs/reference/"), chromedp.WaitVisible(css(post)), chromedp.WaitVisible(css("#env-"+env)))
		if g.liveBar() != (env == "live") {
			t.Fatalf("%s: live bar shown = %v", env, g.liveBar())
		}
		before := g.customers(env)
		tryPost()
		if env == "sandbox" {
			g.poll(`(` + sel(post+" .live-responses-table tbody .response-col_status") + ` || {textContent: ""}).textContent.includes("201")`)
		} else {
			g.do(chromedp.WaitVisible(css("#ask")))
			g.viewShot("reference-live-ask")
			g.accessible("reference header and question", `{include: ["header.top", "#ask"]}`)
			g.do(chromedp.Click(css("#ask-cancel")))
			g.poll(`(` + sel(post+" .live-responses-table tbody") + ` || {textContent: ""}).textContent.includes("Cancelled: nothing was sent to live.")`)
			if n := g.customers(env); n != before {
				t.Fatalf("a cancelled live write wrote %d customers", n-before)
			}
			g.do(chromedp.Click(css(post+" .execute")), chromedp.WaitVisible(css("#ask")), chromedp.Click(css("#ask-ok")))
			g.poll(`(` + sel(post+" .live-responses-table tbody .response-col_status") + ` || {textContent: ""}).textContent.includes("201")`)
		}
		if n := g.customers(env); n != before+1 {
			t.Fatalf("%s: the write made %d customers", env, n-before)
		}
		// A GET with the metadata filter runs at once, without placeholder keys.
		g.do(chromedp.Click(css(list+" .opblock-summary")), chromedp.WaitVisible(css(list+" .try-out__btn")), chromedp.Click(css(list+" .try-out__btn")),
			chromedp.Click(css(list+" .execute")))
		g.poll(`!!` + sel(list+" .request-url"))
		if url := g.text(list + " .request-url"); strings.Contains(url, "additionalProp") || strings.Contains(url, "metadata") {
			t.Errorf("%s: Try it out sent %s", env, url)
		}
		g.poll(`(` + sel(list+" .live-responses-table tbody .response-col_status") + ` || {textContent: ""}).textContent.includes("200")`)
		g.viewShot("reference-" + env)
	}
	g.do(chromedp.EmulateViewport(375, 800), chromedp.Navigate(g.url+"/docs/reference/"), chromedp.WaitVisible(css(post)))
	if !g.liveBar() {
		t.Fatal("no live bar on the reference at 375 px")
	}
	g.viewShot("reference-live-375")
	g.noErrors("Cancelled: nothing was sent to live.")
}
