package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/eccs/eccs/internal/eccs"
)

// This file keeps people's password hashes.

// PasswordHash returns the hash of identityID's password, or NotFound.
func (s *Store) PasswordHash(ctx context.Context, identityID string) (string, error) {
	var hash string
	err := s.reader().QueryRowContext(ctx, `SELECT hash FROM passwords WHERE identity_id = $1`, identityID).Scan(&hash)
	if errors.Is(err, sql.ErrNoRows) {
		return "", eccs.Errorf(eccs.NotFound, "Identity %s has no password.", identityID)
	}
	if err != nil {
		return "", s.readErr("read password of "+identityID, err)
	}
	return hash, nil
}

// SetPasswordHash stores or replaces identityID's password hash. NotFound for an unknown
// identity.
func (s *Store) SetPasswordHash(ctx context.Context, identityID, hash string, at time.Time) error {
	_, err := s.writer().ExecContext(ctx,
		`INSERT INTO passwords (identity_id, hash, changed_at) VALUES ($1, $2, $3)
		 ON CONFLICT (identity_id) DO UPDATE SET hash = excluded.hash, changed_at = excluded.changed_at`,
		identityID, hash, micros(at))
	if err != nil {
		return s.writeErr("set password of "+identityID, err, "", fmt.Sprintf("Identity %s does not exist.", identityID))
	}
	return nil
}
