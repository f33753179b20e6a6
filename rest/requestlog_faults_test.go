package rest_test

import (
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/cienerp/cienerp/internal/testenv"
	"github.com/cienerp/cienerp/policy"
	"github.com/cienerp/cienerp/requestlog"
)

// dropped reads the request log's drop counter of reason from /metrics.
func dropped(e *testenv.Env, reason string) int {
	e.T.Helper()
	r := e.Do("GET", "/metrics", nil, nil)
	m := regexp.MustCompile(`cienerp_request_log_dropped_total\{reason="` + reason + `"\} (\d+)`).FindStringSubmatch(string(r.Raw))
	if m == nil {
		return 0
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// TestRequestLogNeverHoldsARequest: with the log's table locked (a slow
// database), requests are answered as fast as without the log, the write
// gives up after its timeout and the dropped records are counted in
// /metrics; once the lock goes, the log is written again. With the
// database gone, the same. A full queue drops without waiting.
func TestRequestLogNeverHoldsARequest(t *testing.T) {
	t.Parallel()
	e, proxy := testenv.NewDBBehindProxy(t)
	tenant := e.Tenant("acme")
	_, key := e.Key(tenant.ID, policy.Sandbox, "admin")
	h := testenv.Key(key)
	e.Expect(e.Do("GET", sandbox+"/tickets", nil, h), 200)
	if err := e.App.RequestLog.Flush(e.Ctx); err != nil {
		t.Fatal(err)
	}

	// A slow database: the table is locked by another transaction.
	tx, err := e.App.DB.SQL.BeginTx(e.Ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec("LOCK TABLE request_logs IN ACCESS EXCLUSIVE MODE"); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 20; i++ {
		e.Expect(e.Do("GET", sandbox+"/tickets", nil, h), 200)
	}
	flushed := make(chan error)
	go func() { flushed <- e.App.RequestLog.Flush(e.Ctx) }()
	time.Sleep(100 * time.Millisecond) // the flush now waits on the lock
	began := time.Now()
	for i := 0; i < 20; i++ {
		e.Expect(e.Do("GET", sandbox+"/tickets", nil, h), 200)
	}
	d := time.Since(began)
	t.Logf("20 requests while the log's write waited on a lock: %v", d)
	if d > time.Second {
		t.Errorf("20 requests took %v while the log's write waited on a lock", d)
	}
	select {
	case err := <-flushed:
		if err == nil {
			t.Error("the write into a locked table succeeded")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the write did not give up on the locked table")
	}
	if n := dropped(e, "write_failed"); n < 20 {
		t.Errorf("dropped write_failed = %d, want at least the 20 records of the locked batch", n)
	}
	_ = tx.Rollback()
	e.Expect(e.Do("GET", sandbox+"/tickets", nil, h.With("X-Request-ID", "after-lock")), 200)
	if err := e.App.RequestLog.Flush(e.Ctx); err != nil {
		t.Fatalf("after the lock: %v", err)
	}
	e.Expect(e.Do("GET", sandbox+"/request-logs?request_id=after-lock", nil, h), 200)

	// The database gone: requests are what they are without the log (503
	// from their own queries), the log's write fails fast and counts.
	before := dropped(e, "write_failed")
	proxy.Cut()
	e.Do("GET", sandbox+"/tickets", nil, h)
	began = time.Now()
	if err := e.App.RequestLog.Flush(e.Ctx); err == nil {
		t.Error("a write with the database gone succeeded")
	}
	d = time.Since(began)
	t.Logf("the write with the database gone failed after %v", d)
	if d > 3*time.Second {
		t.Errorf("the failed write took %v", d)
	}
	proxy.Restore()
	if n := dropped(e, "write_failed"); n <= before {
		t.Errorf("dropped write_failed did not grow with the database gone (%d → %d)", before, n)
	}

	// A full queue drops without waiting.
	began = time.Now()
	for i := 0; i < requestlog.QueueSize+5; i++ {
		e.App.RequestLog.Add(requestlog.Record{TenantID: tenant.ID})
	}
	if d := time.Since(began); d > time.Second {
		t.Errorf("filling the queue took %v", d)
	}
	if n := dropped(e, "queue_full"); n < 5 {
		t.Errorf("dropped queue_full = %d, want at least 5", n)
	}
}
