package policy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/cienerp/cienerp/module"
	"github.com/cienerp/cienerp/modules"
)

// A row condition limits a grant to the objects that pass it. Its JSON is
// Directus' and Hasura's filter shape:
//
//	{"requester_id": {"_eq": "$user"}}
//	{"_or": [{"status": {"_in": ["open", "on_hold"]}}, {"priority": {"_eq": "urgent"}}]}
//	{"invoice": {"customer_id": {"_eq": "6f0c…"}}}   (a direct relation's field)
//	{"_not": {"category": {"_eq": "hr"}}}
//
// An object with several keys is their conjunction. Fields are the ones the
// object declares (module.Object.Fields); $user is the acting user's id
// (its subject for created_by-like fields) and $user.email its email. A
// condition naming $user matches nothing for an integration key.

// Condition operators.
const (
	OpEq  = "_eq"
	OpNeq = "_neq"
	OpIn  = "_in"
	OpNin = "_nin"
	OpNul = "_null"
	OpLt  = "_lt"
	OpLte = "_lte"
	OpGt  = "_gt"
	OpGte = "_gte"
)

// Variables a condition may name.
const (
	VarUser      = "$user"
	VarUserEmail = "$user.email"
)

// Limits on one condition (README "Permissions").
const (
	MaxConditionBytes = 4096
	MaxConditionNodes = 40
	MaxConditionDepth = 6
	MaxConditionList  = 100
)

var (
	operators = []string{OpEq, OpNeq, OpIn, OpNin, OpNul, OpLt, OpLte, OpGt, OpGte}
	ordered   = []string{OpLt, OpLte, OpGt, OpGte}
)

// Cond is a parsed row condition: exactly one of And, Or, Not or a
// comparison (Path, Op, Value) is set.
type Cond struct {
	And  []Cond
	Or   []Cond
	Not  *Cond
	Path []string // ["requester_id"] or ["invoice", "customer_id"]
	Kind module.Kind
	Op   string
	// Value is a string (ids, subjects, enums, strings, emails, variables),
	// time.Time, int64, bool, or a []any of those for _in/_nin; for _null
	// a bool.
	Value any
}

// ConditionError says where a condition is wrong, in words for a 422.
type ConditionError struct {
	Path string // "requester_id._eq"
	Msg  string
}

func (e *ConditionError) Error() string {
	if e.Path == "" {
		return e.Msg
	}
	return e.Path + ": " + e.Msg
}

// ConditionObject is the object type whose fields a condition on perm may
// name ("" when perm takes no condition).
func ConditionObject(perm string) string { return permissionObjects[perm] }

var permissionObjects = func() map[string]string {
	out := map[string]string{}
	for _, m := range modules.All() {
		for _, p := range m.Permissions {
			out[p.Name] = p.Object
		}
	}
	return out
}()

// ParseCondition reads a condition on objectType's fields.
func ParseCondition(objectType string, raw []byte) (Cond, error) {
	if len(raw) > MaxConditionBytes {
		return Cond{}, &ConditionError{Msg: fmt.Sprintf("a condition is at most %d bytes of JSON", MaxConditionBytes)}
	}
	obj, ok := modules.Objects()[objectType]
	if !ok {
		return Cond{}, &ConditionError{Msg: fmt.Sprintf("objects of type %q take no conditions", objectType)}
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return Cond{}, &ConditionError{Msg: "a condition is a JSON object such as {\"requester_id\": {\"_eq\": \"$user\"}}"}
	}
	p := parser{}
	c, err := p.node(obj, v, "", 1, true)
	if err != nil {
		return Cond{}, err
	}
	if p.nodes > MaxConditionNodes {
		return Cond{}, &ConditionError{Msg: fmt.Sprintf("a condition has at most %d comparisons and operators", MaxConditionNodes)}
	}
	return c, nil
}

