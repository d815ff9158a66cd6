package main

// Helpers of the `eccsd admin` tests: a running `eccsd serve -dev` with its admin API, and the
// CLI run through run() against it with ECCS_ADMIN_URL and ECCS_ADMIN_TOKEN, as an operator's
// shell would.

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/eccs/eccs/api/admin"
	"github.com/eccs/eccs/internal/testkit/openapitest"
	"github.com/eccs/eccs/internal/testkit/testenv"
)

// adminWorld is a dev server: the customer API, its claim links, and the admin API.
type adminWorld struct {
	*server
	adminURL string // dev-credentials.json's adminUrl
	opToken  string // the operator token of ECCS_ADMIN_TOKEN: dev-credentials.json's adminToken
}

// startAdminWorld runs `eccsd serve -dev` on a copy of the seeded template for the duration of
// the test.
func startAdminWorld(t *testing.T) *adminWorld {
	t.Helper()
	return withAdmin(t, startSeededDev(t))
}

// withAdmin returns the admin side of a dev server, as dev-credentials.json gives it.
func withAdmin(t *testing.T, s *server) *adminWorld {
	t.Helper()
	w := &adminWorld{server: s, adminURL: s.creds.AdminURL, opToken: s.creds.AdminToken}
	if !strings.HasSuffix(w.adminURL, admin.BasePath) || w.opToken == "" {
		t.Fatalf("dev-credentials.json: adminUrl %q and adminToken %q, want the admin API's URL and an operator token", w.adminURL, w.opToken)
	}
	return w
}

// stop stops the dev server.
func (w *adminWorld) stop(t *testing.T) {
	t.Helper()
	if err := w.server.stop(); err != nil {
		t.Fatalf("stop the server: %v", err)
	}
}

// getenv is the environment of the operator's shell: ECCS_ADMIN_URL and ECCS_ADMIN_TOKEN.
func (w *adminWorld) getenv(k string) string {
	switch k {
	case "ECCS_ADMIN_URL":
		return w.adminURL
	case "ECCS_ADMIN_TOKEN":
		return w.opToken
	}
	return ""
}

// admin runs `eccsd admin <args…>`.
func (w *adminWorld) admin(t testing.TB, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var out, errb testenv.Buffer
	err = run(ctx, append([]string{"admin"}, args...), w.getenv, strings.NewReader(""), &out, &errb)
	if ctx.Err() != nil {
		t.Fatalf("eccsd admin %s did not return within 60 s", strings.Join(args, " "))
	}
	return out.String(), errb.String(), err
}

// mustAdmin runs `eccsd admin <args…>` and fails the test unless it succeeds; it returns
// stdout.
func (w *adminWorld) mustAdmin(t testing.TB, args ...string) string {
	t.Helper()
	out, errOut, err := w.admin(t, args...)
	if err != nil {
		t.Fatalf("eccsd admin %s: %v (exit %d)\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), err, exitCode(err), out, errOut)
	}
	return out
}

// mustAdminID runs `eccsd admin <args…> --output id`, which must print one id and a newline,
// and returns the id.
func (w *adminWorld) mustAdminID(t *testing.T, args ...string) string {
	t.Helper()
	out := w.mustAdmin(t, append(args, "--output", "id")...)
	id, ok := strings.CutSuffix(out, "\n")
	if !ok || id == "" || strings.ContainsAny(id, "\n\t ") {
		t.Fatalf("eccsd admin %s --output id: %q, want one id and a newline", strings.Join(args, " "), out)
	}
	return id
}

// adminJSON runs `eccsd admin <args…> --output json` and decodes its output into v.
func (w *adminWorld) adminJSON(t testing.TB, v any, args ...string) {
	t.Helper()
	out := w.mustAdmin(t, append(args, "--output", "json")...)
	if err := json.Unmarshal([]byte(out), v); err != nil {
		t.Fatalf("eccsd admin %s --output json: %v in %q", strings.Join(args, " "), err, out)
	}
}

// remember adds secrets the test was given to those the logs must never hold.
func (w *adminWorld) remember(secrets ...string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, s := range secrets {
		if s != "" {
			w.tokens = append(w.tokens, s)
		}
	}
}

// secrets returns every secret remembered so far.
func (w *adminWorld) secrets() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string{w.opToken}, w.tokens...)
}

// claim reveals a claim link's secret as a script would (POST, Accept: application/json),
// checking the answer against api/admin/openapi.yaml, which describes claim links.
func claim(t testing.TB, link string) (int, admin.ClaimedSecret) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, link, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "application/json")
	c := &http.Client{Transport: openapitest.NewAdmin(t).Transport(t, nil), Timeout: 30 * time.Second}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("POST the claim link: %v", err)
	}
	defer resp.Body.Close()
	var out admin.ClaimedSecret
	if resp.StatusCode == http.StatusOK {
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
			t.Fatalf("claimed secret: %v", err)
		}
	}
	return resp.StatusCode, out
}

// firstCall gets a token with an application's credentials and lists the contracts an API key
// sees, as the customer's first script would; it returns the status and the contract ids.
func (w *adminWorld) firstCall(t testing.TB, clientID, secret, key string) (int, []string) {
	t.Helper()
	tok := w.token(t, clientID, secret)
	resp, body := w.do(t, call{path: "/cloud/b2b/v1/contracts", token: tok, key: key})
	if resp.StatusCode != http.StatusOK {
		return resp.StatusCode, nil
	}
	var list []struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(body, &list); err != nil {
		t.Fatalf("GET /contracts: %v in %s", err, body)
	}
	ids := make([]string, len(list))
	for i, c := range list {
		ids[i] = c.ID
	}
	return http.StatusOK, ids
}

// field returns the value of a "Name  value" line of a table, or "".
func field(table, name string) string {
	for _, line := range strings.Split(table, "\n") {
		if rest, ok := strings.CutPrefix(line, name+"  "); ok {
			return strings.TrimSpace(rest)
		}
	}
	return ""
}
