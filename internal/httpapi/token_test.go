package httpapi_test

import (
	"encoding/base64"
	"net/http"
	"strings"
	"testing"

	"github.com/eccs/eccs/api"
	"github.com/eccs/eccs/internal/httpapi"
)

func TestTokenIssued(t *testing.T) {
	e := newEnv(t)
	form := "application/x-www-form-urlencoded"
	tests := []struct {
		name   string
		header map[string]string
		body   string
	}{
		{"with Basic credentials", map[string]string{"Authorization": basic(e.creds.ClientID, e.creds.ClientSecret), "Content-Type": form}, "grant_type=client_credentials"},
		{"with form credentials", map[string]string{"Content-Type": form}, "grant_type=client_credentials&client_id=" + e.creds.ClientID + "&client_secret=" + e.creds.ClientSecret},
		{"with both forms naming the same client", map[string]string{"Authorization": basic(e.creds.ClientID, e.creds.ClientSecret)}, "grant_type=client_credentials&client_id=" + e.creds.ClientID},
		{"with a lower-case scheme and no Content-Type", map[string]string{"Authorization": "basic " + base64.StdEncoding.EncodeToString([]byte(e.creds.ClientID+":"+e.creds.ClientSecret))}, "grant_type=client_credentials"},
		{"with Accept */* and extra headers", map[string]string{"Authorization": basic(e.creds.ClientID, e.creds.ClientSecret), "Accept": "*/*", "Cache-Control": "no-cache"}, "grant_type=client_credentials"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.do(req{method: "POST", path: "/oauth/v3/token", header: tt.header, body: tt.body}).wantStatus(t, 200)
			if ct := r.header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q, want exactly application/json", ct)
			}
			if cc := r.header.Get("Cache-Control"); cc != "no-store" {
				t.Errorf("Cache-Control %q", cc)
			}
			var tok api.Token
			mustJSON(t, r.body, &tok)
			if tok.TokenType != "Bearer" || tok.ExpiresIn != 3600 || len(tok.AccessToken) < 100 {
				t.Fatalf("token %+v", tok)
			}
			if !strings.Contains(string(r.body), `"expires_in":3600`) {
				t.Errorf("expires_in is not the number 3600: %s", r.body)
			}
			// The token works on a resource call.
			e.call("GET", "/contracts", tok.AccessToken, e.creds.APIKeys.Client, "", "").wantStatus(t, 200)
		})
	}
}

func TestTokenRefused(t *testing.T) {
	e := newEnv(t)
	id, secret := e.creds.ClientID, e.creds.ClientSecret
	const (
		none    = `{"error":"invalid_client","error_description":"The requested service needs credentials, but none were provided."}`
		invalid = `{"error":"invalid_client","error_description":"The requested service needs credentials, but the ones provided were invalid."}`
		decode  = `{"error":"invalid_client","error_description":"Unable to decode Basic authorization."}`
	)
	grant := "grant_type=client_credentials"
	tests := []struct {
		name     string
		method   string
		header   map[string]string
		body     string
		status   int
		wantBody string // exact, when set
		error    string // the OAuth error code otherwise
	}{
		{"no credentials", "POST", nil, grant, 401, none, ""},
		{"a Bearer header only", "POST", map[string]string{"Authorization": "Bearer abc"}, grant, 401, none, ""},
		{"Basic that is not base64", "POST", map[string]string{"Authorization": "Basic %%%"}, grant, 401, decode, ""},
		{"Basic without a colon", "POST", map[string]string{"Authorization": "Basic " + base64.StdEncoding.EncodeToString([]byte("nocolon"))}, grant, 401, decode, ""},
		{"a wrong secret", "POST", map[string]string{"Authorization": basic(id, secret+"x")}, grant, 401, invalid, ""},
		{"an unknown client", "POST", map[string]string{"Authorization": basic("nobody-0000000000000000000000000", secret)}, grant, 401, invalid, ""},
		{"a suspended application with a wrong secret", "POST", map[string]string{"Authorization": basic(e.creds.OtherApplications["suspended"].ClientID, secret)}, grant, 401, invalid, ""},
		{"Basic and form naming different clients", "POST", map[string]string{"Authorization": basic(id, secret)}, grant + "&client_id=other", 401, invalid, ""},
		{"form with a wrong secret", "POST", nil, grant + "&client_id=" + id + "&client_secret=nope", 401, invalid, ""},
		{"grant_type missing", "POST", map[string]string{"Authorization": basic(id, secret)}, "", 400, "", "invalid_request"},
		{"grant_type empty", "POST", map[string]string{"Authorization": basic(id, secret)}, "grant_type=", 400, "", "invalid_request"},
		{"grant_type password", "POST", map[string]string{"Authorization": basic(id, secret)}, "grant_type=password", 400, "", "unsupported_grant_type"},
		{"grant_type twice", "POST", map[string]string{"Authorization": basic(id, secret)}, grant + "&" + grant, 400, "", "invalid_request"},
		{"a body that is not a form", "POST", map[string]string{"Authorization": basic(id, secret)}, "grant_type=%zz", 400, "", "invalid_request"},
		{"GET", "GET", map[string]string{"Authorization": basic(id, secret)}, "", 405, "", "invalid_request"},
		{"a body too large", "POST", map[string]string{"Authorization": basic(id, secret)}, grant + "&pad=" + strings.Repeat("x", 20<<10), 413, "", "invalid_request"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.do(req{method: tt.method, path: "/oauth/v3/token", header: tt.header, body: tt.body})
			if r.status != tt.status {
				t.Fatalf("status %d, want %d: %s", r.status, tt.status, r.body)
			}
			if tt.wantBody != "" && string(r.body) != tt.wantBody {
				t.Fatalf("body\n%s\nwant\n%s", r.body, tt.wantBody)
			}
			if tt.error != "" {
				var oe api.OAuthError
				mustJSON(t, r.body, &oe)
				if oe.Error != tt.error || oe.Description == "" {
					t.Fatalf("error %+v, want %s", oe, tt.error)
				}
			}
			if tt.status == 401 && r.header.Get("WWW-Authenticate") != `Basic realm="Authorization Required"` {
				t.Errorf("WWW-Authenticate %q", r.header.Get("WWW-Authenticate"))
			}
			if tt.status == 405 && r.header.Get("Allow") != "POST" {
				t.Errorf("Allow %q, want POST", r.header.Get("Allow"))
			}
		})
	}
}