type parser struct{ nodes int }

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// node parses an object: its keys are combined with and.
func (p *parser) node(obj module.Object, v any, path string, depth int, relations bool) (Cond, error) {
	p.nodes++
	if depth > MaxConditionDepth {
		return Cond{}, &ConditionError{Path: path, Msg: fmt.Sprintf("conditions nest at most %d levels", MaxConditionDepth)}
	}
	m, ok := v.(map[string]any)
	if !ok || len(m) == 0 {
		return Cond{}, &ConditionError{Path: path, Msg: "expected a non-empty object of fields and _and, _or, _not"}
	}
	var parts []Cond
	for _, k := range sortedKeys(m) {
		val, at := m[k], join(path, k)
		switch k {
		case "_and", "_or":
			list, ok := val.([]any)
			if !ok || len(list) == 0 {
				return Cond{}, &ConditionError{Path: at, Msg: "expected a non-empty array of conditions"}
			}
			var subs []Cond
			for i, e := range list {
				c, err := p.node(obj, e, fmt.Sprintf("%s.%d", at, i), depth+1, relations)
				if err != nil {
					return Cond{}, err
				}
				subs = append(subs, c)
			}
			if k == "_and" {
				parts = append(parts, Cond{And: subs})
			} else {
				parts = append(parts, Cond{Or: subs})
			}
		case "_not":
			c, err := p.node(obj, val, at, depth+1, relations)
			if err != nil {
				return Cond{}, err
			}
			parts = append(parts, Cond{Not: &c})
		default:
			if strings.HasPrefix(k, "_") {
				return Cond{}, &ConditionError{Path: at, Msg: fmt.Sprintf("unknown operator %q here; use a field, _and, _or or _not", k)}
			}
			c, err := p.field(obj, k, val, at, depth, relations)
			if err != nil {
				return Cond{}, err
			}
			parts = append(parts, c)
		}
	}
	if len(parts) == 1 {
		return parts[0], nil
	}
	return Cond{And: parts}, nil
}

// field parses {"<field>": {"_op": value}} or a relation's nested object.
func (p *parser) field(obj module.Object, name string, v any, at string, depth int, relations bool) (Cond, error) {
	if f, ok := declaredField(obj, name); ok {
		return p.comparison(f, []string{name}, v, at)
	}
	if rel, ok := relation(obj, name); ok && relations {
		target := modules.Objects()[rel.Object]
		inner, err := p.node(target, v, at, depth+1, false)
		if err != nil {
			return Cond{}, err
		}
		return prefix(inner, name), nil
	}
	return Cond{}, &ConditionError{Path: at, Msg: fmt.Sprintf("unknown field %q; conditions on %s may name %s", name, obj.Type, strings.Join(FieldNames(obj, relations), ", "))}
}

// prefix puts a relation's name in front of every comparison's path.
func prefix(c Cond, rel string) Cond {
	switch {
	case c.Path != nil:
		c.Path = append([]string{rel}, c.Path...)
	case c.Not != nil:
		n := prefix(*c.Not, rel)
		c.Not = &n
	default:
		for i := range c.And {
			c.And[i] = prefix(c.And[i], rel)
		}
		for i := range c.Or {
			c.Or[i] = prefix(c.Or[i], rel)
		}
	}
	return c
}

func (p *parser) comparison(f module.Field, path []string, v any, at string) (Cond, error) {
	m, ok := v.(map[string]any)
	if !ok || len(m) != 1 {
		return Cond{}, &ConditionError{Path: at, Msg: fmt.Sprintf("expected one operator, as {\"_eq\": …}; operators: %s", strings.Join(operators, ", "))}
	}
	var op string
	var val any
	for op, val = range m {
	}
	at = join(at, op)
	if !slices.Contains(operators, op) {
		return Cond{}, &ConditionError{Path: at, Msg: fmt.Sprintf("unknown operator %q; operators: %s", op, strings.Join(operators, ", "))}
	}
	c := Cond{Path: path, Kind: f.Kind, Op: op}
	switch {
	case op == OpNul:
		b, ok := val.(bool)
		if !ok {
			return Cond{}, &ConditionError{Path: at, Msg: "_null takes true or false"}
		}
		c.Value = b
	case op == OpIn || op == OpNin:
		list, ok := val.([]any)
		if !ok || len(list) == 0 || len(list) > MaxConditionList {
			return Cond{}, &ConditionError{Path: at, Msg: fmt.Sprintf("%s takes an array of 1 to %d values", op, MaxConditionList)}
		}
		out := make([]any, len(list))
		for i, e := range list {
			x, err := value(f, e, fmt.Sprintf("%s.%d", at, i))
			if err != nil {
				return Cond{}, err
			}
			out[i] = x
		}
		c.Value = out
	default:
		if slices.Contains(ordered, op) && f.Kind != module.KindTime && f.Kind != module.KindDate && f.Kind != module.KindInt {
			return Cond{}, &ConditionError{Path: at, Msg: fmt.Sprintf("%s compares dates and numbers; %s is a %s field", op, f.Name, f.Kind)}
		}
		x, err := value(f, val, at)
		if err != nil {
			return Cond{}, err
		}
		c.Value = x
	}
	return c, nil
}

