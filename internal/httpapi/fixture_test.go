package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/eccs/eccs/api"
	"github.com/eccs/eccs/internal/devseed"
	"github.com/eccs/eccs/internal/docformat"
	"github.com/eccs/eccs/internal/eccs"
	"github.com/eccs/eccs/internal/fileblob"
	"github.com/eccs/eccs/internal/httpapi"
	"github.com/eccs/eccs/internal/openapitest"
	"github.com/eccs/eccs/internal/sqlite"
	"github.com/eccs/eccs/internal/testenv"
)

// seedTime is when the test world was seeded: documents cover the 13 months before June 2026.
var seedTime = time.Date(2026, 6, 15, 10, 0, 0, 0, time.UTC)

// testKeys are the server keys of every test server.
var testKeys = eccs.Keys{
	HashKey:   []byte("test hash key, thirty-two bytes!!"),
	TokenKeys: []eccs.TokenKey{{ID: "test1", Secret: []byte("test token key, thirty-two bytes!")}},
}

// template is a seeded data directory, made once and copied for each test, so that every test
// has its own database and files and may change them.
var template struct {
	once  sync.Once
	dir   string
	creds devseed.Credentials
	err   error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if template.dir != "" {
		os.RemoveAll(template.dir)
	}
	os.Exit(code)
}

func seededTemplate(t *testing.T) (string, devseed.Credentials) {
	t.Helper()
	template.once.Do(func() {
		template.dir, template.err = os.MkdirTemp("", "eccs-httpapi-test-")
		if template.err != nil {
			return
		}
		ctx := context.Background()
		db, err := sqlite.Open(ctx, filepath.Join(template.dir, "eccs.db"), sqlite.Options{})
		if err != nil {
			template.err = err
			return
		}
		defer db.Close()
		if _, err := db.Migrate(ctx); err != nil {
			template.err = err
			return
		}
		blobs, err := fileblob.Open(filepath.Join(template.dir, "documents"))
		if err != nil {
			template.err = err
			return
		}
		template.creds, template.err = devseed.Seed(ctx, db, blobs, testKeys, seedTime, devseed.URLs{Public: "http://example.invalid", Admin: "http://example.invalid"})
	})
	if template.err != nil {
		t.Fatalf("seed the test world: %v", template.err)
	}
	return template.dir, template.creds
}

// env is one test's server: its own copy of the seeded world, a fake clock, and a client that
// checks every answer against api/openapi.yaml.
type env struct {
	t      *testing.T
	url    string
	clock  *testenv.Clock
	svc    *eccs.Service
	db     *sqlite.Store
	blobs  *fileblob.Store
	dir    string
	creds  devseed.Credentials
	client *http.Client
	logs   *testenv.Buffer
}

type envOption func(*envConfig)

type envConfig struct {
	http        httpapi.Config
	busyTimeout time.Duration
}

func withConfig(c httpapi.Config) envOption { return func(ec *envConfig) { ec.http = c } }

func withBusyTimeout(d time.Duration) envOption {
	return func(ec *envConfig) { ec.busyTimeout = d }
}

func newEnv(t *testing.T, opts ...envOption) *env {
	t.Helper()
	src, creds := seededTemplate(t)
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(src)); err != nil {
		t.Fatalf("copy the test world: %v", err)
	}
	var cfg envConfig
	for _, o := range opts {
		o(&cfg)
	}
	db, err := sqlite.Open(t.Context(), filepath.Join(dir, "eccs.db"), sqlite.Options{BusyTimeout: cfg.busyTimeout})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	blobs, err := fileblob.Open(filepath.Join(dir, "documents"))
	if err != nil {
		t.Fatal(err)
	}
	clk := testenv.NewClock(seedTime.Add(time.Hour))
	svc, err := eccs.NewService(db, blobs, eccs.Config{Keys: testKeys, Now: clk.Now, Formats: docformat.Formats{}})
	if err != nil {
		t.Fatal(err)
	}
	cfg.http.Now = clk.Now
	logs := &testenv.Buffer{}
	srv := httptest.NewServer(httpapi.New(svc, slog.New(slog.NewJSONHandler(logs, nil)), cfg.http))
	t.Cleanup(srv.Close)
	v := openapitest.New(t)
	return &env{
		t: t, url: srv.URL, clock: clk, svc: svc, db: db, blobs: blobs, dir: dir, creds: creds, logs: logs,
		client: &http.Client{Transport: v.Transport(t, http.DefaultTransport)},
	}
}

