// Package secretbox encrypts the secrets the platform must use again (a
// webhook endpoint's signing secret), so that a copy of the database is
// not a copy of them. AES-256-GCM with a keyring: the first key seals,
// every key opens, so a new key is put in front, the stored secrets are
// sealed again (cienerp secrets rotate), and the old key is then dropped.
package secretbox

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// prefix starts every sealed value: enc:v1:<key id>:<base64 nonce+ciphertext>.
const prefix = "enc:v1:"

// Keyring holds the keys, the sealing one first.
type Keyring struct {
	keys []key
}

type key struct {
	id   string // the first 8 hex digits of the key's SHA-256: which key sealed a value
	aead cipher.AEAD
}

// Parse reads a comma-separated list of 32-byte keys, each in hex (64
// digits) or base64; the first seals.
func Parse(list string) (*Keyring, error) {
	var kr Keyring
	for i, s := range strings.Split(list, ",") {
		s = strings.TrimSpace(s)
		raw, err := hex.DecodeString(s)
		if err != nil {
			raw, err = base64.StdEncoding.DecodeString(s)
		}
		if err != nil || len(raw) != 32 {
			return nil, fmt.Errorf("key %d: want 32 bytes as 64 hex digits or base64", i+1)
		}
		k, err := newKey(raw)
		if err != nil {
			return nil, err
		}
		kr.keys = append(kr.keys, k)
	}
	return &kr, nil
}

// NewKey makes a random key, hex-encoded, for Parse.
func NewKey() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func newKey(raw []byte) (key, error) {
	block, err := aes.NewCipher(raw)
	if err != nil {
		return key{}, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return key{}, err
	}
	sum := sha256.Sum256(raw)
	return key{id: hex.EncodeToString(sum[:4]), aead: aead}, nil
}

// Seal encrypts plain with the first key.
func (kr *Keyring) Seal(plain string) string {
	k := kr.keys[0]
	nonce := make([]byte, k.aead.NonceSize())
	_, _ = rand.Read(nonce)
	out := k.aead.Seal(nonce, nonce, []byte(plain), []byte(k.id))
	return kr.Current() + base64.RawStdEncoding.EncodeToString(out)
}

// ErrUnknownKey: the value was sealed with a key the ring no longer holds.
var ErrUnknownKey = errors.New("secretbox: sealed with a key that is not configured (CIEN_SECRETS_KEY)")

// Open decrypts a sealed value. A value without the prefix was stored
// before encryption and is returned as it is (it does not begin with Current).
func (kr *Keyring) Open(stored string) (string, error) {
	rest, sealed := strings.CutPrefix(stored, prefix)
	if !sealed {
		return stored, nil
	}
	id, data, ok := strings.Cut(rest, ":")
	if !ok {
		return "", errors.New("secretbox: malformed sealed value")
	}
	for _, k := range kr.keys {
		if k.id != id {
			continue
		}
		raw, err := base64.RawStdEncoding.DecodeString(data)
		if err != nil || len(raw) < k.aead.NonceSize() {
			return "", errors.New("secretbox: malformed sealed value")
		}
		plain, err := k.aead.Open(nil, raw[:k.aead.NonceSize()], raw[k.aead.NonceSize():], []byte(k.id))
		if err != nil {
			return "", fmt.Errorf("secretbox: %w", err)
		}
		return string(plain), nil
	}
	return "", ErrUnknownKey
}

// Current is how every value sealed with the first key begins; a stored
// value that does not is clear text or sealed with an older key, and is
// sealed again.
func (kr *Keyring) Current() string { return prefix + kr.keys[0].id + ":" }
