package service

import (
	"context"

	"github.com/cienerp/cienerp/ent"
	"github.com/cienerp/cienerp/ent/sequence"
)

// next returns the next value of the named counter of the viewer's tenant
// and environment. The upsert locks the counter row until tx ends, so
// concurrent callers queue, and a rollback gives the number back: no gaps,
// no duplicates.
func next(ctx context.Context, tx *ent.Tx, name string) (int64, error) {
	err := tx.Sequence.Create().SetName(name).SetValue(1).
		OnConflictColumns(sequence.FieldTenantID, sequence.FieldEnv, sequence.FieldName).
		AddValue(1).
		Exec(ctx)
	if err != nil {
		return 0, err
	}
	seq, err := tx.Sequence.Query().Where(sequence.Name(name)).Only(ctx)
	if err != nil {
		return 0, err
	}
	return seq.Value, nil
}
