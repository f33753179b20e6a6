package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// These tests run the real binary the way the README tells a newcomer to:
// no configuration at all, in an empty directory.

var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "cienerp-bin")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "cienerp")
	if out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func freePort(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// cli runs a subcommand in dir with no configuration but the address.
func cli(t *testing.T, dir string, args ...string) string {
	t.Helper()
	return cliEnv(t, dir, nil, args...)
}

// cliEnv is cli with the given CIEN_* settings.
func cliEnv(t *testing.T, dir string, env []string, args ...string) string {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Dir = dir
	cmd.Env = append(cleanEnv(), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("cienerp %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "CIEN_") {
			env = append(env, kv)
		}
	}
	return env
}

func get(t *testing.T, url, key string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if key != "" {
		req.Header.Set("X-API-Key", key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&body)
	return resp.StatusCode, body
}

func TestServeWorksWithNoConfiguration(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	addr := freePort(t)
	cmd := exec.Command(binary, "serve")
	cmd.Dir = dir
	cmd.Env = append(cleanEnv(), "CIEN_ADDR="+addr)
	stdout, _ := cmd.StdoutPipe()
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	logs := make(chan string, 100)
	go func() {
		s := bufio.NewScanner(stderr)
		for s.Scan() {
			logs <- s.Text()
		}
		close(logs)
	}()

	// The demo credentials are printed once on first start.
	out := readUntil(t, stdout, "curl")
	for _, want := range []string{"Developer portal:  http://" + addr + "/", "admin id:", "cienerp key create -tenant demo"} {
		if !strings.Contains(out, want) {
			t.Errorf("the start banner lacks %q:\n%s", want, out)
		}
	}
	key := regexp.MustCompile(`sandbox key:\s+(cien_test_\w+)`).FindStringSubmatch(out)
	login := regexp.MustCompile(`admin login:\s+(\S+) / (\S+)`).FindStringSubmatch(out)
	if key == nil || login == nil {
		t.Fatalf("no demo credentials in:\n%s", out)
	}
	base := "http://" + addr
	waitFor(t, base+"/healthz")

	if code, _ := get(t, base+"/api/ping", ""); code != 200 {
		t.Fatalf("ping: %d", code)
	}
	code, me := get(t, base+"/api/sandbox/me", key[1])
	if code != 200 || me["data"].(map[string]any)["tenant"].(map[string]any)["slug"] != "demo" {
		t.Fatalf("me: %d %v", code, me)
	}
	if code, _ := get(t, base+"/api/me", key[1]); code != 403 {
		t.Fatalf("sandbox key on live: %d", code)
	}
	// The admin login works through the token endpoint.
	resp, err := http.PostForm(base+"/api/auth/token", map[string][]string{"grant_type": {"password"}, "username": {login[1]}, "password": {login[2]}})
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("password grant: %v %v", err, resp.Status)
	}
	resp.Body.Close()
	if _, err := os.Stat(filepath.Join(dir, "data", "cienerp.db")); err != nil {
		t.Fatalf("no SQLite file under ./data: %v", err)
	}

	// Graceful shutdown on SIGTERM.
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("no exit 30 s after SIGTERM")
	}
	var sawJSONRequestLog, sawPortal bool
	for line := range logs {
		var entry map[string]any
		if json.Unmarshal([]byte(line), &entry) == nil && entry["msg"] == "request" && entry["request_id"] != nil && entry["latency_ms"] != nil && entry["status"] != nil {
			sawJSONRequestLog = true
		}
		// The start line names the portal as the portal, not the OpenAPI document.
		if entry["msg"] == "listening" && entry["portal"] == "http://"+addr+"/" && entry["openapi"] == "http://"+addr+"/api/openapi.json" && entry["database"] == "SQLite data/cienerp.db" {
			sawPortal = true
		}
	}
	if !sawPortal {
		t.Error("the listening log line does not name the portal, the OpenAPI document and the database")
	}
	if !sawJSONRequestLog {
		t.Fatal("no structured request log line on stderr")
	}

	// A second start keeps the data and prints no new credentials.
	addr2 := freePort(t)
	cmd2 := exec.Command(binary, "serve")
	cmd2.Dir = dir
	cmd2.Env = append(cleanEnv(), "CIEN_ADDR="+addr2)
	out2, _ := cmd2.StdoutPipe()
	if err := cmd2.Start(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "http://"+addr2+"/healthz")
	if code, _ := get(t, "http://"+addr2+"/api/sandbox/me", key[1]); code != 200 {
		t.Fatalf("key after restart: %d", code)
	}
	_ = cmd2.Process.Signal(syscall.SIGTERM)
	rest, _ := io.ReadAll(out2)
	_ = cmd2.Wait()
	if strings.Contains(string(rest), "cien_test_") {
		t.Fatal("credentials printed again on the second start")
	}
}

