package service

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/google/uuid"

	"github.com/cienerp/cienerp/ent"
	"github.com/cienerp/cienerp/ent/role"
	"github.com/cienerp/cienerp/modules/admin"
	"github.com/cienerp/cienerp/policy"
	"github.com/cienerp/cienerp/policy/entadapter"
)

// RoleView is a role with its permissions and how many hold it.
type RoleView struct {
	Name        string   `json:"name"`
	Description string   `json:"description"`
	Builtin     bool     `json:"builtin"`
	Permissions []string `json:"permissions"`
	// Conditions: permission → its row condition (README "Permissions").
	Conditions Conditions `json:"conditions"`
	Holders    int        `json:"holders"`
}

// CreateRoleInput is the body of "create role".
type CreateRoleInput struct {
	Name        string     `json:"name"`
	Description string     `json:"description"`
	Permissions []string   `json:"permissions"`
	Conditions  Conditions `json:"conditions"`
}

// UpdateRoleInput renames a role, changes its description or replaces its
// permissions; absent fields stay.
type UpdateRoleInput struct {
	Name        Opt[string]   `json:"name"`
	Description Opt[string]   `json:"description"`
	Permissions Opt[[]string] `json:"permissions"`
	// Conditions replace the role's conditions when given; without them
	// the conditions of permissions it keeps stay.
	Conditions Opt[Conditions] `json:"conditions"`
}

// OwnerRole must always grant "*".
const OwnerRole = "owner"

var roleNameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)

// checkPatterns refuses permission names outside the catalog, naming them.
func checkPatterns(field string, perms []string, verr *ValidationError) {
	var unknown []string
	for _, p := range perms {
		if !policy.ValidPattern(p) {
			unknown = append(unknown, fmt.Sprintf("%q", p))
		}
	}
	if len(unknown) > 0 {
		verr.Add(field, "Unknown permissions: %s. See GET /api/permissions for the catalog; wildcards are \"*\" and \"module.*\".", strings.Join(unknown, ", "))
	}
}

// checkLockout refuses a state in which no user of the tenant could edit
// policies any more, and an owner role without "*".
func checkLockout(next policy.State, verr *ValidationError) {
	if len(next.UsersHolding(admin.PoliciesManage)) == 0 {
		verr.Add("policy", "This change would leave no user holding %s, so nobody could edit permissions any more. Give that permission to another member first.", admin.PoliciesManage)
	}
	if perms, ok := next.Roles[OwnerRole]; ok && !slices.Contains(perms, "*") {
		verr.Add("permissions", "The owner role must keep \"*\".")
	}
}

// tenantState is the current policy of the viewer's tenant, with roles
// that grant nothing included.
func (s *Service) tenantState(ctx context.Context) (policy.State, []*ent.Role, error) {
	v := policy.FromContext(ctx)
	st := s.Enforcer.State(v.TenantID.String())
	rows, err := s.Client.Role.Query().Order(ent.Asc(role.FieldName)).All(ctx)
	if err != nil {
		return st, nil, err
	}
	for _, r := range rows {
		if _, ok := st.Roles[r.Name]; !ok {
			st.Roles[r.Name] = nil
		}
	}
	return st, rows, nil
}

func roleView(r *ent.Role, st policy.State) RoleView {
	perms := slices.Clone(st.Roles[r.Name])
	sort.Strings(perms)
	if perms == nil {
		perms = []string{}
	}
	n := 0
	for _, roles := range st.Holders {
		if slices.Contains(roles, r.Name) {
			n++
		}
	}
	return RoleView{Name: r.Name, Description: r.Description, Builtin: r.Builtin, Permissions: perms, Conditions: conditionsView(st.Conditions[r.Name]), Holders: n}
}

// ListRoles lists the tenant's roles.
func (s *Service) ListRoles(ctx context.Context) ([]RoleView, error) {
	st, rows, err := s.tenantState(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]RoleView, len(rows))
	for i, r := range rows {
		out[i] = roleView(r, st)
	}
	return out, nil
}

// GetRole reads one role.
func (s *Service) GetRole(ctx context.Context, name string) (RoleView, error) {
	st, rows, err := s.tenantState(ctx)
	if err != nil {
		return RoleView{}, err
	}
	for _, r := range rows {
		if r.Name == name {
			return roleView(r, st), nil
		}
	}
	return RoleView{}, &NotFoundError{Entity: "role"}
}

