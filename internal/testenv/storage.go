package testenv

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"

	"mime/multipart"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/cienerp/cienerp/storage"
)

// S3 returns the S3 settings of the MinIO the test command started
// (CIEN_TEST_S3_*) with a fresh bucket, or ok=false when there is none.
func S3(t testing.TB) (cfg storage.S3Config, ok bool) {
	endpoint := os.Getenv("CIEN_TEST_S3_ENDPOINT")
	if endpoint == "" {
		return cfg, false
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return storage.S3Config{
		Endpoint: endpoint, AccessKey: os.Getenv("CIEN_TEST_S3_ACCESS_KEY"), SecretKey: os.Getenv("CIEN_TEST_S3_SECRET_KEY"),
		Bucket: "cien-test-" + hex.EncodeToString(b), Region: "us-east-1", PathStyle: true,
	}, true
}

// RequireS3 is S3, skipping (failing in CI) when MinIO is not running.
func RequireS3(t testing.TB) storage.S3Config {
	t.Helper()
	cfg, ok := S3(t)
	if !ok {
		Unavailable(t, "no MinIO: CIEN_TEST_S3_ENDPOINT is not set (./scripts/test starts one)")
	}
	return cfg
}

// RequireS3OrSkipS3 returns the test MinIO's settings, or nil when there
// is none outside CI (under CI its absence fails the test).
func RequireS3OrSkipS3(t testing.TB) *storage.S3Config {
	t.Helper()
	cfg, ok := S3(t)
	if !ok {
		if os.Getenv("CI") == "true" {
			t.Fatal("required service missing in CI: CIEN_TEST_S3_ENDPOINT is not set")
		}
		t.Log("no MinIO (CIEN_TEST_S3_ENDPOINT unset): testing the fs driver only")
		return nil
	}
	return &cfg
}

// WithS3 makes New use the test MinIO when there is one (the fs store
// otherwise): the document API is tested against what production runs.
func WithS3(t testing.TB) Options {
	return func(c *appConfig) {
		if cfg, ok := S3(t); ok {
			c.Storage, c.S3 = "s3", cfg
		}
	}
}

// Multipart builds a multipart/form-data body with one file part and
// text fields.
func Multipart(filename string, content []byte, fields map[string]string) (body []byte, contentType string) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, v := range fields {
		_ = w.WriteField(k, v)
	}
	if filename != "" {
		fw, _ := w.CreateFormFile("file", filename)
		_, _ = fw.Write(content)
	}
	_ = w.Close()
	return buf.Bytes(), w.FormDataContentType()
}

// MinioServer is a MinIO of the test's own, to stop in the middle.
type MinioServer struct {
	Config storage.S3Config
	cmd    *exec.Cmd
}

// MinioBinary finds the minio server binary (CIEN_TEST_MINIO_BIN, PATH, or
// the Go bin directory where the test command installs it).
func MinioBinary() string {
	if p := os.Getenv("CIEN_TEST_MINIO_BIN"); p != "" {
		return p
	}
	if p, err := exec.LookPath("minio"); err == nil {
		return p
	}
	home, _ := os.UserHomeDir()
	for _, p := range []string{os.Getenv("GOBIN"), filepath.Join(os.Getenv("GOPATH"), "bin"), filepath.Join(home, "go", "bin")} {
		if p == "" {
			continue
		}
		if _, err := os.Stat(filepath.Join(p, "minio")); err == nil {
			return filepath.Join(p, "minio")
		}
	}
	return ""
}

// StartMinio runs a private MinIO on a free port with a temporary data
// directory and generated credentials.
func StartMinio(t testing.TB) *MinioServer {
	t.Helper()
	bin := MinioBinary()
	if bin == "" {
		Unavailable(t, "the minio binary is not installed (./scripts/test builds it)")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	secret := make([]byte, 16)
	_, _ = rand.Read(secret)
	m := &MinioServer{Config: storage.S3Config{Endpoint: addr, AccessKey: "cien-test", SecretKey: hex.EncodeToString(secret), Bucket: "cien-test", Region: "us-east-1", PathStyle: true}}
	m.cmd = exec.Command(bin, "server", "--quiet", "--address", addr, "--console-address", "127.0.0.1:0", t.TempDir())
	m.cmd.Env = append(os.Environ(), "MINIO_ROOT_USER="+m.Config.AccessKey, "MINIO_ROOT_PASSWORD="+m.Config.SecretKey)
	if err := m.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Stop)
	deadline := time.Now().Add(30 * time.Second)
	for {
		if _, err := storage.NewS3(context.Background(), m.Config); err == nil {
			return m
		}
		if time.Now().After(deadline) {
			t.Fatalf("minio on %s never answered", addr)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Stop kills the server.
func (m *MinioServer) Stop() {
	if m.cmd != nil && m.cmd.Process != nil {
		_ = m.cmd.Process.Kill()
		_ = m.cmd.Wait()
		m.cmd = nil
	}
}
