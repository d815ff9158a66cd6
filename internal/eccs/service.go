package eccs

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"sync"
	"time"
)

// Config configures a Service. Zero values take the documented defaults.
type Config struct {
	Keys Keys
	// TokenTTL is the lifetime of access tokens (default one hour).
	TokenTTL time.Duration
	// APIKeyTTL is the lifetime of new API keys (default two years).
	APIKeyTTL time.Duration
	// Issuer is the "iss" claim of access tokens (default "eccs").
	Issuer string
	// Now returns the current time (default time.Now). Tests freeze it.
	Now func() time.Time
	// Random is the source of ids and secrets (default crypto/rand).
	Random io.Reader
	// Formats checks uploaded files and names their media types (required).
	Formats Formats

	// SessionIdleTimeout ends a web session unused that long (default 30 minutes).
	SessionIdleTimeout time.Duration
	// SessionMaxAge ends a web session that long after its sign-in (default 12 hours).
	SessionMaxAge time.Duration
	// PendingSignInTTL is how long a sign-in waits for its second factor (default 5 minutes).
	PendingSignInTTL time.Duration
	// InvitationTTL and PasswordResetTTL are the lifetimes of one-time links (default 7 days
	// and one hour).
	InvitationTTL    time.Duration
	PasswordResetTTL time.Duration
	// Password is the argon2id cost of new password hashes (default DefaultPasswordParams).
	Password PasswordParams
	// PersonThrottle and AddressThrottle lock sign-ins after repeated failures, per e-mail and
	// per client address (defaults DefaultPersonThrottle and DefaultAddressThrottle).
	PersonThrottle  ThrottleRule
	AddressThrottle ThrottleRule
	// PublicURL is the web space's base URL, such as https://espace.example.com: its host is
	// the passkeys' relying party id, its origin the only one they are accepted from. Empty:
	// no passkeys.
	PublicURL string
}

// Defaults of Config.
const (
	DefaultTokenTTL  = time.Hour
	DefaultAPIKeyTTL = 2 * 365 * 24 * time.Hour
)

// Service applies the rules of the customer-space API over a Store and a BlobStore. It is safe
// for concurrent use.
//
// It is made of one service per noun, each in the file of its noun beside the Store interface
// it relies on: the catalog (catalog.go), people (people.go), accounts (accounts.go), API keys
// (keys.go), applications (applications.go), access to the API (access.go), contracts
// (contracts.go), the users declared on them (users.go), documents (documents.go), operator
// tokens (operators.go), claim links (claims.go), the audit trail (audit.go) and people's
// sign-in to the web space (signin.go). Their methods
// are the Service's own. What they share (the store, the clock, the request-path cache, the
// audit recorder) is their base; a service that uses another noun's rules names it in a field.
type Service struct {
	*base
	*CatalogService
	*PeopleService
	*AccountService
	*KeyService
	*ApplicationService
	*AccessService
	*ContractService
	*UserService
	*DocumentService
	*OperatorService
	*ClaimService
	*AuditService
	*SignInService
}

// base is what the services of every noun share.
type base struct {
	store   Store
	blobs   BlobStore
	formats Formats
	keys    Keys
	tokens  *tokenCodec
	cfg     Config
	nowFunc func() time.Time
	random  io.Reader

	cache *cache // rows of the request path (cache.go)

	keyUseMu sync.Mutex
	keyUse   map[string]time.Time // key or operator token id → its last use written (touchDue)
}

// NewService returns a Service. It fails if cfg.Keys are not usable.
func NewService(store Store, blobs BlobStore, cfg Config) (*Service, error) {
	if err := cfg.Keys.Validate(); err != nil {
		return nil, fmt.Errorf("keys: %w", err)
	}
	if cfg.Formats == nil {
		return nil, fmt.Errorf("no document formats: pass docformat.Formats{}")
	}
	if cfg.TokenTTL <= 0 {
		cfg.TokenTTL = DefaultTokenTTL
	}
	if cfg.APIKeyTTL <= 0 {
		cfg.APIKeyTTL = DefaultAPIKeyTTL
	}
	if cfg.Issuer == "" {
		cfg.Issuer = "eccs"
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Random == nil {
		cfg.Random = rand.Reader
	}
	cfg = withSignInDefaults(cfg)
	b := &base{
		store:   store,
		blobs:   blobs,
		formats: cfg.Formats,
		keys:    cfg.Keys,
		tokens:  newTokenCodec(cfg.Keys.TokenKeys),
		cfg:     cfg,
		nowFunc: cfg.Now,
		random:  cfg.Random,
		keyUse:  map[string]time.Time{},
		cache:   newCache(),
	}
	catalog := &CatalogService{base: b}
	people := &PeopleService{base: b}
	claims := &ClaimService{base: b}
	apiKeys := &KeyService{base: b, claims: claims}
	accounts := &AccountService{base: b, people: people, apiKeys: apiKeys}
	return &Service{
		base:               b,
		CatalogService:     catalog,
		PeopleService:      people,
		AccountService:     accounts,
		KeyService:         apiKeys,
		ApplicationService: &ApplicationService{base: b, claims: claims},
		AccessService:      &AccessService{base: b},
		ContractService:    &ContractService{base: b, catalog: catalog, people: people},
		UserService:        &UserService{base: b, people: people},
		DocumentService:    &DocumentService{base: b},
		OperatorService:    &OperatorService{base: b},
		ClaimService:       claims,
		AuditService:       &AuditService{base: b},
		SignInService:      &SignInService{base: b, people: people, accounts: accounts},
	}, nil
}

// TokenTTL is the lifetime of the access tokens the service issues.
func (s *base) TokenTTL() time.Duration { return s.cfg.TokenTTL }

// Ping reports whether the store answers.
func (s *base) Ping(ctx context.Context) error { return s.store.Ping(ctx) }

// now returns the current time in UTC at the precision stores keep (microseconds).
func (s *base) now() time.Time { return s.nowFunc().UTC().Truncate(time.Microsecond) }

// idLength is the length of the ids the service makes.
const idLength = 16

// newID returns a random id of idLength lower-case base32 characters (80 bits).
func (s *base) newID() (string, error) { return randomString(s.random, idLength, lowerBase32) }

// retryOnConflict runs fn in a transaction, once more if it fails with a Conflict: two requests
// that create the same new identity at once both succeed, the second reusing the first's.
func (s *base) retryOnConflict(ctx context.Context, fn func(tx Store) error) error {
	err := s.inTx(ctx, fn)
	if ErrorCode(err) == Conflict {
		err = s.inTx(ctx, fn)
	}
	return err
}

// touchDue reports whether the last use of the credential named key should be written now,
// and if so notes that it is: at most once per keyUseInterval per credential and process.
func (s *base) touchDue(key string, now time.Time) bool {
	s.keyUseMu.Lock()
	defer s.keyUseMu.Unlock()
	if last, seen := s.keyUse[key]; seen && now.Sub(last) < keyUseInterval {
		return false
	}
	if len(s.keyUse) > 100_000 { // bounded: forget everything rather than grow
		clear(s.keyUse)
	}
	s.keyUse[key] = now
	return true
}

// keyUseInterval bounds how often a key's last use is written: once a minute per key keeps
// the request path free of writes while "last used" stays accurate to the minute.
const keyUseInterval = time.Minute
