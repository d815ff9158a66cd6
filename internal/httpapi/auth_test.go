package httpapi_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/eccs/eccs/api"
	"github.com/eccs/eccs/internal/eccs"
	"github.com/eccs/eccs/internal/httpapi"
	"github.com/eccs/eccs/internal/testkit/apitest"
)

// TestChecksRefuseInOrder triggers each check of doc/wire.md §3 and checks that an earlier check
// wins over a later one when both fail.
func TestChecksRefuseInOrder(t *testing.T) {
	e := apitest.NewEnv(t)
	token := e.Token()
	key := e.Creds.APIKeys.Client
	app := func(state string) string {
		c := e.Creds.OtherApplications[state]
		return e.Token(c.ClientID, c.ClientSecret)
	}
	pending, noTerms, blocked := app("pending"), app("termsNotAccepted"), app("blocked")
	auth := func(v string) map[string]string { return map[string]string{"Authorization": v} }
	tests := []struct {
		name     string
		header   map[string]string
		path     string
		status   int
		code     int
		mentions string // the description names this
	}{
		{"no Authorization", map[string]string{api.HeaderAPIKey: key}, "/contracts", 401, 40, "Authorization"},
		{"Basic instead of Bearer", map[string]string{"Authorization": apitest.Basic("a", "b"), api.HeaderAPIKey: key}, "/contracts", 401, 40, "Bearer"},
		{"Bearer without a token", map[string]string{"Authorization": "Bearer ", api.HeaderAPIKey: key}, "/contracts", 401, 40, "Bearer"},
		{"a token this server did not issue", merge(auth("Bearer abc.def.ghi"), map[string]string{api.HeaderAPIKey: key}), "/contracts", 401, 41, "token"},
		{"a forged token", merge(auth("Bearer "+forge(token)), map[string]string{api.HeaderAPIKey: key}), "/contracts", 401, 41, "token"},
		{"subscription pending", merge(auth("Bearer "+pending), map[string]string{api.HeaderAPIKey: key}), "/contracts", 403, 50, "subscri"},
		{"terms not accepted", merge(auth("Bearer "+noTerms), map[string]string{api.HeaderAPIKey: key}), "/contracts", 403, 50, "terms"},
		{"application blocked", merge(auth("Bearer "+blocked), map[string]string{api.HeaderAPIKey: key}), "/contracts", 403, 51, "blocked"},
		{"blocked wins over a missing key", auth("Bearer " + blocked), "/contracts", 403, 51, "blocked"},
		{"no X-API-Key", auth("Bearer " + token), "/contracts", 401, 40, "X-API-Key"},
		{"an unknown X-API-Key", merge(auth("Bearer "+token), map[string]string{api.HeaderAPIKey: "eccs_nope"}), "/contracts", 401, 41, "X-API-Key"},
		{"a missing key wins over a missing contract header", auth("Bearer " + token), "/contract", 401, 40, "X-API-Key"},
		{"no X-ECCS-Contract-Id", merge(auth("Bearer "+token), map[string]string{api.HeaderAPIKey: key}), "/contract", 400, 25, "X-ECCS-Contract-Id"},
		{"a malformed X-ECCS-Contract-Id", merge(auth("Bearer "+token), map[string]string{api.HeaderAPIKey: key, api.HeaderContractID: "OCB 1"}), "/contract", 400, 26, "X-ECCS-Contract-Id"},
		{"an invisible contract", merge(auth("Bearer "+token), map[string]string{api.HeaderAPIKey: key, api.HeaderContractID: "OCB0000005"}), "/contract", 403, 50, "OCB0000005"},
		{"lower-case header names work", map[string]string{"authorization": "Bearer " + token, "x-api-key": key, "x-eccs-contract-id": "OCB0000001"}, "/contract", 200, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantRefusedInOrder(t, e.Do(apitest.Req{Path: api.BasePath + tt.path, Header: tt.header}), tt.status, tt.code, tt.mentions)
		})
	}
}

