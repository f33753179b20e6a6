package schema

import (
	"context"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/entql"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/cienerp/cienerp/ent/privacy"
	"github.com/cienerp/cienerp/policy"
)

// Event is one integration event: a change described for integrators, in
// the outbox beside its audit event, written in the change's transaction.
// seq numbers a tenant's environment's events gaplessly in commit order
// (the counter row is locked until commit), so a cursor over seq never
// skips an event committed late.
type Event struct{ ent.Schema }

func (Event) Mixin() []ent.Mixin { return []ent.Mixin{IDMixin{}, TenantEnvMixin{}} }

func (Event) Fields() []ent.Field {
	return []ent.Field{
		field.Int64("seq").Immutable(),
		field.String("type").Immutable(),
		field.String("object_type").Immutable(),
		field.String("object_id").Immutable(),
		field.String("request_id").Default("").Immutable(),
		field.String("actor").Immutable().Comment("user:<id>, key:<id>, cli or system"),
		field.Text("data").Immutable().Comment(`JSON {"object": …, "previous_attributes": …}, bytes as delivered`),
		field.Time("created_at").Default(timeNow).Immutable(),
	}
}

func (Event) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("tenant_id", "env", "seq").Unique(),
		index.Fields("tenant_id", "env", "object_id"),
		index.Fields("created_at"),
	}
}

// Policy: any viewer reads its tenant's environment's events, but only of
// the object types it may view (policy.ObjectPermission): the one check
// the feed, GraphQL, webhooks and subscriptions share. Events are written
// by the service with the change and deleted only by retention.
func (Event) Policy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{visibleEvents, anyViewer}, // the filter first: anyViewer allows and ends the rules
		Mutation: privacy.MutationPolicy{
			privacy.OnMutationOperation(anyViewer, ent.OpCreate),
			privacy.AlwaysDenyRule(),
		},
	}
}

var visibleEvents = privacy.FilterFunc(func(ctx context.Context, f privacy.Filter) error {
	if permissionsBypassed(ctx) {
		return privacy.Skip
	}
	ef, ok := f.(interface{ WhereObjectType(entql.StringP) })
	if !ok {
		return privacy.Denyf("unexpected filter type %T", f)
	}
	var p entql.StringP = entql.StringEQ("") // no object has an empty type: matches nothing
	for _, t := range policy.VisibleObjectTypes(policy.FromContext(ctx)) {
		p = entql.StringOr(p, entql.StringEQ(t))
	}
	ef.WhereObjectType(p)
	return privacy.Skip
})

func (Event) Annotations() []schema.Annotation { return []schema.Annotation{entgql.Skip()} }
