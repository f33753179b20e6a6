package graph

import "time"

// orEmpty is an optional string argument, "" when absent.
func orEmpty(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// rfc3339 is an optional time argument as the service reads one.
func rfc3339(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}
