package main

import (
	"fmt"
	"net/http"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestRequestLogLosesAtMostTheLastSecond: requests are sent to a real
// server for 2.5 s, then it is killed with SIGKILL (no shutdown, no final
// flush). Every request answered more than a second before the kill is in
// the log, as "cienerp logs tail" prints it afterwards.
func TestRequestLogLosesAtMostTheLastSecond(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	addr := freePort(t)
	srv := exec.Command(binary, "serve")
	srv.Dir = dir
	srv.Env = append(cleanEnv(), "CIEN_ADDR="+addr)
	stdout, _ := srv.StdoutPipe()
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer srv.Process.Kill()
	base := "http://" + addr
	waitFor(t, base+"/healthz")
	key := regexp.MustCompile(`sandbox key:\s+(cien_test_\w+)`).FindStringSubmatch(readUntil(t, stdout, "curl"))
	if key == nil {
		t.Fatal("no demo key printed")
	}
	answered := map[string]time.Time{}
	start := time.Now()
	for i := 0; time.Since(start) < 2500*time.Millisecond; i++ {
		id := fmt.Sprintf("kill-test-%04d", i)
		req, _ := http.NewRequest("GET", base+"/api/sandbox/tickets?limit=1", nil)
		req.Header.Set("X-API-Key", key[1])
		req.Header.Set("X-Request-ID", id)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		answered[id] = time.Now()
		time.Sleep(10 * time.Millisecond)
	}
	killed := time.Now()
	if err := srv.Process.Kill(); err != nil { // SIGKILL
		t.Fatal(err)
	}
	_ = srv.Wait()

	out := cli(t, dir, "logs", "tail", "-tenant", "demo", "-env", "sandbox", "-since", "10m", "-once")
	var lost, lostOld int
	for id, at := range answered {
		if strings.Contains(out, id) {
			continue
		}
		lost++
		if killed.Sub(at) > time.Second {
			lostOld++
		}
	}
	t.Logf("%d requests, %d not in the log after kill -9 (all from the last second: %v)", len(answered), lost, lostOld == 0)
	if lostOld > 0 {
		t.Errorf("%d requests answered more than a second before kill -9 are missing from the log", lostOld)
	}
	if len(answered) < 20 || lost == len(answered) {
		t.Fatalf("%d requests sent, %d lost: the test proves nothing", len(answered), lost)
	}
	if !strings.Contains(out, "GET    /tickets") || !strings.Contains(out, `key "Demo sandbox key"`) {
		t.Errorf("tail's lines:\n%s", out[:min(len(out), 600)])
	}
}
