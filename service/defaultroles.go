package service

import (
	"context"
	"slices"

	"github.com/cienerp/cienerp/ent"
	"github.com/cienerp/cienerp/ent/role"
	"github.com/cienerp/cienerp/ent/schema"
	"github.com/cienerp/cienerp/modules"
	"github.com/cienerp/cienerp/policy"
	"github.com/cienerp/cienerp/policy/entadapter"
)

// AddDefaultRoles gives every tenant the default roles it lacks (a role
// added to the platform, such as requester), with their grants and
// conditions. It adds, never changes what an admin set: existing roles
// keep their permissions, except that a tenant that gains a role here
// for the first time also gets, on each role holding an object's view
// permission by name, the permissions of that object's field groups and
// gates — the fields and rows those roles saw before stay visible. It
// finds nothing to do once done. It returns the roles created.
func (s *Service) AddDefaultRoles(ctx context.Context) (int, error) {
	sys := schema.Bypass(ctx, "start-up: the platform adds the default roles a tenant lacks")
	tenants, err := s.Client.Tenant.Query().All(sys)
	if err != nil {
		return 0, err
	}
	created := 0
	for _, t := range tenants {
		tenant := t.ID.String()
		names, err := s.Client.Role.Query().Where(role.TenantID(t.ID)).Select(role.FieldName).Strings(sys)
		if err != nil {
			return created, err
		}
		var missing []policy.Role
		for _, r := range policy.DefaultRoles() {
			if !slices.Contains(names, r.Name) {
				missing = append(missing, r)
			}
		}
		if len(missing) == 0 {
			continue
		}
		var rules []policy.Rule
		for _, r := range missing {
			for _, p := range r.Permissions {
				rules = append(rules, policy.PolicyRule(r.Name, tenant, p, r.Conditions[p]))
			}
		}
		st := s.Enforcer.State(tenant)
		added := map[string]bool{} // ticket and comment share a view permission
		for name, perms := range st.Roles {
			for _, o := range modules.Objects() {
				var guards []string
				for _, g := range o.FieldGroups {
					guards = append(guards, g.Permission)
				}
				for _, g := range o.Gates {
					guards = append(guards, g.Permission)
				}
				for _, g := range guards {
					if slices.Contains(perms, o.View) && !covered(perms, g) && !added[name+" "+g] {
						added[name+" "+g] = true
						rules = append(rules, policy.PolicyRule(name, tenant, g, ""))
					}
				}
			}
		}
		err = s.inTx(sys, func(tx *ent.Tx) error {
			for _, r := range missing {
				if err := tx.Role.Create().SetTenantID(t.ID).SetName(r.Name).SetDescription(r.Description).SetBuiltin(true).Exec(sys); err != nil {
					return err
				}
			}
			return entadapter.Save(sys, tx.Client(), rules...)
		})
		if err != nil {
			return created, err
		}
		created += len(missing)
		s.changed(ctx, policyChanged(t.ID))
	}
	return created, nil
}

// covered reports whether one of patterns grants perm.
func covered(patterns []string, perm string) bool {
	return slices.ContainsFunc(patterns, func(p string) bool { return policy.Match(p, perm) })
}
