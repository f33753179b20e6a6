package schema

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"entgo.io/ent"
	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/sql"
	"github.com/google/uuid"

	gen "github.com/cienerp/cienerp/ent"
	"github.com/cienerp/cienerp/ent/auditevent"
	"github.com/cienerp/cienerp/ent/predicate"
	"github.com/cienerp/cienerp/ent/privacy"
	"github.com/cienerp/cienerp/module"
	"github.com/cienerp/cienerp/modules"
	"github.com/cienerp/cienerp/policy"
)

// Row conditions: a grant's condition (policy.Cond) compiled to one SQL
// predicate and added to every query of the object's table, so lists,
// gets, counts, filters, expand and GraphQL edges see the same rows; the
// events feed applies the same predicate to the object in each event's
// payload (visibleEvents). Writes apply the condition of the operation's
// permission (policy.Operation) before (update, delete) and after
// (create, update) the change.

// bound is what rows() registers of an object type: its table (for the
// subqueries of relations and of the audit trail), and a check of one row
// and a count of rows against a predicate (explain, the preview).
type bound struct {
	table   string
	matches func(context.Context, *gen.Client, uuid.UUID, func(*sql.Selector) *sql.Predicate) (bool, error)
	count   func(context.Context, *gen.Client, func(*sql.Selector) *sql.Predicate) (int, error)
}

var boundTypes = map[string]bound{}

// everyRow is the predicate that admits every row.
func everyRow(*sql.Selector) *sql.Predicate {
	return sql.P(func(b *sql.Builder) { b.WriteString("1 = 1") })
}

// rowsOf binds one entity to its object type's row conditions.
type rowsOf[Q interface {
	ent.Query
	Exist(context.Context) (bool, error)
	Count(context.Context) (int, error)
}, P ~func(*sql.Selector)] struct {
	object string
	query  func(*gen.Client) Q
	where  func(Q, ...P) Q
}

// rows registers objectType's table and returns its rules; query opens a
// query of the entity on a client, where is its Where method.
func rows[Q interface {
	ent.Query
	Exist(context.Context) (bool, error)
	Count(context.Context) (int, error)
}, P ~func(*sql.Selector)](objectType, table string, query func(*gen.Client) Q, where func(Q, ...P) Q) rowsOf[Q, P] {
	if _, ok := modules.Objects()[objectType]; !ok {
		panic("rows: undeclared object type " + objectType)
	}
	r := rowsOf[Q, P]{object: objectType, query: query, where: where}
	boundTypes[objectType] = bound{table: table, matches: r.matches, count: r.count}
	return r
}

// count counts the rows passing pred (tenancy applies).
func (r rowsOf[Q, P]) count(ctx context.Context, c *gen.Client, pred func(*sql.Selector) *sql.Predicate) (int, error) {
	return r.where(r.query(c), P(func(s *sql.Selector) { s.Where(pred(s)) })).Count(BypassPermissions(ctx, "a condition is previewed over every row of the type"))
}

// Preview counts the objects of a permission's type in ctx's tenant and
// environment that cond admits for actor, and all of them: the Settings
// console's "this role would see 12 of 40 tickets", by the SQL requests use.
func Preview(ctx context.Context, c *gen.Client, perm string, cond policy.Cond, actor policy.Actor) (matching, total int, err error) {
	object := policy.ConditionObject(perm)
	b, ok := boundTypes[object]
	if !ok {
		return 0, 0, fmt.Errorf("%s acts on no objects", perm)
	}
	if total, err = b.count(ctx, c, everyRow); err != nil {
		return 0, 0, err
	}
	matching, err = b.count(ctx, c, func(s *sql.Selector) *sql.Predicate {
		return compileAny(s, modules.Objects()[object], []policy.Cond{cond}, actor, tableColumns)
	})
	return matching, total, err
}

// matches reports whether the row id passes pred (tenancy applies).
func (r rowsOf[Q, P]) matches(ctx context.Context, c *gen.Client, id uuid.UUID, pred func(*sql.Selector) *sql.Predicate) (bool, error) {
	q := r.where(r.query(c), P(func(s *sql.Selector) {
		s.Where(sql.And(sql.EQ(s.C("id"), id), pred(s)))
	}))
	return q.Exist(BypassPermissions(ctx, "a row is checked against one condition, not the view's"))
}

