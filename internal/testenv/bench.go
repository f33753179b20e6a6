package testenv

import (
	"bufio"
	"io"
	"math/rand/v2"
	"mime/multipart"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// BenchFile writes a file of size bytes that sniffs as PNG.
func BenchFile(b *testing.B, size int) string {
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

// PeakRSSGrowth resets the peak RSS mark and returns a function that
// reports how far the peak rose above the RSS at the reset, in MB.
func PeakRSSGrowth(b *testing.B) func() float64 {
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		b.Logf("cannot reset the peak RSS mark: %v", err)
	}
	base := procStatus(b, "VmRSS")
	return func() float64 { return float64(procStatus(b, "VmHWM")-base) / 1024 }
}

// StreamMultipart streams a multipart/form-data body of text fields and
// then one file read from disk, as a client sending a large file does.
func StreamMultipart(fields [][2]string, fileField, filename, path string) (body io.Reader, contentType string) {
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		for _, f := range fields {
			_ = mw.WriteField(f[0], f[1])
		}
		fw, _ := mw.CreateFormFile(fileField, filename)
		f, err := os.Open(path)
		if err == nil {
			_, err = io.Copy(fw, f)
			f.Close()
		}
		if err == nil {
			err = mw.Close()
		}
		pw.CloseWithError(err)
	}()
	return pr, mw.FormDataContentType()
}
