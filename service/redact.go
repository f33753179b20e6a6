package service

import (
	"bytes"
	"encoding/json"

	"github.com/cienerp/cienerp/policy"
)

// Redact removes from JSON what v may not see of the objects in it, by
// field rules: every object ({"object": "customer", …}) anywhere in data
// loses its hidden fields, an event's previous_attributes too, and an
// audit entry's before and after those of its entity. It returns data
// unchanged (and allocates nothing) when v may see every field.
//
// Only an answer that names an object type with hidden fields (as a JSON
// string: "customer") is decoded; a list of tickets goes out as encoded.
func Redact(v *policy.Viewer, data []byte) ([]byte, error) {
	if !v.HidesAny() || !mentionsHidden(v, data) {
		return data, nil
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return nil, err
	}
	redact(v, doc)
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(out.Bytes(), []byte("\n")), nil
}

// mentionsHidden reports whether data names, as a JSON string, an object
// type of which v may not see some fields.
func mentionsHidden(v *policy.Viewer, data []byte) bool {
	for _, t := range policy.GroupedTypes() {
		if v.Hidden(t) != nil && bytes.Contains(data, []byte(`"`+t+`"`)) {
			return true
		}
	}
	return false
}

func redact(v *policy.Viewer, x any) {
	switch x := x.(type) {
	case []any:
		for _, e := range x {
			redact(v, e)
		}
	case map[string]any:
		for _, e := range x {
			redact(v, e)
		}
		t, _ := x["object"].(string)
		strip(v, t, x)
		switch t {
		case "event":
			if data, ok := x["data"].(map[string]any); ok {
				if obj, ok := data["object"].(map[string]any); ok {
					ot, _ := obj["object"].(string)
					prev, _ := data["previous_attributes"].(map[string]any)
					strip(v, ot, prev)
				}
			}
		case "audit_event":
			et, _ := x["entity_type"].(string)
			for _, k := range []string{"before", "after"} {
				m, _ := x[k].(map[string]any)
				strip(v, et, m)
			}
		}
	}
}

func strip(v *policy.Viewer, objectType string, m map[string]any) {
	if m == nil {
		return
	}
	for f := range v.Hidden(objectType) {
		delete(m, f)
	}
}
