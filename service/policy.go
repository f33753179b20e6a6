package service

import (
	"context"
	"fmt"
	"slices"
	"sort"

	"github.com/google/uuid"

	"github.com/cienerp/cienerp/ent"
	"github.com/cienerp/cienerp/ent/role"
	"github.com/cienerp/cienerp/modules/admin"
	"github.com/cienerp/cienerp/policy"
)

// PolicyDoc is a tenant's policy as data: its roles and who holds which.
// Export produces it; import makes the tenant's policy equal to it.
type PolicyDoc struct {
	Roles           []PolicyRole       `json:"roles"`
	Members         []PolicyAssignment `json:"members"`
	IntegrationKeys []PolicyAssignment `json:"integration_keys"`
}

// PolicyRole is one role of a PolicyDoc.
type PolicyRole struct {
	Name        string     `json:"name"`
	Description string     `json:"description"`
	Permissions []string   `json:"permissions"`
	Conditions  Conditions `json:"conditions"`
}

// PolicyAssignment gives a member or key its roles. Label (email or key
// name) is informative; import ignores it.
type PolicyAssignment struct {
	ID    uuid.UUID `json:"id"`
	Label string    `json:"label,omitempty"`
	Roles []string  `json:"roles"`
}

// PolicyDiff is what an import changes (or would change).
type PolicyDiff struct {
	RolesCreated       []string          `json:"roles_created"`
	RolesDeleted       []string          `json:"roles_deleted"`
	RolesChanged       []RoleChange      `json:"roles_changed"`
	AssignmentsAdded   []AssignmentDelta `json:"assignments_added"`
	AssignmentsRemoved []AssignmentDelta `json:"assignments_removed"`
}

// RoleChange lists a role's permission and description changes.
type RoleChange struct {
	Name               string   `json:"name"`
	PermissionsAdded   []string `json:"permissions_added"`
	PermissionsRemoved []string `json:"permissions_removed"`
	// ConditionsChanged lists the permissions whose row condition was
	// added, changed or removed.
	ConditionsChanged []string `json:"conditions_changed"`
	Description       *string  `json:"description,omitempty"`
}

// AssignmentDelta is one subject gaining or losing one role.
type AssignmentDelta struct {
	Subject string `json:"subject"`
	Role    string `json:"role"`
}

// Empty reports whether the diff changes nothing.
func (d PolicyDiff) Empty() bool {
	return len(d.RolesCreated)+len(d.RolesDeleted)+len(d.RolesChanged)+len(d.AssignmentsAdded)+len(d.AssignmentsRemoved) == 0
}

// ExportPolicy returns the tenant's policy: roles, members and the keys of
// the viewer's environment.
func (s *Service) ExportPolicy(ctx context.Context) (PolicyDoc, error) {
	st, rows, err := s.tenantState(ctx)
	if err != nil {
		return PolicyDoc{}, err
	}
	doc := PolicyDoc{Roles: []PolicyRole{}, Members: []PolicyAssignment{}, IntegrationKeys: []PolicyAssignment{}}
	for _, r := range rows {
		view := roleView(r, st)
		doc.Roles = append(doc.Roles, PolicyRole{Name: r.Name, Description: r.Description, Permissions: view.Permissions, Conditions: view.Conditions})
	}
	members, err := s.ListMembers(ctx)
	if err != nil {
		return PolicyDoc{}, err
	}
	for _, m := range members {
		doc.Members = append(doc.Members, PolicyAssignment{ID: m.UserID, Label: m.Email, Roles: m.Roles})
	}
	keys, err := s.ListKeys(ctx)
	if err != nil {
		return PolicyDoc{}, err
	}
	for _, k := range keys {
		if k.RevokedAt == nil {
			roles := slices.Clone(k.Roles)
			sort.Strings(roles)
			doc.IntegrationKeys = append(doc.IntegrationKeys, PolicyAssignment{ID: k.ID, Label: k.Name, Roles: roles})
		}
	}
	return doc, nil
}

