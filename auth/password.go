package auth

import (
	"sync"

	"github.com/alexedwards/argon2id"
)

// Passwords hashes login passwords with argon2id. The zero value uses RFC
// 9106's second recommended parameters, trimmed to 64 MiB; Params lowers
// them where the strength of the hash is not what is at stake (the test
// suite: a hash costs a third of a second under the race detector, and it
// creates hundreds of users). A hash names its parameters, so
// CheckPassword needs none.
type Passwords struct{ Params *argon2id.Params }

// Hash hashes password.
func (p Passwords) Hash(password string) (string, error) {
	params := p.Params
	if params == nil {
		params = argon2id.DefaultParams
	}
	return argon2id.CreateHash(password, params)
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
	h, _ := Passwords{}.Hash("not-a-real-password")
	return h
})

// BurnPasswordCheck spends the time of one password comparison.
func BurnPasswordCheck(password string) { CheckPassword(password, dummyHash()) }
