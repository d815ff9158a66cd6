package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"strings"

	"github.com/eccs/eccs/internal/eccs"
)

// Dialect is what differs between the databases a Store runs on.
type Dialect struct {
	// Name names the database in error context ("sqlite", "postgres").
	Name string
	// Classify turns a driver error into a domain error: ConflictError for a unique or
	// primary key violation, MissingReferenceError for a foreign key violation,
	// UnavailableError for a database that is busy or locked past its timeout or whose
	// connection died, NoSpaceError for a full disk; anything else it returns unchanged. A
	// nil Classify returns every error unchanged. Whatever the dialect, the Store also
	// treats context.DeadlineExceeded, driver.ErrBadConn and sql.ErrConnDone as Unavailable.
	Classify func(err error) error
	// Retryable reports whether a transaction that failed with err may succeed if run again
	// from the start (PostgreSQL: a serialization failure or a broken deadlock); InTx then
	// runs it again, a few times at most. Nil: never.
	Retryable func(err error) bool
	// PrepareReads keeps a prepared statement for each read the Store builds at run time
	// (lists), on its read pool. SQLite wants it: compiling a list's query costs more than
	// running it. pgx caches prepared statements per connection by itself.
	PrepareReads bool
	// SkipLocked is appended to the SELECT that picks rows to claim (queued mails): on
	// PostgreSQL " FOR UPDATE SKIP LOCKED", so that replicas claiming at once neither wait for
	// nor take each other's rows. Empty on SQLite, whose single writer claims alone.
	SkipLocked string
}

// dbError is a domain error caused by a driver error: callers see the *eccs.Error (errors.As
// finds it first), logs see both.
type dbError struct {
	domain *eccs.Error
	cause  error
}

func (e *dbError) Error() string   { return e.domain.Message + " (" + e.cause.Error() + ")" }
func (e *dbError) Unwrap() []error { return []error{e.domain, e.cause} }

// ConflictError returns the error a Dialect's Classify gives for a unique or primary key
// violation: a Conflict *eccs.Error with a generic sentence, which the Store replaces with one
// naming the record, and cause kept in the chain.
func ConflictError(cause error) error {
	return &dbError{domain: &eccs.Error{Code: eccs.Conflict, Message: "A record with the same key already exists."}, cause: cause}
}

// MissingReferenceError returns the error a Dialect's Classify gives for a foreign key
// violation: a NotFound *eccs.Error, since the row refers to one that does not exist.
func MissingReferenceError(cause error) error {
	return &dbError{domain: &eccs.Error{Code: eccs.NotFound, Message: "A record it refers to does not exist."}, cause: cause}
}

// UnavailableError returns the error a Dialect's Classify gives when the database is busy,
// locked past its timeout, or unreachable: an Unavailable *eccs.Error, so callers retry later.
func UnavailableError(cause error) error {
	return &dbError{domain: &eccs.Error{Code: eccs.Unavailable, Message: "The database is busy or unreachable; retry later."}, cause: cause}
}

// NoSpaceError returns the error a Dialect's Classify gives when the database could not write
// for want of disk space (SQLite's SQLITE_FULL, PostgreSQL's disk_full): Unavailable with
// eccs.ReasonNoSpace. The transaction changed nothing.
func NoSpaceError(cause error) error {
	return &dbError{domain: &eccs.Error{Code: eccs.Unavailable, Reason: eccs.ReasonNoSpace,
		Message: "The database has no disk space left; nothing was stored."}, cause: cause}
}

// classify turns a driver error into a domain error where the dialect or the connection state
// says which; other errors come back unchanged (and count as Internal).
func (s *Store) classify(err error) error {
	if err == nil {
		return nil
	}
	var e *eccs.Error
	if errors.As(err, &e) {
		return err
	}
	if s.dialect.Classify != nil {
		err = s.dialect.Classify(err)
		if errors.As(err, &e) {
			return err
		}
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, driver.ErrBadConn) || errors.Is(err, sql.ErrConnDone) {
		return UnavailableError(err)
	}
	return err
}

// readErr wraps the error of a read with what was being read.
func (s *Store) readErr(op string, err error) error {
	return fmt.Errorf("%s: %w", op, s.classify(err))
}

// writeErr wraps the error of a write with what was being written. conflict and missing, when
// not empty, replace the generic sentence of a Conflict or NotFound error with one that names
// the record.
func (s *Store) writeErr(op string, err error, conflict, missing string) error {
	err = s.classify(err)
	var de *dbError
	if errors.As(err, &de) {
		msg := ""
		switch de.domain.Code {
		case eccs.Conflict:
			msg = conflict
		case eccs.NotFound:
			msg = missing
		}
		if msg != "" {
			err = &dbError{domain: &eccs.Error{Code: de.domain.Code, Message: msg}, cause: de.cause}
		}
	}
	return fmt.Errorf("%s: %w", op, err)
}

// violates reports whether a Conflict error was raised by the unique index or column named
// name. Both SQLite ("UNIQUE constraint failed: identities.email_key") and PostgreSQL
// ("violates unique constraint \"identities_email_key\"") name it in the message, provided the
// index's name contains the column's.
func violates(err error, name string) bool {
	var de *dbError
	return errors.As(err, &de) && de.domain.Code == eccs.Conflict && strings.Contains(de.cause.Error(), name)
}

// mustAffect returns NotFound with message missing when an UPDATE or DELETE matched no row.
func (s *Store) mustAffect(res sql.Result, op, missing string) error {
	n, err := res.RowsAffected()
	if err != nil {
		return s.readErr(op, err)
	}
	if n == 0 {
		return eccs.Errorf(eccs.NotFound, "%s", missing)
	}
	return nil
}
