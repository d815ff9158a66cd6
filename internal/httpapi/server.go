// Package httpapi is the HTTP transport of the customer-space API: the token endpoint, the
// /cloud/b2b/v1 resources, health checks and the OpenAPI file. Every route is in routes.go.
// Handlers parse the wire, call the domain (internal/eccs) and write the wire; the rules
// themselves live in the domain.
package httpapi

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/eccs/eccs/internal/eccs"
)

// Config tunes the HTTP layer. Zero values take the defaults.
type Config struct {
	// TokenRateLimit is the number of token requests per minute a client may make; 0 turns the
	// limit off. The wire contract's default is 50.
	TokenRateLimit int
	// RateLimit is the number of resource calls per second an application may make, with
	// bursts of twice that; 0 turns the limit off. The wire contract's default is 100.
	RateLimit int
	// RateLimitForbidden answers 403 instead of 429 to rate-limited resource calls, for clients
	// written against older gateways.
	RateLimitForbidden bool
	// MaxBodyBytes bounds request bodies (default 64 KiB).
	MaxBodyBytes int64
	// Now returns the current time (default time.Now); rate limits use it.
	Now func() time.Time
}

// DefaultMaxBodyBytes is the default bound on request bodies: the largest valid body is a few
// kilobytes.
const DefaultMaxBodyBytes = 64 << 10

type server struct {
	svc          *eccs.Service
	logger       *slog.Logger
	cfg          Config
	mux          *http.ServeMux
	tokenLimiter *limiter
	callLimiter  *limiter
}

// New returns the handler of the whole API.
func New(svc *eccs.Service, logger *slog.Logger, cfg Config) http.Handler {
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	s := &server{
		svc:    svc,
		logger: logger,
		cfg:    cfg,
		mux:    http.NewServeMux(),
	}
	if cfg.TokenRateLimit > 0 {
		s.tokenLimiter = newLimiter(float64(cfg.TokenRateLimit)/60, cfg.TokenRateLimit, cfg.Now)
	}
	if cfg.RateLimit > 0 {
		s.callLimiter = newLimiter(float64(cfg.RateLimit), 2*cfg.RateLimit, cfg.Now)
	}
	s.routes()
	return s
}

// handlerFunc is a handler that returns its error instead of writing it: one place writes
// every error, and a forgotten return cannot write two answers.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

func (s *server) handle(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.writeError(w, r, err)
		}
	})
}
