package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/eccs/eccs/internal/eccs"
	"github.com/eccs/eccs/internal/fileblob"
	"github.com/eccs/eccs/internal/postgres"
	"github.com/eccs/eccs/internal/s3blob"
	"github.com/eccs/eccs/internal/sqlite"
)

// database is a Store whose schema the server manages.
type database interface {
	eccs.Store
	Migrate(ctx context.Context) ([]string, error)
	PendingMigrations(ctx context.Context) ([]string, error)
	// DB is the database underneath, for the whole-database operations of migrate-data.
	DB() *sql.DB
	Close() error
}

// openDatabase opens the database a URL names. Schemes: sqlite:///abs/path.db or
// sqlite://rel/path.db (query: busy_timeout=5s), postgres://user:password@host/db (or
// postgresql://; pgx's parameters, plus statement_timeout). A SQLite file is created only when
// create is set (migrations will follow); otherwise a missing one is an error that says what to
// do.
func openDatabase(ctx context.Context, rawURL string, create bool) (database, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("database URL %s cannot be parsed", redactURL(rawURL))
	}
	switch u.Scheme {
	case "sqlite":
		path := u.Host + u.Path
		if path == "" {
			return nil, fmt.Errorf("database URL %q names no file; write sqlite:///path/to/eccs.db", rawURL)
		}
		var opts sqlite.Options
		if v := u.Query().Get("busy_timeout"); v != "" {
			d, err := time.ParseDuration(v)
			if err != nil || d < 0 {
				return nil, fmt.Errorf("database URL %q: busy_timeout %q is not a duration such as 5s", rawURL, v)
			}
			opts.BusyTimeout = d
		}
		if _, err := os.Stat(path); !create && errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("there is no database at %s: create it with `eccsd migrate`, or start with --migrate", path)
		}
		return sqlite.Open(ctx, path, opts)
	case "postgres", "postgresql":
		return postgres.Open(ctx, rawURL, postgres.Options{})
	}
	return nil, fmt.Errorf("database URL %q: unknown scheme %q (supported: sqlite, postgres)", redactURL(rawURL), u.Scheme)
}

// openBlobs opens the document store a URL names. Schemes: file:///abs/dir or file://rel/dir,
// s3://bucket[/prefix]?endpoint=https://host&region=… (credentials from AWS_ACCESS_KEY_ID and
// AWS_SECRET_ACCESS_KEY).
func openBlobs(ctx context.Context, rawURL string) (eccs.BlobStore, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("blob URL %q: %w", rawURL, err)
	}
	switch u.Scheme {
	case "file":
		dir := u.Host + u.Path
		if dir == "" {
			return nil, fmt.Errorf("blob URL %q names no directory; write file:///path/to/documents", rawURL)
		}
		return fileblob.Open(dir)
	case "s3":
		return s3blob.Open(ctx, rawURL)
	}
	return nil, fmt.Errorf("blob URL %q: unknown scheme %q (supported: file, s3)", rawURL, u.Scheme)
}

// sqliteURL is the URL of a SQLite file, absolute so that it means the same from anywhere.
func sqliteURL(path string) string {
	abs, err := filepath.Abs(path)
	if err == nil {
		path = abs
	}
	return "sqlite://" + filepath.ToSlash(path)
}

// fileURL is the URL of a directory, absolute.
func fileURL(dir string) string {
	abs, err := filepath.Abs(dir)
	if err == nil {
		dir = abs
	}
	return "file://" + filepath.ToSlash(dir)
}

// redactURL hides a URL's password for logs.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}
