package service

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"mime"
	"net/http"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/cienerp/cienerp/ent"
	"github.com/cienerp/cienerp/ent/document"
	"github.com/cienerp/cienerp/ent/schema"
	"github.com/cienerp/cienerp/modules/documents"
	"github.com/cienerp/cienerp/policy"
	"github.com/cienerp/cienerp/storage"
)

// DocumentLimits bound uploads.
type DocumentLimits struct {
	MaxBytes     int64
	AllowedTypes []string // sniffed media types, e.g. application/pdf
}

// DefaultAllowedTypes are what the sniffer can tell apart and an ERP
// receives: PDFs, images, plain text and CSV, and zip containers (which is
// what .docx/.xlsx are).
var DefaultAllowedTypes = []string{"application/pdf", "image/png", "image/jpeg", "image/gif", "image/webp", "text/plain", "application/zip"}

// TooLargeError: the upload passed the size limit.
type TooLargeError struct{ Limit int64 }

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("The file is larger than the limit of %s.", humanBytes(e.Limit))
}

// UnsupportedTypeError: the sniffed type is not allowed.
type UnsupportedTypeError struct {
	Type    string
	Allowed []string
}

func (e *UnsupportedTypeError) Error() string {
	return fmt.Sprintf("Files of type %s are not accepted; allowed: %s.", e.Type, strings.Join(e.Allowed, ", "))
}

func humanBytes(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}

// DocumentMeta is what a client says about a document.
type DocumentMeta struct {
	Title    string
	Category string
	Tags     []string
	Metadata MetadataInput // an integration's key-value strings
}

// Upload is a file stored but not yet recorded. Finish records it; Abort
// removes it. Exactly one of them must be called.
type Upload struct {
	s           *Service
	id          uuid.UUID
	key         string
	filename    string
	contentType string
	size        int64
	sha256      string
}

// DocumentKey is where a document's bytes live.
func DocumentKey(tenant uuid.UUID, env policy.Env, id uuid.UUID) string {
	return fmt.Sprintf("tenants/%s/%s/documents/%s", tenant, env, id)
}

// limitedReader counts, hashes and stops past the limit.
type limitedReader struct {
	r        io.Reader
	n, limit int64
	over     bool
	hash     hash.Hash
	readErr  error
}

func (l *limitedReader) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	l.n += int64(n)
	if l.n > l.limit {
		l.over = true
		return 0, fmt.Errorf("upload passed %d bytes", l.limit)
	}
	l.hash.Write(p[:n])
	if err != nil && err != io.EOF {
		l.readErr = err
	}
	return n, err
}

// BeginUpload streams a file to storage: the type is sniffed from the
// first bytes (never taken from the client), the size is limited, and the
// SHA-256 is computed on the way. Nothing is kept on failure.
func (s *Service) BeginUpload(ctx context.Context, filename string, r io.Reader) (*Upload, error) {
	if err := policy.Require(ctx, documents.Upload); err != nil {
		return nil, err
	}
	v := policy.FromContext(ctx)
	name := safeFilename(filename)
	if name == "" {
		return nil, Invalid("file", "The file must have a name.")
	}
	head := make([]byte, 512)
	n, err := io.ReadFull(r, head)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return nil, Invalid("file", "The file could not be read.")
	}
	head = head[:n]
	if n == 0 {
		return nil, Invalid("file", "The file is empty.")
	}
	ctype, _, _ := mime.ParseMediaType(http.DetectContentType(head))
	if !slices.Contains(s.Limits.AllowedTypes, ctype) {
		return nil, &UnsupportedTypeError{Type: ctype, Allowed: s.Limits.AllowedTypes}
	}
	h := sha256.New()
	lr := &limitedReader{r: io.MultiReader(bytes.NewReader(head), r), limit: s.Limits.MaxBytes, hash: h}
	id := uuid.Must(uuid.NewV7())
	key := DocumentKey(v.TenantID, v.Env, id)
	info, err := s.Store.Put(ctx, key, lr, -1, ctype)
	switch {
	case lr.over:
		_ = s.Store.Delete(context.WithoutCancel(ctx), key)
		return nil, &TooLargeError{Limit: s.Limits.MaxBytes}
	case lr.readErr != nil:
		_ = s.Store.Delete(context.WithoutCancel(ctx), key)
		return nil, Invalid("file", "The upload was interrupted before the file was complete.")
	case err != nil:
		return nil, err
	}
	return &Upload{s: s, id: id, key: key, filename: name, contentType: ctype, size: info.Size, sha256: hex.EncodeToString(h.Sum(nil))}, nil
}

