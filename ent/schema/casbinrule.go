package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/cienerp/cienerp/ent/privacy"
)

// CasbinRule stores one Casbin policy line. p: (role, tenant, permission);
// g: (subject, role, tenant). Written only by system code.
type CasbinRule struct{ ent.Schema }

func (CasbinRule) Fields() []ent.Field {
	return []ent.Field{
		field.String("ptype").NotEmpty(),
		field.String("v0").Default(""),
		field.String("v1").Default(""),
		field.String("v2").Default(""),
		field.String("v3").Default(""),
		field.String("v4").Default(""),
		field.String("v5").Default(""),
	}
}

func (CasbinRule) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("ptype", "v0", "v1", "v2", "v3", "v4", "v5").Unique(),
		index.Fields("v2"),
	}
}

func (CasbinRule) Policy() ent.Policy {
	return privacy.Policy{
		Query:    privacy.QueryPolicy{privacy.AlwaysDenyRule()},
		Mutation: privacy.MutationPolicy{privacy.AlwaysDenyRule()},
	}
}

func (CasbinRule) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip()}
}
