package service

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/cienerp/cienerp/database"
	"github.com/cienerp/cienerp/ent"
	"github.com/cienerp/cienerp/ent/privacy"
	"github.com/cienerp/cienerp/ent/schema"
	"github.com/cienerp/cienerp/policy"
	"github.com/cienerp/cienerp/storage"
)

// InvalidMessage is the fixed message of every validation failure.
const InvalidMessage = "The given data was invalid."

// Problem is how the platform describes a failure to a caller. REST and
// GraphQL both answer from it (REST: status and code; GraphQL:
// extensions.code from the status, reason from the code), so the two
// transports never describe the same failure differently.
type Problem struct {
	Status       int
	Code         string // e.g. not_found, file_too_large
	Message      string
	Permission   string              // forbidden: the permission that is missing
	Fields       map[string][]string // validation_failed: field → messages
	MaxBytes     int64               // file_too_large
	AllowedTypes []string            // unsupported_file_type
}

// Unexpected is an error the platform does not know: log it, never show it.
func (p Problem) Unexpected() bool { return p.Status == http.StatusInternalServerError }

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
	)
	switch {
	case errors.As(err, &verr):
		return Problem{Status: http.StatusUnprocessableEntity, Code: "validation_failed", Message: InvalidMessage, Fields: verr.Fields}
	case errors.As(err, &tooBig):
		return Problem{Status: http.StatusRequestEntityTooLarge, Code: "file_too_large", Message: tooBig.Error(), MaxBytes: tooBig.Limit}
	case errors.As(err, &badTyp):
		return Problem{Status: http.StatusUnsupportedMediaType, Code: "unsupported_file_type", Message: badTyp.Error(), AllowedTypes: badTyp.Allowed}
	case errors.As(err, &entErr):
		return Problem{Status: http.StatusUnprocessableEntity, Code: "validation_failed", Message: InvalidMessage,
			Fields: map[string][]string{entErr.Name: {fieldMessage(entErr)}}}
	case database.UnstorableText(err):
		return Problem{Status: http.StatusUnprocessableEntity, Code: "validation_failed", Message: InvalidMessage,
			Fields: map[string][]string{"body": {"Text values must not contain NUL characters (\\u0000)."}}}
	case errors.Is(err, storage.ErrUnavailable):
		return Problem{Status: http.StatusServiceUnavailable, Code: "storage_unavailable",
			Message: "Document storage is unavailable right now; nothing was changed. Retry in a moment."}
	case errors.Is(err, context.DeadlineExceeded):
		return Problem{Status: http.StatusServiceUnavailable, Code: "timeout",
			Message: "The request ran out of its time budget and was stopped; ask for less (a smaller page, fewer fields) or retry."}
	case database.Unavailable(err):
		return Problem{Status: http.StatusServiceUnavailable, Code: "unavailable",
			Message: "The database is not answering right now. Retry in a moment (with the same Idempotency-Key, a create runs at most once)."}
	case errors.As(err, &nf):
		return Problem{Status: http.StatusNotFound, Code: "not_found", Message: fmt.Sprintf("No such %s.", nf.Entity)}
	case errors.As(err, &denied): // before privacy.Deny: a denial may be both
		return Problem{Status: http.StatusForbidden, Code: "forbidden", Message: fmt.Sprintf("This credential lacks the permission %s.", denied.Permission),
			Permission: denied.Permission}
	case errors.Is(err, privacy.Deny):
		return Problem{Status: http.StatusForbidden, Code: "forbidden", Message: "This credential may not do that."}
	case errors.Is(err, ErrIdempotencyRunning):
		return Problem{Status: http.StatusConflict, Code: "idempotency_in_progress",
			Message: "A request with this idempotency key is still being processed; retry later."}
	case errors.Is(err, ErrConflict), ent.IsConstraintError(err):
		return Problem{Status: http.StatusConflict, Code: "conflict", Message: "The request conflicted with a concurrent change; retry it."}
	}
	return Problem{Status: http.StatusInternalServerError, Code: "internal_error", Message: "Something went wrong on our side."}
}

// GraphQLCode names a status the way GraphQL clients expect in
// extensions.code.
func GraphQLCode(status int) string {
	switch status {
	case http.StatusUnauthorized:
		return "UNAUTHENTICATED"
	case http.StatusForbidden:
		return "FORBIDDEN"
	case http.StatusTooManyRequests:
		return "RATE_LIMITED"
	case http.StatusNotFound:
		return "NOT_FOUND"
	case http.StatusUnprocessableEntity:
		return "VALIDATION"
	case http.StatusBadRequest, http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType:
		return "BAD_REQUEST"
	case http.StatusConflict:
		return "CONFLICT"
	case http.StatusServiceUnavailable:
		return "UNAVAILABLE"
	}
	return "INTERNAL"
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
