package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/eccs/eccs/internal/eccs"
)

// This file keeps passkeys and the WebAuthn ceremonies under way. Passkey.Credential and
// Ceremony.Data are JSON, stored as TEXT.

// CreatePasskey stores p; Conflict if its id is taken, NotFound for an unknown identity.
func (s *Store) CreatePasskey(ctx context.Context, p eccs.Passkey) error {
	_, err := s.writer().ExecContext(ctx,
		`INSERT INTO passkeys (id, identity_id, name, credential, created_at, last_used_at) VALUES ($1, $2, $3, $4, $5, $6)`,
		p.ID, p.IdentityID, p.Name, string(p.Credential), micros(p.CreatedAt), micros(p.LastUsedAt))
	if err != nil {
		return s.writeErr("create passkey", err, "This passkey is already registered.", fmt.Sprintf("Identity %s does not exist.", p.IdentityID))
	}
	return nil
}

func scanPasskey(row scanner) (eccs.Passkey, error) {
	var p eccs.Passkey
	var cred string
	err := row.Scan(&p.ID, &p.IdentityID, &p.Name, &cred, usec{&p.CreatedAt}, usec{&p.LastUsedAt})
	p.Credential = []byte(cred)
	return p, err
}

const passkeySelect = `SELECT id, identity_id, name, credential, created_at, last_used_at FROM passkeys`

// Passkey returns passkey id, or NotFound.
func (s *Store) Passkey(ctx context.Context, id string) (eccs.Passkey, error) {
	p, err := scanPasskey(s.reader().QueryRowContext(ctx, passkeySelect+` WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return eccs.Passkey{}, eccs.Errorf(eccs.NotFound, "This passkey is not registered.")
	}
	if err != nil {
		return eccs.Passkey{}, s.readErr("read passkey", err)
	}
	return p, nil
}

// Passkeys returns identityID's passkeys, oldest first.
func (s *Store) Passkeys(ctx context.Context, identityID string) ([]eccs.Passkey, error) {
	return queryList(ctx, s, "list passkeys", passkeySelect+` WHERE identity_id = $1 ORDER BY created_at, id`, []any{identityID}, scanPasskey)
}

// UsePasskey replaces the credential (its counter) and last use of passkey id; NotFound if none.
func (s *Store) UsePasskey(ctx context.Context, id string, credential []byte, at time.Time) error {
	res, err := s.writer().ExecContext(ctx, `UPDATE passkeys SET credential = $2, last_used_at = $3 WHERE id = $1`, id, string(credential), micros(at))
	if err != nil {
		return s.writeErr("use passkey", err, "", "")
	}
	return s.mustAffect(res, "use passkey", "This passkey is not registered.")
}

// DeletePasskey removes passkey id of identityID; NotFound if identityID has none of that id.
func (s *Store) DeletePasskey(ctx context.Context, identityID, id string) error {
	res, err := s.writer().ExecContext(ctx, `DELETE FROM passkeys WHERE id = $1 AND identity_id = $2`, id, identityID)
	if err != nil {
		return s.writeErr("delete passkey", err, "", "")
	}
	return s.mustAffect(res, "delete passkey", "You have no such passkey.")
}

// CreateCeremony stores c; Conflict if its id is taken.
func (s *Store) CreateCeremony(ctx context.Context, c eccs.Ceremony) error {
	_, err := s.writer().ExecContext(ctx,
		`INSERT INTO webauthn_ceremonies (id, identity_id, kind, data, expires_at) VALUES ($1, $2, $3, $4, $5)`,
		c.ID, c.IdentityID, c.Kind, string(c.Data), micros(c.ExpiresAt))
	if err != nil {
		return s.writeErr("create ceremony", err, fmt.Sprintf("Ceremony %s already exists.", c.ID), "")
	}
	return nil
}

// TakeCeremony deletes ceremony id and returns it, in one statement; NotFound if none.
func (s *Store) TakeCeremony(ctx context.Context, id string) (eccs.Ceremony, error) {
	var c eccs.Ceremony
	var data string
	err := s.writer().QueryRowContext(ctx, `DELETE FROM webauthn_ceremonies WHERE id = $1 RETURNING id, identity_id, kind, data, expires_at`, id).
		Scan(&c.ID, &c.IdentityID, &c.Kind, &data, usec{&c.ExpiresAt})
	if errors.Is(err, sql.ErrNoRows) {
		return eccs.Ceremony{}, eccs.Errorf(eccs.NotFound, "This passkey ceremony is unknown or over.")
	}
	if err != nil {
		return eccs.Ceremony{}, s.writeErr("take ceremony", err, "", "")
	}
	c.Data = []byte(data)
	return c, nil
}

// DeleteCeremonies removes the ceremonies that expire at or before t, and returns how many.
func (s *Store) DeleteCeremonies(ctx context.Context, t time.Time) (int, error) {
	res, err := s.writer().ExecContext(ctx, `DELETE FROM webauthn_ceremonies WHERE expires_at <= $1`, micros(t))
	if err != nil {
		return 0, s.writeErr("delete expired ceremonies", err, "", "")
	}
	return affected(s, res, "delete expired ceremonies")
}
