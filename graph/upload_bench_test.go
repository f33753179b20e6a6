package graph_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/cienerp/cienerp/app"
	"github.com/cienerp/cienerp/internal/testenv"
	"github.com/cienerp/cienerp/policy"
)

// BenchmarkGraphQLUploadThroughAPI sends 50 MB and 200 MB files with the
// GraphQL multipart request spec over loopback HTTP into MinIO, next to
// rest's BenchmarkUploadThroughAPI. The peak RSS growth is the same for
// both sizes: the resolver reads the file straight from the request body.
func BenchmarkGraphQLUploadThroughAPI(b *testing.B) {
	cfg := testenv.RequireS3(b)
	e := testenv.New(b, func(c *app.Config) { c.Storage, c.S3 = "s3", cfg; c.DocumentLimits.MaxBytes = 256 << 20 })
	tn := e.Tenant("bench")
	_, key := e.Key(tn.ID, policy.Sandbox, "admin")
	srv := httptest.NewServer(e.App.Handler)
	defer srv.Close()
	ops, _ := json.Marshal(map[string]any{"query": `mutation($f: Upload!) { uploadDocument(file: $f) { id size } }`, "variables": map[string]any{"f": nil}})
	for _, size := range []int{50 << 20, 200 << 20} {
		b.Run(fmt.Sprintf("%dMB", size>>20), func(b *testing.B) {
			path := testenv.BenchFile(b, size)
			growth := testenv.PeakRSSGrowth(b)
			b.SetBytes(int64(size))
			b.ResetTimer()
			for b.Loop() {
				body, ctype := testenv.StreamMultipart([][2]string{{"operations", string(ops)}, {"map", `{"0": ["variables.f"]}`}}, "0", "big.png", path)
				req, _ := http.NewRequest("POST", srv.URL+"/api/sandbox/graphql", body)
				req.Header.Set("Content-Type", ctype)
				req.Header.Set("X-API-Key", key)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				var out struct {
					Data struct{ UploadDocument struct{ Size int } }
				}
				err = json.NewDecoder(resp.Body).Decode(&out)
				resp.Body.Close()
				if err != nil || out.Data.UploadDocument.Size != size {
					b.Fatalf("upload: %d %v %+v", resp.StatusCode, err, out)
				}
			}
			b.StopTimer()
			b.ReportMetric(growth(), "peak-rss-growth-MB")
		})
	}
}
