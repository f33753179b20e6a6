package service

import "github.com/cienerp/cienerp/ent/schema"

// Limits on what a client can make one query grow by, so that no input
// reaches a database's own limits (SQLite refuses an expression tree
// deeper than 1000) or grows work without bound: each is a 422 naming the
// parameter, the same on both databases and both transports. The README
// lists them under "Base URLs and conventions".
const (
	// MaxListValues bounds a list a client hands one parameter: the values
	// of a filter (status=a,b; type=…), expand and fields names, the event
	// types of a subscription or webhook endpoint.
	MaxListValues = 100
	// MaxMetadataFilter bounds the metadata[key]=value terms of one filter:
	// an object holds no more keys than this, so a longer filter matches nothing.
	MaxMetadataFilter = schema.MaxMetadataKeys
	// MaxWhereTerms bounds a GraphQL where input: the values it compares
	// (each field, each element of an In list, each metadata key), summed
	// over its and, or, not and has…With branches.
	MaxWhereTerms = 100
	// MaxWhereDepth bounds how deep a where input nests objects (and, or,
	// not, has…With, metadata).
	MaxWhereDepth = 8
)

// CheckListSize adds field's error when a client's list is longer than
// max; callers then skip the list rather than judge each value.
func CheckListSize(verr *ValidationError, field string, n, max int) bool {
	if n > max {
		verr.Add(field, "%s takes at most %d values; this request has %d.", field, max, n)
		return false
	}
	return true
}
