package auth

import (
	"sync"

	"github.com/alexedwards/argon2id"
)

// HashPassword hashes a password with argon2id (RFC 9106 second
// recommended parameters, trimmed to 64 MiB).
func HashPassword(password string) (string, error) {
	return argon2id.CreateHash(password, argon2id.DefaultParams)
}

// CheckPassword compares in constant time. A malformed hash never matches.
func CheckPassword(password, hash string) bool {
	ok, err := argon2id.ComparePasswordAndHash(password, hash)
	return err == nil && ok
}

// dummyHash is compared against when the user does not exist, so that a
// missing account takes as long as a wrong password. Made at the first
// such login, not at start: hashing takes 64 MiB and tens of
// milliseconds, which every process (each CLI command too) paid at start.
var dummyHash = sync.OnceValue(func() string {
	h, _ := HashPassword("not-a-real-password")
	return h
})

// BurnPasswordCheck spends the time of one password comparison.
func BurnPasswordCheck(password string) { CheckPassword(password, dummyHash()) }
