package schema

import (
	"context"
	"fmt"

	"entgo.io/ent"
	"entgo.io/ent/entql"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
	"entgo.io/ent/schema/mixin"
	"github.com/google/uuid"

	"github.com/cienerp/cienerp/ent/privacy"
	"github.com/cienerp/cienerp/policy"
)

// Tenancy: the one rule that keeps every tenant's (and environment's) rows
// to itself, and the only ways past the privacy layer.
//
// Scope rules come from the mixins below and run first; the permission
// rules of each entity follow (rules.go). A context without a viewer is
// denied unless Bypass marked it as the platform acting for itself.

// TenancyRule filters reads, updates and deletes to the viewer's tenant
// (and, withEnv, environment); creates are stamped by stampScope.
func TenancyRule(withEnv bool) ent.Policy {
	filter := privacy.FilterFunc(func(ctx context.Context, f privacy.Filter) error {
		v := policy.FromContext(ctx)
		if v == nil {
			return privacy.Denyf("no viewer in context")
		}
		tf, ok := f.(tenantFilter)
		if !ok {
			return privacy.Denyf("unexpected filter type %T", f)
		}
		tf.WhereTenantID(entql.ValueEQ(v.TenantID))
		if withEnv {
			ef, ok := f.(envFilter)
			if !ok {
				return privacy.Denyf("unexpected filter type %T", f)
			}
			ef.WhereEnv(entql.StringEQ(string(v.Env)))
		}
		return privacy.Skip
	})
	return privacy.Policy{
		Query:    privacy.QueryPolicy{filter},
		Mutation: privacy.MutationPolicy{privacy.OnMutationOperation(filter, ent.OpUpdate|ent.OpUpdateOne|ent.OpDelete|ent.OpDeleteOne)},
	}
}

type tenantFilter interface {
	WhereTenantID(entql.ValueP)
}

type envFilter interface {
	WhereEnv(entql.StringP)
}

// Bypass lets ctx past the whole privacy layer, tenancy included: for the
// platform acting for itself (start-up, the CLI, credential lookups,
// platform rows such as tenants, users and Casbin rules). reason says why,
// so that a search for Bypass lists every way past the layer.
func Bypass(ctx context.Context, reason string) context.Context {
	return privacy.DecisionContext(ctx, privacy.Allow)
}

type permissionsBypassKey struct{}

// BypassPermissions keeps TenancyRule but skips the entities' permission
// rules: for rows the viewer reaches through something it may see (a
// sale's invoice, the invoice a refund reopens). reason says why.
func BypassPermissions(ctx context.Context, reason string) context.Context {
	return context.WithValue(ctx, permissionsBypassKey{}, reason)
}

// permissionsBypassed reports whether BypassPermissions marked ctx.
func permissionsBypassed(ctx context.Context) bool {
	_, ok := ctx.Value(permissionsBypassKey{}).(string)
	return ok
}

// TenantMixin scopes an entity to one tenant: the field is stamped on create
// from the viewer and every read, update and delete is filtered by it.
type TenantMixin struct{ mixin.Schema }

func (TenantMixin) Fields() []ent.Field {
	return []ent.Field{field.UUID("tenant_id", uuid.UUID{}).Immutable()}
}

func (TenantMixin) Indexes() []ent.Index { return []ent.Index{index.Fields("tenant_id")} }

func (TenantMixin) Hooks() []ent.Hook { return []ent.Hook{stampScope(false)} }

func (TenantMixin) Policy() ent.Policy { return TenancyRule(false) }

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

func (TenantEnvMixin) Policy() ent.Policy { return TenancyRule(true) }

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
