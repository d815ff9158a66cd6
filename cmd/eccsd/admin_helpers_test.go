package main

// Helpers of the `eccsd admin` tests: a running dev server with its admin API, and the CLI run
// through run() against it with ECCS_ADMIN_URL and ECCS_ADMIN_TOKEN, as an operator's shell
// would. When `eccsd serve` does not serve /admin/v1 itself, the admin API runs beside it
// (httpapi.NewAdmin on the same data directory), so the tests run either way.

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/eccs/eccs/api/admin"
	"github.com/eccs/eccs/internal/devseed"
	"github.com/eccs/eccs/internal/docformat"
	"github.com/eccs/eccs/internal/eccs"
	"github.com/eccs/eccs/internal/httpapi"
	"github.com/eccs/eccs/internal/openapitest"
	"github.com/eccs/eccs/internal/testenv"
)

// adminWorld is a dev server (the customer API and its claim links) with an admin API.
type adminWorld struct {
	*server
	adminURL string
	opToken  string // the operator token of ECCS_ADMIN_TOKEN
	side     *sideAdmin
}

// sideAdmin is the admin API run beside a serve that does not serve it.
type sideAdmin struct {
	srv  *httptest.Server
	db   database
	logs *testenv.Buffer
	once sync.Once
}

func (s *sideAdmin) close() {
	s.once.Do(func() {
		s.srv.Close()
		s.db.Close()
	})
}

var noticeOnce sync.Once

// startAdminWorld runs `eccsd serve -dev` on a copy of the seeded template, with its admin
// API, for the duration of the test.
func startAdminWorld(t *testing.T) *adminWorld {
	t.Helper()
	return withAdmin(t, startSeededDev(t))
}

// withAdmin finds the admin API of s, or starts one beside it.
func withAdmin(t *testing.T, s *server) *adminWorld {
	t.Helper()
	w := &adminWorld{server: s, opToken: s.creds.AdminToken, adminURL: s.creds.AdminURL}
	if w.opToken == "" {
		w.opToken = devseed.OperatorToken
	}
	resp, err := http.Get(s.url + admin.BasePath + "/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode == http.StatusOK {
		if w.adminURL == "" {
			w.adminURL = s.url + admin.BasePath
		}
		return w
	}
	noticeOnce.Do(func() {
		t.Logf("eccsd serve does not serve %s yet: the tests run the admin API beside it (httpapi.NewAdmin on the same data directory)", admin.BasePath)
	})
	ctx := context.Background()
	db, err := openDatabase(ctx, sqliteURL(filepath.Join(s.dataDir, "eccs.db")), false)
	if err != nil {
		t.Fatal(err)
	}
	keys, _, err := loadOrCreateKeys(filepath.Join(s.dataDir, "keys.json"), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	blobs, err := openBlobs(fileURL(filepath.Join(s.dataDir, "documents")))
	if err != nil {
		t.Fatal(err)
	}
	svc, err := eccs.NewService(db, blobs, eccs.Config{Keys: keys, Formats: docformat.Formats{}})
	if err != nil {
		t.Fatal(err)
	}
	side := &sideAdmin{db: db, logs: &testenv.Buffer{}}
	side.srv = httptest.NewServer(httpapi.NewAdmin(svc, slog.New(slog.NewJSONHandler(side.logs, nil)),
		httpapi.AdminConfig{PublicURL: s.url, TempDir: t.TempDir()}))
	w.side, w.adminURL = side, side.srv.URL+admin.BasePath
	t.Cleanup(func() {
		side.close()
		s.mu.Lock()
		tokens := append([]string(nil), s.tokens...)
		s.mu.Unlock()
		for name, secret := range secretsOf(tokens) {
			if strings.Contains(side.logs.String(), secret) {
				t.Errorf("the admin API's log holds %s", name)
			}
		}
	})
	return w
}

// stop stops the dev server and the admin API beside it, if any.
func (w *adminWorld) stop(t *testing.T) {
	t.Helper()
	if w.side != nil {
		w.side.close()
	}
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
		t.Fatalf("eccsd admin %s: %v (exit %d)\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), err, exitStatus(err), out, errOut)
	}
	return out
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
