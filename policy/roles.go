package policy

import "strings"

// Role is a named set of permission patterns inside one tenant.
type Role struct {
	Name        string   `json:"name"`
	Description string   `json:"description"`
	Permissions []string `json:"permissions"`
}

// DefaultRoles are created with every tenant; admins may edit them later.
func DefaultRoles() []Role {
	return []Role{
		{"owner", "Full access, including policies and keys.", []string{"*"}},
		{"admin", "Runs the tenant: every module, keys, policies and audit.", []string{"it-support.*", "documents.*", "finance.*", "pos.*", "settings.*", "admin.*"}},
		{"it-agent", "Works IT support tickets; reads and uploads documents.", []string{"it-support.*", DocumentsView, DocumentsUpload}},
		{"accountant", "Customers, invoices and payments; verifies documents.", []string{"finance.*", DocumentsView, DocumentsUpload, DocumentsVerify, SalesView}},
		{"cashier", "Rings up sales at the register.", []string{"pos.*", CustomersView, CustomersCreate, InvoicesView, PaymentsView}},
		{"viewer", "Reads every module, changes nothing (the audit trail is for admins).", viewPermissions()},
	}
}

func viewPermissions() []string {
	var out []string
	for _, p := range Catalog() {
		if strings.HasSuffix(p.Name, ".view") && p.Module != "admin" {
			out = append(out, p.Name)
		}
	}
	return out
}

// Subject names used in Casbin rules.
func UserSubject(id string) string { return "user:" + id }
func KeySubject(id string) string  { return "key:" + id }
func RoleSubject(name string) string {
	return "role:" + name
}
