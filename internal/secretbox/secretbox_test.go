package secretbox

import (
	"errors"
	"strings"
	"testing"
)

// A sealed value hides the secret, opens with any key of the ring, and
// after a rotation (a new key in front) is stale until sealed again; a
// ring without its key cannot open it, and a tampered value fails.
func TestSealOpenRotate(t *testing.T) {
	t.Parallel()
	oldKey, newKey := NewKey(), NewKey()
	old, err := Parse(oldKey)
	if err != nil {
		t.Fatal(err)
	}
	sealed := old.Seal("whsec_canary")
	if strings.Contains(sealed, "canary") || !strings.HasPrefix(sealed, "enc:v1:") {
		t.Fatalf("sealed value shows the secret: %s", sealed)
	}
	if sealed == old.Seal("whsec_canary") {
		t.Error("two seals of one secret are equal: the nonce is not random")
	}
	rotated, err := Parse(newKey + "," + oldKey)
	if err != nil {
		t.Fatal(err)
	}
	if plain, err := rotated.Open(sealed); err != nil || plain != "whsec_canary" {
		t.Fatalf("rotated ring opens %q, %v", plain, err)
	}
	if strings.HasPrefix(sealed, rotated.Current()) || !strings.HasPrefix(sealed, old.Current()) {
		t.Error("staleness after rotation is wrong")
	}
	resealed := rotated.Seal("whsec_canary")
	onlyNew, _ := Parse(newKey)
	if _, err := onlyNew.Open(sealed); !errors.Is(err, ErrUnknownKey) {
		t.Errorf("old value with the old key dropped: %v", err)
	}
	if plain, err := onlyNew.Open(resealed); err != nil || plain != "whsec_canary" {
		t.Errorf("resealed value: %q, %v", plain, err)
	}
	tampered := resealed[:len(resealed)-2] + "AA"
	if _, err := onlyNew.Open(tampered); err == nil {
		t.Error("a tampered value opened")
	}
	if plain, err := onlyNew.Open("whsec_legacy"); err != nil || plain != "whsec_legacy" || strings.HasPrefix("whsec_legacy", onlyNew.Current()) {
		t.Errorf("clear text from before encryption: %q, %v", plain, err)
	}
	for _, bad := range []string{"", "abc", strings.Repeat("0", 62), NewKey() + ",zz"} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("Parse(%q) accepted", bad)
		}
	}
}
