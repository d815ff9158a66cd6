package apitest

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
	"github.com/eccs/eccs/internal/docformat"
	"github.com/eccs/eccs/internal/eccs"
	"github.com/eccs/eccs/internal/httpapi"
	"github.com/eccs/eccs/internal/testkit/openapitest"
	"github.com/eccs/eccs/internal/testkit/testenv"
)

// AdminEnv is a test world with the admin API on its own listener, beside the customer API of
// the same service (Env). Every admin answer and every claim-link answer is checked against
// api/admin/openapi.yaml. It remembers every secret an answer revealed and the request id of
// every change made with its operator token, for CheckAudit.
type AdminEnv struct {
	*Env
	AdminURL        string
	OperatorToken   string // the operator token
	OperatorTokenID string
	TempDir         string // where uploads are spooled
	AdminLogs       *testenv.Buffer
	client          *http.Client

	mu        sync.Mutex
	secrets   []string
	mutations []string // request ids of the successful changes made with token
}

// AdminOption changes the admin API's configuration.
type AdminOption func(*httpapi.AdminConfig)

// WithMaxUpload bounds the size of an upload.
func WithMaxUpload(n int64) AdminOption {
	return func(c *httpapi.AdminConfig) { c.MaxUploadBytes = n }
}

// NewAdminEnv starts an Env, and the admin API on the same service with an operator token of
// its own.
func NewAdminEnv(t *testing.T, opts ...AdminOption) *AdminEnv {
	t.Helper()
	e := NewEnv(t)
	tok, secret, err := e.Svc.CreateOperatorToken(t.Context(), "admin test", 0)
	if err != nil {
		t.Fatal(err)
	}
	cfg := httpapi.AdminConfig{PublicURL: e.URL, TempDir: t.TempDir()}
	for _, o := range opts {
		o(&cfg)
	}
	logs := &testenv.Buffer{}
	srv := httptest.NewServer(httpapi.NewAdmin(e.Svc, slog.New(slog.NewJSONHandler(logs, nil)), cfg))
	t.Cleanup(srv.Close)
	return &AdminEnv{
		Env: e, AdminURL: srv.URL + admin.BasePath, OperatorToken: secret, OperatorTokenID: tok.ID, TempDir: cfg.TempDir, AdminLogs: logs,
		client:  adminClient(t),
		secrets: []string{secret},
	}
}

// NewAdminSender returns an AdminEnv of e without an admin listener or operator token: its
// Send, which checks every answer against api/admin/openapi.yaml, is for the claim links.
func NewAdminSender(e *Env) *AdminEnv {
	return &AdminEnv{Env: e, client: adminClient(e.T)}
}

func adminClient(t *testing.T) *http.Client {
	return &http.Client{Transport: openapitest.NewAdmin(t).Transport(t, nil)}
}

// Send makes a request to a full URL and reads the answer. A JSON answer that reveals a
// secret (an issued key, client secret or operator token, a claim link, a claimed secret) has
// it remembered; a successful change made with the env's operator token has its request id
// remembered.
func (a *AdminEnv) Send(method, rawURL string, body io.Reader, header map[string]string) Response {
	a.T.Helper()
	hr, err := http.NewRequestWithContext(a.T.Context(), method, rawURL, body)
	if err != nil {
		a.T.Fatal(err)
	}
	for k, v := range header {
		if v != "" {
			hr.Header.Set(k, v)
		}
	}
	resp, err := a.client.Do(hr)
	if err != nil {
		a.T.Fatalf("%s %s: %v", method, rawURL, err)
	}
	defer resp.Body.Close()
	b := ReadAll(a.T, resp)
	r := Response{Status: resp.StatusCode, Header: resp.Header, Body: b}
	if r.Header.Get(api.HeaderRequestID) == "" {
		a.T.Errorf("%s %s: no %s header", method, rawURL, api.HeaderRequestID)
	}
	var probe struct {
		Key, ClientSecret, Token, Secret string
		Claim                            *admin.Claim
		IssuedKey                        *admin.IssuedKey
	}
	if json.Unmarshal(b, &probe) == nil {
		for _, s := range []string{probe.Key, probe.ClientSecret, probe.Token, probe.Secret} {
			a.Remember(s)
		}
		if probe.Claim != nil {
			a.Remember(path.Base(probe.Claim.URL))
		}
		if k := probe.IssuedKey; k != nil { // an account created with its key
			a.Remember(k.Key)
			if k.Claim != nil {
				a.Remember(path.Base(k.Claim.URL))
			}
		}
	}
	if method != http.MethodGet && method != http.MethodHead && r.Status < 300 &&
		strings.HasPrefix(rawURL, a.AdminURL) && header["Authorization"] == "Bearer "+a.OperatorToken {
		a.mu.Lock()
		a.mutations = append(a.mutations, r.Header.Get(api.HeaderRequestID))
		a.mu.Unlock()
	}
	return r
}

