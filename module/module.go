// Package module is the shape of a module's declaration: what a module
// (IT support, documents, finance, …) tells the rest of the platform about
// itself, once. Each module declares one Module value in its own package
// under modules/; the permission catalog, the default roles, the event
// catalog, the audit actions, the operations' permissions and the OpenAPI
// tags are derived from those values by code that names no module.
//
// It imports nothing of ours: the ent schema, policy and every transport
// read declarations, so they sit below all of them.
package module

// Module is one module's declaration.
type Module struct {
	// Name is the catalog's module and the permissions' prefix
	// ("it-support" for it-support.tickets.view).
	Name string
	// Tag is the OpenAPI tag of its routes, with its description; several
	// modules may share one tag (its description is given once).
	Tag, TagDescription string
	// Permissions in catalog order.
	Permissions []Permission
	// Grants are the default roles' patterns from this module: role name →
	// permissions or wildcards ("it-support.*"). Owner's "*" is implied.
	Grants map[string][]string
	// Conditions are the default roles' row conditions: role → one of its
	// granted permissions → the condition (JSON, README "Permissions").
	Conditions map[string]map[string]string
	// Objects are the kinds of object the module owns, each with its events.
	Objects []Object
	// Ops bind each operation to the permission it needs, once: REST routes
	// name the Op (the edge checks it), GraphQL fields are listed in it (a
	// field middleware checks it), so the two transports cannot differ.
	Ops []Op
}

// Permission is one catalog entry: a dotted name that mirrors the UI.
type Permission struct {
	Name        string
	Description string
	// Object is the object type whose rows the permission acts on: a grant
	// of it may carry a row condition over that object's Fields. Empty for
	// permissions that take no condition.
	Object string
}

// Object is a kind of object: its name in JSON ("object": "ticket") and in
// events, the component schema of its public shape, and the permission
// that shows it (its GET, its events in the feed, webhooks and streams).
type Object struct {
	Type      string
	Schema    string
	View      string
	Events    []Event
	Relations []Relation
	// Fields are the fields row conditions may name (README
	// "Permissions"); a relation with a Ref reaches the related object's.
	Fields []Field
	// FieldGroups are its sensitive fields, each group behind a permission.
	FieldGroups []FieldGroup
	// Gates are rows behind a permission of their own (a ticket's internal
	// comments): a viewer without it does not see them on any path.
	Gates []Gate
	// Within is the object whose row conditions govern this one when both
	// share a permission (a comment is seen with its ticket).
	Within *Relation
}

// Relation is an object that another embeds: REST's expand=<Name> and the
// GraphQL field <Schema>.<Name>, both behind the related object's view
// permission (the same 403 as its own GET).
type Relation struct {
	Name   string
	Object string // the related object's Type
	// Ref is the field that holds the related object's id; "" means the
	// related objects whose parent is this one (an invoice's payments).
	Ref string
}

// Change names one change: its event type is its audit action too, so a
// change has one name everywhere ("ticket.updated").
type Change string

// Event is a change's catalog entry. AuditOnly changes are recorded in the
// audit trail but emit no integration event (a test delivery, a replay).
// Was is the audit action the change was recorded under before changes had
// one name; stored audit events are renamed from it at start.
type Event struct {
	Change      Change
	Description string
	AuditOnly   bool
	Was         []string
}

// Op is one operation and the permission it needs. An empty Permission
// means any authenticated caller, or that the operation decides (an upsert
// needs the create or the update permission, the service checks which).
// GraphQL lists the fields that perform it, as Type.field
// ("Mutation.createTicket").
type Op struct {
	Permission string
	GraphQL    []string
}

// Field is a field of an object that row conditions may name: its name in
// the public shape, which is also its column (conditions compile to SQL on
// it) and its key in event payloads.
type Field struct {
	Name string
	Kind Kind
	// Values lists an enum's values.
	Values []string
}

// Kind is what a condition field holds, which decides the operators and
// variables it takes.
type Kind string

const (
	// KindUser is a user id ($user compares with it).
	KindUser Kind = "user"
	// KindSubject is "user:<id>" or "key:<id>" (created_by, author):
	// $user compares with the acting user's subject.
	KindSubject Kind = "subject"
	// KindID is another object's id.
	KindID     Kind = "id"
	KindString Kind = "string"
	KindEnum   Kind = "enum"
	KindTime   Kind = "time"
	// KindDate is a calendar day (an invoice's due date), compared as one.
	KindDate Kind = "date"
	KindInt  Kind = "int"
	KindBool Kind = "bool"
	// KindEmail is an email address ($user.email compares with it).
	KindEmail Kind = "email"
)

// Gate keeps the rows whose boolean Field is true to holders of Permission.
type Gate struct {
	Field      string
	Permission string
}

// FieldGroup is a set of sensitive fields behind their own permission:
// a caller without it gets the object without them.
type FieldGroup struct {
	Name       string
	Permission string
	Fields     []string
}
