// Package rest is the REST transport: the gin router, its middleware, one
// file per module, and the OpenAPI document built from the same route
// table, so that every route is documented by construction.
package rest

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/cienerp/cienerp/auth"
	"github.com/cienerp/cienerp/policy"
	"github.com/cienerp/cienerp/ratelimit"
	"github.com/cienerp/cienerp/service"
)

// Config wires the transport.
type Config struct {
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
	// Version is reported by the ping routes.
	Version string
	// Fresh, when set, runs before authentication on every request to pick
	// up changes made on other instances (redissync).
	Fresh func(context.Context)
	// GraphQL serves /graphql under every base, behind the same
	// authentication, tenancy and rate limits as REST.
	GraphQL http.Handler
	// Explorer answers a browser's GET of /graphql; SDL is the schema
	// served at /graphql/schema.graphql.
	Explorer http.Handler
	SDL      string
	// Introspection is the standard introspection query's answer, served
	// at /graphql/schema.json (for the explorer, without a credential).
	Introspection []byte
	// Mount adds routes outside the API (the developer portal).
	Mount func(*gin.Engine)
	// TrustedProxies are the addresses (CIDRs) allowed to set
	// X-Forwarded-For and X-Forwarded-Proto; none by default.
	TrustedProxies []string
	// SandboxAllowHTTP lets sandbox credentials come over plain HTTP.
	SandboxAllowHTTP bool
}

// Server holds the REST transport's dependencies.
type Server struct {
	svc     *service.Service
	auth    *auth.Authenticator
	limiter ratelimit.Limiter
	log     *slog.Logger
	cfg     Config
	openapi []byte
	secured secured
}

// Base is one base URL and the environment it serves.
type Base struct {
	Prefix string
	Env    policy.Env
}

// Bases are where every API route is served.
var Bases = []Base{
	{"/api", policy.Live},
	{"/api/v1", policy.Live},
	{"/api/sandbox", policy.Sandbox},
	{"/api/sandbox/v1", policy.Sandbox},
}

const ctxEnv = "env"

// PublicPrefix serves the public tools (the quote calculator) outside the
// environment bases.
const PublicPrefix = "/public"

// New builds the HTTP handler.
func New(cfg Config) (http.Handler, error) {
	gin.SetMode(gin.ReleaseMode)
	s := &Server{svc: cfg.Service, auth: cfg.Auth, limiter: cfg.Limiter, log: cfg.Logger, cfg: cfg}
	doc, err := s.buildOpenAPI()
	if err != nil {
		return nil, err
	}
	s.openapi = doc
	if s.secured, err = newSecured(cfg.TrustedProxies); err != nil {
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
	r.Use(withRequestID, s.withSecurityHeaders, newMetrics(cfg.Registry), withLog(cfg.Logger), withRecover(cfg.Logger))
	r.NoRoute(func(c *gin.Context) {
		if p := c.Request.URL.Path; strings.HasPrefix(p, "/api/") && strings.HasSuffix(p, "/") && strings.Trim(p, "/") != "api" {
			// A trailing slash: the same route, not a redirect that many
			// clients do not follow for a POST.
			c.Request.URL.Path, c.Request.URL.RawPath = strings.TrimRight(p, "/"), ""
			r.HandleContext(c)
			c.Set(ctxRerouted, true) // logged and counted once, by the inner pass
			return
		}
		abortWith(c, newError(http.StatusNotFound, "route_not_found", "No route %s %s; see /api/openapi.json for the routes.", c.Request.Method, c.Request.URL.Path))
	})
	r.NoMethod(func(c *gin.Context) {
		abortWith(c, newError(http.StatusMethodNotAllowed, "method_not_allowed", "%s is not allowed on %s.", c.Request.Method, c.Request.URL.Path))
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
		g := r.Group(b.Prefix, func(c *gin.Context) { c.Set(ctxEnv, b.Env); c.Next() })
		for _, rt := range s.routes() {
			g.Handle(rt.Method, rt.Path, s.chain(rt, b.Env)...)
			if rt.Method == http.MethodGet { // HEAD answers what GET would, without the body
				g.Handle(http.MethodHead, rt.Path, s.chain(rt, b.Env)...)
			}
		}
	}
	pub := r.Group(PublicPrefix, func(c *gin.Context) { c.Set(ctxEnv, policy.Sandbox); c.Next() })
	for _, rt := range s.routes() {
		if rt.AtPublic {
			pub.Handle(rt.Method, rt.Path, s.chain(rt, policy.Sandbox)...)
		}
	}
	return r, nil
}

// chain is the middleware a route gets: public routes a per-IP budget;
// others authentication, the credential's budget and the declared
// permission; creating POSTs idempotency.
func (s *Server) chain(rt route, env policy.Env) []gin.HandlerFunc {
	limit := rt.MaxBody
	switch {
	case limit == 0:
		limit = MaxBodyBytes
	case limit < 0: // uploads: the document limit plus the form's overhead
		limit = s.svc.Limits.MaxBytes + uploadOverhead
	}
	hs := []gin.HandlerFunc{s.requireHTTPS(env), withBodyLimit(limit)}
	if rt.Path == "/graphql" && rt.Method == http.MethodPost {
		// GraphQL uploads are multipart bodies with the document limit.
		hs[1] = withBodyLimitFor(limit, "multipart/form-data", s.svc.Limits.MaxBytes+uploadOverhead)
	}
	if rt.Secret {
		hs = append(hs, noStore)
	}
	if rt.Path == "/graphql" && rt.Method == http.MethodGet && s.cfg.Explorer != nil {
		hs = append(hs, s.explorer)
	}
	if s.cfg.Fresh != nil && (!rt.Public || rt.Path == tokenPath) {
		hs = append(hs, func(c *gin.Context) { s.cfg.Fresh(c.Request.Context()); c.Next() })
	}
	switch {
	case rt.Public && rt.Path == tokenPath:
		hs = append(hs, s.limitIP(s.cfg.TokenLimit, "token"))
	case rt.Public:
		hs = append(hs, s.limitIP(s.cfg.PublicLimit, "public"))
	default:
		hs = append(hs, s.authenticate(env), s.limitCredential)
		if rt.Permission != "" {
			hs = append(hs, require(rt.Permission))
		}
	}
	if rt.Path != tokenPath { // after the budget is charged; the token endpoint answers in RFC 6749's words
		hs = append(hs, guardInput)
	}
	if rt.Creates {
		hs = append(hs, s.idempotent)
	}
	return append(hs, rt.Handle.gin())
}

func (s *Server) ready(c *gin.Context) {
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

func envOf(c *gin.Context) policy.Env { return c.MustGet(ctxEnv).(policy.Env) }

// explorer serves the GraphQL explorer to a browser that opens the
// endpoint itself (an HTML GET; with ?query= the explorer opens that
// query, as GraphiQL servers do); API calls pass through.
func (s *Server) explorer(c *gin.Context) {
	if strings.Contains(c.GetHeader("Accept"), "text/html") {
		s.cfg.Explorer.ServeHTTP(c.Writer, c.Request)
		c.Abort()
		return
	}
	c.Next()
}
