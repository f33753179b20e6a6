package service

import (
	"context"
	"strconv"
	"strings"

	"entgo.io/ent/dialect/sql"
	"github.com/cespare/xxhash/v2"

	"github.com/cienerp/cienerp/ent"
	"github.com/cienerp/cienerp/internal/jsonwire"
)

// Conditional requests. An object's entity tag is a digest of its public
// JSON view (the data of its GET), so every transport and every instance
// names the same version with the same tag. An If-Match precondition
// travels in the context from the transport to the write, which checks it
// against the object as it reads it inside its transaction (the row
// locked on PostgreSQL): a stale tag never overwrites, even when two
// writers race.

// ETag is the weak entity tag of a JSON representation (in parts: a
// list's data and meta): a 64-bit xxHash, which tells versions of one
// object or page apart at a fraction of SHA-256's cost on every GET (a
// tag is a validator, not a secret).
func ETag(representation ...[]byte) string {
	h := xxhash.New()
	for _, part := range representation {
		_, _ = h.Write(part)
	}
	return `W/"` + strconv.FormatUint(h.Sum64(), 16) + `"`
}

// ETagOf is the entity tag of an object's view (as REST's GET sends it).
func ETagOf(view any) string {
	b, err := jsonwire.Marshal(view)
	if err != nil {
		return ""
	}
	return ETag(b)
}

type ifMatchKey struct{}

// WithIfMatch makes the writes of ctx proceed only while the object's
// current tag is one of tags (an If-Match header's list; "*" matches any
// existing object).
func WithIfMatch(ctx context.Context, tags []string) context.Context {
	return context.WithValue(ctx, ifMatchKey{}, tags)
}

// ParseETags reads an If-Match or If-None-Match header: "*" or a list of
// quoted tags, weak or strong. ok is false for a malformed header.
func ParseETags(h string) (tags []string, ok bool) {
	for _, t := range strings.Split(h, ",") {
		t = strings.TrimSpace(t)
		switch {
		case t == "":
			continue
		case t == "*":
		case len(t) >= 2 && t[len(t)-1] == '"' && (t[0] == '"' || strings.HasPrefix(t, `W/"`) && len(t) >= 4):
		default:
			return nil, false
		}
		tags = append(tags, t)
	}
	return tags, len(tags) > 0
}

// ETagMatches is the weak comparison of RFC 9110: W/"x" and "x" match.
func ETagMatches(tags []string, current string) bool {
	opaque := strings.TrimPrefix(current, "W/")
	for _, t := range tags {
		if t == "*" || strings.TrimPrefix(t, "W/") == opaque {
			return true
		}
	}
	return false
}

// checkIfMatch refuses a write when ctx carries an If-Match that the
// entity's current view does not match. Call it on the row as read in
// the write's transaction.
func checkIfMatch(ctx context.Context, entity string, view any) error {
	tags, ok := ctx.Value(ifMatchKey{}).([]string)
	if !ok {
		return nil
	}
	current := ETagOf(view)
	if ETagMatches(tags, current) {
		return nil
	}
	p := Fail(KindPreconditionFailed, "precondition_failed",
		"The %s changed since you read it: If-Match does not match its current ETag %s. Read it again, re-apply your change and retry.", entity, current)
	p.ETag = current
	return p
}

// BadPrecondition refuses a malformed If-Match or If-None-Match header.
func BadPrecondition(header string) error {
	return Fail(KindBadRequest, "bad_precondition", "%s must be \"*\" or a list of entity tags such as W/\"8f4e2a9c1d7b3e60\".", header)
}

// lockRow reads the row a change applies to: locked on PostgreSQL until
// the transaction ends, so concurrent changes of it queue, and held to
// the request's If-Match (checked against view, the object's GET).
func lockRow[T, V any, Q interface {
	ForUpdate(...sql.LockOption) Q
	Only(context.Context) (T, error)
}](s *Service, ctx context.Context, q Q, entity string, view func(T) V) (T, error) {
	if s.rowLocks() {
		q = q.ForUpdate()
	}
	row, err := q.Only(ctx)
	if ent.IsNotFound(err) {
		return row, &NotFoundError{Entity: entity}
	}
	if err != nil {
		return row, err
	}
	return row, checkIfMatch(ctx, entity, view(row))
}