// ImportPolicy makes the tenant's roles equal to doc's and gives each
// listed member and key exactly its listed roles (others keep theirs, less
// deleted roles). Everything is checked first; then all of it is written in
// one transaction, or nothing is. With dryRun only the diff is returned.
func (s *Service) ImportPolicy(ctx context.Context, doc PolicyDoc, dryRun bool) (PolicyDiff, error) {
	st, next, rows, err := s.planImport(ctx, doc)
	if err != nil {
		return PolicyDiff{}, err
	}
	descriptions := map[string]string{}
	for _, r := range doc.Roles {
		descriptions[r.Name] = r.Description
	}
	diff := diffStates(st, next, rows, descriptions)
	if dryRun || diff.Empty() {
		verr := &ValidationError{}
		checkLockout(next, verr)
		return diff, verr.OrNil()
	}
	v := policy.FromContext(ctx)
	err = s.writeState(ctx, st, next, func(tx *ent.Tx) error {
		for _, name := range diff.RolesDeleted {
			if _, err := tx.Role.Delete().Where(role.Name(name)).Exec(ctx); err != nil {
				return err
			}
		}
		for _, name := range diff.RolesCreated {
			if err := tx.Role.Create().SetName(name).SetDescription(descriptions[name]).Exec(ctx); err != nil {
				return err
			}
		}
		for _, c := range diff.RolesChanged {
			if c.Description != nil {
				if _, err := tx.Role.Update().Where(role.Name(c.Name)).SetDescription(*c.Description).Save(ctx); err != nil {
					return err
				}
			}
		}
		if err := record(ctx, tx, admin.PolicyImported, "tenant", v.TenantID.String(), nil, map[string]any{"changes": diff}); err != nil {
			return err
		}
		return s.emitTenantWide(ctx, tx, change{Type: admin.PolicyImported, ObjectID: v.TenantID.String(), Object: map[string]any{"dry_run": false, "changes": diff}}) // as the import answers
	})
	return diff, err
}

// planImport checks doc and computes the state importing it would leave
// (the import and the policy simulator share it).
func (s *Service) planImport(ctx context.Context, doc PolicyDoc) (st, next policy.State, rows []*ent.Role, err error) {
	st, rows, err = s.tenantState(ctx)
	if err != nil {
		return st, next, nil, err
	}
	verr := &ValidationError{}
	next = policy.State{Roles: map[string][]string{}, Holders: map[string][]string{}, Conditions: map[string]map[string]string{}}
	for i, r := range doc.Roles {
		field := fmt.Sprintf("roles.%d", i)
		switch _, dup := next.Roles[r.Name]; {
		case !roleNameRE.MatchString(r.Name):
			verr.Add(field+".name", "Role names are 1 to 63 lowercase letters, digits and hyphens.")
		case dup:
			verr.Add(field+".name", "Role %q appears twice.", r.Name)
		}
		checkPatterns(field+".permissions", r.Permissions, verr)
		next.Roles[r.Name] = dedupe(r.Permissions)
		next.Conditions[r.Name] = checkConditions(field+".conditions", r.Permissions, r.Conditions, verr)
	}
	for _, r := range rows {
		if _, kept := next.Roles[r.Name]; r.Builtin && !kept {
			verr.Add("roles", "Built-in role %q cannot be removed; list it (its permissions may change).", r.Name)
		}
	}
	for sub, roles := range st.Holders { // unlisted subjects keep surviving roles
		next.Holders[sub] = slices.DeleteFunc(slices.Clone(roles), func(r string) bool { _, ok := next.Roles[r]; return !ok })
	}
	members, err := s.ListMembers(ctx)
	if err != nil {
		return st, next, nil, err
	}
	keys, err := s.ListKeys(ctx)
	if err != nil {
		return st, next, nil, err
	}
	assign := func(field string, list []PolicyAssignment, subject func(uuid.UUID) string, exists func(uuid.UUID) bool) {
		for i, a := range list {
			f := fmt.Sprintf("%s.%d", field, i)
			if !exists(a.ID) {
				verr.Add(f+".id", "%s is not in this tenant%s.", a.ID, map[bool]string{true: " (or environment)", false: ""}[field == "integration_keys"])
				continue
			}
			for _, r := range a.Roles {
				if _, ok := next.Roles[r]; !ok {
					verr.Add(f+".roles", "Role %q is not defined in this document.", r)
				}
			}
			next.Holders[subject(a.ID)] = dedupe(a.Roles)
		}
	}
	assign("members", doc.Members, userSubject, func(id uuid.UUID) bool {
		return slices.ContainsFunc(members, func(m Member) bool { return m.UserID == id })
	})
	assign("integration_keys", doc.IntegrationKeys, func(id uuid.UUID) string { return policy.KeySubject(id.String()) }, func(id uuid.UUID) bool {
		return slices.ContainsFunc(keys, func(k *Key) bool { return k.ID == id })
	})
	if err := verr.OrNil(); err != nil {
		return st, next, nil, err
	}
	return st, next, rows, nil
}

