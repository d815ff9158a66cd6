package web

import (
	"net/http"
	"net/url"
)

// contentSecurityPolicy returns the policy of every answer: nothing runs but this origin's
// scripts (one: passkey.js, whose ceremonies fetch from this origin only), no inline style,
// forms post only here, nobody frames the pages. A logo given as a URL adds its origin to img-src.
func contentSecurityPolicy(b Brand) string {
	img := "'self' data:"
	if isRemoteLogo(b.Logo) {
		if u, err := url.Parse(b.Logo); err == nil {
			img += " https://" + u.Host
		}
	}
	return "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; img-src " + img +
		"; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
}

// setSecurityHeaders sets the headers every answer of the web space carries.
func setSecurityHeaders(h http.Header, b Brand) {
	h.Set("Content-Security-Policy", contentSecurityPolicy(b))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Cross-Origin-Resource-Policy", "same-origin")
}

// refuseCrossOrigin answers a state-changing request that came from another origin.
func (s *server) refuseCrossOrigin(w http.ResponseWriter, r *http.Request) {
	q := s.newRequest(w, r)
	s.renderError(q, &pageError{status: http.StatusForbidden, message: "error.cross_origin"})
}
