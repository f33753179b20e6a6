package service

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/cienerp/cienerp/auth"
	"github.com/cienerp/cienerp/database"
	"github.com/cienerp/cienerp/ent"
	"github.com/cienerp/cienerp/ent/privacy"
	"github.com/cienerp/cienerp/ent/schema"
	"github.com/cienerp/cienerp/policy"
	"github.com/cienerp/cienerp/storage"
)

// InvalidMessage is the fixed message of every validation failure.
const InvalidMessage = "The given data was invalid."

// Kind is the class of a failure. It speaks no protocol: the HTTP edge
// maps it to a status, GraphQL to extensions.code.
type Kind int

// The kinds of failure.
const (
	KindUnexpected         Kind = iota // a failure the platform does not know: logged, never shown
	KindInvalid                        // the input breaks a rule (field errors)
	KindBadRequest                     // the request itself is malformed
	KindUnauthenticated                // no or unusable credentials
	KindForbidden                      // the credential may not do this
	KindNotFound                       // no such object (here)
	KindNotAllowed                     // the method is not served on this path
	KindConflict                       // a concurrent change or request won
	KindTooLarge                       // a body or file over its limit
	KindUnsupported                    // a media type that is not accepted
	KindRateLimited                    // the budget is spent
	KindUnavailable                    // a dependency does not answer; retry
	KindPreconditionFailed             // an If-Match no longer matches: the object changed
)

// Problem is how the platform describes a failure to a caller. REST and
// GraphQL both answer from it, so the two transports never describe the
// same failure differently. A Problem is also an error, for failures that
// are born classified (the edge's own, a malformed body).
type Problem struct {
	Kind         Kind
	Code         string // e.g. not_found, file_too_large
	Message      string
	Permission   string              // forbidden: the permission that is missing
	Fields       map[string][]string // field → messages (Invalid; a malformed body names "body")
	MaxBytes     int64               // file_too_large
	AllowedTypes []string            // unsupported_file_type
	RetryAfter   int                 // rate_limited: seconds to wait
	ETag         string              // precondition_failed: the object's current entity tag
}

func (p *Problem) Error() string { return p.Message }

// Fail is a Problem of kind with code and a message.
func Fail(kind Kind, code, format string, a ...any) *Problem {
	return &Problem{Kind: kind, Code: code, Message: fmt.Sprintf(format, a...)}
}

// Unexpected is an error the platform does not know: log it, never show it.
func (p Problem) Unexpected() bool { return p.Kind == KindUnexpected }

// ProblemOf classifies an error of the service layer (or of ent and
// storage below it).
func ProblemOf(err error) Problem {
	var (
		verr   *ValidationError
		tooBig *TooLargeError
		badTyp *UnsupportedTypeError
		nf     *NotFoundError
		denied *policy.DeniedError
		entErr *ent.ValidationError
		prob   *Problem
		aerr   *auth.Error
	)
	switch {
	case errors.As(err, &prob):
		return *prob
	case errors.As(err, &aerr):
		return Problem{Kind: authKinds[aerr.Kind], Code: aerr.Code, Message: aerr.Message}
	case errors.As(err, &verr):
		return Problem{Kind: KindInvalid, Code: "validation_failed", Message: InvalidMessage, Fields: verr.Fields}
	case errors.As(err, &tooBig):
		return Problem{Kind: KindTooLarge, Code: "file_too_large", Message: tooBig.Error(), MaxBytes: tooBig.Limit}
	case errors.As(err, &badTyp):
		return Problem{Kind: KindUnsupported, Code: "unsupported_file_type", Message: badTyp.Error(), AllowedTypes: badTyp.Allowed}
	case errors.As(err, &entErr):
		return Problem{Kind: KindInvalid, Code: "validation_failed", Message: InvalidMessage,
			Fields: map[string][]string{entErr.Name: {fieldMessage(entErr)}}}
	case database.UnstorableText(err):
		return Problem{Kind: KindInvalid, Code: "validation_failed", Message: InvalidMessage,
			Fields: map[string][]string{"body": {"Text values must not contain NUL characters (\\u0000)."}}}
	case errors.Is(err, storage.ErrUnavailable):
		return Problem{Kind: KindUnavailable, Code: "storage_unavailable",
			Message: "Document storage is unavailable right now; nothing was changed. Retry in a moment."}
	case errors.Is(err, context.DeadlineExceeded):
		return Problem{Kind: KindUnavailable, Code: "timeout",
			Message: "The request ran out of its time budget and was stopped; ask for less (a smaller page, fewer fields) or retry."}
	case database.Unavailable(err):
		return Problem{Kind: KindUnavailable, Code: "unavailable",
			Message: "The database is not answering right now. Retry in a moment (with the same Idempotency-Key, a create runs at most once)."}
	case errors.As(err, &nf):
		return Problem{Kind: KindNotFound, Code: "not_found", Message: fmt.Sprintf("No such %s.", nf.Entity)}
	case ent.IsNotFound(err): // a write whose row a condition keeps out of reach (rows.go's Mutation rule)
		var enf *ent.NotFoundError
		errors.As(err, &enf)
		what := strings.TrimSuffix(strings.TrimPrefix(enf.Error(), "ent: "), " not found")
		return Problem{Kind: KindNotFound, Code: "not_found", Message: fmt.Sprintf("No such %s.", strings.ReplaceAll(what, "_", " "))}
	case errors.As(err, &denied) && denied.Object != "":
		return Problem{Kind: KindForbidden, Code: "forbidden", Message: fmt.Sprintf("The condition on your permission %s does not admit this %s: the change would put it outside what your role may do.", denied.Permission, denied.Object),
			Permission: denied.Permission}
	case errors.As(err, &denied): // before privacy.Deny: a denial may be both
		return Problem{Kind: KindForbidden, Code: "forbidden", Message: fmt.Sprintf("This credential lacks the permission %s.", denied.Permission),
			Permission: denied.Permission}
	case errors.Is(err, privacy.Deny):
		return Problem{Kind: KindForbidden, Code: "forbidden", Message: "This credential may not do that."}
	case errors.Is(err, ErrIdempotencyRunning):
		return Problem{Kind: KindConflict, Code: "idempotency_in_progress",
			Message: "A request with this idempotency key is still being processed; retry later."}
	case errors.Is(err, ErrConflict), ent.IsConstraintError(err):
		return Problem{Kind: KindConflict, Code: "conflict", Message: "The request conflicted with a concurrent change; retry it."}
	}
	return Problem{Kind: KindUnexpected, Code: "internal_error", Message: "Something went wrong on our side."}
}

// authKinds classifies the authenticator's refusals.
var authKinds = map[auth.ErrorKind]Kind{
	auth.Unauthenticated: KindUnauthenticated, auth.Forbidden: KindForbidden, auth.BadRequest: KindBadRequest,
}

// fieldMessage words a schema validator's refusal of a field the way the
// service's own checks word theirs.
func fieldMessage(e *ent.ValidationError) string {
	label := fieldLabel(e.Name)
	var text *schema.TextError
	switch {
	case errors.As(e, &text):
		return textMessage(label, text)
	case strings.Contains(e.Error(), "missing required field"), strings.Contains(e.Error(), "less than the required length"):
		return label + " is required."
	}
	return label + " is invalid."
}

// textMessage words a schema.TextError of the field labelled label.
func textMessage(label string, text *schema.TextError) string {
	if text.NUL {
		return NULMessage(strings.ToLower(label))
	}
	return fmt.Sprintf("%s must be at most %d characters.", label, text.Max)
}
