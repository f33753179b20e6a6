// Package admin declares the admin module: roles, members, the policy as
// data and the audit trail.
package admin

import "github.com/cienerp/cienerp/module"

const (
	PoliciesManage = "admin.policies.manage"
	AuditView      = "admin.audit.view"
)

const (
	RoleCreated    module.Change = "role.created"
	RoleUpdated    module.Change = "role.updated"
	RoleDeleted    module.Change = "role.deleted"
	MemberAdded    module.Change = "member.added"
	MemberUpdated  module.Change = "member.updated"
	MemberRemoved  module.Change = "member.removed"
	PolicyImported module.Change = "policy.imported"
)

// The operations and the permission each needs: REST routes name these,
// GraphQL fields are listed in them.
var (
	ManagePolicies = module.Op{Permission: PoliciesManage, GraphQL: []string{"Query.roles", "Query.members", "Query.policy", "Query.explainPermission", "Query.previewCondition",
		"Mutation.createRole", "Mutation.updateRole", "Mutation.deleteRole", "Mutation.inviteMember", "Mutation.removeMember",
		"Mutation.setMemberRoles", "Mutation.addMemberRole", "Mutation.removeMemberRole", "Mutation.setIntegrationKeyRoles", "Mutation.importPolicy", "Query.simulatePolicy"}}
	ViewAudit = module.Op{Permission: AuditView, GraphQL: []string{"Query.auditEvents"}}
)

// Module is the declaration the registry (modules.All) lists.
var Module = module.Module{
	Name: "admin",
	Tag:  "Admin", TagDescription: "Roles, members, policy as data, the explain endpoint and the audit trail.",
	Permissions: []module.Permission{
		{Name: PoliciesManage, Description: "Edit roles, their permissions and who holds them."},
		{Name: AuditView, Description: "Read the audit trail."},
	},
	Grants: map[string][]string{"admin": {"admin.*"}},
	Objects: []module.Object{
		{Type: "role", Schema: "Role", View: PoliciesManage, Events: []module.Event{
			{Change: RoleCreated, Description: "A role was created (sandbox and live feeds both carry role, member and policy events).", Was: []string{"role.create"}},
			{Change: RoleUpdated, Description: "A role's name, description or permissions changed.", Was: []string{"role.update"}},
			{Change: RoleDeleted, Description: "A role was deleted and taken from everyone who held it.", Was: []string{"role.delete"}},
		}},
		{Type: "member", Schema: "Member", View: PoliciesManage, Events: []module.Event{
			{Change: MemberAdded, Description: "A person was added to the tenant with roles.", Was: []string{"member.invite"}},
			{Change: MemberUpdated, Description: "A member's roles changed.", Was: []string{"member.roles.set", "member.roles.add", "member.roles.remove"}},
			{Change: MemberRemoved, Description: "A person was removed from the tenant.", Was: []string{"member.remove"}},
		}},
		{Type: "policy", Schema: "PolicyImport", View: PoliciesManage, Events: []module.Event{
			{Change: PolicyImported, Description: "A policy document was imported; data.object.changes lists the roles and assignments it changed.", Was: []string{"policy.import"}},
		}},
	},
	Ops: []module.Op{ManagePolicies, ViewAudit},
}
