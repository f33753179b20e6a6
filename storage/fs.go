package storage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// FS stores objects as files under a root directory: data in
// <root>/<key>, the content type beside it in <root>/<key>.meta. Writes go
// to a temporary file that is renamed into place, so a reader never sees a
// half-written object.
type FS struct{ root string }

const metaSuffix = ".meta"

// NewFS stores under root, creating it.
func NewFS(root string) (*FS, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(abs, 0o750); err != nil {
		return nil, fmt.Errorf("create storage dir: %w", err)
	}
	return &FS{root: abs}, nil
}

func (f *FS) path(key string) (string, error) {
	if err := CheckKey(key); err != nil || strings.HasSuffix(key, metaSuffix) {
		return "", ErrInvalidKey
	}
	p := filepath.Join(f.root, filepath.FromSlash(key))
	if !strings.HasPrefix(p, f.root+string(filepath.Separator)) {
		return "", ErrInvalidKey
	}
	return p, nil
}

type fsMeta struct {
	ContentType string `json:"content_type"`
}

// Put implements Store.
func (f *FS) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) (Info, error) {
	p, err := f.path(key)
	if err != nil {
		return Info{}, err
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
		return Info{}, fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(p), ".upload-*")
	if err != nil {
		return Info{}, fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	defer os.Remove(tmp.Name()) // no-op once renamed
	n, err := io.Copy(tmp, readerWithContext{ctx, r})
	if err == nil && size >= 0 && n != size {
		err = fmt.Errorf("wrote %d bytes, expected %d", n, size)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return Info{}, err
	}
	meta, _ := json.Marshal(fsMeta{ContentType: contentType})
	if err := writeAtomic(p+metaSuffix, meta); err != nil {
		return Info{}, err
	}
	if err := os.Rename(tmp.Name(), p); err != nil {
		os.Remove(p + metaSuffix)
		return Info{}, err
	}
	return f.Stat(ctx, key)
}

func writeAtomic(p string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(p), ".meta-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), p)
}

// readerWithContext stops a copy when ctx ends.
type readerWithContext struct {
	ctx context.Context
	r   io.Reader
}

func (r readerWithContext) Read(p []byte) (int, error) {
	if err := r.ctx.Err(); err != nil {
		return 0, err
	}
	return r.r.Read(p)
}

// Get implements Store.
func (f *FS) Get(ctx context.Context, key string) (Object, Info, error) {
	info, err := f.Stat(ctx, key)
	if err != nil {
		return nil, Info{}, err
	}
	p, _ := f.path(key)
	file, err := os.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, Info{}, ErrNotFound
	}
	if err != nil {
		return nil, Info{}, fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	return file, info, nil
}

// Stat implements Store.
func (f *FS) Stat(_ context.Context, key string) (Info, error) {
	p, err := f.path(key)
	if err != nil {
		return Info{}, err
	}
	st, err := os.Stat(p)
	if errors.Is(err, fs.ErrNotExist) {
		return Info{}, ErrNotFound
	}
	if err != nil {
		return Info{}, fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	info := Info{Key: key, Size: st.Size(), ModTime: st.ModTime()}
	if raw, err := os.ReadFile(p + metaSuffix); err == nil {
		var m fsMeta
		if json.Unmarshal(raw, &m) == nil {
			info.ContentType = m.ContentType
		}
	}
	return info, nil
}

// Delete implements Store.
func (f *FS) Delete(_ context.Context, key string) error {
	p, err := f.path(key)
	if err != nil {
		return err
	}
	for _, name := range []string{p, p + metaSuffix} {
		if err := os.Remove(name); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("%w: %v", ErrUnavailable, err)
		}
	}
	return nil
}

// PresignGet implements Store: files on disk have no URL of their own.
func (f *FS) PresignGet(context.Context, string, time.Duration, string) (string, error) {
	return "", ErrUnsupported
}

// List implements Store.
func (f *FS) List(ctx context.Context, prefix string, fn func(Info) error) error {
	return filepath.WalkDir(f.root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		name := d.Name()
		if d.IsDir() || strings.HasSuffix(name, metaSuffix) || strings.HasPrefix(name, ".upload-") || strings.HasPrefix(name, ".meta-") {
			return nil
		}
		rel, _ := filepath.Rel(f.root, p)
		key := filepath.ToSlash(rel)
		if !strings.HasPrefix(key, prefix) {
			return nil
		}
		info, err := f.Stat(ctx, key)
		if err != nil {
			return err
		}
		return fn(info)
	})
}

// Health implements Store.
func (f *FS) Health(context.Context) error {
	if _, err := os.Stat(f.root); err != nil {
		return fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	return nil
}