// Passes reports whether v's grant of perm admits the object id (of the
// permission's object type, in ctx's tenant): explain's "does this ticket
// pass?", answered by the same SQL that filters requests. found is false
// when the permission acts on no object or no such object exists.
func Passes(ctx context.Context, c *gen.Client, v *policy.Viewer, perm string, id uuid.UUID) (pass, found bool, err error) {
	object := policy.ConditionObject(perm)
	b, ok := boundTypes[object]
	if !ok {
		return false, false, nil
	}
	if found, err = b.matches(ctx, c, id, everyRow); err != nil || !found {
		return false, found, err
	}
	conds, limited := v.Conditions(perm)
	if !limited {
		return v.Can(perm), true, nil
	}
	pass, err = b.matches(ctx, c, id, func(s *sql.Selector) *sql.Predicate {
		return compileAny(s, modules.Objects()[object], conds, v.Actor(), tableColumns)
	})
	return pass && v.Can(perm), true, err
}

// Query filters reads to the rows the viewer's view permission admits.
func (r rowsOf[Q, P]) Query() privacy.QueryRule {
	return privacy.QueryRuleFunc(func(ctx context.Context, q ent.Query) error {
		if permissionsBypassed(ctx) {
			return privacy.Skip
		}
		pred := ViewPredicate(policy.FromContext(ctx), r.object, tableColumns)
		if pred != nil {
			r.where(q.(Q), P(func(s *sql.Selector) { s.Where(pred(s)) }))
		}
		return privacy.Skip
	})
}

// Mutation keeps updates and deletes to the rows the operation's
// condition admits (others are not found).
func (r rowsOf[Q, P]) Mutation() privacy.MutationRule {
	return privacy.MutationRuleFunc(func(ctx context.Context, m ent.Mutation) error {
		if !m.Op().Is(ent.OpUpdate|ent.OpUpdateOne|ent.OpDelete|ent.OpDeleteOne) || permissionsBypassed(ctx) {
			return privacy.Skip
		}
		if pred := r.operation(ctx); pred != nil {
			w, ok := m.(interface{ WhereP(...func(*sql.Selector)) })
			if !ok {
				return privacy.Denyf("%T takes no predicate", m)
			}
			w.WhereP(func(s *sql.Selector) { s.Where(pred(s)) })
		}
		return privacy.Skip
	})
}

// Check refuses writing a field the viewer may not see (field rules: the
// 403 names the group's permission), and a create or update whose result
// the operation's condition does not admit (a requester filing a ticket in
// someone else's name). The latter runs after the write, in the change's
// transaction, which the refusal rolls back.
func (r rowsOf[Q, P]) Check() ent.Hook {
	return func(next ent.Mutator) ent.Mutator {
		return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
			if err := writableFields(ctx, r.object, m); err != nil {
				return nil, err
			}
			out, err := next.Mutate(ctx, m)
			if err != nil || !m.Op().Is(ent.OpCreate|ent.OpUpdateOne) || permissionsBypassed(ctx) {
				return out, err
			}
			pred := r.operation(ctx)
			if pred == nil {
				return out, nil
			}
			id, ok := m.(interface{ ID() (uuid.UUID, bool) }).ID()
			c, isClient := m.(interface{ Client() *gen.Client })
			if !ok || !isClient {
				return nil, fmt.Errorf("%s: cannot check the row condition without its id", r.object)
			}
			pass, err := r.matches(ctx, c.Client(), id, pred) // the write's own condition, not the view's
			if err != nil {
				return nil, err
			}
			if !pass {
				return nil, &policy.DeniedError{Permission: policy.Operation(ctx), Object: r.object}
			}
			return out, nil
		})
	}
}

// writableFields refuses a mutation that sets a hidden field; a create
// may leave one at its zero value.
func writableFields(ctx context.Context, objectType string, m ent.Mutation) error {
	v := policy.FromContext(ctx)
	if v == nil || permissionsBypassed(ctx) {
		return nil
	}
	for _, g := range v.Gated(objectType) { // a gated row is not written by who may not see it
		if val, _ := m.Field(g.Field); val == true {
			return &policy.DeniedError{Permission: g.Permission}
		}
	}
	hidden := v.Hidden(objectType)
	for _, f := range m.Fields() {
		perm, ok := hidden[f]
		if !ok {
			continue
		}
		if val, _ := m.Field(f); m.Op().Is(ent.OpCreate) && (val == nil || val == "") {
			continue
		}
		return &policy.DeniedError{Permission: perm}
	}
	return nil
}

