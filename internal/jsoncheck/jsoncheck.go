// Package jsoncheck looks at a JSON request body before anything decodes
// it: how deeply it nests and whether a string holds a NUL character
// (which PostgreSQL cannot store and SQLite compares oddly), and it gives
// the canonical form by which two bodies count as the same request.
package jsoncheck

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"strings"
)

// MaxDepth is how deeply objects and arrays may nest in a request body.
const MaxDepth = 64

// Problem is what Scan found: a nesting past the limit, or a NUL in the
// string (value or key) at Path ("items.0.description"; "" is the body).
type Problem struct {
	Path    string
	TooDeep bool
}

func (p *Problem) Error() string {
	if p.TooDeep {
		return "the body nests deeper than " + strconv.Itoa(MaxDepth) + " levels"
	}
	return "the " + p.Path + " field contains a NUL character"
}

// frame is one open object or array while scanning.
type frame struct {
	obj     bool
	wantKey bool
	key     string
	idx     int
}

// Scan reports the first problem in raw, or nil. Malformed JSON is not a
// problem here: the decoder that reads the body reports it in its words.
// It stops at the first level past MaxDepth, so a hostile nesting costs
// no more than a legal body.
func Scan(raw []byte) *Problem {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var stack []frame
	done := func() {
		if n := len(stack); n > 0 {
			if stack[n-1].obj {
				stack[n-1].wantKey = true
			} else {
				stack[n-1].idx++
			}
		}
	}
	for {
		tok, err := dec.Token()
		if err != nil {
			return nil // io.EOF, or malformed
		}
		switch t := tok.(type) {
		case json.Delim:
			if t == '{' || t == '[' {
				if len(stack) == MaxDepth {
					return &Problem{TooDeep: true}
				}
				stack = append(stack, frame{obj: t == '{', wantKey: t == '{'})
				continue
			}
			stack = stack[:len(stack)-1]
		case string:
			if n := len(stack); n > 0 && stack[n-1].obj && stack[n-1].wantKey {
				stack[n-1].key, stack[n-1].wantKey = t, false
				if strings.ContainsRune(t, 0) {
					return &Problem{Path: path(stack)}
				}
				continue
			}
			if strings.ContainsRune(t, 0) {
				return &Problem{Path: path(stack)}
			}
		}
		done()
	}
}

func path(stack []frame) string {
	parts := make([]string, len(stack))
	for i, f := range stack {
		if f.obj {
			parts[i] = strings.ReplaceAll(f.key, "\x00", `\u0000`)
		} else {
			parts[i] = strconv.Itoa(f.idx)
		}
	}
	return strings.Join(parts, ".")
}

// Canonical is raw with insignificant differences removed (white space,
// the order of object keys), so that the same parameters sent twice are
// recognised as the same request, as Stripe compares them. ok is false
// when raw is not one JSON value.
func Canonical(raw []byte) (out []byte, ok bool) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, false
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, false
	}
	out, err := json.Marshal(v) // maps marshal with sorted keys
	return out, err == nil
}
