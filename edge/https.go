package edge

import (
	"fmt"
	"net"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/cienerp/cienerp/policy"
	"github.com/cienerp/cienerp/service"
)

// secured decides whether a request reached us over HTTPS: its own TLS,
// or X-Forwarded-Proto: https set by a proxy we were told to trust
// (CIEN_TRUSTED_PROXIES); the header from anyone else counts for nothing.
type secured struct{ proxies []*net.IPNet }

func newSecured(trusted []string) (secured, error) {
	var s secured
	for _, p := range trusted {
		if !strings.Contains(p, "/") {
			if ip := net.ParseIP(p); ip != nil && ip.To4() != nil {
				p += "/32"
			} else {
				p += "/128"
			}
		}
		_, n, err := net.ParseCIDR(p)
		if err != nil {
			return s, fmt.Errorf("trusted proxy %q: %w", p, err)
		}
		s.proxies = append(s.proxies, n)
	}
	return s, nil
}

func (s secured) https(r *http.Request) bool {
	if r.TLS != nil {
		return true
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	ip := net.ParseIP(host)
	if err != nil || ip == nil || !strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https") {
		return false
	}
	for _, n := range s.proxies {
		if n.Contains(ip) {
			return true
		}
	}
	return false
}

// onThisMachine: the client is the machine itself (127.0.0.1 or ::1, after
// trusted proxies), where plain HTTP leaks nothing.
func onThisMachine(c *gin.Context) bool {
	ip := c.ClientIP()
	return ip == "127.0.0.1" || ip == "::1"
}

// withSecurityHeaders sets the headers every response carries, and HSTS
// on those served over HTTPS.
func (s *server) withSecurityHeaders(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	if s.secured.https(c.Request) {
		h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
	}
	c.Next()
}

// requireHTTPS refuses credentials sent in clear text to env's base URL
// from another machine, before they are looked at (a key stays unused:
// no last-used time), as Stripe does. Sandbox may allow plain HTTP. inBody:
// the route takes credentials in its body too (the token endpoint).
func (s *server) requireHTTPS(env policy.Env, inBody bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		if s.transportOK(c, env, inBody) {
			c.Next()
		}
	}
}

// transportOK reports whether the request may carry credentials as it
// came, and fails it when not.
func (s *server) transportOK(c *gin.Context, env policy.Env, inBody bool) bool {
	if (env == policy.Sandbox && s.cfg.SandboxAllowHTTP) || s.secured.https(c.Request) || onThisMachine(c) || !carriesCredentials(c, inBody) {
		return true
	}
	url := "https://" + c.Request.Host + c.Request.URL.RequestURI()
	Fail(c, service.Fail(service.KindForbidden, "https_required",
		"Credentials must be sent over HTTPS: use %s. A key sent in clear text may have been seen; consider rolling it.", url))
	return false
}

func carriesCredentials(c *gin.Context, inBody bool) bool {
	return inBody || c.GetHeader("X-API-Key") != "" || c.GetHeader("Authorization") != ""
}

// noStore keeps responses that carry a secret (a new key, a token, a
// generated password) out of every cache.
func noStore(c *gin.Context) {
	c.Header("Cache-Control", "no-store")
	c.Next()
}
