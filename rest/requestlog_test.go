package rest_test

import (
	"database/sql"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/cienerp/cienerp/internal/testenv"
	"github.com/cienerp/cienerp/policy"
	"github.com/cienerp/cienerp/requestlog"
)

// flushLog writes what the request log has queued (Background does it
// every 200 ms in a server).
func flushLog(f *fixture) {
	f.T.Helper()
	if err := f.App.RequestLog.Flush(f.Ctx); err != nil {
		f.T.Fatalf("flush the request log: %v", err)
	}
}

// TestRequestLogRecordsEveryRequest: a key's and a member's requests, good
// and bad, REST and GraphQL, are in the log with what the issue lists, and
// every filter, the detail, the error summary, the stats and the keys'
// usage read them back; GraphQL answers the same as REST.
func TestRequestLogRecordsEveryRequest(t *testing.T) {
	t.Parallel()
	f := setup(t)
	admin := testenv.Key(f.sandboxA)
	viewerKey, viewerSecret := f.Key(f.A.ID, policy.Sandbox, "viewer")
	vh := testenv.Key(viewerSecret).With("User-Agent", "nightly-sync/1.2")
	member := f.User(f.A.ID, "agent@acme.test", "it-agent")
	mh := testenv.Bearer(f.token(member, "acme"))

	created := f.Expect(f.Do("POST", sandbox+"/tickets", map[string]any{"title": "Printer", "requester_id": f.A.Owner.ID}, admin.With("Idempotency-Key", "idem-1").With("X-Request-ID", "req-create-1")), 201)
	ticketID := created.Str("data.id")
	f.Expect(f.Do("GET", sandbox+"/tickets/"+ticketID, nil, vh.With("X-Request-ID", "req-get-1")), 200)
	f.Expect(f.Do("GET", sandbox+"/tickets/00000000-0000-0000-0000-000000000000", nil, vh), 404)
	f.Expect(f.Do("POST", sandbox+"/customers", map[string]any{"name": "Nope"}, vh.With("X-Request-ID", "req-denied-1")), 403)
	f.Expect(f.Do("POST", sandbox+"/tickets", map[string]any{}, mh), 422)
	f.Expect(f.Do("GET", sandbox+"/tickets?limit=5", nil, mh), 200)
	f.Expect(f.Do("POST", sandbox+"/graphql", map[string]any{"query": "query Desk { tickets(first: 3) { totalCount } }"}, vh.With("X-Request-ID", "req-gql-1")), 200)
	f.Expect(f.Do("GET", "/api/tickets", nil, testenv.Key(f.liveA)), 200) // live: not in sandbox's log
	flushLog(f)

	list := func(q string) []map[string]any {
		t.Helper()
		r := f.Expect(f.Do("GET", sandbox+"/request-logs?"+q, nil, admin), 200)
		var out []map[string]any
		for _, x := range r.List() {
			out = append(out, x.(map[string]any))
		}
		return out
	}
	byID := func(rid string) map[string]any {
		t.Helper()
		rows := list("request_id=" + rid)
		if len(rows) != 1 {
			t.Fatalf("request_id=%s: %d rows", rid, len(rows))
		}
		return rows[0]
	}
	c := byID("req-create-1")
	for k, want := range map[string]any{"method": "POST", "route": "/tickets", "path": sandbox + "/tickets", "status": 201.0, "credential": "key:" + f.sandboxAKey.String(),
		"via": "api_key", "idempotency_key": "idem-1", "error_code": "", "permission": "it-support.tickets.create", "decision": "allowed", "role": "admin",
		"rule": "it-support.*", "environment": "sandbox", "client_ip": "127.0.0.1", "key_id": f.sandboxAKey.String()} {
		if c[k] != want {
			t.Errorf("create: %s = %v, want %v", k, c[k], want)
		}
	}
	if c["latency_ms"].(float64) <= 0 || c["key_name"] == "" {
		t.Errorf("create: latency %v, key name %q", c["latency_ms"], c["key_name"])
	}
	g := byID("req-get-1")
	if g["route"] != "/tickets/{id}" || g["user_agent"] != "nightly-sync/1.2" || g["rule"] != "it-support.tickets.view" || g["role"] != "viewer" {
		t.Errorf("get: %v", g)
	}
	d := byID("req-denied-1")
	if d["status"] != 403.0 || d["decision"] != "denied" || d["permission"] != "finance.customers.create" || d["error_code"] != "forbidden" || d["role"] != "" {
		t.Errorf("denied: %v", d)
	}
	q := byID("req-gql-1")
	if q["route"] != "/graphql" || q["operation"] != "Desk" || q["cost"].(float64) < 1 || q["permission"] != "it-support.tickets.view" {
		t.Errorf("graphql: %v", q)
	}

	// Filters.
	all := list("limit=100")
	if len(all) != 7 {
		t.Fatalf("sandbox log: %d records, want 7 (the live request is not in it)", len(all))
	}
	for q, want := range map[string]int{
		"status=4xx": 3, "status=404": 1, "status=2xx": 4, "method=post": 4, "route=" + url.QueryEscape("/tickets/{id}"): 2,
		"error_code=validation_failed": 1, "decision=denied": 1, "credential=key:" + viewerKey.String(): 4, "credential=" + viewerKey.String(): 4,
		"user=agent@acme.test": 2, "user=" + member.ID.String(): 2, "operation=Desk": 1,
		"since=" + url.QueryEscape(time.Now().Add(time.Minute).UTC().Format(time.RFC3339)): 0,
		"until=" + url.QueryEscape(time.Now().Add(time.Minute).UTC().Format(time.RFC3339)): 7,
	} {
		if got := list(q + "&limit=100"); len(got) != want {
			t.Errorf("%s: %d records, want %d", q, len(got), want)
		}
	}
	for _, bad := range []string{"status=99", "decision=maybe", "since=yesterday", "limit=0"} {
		if r := f.Do("GET", sandbox+"/request-logs?"+bad, nil, admin); r.Code != 422 {
			t.Errorf("%s: %s, want 422", bad, r)
		}
	}
	// Cursor pages: every record once, newest first.
	seen, cursor := map[string]bool{}, ""
	for page := 0; page < 10; page++ {
		r := f.Expect(f.Do("GET", sandbox+"/request-logs?limit=3&cursor="+url.QueryEscape(cursor), nil, admin), 200)
		for _, x := range r.List() {
			id := x.(map[string]any)["id"].(string)
			if seen[id] {
				t.Fatalf("page %d repeats %s", page, id)
			}
			seen[id] = true
		}
		if r.Get("meta.has_more") != true {
			break
		}
		cursor = r.Str("meta.next_cursor")
	}
	if len(seen) < 7 {
		t.Errorf("paging saw %d records, want at least 7", len(seen))
	}

	// A request with what it produced.
	det := f.Expect(f.Do("GET", sandbox+"/request-logs/req-create-1", nil, admin), 200)
	if det.Str("data.request.request_id") != "req-create-1" || det.Str("data.events.0.type") != "ticket.created" || det.Str("data.audit_events.0.action") != "ticket.created" {
		t.Errorf("detail: %s", det)
	}
	f.Expect(f.Do("GET", sandbox+"/request-logs/req-nobody", nil, admin), 404)

	// Errors, stats and usage.
	errs := f.Expect(f.Do("GET", sandbox+"/request-logs/errors", nil, admin), 200)
	codes := map[string]float64{}
	for _, x := range errs.Get("data.groups").([]any) {
		gr := x.(map[string]any)
		codes[gr["code"].(string)+" "+gr["route"].(string)] = gr["count"].(float64)
	}
	for k, want := range map[string]float64{"not_found /tickets/{id}": 1, "forbidden /customers": 1, "validation_failed /tickets": 1} {
		if codes[k] != want {
			t.Errorf("errors: %q = %v, want %v (%v)", k, codes[k], want, codes)
		}
	}
	st := f.Expect(f.Do("GET", sandbox+"/request-logs/stats?credential="+viewerKey.String()+"&since="+url.QueryEscape(time.Now().Add(-3*time.Hour).UTC().Format(time.RFC3339)), nil, admin), 200)
	sum := 0.0
	for _, b := range st.Get("data.buckets").([]any) {
		sum += b.(map[string]any)["requests"].(float64)
	}
	if st.Get("data.requests") != 4.0 || st.Get("data.errors") != 2.0 || sum != 4 || len(st.Get("data.buckets").([]any)) < 3 {
		t.Errorf("stats: %s", st)
	}
	f.Expect(f.Do("GET", sandbox+"/request-logs/stats?bucket=week", nil, admin), 422)
	keys := f.Expect(f.Do("GET", sandbox+"/settings/integration-keys", nil, admin), 200)
	for _, x := range keys.List() {
		k := x.(map[string]any)
		if k["id"] == viewerKey.String() && testenv.Dig(k, "usage.requests") != 4.0 {
			t.Errorf("keys list usage: %v", k["usage"])
		}
	}

	// GraphQL reads the same service.
	gq := f.Expect(f.Do("POST", sandbox+"/graphql", map[string]any{"query": `{
		requestLogs(first: 100, status: "4xx") { items { requestId status errorCode } hasMore }
		requestLog(requestId: "req-create-1") { request { route permission role rule } events auditEvents }
		requestLogErrors { groups { code route count } }
		requestLogStats(credential: "` + viewerKey.String() + `") { requests errors }
	}`}, admin), 200)
	if n := len(gq.Get("data.requestLogs.items").([]any)); n != 3 {
		t.Errorf("graphql requestLogs: %d, want 3: %s", n, gq)
	}
	if gq.Get("data.requestLog.request.rule") != "it-support.*" || gq.Get("data.requestLogStats.requests") != 4.0 || len(gq.Get("data.requestLog.events").([]any)) != 1 {
		t.Errorf("graphql: %s", gq)
	}

	// Only settings.request-logs.view reads it.
	if r := f.Do("GET", sandbox+"/request-logs", nil, vh); r.Code != 403 || r.Body["permission"] != "settings.request-logs.view" {
		t.Errorf("viewer: %s", r)
	}
	if r := f.Do("POST", sandbox+"/graphql", map[string]any{"query": "{ requestLogs { items { id } } }"}, vh); testenv.Dig(r.Body, "errors.0.extensions.code") != "FORBIDDEN" {
		t.Errorf("viewer graphql: %s", r)
	}
}

