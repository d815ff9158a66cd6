// Package sqlstore implements eccs.Store once, over database/sql, for every SQL database the
// project supports: SQLite (modernc.org/sqlite) and PostgreSQL (pgx's database/sql driver).
// Packages sqlite and postgres open the database, apply their own migrations and pass a Dialect;
// the queries are the same.
//
// The SQL is written to run unchanged on both: $N placeholders, ON CONFLICT, RETURNING, BIGINT
// and TEXT columns, no AUTOINCREMENT and no SQL functions whose behaviour differs. In
// particular:
//
//   - Timestamps are BIGINT unix microseconds in UTC. Microseconds are what PostgreSQL's
//     timestamp keeps and what the domain truncates to (Service.now), integers sort and compare
//     the same everywhere, and no driver gets to apply its own time zone or text format. The
//     zero time.Time is stored as 0 and read back as the zero time.Time (so the instant
//     1970-01-01T00:00:00Z itself cannot be stored).
//   - E-mail and login comparisons without case use the columns email_key and login_key,
//     computed here with strings.ToLower and indexed unique, rather than lower() in SQL, whose
//     Unicode behaviour differs between databases.
//   - A list without a limit omits LIMIT (SQLite writes "LIMIT -1", PostgreSQL "LIMIT ALL").
//   - Offer.SupportLevels is one TEXT column, the levels joined by commas in order (levels are
//     tokens without commas).
//   - Claim.Sealed is stored as standard base64 in a TEXT column: SQLite's BLOB and PostgreSQL's
//     BYTEA are spelled differently, and a migration must stay the same file on both.
//   - AuditEvent.Details is a JSON object of strings in a TEXT column, "{}" for a nil or empty
//     map; both read back as a nil map.
//   - Lists sort by byte order of their text keys. A PostgreSQL schema must declare its text key
//     columns COLLATE "C" to sort as SQLite does.
//
// Driver errors become domain errors through Dialect.Classify; the Store then names the record
// at fault. Messages of the returned *eccs.Error never hold SQL; the driver's error stays in the
// chain for logs.
package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/eccs/eccs/internal/eccs"
)

// Store is an eccs.Store over database/sql. It is safe for concurrent use, except a Store that
// InTx passes to its function, which belongs to that function and its transaction.
type Store struct {
	read    *sql.DB
	write   *sql.DB
	dialect Dialect
	// The hot lookups are prepared once per pool. Inside a transaction they are taken from
	// the write pool's set, since Tx.StmtContext only accepts statements of the Tx's own DB.
	readStmts  *stmtCache
	writeStmts *stmtCache
	tx         *sql.Tx // set on a Store bound to a transaction
}

var _ eccs.Store = (*Store)(nil)

// New returns a Store that reads through read and writes, and runs transactions, through write.
// SQLite passes a pool of one connection as write (SQLite has one writer at a time, and waiting
// in Go is cheaper than retrying on SQLITE_BUSY) and a pool of several as read; PostgreSQL
// passes the same pool twice. The Store does not own the pools: Close closes only what New
// prepared.
func New(read, write *sql.DB, d Dialect) *Store {
	s := &Store{read: read, write: write, dialect: d, writeStmts: newStmtCache(write)}
	s.readStmts = s.writeStmts
	if read != write {
		s.readStmts = newStmtCache(read)
	}
	return s
}

// Close closes the prepared statements. It does not close the pools given to New. Call it on
// the Store that New returned, once nothing uses it any more.
func (s *Store) Close() error {
	err := s.writeStmts.close()
	if s.readStmts != s.writeStmts {
		err = errors.Join(err, s.readStmts.close())
	}
	return err
}