func TestTokenRateLimitedPerClient(t *testing.T) {
	e := newEnv(t, withConfig(httpapi.Config{TokenRateLimit: 3}))
	for i := range 3 {
		e.token() // each succeeds
		_ = i
	}
	r := e.do(req{method: "POST", path: "/oauth/v3/token", body: "grant_type=client_credentials",
		header: map[string]string{"Authorization": basic(e.creds.ClientID, e.creds.ClientSecret)}})
	r.wantError(t, http.StatusTooManyRequests, api.CodeTooManyRequests)
	if r.header.Get("Retry-After") == "" || r.header.Get("RateLimit-Limit") != "3" || r.header.Get("RateLimit-Remaining") != "0" {
		t.Fatalf("rate-limit headers: %v", r.header)
	}
	// Another client has its own budget; wrong secrets do not spend anyone's.
	other := e.creds.OtherApplications["pending"]
	e.token(other.ClientID, other.ClientSecret)
	// A minute later the client may ask again.
	e.clock.Advance(61 * 1e9)
	e.token()
}

func TestRequestIDIsFreshOnEveryAnswer(t *testing.T) {
	e := newEnv(t)
	seen := map[string]bool{}
	for _, r := range []req{
		{method: "POST", path: "/oauth/v3/token"},
		{method: "POST", path: "/oauth/v3/token", body: "grant_type=client_credentials", header: map[string]string{"Authorization": basic(e.creds.ClientID, e.creds.ClientSecret)}},
		{path: "/cloud/b2b/v1/contracts", header: map[string]string{api.HeaderRequestID: "client-chosen"}},
		{path: "/nowhere"},
		{path: "/healthz"},
	} {
		id := e.do(r).header.Get(api.HeaderRequestID)
		if id == "" || id == "client-chosen" || seen[id] || len(id) != 36 {
			t.Fatalf("request id %q (seen before: %v)", id, seen[id])
		}
		seen[id] = true
	}
}

// The refusal of a suspended application's client, once its secret is right, says why (as the
// README promises for the demo applications), after the gateway's own sentence.
func TestTokenForASuspendedApplicationSaysItIsSuspended(t *testing.T) {
	e := newEnv(t)
	suspended := e.creds.OtherApplications["suspended"]
	r := e.do(req{method: "POST", path: "/oauth/v3/token", header: map[string]string{"Authorization": basic(suspended.ClientID, suspended.ClientSecret)},
		body: "grant_type=client_credentials"})
	var oe api.OAuthError
	mustJSON(t, r.body, &oe)
	if r.status != 401 || oe.Error != "invalid_client" || !strings.HasPrefix(oe.Description, "The requested service needs credentials, but the ones provided were invalid") ||
		!strings.Contains(oe.Description, "suspended") {
		t.Errorf("%d %+v: want 401 invalid_client saying the application is suspended", r.status, oe)
	}
}

// A JSON body is not what OAuth 2.0 takes: the refusal says what the endpoint takes instead.
func TestTokenRequestWithAJSONBodyIsToldToUseAForm(t *testing.T) {
	e := newEnv(t)
	body := `{"grant_type": "client_credentials", "client_id": "` + e.creds.ClientID + `", "client_secret": "` + e.creds.ClientSecret + `"}`
	for _, tc := range []struct {
		name   string
		header map[string]string
		status int
		error  string
	}{
		{"without Basic", map[string]string{"Content-Type": "application/json"}, 401, "invalid_client"},
		{"with Basic", map[string]string{"Content-Type": "application/json", "Authorization": basic(e.creds.ClientID, e.creds.ClientSecret)}, 400, "invalid_request"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.do(req{method: "POST", path: "/oauth/v3/token", header: tc.header, body: body})
			var oe api.OAuthError
			mustJSON(t, r.body, &oe)
			if r.status != tc.status || oe.Error != tc.error || !strings.Contains(oe.Description, "application/x-www-form-urlencoded") || !strings.Contains(oe.Description, "Basic") {
				t.Errorf("%d %+v: want %d %s saying the endpoint takes a form or Basic authentication", r.status, oe, tc.status, tc.error)
			}
		})
	}
}
