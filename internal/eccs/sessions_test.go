package eccs_test

// Tests of sessions and of the locks after failed sign-ins.

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/eccs/eccs/internal/eccs"
)

// failSignIns signs in n times with a wrong password, wanting each refused as a wrong password.
func (w *world) failSignIns(t testing.TB, email, address string, n int) {
	t.Helper()
	for i := range n {
		_, err := w.svc.SignIn(w.ctx, eccs.SignInRequest{Email: email, Password: "wrong password number " + fmt.Sprint(i), Address: address})
		wantErr(t, err, eccs.Unauthenticated, "", "")
	}
}

func (w *world) wantLocked(t testing.TB, email, password, address string) {
	t.Helper()
	_, err := w.svc.SignIn(w.ctx, eccs.SignInRequest{Email: email, Password: password, Address: address})
	wantErr(t, err, eccs.Unauthenticated, eccs.ReasonLocked, "")
}

func TestRepeatedFailuresLockAnEmailForLongerEachTime(t *testing.T) {
	w := signInWorld(t)
	w.withPassword(t, w.carol, carolPassword)
	email := "carol.dupont@acme.example"
	w.failSignIns(t, email, "192.0.2.1", 4)
	w.signIn(t, email, carolPassword) // a success forgets the e-mail's failures
	w.failSignIns(t, email, "192.0.2.2", 5)
	w.wantLocked(t, email, carolPassword, "192.0.2.3") // the right password, from elsewhere
	w.clock.Advance(time.Minute)
	w.failSignIns(t, email, "192.0.2.4", 5)
	w.clock.Advance(time.Minute + 59*time.Second)
	w.wantLocked(t, email, carolPassword, "192.0.2.5") // the second lock lasts two minutes
	w.clock.Advance(time.Second)
	w.signIn(t, email, carolPassword)
	// An unknown e-mail locks the same way, so that a lock tells nothing.
	w.failSignIns(t, "nobody@acme.example", "192.0.2.6", 5)
	w.wantLocked(t, "nobody@acme.example", "whatever password", "192.0.2.7")
}

func TestTheLockLengthDoublesUpToAnHourAndAnHourWithoutFailureForgetsIt(t *testing.T) {
	w := signInWorld(t)
	email := "carol.dupont@acme.example"
	w.withPassword(t, w.carol, carolPassword)
	for _, lock := range []time.Duration{1, 2, 4, 8, 16, 32, 60, 60} {
		w.failSignIns(t, email, "", 5)
		w.clock.Advance(lock*time.Minute - time.Second)
		w.wantLocked(t, email, carolPassword, "")
		w.clock.Advance(time.Second)
	}
	w.clock.Advance(time.Hour)
	w.failSignIns(t, email, "", 5)
	w.clock.Advance(time.Minute)
	w.signIn(t, email, carolPassword)
}

func TestManyFailuresFromOneAddressLockItForEveryEmail(t *testing.T) {
	w := signInWorld(t)
	w.withPassword(t, w.carol, carolPassword)
	for i := range 20 {
		w.failSignIns(t, fmt.Sprintf("guess%d@acme.example", i), "203.0.113.9", 1)
	}
	w.wantLocked(t, "carol.dupont@acme.example", carolPassword, "203.0.113.9")
	w.signIn(t, "carol.dupont@acme.example", carolPassword) // from another address
	w.clock.Advance(time.Minute)
	_, err := w.svc.SignIn(w.ctx, eccs.SignInRequest{Email: "carol.dupont@acme.example", Password: carolPassword, Address: "203.0.113.9"})
	if err != nil {
		t.Fatalf("after the lock: %v", err)
	}
}

