package main

import (
	"net/http"
	"regexp"
	"slices"
	"testing"
)

// TestCLIChangesReachARunningServer: with no Redis, a key, user or tenant
// change made by the CLI (another process on the same SQLite file) is
// obeyed by the running server from its next request, caches warm or not.
// Before, a key made with "key create -role owner" was refused with 403
// and /me showed roles: null until the server restarted.
func TestCLIChangesReachARunningServer(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	base, stdout := startServe(t, dir)
	demo := regexp.MustCompile(`sandbox key:\s+(cien_test_\w+)`).FindStringSubmatch(readUntil(t, stdout, "curl"))
	if demo == nil {
		t.Fatal("no demo key printed")
	}
	if code, _ := get(t, base+"/api/sandbox/tickets", demo[1]); code != 200 { // warms the caches and the policy
		t.Fatalf("demo key: %d", code)
	}

	key := regexp.MustCompile(`cien_test_\w+`).FindString(cli(t, dir, "key", "create", "-tenant", "demo", "-env", "sandbox", "-role", "owner"))
	if code, body := get(t, base+"/api/sandbox/tickets", key); code != 200 {
		t.Errorf("a key made by the CLI: %d %v", code, body)
	}
	_, me := get(t, base+"/api/sandbox/me", key)
	roles, _ := me["data"].(map[string]any)["roles"].([]any)
	if !slices.Contains(roles, any("owner")) {
		t.Errorf("/me of the new key: %v", me)
	}

	cli(t, dir, "tenant", "update", "-tenant", "demo", "-rate-limit", "77")
	req, _ := http.NewRequest("GET", base+"/api/sandbox/me", nil)
	req.Header.Set("X-API-Key", demo[1])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := resp.Header.Get("X-RateLimit-Limit"); got != "77" {
		t.Errorf("rate limit after the CLI changed it: %q, want 77", got)
	}

	cli(t, dir, "tenant", "update", "-tenant", "demo", "-status", "suspended")
	if code, body := get(t, base+"/api/sandbox/tickets", demo[1]); code != 403 || body["code"] != "tenant_suspended" {
		t.Errorf("suspended by the CLI: %d %v", code, body)
	}
}
