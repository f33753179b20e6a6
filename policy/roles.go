package policy

import "github.com/cienerp/cienerp/modules"

// Role is a named set of permission patterns inside one tenant.
type Role struct {
	Name        string   `json:"name"`
	Description string   `json:"description"`
	Permissions []string `json:"permissions"`
	// Conditions: permission → its row condition (JSON).
	Conditions map[string]string `json:"conditions,omitempty"`
}

// defaultRoles are the roles every tenant starts with; what each grants
// besides owner's "*" comes from the modules' declarations (their Grants).
var defaultRoles = []Role{
	{Name: "owner", Description: "Full access, including policies and keys.", Permissions: []string{"*"}},
	{Name: "admin", Description: "Runs the tenant: every module, keys, policies and audit."},
	{Name: "it-agent", Description: "Works IT support tickets; reads and uploads documents."},
	{Name: "accountant", Description: "Customers, invoices and payments; verifies documents."},
	{Name: "cashier", Description: "Rings up sales at the register: sees the register sessions they opened and the sales they rang up."},
	{Name: "requester", Description: "Employee self-service: files IT tickets for themselves and follows them, uploads and reads their own documents."},
	{Name: "viewer", Description: "Reads every module, changes nothing (the audit trail is for admins)."},
}

// DefaultRoles are created with every tenant; admins may edit them later.
func DefaultRoles() []Role {
	out := make([]Role, len(defaultRoles))
	for i, r := range defaultRoles {
		r.Permissions = append([]string(nil), r.Permissions...)
		r.Conditions = map[string]string{}
		for _, m := range modules.All() {
			r.Permissions = append(r.Permissions, m.Grants[r.Name]...)
			for perm, cond := range m.Conditions[r.Name] {
				c, err := CompactCondition([]byte(cond))
				if err != nil {
					panic("policy: the default condition of " + r.Name + " on " + perm + " is not JSON: " + err.Error())
				}
				r.Conditions[perm] = c
			}
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
