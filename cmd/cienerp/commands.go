package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/cienerp/cienerp/app"
	"github.com/cienerp/cienerp/auth"
	"github.com/cienerp/cienerp/policy"
	"github.com/cienerp/cienerp/service"
)

// runner does a command's work on the opened platform.
type runner func(ctx context.Context, a *app.App, out io.Writer) error

// command is one subcommand: its name, usage, and setup, which declares
// its flags on fs and returns what runs once they are parsed. Operator
// changes are audited as "cli" and reach running servers (policy/dbsync).
type command struct {
	name, synopsis, summary string
	createsDatabase         bool // may run on a database that does not exist yet
	setup                   func(fs *flag.FlagSet) runner
}

var commands = []command{
	{name: "serve", summary: "run the HTTP server (SQLite and files under ./data with no configuration)", createsDatabase: true,
		setup: func(*flag.FlagSet) runner { return nil }},
	{name: "config check", summary: "check the configuration (CIEN_* variables) and print it, secrets masked", createsDatabase: true,
		setup: func(*flag.FlagSet) runner { return nil }},
	{name: "migrate", summary: "create or update the database schema", createsDatabase: true,
		setup: func(*flag.FlagSet) runner {
			return func(_ context.Context, _ *app.App, out io.Writer) error {
				fmt.Fprintln(out, "database schema is up to date")
				return nil
			}
		}},
	{name: "secrets reseal", summary: "encrypt stored webhook signing secrets with the first key of CIEN_SECRETS_KEY (after a key rotation)",
		setup: func(*flag.FlagSet) runner {
			return func(ctx context.Context, a *app.App, out io.Writer) error {
				// Opening the app has resealed them already; this says so.
				n, err := a.Service.ResealSecrets(ctx)
				if err != nil {
					return err
				}
				fmt.Fprintf(out, "every webhook signing secret is sealed with the current key (%d resealed now)\n", n)
				return nil
			}
		}},
	{name: "demo", summary: "create the demo tenant and print its credentials", createsDatabase: true,
		setup: func(*flag.FlagSet) runner {
			return func(ctx context.Context, a *app.App, out io.Writer) error {
				d, err := a.CreateDemo(ctx)
				if err != nil {
					return explain(err)
				}
				fmt.Fprintf(out, "tenant demo (%s)\nadmin login: %s / %s (user id %s)\nsandbox key: %s\n", d.TenantID, d.AdminEmail, d.Password, d.AdminID, d.SandboxKey)
				return nil
			}
		}},
	{name: "tenant create", synopsis: "-name N -slug S [-rate-limit N]", summary: "create a tenant with the default roles",
		setup: func(fs *flag.FlagSet) runner {
			name := fs.String("name", "", "the tenant's name, e.g. \"Acme Inc\" (required)")
			slug := fs.String("slug", "", "its slug: lower case, digits and hyphens, e.g. acme (required)")
			limit := fs.Int("rate-limit", 0, "requests per minute per credential (default 600)")
			return func(ctx context.Context, a *app.App, out io.Writer) error {
				if err := required(flagValue{"name", *name, `"Acme Inc"`}, flagValue{"slug", *slug, "acme"}); err != nil {
					return err
				}
				t, err := a.Service.CreateTenant(ctx, *name, *slug)
				if err != nil {
					return explain(err)
				}
				if *limit != 0 {
					if _, err := a.Service.UpdateTenant(ctx, t.ID, service.UpdateTenantInput{RateLimitPerMinute: limit}); err != nil {
						return explain(err)
					}
				}
				fmt.Fprintf(out, "tenant %s (%s) created with roles owner, admin, it-agent, accountant, cashier, viewer\n", t.Slug, t.ID)
				return nil
			}
		}},
	{name: "tenant update", synopsis: "-tenant S [-name N] [-status active|suspended] [-rate-limit N]", summary: "rename, suspend or reactivate a tenant, or change its rate limit",
		setup: func(fs *flag.FlagSet) runner {
			tenant := fs.String("tenant", "", "the tenant's slug or id (required)")
			name := fs.String("name", "", "a new name")
			status := fs.String("status", "", "active or suspended")
			limit := fs.Int("rate-limit", 0, "requests per minute per credential")
			return func(ctx context.Context, a *app.App, out io.Writer) error {
				t, err := findTenant(ctx, a, *tenant)
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
				fmt.Fprintf(out, "tenant %s: name %q, status %s, %d requests per minute per credential\n", u.Slug, u.Name, u.Status, u.RateLimitPerMinute)
				return nil
			}
		}},
	{name: "user create", synopsis: "-email E -tenant S -role R [-name N] [-password P]", summary: "create a login (or take an existing one) and make it a member of a tenant",
		setup: func(fs *flag.FlagSet) runner {
			email := fs.String("email", "", "the login's email (required)")
			tenant := fs.String("tenant", "", "the tenant's slug or id (required)")
			role := fs.String("role", "", "role name, or several separated by commas, e.g. it-agent (required)")
			name := fs.String("name", "", "the person's name")
			password := fs.String("password", "", "the password (generated and printed when left out)")
			return func(ctx context.Context, a *app.App, out io.Writer) error {
				if err := required(flagValue{"email", *email, "ops@acme.test"}, flagValue{"role", *role, "it-agent"}); err != nil {
					return err
				}
				t, err := findTenant(ctx, a, *tenant)
				if err != nil {
					return err
				}
				pw := *password
				if pw == "" {
					pw = service.RandomPassword()
				}
				u, created, err := a.Service.EnsureUser(ctx, *email, *name, pw)
				if err != nil {
					return explain(err)
				}
				if err := a.Service.AddMember(ctx, t.ID, u.ID, roles(*role)); err != nil {
					return explain(err)
				}
				fmt.Fprintf(out, "user %s (%s) added to %s\n", u.Email, u.ID, t.Slug)
				switch {
				case !created:
					fmt.Fprintln(out, "the login existed already: it keeps its password (and name)")
				case *password == "":
					fmt.Fprintf(out, "password: %s\n", pw)
				}
				return nil
			}
		}},
	{name: "key create", synopsis: "-tenant S -env sandbox|live -role R [-name N]", summary: "create an integration key; its secret is printed once",
		setup: func(fs *flag.FlagSet) runner {
			tenant := fs.String("tenant", "", "the tenant's slug or id (required)")
			envF := fs.String("env", "sandbox", "the key's environment: sandbox or live")
			role := fs.String("role", "", "role name, or several separated by commas, e.g. it-agent (required)")
			name := fs.String("name", "CLI key", "a name to recognise the key by")
			return func(ctx context.Context, a *app.App, out io.Writer) error {
				if err := required(flagValue{"role", *role, "it-agent"}); err != nil {
					return err
				}
				t, err := findTenant(ctx, a, *tenant)
				if err != nil {
					return err
				}
				env := policy.Env(*envF)
				if !env.Valid() {
					return fmt.Errorf("-env must be sandbox or live, not %q", *envF)
				}
				k, err := a.Service.CreateKey(service.OperatorContext(ctx, t.ID, env), service.CreateKeyInput{Name: *name, Roles: roles(*role)})
				if err != nil {
					return explain(err)
				}
				fmt.Fprintf(out, "key %s (%s, %s) created; the secret is shown once:\n%s\n", k.ID, env, strings.Join(k.Roles, ","), k.Secret)
				return nil
			}
		}},
	{name: "logs tail", synopsis: "-tenant S -env sandbox|live [-since 1m] [-once]", summary: "print a tenant's request log as requests arrive (the Settings console's live tail)",
		setup: func(fs *flag.FlagSet) runner {
			tenant := fs.String("tenant", "", "the tenant's slug or id (required)")
			envF := fs.String("env", "sandbox", "the environment: sandbox or live")
			since := fs.Duration("since", time.Minute, "start with the requests of this last stretch of time")
			once := fs.Bool("once", false, "print the requests since -since and exit, instead of following new ones until interrupted")
			return func(ctx context.Context, a *app.App, out io.Writer) error {
				t, err := findTenant(ctx, a, *tenant)
				if err != nil {
					return err
				}
				env := policy.Env(*envF)
				if !env.Valid() {
					return fmt.Errorf("-env must be sandbox or live, not %q", *envF)
				}
				return tailLog(service.OperatorContext(ctx, t.ID, env), a.Service, out, time.Now().Add(-*since), !*once)
			}
		}},
	{name: "audit prune", summary: "delete audit events older than CIEN_AUDIT_RETENTION",
		setup: func(*flag.FlagSet) runner {
			return func(ctx context.Context, a *app.App, out io.Writer) error {
				n, err := a.PruneAudit(ctx)
				if err != nil {
					return err
				}
				fmt.Fprintf(out, "deleted %d audit events past the retention period\n", n)
				return nil
			}
		}},
	{name: "storage check", summary: "report documents without bytes and stored bytes without documents",
		setup: func(*flag.FlagSet) runner {
			return func(ctx context.Context, a *app.App, out io.Writer) error {
				r, err := a.Service.CheckStorage(ctx)
				if err != nil {
					return err
				}
				fmt.Fprintf(out, "%d documents, %d stored objects\n", r.Rows, r.Objects)
				for _, id := range r.RowsWithoutObject {
					fmt.Fprintf(out, "document without bytes: %s\n", id)
				}
				for _, key := range r.ObjectsWithoutRow {
					fmt.Fprintf(out, "bytes without document: %s\n", key)
				}
				if n := len(r.RowsWithoutObject) + len(r.ObjectsWithoutRow); n > 0 {
					return fmt.Errorf("%d inconsistencies", n)
				}
				fmt.Fprintln(out, "storage and database agree")
				return nil
			}
		}},
}

// flagValue is a required flag's name, its value and an example of one.
type flagValue struct{ name, value, example string }

// required names the first missing flag the way a person types it.
func required(flags ...flagValue) error {
	for _, f := range flags {
		if strings.TrimSpace(f.value) == "" {
			return fmt.Errorf("give -%s, e.g. -%s %s", f.name, f.name, f.example)
		}
	}
	return nil
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
		return auth.Tenant{}, fmt.Errorf("give -tenant, e.g. -tenant demo (a slug or id)")
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

// explain prints validation errors field by field, naming the flags.
func explain(err error) error {
	var verr *service.ValidationError
	if errors.As(err, &verr) {
		var b strings.Builder
		for f, msgs := range verr.Fields {
			fmt.Fprintf(&b, "\n  -%s: %s", strings.ReplaceAll(f, "_", "-"), strings.Join(msgs, " "))
		}
		return fmt.Errorf("invalid input:%s", b.String())
	}
	return err
}
