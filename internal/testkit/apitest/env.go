package apitest

import (
	"context"
	"database/sql"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver of HoldWriteLock
	_ "modernc.org/sqlite"             // the "sqlite" driver of HoldWriteLock

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

// Env is one test's server: its own copy of the seeded world, a fake clock, and a client that
// checks every answer against api/openapi.yaml.
type Env struct {
	T       *testing.T
	URL     string
	Clock   *testenv.Clock
	Svc     *eccs.Service
	DB      Store
	Blobs   eccs.BlobStore
	Dir     string // the SQLite data directory (eccs.db, documents/); a scratch directory on PostgreSQL
	DBURL   string // postgres: the env's database
	BlobURL string // postgres: the env's bucket
	Creds   devseed.Credentials
	Client  *http.Client
	Logs    *testenv.Buffer
}

// Option changes what NewEnv starts.
type Option func(*envConfig)

type envConfig struct {
	http             httpapi.Config
	busyTimeout      time.Duration
	statementTimeout time.Duration
}

// WithConfig is the configuration of the customer API's handler (its Now is the env's clock).
func WithConfig(c httpapi.Config) Option { return func(ec *envConfig) { ec.http = c } }

// WithBusyTimeout sets SQLite's busy timeout; WithStatementTimeout PostgreSQL's statement
// timeout. Each is ignored on the other backend.
func WithBusyTimeout(d time.Duration) Option {
	return func(ec *envConfig) { ec.busyTimeout = d }
}

func WithStatementTimeout(d time.Duration) Option {
	return func(ec *envConfig) { ec.statementTimeout = d }
}

// NewEnv starts a customer API on a copy of the seeded world, seeding it first when this is
// the test binary's first env; everything is closed and removed when the test ends.
func NewEnv(t *testing.T, opts ...Option) *Env {
	t.Helper()
	creds := seededTemplate(t)
	var cfg envConfig
	for _, o := range opts {
		o(&cfg)
	}
	e := &Env{T: t, Creds: creds, Dir: t.TempDir()}
	if Backend() == BackendPostgres {
		e.openPostgres(cfg)
	} else {
		e.openSQLite(cfg)
	}
	e.Clock = testenv.NewClock(SeedTime.Add(time.Hour))
	svc, err := eccs.NewService(e.DB, e.Blobs, eccs.Config{Keys: Keys, Now: e.Clock.Now, Formats: docformat.Formats{}})
	if err != nil {
		t.Fatal(err)
	}
	e.Svc = svc
	cfg.http.Now = e.Clock.Now
	e.Logs = &testenv.Buffer{}
	srv := httptest.NewServer(httpapi.New(svc, slog.New(slog.NewJSONHandler(e.Logs, nil)), cfg.http))
	t.Cleanup(srv.Close)
	e.URL = srv.URL
	e.Client = &http.Client{Transport: openapitest.New(t).Transport(t, http.DefaultTransport)}
	return e
}

// openSQLite gives e a copy of the template's data directory.
func (e *Env) openSQLite(cfg envConfig) {
	t := e.T
	if err := os.CopyFS(e.Dir, os.DirFS(template.dir)); err != nil {
		t.Fatalf("copy the test world: %v", err)
	}
	db, err := sqlite.Open(t.Context(), filepath.Join(e.Dir, "eccs.db"), sqlite.Options{BusyTimeout: cfg.busyTimeout})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	blobs, err := fileblob.Open(filepath.Join(e.Dir, "documents"))
	if err != nil {
		t.Fatal(err)
	}
	e.DB, e.Blobs = db, blobs
}

// openPostgres gives e a database cloned from the template database and a bucket holding a
// copy of the template bucket.
func (e *Env) openPostgres(cfg envConfig) {
	t := e.T
	e.DBURL = pgtest.Clone(t, template.dbURL)
	e.BlobURL = s3test.CopyBucket(t, template.blobURL)
	db, err := postgres.Open(t.Context(), e.DBURL, postgres.Options{StatementTimeout: cfg.statementTimeout})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	blobs, err := s3blob.Open(t.Context(), e.BlobURL)
	if err != nil {
		t.Fatal(err)
	}
	e.DB, e.Blobs = db, blobs
}

// BlobKeys lists the keys of every document file the env's store holds, in byte order.
func (e *Env) BlobKeys(t *testing.T) []string {
	t.Helper()
	if Backend() == BackendPostgres {
		return s3test.Keys(t, e.BlobURL)
	}
	var out []string
	root := filepath.Join(e.Dir, "documents")
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

// HoldWriteLock makes the env's database refuse writes until the returned function is called:
// on SQLite another connection holds the write lock (BEGIN IMMEDIATE); on PostgreSQL it holds
// an ACCESS EXCLUSIVE lock on the contract number counters.
func (e *Env) HoldWriteLock(t *testing.T) (release func()) {
	t.Helper()
	var other *sql.DB
	var err error
	var begin []string
	if Backend() == BackendPostgres {
		other, err = sql.Open("pgx", e.DBURL)
		begin = []string{"BEGIN", "LOCK TABLE counters IN ACCESS EXCLUSIVE MODE"}
	} else {
		other, err = sql.Open("sqlite", filepath.Join(e.Dir, "eccs.db"))
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
