package schema_test

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/eccs/eccs/internal/schema"

	_ "modernc.org/sqlite"
)

func openDB(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "test.db")+"?_pragma=foreign_keys(1)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func files(names ...string) fstest.MapFS {
	fsys := fstest.MapFS{}
	for _, n := range names {
		table := strings.TrimSuffix(n, ".sql")
		table = "t" + strings.ReplaceAll(table, "_", "")
		fsys[n] = &fstest.MapFile{Data: []byte("CREATE TABLE " + table + " (id BIGINT PRIMARY KEY);\nCREATE INDEX " + table + "_id ON " + table + "(id);")}
	}
	return fsys
}

func tableExists(t *testing.T, db *sql.DB, name string) bool {
	t.Helper()
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = $1`, name).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n > 0
}

func TestApplyRunsPendingInOrderThenNothing(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	fsys := files("0002_second.sql", "0001_init.sql", "0003_third.sql")
	fsys["README.md"] = &fstest.MapFile{Data: []byte("not a migration")}
	fsys["old/0009_x.sql"] = &fstest.MapFile{Data: []byte("not at the root")}

	pending, err := schema.Pending(ctx, db, fsys)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"0001_init.sql", "0002_second.sql", "0003_third.sql"}
	if !reflect.DeepEqual(pending, want) {
		t.Fatalf("Pending = %q, want %q", pending, want)
	}
	if tableExists(t, db, "schema_migrations") {
		t.Fatal("Pending left schema_migrations behind; it must change nothing")
	}

	applied, err := schema.Apply(ctx, db, fsys)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(applied, want) {
		t.Fatalf("Apply = %q, want %q", applied, want)
	}
	for _, table := range []string{"t0001init", "t0002second", "t0003third"} {
		if !tableExists(t, db, table) {
			t.Errorf("table %s missing after Apply", table)
		}
	}
	var n int
	var at int64
	if err := db.QueryRow(`SELECT count(*), min(applied_at) FROM schema_migrations`).Scan(&n, &at); err != nil {
		t.Fatal(err)
	}
	if n != 3 || at <= 0 {
		t.Errorf("schema_migrations has %d rows, first applied_at %d; want 3 rows with a time", n, at)
	}

	applied, err = schema.Apply(ctx, db, fsys)
	if err != nil || len(applied) != 0 {
		t.Fatalf("second Apply = %q, %v; want nothing", applied, err)
	}
	pending, err = schema.Pending(ctx, db, fsys)
	if err != nil || len(pending) != 0 {
		t.Fatalf("Pending after Apply = %q, %v; want nothing", pending, err)
	}
}

func TestApplyRunsOnlyNewMigrationsOfALaterRelease(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	if _, err := schema.Apply(ctx, db, files("0001_init.sql")); err != nil {
		t.Fatal(err)
	}
	later := files("0001_init.sql", "0002_more.sql")
	pending, err := schema.Pending(ctx, db, later)
	if err != nil || !reflect.DeepEqual(pending, []string{"0002_more.sql"}) {
		t.Fatalf("Pending = %q, %v; want [0002_more.sql]", pending, err)
	}
	applied, err := schema.Apply(ctx, db, later)
	if err != nil || !reflect.DeepEqual(applied, []string{"0002_more.sql"}) {
		t.Fatalf("Apply = %q, %v; want [0002_more.sql]", applied, err)
	}
}

func TestApplyStopsAtAFailingMigrationAndKeepsTheOnesBefore(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	fsys := files("0001_init.sql")
	fsys["0002_broken.sql"] = &fstest.MapFile{Data: []byte("CREATE TABLE half (id BIGINT);\nTHIS IS NOT SQL;")}

	applied, err := schema.Apply(ctx, db, fsys)
	if err == nil {
		t.Fatal("Apply succeeded with a broken migration")
	}
	if !strings.Contains(err.Error(), "0002_broken.sql") {
		t.Errorf("error %q does not name the failing file", err)
	}
	if !reflect.DeepEqual(applied, []string{"0001_init.sql"}) {
		t.Errorf("applied = %q, want [0001_init.sql]", applied)
	}
	if tableExists(t, db, "half") {
		t.Error("the failing migration's first statement was kept; it must roll back whole")
	}
	pending, err := schema.Pending(ctx, db, fsys)
	if err != nil || !reflect.DeepEqual(pending, []string{"0002_broken.sql"}) {
		t.Errorf("Pending = %q, %v; want [0002_broken.sql]", pending, err)
	}
}

func TestBadMigrationSetsFail(t *testing.T) {
	tests := []struct {
		name  string
		fsys  fstest.MapFS
		words string // the error must contain this
	}{
		{"gap", files("0001_a.sql", "0003_c.sql"), "version 2 is missing"},
		{"duplicate version", files("0001_a.sql", "0002_b.sql", "0002_c.sql"), "same version 2"},
		{"not starting at one", files("0002_b.sql"), "version 1 is missing"},
		{"version zero", files("0000_a.sql", "0001_b.sql"), "from 1"},
		{"three digits", files("001_a.sql"), "NNNN_name.sql"},
		{"no name", files("0001.sql"), "NNNN_name.sql"},
		{"dash", files("0001-init.sql"), "NNNN_name.sql"},
		{"upper case", files("0001_Init.sql"), "NNNN_name.sql"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			db := openDB(t)
			if _, err := schema.Load(tt.fsys); err == nil || !strings.Contains(err.Error(), tt.words) {
				t.Errorf("Load error = %v, want one containing %q", err, tt.words)
			}
			if _, err := schema.Pending(ctx, db, tt.fsys); err == nil || !strings.Contains(err.Error(), tt.words) {
				t.Errorf("Pending error = %v, want one containing %q", err, tt.words)
			}
			if _, err := schema.Apply(ctx, db, tt.fsys); err == nil || !strings.Contains(err.Error(), tt.words) {
				t.Errorf("Apply error = %v, want one containing %q", err, tt.words)
			}
			if tableExists(t, db, "t0001a") {
				t.Error("Apply ran a migration of a bad set")
			}
		})
	}
}

func TestDatabaseNewerThanProgramFails(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	if _, err := schema.Apply(ctx, db, files("0001_init.sql", "0002_new.sql")); err != nil {
		t.Fatal(err)
	}
	old := files("0001_init.sql")
	if _, err := schema.Pending(ctx, db, old); !errors.Is(err, schema.ErrNewerSchema) {
		t.Errorf("Pending error = %v, want ErrNewerSchema", err)
	}
	if _, err := schema.Apply(ctx, db, old); !errors.Is(err, schema.ErrNewerSchema) {
		t.Errorf("Apply error = %v, want ErrNewerSchema", err)
	}
}

func TestAppliedVersionWithAnotherNameFails(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	if _, err := schema.Apply(ctx, db, files("0001_init.sql")); err != nil {
		t.Fatal(err)
	}
	renamed := files("0001_start.sql")
	if _, err := schema.Pending(ctx, db, renamed); err == nil || !strings.Contains(err.Error(), "0001_start.sql") {
		t.Errorf("Pending error = %v, want one naming both files", err)
	}
}
