package service

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"

	"entgo.io/ent/dialect/sql"
	"github.com/google/uuid"

	"github.com/cienerp/cienerp/ent"
	"github.com/cienerp/cienerp/ent/requestlog"
	"github.com/cienerp/cienerp/ent/schema"
	"github.com/cienerp/cienerp/modules"
	"github.com/cienerp/cienerp/policy"
)

// The policy simulator: a proposed change decided again on the requests
// the log holds, before anything is saved.

// PolicyChange is a proposed change: exactly one of Role, DeleteRole,
// Member, IntegrationKey and Policy.
type PolicyChange struct {
	// Role sets a role's permissions and/or conditions (a new name is a
	// role nobody holds yet).
	Role *RoleProposal `json:"role,omitempty"`
	// DeleteRole deletes a role (taken from everyone who holds it).
	DeleteRole string `json:"delete_role,omitempty"`
	// Member and IntegrationKey give one member or key exactly these roles.
	Member         *AssignmentProposal `json:"member,omitempty"`
	IntegrationKey *AssignmentProposal `json:"integration_key,omitempty"`
	// Policy imports a whole policy document (POST /admin/policy/import).
	Policy *PolicyDoc `json:"policy,omitempty"`
	// Days of the log to replay (1 to 90, default 7).
	Days int `json:"days,omitempty"`
}

// RoleProposal is a role's proposed permissions and conditions; a field
// left out keeps the role's current value.
type RoleProposal struct {
	Name        string     `json:"name"`
	Permissions []string   `json:"permissions,omitempty"`
	Conditions  Conditions `json:"conditions,omitempty"`
}

// AssignmentProposal is a member's (user id) or key's proposed roles.
type AssignmentProposal struct {
	ID    uuid.UUID `json:"id"`
	Roles []string  `json:"roles"`
}

// Simulation is what the change would do.
type Simulation struct {
	Since            time.Time `json:"since"`
	Until            time.Time `json:"until"`
	RequestsExamined int       `json:"requests_examined"`
	RequestsAffected int       `json:"requests_affected"`
	// Changes are the credentials × routes whose decision would flip.
	Changes []DecisionShift `json:"changes"`
	// Rows are, per credential holding an affected role and object type,
	// how many objects it sees today and would see after the change (in
	// the caller's environment).
	Rows    []RowShift `json:"rows"`
	Summary string     `json:"summary"`
}

// DecisionShift is one credential's requests of one route that would be
// decided the other way.
type DecisionShift struct {
	Credential       string     `json:"credential"`
	KeyID            *uuid.UUID `json:"key_id"`
	KeyName          string     `json:"key_name"`
	UserID           *uuid.UUID `json:"user_id"`
	UserEmail        string     `json:"user_email"`
	Environment      policy.Env `json:"environment"`
	Method           string     `json:"method"`
	Route            string     `json:"route"`
	Operation        string     `json:"operation"`
	From             string     `json:"from"`
	To               string     `json:"to"`
	Permission       string     `json:"permission"`
	Requests         int        `json:"requests"`
	ExampleRequestID string     `json:"example_request_id"`
	LastSeenAt       time.Time  `json:"last_seen_at"`
}

// RowShift is one credential's view of one object type before and after.
type RowShift struct {
	Credential string   `json:"credential"`
	Label      string   `json:"label"` // the member's email or the key's name
	Roles      []string `json:"roles"`
	Object     string   `json:"object"`
	Before     int      `json:"before"`
	After      int      `json:"after"`
	Stop       int      `json:"stop"`
	Start      int      `json:"start"`
}

// maxRowSubjects bounds the credentials whose rows are counted.
const maxRowSubjects = 50

