package rest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/cienerp/cienerp/edge"
	"github.com/cienerp/cienerp/internal/jsonwire"
	"github.com/cienerp/cienerp/modules"
	"github.com/cienerp/cienerp/openapi"
	"github.com/cienerp/cienerp/policy"
	"github.com/cienerp/cienerp/service"
)

// Shaping a GET's answer, on every JSON GET of an object or a list:
// expand embeds related objects (depth ≤ 2, one query per relation and
// level whatever the page size, each read as its own GET reads it), and
// fields keeps only the fields asked for. Both are checked before the
// handler runs: an unknown name is a 422 that names it.

// relation is an object a representation can embed, as its module
// declares it (module.Relation) with the loader its REST file gives.
type relation struct {
	schema string // the embedded object's component schema
	ref    string // the field that holds its id; "" = a list of children of the parent's id
	// permission is the one its own GET requires, checked the same way,
	// so that the refusal is the same 403 naming it.
	permission string
	load       loader
}

// loader reads related objects in their public views, by id or by parent.
type loader func(*service.Service, context.Context, []uuid.UUID) (map[uuid.UUID]any, error)

// relationsOf joins the declared relations of every object (by component
// schema) with the loaders the modules' REST files give, keyed
// "<Schema>.<relation>"; a relation without a loader, or a loader without
// a relation, is an error at start.
func relationsOf(loaders map[string]loader) (map[string]map[string]relation, error) {
	out := map[string]map[string]relation{}
	for _, r := range modules.Relations() {
		load := loaders[r.Of.Schema+"."+r.Name]
		if load == nil {
			return nil, fmt.Errorf("rest: the relation %s.%s is declared but no REST file loads it", r.Of.Schema, r.Name)
		}
		if out[r.Of.Schema] == nil {
			out[r.Of.Schema] = map[string]relation{}
		}
		out[r.Of.Schema][r.Name] = relation{schema: r.Target.Schema, ref: r.Ref, permission: r.Target.View, load: load}
	}
	for key := range loaders {
		schema, name, _ := strings.Cut(key, ".")
		if _, ok := out[schema][name]; !ok {
			return nil, fmt.Errorf("rest: %s has a loader but no module declares that relation", key)
		}
	}
	return out, nil
}

// maxExpandDepth bounds expand=a.b: each level is one query more.
const maxExpandDepth = 2

// tree is a set of dotted names (customer, invoice.customer) as nested sets.
type tree map[string]tree

// shaping is what a GET's query asks of its answer.
type shaping struct {
	svc       *service.Service
	relations map[string]map[string]relation
	schema    string
	expand    tree
	fields    tree // nil: every field
}

const shapingKey = "rest.shaping"

// shapeable makes a JSON GET of data schema honour expand and fields, and
// documents the two parameters.
func (s *Server) shapeable(rt edge.Route) edge.Route {
	schema, handle := rt.Doc.Data, rt.Handle
	rt.Doc.Params = append(slices.Clip(rt.Doc.Params), fieldsParam(s.properties(schema)))
	if rels := s.relations[schema]; rels != nil {
		rt.Doc.Params = append(rt.Doc.Params, expandParam(slices.Sorted(maps.Keys(rels)), rt.Doc.List))
	}
	rt.Handle = func(c *gin.Context) error {
		sh, err := s.shapingOf(c, schema, rt.Doc.List)
		if err != nil {
			return err
		}
		if sh != nil {
			c.Set(shapingKey, sh)
		}
		return handle(c)
	}
	return rt
}

func fieldsParam(props []string) openapi.Param {
	return openapi.Query("fields", "Comma-separated fields to return (the envelope stays); unknown names are a 422. With expand, name embedded fields as customer.name. Fields: "+strings.Join(props, ", ")+".", openapi.StrSchema(""))
}

