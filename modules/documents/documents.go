// Package documents declares the documents module: uploads kept in
// document storage, with a verification workflow.
package documents

import "github.com/cienerp/cienerp/module"

const (
	View   = "documents.view"
	Upload = "documents.upload"
	Update = "documents.update"
	Verify = "documents.verify"
	Delete = "documents.delete"
)

const (
	Uploaded module.Change = "document.uploaded"
	Updated  module.Change = "document.updated"
	Verified module.Change = "document.verified"
	Rejected module.Change = "document.rejected"
	Deleted  module.Change = "document.deleted"
)

// The operations and the permission each needs: REST routes name these,
// GraphQL fields are listed in them.
var (
	ViewDocuments  = module.Op{Permission: View, GraphQL: []string{"Query.documents"}}
	UploadDocument = module.Op{Permission: Upload, GraphQL: []string{"Mutation.uploadDocument"}}
	UpdateDocument = module.Op{Permission: Update, GraphQL: []string{"Mutation.updateDocument"}}
	ReviewDocument = module.Op{Permission: Verify, GraphQL: []string{"Mutation.verifyDocument", "Mutation.rejectDocument"}}
	DeleteDocument = module.Op{Permission: Delete, GraphQL: []string{"Mutation.deleteDocument"}}
)

// Statuses are a document's review states.
var Statuses = []string{"pending", "verified", "rejected"}

// Module is the declaration the registry (modules.All) lists.
var Module = module.Module{
	Name: "documents",
	Tag:  "Documents", TagDescription: "Uploads kept in document storage, with a verification workflow.",
	Permissions: []module.Permission{
		{Name: View, Description: "List, read and download documents.", Object: "document"},
		{Name: Upload, Description: "Upload documents.", Object: "document"},
		{Name: Update, Description: "Edit document metadata.", Object: "document"},
		{Name: Verify, Description: "Verify or reject pending documents.", Object: "document"},
		{Name: Delete, Description: "Delete documents and their stored files.", Object: "document"},
	},
	Grants: map[string][]string{
		"admin":      {"documents.*"},
		"it-agent":   {View, Upload},
		"accountant": {View, Upload, Verify},
		"viewer":     {View},
		"requester":  {View, Upload},
	},
	Conditions: map[string]map[string]string{
		"requester": {
			View:   `{"uploaded_by": {"_eq": "$user"}}`,
			Upload: `{"uploaded_by": {"_eq": "$user"}}`,
		},
	},
	Objects: []module.Object{
		{Type: "document", Schema: "Document", View: View, Events: []module.Event{
			{Change: Uploaded, Description: "A document was uploaded and is pending review.", Was: []string{"document.upload"}},
			{Change: Updated, Description: "A document's title, category or tags changed.", Was: []string{"document.update"}},
			{Change: Verified, Description: "A pending document was verified.", Was: []string{"document.verify"}},
			{Change: Rejected, Description: "A pending document was rejected; data.object.review_note holds the reason.", Was: []string{"document.reject"}},
			{Change: Deleted, Description: "A document and its stored file were deleted.", Was: []string{"document.delete"}},
		}, Fields: []module.Field{
			{Name: "uploaded_by", Kind: module.KindSubject},
			{Name: "category", Kind: module.KindString},
			{Name: "status", Kind: module.KindEnum, Values: Statuses},
			{Name: "content_type", Kind: module.KindString},
			{Name: "size", Kind: module.KindInt},
			{Name: "created_at", Kind: module.KindTime},
		}},
	},
	Ops: []module.Op{ViewDocuments, UploadDocument, UpdateDocument, ReviewDocument, DeleteDocument},
}
