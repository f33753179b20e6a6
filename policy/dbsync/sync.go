// Package dbsync keeps a server's caches in step with changes made by
// other processes on the same database when there is no Redis: the CLI
// (cienerp key create, user create, …) or a second instance. Every change
// bumps a counter row in the database after it commits; every request
// reads the counter (one primary-key lookup) and, when it moved past what
// this process applied, drops the caches and reloads the policy first.
// Requests that arrive together share one read (policy.Rounds).
package dbsync

import (
	"context"
	"database/sql"
	"log/slog"
	"sync"
	"time"

	"github.com/cienerp/cienerp/policy"
)

// Local is this process's cache invalidation (service.Local).
type Local interface {
	Changed(ctx context.Context, c policy.Change)
	ResyncAll(ctx context.Context) error
}

// Sync announces changes through the counter and applies others'.
type Sync struct {
	db        *sql.DB
	bump      string
	read      string
	local     Local
	announce  func(context.Context, policy.Change) // the change as applied here (and, with Redis, announced there)
	log       *slog.Logger
	resyncing sync.Mutex

	mu   sync.Mutex
	seen int64 // the counter value this process is up to date with

	counter *policy.Rounds[int64] // the shared reads of Fresh
}

// New creates the counter table when missing (the statements are the same
// on SQLite and PostgreSQL) and returns a Sync that applies a change
// through apply (local caches, or redissync) and then bumps the counter.
func New(ctx context.Context, db *sql.DB, local Local, apply func(context.Context, policy.Change), log *slog.Logger) (*Sync, error) {
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS cien_changes (id INTEGER PRIMARY KEY, gen BIGINT NOT NULL)`); err != nil {
		return nil, err
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO cien_changes (id, gen) VALUES (1, 0) ON CONFLICT DO NOTHING`); err != nil {
		return nil, err
	}
	s := &Sync{db: db, local: local, announce: apply, log: log,
		bump: `UPDATE cien_changes SET gen = gen + 1 WHERE id = 1 RETURNING gen`,
		read: `SELECT gen FROM cien_changes WHERE id = 1`}
	if err := db.QueryRowContext(ctx, s.read).Scan(&s.seen); err != nil {
		return nil, err
	}
	s.counter = policy.NewRounds(func(ctx context.Context) (gen int64, err error) {
		return gen, s.db.QueryRowContext(ctx, s.read).Scan(&gen)
	}, 5*time.Second)
	return s, nil
}

// Changed applies c here and bumps the counter for every other process.
func (s *Sync) Changed(ctx context.Context, c policy.Change) {
	s.announce(ctx, c)
	var gen int64
	if err := s.db.QueryRowContext(context.WithoutCancel(ctx), s.bump).Scan(&gen); err != nil {
		s.log.Warn("announce change in the database", "error", err.Error())
		return
	}
	s.mu.Lock()
	if gen == s.seen+1 { // ours, applied above; a gap means someone else's too
		s.seen = gen
	}
	s.mu.Unlock()
}

// Fresh runs before a request: a change another process made since the
// last one is applied first, so the request is decided on it. When the
// database does not answer, the request goes on (and fails on its own
// query, with its own answer).
func (s *Sync) Fresh(ctx context.Context) {
	gen, err := s.counter.Read(ctx)
	if err != nil {
		return
	}
	s.mu.Lock()
	behind := gen > s.seen
	s.mu.Unlock()
	if !behind {
		return
	}
	s.resyncing.Lock()
	defer s.resyncing.Unlock()
	s.mu.Lock()
	behind = gen > s.seen
	s.mu.Unlock()
	if !behind {
		return // another request resynced while this one waited
	}
	if err := s.local.ResyncAll(ctx); err != nil {
		s.log.Error("resync caches", "error", err.Error())
		return
	}
	s.mu.Lock()
	s.seen = max(s.seen, gen)
	s.mu.Unlock()
}
