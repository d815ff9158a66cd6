package httpapi_test

import (
	"encoding/base64"
	"net/http"
	"strings"
	"testing"

	"github.com/eccs/eccs/api"
	"github.com/eccs/eccs/internal/httpapi"
	"github.com/eccs/eccs/internal/testkit/apitest"
)

func TestTokenIssued(t *testing.T) {
	e := apitest.NewEnv(t)
	form := "application/x-www-form-urlencoded"
	tests := []struct {
		name   string
		header map[string]string
		body   string
	}{
		{"with Basic credentials", map[string]string{"Authorization": apitest.Basic(e.Creds.ClientID, e.Creds.ClientSecret), "Content-Type": form}, "grant_type=client_credentials"},
		{"with form credentials", map[string]string{"Content-Type": form}, "grant_type=client_credentials&client_id=" + e.Creds.ClientID + "&client_secret=" + e.Creds.ClientSecret},
		{"with both forms naming the same client", map[string]string{"Authorization": apitest.Basic(e.Creds.ClientID, e.Creds.ClientSecret)}, "grant_type=client_credentials&client_id=" + e.Creds.ClientID},
		{"with a lower-case scheme and no Content-Type", map[string]string{"Authorization": "basic " + base64.StdEncoding.EncodeToString([]byte(e.Creds.ClientID+":"+e.Creds.ClientSecret))}, "grant_type=client_credentials"},
		{"with Accept */* and extra headers", map[string]string{"Authorization": apitest.Basic(e.Creds.ClientID, e.Creds.ClientSecret), "Accept": "*/*", "Cache-Control": "no-cache"}, "grant_type=client_credentials"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.Do(apitest.Req{Method: "POST", Path: "/oauth/v3/token", Header: tt.header, Body: tt.body}).WantStatus(t, 200)
			if ct := r.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q, want exactly application/json", ct)
			}
			if cc := r.Header.Get("Cache-Control"); cc != "no-store" {
				t.Errorf("Cache-Control %q", cc)
			}
			var tok api.Token
			apitest.MustJSON(t, r.Body, &tok)
			if tok.TokenType != "Bearer" || tok.ExpiresIn != 3600 || len(tok.AccessToken) < 100 {
				t.Fatalf("token %+v", tok)
			}
			if !strings.Contains(string(r.Body), `"expires_in":3600`) {
				t.Errorf("expires_in is not the number 3600: %s", r.Body)
			}
			// The token works on a resource call.
			e.Call("GET", "/contracts", tok.AccessToken, e.Creds.APIKeys.Client, "", "").WantStatus(t, 200)
		})
	}
}

func TestTokenRefused(t *testing.T) {
	e := apitest.NewEnv(t)
	id, secret := e.Creds.ClientID, e.Creds.ClientSecret
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
		{"a wrong secret", "POST", map[string]string{"Authorization": apitest.Basic(id, secret+"x")}, grant, 401, invalid, ""},
		{"an unknown client", "POST", map[string]string{"Authorization": apitest.Basic("nobody-0000000000000000000000000", secret)}, grant, 401, invalid, ""},
		{"a suspended application with a wrong secret", "POST", map[string]string{"Authorization": apitest.Basic(e.Creds.OtherApplications["suspended"].ClientID, secret)}, grant, 401, invalid, ""},
		{"Basic and form naming different clients", "POST", map[string]string{"Authorization": apitest.Basic(id, secret)}, grant + "&client_id=other", 401, invalid, ""},
		{"form with a wrong secret", "POST", nil, grant + "&client_id=" + id + "&client_secret=nope", 401, invalid, ""},
		{"grant_type missing", "POST", map[string]string{"Authorization": apitest.Basic(id, secret)}, "", 400, "", "invalid_request"},
		{"grant_type empty", "POST", map[string]string{"Authorization": apitest.Basic(id, secret)}, "grant_type=", 400, "", "invalid_request"},
		{"grant_type password", "POST", map[string]string{"Authorization": apitest.Basic(id, secret)}, "grant_type=password", 400, "", "unsupported_grant_type"},
		{"grant_type twice", "POST", map[string]string{"Authorization": apitest.Basic(id, secret)}, grant + "&" + grant, 400, "", "invalid_request"},
		{"a body that is not a form", "POST", map[string]string{"Authorization": apitest.Basic(id, secret)}, "grant_type=%zz", 400, "", "invalid_request"},
		{"GET", "GET", map[string]string{"Authorization": apitest.Basic(id, secret)}, "", 405, "", "invalid_request"},
		{"a body too large", "POST", map[string]string{"Authorization": apitest.Basic(id, secret)}, grant + "&pad=" + strings.Repeat("x", 20<<10), 413, "", "invalid_request"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.Do(apitest.Req{Method: tt.method, Path: "/oauth/v3/token", Header: tt.header, Body: tt.body})
			if r.Status != tt.status {
				t.Fatalf("status %d, want %d: %s", r.Status, tt.status, r.Body)
			}
			if tt.wantBody != "" && string(r.Body) != tt.wantBody {
				t.Fatalf("body\n%s\nwant\n%s", r.Body, tt.wantBody)
			}
			if tt.error != "" {
				var oe api.OAuthError
				apitest.MustJSON(t, r.Body, &oe)
				if oe.Error != tt.error || oe.Description == "" {
					t.Fatalf("error %+v, want %s", oe, tt.error)
				}
			}
			if tt.status == 401 && r.Header.Get("WWW-Authenticate") != `Basic realm="Authorization Required"` {
				t.Errorf("WWW-Authenticate %q", r.Header.Get("WWW-Authenticate"))
			}
			if tt.status == 405 && r.Header.Get("Allow") != "POST" {
				t.Errorf("Allow %q, want POST", r.Header.Get("Allow"))
			}
		})
	}
}

