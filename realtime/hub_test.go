package realtime_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/cienerp/cienerp/app"
	"github.com/cienerp/cienerp/internal/testenv"
	"github.com/cienerp/cienerp/policy"
	"github.com/cienerp/cienerp/realtime"
)

// TestSlowSubscriberIsCutOff: a subscriber that reads nothing is
// disconnected once Buffer events wait for it, not buffered without bound;
// a reading one on the same feed gets everything, bursts larger than its
// buffer included.
func TestSlowSubscriberIsCutOff(t *testing.T) {
	t.Parallel()
	e := testenv.New(t, func(c *app.Config) { c.Realtime.Buffer = 8 })
	e.RunBackground()
	acme := e.Tenant("acme")
	id, key := e.Key(acme.ID, policy.Sandbox, "admin")
	ctx := e.As(acme.ID, policy.Sandbox, policy.KeySubject(id.String()))
	slow, err := e.App.Realtime.Subscribe(ctx, realtime.Filter{}, -1)
	if err != nil {
		t.Fatal(err)
	}
	reader, err := e.App.Realtime.Subscribe(ctx, realtime.Filter{}, -1)
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan int64, 100)
	go func() {
		for {
			ev, err := reader.Next(ctx)
			if err != nil {
				return
			}
			got <- ev.Seq
		}
	}()
	for i := range 30 {
		e.Expect(e.Do("POST", "/api/sandbox/customers", map[string]any{"name": fmt.Sprint("c", i)}, testenv.Key(key)), 201)
	}
	select {
	case <-slow.Done():
	case <-time.After(3 * time.Second):
		t.Fatal("the slow subscriber is still open")
	}
	if _, err := slow.Next(ctx); !errors.Is(err, realtime.ErrSlow) {
		t.Fatalf("the slow subscriber ended with %v", err)
	}
	for i := range 30 {
		select {
		case seq := <-got:
			if seq != int64(i+2) { // #1 is the key's creation

				t.Fatalf("the reader's event %d is #%d", i, seq)
			}
		case <-time.After(3 * time.Second):
			t.Fatalf("the reader got %d of 30", i)
		}
	}
	if n := e.App.Realtime.Subscribers(); n != 1 {
		t.Fatalf("%d subscriptions open, want the reader's alone", n)
	}
}
