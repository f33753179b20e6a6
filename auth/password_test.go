package auth

import (
	"strings"
	"testing"

	"github.com/alexedwards/argon2id"
)

// TestPasswordsKeepProductionStrengthByDefault: the zero value (the
// served binary's, the CLI's) hashes with 64 MiB; lowered parameters (the
// test suite's) still check the same way, since a hash names its own.
func TestPasswordsKeepProductionStrengthByDefault(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		p    Passwords
		want string
	}{
		{Passwords{}, "$argon2id$v=19$m=65536,t=1,"},
		{Passwords{Params: &argon2id.Params{Memory: 64, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}}, "$argon2id$v=19$m=64,t=1,p=1$"},
	} {
		h, err := c.p.Hash("correct horse battery")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(h, c.want) {
			t.Errorf("hash %s, want the prefix %s", h, c.want)
		}
		if !CheckPassword("correct horse battery", h) || CheckPassword("correct horse batterY", h) {
			t.Errorf("hash %s does not check the password alone", h)
		}
	}
}
