// Package httpapi is the HTTP transport of the customer-space API: the token endpoint, the
// /cloud/b2b/v1 resources, health checks and the OpenAPI file; of the admin API (/admin/v1),
// which operators use with operator tokens; and of the public claim links (/claim/{token}) that
// reveal an issued secret once. Every route is in routes.go.
// Handlers parse the wire, call the domain (internal/eccs) and write the wire; the rules
// themselves live in the domain.
package httpapi

import (
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/eccs/eccs/api"
	"github.com/eccs/eccs/api/admin"
	"github.com/eccs/eccs/internal/clientaddr"
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
	// Admin, when set, makes this handler serve the admin API under /admin/v1 as well (one
	// listener for everything). Leave it nil when the admin API has its own listener
	// (NewAdmin): /admin/v1 then answers 404 here.
	Admin *AdminConfig
	// AdminURL, when the admin API has its own listener, is where it answers (such as
	// http://127.0.0.1:8081): the 404 of an admin path on this handler points there.
	AdminURL string
	// PublicURL is the customer-facing base URL (scheme, host and any path prefix, such as
	// https://api.example.com): the server that claim pages name, and whose token URL, API base
	// and login command they show. Empty: Admin.PublicURL when set, else the scheme and host
	// of the request (which say http behind a proxy that terminates TLS).
	PublicURL string
	// ClientAddr says which address a request comes from (the peer, or what trusted proxies
	// saw): the last use of an API key is recorded from it. The zero Rule trusts no proxy.
	ClientAddr clientaddr.Rule
}

// AdminConfig tunes the admin API. Zero values take the defaults.
type AdminConfig struct {
	// PublicURL is the customer-facing base URL (scheme, host and any path prefix, such as
	// https://api.example.com): the claim links the admin API returns are PublicURL +
	// "/claim/" + token, and live on the customer listener. Empty: the scheme and host of the
	// admin request, which is right only when both APIs share a listener.
	PublicURL string
	// MaxBodyBytes bounds JSON request bodies (default 64 KiB).
	MaxBodyBytes int64
	// MaxUploadBytes bounds uploaded document files (default 1 GiB); larger ones answer
	// 413/66 and leave nothing behind.
	MaxUploadBytes int64
	// TempDir is where uploads are spooled while they are checked and stored (default
	// os.TempDir()). Uploads never sit in memory.
	TempDir string
}

// DefaultMaxUploadBytes is the default bound on uploaded document files.
const DefaultMaxUploadBytes = 1 << 30

// withDefaults returns c with its zero values replaced by the defaults.
func (c AdminConfig) withDefaults() AdminConfig {
	if c.MaxBodyBytes <= 0 {
		c.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if c.MaxUploadBytes <= 0 {
		c.MaxUploadBytes = DefaultMaxUploadBytes
	}
	c.PublicURL = strings.TrimRight(c.PublicURL, "/")
	return c
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
	admin        *AdminConfig // nil: this handler does not serve the admin API
	base         string       // the API base path that 404 answers point to
}

// New returns the handler of the whole API.
func New(svc *eccs.Service, logger *slog.Logger, cfg Config) http.Handler {
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	cfg.PublicURL = strings.TrimRight(cfg.PublicURL, "/")
	s := &server{
		svc:    svc,
		logger: logger,
		cfg:    cfg,
		mux:    http.NewServeMux(),
		base:   api.BasePath,
	}
	if cfg.Admin != nil {
		a := cfg.Admin.withDefaults()
		s.admin = &a
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

// NewAdmin returns the handler of the admin API alone (/admin/v1), for its own listener
// (eccsd serve --admin-addr). It has the customer handler's middleware: a request id on every
// answer, JSON logs, panic recovery, path normalisation. Claim links are not on it: they are
// public and live on the customer handler (New).
func NewAdmin(svc *eccs.Service, logger *slog.Logger, cfg AdminConfig) http.Handler {
	cfg = cfg.withDefaults()
	s := &server{
		svc:    svc,
		logger: logger,
		cfg:    Config{MaxBodyBytes: cfg.MaxBodyBytes, Now: time.Now},
		mux:    http.NewServeMux(),
		admin:  &cfg,
		base:   admin.BasePath,
	}
	r := newRouter(s)
	s.adminRoutes(r)
	r.finish()
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
