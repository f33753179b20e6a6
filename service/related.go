package service

import (
	"github.com/google/uuid"
)

// Helpers of related objects. A module's Related<Objects> (in its own
// file) returns them in their public views, many parents at a time (one
// query each), for a transport that embeds them (REST's expand). They are
// read with the caller's context: the tenancy filter and the view
// permission apply exactly as to their own GET, so an object the caller
// may not view is refused with the permission it lacks.

// keyedViews are rows in their public views, by id.
func keyedViews[T, V any](rows []T, err error, id func(T) uuid.UUID, view func(T) V) (map[uuid.UUID]any, error) {
	if err != nil {
		return nil, err
	}
	out := make(map[uuid.UUID]any, len(rows))
	for _, r := range rows {
		out[id(r)] = view(r)
	}
	return out, nil
}

// groupBy lists rows under their parent; every parent asked for has a
// list, empty when it has none.
func groupBy[T any](parents []uuid.UUID, rows []T, parent func(T) uuid.UUID) map[uuid.UUID][]T {
	lists := make(map[uuid.UUID][]T, len(parents))
	for _, p := range parents {
		lists[p] = []T{}
	}
	for _, r := range rows {
		lists[parent(r)] = append(lists[parent(r)], r)
	}
	return lists
}

// listViews are grouped rows in their public views.
func listViews[T, V any](lists map[uuid.UUID][]T, err error, view func(T) V) (map[uuid.UUID]any, error) {
	if err != nil {
		return nil, err
	}
	out := make(map[uuid.UUID]any, len(lists))
	for p, rows := range lists {
		views := make([]V, len(rows))
		for i, r := range rows {
			views[i] = view(r)
		}
		out[p] = views
	}
	return out, nil
}
