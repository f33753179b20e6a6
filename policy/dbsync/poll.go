package dbsync

import (
	"context"
	"time"
)

// pollEvery is how often a SQLite server reads the counter: SQLite has no
// notifications, and its processes share one machine, where a read of one
// row 40 times a second costs next to nothing. Half of the ~50 ms the
// design allows: the 100 ms bound also has to hold the counter's own
// commit (an fsync, tens of milliseconds on slow disks) and the resync.
const pollEvery = 25 * time.Millisecond

// poll reads the counter every pollEvery until ctx ends and catches up
// with it; changes count as pushed while the reads (and the resyncs they
// cause) succeed.
func (s *Sync) poll(ctx context.Context) {
	t := time.NewTicker(pollEvery)
	defer t.Stop()
	for {
		if err := s.pollOnce(ctx); err != nil {
			if ctx.Err() != nil {
				return
			}
			s.down("poll", err)
		} else {
			s.pushed.Store(true)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (s *Sync) pollOnce(ctx context.Context) error {
	rctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	var gen, at int64
	if err := s.db.QueryRowContext(rctx, readCounter).Scan(&gen, &at); err != nil {
		return err
	}
	return s.reached(ctx, gen, at)
}
