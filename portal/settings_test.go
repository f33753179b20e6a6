package portal_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/cienerp/cienerp/app"
	"github.com/cienerp/cienerp/internal/testenv"
	"github.com/cienerp/cienerp/modules/admin"
	"github.com/cienerp/cienerp/modules/finance"
	"github.com/cienerp/cienerp/modules/itsupport"
	"github.com/cienerp/cienerp/modules/settings"
	"github.com/cienerp/cienerp/policy"
)

// console drives the Settings console of a fresh platform with the tenant
// acme, in headless Chromium, as a tenant admin would.
type console struct {
	*portal
	e    *testenv.Env
	acme testenv.Tenant
}

func openSettings(t *testing.T, opts ...testenv.Options) *console {
	e := testenv.New(t, opts...)
	acme := e.Tenant("acme")
	srv := httptest.NewServer(e.App.Handler)
	t.Cleanup(srv.Close)
	p := &portal{t: t, ctx: testenv.Browser(t), url: srv.URL}
	go p.collectConsole()
	return &console{portal: p, e: e, acme: acme}
}

// signIn signs in on /settings with the login form and waits for the
// first page.
func (a *console) signIn(u testenv.User) {
	a.t.Helper()
	a.do(chromedp.Navigate(a.url+"/settings"), chromedp.WaitVisible(css("#email")),
		chromedp.SendKeys(css("#email"), u.Email), chromedp.SendKeys(css("#password"), u.Password),
		chromedp.Click(css("#signin-submit")), chromedp.WaitVisible(css("#app")))
	a.drawn("keys")
}

// page opens a settings page by its tab and waits until it is drawn.
func (a *console) page(id string) {
	a.t.Helper()
	// Scrolled down, the tabs are under the sticky header, where a click
	// would land on the header: go back up first, as a person would.
	if get(a.portal, chromedp.Evaluate[string](`window.scrollTo(0, 0), location.hash`)) != "#"+id {
		a.do(chromedp.Click(css(`.tabs a[href="#` + id + `"]`)))
	}
	a.drawn(id)
}

func (a *console) drawn(id string) {
	a.t.Helper()
	a.poll(fmt.Sprintf(`(() => { const s = document.getElementById(%q), b = s.querySelector(".page-body");
		return !s.hidden && b.children.length > 0 && !b.textContent.startsWith("Loading") && !b.hasAttribute("aria-busy") })()`, id))
}

// text reads an element's text in the page itself: the pages re-draw
// often, and a node looked up first and read after may be gone.
func (a *console) text(sel string) string {
	a.t.Helper()
	a.poll(fmt.Sprintf(`document.querySelector(%q) !== null`, sel))
	return get(a.portal, chromedp.Evaluate[string](fmt.Sprintf(`(document.querySelector(%q) || {textContent: ""}).textContent`, sel)))
}

// choose picks value in a select, as a person's choice (a change event).
func (p *portal) choose(sel, value string) {
	p.t.Helper()
	get(p, chromedp.Evaluate[bool](fmt.Sprintf(`(() => { const s = document.querySelector(%q); s.value = %q; return s.dispatchEvent(new Event("change")) })()`, sel, value)))
}

// confirm answers the open question (the ask dialog) with its OK button.
func (a *console) confirm() {
	a.t.Helper()
	a.do(chromedp.WaitVisible(css("#ask")), chromedp.Click(css("#ask-ok")))
	a.poll(`!document.getElementById("ask").open`)
}

