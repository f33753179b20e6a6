package graph

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/cienerp/cienerp/edge"
	"github.com/cienerp/cienerp/policy"
	"github.com/cienerp/cienerp/service"
)

// Limits bound what one operation may ask for.
type Limits struct {
	MaxComplexity int           // page size × fields, summed over the query as executed (default 1000)
	MaxDepth      int           // nesting of selections outside introspection (default 10)
	MaxRootFields int           // top-level fields and aliases of one operation (default 30)
	Timeout       time.Duration // budget of one request; it stops when the budget or the client goes (default 10s)
	// Introspection lists the environments whose schema may be
	// introspected (default sandbox only; the SDL stays downloadable).
	Introspection []policy.Env
}

// DefaultLimits are used when none are configured.
var DefaultLimits = Limits{MaxComplexity: 1000, MaxDepth: 10, MaxRootFields: 30, Timeout: 10 * time.Second,
	Introspection: []policy.Env{policy.Sandbox}}

// maxIntrospectionDepth bounds the nesting below __schema and __type. It
// is separate from MaxDepth because every GraphQL tool's introspection
// query nests its TypeRef fragment (ofType in ofType …) about 15 deep;
// such a query is cheap, and its fields still count toward complexity.
const maxIntrospectionDepth = 24

// operationLimits refuses, before any resolver runs, an operation that is
// too deep, too costly, too wide at the root, holds a NUL character in a
// string argument or variable, or introspects where introspection is off.
// Costs are computed once per fragment, so a query that spreads fragments
// into each other is measured in time linear in its text, while its cost
// is that of the fragments expanded (aliases and repeats counted).
type operationLimits struct {
	limits Limits
	schema graphql.ExecutableSchema
}

var (
	_ graphql.HandlerExtension        = operationLimits{}
	_ graphql.OperationContextMutator = operationLimits{}
)

func (operationLimits) ExtensionName() string                   { return "OperationLimits" }
func (operationLimits) Validate(graphql.ExecutableSchema) error { return nil }

// costStats is what the operation costs against its limit (extensions.cost).
type costStats struct{ Requested, Limit int }

const costStatsKey = "cost"

func (l operationLimits) MutateOperationContext(ctx context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil {
		return nil
	}
	v := policy.FromContext(ctx)
	oc.DisableIntrospection = v == nil || !slices.Contains(l.limits.Introspection, v.Env)
	if err := refuseTransport(ctx, oc.Operation.Operation); err != nil {
		return err
	}
	if err := refuseNUL(oc); err != nil {
		return err
	}
	if err := refuseLargeFilters(oc); err != nil {
		return err
	}
	w := costWalker{ctx: ctx, es: l.schema, vars: oc.Variables, memo: map[string]selectionCost{}}
	c := w.set(oc.Operation.SelectionSet)
	oc.Stats.SetExtension(costStatsKey, costStats{Requested: c.complexity, Limit: l.limits.MaxComplexity})
	switch {
	case c.introspects && oc.DisableIntrospection:
		env := "this environment"
		if v != nil {
			env = "the " + string(v.Env) + " environment"
		}
		return limitError("INTROSPECTION_DISABLED", "Introspection is off in %s: download the schema from /api/graphql/schema.graphql, or introspect in the sandbox.", env)
	case c.schemas > 1:
		// Its lists are as long as the schema is wide, which field counts do
		// not see: one full introspection is what every tool sends.
		return limitError("INTROSPECTION_LIMIT_EXCEEDED", "operation selects __schema %d times (aliases and fragments counted); once is the limit", c.schemas)
	case c.fields > l.limits.MaxRootFields:
		return limitError("ROOT_FIELD_LIMIT_EXCEEDED", "operation selects %d top-level fields (aliases and fragments counted), which exceeds the limit of %d", c.fields, l.limits.MaxRootFields)
	case c.depth > l.limits.MaxDepth:
		return limitError("DEPTH_LIMIT_EXCEEDED", "operation has depth %d, which exceeds the limit of %d", c.depth, l.limits.MaxDepth)
	case c.introspectionDepth > maxIntrospectionDepth:
		return limitError("DEPTH_LIMIT_EXCEEDED", "introspection has depth %d, which exceeds the limit of %d", c.introspectionDepth, maxIntrospectionDepth)
	case c.complexity > l.limits.MaxComplexity:
		return limitError("COMPLEXITY_LIMIT_EXCEEDED", "operation has complexity %d, which exceeds the limit of %d", c.complexity, l.limits.MaxComplexity)
	}
	// The request paid one already at the edge; the rest of its points now,
	// before anything runs.
	budget, known, err := edge.Charge(ctx, RatePoints(c.complexity)-1)
	if err != nil {
		return problemError(service.ProblemOf(err))
	}
	if known {
		oc.Stats.SetExtension(budgetStatsKey, budget)
	}
	return nil
}