// SimulatePolicy decides the logged requests of the last Days (both
// environments: roles are tenant-wide) under the tenant's policy as it is
// and as the change would leave it, and counts the rows each credential
// whose view changes would stop or start seeing.
func (s *Service) SimulatePolicy(ctx context.Context, ch PolicyChange) (Simulation, error) {
	days := ch.Days
	if days == 0 {
		days = 7
	}
	if days < 1 || days > int(RequestLogWindowMax.Hours()/24) {
		return Simulation{}, Invalid("days", "Days must be between 1 and %d.", int(RequestLogWindowMax.Hours()/24))
	}
	st, next, err := s.proposedState(ctx, ch)
	if err != nil {
		return Simulation{}, err
	}
	sim := Simulation{Until: schema.Now(), Changes: []DecisionShift{}, Rows: []RowShift{}}
	sim.Since = sim.Until.AddDate(0, 0, -days)
	v := policy.FromContext(ctx)
	for _, env := range []policy.Env{policy.Live, policy.Sandbox} {
		// The same tenant and credential in each environment: roles, and
		// the permission to read the log, are tenant-wide.
		as := *v
		as.Env, as.Checks = env, nil
		// Those who manage the policy see which credentials and routes it
		// decides, with or without settings.request-logs.view.
		actx := schema.BypassPermissions(policy.NewContext(ctx, &as), "the simulator decides the logged requests again; it answers per credential and route")
		groups, err := s.loggedDecisions(actx, sim.Since, sim.Until)
		if err != nil {
			return Simulation{}, err
		}
		for _, g := range groups {
			sim.RequestsExamined += g.Count
			before, _ := decideAll(st, g.Subject, g.Permissions)
			after, perm := decideAll(next, g.Subject, g.Permissions)
			if before == after {
				continue
			}
			if perm == "" {
				_, perm = decideAll(st, g.Subject, g.Permissions)
			}
			sim.RequestsAffected += g.Count
			sim.Changes = append(sim.Changes, DecisionShift{
				Credential: g.Subject, KeyID: g.KeyID, KeyName: g.KeyName, UserID: g.UserID, UserEmail: g.UserEmail,
				Environment: env, Method: g.Method, Route: g.Route, Operation: g.Operation, From: word(before), To: word(after),
				Permission: perm, Requests: g.Count, ExampleRequestID: g.Example, LastSeenAt: dbTime(g.Last),
			})
		}
	}
	sort.SliceStable(sim.Changes, func(i, j int) bool { return sim.Changes[i].Requests > sim.Changes[j].Requests })
	if sim.Rows, err = s.rowShifts(ctx, st, next); err != nil {
		return Simulation{}, err
	}
	sim.Summary = summary(sim)
	return sim, nil
}

func word(allowed bool) string {
	if allowed {
		return "allowed"
	}
	return "denied"
}

func summary(sim Simulation) string {
	parts := []string{}
	if len(sim.Changes) == 0 {
		parts = append(parts, fmt.Sprintf("No logged request is affected (%d examined).", sim.RequestsExamined))
	} else {
		creds := map[string]bool{}
		for _, c := range sim.Changes {
			creds[c.Credential] = true
		}
		parts = append(parts, fmt.Sprintf("%d of %d logged requests would be decided the other way, for %s.", sim.RequestsAffected, sim.RequestsExamined, plural(len(creds), "credential")))
	}
	if n := len(sim.Rows); n > 0 {
		parts = append(parts, fmt.Sprintf("Today's objects: %s change.", plural(n, "credential × object type view")))
	}
	return strings.Join(parts, " ")
}

// plural is "1 thing" or "n things".
func plural(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return fmt.Sprintf("%d %ss", n, thing)
}

// decideAll reports whether subject holds every permission in st, and the
// first it lacks.
func decideAll(st policy.State, subject string, perms []string) (bool, string) {
	for _, p := range perms {
		if _, _, ok := st.Decide(subject, p); !ok {
			return false, p
		}
	}
	return true, ""
}

// loggedGroup is the logged requests of one credential, route and set of
// required permissions.
type loggedGroup struct {
	Subject     string
	KeyID       *uuid.UUID
	KeyName     string
	UserID      *uuid.UUID
	UserEmail   string
	Method      string
	Route       string
	Operation   string
	Permissions []string
	Count       int
	Example     string
	Last        any
}

