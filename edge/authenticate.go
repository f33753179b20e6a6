package edge

import (
	"context"
	"errors"
	"strings"
	"sync"

	"github.com/gin-gonic/gin"

	"github.com/cienerp/cienerp/auth"
	"github.com/cienerp/cienerp/policy"
	"github.com/cienerp/cienerp/service"
)

const (
	ctxTenant     = "tenant"
	ctxRefusedKey = "refused_key"
)

// authenticate resolves the credential, tenant and environment into the
// viewer that everything below reads (policy.FromContext). Nothing below
// the edge reads a credential header.
func (s *server) authenticate(env policy.Env) gin.HandlerFunc {
	return func(c *gin.Context) {
		req, err := credentials(env, c.GetHeader("X-API-Key"), c.GetHeader("Authorization"), c.GetHeader("X-Tenant-ID"))
		if err != nil {
			Fail(c, err)
			return
		}
		ctx := c.Request.Context()
		v, t, err := s.login(ctx, req)
		if err != nil && s.cfg.Confirm != nil && s.cfg.Confirm(ctx) {
			v, t, err = s.login(ctx, req) // refused on caches another process's change had made stale
		}
		if err != nil {
			var refused *auth.Error
			if errors.As(err, &refused) && refused.Key != nil {
				c.Set(ctxRefusedKey, *refused.Key) // its tenant's request log records the refusal
			}
			Fail(c, err)
			return
		}
		v.RequestID, v.Checks = RequestID(c), new(policy.Checks)
		if s.cfg.Confirm != nil {
			var once sync.Once
			var caughtUp bool
			v.Confirm = func() bool {
				once.Do(func() { caughtUp = s.cfg.Confirm(ctx) })
				return caughtUp
			}
		}
		c.Set(ctxTenant, t)
		c.Request = c.Request.WithContext(policy.NewContext(c.Request.Context(), v))
		c.Next()
	}
}

// credentials reads the credential headers (or a socket's fields of the
// same names) into the request to authenticate in env.
func credentials(env policy.Env, apiKey, authorization, tenantHint string) (auth.Request, error) {
	req := auth.Request{APIKey: apiKey, TenantHint: tenantHint, Env: env}
	if authorization != "" {
		scheme, token, _ := strings.Cut(authorization, " ")
		if !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
			return req, service.Fail(service.KindUnauthenticated, "unauthenticated", "The Authorization header must be \"Bearer <token>\".")
		}
		req.Bearer = strings.TrimSpace(token)
	}
	return req, nil
}

// login authenticates req; the viewer can check the same credential again
// later (an open subscription does, until the credential stops holding).
func (s *server) login(ctx context.Context, req auth.Request) (*policy.Viewer, auth.Tenant, error) {
	v, t, err := s.cfg.Auth.Authenticate(ctx, req)
	if err != nil {
		return nil, t, err
	}
	v.Recheck = func(ctx context.Context) error {
		again, _, err := s.cfg.Auth.Authenticate(ctx, req)
		if err == nil && (again.TenantID != v.TenantID || again.Subject != v.Subject) {
			err = service.Fail(service.KindForbidden, "credential_changed", "The credential no longer names the same tenant and subject.")
		}
		return err
	}
	return v, t, nil
}

// Tenant is the authenticated caller's tenant.
func Tenant(c *gin.Context) auth.Tenant { return c.MustGet(ctxTenant).(auth.Tenant) }
