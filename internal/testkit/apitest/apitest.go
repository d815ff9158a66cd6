// Package apitest is the fixture of the tests of internal/httpapi and of its suites in
// internal/httpapi/isolation and internal/httpapi/hostile: real servers on loopback over the
// test backend, each test on its own copy of a seeded world, and clients that check every
// answer against the OpenAPI descriptions.
//
// The backend is chosen by ECCS_TEST_BACKEND: "sqlite" (the default: SQLite and files in a
// temporary directory) or "postgres" (PostgreSQL and an S3-compatible server, started by
// packages pgtest and s3test). Every test package that uses the fixture hands its TestMain to
// Main, which checks the choice and cleans up after the tests:
//
//	func TestMain(m *testing.M) { apitest.Main(m) }
//
// NewEnv starts a test's customer API on a copy of the seeded world (seeded once per test
// binary, on the first use); NewAdminEnv adds the admin API beside it; EmptyStore gives a test
// that builds its own world an empty store instead.
package apitest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/eccs/eccs/internal/eccs"
	"github.com/eccs/eccs/internal/fileblob"
	"github.com/eccs/eccs/internal/postgres"
	"github.com/eccs/eccs/internal/s3blob"
	"github.com/eccs/eccs/internal/sqlite"
	"github.com/eccs/eccs/internal/testkit/pgtest"
	"github.com/eccs/eccs/internal/testkit/s3test"
)

// SeedTime is when the test world was seeded: documents cover the 13 months before June 2026.
var SeedTime = time.Date(2026, 6, 15, 10, 0, 0, 0, time.UTC)

// Keys are the server keys of every test server.
var Keys = eccs.Keys{
	HashKey:   []byte("test hash key, thirty-two bytes!!"),
	TokenKeys: []eccs.TokenKey{{ID: "test1", Secret: []byte("test token key, thirty-two bytes!")}},
}

// The backends every env may run on, chosen by ECCS_TEST_BACKEND: "sqlite" (the default: SQLite
// and files in a temporary directory) or "postgres" (PostgreSQL and an S3-compatible server:
// see packages pgtest and s3test). The whole suite runs on either.
const (
	BackendSQLite   = "sqlite"
	BackendPostgres = "postgres"
)

// Backend is the backend ECCS_TEST_BACKEND names.
func Backend() string {
	if b := os.Getenv("ECCS_TEST_BACKEND"); b != "" {
		return b
	}
	return BackendSQLite
}

// Main is the TestMain of a package that uses the fixture: it refuses an unknown backend, runs
// the tests, then removes the seeded world and stops the servers pgtest and s3test started.
func Main(m *testing.M) {
	switch b := Backend(); b {
	case BackendSQLite, BackendPostgres:
	default:
		fmt.Fprintf(os.Stderr, "ECCS_TEST_BACKEND=%q: use %q (the default) or %q\n", b, BackendSQLite, BackendPostgres)
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

// Store is the Store of an env, whichever the backend.
type Store interface {
	eccs.Store
	Close() error
}

// EmptyStore opens a fresh, empty, migrated store and blob store of the backend, closed when
// the test ends, for a test that builds its own world instead of using the seeded one.
func EmptyStore(t *testing.T) (Store, eccs.BlobStore) {
	dir, dbURL, blobURL := t.TempDir(), "", ""
	if Backend() == BackendPostgres {
		pgtest.Require(t)
		dbURL, blobURL = pgtest.URL(t), s3test.URL(t)
	}
	db, blobs, err := openMigrated(t.Context(), dir, dbURL, blobURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db, blobs
}

// openMigrated opens a store and a blob store of the backend and migrates the store: on
// SQLite, the data directory dir (eccs.db and documents/); on PostgreSQL, the database dbURL
// and the bucket blobURL.
func openMigrated(ctx context.Context, dir, dbURL, blobURL string) (Store, eccs.BlobStore, error) {
	var db interface {
		Store
		Migrate(context.Context) ([]string, error)
	}
	var err error
	if Backend() == BackendPostgres {
		db, err = postgres.Open(ctx, dbURL, postgres.Options{})
	} else {
		db, err = sqlite.Open(ctx, filepath.Join(dir, "eccs.db"), sqlite.Options{})
	}
	if err != nil {
		return nil, nil, err
	}
	if _, err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, nil, err
	}
	var blobs eccs.BlobStore
	if Backend() == BackendPostgres {
		blobs, err = s3blob.Open(ctx, blobURL)
	} else {
		blobs, err = fileblob.Open(filepath.Join(dir, "documents"))
	}
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	return db, blobs, nil
}