// operation is the predicate of the condition on ctx's operation, when
// that operation's permission acts on this object type and is limited.
func (r rowsOf[Q, P]) operation(ctx context.Context) func(*sql.Selector) *sql.Predicate {
	perm := policy.Operation(ctx)
	if perm == "" || policy.ConditionObject(perm) != r.object {
		return nil
	}
	v := policy.FromContext(ctx)
	conds, limited := v.Conditions(perm)
	if !limited {
		return nil
	}
	obj := modules.Objects()[r.object]
	return func(s *sql.Selector) *sql.Predicate {
		return compileAny(s, obj, conds, v.Actor(), tableColumns)
	}
}

// visibleAudit keeps, for the object types whose view a row condition
// (or a gate) limits, the audit entries of the objects the viewer may see:
// an entry names an object by id, and the object's row decides (an entry
// of a deleted object is hidden from a limited viewer). Field rules apply
// to before and after where answers are written (service.Redact).
var visibleAudit = privacy.AuditEventQueryRuleFunc(func(ctx context.Context, q *gen.AuditEventQuery) error {
	if permissionsBypassed(ctx) {
		return privacy.Skip
	}
	v := policy.FromContext(ctx)
	limited := map[string]func(*sql.Selector) *sql.Predicate{}
	for t := range modules.Objects() {
		if pred := ViewPredicate(v, t, tableColumns); pred != nil {
			limited[t] = pred
		}
	}
	if len(limited) == 0 {
		return privacy.Skip
	}
	types := slices.Sorted(maps.Keys(limited))
	q.Where(predicate.AuditEvent(func(s *sql.Selector) {
		ps := []*sql.Predicate{sql.Not(sql.In(s.C(auditevent.FieldEntityType), anys(types)...))}
		for _, t := range types {
			ps = append(ps, paren(sql.And(sql.EQ(s.C(auditevent.FieldEntityType), t),
				subquery(s, s.C(auditevent.FieldEntityID), t, columns{json: true}, limited[t]))))
		}
		s.Where(paren(sql.Or(ps...)))
	}))
	return privacy.Skip
})

func anys(list []string) []any {
	out := make([]any, len(list))
	for i, s := range list {
		out[i] = s
	}
	return out
}

// columns says where a field's value is: a table's column, or (json) a key
// of an event's JSON payload, which holds text.
type columns struct {
	json bool
	at   func(s *sql.Selector, field string) string
}

var tableColumns = columns{at: func(s *sql.Selector, field string) string { return s.C(field) }}

// ViewPredicate is the predicate that limits reads of objectType to what
// v's view permission admits, or nil when it is not limited. An object
// seen with another (a comment with its ticket) takes that object's
// condition through its reference.
func ViewPredicate(v *policy.Viewer, objectType string, col columns) func(*sql.Selector) *sql.Predicate {
	rows := conditionPredicate(v, objectType, col)
	gated := v.Gated(objectType)
	if len(gated) == 0 {
		return rows
	}
	return func(s *sql.Selector) *sql.Predicate {
		ps := []*sql.Predicate{}
		for _, g := range gated { // NOT (field IS NOT NULL AND field = true)
			ps = append(ps, comparison(s, policy.Cond{Path: []string{g.Field}, Kind: module.KindBool, Op: policy.OpNeq, Value: true}, policy.Actor{}, col.at(s, g.Field), col))
		}
		if rows != nil {
			ps = append(ps, rows(s))
		}
		return paren(sql.And(ps...))
	}
}

// conditionPredicate is the part of ViewPredicate that the view
// permission's conditions make.
func conditionPredicate(v *policy.Viewer, objectType string, col columns) func(*sql.Selector) *sql.Predicate {
	obj, ok := modules.Objects()[objectType]
	if !ok {
		return nil
	}
	conds, limited := v.Conditions(obj.View)
	if !limited {
		return nil
	}
	target := policy.ConditionObject(obj.View)
	a := v.Actor()
	switch {
	case target == objectType:
		return func(s *sql.Selector) *sql.Predicate { return compileAny(s, obj, conds, a, col) }
	case obj.Within != nil && obj.Within.Object == target:
		within := modules.Objects()[target]
		return func(s *sql.Selector) *sql.Predicate {
			return subquery(s, col.at(s, obj.Within.Ref), target, col, func(t *sql.Selector) *sql.Predicate {
				return compileAny(t, within, conds, a, tableColumns)
			})
		}
	}
	return func(*sql.Selector) *sql.Predicate { return sql.False() }
}

