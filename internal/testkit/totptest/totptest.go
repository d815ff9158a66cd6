// Package totptest is an authenticator app for tests: the TOTP code (RFC 6238, HMAC-SHA-1,
// 6 digits, 30-second steps) of a base32 secret, written apart from the domain's so that the
// two must agree.
package totptest

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"strings"
	"testing"
	"time"
)

// Code returns what an authenticator app shows for secret (base32, padded or not) at at; t
// fails on a secret that is not base32.
func Code(t testing.TB, secret string, at time.Time) string {
	t.Helper()
	seed, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(strings.TrimRight(strings.ToUpper(secret), "="))
	if err != nil {
		t.Fatalf("TOTP secret %q: %v", secret, err)
	}
	m := hmac.New(sha1.New, seed)
	binary.Write(m, binary.BigEndian, at.Unix()/30)
	sum := m.Sum(nil)
	off := sum[19] & 15
	return fmt.Sprintf("%06d", (binary.BigEndian.Uint32(sum[off:])&0x7fffffff)%1000000)
}
