package eccs

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/sha256"
	"fmt"
	"io"
	"time"
)

// A claim link reveals a secret (an API key, a client secret) once, instead of sending it by
// e-mail or phone. Its token is random and never stored: the database keeps only a keyed hash
// of it (to find the claim) and the secret sealed with AES-256-GCM under a key derived from
// the token (so the database alone cannot reveal it). Taking the claim deletes it.

// ClaimService holds the rules of claim links.
type ClaimService struct {
	*base
}

// ClaimStore keeps claim links.
type ClaimStore interface {
	CreateClaim(ctx context.Context, c Claim) error
	// TakeClaim deletes the claim whose hash is hash and returns it, atomically: two
	// concurrent calls never both get it. It takes expired claims too (the caller checks
	// ExpiresAt). NotFound if there is none.
	TakeClaim(ctx context.Context, hash string) (Claim, error)
	// Claim returns the claim whose hash is hash without taking it, expired ones too (the
	// caller checks ExpiresAt). NotFound if there is none.
	Claim(ctx context.Context, hash string) (Claim, error)
	// DeleteClaims removes the claims that expire at or before t and returns how many.
	DeleteClaims(ctx context.Context, t time.Time) (int, error)
}

// DefaultClaimTTL is how long a claim link works unless the operator says otherwise.
const DefaultClaimTTL = 24 * time.Hour

// ClaimToken is the secret part of a claim link, shown once, and when the link expires.
type ClaimToken struct {
	Value     string
	ExpiresAt time.Time
}

// CreateClaim stores a one-time claim of secret, which belongs to object objectID of the given
// kind, valid for ttl, and returns its token.
func (s *ClaimService) CreateClaim(ctx context.Context, kind ClaimKind, objectID, secret string, ttl time.Duration) (ClaimToken, error) {
	var tok ClaimToken
	err := s.inTx(ctx, func(tx Store) error {
		var err error
		tok, err = s.createClaim(ctx, tx, kind, objectID, secret, ttl)
		return err
	})
	return tok, err
}

func (s *ClaimService) createClaim(ctx context.Context, tx Store, kind ClaimKind, objectID, secret string, ttl time.Duration) (ClaimToken, error) {
	if claimObjectType(kind) == "" || !isToken(objectID, 64) || secret == "" {
		return ClaimToken{}, Errorf(Internal, "claim of %q for %q: not a claimable secret", kind, objectID)
	}
	if ttl <= 0 {
		ttl = DefaultClaimTTL
	}
	value, err := randomString(s.random, 43, alphanumeric)
	if err != nil {
		return ClaimToken{}, err
	}
	sealed, err := s.seal(value, kind, objectID, secret)
	if err != nil {
		return ClaimToken{}, err
	}
	id, err := s.newID()
	if err != nil {
		return ClaimToken{}, err
	}
	now := s.now()
	c := Claim{ID: id, Hash: hashSecret(s.keys.HashKey, value), Kind: kind, ObjectID: objectID, Sealed: sealed, CreatedAt: now, ExpiresAt: now.Add(ttl)}
	if err := tx.CreateClaim(ctx, c); err != nil {
		return ClaimToken{}, fmt.Errorf("create claim: %w", err)
	}
	if err := s.record(ctx, tx, "claim.create", claimObjectType(kind), objectID, map[string]string{"claim": id, "kind": string(kind), "expiresAt": c.ExpiresAt.Format(time.RFC3339)}); err != nil {
		return ClaimToken{}, err
	}
	return ClaimToken{Value: value, ExpiresAt: c.ExpiresAt}, nil
}

// claimGone is the one answer of a claim link that is unknown, used or expired.
func claimGone() error {
	return Errorf(NotFound, "This claim link is unknown, was already used, or has expired; ask your operator for a new one.")
}

// ClaimInfo tells what a claim link reveals without revealing it: what the page that opens
// the link shows, so that its holder knows what they are about to reveal. It holds no secret.
type ClaimInfo struct {
	Kind      ClaimKind
	ObjectID  string    // the API key's id, or the application's
	ExpiresAt time.Time // zero when told after the reveal

	// For an API key: the account it calls as, its type, and its holder.
	AccountID   string
	AccountType AccountType
	HolderName  string
	HolderEmail string

	// For a client secret: the application and its client id.
	ApplicationName string
	ClientID        string
}

// PeekClaim tells what the claim link of token reveals, without taking the claim nor reading
// the secret: opening a link (which mail scanners and link previewers do) must not use it up.
// An unknown, used or expired link answers the same NotFound error as RevealClaim. It changes
// nothing and records nothing.
func (s *ClaimService) PeekClaim(ctx context.Context, token string) (ClaimInfo, error) {
	if !isToken(token, 128) {
		return ClaimInfo{}, claimGone()
	}
	c, err := s.store.Claim(ctx, hashSecret(s.keys.HashKey, token))
	if IsNotFound(err) || (err == nil && !s.now().Before(c.ExpiresAt)) {
		return ClaimInfo{}, claimGone() // an expired claim is gone, as for RevealClaim
	}
	if err != nil {
		return ClaimInfo{}, fmt.Errorf("peek claim: %w", err)
	}
	info, err := s.DescribeClaim(ctx, c.Kind, c.ObjectID)
	if err != nil {
		return ClaimInfo{}, err
	}
	info.ExpiresAt = c.ExpiresAt
	return info, nil
}