func TestASessionEndsWhenIdleOrTooOld(t *testing.T) {
	w := signInWorld(t)
	w.withPassword(t, w.carol, carolPassword)
	idle := w.signIn(t, "carol.dupont@acme.example", carolPassword)
	active := w.signIn(t, "carol.dupont@acme.example", carolPassword)
	if idle.Session.ID == active.Session.ID || idle.Token == active.Token {
		t.Fatal("two sign-ins share a session")
	}
	for elapsed := time.Duration(0); elapsed < eccs.DefaultSessionMaxAge-20*time.Minute; elapsed += 20 * time.Minute {
		w.clock.Advance(20 * time.Minute)
		must(w.svc.SessionFor(w.ctx, active.Token, "192.0.2.10", "Firefox"))(t)
		if elapsed == 0 {
			_, err := w.svc.SessionFor(w.ctx, idle.Token, "192.0.2.10", "Firefox")
			if err != nil {
				t.Fatalf("after 20 minutes idle: %v", err)
			}
		}
	}
	_, err := w.svc.SessionFor(w.ctx, idle.Token, "", "")
	wantErr(t, err, eccs.Unauthenticated, eccs.ReasonExpired, "") // idle for hours
	w.clock.Advance(20 * time.Minute)                             // past the absolute timeout
	_, err = w.svc.SessionFor(w.ctx, active.Token, "192.0.2.10", "Firefox")
	wantErr(t, err, eccs.Unauthenticated, eccs.ReasonExpired, "")
	_, err = w.svc.SessionFor(w.ctx, "", "", "")
	wantErr(t, err, eccs.Unauthenticated, eccs.ReasonMissing, "")
}

func TestAnIdleSessionIsRefusedAsExpired(t *testing.T) {
	w := signInWorld(t)
	w.withPassword(t, w.carol, carolPassword)
	res := w.signIn(t, "carol.dupont@acme.example", carolPassword)
	w.clock.Advance(eccs.DefaultSessionIdleTimeout)
	_, err := w.svc.SessionFor(w.ctx, res.Token, "", "")
	wantErr(t, err, eccs.Unauthenticated, eccs.ReasonExpired, "")
	if n := len(must(w.svc.Sessions(w.ctx, w.carolID.ID))(t)); n != 0 {
		t.Errorf("%d sessions left, want the expired one removed", n)
	}
}

func TestLastSeenIsWrittenAtMostOnceAMinute(t *testing.T) {
	w := signInWorld(t)
	w.withPassword(t, w.carol, carolPassword)
	res := w.signIn(t, "carol.dupont@acme.example", carolPassword)
	lastSeen := func() eccs.Session { return must(w.svc.Sessions(w.ctx, w.carolID.ID))(t)[0] }
	w.clock.Advance(59 * time.Second)
	must(w.svc.SessionFor(w.ctx, res.Token, "192.0.2.10", "Firefox"))(t)
	if got := lastSeen().LastSeenAt; !got.Equal(t0) {
		t.Errorf("last seen %v after 59 s, want unchanged %v", got, t0)
	}
	w.clock.Advance(time.Second)
	must(w.svc.SessionFor(w.ctx, res.Token, "198.51.100.1", "Safari"))(t)
	if got := lastSeen(); !got.LastSeenAt.Equal(t0.Add(time.Minute)) || got.LastSeenFrom != "198.51.100.1" || got.UserAgent != "Safari" {
		t.Errorf("after a minute: %+v", got)
	}
}

