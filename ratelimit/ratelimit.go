// Package ratelimit decides whether a request fits its credential's budget.
// The Limiter interface lets a shared (Redis) backend replace the in-memory
// one without touching callers.
package ratelimit

import (
	"context"
	"sync"
	"time"
)

// Limit is a token bucket: Rate requests per Period, bursts up to Burst.
type Limit struct {
	Rate   int
	Period time.Duration
	Burst  int
}

// PerMinute is a bucket refilling n tokens a minute with a burst of n.
func PerMinute(n int) Limit { return Limit{Rate: n, Period: time.Minute, Burst: n} }

// Result is one decision.
type Result struct {
	Allowed    bool
	Limit      int           // the burst size, reported as X-RateLimit-Limit
	Remaining  int           // tokens left after this request
	ResetAfter time.Duration // until the bucket is full again
	RetryAfter time.Duration // until the next request would be allowed (0 if allowed)
}

// Limiter takes n tokens from the bucket named key, all or none: a
// GraphQL operation costs as many as its computed cost asks. A negative
// n gives tokens back (an answer that turned out to be free, such as a
// 304), never beyond a full bucket.
type Limiter interface {
	Allow(ctx context.Context, key string, l Limit, n int) (Result, error)
}

// Memory is a GCRA limiter (the algorithm redis_rate uses) for one instance.
type Memory struct {
	mu  sync.Mutex
	tat map[string]time.Time // theoretical arrival time per key
	now func() time.Time
	ops int
}

// NewMemory returns an empty in-memory limiter.
func NewMemory() *Memory {
	return &Memory{tat: map[string]time.Time{}, now: time.Now}
}

// Allow implements Limiter.
func (m *Memory) Allow(_ context.Context, key string, l Limit, n int) (Result, error) {
	interval := l.Period / time.Duration(l.Rate)
	burstWindow := interval * time.Duration(l.Burst)

	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	m.sweep(now)
	tat := m.tat[key]
	if tat.Before(now) {
		tat = now
	}
	newTAT := tat.Add(interval * time.Duration(n))
	allowAt := newTAT.Add(-burstWindow)
	if allowAt.After(now) {
		return Result{
			Limit:      l.Burst,
			ResetAfter: tat.Sub(now),
			RetryAfter: allowAt.Sub(now),
		}, nil
	}
	if newTAT.Before(now) { // given back to a bucket that refilled meanwhile
		newTAT = now
	}
	m.tat[key] = newTAT
	return Result{
		Allowed:    true,
		Limit:      l.Burst,
		Remaining:  int((burstWindow - newTAT.Sub(now)) / interval),
		ResetAfter: newTAT.Sub(now),
	}, nil
}

// sweep drops full buckets now and then so idle keys do not pile up.
func (m *Memory) sweep(now time.Time) {
	m.ops++
	if m.ops%10_000 != 0 {
		return
	}
	for k, t := range m.tat {
		if t.Before(now) {
			delete(m.tat, k)
		}
	}
}
