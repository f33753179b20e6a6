package rest

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/cienerp/cienerp/edge"
	"github.com/cienerp/cienerp/ent/schema"
	"github.com/cienerp/cienerp/modules/documents"
	"github.com/cienerp/cienerp/openapi"
	"github.com/cienerp/cienerp/service"
	"github.com/cienerp/cienerp/storage"
)

// Documents kept in storage, with a verification workflow.

func init() {
	register(part{routes: (*Server).documentsRoutes, schemas: documentsSchemas})
}

func (s *Server) documentsRoutes() []edge.Route {
	return []edge.Route{
		{Method: http.MethodGet, Path: "/documents", Op: documents.ViewDocuments, Handle: s.listDocuments,
			Doc: openapi.Doc{Tag: documents.Module.Tag, Storage: true, Summary: "List documents, newest first", Params: []openapi.Param{
				limitParam, cursorParam, metadataParam,
				openapi.Query("status", "Comma-separated: pending, verified, rejected.", openapi.StrSchema("")),
				openapi.Query("category", "Exact category.", openapi.StrSchema("")),
				openapi.Query("tag", "Documents carrying this tag.", openapi.StrSchema("")),
				openapi.Query("uploader", "user:<id> or key:<id>.", openapi.StrSchema("")),
				openapi.Query("q", "Text search in title and filename (case-insensitive).", openapi.StrSchema("")),
			}, Status: 200, Data: "Document", List: true}},
		{Method: http.MethodPost, Path: "/documents", Op: documents.UploadDocument, Creates: true, Handle: s.uploadDocument, Upload: true,
			Doc: openapi.Doc{Tag: documents.Module.Tag, Storage: true, Multipart: true, Summary: "Upload a document", Description: "multipart/form-data with the bytes in file, plus title, category and tags (repeated or comma-separated). The file streams to storage; its type is sniffed from the bytes, its SHA-256 computed on the way. Too large: 413; a type not allowed: 415; no file: 422; storage down: 503 and nothing saved.", Body: "UploadDocument", Status: 201, Data: "Document",
				Example: obj{"file": "(the file's bytes)", "title": "Signed contract", "category": "contracts", "tags": []string{"legal", "2026"}}}},
		{Method: http.MethodGet, Path: "/documents/:id", Op: documents.ViewDocuments, Handle: s.getDocument,
			Doc: openapi.Doc{Tag: documents.Module.Tag, Storage: true, Summary: "Get a document's metadata", Params: []openapi.Param{idParam}, Status: 200, Data: "Document"}},
		{Method: http.MethodPatch, Conditional: true, Path: "/documents/:id", Op: documents.UpdateDocument, Handle: s.updateDocument,
			Doc: openapi.Doc{Tag: documents.Module.Tag, Storage: true, Summary: "Edit a document's title, category or tags", Params: []openapi.Param{idParam}, Body: "UpdateDocument", Status: 200, Data: "Document",
				Example: obj{"title": "Signed contract (final)", "tags": []string{"legal", "2026"}}}},
		{Method: http.MethodDelete, Conditional: true, Path: "/documents/:id", Op: documents.DeleteDocument, Handle: s.deleteDocument,
			Doc: openapi.Doc{Tag: documents.Module.Tag, Storage: true, Summary: "Delete a document and its file", Description: "Both go, or neither (storage down: 503). Safe to retry.", Params: []openapi.Param{idParam}, Status: 200, Data: "Deleted"}},
		{Method: http.MethodGet, Path: "/documents/:id/download", Op: documents.ViewDocuments, Handle: s.downloadDocument,
			Doc: openapi.Doc{Tag: documents.Module.Tag, Storage: true, Summary: "Download a document's bytes", Description: "Streams with Content-Type, Content-Length, Content-Disposition: attachment, ETag (the SHA-256) and Range support. With redirect=1 and S3 storage: 302 to a direct URL valid for 5 minutes.", Params: []openapi.Param{idParam,
				openapi.Query("redirect", "1 to be redirected to a short-lived direct URL (S3 storage).", openapi.StrSchema("")),
			}, Status: 200, Raw: "Binary"}},
		{Method: http.MethodPost, Conditional: true, Path: "/documents/:id/verify", Op: documents.ReviewDocument, Handle: s.verifyDocument,
			Doc: openapi.Doc{Tag: documents.Module.Tag, Storage: true, Summary: "Verify a pending document", Params: []openapi.Param{idParam}, Body: "VerifyDocument", Status: 200, Data: "Document",
				Example: obj{"note": "Checked against the original."}}},
		{Method: http.MethodPost, Conditional: true, Path: "/documents/:id/reject", Op: documents.ReviewDocument, Handle: s.rejectDocument,
			Doc: openapi.Doc{Tag: documents.Module.Tag, Storage: true, Summary: "Reject a pending document", Description: "A reason is required.", Params: []openapi.Param{idParam}, Body: "RejectDocument", Status: 200, Data: "Document",
				Example: obj{"reason": "The scan is unreadable; please upload it again."}}},
	}
}