// TestRequestLogIsolation: a tenant reads neither another tenant's nor its
// other environment's records, by any filter, the detail, the summaries
// or GraphQL; canaries prove the records exist.
func TestRequestLogIsolation(t *testing.T) {
	t.Parallel()
	f := setup(t)
	canaries := map[string]testenv.H{
		"canary-tenant-b": testenv.Key(f.sandboxB),
		"canary-live-a":   testenv.Key(f.liveA),
	}
	bases := map[string]string{"canary-tenant-b": sandbox, "canary-live-a": live}
	for rid, h := range canaries {
		f.Expect(f.Do("GET", bases[rid]+"/tickets/00000000-0000-0000-0000-000000000000", nil, h.With("X-Request-ID", rid)), 404)
	}
	own := testenv.Key(f.sandboxA)
	f.Expect(f.Do("GET", sandbox+"/tickets", nil, own.With("X-Request-ID", "own-1")), 200)
	flushLog(f)
	// The canaries are stored: their owners read them.
	f.Expect(f.Do("GET", sandbox+"/request-logs/canary-tenant-b", nil, testenv.Key(f.sandboxB)), 200)
	f.Expect(f.Do("GET", live+"/request-logs/canary-live-a", nil, testenv.Key(f.liveA)), 200)

	for rid := range canaries {
		f.Expect(f.Do("GET", sandbox+"/request-logs/"+rid, nil, own), 404)
		if r := f.Expect(f.Do("GET", sandbox+"/request-logs?request_id="+rid, nil, own), 200); len(r.List()) != 0 {
			t.Errorf("%s leaked into the list", rid)
		}
		g := f.Expect(f.Do("POST", sandbox+"/graphql", map[string]any{"query": `{ requestLogs(requestId: "` + rid + `") { items { id } } }`}, own), 200)
		if n := len(g.Get("data.requestLogs.items").([]any)); n != 0 {
			t.Errorf("%s leaked into GraphQL", rid)
		}
	}
	r := f.Expect(f.Do("GET", sandbox+"/request-logs?limit=100", nil, own), 200)
	for _, x := range r.List() {
		if rid := x.(map[string]any)["request_id"]; strings.HasPrefix(rid.(string), "canary") {
			t.Errorf("list shows %s", rid)
		}
	}
	if e := f.Expect(f.Do("GET", sandbox+"/request-logs/errors", nil, own), 200); len(e.Get("data.groups").([]any)) != 0 {
		t.Errorf("errors summary counts other tenants' or environments' 404s: %s", e)
	}
	if s := f.Expect(f.Do("GET", sandbox+"/request-logs/stats", nil, own), 200); s.Get("data.errors") != 0.0 {
		t.Errorf("stats count other tenants' or environments' 404s: %s", s)
	}
}

