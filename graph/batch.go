package graph

import (
	"context"
	"slices"
	"sync"

	"github.com/99designs/gqlgen/graphql"
	"github.com/google/uuid"

	"github.com/cienerp/cienerp/ent"
)

// Fields that are not ent edges (an invoice's payments, a sale's receipt)
// would cost a query per row of a list. When the first row of a list asks,
// the rows resolved beside it are found through gqlgen's field contexts and
// loaded in one go; the others wait for and share that load. No timers:
// the batch is exactly the list.

// prefetches is the per-request store of such loads, keyed by the list
// and the kind of value loaded.
type prefetches struct {
	mu    sync.Mutex
	loads map[any]*prefetch
}

type prefetch struct {
	once sync.Once
	vals map[uuid.UUID]any
	err  error
}

type prefetchKey struct{}

// withPrefetches gives an operation its own store.
func withPrefetches(ctx context.Context) context.Context {
	return context.WithValue(ctx, prefetchKey{}, &prefetches{loads: map[any]*prefetch{}})
}

// batched returns load's value for id, loading it together with the ids
// of the list the row came from.
func batched[V any](ctx context.Context, id uuid.UUID, load func(context.Context, []uuid.UUID) (map[uuid.UUID]V, error)) (V, error) {
	var zero V
	list := enclosingList(ctx)
	store, _ := ctx.Value(prefetchKey{}).(*prefetches)
	group := listIDs(list)
	if store == nil || !slices.Contains(group, id) { // a row on its own
		vals, err := load(ctx, []uuid.UUID{id})
		return vals[id], err
	}
	key := [2]any{list, (*V)(nil)} // one load per list and kind of value
	store.mu.Lock()
	p := store.loads[key]
	if p == nil {
		p = &prefetch{}
		store.loads[key] = p
	}
	store.mu.Unlock()
	p.once.Do(func() {
		vals, err := load(ctx, group)
		p.vals, p.err = map[uuid.UUID]any{}, err
		for k, v := range vals {
			p.vals[k] = v
		}
	})
	if p.err != nil {
		return zero, p.err
	}
	v, ok := p.vals[id]
	if !ok {
		return zero, nil
	}
	return v.(V), nil
}

// enclosingList is the nearest connection or list result above the field.
func enclosingList(ctx context.Context) any {
	for fc := graphql.GetFieldContext(ctx); fc != nil; fc = fc.Parent {
		switch fc.Result.(type) {
		case *ent.InvoiceConnection, *ent.PosSaleConnection, []*ent.Invoice, []*ent.PosSale:
			return fc.Result
		}
	}
	return nil
}

// listIDs lists the row ids of a list result enclosingList found.
func listIDs(list any) []uuid.UUID {
	var out []uuid.UUID
	switch l := list.(type) {
	case *ent.InvoiceConnection:
		for _, e := range l.Edges {
			if e != nil && e.Node != nil {
				out = append(out, e.Node.ID)
			}
		}
	case *ent.PosSaleConnection:
		for _, e := range l.Edges {
			if e != nil && e.Node != nil {
				out = append(out, e.Node.ID)
			}
		}
	case []*ent.Invoice:
		for _, i := range l {
			out = append(out, i.ID)
		}
	case []*ent.PosSale:
		for _, s := range l {
			out = append(out, s.ID)
		}
	}
	return out
}