// CreateRole adds a role.
func (s *Service) CreateRole(ctx context.Context, in CreateRoleInput) (RoleView, error) {
	verr := &ValidationError{}
	st, _, err := s.tenantState(ctx)
	if err != nil {
		return RoleView{}, err
	}
	if !roleNameRE.MatchString(in.Name) {
		verr.Add("name", "Role names are 1 to 63 lowercase letters, digits and hyphens.")
	} else if _, taken := st.Roles[in.Name]; taken {
		verr.Add("name", "A role named %q exists already.", in.Name)
	}
	checkPatterns("permissions", in.Permissions, verr)
	conds := checkConditions("conditions", in.Permissions, in.Conditions, verr)
	if err := verr.OrNil(); err != nil {
		return RoleView{}, err
	}
	next := st.Clone()
	next.Roles[in.Name] = dedupe(in.Permissions)
	next.Conditions[in.Name] = conds
	if err := s.writeState(ctx, st, next, func(tx *ent.Tx) error {
		r, err := tx.Role.Create().SetName(in.Name).SetDescription(in.Description).Save(ctx)
		if err != nil {
			return err
		}
		if err := record(ctx, tx, admin.RoleCreated, "role", r.Name, nil, map[string]any{"description": in.Description, "permissions": next.Roles[in.Name]}); err != nil {
			return err
		}
		return s.emitTenantWide(ctx, tx, change{Type: admin.RoleCreated, ObjectID: r.ID.String(), Object: roleView(r, next)})
	}); err != nil {
		return RoleView{}, err
	}
	return s.GetRole(ctx, in.Name)
}

// UpdateRole renames a role, edits its description or sets its permissions.
func (s *Service) UpdateRole(ctx context.Context, name string, in UpdateRoleInput) (RoleView, error) {
	st, rows, err := s.tenantState(ctx)
	if err != nil {
		return RoleView{}, err
	}
	r := findRole(rows, name)
	if r == nil {
		return RoleView{}, &NotFoundError{Entity: "role"}
	}
	// Checked against the state this change is computed from. Policy
	// writes take no row lock, so two edits racing in the same instant are
	// not serialised by it (as without If-Match).
	if err := checkIfMatch(ctx, "role", roleView(r, st)); err != nil {
		return RoleView{}, err
	}
	verr := &ValidationError{}
	newName := name
	if in.Name.Set {
		switch {
		case in.Name.Null || !roleNameRE.MatchString(in.Name.V):
			verr.Add("name", "Role names are 1 to 63 lowercase letters, digits and hyphens.")
		case in.Name.V != name && name == OwnerRole:
			verr.Add("name", "The owner role cannot be renamed.")
		case in.Name.V != name && findRole(rows, in.Name.V) != nil:
			verr.Add("name", "A role named %q exists already.", in.Name.V)
		default:
			newName = in.Name.V
		}
	}
	if in.Permissions.Set {
		if in.Permissions.Null {
			verr.Add("permissions", "Permissions must be an array; send [] to grant nothing.")
		}
		checkPatterns("permissions", in.Permissions.V, verr)
	}
	if in.Description.Null {
		verr.Add("description", "The description cannot be null.")
	}
	perms := st.Roles[name]
	if in.Permissions.Set {
		perms = in.Permissions.V
	}
	conds := keepConditions(st.Conditions[name], perms)
	if in.Conditions.Set {
		conds = checkConditions("conditions", perms, in.Conditions.V, verr)
	}
	if err := verr.OrNil(); err != nil {
		return RoleView{}, err
	}
	next := st.Clone()
	next.Roles[name] = dedupe(perms)
	next.Conditions[name] = conds
	renameRole(next, name, newName)
	before := roleView(r, st)
	err = s.writeState(ctx, st, next, func(tx *ent.Tx) error {
		u := tx.Role.UpdateOne(r).SetName(newName)
		if in.Description.Set {
			u.SetDescription(in.Description.V)
		}
		updated, err := u.Save(ctx)
		if err != nil {
			return err
		}
		if err := record(ctx, tx, admin.RoleUpdated, "role", r.ID.String(), before, roleView(updated, next)); err != nil {
			return err
		}
		return s.emitTenantWide(ctx, tx, change{Type: admin.RoleUpdated, ObjectID: r.ID.String(), Object: roleView(updated, next), Before: before})
	})
	if err != nil {
		return RoleView{}, err
	}
	return s.GetRole(ctx, newName)
}

