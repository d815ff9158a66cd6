package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/eccs/eccs/api"
	"github.com/eccs/eccs/internal/devseed"
)

// Values that must not reach the log, besides the demo secrets and the issued tokens.
const (
	logProbeWrongSecret = "wrong-secret-that-must-not-be-logged-0001"
	logProbeBogusToken  = "eyJhbGciOiJIUzI1NiJ9.bogus-token-that-must-not-be-logged.c2ln"
	logProbeUnknownKey  = "eccs_unknown_key_that_must_not_be_logged_00001"
	logProbeEmail       = "log.probe.must.not.be.logged@example.com"
	logProbeQuery       = "documentType=bills"
)

// TestLogsAreJSONLinesWithTheClientsRequestIDAndNoSecrets sends requests of every kind, good
// and refused: each has exactly one JSON log line under the request id it was answered, with
// its method, path and status; and no secret, body or query string reaches the log.
func TestLogsAreJSONLinesWithTheClientsRequestIDAndNoSecrets(t *testing.T) {
	t.Parallel()
	s := sharedDev(t)
	for _, tc := range logProbes(t, s, s.demoToken(t)) {
		t.Run(tc.name, func(t *testing.T) { checkRequestLogLine(t, s, tc) })
	}

	logs := s.stderr.String()
	s.checkLogs(t) // JSON lines; no demo secret, API key or issued token
	for name, secret := range map[string]string{"the wrong secret": logProbeWrongSecret, "the bogus token": logProbeBogusToken,
		"the unknown API key": logProbeUnknownKey, "an e-mail address from a request body": logProbeEmail, "a query string": logProbeQuery} {
		if strings.Contains(logs, secret) {
			t.Errorf("the log holds %s (%q)", name, secret)
		}
	}
}

// logProbe is one request of the log test and the log line it must leave.
type logProbe struct {
	name   string
	send   func() (*http.Response, []byte)
	method string
	path   string
	status int
}

// logProbes are the requests of the log test, sent with t (the test's) to s.
func logProbes(t *testing.T, s *server, tok string) []logProbe {
	c := s.creds
	return []logProbe{
		{"token, Basic", func() (*http.Response, []byte) { return s.tokenRequest(t, devseed.ClientID, devseed.ClientSecret) }, "POST", api.TokenPath, 200},
		{"token, form fields", func() (*http.Response, []byte) { return formTokenRequest(t, s) }, "POST", api.TokenPath, 200},
		{"token, wrong secret", func() (*http.Response, []byte) { return s.tokenRequest(t, devseed.ClientID, logProbeWrongSecret) }, "POST", api.TokenPath, 401},
		{"contract", func() (*http.Response, []byte) {
			return s.do(t, call{path: "/cloud/b2b/v1/contract", token: tok, key: c.APIKeys.Client, contract: c.SampleContractID})
		}, "GET", "/cloud/b2b/v1/contract", 200},
		{"bogus token", func() (*http.Response, []byte) {
			return s.do(t, call{path: "/cloud/b2b/v1/contracts", token: logProbeBogusToken, key: c.APIKeys.Client})
		}, "GET", "/cloud/b2b/v1/contracts", 401},
		{"unknown API key", func() (*http.Response, []byte) {
			return s.do(t, call{path: "/cloud/b2b/v1/contracts", token: tok, key: logProbeUnknownKey})
		}, "GET", "/cloud/b2b/v1/contracts", 401},
		{"documents with a query", func() (*http.Response, []byte) {
			return s.do(t, call{path: "/cloud/b2b/v1/documents?" + logProbeQuery + "&limit=2", token: tok, key: c.APIKeys.Administrator, contract: c.SampleContractID})
		}, "GET", "/cloud/b2b/v1/documents", 200},
		{"download", func() (*http.Response, []byte) {
			return s.do(t, call{path: "/cloud/b2b/v1/documents/" + c.SampleDocumentID + "/file", token: tok, key: c.APIKeys.Client, contract: c.SampleContractID})
		}, "GET", "/cloud/b2b/v1/documents/" + c.SampleDocumentID + "/file", 200},
		{"invalid user body", func() (*http.Response, []byte) {
			return s.do(t, call{method: "POST", path: "/cloud/b2b/v1/contract/" + c.SampleContractID + "/user", token: tok, key: c.APIKeys.Client,
				body: `{"lastName":"Probe","firstName":"Log","email":"` + logProbeEmail + `","login":"x","roles":{"contracts":["visitor"]}}`})
		}, "POST", "/cloud/b2b/v1/contract/" + c.SampleContractID + "/user", 400},
		{"unknown path", func() (*http.Response, []byte) { return s.do(t, call{path: "/cloud/b2b/v1/nothing-here", token: tok}) }, "GET", "/cloud/b2b/v1/nothing-here", 404},
		{"health", func() (*http.Response, []byte) { return s.do(t, call{path: "/healthz"}) }, "GET", "/healthz", 200},
	}
}

// formTokenRequest asks for a token with the credentials in the form body, not in Basic, and
// remembers the token for the log checks.
func formTokenRequest(t *testing.T, s *server) (*http.Response, []byte) {
	body := url.Values{"grant_type": {"client_credentials"}, "client_id": {devseed.ClientID}, "client_secret": {devseed.ClientSecret}}.Encode()
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, s.url+api.TokenPath, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, b := send(t, req)
	var tk api.Token
	if json.Unmarshal(b, &tk) == nil && tk.AccessToken != "" {
		remember(s, tk.AccessToken)
	}
	return resp, b
}

// checkRequestLogLine sends tc's request and checks its answer's status, and that exactly one
// log line carries its request id: msg request, the method, path and status, and the members
// every request line has.
func checkRequestLogLine(t *testing.T, s *server, tc logProbe) {
	resp, body := tc.send()
	if resp.StatusCode != tc.status {
		t.Fatalf("%d %s, want %d", resp.StatusCode, body, tc.status)
	}
	id := resp.Header.Get(api.HeaderRequestID)
	if id == "" {
		t.Fatalf("no %s", api.HeaderRequestID)
	}
	// The line is written once the answer is sent: wait for it.
	var lines []map[string]any
	for deadline := time.Now().Add(10 * time.Second); ; {
		lines = logLinesWithRequestID(t, s.stderr.String(), id)
		if len(lines) > 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if len(lines) != 1 {
		t.Fatalf("%d log lines carry request_id %s, want 1", len(lines), id)
	}
	l := lines[0]
	if l["msg"] != "request" || l["method"] != tc.method || l["path"] != tc.path || l["status"] != float64(tc.status) {
		t.Errorf("log line %v; want msg request, %s %s, status %d", l, tc.method, tc.path, tc.status)
	}
	for _, member := range []string{"time", "level", "bytes", "duration_ms", "remote"} {
		if _, ok := l[member]; !ok {
			t.Errorf("log line %v lacks %q", l, member)
		}
	}
}

// logLinesWithRequestID returns the decoded log lines whose request_id is id; a line that is
// not JSON fails the test.
func logLinesWithRequestID(t *testing.T, logs, id string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(logs, "\n") {
		if !strings.Contains(line, id) {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Errorf("log line %q is not JSON: %v", line, err)
			continue
		}
		if m["request_id"] == id {
			out = append(out, m)
		}
	}
	return out
}