// maxLoggedGroups bounds the groups one simulation decides.
const maxLoggedGroups = 10_000

// loggedDecisions groups the window's requests of ctx's environment that
// required a permission.
func (s *Service) loggedDecisions(ctx context.Context, since, until time.Time) ([]loggedGroup, error) {
	var rows []struct {
		Subject     string     `json:"subject"`
		KeyID       *uuid.UUID `json:"key_id"`
		KeyName     string     `json:"key_name"`
		UserID      *uuid.UUID `json:"user_id"`
		UserEmail   string     `json:"user_email"`
		Method      string     `json:"method"`
		Route       string     `json:"route"`
		Operation   string     `json:"operation"`
		Permissions string     `json:"permissions"`
		Count       int        `json:"n"`
		Example     string     `json:"example"`
		Last        any        `json:"last"`
	}
	err := s.Client.RequestLog.Query().Where(requestlog.CreatedAtGTE(since), requestlog.CreatedAtLT(until), requestlog.PermissionsNEQ("")).
		Modify(func(sel *sql.Selector) {
			cols := []string{}
			for _, f := range []string{requestlog.FieldSubject, requestlog.FieldKeyID, requestlog.FieldKeyName, requestlog.FieldUserID,
				requestlog.FieldUserEmail, requestlog.FieldMethod, requestlog.FieldRoute, requestlog.FieldOperation, requestlog.FieldPermissions} {
				cols = append(cols, sel.C(f))
			}
			sel.Select(append(slices.Clone(cols), sql.As(sql.Count("*"), "n"), sql.As(sql.Max(sel.C(requestlog.FieldRequestID)), "example"),
				sql.As(sql.Max(sel.C(requestlog.FieldCreatedAt)), "last"))...).GroupBy(cols...).Limit(maxLoggedGroups)
		}).Scan(ctx, &rows)
	if err != nil {
		return nil, err
	}
	out := make([]loggedGroup, 0, len(rows))
	for _, r := range rows {
		out = append(out, loggedGroup{Subject: r.Subject, KeyID: r.KeyID, KeyName: r.KeyName, UserID: r.UserID, UserEmail: r.UserEmail,
			Method: r.Method, Route: r.Route, Operation: r.Operation, Permissions: strings.Split(r.Permissions, ","), Count: r.Count, Example: r.Example, Last: r.Last})
	}
	return out, nil
}

// rowShifts counts, for every credential whose view of an object type
// differs between st and next, the rows it sees before and after.
func (s *Service) rowShifts(ctx context.Context, st, next policy.State) ([]RowShift, error) {
	v := policy.FromContext(ctx)
	subjects := map[string]bool{}
	for sub := range st.Holders {
		subjects[sub] = true
	}
	for sub := range next.Holders {
		subjects[sub] = true
	}
	out := []RowShift{}
	counted := 0
	labels := map[string]string{}
	if keys, err := s.ListKeys(ctx); err == nil {
		for _, k := range keys {
			labels[policy.KeySubject(k.ID.String())] = k.Name
		}
	}
	for _, sub := range slices.Sorted(maps.Keys(subjects)) {
		if counted >= maxRowSubjects {
			break
		}
		base, err := s.subjectViewer(ctx, s.Client, v.TenantID, v.Env, sub)
		if err != nil {
			return nil, err
		}
		before, after := *base, *base
		before.Decider, after.Decider = st.Decider(), next.Decider()
		changed := false
		for _, object := range schema.BoundTypes() {
			if sameView(&before, &after, object) {
				continue
			}
			changed = true
			b, a, stop, start, err := schema.Shift(ctx, s.Client, object, &before, &after)
			if err != nil {
				return nil, err
			}
			if stop == 0 && start == 0 {
				continue // a different rule that admits the same rows today
			}
			roles := slices.Clone(next.Holders[sub])
			if len(roles) == 0 {
				roles = slices.Clone(st.Holders[sub])
			}
			label := cmp.Or(base.Email, labels[sub], sub)
			out = append(out, RowShift{Credential: sub, Label: label, Roles: roles, Object: object, Before: b, After: a, Stop: stop, Start: start})
		}
		if changed {
			counted++
		}
	}
	return out, nil
}

