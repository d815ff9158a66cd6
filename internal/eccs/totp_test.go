package eccs_test

// Tests of the second factor: enrolment, two-step sign-in, replays and recovery codes.

import (
	"strings"
	"testing"
	"time"

	"github.com/eccs/eccs/internal/eccs"
	"github.com/eccs/eccs/internal/testkit/totptest"
)

// enrolled gives carol a password and a confirmed second factor; it returns the secret and
// the recovery codes.
func (w *world) enrolled(t testing.TB) (string, []string) {
	t.Helper()
	w.withPassword(t, w.carol, carolPassword)
	enr := must(w.svc.BeginTOTPEnrolment(w.ctx, w.carolID.ID))(t)
	codes := must(w.svc.ConfirmTOTP(w.ctx, w.carolID.ID, totptest.Code(t, enr.Secret, w.clock.Now())))(t)
	return enr.Secret, codes
}

func TestEnrolmentShowsASecretAndURIAndAFirstCodeConfirmsIt(t *testing.T) {
	w := signInWorld(t)
	enr := must(w.svc.BeginTOTPEnrolment(w.ctx, w.carolID.ID))(t)
	if len(enr.Secret) != 32 || !strings.HasPrefix(enr.URI, "otpauth://totp/eccs:carol.dupont@acme.example?secret="+enr.Secret) ||
		!strings.Contains(enr.URI, "digits=6") || !strings.Contains(enr.URI, "period=30") {
		t.Fatalf("enrolment = %+v", enr)
	}
	_, err := w.svc.ConfirmTOTP(w.ctx, w.carolID.ID, "000000")
	wantErr(t, err, eccs.Unauthenticated, "", "")
	// An unconfirmed enrolment asks nothing at sign-in, and a new one replaces it.
	enr = must(w.svc.BeginTOTPEnrolment(w.ctx, w.carolID.ID))(t)
	codes := must(w.svc.ConfirmTOTP(w.ctx, w.carolID.ID, totptest.Code(t, enr.Secret, t0.Add(30*time.Second))))(t)
	if len(codes) != 10 || must(w.svc.RecoveryCodesLeft(w.ctx, w.carolID.ID))(t) != 10 {
		t.Fatalf("recovery codes = %q", codes)
	}
	_, err = w.svc.BeginTOTPEnrolment(w.ctx, w.carolID.ID)
	wantErr(t, err, eccs.Conflict, "", "")
	_, err = w.svc.ConfirmTOTP(w.ctx, w.carolID.ID, totptest.Code(t, enr.Secret, t0))
	wantErr(t, err, eccs.Conflict, "", "")
}

func TestSignInWithASecondFactorTakesTwoStepsAndACodeWorksOnce(t *testing.T) {
	w := signInWorld(t)
	secret, _ := w.enrolled(t)
	first := w.signIn(t, "carol.dupont@acme.example", carolPassword)
	if !first.SecondFactorRequired || first.Token == "" {
		t.Fatalf("SignIn = %+v, want a pending step", first)
	}
	_, err := w.svc.SessionFor(w.ctx, first.Token, "", "")
	wantErr(t, err, eccs.Unauthenticated, "", "")
	// The enrolment's code (step of t0) is spent: the next step's is needed.
	_, err = w.svc.CompleteSignIn(w.ctx, first.Token, totptest.Code(t, secret, t0), "", "")
	wantErr(t, err, eccs.Unauthenticated, "", "")
	w.clock.Advance(30 * time.Second)
	code := totptest.Code(t, secret, w.clock.Now())
	res := must(w.svc.CompleteSignIn(w.ctx, first.Token, code, "", ""))(t)
	if res.Session.ID == first.Session.ID || res.Session.Pending || res.Session.AccountID != w.carol.ID {
		t.Fatalf("CompleteSignIn = %+v", res)
	}
	must(w.svc.SessionFor(w.ctx, res.Token, "", ""))(t)
	_, err = w.svc.CompleteSignIn(w.ctx, first.Token, code, "", "")
	wantErr(t, err, eccs.Unauthenticated, "", "") // the pending step is gone
	again := w.signIn(t, "carol.dupont@acme.example", carolPassword)
	_, err = w.svc.CompleteSignIn(w.ctx, again.Token, code, "", "")
	wantErr(t, err, eccs.Unauthenticated, "", "") // a replay within the code's window
	w.clock.Advance(eccs.DefaultPendingSignInTTL)
	_, err = w.svc.CompleteSignIn(w.ctx, again.Token, totptest.Code(t, secret, w.clock.Now()), "", "")
	wantErr(t, err, eccs.Unauthenticated, eccs.ReasonExpired, "")
}

func TestARecoveryCodeSignsInOnceAndWrongCodesLock(t *testing.T) {
	w := signInWorld(t)
	_, codes := w.enrolled(t)
	step := w.signIn(t, "carol.dupont@acme.example", carolPassword)
	must(w.svc.CompleteSignIn(w.ctx, step.Token, strings.ToUpper(codes[3]), "", ""))(t)
	if n := must(w.svc.RecoveryCodesLeft(w.ctx, w.carolID.ID))(t); n != 9 {
		t.Errorf("%d recovery codes left, want 9", n)
	}
	step = w.signIn(t, "carol.dupont@acme.example", carolPassword)
	for range 5 {
		_, err := w.svc.CompleteSignIn(w.ctx, step.Token, codes[3], "", "")
		wantErr(t, err, eccs.Unauthenticated, "", "")
	}
	_, err := w.svc.CompleteSignIn(w.ctx, step.Token, codes[4], "", "")
	wantErr(t, err, eccs.Unauthenticated, eccs.ReasonLocked, "")
	must(0, w.svc.RemoveSecondFactor(w.ctx, w.carolID.ID))(t)
	w.clock.Advance(time.Minute)
	if res := w.signIn(t, "carol.dupont@acme.example", carolPassword); res.SecondFactorRequired {
		t.Error("a removed second factor is still asked for")
	}
}