func documentsSchemas() obj {
	return obj{
		"Document": openapi.Object([]string{"id", "title", "filename", "content_type", "size", "sha256", "status"}, obj{"metadata": openapi.Ref("Metadata"),
			"id": openapi.UUID, "object": obj{"const": "document"}, "title": obj{"type": "string"}, "filename": obj{"type": "string"},
			"content_type": openapi.Str("Sniffed from the bytes."), "size": obj{"type": "integer"}, "sha256": openapi.Str("Hex SHA-256 of the bytes."),
			"category": obj{"type": "string"}, "tags": openapi.StringList, "status": openapi.Enum("", "pending", "verified", "rejected"),
			"uploaded_by": openapi.Str("user:<id> or key:<id>."), "reviewed_by": openapi.Nullable("string", "", "Who verified or rejected it."),
			"reviewed_at": openapi.Nullable("string", "date-time", ""), "review_note": openapi.Str("The verify note or the reject reason."),
			"environment": openapi.Env, "created_at": openapi.Time, "updated_at": openapi.Time,
		}),
		"UploadDocument": openapi.Object([]string{"file"}, obj{"metadata": openapi.Str("A JSON object of string values (see MetadataInput)."),
			"file":  obj{"type": "string", "contentMediaType": "application/octet-stream", "description": "The bytes."},
			"title": openapi.TextMax(schema.MaxTitle, "Defaults to the file name."), "category": openapi.TextMax(schema.MaxCategory, ""),
			"tags": obj{"type": "array", "maxItems": schema.MaxTags, "items": obj{"type": "string", "minLength": 1, "maxLength": schema.MaxTag}, "description": "Repeat the field or separate with commas."},
		}),
		"UpdateDocument": openapi.Object(nil, obj{"metadata": openapi.Ref("MetadataInput"), "title": openapi.TextMax(schema.MaxTitle, ""), "category": openapi.TextMax(schema.MaxCategory, ""),
			"tags": obj{"type": "array", "maxItems": schema.MaxTags, "items": obj{"type": "string", "minLength": 1, "maxLength": schema.MaxTag}}}),
		"VerifyDocument": openapi.Object(nil, obj{"note": openapi.TextMax(schema.MaxReviewNote, "")}),
		"RejectDocument": openapi.Object([]string{"reason"}, obj{"reason": openapi.TextMax(schema.MaxReviewNote, "")}),
	}
}

// maxFieldBytes bounds each text field of an upload form; the metadata
// field holds up to 50 keys and values of 500 characters.
const (
	maxFieldBytes    = 8 << 10
	maxMetadataBytes = 128 << 10
)

// uploadDocument reads the multipart form part by part: the file streams
// to storage as it arrives, and text fields may come before or after it.
func (s *Server) uploadDocument(c *gin.Context) (err error) {
	ctx := c.Request.Context()
	mt, params, _ := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if mt != "multipart/form-data" || params["boundary"] == "" {
		return service.Fail(service.KindUnsupported, "unsupported_media_type", "Send the document as multipart/form-data with the bytes in a field named file.")
	}
	if c.Request.ContentLength > s.svc.Limits.MaxBytes+edge.UploadOverhead {
		return &service.TooLargeError{Limit: s.svc.Limits.MaxBytes}
	}
	var up *service.Upload
	defer func() {
		if err != nil && up != nil {
			up.Abort(ctx)
		}
	}()
	verr := &service.ValidationError{}
	var meta service.DocumentMeta
	mr := multipart.NewReader(c.Request.Body, params["boundary"])
	for {
		part, perr := mr.NextPart()
		if perr == io.EOF {
			break
		}
		if perr != nil {
			var tooBig *http.MaxBytesError
			if errors.As(perr, &tooBig) {
				return &service.TooLargeError{Limit: s.svc.Limits.MaxBytes}
			}
			return service.Fail(service.KindBadRequest, "malformed_multipart", "The multipart body could not be read; check the boundary and the part headers.")
		}
		name := part.FormName()
		switch name {
		case "file":
			if up != nil {
				verr.Add("file", "Send one file per request.")
				continue
			}
			if up, err = s.svc.BeginUpload(ctx, part.FileName(), part); err != nil {
				return err
			}
		case "title", "category", "tags", "metadata":
			limit := maxFieldBytes
			if name == "metadata" {
				limit = maxMetadataBytes
			}
			raw, rerr := io.ReadAll(io.LimitReader(part, int64(limit)+1))
			if rerr != nil || len(raw) > limit {
				verr.Add(name, "The %s field must be at most %d bytes.", name, limit)
				continue
			}
			switch v := string(raw); name {
			case "title":
				meta.Title = v
			case "category":
				meta.Category = v
			case "tags": // repeated, or comma-separated
				meta.Tags = append(meta.Tags, splitList(v)...)
			case "metadata": // a JSON object, as in a JSON body
				if err := json.Unmarshal(raw, &meta.Metadata); err != nil {
					verr.Add("metadata", "The metadata field must be a JSON object of string values.")
				}
			}
		default:
			verr.Add(name, "The %s field is not allowed; send file, title, category, tags and metadata.", name)
		}
	}
	if up == nil {
		verr.Add("file", "The file field is required.")
	}
	if err := verr.OrNil(); err != nil {
		return err
	}
	d, err := up.Finish(ctx, meta)
	up = nil // Finish removes the object itself on failure
	if err != nil {
		return err
	}
	respond(c, http.StatusCreated, service.DocumentObject(d))
	return nil
}