// sameView reports whether a and b see the same rows of object: the same
// view permission, conditions and gates.
func sameView(a, b *policy.Viewer, object string) bool {
	obj := modules.Objects()[object]
	if a.Can(obj.View) != b.Can(obj.View) {
		return false
	}
	ca, la := a.Conditions(obj.View)
	cb, lb := b.Conditions(obj.View)
	if la != lb || fmt.Sprint(ca) != fmt.Sprint(cb) {
		return false
	}
	for _, g := range obj.Gates {
		if a.Can(g.Permission) != b.Can(g.Permission) {
			return false
		}
	}
	return true
}

// proposedState is the tenant's state and the one ch would leave, checked
// as the change itself would be.
func (s *Service) proposedState(ctx context.Context, ch PolicyChange) (st, next policy.State, err error) {
	set := 0
	for _, on := range []bool{ch.Role != nil, ch.DeleteRole != "", ch.Member != nil, ch.IntegrationKey != nil, ch.Policy != nil} {
		if on {
			set++
		}
	}
	if set != 1 {
		return st, next, Invalid("change", "Propose exactly one change: role, delete_role, member, integration_key or policy.")
	}
	if ch.Policy != nil {
		st, next, _, err = s.planImport(ctx, *ch.Policy)
		return st, next, err
	}
	st, rows, err := s.tenantState(ctx)
	if err != nil {
		return st, next, err
	}
	next = st.Clone()
	verr := &ValidationError{}
	switch {
	case ch.Role != nil:
		r := ch.Role
		if !roleNameRE.MatchString(r.Name) {
			verr.Add("role.name", "Role names are 1 to 63 lowercase letters, digits and hyphens.")
		}
		perms := st.Roles[r.Name]
		if r.Permissions != nil {
			checkPatterns("role.permissions", r.Permissions, verr)
			perms = r.Permissions
		}
		conds := keepConditions(st.Conditions[r.Name], perms)
		if r.Conditions != nil {
			conds = checkConditions("role.conditions", perms, r.Conditions, verr)
		}
		next.Roles[r.Name], next.Conditions[r.Name] = dedupe(perms), conds
	case ch.DeleteRole != "":
		r := findRole(rows, ch.DeleteRole)
		switch {
		case r == nil:
			verr.Add("delete_role", "Role %q does not exist in this tenant.", ch.DeleteRole)
		case r.Builtin:
			verr.Add("delete_role", "Built-in role %q can be edited but not deleted.", ch.DeleteRole)
		}
		delete(next.Roles, ch.DeleteRole)
		for sub, roles := range next.Holders {
			next.Holders[sub] = slices.DeleteFunc(slices.Clone(roles), func(x string) bool { return x == ch.DeleteRole })
		}
	case ch.Member != nil:
		if _, err := s.member(ctx, ch.Member.ID); err != nil {
			var nf *NotFoundError
			if !errors.As(err, &nf) && !ent.IsNotFound(err) {
				return st, next, err
			}
			verr.Add("member.id", "No member %s in this tenant.", ch.Member.ID)
		}
		checkRolesExist("member.roles", ch.Member.Roles, st, verr)
		next.Holders[userSubject(ch.Member.ID)] = dedupe(ch.Member.Roles)
	case ch.IntegrationKey != nil:
		if _, err := s.getKey(ctx, ch.IntegrationKey.ID); err != nil {
			var nf *NotFoundError
			if !errors.As(err, &nf) && !ent.IsNotFound(err) {
				return st, next, err
			}
			verr.Add("integration_key.id", "No integration key %s in this tenant and environment.", ch.IntegrationKey.ID)
		}
		checkRolesExist("integration_key.roles", ch.IntegrationKey.Roles, st, verr)
		next.Holders[policy.KeySubject(ch.IntegrationKey.ID.String())] = dedupe(ch.IntegrationKey.Roles)
	}
	return st, next, verr.OrNil()
}
