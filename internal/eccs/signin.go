package eccs

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"
)

// People sign in to the customers' web space with their e-mail and password, then, when they
// enrolled one, a second factor. A sign-in that fails says the same whether the e-mail is
// known or not, and costs the same argon2id check; failures lock the e-mail and the client's
// address for a while (throttle.go). A sign-in that succeeds starts a new session
// (sessions.go).

// SignInService holds the rules of people's sign-in: passwords (passwords.go), sessions
// (sessions.go), one-time links (links.go), second factors (totp.go) and the counters of
// failed sign-ins (throttle.go).
type SignInService struct {
	*base
	people   *PeopleService
	accounts *AccountService

	dummyOnce sync.Once
	dummy     string // dummyHash's
}

// SignInStore is what sign-in keeps, one interface per noun.
type SignInStore interface {
	PasswordStore
	SessionStore
	LinkStore
	SecondFactorStore
	ThrottleStore
	PasskeyStore
}

// Defaults of the sign-in parts of Config.
const (
	DefaultSessionIdleTimeout = 30 * time.Minute
	DefaultSessionMaxAge      = 12 * time.Hour
	DefaultPendingSignInTTL   = 5 * time.Minute
	DefaultInvitationTTL      = 7 * 24 * time.Hour
	DefaultPasswordResetTTL   = time.Hour
)

// withSignInDefaults returns cfg with the sign-in settings left at zero set to their defaults.
func withSignInDefaults(cfg Config) Config {
	for _, d := range []struct {
		v   *time.Duration
		def time.Duration
	}{
		{&cfg.SessionIdleTimeout, DefaultSessionIdleTimeout}, {&cfg.SessionMaxAge, DefaultSessionMaxAge},
		{&cfg.PendingSignInTTL, DefaultPendingSignInTTL}, {&cfg.InvitationTTL, DefaultInvitationTTL},
		{&cfg.PasswordResetTTL, DefaultPasswordResetTTL},
	} {
		if *d.v <= 0 {
			*d.v = d.def
		}
	}
	if cfg.Password == (PasswordParams{}) {
		cfg.Password = DefaultPasswordParams
	}
	if cfg.PersonThrottle.MaxFailures <= 0 {
		cfg.PersonThrottle = DefaultPersonThrottle
	}
	if cfg.AddressThrottle.MaxFailures <= 0 {
		cfg.AddressThrottle = DefaultAddressThrottle
	}
	return cfg
}

// SignInResult is the outcome of a right password (SignIn) or second factor (CompleteSignIn).
// Token is a secret shown once: the session's cookie value, or, when SecondFactorRequired, the
// pending step's, to pass to CompleteSignIn with the code.
type SignInResult struct {
	Session              Session
	Token                string
	SecondFactorRequired bool
}

// SignInRequest is what a person sends to sign in, with what the web layer knows of the
// client: its address (decided from trusted proxies) and user agent.
type SignInRequest struct {
	Email     string
	Password  string
	Address   string
	UserAgent string
}

// badCredentials is the one answer of a wrong e-mail or password.
func badCredentials() error {
	return Errorf(Unauthenticated, "The e-mail address or the password is wrong.")
}

// SignIn checks a person's e-mail and password. When they hold a second factor, it returns a
// pending step (SecondFactorRequired) to complete with CompleteSignIn; otherwise a new
// session, on their first account (sorted by id; none when they hold no account). A password
// hashed with other parameters than the current ones is hashed again. Errors: Unauthenticated
// for a wrong e-mail or password (the same answer, and the same cost, for an unknown e-mail),
// and with ReasonLocked while the e-mail or the address is locked after repeated failures.
func (s *SignInService) SignIn(ctx context.Context, r SignInRequest) (SignInResult, error) {
	id, stale, err := s.checkPassword(ctx, r.Email, r.Password, r.Address)
	if err != nil {
		return SignInResult{}, err
	}
	var res SignInResult
	err = s.inTx(ctx, func(tx Store) error {
		pctx := WithActor(ctx, personActor(ctx, id.ID))
		if stale {
			hash, err := hashPassword(s.random, r.Password, s.cfg.Password)
			if err != nil {
				return err
			}
			if err := tx.SetPasswordHash(ctx, id.ID, hash, s.now()); err != nil {
				return err
			}
		}
		if err := tx.DeleteThrottle(ctx, s.throttleSubjects(id.Email, "")[0].subject); err != nil {
			return err
		}
		f, err := tx.SecondFactor(ctx, id.ID)
		if err != nil && !IsNotFound(err) {
			return err
		}
		if err == nil && f.Confirmed() {
			res.SecondFactorRequired = true
			res.Session, res.Token, err = s.startSession(ctx, tx, id.ID, "", true, r.Address, r.UserAgent)
			if err != nil {
				return err
			}
			return s.note(pctx, tx, "person.sign_in_password", "person", id.ID, map[string]string{"from": r.Address})
		}
		if res.Session, res.Token, err = s.openSession(ctx, tx, id.ID, r.Address, r.UserAgent); err != nil {
			return err
		}
		return s.note(pctx, tx, "person.sign_in", "person", id.ID, map[string]string{"session": res.Session.ID, "from": r.Address})
	})
	if err != nil {
		return SignInResult{}, fmt.Errorf("sign in: %w", err)
	}
	return res, nil
}

