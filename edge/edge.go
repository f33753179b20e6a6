// Package edge is the HTTP edge: everything a request meets before a REST
// handler or a GraphQL resolver runs, in this order — request id, security
// headers, metrics, the access log, the request log (requestlog), recovery, (per route) HTTPS for
// credentials, the body limit, authentication, tenant and environment,
// the rate limit, the route's permission, the input guard and idempotency.
// It mounts the transports side by side under every base URL; neither
// knows of the other. The edge also owns the routes about the edge itself:
// the health check of each base, the token endpoint and the OpenAPI
// document of everything it serves.
package edge

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	ginjson "github.com/gin-gonic/gin/codec/json"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/cienerp/cienerp/auth"
	"github.com/cienerp/cienerp/internal/jsonwire"
	"github.com/cienerp/cienerp/module"
	"github.com/cienerp/cienerp/openapi"
	"github.com/cienerp/cienerp/ratelimit"
	"github.com/cienerp/cienerp/requestlog"
	"github.com/cienerp/cienerp/service"
)

// Config wires the edge.
type Config struct {
	// Service stores idempotency keys and knows the upload limit.
	Service *service.Service
	Auth    *auth.Authenticator
	Limiter ratelimit.Limiter
	Logger  *slog.Logger
	// Registry receives the HTTP metrics and is served at /metrics.
	Registry *prometheus.Registry
	// TokenLimit is the per-IP budget of the token endpoint (password
	// guessing); PublicLimit that of the other public routes.
	TokenLimit  ratelimit.Limit
	PublicLimit ratelimit.Limit
	// Ready reports whether the dependencies answer (for /readyz).
	Ready func(context.Context) error
	// Version is reported by the ping routes and the OpenAPI document.
	Version string
	// Fresh, when set, runs before authentication on every request to pick
	// up changes made on other instances (while they are not pushed).
	Fresh func(context.Context)
	// Confirm, when set, is asked before a refusal stands (authentication
	// here; a permission through policy.Viewer.Confirm, once per
	// request): it reads the change counter and applies what this
	// instance has not heard of yet, true when the caches are then up to
	// date, and the request is decided again. A key or role granted on
	// another instance works here at once, not after its push
	// (revocations are the push's, within 100 ms).
	Confirm func(context.Context) bool
	// RequestLog, when set, receives a record of every request that has a
	// tenant.
	RequestLog *requestlog.Writer
	// Mount adds routes outside the API (the developer portal).
	Mount func(*gin.Engine)
	// TrustedProxies are the addresses (CIDRs) allowed to set
	// X-Forwarded-For and X-Forwarded-Proto; none by default.
	TrustedProxies []string
	// SandboxAllowHTTP lets sandbox credentials come over plain HTTP.
	SandboxAllowHTTP bool
	// REST and GraphQL are the transports. Errors outside any route (an
	// unknown path) are rendered the REST way.
	REST, GraphQL Transport
}

// Transport is one way of speaking the API.
type Transport struct {
	Routes []Route
	// Schemas are the OpenAPI component schemas its routes refer to.
	Schemas openapi.Obj
	// Webhooks are the OpenAPI document's top-level webhooks: the requests
	// the platform sends to receivers.
	Webhooks openapi.Obj
	// Render writes a failure the way this transport's clients read one.
	Render Renderer
}

// Route is one operation below a base URL: what the edge does around it,
// its handler and its description.
type Route struct {
	Method  string
	Path    string    // gin syntax below the base: /tickets/:id
	Op      module.Op // its permission (from the module's declaration) is checked before the handler; none = any authenticated caller
	Public  bool      // no credentials; limited per client address instead
	Creates bool      // honours Idempotency-Key
	// Conditional: the write honours If-Match, checked by the service
	// against the object it changes (412 with the current ETag).
	Conditional bool
	Upload      bool // multipart bodies may be as large as the document limit
	AtPublic    bool // also served under /public (no environment: sandbox rules)
	Secret      bool // the answer carries a secret: Cache-Control: no-store
	// Browser, when set, answers a browser's HTML GET before any
	// credential is asked for (the GraphQL explorer).
	Browser http.Handler
	// Socket, when set, serves the route's WebSocket upgrades; it
	// authenticates inside the socket with LoginFrom (GraphQL subscriptions).
	Socket http.Handler
	Handle Handler
	Doc    openapi.Doc

	token bool // the token endpoint: its own budget, RFC 6749 errors, no input guard
}

