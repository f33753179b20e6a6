package auth

import (
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"

	"github.com/cienerp/cienerp/policy"
)

func TestTokensRejectForgeryAndMisuse(t *testing.T) {
	t.Parallel()
	s, _ := NewSigner([]byte(strings.Repeat("a", 32)))
	other, _ := NewSigner([]byte(strings.Repeat("b", 32)))
	tenant := uuid.New()
	good, err := s.Issue("access", "user:1", tenant, policy.Live, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	c, err := s.Parse(good, "access")
	if err != nil || c.Subject != "user:1" || c.Tenant != tenant.String() || c.Env != policy.Live {
		t.Fatalf("round trip: %v %+v", err, c)
	}
	forged, _ := other.Issue("access", "user:1", tenant, "", time.Minute)
	expired, _ := s.Issue("access", "user:1", tenant, "", -time.Minute)
	refresh, _ := s.Issue("refresh", "user:1", tenant, "", time.Minute)
	none, _ := jwt.NewWithClaims(jwt.SigningMethodNone, Claims{RegisteredClaims: jwt.RegisteredClaims{Subject: "user:1", Issuer: issuer, ExpiresAt: jwt.NewNumericDate(time.Now().Add(time.Hour))}, Type: "access"}).SignedString(jwt.UnsafeAllowNoneSignatureType)
	noExp, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, Claims{RegisteredClaims: jwt.RegisteredClaims{Subject: "user:1", Issuer: issuer}, Type: "access"}).SignedString([]byte(strings.Repeat("a", 32)))
	for name, tok := range map[string]string{"other secret": forged, "expired": expired, "refresh as access": refresh, "alg none": none, "no expiry": noExp, "garbage": "a.b.c"} {
		if _, err := s.Parse(tok, "access"); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := NewSigner([]byte("short")); err == nil {
		t.Error("a short secret was accepted")
	}
}

func TestKeysCarryTheirEnvironment(t *testing.T) {
	t.Parallel()
	secret, display, hash := NewKey(policy.Sandbox)
	if env, ok := KeyEnv(secret); !ok || env != policy.Sandbox {
		t.Fatalf("env of %s: %v %v", secret, env, ok)
	}
	if !strings.HasPrefix(secret, display) || hash != HashKey(secret) || strings.Contains(hash, secret) {
		t.Fatalf("display %s hash %s", display, hash)
	}
	live, _, _ := NewKey(policy.Live)
	if env, _ := KeyEnv(live); env != policy.Live || live == secret {
		t.Fatalf("live key %s", live)
	}
	if _, ok := KeyEnv("sk_live_123"); ok {
		t.Fatal("a foreign key format was accepted")
	}
}
