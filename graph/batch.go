package graph

import (
	"context"
	"reflect"
	"sync"

	"github.com/99designs/gqlgen/graphql"
	"github.com/google/uuid"
)

// Fields that are not ent edges (an invoice's payments and customer, a
// sale's receipt) would cost a query per row of a list. When the first row
// of a list asks, the rows resolved beside it are found through gqlgen's
// field contexts and loaded in one go; the others wait for and share that
// load. No timers: the batch is exactly the list.

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

// batched returns load's value for r (keyed by id(r)), loading it together
// with the rows of the list r came from.
func batched[R comparable, V any](ctx context.Context, r R, id func(R) uuid.UUID, load func(context.Context, []R) (map[uuid.UUID]V, error)) (V, error) {
	var zero V
	list, rows := enclosingList[R](ctx, r)
	store, _ := ctx.Value(prefetchKey{}).(*prefetches)
	if store == nil || list == nil { // a row on its own
		vals, err := load(ctx, []R{r})
		return vals[id(r)], err
	}
	// One load per list and kind of value, so the fields of a sale's receipt
	// share one; two different loads of one kind on one list would collide.
	key := [2]any{list, (*V)(nil)}
	store.mu.Lock()
	p := store.loads[key]
	if p == nil {
		p = &prefetch{}
		store.loads[key] = p
	}
	store.mu.Unlock()
	p.once.Do(func() {
		vals, err := load(ctx, rows)
		p.vals, p.err = map[uuid.UUID]any{}, err
		for k, v := range vals {
			p.vals[k] = v
		}
	})
	if p.err != nil {
		return zero, p.err
	}
	if v, ok := p.vals[id(r)]; ok {
		return v.(V), nil
	}
	return zero, nil
}

// enclosingList finds the nearest list result above the field that holds
// r: a Relay connection (its edges' nodes) or a plain list of rows.
func enclosingList[R comparable](ctx context.Context, r R) (any, []R) {
	for fc := graphql.GetFieldContext(ctx); fc != nil; fc = fc.Parent {
		if fc.Result == nil {
			continue
		}
		if rows := rowsOf[R](fc.Result); len(rows) > 1 {
			for _, x := range rows {
				if x == r {
					return fc.Result, rows
				}
			}
		}
	}
	return nil, nil
}

// rowsOf reads the rows of a []R or of a connection (Edges[i].Node of type R).
func rowsOf[R comparable](result any) []R {
	if rows, ok := result.([]R); ok {
		return rows
	}
	v := reflect.ValueOf(result)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return nil
	}
	edges := v.Elem().FieldByName("Edges")
	if !edges.IsValid() || edges.Kind() != reflect.Slice {
		return nil
	}
	var out []R
	for i := 0; i < edges.Len(); i++ {
		e := edges.Index(i)
		if e.Kind() != reflect.Pointer || e.IsNil() {
			continue
		}
		node := e.Elem().FieldByName("Node")
		if !node.IsValid() {
			return nil
		}
		if n, ok := node.Interface().(R); ok {
			out = append(out, n)
		} else {
			return nil // a connection of another type
		}
	}
	return out
}

// belongsTo is the row's parent through the foreign key fk (false: none),
// fetched for the whole list with one query.
func belongsTo[R comparable, T any](ctx context.Context, r R, id func(R) uuid.UUID, fk func(R) (uuid.UUID, bool),
	fetch func(context.Context, []uuid.UUID) ([]T, error), key func(T) uuid.UUID) (T, error) {
	return batched(ctx, r, id, func(ctx context.Context, rows []R) (map[uuid.UUID]T, error) {
		var keys []uuid.UUID
		for _, x := range rows {
			if k, ok := fk(x); ok {
				keys = append(keys, k)
			}
		}
		parents, err := fetch(ctx, keys)
		if err != nil {
			return nil, err
		}
		byKey := make(map[uuid.UUID]T, len(parents))
		for _, p := range parents {
			byKey[key(p)] = p
		}
		out := make(map[uuid.UUID]T, len(rows))
		for _, x := range rows {
			if k, ok := fk(x); ok {
				if p, ok := byKey[k]; ok {
					out[id(x)] = p
				}
			}
		}
		return out, nil
	})
}
