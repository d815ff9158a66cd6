package web

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/eccs/eccs/internal/eccs"
)

// SessionCookie is the name of the cookie that holds a signed-in person's session secret on an
// http:// origin (a development machine); SecureSessionCookie is its name on https.
const (
	SessionCookie       = "eccs_session"
	SecureSessionCookie = "__Host-eccs_session"
)

// Session is a signed-in person: who they are, the account they chose to act as (zero when
// they hold none), and every account they hold (Account among them).
type Session struct {
	// ID names the session (never its secret): for signing out and listing sessions.
	ID       string
	Person   eccs.Identity
	Account  eccs.Account
	Accounts []eccs.Account
}

// Sessions resolves the value of a request's session cookie to the signed-in person. The web
// space holds no rule of sign-in: whoever implements Sessions (the sign-in service) decides
// which sessions are valid.
type Sessions interface {
	// SessionFor returns the session that the cookie value names, seen now from the client
	// address and user agent given. It returns an Unauthenticated *eccs.Error when the value
	// names no valid session (unknown, expired, signed out, or waiting for its second factor);
	// any other error is a failure to check.
	SessionFor(ctx context.Context, cookieValue, address, userAgent string) (Session, error)
}

// SignInSessions is the Sessions of the domain's sign-in service: a session is valid as long
// as eccs.SignInService.SessionFor says so.
type SignInSessions struct {
	Svc *eccs.Service
}

// SessionFor returns the session of a cookie value with the person and their accounts. Errors:
// those of eccs.SignInService.SessionFor; a failure to read the person or their accounts.
func (s SignInSessions) SessionFor(ctx context.Context, cookieValue, address, userAgent string) (Session, error) {
	se, err := s.Svc.SignInService.SessionFor(ctx, cookieValue, address, userAgent)
	if err != nil {
		return Session{}, err
	}
	person, err := s.Svc.Identity(ctx, se.IdentityID)
	if err != nil {
		return Session{}, fmt.Errorf("session's person: %w", err)
	}
	accounts, err := s.Svc.PersonAccounts(ctx, se.IdentityID)
	if err != nil {
		return Session{}, fmt.Errorf("session's accounts: %w", err)
	}
	out := Session{ID: se.ID, Person: person, Accounts: accounts}
	for _, a := range accounts {
		if a.ID == se.AccountID {
			out.Account = a
		}
	}
	return out, nil
}

// pendingCookie holds the secret of a sign-in that awaits its second factor.
const (
	pendingCookie       = "eccs_signin"
	securePendingCookie = "__Host-eccs_signin"
)

// sessionCookieName is the session cookie's name on this origin: the __Host- prefix (which
// requires Secure) on https only, since browsers refuse Secure cookies on http://localhost
// in some versions.
func (s *server) sessionCookieName() string {
	if s.secure {
		return SecureSessionCookie
	}
	return SessionCookie
}

func (s *server) pendingCookieName() string {
	if s.secure {
		return securePendingCookie
	}
	return pendingCookie
}

// setCookie sets (or, with an empty value, clears) a cookie of the sign-in: HttpOnly,
// SameSite=Lax, Path=/, Secure on https; a session cookie lives as long as the browser.
func (s *server) setCookie(w http.ResponseWriter, name, value string, maxAge time.Duration) {
	c := &http.Cookie{Name: name, Value: value, Path: "/", Secure: s.secure, HttpOnly: true, SameSite: http.SameSiteLaxMode}
	switch {
	case value == "":
		c.MaxAge = -1
	case maxAge > 0:
		c.MaxAge = int(maxAge / time.Second)
	}
	http.SetCookie(w, c)
}

// cookieValue returns the value of cookie name of r, "" without one.
func cookieValue(r *http.Request, name string) string {
	c, err := r.Cookie(name)
	if err != nil {
		return ""
	}
	return c.Value
}
