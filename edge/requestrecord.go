package edge

import (
	"context"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/cienerp/cienerp/auth"
	"github.com/cienerp/cienerp/policy"
	"github.com/cienerp/cienerp/requestlog"
)

const ctxErrorCode = "error_code"

// Note is what a transport adds to a request's log record that the edge
// cannot see: GraphQL's operation name, cost and first error code.
type Note struct {
	mu        sync.Mutex
	operation string
	cost      int
	errorCode string
}

type noteKey struct{}

// Annotate sets the GraphQL facts of the request ctx belongs to (a no-op
// outside a logged request). An empty errorCode keeps the one set before.
func Annotate(ctx context.Context, operation string, cost int, errorCode string) {
	n, _ := ctx.Value(noteKey{}).(*Note)
	if n == nil {
		return
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	n.operation, n.cost = operation, cost
	if errorCode != "" {
		n.errorCode = errorCode
	}
}

// recordRequests queues one request log record per request that has a
// tenant (an authenticated viewer, or a known key that was refused), after
// the response is written. It
// never waits: the writer's queue drops when full.
func recordRequests(w *requestlog.Writer) gin.HandlerFunc {
	if w == nil {
		return func(c *gin.Context) { c.Next() }
	}
	return func(c *gin.Context) {
		start := time.Now()
		note := &Note{}
		c.Request = c.Request.WithContext(context.WithValue(c.Request.Context(), noteKey{}, note))
		c.Next()
		if c.GetBool(ctxRerouted) {
			return
		}
		v := policy.FromContext(c.Request.Context())
		if v == nil {
			v = refusedViewer(c)
		}
		if v == nil || v.TenantID == uuid.Nil {
			return
		}
		r := requestlog.Record{
			ID: uuid.Must(uuid.NewV7()), Time: start, TenantID: v.TenantID, Env: string(v.Env), Subject: v.Subject,
			KeyID: v.KeyID, KeyName: v.KeyName, UserID: v.UserID, UserEmail: v.Email, Via: v.Via,
			Method: c.Request.Method, Route: routeTemplate(c.FullPath()), Path: requestlog.Scrub(c.Request.URL.Path),
			Status: c.Writer.Status(), Latency: time.Since(start),
			RequestID: requestlog.Scrub(RequestID(c)), IdemKey: requestlog.Scrub(c.GetHeader("Idempotency-Key")),
			ErrorCode: c.GetString(ctxErrorCode), ClientIP: c.ClientIP(), UserAgent: requestlog.Scrub(c.Request.UserAgent()),
		}
		note.mu.Lock()
		r.Operation, r.Cost = requestlog.Scrub(note.operation), note.cost
		if r.ErrorCode == "" {
			r.ErrorCode = note.errorCode
		}
		note.mu.Unlock()
		checks := v.Checks.List()
		for _, d := range checks {
			r.Permissions = append(r.Permissions, d.Permission)
		}
		// The decision shown is the first refusal, or else the route's own
		// permission (the first check).
		if len(checks) > 0 {
			d := checks[0]
			for _, ch := range checks {
				if !ch.Allowed {
					d = ch
					break
				}
			}
			r.Permission, r.Role, r.Rule, r.Decision = d.Permission, d.Role, d.Rule, "denied"
			if d.Allowed {
				r.Decision = "allowed"
			}
		}
		w.Add(r)
	}
}

// refusedViewer is the known key that authentication refused (revoked,
// rolled, expired, the other environment, another tenant's X-Tenant-ID)
// as the request log records it: in the key's own tenant and environment.
func refusedViewer(c *gin.Context) *policy.Viewer {
	k, ok := c.Get(ctxRefusedKey)
	if !ok {
		return nil
	}
	key := k.(auth.Key)
	via := "api_key"
	if c.GetHeader("X-API-Key") == "" {
		via = "bearer"
	}
	return &policy.Viewer{TenantID: key.TenantID, Env: key.Env, KeyID: key.ID, KeyName: key.Name, Subject: policy.KeySubject(key.ID.String()), Via: via}
}

// templates caches routeTemplate's answers (one per route of the server).
var templates sync.Map

// routeTemplate is gin's full route without its base URL, in OpenAPI's
// words: /api/sandbox/v1/tickets/:id → /tickets/{id}.
func routeTemplate(full string) string {
	if full == "" {
		return ""
	}
	if t, ok := templates.Load(full); ok {
		return t.(string)
	}
	best := ""
	for _, b := range slices.Concat(Bases, []Base{Public}) {
		if (strings.HasPrefix(full, b.Prefix+"/") || full == b.Prefix) && len(b.Prefix) > len(best) {
			best = b.Prefix
		}
	}
	parts := strings.Split(strings.TrimPrefix(full, best), "/")
	for i, p := range parts {
		if strings.HasPrefix(p, ":") || strings.HasPrefix(p, "*") {
			parts[i] = "{" + p[1:] + "}"
		}
	}
	t := strings.Join(parts, "/")
	templates.Store(full, t)
	return t
}
