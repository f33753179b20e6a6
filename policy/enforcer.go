package policy

import (
	"fmt"
	"strings"
	"sync"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"
	"github.com/casbin/casbin/v2/persist"
)

// modelText is RBAC with domains (domain = tenant id). Subjects are
// "user:<id>", "key:<id>" and "role:<name>"; objects are dotted permission
// patterns matched by permMatch (see Match). cond is the grant's row
// condition as JSON ("" for none): Casbin decides whether a permission is
// held at all, Conditions which rows it admits.
const modelText = `
[request_definition]
r = sub, dom, obj

[policy_definition]
p = sub, dom, obj, cond

[role_definition]
g = _, _, _

[policy_effect]
e = some(where (p.eft == allow))

[matchers]
m = g(r.sub, p.sub, r.dom) && r.dom == p.dom && permMatch(r.obj, p.obj)
`

// Rule is one stored Casbin line: p (sub, dom, obj, cond) or g (sub, role,
// dom).
type Rule struct {
	Ptype string
	V     []string
}

// PolicyRule and GroupingRule build the two kinds of Rule.
func PolicyRule(role, tenant, pattern, cond string) Rule {
	return Rule{"p", []string{RoleSubject(role), tenant, pattern, cond}}
}
func GroupingRule(subject, role, tenant string) Rule {
	return Rule{"g", []string{subject, RoleSubject(role), tenant}}
}

// Enforcer wraps Casbin. The database is written by the caller inside its own
// transaction (auto-save is off); after commit the caller applies the same
// rules here, so memory never runs ahead of a rolled-back write. Decisions are
// cached until the next change: the hot path never touches the database.
type Enforcer struct {
	e *casbin.SyncedEnforcer

	mu    sync.RWMutex
	cache map[[3]string]Decision
	conds map[[3]string]conditions
	// gen counts invalidations: an answer computed while the rules were
	// changing (a reload under way) is not cached, or it would outlive
	// the invalidation that came after it was read.
	gen uint64
}

type conditions struct {
	list    []Cond
	limited bool
}

// NewEnforcer loads every stored rule through adapter.
func NewEnforcer(adapter persist.Adapter) (*Enforcer, error) {
	m, err := model.NewModelFromString(modelText)
	if err != nil {
		return nil, err
	}
	e, err := casbin.NewSyncedEnforcer(m, adapter)
	if err != nil {
		return nil, fmt.Errorf("load policy: %w", err)
	}
	e.EnableAutoSave(false)
	e.AddFunction("permMatch", func(args ...any) (any, error) {
		perm, _ := args[0].(string)
		pattern, _ := args[1].(string)
		return Match(pattern, perm), nil
	})
	return &Enforcer{e: e, cache: map[[3]string]Decision{}, conds: map[[3]string]conditions{}}, nil
}

// Allowed implements Decider.
func (en *Enforcer) Allowed(subject, tenant, perm string) bool {
	return en.Decide(subject, tenant, perm).Allowed
}

// Decide implements Explainer: whether subject holds perm in tenant and,
// if so, through which role and pattern (the first Casbin rule that
// matches). Cached until the next change, like Allowed.
func (en *Enforcer) Decide(subject, tenant, perm string) Decision {
	k := [3]string{subject, tenant, perm}
	en.mu.RLock()
	d, hit := en.cache[k]
	gen := en.gen
	en.mu.RUnlock()
	if hit {
		return d
	}
	d = Decision{Permission: perm}
	if ok, rule, err := en.e.EnforceEx(subject, tenant, perm); err == nil && ok && len(rule) >= 3 {
		d.Allowed, d.Role, d.Rule = true, strings.TrimPrefix(rule[0], "role:"), rule[2]
	}
	en.mu.Lock()
	if en.gen == gen {
		en.cache[k] = d
	}
	en.mu.Unlock()
	return d
}

// Permissions implements Decider: the patterns the subject holds, through
// its roles, in tenant.
func (en *Enforcer) Permissions(subject, tenant string) []string {
	rules, err := en.e.GetImplicitPermissionsForUser(subject, tenant)
	if err != nil {
		return nil
	}
	out := make([]string, 0, len(rules))
	for _, r := range rules {
		out = append(out, r[2])
	}
	return out
}