// Handler serves a route; an error it returns is rendered by Fail.
type Handler func(c *gin.Context) error

type server struct {
	cfg     Config
	log     *slog.Logger
	secured secured
	openapi []byte
}

// ginOnce sets gin's process-wide settings once: a process (a test binary
// included) may build several handlers, concurrently.
var ginOnce sync.Once

// New builds the HTTP handler.
func New(cfg Config) (http.Handler, error) {
	ginOnce.Do(func() {
		gin.SetMode(gin.ReleaseMode)
		ginjson.API = jsonwire.Codec{} // every c.JSON encodes with jsonwire
	})
	s := &server{cfg: cfg, log: cfg.Logger}
	var err error
	if s.secured, err = newSecured(cfg.TrustedProxies); err != nil {
		return nil, err
	}
	own := Transport{Routes: s.routes(), Schemas: ownSchemas(), Render: cfg.REST.Render}
	mounted := []Transport{own, cfg.REST, cfg.GraphQL}
	if s.openapi, err = document(cfg.Version, mounted); err != nil {
		return nil, err
	}

	r := gin.New()
	// Client addresses (per-IP limits, logs) come from X-Forwarded-For only
	// when the peer is a proxy we were told to trust.
	if err := r.SetTrustedProxies(cfg.TrustedProxies); err != nil {
		return nil, fmt.Errorf("trusted proxies: %w", err)
	}
	r.HandleMethodNotAllowed = true
	r.RedirectTrailingSlash = false // /tickets/ is served as /tickets (below), not redirected
	r.ContextWithFallback = true
	r.Use(withRequestID, s.withSecurityHeaders, newMetrics(cfg.Registry), withLog(cfg.Logger), recordRequests(cfg.RequestLog), withRecover(cfg.Logger), withRenderer(cfg.REST.Render))
	r.NoRoute(func(c *gin.Context) {
		if p := c.Request.URL.Path; strings.HasPrefix(p, "/api/") && strings.HasSuffix(p, "/") && strings.Trim(p, "/") != "api" {
			// A trailing slash: the same route, not a redirect that many
			// clients do not follow for a POST.
			c.Request.URL.Path, c.Request.URL.RawPath = strings.TrimRight(p, "/"), ""
			r.HandleContext(c)
			c.Set(ctxRerouted, true) // logged and counted once, by the inner pass
			return
		}
		Fail(c, service.Fail(service.KindNotFound, "route_not_found", "No route %s %s; see /api/openapi.json for the routes.", c.Request.Method, c.Request.URL.Path))
	})
	r.NoMethod(func(c *gin.Context) {
		Fail(c, service.Fail(service.KindNotAllowed, "method_not_allowed", "%s is not allowed on %s.", c.Request.Method, c.Request.URL.Path))
	})

	if cfg.Mount != nil {
		cfg.Mount(r)
	}
	r.GET("/healthz", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"status": "ok"}) })
	r.GET("/readyz", s.ready)
	if cfg.Registry != nil {
		r.GET("/metrics", gin.WrapH(promhttp.HandlerFor(cfg.Registry, promhttp.HandlerOpts{})))
	}
	for _, b := range Bases {
		g := r.Group(b.Prefix, withEnv(b.Env))
		for _, t := range mounted {
			for _, rt := range t.Routes {
				g.Handle(rt.Method, rt.Path, s.chain(t, rt, b.Env)...)
				if rt.Method == http.MethodGet { // HEAD answers what GET would, without the body
					g.Handle(http.MethodHead, rt.Path, s.chain(t, rt, b.Env)...)
				}
			}
		}
	}
	pub := r.Group(PublicPrefix, withEnv(Public.Env))
	for _, t := range mounted {
		for _, rt := range t.Routes {
			if rt.AtPublic {
				pub.Handle(rt.Method, rt.Path, s.chain(t, rt, Public.Env)...)
			}
		}
	}
	return r, nil
}

func (s *server) ready(c *gin.Context) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Second)
	defer cancel()
	if s.cfg.Ready != nil {
		if err := s.cfg.Ready(ctx); err != nil {
			s.log.Warn("not ready", "error", err.Error())
			c.JSON(http.StatusServiceUnavailable, gin.H{"status": "error", "message": "A dependency is not answering.", "code": "not_ready"})
			return
		}
	}
	c.JSON(http.StatusOK, gin.H{"status": "ok"})
}
