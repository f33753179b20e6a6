package jsonwire

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"
)

// Encode must write exactly what Marshal writes, for everything Marshal
// changes on the way: HTML characters, U+2028/9, invalid UTF-8, map key
// order, Marshalers; and reused buffers must not carry one value's bytes
// into the next.
func TestEncodeMatchesMarshal(t *testing.T) {
	t.Parallel()
	type inner struct {
		Name string            `json:"name"`
		Tags map[string]string `json:"tags"`
	}
	values := []any{
		map[string]any{"z": 1, "a": "<script>&</script>", "m": "line\u2028sep\u2029", "bad": "a\xffb\xc3"},
		[]inner{{Name: "long " + string(bytes.Repeat([]byte("x"), 70_000)), Tags: map[string]string{"b": "2", "a": "1"}}},
		struct {
			At  time.Time       `json:"at"`
			Raw json.RawMessage `json:"raw"`
			Nil []int           `json:"nil"`
		}{At: time.Date(2026, 12, 1, 10, 0, 0, 5, time.UTC), Raw: json.RawMessage(`{"k":"<v>"}`)},
		"short",
	}
	for round := 0; round < 3; round++ {
		for i, v := range values {
			want, err := Marshal(v)
			if err != nil {
				t.Fatal(err)
			}
			e, err := Encode(v)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(e.Bytes(), want) {
				t.Fatalf("round %d value %d:\nEncode  %.200s\nMarshal %.200s", round, i, e.Bytes(), want)
			}
			e.Free()
		}
	}
	if _, err := Encode(map[string]any{"f": func() {}}); err == nil {
		t.Fatal("a func encoded without an error")
	}
}
