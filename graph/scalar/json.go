// Package scalar holds the Go side of GraphQL scalars that gqlgen binds to
// types of ours.
package scalar

import (
	"fmt"

	"github.com/99designs/gqlgen/graphql"

	"github.com/cienerp/cienerp/service"
)

// The JSON scalar carries metadata: an object of string values. Read, it
// is map[string]string (Metadata); written, a null value deletes its key
// (MetadataPatch, service.MetadataInput). gqlgen picks by the Go type a
// field is bound to.

// MarshalMetadata writes an object's metadata ({} when it has none).
func MarshalMetadata(m map[string]string) graphql.Marshaler {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return graphql.MarshalMap(out)
}

// UnmarshalMetadata reads an object of strings (a filter, for instance).
func UnmarshalMetadata(v any) (map[string]string, error) {
	patch, err := UnmarshalMetadataPatch(v)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(patch))
	for k, val := range patch {
		if val == nil {
			return nil, fmt.Errorf("metadata values must be strings; %q is null", k)
		}
		out[k] = *val
	}
	return out, nil
}

// MarshalMetadataPatch writes a patch back (null for a deleted key).
func MarshalMetadataPatch(m service.MetadataInput) graphql.Marshaler {
	out := make(map[string]any, len(m))
	for k, v := range m {
		if v == nil {
			out[k] = nil
		} else {
			out[k] = *v
		}
	}
	return graphql.MarshalMap(out)
}

// UnmarshalMetadataPatch reads an object whose values are strings or null.
func UnmarshalMetadataPatch(v any) (service.MetadataInput, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("metadata must be an object of string values, not %T", v)
	}
	out := make(service.MetadataInput, len(m))
	for k, val := range m {
		switch val := val.(type) {
		case nil:
			out[k] = nil
		case string:
			out[k] = &val
		default:
			return nil, fmt.Errorf("metadata values must be strings (or null to delete a key); %q is %T", k, val)
		}
	}
	return out, nil
}
