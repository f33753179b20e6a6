package testenv

import (
	"bufio"
	"io"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/cienerp/cienerp/edge"
)

// ConformanceDir is where the npm clients of the standards live
// (package.json and its lockfile; scripts/test runs npm ci there).
func ConformanceDir() string {
	return filepath.Join(moduleRoot(), "internal", "testenv", "conformance")
}

// moduleRoot is the directory of go.mod above the test's working
// directory (a test runs in its package's directory). Not from the
// source file's recorded path: scripts/test builds with -trimpath.
func moduleRoot() string {
	dir, _ := os.Getwd()
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
		if filepath.Dir(d) == d {
			return dir
		}
	}
}

// Node runs node with args in ConformanceDir and returns what it printed.
// Without node or the installed packages the test skips (fails in CI).
func Node(t testing.TB, args ...string) []byte {
	t.Helper()
	cmd := node(t, args)
	// No telemetry or update checks: the machine's network is closed.
	cmd.Env = append(os.Environ(), "REDOCLY_TELEMETRY=off", "REDOCLY_SUPPRESS_UPDATE_NOTICE=true", "NO_UPDATE_NOTIFIER=1")
	out, err := cmd.Output()
	if err != nil {
		stderr := ""
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("node %v: %v\n%s\n%s", args, err, out, stderr)
	}
	return out
}

// node is node with args in ConformanceDir, or a skip (a failure in CI)
// when node or the installed clients are missing.
func node(t testing.TB, args []string) *exec.Cmd {
	t.Helper()
	dir := ConformanceDir()
	if _, err := exec.LookPath("node"); err != nil {
		Unavailable(t, "node is not installed: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules")); err != nil {
		Unavailable(t, "the conformance clients are not installed: run npm ci in %s (scripts/test does)", dir)
	}
	cmd := exec.Command("node", args...)
	cmd.Dir = dir
	return cmd
}

// Serve runs the platform on a real listening server for clients outside
// the process, closed when the test ends, and returns its base URL.
func (e *Env) Serve() string {
	srv := httptest.NewUnstartedServer(e.App.Handler)
	srv.Listener = edge.Listener(srv.Listener) // as cienerp serve listens
	srv.Start()
	e.T.Cleanup(srv.Close)
	return srv.URL
}

// NodeProcess starts node with args in ConformanceDir and returns each
// line it prints as it comes; the process ends with the test (or when the
// caller calls stop, which closes its stdin).
func NodeProcess(t testing.TB, args ...string) (lines <-chan string, stop func()) {
	t.Helper()
	lines, _, stop = NodeConversation(t, args...)
	return lines, stop
}

// NodeConversation is NodeProcess with a way to write lines to the
// script's stdin.
func NodeConversation(t testing.TB, args ...string) (lines <-chan string, send func(string), stop func()) {
	t.Helper()
	cmd := node(t, args)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	out := make(chan string, 256)
	go func() {
		defer close(out)
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 64<<10), 4<<20)
		for sc.Scan() {
			out <- sc.Text()
		}
	}()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			_ = stdin.Close()
			done := make(chan struct{})
			go func() { _ = cmd.Wait(); close(done) }()
			select {
			case <-done:
			case <-time.After(5 * time.Second):
				_ = cmd.Process.Kill()
				<-done
			}
		})
	}
	t.Cleanup(stop)
	send = func(line string) { _, _ = io.WriteString(stdin, line+"\n") }
	return out, send, stop
}
