package rest_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cienerp/cienerp/ent/privacy"
	"github.com/cienerp/cienerp/internal/testenv"
	"github.com/cienerp/cienerp/modules/itsupport"
	"github.com/cienerp/cienerp/policy"
	"github.com/cienerp/cienerp/service"
)

func TestPingAnswersWithoutCredentialsOnEveryBase(t *testing.T) {
	t.Parallel()
	f := setup(t)
	for path, env := range map[string]string{"/api/ping": "live", "/api/v1/ping": "live", "/api/sandbox/ping": "sandbox", "/api/sandbox/v1/ping": "sandbox"} {
		r := f.Expect(f.Do("GET", path, nil, nil), 200)
		if r.Str("status") != "success" || r.Str("data.environment") != env {
			t.Errorf("%s: %s", path, r)
		}
		if r.Header.Get("X-Request-ID") == "" {
			t.Errorf("%s: no X-Request-ID", path)
		}
	}
}

func TestAuthenticationFailures(t *testing.T) {
	t.Parallel()
	f := setup(t)
	cases := []struct {
		name    string
		path    string
		headers testenv.H
		status  int
		code    string
		message string
	}{
		{"no credentials", sandbox + "/me", nil, 401, "unauthenticated", "X-API-Key"},
		{"unknown key", sandbox + "/me", testenv.Key("cien_test_" + strings.Repeat("x", 40)), 401, "invalid_api_key", ""},
		{"not a key at all", sandbox + "/me", testenv.Key("hello"), 401, "invalid_api_key", "cien_test_"},
		{"basic auth scheme", sandbox + "/me", testenv.H{"Authorization": "Basic abc"}, 401, "unauthenticated", "Bearer"},
		{"garbage bearer", sandbox + "/me", testenv.Bearer("not.a.jwt"), 401, "invalid_token", ""},
		{"sandbox key on live URL", live + "/me", testenv.Key(f.sandboxA), 403, "wrong_environment", "/api/sandbox"},
		{"live key on sandbox URL", sandbox + "/me", testenv.Key(f.liveA), 403, "wrong_environment", "live base URL /api"},
		{"sandbox key on live v1 URL", "/api/v1/tickets", testenv.Key(f.sandboxA), 403, "wrong_environment", ""},
		{"tenant header of another tenant", sandbox + "/me", testenv.Key(f.sandboxA).With("X-Tenant-ID", f.B.Slug), 403, "tenant_mismatch", f.B.Slug},
		{"both credentials", sandbox + "/me", testenv.Key(f.sandboxA).With("Authorization", "Bearer x"), 400, "ambiguous_credentials", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := f.Expect(f.Do("GET", c.path, nil, c.headers), c.status)
			if r.Str("code") != c.code || r.Str("status") != "error" || !strings.Contains(r.Str("message"), c.message) {
				t.Fatalf("got %s, want code %s with %q in the message", r, c.code, c.message)
			}
			if c.status == 401 && r.Header.Get("WWW-Authenticate") == "" {
				t.Error("401 without WWW-Authenticate")
			}
		})
	}
	// The tenant header may name the key's own tenant, by slug or id.
	f.Expect(f.Do("GET", sandbox+"/me", nil, testenv.Key(f.sandboxA).With("X-Tenant-ID", f.A.Slug)), 200)
	f.Expect(f.Do("GET", sandbox+"/me", nil, testenv.Key(f.sandboxA).With("X-Tenant-ID", f.A.ID.String())), 200)
}

func TestRevokedExpiredAndRolledKeysAreRefused(t *testing.T) {
	t.Parallel()
	f := setup(t)
	admin := testenv.Key(f.sandboxA)
	newKey := func() (string, string) {
		r := f.Expect(f.Do("POST", sandbox+"/settings/integration-keys", map[string]any{"name": "victim", "roles": []string{"viewer"}}, admin), 201)
		return r.Str("data.id"), r.Str("data.secret")
	}

	id, secret := newKey()
	f.Expect(f.Do("GET", sandbox+"/tickets", nil, testenv.Key(secret)), 200) // warm the cache
	f.Expect(f.Do("POST", sandbox+"/settings/integration-keys/"+id+"/revoke", nil, admin), 200)
	r := f.Expect(f.Do("GET", sandbox+"/tickets", nil, testenv.Key(secret)), 403)
	if r.Str("code") != "key_revoked" {
		t.Fatalf("revoked key: %s", r)
	}

	id, secret = newKey()
	f.Expect(f.Do("GET", sandbox+"/tickets", nil, testenv.Key(secret)), 200)
	r = f.Expect(f.Do("POST", sandbox+"/settings/integration-keys/"+id+"/roll", nil, admin), 201)
	replacement := r.Str("data.secret")
	if r.Str("data.rolled_from") != id || replacement == "" || replacement == secret {
		t.Fatalf("roll: %s", r)
	}
	if r := f.Expect(f.Do("GET", sandbox+"/tickets", nil, testenv.Key(secret)), 403); r.Str("code") != "key_rolled" {
		t.Fatalf("rolled key: %s", r)
	}
	f.Expect(f.Do("GET", sandbox+"/tickets", nil, testenv.Key(replacement)), 200)

	// Expiry: a key whose expiry passes is refused, even when cached.
	k, err := f.App.Service.CreateKey(service.OperatorContext(context.Background(), f.A.ID, policy.Sandbox),
		service.CreateKeyInput{Name: "short", Roles: []string{"viewer"}, ExpiresAt: ptr(time.Now().Add(time.Second))})
	if err != nil {
		t.Fatal(err)
	}
	f.Expect(f.Do("GET", sandbox+"/tickets", nil, testenv.Key(k.Secret)), 200)
	time.Sleep(1100 * time.Millisecond)
	if r := f.Expect(f.Do("GET", sandbox+"/tickets", nil, testenv.Key(k.Secret)), 403); r.Str("code") != "key_expired" {
		t.Fatalf("expired key: %s", r)
	}
}

