// Package web is the customers' web space: server-rendered pages where a customer's staff
// member, signed in, sees the contracts, documents and users that their account's API key
// sees, with the same roles, and manages their account's API keys. Every route is in
// routes.go. Handlers read the form, call the same domain calls as internal/httpapi and render
// a template; the rules themselves live in the domain (internal/eccs).
//
// Who is signed in comes through the Sessions seam (SignInSessions over the domain's sign-in
// service); the sign-in pages (signin.go, links.go, account.go, passkeys.go) call the domain's
// sign-in service.
package web

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/eccs/eccs/internal/clientaddr"
	"github.com/eccs/eccs/internal/eccs"
)

// Config configures the web space.
type Config struct {
	// PublicURL is the origin the web space is reached at (scheme and host, such as
	// https://espace.example.com or http://localhost:8080): state-changing requests must come
	// from it, and cookies are marked Secure when it is https. Required.
	PublicURL string
	// Brand is the operator's name, logo, colour and contacts; zero fields take DefaultBrand's.
	Brand Brand
	// ClientAddr resolves the client address of a request (behind trusted proxies).
	ClientAddr clientaddr.Rule
	// DevMails, in dev mode only, serves /dev/mail: the mails kept, with their one-time links.
	// Nil elsewhere: the page does not exist.
	DevMails RecentMails
	// Now returns the current time (default time.Now).
	Now func() time.Time
}

// server is the web space's handler.
type server struct {
	svc      *eccs.Service
	sessions Sessions
	logger   *slog.Logger
	cfg      Config
	origin   *url.URL
	secure   bool
	pages    *pages
	mux      *http.ServeMux
	cop      *http.CrossOriginProtection
	assets   assetSet
}

// New returns the handler of the web space. It fails when cfg.PublicURL is not an http or
// https origin, or when cfg.Brand is refused by Brand.Check.
func New(svc *eccs.Service, sessions Sessions, logger *slog.Logger, cfg Config) (http.Handler, error) {
	origin, err := ParsePublicURL(cfg.PublicURL)
	if err != nil {
		return nil, err
	}
	cfg.Brand = cfg.Brand.withDefaults()
	if err := cfg.Brand.Check(); err != nil {
		return nil, err
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	s := &server{
		svc: svc, sessions: sessions, logger: logger, cfg: cfg, origin: origin,
		secure: origin.Scheme == "https", mux: http.NewServeMux(),
	}
	if s.pages, err = loadPages(); err != nil {
		return nil, err
	}
	if s.assets, err = loadAssets(cfg.Brand); err != nil {
		return nil, err
	}
	s.cop = http.NewCrossOriginProtection()
	if err := s.cop.AddTrustedOrigin(origin.String()); err != nil {
		return nil, fmt.Errorf("public URL: %w", err)
	}
	s.cop.SetDenyHandler(http.HandlerFunc(s.refuseCrossOrigin))
	s.routes()
	return s, nil
}

// ParsePublicURL checks that raw is an origin the web space can be reached at: http or https,
// a host, and no path, query or fragment. It returns the origin without a trailing slash.
func ParsePublicURL(raw string) (*url.URL, error) {
	raw = strings.TrimRight(strings.TrimSpace(raw), "/")
	u, err := url.Parse(raw)
	switch {
	case raw == "":
		return nil, errors.New("the public URL is missing: give the origin the web space is reached at, such as https://espace.example.com")
	case err != nil:
		return nil, fmt.Errorf("the public URL %q is not a URL: %w", raw, err)
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, fmt.Errorf("the public URL %q must start with https:// (or http:// on a development machine)", raw)
	case u.Host == "" || u.User != nil:
		return nil, fmt.Errorf("the public URL %q must name a host, without user information", raw)
	case u.Path != "" || u.RawQuery != "" || u.Fragment != "":
		return nil, fmt.Errorf("the public URL %q must be an origin only (scheme and host), without a path, query or fragment", raw)
	}
	return &url.URL{Scheme: u.Scheme, Host: u.Host}, nil
}

// ServeHTTP sets the security headers of every answer, routes, and writes one log line per
// request. Query strings and headers are never logged: a search may name a person.
func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	setSecurityHeaders(w.Header(), s.cfg.Brand)
	rec := &statusRecorder{ResponseWriter: w}
	defer func() {
		s.logger.LogAttrs(r.Context(), slog.LevelInfo, "web request",
			slog.String("method", r.Method), slog.String("path", loggedPath(r.URL.Path)), slog.Int("status", rec.status),
			slog.Float64("duration_ms", float64(time.Since(start).Microseconds())/1000),
			slog.String("remote", s.cfg.ClientAddr.Of(r)))
	}()
	w.Header().Add("Vary", "Accept-Encoding") // the same URL answers gzipped or not
	if !acceptsGzip(r) {
		s.mux.ServeHTTP(rec, r)
		return
	}
	gw := &gzipWriter{ResponseWriter: rec}
	defer gw.Close()
	s.mux.ServeHTTP(gw, r)
}

// loggedPath is a request's path as the log line writes it: a one-time link's token is a
// secret, so the path of a link keeps only its kind.
func loggedPath(p string) string {
	for _, prefix := range []string{"/invitation/", "/password-reset/"} {
		if strings.HasPrefix(p, prefix) {
			return prefix + "…"
		}
	}
	return p
}

// statusRecorder remembers the status of an answer for the log line.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (rec *statusRecorder) WriteHeader(status int) {
	if rec.status == 0 {
		rec.status = status
	}
	rec.ResponseWriter.WriteHeader(status)
}

func (rec *statusRecorder) Write(b []byte) (int, error) {
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	return rec.ResponseWriter.Write(b)
}

func (rec *statusRecorder) Unwrap() http.ResponseWriter { return rec.ResponseWriter }
