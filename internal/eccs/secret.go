package eccs

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
)

// Keys are the server's secret keys. They live outside the database (a file or the
// environment), so a stolen database reveals no usable secret and forges no token.
type Keys struct {
	// HashKey keys the HMAC-SHA256 under which client secrets and API keys are stored.
	// Changing it invalidates every stored secret.
	HashKey []byte
	// TokenKeys sign access tokens: the first signs new tokens, every one verifies, so a key
	// can be rotated in by putting it first and rotated out once its tokens have expired.
	TokenKeys []TokenKey
}

// TokenKey is one access-token signing key. ID is written in every token it signs.
type TokenKey struct {
	ID     string
	Secret []byte
}

// Validate reports whether the keys are usable: a hash key and at least one token key of 32
// bytes or more, with distinct, non-empty ids.
func (k Keys) Validate() error {
	if len(k.HashKey) < 32 {
		return fmt.Errorf("the hash key must be at least 32 bytes, got %d", len(k.HashKey))
	}
	if len(k.TokenKeys) == 0 {
		return fmt.Errorf("at least one token signing key is needed")
	}
	seen := map[string]bool{}
	for _, tk := range k.TokenKeys {
		if tk.ID == "" || !isToken(tk.ID, 64) {
			return fmt.Errorf("token key id %q must be 1 to 64 letters, digits, '-' or '_'", tk.ID)
		}
		if seen[tk.ID] {
			return fmt.Errorf("token key id %q is used twice", tk.ID)
		}
		seen[tk.ID] = true
		if len(tk.Secret) < 32 {
			return fmt.Errorf("token key %q must be at least 32 bytes, got %d", tk.ID, len(tk.Secret))
		}
	}
	return nil
}

// hashSecret returns the stored form of a high-entropy secret: hex HMAC-SHA256 under key.
// Secrets here are long random strings, so a keyed hash is as strong as a password hash and
// costs a microsecond instead of milliseconds.
func hashSecret(key []byte, secret string) string {
	m := hmac.New(sha256.New, key)
	io.WriteString(m, secret)
	return hex.EncodeToString(m.Sum(nil))
}

// secretMatches reports, in constant time, whether secret hashes to stored.
func secretMatches(key []byte, secret, stored string) bool {
	if stored == "" {
		return false
	}
	return hmac.Equal([]byte(hashSecret(key, secret)), []byte(stored))
}

const (
	alphanumeric = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	lowerBase32  = "abcdefghijklmnopqrstuvwxyz234567"
)

// randomString returns n characters drawn uniformly from alphabet (at most 256 long).
func randomString(r io.Reader, n int, alphabet string) (string, error) {
	out := make([]byte, 0, n)
	buf := make([]byte, n+n/2)
	limit := 256 - 256%len(alphabet) // reject bytes above this, so every character is equally likely
	for len(out) < n {
		if _, err := io.ReadFull(r, buf); err != nil {
			return "", fmt.Errorf("read randomness: %w", err)
		}
		for _, b := range buf {
			if int(b) < limit && len(out) < n {
				out = append(out, alphabet[int(b)%len(alphabet)])
			}
		}
	}
	return string(out), nil
}

// isToken reports whether s is 1 to max characters of ASCII letters, digits, '-' and '_'.
func isToken(s string, max int) bool {
	if len(s) == 0 || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}
