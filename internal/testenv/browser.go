package testenv

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// browser is the package's one headless Chromium: started by the first
// test that asks, each test then gets a tab of its own (its own server, so
// its own origin and storage). A browser per test cost a second or more of
// start-up each on the suite's critical path.
var browser struct {
	once sync.Once
	ctx  context.Context // the first tab; new tabs open beside it
	err  error
	none bool // no Chromium installed
}

// Browser returns a chromedp context for a new tab of headless Chromium
// (Debian's package, which the test command installs), closed when t ends.
func Browser(t testing.TB) context.Context {
	t.Helper()
	browser.once.Do(startBrowser)
	if browser.none {
		Unavailable(t, "no Chromium installed (./scripts/test installs Debian's chromium)")
	}
	if browser.err != nil {
		t.Fatalf("start chromium: %v", browser.err)
	}
	ctx, cancel := chromedp.NewContext(browser.ctx)
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil { // opens the tab
		t.Fatalf("open a tab: %v", err)
	}
	// A wait that never ends fails the test instead of hanging the run.
	ctx, cancelWait := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(cancelWait)
	return ctx
}

// startBrowser starts the shared browser. It lives until the test binary
// exits (chromedp kills it with its parent on Linux).
func startBrowser() {
	path := os.Getenv("CIEN_TEST_CHROMIUM")
	if path == "" {
		for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
			if p, err := exec.LookPath(name); err == nil {
				path = p
				break
			}
		}
	}
	if path == "" {
		browser.none = true
		return
	}
	dir, err := os.MkdirTemp("", "cien-chromium-")
	if err != nil {
		browser.err = err
		return
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(dir), chromedp.WindowSize(1280, 900))
	actx, _ := chromedp.NewExecAllocator(context.Background(), opts...)
	browser.ctx, _ = chromedp.NewContext(actx)
	browser.err = chromedp.Do(browser.ctx) // starts the browser; no timeout on this first call
}

// Artifact saves a test artefact (a screenshot) under
// CIEN_TEST_ARTIFACTS (default .artifacts in the module root) and returns
// its path.
func Artifact(t testing.TB, name string, data []byte) string {
	t.Helper()
	dir := os.Getenv("CIEN_TEST_ARTIFACTS")
	if dir == "" {
		out, err := exec.Command("go", "env", "GOMOD").Output()
		if err != nil {
			t.Fatal(err)
		}
		dir = filepath.Join(filepath.Dir(string(out[:len(out)-1])), ".artifacts")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}