func ptr[T any](v T) *T { return &v }

func TestTokenEndpoint(t *testing.T) {
	t.Parallel()
	f := setup(t)
	// Password grant, token bound to the only tenant implicitly.
	tok := f.token(f.A.Owner, "")
	me := f.Expect(f.Do("GET", live+"/me", nil, testenv.Bearer(tok)), 200)
	if me.Str("data.tenant.slug") != "acme" || me.Str("data.credential") != "bearer" || me.Str("data.user_id") != f.A.Owner.ID.String() {
		t.Fatalf("me: %s", me)
	}
	// The same user token works in both environments.
	f.Expect(f.Do("GET", sandbox+"/me", nil, testenv.Bearer(tok)), 200)

	// Form-encoded body, as RFC 6749 prescribes.
	r := f.Do("POST", "/api/auth/token", "grant_type=password&username="+f.A.Owner.Email+"&password="+strings.ReplaceAll(f.A.Owner.Password, " ", "+"),
		testenv.H{"Content-Type": "application/x-www-form-urlencoded"})
	f.Expect(r, 200)
	if r.Header.Get("Cache-Control") != "no-store" || r.Str("token_type") != "Bearer" || r.Str("refresh_token") == "" {
		t.Fatalf("token response: %s %v", r, r.Header)
	}

	// Refresh.
	r2 := f.Expect(f.Do("POST", "/api/auth/token", map[string]any{"grant_type": "refresh_token", "refresh_token": r.Str("refresh_token")}, nil), 200)
	f.Expect(f.Do("GET", live+"/me", nil, testenv.Bearer(r2.Str("access_token"))), 200)
	// An access token is not a refresh token.
	bad := f.Expect(f.Do("POST", "/api/auth/token", map[string]any{"grant_type": "refresh_token", "refresh_token": tok}, nil), 400)
	if bad.Str("error") != "invalid_grant" {
		t.Fatalf("access token as refresh: %s", bad)
	}

	errs := []struct {
		body   map[string]any
		status int
		code   string
	}{
		{map[string]any{"grant_type": "password", "username": f.A.Owner.Email, "password": "wrong password!"}, 400, "invalid_grant"},
		{map[string]any{"grant_type": "password", "username": "nobody@x.test", "password": "whatever123"}, 400, "invalid_grant"},
		{map[string]any{"grant_type": "password"}, 400, "invalid_request"},
		{map[string]any{"grant_type": "implicit"}, 400, "unsupported_grant_type"},
		{map[string]any{}, 400, "invalid_request"},
		{map[string]any{"grant_type": "client_credentials", "client_secret": "cien_test_nope"}, 400, "invalid_client"},
		{map[string]any{"grant_type": "password", "username": f.A.Owner.Email, "password": f.A.Owner.Password, "tenant": f.B.Slug}, 400, "invalid_grant"},
	}
	for _, c := range errs {
		r := f.Expect(f.Do("POST", "/api/auth/token", c.body, nil), c.status)
		if r.Str("error") != c.code || r.Str("error_description") == "" {
			t.Errorf("%v: %s", c.body, r)
		}
		// No Basic challenge where the client did not use Basic: it would
		// make a browser prompt for a login over the page that asked.
		if h := r.Header.Get("WWW-Authenticate"); h != "" {
			t.Errorf("%v: WWW-Authenticate %q without the Authorization header", c.body, h)
		}
	}
	// With the Authorization header: 401 and the Basic challenge.
	basic := f.Expect(f.Do("POST", "/api/auth/token", "grant_type=client_credentials", testenv.H{"Content-Type": "application/x-www-form-urlencoded", "Authorization": "Basic bm9wZTpub3Bl"}), 401)
	if basic.Str("error") != "invalid_client" || !strings.HasPrefix(basic.Header.Get("WWW-Authenticate"), "Basic") {
		t.Errorf("Basic with wrong credentials: %s %v", basic, basic.Header)
	}

	// Client credentials: the token carries the key's tenant and environment.
	cc := f.Expect(f.Do("POST", "/api/auth/token", map[string]any{"grant_type": "client_credentials", "client_secret": f.sandboxA}, nil), 200)
	if cc.Str("environment") != "sandbox" || cc.Get("refresh_token") != nil {
		t.Fatalf("client credentials: %s", cc)
	}
	keyTok := testenv.Bearer(cc.Str("access_token"))
	if r := f.Expect(f.Do("GET", sandbox+"/me", nil, keyTok), 200); r.Str("data.key_id") != f.sandboxAKey.String() {
		t.Fatalf("key token me: %s", r)
	}
	if r := f.Expect(f.Do("GET", live+"/me", nil, keyTok), 403); r.Str("code") != "wrong_environment" {
		t.Fatalf("key token on live: %s", r)
	}
	// Revoking the key kills its tokens on the next request.
	f.Expect(f.Do("POST", sandbox+"/settings/integration-keys/"+f.sandboxAKey.String()+"/revoke", nil, keyTok), 200)
	if r := f.Expect(f.Do("GET", sandbox+"/me", nil, keyTok), 403); r.Str("code") != "key_revoked" {
		t.Fatalf("token of revoked key: %s", r)
	}
}

