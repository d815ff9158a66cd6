package postgres_test

import (
	"context"
	"io/fs"
	"strings"
	"sync"
	"testing"

	"github.com/eccs/eccs/internal/eccs"
	"github.com/eccs/eccs/internal/postgres"
	"github.com/eccs/eccs/internal/testkit/pgtest"
	"github.com/eccs/eccs/internal/testkit/storetest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// open returns a migrated Store on a fresh schema.
func open(t *testing.T) *postgres.Store {
	t.Helper()
	s, err := postgres.Open(t.Context(), pgtest.SchemaURL(t), postgres.Options{MaxConns: 8})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if _, err := s.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	return s
}

// TestStoreConformance runs the suite every Store passes: the SQLite and PostgreSQL stores
// cannot drift apart.
func TestStoreConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) eccs.Store { return open(t) })
}

func TestMigrationsApplyOnceAndInOrder(t *testing.T) {
	s, err := postgres.Open(t.Context(), pgtest.URL(t), postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	pending, err := s.PendingMigrations(t.Context())
	if err != nil || len(pending) == 0 || pending[0] != "0001_init.sql" {
		t.Fatalf("pending on a fresh database: %v, %v", pending, err)
	}
	// Replicas starting at once: every one migrates or finds nothing to do, none fails.
	var wg sync.WaitGroup
	applied := make([][]string, 4)
	errs := make([]error, 4)
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			applied[i], errs[i] = s.Migrate(context.Background())
		}()
	}
	wg.Wait()
	total := 0
	for i := range 4 {
		if errs[i] != nil {
			t.Fatalf("migrate %d: %v", i, errs[i])
		}
		total += len(applied[i])
	}
	if total != len(pending) {
		t.Fatalf("%d migrations applied in all, want %d", total, len(pending))
	}
	if pending, err := s.PendingMigrations(t.Context()); err != nil || len(pending) != 0 {
		t.Fatalf("pending after migrating: %v, %v", pending, err)
	}
}

func TestTextColumnsSortByByteOrder(t *testing.T) {
	files, err := fs.ReadDir(postgres.Migrations(), ".")
	if err != nil || len(files) == 0 {
		t.Fatalf("migrations: %v", err)
	}
	b, err := fs.ReadFile(postgres.Migrations(), files[0].Name())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `TEXT COLLATE "C"`) {
		t.Fatalf("%s declares no TEXT COLLATE \"C\" column", files[0].Name())
	}
	// And in the database: 'Z' sorts before 'a'.
	s := open(t)
	var first string
	err = s.DB().QueryRowContext(t.Context(), `SELECT id FROM (SELECT 'a-1'::text COLLATE "C" AS id UNION ALL SELECT 'Z-1') v ORDER BY id LIMIT 1`).Scan(&first)
	if err != nil || first != "Z-1" {
		t.Fatalf("first %q, %v", first, err)
	}
}

func TestBadURLFailsClearly(t *testing.T) {
	_, err := postgres.Open(t.Context(), "postgres://nobody@127.0.0.1:1/none?sslmode=disable&connect_timeout=1", postgres.Options{})
	if err == nil || eccs.ErrorCode(err) != eccs.Unavailable {
		t.Fatalf("Open on a closed port: %v (code %s), want Unavailable", err, eccs.ErrorCode(err))
	}
	if strings.Contains(err.Error(), "password") {
		t.Fatalf("error shows credentials: %v", err)
	}
}
