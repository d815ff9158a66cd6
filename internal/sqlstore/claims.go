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

// This file keeps claim links.

const claimColumns = `id, hash, kind, object_id, sealed, created_at, expires_at`

// scanClaim reads a claim row of claimColumns. Sealed comes back nil when it was empty.
func scanClaim(row scanner) (eccs.Claim, error) {
	var c eccs.Claim
	var kind, sealed string
	if err := row.Scan(&c.ID, &c.Hash, &kind, &c.ObjectID, &sealed, usec{&c.CreatedAt}, usec{&c.ExpiresAt}); err != nil {
		return eccs.Claim{}, err
	}
	c.Kind = eccs.ClaimKind(kind)
	if sealed != "" {
		var err error
		if c.Sealed, err = base64.StdEncoding.DecodeString(sealed); err != nil {
			return eccs.Claim{}, fmt.Errorf("claim %s: the stored sealed secret is not base64: %w", c.ID, err)
		}
	}
	return c, nil
}

// noClaim is the NotFound of a claim lookup. The hash is derived from the link's token: it is
// not repeated in the message.
func noClaim() error {
	return eccs.Errorf(eccs.NotFound, "No claim matches: the link is unknown or was already used.")
}

// TakeClaim deletes the claim whose hash is hash and returns it, in one statement (DELETE …
// RETURNING): of concurrent calls, exactly one gets it and the others get NotFound. It takes
// an expired claim too; the caller checks ExpiresAt. Sealed comes back nil when it was empty.
func (s *Store) TakeClaim(ctx context.Context, hash string) (eccs.Claim, error) {
	c, err := scanClaim(s.writer().QueryRowContext(ctx, `DELETE FROM claims WHERE hash = $1 RETURNING `+claimColumns, hash))
	if errors.Is(err, sql.ErrNoRows) {
		return eccs.Claim{}, noClaim()
	}
	if err != nil {
		return eccs.Claim{}, s.writeErr("take claim", err, "", "")
	}
	return c, nil
}

// Claim returns the claim whose hash is hash without taking it, expired or not (the caller
// checks ExpiresAt), or NotFound. Sealed comes back nil when it was empty.
func (s *Store) Claim(ctx context.Context, hash string) (eccs.Claim, error) {
	c, err := scanClaim(s.reader().QueryRowContext(ctx, `SELECT `+claimColumns+` FROM claims WHERE hash = $1`, hash))
	if errors.Is(err, sql.ErrNoRows) {
		return eccs.Claim{}, noClaim()
	}
	if err != nil {
		return eccs.Claim{}, s.readErr("read claim", err)
	}
	return c, nil
}

// DeleteClaims removes the claims that expire at or before t (the rule of RevealClaim, for
// which a claim is gone at its expiry) and returns how many it removed.
func (s *Store) DeleteClaims(ctx context.Context, t time.Time) (int, error) {
	res, err := s.writer().ExecContext(ctx, `DELETE FROM claims WHERE expires_at <= $1`, micros(t))
	if err != nil {
		return 0, s.writeErr("delete expired claims", err, "", "")
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, s.readErr("delete expired claims", err)
	}
	return int(n), nil
}
