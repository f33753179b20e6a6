package service

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net/mail"
	"regexp"
	"strings"

	"github.com/google/uuid"

	"github.com/cienerp/cienerp/auth"
	"github.com/cienerp/cienerp/ent"
	"github.com/cienerp/cienerp/ent/schema"
	"github.com/cienerp/cienerp/ent/tenant"
	"github.com/cienerp/cienerp/ent/user"
	"github.com/cienerp/cienerp/policy"
	"github.com/cienerp/cienerp/policy/entadapter"
)

// OperatorContext returns ctx acting as the server operator (the CLI) inside
// one tenant and environment: every permission, audited as "cli".
func OperatorContext(ctx context.Context, tenantID uuid.UUID, env policy.Env) context.Context {
	return actingAs(ctx, tenantID, env, "cli")
}

// actingAs is a viewer with every permission inside one tenant and
// environment, its subject and credential both who: the operator ("cli")
// or the platform itself ("system").
func actingAs(ctx context.Context, tenantID uuid.UUID, env policy.Env, who string) context.Context {
	return policy.NewContext(ctx, &policy.Viewer{TenantID: tenantID, Env: env, Subject: who, Via: who, Decider: policy.AllowAll})
}

var slugRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,62}$`)

// CreateTenant creates a tenant with the default roles (an operator action).
func (s *Service) CreateTenant(ctx context.Context, name, slug string) (*ent.Tenant, error) {
	verr := &ValidationError{}
	name, slug = strings.TrimSpace(name), strings.ToLower(strings.TrimSpace(slug))
	if name == "" {
		verr.Add("name", "Name is required.")
	}
	if !slugRE.MatchString(slug) {
		verr.Add("slug", "Slug must be 2 to 63 characters: lowercase letters, digits and hyphens.")
	} else if _, err := uuid.Parse(slug); err == nil {
		verr.Add("slug", "Slug must not look like an id.")
	}
	if err := verr.OrNil(); err != nil {
		return nil, err
	}
	ctx = schema.Bypass(ctx, "tenants, users and their first rules are platform rows (CLI, start-up)")
	if taken, err := s.Client.Tenant.Query().Where(tenant.Slug(slug)).Exist(ctx); err != nil {
		return nil, err
	} else if taken {
		return nil, Invalid("slug", "Slug %q is already taken.", slug)
	}
	var t *ent.Tenant
	var rules []policy.Rule
	err := s.inTx(ctx, func(tx *ent.Tx) error {
		var err error
		t, err = tx.Tenant.Create().SetName(name).SetSlug(slug).Save(ctx)
		if err != nil {
			return err
		}
		for _, r := range policy.DefaultRoles() {
			if err := tx.Role.Create().SetTenantID(t.ID).SetName(r.Name).SetDescription(r.Description).SetBuiltin(true).Exec(ctx); err != nil {
				return err
			}
			for _, p := range r.Permissions {
				rules = append(rules, policy.PolicyRule(r.Name, t.ID.String(), p, r.Conditions[p]))
			}
		}
		if err := entadapter.Save(ctx, tx.Client(), rules...); err != nil {
			return err
		}
		return record(OperatorContext(ctx, t.ID, policy.Live), tx, "tenant.create", "tenant", t.ID.String(), nil, t)
	})
	if err != nil {
		return nil, err
	}
	s.changed(ctx, policyChanged(t.ID))
	return t, nil
}

// CreateUser creates a login (an operator action).
func (s *Service) CreateUser(ctx context.Context, email, name, password string) (*ent.User, error) {
	verr := &ValidationError{}
	email = strings.ToLower(strings.TrimSpace(email))
	if a, err := mail.ParseAddress(email); err != nil || a.Address != email {
		verr.Add("email", "Email must be a valid address.")
	}
	if len(password) < 10 {
		verr.Add("password", "Password must be at least 10 characters.")
	}
	if err := verr.OrNil(); err != nil {
		return nil, err
	}
	ctx = schema.Bypass(ctx, "tenants, users and their first rules are platform rows (CLI, start-up)")
	if taken, err := s.Client.User.Query().Where(user.Email(email)).Exist(ctx); err != nil {
		return nil, err
	} else if taken {
		return nil, Invalid("email", "A user with this email already exists.")
	}
	hash, err := s.Passwords.Hash(password)
	if err != nil {
		return nil, err
	}
	return s.Client.User.Create().SetEmail(email).SetName(strings.TrimSpace(name)).SetPasswordHash(hash).Save(ctx)
}

// EnsureUser is the login with email, created with name and password when
// there is none (created reports which); an existing login keeps its name
// and password.
func (s *Service) EnsureUser(ctx context.Context, email, name, password string) (u *ent.User, created bool, err error) {
	sys := schema.Bypass(ctx, "the operator looks up a login by email (CLI)")
	u, err = s.Client.User.Query().Where(user.Email(strings.ToLower(strings.TrimSpace(email)))).Only(sys)
	if err == nil || !ent.IsNotFound(err) {
		return u, false, err
	}
	u, err = s.CreateUser(ctx, email, name, password)
	return u, err == nil, err
}

// AddMember puts a user in a tenant with roles (an operator action).
func (s *Service) AddMember(ctx context.Context, tenantID, userID uuid.UUID, roles []string) error {
	if len(roles) == 0 {
		return Invalid("roles", "Give the member at least one role.")
	}
	st, _, err := s.tenantState(OperatorContext(ctx, tenantID, policy.Live))
	if err != nil {
		return err
	}
	verr := &ValidationError{}
	checkRolesExist("roles", roles, st, verr)
	if err := verr.OrNil(); err != nil {
		return err
	}
	var rules []policy.Rule
	for _, r := range roles {
		rules = append(rules, policy.GroupingRule(policy.UserSubject(userID.String()), r, tenantID.String()))
	}
	octx := schema.Bypass(OperatorContext(ctx, tenantID, policy.Live), "an owner's first roles are written by the platform")
	err = s.inTx(octx, func(tx *ent.Tx) error {
		m, err := tx.Membership.Create().SetTenantID(tenantID).SetUserID(userID).Save(octx)
		if err != nil {
			if ent.IsConstraintError(err) {
				return Invalid("user", "The user is already a member of this tenant.")
			}
			return err
		}
		if err := entadapter.Save(octx, tx.Client(), rules...); err != nil {
			return err
		}
		return record(octx, tx, "membership.create", "membership", m.ID.String(), nil, map[string]any{"user_id": userID, "roles": roles})
	})
	if err != nil {
		return err
	}
	s.changed(ctx, policy.Change{Kind: policy.ChangedUser, ID: userID.String()}, policyChanged(tenantID))
	return nil
}

// Authenticate checks an email and password (the password grant).
func (s *Service) Authenticate(ctx context.Context, email, password string) (*ent.User, error) {
	u, err := s.Client.User.Query().Where(user.Email(strings.ToLower(strings.TrimSpace(email)))).Only(schema.Bypass(ctx, "the password grant looks a login up before any viewer exists"))
	if ent.IsNotFound(err) {
		auth.BurnPasswordCheck(password)
		return nil, errBadLogin
	}
	if err != nil {
		return nil, err
	}
	if !auth.CheckPassword(password, u.PasswordHash) || u.Status != user.StatusActive {
		return nil, errBadLogin
	}
	return u, nil
}

var errBadLogin = fmt.Errorf("invalid email or password")

// IsBadLogin reports a failed password check.
func IsBadLogin(err error) bool { return err == errBadLogin }

// RandomPassword makes a 16-character password for generated logins.
func RandomPassword() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
