package rest_test

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/cienerp/cienerp/ent/privacy"
	"github.com/cienerp/cienerp/internal/testenv"
	"github.com/cienerp/cienerp/policy"
)

// from returns a client whose connections leave from local address ip
// (127.0.0.2 plays another machine: only 127.0.0.1 and ::1 are this one).
func from(ip string) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	return &http.Client{Transport: &http.Transport{DialContext: d.DialContext}}
}

type answer struct {
	code   int
	header http.Header
	body   string
}

func call(t *testing.T, c *http.Client, method, url string, body string, h map[string]string) answer {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range h {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return answer{resp.StatusCode, resp.Header, string(b)}
}

// TestCredentialsNeedHTTPSOnLive: live credentials over plain HTTP from
// another machine are refused with 403 https_required naming the HTTPS
// URL, before the key is looked at (a revoked key gets the same answer,
// and no last-used time is written); from this machine, without
// credentials and on sandbox (by default) plain HTTP works.
func TestCredentialsNeedHTTPSOnLive(t *testing.T) {
	t.Parallel()
	f := setup(t)
	base := f.Serve()
	remote, local := from("127.0.0.2"), from("127.0.0.1")
	liveID, liveKey := f.Key(f.A.ID, policy.Live, "admin")
	revokedID, revoked := f.Key(f.A.ID, policy.Live, "admin")
	f.Expect(f.Do("POST", live+"/settings/integration-keys/"+revokedID.String()+"/revoke", nil, testenv.Key(f.liveA)), 200)

	for name, h := range map[string]map[string]string{
		"key": {"X-API-Key": liveKey}, "revoked key": {"X-API-Key": revoked}, "bearer": {"Authorization": "Bearer x.y.z"},
	} {
		a := call(t, remote, "GET", base+"/api/me", "", h)
		if a.code != 403 || !strings.Contains(a.body, `"code":"https_required"`) || !strings.Contains(a.body, "https://"+strings.TrimPrefix(base, "http://")+"/api/me") {
			t.Errorf("live %s over HTTP from elsewhere: %d %s", name, a.code, a.body)
		}
	}
	a := call(t, remote, "POST", base+"/api/auth/token", `{"grant_type":"client_credentials","client_secret":"`+liveKey+`"}`, nil)
	if a.code != 403 || !strings.Contains(a.body, "https_required") {
		t.Errorf("live token endpoint over HTTP from elsewhere: %d %s", a.code, a.body)
	}
	if err := f.App.Auth.Dir.FlushLastUsed(f.Ctx); err != nil {
		t.Fatal(err)
	}
	k, err := f.App.DB.Client.IntegrationKey.Get(privacy.DecisionContext(f.Ctx, privacy.Allow), liveID)
	if err != nil || k.LastUsedAt != nil {
		t.Errorf("a refused key was marked used: %v %v", k.LastUsedAt, err)
	}

	for name, c := range map[string]struct {
		client *http.Client
		url    string
		h      map[string]string
	}{
		"live from this machine":    {local, base + "/api/me", map[string]string{"X-API-Key": liveKey}},
		"live without credentials":  {remote, base + "/api/ping", nil},
		"sandbox from elsewhere":    {remote, base + "/api/sandbox/me", map[string]string{"X-API-Key": f.sandboxA}},
		"public catalog from far":   {remote, base + "/api/permissions", nil},
		"public quote without keys": {remote, base + "/public/quote/calculate", nil},
	} {
		method, body := "GET", ""
		if strings.HasSuffix(c.url, "/calculate") {
			method, body = "POST", `{"currency":"EUR","items":[{"description":"x","quantity":"1","unit_price":"1.00"}]}`
		}
		if a := call(t, c.client, method, c.url, body, c.h); a.code != 200 {
			t.Errorf("%s: %d %s", name, a.code, a.body)
		}
	}

	strict := setup(t, func(c *appConfig) { c.SandboxAllowHTTP = false })
	sbase := strict.Serve()
	if a := call(t, remote, "GET", sbase+"/api/sandbox/me", "", map[string]string{"X-API-Key": strict.sandboxA}); a.code != 403 || !strings.Contains(a.body, "https_required") {
		t.Errorf("sandbox over HTTP with CIEN_SANDBOX_ALLOW_HTTP=false: %d %s", a.code, a.body)
	}
}

// TestForwardedProtoOnlyFromTrustedProxies: behind a proxy that ends TLS
// (CIEN_TRUSTED_PROXIES), its X-Forwarded-Proto: https counts as HTTPS
// (served, with HSTS); the same header from anyone else is ignored.
func TestForwardedProtoOnlyFromTrustedProxies(t *testing.T) {
	t.Parallel()
	f := setup(t, func(c *appConfig) { c.TrustedProxies = []string{"127.0.0.2"} })
	base := f.Serve()
	_, liveKey := f.Key(f.A.ID, policy.Live, "admin")
	h := map[string]string{"X-API-Key": liveKey, "X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}
	a := call(t, from("127.0.0.2"), "GET", base+"/api/me", "", h)
	if a.code != 200 || !strings.HasPrefix(a.header.Get("Strict-Transport-Security"), "max-age=") {
		t.Errorf("via the trusted proxy: %d %s (HSTS %q)", a.code, a.body, a.header.Get("Strict-Transport-Security"))
	}
	a = call(t, from("127.0.0.3"), "GET", base+"/api/me", "", h)
	if a.code != 403 || !strings.Contains(a.body, "https_required") || a.header.Get("Strict-Transport-Security") != "" {
		t.Errorf("a forged X-Forwarded-Proto: %d %s", a.code, a.body)
	}
	// The trusted proxy saying the hop was plain HTTP from far away: refused.
	h["X-Forwarded-Proto"] = "http"
	if a := call(t, from("127.0.0.2"), "GET", base+"/api/me", "", h); a.code != 403 {
		t.Errorf("via the proxy over plain HTTP: %d %s", a.code, a.body)
	}
}

// TestSecurityHeaders: every response says nosniff and no-referrer;
// answers that carry a secret are not stored by any cache; HSTS only over
// HTTPS.
func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	f := setup(t)
	tlsSrv := httptest.NewTLSServer(f.App.Handler)
	t.Cleanup(tlsSrv.Close)
	key := testenv.Key(f.sandboxA)
	for _, r := range []*testenv.Response{
		f.Do("GET", "/api/ping", nil, nil), f.Do("GET", sandbox+"/nope", nil, key), f.Do("GET", "/", nil, nil),
	} {
		if r.Header.Get("X-Content-Type-Options") != "nosniff" || r.Header.Get("Referrer-Policy") != "no-referrer" || r.Header.Get("Strict-Transport-Security") != "" {
			t.Errorf("headers %v", r.Header)
		}
	}
	secret := map[string]*testenv.Response{
		"key":    f.Expect(f.Do("POST", sandbox+"/settings/integration-keys", map[string]any{"name": "k", "roles": []string{"viewer"}}, key), 201),
		"invite": f.Expect(f.Do("POST", sandbox+"/admin/members", map[string]any{"email": "new@acme.test", "roles": []string{"viewer"}}, key), 201),
		"token":  f.Expect(f.Do("POST", "/api/auth/token", map[string]any{"grant_type": "client_credentials", "client_secret": f.sandboxA}, nil), 200),
	}
	for name, r := range secret {
		if r.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("%s: Cache-Control %q", name, r.Header.Get("Cache-Control"))
		}
	}
	if r := f.Do("GET", sandbox+"/tickets", nil, key); r.Header.Get("Cache-Control") == "no-store" {
		t.Error("an ordinary list is marked no-store")
	}
	resp, err := tlsSrv.Client().Get(tlsSrv.URL + "/api/ping")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if !strings.HasPrefix(resp.Header.Get("Strict-Transport-Security"), "max-age=") {
		t.Errorf("no HSTS over HTTPS: %v", resp.Header)
	}
}
