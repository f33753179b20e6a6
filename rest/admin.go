package rest

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/cienerp/cienerp/ent"
	"github.com/cienerp/cienerp/policy"
	"github.com/cienerp/cienerp/service"
)

// Roles, members and policy as data (permission admin.policies.manage),
// the explain endpoint and the audit trail (admin.audit.view).

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

type rolesInput struct {
	Roles []string `json:"roles"`
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

func (s *Server) setKeyRoles(c *gin.Context) error {
	id, err := pathID(c, "integration key")
	if err != nil {
		return err
	}
	var in rolesInput
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	k, err := s.svc.SetKeyRoles(c.Request.Context(), id, in.Roles)
	if err != nil {
		return err
	}
	respond(c, http.StatusOK, keyView(k))
	return nil
}

func (s *Server) checkPermission(c *gin.Context) error {
	verr := &service.ValidationError{}
	subject, perm := c.Query("subject"), c.Query("permission")
	if subject == "" {
		verr.Add("subject", "Subject is required: user:<id>, key:<id> or a member's email.")
	}
	if perm == "" {
		verr.Add("permission", "Permission is required, e.g. it-support.tickets.view.")
	}
	if err := verr.OrNil(); err != nil {
		return err
	}
	e, err := s.svc.Explain(c.Request.Context(), subject, perm)
	if err != nil {
		return err
	}
	respond(c, http.StatusOK, e)
	return nil
}

func (s *Server) exportPolicy(c *gin.Context) error {
	doc, err := s.svc.ExportPolicy(c.Request.Context())
	if err != nil {
		return err
	}
	respond(c, http.StatusOK, doc)
	return nil
}

func (s *Server) importPolicy(c *gin.Context) error {
	var doc service.PolicyDoc
	if err := bindJSON(c, &doc); err != nil {
		return err
	}
	dry := c.Query("dry_run") == "1" || c.Query("dry_run") == "true"
	diff, err := s.svc.ImportPolicy(c.Request.Context(), doc, dry)
	if err != nil {
		return err
	}
	respond(c, http.StatusOK, gin.H{"object": "policy_import", "dry_run": dry, "changes": diff})
	return nil
}

type auditJSON struct {
	ID          uuid.UUID      `json:"id"`
	Object      string         `json:"object"`
	Environment policy.Env     `json:"environment"`
	Actor       string         `json:"actor"`
	Credential  string         `json:"credential"`
	RequestID   string         `json:"request_id"`
	Action      string         `json:"action"`
	EntityType  string         `json:"entity_type"`
	EntityID    string         `json:"entity_id"`
	Before      map[string]any `json:"before"`
	After       map[string]any `json:"after"`
	CreatedAt   time.Time      `json:"created_at"`
}

func auditView(e *ent.AuditEvent) auditJSON {
	return auditJSON{ID: e.ID, Object: "audit_event", Environment: e.Env, Actor: e.Actor, Credential: e.Credential, RequestID: e.RequestID,
		Action: e.Action, EntityType: e.EntityType, EntityID: e.EntityID, Before: e.Before, After: e.After, CreatedAt: e.CreatedAt}
}

func (s *Server) listAuditEvents(c *gin.Context) error {
	verr := &service.ValidationError{}
	f := service.AuditFilter{
		Actor: c.Query("actor"), Credential: c.Query("credential"), Action: c.Query("action"),
		EntityType: c.Query("entity_type"), EntityID: c.Query("entity_id"), RequestID: c.Query("request_id"), Cursor: c.Query("cursor"),
		Limit: queryLimit(c, verr),
	}
	if e := policy.Env(c.Query("environment")); e != "" {
		if !e.Valid() {
			verr.Add("environment", "Environment must be live or sandbox.")
		}
		f.Env = e
	}
	f.Since = queryTime(c, "since", verr)
	f.Until = queryTime(c, "until", verr)
	if err := verr.OrNil(); err != nil {
		return err
	}
	page, err := s.svc.ListAuditEvents(c.Request.Context(), f)
	if err != nil {
		return err
	}
	respondList(c, mapSlice(page.Items, auditView), Meta{Limit: f.Limit, HasMore: page.HasMore, NextCursor: page.NextCursor})
	return nil
}

func queryTime(c *gin.Context, name string, verr *service.ValidationError) *time.Time {
	v := c.Query(name)
	if v == "" {
		return nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		verr.Add(name, "The %s parameter must be an RFC 3339 date-time, e.g. 2026-01-31T00:00:00Z.", name)
		return nil
	}
	return &t
}