// compileAny is the disjunction of conds (one per limited grant).
func compileAny(s *sql.Selector, obj module.Object, conds []policy.Cond, a policy.Actor, col columns) *sql.Predicate {
	ps := make([]*sql.Predicate, 0, len(conds))
	for _, c := range conds {
		if c.UsesUser() && a.UserID == "" {
			continue // $user never matches a credential without a user
		}
		ps = append(ps, compile(s, obj, c, a, col))
	}
	if len(ps) == 0 {
		return sql.False()
	}
	return paren(sql.Or(ps...))
}

// paren wraps p in parentheses: ent parenthesises a compound predicate
// only where it nests it itself, not inside one written by hand.
func paren(p *sql.Predicate) *sql.Predicate {
	return sql.P(func(b *sql.Builder) {
		b.WriteString("(")
		b.Join(p)
		b.WriteString(")")
	})
}

// compile turns c into a two-valued SQL predicate (never NULL, so that
// _not and _neq mean what they say for null fields).
func compile(s *sql.Selector, obj module.Object, c policy.Cond, a policy.Actor, col columns) *sql.Predicate {
	switch {
	case c.Not != nil:
		return paren(sql.Not(compile(s, obj, *c.Not, a, col)))
	case c.Path == nil && c.Or != nil:
		if len(c.Or) == 0 {
			return sql.False()
		}
		ps := make([]*sql.Predicate, len(c.Or))
		for i, x := range c.Or {
			ps[i] = compile(s, obj, x, a, col)
		}
		return paren(sql.Or(ps...))
	case c.Path == nil:
		if len(c.And) == 0 {
			return everyRow(s)
		}
		ps := make([]*sql.Predicate, len(c.And))
		for i, x := range c.And {
			ps[i] = compile(s, obj, x, a, col)
		}
		return paren(sql.And(ps...))
	case len(c.Path) == 2:
		for _, rel := range obj.Relations {
			if rel.Name == c.Path[0] {
				target := modules.Objects()[rel.Object]
				inner := c
				inner.Path = c.Path[1:]
				return subquery(s, col.at(s, rel.Ref), rel.Object, col, func(t *sql.Selector) *sql.Predicate {
					return compile(t, target, inner, a, tableColumns)
				})
			}
		}
		return sql.False()
	}
	return comparison(s, c, a, col.at(s, c.Path[0]), col)
}

// subquery is "ref IN (SELECT id FROM <object's table> WHERE where)"; ids
// compare as text when ref is a JSON value.
func subquery(s *sql.Selector, ref, objectType string, col columns, where func(*sql.Selector) *sql.Predicate) *sql.Predicate {
	b, ok := boundTypes[objectType]
	if !ok {
		return sql.False()
	}
	table := b.table
	t := sql.Dialect(s.Dialect()).Select().From(sql.Table(table).As("r_" + table))
	id := t.C("id")
	if col.json {
		id = "CAST(" + id + " AS TEXT)"
	}
	t.Select(id).Where(where(t))
	return sql.P(func(b *sql.Builder) {
		b.WriteString("(").WriteString(ref).WriteString(" IS NOT NULL AND ").WriteString(ref).WriteString(" IN ")
		b.Wrap(func(b *sql.Builder) { b.Join(t) })
		b.WriteString(")")
	})
}

