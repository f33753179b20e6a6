package rest

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/cienerp/cienerp/edge"
	"github.com/cienerp/cienerp/modules/admin"
	"github.com/cienerp/cienerp/modules/itsupport"
	"github.com/cienerp/cienerp/openapi"
	"github.com/cienerp/cienerp/policy"
	"github.com/cienerp/cienerp/service"
)

// Policy as data and the explain endpoint (admin.policies.manage).

func init() {
	register(part{routes: (*Server).policyRoutes, schemas: policySchemas})
}

func (s *Server) policyRoutes() []edge.Route {
	return []edge.Route{
		{Method: http.MethodGet, Path: "/permissions/check", Op: admin.ManagePolicies, Handle: s.checkPermission,
			Doc: openapi.Doc{Tag: admin.Module.Tag, Summary: "Explain a permission decision", Description: "Whether the subject holds the permission here, and which role and rule decided: the same Casbin decision that requests get.", Params: []openapi.Param{
				openapi.Query("subject", "user:<id>, key:<id>, a user or key id, or a member's email.", openapi.StrSchema("")),
				openapi.Query("permission", "A catalog permission, e.g. documents.verify.", openapi.StrSchema("")),
				openapi.Query("object_id", "An object the permission acts on (a ticket for it-support.tickets.view): whether it passes the subject's row conditions, by the same SQL requests use.", openapi.StrSchema("uuid")),
			}, Status: 200, Data: "Explanation"}},
		{Method: http.MethodPost, Path: "/admin/conditions/preview", Op: admin.ManagePolicies, Handle: s.previewCondition,
			Doc: openapi.Doc{ChangesNothing: true, Tag: admin.Module.Tag, Summary: "Preview a row condition", Description: "Checks a condition on a permission (422 naming what is wrong) and counts the objects of the permission's type in this environment that it admits, and all of them, as subject ($user is the subject's; the caller when left out). Changes nothing.",
				Body: "ConditionPreviewInput", Status: 200, Data: "ConditionPreview",
				Example: obj{"permission": itsupport.TicketsView, "condition": obj{"requester_id": obj{"_eq": "$user"}}}}},
		{Method: http.MethodGet, Path: "/admin/policy", Op: admin.ManagePolicies, Handle: s.exportPolicy,
			Doc: openapi.Doc{Tag: admin.Module.Tag, Summary: "Export the tenant's policy as JSON", Description: "Roles, members' roles, and the roles of this environment's active keys.", Status: 200, Data: "PolicyDocument"}},
		{Method: http.MethodPost, Path: "/admin/policy/import", Op: admin.ManagePolicies, Handle: s.importPolicy,
			Doc: openapi.Doc{Tag: admin.Module.Tag, Summary: "Import a policy document", Description: "Roles become exactly the document's; listed members and keys get exactly their listed roles. With dry_run=1 only the diff is returned. All or nothing.", Params: []openapi.Param{
				openapi.Query("dry_run", "1 to see the diff without applying it.", openapi.StrSchema("")),
			}, Body: "PolicyDocument", Status: 200, Data: "PolicyImport",
				Example: policyExample()}},
	}
}