// Abort removes the stored file.
func (u *Upload) Abort(ctx context.Context) {
	_ = u.s.Store.Delete(context.WithoutCancel(ctx), u.key)
}

// checkMeta checks what a client says about a document; the metadata it
// returns is what to store.
func checkMeta(m DocumentMeta, verr *ValidationError) map[string]string {
	checkText(verr, "title", strings.TrimSpace(m.Title), schema.MaxTitle)
	checkText(verr, "category", m.Category, schema.MaxCategory)
	if len(m.Tags) > schema.MaxTags {
		verr.Add("tags", "At most %d tags.", schema.MaxTags)
	}
	for _, t := range m.Tags {
		if t == "" || schema.CheckText(t, schema.MaxTag) != nil {
			verr.Add("tags", "Tags must be 1 to %d characters, without NUL.", schema.MaxTag)
			break
		}
	}
	return mergeMetadata(nil, m.Metadata, verr)
}

// UploadDocument stores a file whose metadata comes before it (GraphQL):
// the metadata is checked before a byte is stored.
func (s *Service) UploadDocument(ctx context.Context, filename string, r io.Reader, meta DocumentMeta) (*ent.Document, error) {
	verr := &ValidationError{}
	checkMeta(meta, verr)
	if err := verr.OrNil(); err != nil {
		return nil, err
	}
	up, err := s.BeginUpload(ctx, filename, r)
	if err != nil {
		return nil, err
	}
	return up.Finish(ctx, meta)
}

// Finish records the stored file as a pending document. On any failure
// the file is removed: no object without its row.
func (u *Upload) Finish(ctx context.Context, meta DocumentMeta) (*ent.Document, error) {
	meta.Title = strings.TrimSpace(meta.Title)
	if meta.Title == "" {
		meta.Title = u.filename
	}
	verr := &ValidationError{}
	md := checkMeta(meta, verr)
	if err := verr.OrNil(); err != nil {
		u.Abort(ctx)
		return nil, err
	}
	var d *ent.Document
	err := u.s.inTx(ctx, func(tx *ent.Tx) error {
		var err error
		d, err = tx.Document.Create().SetID(u.id).SetTitle(meta.Title).SetFilename(u.filename).
			SetContentType(u.contentType).SetSize(u.size).SetSha256(u.sha256).SetObjectKey(u.key).
			SetCategory(strings.TrimSpace(meta.Category)).SetTags(cleanTags(meta.Tags)).
			SetUploadedBy(policy.FromContext(ctx).Subject).SetMetadata(md).Save(ctx)
		if err != nil {
			return err
		}
		if err := record(ctx, tx, documents.Uploaded, "document", d.ID.String(), nil, d); err != nil {
			return err
		}
		return u.s.emit(ctx, tx, change{Type: documents.Uploaded, ObjectID: d.ID.String(), Object: DocumentObject(d)})
	})
	if err != nil {
		u.Abort(ctx)
		return nil, err
	}
	return d, nil
}