func diffStates(cur, next policy.State, rows []*ent.Role, descriptions map[string]string) PolicyDiff {
	d := PolicyDiff{RolesCreated: []string{}, RolesDeleted: []string{}, RolesChanged: []RoleChange{}, AssignmentsAdded: []AssignmentDelta{}, AssignmentsRemoved: []AssignmentDelta{}}
	for name, perms := range next.Roles {
		old, existed := cur.Roles[name]
		if !existed {
			d.RolesCreated = append(d.RolesCreated, name)
			continue
		}
		c := RoleChange{Name: name, PermissionsAdded: minus(perms, old), PermissionsRemoved: minus(old, perms),
			ConditionsChanged: conditionsDiff(cur.Conditions[name], next.Conditions[name])}
		if r := findRole(rows, name); r != nil && r.Description != descriptions[name] {
			desc := descriptions[name]
			c.Description = &desc
		}
		if len(c.PermissionsAdded)+len(c.PermissionsRemoved)+len(c.ConditionsChanged) > 0 || c.Description != nil {
			d.RolesChanged = append(d.RolesChanged, c)
		}
	}
	for name := range cur.Roles {
		if _, kept := next.Roles[name]; !kept {
			d.RolesDeleted = append(d.RolesDeleted, name)
		}
	}
	subjects := map[string]bool{}
	for s := range cur.Holders {
		subjects[s] = true
	}
	for s := range next.Holders {
		subjects[s] = true
	}
	for s := range subjects {
		for _, r := range minus(next.Holders[s], cur.Holders[s]) {
			d.AssignmentsAdded = append(d.AssignmentsAdded, AssignmentDelta{s, r})
		}
		for _, r := range minus(cur.Holders[s], next.Holders[s]) {
			d.AssignmentsRemoved = append(d.AssignmentsRemoved, AssignmentDelta{s, r})
		}
	}
	sort.Strings(d.RolesCreated)
	sort.Strings(d.RolesDeleted)
	sort.Slice(d.RolesChanged, func(i, j int) bool { return d.RolesChanged[i].Name < d.RolesChanged[j].Name })
	byKey := func(l []AssignmentDelta) func(i, j int) bool {
		return func(i, j int) bool { return l[i].Subject+l[i].Role < l[j].Subject+l[j].Role }
	}
	sort.Slice(d.AssignmentsAdded, byKey(d.AssignmentsAdded))
	sort.Slice(d.AssignmentsRemoved, byKey(d.AssignmentsRemoved))
	return d
}

// minus lists what a has and b lacks, sorted.
func minus(a, b []string) []string {
	out := []string{}
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	sort.Strings(out)
	return slices.Compact(out)
}
