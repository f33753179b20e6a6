package edge

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/cienerp/cienerp/policy"
	"github.com/cienerp/cienerp/ratelimit"
	"github.com/cienerp/cienerp/service"
)

// Login authenticates a WebSocket's credentials, sent inside the socket
// (graphql-transport-ws's connection_init payload) under the HTTP header
// names: X-API-Key or Authorization, and X-Tenant-ID. It returns ctx with
// the viewer, exactly as a request with those headers would get it, and
// charges the credential's rate budget for the connection (and, through
// Charge, for each operation started in it).
type Login func(ctx context.Context, credentials map[string]any) (context.Context, error)

type loginKey struct{}

// LoginFrom is the Login of the socket being opened (nil elsewhere).
func LoginFrom(ctx context.Context) Login {
	l, _ := ctx.Value(loginKey{}).(Login)
	return l
}

// forSockets hands a WebSocket upgrade of the route to socket before any
// credential is asked for in headers (browsers cannot send them): the
// socket authenticates with LoginFrom. Its budget is per client address
// until then; credentials travel inside, so live needs TLS as for a body
// that carries them.
func (s *server) forSockets(socket http.Handler, env policy.Env) gin.HandlerFunc {
	return func(c *gin.Context) {
		if !strings.EqualFold(c.GetHeader("Upgrade"), "websocket") {
			c.Next()
			return
		}
		if !s.transportOK(c, env, true) {
			return
		}
		if _, ok := s.allowed(c, "socket:"+c.ClientIP(), s.cfg.PublicLimit, 1); !ok {
			return
		}
		// The server's deadlines are for requests that end; a socket does not.
		rc := http.NewResponseController(c.Writer)
		_ = rc.SetReadDeadline(time.Time{})
		_ = rc.SetWriteDeadline(time.Time{})
		ctx := context.WithValue(c.Request.Context(), loginKey{}, Login(func(ctx context.Context, creds map[string]any) (context.Context, error) {
			return s.socketLogin(ctx, c, env, creds)
		}))
		socket.ServeHTTP(c.Writer, c.Request.WithContext(ctx))
		c.Abort()
	}
}

func (s *server) socketLogin(ctx context.Context, c *gin.Context, env policy.Env, creds map[string]any) (context.Context, error) {
	field := func(name string) string { // the header names, in any case
		for k, v := range creds {
			if str, ok := v.(string); ok && strings.EqualFold(k, name) {
				return str
			}
		}
		return ""
	}
	req, err := credentials(env, field("X-API-Key"), field("Authorization"), field("X-Tenant-ID"))
	if err != nil {
		return ctx, err
	}
	if req.APIKey == "" && req.Bearer == "" {
		return ctx, service.Fail(service.KindUnauthenticated, "unauthenticated",
			"Send the credential in connection_init's payload: {\"X-API-Key\": \"cien_…\"} or {\"Authorization\": \"Bearer …\"}, optionally \"X-Tenant-ID\".")
	}
	if s.cfg.Fresh != nil {
		s.cfg.Fresh(ctx)
	}
	v, t, err := s.login(ctx, req)
	if err != nil {
		return ctx, err
	}
	v.RequestID = RequestID(c)
	key, l := "cred:"+v.Credential(), ratelimit.PerMinute(t.RateLimit)
	r, refused := s.spend(ctx, key, l, 1, v.RequestID)
	if refused != nil {
		return ctx, refused
	}
	return context.WithValue(policy.NewContext(ctx, v), chargeKey{}, s.charger(key, l, v.RequestID, r, nil, nil)), nil
}