// TestRequestLogKeepsNoSecret: a key's secret and bearer tokens sent every
// way a client can send them appear in no column of any stored record.
func TestRequestLogKeepsNoSecret(t *testing.T) {
	t.Parallel()
	f := setup(t)
	secret := f.sandboxA
	member := f.User(f.A.ID, "clerk@acme.test", "admin")
	tok := f.Expect(f.Do("POST", "/api/auth/token", map[string]any{"grant_type": "password", "username": member.Email, "password": member.Password, "tenant": "acme"}, nil), 200)
	access, refresh := tok.Str("access_token"), tok.Str("refresh_token")
	bearer := testenv.Bearer(access).With("X-Tenant-ID", "acme")
	for _, h := range []testenv.H{testenv.Key(secret), bearer} {
		f.Do("GET", sandbox+"/tickets/"+secret, nil, h)
		f.Do("GET", sandbox+"/tickets/"+access, nil, h)
		f.Do("GET", sandbox+"/tickets?q="+secret+"&token="+refresh, nil, h)
		f.Do("GET", sandbox+"/tickets", nil, h.With("User-Agent", "sync "+secret+" "+refresh).With("X-Request-ID", secret))
		f.Do("POST", sandbox+"/tickets", map[string]any{"title": secret, "description": access}, h.With("Idempotency-Key", secret))
		f.Do("POST", sandbox+"/graphql", map[string]any{"query": "query " + strings.ReplaceAll(secret, "-", "_") + " { tickets { totalCount } }"}, h)
		f.Do("GET", sandbox+"/tickets", nil, h.With("X-API-Key-Echo", secret))
	}
	flushLog(f)
	rows, err := f.App.DB.SQL.Query("SELECT * FROM request_logs")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	n := 0
	for rows.Next() {
		n++
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		for i, v := range vals {
			for name, s := range map[string]string{"key secret": secret, "key secret's random part": strings.TrimPrefix(secret, "cien_test_"), "access token": access, "refresh token": refresh} {
				if strings.Contains(v.String, s) {
					t.Errorf("column %s holds the %s: %q", cols[i], name, v.String)
				}
			}
		}
	}
	if n < 14 {
		t.Errorf("%d records stored, want at least 14: the test would pass by storing nothing", n)
	}
}

