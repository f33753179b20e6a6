package edge

import (
	"context"
	"math"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/cienerp/cienerp/policy"
	"github.com/cienerp/cienerp/ratelimit"
	"github.com/cienerp/cienerp/service"
)

// limitCredential applies the tenant's per-credential budget.
func (s *server) limitCredential(c *gin.Context) {
	v := policy.FromContext(c.Request.Context())
	s.limit(c, "cred:"+v.Credential(), ratelimit.PerMinute(Tenant(c).RateLimit))
}

// limitIP applies a per-client-address budget (public routes).
func (s *server) limitIP(l ratelimit.Limit, scope string) gin.HandlerFunc {
	return func(c *gin.Context) { s.limit(c, scope+":"+c.ClientIP(), l) }
}

func (s *server) limit(c *gin.Context, key string, l ratelimit.Limit) {
	if s.allow(c, key, l) {
		c.Next()
	}
}

// allow charges one request to key's budget, sets the rate-limit headers
// and, when the budget is spent, fails the request and reports false.
func (s *server) allow(c *gin.Context, key string, l ratelimit.Limit) bool {
	r, refused := s.spend(c.Request.Context(), key, l, RequestID(c))
	if r != nil {
		c.Header("X-RateLimit-Limit", strconv.Itoa(r.Limit))
		c.Header("X-RateLimit-Remaining", strconv.Itoa(r.Remaining))
		c.Header("X-RateLimit-Reset", strconv.FormatInt(time.Now().Add(r.ResetAfter).Unix(), 10))
	}
	if refused != nil {
		c.Header("Retry-After", strconv.Itoa(refused.RetryAfter))
		Fail(c, refused)
		return false
	}
	return true
}

// spend takes one request from key's budget: the limiter's answer (nil
// when the limiter is away: a broken limiter must not take the API down,
// so the request goes ahead and the log says so) and the refusal when the
// budget is spent.
func (s *server) spend(ctx context.Context, key string, l ratelimit.Limit, requestID string) (*ratelimit.Result, *service.Problem) {
	r, err := s.cfg.Limiter.Allow(ctx, key, l)
	if err != nil {
		s.log.Warn("rate limiter unavailable, request allowed", "error", err.Error(), "request_id", requestID)
		return nil, nil
	}
	if r.Allowed {
		return &r, nil
	}
	secs := int(math.Ceil(r.RetryAfter.Seconds()))
	p := service.Fail(service.KindRateLimited, "rate_limited", "Too many requests: the limit is %d per minute; retry in %s.", l.Rate, seconds(secs))
	p.RetryAfter = secs
	return &r, p
}

// seconds words a number of seconds: "1 second", "5 seconds".
func seconds(n int) string {
	if n == 1 {
		return "1 second"
	}
	return strconv.Itoa(n) + " seconds"
}
