// Package service holds the business rules that every transport shares:
// REST handlers, GraphQL resolvers and the CLI call these functions and
// never reimplement them. Tenant and environment scoping comes from the
// viewer in the context through ent's privacy layer.
package service

import (
	"context"
	"fmt"
	"time"

	"entgo.io/ent/dialect"

	"github.com/cienerp/cienerp/auth"
	"github.com/cienerp/cienerp/database"
	"github.com/cienerp/cienerp/ent"
	"github.com/cienerp/cienerp/internal/secretbox"
	"github.com/cienerp/cienerp/policy"
	"github.com/cienerp/cienerp/storage"
)

// Service bundles what the business rules need.
type Service struct {
	Client   *ent.Client
	Enforcer *policy.Enforcer
	Dir      *auth.Directory
	// Passwords hashes the passwords of new users.
	Passwords auth.Passwords
	// Dialect is the database's (ent's dialect names): it decides row locks
	// and how hand-built statements are written.
	Dialect string
	// Sync drops caches after changes, here and on other instances.
	Sync Syncer
	// Store keeps document bytes; Limits bound uploads.
	Store  storage.Store
	Limits DocumentLimits
	// IdempotencyLease, when set, replaces DefaultIdempotencyLease.
	IdempotencyLease time.Duration
	// Deliveries enqueues webhook deliveries with the change; Webhooks
	// says which receivers endpoints may name.
	Deliveries Deliveries
	Webhooks   WebhookRules
	// Secrets seals the webhook signing secrets the database keeps.
	Secrets *secretbox.Keyring
	// EventsCommitted, when set, is told after a commit that wrote events
	// (the realtime hub reads them at once instead of at its next poll).
	EventsCommitted func()
}

// rowLocks reports whether SELECT ... FOR UPDATE exists (PostgreSQL).
// SQLite needs none: its transactions take the write lock up front
// (_txlock=immediate).
func (s *Service) rowLocks() bool { return s.Dialect == dialect.Postgres }

// inTx runs fn in a transaction and commits it, or rolls back on error.
func (s *Service) inTx(ctx context.Context, fn func(tx *ent.Tx) error) error {
	// The slot hands the *sql.Tx to commit hooks (transactional enqueue).
	txCtx := database.WithTxSlot(ctx)
	tx, err := s.Client.Tx(txCtx)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		_ = tx.Rollback() // a commit hook (enqueue) failed before the commit itself
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}
