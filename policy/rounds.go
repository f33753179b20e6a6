package policy

import (
	"context"
	"sync"
	"time"
)

// Rounds shares a read among the callers waiting for it, keeping the one
// promise each caller needs: its answer comes from a read that began after
// it asked. A freshness check before a request (has another process
// changed keys or policies?) must see every change committed before the
// request arrived; reading once per request meets that, and so does one
// read begun after all the requests waiting on it arrived. So under load
// one read serves every request that arrived while the previous one ran,
// instead of a query each; alone, a request waits for one read, as before.
type Rounds[T any] struct {
	read    func(context.Context) (T, error)
	timeout time.Duration

	mu      sync.Mutex
	running bool      // a read is under way
	next    *round[T] // the read that starts when it ends; joined by callers meanwhile
}

type round[T any] struct {
	done chan struct{}
	v    T
	err  error
}

// NewRounds shares read, each run bounded by timeout (a read serves many
// callers, so none of their contexts bounds it).
func NewRounds[T any](read func(context.Context) (T, error), timeout time.Duration) *Rounds[T] {
	return &Rounds[T]{read: read, timeout: timeout}
}

// Read returns the result of a read that began after the call; ctx ending
// first returns its error.
func (r *Rounds[T]) Read(ctx context.Context) (T, error) {
	r.mu.Lock()
	rd := r.next
	if rd == nil {
		rd = &round[T]{done: make(chan struct{})}
		r.next = rd
	}
	if !r.running {
		r.start()
	}
	r.mu.Unlock()
	select {
	case <-rd.done:
		return rd.v, rd.err
	case <-ctx.Done():
		var zero T
		return zero, ctx.Err()
	}
}

// start runs the waiting round; r.mu is held.
func (r *Rounds[T]) start() {
	rd := r.next
	r.next, r.running = nil, true
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), r.timeout)
		rd.v, rd.err = r.read(ctx)
		cancel()
		close(rd.done)
		r.mu.Lock()
		r.running = false
		if r.next != nil { // callers that arrived during this read
			r.start()
		}
		r.mu.Unlock()
	}()
}
