package service

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/google/uuid"

	"github.com/cienerp/cienerp/ent"
	"github.com/cienerp/cienerp/ent/membership"
	"github.com/cienerp/cienerp/ent/schema"
	"github.com/cienerp/cienerp/ent/user"
	"github.com/cienerp/cienerp/policy"
)

// Explanation says whether a subject holds a permission and why.
type Explanation struct {
	Subject    string   `json:"subject"`
	Permission string   `json:"permission"`
	Allowed    bool     `json:"allowed"`
	Role       string   `json:"role,omitempty"` // the role whose rule decided
	Rule       string   `json:"rule,omitempty"` // the pattern that matched, e.g. "documents.*"
	Roles      []string `json:"roles"`          // every role the subject holds here
	// Conditions are the row conditions its grants carry (empty: every
	// row); with ObjectID, ObjectPasses says whether that object passes.
	Conditions   []GrantCondition `json:"conditions"`
	ObjectID     string           `json:"object_id,omitempty"`
	ObjectPasses *bool            `json:"object_passes,omitempty"`
	Reason       string           `json:"reason"` // the decision in a sentence
}

// GrantCondition is one role's condition on a permission.
type GrantCondition struct {
	Role       string    `json:"role"`
	Permission string    `json:"permission"`
	Condition  Condition `json:"condition"`
}

// Explain answers "may subject do permission here, and which role and rule
// decided?" with the same Casbin decision that requests get. subject is
// user:<id>, key:<id>, a user id, a key id or a member's email.
//
// With objectID (of the permission's object type) it also says whether
// that object passes the subject's conditions, by the SQL requests use.
func (s *Service) Explain(ctx context.Context, subject, perm, objectID string) (Explanation, error) {
	verr := &ValidationError{}
	if !policy.Known(perm) {
		verr.Add("permission", "Unknown permission %q; see GET /api/permissions.", perm)
	}
	sub, err := s.resolveSubject(ctx, subject)
	if err != nil {
		return Explanation{}, err
	}
	if sub == "" {
		verr.Add("subject", "No member or integration key %q in this tenant; use user:<id>, key:<id> or a member's email.", subject)
	}
	var oid uuid.UUID
	if objectID != "" {
		var perr error
		if oid, perr = uuid.Parse(objectID); perr != nil {
			verr.Add("object_id", "object_id is the id (UUID) of an object the permission acts on.")
		} else if policy.ConditionObject(perm) == "" {
			verr.Add("object_id", "%s acts on no objects: leave object_id out.", perm)
		}
	}
	if err := verr.OrNil(); err != nil {
		return Explanation{}, err
	}
	v := policy.FromContext(ctx)
	tenant := v.TenantID.String()
	allowed, role, rule := s.Enforcer.Explain(sub, tenant, perm)
	roles := s.Enforcer.Roles(sub, tenant)
	sort.Strings(roles)
	if roles == nil {
		roles = []string{}
	}
	e := Explanation{Subject: sub, Permission: perm, Allowed: allowed, Role: role, Rule: rule, Roles: roles, Conditions: []GrantCondition{}}
	as, err := s.subjectViewer(ctx, s.Client, v.TenantID, v.Env, sub)
	if err != nil {
		return Explanation{}, err
	}
	if _, limited := as.Conditions(perm); limited && allowed {
		st := s.Enforcer.State(tenant)
		for _, r := range roles {
			for pattern, cond := range st.Conditions[r] {
				if policy.Match(pattern, perm) {
					e.Conditions = append(e.Conditions, GrantCondition{Role: r, Permission: pattern, Condition: Condition(cond)})
				}
			}
		}
		sort.Slice(e.Conditions, func(i, j int) bool { return e.Conditions[i].Role < e.Conditions[j].Role })
	}
	if objectID != "" {
		pass, found, err := schema.Passes(ctx, s.Client, as, perm, oid)
		if err != nil {
			return Explanation{}, err
		}
		if !found {
			return Explanation{}, Invalid("object_id", "No %s %s in this tenant and environment.", policy.ConditionObject(perm), objectID)
		}
		e.ObjectID, e.ObjectPasses = objectID, &pass
	}
	switch {
	case allowed && len(e.Conditions) > 0:
		e.Reason = fmt.Sprintf("Allowed on the rows its conditions admit: %s.", conditionWords(e.Conditions))
		if e.ObjectPasses != nil {
			e.Reason += fmt.Sprintf(" %s %s %s.", policy.ConditionObject(perm), objectID, map[bool]string{true: "passes", false: "does not pass: it is hidden from (or refused to) this subject"}[*e.ObjectPasses])
		}
	case allowed:
		e.Reason = fmt.Sprintf("Allowed: role %q grants %q, which covers %s.", role, rule, perm)
	case len(roles) == 0:
		e.Reason = "Denied: the subject holds no role in this tenant."
	default:
		e.Reason = fmt.Sprintf("Denied: none of its roles (%s) grants %s.", strings.Join(roles, ", "), perm)
	}
	return e, nil
}

func conditionWords(cs []GrantCondition) string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = fmt.Sprintf("role %q grants %s where %s", c.Role, c.Permission, c.Condition)
	}
	return strings.Join(out, "; or ")
}

// resolveSubject finds the Casbin subject of a member or key of the
// viewer's tenant ("" when there is none).
func (s *Service) resolveSubject(ctx context.Context, subject string) (string, error) {
	kind, rest, hasKind := strings.Cut(subject, ":")
	if !hasKind {
		rest = subject
	}
	if strings.Contains(subject, "@") && !hasKind {
		u, err := s.Client.User.Query().Where(user.Email(strings.ToLower(subject))).Only(schema.Bypass(ctx, "users are platform rows: an email names a member"))
		if ent.IsNotFound(err) {
			return "", nil
		}
		if err != nil {
			return "", err
		}
		rest, kind = u.ID.String(), "user"
	}
	id, err := uuid.Parse(rest)
	if err != nil {
		return "", nil
	}
	if kind == "user" || !hasKind {
		ok, err := s.Client.Membership.Query().Where(membership.UserID(id)).Exist(ctx)
		if err != nil {
			return "", err
		}
		if ok {
			return policy.UserSubject(id.String()), nil
		}
	}
	if kind == "key" || !hasKind {
		// Keys of both environments belong to the tenant.
		k, found, err := s.Dir.KeyByID(ctx, id)
		if err != nil {
			return "", err
		}
		if found && k.TenantID == policy.FromContext(ctx).TenantID {
			return policy.KeySubject(id.String()), nil
		}
	}
	return "", nil
}
