package httpapi_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path"
	"strings"
	"sync"
	"testing"

	"github.com/eccs/eccs/api"
	"github.com/eccs/eccs/api/admin"
	"github.com/eccs/eccs/internal/eccs"
	"github.com/eccs/eccs/internal/httpapi"
	"github.com/eccs/eccs/internal/testkit/openapitest"
	"github.com/eccs/eccs/internal/testkit/testenv"
)

// adminEnv is a test world with the admin API on its own listener, beside the customer API of
// the same service (env). Every admin answer and every claim-link answer is checked against
// api/admin/openapi.yaml. It remembers every secret an answer revealed and the request id of
// every change made with its operator token, for checkAudit.
type adminEnv struct {
	*env
	adminURL  string
	token     string // the operator token
	tokenID   string
	tempDir   string // where uploads are spooled
	adminLogs *testenv.Buffer
	client    *http.Client

	mu        sync.Mutex
	secrets   []string
	mutations []string // request ids of the successful changes made with token
}

type adminOption func(*httpapi.AdminConfig)

func withMaxUpload(n int64) adminOption {
	return func(c *httpapi.AdminConfig) { c.MaxUploadBytes = n }
}

func newAdminEnv(t *testing.T, opts ...adminOption) *adminEnv {
	t.Helper()
	e := newEnv(t)
	tok, secret, err := e.svc.CreateOperatorToken(t.Context(), "admin test", 0)
	if err != nil {
		t.Fatal(err)
	}
	cfg := httpapi.AdminConfig{PublicURL: e.url, TempDir: t.TempDir()}
	for _, o := range opts {
		o(&cfg)
	}
	logs := &testenv.Buffer{}
	srv := httptest.NewServer(httpapi.NewAdmin(e.svc, slog.New(slog.NewJSONHandler(logs, nil)), cfg))
	t.Cleanup(srv.Close)
	return &adminEnv{
		env: e, adminURL: srv.URL + admin.BasePath, token: secret, tokenID: tok.ID, tempDir: cfg.TempDir, adminLogs: logs,
		client:  &http.Client{Transport: openapitest.NewAdmin(t).Transport(t, nil)},
		secrets: []string{secret},
	}
}

// send makes a request to a full URL and reads the answer. A JSON answer that reveals a
// secret (an issued key, client secret or operator token, a claim link, a claimed secret) has
// it remembered; a successful change made with the env's operator token has its request id
// remembered.
func (a *adminEnv) send(method, rawURL string, body io.Reader, header map[string]string) response {
	a.t.Helper()
	hr, err := http.NewRequestWithContext(a.t.Context(), method, rawURL, body)
	if err != nil {
		a.t.Fatal(err)
	}
	for k, v := range header {
		if v != "" {
			hr.Header.Set(k, v)
		}
	}
	resp, err := a.client.Do(hr)
	if err != nil {
		a.t.Fatalf("%s %s: %v", method, rawURL, err)
	}
	defer resp.Body.Close()
	b := readAll(a.t, resp)
	r := response{status: resp.StatusCode, header: resp.Header, body: b}
	if r.header.Get(api.HeaderRequestID) == "" {
		a.t.Errorf("%s %s: no %s header", method, rawURL, api.HeaderRequestID)
	}
	var probe struct {
		Key, ClientSecret, Token, Secret string
		Claim                            *admin.Claim
		IssuedKey                        *admin.IssuedKey
	}
	if json.Unmarshal(b, &probe) == nil {
		for _, s := range []string{probe.Key, probe.ClientSecret, probe.Token, probe.Secret} {
			a.remember(s)
		}
		if probe.Claim != nil {
			a.remember(path.Base(probe.Claim.URL))
		}
		if k := probe.IssuedKey; k != nil { // an account created with its key
			a.remember(k.Key)
			if k.Claim != nil {
				a.remember(path.Base(k.Claim.URL))
			}
		}
	}
	if method != http.MethodGet && method != http.MethodHead && r.status < 300 &&
		strings.HasPrefix(rawURL, a.adminURL) && header["Authorization"] == "Bearer "+a.token {
		a.mu.Lock()
		a.mutations = append(a.mutations, r.header.Get(api.HeaderRequestID))
		a.mu.Unlock()
	}
	return r
}

