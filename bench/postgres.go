package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver

	"github.com/eccs/eccs/internal/testkit/pgtest"
)

// postgresDB is a fresh PostgreSQL database for the benchmark: on the server that
// ECCS_BENCH_POSTGRES_URL names, or on a throwaway cluster that internal/testkit/pgtest starts
// (initdb and pg_ctl in a temporary directory, as the postgres user when run as root). close
// drops the database and stops the throwaway cluster.
type postgresDB struct {
	url string
	t   *tbAdapter
}

// openPostgres returns a fresh database, or an error saying why there is none.
func openPostgres() (db *postgresDB, err error) {
	if u := os.Getenv("ECCS_BENCH_POSTGRES_URL"); u != "" {
		os.Setenv("ECCS_TEST_POSTGRES_URL", u) // pgtest's variable: create the database there
	}
	t := &tbAdapter{ctx: context.Background()}
	defer func() {
		if p := recover(); p != nil {
			f, ok := p.(tbFailure)
			if !ok {
				panic(p)
			}
			t.cleanup()
			db, err = nil, fmt.Errorf("postgres: %s", f.msg)
		}
	}()
	return &postgresDB{url: pgtest.URL(t), t: t}, nil
}

// postmasterPID returns the pid of the PostgreSQL server when it runs on this machine and
// its data directory is readable (a throwaway cluster), 0 otherwise.
func (db *postgresDB) postmasterPID() int {
	conn, err := sql.Open("pgx", db.url)
	if err != nil {
		return 0
	}
	defer conn.Close()
	var dataDir string
	if err := conn.QueryRow("SHOW data_directory").Scan(&dataDir); err != nil {
		return 0
	}
	b, err := os.ReadFile(filepath.Join(dataDir, "postmaster.pid"))
	if err != nil {
		return 0
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(strings.SplitN(string(b), "\n", 2)[0]))
	return pid
}

// close drops the database, then stops the cluster if pgtest started one, and removes its
// directory (pgtest removes it only from its TestMain).
func (db *postgresDB) close() {
	dataDir := ""
	if conn, err := sql.Open("pgx", db.url); err == nil {
		conn.QueryRow("SHOW data_directory").Scan(&dataDir) // superuser on a throwaway cluster
		conn.Close()
	}
	db.t.cleanup()
	if os.Getenv("ECCS_TEST_POSTGRES_URL") != "" {
		return // not ours to stop
	}
	func() {
		defer func() { recover() }() // tbFailure: not a throwaway cluster
		pgtest.Stop(db.t)
	}()
	if parent := filepath.Dir(dataDir); strings.HasPrefix(filepath.Base(parent), "eccs-pgtest-") {
		os.RemoveAll(parent)
	}
}

// tbAdapter is the testing.TB that pgtest asks for, outside a test: failures and skips
// become a tbFailure panic that openPostgres recovers, cleanups run when asked. Only the
// methods pgtest calls are implemented; the embedded nil TB makes any other call panic.
type tbAdapter struct {
	testing.TB
	ctx      context.Context
	cleanups []func()
}

type tbFailure struct{ msg string }

func (t *tbAdapter) Helper()                  {}
func (t *tbAdapter) Context() context.Context { return t.ctx }
func (t *tbAdapter) Cleanup(f func())         { t.cleanups = append(t.cleanups, f) }
func (t *tbAdapter) Fatal(args ...any)        { panic(tbFailure{fmt.Sprint(args...)}) }
func (t *tbAdapter) Fatalf(format string, args ...any) {
	panic(tbFailure{fmt.Sprintf(format, args...)})
}
func (t *tbAdapter) Skip(args ...any)                 { panic(tbFailure{fmt.Sprint(args...)}) }
func (t *tbAdapter) Skipf(format string, args ...any) { panic(tbFailure{fmt.Sprintf(format, args...)}) }
func (t *tbAdapter) Logf(format string, args ...any)  {}
func (t *tbAdapter) Errorf(format string, args ...any) {
	panic(tbFailure{fmt.Sprintf(format, args...)})
}

func (t *tbAdapter) cleanup() {
	for i := len(t.cleanups) - 1; i >= 0; i-- {
		t.cleanups[i]()
	}
	t.cleanups = nil
}
