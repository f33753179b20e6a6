package jsonwire

import (
	"sync"

	"github.com/bytedance/sonic/encoder"
)

// Encoded is a value encoded as Marshal encodes it, in buffers that are
// used again: an answer is encoded, written and forgotten, and Marshal's
// copy of it out of sonic's buffer was an eighth of the bytes a list
// request allocated.
type Encoded struct{ raw, out []byte }

// rawOpts are api's options but EscapeHTML, which Encode applies itself
// into a buffer of its own (sonic's EncodeInto escapes into a new one).
const rawOpts = encoder.SortMapKeys | encoder.ValidateString | encoder.NoValidateJSONMarshaler | encoder.NoEncoderNewline

// maxKept is the largest buffer given back for reuse; a rare huge answer
// is left to the collector rather than held by the pool.
const maxKept = 1 << 20

var encodedPool = sync.Pool{New: func() any { return new(Encoded) }}

// Encode encodes v. Its Bytes are valid until Free.
func Encode(v any) (*Encoded, error) {
	e := encodedPool.Get().(*Encoded)
	e.raw = e.raw[:0]
	if err := encoder.EncodeInto(&e.raw, v, rawOpts); err != nil {
		e.Free()
		return nil, err
	}
	e.out = encoder.HTMLEscape(e.out[:0], e.raw)
	return e, nil
}

// Bytes is the encoding.
func (e *Encoded) Bytes() []byte { return e.out }

// Free gives the buffers back; Bytes must not be used after.
func (e *Encoded) Free() {
	if cap(e.raw) > maxKept || cap(e.out) > maxKept {
		return
	}
	encodedPool.Put(e)
}
