package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/cienerp/cienerp/app"
	"github.com/cienerp/cienerp/auth"
	"github.com/cienerp/cienerp/policy"
	"github.com/cienerp/cienerp/service"
)

// admin runs the operator subcommands. Each change is audited as "cli".
func admin(ctx context.Context, a *app.App, cmd string, args []string) error {
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var (
		name     = fs.String("name", "", "name")
		slug     = fs.String("slug", "", "tenant slug")
		email    = fs.String("email", "", "user email")
		password = fs.String("password", "", "user password (generated when empty)")
		tenantF  = fs.String("tenant", "", "tenant slug or id")
		role     = fs.String("role", "", "role name, or several separated by commas")
		envF     = fs.String("env", "sandbox", "key environment: sandbox or live")
		limit    = fs.Int("rate-limit", 0, "requests per minute per credential")
		status   = fs.String("status", "", "tenant status: active or suspended")
	)
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%s: %w", cmd, err)
	}
	switch cmd {
	case "migrate":
		fmt.Println("database schema is up to date")
		return nil
	case "storage check":
		r, err := a.Service.CheckStorage(ctx)
		if err != nil {
			return err
		}
		fmt.Printf("%d documents, %d stored objects\n", r.Rows, r.Objects)
		for _, id := range r.RowsWithoutObject {
			fmt.Printf("document without bytes: %s\n", id)
		}
		for _, key := range r.ObjectsWithoutRow {
			fmt.Printf("bytes without document: %s\n", key)
		}
		if n := len(r.RowsWithoutObject) + len(r.ObjectsWithoutRow); n > 0 {
			return fmt.Errorf("%d inconsistencies", n)
		}
		fmt.Println("storage and database agree")
		return nil
	case "audit prune":
		n, err := a.PruneAudit(ctx)
		if err != nil {
			return err
		}
		fmt.Printf("deleted %d audit events past the retention period\n", n)
		return nil
	case "demo":
		d, err := a.CreateDemo(ctx)
		if err != nil {
			return explain(err)
		}
		fmt.Printf("tenant demo (%s)\nadmin login: %s / %s\nsandbox key: %s\n", d.TenantID, d.AdminEmail, d.Password, d.SandboxKey)
		return nil
	case "tenant create":
		t, err := a.Service.CreateTenant(ctx, *name, *slug)
		if err != nil {
			return explain(err)
		}
		if *limit != 0 {
			if _, err := a.Service.UpdateTenant(ctx, t.ID, service.UpdateTenantInput{RateLimitPerMinute: limit}); err != nil {
				return explain(err)
			}
		}
		fmt.Printf("tenant %s (%s) created with roles owner, admin, it-agent, accountant, cashier, viewer\n", t.Slug, t.ID)
		return nil
	case "tenant update":
		t, err := findTenant(ctx, a, *tenantF)
		if err != nil {
			return err
		}
		var in service.UpdateTenantInput
		fs.Visit(func(fl *flag.Flag) {
			switch fl.Name {
			case "name":
				in.Name = name
			case "status":
				in.Status = status
			case "rate-limit":
				in.RateLimitPerMinute = limit
			}
		})
		u, err := a.Service.UpdateTenant(ctx, t.ID, in)
		if err != nil {
			return explain(err)
		}
		fmt.Printf("tenant %s: name %q, status %s, %d requests per minute per credential\n", u.Slug, u.Name, u.Status, u.RateLimitPerMinute)
		return nil
	case "user create":
		t, err := findTenant(ctx, a, *tenantF)
		if err != nil {
			return err
		}
		pw := *password
		if pw == "" {
			pw = service.RandomPassword()
		}
		u, err := a.Service.CreateUser(ctx, *email, *name, pw)
		if err != nil {
			return explain(err)
		}
		if err := a.Service.AddMember(ctx, t.ID, u.ID, roles(*role)); err != nil {
			return explain(err)
		}
		fmt.Printf("user %s (%s) added to %s\n", u.Email, u.ID, t.Slug)
		if *password == "" {
			fmt.Printf("password: %s\n", pw)
		}
		return nil
	case "key create":
		t, err := findTenant(ctx, a, *tenantF)
		if err != nil {
			return err
		}
		env := policy.Env(*envF)
		if !env.Valid() {
			return fmt.Errorf("-env must be sandbox or live")
		}
		if *name == "" {
			*name = "CLI key"
		}
		k, err := a.Service.CreateKey(service.OperatorContext(ctx, t.ID, env), service.CreateKeyInput{Name: *name, Roles: roles(*role)})
		if err != nil {
			return explain(err)
		}
		fmt.Printf("key %s (%s, %s) created; the secret is shown once:\n%s\n", k.ID, env, strings.Join(k.Roles, ","), k.Secret)
		return nil
	}
	return fmt.Errorf("unknown command %q", cmd)
}

func roles(s string) []string {
	var out []string
	for _, r := range strings.Split(s, ",") {
		if r = strings.TrimSpace(r); r != "" {
			out = append(out, r)
		}
	}
	return out
}

func findTenant(ctx context.Context, a *app.App, idOrSlug string) (auth.Tenant, error) {
	if idOrSlug == "" {
		return auth.Tenant{}, fmt.Errorf("-tenant is required (slug or id)")
	}
	t, found, err := a.Auth.Dir.Tenant(ctx, idOrSlug)
	if err != nil {
		return auth.Tenant{}, err
	}
	if !found {
		return auth.Tenant{}, fmt.Errorf("tenant %q not found", idOrSlug)
	}
	return t, nil
}

// explain prints validation errors field by field.
func explain(err error) error {
	var verr *service.ValidationError
	if errors.As(err, &verr) {
		var b strings.Builder
		for f, msgs := range verr.Fields {
			fmt.Fprintf(&b, "\n  %s: %s", f, strings.Join(msgs, " "))
		}
		return fmt.Errorf("invalid input:%s", b.String())
	}
	return err
}