const budgetStatsKey = "rateLimit"

// CostPerPoint is how much computed cost one request of the rate budget
// buys: an operation spends ceil(cost / CostPerPoint) requests, at least
// one, as GitHub's GraphQL API charges a point per hundred nodes.
const CostPerPoint = 100

// RatePoints is what an operation of computed cost spends of the budget.
func RatePoints(cost int) int { return max(1, (cost+CostPerPoint-1)/CostPerPoint) }

// codeMutationOverGET is a mutation sent with GET: 405 with Allow: POST.
const codeMutationOverGET = "METHOD_NOT_ALLOWED"

// refuseTransport refuses an operation its transport does not carry,
// before it is charged or run: a mutation over GET (GET must be safe), a
// subscription over HTTP (it would hold the request and a subscription
// slot until the next event, then end).
func refuseTransport(ctx context.Context, op ast.Operation) *gqlerror.Error {
	switch {
	case op == ast.Mutation && overGET(ctx):
		return limitError(codeMutationOverGET, "Mutations are sent with POST; GET carries queries only.")
	case op == ast.Subscription && socketFrom(ctx) == nil:
		return limitError("BAD_REQUEST", "Subscriptions are not served over HTTP requests: open a WebSocket to /graphql with the graphql-transport-ws protocol, or stream events as server-sent events from GET /events/stream.")
	}
	return nil
}

func limitError(code, format string, a ...any) *gqlerror.Error {
	err := gqlerror.Errorf(format, a...)
	err.Extensions = map[string]any{"code": code}
	return err
}

// selectionCost is what a selection set costs as executed.
type selectionCost struct {
	complexity         int
	depth              int // levels of fields outside introspection
	introspectionDepth int // levels below __schema / __type
	fields             int // fields at this level, fragments expanded
	introspects        bool
	schemas            int // __schema selections: each returns the whole schema
}

func (c *selectionCost) add(o selectionCost) {
	c.complexity = saturate(int64(c.complexity) + int64(o.complexity))
	c.fields = saturate(int64(c.fields) + int64(o.fields))
	c.depth = max(c.depth, o.depth)
	c.introspectionDepth = max(c.introspectionDepth, o.introspectionDepth)
	c.introspects = c.introspects || o.introspects
	c.schemas = saturate(int64(c.schemas) + int64(o.schemas))
}

func saturate(n int64) int { return int(min(n, math.MaxInt32)) }

// costWalker computes selection costs with the schema's complexity
// functions (connections: page size × what each node asks for), each
// fragment once.
type costWalker struct {
	ctx  context.Context
	es   graphql.ExecutableSchema
	vars map[string]any
	memo map[string]selectionCost
}

func (w costWalker) set(set ast.SelectionSet) selectionCost {
	var total selectionCost
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			total.add(w.field(s))
		case *ast.InlineFragment:
			total.add(w.set(s.SelectionSet))
		case *ast.FragmentSpread:
			if s.Definition == nil {
				continue
			}
			c, ok := w.memo[s.Name]
			if !ok {
				w.memo[s.Name] = selectionCost{} // a cycle (refused by validation) costs nothing more
				c = w.set(s.Definition.SelectionSet)
				w.memo[s.Name] = c
			}
			total.add(c)
		}
	}
	return total
}