func (a *adminEnv) remember(secret string) {
	if secret == "" {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.secrets = append(a.secrets, secret)
}

// call makes an admin request (path under /admin/v1) with the env's operator token; body is
// sent as JSON unless it is a string.
func (a *adminEnv) call(method, path string, body any) response {
	a.t.Helper()
	return a.callAs(a.token, method, path, body)
}

// callAs is call with another operator token ("" sends none).
func (a *adminEnv) callAs(token, method, path string, body any) response {
	a.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			a.t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	h := map[string]string{"Accept": "application/json"}
	if token != "" {
		h["Authorization"] = "Bearer " + token
	}
	if rd != nil {
		h["Content-Type"] = "application/json"
	}
	return a.send(method, a.adminURL+path, rd, h)
}

// upload sends a file as the body of an admin request.
func (a *adminEnv) upload(method, path string, file []byte) response {
	a.t.Helper()
	return a.send(method, a.adminURL+path, bytes.NewReader(file), map[string]string{
		"Authorization": "Bearer " + a.token, "Content-Type": "application/octet-stream",
	})
}

// decode decodes a JSON answer into a T.
func decode[T any](t *testing.T, r response) T {
	t.Helper()
	var v T
	mustJSON(t, r.body, &v)
	return v
}

// ok fails unless r has this status, and decodes it into a T.
func ok[T any](t *testing.T, r response, status int) T {
	t.Helper()
	r.wantStatus(t, status)
	return decode[T](t, r)
}

// accountOf returns the seeded account of type typ whose holder has this e-mail.
func (a *adminEnv) accountOf(typ, email string) admin.Account {
	a.t.Helper()
	list := ok[admin.List[admin.Account]](a.t, a.call("GET", "/accounts?limit=1000", nil), 200)
	for _, acct := range list.Items {
		if acct.Type == typ && acct.Identity.Email == email {
			return acct
		}
	}
	a.t.Fatalf("no %s account for %s among %d", typ, email, list.Total)
	return admin.Account{}
}

// issueKey issues an API key for an account and returns it.
func (a *adminEnv) issueKey(accountID string, req admin.KeyRequest) admin.IssuedKey {
	a.t.Helper()
	return ok[admin.IssuedKey](a.t, a.call("POST", "/accounts/"+accountID+"/keys", req), 201)
}

// contractsSeen lists the contract numbers an API key sees through the customer API.
func (a *adminEnv) contractsSeen(key string) []string {
	a.t.Helper()
	r := a.env.call("GET", "/contracts", a.env.token(), key, "", "").wantStatus(a.t, 200)
	var ids []string
	for _, c := range decode[[]api.Contract](a.t, r) {
		ids = append(ids, c.ID)
	}
	return ids
}

// tokenRefused checks that the token endpoint refuses these client credentials.
func (a *adminEnv) tokenRefused(clientID, secret string) {
	a.t.Helper()
	r := a.env.do(req{method: "POST", path: api.TokenPath, body: "grant_type=client_credentials",
		header: map[string]string{"Authorization": basic(clientID, secret), "Content-Type": "application/x-www-form-urlencoded"}})
	if r.status != http.StatusUnauthorized || decode[api.OAuthError](a.t, r).Error != api.OAuthInvalidClient {
		a.t.Fatalf("token for %s: %s, want 401 invalid_client", clientID, r)
	}
}

// spooled lists what is left in the upload spool directory.
func (a *adminEnv) spooled() []string {
	a.t.Helper()
	entries, err := os.ReadDir(a.tempDir)
	if err != nil {
		a.t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

// checkAudit reads the whole audit trail through the admin API and checks that every change
// made with the env's operator token is recorded under its id with the request's id, and that
// no event, and no log line of either server, holds a secret revealed during the test.
func (a *adminEnv) checkAudit() {
	a.t.Helper()
	var events []admin.AuditEvent
	var raw [][]byte
	for offset := 0; ; offset += 1000 {
		r := a.call("GET", fmt.Sprintf("/audit?limit=1000&offset=%d", offset), nil).wantStatus(a.t, 200)
		var page struct {
			Items []json.RawMessage `json:"items"`
			Total int               `json:"total"`
		}
		mustJSON(a.t, r.body, &page)
		for _, item := range page.Items {
			var ev admin.AuditEvent
			mustJSON(a.t, item, &ev)
			events = append(events, ev)
			raw = append(raw, item)
		}
		if len(page.Items) == 0 || offset+len(page.Items) >= page.Total {
			break
		}
	}
	byRequest := map[string][]admin.AuditEvent{}
	for _, ev := range events {
		byRequest[ev.RequestID] = append(byRequest[ev.RequestID], ev)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.mutations) == 0 {
		a.t.Error("checkAudit: the test made no change")
	}
	for _, id := range a.mutations {
		evs := byRequest[id]
		if len(evs) == 0 {
			a.t.Errorf("the change of request %s is not in the audit trail", id)
		}
		for _, ev := range evs {
			if ev.ActorType != string(eccs.ActorOperator) || ev.ActorID != a.tokenID {
				a.t.Errorf("event %s (%s) of request %s: actor %s/%s, want operator/%s", ev.ID, ev.Action, id, ev.ActorType, ev.ActorID, a.tokenID)
			}
		}
	}
	logs := a.logs.String() + a.adminLogs.String()
	for _, secret := range a.secrets {
		for i, b := range raw {
			if bytes.Contains(b, []byte(secret)) {
				a.t.Errorf("audit event %s (%s) holds a secret: %s", events[i].ID, events[i].Action, b)
			}
		}
		if strings.Contains(logs, secret) || strings.Contains(logs, url.PathEscape(secret)) {
			a.t.Errorf("the logs hold the secret %.8s…", secret)
		}
	}
}
