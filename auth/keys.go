// Package auth turns credentials into viewers: integration keys, passwords,
// signed bearer tokens, and the in-memory directory that keeps credential
// checks off the database on the hot path.
package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"strings"

	"github.com/cienerp/cienerp/policy"
)

// Key prefixes say which environment a key works in.
const (
	LivePrefix    = "cien_live_"
	SandboxPrefix = "cien_test_"
)

const keyAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// NewKey returns a fresh secret for env, the prefix shown in lists, and the
// hash that is stored. The secret itself is never stored.
func NewKey(env policy.Env) (secret, display, hash string) {
	buf := make([]byte, 40)
	if _, err := rand.Read(buf); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	for i, b := range buf {
		buf[i] = keyAlphabet[int(b)%len(keyAlphabet)]
	}
	secret = keyPrefix(env) + string(buf)
	return secret, secret[:len(keyPrefix(env))+6], HashKey(secret)
}

// HashKey is the stored form of a key. Keys carry 238 bits of entropy, so a
// fast hash is safe and keeps the lookup cheap.
func HashKey(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// KeyEnv tells the environment from a key's prefix.
func KeyEnv(secret string) (policy.Env, bool) {
	switch {
	case strings.HasPrefix(secret, LivePrefix):
		return policy.Live, true
	case strings.HasPrefix(secret, SandboxPrefix):
		return policy.Sandbox, true
	}
	return "", false
}

func keyPrefix(env policy.Env) string {
	if env == policy.Live {
		return LivePrefix
	}
	return SandboxPrefix
}
