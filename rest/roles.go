package rest

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/cienerp/cienerp/edge"
	"github.com/cienerp/cienerp/ent/schema"
	"github.com/cienerp/cienerp/modules/admin"
	"github.com/cienerp/cienerp/modules/documents"
	"github.com/cienerp/cienerp/openapi"
	"github.com/cienerp/cienerp/service"
)

// Roles and their permissions (admin.policies.manage).

func init() {
	register(part{routes: (*Server).rolesRoutes, schemas: rolesSchemas})
}

func (s *Server) rolesRoutes() []edge.Route {
	return []edge.Route{
		{Method: http.MethodGet, Path: "/admin/roles", Op: admin.ManagePolicies, Handle: s.listRoles,
			Doc: openapi.Doc{Tag: admin.Module.Tag, Summary: "List roles with their permissions", Status: 200, Data: "Role", List: true}},
		{Method: http.MethodPost, Path: "/admin/roles", Op: admin.ManagePolicies, Creates: true, Handle: s.createRole,
			Doc: openapi.Doc{Tag: admin.Module.Tag, Summary: "Create a role", Description: "Permissions must be catalog names or wildcards (\"*\", \"module.*\"); unknown names are 422 and named.", Body: "CreateRole", Status: 201, Data: "Role",
				Example: obj{"name": "help-desk", "description": "First-line support", "permissions": []string{"it-support.*", documents.View}}}},
		{Method: http.MethodGet, Path: "/admin/roles/:name", Op: admin.ManagePolicies, Handle: s.getRole,
			Doc: openapi.Doc{Tag: admin.Module.Tag, Summary: "Get a role", Params: []openapi.Param{nameParam}, Status: 200, Data: "Role"}},
		{Method: http.MethodPatch, Conditional: true, Path: "/admin/roles/:name", Op: admin.ManagePolicies, Handle: s.updateRole,
			Doc: openapi.Doc{Tag: admin.Module.Tag, Summary: "Rename a role, edit its description or replace its permissions", Description: "Refused (422) when it would leave no user holding admin.policies.manage, or the owner role without \"*\".", Params: []openapi.Param{nameParam}, Body: "UpdateRole", Status: 200, Data: "Role",
				Example: obj{"description": "First-line support and documents"}}},
		{Method: http.MethodDelete, Conditional: true, Path: "/admin/roles/:name", Op: admin.ManagePolicies, Handle: s.deleteRole,
			Doc: openapi.Doc{Tag: admin.Module.Tag, Summary: "Delete a role and its assignments", Description: "Built-in roles cannot be deleted.", Params: []openapi.Param{nameParam}, Status: 200, Data: "DeletedRole"}},
	}
}

func rolesSchemas() obj {
	return obj{
		"Role": openapi.Object([]string{"name", "permissions", "conditions", "builtin"}, obj{
			"name": obj{"type": "string"}, "description": obj{"type": "string"}, "builtin": obj{"type": "boolean"},
			"permissions": openapi.StringList, "holders": obj{"type": "integer", "description": "Members and keys holding it."},
			"conditions": openapi.Ref("Conditions"),
		}),
		"CreateRole": openapi.Object([]string{"name", "permissions"}, obj{
			"name": obj{"type": "string", "pattern": "^[a-z0-9][a-z0-9-]{0,62}$", "maxLength": schema.MaxSlug, "examples": []string{"help-desk"}}, "description": openapi.TextMax(schema.MaxRoleDesc, ""),
			"permissions": obj{"type": "array", "items": obj{"type": "string"}, "examples": [][]string{{"it-support.*", documents.View}}},
			"conditions":  openapi.Ref("Conditions"),
		}),
		"UpdateRole": openapi.Object(nil, obj{
			"name": obj{"type": "string", "pattern": "^[a-z0-9][a-z0-9-]{0,62}$", "maxLength": schema.MaxSlug}, "description": openapi.TextMax(schema.MaxRoleDesc, ""), "permissions": openapi.StringList,
			"conditions": obj{"description": "Replaces the role's conditions ({} removes them); left out, the conditions of the permissions it keeps stay.", "$ref": "#/components/schemas/Conditions"},
		}),
		"DeletedRole": openapi.Object([]string{"name", "deleted"}, obj{"name": obj{"type": "string"}, "object": obj{"type": "string"}, "deleted": obj{"const": true}}),
		"SetRoles":    openapi.Object([]string{"roles"}, obj{"roles": openapi.StringList}),
		"AddRole":     openapi.Object([]string{"role"}, obj{"role": obj{"type": "string"}}),
	}
}

func (s *Server) listRoles(c *gin.Context) error {
	roles, err := s.svc.ListRoles(c.Request.Context())
	if err != nil {
		return err
	}
	respondList(c, roles, Meta{})
	return nil
}

func (s *Server) getRole(c *gin.Context) error {
	r, err := s.svc.GetRole(c.Request.Context(), c.Param("name"))
	if err != nil {
		return err
	}
	respond(c, http.StatusOK, r)
	return nil
}

func (s *Server) createRole(c *gin.Context) error {
	var in service.CreateRoleInput
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	r, err := s.svc.CreateRole(c.Request.Context(), in)
	if err != nil {
		return err
	}
	respond(c, http.StatusCreated, r)
	return nil
}

func (s *Server) updateRole(c *gin.Context) error {
	var in service.UpdateRoleInput
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	r, err := s.svc.UpdateRole(c.Request.Context(), c.Param("name"), in)
	if err != nil {
		return err
	}
	respond(c, http.StatusOK, r)
	return nil
}

func (s *Server) deleteRole(c *gin.Context) error {
	if err := s.svc.DeleteRole(c.Request.Context(), c.Param("name")); err != nil {
		return err
	}
	respond(c, http.StatusOK, gin.H{"name": c.Param("name"), "object": "role", "deleted": true})
	return nil
}

type rolesInput struct {
	Roles []string `json:"roles"`
}
