package secretscan

import (
	"encoding/base32"
	"encoding/base64"
	"encoding/hex"
	"math/rand/v2"
	"strings"
	"testing"
)

// TestScanFindsASecretInsideAnyEncodingOfALongerText embeds a secret in texts with every
// length of prefix and suffix, encodes the whole text in each encoding, and requires Scan to
// find it; and requires it to find nothing in the same texts without the secret.
func TestScanFindsASecretInsideAnyEncodingOfALongerText(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const secret = "eccs_Zx8Q2mN4vR7tY1uI3oP5aS6dF9gH0jK2lL4"
	encodings := map[string]func([]byte) string{
		"clear":   func(b []byte) string { return string(b) },
		"hex":     hex.EncodeToString,
		"HEX":     func(b []byte) string { return strings.ToUpper(hex.EncodeToString(b)) },
		"std":     base64.StdEncoding.EncodeToString,
		"raw std": base64.RawStdEncoding.EncodeToString,
		"url":     base64.URLEncoding.EncodeToString,
		"raw url": base64.RawURLEncoding.EncodeToString,
		"base32":  base32.StdEncoding.EncodeToString,
		"base32 lower": func(b []byte) string {
			return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
		},
	}
	random := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(rng.IntN(256))
		}
		return b
	}
	cases := 0
	for pre := range 11 {
		for post := range 11 {
			text := append(append(random(pre), secret...), random(post)...)
			without := append(append(random(pre), strings.Repeat("x", len(secret))...), random(post)...)
			for name, enc := range encodings {
				cases++
				if got := Scan([]byte("log: "+enc(text)+"\n"), []string{secret}); len(got) == 0 {
					t.Errorf("%s of the secret with %d bytes before and %d after: not found", name, pre, post)
				}
				if got := Scan([]byte(enc(without)), []string{secret}); len(got) != 0 {
					t.Errorf("%s of a text without the secret: found %v", name, got)
				}
			}
		}
	}
	t.Logf("%d encoded texts scanned", cases)
}

func TestScanReportsWhichSecretWhereAndHow(t *testing.T) {
	secrets := []string{"", "first-secret-0123456789", "second-secret-0123456789"}
	data := []byte("a=" + secrets[2] + " b=" + hex.EncodeToString([]byte(secrets[1])))
	got := Scan(data, secrets)
	if len(got) != 2 || got[0].Secret != 1 || got[0].Encoding != "hex" || got[1].Secret != 2 || got[1].Encoding != "clear" || got[1].Offset != 2 {
		t.Fatalf("Scan = %v", got)
	}
}