func TestOperatorCommands(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cli(t, dir, "migrate")
	if out := cli(t, dir, "audit", "prune"); !strings.Contains(out, "deleted 0 audit events") {
		t.Fatalf("audit prune: %s", out)
	}
	if out := cli(t, dir, "storage", "check"); !strings.Contains(out, "storage and database agree") {
		t.Fatalf("storage check: %s", out)
	}
	// An object nobody points to is reported, and the command fails.
	orphan := filepath.Join(dir, "data", "objects", "tenants", "x", "live", "documents", "orphan")
	_ = os.MkdirAll(filepath.Dir(orphan), 0o755)
	_ = os.WriteFile(orphan, []byte("x"), 0o644)
	cmd0 := exec.Command(binary, "storage", "check")
	cmd0.Dir, cmd0.Env = dir, cleanEnv()
	if b, err := cmd0.CombinedOutput(); err == nil || !strings.Contains(string(b), "bytes without document: tenants/x/live/documents/orphan") {
		t.Fatalf("storage check with an orphan: %v %s", err, b)
	}
	_ = os.Remove(orphan)
	out := cli(t, dir, "tenant", "create", "-name", "Acme", "-slug", "acme", "-rate-limit", "120")
	if !strings.Contains(out, "tenant acme") {
		t.Fatalf("tenant create: %s", out)
	}
	out = cli(t, dir, "user", "create", "-email", "ops@acme.test", "-tenant", "acme", "-role", "admin")
	if !strings.Contains(out, "password: ") {
		t.Fatalf("user create: %s", out)
	}
	// The same login joins a second tenant, as the help says, keeping its password.
	cli(t, dir, "tenant", "create", "-name", "Globex", "-slug", "globex")
	out = cli(t, dir, "user", "create", "-email", "ops@acme.test", "-tenant", "globex", "-role", "viewer")
	if !strings.Contains(out, "added to globex") || !strings.Contains(out, "keeps its password") || strings.Contains(out, "password: ") {
		t.Fatalf("user create for an existing login: %s", out)
	}
	out = cli(t, dir, "key", "create", "-tenant", "acme", "-env", "live", "-role", "it-agent", "-name", "ci")
	key := regexp.MustCompile(`cien_live_\w+`).FindString(out)
	if key == "" {
		t.Fatalf("key create: %s", out)
	}
	out = cli(t, dir, "tenant", "update", "-tenant", "acme", "-status", "suspended")
	if !strings.Contains(out, "status suspended, 120 requests") {
		t.Fatalf("tenant update: %s", out)
	}
	// Bad input is a clear error, not a crash.
	cmd := exec.Command(binary, "tenant", "create", "-name", "Bad", "-slug", "NO SPACES")
	cmd.Dir = dir
	cmd.Env = cleanEnv()
	b, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(b), "slug: Slug must be") {
		t.Fatalf("bad slug: %v %s", err, b)
	}

	base, _ := startServe(t, dir)
	code, body := get(t, base+"/api/tickets", key)
	if code != 403 || body["code"] != "tenant_suspended" {
		t.Fatalf("suspended tenant: %d %v", code, body)
	}
}

// startServe runs "cienerp serve" in dir with no configuration but a free
// address, until the test ends (then SIGTERM), and waits until it answers.
// It returns the base URL and the server's standard output.
func startServe(t *testing.T, dir string) (base string, stdout io.Reader) {
	t.Helper()
	return startServeEnv(t, dir, nil)
}

// startServeEnv is startServe with the given CIEN_* settings.
func startServeEnv(t *testing.T, dir string, env []string) (base string, stdout io.Reader) {
	t.Helper()
	addr := freePort(t)
	srv := exec.Command(binary, "serve")
	srv.Dir = dir
	srv.Env = append(append(cleanEnv(), env...), "CIEN_ADDR="+addr)
	stdout, _ = srv.StdoutPipe()
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Process.Signal(syscall.SIGTERM); _ = srv.Wait() })
	base = "http://" + addr
	waitFor(t, base+"/healthz")
	return base, stdout
}

func readUntil(t *testing.T, r io.Reader, marker string) string {
	t.Helper()
	var b strings.Builder
	s := bufio.NewScanner(r)
	deadline := time.AfterFunc(60*time.Second, func() { t.Error("timed out waiting for output") })
	defer deadline.Stop()
	for s.Scan() {
		b.WriteString(s.Text() + "\n")
		if strings.Contains(s.Text(), marker) {
			break
		}
	}
	return b.String()
}

func waitFor(t *testing.T, url string) {
	t.Helper()
	for i := 0; i < 200; i++ {
		if resp, err := http.Get(url); err == nil {
			resp.Body.Close()
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s never answered", url)
}
