package auth

import (
	"errors"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"

	"github.com/cienerp/cienerp/policy"
)

// Token lifetimes.
const (
	AccessTTL  = time.Hour
	RefreshTTL = 30 * 24 * time.Hour
)

const issuer = "cienerp"

// Claims are what our bearer tokens carry. Subject is "user:<id>" or
// "key:<id>"; a token may be bound to a tenant and (key tokens) an env.
type Claims struct {
	jwt.RegisteredClaims
	Type   string     `json:"typ"` // access | refresh
	Tenant string     `json:"tid,omitempty"`
	Env    policy.Env `json:"env,omitempty"`
}

// Signer issues and verifies HS256 tokens with one shared secret, so any
// instance configured with it accepts tokens from any other.
type Signer struct{ secret []byte }

// NewSigner needs a secret of at least 32 bytes.
func NewSigner(secret []byte) (*Signer, error) {
	if len(secret) < 32 {
		return nil, fmt.Errorf("token signing secret must be at least 32 bytes, got %d", len(secret))
	}
	return &Signer{secret: secret}, nil
}

// Issue signs a token of typ ("access" or "refresh").
func (s *Signer) Issue(typ, subject string, tenant uuid.UUID, env policy.Env, ttl time.Duration) (string, error) {
	now := time.Now()
	c := Claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    issuer,
			Subject:   subject,
			ID:        uuid.NewString(),
			IssuedAt:  jwt.NewNumericDate(now),
			NotBefore: jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(ttl)),
		},
		Type: typ,
		Env:  env,
	}
	if tenant != uuid.Nil {
		c.Tenant = tenant.String()
	}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(s.secret)
}

// ErrBadToken covers every reason a token is not accepted.
var ErrBadToken = errors.New("token is invalid or expired")

// Parse verifies signature, algorithm, issuer, expiry and type.
func (s *Signer) Parse(token, wantType string) (*Claims, error) {
	var c Claims
	_, err := jwt.ParseWithClaims(token, &c, func(*jwt.Token) (any, error) { return s.secret, nil },
		jwt.WithValidMethods([]string{"HS256"}), jwt.WithIssuer(issuer), jwt.WithExpirationRequired())
	if err != nil || c.Type != wantType {
		return nil, ErrBadToken
	}
	return &c, nil
}
