package storage

import (
	"path"
	"strings"
)

// CheckKey refuses keys that could escape a root or mean two things:
// empty, absolute, with "." or ".." segments, backslashes, NUL, or empty
// segments.
func CheckKey(key string) error {
	if key == "" || strings.HasPrefix(key, "/") || strings.ContainsAny(key, "\\\x00") || len(key) > 1024 {
		return ErrInvalidKey
	}
	for _, seg := range strings.Split(key, "/") {
		if seg == "" || seg == "." || seg == ".." {
			return ErrInvalidKey
		}
	}
	if path.Clean(key) != key {
		return ErrInvalidKey
	}
	return nil
}
