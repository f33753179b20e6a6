// Package dbsync keeps a server's caches in step with changes made by
// other processes on the same database: a second instance, or the CLI
// (cienerp key create, user create, …). Every change bumps a counter row
// after it commits. The change is pushed to the other processes:
//
//   - on PostgreSQL the bump also notifies (NOTIFY cien_changes, carrying
//     the change), and every server LISTENs on a connection of its own
//     (listen.go);
//   - on SQLite (one machine) a background read every 25 ms notices the
//     counter move (poll.go).
//
// While that channel is down (not connected yet, its connection lost, its
// reads failing, or no background work running at all, as in the CLI)
// every request reads the counter first, as before: a change is never
// missed, only applied by the first request that notices it.
package dbsync

import (
	"context"
	"database/sql"
	"encoding/json"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"

	"entgo.io/ent/dialect"

	"github.com/cienerp/cienerp/policy"
)

// Local is this process's cache invalidation (service.Local).
type Local interface {
	Changed(ctx context.Context, c policy.Change)
	ResyncAll(ctx context.Context) error
}

// message is what a notification carries after the change's number.
type message struct {
	policy.Change
	Origin string `json:"origin"`
	At     int64  `json:"at"` // unix nanoseconds, when the change was counted
}

// Sync announces changes through the counter and applies others'.
type Sync struct {
	db       *sql.DB
	dialect  string
	dsn      string // PostgreSQL: where the listener connects
	local    Local
	announce func(context.Context, policy.Change) // the change as applied here (and, with Redis, announced there)
	log      *slog.Logger
	origin   string

	pushed    atomic.Bool  // changes are pushed to this process: requests need not read the counter
	lastDelay atomic.Int64 // nanoseconds from count to apply, the last change of another process
	warned    atomic.Int64 // unix seconds of the last warning about the channel

	resyncing sync.Mutex
	mu        sync.Mutex
	seen      int64 // the counter value this process is up to date with

	counter *policy.Rounds[int64] // the shared reads of Fresh
	metrics metrics
}

// New creates the counter table when missing and returns a Sync that
// applies a change through apply (local caches, or redissync) and then
// bumps the counter. dsn is the database's URL: on PostgreSQL, Run
// listens on a connection of its own to it.
func New(ctx context.Context, db *sql.DB, dialectName, dsn string, local Local, apply func(context.Context, policy.Change), log *slog.Logger) (*Sync, error) {
	if err := migrate(ctx, db); err != nil {
		return nil, err
	}
	s := &Sync{db: db, dialect: dialectName, dsn: dsn, local: local, announce: apply, log: log, origin: uuid.NewString(), metrics: newMetrics()}
	if err := db.QueryRowContext(ctx, readCounter).Scan(&s.seen, new(int64)); err != nil {
		return nil, err
	}
	s.counter = policy.NewRounds(func(ctx context.Context) (gen int64, err error) {
		return gen, s.db.QueryRowContext(ctx, readCounter).Scan(&gen, new(int64))
	}, 5*time.Second)
	return s, nil
}

const readCounter = `SELECT gen, changed_at FROM cien_changes WHERE id = 1`

