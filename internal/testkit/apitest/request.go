package apitest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/eccs/eccs/api"
)

// Response is an answer, read whole.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// Req describes a request; header values are sent as given, an empty value is not sent.
type Req struct {
	Method string
	Path   string
	Header map[string]string
	Body   string
}

// Do sends r to the customer listener and reads the answer; it checks the answer against
// api/openapi.yaml and that it carries a request id.
func (e *Env) Do(r Req) Response {
	e.T.Helper()
	if r.Method == "" {
		r.Method = http.MethodGet
	}
	var body io.Reader
	if r.Body != "" {
		body = strings.NewReader(r.Body)
	}
	hr, err := http.NewRequestWithContext(e.T.Context(), r.Method, e.URL+r.Path, body)
	if err != nil {
		e.T.Fatal(err)
	}
	for k, v := range r.Header {
		if v != "" {
			hr.Header.Set(k, v)
		}
	}
	resp, err := e.Client.Do(hr)
	if err != nil {
		e.T.Fatalf("%s %s: %v", r.Method, r.Path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.T.Fatalf("%s %s: read body: %v", r.Method, r.Path, err)
	}
	if resp.Header.Get(api.HeaderRequestID) == "" {
		e.T.Errorf("%s %s: no %s header", r.Method, r.Path, api.HeaderRequestID)
	}
	return Response{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

// Token gets an access token for the demo application (or the given client).
func (e *Env) Token(clientAndSecret ...string) string {
	e.T.Helper()
	id, secret := e.Creds.ClientID, e.Creds.ClientSecret
	if len(clientAndSecret) == 2 {
		id, secret = clientAndSecret[0], clientAndSecret[1]
	}
	r := e.Do(Req{Method: "POST", Path: api.TokenPath, Body: "grant_type=client_credentials",
		Header: map[string]string{"Authorization": Basic(id, secret), "Content-Type": "application/x-www-form-urlencoded"}})
	if r.Status != http.StatusOK {
		e.T.Fatalf("token for %s: %d %s\nserver log:\n%s", id, r.Status, r.Body, e.Logs)
	}
	var tok api.Token
	MustJSON(e.T, r.Body, &tok)
	return tok.AccessToken
}

// Call makes a resource call with a token, an API key and a contract header ("" leaves any out).
func (e *Env) Call(method, path, token, key, contract, body string) Response {
	e.T.Helper()
	h := map[string]string{"Accept": "application/json", api.HeaderAPIKey: key, api.HeaderContractID: contract}
	if token != "" {
		h["Authorization"] = "Bearer " + token
	}
	return e.Do(Req{Method: method, Path: api.BasePath + path, Header: h, Body: body})
}

// AsClient and AsAdmin make resource calls with the demo application and one of the demo keys.
func (e *Env) AsClient(method, path, contract, body string) Response {
	e.T.Helper()
	return e.Call(method, path, e.Token(), e.Creds.APIKeys.Client, contract, body)
}

func (e *Env) AsAdmin(method, path, contract, body string) Response {
	e.T.Helper()
	return e.Call(method, path, e.Token(), e.Creds.APIKeys.Administrator, contract, body)
}

// Basic is the Authorization header of HTTP Basic credentials.
func Basic(id, secret string) string {
	req, _ := http.NewRequest("GET", "/", nil)
	req.SetBasicAuth(id, secret)
	return req.Header.Get("Authorization")
}

// MustJSON decodes b into v, or fails the test.
func MustJSON(t *testing.T, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
}

// WantError checks that r is the gateway envelope with this status and code, its fixed
// message and a description, and returns the description.
func (r Response) WantError(t *testing.T, status, code int) string {
	t.Helper()
	var e api.Error
	if err := json.Unmarshal(r.Body, &e); err != nil {
		t.Fatalf("want %d/%d, got %d with a body that is not the envelope: %s", status, code, r.Status, r.Body)
	}
	if r.Status != status || e.Code != code {
		t.Fatalf("want %d/%d, got %d/%d: %s", status, code, r.Status, e.Code, r.Body)
	}
	if e.Message != api.ErrorMessage(code) {
		t.Errorf("message %q, want %q", e.Message, api.ErrorMessage(code))
	}
	if len(e.Description) < 10 {
		t.Errorf("description %q says nothing", e.Description)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}
	return e.Description
}

// WantStatus fails unless r has this status.
func (r Response) WantStatus(t *testing.T, status int) Response {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d: %s", r.Status, status, r.Body)
	}
	return r
}

func (r Response) String() string { return fmt.Sprintf("%d %s", r.Status, r.Body) }

// ReadAll reads resp's body, or fails the test.
func ReadAll(t *testing.T, resp *http.Response) []byte {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Decode decodes a JSON answer into a T.
func Decode[T any](t *testing.T, r Response) T {
	t.Helper()
	var v T
	MustJSON(t, r.Body, &v)
	return v
}

// OK fails unless r has this status, and decodes it into a T.
func OK[T any](t *testing.T, r Response, status int) T {
	t.Helper()
	r.WantStatus(t, status)
	return Decode[T](t, r)
}
