package rest_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/cienerp/cienerp/internal/testenv"
	"github.com/cienerp/cienerp/policy"
)

// benchFile writes a file of size bytes that sniffs as PNG.
func benchFile(b *testing.B, size int) string {
	p := filepath.Join(b.TempDir(), "big.png")
	f, err := os.Create(p)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	_, _ = w.WriteString("\x89PNG\r\n\x1a\n")
	rng := rand.NewChaCha8([32]byte{1})
	buf := make([]byte, 1<<20)
	for written := 8; written < size; {
		n := min(len(buf), size-written)
		_, _ = rng.Read(buf[:n])
		_, _ = w.Write(buf[:n])
		written += n
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	f.Close()
	return p
}

// procStatus reads a field (kB) of /proc/self/status.
func procStatus(b *testing.B, field string) int64 {
	raw, err := os.ReadFile("/proc/self/status")
	if err != nil {
		b.Skip("no /proc/self/status")
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return n
		}
	}
	return 0
}

// peakRSSGrowth resets the peak RSS mark and returns a function that
// reports how far the peak rose above the RSS at the reset, in MB.
func peakRSSGrowth(b *testing.B) func() float64 {
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		b.Logf("cannot reset the peak RSS mark: %v", err)
	}
	base := procStatus(b, "VmRSS")
	return func() float64 { return float64(procStatus(b, "VmHWM")-base) / 1024 }
}

// BenchmarkUploadThroughAPI streams 50 MB and 200 MB multipart uploads
// over loopback HTTP through the whole API into MinIO. The peak RSS growth
// stays the same for both sizes: the server never holds the file.
func BenchmarkUploadThroughAPI(b *testing.B) {
	cfg := testenv.RequireS3(b)
	e := testenv.New(b, func(c *appConfig) { c.Storage, c.S3 = "s3", cfg; c.DocumentLimits.MaxBytes = 256 << 20 })
	tn := e.Tenant("bench")
	_, key := e.Key(tn.ID, policy.Sandbox, "admin")
	srv := httptest.NewServer(e.App.Handler)
	defer srv.Close()
	for _, size := range []int{50 << 20, 200 << 20} {
		b.Run(fmt.Sprintf("%dMB", size>>20), func(b *testing.B) { uploadThroughAPI(b, srv.URL, key, size) })
	}
}

func uploadThroughAPI(b *testing.B, url, key string, size int) {
	path := benchFile(b, size)
	growth := peakRSSGrowth(b)
	b.SetBytes(int64(size))
	b.ResetTimer()
	for b.Loop() {
		pr, pw := io.Pipe()
		mw := multipart.NewWriter(pw)
		go func() {
			fw, _ := mw.CreateFormFile("file", "big.png")
			f, _ := os.Open(path)
			_, err := io.Copy(fw, f)
			f.Close()
			if err == nil {
				err = mw.Close()
			}
			pw.CloseWithError(err)
		}()
		req, _ := http.NewRequest("POST", url+"/api/sandbox/documents", pr)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set("X-API-Key", key)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 201 {
			b.Fatalf("upload: %d %s", resp.StatusCode, body)
		}
	}
	b.StopTimer()
	b.ReportMetric(growth(), "peak-rss-growth-MB")
}

// BenchmarkUploadDirectPutObject is the baseline: minio-go PutObject of a
// 200 MB file to the same MinIO.
func BenchmarkUploadDirectPutObject(b *testing.B) {
	const size = 200 << 20
	cfg := testenv.RequireS3(b)
	c, err := minio.New(cfg.Endpoint, &minio.Options{Creds: credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""), BucketLookup: minio.BucketLookupPath})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	if err := c.MakeBucket(ctx, cfg.Bucket, minio.MakeBucketOptions{}); err != nil {
		b.Fatal(err)
	}
	path := benchFile(b, size)
	growth := peakRSSGrowth(b)
	b.SetBytes(size)
	b.ResetTimer()
	i := 0
	for b.Loop() {
		f, _ := os.Open(path)
		_, err := c.PutObject(ctx, cfg.Bucket, fmt.Sprintf("direct/%d", i), f, size, minio.PutObjectOptions{ContentType: "image/png"})
		f.Close()
		if err != nil {
			b.Fatal(err)
		}
		i++
	}
	b.StopTimer()
	b.ReportMetric(growth(), "peak-rss-growth-MB")
}
