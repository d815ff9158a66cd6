package eccs

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// An access token is a JWT signed with HMAC-SHA256 under a TokenKey named by its "kid". It is
// self-contained: any replica holding the keys verifies it without a database round trip, and
// issuing one writes nothing. The claim names follow the real gateway's tokens.
type tokenClaims struct {
	AppID    string `json:"app_id"`
	AppName  string `json:"app_name"`
	ClientID string `json:"client_id"`
	Subject  string `json:"sub"`
	Issuer   string `json:"iss"`
	IssuedAt int64  `json:"iat"`
	Expires  int64  `json:"exp"`
	ID       string `json:"jti"`
	// SecretVersion is the Application.SecretVersion of the client secret the token was
	// issued with (an eccs claim; absent for version 0).
	SecretVersion int64 `json:"sv,omitempty"`
}

// maxTokenLength bounds the work spent on a bearer value; real tokens are about 400 bytes.
const maxTokenLength = 4096

// b64 is the encoding of JWT parts. Strict: a signature has one encoding only, so that a
// token cannot be altered (its last character's unused bits) and stay valid.
var b64 = base64.RawURLEncoding.Strict()

// tokenCodec signs and verifies access tokens.
type tokenCodec struct {
	keys    []TokenKey
	headers []string // the encoded JOSE header of each key, in the same order
}

func newTokenCodec(keys []TokenKey) *tokenCodec {
	c := &tokenCodec{keys: keys}
	for _, k := range keys {
		h := fmt.Sprintf(`{"alg":"HS256","typ":"JWT","kid":%q}`, k.ID)
		c.headers = append(c.headers, b64.EncodeToString([]byte(h)))
	}
	return c
}

func (c *tokenCodec) sign(claims tokenClaims) (string, error) {
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", fmt.Errorf("encode token claims: %w", err)
	}
	signingInput := c.headers[0] + "." + b64.EncodeToString(payload)
	return signingInput + "." + b64.EncodeToString(mac(c.keys[0].Secret, signingInput)), nil
}

// verify returns the claims of a token whose signature is valid under one of the keys. It
// does not look at the expiry. A header other than exactly one of ours (another alg, an
// unknown kid, extra members) is refused, which rules out algorithm confusion.
func (c *tokenCodec) verify(token string) (tokenClaims, bool) {
	var claims tokenClaims
	if len(token) > maxTokenLength {
		return claims, false
	}
	header, rest, ok := strings.Cut(token, ".")
	if !ok {
		return claims, false
	}
	payload, sig, ok := strings.Cut(rest, ".")
	if !ok || strings.Contains(sig, ".") {
		return claims, false
	}
	key := -1
	for i, h := range c.headers {
		if h == header {
			key = i
			break
		}
	}
	if key < 0 {
		return claims, false
	}
	gotSig, err := b64.DecodeString(sig)
	if err != nil || !hmac.Equal(gotSig, mac(c.keys[key].Secret, token[:len(header)+1+len(payload)])) {
		return claims, false
	}
	raw, err := b64.DecodeString(payload)
	if err != nil || json.Unmarshal(raw, &claims) != nil || claims.AppID == "" {
		return tokenClaims{}, false
	}
	return claims, true
}

func mac(key []byte, s string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(s))
	return m.Sum(nil)
}

// Token is a freshly issued access token.
type Token struct {
	Value     string
	ExpiresIn time.Duration
}
