package eccs_test

import (
	"strings"
	"testing"
	"time"

	"github.com/eccs/eccs/internal/eccs"
)

func TestOperatorTokens(t *testing.T) {
	t.Parallel()
	w := newEnv(t)
	ctx, s := w.ctx, w.svc

	tok, secret, err := s.CreateOperatorToken(ctx, "Alice Operator", 0)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(secret, "eccsop_") || len(secret) < 40 || tok.Prefix != secret[:12] || tok.Hash == secret ||
		strings.Contains(tok.Hash, secret) || !tok.ExpiresAt.IsZero() || !tok.CreatedAt.Equal(t0) || tok.Name != "Alice Operator" {
		t.Fatalf("token %+v, secret %q", tok, secret)
	}
	stored := func(id string) eccs.OperatorToken { t.Helper(); return must(w.store.OperatorToken(ctx, id))(t) }

	use := func() eccs.OperatorToken {
		t.Helper()
		got := must(s.AuthenticateOperator(ctx, secret))(t)
		if err := s.RecordOperatorUse(ctx, got); err != nil {
			t.Fatal(err)
		}
		return got
	}
	t.Run("authenticates and records the use", func(t *testing.T) {
		w.clock.Advance(time.Minute)
		got, err := s.AuthenticateOperator(ctx, secret)
		if err != nil || got.ID != tok.ID {
			t.Fatalf("AuthenticateOperator: %+v, %v", got, err)
		}
		if st := stored(tok.ID); !st.LastUsedAt.IsZero() {
			t.Errorf("authenticating wrote the last use: %v", st.LastUsedAt)
		}
		use()
		if st := stored(tok.ID); !st.LastUsedAt.Equal(t0.Add(time.Minute)) {
			t.Errorf("LastUsedAt %v", st.LastUsedAt)
		}
		w.clock.Advance(30 * time.Second)
		use()
		if st := stored(tok.ID); !st.LastUsedAt.Equal(t0.Add(time.Minute)) {
			t.Errorf("written again within the minute: %v", st.LastUsedAt)
		}
		w.clock.Advance(30 * time.Second)
		use()
		if st := stored(tok.ID); !st.LastUsedAt.Equal(t0.Add(2 * time.Minute)) {
			t.Errorf("a minute later: %v", st.LastUsedAt)
		}
	})

	t.Run("unknown values are unauthenticated", func(t *testing.T) {
		for _, v := range []string{"", "eccsop_", secret + "x", strings.ToUpper(secret), secret[:len(secret)-1], strings.Repeat("t", 600)} {
			_, err := s.AuthenticateOperator(ctx, v)
			wantErr(t, err, eccs.Unauthenticated, "", "")
		}
	})

	t.Run("expires", func(t *testing.T) {
		short, shortSecret, err := s.CreateOperatorToken(ctx, "Temporary", time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if !short.ExpiresAt.Equal(w.clock.Now().Add(time.Hour)) {
			t.Errorf("ExpiresAt %v", short.ExpiresAt)
		}
		w.clock.Advance(time.Hour - time.Microsecond)
		must(s.AuthenticateOperator(ctx, shortSecret))(t)
		w.clock.Advance(time.Microsecond)
		_, err = s.AuthenticateOperator(ctx, shortSecret)
		wantErr(t, err, eccs.Unauthenticated, "", "")
		must(s.AuthenticateOperator(ctx, secret))(t) // the one without expiry
	})

	t.Run("revoked at once", func(t *testing.T) {
		other, otherSecret, err := s.CreateOperatorToken(ctx, "Bob Operator", 0)
		if err != nil {
			t.Fatal(err)
		}
		must(s.AuthenticateOperator(ctx, otherSecret))(t)
		revoked := must(s.RevokeOperatorToken(ctx, other.ID))(t)
		if !revoked.RevokedAt.Equal(w.clock.Now()) || !stored(other.ID).RevokedAt.Equal(revoked.RevokedAt) {
			t.Errorf("revoked %+v", revoked)
		}
		_, err = s.AuthenticateOperator(ctx, otherSecret)
		wantErr(t, err, eccs.Unauthenticated, "", "")
		err = w.wantNoEvent(t, func() error { _, err := s.RevokeOperatorToken(ctx, other.ID); return err })
		wantErr(t, err, eccs.Conflict, "", "")
		err = w.wantNoEvent(t, func() error { _, err := s.RevokeOperatorToken(ctx, "nosuchtoken00000"); return err })
		wantErr(t, err, eccs.NotFound, "", "")
		must(s.AuthenticateOperator(ctx, secret))(t)
	})

	t.Run("preset token", func(t *testing.T) {
		preset := "eccsop_" + strings.Repeat("p", 32)
		p, err := s.CreatePresetOperatorToken(ctx, "Dev", preset)
		if err != nil {
			t.Fatal(err)
		}
		if got := must(s.AuthenticateOperator(ctx, preset))(t); got.ID != p.ID {
			t.Errorf("preset token authenticates %s", got.ID)
		}
		err = w.wantNoEvent(t, func() error { _, err := s.CreatePresetOperatorToken(ctx, "Dev again", preset); return err })
		wantErr(t, err, eccs.Conflict, "", "")
	})

	t.Run("refusals", func(t *testing.T) {
		for _, tc := range []struct {
			name  string
			call  func() error
			field string
		}{
			{"empty name", func() error { _, _, err := s.CreateOperatorToken(ctx, "", 0); return err }, "name"},
			{"name with a newline", func() error { _, _, err := s.CreateOperatorToken(ctx, "a\nb", 0); return err }, "name"},
			{"negative lifetime", func() error { _, _, err := s.CreateOperatorToken(ctx, "x", -time.Hour); return err }, "ttl"},
			{"preset without the prefix", func() error {
				_, err := s.CreatePresetOperatorToken(ctx, "x", strings.Repeat("p", 40))
				return err
			}, "token"},
			{"preset too short", func() error {
				_, err := s.CreatePresetOperatorToken(ctx, "x", "eccsop_"+strings.Repeat("p", 31))
				return err
			}, "token"},
			{"preset with a space", func() error {
				_, err := s.CreatePresetOperatorToken(ctx, "x", "eccsop_"+strings.Repeat("p", 31)+" ")
				return err
			}, "token"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				err := w.wantNoEvent(t, tc.call)
				wantErr(t, err, eccs.Invalid, "", tc.field)
			})
		}
	})

	t.Run("list", func(t *testing.T) {
		list := must(s.OperatorTokens(ctx))(t)
		if len(list) != 4 || list[0].ID != tok.ID {
			t.Errorf("tokens %+v", list)
		}
		for _, ot := range list {
			if strings.Contains(ot.Hash, "eccsop_") {
				t.Errorf("token %s stores its value", ot.ID)
			}
		}
	})
}
