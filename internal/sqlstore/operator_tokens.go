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

// This file keeps operator tokens.

const (
	operatorTokenColumns = `id, name, hash, prefix, created_at, expires_at, revoked_at, last_used_at`
	operatorTokenSelect  = `SELECT ` + operatorTokenColumns + ` FROM operator_tokens`
)

func scanOperatorToken(row scanner) (eccs.OperatorToken, error) {
	var t eccs.OperatorToken
	err := row.Scan(&t.ID, &t.Name, &t.Hash, &t.Prefix, usec{&t.CreatedAt}, usec{&t.ExpiresAt},
		usec{&t.RevokedAt}, usec{&t.LastUsedAt})
	return t, err
}

// CreateOperatorToken stores t. It returns Conflict if the id or the hash is taken.
func (s *Store) CreateOperatorToken(ctx context.Context, t eccs.OperatorToken) error {
	_, err := s.writer().ExecContext(ctx,
		`INSERT INTO operator_tokens (id, name, hash, prefix, created_at, expires_at, revoked_at, last_used_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		t.ID, t.Name, t.Hash, t.Prefix, micros(t.CreatedAt), micros(t.ExpiresAt), micros(t.RevokedAt), micros(t.LastUsedAt))
	if err != nil {
		err = s.classify(err)
		conflict := fmt.Sprintf("Operator token %s already exists.", t.ID)
		if violates(err, "hash") {
			conflict = fmt.Sprintf("Another operator token has the same hash as operator token %s.", t.ID)
		}
		return s.writeErr("create operator token "+t.ID, err, conflict, "")
	}
	return nil
}

// OperatorToken returns the operator token id, or NotFound.
func (s *Store) OperatorToken(ctx context.Context, id string) (eccs.OperatorToken, error) {
	t, err := scanOperatorToken(s.reader().QueryRowContext(ctx, operatorTokenSelect+` WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return eccs.OperatorToken{}, eccs.Errorf(eccs.NotFound, "Operator token %s does not exist.", id)
	}
	if err != nil {
		return eccs.OperatorToken{}, s.readErr("read operator token "+id, err)
	}
	return t, nil
}

// OperatorTokenByHash returns the operator token whose hash is hash, or NotFound. It is on
// every admin request's path: its statement is prepared.
func (s *Store) OperatorTokenByHash(ctx context.Context, hash string) (eccs.OperatorToken, error) {
	row, err := s.queryRow(ctx, stmtOperatorTokenByHash, hash)
	if err != nil {
		return eccs.OperatorToken{}, s.readErr("find operator token", err)
	}
	t, err := scanOperatorToken(row)
	if errors.Is(err, sql.ErrNoRows) {
		// The hash is derived from a secret: it is not repeated in the message.
		return eccs.OperatorToken{}, eccs.Errorf(eccs.NotFound, "No operator token matches.")
	}
	if err != nil {
		return eccs.OperatorToken{}, s.readErr("find operator token", err)
	}
	return t, nil
}

// OperatorTokens returns every operator token, revoked and expired ones included, sorted by
// creation time then id.
func (s *Store) OperatorTokens(ctx context.Context) ([]eccs.OperatorToken, error) {
	return queryList(ctx, s, "list operator tokens", operatorTokenSelect+` ORDER BY created_at, id`, nil, scanOperatorToken)
}

// UpdateOperatorToken replaces the name, expiry, revocation time and last use of operator
// token t.ID. It returns NotFound if there is none.
func (s *Store) UpdateOperatorToken(ctx context.Context, t eccs.OperatorToken) error {
	res, err := s.writer().ExecContext(ctx,
		`UPDATE operator_tokens SET name = $2, expires_at = $3, revoked_at = $4 WHERE id = $1`,
		t.ID, t.Name, micros(t.ExpiresAt), micros(t.RevokedAt))
	if err != nil {
		return s.writeErr("update operator token "+t.ID, err, "", "")
	}
	return s.mustAffect(res, "update operator token "+t.ID, fmt.Sprintf("Operator token %s does not exist.", t.ID))
}

// CreateClaim stores c. Sealed is stored as standard base64 in a TEXT column, the one type
// for bytes that SQLite and PostgreSQL spell the same. It returns Conflict if the id or the
// hash is taken.
func (s *Store) CreateClaim(ctx context.Context, c eccs.Claim) error {
	_, err := s.writer().ExecContext(ctx,
		`INSERT INTO claims (id, hash, kind, object_id, sealed, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		c.ID, c.Hash, string(c.Kind), c.ObjectID, base64.StdEncoding.EncodeToString(c.Sealed),
		micros(c.CreatedAt), micros(c.ExpiresAt))
	if err != nil {
		err = s.classify(err)
		conflict := fmt.Sprintf("Claim %s already exists.", c.ID)
		if violates(err, "hash") {
			conflict = fmt.Sprintf("Another claim has the same hash as claim %s.", c.ID)
		}
		return s.writeErr("create claim "+c.ID, err, conflict, "")
	}
	return nil
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
