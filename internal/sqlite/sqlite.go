// Package sqlite is the embedded store of eccs: eccs.Store on one SQLite database file, through
// the pure-Go modernc.org/sqlite driver. The queries and the migrations are package
// sqlstore's (one set serves SQLite and PostgreSQL); this package opens the file with the right
// settings, classifies SQLite's errors and applies the migrations through package schema.
//
// A Store holds two pools on the same file. The write pool has one connection: SQLite allows one
// writer at a time, and queueing writers in Go is cheaper and fairer than letting them collide
// on the file lock. Its transactions begin with BEGIN IMMEDIATE (_txlock=immediate), so they
// take the write lock at once and wait for it under busy_timeout, instead of failing when a
// read lock cannot be upgraded. The read pool has several connections, all read-only
// (query_only), which in WAL mode read a consistent snapshot while the writer works.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/eccs/eccs/internal/eccs"
	"github.com/eccs/eccs/internal/schema"
	"github.com/eccs/eccs/internal/sqlstore"
)

// DefaultBusyTimeout is how long a statement waits for a lock another connection holds before
// it fails with Unavailable.
const DefaultBusyTimeout = 5 * time.Second

// Options tunes Open. Zero values take the defaults.
type Options struct {
	// BusyTimeout is how long a write waits for the database lock (default DefaultBusyTimeout).
	BusyTimeout time.Duration
	// ReadConns is the size of the read pool (default max(4, GOMAXPROCS)).
	ReadConns int
}

// Store is eccs.Store on a SQLite file, plus what operating it needs (migrations, integrity
// check, Close). It is safe for concurrent use.
type Store struct {
	*sqlstore.Store
	read  *sql.DB
	write *sql.DB
}

var _ eccs.Store = (*Store)(nil)

// Open opens the database file at path, creating it if missing (its directory must exist),
// in WAL mode with foreign keys enforced and synchronous=NORMAL. It does not migrate: call
// PendingMigrations to check the schema, Migrate to bring it up to date. It fails if the file
// cannot be opened or is not a SQLite database.
func Open(ctx context.Context, path string, opts Options) (*Store, error) {
	if opts.BusyTimeout <= 0 {
		opts.BusyTimeout = DefaultBusyTimeout
	}
	if opts.ReadConns <= 0 {
		opts.ReadConns = max(4, runtime.GOMAXPROCS(0))
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	// A new database file is made readable by its owner only; SQLite gives its -wal and -shm
	// files the same mode.
	if f, err := os.OpenFile(abs, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600); err == nil {
		f.Close()
	} else if !errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	base := "file:" + (&url.URL{Path: abs}).EscapedPath() + "?" + pragmas(opts.BusyTimeout)

	write, err := sql.Open("sqlite", base+"&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxIdleTime(0)
	write.SetConnMaxLifetime(0)
	// The writer connects first: it creates the file and switches it to WAL before any
	// read-only connection, which could not, opens it.
	if err := write.PingContext(ctx); err != nil {
		write.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, classify(err))
	}

	read, err := sql.Open("sqlite", base+"&_pragma=query_only(1)")
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	read.SetMaxOpenConns(opts.ReadConns)
	read.SetMaxIdleConns(opts.ReadConns)
	read.SetConnMaxIdleTime(0)
	read.SetConnMaxLifetime(0)
	if err := read.PingContext(ctx); err != nil {
		write.Close()
		read.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, classify(err))
	}

	return &Store{Store: sqlstore.New(read, write, sqlstore.Dialect{Name: "sqlite", Classify: classify, PrepareReads: true}), read: read, write: write}, nil
}

// pragmas returns the DSN query that every connection applies when it opens.
func pragmas(busy time.Duration) string {
	q := []string{
		"busy_timeout(" + strconv.FormatInt(busy.Milliseconds(), 10) + ")",
		"journal_mode(WAL)",
		"foreign_keys(1)",
		"synchronous(NORMAL)",
	}
	for i, p := range q {
		q[i] = "_pragma=" + url.QueryEscape(p)
	}
	return strings.Join(q, "&")
}

// Close closes the prepared statements and both pools.
func (s *Store) Close() error {
	return errors.Join(s.Store.Close(), s.read.Close(), s.write.Close())
}

// DB returns the write pool (one connection), for tests and maintenance. A caller holding its
// connection blocks every write of the Store.
func (s *Store) DB() *sql.DB { return s.write }

// Migrate applies the pending migrations and returns their names; none when the schema is up
// to date. It fails, changing nothing, if the database was migrated by a newer release.
func (s *Store) Migrate(ctx context.Context) ([]string, error) {
	applied, err := schema.Apply(ctx, s.write, sqlstore.Migrations())
	if err != nil {
		return applied, fmt.Errorf("migrate sqlite: %w", err)
	}
	return applied, nil
}

// PendingMigrations returns the names of the migrations the database lacks, without applying
// them. It fails if the database was migrated by a newer release.
func (s *Store) PendingMigrations(ctx context.Context) ([]string, error) {
	pending, err := schema.Pending(ctx, s.write, sqlstore.Migrations())
	if err != nil {
		return nil, fmt.Errorf("check sqlite schema: %w", err)
	}
	return pending, nil
}

// IntegrityCheck runs PRAGMA integrity_check and PRAGMA foreign_key_check and returns an error
// listing what they found, if anything.
func (s *Store) IntegrityCheck(ctx context.Context) error {
	rows, err := s.write.QueryContext(ctx, `PRAGMA integrity_check`)
	if err != nil {
		return fmt.Errorf("integrity check: %w", err)
	}
	var problems []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			rows.Close()
			return fmt.Errorf("integrity check: %w", err)
		}
		if line != "ok" {
			problems = append(problems, line)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("integrity check: %w", err)
	}

	rows, err = s.write.QueryContext(ctx, `PRAGMA foreign_key_check`)
	if err != nil {
		return fmt.Errorf("foreign key check: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		// table, rowid, referenced table, index of the foreign key
		var table, parent string
		var rowid sql.NullInt64
		var fkid int64
		if err := rows.Scan(&table, &rowid, &parent, &fkid); err != nil {
			return fmt.Errorf("foreign key check: %w", err)
		}
		problems = append(problems, fmt.Sprintf("row %d of %s refers to a missing row of %s", rowid.Int64, table, parent))
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("foreign key check: %w", err)
	}
	if len(problems) > 0 {
		return fmt.Errorf("sqlite integrity: %s", strings.Join(problems, "; "))
	}
	return nil
}

// classify turns SQLite's errors into domain errors (see sqlstore.Dialect).
func classify(err error) error {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return err
	}
	switch se.Code() {
	case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		return sqlstore.ConflictError(err)
	case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
		return sqlstore.MissingReferenceError(err)
	}
	// The primary code is the low byte of the extended one (SQLITE_BUSY_SNAPSHOT is a BUSY).
	switch se.Code() & 0xff {
	case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
		return sqlstore.UnavailableError(err)
	case sqlite3.SQLITE_FULL: // the disk is full; the write was rolled back
		return sqlstore.NoSpaceError(err)
	}
	return err
}