// waitStatus waits until the page's status area holds want, and returns it.
func (a *console) waitStatus(want string) string {
	a.t.Helper()
	if _, err := chromedp.Run(a.ctx, chromedp.Poll[any](fmt.Sprintf(`document.getElementById("page-status").textContent.includes(%q)`, want),
		chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		a.screenshot("status-timeout")
		a.t.Fatalf("the status never said %q (%v); it says %q", want, err, a.text("#page-status"))
	}
	return a.text("#page-status")
}

// accessible runs axe-core (npm, from the conformance clients) on the page
// and fails on any serious or critical violation.
func (a *console) accessible(name string) { a.portal.accessible(name, "document") }

// accessible runs axe-core on the part of the page that context (a
// JavaScript expression: document, or {include: [...]}) names.
func (p *portal) accessible(name, context string) {
	p.t.Helper()
	src, err := os.ReadFile(filepath.Join(testenv.ConformanceDir(), "node_modules", "axe-core", "axe.min.js"))
	if err != nil {
		testenv.Unavailable(p.t, "axe-core is not installed: run npm ci in %s (scripts/test does)", testenv.ConformanceDir())
	}
	get(p, chromedp.Evaluate[any](string(src)+";true"))
	type violation struct {
		ID, Impact, Help string
		Nodes            []string
	}
	found := get(p, chromedp.Evaluate[[]violation](`axe.run(`+context+`, { resultTypes: ["violations"] }).then((r) => r.violations
		.filter((v) => v.impact === "serious" || v.impact === "critical")
		.map((v) => ({ ID: v.id, Impact: v.impact, Help: v.help, Nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ")) })))`, chromedp.EvalAwaitPromise))
	for _, v := range found {
		p.t.Errorf("%s: axe %s (%s): %s at %v", name, v.ID, v.Impact, v.Help, v.Nodes)
	}
}

// fitsPhone checks that nothing pushes the page wider than 375 px.
func (a *console) fitsPhone(name string) {
	a.t.Helper()
	if w := get(a.portal, chromedp.Evaluate[int](`document.documentElement.scrollWidth`)); w > 375 {
		a.screenshot(name + "-too-wide")
		a.t.Errorf("%s is %d px wide at 375 px", name, w)
	}
}

// refusalLogged is how the browser logs a 4xx answer: not a page error
// on pages meant to get refusals.
const refusalLogged = "Failed to load resource: the server responded with a status of 4"

// call is a request from outside the browser; it returns the status and body.
func (a *console) call(method, path, auth string, body any) (int, map[string]any) {
	a.t.Helper()
	var rd *strings.Reader
	if body != nil {
		raw, _ := json.Marshal(body)
		rd = strings.NewReader(string(raw))
	} else {
		rd = strings.NewReader("")
	}
	req, _ := http.NewRequest(method, a.url+path, rd)
	req.Header.Set("Authorization", auth)
	req.Header.Set("X-Tenant-ID", "acme")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer res.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(res.Body).Decode(&out)
	return res.StatusCode, out
}

// bearer signs u in at the token endpoint and returns its Authorization value.
func (a *console) bearer(u testenv.User) string {
	a.t.Helper()
	res, err := http.PostForm(a.url+"/api/sandbox/auth/token", url.Values{"grant_type": {"password"}, "username": {u.Email}, "password": {u.Password}, "tenant": {"acme"}})
	if err != nil {
		a.t.Fatal(err)
	}
	defer res.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(res.Body).Decode(&tok); err != nil || tok.AccessToken == "" {
		a.t.Fatalf("token for %s: %d %v", u.Email, res.StatusCode, err)
	}
	return "Bearer " + tok.AccessToken
}

// consoleSend sends GET path from the portal's API console with key.
func (a *console) consoleSend(key, path string) string {
	a.t.Helper()
	a.do(chromedp.Navigate(a.url+"/#console"), chromedp.WaitVisible(css("#module-list .route")),
		chromedp.SetValue(css("#api-key"), key), chromedp.SetValue(css("#method"), "GET"), chromedp.SetValue(css("#path"), path),
		chromedp.Click(css("#send")))
	return a.portal.waitStatus()
}

// TestSettingsKeysWorkInTheConsole: a key created in Settings is shown
// once and works in the console; revoked there, the console gets 403; the
// header's toggle switches the keys listed and the console's base URL, and
// survives a reload.
func TestSettingsKeysWorkInTheConsole(t *testing.T) {
	a := openSettings(t)
	a.e.Key(a.acme.ID, policy.Live, "viewer") // "test key", live only
	a.signIn(a.acme.Owner)
	if !strings.Contains(a.text("#keys"), "Keys of the sandbox environment") || strings.Contains(a.text("#keys tbody"), "test key") {
		t.Fatalf("sandbox keys page: %s", a.text("#keys"))
	}
	a.do(chromedp.SendKeys(css("#new-key-name"), "Console key"), chromedp.Click(css("#new-key-roles-it-agent")), chromedp.Click(css("#create-key-submit")),
		chromedp.WaitVisible(css("#key-secret .secret-value")))
	secret := a.text("#key-secret .secret-value")
	if !strings.HasPrefix(secret, "cien_test_") || !strings.Contains(a.text("#key-secret"), "will not be shown again") {
		t.Fatalf("the new key's secret panel: %q", a.text("#key-secret"))
	}
	if row := a.text("#keys tbody"); !strings.Contains(row, "Console key") || !strings.Contains(row, "it-agent") || !strings.Contains(row, a.acme.Owner.Email) {
		t.Fatalf("the key list does not show the new key with its roles and creator: %s", row)
	}
	a.screenshot("settings-keys")
	a.accessible("Integration keys")

	if s := a.consoleSend(secret, "/tickets"); !strings.HasPrefix(s, "200") {
		t.Fatalf("the new key in the console: %q %s", s, a.text("#resp-body"))
	}

	a.do(chromedp.Navigate(a.url + "/settings#keys"))
	a.drawn("keys")
	a.do(chromedp.Click(css(`button[aria-label="Revoke Console key"]`)))
	a.confirm()
	a.waitStatus("Revoked")
	if !strings.Contains(a.text("#keys tbody"), "revoked") {
		t.Fatalf("the revoked key's status: %s", a.text("#keys tbody"))
	}
	if s := a.consoleSend(secret, "/tickets"); !strings.HasPrefix(s, "403") || !strings.Contains(a.text("#resp-body"), "revoked") {
		t.Fatalf("the revoked key in the console: %q %s", s, a.text("#resp-body"))
	}

	// The toggle in the header: live keys, the live base URL, the bar.
	a.do(chromedp.Navigate(a.url + "/settings#keys"))
	a.drawn("keys")
	a.do(chromedp.Click(css("#env-live")))
	a.poll(`document.getElementById("keys").textContent.includes("Keys of the live environment")`)
	a.drawn("keys")
	if list := a.text("#keys tbody"); !strings.Contains(list, "test key") || strings.Contains(list, "Console key") {
		t.Fatalf("live keys: %s", list)
	}
	if bar := a.text("#live-bar"); !strings.Contains(bar, "You are viewing live data") || !get(a.portal, chromedp.Evaluate[bool](`!document.getElementById("live-bar").hidden`)) {
		t.Fatal("the live bar is not shown")
	}
	a.screenshot("settings-live")
	// A write to live asks first; cancelled, nothing is created.
	a.do(chromedp.SendKeys(css("#new-key-name"), "Live key"), chromedp.Click(css("#new-key-roles-viewer")), chromedp.Click(css("#create-key-submit")),
		chromedp.WaitVisible(css("#ask")))
	if q := a.text("#ask"); !strings.Contains(q, "Change live data?") || !strings.Contains(q, "POST /settings/integration-keys") {
		t.Fatalf("the live confirmation: %q", q)
	}
	a.screenshot("settings-live-confirm")
	a.do(chromedp.Click(css("#ask-cancel")))
	a.waitStatus("Cancelled: nothing was changed.")
	if st, body := a.call("GET", "/api/settings/integration-keys", a.bearer(a.acme.Owner), nil); st != 200 || strings.Contains(fmt.Sprint(body), "Live key") {
		t.Fatalf("a cancelled live write created the key: %d %v", st, body)
	}
	a.do(chromedp.Click(css("#create-key-submit")))
	a.confirm()
	a.do(chromedp.WaitVisible(css("#key-secret .secret-value")))
	if s := a.text("#key-secret .secret-value"); !strings.HasPrefix(s, "cien_live_") {
		t.Fatalf("the confirmed live key: %q", s)
	}
	a.do(chromedp.Navigate(a.url+"/"), chromedp.WaitVisible(css("#module-list .route")))
	if base := a.text("#console-base"); base != a.url+"/api" {
		t.Fatalf("after a reload the console's base is %q", base)
	}
	a.do(chromedp.Click(css("#env-sandbox")))
	if base := a.text("#console-base"); base != a.url+"/api/sandbox" {
		t.Fatalf("the header toggle left the console at %q", base)
	}

	a.do(chromedp.Navigate(a.url + "/settings#audit"))
	a.drawn("audit")
	if log := a.text("#audit tbody"); !strings.Contains(log, "integration_key.created") || !strings.Contains(log, "integration_key.revoked") {
		t.Fatalf("the audit log page misses the key's changes: %s", log)
	}
	a.noErrors(refusalLogged)
}

// TestSettingsMatrixFlipsAMembersAccess: unticking a permission of a role
// in the matrix (after its diff) turns a member's request from 200 to 403,
// ticking it again back to 200; wildcards show as such; explain agrees.
func TestSettingsMatrixFlipsAMembersAccess(t *testing.T) {
	a := openSettings(t)
	cashier := a.e.User(a.acme.ID, "cashier@acme.test", "cashier")
	auth := a.bearer(cashier)
	customers := func() int { st, _ := a.call("GET", "/api/sandbox/customers", auth, nil); return st }
	if st := customers(); st != 200 {
		t.Fatalf("the cashier lists customers: %d", st)
	}
	a.signIn(a.acme.Owner)
	a.page("roles")
	a.screenshot("settings-roles")
	a.accessible("Roles & permissions")
	if locked := get(a.portal, chromedp.Evaluate[bool](`(() => { const b = document.getElementById("perm-admin-finance_customers_view");
		return b.checked && b.disabled && b.parentElement.textContent.includes("via finance.*") })()`)); !locked {
		t.Fatal("the admin role's finance.* does not show as the wildcard granting finance.customers.view")
	}

	toggle := func(want int, mark string) {
		t.Helper()
		a.do(chromedp.Click(css("#perm-cashier-finance_customers_view")), chromedp.Click(css("#save-matrix")), chromedp.WaitVisible(css("#matrix-diff")))
		if d := a.text("#matrix-diff"); !strings.Contains(d, "cashier") || !strings.Contains(d, mark+" finance.customers.view") {
			t.Fatalf("the diff before saving: %q", d)
		}
		if sim := a.text("#ask .sim-summary"); !strings.Contains(sim, "Logged traffic") {
			t.Fatalf("the simulator's answer before saving: %q", sim)
		}
		a.screenshot("settings-roles-diff")
		a.confirm()
		a.waitStatus("Saved: cashier.")
		if st := customers(); st != want {
			t.Fatalf("after the matrix change the cashier's request is %d, want %d", st, want)
		}
	}
	toggle(403, "−")
	a.drawn("roles")
	toggle(200, "+")

	a.drawn("roles")
	a.do(chromedp.SetValue(css("#explain-subject"), "user:"+cashier.ID.String()), chromedp.SetValue(css("#explain-permission"), finance.CustomersView),
		chromedp.Click(css(`#explain button[type=submit]`)), chromedp.WaitVisible(css("#explain-result dl")))
	if r := a.text("#explain-result"); !strings.Contains(r, "Allowed") || !strings.Contains(r, "cashier") {
		t.Fatalf("explain: %s", r)
	}

	// Create a role: it gets a column; rename and describe it; delete it.
	a.do(chromedp.SendKeys(css("#new-role-name"), "help-desk"), chromedp.SendKeys(css("#new-role-description"), "First line"),
		chromedp.Click(css(`#create-role button[type=submit]`)))
	a.waitStatus("Created the role “help-desk”")
	a.do(chromedp.WaitVisible(css("#perm-help-desk-documents_view")))
	a.choose("#edit-role-pick", "help-desk")
	a.do(chromedp.SetValue(css("#edit-role-name"), "first-line"), chromedp.SetValue(css("#edit-role-description"), "First-line support"),
		chromedp.Click(css(`#edit-role button[type=submit]`)))
	a.waitStatus("Saved the role “first-line”")
	if st, r := a.call("GET", "/api/sandbox/admin/roles/first-line", a.bearer(a.acme.Owner), nil); st != 200 || !strings.Contains(fmt.Sprint(r), "First-line support") {
		t.Fatalf("the renamed role: %d %v", st, r)
	}
	a.choose("#edit-role-pick", "owner")
	if del := get(a.portal, chromedp.Evaluate[bool](`document.getElementById("delete-role").disabled`)); !del {
		t.Fatal("a built-in role offers Delete")
	}
	a.choose("#edit-role-pick", "first-line")
	a.do(chromedp.Click(css("#delete-role")))
	a.confirm()
	a.waitStatus("Deleted the role “first-line”")
	if st, _ := a.call("GET", "/api/sandbox/admin/roles/first-line", a.bearer(a.acme.Owner), nil); st != 404 {
		t.Fatalf("the deleted role: %d", st)
	}

	a.page("audit")
	if log := a.text("#audit tbody"); strings.Count(log, "role.updated") < 2 {
		t.Fatalf("the audit log page misses the two role changes: %s", log)
	}
	// The oldest role.updated is the matrix's first save (newest first).
	get(a.portal, chromedp.Evaluate[bool](`[...document.querySelectorAll("#audit tr[data-event]")].findLast((r) => r.cells[2].textContent === "role.updated").querySelector("button[aria-expanded]").click(), true`))
	a.do(chromedp.WaitVisible(css("#audit tr.details:not([hidden]) table.diff")))
	if d := a.text("#audit tr.details:not([hidden]) table.diff"); !strings.Contains(d, "permissions") || !strings.Contains(d, finance.CustomersView) {
		t.Fatalf("the role change's before/after: %s", d)
	}
	a.screenshot("settings-audit")
	a.accessible("Audit log")
	a.noErrors()
}

// TestSettingsMembersLockoutAndPolicyImport: the lockout rule's refusal
// shows as the server words it; an invite shows the generated password
// once; a policy file's dry-run diff is shown, then applied; the audit log
// links a request id to all of its events.
func TestSettingsMembersLockoutAndPolicyImport(t *testing.T) {
	a := openSettings(t)
	owner := a.acme.Owner
	a.signIn(owner)
	a.page("members")
	a.do(chromedp.Click(css(`button[aria-label="Set roles of `+owner.Email+`"]`)),
		chromedp.Click(css("#member-roles-"+owner.ID.String()+"-owner")), chromedp.Click(css("#member-roles-"+owner.ID.String()+"-viewer")),
		chromedp.Click(css(`tr.editor button[type=submit]`)))
	a.poll(`document.querySelector("#ask .sim-summary") !== null`) // the simulator answers first
	a.confirm()
	msg := a.waitStatus("HTTP 422")
	if !strings.Contains(msg, "admin.policies.manage") {
		t.Fatalf("the lockout refusal: %q", msg)
	}
	a.screenshot("settings-members-lockout")
	if st, m := a.call("GET", "/api/sandbox/me", a.bearer(owner), nil); st != 200 || !strings.Contains(fmt.Sprint(m["data"]), "owner") {
		t.Fatalf("the refused change changed something: %d %v", st, m)
	}

	a.page("members")
	a.do(chromedp.SendKeys(css("#invite-email"), "new.agent@acme.test"), chromedp.Click(css("#invite-roles-it-agent")),
		chromedp.Click(css(`#invite button[type=submit]`)), chromedp.WaitVisible(css("#member-secret .secret-value")))
	password := a.text("#member-secret .secret-value")
	if len(password) < 12 || !strings.Contains(a.text("#members tbody"), "new.agent@acme.test") {
		t.Fatalf("the invite: password %q, list %s", password, a.text("#members tbody"))
	}
	a.bearer(testenv.User{Email: "new.agent@acme.test", Password: password}) // the shown password signs in
	a.accessible("Members")

	// Import: today's policy plus a role, dry run first.
	st, doc := a.call("GET", "/api/sandbox/admin/policy", a.bearer(owner), nil)
	if st != 200 {
		t.Fatalf("export: %d", st)
	}
	data := doc["data"].(map[string]any)
	data["roles"] = append(data["roles"].([]any), map[string]any{"name": "auditor", "description": "Reads the audit trail", "permissions": []string{admin.AuditView}})
	file := filepath.Join(t.TempDir(), "policy.json")
	raw, _ := json.Marshal(data)
	if err := os.WriteFile(file, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	a.page("policy")
	a.do(chromedp.Click(css("#export-policy")))
	a.waitStatus("Downloaded policy.json.")
	a.do(chromedp.SetUploadFiles(css("#import-file"), []string{file}), chromedp.WaitVisible(css("#apply-import")))
	if d := a.text("#import-diff"); !strings.Contains(d, "Role created: auditor") {
		t.Fatalf("the dry-run diff: %q", d)
	}
	a.poll(`document.querySelector("#import-result .sim-summary") !== null`)
	if sim := a.text("#import-result .sim-summary"); !strings.Contains(sim, "No logged request is affected") {
		t.Fatalf("the simulator's answer to the import: %q", sim)
	}
	if st, _ := a.call("GET", "/api/sandbox/admin/roles/auditor", a.bearer(owner), nil); st != 404 {
		t.Fatalf("the dry run created the role: %d", st)
	}
	a.screenshot("settings-policy-diff")
	a.accessible("Policy")
	a.do(chromedp.Click(css("#apply-import")))
	a.waitStatus("The policy was imported.")
	if st, _ := a.call("GET", "/api/sandbox/admin/roles/auditor", a.bearer(owner), nil); st != 200 {
		t.Fatalf("the applied import: GET the new role %d", st)
	}

	a.page("audit")
	log := a.text("#audit tbody")
	for _, action := range []string{"policy.imported", "member.added"} {
		if !strings.Contains(log, action) {
			t.Fatalf("the audit log page misses %s: %s", action, log)
		}
	}
	// The import's request id lists every event of that request, and only those.
	a.do(chromedp.Click(css(`#audit tbody tr[data-event] button.request-link`)))
	a.poll(`document.getElementById("audit").textContent.includes("Every event of request")`)
	a.drawn("audit")
	rows := get(a.portal, chromedp.Evaluate[[]string](`[...document.querySelectorAll("#audit tbody tr[data-event]")].map((r) => r.cells[2].textContent)`))
	if len(rows) == 0 || strings.Contains(strings.Join(rows, " "), "member.added") {
		t.Fatalf("the request's events: %v", rows)
	}
	a.noErrors(refusalLogged)
}

// TestSettingsViewerSeesWhatItLacks: a viewer signs in and sees every
// settings page read-only, each naming the permission it lacks; the pages
// fit a phone and pass axe there.
func TestSettingsViewerSeesWhatItLacks(t *testing.T) {
	a := openSettings(t)
	viewer := a.e.User(a.acme.ID, "viewer@acme.test", "viewer")
	a.do(chromedp.EmulateViewport(375, 800))
	a.signIn(viewer)
	needs := map[string]string{"keys": settings.IntegrationKeysManage, "roles": admin.PoliciesManage, "members": admin.PoliciesManage,
		"policy": admin.PoliciesManage, "audit": admin.AuditView, "requests": settings.RequestLogsView, "webhooks": settings.WebhooksManage}
	for _, id := range []string{"keys", "roles", "members", "policy", "audit", "requests", "webhooks"} {
		a.page(id)
		if text := a.text("#" + id + " .needs"); !strings.Contains(text, needs[id]) || !strings.Contains(text, "viewer") {
			t.Errorf("%s: %q", id, text)
		}
		if n := get(a.portal, chromedp.Evaluate[int](`document.querySelectorAll("#`+id+` form, #`+id+` button").length`)); n != 0 {
			t.Errorf("%s offers %d controls to a viewer", id, n)
		}
		a.fitsPhone(id)
	}
	a.screenshot("settings-viewer")
	a.accessible("viewer")
	a.do(chromedp.Click(css("#sign-out")), chromedp.WaitVisible(css("#signin")))
	if kept := get(a.portal, chromedp.Evaluate[bool](`sessionStorage.getItem("cien-settings-session") !== null`)); kept {
		t.Fatal("signing out kept the session")
	}
	a.screenshot("settings-signin")
	a.accessible("Sign in")
	a.noErrors()
}

// TestSettingsWebhooks: an endpoint created in Settings shows its secret
// once; a test sends a ping whose delivery and attempt are listed.
func TestSettingsWebhooks(t *testing.T) {
	a := openSettings(t, func(c *app.Config) { c.WebhookAllowPrivate = true })
	a.e.RunBackground()
	rc := testenv.NewReceiver(t)
	a.signIn(a.acme.Owner)
	a.page("webhooks")
	a.do(chromedp.SendKeys(css("#endpoint-url"), rc.URL), chromedp.SetValue(css("#endpoint-types"), "ticket.*"),
		chromedp.Click(css(`#create-endpoint button[type=submit]`)), chromedp.WaitVisible(css("#endpoint-secret .secret-value")))
	if s := a.text("#endpoint-secret .secret-value"); !strings.HasPrefix(s, "whsec_") {
		t.Fatalf("the endpoint's secret: %q", s)
	}
	a.do(chromedp.Click(css(`button[aria-label="Send test to ` + rc.URL + `"]`)))
	a.waitStatus("A ping was queued")
	rc.WaitFor(t, 1, 10*time.Second)
	// The ping is delivered by the background worker: reopen the list until it says so.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		a.do(chromedp.Click(css(`button[aria-label="Deliveries of ` + rc.URL + `"]`)))
		a.drawn("webhooks")
		a.do(chromedp.WaitVisible(css("#deliveries tr[data-delivery]")))
		if strings.Contains(a.text("#deliveries tbody"), "delivered") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the ping's delivery: %s", a.text("#deliveries"))
		}
	}
	a.do(chromedp.Click(css(`#deliveries button[aria-label^="Attempts of"]`)), chromedp.WaitVisible(css("#deliveries tr.details table")))
	if att := a.text("#deliveries tr.details"); !strings.Contains(att, "200") {
		t.Fatalf("the delivery's attempts: %s", att)
	}
	// Retry, Send test and Disable, down the page: the page is drawn again
	// in place (the deliveries and the open attempts stay, and so does the
	// scroll position), and the outcome shows beside the button, on screen.
	a.do(chromedp.EmulateViewport(1280, 500))
	for _, c := range []struct{ button, says string }{
		{`#deliveries button[aria-label^="Retry"]`, "is sent again"},
		{`button[aria-label="Send test to ` + rc.URL + `"]`, "A ping was queued"},
		{`button[aria-label="Disable ` + rc.URL + `"]`, "Disabled"},
	} {
		get(a.portal, chromedp.Evaluate[any](fmt.Sprintf(`document.querySelector(%q).scrollIntoView({block: "center"}); true`, c.button)))
		before := get(a.portal, chromedp.Evaluate[float64](`window.scrollY`))
		a.do(chromedp.Click(css(c.button)))
		a.waitStatus(c.says)
		a.drawn("webhooks")
		a.poll(`!!document.querySelector("#deliveries tr.details:not([hidden]) table")`)
		where := get(a.portal, chromedp.Evaluate[[]float64](`(() => { const r = document.getElementById("page-status").getBoundingClientRect(); return [r.top, r.bottom, window.innerHeight, window.scrollY] })()`))
		if where[0] < 0 || where[1] > where[2] {
			a.viewShot("settings-status-offscreen")
			t.Errorf("%s: the outcome is off screen (top %v, bottom %v of %v)", c.button, where[0], where[1], where[2])
		}
		if before > 0 && where[3] == 0 {
			t.Errorf("%s: the page jumped back to the top", c.button)
		}
	}
	a.viewShot("settings-webhooks-beside")
	a.do(chromedp.EmulateViewport(1280, 900))
	a.screenshot("settings-webhooks")
	a.accessible("Webhooks")
	a.noErrors()
}