func policySchemas() obj {
	return obj{
		"Explanation": openapi.Object([]string{"subject", "permission", "allowed", "roles", "reason"}, obj{
			"subject": obj{"type": "string"}, "permission": obj{"type": "string"}, "allowed": obj{"type": "boolean"},
			"role": openapi.Str("The role whose rule decided (when allowed)."), "rule": openapi.Str("The pattern that matched, e.g. documents.*."),
			"roles": openapi.StringList, "reason": openapi.Str("The decision in a sentence."),
			"conditions": obj{"type": "array", "description": "The row conditions the subject's grants of the permission carry; empty when it sees every row.", "items": openapi.Object([]string{"role", "permission", "condition"}, obj{
				"role": obj{"type": "string"}, "permission": obj{"type": "string"}, "condition": openapi.Ref("Condition")})},
			"object_id":     openapi.Str("The object asked about (object_id)."),
			"object_passes": obj{"type": "boolean", "description": "Whether that object passes the conditions: false means hidden from (or refused to) the subject."},
		}),
		"ConditionPreviewInput": openapi.Object([]string{"permission", "condition"}, obj{
			"permission": openapi.Str("A permission that acts on objects, e.g. it-support.tickets.view."), "condition": openapi.Ref("Condition"),
			"subject": openapi.Str("Preview as this member or key (user:<id>, key:<id>, an id or an email); the caller when left out."),
		}),
		"ConditionPreview": openapi.Object([]string{"object", "subject", "matching", "total"}, obj{
			"object": openapi.Str("The permission's object type."), "subject": openapi.Str("Who $user was."),
			"matching": obj{"type": "integer", "description": "Objects the condition admits."}, "total": obj{"type": "integer", "description": "Objects of the type in this environment."},
		}),
		"Condition": obj{"type": "object", "description": "A row condition (README \"Permissions\"): fields of the permission's object with _eq, _neq, _in, _nin, _null, _lt, _lte, _gt, _gte; _and, _or, _not; $user and $user.email. See GET /permissions for each permission's object and fields.",
			"examples": []any{obj{"requester_id": obj{"_eq": "$user"}}}},
		"Conditions": obj{"type": "object", "description": "Permission → its row condition. A condition attaches to a permission the role grants by its exact name.", "additionalProperties": openapi.Ref("Condition"),
			"examples": []any{obj{itsupport.TicketsView: obj{"requester_id": obj{"_eq": "$user"}}}}},
		"PolicyDocument": openapi.Object([]string{"roles"}, obj{
			"roles": obj{"type": "array", "items": openapi.Object([]string{"name", "permissions"}, obj{
				"name": obj{"type": "string"}, "description": obj{"type": "string"}, "permissions": openapi.StringList, "conditions": openapi.Ref("Conditions")})},
			"members":          obj{"type": "array", "items": openapi.Ref("PolicyAssignment")},
			"integration_keys": obj{"type": "array", "items": openapi.Ref("PolicyAssignment")},
		}),
		"PolicyAssignment": openapi.Object([]string{"id", "roles"}, obj{"id": openapi.UUID, "label": openapi.Str("Email or key name; ignored on import."), "roles": openapi.StringList}),
		"PolicyImport": openapi.Object([]string{"dry_run", "changes"}, obj{
			"object": obj{"const": "policy_import"}, "dry_run": obj{"type": "boolean"},
			"changes": openapi.Object(nil, obj{
				"roles_created": openapi.StringList, "roles_deleted": openapi.StringList,
				"roles_changed":       obj{"type": "array", "items": openapi.Object(nil, obj{"name": obj{"type": "string"}, "permissions_added": openapi.StringList, "permissions_removed": openapi.StringList, "conditions_changed": openapi.StringList, "description": obj{"type": "string"}})},
				"assignments_added":   obj{"type": "array", "items": openapi.Object(nil, obj{"subject": obj{"type": "string"}, "role": obj{"type": "string"}})},
				"assignments_removed": obj{"type": "array", "items": openapi.Object(nil, obj{"subject": obj{"type": "string"}, "role": obj{"type": "string"}})},
			}),
		}),
	}
}

func (s *Server) previewCondition(c *gin.Context) error {
	var in struct {
		Permission string            `json:"permission"`
		Condition  service.Condition `json:"condition"`
		Subject    string            `json:"subject"`
	}
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	p, err := s.svc.PreviewCondition(c.Request.Context(), in.Permission, in.Condition, in.Subject)
	if err != nil {
		return err
	}
	respond(c, http.StatusOK, p)
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
	e, err := s.svc.Explain(c.Request.Context(), subject, perm, c.Query("object_id"))
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

// policyExample is a policy document with the default roles.
func policyExample() obj {
	var roles []obj
	for _, r := range policy.DefaultRoles() {
		roles = append(roles, obj{"name": r.Name, "description": r.Description, "permissions": r.Permissions})
	}
	return obj{"roles": roles}
}
