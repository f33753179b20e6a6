package ratelimit

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"
)

// Redis shares every budget across instances (GCRA in Redis through
// redis_rate). When Redis fails, requests are decided by a local limiter
// instead, so the API keeps serving; Redis is tried again after a pause and
// takes over as soon as it answers.
type Redis struct {
	limiter  *redis_rate.Limiter
	fallback *Memory
	log      *slog.Logger
	pause    time.Duration

	mu        sync.Mutex
	downUntil time.Time
}

// NewRedis limits through client, falling back to memory while it fails.
func NewRedis(client *redis.Client, log *slog.Logger) *Redis {
	return &Redis{limiter: redis_rate.NewLimiter(client), fallback: NewMemory(), log: log, pause: 2 * time.Second}
}

// Allow implements Limiter.
func (r *Redis) Allow(ctx context.Context, key string, l Limit, n int) (Result, error) {
	r.mu.Lock()
	down := time.Now().Before(r.downUntil)
	r.mu.Unlock()
	if down {
		return r.fallback.Allow(ctx, key, l, n)
	}
	res, err := r.limiter.AllowN(ctx, "cienerp:rl:"+key, redis_rate.Limit{Rate: l.Rate, Period: l.Period, Burst: l.Burst}, n)
	if err != nil {
		r.mu.Lock()
		r.downUntil = time.Now().Add(r.pause)
		r.mu.Unlock()
		r.log.Warn("shared rate limit unavailable; limiting locally", "error", err.Error(), "retry_in", r.pause.String())
		return r.fallback.Allow(ctx, key, l, n)
	}
	// redis_rate reports a give-back (n < 0) as allowed = n; it is done.
	out := Result{Allowed: res.Allowed != 0 || n <= 0 && res.RetryAfter < 0, Limit: l.Burst, Remaining: min(res.Remaining, l.Burst), ResetAfter: res.ResetAfter}
	if !out.Allowed {
		out.RetryAfter = res.RetryAfter
	}
	return out, nil
}
