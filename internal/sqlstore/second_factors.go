package sqlstore

import (
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/eccs/eccs/internal/eccs"
)

// This file keeps people's second factors (sealed TOTP seeds) and recovery codes (hashed).
// SecondFactor.Sealed is stored as standard base64 in a TEXT column, as Claim.Sealed is.

// PutSecondFactor stores or replaces f and removes the person's recovery codes.
func (s *Store) PutSecondFactor(ctx context.Context, f eccs.SecondFactor) error {
	return s.transaction(ctx, func(tx *Store) error {
		if _, err := tx.writer().ExecContext(ctx, `DELETE FROM recovery_codes WHERE identity_id = $1`, f.IdentityID); err != nil {
			return tx.writeErr("remove recovery codes of "+f.IdentityID, err, "", "")
		}
		_, err := tx.writer().ExecContext(ctx,
			`INSERT INTO second_factors (identity_id, sealed, created_at, confirmed_at, last_step) VALUES ($1, $2, $3, $4, $5)
			 ON CONFLICT (identity_id) DO UPDATE SET sealed = excluded.sealed, created_at = excluded.created_at,
			 confirmed_at = excluded.confirmed_at, last_step = excluded.last_step`,
			f.IdentityID, base64.StdEncoding.EncodeToString(f.Sealed), micros(f.CreatedAt), micros(f.ConfirmedAt), f.LastStep)
		if err != nil {
			return tx.writeErr("store second factor of "+f.IdentityID, err, "", fmt.Sprintf("Identity %s does not exist.", f.IdentityID))
		}
		return nil
	})
}

// SecondFactor returns identityID's second factor, or NotFound.
func (s *Store) SecondFactor(ctx context.Context, identityID string) (eccs.SecondFactor, error) {
	f := eccs.SecondFactor{IdentityID: identityID}
	var sealed string
	err := s.reader().QueryRowContext(ctx, `SELECT sealed, created_at, confirmed_at, last_step FROM second_factors WHERE identity_id = $1`, identityID).
		Scan(&sealed, usec{&f.CreatedAt}, usec{&f.ConfirmedAt}, &f.LastStep)
	if errors.Is(err, sql.ErrNoRows) {
		return eccs.SecondFactor{}, eccs.Errorf(eccs.NotFound, "Identity %s has no second factor.", identityID)
	}
	if err != nil {
		return eccs.SecondFactor{}, s.readErr("read second factor of "+identityID, err)
	}
	if f.Sealed, err = base64.StdEncoding.DecodeString(sealed); err != nil {
		return eccs.SecondFactor{}, fmt.Errorf("second factor of %s: the stored seal is not base64: %w", identityID, err)
	}
	return f, nil
}

// ConfirmSecondFactor sets the confirmation time and last step; NotFound if none.
func (s *Store) ConfirmSecondFactor(ctx context.Context, identityID string, at time.Time, step int64) error {
	res, err := s.writer().ExecContext(ctx, `UPDATE second_factors SET confirmed_at = $2, last_step = $3 WHERE identity_id = $1`,
		identityID, micros(at), step)
	if err != nil {
		return s.writeErr("confirm second factor of "+identityID, err, "", "")
	}
	return s.mustAffect(res, "confirm second factor of "+identityID, fmt.Sprintf("Identity %s has no second factor.", identityID))
}

// UseTOTPStep records step if it is later than the last accepted one, in one statement:
// Conflict when it is not, NotFound when there is no second factor.
func (s *Store) UseTOTPStep(ctx context.Context, identityID string, step int64) error {
	res, err := s.writer().ExecContext(ctx, `UPDATE second_factors SET last_step = $2 WHERE identity_id = $1 AND last_step < $2`,
		identityID, step)
	if err != nil {
		return s.writeErr("use a code of "+identityID, err, "", "")
	}
	if n, err := affected(s, res, "use a code of "+identityID); err != nil || n == 1 {
		return err
	}
	if _, err := s.SecondFactor(ctx, identityID); err != nil {
		return err
	}
	return eccs.Errorf(eccs.Conflict, "This code was already used.")
}

// DeleteSecondFactor removes identityID's second factor and recovery codes.
func (s *Store) DeleteSecondFactor(ctx context.Context, identityID string) error {
	return s.transaction(ctx, func(tx *Store) error {
		for _, q := range []string{`DELETE FROM recovery_codes WHERE identity_id = $1`, `DELETE FROM second_factors WHERE identity_id = $1`} {
			if _, err := tx.writer().ExecContext(ctx, q, identityID); err != nil {
				return tx.writeErr("remove second factor of "+identityID, err, "", "")
			}
		}
		return nil
	})
}

// AddRecoveryCodes stores the hashes of new recovery codes of identityID.
func (s *Store) AddRecoveryCodes(ctx context.Context, identityID string, hashes []string, at time.Time) error {
	return s.transaction(ctx, func(tx *Store) error {
		for _, h := range hashes {
			_, err := tx.writer().ExecContext(ctx, `INSERT INTO recovery_codes (identity_id, hash, created_at, used_at) VALUES ($1, $2, $3, 0)`,
				identityID, h, micros(at))
			if err != nil {
				return tx.writeErr("add recovery codes of "+identityID, err, "A recovery code is there twice.",
					fmt.Sprintf("Identity %s does not exist.", identityID))
			}
		}
		return nil
	})
}

// UseRecoveryCode marks an unused code used, in one statement; NotFound if there is none.
func (s *Store) UseRecoveryCode(ctx context.Context, identityID, hash string, at time.Time) error {
	res, err := s.writer().ExecContext(ctx, `UPDATE recovery_codes SET used_at = $3 WHERE identity_id = $1 AND hash = $2 AND used_at = 0`,
		identityID, hash, micros(at))
	if err != nil {
		return s.writeErr("use a recovery code of "+identityID, err, "", "")
	}
	return s.mustAffect(res, "use a recovery code of "+identityID, "No such unused recovery code.")
}

// RecoveryCodesLeft counts identityID's unused recovery codes.
func (s *Store) RecoveryCodesLeft(ctx context.Context, identityID string) (int, error) {
	var n int
	err := s.reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM recovery_codes WHERE identity_id = $1 AND used_at = 0`, identityID).Scan(&n)
	if err != nil {
		return 0, s.readErr("count recovery codes of "+identityID, err)
	}
	return n, nil
}