// response is an answer, read whole.
type response struct {
	status int
	header http.Header
	body   []byte
}

// req describes a request; header values are sent as given, an empty value is not sent.
type req struct {
	method string
	path   string
	header map[string]string
	body   string
}

func (e *env) do(r req) response {
	e.t.Helper()
	if r.method == "" {
		r.method = http.MethodGet
	}
	var body io.Reader
	if r.body != "" {
		body = strings.NewReader(r.body)
	}
	hr, err := http.NewRequestWithContext(e.t.Context(), r.method, e.url+r.path, body)
	if err != nil {
		e.t.Fatal(err)
	}
	for k, v := range r.header {
		if v != "" {
			hr.Header.Set(k, v)
		}
	}
	resp, err := e.client.Do(hr)
	if err != nil {
		e.t.Fatalf("%s %s: %v", r.method, r.path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatalf("%s %s: read body: %v", r.method, r.path, err)
	}
	if resp.Header.Get(api.HeaderRequestID) == "" {
		e.t.Errorf("%s %s: no %s header", r.method, r.path, api.HeaderRequestID)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

// token gets an access token for the demo application (or the given client).
func (e *env) token(clientAndSecret ...string) string {
	e.t.Helper()
	id, secret := e.creds.ClientID, e.creds.ClientSecret
	if len(clientAndSecret) == 2 {
		id, secret = clientAndSecret[0], clientAndSecret[1]
	}
	r := e.do(req{method: "POST", path: api.TokenPath, body: "grant_type=client_credentials",
		header: map[string]string{"Authorization": basic(id, secret), "Content-Type": "application/x-www-form-urlencoded"}})
	if r.status != http.StatusOK {
		e.t.Fatalf("token for %s: %d %s", id, r.status, r.body)
	}
	var tok api.Token
	mustJSON(e.t, r.body, &tok)
	return tok.AccessToken
}

// call makes a resource call with a token, an API key and a contract header ("" leaves any out).
func (e *env) call(method, path, token, key, contract, body string) response {
	e.t.Helper()
	h := map[string]string{"Accept": "application/json", api.HeaderAPIKey: key, api.HeaderContractID: contract}
	if token != "" {
		h["Authorization"] = "Bearer " + token
	}
	return e.do(req{method: method, path: api.BasePath + path, header: h, body: body})
}

// asClient and asAdmin make resource calls with the demo application and one of the demo keys.
func (e *env) asClient(method, path, contract, body string) response {
	e.t.Helper()
	return e.call(method, path, e.token(), e.creds.APIKeys.Client, contract, body)
}

func (e *env) asAdmin(method, path, contract, body string) response {
	e.t.Helper()
	return e.call(method, path, e.token(), e.creds.APIKeys.Administrator, contract, body)
}

func basic(id, secret string) string {
	req, _ := http.NewRequest("GET", "/", nil)
	req.SetBasicAuth(id, secret)
	return req.Header.Get("Authorization")
}

func mustJSON(t *testing.T, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
}

// wantError checks that r is the gateway envelope with this status and code, its fixed
// message and a description, and returns the description.
func (r response) wantError(t *testing.T, status, code int) string {
	t.Helper()
	var e api.Error
	if err := json.Unmarshal(r.body, &e); err != nil {
		t.Fatalf("want %d/%d, got %d with a body that is not the envelope: %s", status, code, r.status, r.body)
	}
	if r.status != status || e.Code != code {
		t.Fatalf("want %d/%d, got %d/%d: %s", status, code, r.status, e.Code, r.body)
	}
	if e.Message != api.ErrorMessage(code) {
		t.Errorf("message %q, want %q", e.Message, api.ErrorMessage(code))
	}
	if len(e.Description) < 10 {
		t.Errorf("description %q says nothing", e.Description)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}
	return e.Description
}

// wantStatus fails unless r has this status.
func (r response) wantStatus(t *testing.T, status int) response {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d: %s", r.status, status, r.body)
	}
	return r
}

func (r response) String() string { return fmt.Sprintf("%d %s", r.status, r.body) }

func readAll(t *testing.T, resp *http.Response) []byte {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
