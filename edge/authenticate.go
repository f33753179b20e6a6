package edge

import (
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/cienerp/cienerp/auth"
	"github.com/cienerp/cienerp/policy"
	"github.com/cienerp/cienerp/service"
)

const ctxTenant = "tenant"

// authenticate resolves the credential, tenant and environment into the
// viewer that everything below reads (policy.FromContext). Nothing below
// the edge reads a credential header.
func (s *server) authenticate(env policy.Env) gin.HandlerFunc {
	return func(c *gin.Context) {
		req := auth.Request{APIKey: c.GetHeader("X-API-Key"), TenantHint: c.GetHeader("X-Tenant-ID"), Env: env}
		if h := c.GetHeader("Authorization"); h != "" {
			scheme, token, _ := strings.Cut(h, " ")
			if !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
				Fail(c, service.Fail(service.KindUnauthenticated, "unauthenticated", "The Authorization header must be \"Bearer <token>\"."))
				return
			}
			req.Bearer = strings.TrimSpace(token)
		}
		v, t, err := s.cfg.Auth.Authenticate(c.Request.Context(), req)
		if err != nil {
			Fail(c, err)
			return
		}
		v.RequestID = RequestID(c)
		c.Set(ctxTenant, t)
		c.Request = c.Request.WithContext(policy.NewContext(c.Request.Context(), v))
		c.Next()
	}
}

// Tenant is the authenticated caller's tenant.
func Tenant(c *gin.Context) auth.Tenant { return c.MustGet(ctxTenant).(auth.Tenant) }
