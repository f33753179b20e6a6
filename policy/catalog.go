// Package policy holds who is asking (the viewer), what may be asked for (the
// permission catalog) and the decision (Casbin RBAC with domains). It imports
// nothing of ours so that ent/schema, REST and GraphQL can all depend on it.
package policy

import (
	"sort"
	"strings"
)

// Permission is one entry of the catalog: a dotted name that mirrors the UI.
type Permission struct {
	Name        string `json:"name"`
	Module      string `json:"module"`
	Description string `json:"description"`
}

// The permission names: code names a permission only through these (a
// test fails on a literal elsewhere), and each is in catalog below.
const (
	TicketsView           = "it-support.tickets.view"
	TicketsCreate         = "it-support.tickets.create"
	TicketsUpdate         = "it-support.tickets.update"
	TicketsDelete         = "it-support.tickets.delete"
	CommentsCreate        = "it-support.comments.create"
	DocumentsView         = "documents.view"
	DocumentsUpload       = "documents.upload"
	DocumentsUpdate       = "documents.update"
	DocumentsVerify       = "documents.verify"
	DocumentsDelete       = "documents.delete"
	IntegrationKeysManage = "settings.integration-keys.manage"
	WebhooksManage        = "settings.webhooks.manage"
	PoliciesManage        = "admin.policies.manage"
	AuditView             = "admin.audit.view"
	CustomersView         = "finance.customers.view"
	CustomersCreate       = "finance.customers.create"
	CustomersUpdate       = "finance.customers.update"
	CustomersDelete       = "finance.customers.delete"
	InvoicesView          = "finance.invoices.view"
	InvoicesCreate        = "finance.invoices.create"
	InvoicesUpdate        = "finance.invoices.update"
	InvoicesIssue         = "finance.invoices.issue"
	InvoicesVoid          = "finance.invoices.void"
	PaymentsView          = "finance.payments.view"
	PaymentsCreate        = "finance.payments.create"
	PaymentsRefund        = "finance.payments.refund"
	SalesView             = "pos.sales.view"
	SalesCreate           = "pos.sales.create"
	SessionsManage        = "pos.sessions.manage"
)

// catalog is the single list of every permission the platform knows. Roles
// and policies may only name these (or wildcards over them).
var catalog = []Permission{
	{TicketsView, "it-support", "List and read IT support tickets and their comments."},
	{TicketsCreate, "it-support", "Open IT support tickets."},
	{TicketsUpdate, "it-support", "Edit tickets: title, description, priority, assignee and status."},
	{TicketsDelete, "it-support", "Delete tickets and their comments."},
	{CommentsCreate, "it-support", "Comment on IT support tickets."},
	{DocumentsView, "documents", "List, read and download documents."},
	{DocumentsUpload, "documents", "Upload documents."},
	{DocumentsUpdate, "documents", "Edit document metadata."},
	{DocumentsVerify, "documents", "Verify or reject pending documents."},
	{DocumentsDelete, "documents", "Delete documents and their stored files."},
	{CustomersView, "finance", "List and read customers."},
	{CustomersCreate, "finance", "Create customers."},
	{CustomersUpdate, "finance", "Edit customers."},
	{CustomersDelete, "finance", "Delete customers."},
	{InvoicesView, "finance", "List and read invoices."},
	{InvoicesCreate, "finance", "Create draft invoices."},
	{InvoicesUpdate, "finance", "Edit draft invoices."},
	{InvoicesIssue, "finance", "Issue invoices (assigns the invoice number)."},
	{InvoicesVoid, "finance", "Void unpaid invoices."},
	{PaymentsView, "finance", "List and read payments."},
	{PaymentsCreate, "finance", "Record payments against issued invoices."},
	{PaymentsRefund, "finance", "Refund payments."},
	{SalesView, "pos", "List and read point-of-sale sales."},
	{SalesCreate, "pos", "Ring up point-of-sale sales."},
	{SessionsManage, "pos", "Open and close register sessions."},
	{IntegrationKeysManage, "settings", "List, create, revoke and roll integration keys."},
	{WebhooksManage, "settings", "Manage webhook endpoints, their secrets and deliveries; see ping and endpoint events."},
	{PoliciesManage, "admin", "Edit roles, their permissions and who holds them."},
	{AuditView, "admin", "Read the audit trail."},
}

// Catalog returns every permission, sorted by name.
func Catalog() []Permission {
	out := append([]Permission(nil), catalog...)
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Known reports whether name is a catalog permission.
func Known(name string) bool {
	for _, p := range catalog {
		if p.Name == name {
			return true
		}
	}
	return false
}

// ValidPattern reports whether pattern is "*", a catalog name, or a
// "prefix.*" wildcard that covers at least one catalog name.
func ValidPattern(pattern string) bool {
	if pattern == "*" || Known(pattern) {
		return true
	}
	if !strings.HasSuffix(pattern, ".*") {
		return false
	}
	for _, p := range catalog {
		if Match(pattern, p.Name) {
			return true
		}
	}
	return false
}

// Match reports whether a granted pattern covers the permission perm:
// "*" covers everything, "documents.*" covers "documents.verify" and
// "documents.x.y", anything else must be equal.
func Match(pattern, perm string) bool {
	if pattern == "*" || pattern == perm {
		return true
	}
	if prefix, ok := strings.CutSuffix(pattern, "*"); ok && strings.HasSuffix(prefix, ".") {
		return strings.HasPrefix(perm, prefix)
	}
	return false
}

// Expand lists the catalog permissions that the patterns cover, sorted.
func Expand(patterns []string) []string {
	var out []string
	for _, p := range Catalog() {
		for _, pat := range patterns {
			if Match(pat, p.Name) {
				out = append(out, p.Name)
				break
			}
		}
	}
	return out
}
