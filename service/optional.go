package service

import (
	"bytes"
	"encoding/json"
)

// Opt is a field of a partial update: absent (Set false), null (Null true)
// or a value.
type Opt[T any] struct {
	Set  bool
	Null bool
	V    T
}

// Some returns a set Opt.
func Some[T any](v T) Opt[T] { return Opt[T]{Set: true, V: v} }

// UnmarshalJSON is only called when the key is present.
func (o *Opt[T]) UnmarshalJSON(b []byte) error {
	o.Set = true
	if bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
		o.Null = true
		return nil
	}
	return json.Unmarshal(b, &o.V)
}

// Ptr is the value, or nil when absent or null (for ent's SetNillable…).
func (o Opt[T]) Ptr() *T {
	if !o.Set || o.Null {
		return nil
	}
	return &o.V
}