func expandParam(rels []string, list bool) openapi.Param {
	desc := "Comma-separated related objects to embed, at most two levels deep (invoice.customer): " + strings.Join(rels, ", ") + ". Each needs its own view permission (403 naming it otherwise); lists expand in a fixed number of queries."
	if list {
		desc += " On lists also written data.customer."
	}
	return openapi.Query("expand", desc, openapi.StrSchema(""))
}

// properties are the fields of a component schema, sorted.
func (s *Server) properties(schema string) []string {
	props, _ := s.schemas[schema].(obj)["properties"].(obj)
	return slices.Sorted(maps.Keys(props))
}

// shapingOf reads expand and fields; nil when the query asks for neither.
func (s *Server) shapingOf(c *gin.Context, schema string, list bool) (*shaping, error) {
	expand := c.Query("expand")
	fields, hasFields := c.GetQuery("fields")
	if expand == "" && !hasFields {
		return nil, nil
	}
	verr := &service.ValidationError{}
	sh := &shaping{svc: s.svc, relations: s.relations, schema: schema, expand: tree{}}
	expands := splitList(expand)
	if !service.CheckListSize(verr, "expand", len(expands), service.MaxListValues) {
		expands = nil
	}
	for _, name := range expands {
		if list {
			name = strings.TrimPrefix(name, "data.")
		}
		parts := strings.Split(name, ".")
		if len(parts) > maxExpandDepth {
			verr.Add("expand", "%s is %d levels deep; expand goes at most %d levels (such as invoice.customer).", name, len(parts), maxExpandDepth)
			continue
		}
		at, of := sh.expand, schema
		for _, p := range parts {
			rel, ok := s.relations[of][p]
			if !ok {
				verr.Add("expand", "%s cannot be expanded: %s", name, s.expandable(of, p))
				break
			}
			if at[p] == nil {
				at[p] = tree{}
			}
			at, of = at[p], rel.schema
		}
	}
	if hasFields {
		names := splitList(fields)
		if !service.CheckListSize(verr, "fields", len(names), service.MaxListValues) {
			return sh, verr
		}
		if len(names) == 0 {
			verr.Add("fields", "List the fields to return, comma-separated (fields=id,status), or leave fields out for all.")
		}
		sh.fields = tree{}
		var unknown []string
		for _, name := range names {
			if !s.knownField(schema, sh.expand, strings.Split(name, "."), sh.fields) {
				unknown = append(unknown, name)
			}
		}
		if len(unknown) > 0 {
			verr.Add("fields", "Unknown fields: %s. The fields are %s (and expanded objects, as customer.name).", strings.Join(unknown, ", "), strings.Join(s.properties(schema), ", "))
		}
		for _, name := range names { // asking for a hidden field is refused, not answered without it
			if perm := s.hiddenField(c.Request.Context(), schema, strings.Split(name, ".")); perm != "" {
				return nil, &policy.DeniedError{Permission: perm}
			}
		}
	}
	return sh, verr.OrNil()
}

// hiddenField is the permission that would show the field at path of
// schema (through expanded relations), "" when the caller may see it.
func (s *Server) hiddenField(ctx context.Context, schema string, path []string) string {
	for len(path) > 1 {
		rel, ok := s.relations[schema][path[0]]
		if !ok {
			return ""
		}
		schema, path = rel.schema, path[1:]
	}
	for t, o := range modules.Objects() {
		if o.Schema == schema {
			return policy.FromContext(ctx).Hidden(t)[path[0]]
		}
	}
	return ""
}

// expandable says why name is not a relation of schema.
func (s *Server) expandable(schema, name string) string {
	rels := slices.Sorted(maps.Keys(s.relations[schema]))
	if len(rels) == 0 {
		return fmt.Sprintf("%s has no related objects to embed.", strings.ToLower(schema))
	}
	return fmt.Sprintf("%q is not a relation of %s; it has %s.", name, strings.ToLower(schema), strings.Join(rels, ", "))
}

