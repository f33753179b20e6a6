package schema

import (
	"context"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
	"entgo.io/ent/schema/mixin"
)

// Limits of an object's metadata (as Stripe's): keys and values are
// strings; the service checks them and quotes them in its messages.
const (
	MaxMetadataKeys  = 50
	MaxMetadataKey   = 40
	MaxMetadataValue = 500
	MaxExternalID    = 255
)

// MetadataMixin gives a business object metadata: an integration's own
// key-value pairs, stored as a JSON object of strings and filterable by
// key. Empty is null in the database and {} in the API.
type MetadataMixin struct{ mixin.Schema }

func (MetadataMixin) Fields() []ent.Field {
	return []ent.Field{
		// GraphQL declares it itself (graph/*.graphqls): {} rather than null
		// when empty, as REST shows it.
		field.JSON("metadata", map[string]string{}).Optional().Annotations(entgql.Skip(entgql.SkipAll)),
	}
}

// Hooks store empty metadata as SQL NULL, not the JSON null of a nil
// map: a row without metadata costs no JSON decoding when read.
func (MetadataMixin) Hooks() []ent.Hook {
	return []ent.Hook{func(next ent.Mutator) ent.Mutator {
		return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
			if v, ok := m.Field("metadata"); ok {
				if md, _ := v.(map[string]string); len(md) == 0 {
					if m.Op().Is(ent.OpCreate) {
						_ = m.ResetField("metadata")
					} else {
						_ = m.ClearField("metadata")
					}
				}
			}
			return next.Mutate(ctx, m)
		})
	}}
}

// ExternalIDMixin gives an object the id another system knows it by,
// unique per tenant + environment + type, so a sync can upsert by it.
type ExternalIDMixin struct{ mixin.Schema }

func (ExternalIDMixin) Fields() []ent.Field {
	return []ent.Field{
		limited(field.String("external_id").Optional().Nillable(), MaxExternalID),
	}
}

func (ExternalIDMixin) Indexes() []ent.Index {
	return []ent.Index{index.Fields("tenant_id", "env", "external_id").Unique()}
}
