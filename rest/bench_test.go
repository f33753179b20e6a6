package rest_test

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/cienerp/cienerp/ent/privacy"
	"github.com/cienerp/cienerp/ent/tenant"
	"github.com/cienerp/cienerp/internal/testenv"
	"github.com/cienerp/cienerp/policy"
	"github.com/cienerp/cienerp/requestlog"
)

// benchEnv is a tenant with a high rate limit and an admin sandbox key.
func benchEnv(b *testing.B) (*testenv.Env, string, testenv.Tenant) {
	e := testenv.New(b)
	tn := e.Tenant("bench")
	e.App.DB.Client.Tenant.Update().Where(tenant.ID(tn.ID)).SetRateLimitPerMinute(1_000_000).ExecX(privacy.DecisionContext(e.Ctx, privacy.Allow))
	_, key := e.Key(tn.ID, policy.Sandbox, "admin")
	return e, key, tn
}

func serve(b *testing.B, e *testenv.Env, path, key string) { serveStatus(b, e, path, key, 200) }

func serveStatus(b *testing.B, e *testenv.Env, path, key string, status int) {
	req := httptest.NewRequest("GET", path, nil)
	req.Header.Set("X-API-Key", key)
	for b.Loop() {
		w := httptest.NewRecorder()
		e.App.Handler.ServeHTTP(w, req)
		if w.Code != status {
			b.Fatalf("status %d: %s", w.Code, w.Body)
		}
	}
}

// BenchmarkMiddlewareChain measures request id, logging, metrics,
// authentication, tenant resolution, rate limit and GET /me (which expands
// the caller's permissions), with warm caches: no database on this path.
func BenchmarkMiddlewareChain(b *testing.B) {
	e, key, _ := benchEnv(b)
	serve(b, e, "/api/sandbox/me", key)
}

// BenchmarkMiddlewareOnly is the chain alone: an authenticated, rate
// limited, permission-checked request whose handler stops at once (a
// malformed id is a 404 without a query).
func BenchmarkMiddlewareOnly(b *testing.B) {
	e, key, _ := benchEnv(b)
	serveStatus(b, e, "/api/sandbox/tickets/not-an-id", key, 404)
}

// BenchmarkTicketList measures an authenticated list of 20 tickets: one
// query.
func BenchmarkTicketList(b *testing.B) {
	e, key, tn := benchEnv(b)
	for i := 0; i < 40; i++ {
		e.Expect(e.Do("POST", "/api/sandbox/tickets", map[string]any{"title": "Bench ticket", "requester_id": tn.Owner.ID}, testenv.Key(key)), 201)
	}
	serve(b, e, "/api/sandbox/tickets?limit=20", key)
}

// BenchmarkTicketListLogged is BenchmarkTicketList with the request log's
// writer running (every record written, as in a server); with -cpu 1 the
// writer's work shares the one processor with the requests, so ns/op
// holds both. BenchmarkTicketListUnlogged is the same without the log.
func BenchmarkTicketListLogged(b *testing.B) { benchLogged(b, true) }

func BenchmarkTicketListUnlogged(b *testing.B) { benchLogged(b, false) }

func benchLogged(b *testing.B, logged bool) {
	var opts []testenv.Options
	if !logged {
		opts = append(opts, func(c *appConfig) { c.RequestLogRetention = 0 })
	}
	e := testenv.New(b, opts...)
	tn := e.Tenant("bench")
	e.App.DB.Client.Tenant.Update().Where(tenant.ID(tn.ID)).SetRateLimitPerMinute(1_000_000).ExecX(privacy.DecisionContext(e.Ctx, privacy.Allow))
	_, key := e.Key(tn.ID, policy.Sandbox, "admin")
	for i := 0; i < 40; i++ {
		e.Expect(e.Do("POST", "/api/sandbox/tickets", map[string]any{"title": "Bench ticket", "requester_id": tn.Owner.ID}, testenv.Key(key)), 201)
	}
	if logged {
		e.RunBackground()
	}
	own0, pg0 := testenv.CPUTime()
	serve(b, e, "/api/sandbox/tickets?limit=20", key)
	if logged { // what is queued is part of the cost
		_ = e.App.RequestLog.Flush(e.Ctx)
	}
	own1, pg1 := testenv.CPUTime()
	b.ReportMetric(float64(own1-own0)/float64(b.N), "cpu-ns/op")
	b.ReportMetric(float64(pg1-pg0)/float64(b.N), "pg-cpu-ns/op")
}

// BenchmarkRequestLogWrite is what one request log record costs to store:
// records like a GET's queued and written in the writer's batches, with
// this process's and PostgreSQL's CPU per record (on SQLite the second
// is 0). ns/op includes making each record here.
func BenchmarkRequestLogWrite(b *testing.B) {
	e, _, tn := benchEnv(b)
	keyID := uuid.Must(uuid.NewV7())
	rec := requestlog.Record{TenantID: tn.ID, Env: "live", Subject: "key:" + keyID.String(), KeyID: keyID, KeyName: "Bench key", Via: "api_key",
		Method: "GET", Route: "/tickets/{id}", Path: "/api/tickets/01a25359-ba2f-7c31-86d2-222dee37f13b", Status: 200, Latency: time.Millisecond,
		Permission: "it-support.tickets.view", Decision: "allowed", Role: "admin", Rule: "it-support.*", Permissions: []string{"it-support.tickets.view"},
		ClientIP: "127.0.0.1", UserAgent: "wrk/4.2"}
	own0, pg0 := testenv.CPUTime()
	n := 0
	for b.Loop() {
		n++
		rec.ID, rec.Time = uuid.Must(uuid.NewV7()), time.Now()
		rec.RequestID = "req_" + strings.ReplaceAll(rec.ID.String(), "-", "")[:24] // time-ordered, as generated ids are
		e.App.RequestLog.Add(rec)
		if n%1000 == 0 {
			if err := e.App.RequestLog.Flush(e.Ctx); err != nil {
				b.Fatal(err)
			}
		}
	}
	if err := e.App.RequestLog.Flush(e.Ctx); err != nil {
		b.Fatal(err)
	}
	own1, pg1 := testenv.CPUTime()
	b.ReportMetric(float64(own1-own0)/float64(n), "cpu-ns/record")
	b.ReportMetric(float64(pg1-pg0)/float64(n), "pg-cpu-ns/record")
}
