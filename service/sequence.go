package service

import (
	"context"
	"fmt"

	entsql "entgo.io/ent/dialect/sql"
	"github.com/google/uuid"

	"github.com/cienerp/cienerp/ent"
	"github.com/cienerp/cienerp/ent/schema"
	"github.com/cienerp/cienerp/ent/sequence"
	"github.com/cienerp/cienerp/ent/webhookendpoint"
	"github.com/cienerp/cienerp/policy"
)

// next returns the next value of the named counter of the viewer's tenant
// and environment, in one round trip. The upsert locks the counter row
// until tx ends, so concurrent callers queue, and a rollback gives the
// number back: no gaps, no duplicates. The statement comes from ent's SQL
// builder (both databases have INSERT … ON CONFLICT … RETURNING), scoped
// by the viewer explicitly, since ent's upsert cannot return the new value.
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
	q, args := s.counterRow(v, name, 1, 0).
		OnConflict(entsql.ConflictColumns(counterKey...), entsql.ResolveWith(func(u *entsql.UpdateSet) { u.Add(sequence.FieldValue, 1) })).
		Returning(sequence.FieldValue, sequence.FieldEndpoints).Query()
	rows, err := tx.QueryContext(ctx, q, args...)
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

// counterKey is the counter row's unique key.
var counterKey = []string{sequence.FieldTenantID, sequence.FieldEnv, sequence.FieldName}

// counterRow is the insert of the viewer's counter row name, written in the
// database's dialect: PostgreSQL numbers its bind parameters ($1), SQLite
// does not (?).
func (s *Service) counterRow(v *policy.Viewer, name string, value int64, endpoints int) *entsql.InsertBuilder {
	return entsql.Dialect(s.Dialect).Insert(sequence.Table).
		Columns(sequence.FieldID, sequence.FieldTenantID, sequence.FieldEnv, sequence.FieldName, sequence.FieldValue, sequence.FieldEndpoints).
		Values(uuid.Must(uuid.NewV7()), v.TenantID, string(v.Env), name, value, endpoints)
}

// countEndpoints records on the event counter how many webhook endpoints
// of the viewer's environment are enabled; every change of an endpoint
// calls it in its transaction. The counter row's lock orders it with the
// events being written: an event either sees the endpoint or commits
// before it existed.
func (s *Service) countEndpoints(ctx context.Context, tx *ent.Tx) error {
	sys := schema.BypassPermissions(ctx, "counting the environment's endpoints, whoever changed one")
	n, err := tx.WebhookEndpoint.Query().Where(webhookendpoint.Enabled(true)).Count(sys)
	if err != nil {
		return err
	}
	q, args := s.counterRow(policy.FromContext(ctx), "event", 0, n).
		OnConflict(entsql.ConflictColumns(counterKey...), entsql.ResolveWith(func(u *entsql.UpdateSet) { u.SetExcluded(sequence.FieldEndpoints) })).Query()
	_, err = tx.ExecContext(ctx, q, args...)
	return err
}
