package eccs_test

import (
	"strings"
	"testing"
	"time"

	"github.com/eccs/eccs/internal/eccs"
)

// TestApplicationLifecycle takes an application through its changes of subscription, terms and
// status, in order: at each step ApplicationForToken, with a token minted before the first,
// reflects the change at once. Deleted, the application takes no change.
func TestApplicationLifecycle(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	app := w.newApp("lifecycle-app", eccs.SubscriptionPending, false, eccs.ApplicationActive)
	l := &lifecycle{w: w, app: app, tok: w.token(w.svc, app.ClientID, secretOf(app.ClientID))}
	for _, step := range l.steps() {
		t.Run(step.name, func(t *testing.T) { l.runStep(t, step) })
	}
	t.Run("a deleted application takes no change", l.wantDeletedUnchangeable)
	t.Run("refusals", l.wantRefusals)
	t.Run("list", l.wantList)
}

// lifecycle is an application, pending and without terms at first, and a token of it.
type lifecycle struct {
	w   *world
	app eccs.Application
	tok string
}

// lifecycleStep changes the application, then checks it; code and reason are those of
// ApplicationForToken's refusal, code "" when it accepts the token.
type lifecycleStep struct {
	name   string
	change func() (eccs.Application, error)
	check  func(t *testing.T, a eccs.Application)
	code   eccs.Code
	reason eccs.Reason
}

func (l *lifecycle) steps() []lifecycleStep {
	w, ctx, s, app := l.w, l.w.ctx, l.w.svc, l.app
	return []lifecycleStep{
		{"pending subscription is forbidden", func() (eccs.Application, error) { return s.Application(ctx, app.ID) },
			nil, eccs.Forbidden, ""},
		{"approved without terms is forbidden", func() (eccs.Application, error) {
			return s.SetSubscription(ctx, app.ID, eccs.SubscriptionApproved)
		}, func(t *testing.T, a eccs.Application) {
			if a.Subscription != eccs.SubscriptionApproved {
				t.Errorf("subscription %s", a.Subscription)
			}
		}, eccs.Forbidden, ""},
		{"terms accepted gives access and records who", func() (eccs.Application, error) {
			w.clock.Advance(time.Minute)
			return s.AcceptTerms(ctx, app.ID, "dev.lead@partner.example")
		}, func(t *testing.T, a eccs.Application) {
			if a.TermsAcceptedBy != "dev.lead@partner.example" || !a.TermsAcceptedAt.Equal(t0.Add(time.Minute)) || !a.UpdatedAt.Equal(a.TermsAcceptedAt) {
				t.Errorf("terms accepted by %q at %v", a.TermsAcceptedBy, a.TermsAcceptedAt)
			}
		}, "", ""},
		{"blocked is forbidden with reason blocked", func() (eccs.Application, error) {
			return s.SetApplicationStatus(ctx, app.ID, eccs.ApplicationBlocked)
		}, nil, eccs.Forbidden, eccs.ReasonBlocked},
		{"reactivated gives access", func() (eccs.Application, error) {
			return s.SetApplicationStatus(ctx, app.ID, eccs.ApplicationActive)
		}, nil, "", ""},
		{"subscription suspended is forbidden", func() (eccs.Application, error) {
			return s.SetSubscription(ctx, app.ID, eccs.SubscriptionSuspended)
		}, nil, eccs.Forbidden, ""},
		{"subscription rejected is forbidden", func() (eccs.Application, error) {
			return s.SetSubscription(ctx, app.ID, eccs.SubscriptionRejected)
		}, nil, eccs.Forbidden, ""},
		{"approved again gives access", func() (eccs.Application, error) {
			return s.SetSubscription(ctx, app.ID, eccs.SubscriptionApproved)
		}, nil, "", ""},
		{"suspended is unauthenticated", func() (eccs.Application, error) {
			return s.SetApplicationStatus(ctx, app.ID, eccs.ApplicationSuspended)
		}, nil, eccs.Unauthenticated, ""},
		{"deleted is unauthenticated", func() (eccs.Application, error) {
			return s.SetApplicationStatus(ctx, app.ID, eccs.ApplicationDeleted)
		}, nil, eccs.Unauthenticated, ""},
	}
}

