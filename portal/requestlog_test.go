package portal_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/cienerp/cienerp/policy"
)

// TestSettingsRequestLog: an owner reads a key's requests in the Request
// log page as a person would: filters, a request's details with its
// decision, the Errors tab leading to the request, the key's chart, the
// live tail picking up a new request, and live mode without the tail; at
// 375 px too, with axe.
func TestSettingsRequestLog(t *testing.T) {
	a := openSettings(t)
	_, secret := a.e.Key(a.acme.ID, policy.Sandbox, "viewer")
	send := func(method, path, rid string) {
		t.Helper()
		req, _ := http.NewRequest(method, a.url+"/api/sandbox"+path, strings.NewReader(`{"name":"x"}`))
		req.Header.Set("X-API-Key", secret)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Request-ID", rid)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
	}
	flush := func() {
		t.Helper()
		if err := a.e.App.RequestLog.Flush(a.e.Ctx); err != nil {
			t.Fatal(err)
		}
	}
	send("GET", "/tickets", "ui-list")
	send("POST", "/customers", "ui-denied")
	send("GET", "/tickets/00000000-0000-0000-0000-000000000000", "ui-missing")
	flush()

	a.signIn(a.acme.Owner)
	// Changing the key's roles shows what the change does to its logged
	// requests before anything is saved: viewer → accountant loses the
	// ticket list and gains the customer create.
	a.do(chromedp.Click(css(`button[aria-label="Change roles of test key"]`)),
		chromedp.Click(css(`tr.editor input[value="viewer"]`)), chromedp.Click(css(`tr.editor input[value="accountant"]`)),
		chromedp.Click(css(`tr.editor button[type=submit]`)))
	a.poll(`document.querySelector("#ask .sim-summary") !== null`)
	if sim := a.text("#ask .simulation"); !strings.Contains(sim, "decided the other way") || !strings.Contains(sim, "GET /tickets") || !strings.Contains(sim, "POST /customers") {
		t.Fatalf("the simulator's answer before a key's roles change: %s", sim)
	}
	a.screenshot("settings-key-roles-simulation")
	a.do(chromedp.Click(css("#ask-cancel")))
	a.poll(`!document.getElementById("ask").open`)
	a.page("requests")
	if rows := a.text("#requests tbody"); !strings.Contains(rows, "POST /customers") || !strings.Contains(rows, "GET /tickets/{id}") {
		t.Fatalf("the request log: %s", rows)
	}
	a.do(chromedp.SendKeys(css("#log-status"), "4xx"), chromedp.Click(css(`#log-filters button[type=submit]`)))
	a.drawn("requests")
	if n := get(a.portal, chromedp.Evaluate[int](`document.querySelectorAll("#requests tr[data-request]").length`)); n != 2 {
		t.Fatalf("status 4xx shows %d requests, want 2", n)
	}
	a.do(chromedp.Click(css(`button[aria-label="Details of request ui-denied"]`)))
	a.poll(`(document.querySelector("#requests .request-detail") || {textContent: ""}).textContent.includes("finance.customers.create")`)
	if d := a.text("#requests .request-detail"); !strings.Contains(d, "denied") || !strings.Contains(d, "No event.") {
		t.Fatalf("the denied request's details: %s", d)
	}
	a.screenshot("settings-request-log")
	a.accessible("Request log")

	a.do(chromedp.Click(css("#log-tab-errors")))
	a.drawn("requests")
	if e := a.text("#requests tbody"); !strings.Contains(e, "forbidden") || !strings.Contains(e, "POST /customers") || !strings.Contains(e, "not_found") {
		t.Fatalf("the errors tab: %s", e)
	}
	a.screenshot("settings-request-log-errors")
	a.accessible("Request log errors")
	a.do(chromedp.Click(css(`#requests tbody button.link[title="Open this request"]`)))
	a.poll(`document.getElementById("requests").textContent.includes("Requests with id")`)
	a.drawn("requests")

	a.do(chromedp.Click(css("#log-tab-keys")))
	a.drawn("requests")
	a.poll(`document.getElementById("usage-figures") !== null`)
	if f := a.text("#usage-figures"); !strings.Contains(f, "3 requests, 2 errors") {
		t.Fatalf("the key's figures: %s", f)
	}
	if bars := get(a.portal, chromedp.Evaluate[int](`document.querySelectorAll(".usage-chart rect.bar-requests").length`)); bars < 24 {
		t.Fatalf("the chart has %d hour bars over 24 hours", bars)
	}
	a.screenshot("settings-request-log-key")
	a.accessible("Request log key chart")

	// The live tail: a request made now appears without a reload.
	a.do(chromedp.Click(css("#log-tab-requests")))
	a.drawn("requests")
	a.do(chromedp.Click(css(`#log-filters button[type=reset]`)))
	a.poll(`document.querySelectorAll("#requests tr[data-request]").length >= 3 && !document.getElementById("requests").textContent.includes("Requests with id")`)
	a.drawn("requests")
	a.do(chromedp.Click(css("#log-tail")))
	a.poll(`document.getElementById("tail-note").textContent.includes("Watching")`)
	send("GET", "/tickets", "ui-tail")
	flush()
	a.poll(`document.querySelector('button[aria-label="Details of request ui-tail"]') !== null`)
	a.do(chromedp.Click(css("#log-tail")))

	a.do(chromedp.EmulateViewport(375, 800))
	a.fitsPhone("requests")
	a.accessible("Request log at 375 px")
	a.screenshot("settings-phone-request-log")
	a.do(chromedp.EmulateViewport(1280, 900))

	a.do(chromedp.Click(css("#env-live")))
	a.poll(`document.getElementById("requests").textContent.includes("The live tail is offered in sandbox.")`)
	a.drawn("requests")
	if rows := a.text("#requests tbody"); strings.Contains(rows, "/customers") {
		t.Fatalf("live mode shows sandbox requests: %s", rows)
	}
	a.accessible("Request log, live")
	a.screenshot("settings-request-log-live")
	a.noErrors(refusalLogged)
}