// DeleteRole removes a role and every assignment of it. Built-in roles stay.
func (s *Service) DeleteRole(ctx context.Context, name string) error {
	st, rows, err := s.tenantState(ctx)
	if err != nil {
		return err
	}
	r := findRole(rows, name)
	if r == nil {
		return &NotFoundError{Entity: "role"}
	}
	if err := checkIfMatch(ctx, "role", roleView(r, st)); err != nil {
		return err
	}
	if r.Builtin {
		return Invalid("name", "Built-in role %q can be edited but not deleted.", name)
	}
	next := st.Clone()
	delete(next.Roles, name)
	for sub, roles := range next.Holders {
		next.Holders[sub] = slices.DeleteFunc(roles, func(x string) bool { return x == name })
	}
	return s.writeState(ctx, st, next, func(tx *ent.Tx) error {
		if err := tx.Role.DeleteOne(r).Exec(ctx); err != nil {
			return err
		}
		if err := record(ctx, tx, admin.RoleDeleted, "role", r.ID.String(), roleView(r, st), nil); err != nil {
			return err
		}
		return s.emitTenantWide(ctx, tx, change{Type: admin.RoleDeleted, ObjectID: r.ID.String(), Object: roleView(r, st)})
	})
}

func findRole(rows []*ent.Role, name string) *ent.Role {
	for _, r := range rows {
		if r.Name == name {
			return r
		}
	}
	return nil
}

func renameRole(st policy.State, from, to string) {
	if from == to {
		return
	}
	st.Roles[to] = st.Roles[from]
	delete(st.Roles, from)
	st.Conditions[to] = st.Conditions[from]
	delete(st.Conditions, from)
	for sub, roles := range st.Holders {
		for i, r := range roles {
			if r == from {
				st.Holders[sub][i] = to
			}
		}
	}
}

func dedupe(perms []string) []string {
	out := slices.Clone(perms)
	sort.Strings(out)
	return slices.Compact(out)
}

// writeState checks next for lockout, then in one transaction runs extra
// and replaces the tenant's Casbin rules with next's; after commit every
// instance reloads. Only the rules that differ are written.
func (s *Service) writeState(ctx context.Context, cur, next policy.State, extra func(tx *ent.Tx) error) error {
	verr := &ValidationError{}
	checkLockout(next, verr)
	if err := verr.OrNil(); err != nil {
		return err
	}
	v := policy.FromContext(ctx)
	tenant := v.TenantID.String()
	added, removed := diffRules(cur.Rules(tenant), next.Rules(tenant))
	err := s.inTx(ctx, func(tx *ent.Tx) error {
		if extra != nil {
			if err := extra(tx); err != nil {
				return err
			}
		}
		for _, r := range removed {
			if err := entadapter.Delete(ctx, tx.Client(), r.Ptype, 0, r.V...); err != nil {
				return err
			}
		}
		return entadapter.Save(ctx, tx.Client(), added...)
	})
	if err != nil {
		return err
	}
	s.changed(ctx, policyChanged(v.TenantID))
	return nil
}

func diffRules(cur, next []policy.Rule) (added, removed []policy.Rule) {
	key := func(r policy.Rule) string { return r.Ptype + "|" + strings.Join(r.V, "|") }
	in := func(rules []policy.Rule) map[string]policy.Rule {
		m := map[string]policy.Rule{}
		for _, r := range rules {
			m[key(r)] = r
		}
		return m
	}
	c, n := in(cur), in(next)
	for k, r := range n {
		if _, ok := c[k]; !ok {
			added = append(added, r)
		}
	}
	for k, r := range c {
		if _, ok := n[k]; !ok {
			removed = append(removed, r)
		}
	}
	return added, removed
}

// subjectOf names the viewer's tenant's subject for a user or key id.
func userSubject(id uuid.UUID) string { return policy.UserSubject(id.String()) }
