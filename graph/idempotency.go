package graph

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"hash"
	"io"
	"log/slog"

	"github.com/google/uuid"

	"github.com/cienerp/cienerp/ent/schema"
	"github.com/cienerp/cienerp/service"
)

// idempotent describes one creating mutation call for once.
type idempotent[T any] struct {
	key   *string // the idempotencyKey argument; nil runs create plainly
	field string  // the mutation's name, hashed with args
	args  any     // every argument but the key, hashed
	// content, when set, is a streamed argument (an upload) that is hashed
	// as create reads it; a replay drains it to compare.
	content *io.Reader
	create  func() (T, error)
	// replay rebuilds the first answer from what create returned, stored
	// as JSON: ent rows are read again (by id, through the privacy layer).
	replay func(stored []byte) (T, error)
}

// once runs a creating mutation at most once per idempotency key (the
// same claims as REST's Idempotency-Key: per credential, 24 hours). A retry
// with the same arguments gets what the first call created; other
// arguments are a VALIDATION error; a first call still running is a
// CONFLICT. Failed calls release the key, so a corrected retry may reuse it.
func once[T any](ctx context.Context, svc *service.Service, c idempotent[T]) (T, error) {
	var zero T
	if c.key == nil {
		return c.create()
	}
	if *c.key == "" || len(*c.key) > 255 {
		return zero, service.Invalid("idempotencyKey", "The idempotencyKey must be 1 to 255 characters.")
	}
	h := sha256.New()
	h.Write([]byte("graphql " + c.field + "\n"))
	if err := json.NewEncoder(h).Encode(c.args); err != nil {
		return zero, err
	}
	if c.content != nil {
		*c.content = io.TeeReader(*c.content, h)
	}
	claim, prev, err := svc.ClaimIdempotency(ctx, *c.key)
	if err != nil {
		return zero, err
	}
	if prev != nil {
		if err := drain(c.content); err != nil {
			return zero, err
		}
		if sum(h) != prev.RequestHash {
			return zero, service.Invalid("idempotencyKey", "This idempotencyKey was already used with other arguments; use a new key for a new call.")
		}
		return c.replay(prev.ResponseBody)
	}
	out, err := c.create()
	if err == nil {
		err = drain(c.content)
	}
	var body []byte
	if err == nil {
		body, err = json.Marshal(out)
	}
	if err != nil {
		if rerr := svc.ReleaseIdempotency(ctx, claim); rerr != nil {
			slog.ErrorContext(ctx, "releasing idempotency key", "error", rerr.Error())
		}
		return zero, err
	}
	if err := svc.CompleteIdempotency(ctx, claim, sum(h), 200, body); err != nil {
		slog.ErrorContext(ctx, "storing idempotent answer", "error", err.Error())
	}
	return out, nil
}

func sum(h hash.Hash) string { return hex.EncodeToString(h.Sum(nil)) }

func drain(r *io.Reader) error {
	if r == nil {
		return nil
	}
	_, err := io.Copy(io.Discard, *r)
	return err
}

// reread replays an ent row by its stored id. The row was the caller's
// own answer, found through its tenant-, environment- and credential-
// scoped key, so it is read back even without a view permission.
func reread[T any](ctx context.Context, get func(context.Context, uuid.UUID) (T, error)) func([]byte) (T, error) {
	return func(stored []byte) (T, error) {
		var row struct{ ID uuid.UUID }
		if err := json.Unmarshal(stored, &row); err != nil || row.ID == uuid.Nil {
			var zero T
			return zero, errors.New("unreadable idempotent answer")
		}
		return get(schema.BypassPermissions(ctx, "a replayed create answers the object it created, as the first answer did"), row.ID)
	}
}

// decoded replays a value stored whole (keys and members: their secret or
// first password is only in the first answer, as with REST's replay).
func decoded[T any](stored []byte) (T, error) {
	var out T
	err := json.Unmarshal(stored, &out)
	return out, err
}