func (s *Server) listDocuments(c *gin.Context) error {
	verr := &service.ValidationError{}
	f := service.DocumentFilter{Category: c.Query("category"), Tag: c.Query("tag"), Uploader: c.Query("uploader"),
		Statuses: splitList(c.Query("status")), Q: strings.TrimSpace(c.Query("q")), Metadata: c.QueryMap("metadata"), Cursor: c.Query("cursor"), Limit: queryLimit(c, verr)}
	if err := verr.OrNil(); err != nil {
		return err
	}
	page, err := s.svc.ListDocuments(c.Request.Context(), f)
	if err != nil {
		return err
	}
	respondList(c, mapSlice(page.Items, service.DocumentObject), Meta{Limit: f.Limit, HasMore: page.HasMore, NextCursor: page.NextCursor})
	return nil
}

func (s *Server) getDocument(c *gin.Context) error {
	id, err := pathID(c, "document")
	if err != nil {
		return err
	}
	d, err := s.svc.GetDocument(c.Request.Context(), id)
	if err != nil {
		return err
	}
	respond(c, http.StatusOK, service.DocumentObject(d))
	return nil
}

func (s *Server) updateDocument(c *gin.Context) error {
	id, err := pathID(c, "document")
	if err != nil {
		return err
	}
	var in service.UpdateDocumentInput
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	d, err := s.svc.UpdateDocument(c.Request.Context(), id, in)
	if err != nil {
		return err
	}
	respond(c, http.StatusOK, service.DocumentObject(d))
	return nil
}

func (s *Server) deleteDocument(c *gin.Context) error {
	id, err := pathID(c, "document")
	if err != nil {
		return err
	}
	if err := s.svc.DeleteDocument(c.Request.Context(), id); err != nil {
		return err
	}
	respond(c, http.StatusOK, gin.H{"id": id, "object": "document", "deleted": true})
	return nil
}

type reviewInput struct {
	Note   string `json:"note"`
	Reason string `json:"reason"`
}

func (s *Server) verifyDocument(c *gin.Context) error { return s.review(c, false) }

func (s *Server) rejectDocument(c *gin.Context) error { return s.review(c, true) }

func (s *Server) review(c *gin.Context, reject bool) error {
	id, err := pathID(c, "document")
	if err != nil {
		return err
	}
	var in reviewInput
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	note := in.Note
	if reject {
		note = in.Reason
	}
	d, err := s.svc.ReviewDocument(c.Request.Context(), id, reject, note)
	if err != nil {
		return err
	}
	respond(c, http.StatusOK, service.DocumentObject(d))
	return nil
}

// presignTTL is how long a ?redirect=1 download URL works.
const presignTTL = 5 * time.Minute

// downloadDocument streams the bytes (Range and conditional requests
// included), or redirects to a short-lived direct URL with ?redirect=1.
func (s *Server) downloadDocument(c *gin.Context) error {
	id, err := pathID(c, "document")
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	if c.Query("redirect") == "1" {
		url, err := s.svc.PresignDocument(ctx, id, presignTTL)
		switch {
		case err == nil:
			c.Redirect(http.StatusFound, url)
			return nil
		case !errors.Is(err, storage.ErrUnsupported):
			return err
		} // local disk has no URL of its own: stream instead
	}
	d, obj, err := s.svc.OpenDocument(ctx, id)
	if err != nil {
		return err
	}
	defer obj.Close()
	h := c.Writer.Header()
	h.Set("Content-Type", d.ContentType)
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": d.Filename}))
	h.Set("ETag", `"`+d.Sha256+`"`)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("Cache-Control", "private, no-cache")
	http.ServeContent(c.Writer, c.Request, "", d.CreatedAt, obj)
	return nil
}
