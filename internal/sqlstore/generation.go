package sqlstore

import (
	"context"
	"database/sql"
	"errors"
)

// This file keeps the change generation, the counter that tells processes their caches are stale.

// Generation returns the change generation (the counter named "generation"), 0 before the
// first change.
func (s *Store) Generation(ctx context.Context) (int64, error) {
	var v int64
	err := s.reader().QueryRowContext(ctx, `SELECT value FROM counters WHERE name = 'generation'`).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, s.readErr("read the change generation", err)
	}
	return v, nil
}

// BumpGeneration increments the change generation.
func (s *Store) BumpGeneration(ctx context.Context) error {
	_, err := s.writer().ExecContext(ctx,
		`INSERT INTO counters (name, value) VALUES ('generation', 1) ON CONFLICT (name) DO UPDATE SET value = counters.value + 1`)
	if err != nil {
		return s.writeErr("bump the change generation", err, "", "")
	}
	return nil
}
