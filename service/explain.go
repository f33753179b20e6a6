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
	Reason     string   `json:"reason"`         // the decision in a sentence
}

// Explain answers "may subject do permission here, and which role and rule
// decided?" with the same Casbin decision that requests get. subject is
// user:<id>, key:<id>, a user id, a key id or a member's email.
func (s *Service) Explain(ctx context.Context, subject, perm string) (Explanation, error) {
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
	if err := verr.OrNil(); err != nil {
		return Explanation{}, err
	}
	tenant := policy.FromContext(ctx).TenantID.String()
	allowed, role, rule := s.Enforcer.Explain(sub, tenant, perm)
	roles := s.Enforcer.Roles(sub, tenant)
	sort.Strings(roles)
	if roles == nil {
		roles = []string{}
	}
	e := Explanation{Subject: sub, Permission: perm, Allowed: allowed, Role: role, Rule: rule, Roles: roles}
	switch {
	case allowed:
		e.Reason = fmt.Sprintf("Allowed: role %q grants %q, which covers %s.", role, rule, perm)
	case len(roles) == 0:
		e.Reason = "Denied: the subject holds no role in this tenant."
	default:
		e.Reason = fmt.Sprintf("Denied: none of its roles (%s) grants %s.", strings.Join(roles, ", "), perm)
	}
	return e, nil
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
