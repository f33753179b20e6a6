package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// writeCert writes a self-signed certificate for 127.0.0.1 with serial
// into dir/cert.pem and dir/key.pem, and returns it.
func writeCert(t *testing.T, dir string, serial int64) *x509.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: "cienerp test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"localhost"},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA: true, BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, _ := x509.MarshalECPrivateKey(key)
	// Written to temporary files and renamed, as certificate tools do.
	for name, block := range map[string]*pem.Block{"cert.pem": {Type: "CERTIFICATE", Bytes: der}, "key.pem": {Type: "EC PRIVATE KEY", Bytes: kder}} {
		tmp := filepath.Join(dir, name+".tmp")
		if err := os.WriteFile(tmp, pem.EncodeToMemory(block), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	cert, _ := x509.ParseCertificate(der)
	return cert
}

// client trusts every certificate in certs and speaks HTTP/2 or not.
func client(h2 bool, certs ...*x509.Certificate) *http.Client {
	pool := x509.NewCertPool()
	for _, c := range certs {
		pool.AddCert(c)
	}
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, ForceAttemptHTTP2: h2}
	if !h2 {
		tr.TLSNextProto = map[string]func(string, *tls.Conn) http.RoundTripper{}
	}
	return &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// TestServesHTTPS: with a certificate the server speaks TLS 1.2+ over
// HTTP/1.1 and HTTP/2 with HSTS, picks up a renewed certificate without a
// restart (when the files change, and on SIGHUP) while open connections
// go on, and its redirect listener answers 308 to the HTTPS URL.
func TestServesHTTPS(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	first := writeCert(t, dir, 1)
	addr, redirect := freePort(t), freePort(t)
	srv := exec.Command(binary, "serve")
	srv.Dir = dir
	srv.Env = append(cleanEnv(), "CIEN_ADDR="+addr, "CIEN_HTTP_REDIRECT_ADDR="+redirect,
		"CIEN_TLS_CERT_FILE="+filepath.Join(dir, "cert.pem"), "CIEN_TLS_KEY_FILE="+filepath.Join(dir, "key.pem"))
	out, _ := srv.StdoutPipe()
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = srv.Process.Signal(syscall.SIGTERM); _ = srv.Wait() }()
	if banner := readUntil(t, out, "curl"); !strings.Contains(banner, "https://"+addr+"/") {
		t.Errorf("the banner does not give the HTTPS address:\n%s", banner)
	}
	base := "https://" + addr
	get := func(c *http.Client, url string) *http.Response {
		t.Helper()
		var resp *http.Response
		var err error
		for i := 0; i < 100; i++ {
			if resp, err = c.Get(url); err == nil {
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				return resp
			}
			time.Sleep(50 * time.Millisecond)
		}
		t.Fatalf("GET %s: %v", url, err)
		return nil
	}
	h1 := client(false, first)
	r := get(h1, base+"/api/ping")
	if r.StatusCode != 200 || r.ProtoMajor != 1 || !strings.HasPrefix(r.Header.Get("Strict-Transport-Security"), "max-age=") {
		t.Errorf("HTTP/1.1: %d %s HSTS %q", r.StatusCode, r.Proto, r.Header.Get("Strict-Transport-Security"))
	}
	if r := get(client(true, first), base+"/api/ping"); r.ProtoMajor != 2 {
		t.Errorf("HTTP/2 not offered: %s", r.Proto)
	}
	old := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: h1.Transport.(*http.Transport).TLSClientConfig.RootCAs, MaxVersion: tls.VersionTLS11}}}
	if _, err := old.Get(base + "/api/ping"); err == nil {
		t.Error("TLS 1.1 was accepted")
	}

	// A renewed certificate on disk: new handshakes get it, the open
	// connection of h1 keeps working.
	second := writeCert(t, dir, 2)
	both := client(false, first, second)
	serial := func() int64 {
		r := get(both, base+"/api/ping")
		both.CloseIdleConnections()
		return r.TLS.PeerCertificates[0].SerialNumber.Int64()
	}
	deadline := time.Now().Add(10 * time.Second)
	for serial() != 2 && time.Now().Before(deadline) {
		time.Sleep(200 * time.Millisecond)
	}
	if s := serial(); s != 2 {
		t.Fatalf("after renewal the server still presents serial %d", s)
	}
	if r := get(h1, base+"/api/ping"); r.StatusCode != 200 {
		t.Errorf("the open connection broke on reload: %d", r.StatusCode)
	}
	// SIGHUP reloads at once.
	third := writeCert(t, dir, 3)
	all := client(false, first, second, third)
	_ = srv.Process.Signal(syscall.SIGHUP)
	deadline = time.Now().Add(5 * time.Second)
	var s int64
	for time.Now().Before(deadline) {
		r := get(all, base+"/api/ping")
		all.CloseIdleConnections()
		if s = r.TLS.PeerCertificates[0].SerialNumber.Int64(); s == 3 {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if s != 3 {
		t.Errorf("after SIGHUP: serial %d", s)
	}

	// The plain-HTTP listener sends clients to HTTPS, keeping path and query.
	r = get(client(false), "http://"+redirect+"/api/sandbox/tickets?limit=5")
	if want := base + "/api/sandbox/tickets?limit=5"; r.StatusCode != http.StatusPermanentRedirect || r.Header.Get("Location") != want {
		t.Errorf("redirect: %d to %q, want 308 to %q", r.StatusCode, r.Header.Get("Location"), want)
	}
}

// TestServeRefusesABadConfiguration: serve checks the whole configuration
// before listening and names each problem once; config check prints the
// configuration with secrets masked.
func TestServeRefusesABadConfiguration(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cmd := exec.Command(binary, "serve")
	cmd.Dir = dir
	cmd.Env = append(cleanEnv(), "CIEN_ADDR="+freePort(t), "CIEN_TLS_CERT_FILE=/nonexistent/cert.pem", "CIEN_TLS_KEY_FILE=/nonexistent/key.pem",
		"CIEN_JWT_SECRET=short", "CIEN_REDIS_URL=mysql://nope", "CIEN_DATABASE_URL=postgres://", "CIEN_PPROF_ADDR=0.0.0.0:6060")
	b, err := cmd.CombinedOutput()
	outText := string(b)
	if err == nil {
		t.Fatalf("serve started with a bad configuration:\n%s", outText)
	}
	for _, want := range []string{"/nonexistent/cert.pem", "CIEN_JWT_SECRET is 5 bytes", "CIEN_REDIS_URL is not a valid Redis URL", "CIEN_DATABASE_URL is not a valid URL", "the profiler listens on loopback only"} {
		if strings.Count(outText, want) != 1 {
			t.Errorf("want %q once in:\n%s", want, outText)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "data")); err == nil {
		t.Error("a refused start created the data directory")
	}
	check := exec.Command(binary, "config", "check")
	check.Dir = dir
	check.Env = append(cleanEnv(), "CIEN_JWT_SECRET="+strings.Repeat("s", 40), "CIEN_DATABASE_URL=postgres://app:hunter2hunter2@db:5432/erp")
	b, err = check.CombinedOutput()
	if err != nil || strings.Contains(string(b), "hunter2") || strings.Contains(string(b), "ssss") ||
		!strings.Contains(string(b), "JWTSecret: ****") || !strings.Contains(string(b), "postgres://app:****@db:5432/erp") {
		t.Errorf("config check: %v\n%s", err, b)
	}
}
