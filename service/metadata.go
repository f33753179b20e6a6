package service

import (
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"entgo.io/ent/dialect/sql"
	"entgo.io/ent/dialect/sql/sqljson"

	"github.com/cienerp/cienerp/ent/schema"
)

// Metadata: an integration's own key-value strings on a business object
// (an order number, a sync marker), as Stripe's metadata. Set on create,
// merged on update (a null value deletes its key), filterable by key.

// MetadataInput is metadata as a client writes it; a nil value deletes
// its key.
type MetadataInput map[string]*string

// metadataKey is what a key may hold: it is also the path of the filter,
// so nothing that JSON paths or SQL would read specially.
var metadataKey = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

// mergeMetadata applies in to cur and checks the result; nil when it is
// empty (the database's null).
func mergeMetadata(cur map[string]string, in MetadataInput, verr *ValidationError) map[string]string {
	out := maps.Clone(cur)
	if out == nil {
		out = map[string]string{}
	}
	for _, k := range slices.Sorted(maps.Keys(in)) {
		v := in[k]
		if msg := metadataKeyProblem(k); msg != "" {
			verr.Add("metadata", "%s", msg)
		}
		if v == nil {
			delete(out, k)
			continue
		}
		switch {
		case utf8.RuneCountInString(*v) > schema.MaxMetadataValue:
			verr.Add("metadata."+k, "Metadata values are at most %d characters.", schema.MaxMetadataValue)
		case strings.ContainsRune(*v, 0):
			verr.Add("metadata."+k, "%s", NULMessage("metadata values"))
		}
		out[k] = *v
	}
	if len(out) > schema.MaxMetadataKeys {
		verr.Add("metadata", "An object holds at most %d metadata keys; this would make %d. Delete some with null.", schema.MaxMetadataKeys, len(out))
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// metadataKeyProblem says what is wrong with a key ("" when nothing).
func metadataKeyProblem(k string) string {
	switch {
	case k == "":
		return "Metadata keys cannot be empty."
	case utf8.RuneCountInString(k) > schema.MaxMetadataKey:
		return "Metadata key \"" + k[:min(len(k), 60)] + "…\" is longer than " + strconv.Itoa(schema.MaxMetadataKey) + " characters."
	case !metadataKey.MatchString(k):
		return strconv.Quote(k) + " is not a metadata key: keys hold only letters, digits, _ and -."
	}
	return ""
}

// MetadataView is metadata as the API shows it: {} rather than null.
func MetadataView(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

// MetadataFilter is the predicate of metadata[key]=value filters (all
// must hold), for any entity with metadata; a malformed key is a field
// error of the filter.
func MetadataFilter[P ~func(*sql.Selector)](want map[string]string, verr *ValidationError) []P {
	if !CheckListSize(verr, "metadata", len(want), MaxMetadataFilter) {
		return nil
	}
	var out []P
	for _, k := range slices.Sorted(maps.Keys(want)) {
		if msg := metadataKeyProblem(k); msg != "" {
			verr.Add("metadata", "%s", msg)
			continue
		}
		key, value := k, want[k]
		out = append(out, P(func(s *sql.Selector) { s.Where(sqljson.ValueEQ(s.C("metadata"), value, sqljson.Path(key))) }))
	}
	return out
}

// setMetadata merges in into an object being updated (cur: its metadata
// now); nothing when the input has none.
func setMetadata(m interface {
	SetMetadata(map[string]string)
	ClearMetadata()
}, cur map[string]string, in MetadataInput, verr *ValidationError) {
	if in == nil {
		return
	}
	if merged := mergeMetadata(cur, in, verr); merged != nil {
		m.SetMetadata(merged)
	} else {
		m.ClearMetadata()
	}
}
