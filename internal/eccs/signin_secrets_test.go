package eccs_test

import (
	"encoding/base32"
	"encoding/json"
	"testing"
	"time"

	"github.com/eccs/eccs/internal/eccs"
	"github.com/eccs/eccs/internal/testkit/secretscan"
	"github.com/eccs/eccs/internal/testkit/totptest"
)

// TestNoSignInSecretIsLeftInTheDatabase drives every flow of people's sign-in that makes or
// carries a secret (passwords set by invitation, change and reset, session and pending-step
// secrets, link tokens, a TOTP seed and its codes, recovery codes), then scans every file of
// the SQLite database for each of them in every encoding secretscan knows. A canary, a name
// stored in clear, proves the scan reads what was written.
func TestNoSignInSecretIsLeftInTheDatabase(t *testing.T) {
	w := signInWorld(t)
	var secrets []string
	keep := func(s ...string) { secrets = append(secrets, s...) }

	inv := must(w.svc.InviteAccount(w.ctx, w.carol.ID, "en"))(t)
	keep(w.svc.LinkToken(inv.Link.ID), carolPassword)
	must(w.svc.SetPasswordWithLink(w.ctx, eccs.LinkInvitation, w.svc.LinkToken(inv.Link.ID), carolPassword))(t)
	session := w.signIn(t, "carol.dupont@acme.example", carolPassword)
	keep(session.Token)
	must(0, w.svc.ChangePassword(w.ctx, w.carolID.ID, session.Session.ID, carolPassword, "the changed password", ""))(t)
	keep("the changed password")
	must(0, w.svc.RequestPasswordReset(w.ctx, "carol.dupont@acme.example", "192.0.2.1"))(t)
	var reset struct{ LinkID string }
	must(0, json.Unmarshal(w.pendingEvents(t, "person.password_reset")[0].Data, &reset))(t)
	keep(w.svc.LinkToken(reset.LinkID), "the reset password")
	must(w.svc.SetPasswordWithLink(w.ctx, eccs.LinkPasswordReset, w.svc.LinkToken(reset.LinkID), "the reset password"))(t)

	enr := must(w.svc.BeginTOTPEnrolment(w.ctx, w.carolID.ID))(t)
	seed := must(base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(enr.Secret))(t)
	keep(enr.Secret, string(seed), enr.URI)
	codes := must(w.svc.ConfirmTOTP(w.ctx, w.carolID.ID, totptest.Code(t, enr.Secret, w.clock.Now())))(t)
	keep(codes...)
	pending := w.signIn(t, "carol.dupont@acme.example", "the reset password")
	keep(pending.Token)
	done := must(w.svc.CompleteSignIn(w.ctx, pending.Token, codes[0], "192.0.2.1", "Firefox"))(t)
	keep(done.Token)
	w.clock.Advance(30 * time.Second)
	pending = w.signIn(t, "carol.dupont@acme.example", "the reset password")
	keep(pending.Token)
	done = must(w.svc.CompleteSignIn(w.ctx, pending.Token, totptest.Code(t, enr.Secret, w.clock.Now()), "", ""))(t)
	keep(done.Token)
	// A failed attempt carries a secret too.
	_, err := w.svc.SignIn(w.ctx, eccs.SignInRequest{Email: "carol.dupont@acme.example", Password: "a mistyped password", Address: "192.0.2.1"})
	wantErr(t, err, eccs.Unauthenticated, "", "")
	keep("a mistyped password")

	files := w.databaseBytes()
	canary := false
	for name, data := range files {
		canary = canary || len(secretscan.Scan(data, []string{"Carol Dupont"})) > 0 || len(secretscan.Scan(data, []string{"carol.dupont@acme.example"})) > 0
		for _, f := range secretscan.Scan(data, secrets) {
			t.Errorf("%s holds secret %.6s… as %s", name, secrets[f.Secret], f)
		}
	}
	if !canary {
		t.Fatal("the canary is in no database file: the scan sees nothing")
	}
}
