package rest

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/cienerp/cienerp/auth"
	"github.com/cienerp/cienerp/policy"
)

func (s *Server) me(c *gin.Context) error {
	v := policy.FromContext(c.Request.Context())
	t := c.MustGet(ctxTenant).(auth.Tenant)
	out := gin.H{
		"object":      "me",
		"subject":     v.Subject,
		"credential":  v.Via,
		"tenant":      gin.H{"id": t.ID, "slug": t.Slug, "rate_limit_per_minute": t.RateLimit},
		"environment": v.Env,
		"roles":       nonNil(s.svc.Enforcer.Roles(v.Subject, v.TenantID.String())),
		"permissions": nonNil(v.Permissions()),
	}
	if v.UserID != uuid.Nil {
		out["user_id"] = v.UserID
	}
	if v.KeyID != uuid.Nil {
		out["key_id"] = v.KeyID
	}
	respond(c, http.StatusOK, out)
	return nil
}

// nonNil makes an empty list [] in JSON, not null.
func nonNil[T any](list []T) []T {
	if list == nil {
		return []T{}
	}
	return list
}