// Remember adds a secret to those no audit event or log line may hold.
func (a *AdminEnv) Remember(secret string) {
	if secret == "" {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.secrets = append(a.secrets, secret)
}

// Call makes an admin request (path under /admin/v1) with the env's operator token; body is
// sent as JSON unless it is a string.
func (a *AdminEnv) Call(method, path string, body any) Response {
	a.T.Helper()
	return a.CallAs(a.OperatorToken, method, path, body)
}

// CallAs is Call with another operator token ("" sends none).
func (a *AdminEnv) CallAs(token, method, path string, body any) Response {
	a.T.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			a.T.Fatal(err)
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
	return a.Send(method, a.AdminURL+path, rd, h)
}

// Upload sends a file as the body of an admin request.
func (a *AdminEnv) Upload(method, path string, file []byte) Response {
	a.T.Helper()
	return a.Send(method, a.AdminURL+path, bytes.NewReader(file), map[string]string{
		"Authorization": "Bearer " + a.OperatorToken, "Content-Type": "application/octet-stream",
	})
}

// AccountOf returns the seeded account of type typ whose holder has this e-mail.
func (a *AdminEnv) AccountOf(typ, email string) admin.Account {
	a.T.Helper()
	list := OK[admin.List[admin.Account]](a.T, a.Call("GET", "/accounts?limit=1000", nil), 200)
	for _, acct := range list.Items {
		if acct.Type == typ && acct.Identity.Email == email {
			return acct
		}
	}
	a.T.Fatalf("no %s account for %s among %d", typ, email, list.Total)
	return admin.Account{}
}

// IssueKey issues an API key for an account and returns it.
func (a *AdminEnv) IssueKey(accountID string, req admin.KeyRequest) admin.IssuedKey {
	a.T.Helper()
	return OK[admin.IssuedKey](a.T, a.Call("POST", "/accounts/"+accountID+"/keys", req), 201)
}

// ContractsSeen lists the contract numbers an API key sees through the customer API.
func (a *AdminEnv) ContractsSeen(key string) []string {
	a.T.Helper()
	r := a.Env.Call("GET", "/contracts", a.Env.Token(), key, "", "").WantStatus(a.T, 200)
	var ids []string
	for _, c := range Decode[[]api.Contract](a.T, r) {
		ids = append(ids, c.ID)
	}
	return ids
}

// TokenRefused checks that the token endpoint refuses these client credentials.
func (a *AdminEnv) TokenRefused(clientID, secret string) {
	a.T.Helper()
	r := a.Env.Do(Req{Method: "POST", Path: api.TokenPath, Body: "grant_type=client_credentials",
		Header: map[string]string{"Authorization": Basic(clientID, secret), "Content-Type": "application/x-www-form-urlencoded"}})
	if r.Status != http.StatusUnauthorized || Decode[api.OAuthError](a.T, r).Error != api.OAuthInvalidClient {
		a.T.Fatalf("token for %s: %s, want 401 invalid_client", clientID, r)
	}
}

// Spooled lists what is left in the upload spool directory.
func (a *AdminEnv) Spooled() []string {
	a.T.Helper()
	entries, err := os.ReadDir(a.TempDir)
	if err != nil {
		a.T.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

// CheckAudit reads the whole audit trail through the admin API and checks that every change
// made with the env's operator token is recorded under its id with the request's id, and that
// no event, and no log line of either server, holds a secret revealed during the test.
func (a *AdminEnv) CheckAudit() {
	a.T.Helper()
	var events []admin.AuditEvent
	var raw [][]byte
	for offset := 0; ; offset += 1000 {
		r := a.Call("GET", fmt.Sprintf("/audit?limit=1000&offset=%d", offset), nil).WantStatus(a.T, 200)
		var page struct {
			Items []json.RawMessage `json:"items"`
			Total int               `json:"total"`
		}
		MustJSON(a.T, r.Body, &page)
		for _, item := range page.Items {
			var ev admin.AuditEvent
			MustJSON(a.T, item, &ev)
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
		a.T.Error("CheckAudit: the test made no change")
	}
	for _, id := range a.mutations {
		evs := byRequest[id]
		if len(evs) == 0 {
			a.T.Errorf("the change of request %s is not in the audit trail", id)
		}
		for _, ev := range evs {
			if ev.ActorType != string(eccs.ActorOperator) || ev.ActorID != a.OperatorTokenID {
				a.T.Errorf("event %s (%s) of request %s: actor %s/%s, want operator/%s", ev.ID, ev.Action, id, ev.ActorType, ev.ActorID, a.OperatorTokenID)
			}
		}
	}
	logs := a.Logs.String() + a.AdminLogs.String()
	for _, secret := range a.secrets {
		for i, b := range raw {
			if bytes.Contains(b, []byte(secret)) {
				a.T.Errorf("audit event %s (%s) holds a secret: %s", events[i].ID, events[i].Action, b)
			}
		}
		if strings.Contains(logs, secret) || strings.Contains(logs, url.PathEscape(secret)) {
			a.T.Errorf("the logs hold the secret %.8s…", secret)
		}
	}
}

// GeneratedFile returns a valid file of a document type for a contract and period.
func GeneratedFile(t *testing.T, documentType, contractID, period, seed string) []byte {
	t.Helper()
	kind, found := docformat.KindOf(documentType)
	if !found {
		t.Fatalf("no format for %s", documentType)
	}
	p, err := docformat.ParsePeriod(period)
	if err != nil {
		t.Fatal(err)
	}
	st := docformat.Generate(docformat.Params{Seed: seed, ContractID: contractID, ContractName: "Contract " + contractID,
		CustomerName: "Acme Industries SA", OfferName: docformat.OfferFlexibleEngine, Period: p, Currency: "EUR"})
	var b bytes.Buffer
	if err := kind.Write(&b, st, docformat.DefaultInvoice(st)); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
