// Package postgres opens the eccs Store on PostgreSQL (or a PostgreSQL-compatible distributed
// SQL database): the SQL of package sqlstore on the pgx driver, with the same migrations as
// SQLite. Several eccsd replicas share one database; the contract number counter, unique keys
// and transactions keep them consistent.
package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/eccs/eccs/internal/eccs"
	"github.com/eccs/eccs/internal/schema"
	"github.com/eccs/eccs/internal/sqlstore"
)

// Options tunes the connection pool. Zero values take the defaults.
type Options struct {
	// MaxConns bounds the connections of this process (default 20). Size it so that every
	// replica's MaxConns together stay under the server's max_connections.
	MaxConns int
	// StatementTimeout bounds every statement on the server (default 10 s), so that a call
	// never hangs on a stuck query: it fails with Unavailable instead. A statement_timeout in
	// the URL wins. Connections also wait no longer than it plus 2 s for the server to connect,
	// read or write, so that a server that stops answering (frozen, or cut off by the network)
	// fails calls too instead of holding them; with statement_timeout 0 (none), they wait.
	StatementTimeout time.Duration
}

// Store is eccs.Store on PostgreSQL, plus what operating it needs.
type Store struct {
	*sqlstore.Store
	db *sql.DB
}

var _ eccs.Store = (*Store)(nil)

// Open connects to the database of a postgres:// (or postgresql://) URL and checks that it
// answers. It does not migrate: see Migrate.
func Open(ctx context.Context, rawURL string, opts Options) (*Store, error) {
	if opts.MaxConns <= 0 {
		opts.MaxConns = 20
	}
	if opts.StatementTimeout <= 0 {
		opts.StatementTimeout = 10 * time.Second
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	q := u.Query()
	statementTimeout := opts.StatementTimeout
	if v := q.Get("statement_timeout"); v == "" {
		// pgx sends unknown URL parameters as run-time parameters of every connection.
		q.Set("statement_timeout", fmt.Sprint(opts.StatementTimeout.Milliseconds()))
	} else if d, ok := parseStatementTimeout(v); ok {
		statementTimeout = d
	} else {
		statementTimeout = 0 // a value PostgreSQL may read otherwise: no bound is safer than a wrong one
	}
	u.RawQuery = q.Encode()
	cfg, err := pgx.ParseConfig(u.String())
	if err != nil {
		return nil, fmt.Errorf("open postgres %s: %w", u.Redacted(), err)
	}
	if statementTimeout > 0 {
		cfg.DialFunc = boundDial(cfg.DialFunc, cfg.ConnectTimeout, statementTimeout+boundMargin)
	}
	db := stdlib.OpenDB(*cfg)
	db.SetMaxOpenConns(opts.MaxConns)
	db.SetMaxIdleConns(opts.MaxConns)
	db.SetConnMaxIdleTime(5 * time.Minute)
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.PingContext(pingCtx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open postgres %s: %w", u.Redacted(), classify(err))
	}
	store := sqlstore.New(db, db, sqlstore.Dialect{Name: "postgres", Classify: classify, Retryable: retryable, SkipLocked: " FOR UPDATE SKIP LOCKED"})
	return &Store{Store: store, db: db}, nil
}

// Close closes the prepared statements and the pool.
func (s *Store) Close() error { return errors.Join(s.Store.Close(), s.db.Close()) }

// DB returns the pool, for tests and maintenance.
func (s *Store) DB() *sql.DB { return s.db }

// migrationLock is the key of the advisory lock Migrate holds: replicas that start at once
// migrate one after the other, and the later ones find nothing to do.
const migrationLock = 0x65636373 // "eccs"

// Migrate applies the pending migrations and returns their names; none when the schema is up
// to date. It fails, changing nothing, if the database was migrated by a newer release.
func (s *Store) Migrate(ctx context.Context) ([]string, error) {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrate postgres: %w", classify(err))
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, migrationLock); err != nil {
		return nil, fmt.Errorf("migrate postgres: take the migration lock: %w", classify(err))
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, migrationLock)
	applied, err := schema.Apply(ctx, s.db, Migrations())
	if err != nil {
		return applied, fmt.Errorf("migrate postgres: %w", err)
	}
	return applied, nil
}

// PendingMigrations returns the names of the migrations the database lacks, without applying
// them. It fails if the database was migrated by a newer release.
func (s *Store) PendingMigrations(ctx context.Context) ([]string, error) {
	pending, err := schema.Pending(ctx, s.db, Migrations())
	if err != nil {
		return nil, fmt.Errorf("check postgres schema: %w", err)
	}
	return pending, nil
}

// Migrations returns the shared migrations (sqlstore.Migrations) as PostgreSQL runs them:
// every TEXT column collates "C", so that lists sort by byte order, as on SQLite, whatever
// the database's default collation.
func Migrations() fs.FS { return collated{sqlstore.Migrations()} }

var textType = regexp.MustCompile(`\bTEXT\b`)

type collated struct{ fs.FS }

func (c collated) Open(name string) (fs.File, error) { return c.FS.Open(name) }

func (c collated) ReadFile(name string) ([]byte, error) {
	b, err := fs.ReadFile(c.FS, name)
	if err != nil || !strings.HasSuffix(name, ".sql") {
		return b, err
	}
	return textType.ReplaceAll(b, []byte(`TEXT COLLATE "C"`)), nil
}

func (c collated) ReadDir(name string) ([]fs.DirEntry, error) { return fs.ReadDir(c.FS, name) }

// classify turns PostgreSQL's errors into domain errors (see sqlstore.Dialect).
func classify(err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch {
		case pe.Code == "23505": // unique_violation
			return sqlstore.ConflictError(err)
		case pe.Code == "23503": // foreign_key_violation
			return sqlstore.MissingReferenceError(err)
		case pe.Code == "53100": // disk_full
			return sqlstore.NoSpaceError(err)
		case retryableCode(pe.Code),
			pe.Code == "57014",                                         // query_canceled: the statement timeout
			pe.Code == "53300",                                         // too_many_connections
			pe.Code == "57P01", pe.Code == "57P02", pe.Code == "57P03", // the server is shutting down or starting
			strings.HasPrefix(pe.Code, "08"): // connection exceptions
			return sqlstore.UnavailableError(err)
		}
		return err
	}
	if pgconn.SafeToRetry(err) || pgconn.Timeout(err) || isConnectError(err) {
		return sqlstore.UnavailableError(err)
	}
	return err
}

// retryable reports whether a failed transaction may succeed if run again from the start:
// a serialization failure or a deadlock the server broke.
func retryable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && retryableCode(pe.Code)
}

func retryableCode(code string) bool { return code == "40001" || code == "40P01" }

func isConnectError(err error) bool {
	var ce *pgconn.ConnectError
	return errors.As(err, &ce)
}
