package edge

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"mime"
	"mime/multipart"

	"github.com/gin-gonic/gin"

	"github.com/cienerp/cienerp/internal/jsoncheck"
	"github.com/cienerp/cienerp/service"
)

// captureWriter keeps a copy of what the handler writes.
type captureWriter struct {
	gin.ResponseWriter
	buf bytes.Buffer
}

func (w *captureWriter) Write(b []byte) (int, error) {
	w.buf.Write(b)
	return w.ResponseWriter.Write(b)
}

func (w *captureWriter) WriteString(s string) (int, error) {
	w.buf.WriteString(s)
	return w.ResponseWriter.WriteString(s)
}

// idempotent gives creating POSTs Stripe's Idempotency-Key semantics,
// scoped to tenant, environment and credential: the first response (below
// 500) is replayed for 24 h; the same key with another request is 422; a
// key whose first request is still running is 409 (until its lease lapses,
// when its holder can no longer finish it).
func (s *server) idempotent(c *gin.Context) {
	key := c.GetHeader("Idempotency-Key")
	if key == "" {
		c.Next()
		return
	}
	if len(key) > 255 {
		Fail(c, service.Invalid("Idempotency-Key", "The Idempotency-Key header must be at most 255 characters."))
		return
	}
	hasher := newRequestHasher(c.Request.Method, c.Request.URL.Path)
	if raw, ok := c.Get(ctxJSONBody); ok {
		// JSON is compared as parameters: key order and spacing do not matter.
		canon, ok := jsoncheck.Canonical(raw.([]byte))
		if !ok {
			canon = raw.([]byte)
		}
		hasher.Write(canon)
	} else {
		// Hashed as it streams (uploads are never held in memory);
		// multipart bodies part by part, so the boundary does not matter.
		var sink io.Writer = hasher
		if mt, params, _ := mime.ParseMediaType(c.GetHeader("Content-Type")); mt == "multipart/form-data" && params["boundary"] != "" {
			sink = hasher.multipart(params["boundary"])
			defer hasher.finish()
		}
		body := c.Request.Body
		c.Request.Body = struct {
			io.Reader
			io.Closer
		}{io.TeeReader(body, sink), body}
	}

	claim, prev, err := s.cfg.Service.ClaimIdempotency(c.Request.Context(), key)
	switch {
	case err != nil: // service.ErrIdempotencyRunning is 409 idempotency_in_progress
		Fail(c, err)
		return
	case claim != nil:
		s.runOnce(c, claim, hasher)
		return
	}
	if _, err := io.Copy(io.Discard, c.Request.Body); err != nil {
		Fail(c, BodyError(err))
		return
	}
	if hasher.sum() != prev.RequestHash {
		Fail(c, service.Invalid("Idempotency-Key", "This Idempotency-Key was already used with a different request; use a new key for a new request."))
		return
	}
	c.Header("Idempotent-Replayed", "true")
	c.Data(prev.ResponseStatus, "application/json; charset=utf-8", prev.ResponseBody)
	c.Abort()
}

// runOnce runs the handler for a freshly claimed key and stores its answer
// with the hash of the whole request.
func (s *server) runOnce(c *gin.Context, row *service.IdempotencyClaim, hasher *requestHasher) {
	w := &captureWriter{ResponseWriter: c.Writer}
	c.Writer = w
	c.Next()
	ctx := c.Request.Context()
	var err error
	if status := w.Status(); status >= 500 {
		err = s.cfg.Service.ReleaseIdempotency(ctx, row)
	} else {
		_, _ = io.Copy(io.Discard, c.Request.Body) // hash what the handler did not read
		err = s.cfg.Service.CompleteIdempotency(ctx, row, hasher.sum(), status, w.buf.Bytes())
	}
	if err != nil {
		s.log.Error("storing idempotent response", "error", err.Error(), "request_id", RequestID(c))
	}
}

type requestHasher struct {
	hash.Hash
	parts *io.PipeWriter // a multipart body is written here, and hashed part by part
	done  chan struct{}
}

func newRequestHasher(method, path string) *requestHasher {
	h := &requestHasher{Hash: sha256.New()}
	h.Write([]byte(method + " " + path + "\n"))
	return h
}

// multipart returns the writer for a multipart body with boundary: each
// part is hashed as its name, file name and content.
func (h *requestHasher) multipart(boundary string) io.Writer {
	pr, pw := io.Pipe()
	h.parts, h.done = pw, make(chan struct{})
	go func() {
		defer close(h.done)
		mr := multipart.NewReader(pr, boundary)
		for {
			p, err := mr.NextPart()
			if err != nil {
				break
			}
			fmt.Fprintf(h.Hash, "%q %q\n", p.FormName(), p.FileName())
			if _, err := io.Copy(h.Hash, p); err != nil {
				break
			}
		}
		_, _ = io.Copy(h.Hash, pr) // what is not a part (or not well-formed) counts as it is
	}()
	return pw
}

// finish ends the multipart hashing, once all of the body went through.
func (h *requestHasher) finish() {
	if h.parts != nil {
		h.parts.Close()
		<-h.done
		h.parts = nil
	}
}

func (h *requestHasher) sum() string {
	h.finish()
	return hex.EncodeToString(h.Sum(nil))
}

// RequestHash identifies a request for idempotency: the same key may only
// be reused for the same method, path and body.
func RequestHash(method, path string, body []byte) string {
	h := newRequestHasher(method, path)
	h.Write(body)
	return h.sum()
}
