package sqlstore

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/eccs/eccs/internal/eccs"
)

// This file holds what the operator side keeps: operator tokens, claim links and the audit
// trail.

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

const auditColumns = `id, at, actor_type, actor_id, application_id, request_id, action, object_type, object_id, details`

// AppendAudit stores e. Details are stored as a JSON object of strings, {} when nil or empty;
// AuditEvents reads both back as nil. It returns Conflict if the id is taken.
func (s *Store) AppendAudit(ctx context.Context, e eccs.AuditEvent) error {
	details := []byte("{}")
	if len(e.Details) > 0 {
		var err error
		if details, err = json.Marshal(e.Details); err != nil {
			return fmt.Errorf("append audit event %s: %w", e.ID, err)
		}
	}
	_, err := s.writer().ExecContext(ctx,
		`INSERT INTO audit_events (`+auditColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		e.ID, micros(e.At), string(e.ActorType), e.ActorID, e.ApplicationID, e.RequestID, e.Action,
		e.ObjectType, e.ObjectID, string(details))
	if err != nil {
		return s.writeErr("append audit event "+e.ID, err, fmt.Sprintf("Audit event %s already exists.", e.ID), "")
	}
	return nil
}

func scanAuditEvent(row scanner) (eccs.AuditEvent, error) {
	var e eccs.AuditEvent
	var actorType, details string
	if err := row.Scan(&e.ID, usec{&e.At}, &actorType, &e.ActorID, &e.ApplicationID, &e.RequestID, &e.Action,
		&e.ObjectType, &e.ObjectID, &details); err != nil {
		return eccs.AuditEvent{}, err
	}
	e.ActorType = eccs.ActorType(actorType)
	if details != "" && details != "{}" {
		if err := json.Unmarshal([]byte(details), &e.Details); err != nil {
			return eccs.AuditEvent{}, fmt.Errorf("audit event %s: the stored details are not a JSON object of strings: %w", e.ID, err)
		}
	}
	if len(e.Details) == 0 {
		e.Details = nil
	}
	return e, nil
}

// AuditEvents returns one page of the audit events f selects, newest first (by time, then id,
// descending), and how many it selects in all. Each set field of f narrows the list: actor
// type and id, object type and id (exact match), at or after Since, strictly before Until.
func (s *Store) AuditEvents(ctx context.Context, f eccs.AuditFilter) ([]eccs.AuditEvent, int, error) {
	var c conds
	if f.ActorType != "" {
		c.add(`actor_type = %s`, string(f.ActorType))
	}
	if f.ActorID != "" {
		c.add(`actor_id = %s`, f.ActorID)
	}
	if f.ObjectType != "" {
		c.add(`object_type = %s`, f.ObjectType)
	}
	if f.ObjectID != "" {
		c.add(`object_id = %s`, f.ObjectID)
	}
	if !f.Since.IsZero() {
		c.add(`at >= %s`, micros(f.Since))
	}
	if !f.Until.IsZero() {
		c.add(`at < %s`, micros(f.Until))
	}
	return queryPage(ctx, s, "audit events", auditColumns, "audit_events", "at DESC, id DESC", c, f.Page, scanAuditEvent)
}
