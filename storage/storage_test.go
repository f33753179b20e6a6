package storage_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cienerp/cienerp/internal/testenv"
	"github.com/cienerp/cienerp/storage"
)

// drivers returns every store to test: fs always, s3 against the test MinIO.
func drivers(t *testing.T) map[string]storage.Store {
	fs, err := storage.NewFS(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]storage.Store{"fs": fs}
	cfg := testenv.RequireS3OrSkipS3(t)
	if cfg != nil {
		s3, err := storage.NewS3(context.Background(), *cfg)
		if err != nil {
			t.Fatal(err)
		}
		out["s3"] = s3
	}
	return out
}

type failingReader struct{ n int }

func (f *failingReader) Read(p []byte) (int, error) {
	if f.n <= 0 {
		return 0, errors.New("client went away")
	}
	n := min(len(p), f.n)
	f.n -= n
	return n, nil
}

func TestStoreContract(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for name, s := range drivers(t) {
		t.Run(name, func(t *testing.T) {
			data := bytes.Repeat([]byte("cien"), 100_000)
			info, err := s.Put(ctx, "tenants/a/sandbox/documents/1", bytes.NewReader(data), -1, "application/pdf")
			if err != nil || info.Size != int64(len(data)) {
				t.Fatalf("put: %+v %v", info, err)
			}
			obj, got, err := s.Get(ctx, "tenants/a/sandbox/documents/1")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := obj.Seek(4, io.SeekStart); err != nil {
				t.Fatal(err)
			}
			rest, _ := io.ReadAll(obj)
			obj.Close()
			if !bytes.Equal(rest, data[4:]) || got.ContentType != "application/pdf" || got.Size != int64(len(data)) {
				t.Fatalf("get: %d bytes, info %+v", len(rest), got)
			}
			// Known size, then a second object to list.
			if _, err := s.Put(ctx, "tenants/a/live/documents/2", bytes.NewReader([]byte("x")), 1, "text/plain"); err != nil {
				t.Fatal(err)
			}
			var keys []string
			if err := s.List(ctx, "tenants/a/", func(i storage.Info) error { keys = append(keys, i.Key); return nil }); err != nil {
				t.Fatal(err)
			}
			if len(keys) != 2 {
				t.Fatalf("list: %v", keys)
			}
			// Delete is idempotent; what is gone is ErrNotFound.
			for i := 0; i < 2; i++ {
				if err := s.Delete(ctx, "tenants/a/sandbox/documents/1"); err != nil {
					t.Fatalf("delete %d: %v", i, err)
				}
			}
			if _, err := s.Stat(ctx, "tenants/a/sandbox/documents/1"); !errors.Is(err, storage.ErrNotFound) {
				t.Fatalf("stat after delete: %v", err)
			}
			if _, _, err := s.Get(ctx, "tenants/a/missing"); !errors.Is(err, storage.ErrNotFound) {
				t.Fatalf("get missing: %v", err)
			}
			// A reader that fails half-way leaves nothing behind.
			if _, err := s.Put(ctx, "tenants/a/broken", &failingReader{n: 1 << 20}, -1, "image/png"); err == nil {
				t.Fatal("a failing reader was stored")
			}
			if _, err := s.Stat(ctx, "tenants/a/broken"); !errors.Is(err, storage.ErrNotFound) {
				t.Fatalf("half-written object visible: %v", err)
			}
			if err := s.Health(ctx); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestKeysCannotEscape(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	root := t.TempDir()
	fs, _ := storage.NewFS(filepath.Join(root, "store"))
	outside := filepath.Join(root, "outside")
	for _, key := range []string{"../outside", "/etc/passwd", "a/../../outside", "a/./b", "a//b", "a\\..\\b", "a\x00b", "", "a/", "x.meta"} {
		if _, err := fs.Put(ctx, key, strings.NewReader("pwned"), -1, "text/plain"); !errors.Is(err, storage.ErrInvalidKey) {
			t.Errorf("put %q: %v, want ErrInvalidKey", key, err)
		}
		if _, _, err := fs.Get(ctx, key); !errors.Is(err, storage.ErrInvalidKey) {
			t.Errorf("get %q: %v", key, err)
		}
		if err := fs.Delete(ctx, key); !errors.Is(err, storage.ErrInvalidKey) {
			t.Errorf("delete %q: %v", key, err)
		}
	}
	if _, err := os.Stat(outside); !os.IsNotExist(err) {
		t.Fatal("a key escaped the root")
	}
	if _, err := fs.PresignGet(ctx, "a/b", time.Minute, "x"); !errors.Is(err, storage.ErrUnsupported) {
		t.Fatalf("fs presign: %v", err)
	}
}

func TestS3PresignedURLAndUnavailable(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m := testenv.StartMinio(t)
	s, err := storage.NewS3(ctx, m.Config)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Put(ctx, "k/v.txt", strings.NewReader("hello"), 5, "text/plain"); err != nil {
		t.Fatal(err)
	}
	url, err := s.PresignGet(ctx, "k/v.txt", time.Minute, "greeting.txt")
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "hello" || !strings.Contains(resp.Header.Get("Content-Disposition"), "greeting.txt") {
		t.Fatalf("presigned: %q %v", body, resp.Header)
	}
	m.Stop()
	for name, err := range map[string]error{
		"put":    func() error { _, err := s.Put(ctx, "k/w", strings.NewReader("x"), 1, "text/plain"); return err }(),
		"stat":   func() error { _, err := s.Stat(ctx, "k/v.txt"); return err }(),
		"delete": s.Delete(ctx, "k/v.txt"),
		"health": s.Health(ctx),
	} {
		if !errors.Is(err, storage.ErrUnavailable) {
			t.Errorf("%s with MinIO down: %v, want ErrUnavailable", name, err)
		}
	}
}
