// Package signintest signs people in to the web space through the domain, for the programs
// that drive real pages before the web space's own sign-in is at hand (the quality run in
// webquality/, the page timings of bench): an invitation, the password chosen through its
// link, a sign-in, and web.Sessions over the domain's sessions with the session secret as the
// cookie's value (web.SessionCookie).
package signintest

import (
	"context"
	"fmt"

	"github.com/eccs/eccs/internal/eccs"
	"github.com/eccs/eccs/internal/web"
)

// SignIn invites the holder of an account as an operator would (who is an account id or an
// e-mail, as for eccs.SignInService.InviteAccount), chooses password through the invitation's
// link, signs them in from address, and returns the session secret: the value of the
// web.SessionCookie cookie. Errors: those of the domain calls, wrapped with the step.
func SignIn(ctx context.Context, svc *eccs.Service, who, password, address string) (string, error) {
	inv, err := svc.InviteAccount(ctx, who, "")
	if err != nil {
		return "", fmt.Errorf("invite %s: %w", who, err)
	}
	if _, err := svc.SetPasswordWithLink(ctx, eccs.LinkInvitation, svc.LinkToken(inv.Link.ID), password); err != nil {
		return "", fmt.Errorf("choose the password of %s: %w", who, err)
	}
	res, err := svc.SignIn(ctx, eccs.SignInRequest{Email: inv.Person.Email, Password: password, Address: address})
	if err != nil {
		return "", fmt.Errorf("sign %s in: %w", who, err)
	}
	if res.SecondFactorRequired {
		return "", fmt.Errorf("sign %s in: a second factor is required", who)
	}
	return res.Token, nil
}

// Sessions is web.Sessions over the domain's sessions: the cookie's value is the session
// secret SignIn returns.
type Sessions struct{ Svc *eccs.Service }

// SessionFor returns the person and the chosen account of the session whose secret is cookie.
// Errors: the domain's Unauthenticated ones as they are; Unauthenticated too when the session's
// account is no longer the person's; any other error is a failure to read.
func (s Sessions) SessionFor(ctx context.Context, cookie string) (web.Session, error) {
	se, err := s.Svc.SessionFor(ctx, cookie, "", "")
	if err != nil {
		return web.Session{}, err
	}
	person, err := s.Svc.Identity(ctx, se.IdentityID)
	if err != nil {
		return web.Session{}, fmt.Errorf("read the session's person: %w", err)
	}
	accounts, err := s.Svc.PersonAccounts(ctx, se.IdentityID)
	if err != nil {
		return web.Session{}, fmt.Errorf("read the session's accounts: %w", err)
	}
	for _, a := range accounts {
		if a.ID == se.AccountID {
			return web.Session{ID: se.ID, Person: person, Account: a, Accounts: accounts}, nil
		}
	}
	return web.Session{}, eccs.Errorf(eccs.Unauthenticated, "This session's account is no longer yours; sign in again.")
}