// value checks one operand against the field's kind.
func value(f module.Field, v any, at string) (any, error) {
	bad := func(format string, args ...any) error {
		return &ConditionError{Path: at, Msg: fmt.Sprintf(format, args...)}
	}
	if s, ok := v.(string); ok && strings.HasPrefix(s, "$") {
		switch {
		case s == VarUser && (f.Kind == module.KindUser || f.Kind == module.KindSubject):
			return s, nil
		case s == VarUserEmail && (f.Kind == module.KindEmail || f.Kind == module.KindString):
			return s, nil
		case s == VarUser || s == VarUserEmail:
			return nil, bad("%s cannot be compared with %s, a %s field", s, f.Name, f.Kind)
		default:
			return nil, bad("unknown variable %q; variables are %s and %s", s, VarUser, VarUserEmail)
		}
	}
	switch f.Kind {
	case module.KindUser, module.KindID:
		s, _ := v.(string)
		id, err := uuid.Parse(s)
		if err != nil {
			return nil, bad("%s holds ids: give a UUID%s", f.Name, map[bool]string{true: " or $user", false: ""}[f.Kind == module.KindUser])
		}
		return id.String(), nil
	case module.KindSubject:
		s, _ := v.(string)
		kind, id, _ := strings.Cut(s, ":")
		if _, err := uuid.Parse(id); err != nil || (kind != "user" && kind != "key") {
			return nil, bad("%s holds who did it: give user:<id>, key:<id> or $user", f.Name)
		}
		return kind + ":" + strings.ToLower(id), nil
	case module.KindEnum:
		s, _ := v.(string)
		if !slices.Contains(f.Values, s) {
			return nil, bad("%s is one of %s", f.Name, strings.Join(f.Values, ", "))
		}
		return s, nil
	case module.KindString, module.KindEmail:
		s, ok := v.(string)
		if !ok || len(s) > 320 {
			return nil, bad("%s takes a string of at most 320 characters", f.Name)
		}
		if f.Kind == module.KindEmail {
			s = strings.ToLower(s)
		}
		return s, nil
	case module.KindTime:
		s, _ := v.(string)
		if t, err := time.Parse(time.RFC3339, s); err == nil {
			return t.UTC(), nil
		}
		if t, err := time.Parse(time.DateOnly, s); err == nil {
			return t, nil
		}
		return nil, bad("%s takes a date (2026-12-31) or a time (RFC 3339)", f.Name)
	case module.KindDate:
		s, _ := v.(string)
		if t, err := time.Parse(time.DateOnly, s); err == nil {
			return t.Format(time.DateOnly), nil
		}
		if t, err := time.Parse(time.RFC3339, s); err == nil {
			return t.UTC().Format(time.DateOnly), nil
		}
		return nil, bad("%s takes a date (2026-12-31)", f.Name)
	case module.KindInt:
		n, ok := v.(json.Number)
		if i, err := n.Int64(); ok && err == nil {
			return i, nil
		}
		return nil, bad("%s takes a whole number", f.Name)
	case module.KindBool:
		b, ok := v.(bool)
		if !ok {
			return nil, bad("%s takes true or false", f.Name)
		}
		return b, nil
	}
	return nil, bad("%s cannot be compared", f.Name)
}

func declaredField(obj module.Object, name string) (module.Field, bool) {
	for _, f := range obj.Fields {
		if f.Name == name {
			return f, true
		}
	}
	return module.Field{}, false
}

// relation is a to-one relation of obj whose object declares fields.
func relation(obj module.Object, name string) (module.Relation, bool) {
	for _, r := range obj.Relations {
		if r.Name == name && r.Ref != "" && len(modules.Objects()[r.Object].Fields) > 0 {
			return r, true
		}
	}
	return module.Relation{}, false
}

// FieldNames lists the names a condition on obj may use: its fields and,
// with relations, "relation.field" for its to-one relations.
func FieldNames(obj module.Object, relations bool) []string {
	var out []string
	for _, f := range obj.Fields {
		out = append(out, f.Name)
	}
	if relations {
		for _, r := range obj.Relations {
			if rel, ok := relation(obj, r.Name); ok {
				for _, f := range modules.Objects()[rel.Object].Fields {
					out = append(out, rel.Name+"."+f.Name)
				}
			}
		}
	}
	return out
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// CompactCondition is a condition's JSON as stored: no insignificant
// whitespace, keys sorted, so that equal conditions compare equal.
func CompactCondition(raw []byte) (string, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return "", err
	}
	b, err := json.Marshal(v)
	return string(b), err
}

