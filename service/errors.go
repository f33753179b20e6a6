package service

import (
	"errors"
	"fmt"
	"sort"
)

// ValidationError maps input fields (JSON names, dotted for nesting) to
// messages. Transports render it as 422.
type ValidationError struct {
	Fields map[string][]string
}

// Add records a message for field.
func (e *ValidationError) Add(field, format string, a ...any) {
	if e.Fields == nil {
		e.Fields = map[string][]string{}
	}
	e.Fields[field] = append(e.Fields[field], fmt.Sprintf(format, a...))
}

// OrNil returns e when it holds messages, else nil.
func (e *ValidationError) OrNil() error {
	if len(e.Fields) == 0 {
		return nil
	}
	return e
}

func (e *ValidationError) Error() string {
	keys := make([]string, 0, len(e.Fields))
	for k := range e.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return fmt.Sprintf("invalid input: %v", keys)
}

// Invalid is a one-field ValidationError.
func Invalid(field, format string, a ...any) error {
	e := &ValidationError{}
	e.Add(field, format, a...)
	return e
}

// NotFoundError says which kind of thing was not found. Rows of another
// tenant or environment are not found either.
type NotFoundError struct{ Entity string }

func (e *NotFoundError) Error() string { return e.Entity + " not found" }

// ErrConflict is returned when a write lost a race it cannot retry.
var ErrConflict = errors.New("conflicting concurrent change")

// NULMessage is the message for a text holding a NUL character, which no
// field may (PostgreSQL cannot store it; SQLite matches it oddly).
func NULMessage(field string) string {
	return fmt.Sprintf("The %s must not contain NUL characters (\\u0000).", field)
}
