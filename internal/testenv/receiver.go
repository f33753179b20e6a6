package testenv

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// Received is one request a Receiver took.
type Received struct {
	Headers map[string]string `json:"headers"`
	Body    string            `json:"body"`
	At      time.Time         `json:"-"`
}

// Receiver is a real HTTP webhook receiver on loopback. Answer decides the
// status of the n-th request (from 1); nil answers 200.
type Receiver struct {
	URL    string
	Answer func(n int, r *http.Request) int
	mu     sync.Mutex
	got    []Received
	srv    *httptest.Server
}

// NewReceiver starts a receiver, closed when the test ends.
func NewReceiver(t testing.TB) *Receiver {
	rc := &Receiver{}
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		h := map[string]string{}
		for _, k := range []string{"webhook-id", "webhook-timestamp", "webhook-signature", "content-type"} {
			h[k] = r.Header.Get(k)
		}
		rc.got = append(rc.got, Received{Headers: h, Body: string(body), At: time.Now()})
		n, answer := len(rc.got), rc.Answer
		rc.mu.Unlock()
		code := http.StatusOK
		if answer != nil {
			code = answer(n, r)
		}
		w.WriteHeader(code)
		_, _ = io.WriteString(w, http.StatusText(code))
	}))
	rc.URL = rc.srv.URL + "/hook"
	t.Cleanup(rc.srv.Close)
	return rc
}

// Got returns what arrived so far.
func (rc *Receiver) Got() []Received {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]Received(nil), rc.got...)
}

// WaitFor waits until n requests arrived or the timeout passes.
func (rc *Receiver) WaitFor(t testing.TB, n int, timeout time.Duration) []Received {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if got := rc.Got(); len(got) >= n {
			return got
		}
		time.Sleep(10 * time.Millisecond)
	}
	got := rc.Got()
	t.Fatalf("receiver got %d requests within %s, want %d", len(got), timeout, n)
	return got
}
