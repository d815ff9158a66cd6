package pgtest_test

import (
	"database/sql"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/eccs/eccs/internal/testkit/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func open(t *testing.T, url string) *sql.DB {
	t.Helper()
	db, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func exec(t *testing.T, db *sql.DB, query string, args ...any) {
	t.Helper()
	if _, err := db.ExecContext(t.Context(), query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

func count(t *testing.T, db *sql.DB) int {
	t.Helper()
	var n int
	if err := db.QueryRowContext(t.Context(), "SELECT count(*) FROM things").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestCloneCopiesTheTemplateAndClonesAreIndependent fills a template, clones it twice, and
// changes each clone: neither the template nor the other clone sees the change. The template
// outlives the test that made it.
func TestCloneCopiesTheTemplateAndClonesAreIndependent(t *testing.T) {
	var tmpl string
	t.Run("make the template", func(t *testing.T) {
		tmpl = pgtest.Template(t)
		db := open(t, tmpl)
		exec(t, db, "CREATE TABLE things (id int PRIMARY KEY, body text)")
		exec(t, db, "INSERT INTO things SELECT i, repeat('x', 1000) FROM generate_series(1, 5000) AS i")
		db.Close() // PostgreSQL copies only a database nobody is connected to
	})
	start := time.Now()
	a := open(t, pgtest.Clone(t, tmpl))
	t.Logf("cloned a 5 MB database in %s", time.Since(start).Round(time.Millisecond))
	b := open(t, pgtest.Clone(t, tmpl))
	exec(t, a, "DELETE FROM things WHERE id <= 1000")
	exec(t, b, "INSERT INTO things VALUES (0, 'b')")
	if n := count(t, a); n != 4000 {
		t.Errorf("clone a holds %d rows, want 4000", n)
	}
	if n := count(t, b); n != 5001 {
		t.Errorf("clone b holds %d rows, want 5001", n)
	}
	a.Close()
	b.Close()
	c := open(t, pgtest.Clone(t, tmpl)) // the template is intact
	if n := count(t, c); n != 5000 {
		t.Errorf("a later clone holds %d rows, want the template's 5000", n)
	}
}

// TestURLAndSchemaURLAreEmptyAndSeparate checks the plain helpers.
func TestURLAndSchemaURLAreEmptyAndSeparate(t *testing.T) {
	for name, url := range map[string]string{"URL": pgtest.URL(t), "SchemaURL": pgtest.SchemaURL(t)} {
		db := open(t, url)
		exec(t, db, "CREATE TABLE things (id int PRIMARY KEY)")
		if n := count(t, db); n != 0 {
			t.Errorf("%s: %d rows in a fresh table", name, n)
		}
	}
}
