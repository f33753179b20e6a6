package schema

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"entgo.io/ent"
)

// Length limits of the text fields people and integrations write, in
// characters. The schema enforces them (limited) and the API documents
// them (OpenAPI maxLength); service messages quote them.
const (
	MaxTitle       = 200   // ticket and document titles
	MaxName        = 200   // customer, tenant and user names
	MaxSlug        = 63    // tenant slugs and role names
	MaxDescription = 20000 // ticket descriptions and comment bodies
	MaxRoleDesc    = 500
	MaxKeyName     = 100
	MaxEmail       = 254
	MaxPhone       = 50
	MaxTaxID       = 50
	MaxAddress     = 1000
	MaxNotes       = 5000 // customer and invoice notes
	MaxCurrency    = 3
	MaxCategory    = 100
	MaxFilename    = 255
	MaxReviewNote  = 2000
	MaxReference   = 200 // payment references
	MaxRegister    = 100 // POS register names
	MaxIdemKey     = 255
	MaxTag         = 50 // each document tag
	MaxTags        = 20 // tags of one document
)

// TextError is why a text value was refused: too long, or holding a NUL
// character (PostgreSQL cannot store one; SQLite would store and match it
// oddly). ent wraps it in a ValidationError naming the field.
type TextError struct {
	Max int  // the limit in characters, when too long
	NUL bool // it holds a NUL character
}

func (e *TextError) Error() string {
	if e.NUL {
		return "value contains a NUL character"
	}
	return fmt.Sprintf("value is longer than %d characters", e.Max)
}

// CheckText is what is wrong with s as a text of at most max characters
// (not bytes: the same count as PostgreSQL's varchar(max)) without NUL,
// or nil.
func CheckText(s string, max int) *TextError {
	switch {
	case strings.IndexByte(s, 0) >= 0:
		return &TextError{NUL: true}
	case len(s) > max && utf8.RuneCountInString(s) > max:
		return &TextError{Max: max}
	}
	return nil
}

// Text is CheckText as an ent validator.
func Text(max int) func(string) error {
	return func(s string) error {
		if e := CheckText(s, max); e != nil {
			return e
		}
		return nil
	}
}

// limited caps a string field at max characters: the column is
// varchar(max) and the one validator is Text(max).
func limited(f ent.Field, max int) ent.Field {
	d := f.Descriptor()
	d.Size = max
	d.Validators = append(d.Validators, Text(max))
	return f
}

// texts validates every element of a list of strings like Text.
func texts(max int) func([]string) error {
	return func(list []string) error {
		for _, s := range list {
			if e := CheckText(s, max); e != nil {
				return e
			}
		}
		return nil
	}
}
