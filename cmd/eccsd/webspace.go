package main

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"

	"github.com/spf13/pflag"

	"github.com/eccs/eccs/internal/clientaddr"
	"github.com/eccs/eccs/internal/web"
)

// webConfig is what `eccsd serve` knows of the customers' web space: the operator's brand and
// the proxies it trusts (the public URL is serveConfig's).
type webConfig struct {
	brand          web.Brand
	trustedProxies string
	clientAddr     clientaddr.Rule // parsed by validate
}

// addWebFlags registers the web space's flags.
func addWebFlags(f *pflag.FlagSet, c *webConfig) {
	f.StringVar(&c.brand.Name, "brand-name", web.DefaultBrand.Name, "operator name shown in the web space")
	f.StringVar(&c.brand.Logo, "brand-logo", "", "logo of the web space: a PNG, JPEG, WebP or SVG file, or an https URL")
	f.StringVar(&c.brand.Accent, "brand-accent", web.DefaultBrand.Accent, "accent colour of the web space, #rrggbb, readable under white text (4.5:1)")
	f.StringVar(&c.brand.Support, "brand-support", "", "support contact shown in the web space: e-mail, phone or URL")
	f.StringVar(&c.brand.TermsURL, "brand-terms", "", "URL of the operator's terms of use, linked from every page")
	f.StringVar(&c.trustedProxies, "trusted-proxies", "", "comma-separated CIDRs of reverse proxies whose X-Forwarded-For is believed, such as 10.0.0.0/8")
}

// validate checks the brand, the trusted proxies and the public URL; an error names the flag
// or environment variable (source gives which) that set the bad value.
func (c *webConfig) validate(publicURL string, source func(flag string) string) error {
	if err := c.brand.Check(); err != nil {
		var be *web.BrandError
		if errors.As(err, &be) {
			return usageError{fmt.Errorf("%s: %w", source("brand-"+be.Field), be.Err)}
		}
		return usageError{err}
	}
	rule, err := clientaddr.Parse(c.trustedProxies)
	if err != nil {
		return usageError{fmt.Errorf("%s: %w", source("trusted-proxies"), err)}
	}
	c.clientAddr = rule
	if publicURL != "" {
		if _, err := web.ParsePublicURL(publicOrigin(publicURL)); err != nil {
			return usageError{fmt.Errorf("%s: %w", source("public-url"), err)}
		}
	}
	return nil
}

// publicOrigin is the scheme and host of a public URL: the web space lives at its root.
func publicOrigin(publicURL string) string {
	scheme, rest, ok := strings.Cut(strings.TrimSpace(publicURL), "://")
	if !ok {
		return publicURL
	}
	host, _, _ := strings.Cut(rest, "/")
	return scheme + "://" + host
}

// webOrigin is the origin the web space is reached at: --public-url's when given; in dev mode
// http://localhost:PORT (browsers refuse passkeys on an IP address); else the listen address,
// with localhost for an unspecified host.
func webOrigin(cfg serveConfig, ln net.Listener) string {
	if cfg.publicURL != "" {
		return publicOrigin(cfg.publicURL)
	}
	host, port, err := net.SplitHostPort(ln.Addr().String())
	if err != nil {
		return "http://" + ln.Addr().String()
	}
	if cfg.dev || host == "" || net.ParseIP(host).IsUnspecified() {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// newWebHandler makes the web space's handler, with people's sign-in; devMails (dev mode
// only, else nil) serves /dev/mail.
func newWebHandler(cfg serveConfig, st stores, origin string, devMails web.RecentMails, logger *slog.Logger) (http.Handler, error) {
	return web.New(st.svc, web.SignInSessions{Svc: st.svc}, logger,
		web.Config{PublicURL: origin, Brand: cfg.web.brand, ClientAddr: cfg.web.clientAddr, DevMails: devMails})
}

// apiPrefixes are the paths the API answers on the shared listener, with its JSON envelope
// for unknown paths under them; the web space answers every other path.
var apiPrefixes = []string{"/cloud/", "/oauth/", "/admin/", "/claim/", "/claim"}

// apiPaths are the API's paths outside apiPrefixes.
var apiPaths = map[string]bool{"/healthz": true, "/readyz": true, "/cloud": true, "/oauth": true, "/admin": true}

// frontDoor sends each request to the API or to the web space by its path.
func frontDoor(apiHandler, webHandler http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Path
		if apiPaths[strings.TrimRight(p, "/")] {
			apiHandler.ServeHTTP(w, r)
			return
		}
		for _, prefix := range apiPrefixes {
			if strings.HasPrefix(p, prefix) {
				apiHandler.ServeHTTP(w, r)
				return
			}
		}
		webHandler.ServeHTTP(w, r)
	})
}