// TestSettingsTenantPicker: a user in two tenants picks one; the pages
// follow the choice.
func TestSettingsTenantPicker(t *testing.T) {
	a := openSettings(t)
	globex := a.e.Tenant("globex")
	both := a.e.User(globex.ID, a.acme.Owner.Email, "viewer") // owner in acme, viewer in globex
	a.signIn(both)
	if opts := get(a.portal, chromedp.Evaluate[[]string](`[...document.querySelectorAll("#tenant-picker option")].map((o) => o.value).sort()`)); fmt.Sprint(opts) != "[acme globex]" {
		t.Fatalf("the tenant picker offers %v", opts)
	}
	a.choose("#tenant-picker", "acme")
	a.poll(`document.getElementById("who").textContent.endsWith("owner")`)
	a.drawn("keys")
	if n := get(a.portal, chromedp.Evaluate[int](`document.querySelectorAll("#create-key").length`)); n != 1 {
		t.Fatal("the owner of acme cannot create keys there")
	}
	a.choose("#tenant-picker", "globex")
	a.poll(`document.getElementById("who").textContent.endsWith("viewer")`)
	a.drawn("keys")
	if text := a.text("#keys .needs"); !strings.Contains(text, settings.IntegrationKeysManage) {
		t.Fatalf("in globex, where the user is a viewer: %q", text)
	}
	a.noErrors()
}

