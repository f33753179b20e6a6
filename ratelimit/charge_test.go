package ratelimit_test

import (
	"context"
	"log/slog"
	"testing"

	"github.com/google/uuid"
	"github.com/redis/go-redis/v9"

	"github.com/cienerp/cienerp/internal/testenv"
	"github.com/cienerp/cienerp/ratelimit"
)

// TestChargesOfSeveralAndGiveBacks: an operation may cost several
// requests (all or none), and an answer that turns out free is given back,
// never past a full bucket; the same on both limiters.
func TestChargesOfSeveralAndGiveBacks(t *testing.T) {
	// Not parallel: it shares the machine's Redis (the change channel and
	// counter, the limiter's keys) with the other tests that use it.
	opts, err := redis.ParseURL(testenv.RedisURL(t))
	if err != nil {
		t.Fatal(err)
	}
	client := redis.NewClient(opts)
	t.Cleanup(func() { _ = client.Close() })
	for name, lim := range map[string]ratelimit.Limiter{
		"memory": ratelimit.NewMemory(),
		"redis":  ratelimit.NewRedis(client, slog.Default()),
	} {
		t.Run(name, func(t *testing.T) {
			ctx, key, l := context.Background(), "test:"+uuid.NewString(), ratelimit.PerMinute(10)
			take := func(n int) ratelimit.Result {
				r, err := lim.Allow(ctx, key, l, n)
				if err != nil {
					t.Fatal(err)
				}
				return r
			}
			if r := take(-1); !r.Allowed || r.Remaining != 10 {
				t.Fatalf("give-back to a full bucket: %+v, want 10 left", r)
			}
			if r := take(7); !r.Allowed || r.Remaining != 3 {
				t.Fatalf("charge of 7: %+v, want 3 left", r)
			}
			if r := take(4); r.Allowed || r.RetryAfter <= 0 {
				t.Fatalf("charge of 4 with 3 left: %+v, want refused", r)
			}
			if r := take(1); !r.Allowed || r.Remaining != 2 {
				t.Fatalf("the refused charge took tokens: %+v, want 2 left", r)
			}
			if r := take(-1); !r.Allowed || r.Remaining != 3 {
				t.Fatalf("give-back: %+v, want 3 left", r)
			}
		})
	}
}