// InTx runs fn in one transaction on the write pool, passing a Store bound to it: fn's reads
// see its own writes, and fn's error (returned as is) or panic rolls everything back. A Store
// already bound to a transaction runs fn in that same transaction: there are no nested
// transactions, so an error that fn returns rolls back only if the outer function returns it
// too. It returns Unavailable when the transaction cannot begin or commit because the database
// is busy or down.
func (s *Store) InTx(ctx context.Context, fn func(tx eccs.Store) error) error {
	if s.tx != nil {
		return fn(s)
	}
	for attempt := 1; ; attempt++ {
		err := s.runTx(ctx, fn)
		if err == nil || s.dialect.Retryable == nil || !s.dialect.Retryable(err) || attempt == maxTxAttempts || ctx.Err() != nil {
			return err
		}
		// A serialization failure or a broken deadlock: the transaction changed nothing, and
		// running it again from the start may well succeed.
	}
}

// maxTxAttempts bounds how often InTx runs a transaction the database refused as retryable.
const maxTxAttempts = 4

// runTx runs fn in one transaction.
func (s *Store) runTx(ctx context.Context, fn func(tx eccs.Store) error) error {
	// Statements are prepared on the write pool now, while no transaction of this Store
	// holds its connection: SQLite's write pool has only one, so preparing on the pool from
	// inside the transaction would wait for ever.
	s.writeStmts.warm(ctx)
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", s.classify(err))
	}
	bound := *s
	bound.tx = tx
	done := false
	defer func() {
		if !done {
			// fn panicked: release the connection before the panic goes on.
			_ = tx.Rollback()
		}
	}()
	err = fn(&bound)
	done = true
	if err != nil {
		_ = tx.Rollback() // fn's error says what went wrong; a failed rollback ends the tx anyway
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit transaction: %w", s.classify(err))
	}
	return nil
}

// Ping reports whether the database answers a query. It returns Unavailable when it does not
// within ctx's deadline.
func (s *Store) Ping(ctx context.Context) error {
	var one int
	if err := s.reader().QueryRowContext(ctx, `SELECT 1`).Scan(&one); err != nil {
		return fmt.Errorf("ping %s: %w", s.dialect.Name, s.classify(err))
	}
	return nil
}

// querier is what *sql.DB and *sql.Tx share.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// reader returns where reads go: the transaction, or the read pool.
func (s *Store) reader() querier {
	if s.tx != nil {
		return s.tx
	}
	if s.dialect.PrepareReads {
		return preparedReader{db: s.read, stmts: s.readStmts}
	}
	return s.read
}

// writer returns where writes go: the transaction, or the write pool.
func (s *Store) writer() querier {
	if s.tx != nil {
		return s.tx
	}
	return s.write
}

// stmt returns the prepared statement id, bound to the transaction if there is one.
func (s *Store) stmt(ctx context.Context, id stmtID) (*sql.Stmt, error) {
	if s.tx != nil {
		if st := s.writeStmts.lookup(id); st != nil {
			return s.tx.StmtContext(ctx, st), nil
		}
		// Not prepared on the pool (InTx's warm-up failed): prepare on the transaction's
		// connection, for this transaction only.
		return s.tx.PrepareContext(ctx, stmtSQL[id])
	}
	return s.readStmts.get(ctx, id)
}

// queryRow runs the prepared statement id and returns its row.
func (s *Store) queryRow(ctx context.Context, id stmtID, args ...any) (*sql.Row, error) {
	st, err := s.stmt(ctx, id)
	if err != nil {
		return nil, err
	}
	return st.QueryRowContext(ctx, args...), nil
}

// transaction runs fn in a transaction, the current one if s is bound to one. Writes of more
// than one statement use it so that they happen whole or not at all.
func (s *Store) transaction(ctx context.Context, fn func(tx *Store) error) error {
	return s.InTx(ctx, func(tx eccs.Store) error { return fn(tx.(*Store)) })
}

// micros converts t to the stored form: unix microseconds, 0 for the zero time.
func micros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

// fromMicros converts a stored timestamp back: UTC, and the zero time for 0.
func fromMicros(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMicro(v).UTC()
}

// usec scans a timestamp column into a time.Time.
type usec struct{ t *time.Time }

func (u usec) Scan(src any) error {
	switch v := src.(type) {
	case int64:
		*u.t = fromMicros(v)
	case nil:
		*u.t = time.Time{}
	default:
		return fmt.Errorf("timestamp column holds a %T, want an integer", src)
	}
	return nil
}
