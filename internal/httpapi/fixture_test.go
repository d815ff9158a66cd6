package httpapi_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver of holdWriteLock
	_ "modernc.org/sqlite"             // the "sqlite" driver of holdWriteLock

	"github.com/eccs/eccs/api"
	"github.com/eccs/eccs/internal/devseed"
	"github.com/eccs/eccs/internal/docformat"
	"github.com/eccs/eccs/internal/eccs"
	"github.com/eccs/eccs/internal/fileblob"
	"github.com/eccs/eccs/internal/httpapi"
	"github.com/eccs/eccs/internal/postgres"
	"github.com/eccs/eccs/internal/s3blob"
	"github.com/eccs/eccs/internal/sqlite"
	"github.com/eccs/eccs/internal/testkit/openapitest"
	"github.com/eccs/eccs/internal/testkit/pgtest"
	"github.com/eccs/eccs/internal/testkit/s3test"
	"github.com/eccs/eccs/internal/testkit/testenv"
)

// seedTime is when the test world was seeded: documents cover the 13 months before June 2026.
var seedTime = time.Date(2026, 6, 15, 10, 0, 0, 0, time.UTC)

// testKeys are the server keys of every test server.
var testKeys = eccs.Keys{
	HashKey:   []byte("test hash key, thirty-two bytes!!"),
	TokenKeys: []eccs.TokenKey{{ID: "test1", Secret: []byte("test token key, thirty-two bytes!")}},
}

// The backend every env runs on, chosen by ECCS_TEST_BACKEND: "sqlite" (the default: SQLite
// and files in a temporary directory) or "postgres" (PostgreSQL and an S3-compatible server:
// see packages pgtest and s3test). The whole suite runs on either.
const (
	backendSQLite   = "sqlite"
	backendPostgres = "postgres"
)

func testBackend() string {
	if b := os.Getenv("ECCS_TEST_BACKEND"); b != "" {
		return b
	}
	return backendSQLite
}

// template is the seeded test world, made once and copied for each test, so that every test
// has its own database and document files and may change them. On SQLite it is a data
// directory (eccs.db and documents/); on PostgreSQL a template database and a bucket.
var template struct {
	once    sync.Once
	dir     string // sqlite
	dbURL   string // postgres
	blobURL string // postgres
	creds   devseed.Credentials
	err     error
}

func TestMain(m *testing.M) {
	switch b := testBackend(); b {
	case backendSQLite, backendPostgres:
	default:
		fmt.Fprintf(os.Stderr, "ECCS_TEST_BACKEND=%q: use %q (the default) or %q\n", b, backendSQLite, backendPostgres)
		os.Exit(2)
	}
	code := m.Run()
	if template.dir != "" {
		os.RemoveAll(template.dir)
	}
	pgtest.Shutdown()
	s3test.Shutdown()
	os.Exit(code)
}

func seededTemplate(t *testing.T) devseed.Credentials {
	t.Helper()
	if testBackend() == backendPostgres {
		// Outside the Once: without a server, every test skips loudly (or fails under
		// ECCS_TEST_REQUIRE_ALL=1), not only the first.
		pgtest.Require(t)
		s3test.Endpoint(t)
	}
	template.once.Do(func() {
		template.err = errors.New("seeding stopped half-way") // unless it finishes
		start := time.Now()
		if testBackend() == backendPostgres {
			template.err = seedPostgresTemplate(t)
		} else {
			template.err = seedSQLiteTemplate()
		}
		t.Logf("seeded the %s test world in %s", testBackend(), time.Since(start).Round(time.Millisecond))
	})
	if template.err != nil {
		t.Fatalf("seed the test world: %v", template.err)
	}
	return template.creds
}

var seedURLs = devseed.URLs{Public: "http://example.invalid", Admin: "http://example.invalid"}

func seedSQLiteTemplate() error {
	var err error
	if template.dir, err = os.MkdirTemp("", "eccs-httpapi-test-"); err != nil {
		return err
	}
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(template.dir, "eccs.db"), sqlite.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		return err
	}
	blobs, err := fileblob.Open(filepath.Join(template.dir, "documents"))
	if err != nil {
		return err
	}
	template.creds, err = devseed.Seed(ctx, db, blobs, testKeys, seedTime, seedURLs)
	return err
}

// seedPostgresTemplate seeds a template database and a template bucket; the database is
// closed afterwards, since PostgreSQL copies only a database nobody is connected to.
func seedPostgresTemplate(t *testing.T) error {
	template.dbURL = pgtest.Template(t)
	template.blobURL = s3test.URL(t)
	ctx := context.Background()
	db, err := postgres.Open(ctx, template.dbURL, postgres.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		return err
	}
	blobs, err := s3blob.Open(ctx, template.blobURL)
	if err != nil {
		return err
	}
	template.creds, err = devseed.Seed(ctx, db, blobs, testKeys, seedTime, seedURLs)
	return err
}

// testStore is the Store of an env, whichever the backend.
type testStore interface {
	eccs.Store
	Close() error
}

// env is one test's server: its own copy of the seeded world, a fake clock, and a client that
// checks every answer against api/openapi.yaml.
type env struct {
	t       *testing.T
	url     string
	clock   *testenv.Clock
	svc     *eccs.Service
	db      testStore
	blobs   eccs.BlobStore
	dir     string // the SQLite data directory (eccs.db, documents/); a scratch directory on PostgreSQL
	dbURL   string // postgres: the env's database
	blobURL string // postgres: the env's bucket
	creds   devseed.Credentials
	client  *http.Client
	logs    *testenv.Buffer
}

