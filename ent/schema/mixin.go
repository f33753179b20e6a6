package schema

import (
	"context"
	"entgo.io/contrib/entgql"
	"fmt"

	"entgo.io/ent"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
	"entgo.io/ent/schema/mixin"
	"github.com/google/uuid"

	"github.com/cienerp/cienerp/policy"
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

// TenantMixin scopes an entity to one tenant: the field is stamped on create
// from the viewer and every read, update and delete is filtered by it.
type TenantMixin struct{ mixin.Schema }

func (TenantMixin) Fields() []ent.Field {
	return []ent.Field{field.UUID("tenant_id", uuid.UUID{}).Immutable()}
}

func (TenantMixin) Indexes() []ent.Index { return []ent.Index{index.Fields("tenant_id")} }

func (TenantMixin) Hooks() []ent.Hook { return []ent.Hook{stampScope(false)} }

func (TenantMixin) Policy() ent.Policy { return scopePolicy(false) }

// TenantEnvMixin scopes a business entity to one tenant and one environment
// (live or sandbox): data never crosses either boundary.
type TenantEnvMixin struct{ mixin.Schema }

func (TenantEnvMixin) Fields() []ent.Field {
	return []ent.Field{
		field.UUID("tenant_id", uuid.UUID{}).Immutable(),
		field.Enum("env").GoType(policy.Env("")).Immutable(),
	}
}

func (TenantEnvMixin) Indexes() []ent.Index { return []ent.Index{index.Fields("tenant_id", "env")} }

func (TenantEnvMixin) Hooks() []ent.Hook { return []ent.Hook{stampScope(true)} }

func (TenantEnvMixin) Policy() ent.Policy { return scopePolicy(true) }

// scoped is what the generated mutations of scoped entities offer.
type scoped interface {
	SetTenantID(uuid.UUID)
	TenantID() (uuid.UUID, bool)
}

type envScoped interface {
	SetField(string, ent.Value) error
	Field(string) (ent.Value, bool)
}

// stampScope sets tenant_id (and env) on create from the viewer; a viewer can
// never create a row in another tenant or environment. Without a viewer
// (system context: CLI, start-up) the caller must set them itself.
func stampScope(withEnv bool) ent.Hook {
	return func(next ent.Mutator) ent.Mutator {
		return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
			if !m.Op().Is(ent.OpCreate) {
				return next.Mutate(ctx, m)
			}
			sm, ok := m.(scoped)
			if !ok {
				return nil, fmt.Errorf("%T is not tenant scoped", m)
			}
			if v := policy.FromContext(ctx); v != nil {
				sm.SetTenantID(v.TenantID)
				if withEnv {
					if err := m.(envScoped).SetField("env", v.Env); err != nil {
						return nil, err
					}
				}
			}
			if _, ok := sm.TenantID(); !ok {
				return nil, fmt.Errorf("%s create without tenant", m.Type())
			}
			if withEnv {
				if _, ok := m.(envScoped).Field("env"); !ok {
					return nil, fmt.Errorf("%s create without env", m.Type())
				}
			}
			return next.Mutate(ctx, m)
		})
	}
}
