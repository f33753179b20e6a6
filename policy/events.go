package policy

// EventType is one entry of the event catalog: what happened, to which kind
// of object, and the permission a caller needs to see it (the view
// permission of that object, as its REST GET requires).
type EventType struct {
	Name        string `json:"name"`
	ObjectType  string `json:"object_type"`
	Permission  string `json:"permission"`
	Description string `json:"description"`
}

// objectPermissions is the view permission of each object type that
// events carry: the one place the feed, webhooks and subscriptions ask.
var objectPermissions = map[string]string{
	"ticket":           TicketsView,
	"ticket_comment":   TicketsView,
	"document":         DocumentsView,
	"customer":         CustomersView,
	"invoice":          InvoicesView,
	"payment":          PaymentsView,
	"pos_session":      SessionsManage,
	"pos_sale":         SalesView,
	"webhook_endpoint": WebhooksManage,
	"integration_key":  IntegrationKeysManage,
	"role":             PoliciesManage,
	"member":           PoliciesManage,
	"policy":           PoliciesManage,
}

// eventCatalog lists every event type the platform emits. The service
// emits only these (a test fails otherwise).
var eventCatalog = []EventType{
	{"ticket.created", "ticket", "", "A ticket was opened."},
	{"ticket.updated", "ticket", "", "A ticket's title, description, priority, assignee or status changed; previous_attributes holds the old values."},
	{"ticket.deleted", "ticket", "", "A ticket and its comments were deleted; data.object is the ticket as it was."},
	{"ticket.comment.created", "ticket_comment", "", "A comment was added to a ticket."},
	{"document.uploaded", "document", "", "A document was uploaded and is pending review."},
	{"document.updated", "document", "", "A document's title, category or tags changed."},
	{"document.verified", "document", "", "A pending document was verified."},
	{"document.rejected", "document", "", "A pending document was rejected; data.object.review_note holds the reason."},
	{"document.deleted", "document", "", "A document and its stored file were deleted."},
	{"customer.created", "customer", "", "A customer was created."},
	{"customer.updated", "customer", "", "A customer changed."},
	{"customer.deleted", "customer", "", "A customer was deleted."},
	{"invoice.created", "invoice", "", "A draft invoice was created."},
	{"invoice.updated", "invoice", "", "A draft invoice was edited, or a refund changed what is paid."},
	{"invoice.issued", "invoice", "", "An invoice was issued and numbered."},
	{"invoice.partially_paid", "invoice", "", "A payment covered part of an invoice."},
	{"invoice.paid", "invoice", "", "Payments now cover the whole invoice."},
	{"invoice.voided", "invoice", "", "An unpaid invoice was voided."},
	{"payment.created", "payment", "", "A payment was recorded against an invoice (directly or by a POS sale)."},
	{"payment.refunded", "payment", "", "A payment was refunded, in part or in full."},
	{"pos.session.opened", "pos_session", "", "A register session was opened."},
	{"pos.session.closed", "pos_session", "", "A register session was closed and its cash counted."},
	{"pos.sale.created", "pos_sale", "", "A point-of-sale sale was rung up."},
	{"webhook_endpoint.created", "webhook_endpoint", "", "A webhook endpoint was created (its secret is never in an event)."},
	{"webhook_endpoint.updated", "webhook_endpoint", "", "A webhook endpoint's url, event types, description or enabled state changed."},
	{"webhook_endpoint.secret_rotated", "webhook_endpoint", "", "A webhook endpoint's signing secret was rotated; the previous one signs beside it until previous_secret_expires_at."},
	{"webhook_endpoint.deleted", "webhook_endpoint", "", "A webhook endpoint was deleted."},
	{"webhook_endpoint.disabled", "webhook_endpoint", "", "A webhook endpoint was disabled after failing continuously for 5 days."},
	{"integration_key.created", "integration_key", "", "An integration key was created (by a roll too: rolled_from names the old one); its secret is never in an event."},
	{"integration_key.updated", "integration_key", "", "An integration key's roles changed."},
	{"integration_key.rolled", "integration_key", "", "An integration key was rolled: it stops now or at its new expires_at."},
	{"integration_key.revoked", "integration_key", "", "An integration key was revoked and stopped working."},
	{"role.created", "role", "", "A role was created (sandbox and live feeds both carry role, member and policy events)."},
	{"role.updated", "role", "", "A role's name, description or permissions changed."},
	{"role.deleted", "role", "", "A role was deleted and taken from everyone who held it."},
	{"member.added", "member", "", "A person was added to the tenant with roles."},
	{"member.updated", "member", "", "A member's roles changed."},
	{"member.removed", "member", "", "A person was removed from the tenant."},
	{"policy.imported", "policy", "", "A policy document was imported; data.object.changes lists the roles and assignments it changed."},
	{"ping", "webhook_endpoint", "", "Sent by POST /webhook-endpoints/{id}/test; never in the events feed of other endpoints."},
}

func init() {
	for i := range eventCatalog {
		eventCatalog[i].Permission = objectPermissions[eventCatalog[i].ObjectType]
	}
}

// EventCatalog returns every event type in catalog order.
func EventCatalog() []EventType { return append([]EventType(nil), eventCatalog...) }

// LookupEventType returns the catalog entry of name.
func LookupEventType(name string) (EventType, bool) {
	for _, e := range eventCatalog {
		if e.Name == name {
			return e, true
		}
	}
	return EventType{}, false
}

// ObjectPermission is the permission needed to see events about objects of
// type objectType ("" when the type is unknown: nobody sees it).
func ObjectPermission(objectType string) string { return objectPermissions[objectType] }

// VisibleObjectTypes lists the object types whose events v may see.
func VisibleObjectTypes(v *Viewer) []string {
	var out []string
	for t, perm := range objectPermissions {
		if v.Can(perm) {
			out = append(out, t)
		}
	}
	return out
}

// ValidEventPattern reports whether pattern names a catalog event type or
// is a wildcard covering at least one ("*", "invoice.*"): the same
// wildcards as permissions, matched with Match.
func ValidEventPattern(pattern string) bool {
	for _, e := range eventCatalog {
		if Match(pattern, e.Name) {
			return true
		}
	}
	return false
}