// checkPassword checks email's password, and returns their identity and whether the hash
// should be made again under the current parameters. A failure is counted against the e-mail
// and the address, and audited when the person exists.
func (s *SignInService) checkPassword(ctx context.Context, email, password, address string) (Identity, bool, error) {
	if err := s.checkNotLocked(ctx, email, address); err != nil {
		return Identity{}, false, err
	}
	email = strings.TrimSpace(email)
	id, err := s.store.IdentityByEmail(ctx, email)
	if err != nil && !IsNotFound(err) {
		return Identity{}, false, fmt.Errorf("sign in: %w", err)
	}
	hash := ""
	if err == nil {
		if hash, err = s.store.PasswordHash(ctx, id.ID); err != nil && !IsNotFound(err) {
			return Identity{}, false, fmt.Errorf("sign in: %w", err)
		}
	}
	known := hash != ""
	if !known {
		hash = s.dummyHash()
	}
	ok, stale, err := passwordMatches(hash, password, s.cfg.Password)
	if err != nil {
		return Identity{}, false, fmt.Errorf("sign in: %w", err)
	}
	if ok && known {
		return id, stale, nil
	}
	if err := s.failed(ctx, email, address, id.ID, "password"); err != nil {
		return Identity{}, false, err
	}
	return Identity{}, false, badCredentials()
}

// checkNotLocked returns the locked error when the e-mail or the address is locked.
func (s *SignInService) checkNotLocked(ctx context.Context, email, address string) error {
	var until time.Time
	for _, t := range s.throttleSubjects(email, address) {
		u, err := s.lockedUntil(ctx, t.subject)
		if err != nil {
			return err
		}
		if u.After(until) {
			until = u
		}
	}
	if !until.IsZero() {
		return lockedError(until, s.now())
	}
	return nil
}

// failed counts a failed sign-in (what failed: "password", "code") against the e-mail and the
// address, and audits it under the person when identityID is known.
func (s *SignInService) failed(ctx context.Context, email, address, identityID, what string) error {
	err := s.inTx(ctx, func(tx Store) error {
		for _, t := range s.throttleSubjects(email, address) {
			if err := s.addFailure(ctx, tx, t.subject, t.rule); err != nil {
				return err
			}
		}
		if identityID == "" {
			return nil
		}
		return s.note(WithActor(ctx, personActor(ctx, identityID)), tx, "person.sign_in_failed", "person", identityID,
			map[string]string{"failed": what, "from": address})
	})
	if err != nil {
		return fmt.Errorf("count a failed sign-in: %w", err)
	}
	return nil
}

// CompleteSignIn completes a sign-in that awaits a second factor: pendingToken is the Token
// of SignIn's result, code a current TOTP code or an unused recovery code. It returns a new
// session; the pending step ends. Errors: Unauthenticated for an unknown or expired step
// (ReasonExpired: sign in again) or a wrong code (counted as a failed sign-in), with
// ReasonLocked while locked.
func (s *SignInService) CompleteSignIn(ctx context.Context, pendingToken, code, address, userAgent string) (SignInResult, error) {
	pending, err := s.sessionByToken(ctx, pendingToken)
	if err != nil {
		return SignInResult{}, err
	}
	if !pending.Pending {
		return SignInResult{}, Errorf(Unauthenticated, "This sign-in step is unknown; sign in again.")
	}
	if !s.now().Before(pending.ExpiresAt) {
		return SignInResult{}, &Error{Code: Unauthenticated, Reason: ReasonExpired, Message: "This sign-in step has expired; sign in again."}
	}
	id, err := s.store.Identity(ctx, pending.IdentityID)
	if err != nil {
		return SignInResult{}, fmt.Errorf("complete sign-in: %w", err)
	}
	if err := s.checkNotLocked(ctx, id.Email, address); err != nil {
		return SignInResult{}, err
	}
	var res SignInResult
	how := ""
	err = s.inTx(ctx, func(tx Store) error {
		var err error
		if how, err = s.useSecondFactor(ctx, tx, id.ID, code); err != nil {
			return err
		}
		if err := tx.DeleteSession(ctx, id.ID, pending.ID); err != nil {
			return err
		}
		if res.Session, res.Token, err = s.openSession(ctx, tx, id.ID, address, userAgent); err != nil {
			return err
		}
		return s.note(WithActor(ctx, personActor(ctx, id.ID)), tx, "person.sign_in", "person", id.ID,
			map[string]string{"session": res.Session.ID, "from": address, "secondFactor": how})
	})
	if ErrorCode(err) == Unauthenticated {
		if ferr := s.failed(ctx, id.Email, address, id.ID, "code"); ferr != nil {
			return SignInResult{}, ferr
		}
		return SignInResult{}, err
	}
	if err != nil {
		return SignInResult{}, fmt.Errorf("complete sign-in: %w", err)
	}
	return res, nil
}

// openSession starts a full session of identityID on their first account.
func (s *SignInService) openSession(ctx context.Context, tx Store, identityID, address, userAgent string) (Session, string, error) {
	accounts, err := tx.AccountsOf(ctx, identityID)
	if err != nil {
		return Session{}, "", err
	}
	accountID := ""
	if len(accounts) > 0 {
		accountID = accounts[0].ID
	}
	return s.startSession(ctx, tx, identityID, accountID, false, address, userAgent)
}

// personActor is the actor of a person's own change, keeping the request id of ctx.
func personActor(ctx context.Context, identityID string) Actor {
	return Actor{Type: ActorPerson, ID: identityID, RequestID: ActorFrom(ctx).RequestID}
}

// foldEmail is the form of an e-mail that sign-in counters compare.
func foldEmail(email string) string { return strings.ToLower(strings.TrimSpace(email)) }
