package database

import (
	"context"
	"database/sql"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
)

// A transaction begun through ent with a context from WithTxSlot hands its
// *sql.Tx to the slot, so that other libraries' writes join it: River's
// transactional enqueue of webhook deliveries commits with the change.
type txSlotKey struct{}

// txSlot receives the *sql.Tx of the ent transaction begun with its context.
type txSlot struct{ tx *sql.Tx }

// WithTxSlot returns ctx carrying a fresh slot: begin the ent transaction
// with it, and TxOf(ctx) is its *sql.Tx.
func WithTxSlot(ctx context.Context) context.Context {
	return context.WithValue(ctx, txSlotKey{}, &txSlot{})
}

// TxOf returns the *sql.Tx begun with ctx, or nil.
func TxOf(ctx context.Context) *sql.Tx {
	if s, ok := ctx.Value(txSlotKey{}).(*txSlot); ok {
		return s.tx
	}
	return nil
}

// slotDriver is ent's SQL driver filling the context's slot on begin.
type slotDriver struct{ *entsql.Driver }

// Driver wraps ent's SQL driver on db so that WithTxSlot works.
func Driver(dialectName string, db *sql.DB) dialect.Driver {
	return slotDriver{entsql.OpenDB(dialectName, db)}
}

func (d slotDriver) Tx(ctx context.Context) (dialect.Tx, error) { return d.BeginTx(ctx, nil) }

func (d slotDriver) BeginTx(ctx context.Context, opts *sql.TxOptions) (dialect.Tx, error) {
	tx, err := d.Driver.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	if s, ok := ctx.Value(txSlotKey{}).(*txSlot); ok {
		if t, ok := tx.(*entsql.Tx); ok {
			s.tx, _ = t.Tx.(*sql.Tx)
		}
	}
	return tx, nil
}