// knownField adds the dotted field path to picked when it names a field
// of schema or of an object embedded by expand.
func (s *Server) knownField(schema string, expand tree, path []string, picked tree) bool {
	head := path[0]
	sub, expanded := expand[head]
	if !expanded && !slices.Contains(s.properties(schema), head) {
		return false
	}
	if len(path) == 1 {
		picked[head] = nil // the whole value
		return true
	}
	if !expanded {
		return false
	}
	next, ok := picked[head]
	if !ok {
		next = tree{}
	} else if next == nil { // asked whole already
		return true
	}
	if !s.knownField(s.relations[schema][head].schema, sub, path[1:], next) {
		return false
	}
	picked[head] = next
	return true
}

// shaped reports whether c's query asks for expand or fields.
func shaped(c *gin.Context) bool {
	_, ok := c.Get(shapingKey)
	return ok
}

// shape applies c's expand and fields to the JSON of an answer's data.
func shape(c *gin.Context, data []byte) ([]byte, error) {
	v, ok := c.Get(shapingKey)
	if !ok {
		return data, nil
	}
	sh := v.(*shaping)
	doc, err := decode(data)
	if err != nil {
		return nil, err
	}
	if err := sh.embed(c.Request.Context(), sh.schema, objects(doc), sh.expand); err != nil {
		return nil, err
	}
	if sh.fields != nil {
		doc = pick(doc, sh.fields)
	}
	return jsonwire.Marshal(doc)
}

// embed loads each relation of want for all of objs at once and sets it
// on each object (null when the object refers to none), then goes down.
func (sh *shaping) embed(ctx context.Context, schema string, objs []map[string]any, want tree) error {
	for _, name := range slices.Sorted(maps.Keys(want)) {
		rel := sh.relations[schema][name]
		if err := policy.Require(ctx, rel.permission); err != nil {
			return err
		}
		key := rel.ref
		if key == "" {
			key = "id"
		}
		var ids []uuid.UUID
		for _, o := range objs {
			if id, err := uuid.Parse(fmt.Sprint(o[key])); err == nil && !slices.Contains(ids, id) {
				ids = append(ids, id)
			}
		}
		views := map[uuid.UUID]any{}
		if len(ids) > 0 {
			loaded, err := rel.load(sh.svc, ctx, ids)
			if err != nil {
				return err
			}
			if views, err = decodeAll(loaded); err != nil {
				return err
			}
		}
		var children []map[string]any
		for _, o := range objs {
			id, _ := uuid.Parse(fmt.Sprint(o[key]))
			o[name] = views[id] // nil: no such object (here)
			children = append(children, objects(views[id])...)
		}
		if len(want[name]) > 0 && len(children) > 0 {
			if err := sh.embed(ctx, rel.schema, children, want[name]); err != nil {
				return err
			}
		}
	}
	return nil
}

// pick keeps the fields of t, in an object or in each of a list.
func pick(v any, t tree) any {
	switch v := v.(type) {
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = pick(e, t)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, sub := range t {
			if val, ok := v[k]; ok {
				if sub != nil {
					val = pick(val, sub)
				}
				out[k] = val
			}
		}
		return out
	}
	return v
}

// objects are the JSON objects of v: v itself, or the elements of a list.
func objects(v any) []map[string]any {
	switch v := v.(type) {
	case map[string]any:
		return []map[string]any{v}
	case []any:
		out := make([]map[string]any, 0, len(v))
		for _, e := range v {
			if m, ok := e.(map[string]any); ok {
				out = append(out, m)
			}
		}
		return out
	}
	return nil
}

func decode(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber() // integers stay exact
	var v any
	return v, dec.Decode(&v)
}

// decodeAll turns loaded views into decoded JSON, as the answer holds them.
func decodeAll(views map[uuid.UUID]any) (map[uuid.UUID]any, error) {
	b, err := jsonwire.Marshal(views)
	if err != nil {
		return nil, err
	}
	v, err := decode(b)
	if err != nil {
		return nil, err
	}
	out := make(map[uuid.UUID]any, len(views))
	for k, val := range v.(map[string]any) {
		id, _ := uuid.Parse(k)
		out[id] = val
	}
	return out, nil
}
