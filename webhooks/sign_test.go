package webhooks

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"math"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// verified is the portal's Go verification sample, verbatim: it must
// accept what Sign produces, with either secret during a rotation.
func verified(secret string, h http.Header, body []byte) bool {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	ts, terr := strconv.ParseInt(h.Get("webhook-timestamp"), 10, 64)
	if err != nil || terr != nil || math.Abs(float64(time.Now().Unix()-ts)) > 300 {
		return false
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(h.Get("webhook-id") + "." + h.Get("webhook-timestamp") + "."))
	mac.Write(body)
	want := "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil))
	for _, sig := range strings.Fields(h.Get("webhook-signature")) {
		if hmac.Equal([]byte(sig), []byte(want)) {
			return true
		}
	}
	return false
}

func TestSignaturesVerifyWithThePortalSample(t *testing.T) {
	t.Parallel()
	old, cur := "whsec_"+base64.StdEncoding.EncodeToString([]byte("an old secret of 32 bytes length")), "whsec_"+base64.StdEncoding.EncodeToString([]byte("a new secret, also 32 bytes long"))
	body := []byte(`{"id":"evt_1","type":"ping"}`)
	ts := time.Now().Unix()
	sig, err := Sign([]string{cur, old}, "msg_1", ts, body)
	if err != nil {
		t.Fatal(err)
	}
	h := http.Header{}
	h.Set("webhook-id", "msg_1")
	h.Set("webhook-timestamp", strconv.FormatInt(ts, 10))
	h.Set("webhook-signature", sig)
	if !verified(cur, h, body) || !verified(old, h, body) {
		t.Fatalf("signature %q does not verify", sig)
	}
	if verified(cur, h, append(body, ' ')) {
		t.Fatal("a changed body verifies")
	}
	h.Set("webhook-timestamp", strconv.FormatInt(ts-600, 10))
	if verified(cur, h, body) {
		t.Fatal("an old timestamp verifies")
	}
	if d := retryAfter("120", time.Now()); d != 2*time.Minute {
		t.Fatalf("Retry-After 120 = %s", d)
	}
	if d := retryAfter(time.Now().Add(time.Hour).UTC().Format(http.TimeFormat), time.Now()); d < 59*time.Minute || d > time.Hour {
		t.Fatalf("Retry-After as a date = %s", d)
	}
}