func cleanTags(tags []string) []string {
	out := []string{}
	for _, t := range tags {
		if t = strings.TrimSpace(t); t != "" && !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}

// safeFilename keeps the base name, without path parts or control
// characters.
func safeFilename(name string) string {
	name = path.Base(strings.ReplaceAll(name, "\\", "/"))
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == '"' {
			return -1
		}
		return r
	}, name)
	if name == "." || name == "/" {
		return ""
	}
	if len(name) > 255 {
		name = name[len(name)-255:]
	}
	return strings.TrimSpace(name)
}

// GetDocument reads one document.
func (s *Service) GetDocument(ctx context.Context, id uuid.UUID) (*ent.Document, error) {
	d, err := s.Client.Document.Get(ctx, id)
	if ent.IsNotFound(err) {
		return nil, &NotFoundError{Entity: "document"}
	}
	return d, err
}

// UpdateDocumentInput edits metadata; absent fields stay.
type UpdateDocumentInput struct {
	Title    Opt[string]   `json:"title"`
	Category Opt[string]   `json:"category"`
	Tags     Opt[[]string] `json:"tags"`
	// Metadata is merged into the document's; a null value deletes a key.
	Metadata MetadataInput `json:"metadata"`
}

// UpdateDocument edits title, category and tags.
func (s *Service) UpdateDocument(ctx context.Context, id uuid.UUID, in UpdateDocumentInput) (*ent.Document, error) {
	verr := &ValidationError{}
	if in.Title.Set && (in.Title.Null || strings.TrimSpace(in.Title.V) == "") {
		verr.Add("title", "Title cannot be empty.")
	}
	checkMeta(DocumentMeta{Title: in.Title.V, Category: in.Category.V, Tags: in.Tags.V}, verr)
	if err := verr.OrNil(); err != nil {
		return nil, err
	}
	var out *ent.Document
	err := s.inTx(ctx, func(tx *ent.Tx) error {
		d, err := s.lockDocument(ctx, tx, id)
		if err != nil {
			return err
		}
		u := tx.Document.UpdateOne(d)
		if in.Title.Set {
			u.SetTitle(strings.TrimSpace(in.Title.V))
		}
		if in.Category.Set {
			u.SetCategory(strings.TrimSpace(in.Category.V))
		}
		if in.Tags.Set {
			u.SetTags(cleanTags(in.Tags.V))
		}
		setMetadata(u.Mutation(), d.Metadata, in.Metadata, verr)
		if err := verr.OrNil(); err != nil {
			return err
		}
		if out, err = u.Save(ctx); err != nil {
			return err
		}
		if err := record(ctx, tx, documents.Updated, "document", d.ID.String(), d, out); err != nil {
			return err
		}
		return s.emit(ctx, tx, change{Type: documents.Updated, ObjectID: d.ID.String(), Object: DocumentObject(out), Before: DocumentObject(d)})
	})
	return out, err
}

// ReviewDocument verifies (reject false) or rejects a pending document.
// A rejection needs a reason.
func (s *Service) ReviewDocument(ctx context.Context, id uuid.UUID, reject bool, note string) (*ent.Document, error) {
	note = strings.TrimSpace(note)
	if reject && note == "" {
		return nil, Invalid("reason", "A reason is required to reject a document.")
	}
	verr := &ValidationError{}
	checkText(verr, map[bool]string{true: "reason", false: "note"}[reject], note, schema.MaxReviewNote)
	if err := verr.OrNil(); err != nil {
		return nil, err
	}
	var out *ent.Document
	err := s.inTx(ctx, func(tx *ent.Tx) error {
		d, err := s.lockDocument(ctx, tx, id)
		if err != nil {
			return err
		}
		if d.Status != document.StatusPending {
			return Invalid("status", "Only a pending document can be verified or rejected; this one is %s.", d.Status)
		}
		status, what := document.StatusVerified, documents.Verified
		if reject {
			status, what = document.StatusRejected, documents.Rejected
		}
		out, err = tx.Document.UpdateOne(d).SetStatus(status).SetReviewedBy(policy.FromContext(ctx).Subject).
			SetReviewedAt(schema.Now()).SetReviewNote(note).Save(ctx)
		if err != nil {
			return err
		}
		if err := record(ctx, tx, what, "document", d.ID.String(), d, out); err != nil {
			return err
		}
		return s.emit(ctx, tx, change{Type: what, ObjectID: d.ID.String(), Object: DocumentObject(out), Before: DocumentObject(d)})
	})
	return out, err
}

