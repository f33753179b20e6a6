// Package jsonwire encodes the JSON the server sends: encoding/json's
// output (HTML escaped, map keys sorted, invalid UTF-8 replaced), produced
// by sonic, which the profile of a list request showed spending a fifth of
// its CPU in encoding/json. Decoding stays with encoding/json, whose
// errors the field-by-field binder words for clients.
package jsonwire

import (
	stdjson "encoding/json"
	"io"

	"github.com/bytedance/sonic"
	ginjson "github.com/gin-gonic/gin/codec/json"
)

// api matches encoding/json's output; the JSON of our own Marshalers
// (times, raw GraphQL data) is trusted rather than validated again.
var api = sonic.Config{EscapeHTML: true, SortMapKeys: true, ValidateString: true, NoValidateJSONMarshaler: true, NoEncoderNewline: true}.Froze()

// Marshal encodes v into bytes the caller keeps (an event, a stored
// view); an answer that is written and dropped is encoded with Encode.
func Marshal(v any) ([]byte, error) { return api.Marshal(v) }

// Codec is gin's JSON codec with Marshal from here (c.JSON and the like).
type Codec struct{}

var _ ginjson.Core = Codec{}

func (Codec) Marshal(v any) ([]byte, error) { return api.Marshal(v) }

func (Codec) Unmarshal(data []byte, v any) error { return stdjson.Unmarshal(data, v) }

func (Codec) MarshalIndent(v any, prefix, indent string) ([]byte, error) {
	return stdjson.MarshalIndent(v, prefix, indent)
}

func (Codec) NewEncoder(w io.Writer) ginjson.Encoder { return stdjson.NewEncoder(w) }

func (Codec) NewDecoder(r io.Reader) ginjson.Decoder { return stdjson.NewDecoder(r) }
