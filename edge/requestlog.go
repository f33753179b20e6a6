package edge

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/cienerp/cienerp/policy"
	"github.com/cienerp/cienerp/service"
)

const (
	ctxRequestID = "request_id"
	ctxRerouted  = "rerouted" // handled again under another path (a trailing slash)
)

var requestIDRE = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// withRequestID keeps a sane incoming X-Request-ID or makes one, and echoes
// it on every response.
func withRequestID(c *gin.Context) {
	id := c.GetHeader("X-Request-ID")
	if !requestIDRE.MatchString(id) {
		id = newRequestID()
	}
	c.Set(ctxRequestID, id)
	c.Header("X-Request-ID", id)
	c.Next()
}

// newRequestID makes a request id: req_ and 24 hex digits, the first 12
// the time in milliseconds, so that ids sort by time and the request log's
// index of them grows at its end instead of at random places.
func newRequestID() string {
	b := make([]byte, 12)
	ms := uint64(time.Now().UnixMilli())
	for i := 5; i >= 0; i-- {
		b[i], ms = byte(ms), ms>>8
	}
	_, _ = rand.Read(b[6:])
	return "req_" + hex.EncodeToString(b)
}

// RequestID is the request's id (X-Request-ID).
func RequestID(c *gin.Context) string { return c.GetString(ctxRequestID) }

// withLog writes one structured line per request.
func withLog(log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		if c.GetBool(ctxRerouted) {
			return
		}
		attrs := []any{
			"request_id", RequestID(c), "method", c.Request.Method, "path", c.Request.URL.Path,
			"route", c.FullPath(), "status", c.Writer.Status(),
			"latency_ms", float64(time.Since(start).Microseconds()) / 1000, "ip", c.ClientIP(),
		}
		if v := policy.FromContext(c.Request.Context()); v != nil {
			attrs = append(attrs, "tenant", v.TenantID.String(), "env", string(v.Env), "credential", v.Credential())
		}
		level := slog.LevelInfo
		if c.Writer.Status() >= 500 {
			level = slog.LevelError
		}
		log.Log(c.Request.Context(), level, "request", attrs...)
	}
}

// withRecover turns a panic into a logged 500 with the standard body.
func withRecover(log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		defer func() {
			if r := recover(); r != nil {
				if r == http.ErrAbortHandler {
					panic(r)
				}
				log.Error("panic", "request_id", RequestID(c), "panic", fmt.Sprint(r))
				Fail(c, service.Fail(service.KindUnexpected, "internal_error", "%s", unexpectedMessage))
			}
		}()
		c.Next()
	}
}