// runStep makes the step's change and checks that it returned what it stored, and how
// ApplicationForToken answers the token.
func (l *lifecycle) runStep(t *testing.T, step lifecycleStep) {
	ctx, s, app, tok := l.w.ctx, l.w.svc, l.app, l.tok
	a, err := step.change()
	if err != nil {
		t.Fatal(err)
	}
	stored := must(s.Application(ctx, app.ID))(t)
	if a != stored {
		t.Errorf("returned %+v\nstored   %+v", a, stored)
	}
	if step.check != nil {
		step.check(t, stored)
	}
	got, err := s.ApplicationForToken(ctx, tok)
	if step.code == "" {
		if err != nil || got.ID != app.ID {
			t.Fatalf("ApplicationForToken: %+v, %v", got, err)
		}
		return
	}
	wantErr(t, err, step.code, step.reason, "")
}

// wantDeletedUnchangeable checks that the deleted application takes no change, and gets no
// token.
func (l *lifecycle) wantDeletedUnchangeable(t *testing.T) {
	w, ctx, s, app := l.w, l.w.ctx, l.w.svc, l.app
	before := must(s.Application(ctx, app.ID))(t)
	for _, tc := range []struct {
		name string
		call func() error
	}{
		{"reactivate", func() error { _, err := s.SetApplicationStatus(ctx, app.ID, eccs.ApplicationActive); return err }},
		{"delete again", func() error { _, err := s.SetApplicationStatus(ctx, app.ID, eccs.ApplicationDeleted); return err }},
		{"subscribe", func() error { _, err := s.SetSubscription(ctx, app.ID, eccs.SubscriptionApproved); return err }},
		{"accept terms", func() error { _, err := s.AcceptTerms(ctx, app.ID, "someone"); return err }},
		{"rotate secret", func() error { _, _, _, err := s.RotateClientSecret(ctx, app.ID, time.Hour, 0); return err }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := w.wantNoEvent(t, tc.call)
			wantErr(t, err, eccs.Conflict, "", "")
		})
	}
	if after := must(s.Application(ctx, app.ID))(t); after != before {
		t.Errorf("the deleted application changed:\n%+v\n%+v", before, after)
	}
	_, _, err := s.IssueToken(ctx, app.ClientID, secretOf(app.ClientID))
	wantErr(t, err, eccs.Unauthenticated, "", "")
}

// wantRefusals checks that invalid or unknown changes are refused, unrecorded, and leave the
// world's application working.
func (l *lifecycle) wantRefusals(t *testing.T) {
	w, ctx, s := l.w, l.w.ctx, l.w.svc
	for _, tc := range []struct {
		name  string
		call  func() error
		code  eccs.Code
		field string
	}{
		{"unknown status", func() error { _, err := s.SetApplicationStatus(ctx, w.app.ID, "Active"); return err }, eccs.Invalid, "status"},
		{"subscription none", func() error { _, err := s.SetSubscription(ctx, w.app.ID, eccs.SubscriptionNone); return err }, eccs.Invalid, "subscription"},
		{"subscription unknown", func() error { _, err := s.SetSubscription(ctx, w.app.ID, "granted"); return err }, eccs.Invalid, "subscription"},
		{"terms accepted by nobody", func() error { _, err := s.AcceptTerms(ctx, w.app.ID, ""); return err }, eccs.Invalid, "acceptedBy"},
		{"terms accepted by a padded name", func() error { _, err := s.AcceptTerms(ctx, w.app.ID, " x"); return err }, eccs.Invalid, "acceptedBy"},
		{"subscription of an unknown application", func() error {
			_, err := s.SetSubscription(ctx, "nosuchapp0000000", eccs.SubscriptionApproved)
			return err
		}, eccs.NotFound, ""},
		{"terms of an unknown application", func() error { _, err := s.AcceptTerms(ctx, "nosuchapp0000000", "x"); return err }, eccs.NotFound, ""},
		{"secret of an unknown application", func() error {
			_, _, _, err := s.RotateClientSecret(ctx, "nosuchapp0000000", 0, 0)
			return err
		}, eccs.NotFound, ""},
		{"negative overlap", func() error { _, _, _, err := s.RotateClientSecret(ctx, w.app.ID, -time.Second, 0); return err }, eccs.Invalid, "overlap"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := w.wantNoEvent(t, tc.call)
			wantErr(t, err, tc.code, "", tc.field)
		})
	}
	if _, err := s.ApplicationForToken(ctx, w.token(s, appClientID, appSecret)); err != nil {
		t.Errorf("refused changes broke the world's application: %v", err)
	}
}

