package schema

import (
	"entgo.io/contrib/entgql"

	"entgo.io/ent"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/mixin"
	"github.com/google/uuid"
)

// IDMixin gives an entity a time-ordered UUID (v7) primary key, so that
// ordering by id is ordering by creation, and created/updated stamps.
type IDMixin struct{ mixin.Schema }

func (IDMixin) Fields() []ent.Field {
	return []ent.Field{
		field.UUID("id", uuid.UUID{}).Default(newID).Immutable(),
	}
}

func newID() uuid.UUID { return uuid.Must(uuid.NewV7()) }

// TimeMixin adds created_at and updated_at.
type TimeMixin struct{ mixin.Schema }

func (TimeMixin) Fields() []ent.Field {
	return []ent.Field{
		field.Time("created_at").Default(timeNow).Immutable().Annotations(entgql.OrderField("CREATED_AT")),
		field.Time("updated_at").Default(timeNow).UpdateDefault(timeNow).Annotations(entgql.OrderField("UPDATED_AT")),
	}
}
