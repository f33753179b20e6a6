package service

import (
	"strings"
	"time"

	"github.com/google/uuid"
)

// Helpers of the list rules. A module's rules that are more than a column
// equal to a value (its search, TicketSearch; InvoiceOverdue) live in its
// own file; REST's list parameters and GraphQL's where fields of the same
// name call them, so that both transports filter alike (the parity test
// lists them).

// enumList checks that every value is one of an enum's (valid), naming
// field and the accepted values otherwise.
func enumList[T ~string](field string, values []string, valid func(T) error, accepted []string, verr *ValidationError) []T {
	if !CheckListSize(verr, field, len(values), MaxListValues) {
		return nil
	}
	var out []T
	for _, v := range values {
		if valid(T(v)) != nil {
			verr.Add(field, "Unknown %s %q; use %s.", field, v, orList(accepted))
			continue
		}
		out = append(out, T(v))
	}
	return out
}

// idParam reads an optional id filter.
func idParam(field, label, v string, verr *ValidationError) *uuid.UUID {
	if v == "" {
		return nil
	}
	id, err := uuid.Parse(v)
	if err != nil {
		verr.Add(field, "%s must be %s id.", strings.ToUpper(field[:1])+field[1:], label)
		return nil
	}
	return &id
}

// orList words values as "a, b or c".
func orList(values []string) string {
	if len(values) < 2 {
		return strings.Join(values, "")
	}
	return strings.Join(values[:len(values)-1], ", ") + " or " + values[len(values)-1]
}

// validationOf continues the field errors of err (nil or a
// *ValidationError, as pageArgs returns).
func validationOf(err error) *ValidationError {
	if verr, ok := err.(*ValidationError); ok {
		return verr
	}
	return &ValidationError{}
}

// rfc3339 reads an optional time filter.
func rfc3339(field, v string, verr *ValidationError) *time.Time {
	if v == "" {
		return nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		verr.Add(field, "The %s parameter must be an RFC 3339 date-time, e.g. 2026-01-31T00:00:00Z.", field)
		return nil
	}
	t = t.UTC() // stamps are stored in UTC (compared as text on SQLite)
	return &t
}
