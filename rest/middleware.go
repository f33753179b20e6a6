package rest

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"math"
	"mime"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/cienerp/cienerp/auth"
	"github.com/cienerp/cienerp/policy"
	"github.com/cienerp/cienerp/ratelimit"
)

const (
	ctxRequestID = "request_id"
	ctxTenant    = "tenant"
	ctxRerouted  = "rerouted" // handled again under another path (a trailing slash)
)

var requestIDRE = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// withRequestID keeps a sane incoming X-Request-ID or makes one, and echoes
// it on every response.
func withRequestID(c *gin.Context) {
	id := c.GetHeader("X-Request-ID")
	if !requestIDRE.MatchString(id) {
		b := make([]byte, 12)
		_, _ = rand.Read(b)
		id = "req_" + hex.EncodeToString(b)
	}
	c.Set(ctxRequestID, id)
	c.Header("X-Request-ID", id)
	c.Next()
}

func requestID(c *gin.Context) string { return c.GetString(ctxRequestID) }

// withLog writes one structured line per request.
func withLog(log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		if c.GetBool(ctxRerouted) {
			return
		}
		attrs := []any{
			"request_id", requestID(c), "method", c.Request.Method, "path", c.Request.URL.Path,
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
				log.Error("panic", "request_id", requestID(c), "panic", fmt.Sprint(r))
				abortWith(c, newError(http.StatusInternalServerError, "internal_error", "Something went wrong on our side; quote the request id when you contact support."))
			}
		}()
		c.Next()
	}
}

// withBodyLimit caps request bodies at n bytes.
func withBodyLimit(n int64) gin.HandlerFunc { return withBodyLimitFor(n, "", n) }

// withBodyLimitFor is withBodyLimit with another limit for one media type.
func withBodyLimitFor(n int64, mediaType string, other int64) gin.HandlerFunc {
	return func(c *gin.Context) {
		limit := n
		if mt, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type")); mt == mediaType {
			limit = other
		}
		if c.Request.Body != nil {
			c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, limit)
		}
		c.Next()
	}
}

// authenticate resolves the credential, tenant and environment into the
// viewer that everything below reads.
func (s *Server) authenticate(env policy.Env) gin.HandlerFunc {
	return func(c *gin.Context) {
		req := auth.Request{APIKey: c.GetHeader("X-API-Key"), TenantHint: c.GetHeader("X-Tenant-ID"), Env: env}
		if h := c.GetHeader("Authorization"); h != "" {
			scheme, token, _ := strings.Cut(h, " ")
			if !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
				abortWith(c, newError(http.StatusUnauthorized, "unauthenticated", "The Authorization header must be \"Bearer <token>\"."))
				return
			}
			req.Bearer = strings.TrimSpace(token)
		}
		v, t, err := s.auth.Authenticate(c.Request.Context(), req)
		if err != nil {
			abortWith(c, err)
			return
		}
		v.RequestID = requestID(c)
		c.Set(ctxTenant, t)
		c.Request = c.Request.WithContext(policy.NewContext(c.Request.Context(), v))
		c.Next()
	}
}

// limitCredential applies the tenant's per-credential budget.
func (s *Server) limitCredential(c *gin.Context) {
	v := policy.FromContext(c.Request.Context())
	t := c.MustGet(ctxTenant).(auth.Tenant)
	s.limit(c, "cred:"+v.Credential(), ratelimit.PerMinute(t.RateLimit))
}

// limitIP applies a per-client-address budget (public routes).
func (s *Server) limitIP(l ratelimit.Limit, scope string) gin.HandlerFunc {
	return func(c *gin.Context) { s.limit(c, scope+":"+c.ClientIP(), l) }
}

func (s *Server) limit(c *gin.Context, key string, l ratelimit.Limit) {
	r, err := s.limiter.Allow(c.Request.Context(), key, l)
	if err != nil {
		// A broken limiter must not take the API down: serve and say so.
		s.log.Warn("rate limiter unavailable, request allowed", "error", err.Error(), "request_id", requestID(c))
		c.Next()
		return
	}
	c.Header("X-RateLimit-Limit", strconv.Itoa(r.Limit))
	c.Header("X-RateLimit-Remaining", strconv.Itoa(r.Remaining))
	c.Header("X-RateLimit-Reset", strconv.FormatInt(time.Now().Add(r.ResetAfter).Unix(), 10))
	if !r.Allowed {
		secs := int(math.Ceil(r.RetryAfter.Seconds()))
		c.Header("Retry-After", strconv.Itoa(secs))
		abortWith(c, &apiError{Status: http.StatusTooManyRequests, Code: "rate_limited",
			Message: fmt.Sprintf("Too many requests: the limit is %d per minute; retry in %s.", l.Rate, seconds(secs)),
			Extra:   gin.H{"retry_after": secs}})
		return
	}
	c.Next()
}

// require checks a route's declared permission with the same call that
// GraphQL resolvers use.
func require(perm string) gin.HandlerFunc {
	return func(c *gin.Context) {
		if err := policy.Require(c.Request.Context(), perm); err != nil {
			abortWith(c, err)
			return
		}
		c.Next()
	}
}

// seconds words a number of seconds: "1 second", "5 seconds".
func seconds(n int) string {
	if n == 1 {
		return "1 second"
	}
	return strconv.Itoa(n) + " seconds"
}
