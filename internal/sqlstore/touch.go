package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// TouchAPIKey sets the last use of key id and nothing else, so that it never undoes a
// revocation or rotation written meanwhile. It returns NotFound if there is no such key.
func (s *Store) TouchAPIKey(ctx context.Context, id string, at time.Time, from string) error {
	res, err := s.writer().ExecContext(ctx,
		`UPDATE api_keys SET last_used_at = $2, last_used_from = $3 WHERE id = $1`, id, micros(at), from)
	if err != nil {
		return s.writeErr("record the use of API key "+id, err, "", "")
	}
	return s.mustAffect(res, "record the use of API key "+id, fmt.Sprintf("API key %s does not exist.", id))
}

// TouchOperatorToken sets the last use of operator token id and nothing else. It returns
// NotFound if there is no such token.
func (s *Store) TouchOperatorToken(ctx context.Context, id string, at time.Time) error {
	res, err := s.writer().ExecContext(ctx,
		`UPDATE operator_tokens SET last_used_at = $2 WHERE id = $1`, id, micros(at))
	if err != nil {
		return s.writeErr("record the use of operator token "+id, err, "", "")
	}
	return s.mustAffect(res, "record the use of operator token "+id, fmt.Sprintf("Operator token %s does not exist.", id))
}

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
