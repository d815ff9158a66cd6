package eccs

import (
	"context"
	"fmt"
	"time"
)

// KeyService holds the rules of API keys: issue, rotation, revocation, last use.
type KeyService struct {
	*base
	claims *ClaimService
}

// APIKeyStore keeps API keys.
type APIKeyStore interface {
	CreateAPIKey(ctx context.Context, k APIKey) error
	APIKey(ctx context.Context, id string) (APIKey, error)
	APIKeyByHash(ctx context.Context, hash string) (APIKey, error)
	// APIKeys returns one page of the keys f selects, sorted by expiry then id, and how many
	// it selects in all.
	APIKeys(ctx context.Context, f APIKeyFilter) ([]APIKey, int, error)
	// UpdateAPIKey replaces the expiry, revocation and successor (ReplacedBy) of key k.ID (last
	// use is TouchAPIKey's).
	UpdateAPIKey(ctx context.Context, k APIKey) error
	// TouchAPIKey sets the last use of key id, and nothing else: it runs beside operators'
	// changes to the same key and must not undo them.
	TouchAPIKey(ctx context.Context, id string, at time.Time, from string) error
}

// minPresetSecret is the shortest secret an operator may choose instead of a random one.
const minPresetSecret = 32

// KeyOptions tunes IssueAPIKey. Zero values take the defaults.
type KeyOptions struct {
	TTL time.Duration // default Config.APIKeyTTL (two years)
	// Secret, when set, is the key itself instead of a random one (the dev mode's fixed demo
	// keys). At least 32 characters.
	Secret string
	// ClaimTTL, when set, keeps the key out of the answer: a one-time claim link that reveals
	// it, valid that long, is returned instead.
	ClaimTTL time.Duration
}

// IssueAPIKey issues an API key for an account and returns it with the key in clear, which is
// shown once and never stored; with opts.ClaimTTL, a one-time claim link token instead of the
// key. Errors: NotFound for an unknown account, Invalid for a short preset secret.
func (s *KeyService) IssueAPIKey(ctx context.Context, accountID string, opts KeyOptions) (APIKey, string, error) {
	k, secret, _, err := s.IssueAPIKeyClaim(ctx, accountID, opts)
	return k, secret, err
}

// IssueAPIKeyClaim is IssueAPIKey that also returns the claim token when opts.ClaimTTL is set
// (the key itself is then not returned).
func (s *KeyService) IssueAPIKeyClaim(ctx context.Context, accountID string, opts KeyOptions) (APIKey, string, ClaimToken, error) {
	var (
		k      APIKey
		secret string
		claim  ClaimToken
	)
	err := s.inTx(ctx, func(tx Store) error {
		var err error
		k, secret, claim, err = s.issueAPIKey(ctx, tx, accountID, opts)
		return err
	})
	if err != nil {
		return APIKey{}, "", ClaimToken{}, fmt.Errorf("issue API key: %w", err)
	}
	return k, secret, claim, nil
}

// issueAPIKey stores a new key of accountID and its audit event in tx.
func (s *KeyService) issueAPIKey(ctx context.Context, tx Store, accountID string, opts KeyOptions) (APIKey, string, ClaimToken, error) {
	if opts.TTL < 0 || opts.ClaimTTL < 0 {
		return APIKey{}, "", ClaimToken{}, invalidField("ttl", "Lifetimes are positive durations, such as 8760h.")
	}
	if _, err := tx.Account(ctx, accountID); err != nil {
		return APIKey{}, "", ClaimToken{}, err
	}
	secret := opts.Secret
	if secret == "" {
		random, err := randomString(s.random, 43, alphanumeric)
		if err != nil {
			return APIKey{}, "", ClaimToken{}, err
		}
		secret = "eccs_" + random
	} else if len(secret) < minPresetSecret || !isToken(secret, 512) {
		return APIKey{}, "", ClaimToken{}, invalidField("secret", "A preset API key is 32 to 512 letters, digits, '-' or '_'.")
	}
	ttl := opts.TTL
	if ttl == 0 {
		ttl = s.cfg.APIKeyTTL
	}
	id, err := s.newID()
	if err != nil {
		return APIKey{}, "", ClaimToken{}, err
	}
	now := s.now()
	k := APIKey{
		ID: id, AccountID: accountID, Hash: hashSecret(s.keys.HashKey, secret), Prefix: secret[:12],
		CreatedAt: now, ExpiresAt: now.Add(ttl),
	}
	if err := tx.CreateAPIKey(ctx, k); err != nil {
		return APIKey{}, "", ClaimToken{}, err
	}
	var claim ClaimToken
	if opts.ClaimTTL > 0 {
		if claim, err = s.claims.createClaim(ctx, tx, ClaimAPIKey, id, secret, opts.ClaimTTL); err != nil {
			return APIKey{}, "", ClaimToken{}, err
		}
		secret = ""
	}
	err = s.record(ctx, tx, "api_key.issue", "api_key", id, map[string]string{
		"account": accountID, "prefix": k.Prefix, "expiresAt": k.ExpiresAt.Format(time.RFC3339), "claimLink": fmt.Sprint(opts.ClaimTTL > 0),
	})
	return k, secret, claim, err
}

