package ratelimit

import (
	"context"
	"testing"
	"time"
)

func TestMemoryAllowsBurstThenRefuses(t *testing.T) {
	t.Parallel()
	m := NewMemory()
	now := time.Unix(1_700_000_000, 0)
	m.now = func() time.Time { return now }
	l := PerMinute(3)
	for i := 0; i < 3; i++ {
		r, _ := m.Allow(context.Background(), "k", l, 1)
		if !r.Allowed || r.Remaining != 2-i {
			t.Fatalf("request %d: allowed=%v remaining=%d, want allowed with %d left", i, r.Allowed, r.Remaining, 2-i)
		}
	}
	r, _ := m.Allow(context.Background(), "k", l, 1)
	if r.Allowed || r.RetryAfter != 20*time.Second {
		t.Fatalf("4th request: allowed=%v retry=%v, want refused with retry 20s", r.Allowed, r.RetryAfter)
	}
	if other, _ := m.Allow(context.Background(), "other", l, 1); !other.Allowed {
		t.Fatal("another key must have its own bucket")
	}
	now = now.Add(20 * time.Second)
	if r, _ := m.Allow(context.Background(), "k", l, 1); !r.Allowed {
		t.Fatal("one token must be back after a third of a minute")
	}
}
