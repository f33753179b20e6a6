package service

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"sort"

	"github.com/cienerp/cienerp/ent/schema"
	"github.com/cienerp/cienerp/policy"
)

// Condition is one row condition as JSON (README "Permissions").
type Condition json.RawMessage

func (c Condition) MarshalJSON() ([]byte, error) {
	if len(c) == 0 {
		return []byte("null"), nil
	}
	return c, nil
}

func (c *Condition) UnmarshalJSON(b []byte) error {
	*c = append((*c)[:0], b...)
	return nil
}

// MarshalGQL writes the condition as a GraphQL value (its JSON).
func (c Condition) MarshalGQL(w io.Writer) { b, _ := c.MarshalJSON(); _, _ = w.Write(b) }

// UnmarshalGQL reads a GraphQL object value as a condition.
func (c *Condition) UnmarshalGQL(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("a condition is an object such as {requester_id: {_eq: \"$user\"}}")
	}
	*c = b
	return nil
}

// Conditions maps a role's permissions to their row conditions, as the API
// shows and takes them: {"it-support.tickets.view": {"requester_id": {"_eq": "$user"}}}.
type Conditions map[string]Condition

// MarshalGQL writes the map as a GraphQL object value.
func (cs Conditions) MarshalGQL(w io.Writer) { b, _ := json.Marshal(cs); _, _ = w.Write(b) }

// UnmarshalGQL reads a GraphQL object value of permission → condition.
func (cs *Conditions) UnmarshalGQL(v any) error {
	m, ok := v.(map[string]any)
	if !ok {
		return fmt.Errorf("conditions are an object of permission → condition")
	}
	*cs = Conditions{}
	for perm, c := range m {
		b, err := json.Marshal(c)
		if err != nil {
			return err
		}
		(*cs)[perm] = b
	}
	return nil
}

// checkConditions validates conds against the role's permissions and
// returns them as stored (compact JSON). A condition attaches to one
// permission the role grants by its exact name, and that permission must
// act on objects (policy.ConditionObject).
func checkConditions(field string, perms []string, conds Conditions, verr *ValidationError) map[string]string {
	out := map[string]string{}
	for _, perm := range slices.Sorted(maps.Keys(conds)) {
		raw := conds[perm]
		at := field + "." + perm
		object := policy.ConditionObject(perm)
		switch {
		case !slices.Contains(perms, perm):
			verr.Add(at, "A condition attaches to a permission the role grants by its exact name; %q is not in its permissions.", perm)
			continue
		case object == "":
			verr.Add(at, "The permission %s takes no condition: it does not act on rows. Permissions that do are marked with their object in GET /api/permissions.", perm)
			continue
		}
		if string(raw) == "null" { // null removes the condition
			continue
		}
		if _, err := policy.ParseCondition(object, raw); err != nil {
			verr.Add(at, "%s", conditionProblem(err))
			continue
		}
		compact, err := policy.CompactCondition(raw)
		if err != nil {
			verr.Add(at, "The condition is not valid JSON.")
			continue
		}
		out[perm] = compact
	}
	return out
}

// conditionProblem words a condition's parse error for a 422: where in
// the condition, and what is wrong.
func conditionProblem(err error) string {
	var ce *policy.ConditionError
	if errors.As(err, &ce) && ce.Path != "" {
		return fmt.Sprintf("At %s: %s.", ce.Path, ce.Msg)
	}
	return err.Error() + "."
}

// conditionsView renders stored conditions for the API.
func conditionsView(stored map[string]string) Conditions {
	out := Conditions{}
	for perm, c := range stored {
		out[perm] = Condition(c)
	}
	return out
}

// keepConditions drops the conditions of permissions no longer granted.
func keepConditions(stored map[string]string, perms []string) map[string]string {
	out := map[string]string{}
	for p, c := range stored {
		if slices.Contains(perms, p) {
			out[p] = c
		}
	}
	return out
}

// conditionsDiff lists the permissions whose condition differs.
func conditionsDiff(a, b map[string]string) []string {
	out := []string{}
	for p, c := range a {
		if b[p] != c {
			out = append(out, p)
		}
	}
	for p := range b {
		if _, ok := a[p]; !ok {
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return slices.Compact(out)
}

// ConditionPreview is what a condition would admit: Matching of Total
// objects of its permission's type, for the subject it was previewed as.
type ConditionPreview struct {
	Object   string `json:"object"`
	Subject  string `json:"subject"`
	Matching int    `json:"matching"`
	Total    int    `json:"total"`
}

// PreviewCondition checks a condition on perm and counts what it would
// admit in this environment, as subject (a member or key, as explain takes
// it; the caller when empty): $user is that subject's.
func (s *Service) PreviewCondition(ctx context.Context, perm string, cond Condition, subject string) (ConditionPreview, error) {
	verr := &ValidationError{}
	object := policy.ConditionObject(perm)
	if object == "" {
		verr.Add("permission", "%q takes no condition: it does not act on rows (GET /api/permissions marks those that do with their object).", perm)
	}
	v := policy.FromContext(ctx)
	sub := v.Subject
	if subject != "" {
		var err error
		if sub, err = s.resolveSubject(ctx, subject); err != nil {
			return ConditionPreview{}, err
		}
		if sub == "" {
			verr.Add("subject", "No member or integration key %q in this tenant.", subject)
		}
	}
	if err := verr.OrNil(); err != nil {
		return ConditionPreview{}, err
	}
	parsed, err := policy.ParseCondition(object, cond)
	if err != nil {
		return ConditionPreview{}, Invalid("condition", "%s", conditionProblem(err))
	}
	as, err := s.subjectViewer(ctx, s.Client, v.TenantID, v.Env, sub)
	if err != nil {
		return ConditionPreview{}, err
	}
	matching, total, err := schema.Preview(ctx, s.Client, perm, parsed, as.Actor())
	if err != nil {
		return ConditionPreview{}, err
	}
	return ConditionPreview{Object: object, Subject: sub, Matching: matching, Total: total}, nil
}
