package storetest

import (
	"context"
	"testing"

	"github.com/eccs/eccs/internal/eccs"
)

// This file checks what people's sign-in keeps: their language, password hashes, sessions,
// one-time links, second factors, recovery codes and the counters of failed sign-ins.

func testSignIn(t *testing.T, open func(t *testing.T) eccs.Store) {
	t.Run("Language", func(t *testing.T) { testLanguage(t, open) })
	t.Run("Passwords", func(t *testing.T) { testPasswords(t, open) })
	t.Run("Sessions", func(t *testing.T) { testSessions(t, open) })
	t.Run("Links", func(t *testing.T) { testLinks(t, open) })
	t.Run("SecondFactors", func(t *testing.T) { testSecondFactors(t, open) })
	t.Run("Throttles", func(t *testing.T) { testThrottles(t, open) })
	t.Run("Passkeys", func(t *testing.T) { testPasskeys(t, open) })
}

func testLanguage(t *testing.T, open func(t *testing.T) eccs.Store) {
	t.Run("an identity's language reads back, and UpdateIdentity changes it", func(t *testing.T) {
		s := open(t)
		seed(t, s)
		i := eccs.Identity{ID: "id-eve", Email: "eve@example.com", Language: "en", CreatedAt: at(1), UpdatedAt: at(1)}
		must(t, s.CreateIdentity(t.Context(), i))
		got, err := s.Identity(t.Context(), i.ID)
		must(t, err)
		equal(t, "Identity", got, i)
		i.Language, i.UpdatedAt = "fr", at(2)
		must(t, s.UpdateIdentity(t.Context(), i))
		got, err = s.IdentityByEmail(t.Context(), i.Email)
		must(t, err)
		equal(t, "updated Identity", got, i)
	})
}

func testPasswords(t *testing.T, open func(t *testing.T) eccs.Store) {
	t.Run("a password hash reads back, and a second one replaces it", func(t *testing.T) {
		s := open(t)
		w := seed(t, s)
		must(t, s.SetPasswordHash(t.Context(), w.alice.ID, "$argon2id$first", at(1)))
		must(t, s.SetPasswordHash(t.Context(), w.alice.ID, "$argon2id$second", at(2)))
		got, err := s.PasswordHash(t.Context(), w.alice.ID)
		must(t, err)
		equal(t, "PasswordHash", got, "$argon2id$second")
	})
	runErrorCases(t, open, []errorCase{
		{"no password is NotFound", func(ctx context.Context, t *testing.T, s eccs.Store, w world) error {
			_, err := s.PasswordHash(ctx, w.bob.ID)
			return err
		}, eccs.NotFound},
		{"a password of an unknown identity is NotFound", func(ctx context.Context, t *testing.T, s eccs.Store, w world) error {
			return s.SetPasswordHash(ctx, "id-none", "$argon2id$x", at(1))
		}, eccs.NotFound},
	})
}

func session(id string, i eccs.Identity, created int) eccs.Session {
	return eccs.Session{ID: id, Hash: "hash-of-" + id, IdentityID: i.ID, AccountID: "acct-1", CreatedAt: at(created),
		ExpiresAt: at(created + 720), LastSeenAt: at(created), LastSeenFrom: "192.0.2.1", UserAgent: "Firefox"}
}

func testSessions(t *testing.T, open func(t *testing.T) eccs.Store) {
	runStoreCases(t, open, []storeCase{
		{"sessions read back equal, newest first", sessionsReadBack},
		{"touch and account change only their fields", sessionsTouched},
		{"deleting sessions keeps the excepted one and other people's", sessionsDeleted},
		{"stale sessions are removed, by expiry or idleness", sessionsStale},
	})
	runErrorCases(t, open, []errorCase{
		{"taken session hash is Conflict", func(ctx context.Context, t *testing.T, s eccs.Store, w world) error {
			must(t, s.CreateSession(ctx, session("se-1", w.alice, 0)))
			other := session("se-2", w.alice, 1)
			other.Hash = "hash-of-se-1"
			return s.CreateSession(ctx, other)
		}, eccs.Conflict},
		{"a session of an unknown identity is NotFound", func(ctx context.Context, t *testing.T, s eccs.Store, w world) error {
			return s.CreateSession(ctx, session("se-1", eccs.Identity{ID: "id-none"}, 0))
		}, eccs.NotFound},
		{"an unknown session hash is NotFound", func(ctx context.Context, t *testing.T, s eccs.Store, w world) error {
			_, err := s.SessionByHash(ctx, "hash-of-none")
			return err
		}, eccs.NotFound},
		{"deleting another person's session is NotFound", func(ctx context.Context, t *testing.T, s eccs.Store, w world) error {
			must(t, s.CreateSession(ctx, session("se-1", w.alice, 0)))
			return s.DeleteSession(ctx, w.bob.ID, "se-1")
		}, eccs.NotFound},
		{"touching an unknown session is NotFound", func(ctx context.Context, t *testing.T, s eccs.Store, w world) error {
			return s.TouchSession(ctx, "se-none", at(1), "", "")
		}, eccs.NotFound},
		{"choosing the account of an unknown session is NotFound", func(ctx context.Context, t *testing.T, s eccs.Store, w world) error {
			return s.SetSessionAccount(ctx, "se-none", "acct-2")
		}, eccs.NotFound},
	})
}