// DescribeClaim tells what a claim of kind reveals the secret of, for objectID: the account
// and its holder behind an API key, or the application. RevealClaim's callers use it to say
// what was revealed. An object that no longer exists is an Internal error (a claim is made
// for an existing object, and neither keys nor applications are removed).
func (s *ClaimService) DescribeClaim(ctx context.Context, kind ClaimKind, objectID string) (ClaimInfo, error) {
	info := ClaimInfo{Kind: kind, ObjectID: objectID}
	missing := func(err error) error {
		if IsNotFound(err) {
			err = Errorf(Internal, "The %s %s of a claim link does not exist.", claimObjectType(kind), objectID)
		}
		return fmt.Errorf("describe the claim of %s %s: %w", claimObjectType(kind), objectID, err)
	}
	switch kind {
	case ClaimAPIKey:
		k, err := s.store.APIKey(ctx, objectID)
		if err != nil {
			return ClaimInfo{}, missing(err)
		}
		acct, err := s.store.Account(ctx, k.AccountID)
		if err != nil {
			return ClaimInfo{}, missing(err)
		}
		id, err := s.store.Identity(ctx, acct.IdentityID)
		if err != nil {
			return ClaimInfo{}, missing(err)
		}
		info.AccountID, info.AccountType, info.HolderName, info.HolderEmail = acct.ID, acct.Type, id.FullName(), id.Email
	case ClaimClientSecret:
		app, err := s.store.Application(ctx, objectID)
		if err != nil {
			return ClaimInfo{}, missing(err)
		}
		info.ApplicationName, info.ClientID = app.Name, app.ClientID
	default:
		return ClaimInfo{}, Errorf(Internal, "A claim link reveals an unknown kind of secret, %q.", kind)
	}
	return info, nil
}

// RevealClaim takes a claim and returns what it reveals: the kind, the object it belongs to
// and the secret. A claim works once: revealed, expired or unknown, it answers the same
// NotFound error.
func (s *ClaimService) RevealClaim(ctx context.Context, token string) (ClaimKind, string, string, error) {
	gone := claimGone()
	if !isToken(token, 128) {
		return "", "", "", gone
	}
	var c Claim
	var secret string
	expired := false
	err := s.inTx(ctx, func(tx Store) error {
		var err error
		if c, err = tx.TakeClaim(ctx, hashSecret(s.keys.HashKey, token)); err != nil {
			return err
		}
		if !s.now().Before(c.ExpiresAt) {
			expired = true // commit: the expired claim is deleted all the same
			return nil
		}
		if secret, err = s.open(token, c); err != nil {
			return err
		}
		return s.record(ctx, tx, "claim.reveal", claimObjectType(c.Kind), c.ObjectID, map[string]string{"claim": c.ID, "kind": string(c.Kind)})
	})
	if IsNotFound(err) || (err == nil && expired) {
		return "", "", "", gone
	}
	if err != nil {
		return "", "", "", fmt.Errorf("reveal claim: %w", err)
	}
	return c.Kind, c.ObjectID, secret, nil
}

// claimObjectType is the audit object type of what a claim reveals the secret of ("" for an
// unknown kind).
func claimObjectType(kind ClaimKind) string {
	switch kind {
	case ClaimAPIKey:
		return "api_key"
	case ClaimClientSecret:
		return "application"
	}
	return ""
}

// DeleteExpiredClaims removes the claims that expired, and returns how many.
func (s *ClaimService) DeleteExpiredClaims(ctx context.Context) (int, error) {
	return s.store.DeleteClaims(ctx, s.now())
}

// claimAEAD is AES-256-GCM under a key derived from the claim token.
func claimAEAD(token string) (cipher.AEAD, error) {
	m := hmac.New(sha256.New, []byte(token))
	io.WriteString(m, "eccs claim seal v1")
	block, err := aes.NewCipher(m.Sum(nil))
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

func (s *ClaimService) seal(token string, kind ClaimKind, objectID, secret string) ([]byte, error) {
	aead, err := claimAEAD(token)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, aead.NonceSize())
	if _, err := io.ReadFull(s.random, nonce); err != nil {
		return nil, fmt.Errorf("read randomness: %w", err)
	}
	return aead.Seal(nonce, nonce, []byte(secret), []byte(string(kind)+"\x00"+objectID)), nil
}

func (s *ClaimService) open(token string, c Claim) (string, error) {
	aead, err := claimAEAD(token)
	if err != nil {
		return "", err
	}
	if len(c.Sealed) < aead.NonceSize() {
		return "", Errorf(Internal, "claim %s is corrupt", c.ID)
	}
	plain, err := aead.Open(nil, c.Sealed[:aead.NonceSize()], c.Sealed[aead.NonceSize():], []byte(string(c.Kind)+"\x00"+c.ObjectID))
	if err != nil {
		return "", fmt.Errorf("open claim %s: %w", c.ID, Errorf(Internal, "claim does not open"))
	}
	return string(plain), nil
}
