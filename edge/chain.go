package edge

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/cienerp/cienerp/policy"
)

// MaxBodyBytes bounds every request body that is not an upload.
const MaxBodyBytes = 1 << 20

// UploadOverhead is what a multipart form may add around the file.
const UploadOverhead = 1 << 20

// chain is what a route of transport t gets below a base of env: public
// routes a per-IP budget; others authentication, the credential's budget
// and the declared permission; creating POSTs idempotency.
func (s *server) chain(t Transport, rt Route, env policy.Env) []gin.HandlerFunc {
	hs := []gin.HandlerFunc{withRenderer(t.Render), s.requireHTTPS(env, rt.token)}
	if rt.Upload {
		hs = append(hs, withBodyLimitFor(MaxBodyBytes, "multipart/form-data", s.cfg.Service.Limits.MaxBytes+UploadOverhead))
	} else {
		hs = append(hs, withBodyLimit(MaxBodyBytes))
	}
	if rt.Secret {
		hs = append(hs, noStore)
	}
	if rt.Browser != nil {
		hs = append(hs, forBrowsers(rt.Browser))
	}
	if rt.Socket != nil {
		hs = append(hs, s.forSockets(rt.Socket, env))
	}
	if s.cfg.Fresh != nil && (!rt.Public || rt.token) {
		hs = append(hs, func(c *gin.Context) { s.cfg.Fresh(c.Request.Context()); c.Next() })
	}
	switch {
	case rt.token:
		hs = append(hs, s.limitIP(s.cfg.TokenLimit, "token"))
	case rt.Public:
		hs = append(hs, s.limitIP(s.cfg.PublicLimit, "public"))
	default:
		hs = append(hs, s.authenticate(env), s.limitCredential)
		if rt.Op.Permission != "" {
			hs = append(hs, require(rt.Op.Permission))
		}
	}
	if !rt.token { // after the budget is charged; the token endpoint answers in RFC 6749's words
		hs = append(hs, guardInput)
	}
	if !rt.Public {
		hs = append(hs, preconditions(rt.Conditional))
	}
	if rt.Creates {
		hs = append(hs, s.idempotent)
	}
	return append(hs, run(rt.Handle))
}

// run calls the handler and renders the error it returns.
func run(h Handler) gin.HandlerFunc {
	return func(c *gin.Context) {
		if err := h(c); err != nil {
			Fail(c, err)
		}
	}
}

// forBrowsers answers a browser that opens the route itself (an HTML GET)
// with page; API calls pass through.
func forBrowsers(page http.Handler) gin.HandlerFunc {
	return func(c *gin.Context) {
		if strings.Contains(c.GetHeader("Accept"), "text/html") {
			page.ServeHTTP(c.Writer, c.Request)
			c.Abort()
			return
		}
		c.Next()
	}
}

// require checks a route's declared permission with the same call that
// GraphQL resolvers use: the decision itself is policy's.
func require(perm string) gin.HandlerFunc {
	return func(c *gin.Context) {
		if err := policy.Require(c.Request.Context(), perm); err != nil {
			Fail(c, err)
			return
		}
		// The operation's row condition governs what it writes.
		c.Request = c.Request.WithContext(policy.WithOperation(c.Request.Context(), perm))
		c.Next()
	}
}
