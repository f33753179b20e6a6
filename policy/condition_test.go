package policy

import (
	"errors"
	"strings"
	"testing"

	"github.com/cienerp/cienerp/modules"
)

func TestConditionErrorsNameWhatIsWrong(t *testing.T) {
	for _, c := range []struct{ object, cond, want string }{
		{"ticket", `{"requester": {"_eq": "$user"}}`, `unknown field "requester"`},
		{"ticket", `{"requester_id": {"_like": "$user"}}`, `unknown operator "_like"`},
		{"ticket", `{"requester_id": {"_eq": "$me"}}`, `unknown variable "$me"`},
		{"ticket", `{"status": {"_eq": "lost"}}`, "status is one of open"},
		{"ticket", `{"status": {"_gt": "open"}}`, "compares dates and numbers"},
		{"ticket", `{"priority": {"_in": []}}`, "array of 1 to"},
		{"ticket", `{"_xor": []}`, `unknown operator "_xor"`},
		{"ticket", `[]`, "expected a non-empty object"},
		{"ticket", `{"created_at": {"_lt": "yesterday"}}`, "takes a date"},
		{"ticket", `{"requester_id": {"_eq": "$user.email"}}`, "cannot be compared with requester_id"},
		{"payment", `{"invoice": {"customer": {"_eq": "x"}}}`, `unknown field "customer"`},
		{"payment", `{"invoice": {"customer_id": {"_eq": "not-a-uuid"}}}`, "give a UUID"},
		{"ticket_comment", `{"ticket": {"requester_id": {"_eq": "$user"}}}`, `unknown field "ticket"`},
		{"ticket", `{"_and": [{"_and": [{"_and": [{"_and": [{"_and": [{"_and": [{"status": {"_eq": "open"}}]}]}]}]}]}]}`, "nest at most"},
		{"ticket", `{"title": {"_eq": "x"}}`, "conditions on ticket may name requester_id, assignee_id"},
	} {
		_, err := ParseCondition(c.object, []byte(c.cond))
		var ce *ConditionError
		if !errors.As(err, &ce) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s %s: %v, want an error saying %q", c.object, c.cond, err, c.want)
		}
	}
	for _, c := range []struct{ object, cond string }{
		{"ticket", `{"requester_id": {"_eq": "$user"}, "status": {"_nin": ["closed", "resolved"]}}`},
		{"ticket", `{"_or": [{"assignee_id": {"_null": true}}, {"assignee_id": {"_eq": "$user"}}]}`},
		{"payment", `{"invoice": {"customer_id": {"_eq": "0191e8a4-7b1c-7cc3-9d43-1a1e6c5a9f00"}}}`},
		{"document", `{"_not": {"category": {"_eq": "hr"}}, "size": {"_lte": 1048576}}`},
		{"invoice", `{"due_date": {"_gte": "2026-01-01"}, "created_by": {"_eq": "$user"}}`},
	} {
		if _, err := ParseCondition(c.object, []byte(c.cond)); err != nil {
			t.Errorf("%s %s: %v", c.object, c.cond, err)
		}
	}
}

// Every default role's condition parses against its permission's object,
// on a permission the role grants.
func TestDefaultConditionsAreValid(t *testing.T) {
	n := 0
	for _, r := range DefaultRoles() {
		for perm, cond := range r.Conditions {
			n++
			if !contains(r.Permissions, perm) {
				t.Errorf("%s: a condition on %s, which it does not grant", r.Name, perm)
			}
			if _, err := ParseCondition(ConditionObject(perm), []byte(cond)); err != nil {
				t.Errorf("%s %s: %v", r.Name, perm, err)
			}
		}
	}
	if n < 8 {
		t.Fatalf("only %d default conditions (requester and cashier have 8)", n)
	}
	for t2, o := range modules.Objects() {
		if o.Within != nil && ConditionObject(o.View) != o.Within.Object {
			t.Errorf("%s is seen within %s, but its view permission %s acts on %q", t2, o.Within.Object, o.View, ConditionObject(o.View))
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestMatchesIsTwoValued(t *testing.T) {
	c, err := ParseCondition("ticket", []byte(`{"_not": {"assignee_id": {"_eq": "$user"}}}`))
	if err != nil {
		t.Fatal(err)
	}
	row := func(assignee any) func([]string) any {
		return func(p []string) any { return map[string]any{"assignee_id": assignee}[p[0]] }
	}
	me := Actor{UserID: "0191e8a4-7b1c-7cc3-9d43-1a1e6c5a9f00"}
	if !Matches([]Cond{c}, row(nil), me) {
		t.Error("an unassigned ticket is not assigned to me")
	}
	if Matches([]Cond{c}, row(me.UserID), me) {
		t.Error("my ticket passed _not of mine")
	}
	if Matches([]Cond{c}, row(nil), Actor{}) {
		t.Error("a condition naming $user matched a key")
	}
}
