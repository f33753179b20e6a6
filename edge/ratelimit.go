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

// limitCredential applies the tenant's per-credential budget, and lets
// the handler charge more of it, or give its request back, through Charge.
func (s *server) limitCredential(c *gin.Context) {
	v := policy.FromContext(c.Request.Context())
	key, l := "cred:"+v.Credential(), ratelimit.PerMinute(Tenant(c).RateLimit)
	r, ok := s.allowed(c, key, l, 1)
	if !ok {
		return
	}
	charge := s.charger(key, l, RequestID(c), r, c.Writer.Written, func(r *ratelimit.Result, refused *service.Problem) { rateHeaders(c, r, refused) })
	c.Request = c.Request.WithContext(context.WithValue(c.Request.Context(), chargeKey{}, charge))
	c.Next()
}

type chargeKey struct{}

// charger is what Charge calls: the budget of a request's (or a
// socket's) credential.
type charger = func(ctx context.Context, n int) (Budget, error)

// charger charges key's budget after its first charge (first). Over
// HTTP, answered tells when the answer is out (too late to tell the
// client: nothing is charged then) and tell reports each charge in the
// headers; a socket has neither. Calls come one at a time: from a
// request's handler, or a socket's read loop.
func (s *server) charger(key string, l ratelimit.Limit, requestID string, first *ratelimit.Result,
	answered func() bool, tell func(*ratelimit.Result, *service.Problem)) charger {
	last := budgetOf(first)
	return func(ctx context.Context, n int) (Budget, error) {
		if n == 0 || answered != nil && answered() { // nothing to charge, or too late to tell
			return last, nil
		}
		r, refused := s.spend(ctx, key, l, n, requestID)
		if tell != nil {
			tell(r, refused)
		}
		if refused != nil {
			return last, refused
		}
		last = budgetOf(r)
		return last, nil
	}
}

// Budget is what is left of a credential's rate budget after a charge.
type Budget struct {
	Limit, Remaining int
	Reset            time.Time // when the budget is full again
}

func budgetOf(r *ratelimit.Result) Budget {
	if r == nil { // the limiter is away: nothing known
		return Budget{}
	}
	return Budget{Limit: r.Limit, Remaining: r.Remaining, Reset: time.Now().Add(r.ResetAfter).Truncate(time.Second)}
}

// Charge spends n more requests of the budget of ctx's credential (a
// GraphQL operation's computed cost, an operation started in an open
// socket); a negative n gives requests back (an answer that costs
// nothing, such as a 304), and 0 only tells the budget. Over HTTP the
// rate-limit headers follow. The refusal is a rate_limited Problem for
// the caller to return; nothing is charged then. ok is false where no
// budget applies.
func Charge(ctx context.Context, n int) (b Budget, ok bool, err error) {
	ch, ok := ctx.Value(chargeKey{}).(charger)
	if !ok {
		return Budget{}, false, nil
	}
	b, err = ch(ctx, n)
	return b, b.Limit > 0, err
}

// limitIP applies a per-client-address budget (public routes).
func (s *server) limitIP(l ratelimit.Limit, scope string) gin.HandlerFunc {
	return func(c *gin.Context) { s.limit(c, scope+":"+c.ClientIP(), l) }
}

func (s *server) limit(c *gin.Context, key string, l ratelimit.Limit) {
	if _, ok := s.allowed(c, key, l, 1); ok {
		c.Next()
	}
}

// allowed charges n requests to key's budget, sets the rate-limit headers
// and, when the budget is spent, fails the request and reports false.
func (s *server) allowed(c *gin.Context, key string, l ratelimit.Limit, n int) (*ratelimit.Result, bool) {
	r, refused := s.spend(c.Request.Context(), key, l, n, RequestID(c))
	rateHeaders(c, r, refused)
	if refused != nil {
		Fail(c, refused)
		return r, false
	}
	return r, true
}

// rateHeaders tells the client its budget after a charge.
func rateHeaders(c *gin.Context, r *ratelimit.Result, refused *service.Problem) {
	if r != nil {
		c.Header("X-RateLimit-Limit", strconv.Itoa(r.Limit))
		c.Header("X-RateLimit-Remaining", strconv.Itoa(r.Remaining))
		c.Header("X-RateLimit-Reset", strconv.FormatInt(time.Now().Add(r.ResetAfter).Unix(), 10))
	}
	if refused != nil {
		c.Header("Retry-After", strconv.Itoa(refused.RetryAfter))
	}
}

// spend takes n requests from key's budget: the limiter's answer (nil
// when the limiter is away: a broken limiter must not take the API down,
// so the request goes ahead and the log says so) and the refusal when the
// budget is spent.
func (s *server) spend(ctx context.Context, key string, l ratelimit.Limit, n int, requestID string) (*ratelimit.Result, *service.Problem) {
	r, err := s.cfg.Limiter.Allow(ctx, key, l, n)
	if err != nil {
		s.log.Warn("rate limiter unavailable, request allowed", "error", err.Error(), "request_id", requestID)
		return nil, nil
	}
	if r.Allowed {
		return &r, nil
	}
	secs := int(math.Ceil(r.RetryAfter.Seconds()))
	var p *service.Problem
	if n > 1 {
		p = service.Fail(service.KindRateLimited, "rate_limited", "Too many requests: this operation costs %d of the limit of %d per minute, and fewer are left; retry in %s or ask for less.", n, l.Rate, seconds(secs))
	} else {
		p = service.Fail(service.KindRateLimited, "rate_limited", "Too many requests: the limit is %d per minute; retry in %s.", l.Rate, seconds(secs))
	}
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
