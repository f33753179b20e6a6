package service

import (
	"context"
	"errors"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/cienerp/cienerp/ent"
	"github.com/cienerp/cienerp/ent/schema"
	"github.com/cienerp/cienerp/module"
	"github.com/cienerp/cienerp/policy"
)

// External ids: the id another system knows an object by (customers,
// invoices, tickets), unique per tenant + environment + type, so that a
// nightly sync upserts by it without a lookup.

// checkExternalID checks an external id a client sends (nil: none sent,
// or null).
func checkExternalID(id *string, verr *ValidationError) {
	if id == nil {
		return
	}
	switch v := *id; {
	case v == "":
		verr.Add("external_id", "The external id cannot be empty; send null to remove it.")
	case utf8.RuneCountInString(v) > schema.MaxExternalID:
		verr.Add("external_id", "The external id is at most %d characters.", schema.MaxExternalID)
	case strings.IndexFunc(v, func(r rune) bool { return unicode.IsControl(r) || unicode.IsSpace(r) }) >= 0:
		verr.Add("external_id", "The external id cannot hold spaces or control characters.")
	}
}

// setExternalID applies an update's external_id: null removes it.
func setExternalID(m interface {
	SetExternalID(string)
	ClearExternalID()
}, in Opt[string]) {
	switch {
	case in.Null:
		m.ClearExternalID()
	case in.Set:
		m.SetExternalID(in.V)
	}
}

// takenExternalID refuses an external id that another object of the type
// holds already (the unique index is the last word, under a race).
func takenExternalID(entity, v string, taken bool, err error) error {
	if err != nil || !taken {
		return err
	}
	return &ExternalIDTakenError{Invalid("external_id", "Another %s has the external id %q; update it with PUT /%ss/by-external-id/{external_id}.", entity, v, entity).(*ValidationError)}
}

// ExternalIDTakenError is the refusal of an external id in use: a field
// error to the client, and to an upsert the sign that a concurrent one
// created the object first.
type ExternalIDTakenError struct{ *ValidationError }

func (e *ExternalIDTakenError) Unwrap() error { return e.ValidationError }

// Upsert creates the object of an external id when there is none and
// updates it otherwise, with the permission of the operation it performs
// (createOp's or updateOp's, from the module's declaration; checked before
// the body is read). Two concurrent upserts of a new id both try the
// create; the unique index lets one win and the other runs again as the
// update, so one object results. created tells which happened.
//
// create and update run with the operation's permission in their context
// (policy.WithOperation), so that its row condition governs the write.
func Upsert[T any](ctx context.Context, createOp, updateOp module.Op, find func(context.Context) (uuid.UUID, bool, error), create func(context.Context) (T, error), update func(context.Context, uuid.UUID) (T, error)) (out T, created bool, err error) {
	for attempt := 0; ; attempt++ {
		id, found, err := find(ctx)
		if err != nil {
			return out, false, err
		}
		if found {
			if err := policy.Require(ctx, updateOp.Permission); err != nil {
				return out, false, err
			}
			out, err = update(policy.WithOperation(ctx, updateOp.Permission), id)
			var nf *NotFoundError
			if errors.As(err, &nf) && attempt < 2 { // deleted meanwhile: create it again
				continue
			}
			return out, false, err
		}
		if err := policy.Require(ctx, createOp.Permission); err != nil {
			return out, false, err
		}
		out, err = create(policy.WithOperation(ctx, createOp.Permission))
		var taken *ExternalIDTakenError
		if (errors.As(err, &taken) || ent.IsConstraintError(err) || errors.Is(err, ErrConflict)) && attempt < 2 {
			continue // a concurrent upsert created it first
		}
		return out, err == nil, err
	}
}

// A module's lookup by external id (TicketByExternalID, in its own file)
// reads whatever the caller may read (the write that follows checks its
// own permission), in the caller's tenant and environment.

// found is a lookup's answer: not found is no error.
func found(id uuid.UUID, err error) (uuid.UUID, bool, error) {
	if ent.IsNotFound(err) {
		return uuid.Nil, false, nil
	}
	return id, err == nil, err
}

// CheckExternalID refuses a malformed external id (a path's, say).
func CheckExternalID(id string) error {
	verr := &ValidationError{}
	checkExternalID(&id, verr)
	return verr.OrNil()
}
