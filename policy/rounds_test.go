package policy

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestRoundsAnswerFromAReadBegunAfterTheCall: every caller's answer comes
// from a read that started after it called (what a freshness check needs),
// and callers that arrive together share reads.
func TestRoundsAnswerFromAReadBegunAfterTheCall(t *testing.T) {
	t.Parallel()
	var reads atomic.Int64
	r := NewRounds(func(ctx context.Context) (time.Time, error) {
		reads.Add(1)
		started := time.Now()
		time.Sleep(2 * time.Millisecond) // a round trip
		return started, nil
	}, time.Second)
	const callers = 200
	var wg sync.WaitGroup
	errs := make(chan string, callers)
	for i := range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			time.Sleep(time.Duration(i%20) * 500 * time.Microsecond) // arrive over 10 ms
			asked := time.Now()
			started, err := r.Read(context.Background())
			if err != nil || started.Before(asked) {
				errs <- "an answer from a read begun before the call"
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Fatal(e)
	}
	if n := reads.Load(); n >= callers/4 {
		t.Fatalf("%d reads for %d callers: not shared", n, callers)
	} else {
		t.Logf("%d callers over 10 ms, 2 ms reads: %d reads", callers, n)
	}
	// A caller whose context ends stops waiting.
	slow := NewRounds(func(ctx context.Context) (int, error) { <-ctx.Done(); return 0, ctx.Err() }, 50*time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Millisecond)
	defer cancel()
	if _, err := slow.Read(ctx); err == nil {
		t.Fatal("a caller waited past its context")
	}
}
