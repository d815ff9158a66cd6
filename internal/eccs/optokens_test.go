package eccs_test

import (
	"strings"
	"testing"
	"time"

	"github.com/eccs/eccs/internal/eccs"
)

// TestOperatorTokens follows an operator token, and others made along the way, through its
// uses, the passing of time, revocations and refusals, in order: each step starts where the
// last one left the clock and the tokens.
func TestOperatorTokens(t *testing.T) {
	t.Parallel()
	o := newOpTokens(t)
	t.Run("authenticates and records the use", o.wantUseRecorded)
	t.Run("unknown values are unauthenticated", o.wantUnknownRefused)
	t.Run("expires", o.wantExpiry)
	t.Run("revoked at once", o.wantRevocation)
	t.Run("preset token", o.wantPreset)
	t.Run("refusals", o.wantRefusals)
	t.Run("list", o.wantList)
}

// opTokens is an environment with one operator token, tok, of value secret, without expiry.
type opTokens struct {
	w      *env
	tok    eccs.OperatorToken
	secret string
}

func newOpTokens(t *testing.T) *opTokens {
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
	return &opTokens{w: w, tok: tok, secret: secret}
}

// stored returns the stored operator token id.
func (o *opTokens) stored(t *testing.T, id string) eccs.OperatorToken {
	t.Helper()
	return must(o.w.store.OperatorToken(o.w.ctx, id))(t)
}

// use authenticates with the secret and records the use, as a call of the operator does.
func (o *opTokens) use(t *testing.T) eccs.OperatorToken {
	t.Helper()
	got := must(o.w.svc.AuthenticateOperator(o.w.ctx, o.secret))(t)
	if err := o.w.svc.RecordOperatorUse(o.w.ctx, got); err != nil {
		t.Fatal(err)
	}
	return got
}

// wantUseRecorded checks that authenticating does not write the token's last use, and that
// recording it writes it at most once a minute.
func (o *opTokens) wantUseRecorded(t *testing.T) {
	w, ctx, s, tok, secret := o.w, o.w.ctx, o.w.svc, o.tok, o.secret
	w.clock.Advance(time.Minute)
	got, err := s.AuthenticateOperator(ctx, secret)
	if err != nil || got.ID != tok.ID {
		t.Fatalf("AuthenticateOperator: %+v, %v", got, err)
	}
	if st := o.stored(t, tok.ID); !st.LastUsedAt.IsZero() {
		t.Errorf("authenticating wrote the last use: %v", st.LastUsedAt)
	}
	o.use(t)
	if st := o.stored(t, tok.ID); !st.LastUsedAt.Equal(t0.Add(time.Minute)) {
		t.Errorf("LastUsedAt %v", st.LastUsedAt)
	}
	w.clock.Advance(30 * time.Second)
	o.use(t)
	if st := o.stored(t, tok.ID); !st.LastUsedAt.Equal(t0.Add(time.Minute)) {
		t.Errorf("written again within the minute: %v", st.LastUsedAt)
	}
	w.clock.Advance(30 * time.Second)
	o.use(t)
	if st := o.stored(t, tok.ID); !st.LastUsedAt.Equal(t0.Add(2 * time.Minute)) {
		t.Errorf("a minute later: %v", st.LastUsedAt)
	}
}

// wantUnknownRefused checks that values near the secret are unauthenticated.
func (o *opTokens) wantUnknownRefused(t *testing.T) {
	ctx, s, secret := o.w.ctx, o.w.svc, o.secret
	for _, v := range []string{"", "eccsop_", secret + "x", strings.ToUpper(secret), secret[:len(secret)-1], strings.Repeat("t", 600)} {
		_, err := s.AuthenticateOperator(ctx, v)
		wantErr(t, err, eccs.Unauthenticated, "", "")
	}
}

// wantExpiry checks that a token with a lifetime stops at its end, and the one without goes on.
func (o *opTokens) wantExpiry(t *testing.T) {
	w, ctx, s, secret := o.w, o.w.ctx, o.w.svc, o.secret
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
}

// wantRevocation checks that a revoked token stops at once, cannot be revoked again, and leaves
// the others.
func (o *opTokens) wantRevocation(t *testing.T) {
	w, ctx, s, secret := o.w, o.w.ctx, o.w.svc, o.secret
	other, otherSecret, err := s.CreateOperatorToken(ctx, "Bob Operator", 0)
	if err != nil {
		t.Fatal(err)
	}
	must(s.AuthenticateOperator(ctx, otherSecret))(t)
	revoked := must(s.RevokeOperatorToken(ctx, other.ID))(t)
	if !revoked.RevokedAt.Equal(w.clock.Now()) || !o.stored(t, other.ID).RevokedAt.Equal(revoked.RevokedAt) {
		t.Errorf("revoked %+v", revoked)
	}
	_, err = s.AuthenticateOperator(ctx, otherSecret)
	wantErr(t, err, eccs.Unauthenticated, "", "")
	err = w.wantNoEvent(t, func() error { _, err := s.RevokeOperatorToken(ctx, other.ID); return err })
	wantErr(t, err, eccs.Conflict, "", "")
	err = w.wantNoEvent(t, func() error { _, err := s.RevokeOperatorToken(ctx, "nosuchtoken00000"); return err })
	wantErr(t, err, eccs.NotFound, "", "")
	must(s.AuthenticateOperator(ctx, secret))(t)
}

// wantPreset checks that a preset token authenticates, and cannot be created twice.
func (o *opTokens) wantPreset(t *testing.T) {
	w, ctx, s := o.w, o.w.ctx, o.w.svc
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
}

// wantRefusals checks that invalid names, lifetimes and preset values are refused, unrecorded.
func (o *opTokens) wantRefusals(t *testing.T) {
	w, ctx, s := o.w, o.w.ctx, o.w.svc
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
}

// wantList checks that the four tokens made so far are listed, oldest first, without their
// values.
func (o *opTokens) wantList(t *testing.T) {
	ctx, s, tok := o.w.ctx, o.w.svc, o.tok
	list := must(s.OperatorTokens(ctx))(t)
	if len(list) != 4 || list[0].ID != tok.ID {
		t.Errorf("tokens %+v", list)
	}
	for _, ot := range list {
		if strings.Contains(ot.Hash, "eccsop_") {
			t.Errorf("token %s stores its value", ot.ID)
		}
	}
}
