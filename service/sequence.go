package service

import (
	"context"
	"fmt"

	"github.com/google/uuid"

	"github.com/cienerp/cienerp/ent"
	"github.com/cienerp/cienerp/ent/schema"
	"github.com/cienerp/cienerp/ent/webhookendpoint"
	"github.com/cienerp/cienerp/policy"
)

// next returns the next value of the named counter of the viewer's tenant
// and environment, in one round trip. The upsert locks the counter row
// until tx ends, so concurrent callers queue, and a rollback gives the
// number back: no gaps, no duplicates. It is plain SQL (both databases
// have INSERT … ON CONFLICT … RETURNING) scoped by the viewer explicitly,
// since ent's upsert cannot return the new value.
func (s *Service) next(ctx context.Context, tx *ent.Tx, name string) (int64, error) {
	n, _, err := s.nextWithEndpoints(ctx, tx, name)
	return n, err
}

// nextWithEndpoints is next, also returning the counter row's endpoints
// (kept on the "event" counter by countEndpoints).
func (s *Service) nextWithEndpoints(ctx context.Context, tx *ent.Tx, name string) (int64, int, error) {
	v := policy.FromContext(ctx)
	if v == nil {
		return 0, 0, fmt.Errorf("counter %s without a viewer", name)
	}
	q := `INSERT INTO sequences (id, tenant_id, env, name, value) VALUES (?, ?, ?, ?, 1)
		ON CONFLICT (tenant_id, env, name) DO UPDATE SET value = sequences.value + 1 RETURNING value, endpoints`
	if s.RowLocks { // PostgreSQL's placeholders
		q = `INSERT INTO sequences (id, tenant_id, env, name, value) VALUES ($1, $2, $3, $4, 1)
		ON CONFLICT (tenant_id, env, name) DO UPDATE SET value = sequences.value + 1 RETURNING value, endpoints`
	}
	rows, err := tx.QueryContext(ctx, q, uuid.Must(uuid.NewV7()), v.TenantID, string(v.Env), name)
	if err != nil {
		return 0, 0, err
	}
	defer rows.Close()
	var n int64
	var endpoints int
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return 0, 0, err
		}
		return 0, 0, fmt.Errorf("counter %s: no value returned", name)
	}
	if err := rows.Scan(&n, &endpoints); err != nil {
		return 0, 0, err
	}
	return n, endpoints, rows.Close()
}

// countEndpoints records on the event counter how many webhook endpoints
// of the viewer's environment are enabled; every change of an endpoint
// calls it in its transaction. The counter row's lock orders it with the
// events being written: an event either sees the endpoint or commits
// before it existed.
func (s *Service) countEndpoints(ctx context.Context, tx *ent.Tx) error {
	v := policy.FromContext(ctx)
	sys := schema.BypassPermissions(ctx, "counting the environment's endpoints, whoever changed one")
	n, err := tx.WebhookEndpoint.Query().Where(webhookendpoint.Enabled(true)).Count(sys)
	if err != nil {
		return err
	}
	q := `INSERT INTO sequences (id, tenant_id, env, name, value, endpoints) VALUES (?, ?, ?, 'event', 0, ?)
		ON CONFLICT (tenant_id, env, name) DO UPDATE SET endpoints = excluded.endpoints`
	if s.RowLocks {
		q = `INSERT INTO sequences (id, tenant_id, env, name, value, endpoints) VALUES ($1, $2, $3, 'event', 0, $4)
		ON CONFLICT (tenant_id, env, name) DO UPDATE SET endpoints = excluded.endpoints`
	}
	_, err = tx.ExecContext(ctx, q, uuid.Must(uuid.NewV7()), v.TenantID, string(v.Env), n)
	return err
}
