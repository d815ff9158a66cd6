package storetest

import (
	"context"
	"testing"

	"github.com/eccs/eccs/internal/eccs"
)

// This file checks passkeys and WebAuthn ceremonies.

func passkey(id string, i eccs.Identity, created int) eccs.Passkey {
	return eccs.Passkey{ID: id, IdentityID: i.ID, Name: "Laptop " + id, Credential: []byte(`{"id":"` + id + `"}`), CreatedAt: at(created)}
}

func testPasskeys(t *testing.T, open func(t *testing.T) eccs.Store) {
	t.Run("passkeys read back, oldest first, and record their use", func(t *testing.T) {
		s := open(t)
		w := seed(t, s)
		newer, older := passkey("pk-a", w.alice, 5), passkey("pk-b", w.alice, 1)
		for _, p := range []eccs.Passkey{newer, older, passkey("pk-c", w.bob, 0)} {
			must(t, s.CreatePasskey(t.Context(), p))
		}
		list, err := s.Passkeys(t.Context(), w.alice.ID)
		must(t, err)
		equal(t, "Passkeys", list, []eccs.Passkey{older, newer})
		must(t, s.UsePasskey(t.Context(), newer.ID, []byte(`{"id":"pk-a","n":2}`), at(9)))
		newer.Credential, newer.LastUsedAt = []byte(`{"id":"pk-a","n":2}`), at(9)
		got, err := s.Passkey(t.Context(), newer.ID)
		must(t, err)
		equal(t, "used Passkey", got, newer)
		must(t, s.DeletePasskey(t.Context(), w.alice.ID, older.ID))
		checkCode(t, s.DeletePasskey(t.Context(), w.alice.ID, "pk-c"), eccs.NotFound)
	})
	t.Run("a ceremony is taken once, and expired ones are deleted", func(t *testing.T) {
		s := open(t)
		c := eccs.Ceremony{ID: "cer-1", IdentityID: "id-alice", Kind: "registration", Data: []byte(`{"challenge":"x"}`), ExpiresAt: at(5)}
		must(t, s.CreateCeremony(t.Context(), c))
		must(t, s.CreateCeremony(t.Context(), eccs.Ceremony{ID: "cer-2", Kind: "sign_in", Data: []byte(`{}`), ExpiresAt: at(1)}))
		got, err := s.TakeCeremony(t.Context(), c.ID)
		must(t, err)
		equal(t, "TakeCeremony", got, c)
		_, err = s.TakeCeremony(t.Context(), c.ID)
		checkCode(t, err, eccs.NotFound)
		n, err := s.DeleteCeremonies(t.Context(), at(1))
		must(t, err)
		equal(t, "ceremonies deleted", n, 1)
	})
	runErrorCases(t, open, []errorCase{
		{"taken passkey id is Conflict", func(ctx context.Context, t *testing.T, s eccs.Store, w world) error {
			must(t, s.CreatePasskey(ctx, passkey("pk-1", w.alice, 0)))
			return s.CreatePasskey(ctx, passkey("pk-1", w.bob, 1))
		}, eccs.Conflict},
		{"a passkey of an unknown identity is NotFound", func(ctx context.Context, t *testing.T, s eccs.Store, w world) error {
			return s.CreatePasskey(ctx, passkey("pk-1", eccs.Identity{ID: "id-none"}, 0))
		}, eccs.NotFound},
		{"an unknown passkey is NotFound", func(ctx context.Context, t *testing.T, s eccs.Store, w world) error {
			_, err := s.Passkey(ctx, "pk-none")
			return err
		}, eccs.NotFound},
		{"using an unknown passkey is NotFound", func(ctx context.Context, t *testing.T, s eccs.Store, w world) error {
			return s.UsePasskey(ctx, "pk-none", []byte(`{}`), at(1))
		}, eccs.NotFound},
	})
}
