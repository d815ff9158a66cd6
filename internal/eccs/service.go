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
}

// Defaults of Config.
const (
	DefaultTokenTTL  = time.Hour
	DefaultAPIKeyTTL = 2 * 365 * 24 * time.Hour
)

// Service applies the rules of the customer-space API over a Store and a BlobStore. It is safe
// for concurrent use.
type Service struct {
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
	keyUse   map[string]time.Time // key id → when its last use was written (RecordKeyUse)
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
	return &Service{
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
	}, nil
}

// TokenTTL is the lifetime of the access tokens the service issues.
func (s *Service) TokenTTL() time.Duration { return s.cfg.TokenTTL }

// Ping reports whether the store answers.
func (s *Service) Ping(ctx context.Context) error { return s.store.Ping(ctx) }

// now returns the current time in UTC at the precision stores keep (microseconds).
func (s *Service) now() time.Time { return s.nowFunc().UTC().Truncate(time.Microsecond) }

// idLength is the length of the ids the service makes.
const idLength = 16

// newID returns a random id of idLength lower-case base32 characters (80 bits).
func (s *Service) newID() (string, error) { return randomString(s.random, idLength, lowerBase32) }
