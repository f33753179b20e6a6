// Package scalar holds the Go side of GraphQL scalars that gqlgen binds to
// types of ours.
package scalar

import (
	"fmt"

	"github.com/99designs/gqlgen/graphql"

	"github.com/cienerp/cienerp/service"
)

// The JSON scalar carries metadata: an object whose values are strings,
// or null where an update deletes a key (service.MetadataInput).

// MarshalMetadata writes metadata (null for a deleted key).
func MarshalMetadata(m service.MetadataInput) graphql.Marshaler {
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

// UnmarshalMetadata reads an object whose values are strings or null.
func UnmarshalMetadata(v any) (service.MetadataInput, error) {
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