func TestSignOutOneEverywhereAndSwitchAccount(t *testing.T) {
	w := signInWorld(t)
	w.withPassword(t, w.carol, carolPassword)
	second := must(w.svc.CreateAccount(w.ctx, eccs.NewAccount{Type: eccs.AccountAdministrator,
		Person:    eccs.Person{LastName: "Dupont", FirstName: "Carol", Email: "carol.dupont@acme.example"},
		Perimeter: eccs.Perimeter{BillingAccountIDs: []string{"BA1"}, OfferIDs: []string{"FE"}}}))(t)
	a, b, c := w.signIn(t, "carol.dupont@acme.example", carolPassword), w.signIn(t, "carol.dupont@acme.example", carolPassword), w.signIn(t, "carol.dupont@acme.example", carolPassword)
	switched := must(w.svc.SwitchAccount(w.ctx, a.Session, second.ID))(t)
	if got := must(w.svc.SessionFor(w.ctx, a.Token, "", ""))(t); got.AccountID != second.ID || switched.AccountID != second.ID {
		t.Errorf("after the switch the session is on %s, want %s", got.AccountID, second.ID)
	}
	_, err := w.svc.SwitchAccount(w.ctx, a.Session, w.dave.ID)
	wantErr(t, err, eccs.Forbidden, "", "")
	must(0, w.svc.SignOut(w.ctx, w.carolID.ID, b.Session.ID))(t)
	wantErr(t, w.svc.SignOut(w.ctx, w.dave.IdentityID, c.Session.ID), eccs.NotFound, "", "")
	if _, err := w.svc.SessionFor(w.ctx, b.Token, "", ""); err == nil {
		t.Error("a signed-out session still works")
	}
	if n := must(w.svc.SignOutEverywhere(w.ctx, w.carolID.ID))(t); n != 2 {
		t.Errorf("SignOutEverywhere ended %d sessions, want 2", n)
	}
	for _, r := range []eccs.SignInResult{a, c} {
		if _, err := w.svc.SessionFor(w.ctx, r.Token, "", ""); err == nil {
			t.Error("a session works after signing out everywhere")
		}
	}
}

func TestChangingThePasswordEndsTheOtherSessions(t *testing.T) {
	w := signInWorld(t)
	w.withPassword(t, w.carol, carolPassword)
	here, there := w.signIn(t, "carol.dupont@acme.example", carolPassword), w.signIn(t, "carol.dupont@acme.example", carolPassword)
	err := w.svc.ChangePassword(w.ctx, w.carolID.ID, here.Session.ID, "not my password", "a brand new password", "")
	wantErr(t, err, eccs.Unauthenticated, "", "")
	must(0, w.svc.ChangePassword(w.ctx, w.carolID.ID, here.Session.ID, carolPassword, "a brand new password", ""))(t)
	must(w.svc.SessionFor(w.ctx, here.Token, "", ""))(t)
	if _, err := w.svc.SessionFor(w.ctx, there.Token, "", ""); err == nil {
		t.Error("another session survived the change of password")
	}
	w.signIn(t, "carol.dupont@acme.example", "a brand new password")
	must(0, w.svc.RequestPasswordReset(w.ctx, "carol.dupont@acme.example", ""))(t)
	resets := w.pendingEvents(t, "person.password_reset")
	var data struct{ LinkID string }
	must(0, json.Unmarshal(resets[0].Data, &data))(t)
	must(w.svc.SetPasswordWithLink(w.ctx, eccs.LinkPasswordReset, w.svc.LinkToken(data.LinkID), "reset password ok"))(t)
	if _, err := w.svc.SessionFor(w.ctx, here.Token, "", ""); err == nil {
		t.Error("a session survived a password reset")
	}
}

func TestDeleteStaleSessionsRemovesOnlyTimedOutOnes(t *testing.T) {
	w := signInWorld(t)
	w.withPassword(t, w.carol, carolPassword)
	stale := w.signIn(t, "carol.dupont@acme.example", carolPassword)
	w.clock.Advance(20 * time.Minute)
	live := w.signIn(t, "carol.dupont@acme.example", carolPassword)
	w.clock.Advance(15 * time.Minute)
	if n := must(w.svc.DeleteStaleSessions(w.ctx))(t); n != 1 {
		t.Fatalf("DeleteStaleSessions = %d, want 1", n)
	}
	if list := must(w.svc.Sessions(w.ctx, w.carolID.ID))(t); len(list) != 1 || list[0].ID != live.Session.ID || list[0].ID == stale.Session.ID {
		t.Errorf("sessions left %+v, want the live one", list)
	}
}