func TestUserInSeveralTenantsSelectsWithHeader(t *testing.T) {
	t.Parallel()
	f := setup(t)
	both := f.User(f.A.ID, "both@x.test", "viewer")
	f.User(f.B.ID, "both@x.test", "it-agent")
	tok := f.token(both, "")
	f.Tenant("initech") // the user is not a member: never listed

	// A token bound to no tenant lists the user's tenants (for a picker);
	// one bound to a tenant does not.
	grant := map[string]any{"grant_type": "password", "username": both.Email, "password": both.Password}
	r := f.Expect(f.Do("POST", "/api/auth/token", grant, nil), 200)
	var listed []string
	for _, t := range r.Get("tenants").([]any) {
		listed = append(listed, t.(map[string]any)["slug"].(string))
	}
	if slices.Sort(listed); !slices.Equal(listed, []string{"acme", "globex"}) {
		t.Fatalf("tenants of the token response: %v (%s)", listed, r)
	}
	grant["tenant"] = "globex"
	if r := f.Expect(f.Do("POST", "/api/auth/token", grant, nil), 200); r.Get("tenants") != nil || r.Str("tenant_id") != f.B.ID.String() {
		t.Fatalf("a tenant-bound token: %s", r)
	}

	r = f.Expect(f.Do("GET", sandbox+"/me", nil, testenv.Bearer(tok)), 400)
	if r.Str("code") != "tenant_required" {
		t.Fatalf("no header: %s", r)
	}
	a := f.Expect(f.Do("GET", sandbox+"/me", nil, testenv.Bearer(tok).With("X-Tenant-ID", "acme")), 200)
	b := f.Expect(f.Do("GET", sandbox+"/me", nil, testenv.Bearer(tok).With("X-Tenant-ID", f.B.ID.String())), 200)
	if a.Str("data.tenant.slug") != "acme" || b.Str("data.tenant.slug") != "globex" {
		t.Fatalf("tenants: %s / %s", a, b)
	}
	// Roles are per tenant: the viewer in acme cannot open tickets there.
	if r := f.Expect(f.Do("POST", sandbox+"/tickets", map[string]any{"title": "x"}, testenv.Bearer(tok).With("X-Tenant-ID", "acme")), 403); r.Str("permission") != itsupport.TicketsCreate {
		t.Fatalf("viewer create: %s", r)
	}
	f.Expect(f.Do("POST", sandbox+"/tickets", map[string]any{"title": "x"}, testenv.Bearer(tok).With("X-Tenant-ID", "globex")), 201)

	// A tenant the user is not in, or that does not exist, is refused.
	if r := f.Expect(f.Do("GET", sandbox+"/me", nil, testenv.Bearer(tok).With("X-Tenant-ID", "initech")), 403); r.Str("code") != "not_a_member" {
		t.Fatalf("foreign tenant: %s", r)
	}
	f.Expect(f.Do("GET", sandbox+"/me", nil, testenv.Bearer(tok).With("X-Tenant-ID", "no-such-tenant")), 403)

	// A token bound to a tenant refuses a header naming another.
	bound := f.token(both, "acme")
	if r := f.Expect(f.Do("GET", sandbox+"/me", nil, testenv.Bearer(bound).With("X-Tenant-ID", "globex")), 403); r.Str("code") != "tenant_mismatch" {
		t.Fatalf("bound token: %s", r)
	}
}

