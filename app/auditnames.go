package app

import (
	"context"
	"fmt"
	"strings"

	"entgo.io/ent/dialect"

	"github.com/cienerp/cienerp/database"
	"github.com/cienerp/cienerp/ent/auditevent"
	"github.com/cienerp/cienerp/modules"
)

// renameAuditActions gives audit events stored before a change had one
// name (ticket.update beside the event ticket.updated) the change's name,
// from the declarations' Was lists, so that the trail and its filters
// know one name per change. A schema step, like the migration before it:
// one statement that changes no event's content and finds nothing to do
// once done.
func renameAuditActions(ctx context.Context, db *database.DB) (int64, error) {
	var args []any
	arg := func(v string) string {
		args = append(args, v)
		if db.Dialect == dialect.Postgres {
			return fmt.Sprintf("$%d", len(args))
		}
		return "?"
	}
	var cases, olds []string
	for _, e := range modules.Events() {
		for _, was := range e.Was {
			cases = append(cases, "WHEN "+arg(was)+" THEN "+arg(string(e.Change)))
			olds = append(olds, was)
		}
	}
	if len(cases) == 0 {
		return 0, nil
	}
	in := make([]string, len(olds))
	for i, was := range olds {
		in[i] = arg(was)
	}
	col := auditevent.FieldAction
	q := fmt.Sprintf("UPDATE %s SET %s = CASE %s %s END WHERE %s IN (%s)",
		auditevent.Table, col, col, strings.Join(cases, " "), col, strings.Join(in, ", "))
	res, err := db.SQL.ExecContext(ctx, q, args...)
	if err != nil {
		return 0, fmt.Errorf("rename audit actions: %w", err)
	}
	return res.RowsAffected()
}