// KeyExpiryWarning is how long before its expiry an API key makes every response carry a
// warning, so that its owner asks for a new one in time.
const KeyExpiryWarning = 30 * 24 * time.Hour

// ExpiresSoon reports whether k expires within KeyExpiryWarning of now.
func (k APIKey) ExpiresSoon(now time.Time) bool { return k.ExpiresAt.Sub(now) < KeyExpiryWarning }

// Active reports whether k may be used at now: not revoked, not expired.
func (k APIKey) Active(now time.Time) bool {
	return now.Before(k.ExpiresAt) && (k.RevokedAt.IsZero() || now.Before(k.RevokedAt))
}

// APIKeyOf returns an API key by id; NotFound if there is none.
func (s *KeyService) APIKeyOf(ctx context.Context, id string) (APIKey, error) {
	return s.store.APIKey(ctx, id)
}

// KeyQuery selects API keys: of one account when AccountID is set; expiring within
// ExpiringWithin from now when it is set; active ones only unless IncludeInactive.
type KeyQuery struct {
	AccountID       string
	ExpiringWithin  time.Duration
	IncludeInactive bool
	Page
}

// APIKeys returns one page of the API keys q selects, soonest expiry first, and how many there
// are.
func (s *KeyService) APIKeys(ctx context.Context, q KeyQuery) ([]APIKey, int, error) {
	now := s.now()
	f := APIKeyFilter{AccountID: q.AccountID, IncludeInactive: q.IncludeInactive, Now: now, Page: q.Page}
	if q.ExpiringWithin > 0 {
		f.ExpiringBefore = now.Add(q.ExpiringWithin)
	}
	return s.store.APIKeys(ctx, f)
}

// RevokeAPIKey revokes a key at once: the next call that carries it answers 401/41. Errors:
// NotFound; Conflict when it is already revoked.
func (s *KeyService) RevokeAPIKey(ctx context.Context, id string) (APIKey, error) {
	var k APIKey
	err := s.change(ctx, "api_key.revoke", "api_key", func(tx Store) (string, map[string]string, error) {
		var err error
		if k, err = tx.APIKey(ctx, id); err != nil {
			return "", nil, err
		}
		now := s.now()
		if !k.RevokedAt.IsZero() && !now.Before(k.RevokedAt) {
			return "", nil, Errorf(Conflict, "API key %s was already revoked on %s.", k.Prefix, k.RevokedAt.Format(time.RFC3339))
		}
		k.RevokedAt = now
		return id, map[string]string{"account": k.AccountID, "prefix": k.Prefix}, tx.UpdateAPIKey(ctx, k)
	})
	if err != nil {
		return APIKey{}, fmt.Errorf("revoke API key: %w", err)
	}
	return k, nil
}

// RotateAPIKey issues a new key for the account of key id and makes the old one stop working
// after overlap (0: at once), so that running clients can move to the new one. opts tunes the
// new key as for IssueAPIKey. Errors: NotFound; Conflict when the old key is no longer active;
// Invalid for a negative overlap.
func (s *KeyService) RotateAPIKey(ctx context.Context, id string, overlap time.Duration, opts KeyOptions) (APIKey, string, ClaimToken, error) {
	if overlap < 0 {
		return APIKey{}, "", ClaimToken{}, invalidField("overlap", "The overlap is a duration of 0 or more, such as 24h.")
	}
	var (
		newKey APIKey
		secret string
		claim  ClaimToken
	)
	err := s.inTx(ctx, func(tx Store) error {
		old, err := tx.APIKey(ctx, id)
		if err != nil {
			return err
		}
		now := s.now()
		if !old.Active(now) {
			return Errorf(Conflict, "API key %s is revoked or expired: issue a new key instead of rotating it.", old.Prefix)
		}
		if old.ReplacedBy != "" {
			return Errorf(Conflict, "API key %s was already rotated to key %s: rotate that one instead.", old.Prefix, old.ReplacedBy)
		}
		if newKey, secret, claim, err = s.issueAPIKey(ctx, tx, old.AccountID, opts); err != nil {
			return err
		}
		if until := now.Add(overlap); until.Before(old.ExpiresAt) {
			old.ExpiresAt = until
		}
		old.ReplacedBy = newKey.ID
		if err := tx.UpdateAPIKey(ctx, old); err != nil {
			return err
		}
		return s.record(ctx, tx, "api_key.rotate", "api_key", id, map[string]string{
			"account": old.AccountID, "newKey": newKey.ID, "oldValidUntil": old.ExpiresAt.Format(time.RFC3339),
		})
	})
	if err != nil {
		return APIKey{}, "", ClaimToken{}, fmt.Errorf("rotate API key: %w", err)
	}
	return newKey, secret, claim, nil
}