type envOption func(*envConfig)

type envConfig struct {
	http             httpapi.Config
	busyTimeout      time.Duration
	statementTimeout time.Duration
}

func withConfig(c httpapi.Config) envOption { return func(ec *envConfig) { ec.http = c } }

// withBusyTimeout sets SQLite's busy timeout; withStatementTimeout PostgreSQL's statement
// timeout. Each is ignored on the other backend.
func withBusyTimeout(d time.Duration) envOption {
	return func(ec *envConfig) { ec.busyTimeout = d }
}

func withStatementTimeout(d time.Duration) envOption {
	return func(ec *envConfig) { ec.statementTimeout = d }
}

func newEnv(t *testing.T, opts ...envOption) *env {
	t.Helper()
	creds := seededTemplate(t)
	var cfg envConfig
	for _, o := range opts {
		o(&cfg)
	}
	e := &env{t: t, creds: creds, dir: t.TempDir()}
	if testBackend() == backendPostgres {
		e.openPostgres(cfg)
	} else {
		e.openSQLite(cfg)
	}
	e.clock = testenv.NewClock(seedTime.Add(time.Hour))
	svc, err := eccs.NewService(e.db, e.blobs, eccs.Config{Keys: testKeys, Now: e.clock.Now, Formats: docformat.Formats{}})
	if err != nil {
		t.Fatal(err)
	}
	e.svc = svc
	cfg.http.Now = e.clock.Now
	e.logs = &testenv.Buffer{}
	srv := httptest.NewServer(httpapi.New(svc, slog.New(slog.NewJSONHandler(e.logs, nil)), cfg.http))
	t.Cleanup(srv.Close)
	e.url = srv.URL
	e.client = &http.Client{Transport: openapitest.New(t).Transport(t, http.DefaultTransport)}
	return e
}

// openSQLite gives e a copy of the template's data directory.
func (e *env) openSQLite(cfg envConfig) {
	t := e.t
	if err := os.CopyFS(e.dir, os.DirFS(template.dir)); err != nil {
		t.Fatalf("copy the test world: %v", err)
	}
	db, err := sqlite.Open(t.Context(), filepath.Join(e.dir, "eccs.db"), sqlite.Options{BusyTimeout: cfg.busyTimeout})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	blobs, err := fileblob.Open(filepath.Join(e.dir, "documents"))
	if err != nil {
		t.Fatal(err)
	}
	e.db, e.blobs = db, blobs
}

// openPostgres gives e a database cloned from the template database and a bucket holding a
// copy of the template bucket.
func (e *env) openPostgres(cfg envConfig) {
	t := e.t
	e.dbURL = pgtest.Clone(t, template.dbURL)
	e.blobURL = s3test.CopyBucket(t, template.blobURL)
	db, err := postgres.Open(t.Context(), e.dbURL, postgres.Options{StatementTimeout: cfg.statementTimeout})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	blobs, err := s3blob.Open(t.Context(), e.blobURL)
	if err != nil {
		t.Fatal(err)
	}
	e.db, e.blobs = db, blobs
}

// blobKeys lists the keys of every document file the env's store holds, in byte order.
func (e *env) blobKeys(t *testing.T) []string {
	t.Helper()
	if testBackend() == backendPostgres {
		return s3test.Keys(t, e.blobURL)
	}
	var out []string
	root := filepath.Join(e.dir, "documents")
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, err := filepath.Rel(root, p)
			if err != nil {
				return err
			}
			out = append(out, filepath.ToSlash(rel))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

// holdWriteLock makes the env's database refuse writes until the returned function is called:
// on SQLite another connection holds the write lock (BEGIN IMMEDIATE); on PostgreSQL it holds
// an ACCESS EXCLUSIVE lock on the contract number counters.
func (e *env) holdWriteLock(t *testing.T) (release func()) {
	t.Helper()
	var other *sql.DB
	var err error
	var begin []string
	if testBackend() == backendPostgres {
		other, err = sql.Open("pgx", e.dbURL)
		begin = []string{"BEGIN", "LOCK TABLE counters IN ACCESS EXCLUSIVE MODE"}
	} else {
		other, err = sql.Open("sqlite", filepath.Join(e.dir, "eccs.db"))
		begin = []string{"BEGIN IMMEDIATE"}
	}
	if err != nil {
		t.Fatal(err)
	}
	conn, err := other.Conn(t.Context())
	if err != nil {
		other.Close()
		t.Fatal(err)
	}
	for _, stmt := range begin {
		if _, err := conn.ExecContext(t.Context(), stmt); err != nil {
			conn.Close()
			other.Close()
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	var once sync.Once
	release = func() {
		once.Do(func() {
			if _, err := conn.ExecContext(context.Background(), "ROLLBACK"); err != nil {
				t.Errorf("release the lock: %v", err)
			}
			conn.Close()
			other.Close()
		})
	}
	t.Cleanup(release)
	return release
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
		e.t.Fatalf("token for %s: %d %s\nserver log:\n%s", id, r.status, r.body, e.logs)
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
