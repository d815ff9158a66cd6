package httpapi_test

// Access tokens that must not open the API (doc/reliability.md), at the HTTP level: every one is
// refused with 401/41, except an expired token of ours, 401/42. The variants are signed with
// the test server's real key wherever that makes the attack stronger: the header alone, the
// key id alone or the algorithm alone being wrong must be enough. doc/reliability.md lists
// them.

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"hash"
	"strings"
	"testing"
	"time"

	"github.com/eccs/eccs/api"
	"github.com/eccs/eccs/internal/eccs"
	"github.com/eccs/eccs/internal/testkit/apitest"
)

var b64url = base64.RawURLEncoding

// jwt builds a token from a JOSE header and claims, signed with HMAC under key (h: sha256.New
// or sha512.New); a nil key leaves the signature empty.
func jwt(t *testing.T, header string, claims map[string]any, h func() hash.Hash, key []byte) string {
	t.Helper()
	payload, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	input := b64url.EncodeToString([]byte(header)) + "." + b64url.EncodeToString(payload)
	if key == nil {
		return input + "."
	}
	m := hmac.New(h, key)
	m.Write([]byte(input))
	return input + "." + b64url.EncodeToString(m.Sum(nil))
}

// claimsOf decodes the claims of a token this server issued.
func claimsOf(t *testing.T, token string) map[string]any {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("token %q is not a JWT", token)
	}
	raw, err := b64url.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var claims map[string]any
	if err := json.Unmarshal(raw, &claims); err != nil {
		t.Fatal(err)
	}
	return claims
}

func TestTokensThatMustNotOpenTheAPIAreRefused(t *testing.T) {
	e := apitest.NewEnv(t)
	good := e.Token()
	claims := claimsOf(t, good)
	realKey := apitest.Keys.TokenKeys[0]
	ourHeader := `{"alg":"HS256","typ":"JWT","kid":"` + realKey.ID + `"}`
	with := func(edit func(map[string]any)) map[string]any { return claimsWith(claims, edit) }
	// A token of ours, re-signed with our key, must still verify: the variants below differ
	// from it in one thing only.
	if resigned := jwt(t, ourHeader, claims, sha256.New, realKey.Secret); resigned != good {
		e.Call("GET", "/contracts", resigned, e.Creds.APIKeys.Client, "", "").WantStatus(t, 200)
	}
	other, err := e.DB.ApplicationByClientID(t.Context(), e.Creds.OtherApplications["blocked"].ClientID)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(good, ".")
	otherServerKey := []byte("the token key of another eccs server, 32+ bytes")

	tests := []struct {
		name  string
		token string
		code  int
	}{
		{"forged payload: another application's id under the original signature",
			parts[0] + "." + b64url.EncodeToString(claimsJSON(t, with(func(c map[string]any) { c["app_id"] = other.ID }))) + "." + parts[2], 41},
		{"forged payload: a later expiry under the original signature",
			parts[0] + "." + b64url.EncodeToString(claimsJSON(t, with(func(c map[string]any) { c["exp"] = 4102444800 }))) + "." + parts[2], 41},
		{"unknown key id, signed with the real key", jwt(t, `{"alg":"HS256","typ":"JWT","kid":"test2"}`, claims, sha256.New, realKey.Secret), 41},
		{"no key id, signed with the real key", jwt(t, `{"alg":"HS256","typ":"JWT"}`, claims, sha256.New, realKey.Secret), 41},
		{"truncated signature", good[:len(good)-4], 41},
		{"signature removed", parts[0] + "." + parts[1] + ".", 41},
		{"truncated payload", parts[0] + "." + parts[1][:len(parts[1])/2] + "." + parts[2], 41},
		{"header and payload only", parts[0] + "." + parts[1], 41},
		{"alg none, no signature", jwt(t, `{"alg":"none","typ":"JWT","kid":"`+realKey.ID+`"}`, claims, nil, nil), 41},
		{"alg none with the original signature", b64url.EncodeToString([]byte(`{"alg":"none","typ":"JWT","kid":"`+realKey.ID+`"}`)) + "." + parts[1] + "." + parts[2], 41},
		{"alg HS512, signed with the real key", jwt(t, `{"alg":"HS512","typ":"JWT","kid":"`+realKey.ID+`"}`, claims, sha512.New, realKey.Secret), 41},
		{"alg RS256 header, HMAC-signed with the real key", jwt(t, `{"alg":"RS256","typ":"JWT","kid":"`+realKey.ID+`"}`, claims, sha256.New, realKey.Secret), 41},
		{"our header with an extra member, signed with the real key", jwt(t, `{"alg":"HS256","typ":"JWT","kid":"`+realKey.ID+`","jku":"http://x"}`, claims, sha256.New, realKey.Secret), 41},
		{"another server's key under our key id", jwt(t, ourHeader, claims, sha256.New, otherServerKey), 41},
		{"another server's key and key id", jwt(t, `{"alg":"HS256","typ":"JWT","kid":"other1"}`, claims, sha256.New, otherServerKey), 41},
		{"expired token of ours", jwt(t, ourHeader, with(func(c map[string]any) { c["exp"] = e.Clock.Now().Add(-time.Second).Unix() }), sha256.New, realKey.Secret), 42},
		{"a token of ours for an application that does not exist", jwt(t, ourHeader, with(func(c map[string]any) { c["app_id"] = "nosuchapplication" }), sha256.New, realKey.Secret), 41},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.token == good {
				t.Fatal("the variant is the good token")
			}
			e.Call("GET", "/contracts", tt.token, e.Creds.APIKeys.Client, "", "").WantError(t, 401, tt.code)
		})
	}
	// The good token still works after all of that.
	e.Call("GET", "/contracts", good, e.Creds.APIKeys.Client, "", "").WantStatus(t, 200)
}

// claimsWith returns a copy of claims changed by edit.
func claimsWith(claims map[string]any, edit func(map[string]any)) map[string]any {
	c := map[string]any{}
	for k, v := range claims {
		c[k] = v
	}
	edit(c)
	return c
}

func TestTokensMintedBeforeTheApplicationLeftAreRefused(t *testing.T) {
	for _, status := range []eccs.ApplicationStatus{eccs.ApplicationSuspended, eccs.ApplicationDeleted} {
		t.Run(string(status), func(t *testing.T) {
			e := apitest.NewEnv(t)
			token := e.Token()
			e.Call("GET", "/contracts", token, e.Creds.APIKeys.Client, "", "").WantStatus(t, 200)
			app, err := e.DB.ApplicationByClientID(t.Context(), e.Creds.ClientID)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := e.Svc.SetApplicationStatus(t.Context(), app.ID, status); err != nil {
				t.Fatal(err)
			}
			// Minted a minute before the change, still within its hour.
			e.Clock.Advance(time.Minute)
			e.Call("GET", "/contracts", token, e.Creds.APIKeys.Client, "", "").WantError(t, 401, api.CodeInvalidCredentials)
			// And the application gets no new token.
			r := e.Do(apitest.Req{Method: "POST", Path: api.TokenPath, Body: "grant_type=client_credentials",
				Header: map[string]string{"Authorization": apitest.Basic(e.Creds.ClientID, e.Creds.ClientSecret), "Content-Type": "application/x-www-form-urlencoded"}})
			if r.Status != 401 || !strings.Contains(string(r.Body), api.OAuthInvalidClient) {
				t.Errorf("token request of a %s application: %s", status, r)
			}
		})
	}
}

func claimsJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
