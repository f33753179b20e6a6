package testenv

import (
	"context"
	"log/slog"
	"os"
	"strings"
	"testing"

	"github.com/alexedwards/argon2id"
	"github.com/google/uuid"

	"github.com/cienerp/cienerp/app"
	"github.com/cienerp/cienerp/database"
	"github.com/cienerp/cienerp/policy"
	"github.com/cienerp/cienerp/service"
)

// Env is a wired platform on a fresh database.
type Env struct {
	T       testing.TB
	App     *app.App
	Queries *Queries
	Ctx     context.Context
}

// Options adjust the configuration of New.
type Options func(*app.Config)

// New wires the platform on a fresh database. Logs go to the test log only
// when CIEN_TEST_LOG is set.
func New(t testing.TB, opts ...Options) *Env {
	t.Helper()
	db, q := NewDB(t)
	return newOn(t, db, q, opts...)
}

type appConfig = app.Config

func newOn(t testing.TB, db *database.DB, q *Queries, opts ...Options) *Env {
	t.Helper()
	cfg := app.Defaults()
	// Instances of one test share their secrets, as a deployment's must.
	cfg.DataDir, cfg.JWTSecret, cfg.SecretsKey = t.TempDir(), strings.Repeat("s", 32), strings.Repeat("5e", 32)
	cfg.TokenRateLimit, cfg.PublicRateLimit = 1000, 1000
	// Cheap password hashes: the suite creates hundreds of users, and a
	// production-strength hash costs a third of a second under the race
	// detector. What is tested is the login, not the hash's strength (the
	// served binary and the CLI keep the default; a test in auth says so).
	cfg.Passwords.Params = &argon2id.Params{Memory: 64, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}
	for _, o := range opts {
		o(&cfg)
	}
	level := slog.LevelError + 1
	if os.Getenv("CIEN_TEST_LOG") != "" {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	ctx := context.Background()
	a, err := app.NewWithDB(ctx, cfg, log, db)
	if err != nil {
		t.Fatalf("wire app: %v", err)
	}
	return &Env{T: t, App: a, Queries: q, Ctx: ctx}
}

// Tenant is a test tenant with an owner.
type Tenant struct {
	ID    uuid.UUID
	Slug  string
	Owner User
}

// User is a member of a tenant with its password.
type User struct {
	ID       uuid.UUID
	Email    string
	Password string
}

func (e *Env) must(err error) {
	e.T.Helper()
	if err != nil {
		e.T.Fatal(err)
	}
}

// Tenant creates a tenant with default roles and an owner user.
func (e *Env) Tenant(slug string) Tenant {
	e.T.Helper()
	t, err := e.App.Service.CreateTenant(e.Ctx, strings.ToUpper(slug[:1])+slug[1:]+" Inc.", slug)
	e.must(err)
	owner := e.User(t.ID, "owner@"+slug+".test", "owner")
	return Tenant{ID: t.ID, Slug: t.Slug, Owner: owner}
}

// User creates a user (or reuses one with that email) and adds it to the
// tenant with roles.
func (e *Env) User(tenant uuid.UUID, email string, roles ...string) User {
	e.T.Helper()
	const password = "correct horse battery"
	u, _, err := e.App.Service.EnsureUser(e.Ctx, email, "Test User", password)
	e.must(err)
	e.must(e.App.Service.AddMember(e.Ctx, tenant, u.ID, roles))
	return User{ID: u.ID, Email: email, Password: password}
}

// Key creates an integration key with roles and returns its secret.
func (e *Env) Key(tenant uuid.UUID, env policy.Env, roles ...string) (id uuid.UUID, secret string) {
	e.T.Helper()
	k, err := e.App.Service.CreateKey(service.OperatorContext(e.Ctx, tenant, env), service.CreateKeyInput{Name: "test key", Roles: roles})
	e.must(err)
	return k.ID, k.Secret
}

// As returns a context acting as the given credential subject.
func (e *Env) As(tenant uuid.UUID, env policy.Env, subject string) context.Context {
	return policy.NewContext(e.Ctx, &policy.Viewer{TenantID: tenant, Env: env, Subject: subject, Via: "test", Decider: e.App.Enforcer})
}

// RunBackground runs the instance's background work (webhook deliveries,
// change listeners) until the test ends.
func (e *Env) RunBackground() {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); e.App.Background(ctx) }()
	e.T.Cleanup(func() { cancel(); <-done })
}