// wantList checks that the applications list holds the world's and the lifecycle's.
func (l *lifecycle) wantList(t *testing.T) {
	ctx, s := l.w.ctx, l.w.svc
	list, total := must2(s.Applications(ctx, eccs.Page{}))(t)
	if total != 2 || len(list) != 2 {
		t.Errorf("applications %+v (total %d)", list, total)
	}
}

// TestRotateClientSecret checks that after a rotation both secrets get tokens until the overlap
// ends, then only the new one.
func TestRotateClientSecret(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx, s := w.ctx, w.svc
	app := w.newApp("rotating-app", eccs.SubscriptionApproved, true, eccs.ApplicationActive)
	oldSecret := secretOf(app.ClientID)
	rotated, secret, claim, err := s.RotateClientSecret(ctx, app.ID, time.Hour, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(secret) < 32 || secret == oldSecret || claim.Value != "" || rotated.SecretHash == app.SecretHash ||
		rotated.PreviousSecretHash != app.SecretHash || !rotated.PreviousSecretExpiresAt.Equal(t0.Add(time.Hour)) {
		t.Fatalf("rotated %+v, secret %q, claim %+v", rotated, secret, claim)
	}
	for _, sec := range []string{oldSecret, secret} {
		if _, _, err := s.IssueToken(ctx, app.ClientID, sec); err != nil {
			t.Errorf("during the overlap: %v", err)
		}
	}
	w.clock.Advance(time.Hour - time.Microsecond)
	if _, _, err := s.IssueToken(ctx, app.ClientID, oldSecret); err != nil {
		t.Errorf("at the end of the overlap: %v", err)
	}
	w.clock.Advance(time.Microsecond)
	defer w.clock.Advance(-time.Hour)
	_, _, err = s.IssueToken(ctx, app.ClientID, oldSecret)
	wantErr(t, err, eccs.Unauthenticated, "", "")
	if _, _, err := s.IssueToken(ctx, app.ClientID, secret); err != nil {
		t.Errorf("new secret after the overlap: %v", err)
	}
}

// Without an overlap, the previous secret is refused at once.
func TestRotateClientSecretWithoutOverlap(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx, s := w.ctx, w.svc
	app := w.newApp("rotating-now", eccs.SubscriptionApproved, true, eccs.ApplicationActive)
	_, secret, _, err := s.RotateClientSecret(ctx, app.ID, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = s.IssueToken(ctx, app.ClientID, secretOf(app.ClientID))
	wantErr(t, err, eccs.Unauthenticated, "", "")
	if _, _, err := s.IssueToken(ctx, app.ClientID, secret); err != nil {
		t.Errorf("new secret: %v", err)
	}
}

// A second rotation ends the first's overlap: only the last two secrets work.
func TestRotateClientSecretTwice(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx, s := w.ctx, w.svc
	app := w.newApp("rotating-twice", eccs.SubscriptionApproved, true, eccs.ApplicationActive)
	_, second, _, err := s.RotateClientSecret(ctx, app.ID, time.Hour, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, third, _, err := s.RotateClientSecret(ctx, app.ID, time.Hour, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = s.IssueToken(ctx, app.ClientID, secretOf(app.ClientID))
	wantErr(t, err, eccs.Unauthenticated, "", "")
	for _, sec := range []string{second, third} {
		if _, _, err := s.IssueToken(ctx, app.ClientID, sec); err != nil {
			t.Errorf("during the second overlap: %v", err)
		}
	}
}

// Tokens issued with the previous secret, before or during the overlap, end with it, saying
// the secret was rotated; tokens of the new secret go on.
func TestRotateClientSecretEndsTheTokensOfThePreviousSecret(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx, s := w.ctx, w.svc
	app := w.newApp("rotating-tokens", eccs.SubscriptionApproved, true, eccs.ApplicationActive)
	before := w.token(s, app.ClientID, secretOf(app.ClientID))
	_, secret, _, err := s.RotateClientSecret(ctx, app.ID, 10*time.Minute, 0)
	if err != nil {
		t.Fatal(err)
	}
	during := w.token(s, app.ClientID, secretOf(app.ClientID))
	fresh := w.token(s, app.ClientID, secret)
	w.clock.Advance(10*time.Minute - time.Microsecond)
	defer w.clock.Advance(-10 * time.Minute)
	for name, tok := range map[string]string{"before": before, "during": during, "fresh": fresh} {
		if _, err := s.ApplicationForToken(ctx, tok); err != nil {
			t.Errorf("token issued %s the rotation, within the overlap: %v", name, err)
		}
	}
	w.clock.Advance(time.Microsecond)
	for name, tok := range map[string]string{"before": before, "during": during} {
		_, err := s.ApplicationForToken(ctx, tok)
		e := wantErr(t, err, eccs.Unauthenticated, eccs.ReasonNone, "")
		if !strings.Contains(e.Message, "rotated") {
			t.Errorf("token issued %s the rotation with the previous secret: message %q does not say the secret was rotated", name, e.Message)
		}
	}
	if _, err := s.ApplicationForToken(ctx, fresh); err != nil {
		t.Errorf("a token of the new secret after the overlap: %v", err)
	}
}

// Without an overlap, the tokens of the previous secret are refused at once.
func TestRotateClientSecretWithoutOverlapEndsTheTokens(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx, s := w.ctx, w.svc
	app := w.newApp("rotating-tokens-now", eccs.SubscriptionApproved, true, eccs.ApplicationActive)
	before := w.token(s, app.ClientID, secretOf(app.ClientID))
	_, secret, _, err := s.RotateClientSecret(ctx, app.ID, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.ApplicationForToken(ctx, before)
	wantErr(t, err, eccs.Unauthenticated, eccs.ReasonNone, "")
	if _, err := s.ApplicationForToken(ctx, w.token(s, app.ClientID, secret)); err != nil {
		t.Errorf("a token of the new secret: %v", err)
	}
}

// A second rotation ends the tokens of the first secret, not those of the second.
func TestRotateClientSecretTwiceEndsTheFirstTokens(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx, s := w.ctx, w.svc
	app := w.newApp("rotating-tokens-twice", eccs.SubscriptionApproved, true, eccs.ApplicationActive)
	first := w.token(s, app.ClientID, secretOf(app.ClientID))
	_, second, _, err := s.RotateClientSecret(ctx, app.ID, time.Hour, 0)
	if err != nil {
		t.Fatal(err)
	}
	secondTok := w.token(s, app.ClientID, second)
	if _, _, _, err := s.RotateClientSecret(ctx, app.ID, time.Hour, 0); err != nil {
		t.Fatal(err)
	}
	_, err = s.ApplicationForToken(ctx, first)
	wantErr(t, err, eccs.Unauthenticated, eccs.ReasonNone, "")
	if _, err := s.ApplicationForToken(ctx, secondTok); err != nil {
		t.Errorf("a token of the second secret during the second overlap: %v", err)
	}
}
