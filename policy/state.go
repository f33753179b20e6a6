package policy

import (
	"maps"
	"slices"
	"sort"
	"strings"
)

// State is one tenant's policy in memory: what each role grants and which
// roles each subject holds. Changes are tried on a copy and checked (for
// lockout) before anything is written.
type State struct {
	Roles   map[string][]string // role name -> permission patterns
	Holders map[string][]string // subject -> role names
	// Conditions: role name -> permission -> its row condition (JSON).
	Conditions map[string]map[string]string
}

// Clone returns a deep copy.
func (s State) Clone() State {
	c := State{Roles: map[string][]string{}, Holders: map[string][]string{}, Conditions: map[string]map[string]string{}}
	for k, v := range s.Conditions {
		c.Conditions[k] = maps.Clone(v)
	}
	for k, v := range s.Roles {
		c.Roles[k] = slices.Clone(v)
	}
	for k, v := range s.Holders {
		c.Holders[k] = slices.Clone(v)
	}
	return c
}

// Decide reports whether subject holds perm, and through which role and
// pattern.
func (s State) Decide(subject, perm string) (role, pattern string, ok bool) {
	roles := slices.Clone(s.Holders[subject])
	sort.Strings(roles)
	for _, r := range roles {
		for _, p := range s.Roles[r] {
			if Match(p, perm) {
				return r, p, true
			}
		}
	}
	return "", "", false
}

// UsersHolding lists the user subjects that hold perm.
func (s State) UsersHolding(perm string) []string {
	var out []string
	for sub := range s.Holders {
		if strings.HasPrefix(sub, "user:") {
			if _, _, ok := s.Decide(sub, perm); ok {
				out = append(out, sub)
			}
		}
	}
	sort.Strings(out)
	return out
}

// Rules renders the state as Casbin rules of tenant.
func (s State) Rules(tenant string) []Rule {
	var out []Rule
	for role, perms := range s.Roles {
		for _, p := range perms {
			out = append(out, PolicyRule(role, tenant, p, s.Conditions[role][p]))
		}
	}
	for sub, roles := range s.Holders {
		for _, r := range roles {
			out = append(out, GroupingRule(sub, r, tenant))
		}
	}
	return out
}

// ChangeKind names what changed.
type ChangeKind string

const (
	ChangedPolicy ChangeKind = "policy" // roles, rules or assignments of a tenant
	ChangedKey    ChangeKind = "key"    // an integration key (revoked, rolled)
	ChangedUser   ChangeKind = "user"   // a user's status or memberships
	ChangedTenant ChangeKind = "tenant" // a tenant's status or limits
)

// Change tells every instance what to drop from its caches.
type Change struct {
	Kind ChangeKind `json:"kind"`
	ID   string     `json:"id"`
}

// Decider answers from s as the enforcer would from the same rules: the
// policy simulator decides logged requests, and counts rows, under a
// proposed state exactly as requests would be decided under it.
func (s State) Decider() Decider { return stateDecider{s} }

type stateDecider struct{ s State }

func (d stateDecider) Allowed(subject, _, perm string) bool {
	_, _, ok := d.s.Decide(subject, perm)
	return ok
}

func (d stateDecider) Permissions(subject, _ string) []string {
	var out []string
	for _, r := range d.s.Holders[subject] {
		out = append(out, d.s.Roles[r]...)
	}
	return out
}

// Conditions follows Enforcer.Conditions: a matching grant without a
// condition makes the subject unlimited; an unparsable one admits nothing.
func (d stateDecider) Conditions(subject, _, perm string) ([]Cond, bool) {
	var list []Cond
	object := ConditionObject(perm)
	for _, r := range d.s.Holders[subject] {
		for _, p := range d.s.Roles[r] {
			if !Match(p, perm) {
				continue
			}
			raw := d.s.Conditions[r][p]
			if raw == "" {
				return nil, false
			}
			c, err := ParseCondition(object, []byte(raw))
			if err != nil {
				c = Cond{Or: []Cond{}}
			}
			list = append(list, c)
		}
	}
	return list, len(list) > 0
}