// migrate creates the counter row (the statements are the same on SQLite
// and PostgreSQL) and adds changed_at to a table made before it existed.
func migrate(ctx context.Context, db *sql.DB) error {
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS cien_changes (id INTEGER PRIMARY KEY, gen BIGINT NOT NULL, changed_at BIGINT NOT NULL DEFAULT 0)`); err != nil {
		return err
	}
	if _, err := db.ExecContext(ctx, `SELECT changed_at FROM cien_changes LIMIT 0`); err != nil {
		_, err := db.ExecContext(ctx, `ALTER TABLE cien_changes ADD COLUMN changed_at BIGINT NOT NULL DEFAULT 0`)
		if _, again := db.ExecContext(ctx, `SELECT changed_at FROM cien_changes LIMIT 0`); again != nil {
			return err // not added by another process meanwhile either
		}
	}
	_, err := db.ExecContext(ctx, `INSERT INTO cien_changes (id, gen) VALUES (1, 0) ON CONFLICT DO NOTHING`)
	return err
}

// Changed applies c here and bumps the counter for every other process
// (on PostgreSQL, notifying them in the same statement).
func (s *Sync) Changed(ctx context.Context, c policy.Change) {
	s.announce(ctx, c)
	ctx = context.WithoutCancel(ctx)
	now := time.Now().UnixNano()
	var gen int64
	var err error
	if s.dialect == dialect.Postgres {
		body, _ := json.Marshal(message{Change: c, Origin: s.origin, At: now})
		// Delivered when the statement commits, after every earlier bump's
		// (the row lock orders them): listeners hear the changes in order.
		err = s.db.QueryRowContext(ctx, `WITH b AS (UPDATE cien_changes SET gen = gen + 1, changed_at = $1 WHERE id = 1 RETURNING gen)
SELECT gen, pg_notify('`+channel+`', gen::text || ' ' || $2)::text FROM b`, now, string(body)).Scan(&gen, new(string))
	} else {
		err = s.db.QueryRowContext(ctx, `UPDATE cien_changes SET gen = gen + 1, changed_at = ? WHERE id = 1 RETURNING gen`, now).Scan(&gen)
	}
	if err != nil {
		s.log.Warn("announce change in the database", "error", err.Error())
		return
	}
	s.advance(gen)
}

// Fresh runs before a request: while changes are pushed it does nothing;
// otherwise a change another process made since the last request is
// applied first, so the request is decided on it. When the database does
// not answer, the request goes on (and fails on its own query, with its
// own answer).
func (s *Sync) Fresh(ctx context.Context) {
	if s.pushed.Load() {
		return
	}
	s.metrics.reads.Inc()
	gen, err := s.counter.Read(ctx)
	if err != nil {
		return
	}
	_ = s.catchUp(ctx, gen)
}

// Confirm reads the counter whether or not changes are pushed and
// applies what this process has not heard of yet; true means the caches
// now hold every change counted before the call (the refusal that asked
// is decided again on them: what another process just granted, a key or
// a role, works here at once).
func (s *Sync) Confirm(ctx context.Context) bool {
	gen, err := s.counter.Read(ctx)
	return err == nil && s.catchUp(ctx, gen) == nil
}

// catchUp resyncs when gen is past what this process has seen.
func (s *Sync) catchUp(ctx context.Context, gen int64) error {
	if gen <= s.Seen() {
		return nil
	}
	s.resyncing.Lock()
	defer s.resyncing.Unlock()
	if gen <= s.Seen() {
		return nil // another caller resynced while this one waited
	}
	if err := s.local.ResyncAll(ctx); err != nil {
		s.log.Error("resync caches", "error", err.Error())
		return err
	}
	s.mu.Lock()
	s.seen = max(s.seen, gen)
	s.mu.Unlock()
	return nil
}

// reached catches up with a counter read by the channel (the poll, the
// listener's check): gen, last counted at at, is applied when it is ahead
// and its delay recorded.
func (s *Sync) reached(ctx context.Context, gen, at int64) error {
	if gen <= s.Seen() {
		return nil
	}
	if err := s.catchUp(ctx, gen); err != nil {
		return err
	}
	s.applied(at)
	return nil
}

// advance records gen as seen when it is the next change: a gap means
// another process's change this one has not applied yet.
func (s *Sync) advance(gen int64) {
	s.mu.Lock()
	if gen == s.seen+1 {
		s.seen = gen
	}
	s.mu.Unlock()
}

// Seen is the counter value this process is up to date with.
func (s *Sync) Seen() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.seen
}

// Pushed reports whether changes reach this process without a read per
// request (the listener or the poll is up).
func (s *Sync) Pushed() bool { return s.pushed.Load() }

// LastDelay is how long the last change of another process took from
// being counted to being applied here.
func (s *Sync) LastDelay() time.Duration { return time.Duration(s.lastDelay.Load()) }

// applied records the delay of another process's change counted at at.
func (s *Sync) applied(at int64) {
	if at <= 0 {
		return
	}
	d := time.Since(time.Unix(0, at))
	s.lastDelay.Store(int64(d))
	s.metrics.delay.Observe(d.Seconds())
}

// Run pushes other processes' changes to this one until ctx ends.
func (s *Sync) Run(ctx context.Context) {
	defer s.pushed.Store(false)
	if s.dialect == dialect.Postgres {
		s.listen(ctx)
	} else {
		s.poll(ctx)
	}
}

// down marks the channel down (requests read the counter again) and logs
// why, at most every 10 seconds.
func (s *Sync) down(what string, err error) {
	s.pushed.Store(false)
	now := time.Now().Unix()
	if last := s.warned.Load(); now-last >= 10 && s.warned.CompareAndSwap(last, now) {
		s.log.Warn("change notifications unavailable: every request reads the change counter until they are back", "op", what, "error", err.Error())
	}
}

// Register adds the channel's metrics to reg.
func (s *Sync) Register(reg prometheus.Registerer) {
	reg.MustRegister(s.metrics.reads, s.metrics.delay, prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "cienerp_change_push_up",
		Help: "1 while other processes' changes are pushed to this one (LISTEN on PostgreSQL, the 25 ms poll on SQLite); 0 while every request reads the change counter.",
	}, func() float64 {
		if s.pushed.Load() {
			return 1
		}
		return 0
	}))
}

type metrics struct {
	reads prometheus.Counter
	delay prometheus.Histogram
}

func newMetrics() metrics {
	return metrics{
		reads: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "cienerp_change_counter_reads_total",
			Help: "Requests that read the change counter because changes were not being pushed.",
		}),
		delay: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "cienerp_change_propagation_seconds",
			Help:    "From another process counting a change (a key, a role, a tenant) to this one applying it.",
			Buckets: []float64{.005, .01, .025, .05, .075, .1, .25, .5, 1, 2.5},
		}),
	}
}