// UsesUser reports whether c names $user or $user.email.
func (c Cond) UsesUser() bool {
	switch {
	case c.Path != nil:
		if list, ok := c.Value.([]any); ok {
			return slices.ContainsFunc(list, isVar)
		}
		return isVar(c.Value)
	case c.Not != nil:
		return c.Not.UsesUser()
	}
	return slices.ContainsFunc(c.And, Cond.UsesUser) || slices.ContainsFunc(c.Or, Cond.UsesUser)
}

func isVar(v any) bool {
	s, ok := v.(string)
	return ok && (s == VarUser || s == VarUserEmail)
}

// Actor is who a condition is evaluated for: the variables' values.
type Actor struct {
	UserID string // "" for integration keys
	Email  string
}

// Resolve replaces a variable by the actor's value (the subject form for
// subject fields). ok is false when the actor has no user.
func (a Actor) Resolve(kind module.Kind, v any) (any, bool) {
	s, isString := v.(string)
	if !isString || !isVar(s) {
		return v, true
	}
	if a.UserID == "" {
		return nil, false
	}
	switch {
	case s == VarUserEmail:
		return strings.ToLower(a.Email), true
	case kind == module.KindSubject:
		return UserSubject(a.UserID), true
	}
	return a.UserID, true
}

// Matches evaluates conds (any of them, as Conditions returns them) on an
// object as JSON decodes it (strings, numbers, bools, nulls): the
// reference the SQL predicates are tested against. field returns a
// field's value by path (["invoice", "customer_id"] through a relation),
// and for a relation's name alone its object, nil when there is none: a
// comparison through a missing relation is false (its _not true).
func Matches(conds []Cond, field func(path []string) any, a Actor) bool {
	for _, c := range conds {
		if c.UsesUser() && a.UserID == "" {
			continue
		}
		if c.eval(field, a) {
			return true
		}
	}
	return false
}

func (c Cond) eval(field func([]string) any, a Actor) bool {
	switch {
	case c.Not != nil:
		return !c.Not.eval(field, a)
	case c.Path == nil && c.Or != nil:
		for _, x := range c.Or {
			if x.eval(field, a) {
				return true
			}
		}
		return false
	case c.Path == nil:
		for _, x := range c.And {
			if !x.eval(field, a) {
				return false
			}
		}
		return true
	}
	if len(c.Path) > 1 && field(c.Path[:1]) == nil {
		return false
	}
	v := field(c.Path)
	switch c.Op {
	case OpNul:
		return (v == nil) == c.Value.(bool)
	case OpEq:
		return v != nil && compare(c.Kind, v, a.resolve(c.Kind, c.Value)) == 0
	case OpNeq:
		return !(v != nil && compare(c.Kind, v, a.resolve(c.Kind, c.Value)) == 0)
	case OpIn, OpNin:
		in := false
		for _, x := range c.Value.([]any) {
			if v != nil && compare(c.Kind, v, a.resolve(c.Kind, x)) == 0 {
				in = true
			}
		}
		return in == (c.Op == OpIn)
	}
	if v == nil {
		return false
	}
	d := compare(c.Kind, v, c.Value)
	switch c.Op {
	case OpLt:
		return d < 0
	case OpLte:
		return d <= 0
	case OpGt:
		return d > 0
	case OpGte:
		return d >= 0
	}
	return false
}

func (a Actor) resolve(kind module.Kind, v any) any {
	r, _ := a.Resolve(kind, v)
	return r
}

// compare orders a JSON value against an operand of kind (-1, 0, 1; 2
// when they cannot be compared).
func compare(kind module.Kind, v, operand any) int {
	switch kind {
	case module.KindTime:
		s, _ := v.(string)
		t, err := time.Parse(time.RFC3339Nano, s)
		o, ok := operand.(time.Time)
		if err != nil || !ok {
			return 2
		}
		return t.Compare(o)
	case module.KindDate:
		s, _ := v.(string)
		o, _ := operand.(string)
		if len(s) < 10 {
			return 2
		}
		return strings.Compare(s[:10], o)
	case module.KindInt:
		var n int64
		switch x := v.(type) {
		case float64:
			n = int64(x)
		case json.Number:
			n, _ = x.Int64()
		default:
			return 2
		}
		o, _ := operand.(int64)
		switch {
		case n < o:
			return -1
		case n > o:
			return 1
		}
		return 0
	case module.KindBool:
		if v == operand {
			return 0
		}
		return 2
	}
	s, _ := v.(string)
	o, _ := operand.(string)
	if kind == module.KindEmail {
		s = strings.ToLower(s)
	}
	return strings.Compare(s, o)
}
