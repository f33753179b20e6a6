package rest

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/cienerp/cienerp/module"
	"github.com/cienerp/cienerp/service"
)

// Helpers every module's handlers share: reading ids and list
// parameters, answering with a view.

// create runs a creating service call on a decoded body and answers 201.
func create[In, Out any](c *gin.Context, call func(In) (Out, error), view func(Out) map[string]any) error {
	var in In
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	out, err := call(in)
	if err != nil {
		return err
	}
	respond(c, http.StatusCreated, view(out))
	return nil
}

// byID runs a service call on the :id of the path and answers 200.
func byID[Out any](c *gin.Context, entity string, call func(uuid.UUID) (Out, error), view func(Out) map[string]any) error {
	id, err := pathID(c, entity)
	if err != nil {
		return err
	}
	out, err := call(id)
	if err != nil {
		return err
	}
	respond(c, http.StatusOK, view(out))
	return nil
}

// byIDWithBody is byID with a decoded JSON body.
func byIDWithBody[In, Out any](c *gin.Context, entity string, call func(uuid.UUID, In) (Out, error), view func(Out) map[string]any) error {
	var in In
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	return byID(c, entity, func(id uuid.UUID) (Out, error) { return call(id, in) }, view)
}

func mapSlice[T, U any](in []T, f func(T) U) []U {
	out := make([]U, len(in))
	for i, v := range in {
		out[i] = f(v)
	}
	return out
}

// pathID reads :id; a malformed id is simply not found.
func pathID(c *gin.Context, entity string) (uuid.UUID, error) {
	id, err := uuid.Parse(c.Param("id"))
	if err != nil {
		return uuid.Nil, &service.NotFoundError{Entity: entity}
	}
	return id, nil
}

// queryLimit reads ?limit= (default 20, at most service.MaxPageSize).
func queryLimit(c *gin.Context, verr *service.ValidationError) int {
	l := c.Query("limit")
	if l == "" {
		return 20
	}
	n, err := strconv.Atoi(l)
	if err != nil || n < 1 || n > service.MaxPageSize {
		verr.Add("limit", "Limit must be an integer between 1 and %d.", service.MaxPageSize)
	}
	return n
}

func splitList(s string) []string {
	var out []string
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// nonNil makes an empty list [] in JSON, not null.
func nonNil[T any](list []T) []T {
	if list == nil {
		return []T{}
	}
	return list
}

// upsert answers PUT /…/by-external-id/:external_id: the body creates
// the object (201, as createOp, its POST's) when none has the external
// id, and edits it as a PATCH would (200, as updateOp) otherwise. The body
// may repeat the external id, not name another.
func upsert[C, U, Out, V any](c *gin.Context, createOp, updateOp module.Op, find func(context.Context, string) (uuid.UUID, bool, error),
	create func(context.Context, C, string) (Out, error), update func(context.Context, uuid.UUID, U) (Out, error), view func(Out) V) error {
	eid := c.Param("external_id")
	if err := service.CheckExternalID(eid); err != nil {
		return err
	}
	ctx := c.Request.Context()
	out, created, err := service.Upsert(ctx, createOp, updateOp, func(ctx context.Context) (uuid.UUID, bool, error) { return find(ctx, eid) },
		func(ctx context.Context) (Out, error) { // ctx carries the operation: its condition governs the write
			var in C
			if err := bindJSON(c, &in); err != nil {
				return *new(Out), err
			}
			return create(ctx, in, eid)
		},
		func(ctx context.Context, id uuid.UUID) (Out, error) {
			var in U
			if err := bindJSON(c, &in); err != nil {
				return *new(Out), err
			}
			return update(ctx, id, in)
		})
	if err != nil {
		return err
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	respond(c, status, view(out))
	return nil
}

// sameExternalID refuses a body whose external_id is not the path's.
// upsertByExternalID is upsert for an object whose create and update take
// one input type with an optional external id: the path's id is written on
// create; the body may repeat it, not name another.
func upsertByExternalID[In any, P interface {
	*In
	ExternalIDField() *service.Opt[string]
}, Out any](c *gin.Context, createOp, updateOp module.Op, find func(context.Context, string) (uuid.UUID, bool, error),
	create func(context.Context, In) (Out, error), update func(context.Context, uuid.UUID, In) (Out, error), view func(Out) map[string]any) error {
	return upsert(c, createOp, updateOp, find,
		func(ctx context.Context, in In, eid string) (Out, error) {
			f := P(&in).ExternalIDField()
			if err := sameExternalID(f.Ptr(), eid); err != nil {
				return *new(Out), err
			}
			*f = service.Some(eid)
			return create(ctx, in)
		},
		func(ctx context.Context, id uuid.UUID, in In) (Out, error) {
			f := P(&in).ExternalIDField()
			if err := sameExternalID(f.Ptr(), c.Param("external_id")); err != nil {
				return *new(Out), err
			}
			*f = service.Opt[string]{}
			return update(ctx, id, in)
		}, view)
}

func sameExternalID(body *string, path string) error {
	if body != nil && *body != path {
		return service.Invalid("external_id", "The body's external_id (%q) differs from the path's (%q); leave it out or send the same.", *body, path)
	}
	return nil
}
