package eccs

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Operator tokens authenticate operators on the admin API. Like API keys, they are long
// random strings shown once and stored as a keyed hash.

// OperatorService holds the rules of operator tokens.
type OperatorService struct {
	*base
}

// OperatorTokenStore keeps operator tokens.
type OperatorTokenStore interface {
	CreateOperatorToken(ctx context.Context, t OperatorToken) error
	OperatorToken(ctx context.Context, id string) (OperatorToken, error)
	OperatorTokenByHash(ctx context.Context, hash string) (OperatorToken, error)
	// OperatorTokens returns every operator token sorted by creation time.
	OperatorTokens(ctx context.Context) ([]OperatorToken, error)
	// UpdateOperatorToken replaces the name, expiry and revocation of token t.ID (last use is
	// TouchOperatorToken's).
	UpdateOperatorToken(ctx context.Context, t OperatorToken) error
	// TouchOperatorToken sets the last use of token id, and nothing else.
	TouchOperatorToken(ctx context.Context, id string, at time.Time) error
}

// operatorTokenPrefix starts every operator token, so that secret scanners and people tell it
// from an API key.
const operatorTokenPrefix = "eccsop_"

// CreateOperatorToken creates an operator token named name, valid for ttl (0: until revoked),
// and returns it with the token in clear, shown once. Errors: Invalid.
func (s *OperatorService) CreateOperatorToken(ctx context.Context, name string, ttl time.Duration) (OperatorToken, string, error) {
	return s.createOperatorToken(ctx, name, ttl, "")
}

// CreatePresetOperatorToken creates an operator token whose value is secret, chosen by the
// caller (the dev mode's fixed demo token): eccsop_ followed by at least 32 letters, digits,
// '-' or '_'. Errors: Invalid, Conflict when that token exists.
func (s *OperatorService) CreatePresetOperatorToken(ctx context.Context, name, secret string) (OperatorToken, error) {
	if rest, ok := strings.CutPrefix(secret, operatorTokenPrefix); !ok || len(rest) < minPresetSecret || !isToken(rest, 256) {
		return OperatorToken{}, invalidField("token", "A preset operator token is eccsop_ followed by 32 to 256 letters, digits, '-' or '_'.")
	}
	t, _, err := s.createOperatorToken(ctx, name, 0, secret)
	return t, err
}

func (s *OperatorService) createOperatorToken(ctx context.Context, name string, ttl time.Duration, secret string) (OperatorToken, string, error) {
	if !ValidText(name, 100) {
		return OperatorToken{}, "", invalidField("name", "An operator token's name is 1 to 100 characters, such as the operator's name.")
	}
	if ttl < 0 {
		return OperatorToken{}, "", invalidField("ttl", "A lifetime is a positive duration, or 0 for no expiry.")
	}
	if secret == "" {
		random, err := randomString(s.random, 43, alphanumeric)
		if err != nil {
			return OperatorToken{}, "", err
		}
		secret = operatorTokenPrefix + random
	}
	id, err := s.newID()
	if err != nil {
		return OperatorToken{}, "", err
	}
	now := s.now()
	t := OperatorToken{ID: id, Name: name, Hash: hashSecret(s.keys.HashKey, secret), Prefix: secret[:12], CreatedAt: now}
	if ttl > 0 {
		t.ExpiresAt = now.Add(ttl)
	}
	err = s.change(ctx, "operator_token.create", "operator_token", func(tx Store) (string, map[string]string, error) {
		return id, map[string]string{"name": name, "prefix": t.Prefix}, tx.CreateOperatorToken(ctx, t)
	})
	if err != nil {
		return OperatorToken{}, "", fmt.Errorf("create operator token: %w", err)
	}
	return t, secret, nil
}

// AuthenticateOperator returns the operator token a bearer value names. Errors:
// Unauthenticated when it is unknown, revoked or expired.
func (s *OperatorService) AuthenticateOperator(ctx context.Context, token string) (OperatorToken, error) {
	refused := &Error{Code: Unauthenticated, Message: "The operator token in the Authorization header is unknown, revoked or expired."}
	if len(token) == 0 || len(token) > 512 {
		return OperatorToken{}, refused
	}
	t, err := s.store.OperatorTokenByHash(ctx, hashSecret(s.keys.HashKey, token))
	if IsNotFound(err) {
		return OperatorToken{}, refused
	}
	if err != nil {
		return OperatorToken{}, fmt.Errorf("check operator token: %w", err)
	}
	now := s.now()
	if (!t.RevokedAt.IsZero() && !now.Before(t.RevokedAt)) || (!t.ExpiresAt.IsZero() && !now.Before(t.ExpiresAt)) {
		return OperatorToken{}, refused
	}
	return t, nil
}

// RecordOperatorUse notes that operator token t was used now. It writes at most once a minute
// per token; failures are returned for logging but must not fail the call that used it.
func (s *OperatorService) RecordOperatorUse(ctx context.Context, t OperatorToken) error {
	now := s.now()
	if !s.touchDue("operator:"+t.ID, now) {
		return nil
	}
	return s.store.TouchOperatorToken(ctx, t.ID, now)
}

// OperatorTokens returns every operator token.
func (s *OperatorService) OperatorTokens(ctx context.Context) ([]OperatorToken, error) {
	return s.store.OperatorTokens(ctx)
}

// RevokeOperatorToken revokes an operator token at once. Errors: NotFound; Conflict when it is
// already revoked.
func (s *OperatorService) RevokeOperatorToken(ctx context.Context, id string) (OperatorToken, error) {
	var t OperatorToken
	err := s.change(ctx, "operator_token.revoke", "operator_token", func(tx Store) (string, map[string]string, error) {
		var err error
		if t, err = tx.OperatorToken(ctx, id); err != nil {
			return "", nil, err
		}
		if !t.RevokedAt.IsZero() {
			return "", nil, Errorf(Conflict, "Operator token %s was already revoked.", t.Prefix)
		}
		t.RevokedAt = s.now()
		return id, map[string]string{"name": t.Name, "prefix": t.Prefix}, tx.UpdateOperatorToken(ctx, t)
	})
	if err != nil {
		return OperatorToken{}, fmt.Errorf("revoke operator token: %w", err)
	}
	return t, nil
}
