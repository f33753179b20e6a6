package rest_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/cienerp/cienerp/internal/testenv"
	"github.com/cienerp/cienerp/policy"
)

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
	path := testenv.BenchFile(b, size)
	growth := testenv.PeakRSSGrowth(b)
	b.SetBytes(int64(size))
	b.ResetTimer()
	for b.Loop() {
		body, ctype := testenv.StreamMultipart(nil, "file", "big.png", path)
		req, _ := http.NewRequest("POST", url+"/api/sandbox/documents", body)
		req.Header.Set("Content-Type", ctype)
		req.Header.Set("X-API-Key", key)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		answer, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 201 {
			b.Fatalf("upload: %d %s", resp.StatusCode, answer)
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
	path := testenv.BenchFile(b, size)
	growth := testenv.PeakRSSGrowth(b)
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
