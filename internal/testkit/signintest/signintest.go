// Package signintest signs people in to the web space through the domain, for the programs
// that drive real pages without the sign-in form (the quality run in webquality/, the page
// timings of bench): an invitation, the password chosen through its
// link and a sign-in, whose session secret is the value of the session cookie that
// web.SignInSessions reads.
package signintest

import (
	"context"
	"fmt"

	"github.com/eccs/eccs/internal/eccs"
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