// TestSettingsPagesFitAPhone: every page an owner sees, at 375 px, with
// no horizontal scrolling of the page and no serious axe finding.
func TestSettingsPagesFitAPhone(t *testing.T) {
	a := openSettings(t)
	a.do(chromedp.EmulateViewport(375, 800))
	a.signIn(a.acme.Owner)
	for _, id := range []string{"keys", "roles", "members", "policy", "audit", "requests", "webhooks"} {
		a.page(id)
		a.fitsPhone(id)
		a.accessible(id + " at 375 px")
		a.screenshot("settings-phone-" + id)
	}
	a.noErrors()
}

// TestSettingsConditionEditorPreviewsAndSaves: the row-condition editor
// shows a grant's condition, checks and previews what the admin types as
// the server would decide ("would see 1 of 3 tickets", the unknown field
// named), saves it, and the matrix and explain show it; the member's
// requests follow at once.
func TestSettingsConditionEditorPreviewsAndSaves(t *testing.T) {
	a := openSettings(t)
	me := a.e.User(a.acme.ID, "me@acme.test", "requester")
	bob := a.e.User(a.acme.ID, "bob@acme.test", "viewer")
	owner := a.bearer(a.acme.Owner)
	var bobs string
	for _, r := range []string{me.ID.String(), bob.ID.String(), bob.ID.String()} {
		st, body := a.call("POST", "/api/sandbox/tickets", owner, map[string]any{"title": "T", "requester_id": r})
		if st != 201 {
			t.Fatalf("seed: %d %v", st, body)
		}
		bobs = body["data"].(map[string]any)["id"].(string)
	}
	mine := func() int {
		_, body := a.call("GET", "/api/sandbox/tickets", a.bearer(me), nil)
		return len(body["data"].([]any))
	}
	if n := mine(); n != 1 {
		t.Fatalf("the requester sees %d tickets before the change", n)
	}
	a.signIn(a.acme.Owner)
	a.page("roles")
	a.choose("#cond-role", "requester")
	a.choose("#cond-permission", itsupport.TicketsView)
	if v := get(a.portal, chromedp.Evaluate[string](`document.getElementById("cond-json").value`)); !strings.Contains(v, "requester_id") {
		t.Fatalf("the editor does not show the grant's condition: %q", v)
	}
	a.choose("#cond-subject", "user:"+me.ID.String())
	a.poll(`document.getElementById("cond-preview").textContent.includes("would see 1 of 3 tickets")`)
	typeCond := func(s string) {
		t.Helper()
		get(a.portal, chromedp.Evaluate[bool](`(document.getElementById("cond-json").value = "", true)`))
		a.do(chromedp.SendKeys(css("#cond-json"), s))
	}
	typeCond(`{"requester_id": `)
	a.poll(`document.getElementById("cond-preview").textContent.includes("Not JSON yet")`)
	typeCond(`{"requestor_id": {"_eq": "$user"}}`)
	a.poll(`document.getElementById("cond-preview").textContent.includes('unknown field "requestor_id"')`)
	if !get(a.portal, chromedp.Evaluate[bool](`document.getElementById("save-condition").disabled`)) {
		t.Fatal("an invalid condition can be saved")
	}
	typeCond(`{"status": {"_eq": "open"}}`)
	a.poll(`document.getElementById("cond-preview").textContent.includes("would see 3 of 3 tickets")`)
	a.screenshot("settings-condition-editor")
	a.accessible("Row condition editor")
	a.do(chromedp.Click(css("#save-condition")))
	// The simulator answers before the condition is saved: the requester's
	// logged list of tickets stays allowed, and it would see 2 more.
	a.poll(`document.querySelector("#ask .sim-summary") !== null`)
	if sim := a.text("#ask .simulation"); !strings.Contains(sim, "No logged request is affected") || !strings.Contains(sim, "+2") {
		t.Fatalf("the simulator's answer before saving the condition: %q", sim)
	}
	a.screenshot("settings-condition-simulation")
	a.confirm()
	a.waitStatus("Saved the condition of requester on " + itsupport.TicketsView)
	if n := mine(); n != 3 {
		t.Fatalf("after saving the requester sees %d tickets, want 3", n)
	}
	a.drawn("roles")
	if cell := a.text("#perm-requester-it-support_tickets_view + .via + .cond"); !strings.Contains(cell, `"status"`) {
		t.Fatalf("the matrix does not show the condition: %q", cell)
	}
	a.do(chromedp.SetValue(css("#explain-subject"), "user:"+me.ID.String()), chromedp.SetValue(css("#explain-permission"), itsupport.TicketsView),
		chromedp.SendKeys(css("#explain-object"), bobs), chromedp.Click(css(`#explain button[type=submit]`)), chromedp.WaitVisible(css("#explain-passes")))
	if r := a.text("#explain-result"); !strings.Contains(r, "passes") || !strings.Contains(r, `"status"`) {
		t.Fatalf("explain: %s", r)
	}
	a.do(chromedp.EmulateViewport(375, 800))
	a.fitsPhone("roles")
	a.noErrors(refusalLogged) // the previews of the invalid conditions are 422s
}
