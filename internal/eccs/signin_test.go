package eccs_test

// Tests of people's sign-in: invitations and passwords, sign-in and its failures, sessions.
// The second factor's are in totp_test.go, the secrets scan in signin_secrets_test.go.

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/eccs/eccs/internal/eccs"
)

// fastPasswords are argon2id costs cheap enough for tests; the defaults are checked apart.
var fastPasswords = eccs.PasswordParams{MemoryKiB: 64, Time: 1, Threads: 1}

const carolPassword = "correct horse battery staple"

// signInWorld is the test world with a service that hashes passwords cheaply.
func signInWorld(t *testing.T) *world {
	t.Helper()
	w := newWorld(t)
	w.cfg.Password = fastPasswords
	w.svc = w.service(func(*eccs.Config) {})
	return w
}

// withPassword invites the holder of acct and sets their password through the invitation.
func (w *world) withPassword(t testing.TB, acct eccs.Account, password string) eccs.Identity {
	t.Helper()
	inv := must(w.svc.InviteAccount(w.ctx, acct.ID, ""))(t)
	return must(w.svc.SetPasswordWithLink(w.ctx, eccs.LinkInvitation, w.svc.LinkToken(inv.Link.ID), password))(t)
}

func (w *world) signIn(t testing.TB, email, password string) eccs.SignInResult {
	t.Helper()
	return must(w.svc.SignIn(w.ctx, eccs.SignInRequest{Email: email, Password: password, Address: "192.0.2.10", UserAgent: "Firefox"}))(t)
}

// pendingEvents returns the outbox's events of type typ.
func (w *world) pendingEvents(t testing.TB, typ string) []eccs.Event {
	t.Helper()
	all := must(w.store.PendingEvents(w.ctx, "test", 1000))(t)
	var out []eccs.Event
	for _, e := range all {
		if e.Type == typ {
			out = append(out, e)
		}
	}
	return out
}

func TestAnInvitedPersonChoosesAPasswordAndSignsInOnTheirAccount(t *testing.T) {
	w := signInWorld(t)
	ctx := eccs.WithActor(w.ctx, eccs.Actor{Type: eccs.ActorOperator, ID: "op-1"})
	inv := must(w.svc.InviteAccount(ctx, "CAROL.dupont@acme.example", "en"))(t)
	if inv.AccountID != w.carol.ID || inv.Person.ID != w.carolID.ID || inv.Link.Kind != eccs.LinkInvitation {
		t.Fatalf("invitation = %+v, want carol's account", inv)
	}
	if got := inv.Link.ExpiresAt.Sub(t0); got != eccs.DefaultInvitationTTL {
		t.Errorf("invitation lasts %v, want %v", got, eccs.DefaultInvitationTTL)
	}
	events := w.pendingEvents(t, "person.invited")
	if len(events) != 1 || events[0].ObjectType != "person" || events[0].ObjectID != w.carolID.ID {
		t.Fatalf("person.invited events = %+v", events)
	}
	var data map[string]string
	must(0, json.Unmarshal(events[0].Data, &data))(t)
	want := map[string]string{"email": "carol.dupont@acme.example", "name": "Carol Dupont", "language": "en",
		"linkId": inv.Link.ID, "expiresAt": inv.Link.ExpiresAt.Format(time.RFC3339), "invitedBy": ""}
	for k, v := range want {
		if data[k] != v {
			t.Errorf("person.invited data %s = %q, want %q (data %s)", k, data[k], v, events[0].Data)
		}
	}
	if acts := actions(w.allEvents()); !strings.Contains(strings.Join(acts, " "), "person.invite") {
		t.Errorf("audit actions %v lack person.invite", acts)
	}
	token := w.svc.LinkToken(inv.Link.ID)
	if w.svc.LinkURL(eccs.LinkInvitation, inv.Link.ID) != "/invitation/"+token {
		t.Errorf("LinkURL = %q", w.svc.LinkURL(eccs.LinkInvitation, inv.Link.ID))
	}
	info := must(w.svc.PeekLink(w.ctx, eccs.LinkInvitation, token))(t)
	if info.Email != "carol.dupont@acme.example" || info.Language != "en" {
		t.Errorf("PeekLink = %+v", info)
	}
	must(w.svc.SetPasswordWithLink(w.ctx, eccs.LinkInvitation, token, carolPassword))(t)
	if n := len(w.pendingEvents(t, "person.password_changed")); n != 1 {
		t.Errorf("%d person.password_changed events, want 1", n)
	}
	res := w.signIn(t, "carol.dupont@acme.example", carolPassword)
	if res.SecondFactorRequired || res.Session.AccountID != w.carol.ID || res.Session.IdentityID != w.carolID.ID {
		t.Fatalf("SignIn = %+v, want a session on carol's account", res)
	}
	se := must(w.svc.SessionFor(w.ctx, res.Token, "192.0.2.10", "Firefox"))(t)
	if se.ID != res.Session.ID {
		t.Errorf("SessionFor = %s, want %s", se.ID, res.Session.ID)
	}
}

