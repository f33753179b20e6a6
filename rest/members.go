package rest

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/cienerp/cienerp/edge"
	"github.com/cienerp/cienerp/ent/schema"
	"github.com/cienerp/cienerp/modules/admin"
	"github.com/cienerp/cienerp/openapi"
	"github.com/cienerp/cienerp/service"
)

// Members of the tenant and their roles (admin.policies.manage).

func init() {
	register(part{routes: (*Server).membersRoutes, schemas: membersSchemas})
}

func (s *Server) membersRoutes() []edge.Route {
	return []edge.Route{
		{Method: http.MethodGet, Path: "/admin/members", Op: admin.ManagePolicies, Handle: s.listMembers,
			Doc: openapi.Doc{Tag: admin.Module.Tag, Summary: "List members with their roles", Status: 200, Data: "Member", List: true}},
		{Method: http.MethodPost, Path: "/admin/members", Op: admin.ManagePolicies, Creates: true, Secret: true, Handle: s.inviteMember,
			Doc: openapi.Doc{Tag: admin.Module.Tag, Summary: "Invite or create a member", Description: "An existing login is added to the tenant; otherwise a login is created with the given password, or a generated one returned once in password.", Body: "InviteMember", Status: 201, Data: "Member",
				Example: obj{"email": "new.agent@example.com", "name": "New Agent", "roles": []string{"it-agent"}}}},
		{Method: http.MethodDelete, Path: "/admin/members/:id", Op: admin.ManagePolicies, Handle: s.removeMember,
			Doc: openapi.Doc{Tag: admin.Module.Tag, Summary: "Remove a member and its roles", Params: []openapi.Param{idParam}, Status: 200, Data: "DeletedMember"}},
		{Method: http.MethodPut, Path: "/admin/members/:id/roles", Op: admin.ManagePolicies, Handle: s.setMemberRoles,
			Doc: openapi.Doc{Tag: admin.Module.Tag, Summary: "Replace a member's roles", Params: []openapi.Param{idParam}, Body: "SetRoles", Status: 200, Data: "Member",
				Example: obj{"roles": []string{"it-agent"}}}},
		{Method: http.MethodPost, Path: "/admin/members/:id/roles", Op: admin.ManagePolicies, Handle: s.addMemberRole,
			Doc: openapi.Doc{Tag: admin.Module.Tag, Summary: "Give a member a role", Params: []openapi.Param{idParam}, Body: "AddRole", Status: 200, Data: "Member",
				Example: obj{"role": "viewer"}}},
		{Method: http.MethodDelete, Path: "/admin/members/:id/roles/:role", Op: admin.ManagePolicies, Handle: s.removeMemberRole,
			Doc: openapi.Doc{Tag: admin.Module.Tag, Summary: "Take a role from a member", Params: []openapi.Param{idParam, roleParam}, Status: 200, Data: "Member"}},
	}
}

func membersSchemas() obj {
	return obj{
		"DeletedMember": openapi.Object([]string{"user_id", "deleted"}, obj{"user_id": openapi.UUID, "object": obj{"type": "string"}, "deleted": obj{"const": true}}),
		"Member": openapi.Object([]string{"user_id", "email", "roles"}, obj{
			"user_id": openapi.UUID, "email": obj{"type": "string"}, "name": obj{"type": "string"}, "status": openapi.Enum("", "active", "disabled"),
			"roles": openapi.StringList, "joined_at": openapi.Time,
			"password":  openapi.Str("Only when the invite created the login and no password was given: the generated password, shown once."),
			"new_login": obj{"type": "boolean"},
		}),
		"InviteMember": openapi.Object([]string{"email", "roles"}, obj{
			"email": obj{"type": "string", "format": "email", "maxLength": schema.MaxEmail}, "name": openapi.TextMax(schema.MaxName, ""),
			"password": obj{"type": "string", "format": "password", "description": "For a new login only; generated when left out."},
			"roles":    openapi.StringList,
		}),
	}
}

func (s *Server) listMembers(c *gin.Context) error {
	ms, err := s.svc.ListMembers(c.Request.Context())
	if err != nil {
		return err
	}
	respondList(c, ms, Meta{})
	return nil
}

func (s *Server) inviteMember(c *gin.Context) error {
	var in service.InviteMemberInput
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	m, err := s.svc.InviteMember(c.Request.Context(), in)
	if err != nil {
		return err
	}
	respond(c, http.StatusCreated, m)
	return nil
}

func (s *Server) removeMember(c *gin.Context) error {
	id, err := pathID(c, "member")
	if err != nil {
		return err
	}
	if err := s.svc.RemoveMember(c.Request.Context(), id); err != nil {
		return err
	}
	respond(c, http.StatusOK, gin.H{"user_id": id, "object": "member", "deleted": true})
	return nil
}

type roleInput struct {
	Role string `json:"role"`
}

func (s *Server) setMemberRoles(c *gin.Context) error {
	return s.editMember(c, func(id uuid.UUID) (service.Member, error) {
		var in rolesInput
		if err := bindJSON(c, &in); err != nil {
			return service.Member{}, err
		}
		return s.svc.SetMemberRoles(c.Request.Context(), id, in.Roles)
	})
}

func (s *Server) addMemberRole(c *gin.Context) error {
	return s.editMember(c, func(id uuid.UUID) (service.Member, error) {
		var in roleInput
		if err := bindJSON(c, &in); err != nil {
			return service.Member{}, err
		}
		return s.svc.AddMemberRole(c.Request.Context(), id, in.Role)
	})
}

func (s *Server) removeMemberRole(c *gin.Context) error {
	return s.editMember(c, func(id uuid.UUID) (service.Member, error) {
		return s.svc.RemoveMemberRole(c.Request.Context(), id, c.Param("role"))
	})
}

func (s *Server) editMember(c *gin.Context, edit func(uuid.UUID) (service.Member, error)) error {
	id, err := pathID(c, "member")
	if err != nil {
		return err
	}
	m, err := edit(id)
	if err != nil {
		return err
	}
	respond(c, http.StatusOK, m)
	return nil
}