// TestRequestLogKeepsOddPaths: a path with a NUL, bytes that are not
// UTF-8, a tab and a backslash is recorded (readably), and so is the rest
// of its batch: one odd request must not lose the others.
func TestRequestLogKeepsOddPaths(t *testing.T) {
	t.Parallel()
	f := setup(t)
	h := testenv.Key(f.sandboxA)
	f.Do("GET", sandbox+"/tickets/a%00b%ffc%09d%5Ce", nil, h.With("X-Request-ID", "odd-1"))
	f.Expect(f.Do("GET", sandbox+"/tickets", nil, h.With("X-Request-ID", "plain-1").With("User-Agent", "tab\there")), 200)
	flushLog(f)
	for _, rid := range []string{"odd-1", "plain-1"} {
		r := f.Expect(f.Do("GET", sandbox+"/request-logs/"+rid, nil, h), 200)
		if rid == "odd-1" && r.Str("data.request.path") != sandbox+"/tickets/a\uFFFDb\uFFFDc\td\\e" {
			t.Errorf("odd path stored as %q", r.Str("data.request.path"))
		}
	}
}

// TestRequestLogRetention: records older than CIEN_REQUEST_LOG_RETENTION
// are deleted, newer ones stay.
func TestRequestLogRetention(t *testing.T) {
	t.Parallel()
	f := setup(t, func(c *appConfig) { c.RequestLogRetention = 24 * time.Hour })
	for i, age := range []time.Duration{48 * time.Hour, 25 * time.Hour, time.Hour} {
		f.App.RequestLog.Add(requestlog.Record{ID: uuid.Must(uuid.NewV7()), Time: time.Now().Add(-age), TenantID: f.A.ID, Env: "sandbox",
			Subject: "key:" + f.sandboxAKey.String(), Method: "GET", Route: "/tickets", Path: sandbox + "/tickets", Status: 200,
			RequestID: fmt.Sprintf("aged-%d", i)})
	}
	flushLog(f)
	n, err := f.App.PruneRequestLog(f.Ctx)
	if err != nil || n != 2 {
		t.Fatalf("pruned %d (%v), want the 2 records older than a day", n, err)
	}
	r := f.Expect(f.Do("GET", sandbox+"/request-logs?limit=10", nil, testenv.Key(f.sandboxA)), 200)
	if len(r.List()) != 1 || r.Str("data.0.request_id") != "aged-2" {
		t.Errorf("after pruning: %s", r)
	}
}