// wantRefusedInOrder checks the answer r of TestChecksRefuseInOrder: this status and code, a
// description that mentions what it should, and the WWW-Authenticate of RFC 6750 on a 401.
func wantRefusedInOrder(t *testing.T, r apitest.Response, status, code int, mentions string) {
	t.Helper()
	if status == 200 {
		r.WantStatus(t, 200)
		return
	}
	desc := r.WantError(t, status, code)
	if !strings.Contains(desc, mentions) {
		t.Errorf("description %q does not mention %q", desc, mentions)
	}
	// RFC 6750 §3: a refused token gets error="invalid_token" (OAuth libraries then
	// fetch a new one); a missing token, or a refused API key, plain Bearer.
	want := "Bearer"
	if status == 401 && mentions == "token" {
		want = `Bearer error="invalid_token", error_description="` + strings.ReplaceAll(desc, `"`, "'") + `"`
	}
	if got := r.Header.Get("WWW-Authenticate"); status == 401 && got != want {
		t.Errorf("WWW-Authenticate %q, want %q", got, want)
	}
	if status != 401 && r.Header.Get("WWW-Authenticate") != "" {
		t.Errorf("WWW-Authenticate %q on a %d", r.Header.Get("WWW-Authenticate"), status)
	}
}

func merge(ms ...map[string]string) map[string]string {
	out := map[string]string{}
	for _, m := range ms {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

// forge changes one character of a token's payload.
func forge(token string) string {
	parts := strings.Split(token, ".")
	p := []byte(parts[1])
	p[len(p)/2] ^= 1
	parts[1] = string(p)
	return strings.Join(parts, ".")
}

func TestExpiredTokenAnswers42(t *testing.T) {
	e := apitest.NewEnv(t)
	token := e.Token()
	e.Clock.Advance(61 * time.Minute)
	r := e.Call("GET", "/contracts", token, "", "", "") // the token is checked before the key
	if desc := r.WantError(t, 401, api.CodeExpiredCredentials); !strings.Contains(desc, "expired") {
		t.Errorf("description %q", desc)
	}
	// A new token works.
	e.Call("GET", "/contracts", e.Token(), e.Creds.APIKeys.Client, "", "").WantStatus(t, 200)
}

func TestTokenOfASuspendedApplicationIsRefused(t *testing.T) {
	e := apitest.NewEnv(t)
	token := e.Token()
	app, err := e.DB.ApplicationByClientID(t.Context(), e.Creds.ClientID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Svc.SetApplicationStatus(t.Context(), app.ID, eccs.ApplicationSuspended); err != nil {
		t.Fatal(err)
	}
	e.Call("GET", "/contracts", token, e.Creds.APIKeys.Client, "", "").WantError(t, 401, api.CodeInvalidCredentials)
	if _, err := e.Svc.SetApplicationStatus(t.Context(), app.ID, eccs.ApplicationDeleted); err != nil {
		t.Fatal(err)
	}
	e.Call("GET", "/contracts", token, e.Creds.APIKeys.Client, "", "").WantError(t, 401, api.CodeInvalidCredentials)
}

func TestExpiredAPIKeyAnswers41WithItsExpiry(t *testing.T) {
	e := apitest.NewEnv(t)
	e.Clock.Advance(2*365*24*time.Hour + time.Hour)
	desc := e.Call("GET", "/contracts", e.Token(), e.Creds.APIKeys.Client, "", "").WantError(t, 401, api.CodeInvalidCredentials)
	if !strings.Contains(desc, "expired on 2028-06-14") {
		t.Errorf("description %q does not give the expiry date", desc)
	}
}

func TestDuplicatedCredentialHeadersAreRefused(t *testing.T) {
	e := apitest.NewEnv(t)
	token := e.Token()
	do := func(h http.Header) apitest.Response {
		r, _ := http.NewRequestWithContext(t.Context(), "GET", e.URL+api.BasePath+"/contract", nil)
		r.Header = h
		resp, err := e.Client.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out apitest.Response
		out.Status, out.Header = resp.StatusCode, resp.Header
		out.Body = apitest.ReadAll(t, resp)
		return out
	}
	h := http.Header{"Authorization": {"Bearer " + token, "Bearer " + token}, "X-Api-Key": {e.Creds.APIKeys.Client}, "X-Eccs-Contract-Id": {"OCB0000001"}}
	do(h).WantError(t, 401, api.CodeInvalidCredentials)
	h = http.Header{"Authorization": {"Bearer " + token}, "X-Api-Key": {e.Creds.APIKeys.Client, e.Creds.APIKeys.Administrator}, "X-Eccs-Contract-Id": {"OCB0000001"}}
	do(h).WantError(t, 401, api.CodeInvalidCredentials)
	h = http.Header{"Authorization": {"Bearer " + token}, "X-Api-Key": {e.Creds.APIKeys.Client}, "X-Eccs-Contract-Id": {"OCB0000001", "OCB0000002"}}
	do(h).WantError(t, 400, api.CodeInvalidHeader)
}

func TestResourceCallsAreRateLimitedPerApplication(t *testing.T) {
	for _, forbidden := range []bool{false, true} {
		e := apitest.NewEnv(t, apitest.WithConfig(httpapi.Config{RateLimit: 1, RateLimitForbidden: forbidden}))
		token := e.Token()
		for range 2 { // the burst is twice the rate
			e.Call("GET", "/contracts", token, e.Creds.APIKeys.Client, "", "").WantStatus(t, 200)
		}
		r := e.Call("GET", "/contracts", token, "bad key: the limit is checked first", "", "")
		status := http.StatusTooManyRequests
		if forbidden {
			status = http.StatusForbidden
		}
		r.WantError(t, status, api.CodeTooManyRequests)
		if r.Header.Get("Retry-After") != "1" || r.Header.Get("RateLimit-Limit") != "2" {
			t.Errorf("rate-limit headers %v", r.Header)
		}
		e.Clock.Advance(time.Second)
		e.Call("GET", "/contracts", token, e.Creds.APIKeys.Client, "", "").WantStatus(t, 200)
	}
}

// Answers that depend on the credentials or the contract header say so in Vary, so that no
// cache serves one caller's answer to another: errors included, once the header was read.
func TestAnswersNameTheHeadersTheyDependOnInVary(t *testing.T) {
	e := apitest.NewEnv(t)
	token, key := e.Token(), e.Creds.APIKeys.Client
	credentials, contract := "Authorization, X-API-Key", "Authorization, X-API-Key, X-ECCS-Contract-Id"
	for _, tc := range []struct {
		name, method, path, contract, key, body string
		want                                    string
	}{
		{"the contract list", "GET", "/contracts", "", key, "", credentials},
		{"a refused key", "GET", "/contracts", "", "eccs_nope", "", credentials},
		{"a contract", "GET", "/contract", "OCB0000001", key, "", contract},
		{"an invisible contract", "GET", "/contract", "OCB0000005", key, "", contract},
		{"documents", "GET", "/documents", "OCB0000001", key, "", contract},
		{"a file", "GET", "/documents/nothing-here/file", "OCB0000001", key, "", contract},
		{"a user declared", "POST", "/contract/OCB0000001/user", "", key, `{}`, contract},
		{"/me", "GET", "/me", "", key, "", credentials},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.Call(tc.method, tc.path, token, tc.key, tc.contract, tc.body)
			if got := r.Header.Get("Vary"); got != tc.want {
				t.Errorf("%d answer: Vary %q, want %q", r.Status, got, tc.want)
			}
		})
	}
}

// POST …/user takes X-ECCS-Contract-Id optionally; sent empty, it is a missing value (a client
// that sends an empty header has a bug), as the OpenAPI file says.
func TestUserDeclarationWithAnEmptyContractHeaderIsRefused(t *testing.T) {
	e := apitest.NewEnv(t)
	body := `{"lastName": "Doe", "firstName": "John", "email": "john.doe@example.com", "login": "john.doe", "roles": {"contracts": ["visitor"]}}`
	for _, value := range []string{"", " "} {
		hr, err := http.NewRequestWithContext(t.Context(), "POST", e.URL+api.BasePath+"/contract/OCB0000001/user", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		hr.Header.Set("Authorization", "Bearer "+e.Token())
		hr.Header.Set(api.HeaderAPIKey, e.Creds.APIKeys.Client)
		hr.Header[api.HeaderContractID] = []string{value} // sent, empty (e.do leaves empty headers out)
		resp, err := e.Client.Do(hr)
		if err != nil {
			t.Fatal(err)
		}
		r := apitest.Response{Status: resp.StatusCode, Header: resp.Header, Body: apitest.ReadAll(t, resp)}
		resp.Body.Close()
		if desc := r.WantError(t, 400, api.CodeMissingHeader); !strings.Contains(desc, api.HeaderContractID) {
			t.Errorf("description %q does not name the header", desc)
		}
	}
	e.AsClient("POST", "/contract/OCB0000001/user", "", body).WantStatus(t, 201) // without it, declared
}

// A contract number typed in another case is another number: the refusal says that case
// counts, as it does for any contract the key cannot see.
func TestAContractNumberInAnotherCaseIsToldThatCaseCounts(t *testing.T) {
	e := apitest.NewEnv(t)
	desc := e.AsClient("GET", "/contract", "ocb0000001", "").WantError(t, 403, api.CodeAccessDenied)
	if !strings.Contains(desc, "ocb0000001") || !strings.Contains(desc, "case included") {
		t.Errorf("description %q does not say that case counts", desc)
	}
}
