package schema

import (
	"context"
	"maps"
	"slices"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/sql"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	gen "github.com/cienerp/cienerp/ent"
	"github.com/cienerp/cienerp/ent/event"
	"github.com/cienerp/cienerp/ent/predicate"
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
		index.Fields("tenant_id", "env", "request_id"), // a request log entry's events
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

// visibleEvents keeps the events of the object types the viewer may see,
// and of those its view permission limits, the events whose object passes
// the condition as the event carries it (the predicate rows.go compiles,
// on the payload's JSON).
var visibleEvents = privacy.EventQueryRuleFunc(func(ctx context.Context, q *gen.EventQuery) error {
	if permissionsBypassed(ctx) {
		return privacy.Skip
	}
	v := policy.FromContext(ctx)
	var open []any
	limited := map[string]func(*sql.Selector) *sql.Predicate{}
	for _, t := range policy.VisibleObjectTypes(v) {
		if pred := ViewPredicate(v, t, payloadColumns); pred != nil {
			limited[t] = pred
		} else {
			open = append(open, t)
		}
	}
	q.Where(predicate.Event(func(s *sql.Selector) {
		ps := []*sql.Predicate{sql.In(s.C(event.FieldObjectType), open...)} // none: FALSE
		for _, t := range slices.Sorted(maps.Keys(limited)) {
			ps = append(ps, paren(sql.And(sql.EQ(s.C(event.FieldObjectType), t), limited[t](s))))
		}
		s.Where(paren(sql.Or(ps...)))
	}))
	return privacy.Skip
})

// payloadColumns reads a field of the object an event carries.
var payloadColumns = columns{json: true, at: func(s *sql.Selector, field string) string {
	if s.Dialect() == dialect.Postgres {
		return "(CAST(" + s.C(event.FieldData) + " AS JSONB) #>> '{object," + field + "}')"
	}
	return "json_extract(" + s.C(event.FieldData) + ", '$.object." + field + "')"
}}

func (Event) Annotations() []schema.Annotation { return []schema.Annotation{entgql.Skip()} }