// RecordKeyUse notes that key k was used now from address from (shown to operators and in
// /me). It writes at most once per keyUseInterval per key; failures are returned for logging
// but must not fail the call that used the key.
func (s *KeyService) RecordKeyUse(ctx context.Context, k APIKey, from string) error {
	now := s.now()
	if now.Sub(k.LastUsedAt) < keyUseInterval && k.LastUsedFrom == from {
		return nil
	}
	if !s.touchDue("key:"+k.ID, now) {
		return nil
	}
	return s.store.TouchAPIKey(ctx, k.ID, now, from)
}

// APIKeyFilter selects API keys: of one account when AccountID is set; expiring before
// ExpiringBefore when it is set; revoked and expired keys only when IncludeInactive is set
// (inactive at Now).
type APIKeyFilter struct {
	AccountID       string
	ExpiringBefore  time.Time
	IncludeInactive bool
	Now             time.Time
	Page
}

// MaxOwnRotationOverlap is the longest overlap a customer may give the rotation of one of
// their account's keys: the old key must stop working soon.
const MaxOwnRotationOverlap = 30 * 24 * time.Hour

// OwnAPIKeys returns the keys of acct, the revoked and expired ones included, soonest expiry
// first (the customer's own view of their keys).
func (s *KeyService) OwnAPIKeys(ctx context.Context, acct Account) ([]APIKey, error) {
	keys, _, err := s.APIKeys(ctx, KeyQuery{AccountID: acct.ID, IncludeInactive: true})
	if err != nil {
		return nil, fmt.Errorf("list own API keys: %w", err)
	}
	return keys, nil
}

// IssueOwnAPIKey issues a key for acct itself, with the default lifetime, and returns it with
// the key in clear (shown once).
func (s *KeyService) IssueOwnAPIKey(ctx context.Context, acct Account) (APIKey, string, error) {
	return s.IssueAPIKey(ctx, acct.ID, KeyOptions{})
}

// ownKey returns key id when it belongs to acct; a key of another account answers NotFound,
// exactly like an unknown one.
func (s *KeyService) ownKey(ctx context.Context, acct Account, id string) (APIKey, error) {
	k, err := s.store.APIKey(ctx, id)
	if err == nil && k.AccountID == acct.ID {
		return k, nil
	}
	if err == nil || IsNotFound(err) {
		return APIKey{}, Errorf(NotFound, "This account has no API key %s.", id)
	}
	return APIKey{}, fmt.Errorf("find API key: %w", err)
}

// RevokeOwnAPIKey revokes one of acct's keys, with the rules of RevokeAPIKey. Errors: NotFound
// for a key of another account or none; those of RevokeAPIKey.
func (s *KeyService) RevokeOwnAPIKey(ctx context.Context, acct Account, id string) (APIKey, error) {
	if _, err := s.ownKey(ctx, acct, id); err != nil {
		return APIKey{}, err
	}
	return s.RevokeAPIKey(ctx, id)
}

// RotateOwnAPIKey rotates one of acct's keys, with the rules of RotateAPIKey, and returns the
// new key in clear (shown once). Errors: NotFound for a key of another account or none;
// Invalid for an overlap beyond MaxOwnRotationOverlap; those of RotateAPIKey.
func (s *KeyService) RotateOwnAPIKey(ctx context.Context, acct Account, id string, overlap time.Duration) (APIKey, string, error) {
	if overlap > MaxOwnRotationOverlap {
		return APIKey{}, "", invalidField("overlap", "The old key may keep working for at most %d days.", MaxOwnRotationOverlap/(24*time.Hour))
	}
	if _, err := s.ownKey(ctx, acct, id); err != nil {
		return APIKey{}, "", err
	}
	k, secret, _, err := s.RotateAPIKey(ctx, id, overlap, KeyOptions{})
	return k, secret, err
}
