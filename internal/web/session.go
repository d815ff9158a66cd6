package web

import (
	"context"

	"github.com/eccs/eccs/internal/eccs"
)

// SessionCookie is the name of the cookie that holds a signed-in person's session secret.
const SessionCookie = "eccs_session"

// Session is a signed-in person: who they are, the account they chose to act as, and every
// account they hold (Account among them).
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
	// SessionFor returns the session that the cookie value names. It returns an
	// Unauthenticated *eccs.Error when the value names no valid session (unknown, expired,
	// signed out, or waiting for its second factor); any other error is a failure to check.
	SessionFor(ctx context.Context, cookieValue string) (Session, error)
}