func TestTokenEndpointIsLimitedPerAddress(t *testing.T) {
	t.Parallel()
	f := setup(t, func(c *appConfig) { c.TokenRateLimit = 3 })
	body := map[string]any{"grant_type": "password", "username": f.A.Owner.Email, "password": "guess guess guess"}
	for i := 0; i < 3; i++ {
		f.Expect(f.Do("POST", "/api/auth/token", body, nil), 400)
	}
	r := f.Expect(f.Do("POST", "/api/auth/token", body, nil), 429)
	if r.Header.Get("Retry-After") == "" {
		t.Fatal("429 without Retry-After")
	}
	// A forged X-Forwarded-For does not buy a fresh budget.
	f.Expect(f.Do("POST", "/api/auth/token", body, testenv.H{"X-Forwarded-For": "203.0.113.9"}), 429)
	// Even the right password waits: guessing must not be distinguishable.
	body["password"] = f.A.Owner.Password
	f.Expect(f.Do("POST", "/api/auth/token", body, nil), 429)
}

func TestPrivacyLayerFiltersWithoutHandlers(t *testing.T) {
	t.Parallel()
	f := setup(t)
	f.ticket(sandbox, f.sandboxA, f.A.Owner.ID, "A's sandbox ticket")
	client := f.App.DB.Client
	// No viewer: denied, not "all rows".
	if _, err := client.Ticket.Query().All(context.Background()); err == nil {
		t.Fatal("a query without a viewer must be denied")
	}
	// Another tenant and the other environment see nothing.
	for _, ctx := range []context.Context{
		f.As(f.B.ID, policy.Sandbox, policy.UserSubject(f.B.Owner.ID.String())),
		f.As(f.A.ID, policy.Live, policy.UserSubject(f.A.Owner.ID.String())),
	} {
		n, err := client.Ticket.Query().Count(ctx)
		if err != nil || n != 0 {
			t.Fatalf("foreign viewer counted %d tickets (err %v)", n, err)
		}
		if n, err := client.Ticket.Update().SetTitle("hijacked").Save(ctx); err != nil || n != 0 {
			t.Fatalf("foreign viewer updated %d tickets (err %v)", n, err)
		}
	}
	own := f.As(f.A.ID, policy.Sandbox, policy.UserSubject(f.A.Owner.ID.String()))
	if n, _ := client.Ticket.Query().Count(own); n != 1 {
		t.Fatalf("own viewer sees %d tickets, want 1", n)
	}
	// A viewer cannot create a row in another tenant by setting the field.
	tk, err := client.Ticket.Create().SetTenantID(f.B.ID).SetEnv(policy.Live).SetNumber(99).SetTitle("smuggled").
		SetRequesterID(f.A.Owner.ID).SetCreatedBy("test").Save(own)
	if err != nil {
		t.Fatal(err)
	}
	if tk.TenantID != f.A.ID || tk.Env != policy.Sandbox {
		t.Fatalf("create was not stamped with the viewer's scope: tenant %s env %s", tk.TenantID, tk.Env)
	}
	// System context sees everything, deliberately.
	if n, _ := client.Ticket.Query().Count(privacy.DecisionContext(context.Background(), privacy.Allow)); n != 2 {
		t.Fatalf("system context sees %d tickets, want 2", n)
	}
}

func TestMeListsEffectivePermissions(t *testing.T) {
	t.Parallel()
	f := setup(t)
	_, agent := f.Key(f.A.ID, policy.Sandbox, "it-agent")
	r := f.Expect(f.Do("GET", sandbox+"/me", nil, testenv.Key(agent)), 200)
	perms := r.Get("data.permissions").([]any)
	want := map[string]bool{"it-support.tickets.view": true, "it-support.tickets.create": true, "it-support.tickets.update": true,
		"it-support.tickets.delete": true, "it-support.comments.create": true, "it-support.comments.internal": true, "documents.view": true, "documents.upload": true}
	if len(perms) != len(want) {
		t.Fatalf("permissions %v, want %v", perms, want)
	}
	for _, p := range perms {
		if !want[p.(string)] {
			t.Fatalf("unexpected permission %v", p)
		}
	}
	if r.Str("data.environment") != "sandbox" || r.Get("data.roles").([]any)[0] != "it-agent" {
		t.Fatalf("me: %s", r)
	}
	if r.Header.Get("X-RateLimit-Limit") != "600" {
		t.Fatalf("rate limit headers: %v", r.Header)
	}
}