// TestRequestLogRecordsRefusedKeys: a known key that is refused — revoked,
// sent to the other environment, or with another tenant's X-Tenant-ID —
// is in its own tenant's and environment's log with the refusal's code;
// an unknown key is in nobody's.
func TestRequestLogRecordsRefusedKeys(t *testing.T) {
	t.Parallel()
	f := setup(t)
	admin := testenv.Key(f.sandboxA)
	revokedID, revoked := f.Key(f.A.ID, policy.Sandbox, "viewer")
	f.Expect(f.Do("POST", sandbox+"/settings/integration-keys/"+revokedID.String()+"/revoke", nil, admin), 200)
	f.Expect(f.Do("GET", sandbox+"/tickets", nil, testenv.Key(revoked).With("X-Request-ID", "refused-revoked")), 403)
	f.Expect(f.Do("GET", live+"/tickets", nil, testenv.Key(f.sandboxA).With("X-Request-ID", "refused-env")), 403)
	f.Expect(f.Do("GET", live+"/tickets", nil, testenv.Key(f.liveA).With("X-Tenant-ID", "globex").With("X-Request-ID", "refused-tenant")), 403)
	f.Expect(f.Do("GET", sandbox+"/tickets", nil, testenv.Key("cien_test_"+strings.Repeat("x", 40)).With("X-Request-ID", "refused-unknown")), 401)
	flushLog(f)
	for rid, want := range map[string]string{"refused-revoked": "key_revoked", "refused-env": "wrong_environment"} {
		r := f.Expect(f.Do("GET", sandbox+"/request-logs/"+rid, nil, admin), 200)
		if r.Str("data.request.error_code") != want || r.Get("data.request.status") != 403.0 || !strings.HasPrefix(r.Str("data.request.credential"), "key:") {
			t.Errorf("%s: %s", rid, r)
		}
	}
	if r := f.Expect(f.Do("GET", live+"/request-logs/refused-tenant", nil, testenv.Key(f.liveA)), 200); r.Str("data.request.error_code") != "tenant_mismatch" {
		t.Errorf("refused-tenant: %s", r)
	}
	for _, h := range []testenv.H{admin, testenv.Key(f.sandboxB)} {
		f.Expect(f.Do("GET", sandbox+"/request-logs/refused-unknown", nil, h), 404)
	}
}