// Conditions implements Decider. A grant of perm without a condition
// (an exact grant or a wildcard covering it) makes the subject unlimited;
// a stored condition that no longer parses admits nothing.
func (en *Enforcer) Conditions(subject, tenant, perm string) ([]Cond, bool) {
	k := [3]string{subject, tenant, perm}
	en.mu.RLock()
	c, hit := en.conds[k]
	gen := en.gen
	en.mu.RUnlock()
	if hit {
		return c.list, c.limited
	}
	rules, err := en.e.GetImplicitPermissionsForUser(subject, tenant)
	if err != nil {
		return []Cond{{Or: []Cond{}}}, true
	}
	object := ConditionObject(perm)
	for _, r := range rules {
		if len(r) < 3 || !Match(r[2], perm) {
			continue
		}
		if len(r) < 4 || r[3] == "" {
			c = conditions{}
			break
		}
		cond, err := ParseCondition(object, []byte(r[3]))
		if err != nil {
			cond = Cond{Or: []Cond{}}
		}
		c.list, c.limited = append(c.list, cond), true
	}
	en.mu.Lock()
	if en.gen == gen {
		en.conds[k] = c
	}
	en.mu.Unlock()
	return c.list, c.limited
}

// Roles lists the role names held by subject in tenant.
func (en *Enforcer) Roles(subject, tenant string) []string {
	var out []string
	for _, r := range en.e.GetRolesForUserInDomain(subject, tenant) {
		out = append(out, strings.TrimPrefix(r, "role:"))
	}
	return out
}

// Apply adds rules to memory (after they were committed to the database).
func (en *Enforcer) Apply(rules ...Rule) {
	defer en.invalidate()
	for _, r := range rules {
		if r.Ptype == "g" {
			_, _ = en.e.AddGroupingPolicy(toAny(r.V)...)
		} else {
			_, _ = en.e.AddPolicy(toAny(r.V)...)
		}
	}
}

// RemoveSubject forgets every role assignment of subject in tenant (after the
// rows were deleted from the database).
func (en *Enforcer) RemoveSubject(subject, tenant string) {
	defer en.invalidate()
	_, _ = en.e.RemoveFilteredGroupingPolicy(0, subject, "", tenant)
}

// Reload reads every rule from the database again.
func (en *Enforcer) Reload() error {
	defer en.invalidate()
	return en.e.LoadPolicy()
}

func (en *Enforcer) invalidate() {
	en.mu.Lock()
	en.gen++
	en.cache = map[[3]string]Decision{}
	en.conds = map[[3]string]conditions{}
	en.mu.Unlock()
}

func toAny(v []string) []any {
	out := make([]any, len(v))
	for i, s := range v {
		out[i] = s
	}
	return out
}

// State returns tenant's roles and assignments as Casbin holds them.
func (en *Enforcer) State(tenant string) State {
	s := State{Roles: map[string][]string{}, Holders: map[string][]string{}, Conditions: map[string]map[string]string{}}
	ps, _ := en.e.GetFilteredPolicy(1, tenant)
	for _, r := range ps {
		role := strings.TrimPrefix(r[0], "role:")
		s.Roles[role] = append(s.Roles[role], r[2])
		if len(r) > 3 && r[3] != "" {
			if s.Conditions[role] == nil {
				s.Conditions[role] = map[string]string{}
			}
			s.Conditions[role][r[2]] = r[3]
		}
	}
	gs, _ := en.e.GetFilteredGroupingPolicy(2, tenant)
	for _, r := range gs {
		s.Holders[r[0]] = append(s.Holders[r[0]], strings.TrimPrefix(r[1], "role:"))
	}
	return s
}

// Explain is Allowed with the Casbin rule that decided: (role, pattern).
func (en *Enforcer) Explain(subject, tenant, perm string) (allowed bool, role, pattern string) {
	d := en.Decide(subject, tenant, perm)
	return d.Allowed, d.Role, d.Rule
}
