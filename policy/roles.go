package policy

import "github.com/cienerp/cienerp/modules"

// Role is a named set of permission patterns inside one tenant.
type Role struct {
	Name        string   `json:"name"`
	Description string   `json:"description"`
	Permissions []string `json:"permissions"`
}

// defaultRoles are the roles every tenant starts with; what each grants
// besides owner's "*" comes from the modules' declarations (their Grants).
var defaultRoles = []Role{
	{Name: "owner", Description: "Full access, including policies and keys.", Permissions: []string{"*"}},
	{Name: "admin", Description: "Runs the tenant: every module, keys, policies and audit."},
	{Name: "it-agent", Description: "Works IT support tickets; reads and uploads documents."},
	{Name: "accountant", Description: "Customers, invoices and payments; verifies documents."},
	{Name: "cashier", Description: "Rings up sales at the register."},
	{Name: "viewer", Description: "Reads every module, changes nothing (the audit trail is for admins)."},
}

// DefaultRoles are created with every tenant; admins may edit them later.
func DefaultRoles() []Role {
	out := make([]Role, len(defaultRoles))
	for i, r := range defaultRoles {
		r.Permissions = append([]string(nil), r.Permissions...)
		for _, m := range modules.All() {
			r.Permissions = append(r.Permissions, m.Grants[r.Name]...)
		}
		out[i] = r
	}
	return out
}

// Subject names used in Casbin rules.
func UserSubject(id string) string { return "user:" + id }
func KeySubject(id string) string  { return "key:" + id }
func RoleSubject(name string) string {
	return "role:" + name
}
