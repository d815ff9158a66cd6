// Package schema applies forward-only SQL migrations to a database/sql database. It is shared
// by the SQLite store and the PostgreSQL store, so it uses only SQL both accept.
//
// A migration is a file named NNNN_name.sql (at least four digits, then lower-case letters,
// digits or '_') at the root of an fs.FS, usually an embed.FS passed through fs.Sub. Versions
// start at 1 and have no gaps. The table schema_migrations records each applied file:
//
//	schema_migrations(version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)
//
// where name is the file name and applied_at is in unix microseconds (UTC), like every
// timestamp of the stores. There is no down migration: a release that needs to undo a change
// ships a new migration that undoes it.
package schema

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Migration is one migration file.
type Migration struct {
	Version int64
	Name    string // the file name, such as "0001_init.sql"
	SQL     string
}

const createTable = `CREATE TABLE IF NOT EXISTS schema_migrations (
	version BIGINT PRIMARY KEY,
	name TEXT NOT NULL,
	applied_at BIGINT NOT NULL
)`

var migrationName = regexp.MustCompile(`^([0-9]{4,})_([a-z0-9_]+)\.sql$`)

// Load reads the migrations at the root of fsys, sorted by version. Files that do not end in
// ".sql" and directories are ignored. It fails on a .sql file with a bad name, a version 0, two
// files with the same version, or a gap in the versions.
func Load(fsys fs.FS) ([]Migration, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	var list []Migration
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".sql") {
			continue
		}
		m := migrationName.FindStringSubmatch(e.Name())
		if m == nil {
			return nil, fmt.Errorf("migration %q: the name must be NNNN_name.sql (digits, '_', then lower-case letters, digits or '_')", e.Name())
		}
		version, err := strconv.ParseInt(m[1], 10, 64)
		if err != nil || version < 1 {
			return nil, fmt.Errorf("migration %q: the version must be a number from 1", e.Name())
		}
		body, err := fs.ReadFile(fsys, e.Name())
		if err != nil {
			return nil, fmt.Errorf("read migration %s: %w", e.Name(), err)
		}
		list = append(list, Migration{Version: version, Name: e.Name(), SQL: string(body)})
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Version < list[j].Version })
	for i, m := range list {
		if i > 0 && m.Version == list[i-1].Version {
			return nil, fmt.Errorf("migrations %s and %s have the same version %d", list[i-1].Name, m.Name, m.Version)
		}
		if m.Version != int64(i+1) {
			return nil, fmt.Errorf("migration %s: version %d is missing before it (versions start at 1 without gaps)", m.Name, i+1)
		}
	}
	return list, nil
}

// Pending returns the names of the migrations in fsys that db has not applied yet, in order.
// It changes nothing: it looks inside a transaction that it rolls back. It fails as Load does,
// when the database holds a version that fsys does not have (a newer binary migrated it), and
// when an applied version has another name than its file.
func Pending(ctx context.Context, db *sql.DB, fsys fs.FS) ([]string, error) {
	list, err := Load(fsys)
	if err != nil {
		return nil, err
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("pending migrations: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // the transaction only reads; nothing to keep
	// Creating the table inside the rolled-back transaction lets a fresh database answer
	// "everything is pending" with the same query, without leaving the table behind.
	if _, err := tx.ExecContext(ctx, createTable); err != nil {
		return nil, fmt.Errorf("pending migrations: %w", err)
	}
	applied, err := appliedVersions(ctx, tx)
	if err != nil {
		return nil, err
	}
	if err := checkApplied(list, applied); err != nil {
		return nil, err
	}
	var names []string
	for _, m := range list {
		if _, ok := applied[m.Version]; !ok {
			names = append(names, m.Name)
		}
	}
	return names, nil
}

// Apply runs the migrations in fsys that db has not applied yet, in order, each in its own
// transaction together with its schema_migrations row, and returns the names of those it ran.
// On a failure the migrations before the failing one stay applied. It fails as Pending does.
//
// Apply is safe to run from several processes at once when the database serialises write
// transactions from BEGIN on (SQLite with _txlock=immediate): each migration checks again,
// inside its transaction, that nobody applied it meanwhile. Where it does not (PostgreSQL),
// the caller should hold a lock (pg_advisory_lock) around Apply.
func Apply(ctx context.Context, db *sql.DB, fsys fs.FS) ([]string, error) {
	list, err := Load(fsys)
	if err != nil {
		return nil, err
	}
	if _, err := db.ExecContext(ctx, createTable); err != nil {
		return nil, fmt.Errorf("create schema_migrations: %w", err)
	}
	applied, err := appliedVersions(ctx, db)
	if err != nil {
		return nil, err
	}
	if err := checkApplied(list, applied); err != nil {
		return nil, err
	}
	var done []string
	for _, m := range list {
		if _, ok := applied[m.Version]; ok {
			continue
		}
		ran, err := applyOne(ctx, db, m)
		if err != nil {
			return done, err
		}
		if ran {
			done = append(done, m.Name)
		}
	}
	return done, nil
}

// applyOne runs m and records it in one transaction. It reports false when another process
// applied m between the caller's check and this transaction.
func applyOne(ctx context.Context, db *sql.DB, m Migration) (bool, error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("migration %s: %w", m.Name, err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE version = $1`, m.Version).Scan(&n); err != nil {
		return false, fmt.Errorf("migration %s: %w", m.Name, err)
	}
	if n > 0 {
		return false, nil
	}
	if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
		return false, fmt.Errorf("migration %s: %w", m.Name, err)
	}
	if _, err := tx.ExecContext(ctx,
		`INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)`,
		m.Version, m.Name, time.Now().UnixMicro()); err != nil {
		return false, fmt.Errorf("migration %s: record: %w", m.Name, err)
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("migration %s: commit: %w", m.Name, err)
	}
	return true, nil
}

type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// appliedVersions returns the applied migrations by version.
func appliedVersions(ctx context.Context, q querier) (map[int64]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT version, name FROM schema_migrations`)
	if err != nil {
		return nil, fmt.Errorf("read schema_migrations: %w", err)
	}
	defer rows.Close()
	applied := make(map[int64]string)
	for rows.Next() {
		var v int64
		var name string
		if err := rows.Scan(&v, &name); err != nil {
			return nil, fmt.Errorf("read schema_migrations: %w", err)
		}
		applied[v] = name
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read schema_migrations: %w", err)
	}
	return applied, nil
}

// ErrNewerSchema is returned (wrapped) when the database holds a migration this binary does
// not know: it was migrated by a newer release, and this one must not run on it.
var ErrNewerSchema = errors.New("the database schema is newer than this program")

// checkApplied compares what the database applied with the files.
func checkApplied(list []Migration, applied map[int64]string) error {
	known := make(map[int64]string, len(list))
	for _, m := range list {
		known[m.Version] = m.Name
	}
	var newest int64
	for v, name := range applied {
		file, ok := known[v]
		if !ok {
			newest = max(newest, v)
			continue
		}
		if file != name {
			return fmt.Errorf("migration %d was applied as %q, but this program's file is %q", v, name, file)
		}
	}
	if newest > 0 {
		return fmt.Errorf("%w: it has migration %d (%s), this program knows up to %d; run a newer release",
			ErrNewerSchema, newest, applied[newest], len(list))
	}
	return nil
}