func TestAOneTimeLinkRefusesReuseExpiryTamperingAndAnotherKind(t *testing.T) {
	cases := []struct {
		name   string
		prep   func(w *world, token string) string
		kind   eccs.LinkKind
		code   eccs.Code
		reason eccs.Reason
	}{
		{"used", func(w *world, token string) string {
			must(w.svc.SetPasswordWithLink(w.ctx, eccs.LinkInvitation, token, carolPassword))(w.t)
			return token
		}, eccs.LinkInvitation, eccs.Conflict, ""},
		{"expired", func(w *world, token string) string {
			w.clock.Advance(eccs.DefaultInvitationTTL)
			return token
		}, eccs.LinkInvitation, eccs.Unauthenticated, eccs.ReasonExpired},
		{"tampered", func(w *world, token string) string { return token[:len(token)-1] + "A" }, eccs.LinkInvitation, eccs.NotFound, ""},
		{"truncated", func(w *world, token string) string { return token[:20] }, eccs.LinkInvitation, eccs.NotFound, ""},
		{"of another kind", func(w *world, token string) string { return token }, eccs.LinkPasswordReset, eccs.NotFound, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := signInWorld(t)
			inv := must(w.svc.InviteAccount(w.ctx, w.carol.ID, ""))(t)
			token := tc.prep(w, w.svc.LinkToken(inv.Link.ID))
			_, err := w.svc.SetPasswordWithLink(w.ctx, tc.kind, token, "another good password")
			wantErr(t, err, tc.code, tc.reason, "")
			_, err = w.svc.PeekLink(w.ctx, tc.kind, token)
			wantErr(t, err, tc.code, tc.reason, "")
		})
	}
}

func TestThePasswordPolicyRefusesWithAClearErrorAndKeepsTheLink(t *testing.T) {
	w := signInWorld(t)
	inv := must(w.svc.InviteAccount(w.ctx, w.carol.ID, ""))(t)
	token := w.svc.LinkToken(inv.Link.ID)
	for _, tc := range []struct{ name, password, says string }{
		{"short", "eleven char", "at least 12"},
		{"long", strings.Repeat("é", 129), "at most 256 bytes"},
		{"the e-mail", "Carol.Dupont@acme.example", "e-mail"},
		{"control characters", "twelve chars\x00long", "control"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := w.svc.SetPasswordWithLink(w.ctx, eccs.LinkInvitation, token, tc.password)
			e := wantErr(t, err, eccs.Invalid, "", "password")
			if !strings.Contains(e.Message, tc.says) {
				t.Errorf("message %q does not say %q", e.Message, tc.says)
			}
		})
	}
	must(w.svc.SetPasswordWithLink(w.ctx, eccs.LinkInvitation, token, "twelve chars"))(t)
}

func TestAWrongPasswordAndAnUnknownEmailGetTheSameAnswer(t *testing.T) {
	w := signInWorld(t)
	w.withPassword(t, w.carol, carolPassword)
	var messages []string
	for _, r := range []eccs.SignInRequest{
		{Email: "carol.dupont@acme.example", Password: "not the password"},
		{Email: "nobody@acme.example", Password: carolPassword},
		{Email: "dave@globex.example", Password: carolPassword}, // known, but without a password
		{Email: "not an e-mail", Password: carolPassword},
	} {
		_, err := w.svc.SignIn(w.ctx, r)
		messages = append(messages, wantErr(t, err, eccs.Unauthenticated, "", "").Message)
	}
	for _, m := range messages[1:] {
		if m != messages[0] {
			t.Errorf("answers differ: %q and %q", m, messages[0])
		}
	}
	failed := 0
	for _, e := range w.allEvents() {
		if e.Action == "person.sign_in_failed" {
			failed++
			if e.ActorType != eccs.ActorPerson || e.ActorID != e.ObjectID || (e.ObjectID != w.carolID.ID && e.ObjectID != w.dave.IdentityID) {
				t.Errorf("failure audited as %+v", e)
			}
		}
	}
	if failed != 2 { // carol's and dave's: an unknown e-mail has no person to audit under
		t.Errorf("%d failures audited, want 2", failed)
	}
}

func TestAPasswordHashedWithOldParametersIsHashedAgainAtSignIn(t *testing.T) {
	w := signInWorld(t)
	w.withPassword(t, w.carol, carolPassword)
	if h := must(w.store.PasswordHash(w.ctx, w.carolID.ID))(t); !strings.HasPrefix(h, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Fatalf("hash = %q, want the fast parameters", h)
	}
	newer := eccs.PasswordParams{MemoryKiB: 128, Time: 2, Threads: 1}
	w.svc = w.service(func(c *eccs.Config) { c.Password = newer })
	w.signIn(t, "carol.dupont@acme.example", carolPassword)
	if h := must(w.store.PasswordHash(w.ctx, w.carolID.ID))(t); !strings.HasPrefix(h, "$argon2id$v=19$m=128,t=2,p=1$") {
		t.Fatalf("hash after sign-in = %q, want the new parameters", h)
	}
	w.signIn(t, "carol.dupont@acme.example", carolPassword)
}
