package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/eccs/eccs/internal/eccs"
)

// This file keeps API keys.

const (
	apiKeyColumns = `id, account_id, hash, prefix, created_at, expires_at, revoked_at, last_used_at, last_used_from, replaced_by`
	apiKeySelect  = `SELECT ` + apiKeyColumns + ` FROM api_keys`
)

// CreateAPIKey stores k. It returns Conflict if the id or the hash is taken, and NotFound if
// the account does not exist.
func (s *Store) CreateAPIKey(ctx context.Context, k eccs.APIKey) error {
	_, err := s.writer().ExecContext(ctx,
		`INSERT INTO api_keys (id, account_id, hash, prefix, created_at, expires_at, revoked_at, last_used_at, last_used_from, replaced_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		k.ID, k.AccountID, k.Hash, k.Prefix, micros(k.CreatedAt), micros(k.ExpiresAt), micros(k.RevokedAt),
		micros(k.LastUsedAt), k.LastUsedFrom, k.ReplacedBy)
	if err != nil {
		err = s.classify(err)
		conflict := fmt.Sprintf("API key %s already exists.", k.ID)
		if violates(err, "hash") {
			conflict = fmt.Sprintf("Another API key has the same hash as API key %s.", k.ID)
		}
		return s.writeErr("create API key "+k.ID, err, conflict,
			fmt.Sprintf("API key %s names account %s, which does not exist.", k.ID, k.AccountID))
	}
	return nil
}

// APIKeyByHash returns the API key whose hash is hash, or NotFound.
func (s *Store) APIKeyByHash(ctx context.Context, hash string) (eccs.APIKey, error) {
	row, err := s.queryRow(ctx, stmtAPIKeyByHash, hash)
	if err != nil {
		return eccs.APIKey{}, s.readErr("find API key", err)
	}
	k, err := scanAPIKey(row)
	if errors.Is(err, sql.ErrNoRows) {
		// The hash is derived from a secret: it is not repeated in the message.
		return eccs.APIKey{}, eccs.Errorf(eccs.NotFound, "No API key matches.")
	}
	if err != nil {
		return eccs.APIKey{}, s.readErr("find API key", err)
	}
	return k, nil
}

func scanAPIKey(row scanner) (eccs.APIKey, error) {
	var k eccs.APIKey
	err := row.Scan(&k.ID, &k.AccountID, &k.Hash, &k.Prefix, usec{&k.CreatedAt}, usec{&k.ExpiresAt},
		usec{&k.RevokedAt}, usec{&k.LastUsedAt}, &k.LastUsedFrom, &k.ReplacedBy)
	return k, err
}

// APIKey returns the API key id, or NotFound.
func (s *Store) APIKey(ctx context.Context, id string) (eccs.APIKey, error) {
	k, err := scanAPIKey(s.reader().QueryRowContext(ctx, apiKeySelect+` WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return eccs.APIKey{}, eccs.Errorf(eccs.NotFound, "API key %s does not exist.", id)
	}
	if err != nil {
		return eccs.APIKey{}, s.readErr("read API key "+id, err)
	}
	return k, nil
}

// APIKeys returns one page of the API keys f selects, sorted by expiry then id, and how many
// it selects in all. Without IncludeInactive it leaves out the keys revoked at or before
// f.Now and those that expire at or before f.Now (as the domain refuses them), and then
// f.Now must be set: a zero Now fails with Internal. ExpiringBefore selects the keys whose
// expiry is strictly before it.
func (s *Store) APIKeys(ctx context.Context, f eccs.APIKeyFilter) ([]eccs.APIKey, int, error) {
	var c conds
	if f.AccountID != "" {
		c.add(`account_id = %s`, f.AccountID)
	}
	if !f.ExpiringBefore.IsZero() {
		c.add(`expires_at < %s`, micros(f.ExpiringBefore))
	}
	if !f.IncludeInactive {
		if f.Now.IsZero() {
			return nil, 0, eccs.Errorf(eccs.Internal, "A list of active API keys needs the time at which they are active.")
		}
		now := micros(f.Now)
		c.add(`expires_at > %s`, now)
		c.add(`(revoked_at = 0 OR revoked_at > %s)`, now)
	}
	return queryPage(ctx, s, "API keys", apiKeyColumns, "api_keys", "expires_at, id", c, f.Page, scanAPIKey)
}

// UpdateAPIKey replaces the expiry, revocation time and successor of API key
// k.ID. It returns NotFound if there is none.
func (s *Store) UpdateAPIKey(ctx context.Context, k eccs.APIKey) error {
	res, err := s.writer().ExecContext(ctx,
		`UPDATE api_keys SET expires_at = $2, revoked_at = $3, replaced_by = $4 WHERE id = $1`,
		k.ID, micros(k.ExpiresAt), micros(k.RevokedAt), k.ReplacedBy)
	if err != nil {
		return s.writeErr("update API key "+k.ID, err, "", "")
	}
	return s.mustAffect(res, "update API key "+k.ID, fmt.Sprintf("API key %s does not exist.", k.ID))
}

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
