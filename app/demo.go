package app

import (
	"context"

	"github.com/cienerp/cienerp/ent/schema"
	"github.com/cienerp/cienerp/ent/tenant"
	"github.com/cienerp/cienerp/policy"
	"github.com/cienerp/cienerp/service"
)

// DemoSlug is the demo tenant created on first start.
const DemoSlug = "demo"

// Demo holds the credentials of a freshly created demo tenant.
type Demo struct {
	TenantID   string
	AdminEmail string
	AdminID    string // the owner's user id, e.g. for a ticket's requester_id
	Password   string
	SandboxKey string
}

// EnsureDemo creates the demo tenant, its owner and a sandbox key when the
// database has no tenant yet. It returns nil when nothing was created.
func (a *App) EnsureDemo(ctx context.Context) (*Demo, error) {
	n, err := a.DB.Client.Tenant.Query().Count(schema.Bypass(ctx, "start-up: is there any tenant yet"))
	if err != nil || n > 0 {
		return nil, err
	}
	return a.CreateDemo(ctx)
}

// CreateDemo creates the demo tenant with an owner login and a sandbox key.
func (a *App) CreateDemo(ctx context.Context) (*Demo, error) {
	svc := a.Service
	if ok, err := svc.Client.Tenant.Query().Where(tenant.Slug(DemoSlug)).Exist(schema.Bypass(ctx, "start-up: does the demo tenant exist")); err != nil {
		return nil, err
	} else if ok {
		return nil, service.Invalid("slug", "The demo tenant exists already.")
	}
	t, err := svc.CreateTenant(ctx, "Demo Company", DemoSlug)
	if err != nil {
		return nil, err
	}
	password := service.RandomPassword()
	u, err := svc.CreateUser(ctx, "admin@demo.local", "Demo Admin", password)
	if err != nil {
		return nil, err
	}
	if err := svc.AddMember(ctx, t.ID, u.ID, []string{"owner"}); err != nil {
		return nil, err
	}
	k, err := svc.CreateKey(service.OperatorContext(ctx, t.ID, policy.Sandbox), service.CreateKeyInput{Name: "Demo sandbox key", Roles: []string{"admin"}})
	if err != nil {
		return nil, err
	}
	return &Demo{TenantID: t.ID.String(), AdminEmail: u.Email, AdminID: u.ID.String(), Password: password, SandboxKey: k.Secret}, nil
}