// DeleteDocument removes the row and the object, both or neither: the row
// is deleted in a transaction that commits only once the object is gone,
// and a retry after a half-failure finds the object already missing.
func (s *Service) DeleteDocument(ctx context.Context, id uuid.UUID) error {
	return s.inTx(ctx, func(tx *ent.Tx) error {
		d, err := s.lockDocument(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := tx.Document.DeleteOne(d).Exec(ctx); err != nil {
			return err
		}
		if err := record(ctx, tx, documents.Deleted, "document", d.ID.String(), d, nil); err != nil {
			return err
		}
		if err := s.emit(ctx, tx, change{Type: documents.Deleted, ObjectID: d.ID.String(), Object: DocumentObject(d)}); err != nil {
			return err
		}
		return s.Store.Delete(ctx, d.ObjectKey)
	})
}

// lockDocument reads a document for a change.
func (s *Service) lockDocument(ctx context.Context, tx *ent.Tx, id uuid.UUID) (*ent.Document, error) {
	return lockRow(s, ctx, tx.Document.Query().Where(document.ID(id)), "document", DocumentObject)
}

// OpenDocument opens a document's bytes for download.
func (s *Service) OpenDocument(ctx context.Context, id uuid.UUID) (*ent.Document, storage.Object, error) {
	d, err := s.GetDocument(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	obj, _, err := s.Store.Get(ctx, d.ObjectKey)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, nil, &NotFoundError{Entity: "document file"}
	}
	return d, obj, err
}

// PresignDocument returns a short-lived direct download URL, or
// storage.ErrUnsupported when the store has none.
func (s *Service) PresignDocument(ctx context.Context, id uuid.UUID, ttl time.Duration) (string, error) {
	d, err := s.GetDocument(ctx, id)
	if err != nil {
		return "", err
	}
	return s.Store.PresignGet(ctx, d.ObjectKey, ttl, d.Filename)
}

type DocumentJSON struct {
	ID          string            `json:"id"`
	Object      string            `json:"object"`
	Title       string            `json:"title"`
	Filename    string            `json:"filename"`
	ContentType string            `json:"content_type"`
	Size        int64             `json:"size"`
	SHA256      string            `json:"sha256"`
	Category    string            `json:"category"`
	Tags        []string          `json:"tags"`
	Status      string            `json:"status"`
	UploadedBy  string            `json:"uploaded_by"`
	ReviewedBy  *string           `json:"reviewed_by"`
	ReviewedAt  *time.Time        `json:"reviewed_at"`
	ReviewNote  string            `json:"review_note"`
	Environment string            `json:"environment"`
	CreatedAt   time.Time         `json:"created_at"`
	UpdatedAt   time.Time         `json:"updated_at"`
	Metadata    map[string]string `json:"metadata"`
}

func DocumentObject(d *ent.Document) DocumentJSON {
	tags := d.Tags
	if tags == nil {
		tags = []string{}
	}
	return DocumentJSON{
		ID: d.ID.String(), Object: "document", Title: d.Title, Filename: d.Filename, ContentType: d.ContentType,
		Size: d.Size, SHA256: d.Sha256, Category: d.Category, Tags: tags, Status: string(d.Status),
		UploadedBy: d.UploadedBy, ReviewedBy: d.ReviewedBy, ReviewedAt: d.ReviewedAt, ReviewNote: d.ReviewNote,
		Environment: string(d.Env), CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt, Metadata: MetadataView(d.Metadata),
	}
}
