package service

import (
	"context"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/cienerp/cienerp/ent"
	"github.com/cienerp/cienerp/ent/membership"
	"github.com/cienerp/cienerp/ent/schema"
	"github.com/cienerp/cienerp/ent/user"
	"github.com/cienerp/cienerp/modules/admin"
	"github.com/cienerp/cienerp/modules/settings"
	"github.com/cienerp/cienerp/policy"
)

// Member is a user of the viewer's tenant with its roles.
type Member struct {
	UserID   uuid.UUID `json:"user_id"`
	Email    string    `json:"email"`
	Name     string    `json:"name"`
	Status   string    `json:"status"`
	Roles    []string  `json:"roles"`
	JoinedAt time.Time `json:"joined_at"`
	Password string    `json:"password,omitempty"` // only when the invite created the login
	NewLogin bool      `json:"new_login,omitempty"`
}

// InviteMemberInput adds a person to the tenant: an existing login is
// added as is; otherwise a login is created with the given password or a
// generated one, returned once.
type InviteMemberInput struct {
	Email    string   `json:"email"`
	Name     string   `json:"name"`
	Password string   `json:"password"`
	Roles    []string `json:"roles"`
}

// ListMembers lists the tenant's members, by email.
func (s *Service) ListMembers(ctx context.Context) ([]Member, error) {
	ms, err := s.Client.Membership.Query().WithUser().All(ctx)
	if err != nil {
		return nil, err
	}
	st := s.Enforcer.State(policy.FromContext(ctx).TenantID.String())
	out := make([]Member, len(ms))
	for i, m := range ms {
		out[i] = memberView(m, st)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Email < out[j].Email })
	return out, nil
}

func memberView(m *ent.Membership, st policy.State) Member {
	roles := slices.Clone(st.Holders[userSubject(m.UserID)])
	sort.Strings(roles)
	if roles == nil {
		roles = []string{}
	}
	out := Member{UserID: m.UserID, Roles: roles, JoinedAt: m.CreatedAt}
	if u := m.Edges.User; u != nil {
		out.Email, out.Name, out.Status = u.Email, u.Name, string(u.Status)
	}
	return out
}

func (s *Service) member(ctx context.Context, userID uuid.UUID) (*ent.Membership, error) {
	m, err := s.Client.Membership.Query().Where(membership.UserID(userID)).WithUser().Only(ctx)
	if ent.IsNotFound(err) {
		return nil, &NotFoundError{Entity: "member"}
	}
	return m, err
}

func checkRolesExist(field string, roles []string, st policy.State, verr *ValidationError) {
	for _, r := range roles {
		if _, ok := st.Roles[r]; !ok {
			verr.Add(field, "Role %q does not exist in this tenant.", r)
		}
	}
}

// InviteMember adds a member with roles.
func (s *Service) InviteMember(ctx context.Context, in InviteMemberInput) (Member, error) {
	v := policy.FromContext(ctx)
	st, _, err := s.tenantState(ctx)
	if err != nil {
		return Member{}, err
	}
	verr := &ValidationError{}
	if len(in.Roles) == 0 {
		verr.Add("roles", "Give the member at least one role.")
	}
	checkRolesExist("roles", in.Roles, st, verr)
	email := strings.ToLower(strings.TrimSpace(in.Email))
	if email == "" {
		verr.Add("email", "Email is required.")
	}
	if err := verr.OrNil(); err != nil {
		return Member{}, err
	}
	sys := schema.Bypass(ctx, "users are platform rows: an invitation finds or creates the login")
	u, err := s.Client.User.Query().Where(user.Email(email)).Only(sys)
	var password string
	switch {
	case ent.IsNotFound(err):
		password = in.Password
		if password == "" {
			password = RandomPassword()
		}
		if u, err = s.CreateUser(ctx, email, in.Name, password); err != nil {
			return Member{}, err
		}
	case err != nil:
		return Member{}, err
	case in.Password != "":
		return Member{}, Invalid("password", "This person has a login already; leave the password out.")
	}
	if ok, err := s.Client.Membership.Query().Where(membership.UserID(u.ID)).Exist(ctx); err != nil {
		return Member{}, err
	} else if ok {
		return Member{}, Invalid("email", "%s is a member already.", email)
	}
	next := st.Clone()
	next.Holders[userSubject(u.ID)] = dedupe(in.Roles)
	var m *ent.Membership
	err = s.writeState(ctx, st, next, func(tx *ent.Tx) error {
		var err error
		// Memberships are written by the platform on the admin's behalf.
		if m, err = tx.Membership.Create().SetTenantID(v.TenantID).SetUserID(u.ID).Save(schema.Bypass(ctx, "memberships are written by the platform on the admin's behalf")); err != nil {
			return err
		}
		if err := record(ctx, tx, admin.MemberAdded, "member", u.ID.String(), nil, map[string]any{"email": email, "roles": next.Holders[userSubject(u.ID)]}); err != nil {
			return err
		}
		m.Edges.User = u
		return s.emitTenantWide(ctx, tx, change{Type: admin.MemberAdded, ObjectID: u.ID.String(), Object: memberView(m, next)})
	})
	if err != nil {
		return Member{}, err
	}
	s.changed(ctx, policy.Change{Kind: policy.ChangedUser, ID: u.ID.String()})
	m.Edges.User = u
	out := memberView(m, next)
	if password != "" && in.Password == "" {
		out.Password = password
	}
	out.NewLogin = password != ""
	return out, nil
}

