package httpapi_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/eccs/eccs/api"
	"github.com/eccs/eccs/internal/httpapi"
	"github.com/eccs/eccs/internal/testkit/apitest"
)

func TestUnknownPathsAndMethods(t *testing.T) {
	e := apitest.NewEnv(t)
	e.Do(apitest.Req{Path: "/cloud/b2b/v1/nothing"}).WantError(t, 404, api.CodeResourceNotFound)
	e.Do(apitest.Req{Path: "/"}).WantError(t, 404, api.CodeResourceNotFound)
	e.Do(apitest.Req{Path: "/cloud/b2b/v1/contracts/../contract"}).WantError(t, 404, api.CodeResourceNotFound)
	e.Do(apitest.Req{Path: "/cloud/b2b/v1//contracts"}).WantError(t, 404, api.CodeResourceNotFound)
	for _, tt := range []struct{ method, path, allow string }{
		{"DELETE", "/cloud/b2b/v1/contracts", "GET, HEAD, POST"},
		{"PUT", "/cloud/b2b/v1/contract", "GET, HEAD, POST"},
		{"POST", "/cloud/b2b/v1/documents", "GET, HEAD"},
		{"GET", "/cloud/b2b/v1/contract/OCB0000001/user", "POST"},
		{"DELETE", "/cloud/b2b/v1/documents/abc/file/", "GET, HEAD"},
	} {
		r := e.Do(apitest.Req{Method: tt.method, Path: tt.path})
		r.WantError(t, 405, api.CodeMethodNotAllowed)
		if r.Header.Get("Allow") != tt.allow {
			t.Errorf("%s %s: Allow %q, want %q", tt.method, tt.path, r.Header.Get("Allow"), tt.allow)
		}
	}
}

func TestBodyLimitsAndEncodings(t *testing.T) {
	e := apitest.NewEnv(t)
	big := `{"lastName": "` + strings.Repeat("x", 70<<10) + `"}`
	e.AsClient("POST", "/contract/OCB0000001/user", "", big).WantError(t, 413, api.CodeEntityTooLarge)
	r := e.Do(apitest.Req{Method: "POST", Path: api.BasePath + "/contract/OCB0000001/user", Body: "{}", Header: map[string]string{
		"Authorization": "Bearer " + e.Token(), api.HeaderAPIKey: e.Creds.APIKeys.Client, "Content-Encoding": "gzip"}})
	r.WantError(t, 415, api.CodeUnsupportedMediaType)
}

func TestOperationsEndpoints(t *testing.T) {
	e := apitest.NewEnv(t)
	e.Do(apitest.Req{Path: "/healthz"}).WantStatus(t, 200)
	e.Do(apitest.Req{Path: "/readyz"}).WantStatus(t, 200)
	r := e.Do(apitest.Req{Path: "/cloud/b2b/v1/openapi.yaml"}).WantStatus(t, 200)
	if string(r.Body) != string(api.OpenAPI) {
		t.Fatal("the served description is not api/openapi.yaml")
	}
}

// TestBusyDatabaseAnswers503 holds a write lock from another connection (SQLite: the database
// write lock; PostgreSQL: the contract number counters): an order waits for the busy or
// statement timeout, then answers 503/5 with Retry-After; reads keep working.
func TestBusyDatabaseAnswers503(t *testing.T) {
	e := apitest.NewEnv(t, apitest.WithBusyTimeout(100*time.Millisecond), apitest.WithStatementTimeout(300*time.Millisecond))
	token := e.Token()
	release := e.HoldWriteLock(t)
	order := `{"billingAccountId": "20451001", "offerCode": "FE", "contractName": "X", "supportLevel": "BSC", "referentName": "Doe", "referentFirstName": "Jane", "referentMail": "jane.doe@example.com"}`
	r := e.Call("POST", "/contract", token, e.Creds.APIKeys.Administrator, "", order)
	r.WantError(t, http.StatusServiceUnavailable, api.CodeServiceUnavailable)
	if r.Header.Get("Retry-After") == "" {
		t.Error("no Retry-After")
	}
	e.Call("GET", "/contracts", token, e.Creds.APIKeys.Administrator, "", "").WantStatus(t, 200)
	release()
	e.Call("POST", "/contract", token, e.Creds.APIKeys.Administrator, "", order).WantStatus(t, 201)
}

// JSON answers are not escaped for HTML: a description that writes <access token> reads so.
func TestJSONAnswersAreNotEscapedForHTML(t *testing.T) {
	e := apitest.NewEnv(t)
	r := e.Do(apitest.Req{Path: api.BasePath + "/contracts"})
	desc := r.WantError(t, 401, api.CodeMissingCredentials)
	if !strings.Contains(string(r.Body), "<access token>") || strings.Contains(string(r.Body), `\u003c`) || !strings.Contains(desc, "<access token>") {
		t.Errorf("body %s: want <access token> as written", r.Body)
	}
}

// Silent mistakes get a Warning; the answer stays what the wire contract says.
func TestSilentMistakesGetAWarning(t *testing.T) {
	e := apitest.NewEnv(t)
	warning := func(r apitest.Response) string { return strings.Join(r.Header.Values("Warning"), " | ") }

	r := e.AsClient("GET", "/documents?documentType=bill", "OCB0000001", "").WantStatus(t, 200)
	if string(r.Body) != `{"documents":null}` {
		t.Errorf("body %s, want the real service's answer", r.Body)
	}
	if w := warning(r); !strings.HasPrefix(w, `299 eccs "documentType 'bill' is not a document type`) || !strings.Contains(w, "bills, invoices, reports") {
		t.Errorf("Warning %q: want one naming the known types", w)
	}

	for _, tc := range []struct{ path, says string }{
		{"/contracts?limt=5", `parameter 'limt' (did you mean limit?) was ignored: this operation reads limit, offset.`},
		{"/documents?type=bills&lmit=1&x=1", `parameters 'lmit' (did you mean limit?), 'type', 'x' were ignored: this operation reads documentType, limit, offset.`},
		{"/documents?documenttype=bills", `parameter 'documenttype' (did you mean documentType?) was ignored`},
		{"/contract?foo=bar", `parameter 'foo' was ignored: this operation takes none.`},
	} {
		r := e.AsClient("GET", tc.path, "OCB0000001", "").WantStatus(t, 200)
		if w := warning(r); !strings.Contains(w, tc.says) {
			t.Errorf("GET %s: Warning %q, want it to say %q", tc.path, w, tc.says)
		}
	}
	if r := e.AsClient("GET", "/documents?documentType=bills&limit=1&offset=0", "OCB0000001", "").WantStatus(t, 200); warning(r) != "" {
		t.Errorf("known parameters only: Warning %q", warning(r))
	}
}

// With the admin API on its own listener, an admin path on the customer listener says where
// the admin API is.
func TestAdminPathOnTheCustomerListenerNamesTheAdminAddress(t *testing.T) {
	e := apitest.NewEnv(t, apitest.WithConfig(httpapi.Config{AdminURL: "http://127.0.0.1:8081"}))
	desc := e.Do(apitest.Req{Path: "/admin/v1/customers"}).WantError(t, 404, api.CodeResourceNotFound)
	if !strings.Contains(desc, "http://127.0.0.1:8081/admin/v1") || !strings.Contains(desc, "--admin-addr") {
		t.Errorf("description %q does not say where the admin API is", desc)
	}
}
