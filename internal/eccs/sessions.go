package eccs

import (
	"context"
	"fmt"
	"time"
)

// A session is a person signed in to the web space. Its secret, the cookie's value, is random
// and shown once; the database keeps only its keyed hash, so any replica serves any session
// and a stolen database signs nobody in. A session ends after an idle timeout (no request) or
// an absolute one (since sign-in), whichever comes first.

// Session is one signed-in browser of a person, on the account they chose.
type Session struct {
	ID           string // names the session in lists; not its secret
	Hash         string // keyed hash of the secret
	IdentityID   string
	AccountID    string // the account chosen; "" when the person holds none
	Pending      bool   // awaiting a second factor: it signs nothing in
	CreatedAt    time.Time
	ExpiresAt    time.Time // the absolute timeout
	LastSeenAt   time.Time // written at most once a minute
	LastSeenFrom string    // client address
	UserAgent    string
}

// SessionStore keeps sessions.
type SessionStore interface {
	// CreateSession stores se; Conflict if its id or hash is taken.
	CreateSession(ctx context.Context, se Session) error
	// SessionByHash returns the session whose hash is hash; NotFound if none.
	SessionByHash(ctx context.Context, hash string) (Session, error)
	// Sessions returns the sessions of identityID, pending ones too, newest first (by creation
	// time, then id).
	Sessions(ctx context.Context, identityID string) ([]Session, error)
	// TouchSession sets the last sight of session id, and nothing else; NotFound if none.
	TouchSession(ctx context.Context, id string, at time.Time, from, userAgent string) error
	// SetSessionAccount sets the account of session id; NotFound if none.
	SetSessionAccount(ctx context.Context, id, accountID string) error
	// DeleteSession removes session id of identityID; NotFound if identityID has none of that id.
	DeleteSession(ctx context.Context, identityID, id string) error
	// DeleteSessions removes every session of identityID but except (an id, or "") and returns
	// how many it removed.
	DeleteSessions(ctx context.Context, identityID, except string) (int, error)
	// DeleteStaleSessions removes the sessions that expire at or before expiredAt or were last
	// seen at or before idleSince, and returns how many.
	DeleteStaleSessions(ctx context.Context, expiredAt, idleSince time.Time) (int, error)
}

// sessionSecretLength is the length of session secrets: 43 alphanumeric characters, 256 bits.
const sessionSecretLength = 43

// startSession stores a new session (a new id and secret, always) and returns it with its
// secret. A pending one lasts Config.PendingSignInTTL.
func (s *SignInService) startSession(ctx context.Context, tx Store, identityID, accountID string, pending bool, address, userAgent string) (Session, string, error) {
	secret, err := randomString(s.random, sessionSecretLength, alphanumeric)
	if err != nil {
		return Session{}, "", err
	}
	id, err := s.newID()
	if err != nil {
		return Session{}, "", err
	}
	now := s.now()
	ttl := s.cfg.SessionMaxAge
	if pending {
		ttl = s.cfg.PendingSignInTTL
	}
	se := Session{ID: id, Hash: hashSecret(s.keys.HashKey, secret), IdentityID: identityID, AccountID: accountID,
		Pending: pending, CreatedAt: now, ExpiresAt: now.Add(ttl), LastSeenAt: now,
		LastSeenFrom: clip(address, 64), UserAgent: clip(userAgent, 256)}
	if err := tx.CreateSession(ctx, se); err != nil {
		return Session{}, "", err
	}
	return se, secret, nil
}