// SetMemberRoles replaces a member's roles.
func (s *Service) SetMemberRoles(ctx context.Context, userID uuid.UUID, roles []string) (Member, error) {
	return s.editMemberRoles(ctx, userID, func([]string) ([]string, error) {
		verr := &ValidationError{}
		if roles == nil {
			verr.Add("roles", "Roles is required; send [] to remove every role.")
		}
		return dedupe(roles), verr.OrNil()
	})
}

// AddMemberRole gives a member one more role.
func (s *Service) AddMemberRole(ctx context.Context, userID uuid.UUID, role string) (Member, error) {
	return s.editMemberRoles(ctx, userID, func(cur []string) ([]string, error) {
		if role == "" {
			return nil, Invalid("role", "Role is required.")
		}
		return dedupe(append(cur, role)), nil
	})
}

// RemoveMemberRole takes one role from a member.
func (s *Service) RemoveMemberRole(ctx context.Context, userID uuid.UUID, role string) (Member, error) {
	return s.editMemberRoles(ctx, userID, func(cur []string) ([]string, error) {
		if !slices.Contains(cur, role) {
			return nil, &NotFoundError{Entity: "role assignment"}
		}
		return slices.DeleteFunc(slices.Clone(cur), func(r string) bool { return r == role }), nil
	})
}

func (s *Service) editMemberRoles(ctx context.Context, userID uuid.UUID, edit func(cur []string) ([]string, error)) (Member, error) {
	m, err := s.member(ctx, userID)
	if err != nil {
		return Member{}, err
	}
	st, _, err := s.tenantState(ctx)
	if err != nil {
		return Member{}, err
	}
	sub := userSubject(userID)
	roles, err := edit(st.Holders[sub])
	if err != nil {
		return Member{}, err
	}
	verr := &ValidationError{}
	checkRolesExist("roles", roles, st, verr)
	if err := verr.OrNil(); err != nil {
		return Member{}, err
	}
	next := st.Clone()
	next.Holders[sub] = roles
	err = s.writeState(ctx, st, next, func(tx *ent.Tx) error {
		if err := record(ctx, tx, admin.MemberUpdated, "member", userID.String(), map[string]any{"roles": st.Holders[sub]}, map[string]any{"roles": roles}); err != nil {
			return err
		}
		return s.emitTenantWide(ctx, tx, change{Type: admin.MemberUpdated, ObjectID: userID.String(), Object: memberView(m, next), Before: memberView(m, st)})
	})
	if err != nil {
		return Member{}, err
	}
	return memberView(m, next), nil
}

// RemoveMember takes a user out of the tenant with all its roles.
func (s *Service) RemoveMember(ctx context.Context, userID uuid.UUID) error {
	m, err := s.member(ctx, userID)
	if err != nil {
		return err
	}
	st, _, err := s.tenantState(ctx)
	if err != nil {
		return err
	}
	next := st.Clone()
	delete(next.Holders, userSubject(userID))
	err = s.writeState(ctx, st, next, func(tx *ent.Tx) error {
		if err := tx.Membership.DeleteOne(m).Exec(schema.Bypass(ctx, "memberships are written by the platform on the admin's behalf")); err != nil {
			return err
		}
		if err := record(ctx, tx, admin.MemberRemoved, "member", userID.String(), memberView(m, st), nil); err != nil {
			return err
		}
		return s.emitTenantWide(ctx, tx, change{Type: admin.MemberRemoved, ObjectID: userID.String(), Object: memberView(m, st)})
	})
	if err != nil {
		return err
	}
	s.changed(ctx, policy.Change{Kind: policy.ChangedUser, ID: userID.String()})
	return nil
}

// SetKeyRoles replaces the roles of an integration key of this environment.
func (s *Service) SetKeyRoles(ctx context.Context, keyID uuid.UUID, roles []string) (*Key, error) {
	k, err := s.getKey(ctx, keyID)
	if err != nil {
		return nil, err
	}
	st, _, err := s.tenantState(ctx)
	if err != nil {
		return nil, err
	}
	verr := &ValidationError{}
	if len(roles) == 0 {
		verr.Add("roles", "Give the key at least one role; revoke it to stop it.")
	}
	checkRolesExist("roles", roles, st, verr)
	if err := verr.OrNil(); err != nil {
		return nil, err
	}
	sub := policy.KeySubject(keyID.String())
	next := st.Clone()
	next.Holders[sub] = dedupe(roles)
	err = s.writeState(ctx, st, next, func(tx *ent.Tx) error {
		if err := record(ctx, tx, settings.KeyUpdated, "integration_key", keyID.String(), map[string]any{"roles": st.Holders[sub]}, map[string]any{"roles": next.Holders[sub]}); err != nil {
			return err
		}
		return s.emit(ctx, tx, change{Type: settings.KeyUpdated, ObjectID: keyID.String(),
			Object: KeyObject(&Key{IntegrationKey: k, Roles: next.Holders[sub]}), Before: KeyObject(&Key{IntegrationKey: k, Roles: st.Holders[sub]})})
	})
	if err != nil {
		return nil, err
	}
	return &Key{IntegrationKey: k, Roles: next.Holders[sub]}, nil
}
