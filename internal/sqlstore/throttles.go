package sqlstore

import (
	"context"
	"database/sql"
	"errors"

	"github.com/eccs/eccs/internal/eccs"
)

// This file keeps the counters of failed sign-ins.

// Throttle returns subject's counters, or NotFound.
func (s *Store) Throttle(ctx context.Context, subject string) (eccs.Throttle, error) {
	t := eccs.Throttle{Subject: subject}
	var failures, locks int64
	err := s.reader().QueryRowContext(ctx, `SELECT failures, window_start, last_failure_at, locks, locked_until
		FROM signin_throttles WHERE subject = $1`, subject).
		Scan(&failures, usec{&t.WindowStart}, usec{&t.LastFailureAt}, &locks, usec{&t.LockedUntil})
	if errors.Is(err, sql.ErrNoRows) {
		return eccs.Throttle{}, eccs.Errorf(eccs.NotFound, "No failed sign-in is counted for this subject.")
	}
	if err != nil {
		return eccs.Throttle{}, s.readErr("read sign-in failures", err)
	}
	t.Failures, t.Locks = int(failures), int(locks)
	return t, nil
}

// PutThrottle stores or replaces t.
func (s *Store) PutThrottle(ctx context.Context, t eccs.Throttle) error {
	_, err := s.writer().ExecContext(ctx,
		`INSERT INTO signin_throttles (subject, failures, window_start, last_failure_at, locks, locked_until)
		 VALUES ($1, $2, $3, $4, $5, $6)
		 ON CONFLICT (subject) DO UPDATE SET failures = excluded.failures, window_start = excluded.window_start,
		 last_failure_at = excluded.last_failure_at, locks = excluded.locks, locked_until = excluded.locked_until`,
		t.Subject, t.Failures, micros(t.WindowStart), micros(t.LastFailureAt), t.Locks, micros(t.LockedUntil))
	if err != nil {
		return s.writeErr("count a failed sign-in", err, "", "")
	}
	return nil
}

// DeleteThrottle forgets subject's failures.
func (s *Store) DeleteThrottle(ctx context.Context, subject string) error {
	if _, err := s.writer().ExecContext(ctx, `DELETE FROM signin_throttles WHERE subject = $1`, subject); err != nil {
		return s.writeErr("forget sign-in failures", err, "", "")
	}
	return nil
}