func TestTokenRateLimitedPerClient(t *testing.T) {
	e := apitest.NewEnv(t, apitest.WithConfig(httpapi.Config{TokenRateLimit: 3}))
	for i := range 3 {
		e.Token() // each succeeds
		_ = i
	}
	r := e.Do(apitest.Req{Method: "POST", Path: "/oauth/v3/token", Body: "grant_type=client_credentials",
		Header: map[string]string{"Authorization": apitest.Basic(e.Creds.ClientID, e.Creds.ClientSecret)}})
	r.WantError(t, http.StatusTooManyRequests, api.CodeTooManyRequests)
	if r.Header.Get("Retry-After") == "" || r.Header.Get("RateLimit-Limit") != "3" || r.Header.Get("RateLimit-Remaining") != "0" {
		t.Fatalf("rate-limit headers: %v", r.Header)
	}
	// Another client has its own budget; wrong secrets do not spend anyone's.
	other := e.Creds.OtherApplications["pending"]
	e.Token(other.ClientID, other.ClientSecret)
	// A minute later the client may ask again.
	e.Clock.Advance(61 * 1e9)
	e.Token()
}

func TestRequestIDIsFreshOnEveryAnswer(t *testing.T) {
	e := apitest.NewEnv(t)
	seen := map[string]bool{}
	for _, r := range []apitest.Req{
		{Method: "POST", Path: "/oauth/v3/token"},
		{Method: "POST", Path: "/oauth/v3/token", Body: "grant_type=client_credentials", Header: map[string]string{"Authorization": apitest.Basic(e.Creds.ClientID, e.Creds.ClientSecret)}},
		{Path: "/cloud/b2b/v1/contracts", Header: map[string]string{api.HeaderRequestID: "client-chosen"}},
		{Path: "/nowhere"},
		{Path: "/healthz"},
	} {
		id := e.Do(r).Header.Get(api.HeaderRequestID)
		if id == "" || id == "client-chosen" || seen[id] || len(id) != 36 {
			t.Fatalf("request id %q (seen before: %v)", id, seen[id])
		}
		seen[id] = true
	}
}

// The refusal of a suspended application's client, once its secret is right, says why (as the
// README promises for the demo applications), after the gateway's own sentence.
func TestTokenForASuspendedApplicationSaysItIsSuspended(t *testing.T) {
	e := apitest.NewEnv(t)
	suspended := e.Creds.OtherApplications["suspended"]
	r := e.Do(apitest.Req{Method: "POST", Path: "/oauth/v3/token", Header: map[string]string{"Authorization": apitest.Basic(suspended.ClientID, suspended.ClientSecret)},
		Body: "grant_type=client_credentials"})
	var oe api.OAuthError
	apitest.MustJSON(t, r.Body, &oe)
	if r.Status != 401 || oe.Error != "invalid_client" || !strings.HasPrefix(oe.Description, "The requested service needs credentials, but the ones provided were invalid") ||
		!strings.Contains(oe.Description, "suspended") {
		t.Errorf("%d %+v: want 401 invalid_client saying the application is suspended", r.Status, oe)
	}
}

// A JSON body is not what OAuth 2.0 takes: the refusal says what the endpoint takes instead.
func TestTokenRequestWithAJSONBodyIsToldToUseAForm(t *testing.T) {
	e := apitest.NewEnv(t)
	body := `{"grant_type": "client_credentials", "client_id": "` + e.Creds.ClientID + `", "client_secret": "` + e.Creds.ClientSecret + `"}`
	for _, tc := range []struct {
		name   string
		header map[string]string
		status int
		error  string
	}{
		{"without Basic", map[string]string{"Content-Type": "application/json"}, 401, "invalid_client"},
		{"with Basic", map[string]string{"Content-Type": "application/json", "Authorization": apitest.Basic(e.Creds.ClientID, e.Creds.ClientSecret)}, 400, "invalid_request"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.Do(apitest.Req{Method: "POST", Path: "/oauth/v3/token", Header: tc.header, Body: body})
			var oe api.OAuthError
			apitest.MustJSON(t, r.Body, &oe)
			if r.Status != tc.status || oe.Error != tc.error || !strings.Contains(oe.Description, "application/x-www-form-urlencoded") || !strings.Contains(oe.Description, "Basic") {
				t.Errorf("%d %+v: want %d %s saying the endpoint takes a form or Basic authentication", r.Status, oe, tc.status, tc.error)
			}
		})
	}
}