// clip keeps the first n bytes of s: what a client sends is stored, but not without bound.
func clip(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// sessionByToken finds the session of a secret; Unauthenticated when there is none.
func (s *SignInService) sessionByToken(ctx context.Context, token string) (Session, error) {
	if !isToken(token, 128) {
		return Session{}, &Error{Code: Unauthenticated, Reason: ReasonMissing, Message: "You are not signed in; sign in."}
	}
	se, err := s.store.SessionByHash(ctx, hashSecret(s.keys.HashKey, token))
	if IsNotFound(err) {
		return Session{}, Errorf(Unauthenticated, "This session is unknown or has ended; sign in again.")
	}
	if err != nil {
		return Session{}, fmt.Errorf("read session: %w", err)
	}
	return se, nil
}

// SessionFor returns the session whose secret is token, seen now from address with
// userAgent: its last sight is written at most once a minute. Errors: Unauthenticated, with
// ReasonMissing for no token, ReasonExpired for a session past its idle or absolute timeout
// (which is removed), none for an unknown one or a pending sign-in step.
func (s *SignInService) SessionFor(ctx context.Context, token, address, userAgent string) (Session, error) {
	se, err := s.sessionByToken(ctx, token)
	if err != nil {
		return Session{}, err
	}
	if se.Pending {
		return Session{}, Errorf(Unauthenticated, "This sign-in awaits its second factor; enter your code.")
	}
	now := s.now()
	if !now.Before(se.ExpiresAt) || !now.Before(se.LastSeenAt.Add(s.cfg.SessionIdleTimeout)) {
		if err := s.store.DeleteSession(ctx, se.IdentityID, se.ID); err != nil && !IsNotFound(err) {
			return Session{}, fmt.Errorf("end expired session: %w", err)
		}
		return Session{}, &Error{Code: Unauthenticated, Reason: ReasonExpired, Message: "Your session has expired; sign in again."}
	}
	if now.Sub(se.LastSeenAt) >= keyUseInterval {
		se.LastSeenAt, se.LastSeenFrom, se.UserAgent = now, clip(address, 64), clip(userAgent, 256)
		if err := s.store.TouchSession(ctx, se.ID, now, se.LastSeenFrom, se.UserAgent); err != nil && !IsNotFound(err) {
			return Session{}, fmt.Errorf("touch session: %w", err)
		}
	}
	return se, nil
}

// Sessions returns the signed-in sessions of a person (pending sign-in steps left out), newest
// first.
func (s *SignInService) Sessions(ctx context.Context, identityID string) ([]Session, error) {
	all, err := s.store.Sessions(ctx, identityID)
	if err != nil {
		return nil, fmt.Errorf("list sessions: %w", err)
	}
	list := []Session{}
	for _, se := range all {
		if !se.Pending {
			list = append(list, se)
		}
	}
	return list, nil
}

// SignOut ends session sessionID of a person. Errors: NotFound when the person has no such
// session.
func (s *SignInService) SignOut(ctx context.Context, identityID, sessionID string) error {
	err := s.inTx(ctx, func(tx Store) error {
		if err := tx.DeleteSession(ctx, identityID, sessionID); err != nil {
			return err
		}
		return s.note(WithActor(ctx, personActor(ctx, identityID)), tx, "person.sign_out", "person", identityID, map[string]string{"session": sessionID})
	})
	if err != nil {
		return fmt.Errorf("sign out: %w", err)
	}
	return nil
}

// SignOutEverywhere ends every session of a person, and returns how many it ended.
func (s *SignInService) SignOutEverywhere(ctx context.Context, identityID string) (int, error) {
	var n int
	err := s.inTx(ctx, func(tx Store) error {
		var err error
		if n, err = tx.DeleteSessions(ctx, identityID, ""); err != nil {
			return err
		}
		return s.note(WithActor(ctx, personActor(ctx, identityID)), tx, "person.sign_out_everywhere", "person", identityID, map[string]string{"sessionsEnded": fmt.Sprint(n)})
	})
	if err != nil {
		return 0, fmt.Errorf("sign out everywhere: %w", err)
	}
	return n, nil
}

// SwitchAccount makes accountID the account of session se, which must belong to the
// session's person. Errors: Forbidden for another person's account (or an unknown one);
// NotFound for an ended session.
func (s *SignInService) SwitchAccount(ctx context.Context, se Session, accountID string) (Session, error) {
	acct, err := s.store.Account(ctx, accountID)
	if IsNotFound(err) || (err == nil && acct.IdentityID != se.IdentityID) {
		return Session{}, Errorf(Forbidden, "Account %s is not one of yours.", accountID)
	}
	if err != nil {
		return Session{}, fmt.Errorf("switch account: %w", err)
	}
	err = s.inTx(ctx, func(tx Store) error {
		if err := tx.SetSessionAccount(ctx, se.ID, accountID); err != nil {
			return err
		}
		return s.note(WithActor(ctx, personActor(ctx, se.IdentityID)), tx, "person.switch_account", "person", se.IdentityID,
			map[string]string{"session": se.ID, "account": accountID})
	})
	if err != nil {
		return Session{}, fmt.Errorf("switch account: %w", err)
	}
	se.AccountID = accountID
	return se, nil
}

// PersonAccounts returns the accounts a person holds, sorted by id: those a session may switch
// to.
func (s *SignInService) PersonAccounts(ctx context.Context, identityID string) ([]Account, error) {
	return s.store.AccountsOf(ctx, identityID)
}

// DeleteStaleSessions removes the sessions past their idle or absolute timeout, and returns
// how many.
func (s *SignInService) DeleteStaleSessions(ctx context.Context) (int, error) {
	now := s.now()
	return s.store.DeleteStaleSessions(ctx, now, now.Add(-s.cfg.SessionIdleTimeout))
}