func (w costWalker) field(f *ast.Field) selectionCost {
	child := w.set(f.SelectionSet)
	own := selectionCost{fields: 1}
	if f.Name == "__schema" || f.Name == "__type" {
		own.complexity = saturate(1 + int64(child.complexity))
		own.introspectionDepth = 1 + max(child.depth, child.introspectionDepth)
		own.introspects = true
		if f.Name == "__schema" {
			own.schemas = 1
		}
		return own
	}
	own.depth = 1 + child.depth
	own.introspectionDepth, own.introspects, own.schemas = child.introspectionDepth, child.introspects, child.schemas
	own.complexity = saturate(1 + int64(child.complexity))
	if f.ObjectDefinition == nil || w.es == nil {
		return own
	}
	args := f.ArgumentMap(w.vars)
	types := []*ast.Definition{f.ObjectDefinition}
	if f.ObjectDefinition.Kind == ast.Interface {
		types = w.es.Schema().GetPossibleTypes(f.ObjectDefinition)
	}
	for _, t := range types {
		if n, ok := w.es.Complexity(w.ctx, t.Name, f.Name, child.complexity, args); ok {
			own.complexity = max(own.complexity, saturate(int64(n)))
		}
	}
	return own
}

// eachField calls fn on every field of the operation, its fragments'
// included once each, until fn returns an error.
func eachField(oc *graphql.OperationContext, fn func(*ast.Field) *gqlerror.Error) *gqlerror.Error {
	seen := map[string]bool{}
	var inSet func(ast.SelectionSet) *gqlerror.Error
	inSet = func(set ast.SelectionSet) *gqlerror.Error {
		for _, sel := range set {
			var err *gqlerror.Error
			switch s := sel.(type) {
			case *ast.Field:
				if err = fn(s); err == nil {
					err = inSet(s.SelectionSet)
				}
			case *ast.InlineFragment:
				err = inSet(s.SelectionSet)
			case *ast.FragmentSpread:
				if s.Definition != nil && !seen[s.Name] {
					seen[s.Name] = true
					err = inSet(s.Definition.SelectionSet)
				}
			}
			if err != nil {
				return err
			}
		}
		return nil
	}
	return inSet(oc.Operation.SelectionSet)
}

// refuseNUL finds a NUL character in a string argument of the operation
// (its fragments included) or in a variable: PostgreSQL cannot store one
// and SQLite would match it against everything.
func refuseNUL(oc *graphql.OperationContext) *gqlerror.Error {
	if path := nulInValue(oc.Variables, "variables"); path != "" {
		return nulError(path)
	}
	return eachField(oc, func(f *ast.Field) *gqlerror.Error {
		for _, a := range f.Arguments {
			if path := nulInLiteral(a.Value, a.Name); path != "" {
				return nulError(path)
			}
		}
		return nil
	})
}

// refuseLargeFilters bounds every where argument (variables resolved):
// service.MaxWhereTerms values compared, service.MaxWhereDepth objects
// deep, the same limits REST's filters have, before a query is built.
func refuseLargeFilters(oc *graphql.OperationContext) *gqlerror.Error {
	return eachField(oc, func(f *ast.Field) *gqlerror.Error {
		if f.Definition == nil || f.Definition.Arguments.ForName("where") == nil {
			return nil
		}
		where, ok := f.ArgumentMap(oc.Variables)["where"]
		if !ok {
			return nil
		}
		terms, depth := whereSize(where, 0)
		var err error
		switch {
		case terms > service.MaxWhereTerms:
			err = service.Invalid("where", "A where filter compares at most %d values (In lists and metadata keys counted, across and, or and not); this one has %d.", service.MaxWhereTerms, terms)
		case depth > service.MaxWhereDepth:
			err = service.Invalid("where", "A where filter nests at most %d levels (and, or, not, has…With); this one has %d.", service.MaxWhereDepth, depth)
		}
		if err != nil {
			return problemError(service.ProblemOf(err))
		}
		return nil
	})
}