// comparison compiles one field comparison on expr.
func comparison(s *sql.Selector, c policy.Cond, a policy.Actor, expr string, col columns) *sql.Predicate {
	jsonSource := col.json
	pg := s.Dialect() == dialect.Postgres
	// typed wraps a JSON value (text on PostgreSQL) and a parameter so
	// that both compare as the field's kind.
	typed := func(e string) string {
		if !jsonSource {
			switch {
			case c.Kind == module.KindDate && pg:
				return "to_char(" + e + " AT TIME ZONE 'UTC', 'YYYY-MM-DD')"
			case c.Kind == module.KindDate:
				return "substr(" + e + ", 1, 10)"
			case c.Kind == module.KindTime && !pg:
				// SQLite holds Go's "2006-01-02 15:04:05.999999 +0000 UTC"
				// (every stamp is UTC: schema.Now); julianday reads the
				// part before the zone, to the millisecond.
				return "julianday(substr(" + e + ", 1, instr(" + e + ", ' +') - 1))"
			}
			return e
		}
		switch c.Kind {
		case module.KindDate:
			return "substr(" + e + ", 1, 10)"
		case module.KindTime:
			if pg {
				return "CAST(" + e + " AS TIMESTAMPTZ)"
			}
			return "julianday(" + e + ")"
		case module.KindInt:
			if pg {
				return "CAST(" + e + " AS BIGINT)"
			}
		case module.KindBool:
			if pg {
				return "CAST(" + e + " AS BOOLEAN)"
			}
		}
		return e
	}
	arg := func(b *sql.Builder, v any) {
		v, _ = a.Resolve(c.Kind, v)
		if t, ok := v.(time.Time); ok {
			if pg {
				b.Arg(t.UTC())
			} else {
				b.WriteString("julianday(").Arg(t.UTC().Format("2006-01-02 15:04:05.999999999")).WriteString(")")
			}
			return
		}
		b.Arg(v)
	}
	notNull := func(b *sql.Builder) { b.WriteString(expr).WriteString(" IS NOT NULL AND ") }
	cmp := func(op string, v any) *sql.Predicate {
		return sql.P(func(b *sql.Builder) {
			b.WriteString("(")
			notNull(b)
			b.WriteString(typed(expr)).WriteString(" " + op + " ")
			arg(b, v)
			b.WriteString(")")
		})
	}
	in := func(list []any) *sql.Predicate {
		return sql.P(func(b *sql.Builder) {
			b.WriteString("(")
			notNull(b)
			b.WriteString(typed(expr)).WriteString(" IN (")
			for i, v := range list {
				if i > 0 {
					b.WriteString(", ")
				}
				arg(b, v)
			}
			b.WriteString("))")
		})
	}
	switch c.Op {
	case policy.OpEq:
		return cmp("=", c.Value)
	case policy.OpNeq:
		return paren(sql.Not(cmp("=", c.Value)))
	case policy.OpIn:
		return in(c.Value.([]any))
	case policy.OpNin:
		return paren(sql.Not(in(c.Value.([]any))))
	case policy.OpNul:
		if c.Value.(bool) {
			return sql.P(func(b *sql.Builder) { b.WriteString("(" + expr + " IS NULL)") })
		}
		return sql.P(func(b *sql.Builder) { b.WriteString("(" + expr + " IS NOT NULL)") })
	case policy.OpLt:
		return cmp("<", c.Value)
	case policy.OpLte:
		return cmp("<=", c.Value)
	case policy.OpGt:
		return cmp(">", c.Value)
	case policy.OpGte:
		return cmp(">=", c.Value)
	}
	return sql.False()
}

// BoundTypes lists the object types bound to row conditions, sorted.
func BoundTypes() []string {
	return slices.Sorted(maps.Keys(boundTypes))
}

// Shift counts the objects of objectType in ctx's tenant and environment
// that before sees, that after sees, and those only one of them sees:
// the policy simulator's "would stop seeing 90 invoices", by the SQL
// requests use.
func Shift(ctx context.Context, c *gen.Client, objectType string, before, after *policy.Viewer) (seenBefore, seenAfter, stop, start int, err error) {
	b, ok := boundTypes[objectType]
	if !ok {
		return 0, 0, 0, 0, fmt.Errorf("%s is not bound to row conditions", objectType)
	}
	vb, va := visibleTo(before, objectType), visibleTo(after, objectType)
	only := func(yes, no func(*sql.Selector) *sql.Predicate) func(*sql.Selector) *sql.Predicate {
		return func(s *sql.Selector) *sql.Predicate { return sql.And(yes(s), sql.Not(no(s))) }
	}
	for _, q := range []struct {
		dst  *int
		pred func(*sql.Selector) *sql.Predicate
	}{{&seenBefore, vb}, {&seenAfter, va}, {&stop, only(vb, va)}, {&start, only(va, vb)}} {
		if *q.dst, err = b.count(ctx, c, q.pred); err != nil {
			return 0, 0, 0, 0, err
		}
	}
	return seenBefore, seenAfter, stop, start, nil
}

// visibleTo is the predicate of the rows of objectType that v's view
// permission shows (none without it).
func visibleTo(v *policy.Viewer, objectType string) func(*sql.Selector) *sql.Predicate {
	if !v.Can(modules.Objects()[objectType].View) {
		return func(*sql.Selector) *sql.Predicate { return sql.False() }
	}
	if p := ViewPredicate(v, objectType, tableColumns); p != nil {
		return p
	}
	return everyRow
}
