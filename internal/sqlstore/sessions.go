package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/eccs/eccs/internal/eccs"
)

// This file keeps people's web sessions.

const sessionColumns = `id, hash, identity_id, account_id, pending, created_at, expires_at, last_seen_at,
	last_seen_from, user_agent`

func scanSession(row scanner) (eccs.Session, error) {
	var se eccs.Session
	var pending int64
	err := row.Scan(&se.ID, &se.Hash, &se.IdentityID, &se.AccountID, &pending, usec{&se.CreatedAt},
		usec{&se.ExpiresAt}, usec{&se.LastSeenAt}, &se.LastSeenFrom, &se.UserAgent)
	se.Pending = pending == 1
	return se, err
}

// CreateSession stores se; Conflict if its id or hash is taken, NotFound for an unknown
// identity.
func (s *Store) CreateSession(ctx context.Context, se eccs.Session) error {
	pending := 0
	if se.Pending {
		pending = 1
	}
	_, err := s.writer().ExecContext(ctx, `INSERT INTO sessions (`+sessionColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		se.ID, se.Hash, se.IdentityID, se.AccountID, pending, micros(se.CreatedAt), micros(se.ExpiresAt),
		micros(se.LastSeenAt), se.LastSeenFrom, se.UserAgent)
	if err != nil {
		return s.writeErr("create session "+se.ID, err, fmt.Sprintf("Session %s already exists.", se.ID),
			fmt.Sprintf("Identity %s does not exist.", se.IdentityID))
	}
	return nil
}

// SessionByHash returns the session whose hash is hash, or NotFound.
func (s *Store) SessionByHash(ctx context.Context, hash string) (eccs.Session, error) {
	se, err := scanSession(s.reader().QueryRowContext(ctx, `SELECT `+sessionColumns+` FROM sessions WHERE hash = $1`, hash))
	if errors.Is(err, sql.ErrNoRows) {
		return eccs.Session{}, eccs.Errorf(eccs.NotFound, "No session matches.")
	}
	if err != nil {
		return eccs.Session{}, s.readErr("find session", err)
	}
	return se, nil
}

// Sessions returns identityID's sessions, newest first.
func (s *Store) Sessions(ctx context.Context, identityID string) ([]eccs.Session, error) {
	return queryList(ctx, s, "list sessions", `SELECT `+sessionColumns+` FROM sessions WHERE identity_id = $1
		ORDER BY created_at DESC, id DESC`, []any{identityID}, scanSession)
}

// TouchSession sets the last sight of session id; NotFound if none.
func (s *Store) TouchSession(ctx context.Context, id string, at time.Time, from, userAgent string) error {
	res, err := s.writer().ExecContext(ctx, `UPDATE sessions SET last_seen_at = $2, last_seen_from = $3, user_agent = $4 WHERE id = $1`,
		id, micros(at), from, userAgent)
	if err != nil {
		return s.writeErr("touch session "+id, err, "", "")
	}
	return s.mustAffect(res, "touch session "+id, fmt.Sprintf("Session %s does not exist.", id))
}

// SetSessionAccount sets the account of session id; NotFound if none.
func (s *Store) SetSessionAccount(ctx context.Context, id, accountID string) error {
	res, err := s.writer().ExecContext(ctx, `UPDATE sessions SET account_id = $2 WHERE id = $1`, id, accountID)
	if err != nil {
		return s.writeErr("set account of session "+id, err, "", "")
	}
	return s.mustAffect(res, "set account of session "+id, fmt.Sprintf("Session %s does not exist.", id))
}

// DeleteSession removes session id of identityID; NotFound if identityID has none of that id.
func (s *Store) DeleteSession(ctx context.Context, identityID, id string) error {
	res, err := s.writer().ExecContext(ctx, `DELETE FROM sessions WHERE id = $1 AND identity_id = $2`, id, identityID)
	if err != nil {
		return s.writeErr("delete session "+id, err, "", "")
	}
	return s.mustAffect(res, "delete session "+id, fmt.Sprintf("You have no session %s.", id))
}

// DeleteSessions removes identityID's sessions but except, and returns how many.
func (s *Store) DeleteSessions(ctx context.Context, identityID, except string) (int, error) {
	res, err := s.writer().ExecContext(ctx, `DELETE FROM sessions WHERE identity_id = $1 AND id <> $2`, identityID, except)
	if err != nil {
		return 0, s.writeErr("delete sessions of "+identityID, err, "", "")
	}
	return affected(s, res, "delete sessions of "+identityID)
}

// DeleteStaleSessions removes the sessions expired at expiredAt or idle since idleSince.
func (s *Store) DeleteStaleSessions(ctx context.Context, expiredAt, idleSince time.Time) (int, error) {
	res, err := s.writer().ExecContext(ctx, `DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at <= $2`,
		micros(expiredAt), micros(idleSince))
	if err != nil {
		return 0, s.writeErr("delete stale sessions", err, "", "")
	}
	return affected(s, res, "delete stale sessions")
}

// affected returns how many rows res changed.
func affected(s *Store, res sql.Result, op string) (int, error) {
	n, err := res.RowsAffected()
	if err != nil {
		return 0, s.readErr(op, err)
	}
	return int(n), nil
}
