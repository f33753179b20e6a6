// Package storage keeps document bytes behind one small interface, with an
// S3 driver (MinIO, AWS S3 and any S3-compatible store, through minio-go)
// and a local-disk driver (the no-configuration default). Drivers translate
// their own errors into this package's before anything else sees them.
package storage

import (
	"context"
	"errors"
	"io"
	"time"
)

var (
	// ErrNotFound: no object under that key.
	ErrNotFound = errors.New("storage: object not found")
	// ErrUnavailable: the store did not answer; nothing was written.
	ErrUnavailable = errors.New("storage: unavailable")
	// ErrInvalidKey: the key is empty, absolute, has "..", a backslash or NUL.
	ErrInvalidKey = errors.New("storage: invalid key")
	// ErrUnsupported: the driver cannot do that (presigned URLs on disk).
	ErrUnsupported = errors.New("storage: not supported by this driver")
)

// Info describes a stored object.
type Info struct {
	Key         string
	Size        int64
	ContentType string
	ModTime     time.Time
}

// Object is an open object: read it, seek in it (for Range requests),
// and close it. The caller closes it.
type Object interface {
	io.ReadSeekCloser
}

// Store is where document bytes live.
type Store interface {
	// Put streams r under key. size is the exact length, or -1 when
	// unknown; the reader is consumed to EOF or to its first error, and a
	// failed Put leaves no object behind.
	Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) (Info, error)
	// Get opens the object for reading; ErrNotFound when there is none.
	Get(ctx context.Context, key string) (Object, Info, error)
	// Stat describes the object; ErrNotFound when there is none.
	Stat(ctx context.Context, key string) (Info, error)
	// Delete removes the object; a missing object is not an error, so
	// deletes can be retried.
	Delete(ctx context.Context, key string) error
	// PresignGet returns a URL that downloads the object for ttl, as an
	// attachment named filename; ErrUnsupported on disk.
	PresignGet(ctx context.Context, key string, ttl time.Duration, filename string) (string, error)
	// List calls fn for every object whose key starts with prefix.
	List(ctx context.Context, prefix string, fn func(Info) error) error
	// Health reports whether the store answers.
	Health(ctx context.Context) error
}