// whereSize counts the values a where input compares and how deep its
// objects nest; it stops counting once past the limits.
func whereSize(v any, depth int) (terms, deepest int) {
	var children []any
	switch t := v.(type) {
	case map[string]any:
		depth++
		for _, e := range t {
			children = append(children, e)
		}
	case []any:
		children = t
	case nil:
		return 0, depth
	default:
		return 1, depth
	}
	deepest = depth
	for _, e := range children {
		n, d := whereSize(e, depth)
		terms, deepest = terms+n, max(deepest, d)
		if terms > service.MaxWhereTerms || deepest > service.MaxWhereDepth {
			break
		}
	}
	return terms, deepest
}

func nulInValue(v any, path string) string {
	switch t := v.(type) {
	case string:
		if strings.IndexByte(t, 0) >= 0 {
			return path
		}
	case map[string]any:
		for k, e := range t {
			if p := nulInValue(e, path+"."+k); p != "" {
				return p
			}
		}
	case []any:
		for i, e := range t {
			if p := nulInValue(e, fmt.Sprintf("%s.%d", path, i)); p != "" {
				return p
			}
		}
	}
	return ""
}

func nulInLiteral(v *ast.Value, path string) string {
	if v == nil {
		return ""
	}
	switch v.Kind {
	case ast.StringValue, ast.BlockValue:
		if strings.IndexByte(v.Raw, 0) >= 0 {
			return path
		}
	case ast.ListValue:
		for i, c := range v.Children {
			if p := nulInLiteral(c.Value, fmt.Sprintf("%s.%d", path, i)); p != "" {
				return p
			}
		}
	case ast.ObjectValue:
		for _, c := range v.Children {
			if p := nulInLiteral(c.Value, path+"."+c.Name); p != "" {
				return p
			}
		}
	}
	return ""
}

// nulError is a VALIDATION error like the service's own, before execution.
func nulError(path string) *gqlerror.Error {
	return problemError(service.ProblemOf(service.Invalid(path, "%s", service.NULMessage(path))))
}

// costReport adds extensions.cost = {requested, limit, ratePoints} to every
// response, as Shopify does, so clients see how close they are to the
// limit and what the operation spent of the rate budget, and
// extensions.rateLimit = {limit, remaining, resetAt}: what is left of it
// (as the X-RateLimit headers tell).
type costReport struct{}

var (
	_ graphql.HandlerExtension    = costReport{}
	_ graphql.ResponseInterceptor = costReport{}
)

func (costReport) ExtensionName() string                   { return "CostReport" }
func (costReport) Validate(graphql.ExecutableSchema) error { return nil }
func (costReport) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	resp := next(ctx)
	if resp == nil {
		return resp
	}
	if !graphql.HasOperationContext(ctx) { // a body that never became an operation
		edge.Annotate(ctx, "", 0, firstCode(resp.Errors))
		return resp
	}
	oc := graphql.GetOperationContext(ctx)
	stats, costed := oc.Stats.GetExtension(costStatsKey).(costStats)
	name := oc.OperationName
	if name == "" && oc.Operation != nil {
		name = oc.Operation.Name
	}
	edge.Annotate(ctx, name, stats.Requested, firstCode(resp.Errors))
	if costed {
		if resp.Extensions == nil {
			resp.Extensions = map[string]any{}
		}
		resp.Extensions["cost"] = map[string]int{"requested": stats.Requested, "limit": stats.Limit, "ratePoints": RatePoints(stats.Requested)}
	}
	if b, ok := oc.Stats.GetExtension(budgetStatsKey).(edge.Budget); ok {
		if resp.Extensions == nil {
			resp.Extensions = map[string]any{}
		}
		resp.Extensions["rateLimit"] = map[string]any{"limit": b.Limit, "remaining": b.Remaining, "resetAt": b.Reset.UTC().Format(time.RFC3339)}
	}
	return resp
}

// firstCode is the first error's extensions.code (the request log's
// error code of a GraphQL answer).
func firstCode(errs gqlerror.List) string {
	for _, e := range errs {
		if c, ok := e.Extensions["code"].(string); ok {
			return c
		}
	}
	return ""
}
