package jsoncheck

import (
	"strings"
	"testing"
)

func TestScan(t *testing.T) {
	t.Parallel()
	deep := strings.Repeat("[", MaxDepth+1) + strings.Repeat("]", MaxDepth+1)
	legal := strings.Repeat("[", MaxDepth) + strings.Repeat("]", MaxDepth)
	for _, tc := range []struct {
		body, path string
		deep, ok   bool
	}{
		{body: `{"title":"ok","items":[{"d":"x"}]}`, ok: true},
		{body: `{"title":"a\u0000b"}`, path: "title"},
		{body: `{"items":[{"d":"x"},{"d":"\u0000"}]}`, path: "items.1.d"},
		{body: `{"a":{"b":[1,2,"\u0000"]}}`, path: "a.b.2"},
		{body: `{"k\u0000":1}`, path: `k\u0000`},
		{body: `"\u0000"`, path: ""},
		{body: `{"variables":{"input":{"title":"\u0000"}},"query":"q"}`, path: "variables.input.title"},
		{body: `{"a":"\\u0000"}`, ok: true}, // an escaped backslash, not a NUL
		{body: legal, ok: true},
		{body: deep, deep: true},
		{body: `{"a":` + deep + `}`, deep: true},
		{body: `{not json`, ok: true}, // left to the decoder
	} {
		p := Scan([]byte(tc.body))
		switch {
		case tc.ok && p != nil:
			t.Errorf("%.40s: unexpected %v", tc.body, p)
		case tc.ok:
		case p == nil:
			t.Errorf("%.40s: no problem found", tc.body)
		case p.TooDeep != tc.deep || (!tc.deep && p.Path != tc.path):
			t.Errorf("%.40s: got %+v, want path %q deep %v", tc.body, p, tc.path, tc.deep)
		}
	}
}

func TestCanonical(t *testing.T) {
	t.Parallel()
	a, ok1 := Canonical([]byte(`{"b":1,"a":{"y":[1,2],"x":"é"}}`))
	b, ok2 := Canonical([]byte("{ \"a\" : {\"x\":\"\\u00e9\", \"y\":[1, 2]},\n \"b\":1 }"))
	if !ok1 || !ok2 || string(a) != string(b) {
		t.Fatalf("same parameters differ: %s / %s", a, b)
	}
	c, _ := Canonical([]byte(`{"b":2,"a":{"y":[1,2],"x":"é"}}`))
	if string(a) == string(c) {
		t.Fatal("different parameters compare equal")
	}
	if _, ok := Canonical([]byte(`{"a":1} {"a":2}`)); ok {
		t.Fatal("two values accepted as one")
	}
}
