package service

import (
	"context"
	"sort"
	"strings"
	"time"

	"entgo.io/ent/dialect/sql"
	"entgo.io/ent/dialect/sql/sqljson"
	"github.com/google/uuid"

	"github.com/cienerp/cienerp/ent"
	"github.com/cienerp/cienerp/ent/document"
	"github.com/cienerp/cienerp/ent/predicate"
	"github.com/cienerp/cienerp/ent/schema"
	"github.com/cienerp/cienerp/storage"
)

// DocumentFilter selects a page of documents, newest first.
type DocumentFilter struct {
	Statuses []string // pending, verified, rejected
	Category string
	Tag      string
	Uploader string // user:<id> or key:<id>
	Q        string
	Metadata map[string]string // metadata[key]=value, all must hold
	Limit    int
	Cursor   string
}

// ListDocuments returns one page in one query.
func (s *Service) ListDocuments(ctx context.Context, f DocumentFilter) (*Page[*ent.Document], error) {
	after, err := pageArgs(f.Limit, f.Cursor, "documents")
	verr := validationOf(err)
	statuses := enumList("status", f.Statuses, document.StatusValidator, schema.DocumentStatuses, verr)
	meta := MetadataFilter[predicate.Document](f.Metadata, verr)
	if err := verr.OrNil(); err != nil {
		return nil, err
	}
	q := s.Client.Document.Query().Where(meta...)
	if len(statuses) > 0 {
		q.Where(document.StatusIn(statuses...))
	}
	if f.Category != "" {
		q.Where(document.Category(f.Category))
	}
	if f.Uploader != "" {
		q.Where(document.UploadedBy(f.Uploader))
	}
	if f.Tag != "" {
		q.Where(DocumentTagged(f.Tag))
	}
	if f.Q != "" {
		q.Where(DocumentSearch(f.Q))
	}
	if after != nil {
		q.Where(afterNewest(*after))
	}
	rows, err := q.Order(ent.Desc(document.FieldCreatedAt), ent.Desc(document.FieldID)).Limit(f.Limit + 1).All(ctx)
	if err != nil {
		return nil, err
	}
	return pageOf(rows, f.Limit, "documents", func(d *ent.Document) (time.Time, uuid.UUID) { return d.CreatedAt, d.ID }), nil
}

// StorageReport lists where rows and objects disagree.
type StorageReport struct {
	Rows              int      // document rows checked
	Objects           int      // objects checked
	RowsWithoutObject []string // document ids whose bytes are missing
	ObjectsWithoutRow []string // object keys no document points to
}

// CheckStorage compares every document row with the objects in storage
// (an operator action, across tenants).
func (s *Service) CheckStorage(ctx context.Context) (StorageReport, error) {
	ctx = schema.Bypass(ctx, "the storage check is an operator action across tenants")
	var r StorageReport
	rows, err := s.Client.Document.Query().Select(document.FieldID, document.FieldObjectKey).All(ctx)
	if err != nil {
		return r, err
	}
	byKey := map[string]string{}
	for _, d := range rows {
		byKey[d.ObjectKey] = d.ID.String()
	}
	r.Rows = len(rows)
	seen := map[string]bool{}
	err = s.Store.List(ctx, "tenants/", func(o storage.Info) error {
		r.Objects++
		if _, ok := byKey[o.Key]; ok {
			seen[o.Key] = true
		} else if strings.Contains(o.Key, "/documents/") {
			r.ObjectsWithoutRow = append(r.ObjectsWithoutRow, o.Key)
		}
		return nil
	})
	if err != nil {
		return r, err
	}
	for key, id := range byKey {
		if !seen[key] {
			r.RowsWithoutObject = append(r.RowsWithoutObject, id)
		}
	}
	sort.Strings(r.RowsWithoutObject)
	sort.Strings(r.ObjectsWithoutRow)
	return r, nil
}

// DocumentSearch: q in the title or the file name, case-insensitive.
func DocumentSearch(q string) predicate.Document {
	return document.Or(document.TitleContainsFold(q), document.FilenameContainsFold(q))
}

// DocumentTagged: documents carrying tag.
func DocumentTagged(tag string) predicate.Document {
	return predicate.Document(func(s *sql.Selector) { s.Where(sqljson.ValueContains(document.FieldTags, tag)) })
}
