package storetest

import (
	"context"
	"testing"

	"github.com/eccs/eccs/internal/eccs"
)

// This file checks one-time links, second factors, recovery codes and sign-in counters.

func link(id string, i eccs.Identity) eccs.Link {
	return eccs.Link{ID: id, Kind: eccs.LinkInvitation, IdentityID: i.ID, CreatedAt: at(0), ExpiresAt: at(60)}
}

func testLinks(t *testing.T, open func(t *testing.T) eccs.Store) {
	t.Run("a link reads back equal, and once used, with its use", func(t *testing.T) {
		s := open(t)
		w := seed(t, s)
		l := link("link-1", w.alice)
		must(t, s.CreateLink(t.Context(), l))
		got, err := s.Link(t.Context(), l.ID)
		must(t, err)
		equal(t, "Link", got, l)
		must(t, s.UseLink(t.Context(), l.ID, at(5)))
		l.UsedAt = at(5)
		got, err = s.Link(t.Context(), l.ID)
		must(t, err)
		equal(t, "used Link", got, l)
	})
	runErrorCases(t, open, []errorCase{
		{"a used link used again is Conflict", func(ctx context.Context, t *testing.T, s eccs.Store, w world) error {
			must(t, s.CreateLink(ctx, link("link-1", w.alice)))
			must(t, s.UseLink(ctx, "link-1", at(1)))
			return s.UseLink(ctx, "link-1", at(2))
		}, eccs.Conflict},
		{"using an unknown link is NotFound", func(ctx context.Context, t *testing.T, s eccs.Store, w world) error {
			return s.UseLink(ctx, "link-none", at(1))
		}, eccs.NotFound},
		{"an unknown link is NotFound", func(ctx context.Context, t *testing.T, s eccs.Store, w world) error {
			_, err := s.Link(ctx, "link-none")
			return err
		}, eccs.NotFound},
		{"taken link id is Conflict", func(ctx context.Context, t *testing.T, s eccs.Store, w world) error {
			must(t, s.CreateLink(ctx, link("link-1", w.alice)))
			return s.CreateLink(ctx, link("link-1", w.bob))
		}, eccs.Conflict},
		{"a link of an unknown identity is NotFound", func(ctx context.Context, t *testing.T, s eccs.Store, w world) error {
			return s.CreateLink(ctx, link("link-1", eccs.Identity{ID: "id-none"}))
		}, eccs.NotFound},
	})
}

func testSecondFactors(t *testing.T, open func(t *testing.T) eccs.Store) {
	runStoreCases(t, open, []storeCase{
		{"a second factor reads back, confirmed, and takes later steps only", secondFactorSteps},
		{"recovery codes are single use, and replaced with the second factor", recoveryCodesUsed},
	})
	runErrorCases(t, open, []errorCase{
		{"no second factor is NotFound", func(ctx context.Context, t *testing.T, s eccs.Store, w world) error {
			_, err := s.SecondFactor(ctx, w.bob.ID)
			return err
		}, eccs.NotFound},
		{"a step without a second factor is NotFound", func(ctx context.Context, t *testing.T, s eccs.Store, w world) error {
			return s.UseTOTPStep(ctx, w.bob.ID, 5)
		}, eccs.NotFound},
		{"confirming no second factor is NotFound", func(ctx context.Context, t *testing.T, s eccs.Store, w world) error {
			return s.ConfirmSecondFactor(ctx, w.bob.ID, at(1), 5)
		}, eccs.NotFound},
		{"a second factor of an unknown identity is NotFound", func(ctx context.Context, t *testing.T, s eccs.Store, w world) error {
			return s.PutSecondFactor(ctx, eccs.SecondFactor{IdentityID: "id-none", Sealed: []byte{1}, CreatedAt: at(1)})
		}, eccs.NotFound},
		{"an unknown recovery code is NotFound", func(ctx context.Context, t *testing.T, s eccs.Store, w world) error {
			return s.UseRecoveryCode(ctx, w.alice.ID, "hash-none", at(1))
		}, eccs.NotFound},
	})
}

func secondFactorSteps(t *testing.T, s eccs.Store) {
	w := seed(t, s)
	f := eccs.SecondFactor{IdentityID: w.alice.ID, Sealed: []byte{0, 1, 2, 250, 255}, CreatedAt: at(1)}
	must(t, s.PutSecondFactor(t.Context(), f))
	got, err := s.SecondFactor(t.Context(), w.alice.ID)
	must(t, err)
	equal(t, "SecondFactor", got, f)
	must(t, s.ConfirmSecondFactor(t.Context(), w.alice.ID, at(2), 100))
	must(t, s.UseTOTPStep(t.Context(), w.alice.ID, 101))
	checkCode(t, s.UseTOTPStep(t.Context(), w.alice.ID, 101), eccs.Conflict)
	checkCode(t, s.UseTOTPStep(t.Context(), w.alice.ID, 99), eccs.Conflict)
	f.ConfirmedAt, f.LastStep = at(2), 101
	got, err = s.SecondFactor(t.Context(), w.alice.ID)
	must(t, err)
	equal(t, "confirmed SecondFactor", got, f)
	must(t, s.DeleteSecondFactor(t.Context(), w.alice.ID))
	_, err = s.SecondFactor(t.Context(), w.alice.ID)
	checkCode(t, err, eccs.NotFound)
	must(t, s.DeleteSecondFactor(t.Context(), w.alice.ID))
}

func recoveryCodesUsed(t *testing.T, s eccs.Store) {
	w := seed(t, s)
	must(t, s.PutSecondFactor(t.Context(), eccs.SecondFactor{IdentityID: w.alice.ID, Sealed: []byte{1}, CreatedAt: at(1)}))
	must(t, s.AddRecoveryCodes(t.Context(), w.alice.ID, []string{"h1", "h2", "h3"}, at(1)))
	left := func(want int) {
		t.Helper()
		n, err := s.RecoveryCodesLeft(t.Context(), w.alice.ID)
		must(t, err)
		equal(t, "RecoveryCodesLeft", n, want)
	}
	left(3)
	must(t, s.UseRecoveryCode(t.Context(), w.alice.ID, "h2", at(2)))
	checkCode(t, s.UseRecoveryCode(t.Context(), w.alice.ID, "h2", at(3)), eccs.NotFound)
	checkCode(t, s.UseRecoveryCode(t.Context(), w.bob.ID, "h1", at(3)), eccs.NotFound)
	left(2)
	must(t, s.PutSecondFactor(t.Context(), eccs.SecondFactor{IdentityID: w.alice.ID, Sealed: []byte{2}, CreatedAt: at(4)}))
	left(0)
}

func testThrottles(t *testing.T, open func(t *testing.T) eccs.Store) {
	t.Run("a throttle reads back, is replaced, and is forgotten", func(t *testing.T) {
		s := open(t)
		th := eccs.Throttle{Subject: "address:192.0.2.1", Failures: 3, WindowStart: at(1), LastFailureAt: at(2)}
		must(t, s.PutThrottle(t.Context(), th))
		th.Failures, th.Locks, th.LockedUntil = 0, 1, at(3)
		must(t, s.PutThrottle(t.Context(), th))
		got, err := s.Throttle(t.Context(), th.Subject)
		must(t, err)
		equal(t, "Throttle", got, th)
		must(t, s.DeleteThrottle(t.Context(), th.Subject))
		_, err = s.Throttle(t.Context(), th.Subject)
		checkCode(t, err, eccs.NotFound)
		must(t, s.DeleteThrottle(t.Context(), th.Subject))
	})
}
