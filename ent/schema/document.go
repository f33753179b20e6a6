package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent/schema"

	"entgo.io/ent"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	gen "github.com/cienerp/cienerp/ent"
	"github.com/cienerp/cienerp/ent/document"
	"github.com/cienerp/cienerp/ent/privacy"
	"github.com/cienerp/cienerp/modules/documents"
)

// Document is an uploaded file (bytes in storage, under ObjectKey) with
// its metadata and verification workflow: pending -> verified | rejected.
type Document struct{ ent.Schema }

func (Document) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{}, TenantEnvMixin{}, TimeMixin{}, MetadataMixin{}}
}

func (Document) Fields() []ent.Field {
	return []ent.Field{
		limited(field.String("title").NotEmpty().Annotations(entgql.OrderField("TITLE")), MaxTitle),
		limited(field.String("filename").NotEmpty().Immutable(), MaxFilename),
		field.String("content_type").NotEmpty().Immutable().Comment("sniffed from the bytes"),
		field.Int64("size").NonNegative().Immutable().Annotations(entgql.OrderField("SIZE")),
		field.String("sha256").Immutable(),
		field.String("object_key").Immutable().Unique(),
		limited(field.String("category").Default(""), MaxCategory),
		field.Strings("tags").Optional().Validate(texts(MaxTag)),
		field.Enum("status").Values(DocumentStatuses...).Default("pending"),
		field.String("uploaded_by").Immutable(),
		field.String("reviewed_by").Optional().Nillable(),
		field.Time("reviewed_at").Optional().Nillable(),
		limited(field.String("review_note").Default("").Comment("verify note or reject reason"), MaxReviewNote),
	}
}

func (Document) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("tenant_id", "env", "created_at"),
		index.Fields("tenant_id", "env", "status"),
		index.Fields("tenant_id", "env", "uploaded_by", "created_at"), // the requester's condition
	}
}

func (Document) Policy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{documentRows.Query(), requireQuery(documents.View)},
		Mutation: privacy.MutationPolicy{
			documentRows.Mutation(),
			requireMutation(documents.Upload, ent.OpCreate),
			requireMutation(documents.Delete, ent.OpDelete|ent.OpDeleteOne),
			// Metadata edits and reviews have their own permissions, checked
			// by the route and the domain code; either allows the update.
			requireAnyMutation(ent.OpUpdate|ent.OpUpdateOne, documents.Update, documents.Verify),
		},
	}
}

// documentRows binds Document to the row conditions on its object type.
var documentRows = rows("document", document.Table, func(c *gen.Client) *gen.DocumentQuery { return c.Document.Query() }, (*gen.DocumentQuery).Where)

func (Document) Hooks() []ent.Hook { return []ent.Hook{documentRows.Check()} }

func (Document) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.QueryField(), entgql.RelayConnection()}
}

// DocumentStatuses are the review states of a document.
var DocumentStatuses = documents.Statuses
