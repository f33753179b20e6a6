package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestWebhooksSurviveAKill: deliveries are jobs in the database, so a
// server killed with SIGKILL loses none. A retry scheduled before the kill
// and an event committed right before it are both delivered after the
// restart, the retry with its webhook-id unchanged.
func TestWebhooksSurviveAKill(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var got []string // "webhook-id type"
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var ev struct{ Type string }
		_ = json.Unmarshal(body, &ev)
		mu.Lock()
		got = append(got, r.Header.Get("webhook-id")+" "+ev.Type)
		first := len(got) == 1
		mu.Unlock()
		if first {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	defer recv.Close()
	received := func() []string { mu.Lock(); defer mu.Unlock(); return append([]string(nil), got...) }

	dir := t.TempDir()
	addr := freePort(t)
	start := func() (*exec.Cmd, io.Reader) {
		srv := exec.Command(binary, "serve")
		srv.Dir = dir
		srv.Env = append(cleanEnv(), "CIEN_ADDR="+addr, "CIEN_WEBHOOK_ALLOW_PRIVATE=true", "CIEN_WEBHOOK_RETRIES=2s")
		stdout, _ := srv.StdoutPipe()
		if err := srv.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = srv.Process.Kill(); _ = srv.Wait() })
		return srv, stdout
	}
	srv, stdout := start()
	key := ""
	for _, l := range strings.Split(readUntil(t, stdout, "curl"), "\n") {
		if f := strings.Fields(l); len(f) >= 3 && f[0] == "sandbox" && f[1] == "key:" {
			key = f[2]
		}
	}
	waitFor(t, "http://"+addr+"/healthz")
	base := "http://" + addr + "/api/sandbox"
	post := func(path string, body any) map[string]any {
		raw, _ := json.Marshal(body)
		req, _ := http.NewRequest("POST", base+path, bytes.NewReader(raw))
		req.Header.Set("X-API-Key", key)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&out)
		if resp.StatusCode >= 300 {
			t.Fatalf("POST %s: %d %v", path, resp.StatusCode, out)
		}
		return out
	}
	post("/webhook-endpoints", map[string]any{"url": recv.URL, "event_types": []string{"customer.created"}})
	post("/customers", map[string]any{"name": "Before the kill"})
	deadline := time.Now().Add(5 * time.Second)
	for len(received()) == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if len(received()) != 1 {
		t.Fatalf("first attempt never came: %v", received())
	}
	time.Sleep(200 * time.Millisecond) // the attempt is recorded and the retry scheduled
	post("/customers", map[string]any{"name": "Right before the kill"})
	_ = srv.Process.Kill() // SIGKILL: no shutdown work at all
	_ = srv.Wait()

	start()
	waitFor(t, "http://"+addr+"/healthz")
	// Usually the second delivery's job is still queued and goes at once;
	// when the killed process had already taken it, River rescues it once
	// it has been "running" for RescueStuckJobsAfter (30 s; its rescuer
	// looks every 30 s).
	deadline = time.Now().Add(100 * time.Second)
	for len(received()) < 3 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	r := received()
	if len(r) < 3 {
		t.Fatalf("after the restart the receiver has %v; want the retry and the second event", r)
	}
	ids := map[string]int{}
	for _, g := range r {
		ids[strings.Fields(g)[0]]++
	}
	if first := strings.Fields(r[0])[0]; ids[first] < 2 {
		t.Fatalf("the retried delivery %s did not come again after the restart: %v", first, r)
	}
	if len(ids) != 2 {
		t.Fatalf("want two deliveries (two events), got %v", r)
	}
}