func sessionsReadBack(t *testing.T, s eccs.Store) {
	w := seed(t, s)
	older, newer := session("se-b", w.alice, 0), session("se-a", w.alice, 5)
	newer.Pending, newer.AccountID = true, ""
	for _, se := range []eccs.Session{older, newer, session("se-c", w.bob, 3)} {
		must(t, s.CreateSession(t.Context(), se))
	}
	got, err := s.SessionByHash(t.Context(), newer.Hash)
	must(t, err)
	equal(t, "SessionByHash", got, newer)
	list, err := s.Sessions(t.Context(), w.alice.ID)
	must(t, err)
	equal(t, "Sessions", list, []eccs.Session{newer, older})
}

func sessionsTouched(t *testing.T, s eccs.Store) {
	w := seed(t, s)
	se := session("se-1", w.alice, 0)
	must(t, s.CreateSession(t.Context(), se))
	must(t, s.TouchSession(t.Context(), se.ID, at(3), "198.51.100.7", "Safari"))
	must(t, s.SetSessionAccount(t.Context(), se.ID, "acct-2"))
	se.LastSeenAt, se.LastSeenFrom, se.UserAgent, se.AccountID = at(3), "198.51.100.7", "Safari", "acct-2"
	got, err := s.SessionByHash(t.Context(), se.Hash)
	must(t, err)
	equal(t, "touched session", got, se)
}

func sessionsDeleted(t *testing.T, s eccs.Store) {
	w := seed(t, s)
	for i, id := range []string{"se-1", "se-2", "se-3"} {
		must(t, s.CreateSession(t.Context(), session(id, w.alice, i)))
	}
	must(t, s.CreateSession(t.Context(), session("se-bob", w.bob, 0)))
	must(t, s.DeleteSession(t.Context(), w.alice.ID, "se-1"))
	n, err := s.DeleteSessions(t.Context(), w.alice.ID, "se-3")
	must(t, err)
	equal(t, "sessions deleted", n, 1)
	ids := func(i eccs.Identity) []string {
		list, err := s.Sessions(t.Context(), i.ID)
		must(t, err)
		var out []string
		for _, se := range list {
			out = append(out, se.ID)
		}
		return out
	}
	equal(t, "alice's sessions left", ids(w.alice), []string{"se-3"})
	equal(t, "bob's sessions left", ids(w.bob), []string{"se-bob"})
	n, err = s.DeleteSessions(t.Context(), w.alice.ID, "")
	must(t, err)
	equal(t, "sessions deleted without exception", n, 1)
}

func sessionsStale(t *testing.T, s eccs.Store) {
	w := seed(t, s)
	expired := session("se-expired", w.alice, 0)
	expired.ExpiresAt, expired.LastSeenAt = at(10), at(9)
	idle := session("se-idle", w.alice, 0)
	idle.LastSeenAt = at(5)
	live := session("se-live", w.alice, 0)
	live.LastSeenAt = at(9)
	for _, se := range []eccs.Session{expired, idle, live} {
		must(t, s.CreateSession(t.Context(), se))
	}
	n, err := s.DeleteStaleSessions(t.Context(), at(10), at(5))
	must(t, err)
	equal(t, "stale sessions deleted", n, 2)
	list, err := s.Sessions(t.Context(), w.alice.ID)
	must(t, err)
	equal(t, "sessions left", list, []eccs.Session{live})
}
