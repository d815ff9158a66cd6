package eccs_test

// Tests of invitations by a users-manager, and of password reset requests.

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/eccs/eccs/internal/eccs"
)

func TestAUsersManagerInvitesAPersonDeclaredOnTheContract(t *testing.T) {
	w := signInWorld(t)
	erin := eccs.NewUser{LastName: "Martin", FirstName: "Erin", Email: "erin@acme.example", Login: "erin.martin",
		Roles: map[string][]string{"contracts": {"visitor"}}}
	erinUser := must(w.svc.AddUser(w.ctx, "BA1-FE", erin))(t)
	access := must(w.svc.ContractAccess(w.ctx, w.carol, "BA1-FE"))(t)
	d := must(eccs.MayDeclareUsers(access))(t)
	ctx := eccs.WithActor(w.ctx, eccs.Actor{Type: eccs.ActorAccount, ID: w.carol.ID})

	inv := must(w.svc.InvitePerson(ctx, d, erinUser.Identity.ID))(t)
	accounts := must(w.svc.PersonAccounts(w.ctx, erinUser.Identity.ID))(t)
	if len(accounts) != 1 || accounts[0].ID != inv.AccountID || accounts[0].Type != eccs.AccountClient {
		t.Fatalf("erin's accounts = %+v, want the one client account invited to (%s)", accounts, inv.AccountID)
	}
	events := w.pendingEvents(t, "person.invited")
	var data map[string]string
	must(0, json.Unmarshal(events[len(events)-1].Data, &data))(t)
	if data["invitedBy"] != "Carol Dupont" || data["email"] != "erin@acme.example" || data["language"] != "fr" {
		t.Errorf("person.invited data = %v", data)
	}
	must(w.svc.SetPasswordWithLink(w.ctx, eccs.LinkInvitation, w.svc.LinkToken(inv.Link.ID), "erin's own password"))(t)
	if res := w.signIn(t, "erin@acme.example", "erin's own password"); res.Session.AccountID != inv.AccountID {
		t.Errorf("erin signed in on %s, want %s", res.Session.AccountID, inv.AccountID)
	}
	// Invited again, erin keeps her one account.
	again := must(w.svc.InvitePerson(ctx, d, erinUser.Identity.ID))(t)
	if again.AccountID != inv.AccountID {
		t.Errorf("a second invitation made account %s", again.AccountID)
	}
	_, err := w.svc.InvitePerson(ctx, d, w.dave.IdentityID)
	wantErr(t, err, eccs.NotFound, "", "")
}

func TestAnOperatorsInvitationNamesAnAccountOrAnEmailWithAnAccount(t *testing.T) {
	w := signInWorld(t)
	for _, tc := range []struct {
		name, who, language string
		code                eccs.Code
	}{
		{"an unknown account", "nosuchaccount000", "", eccs.NotFound},
		{"an unknown e-mail", "nobody@acme.example", "", eccs.NotFound},
		{"a person without an account", "erin@acme.example", "", eccs.NotFound},
		{"a bad language", w.carol.ID, "de", eccs.Invalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.who == "erin@acme.example" {
				must(w.svc.AddUser(w.ctx, "BA1-FE", eccs.NewUser{LastName: "M", FirstName: "Erin", Email: tc.who,
					Login: "erin.martin", Roles: map[string][]string{}}))(t)
			}
			_, err := w.svc.InviteAccount(w.ctx, tc.who, tc.language)
			if eccs.ErrorCode(err) != tc.code {
				t.Fatalf("InviteAccount(%q) = %v, want %s", tc.who, err, tc.code)
			}
		})
	}
	if n := len(w.pendingEvents(t, "person.invited")); n != 0 {
		t.Errorf("%d invitations emitted by refused calls", n)
	}
	acct, inv := must2(w.svc.CreateAccountAndInvite(w.ctx, eccs.NewAccount{Type: eccs.AccountClient,
		Person: eccs.Person{LastName: "New", FirstName: "Nina", Email: "nina@acme.example"}}, "en"))(t)
	if inv.AccountID != acct.ID || inv.Person.Language != "en" {
		t.Errorf("CreateAccountAndInvite = %+v, %+v", acct, inv)
	}
}

func TestAPasswordResetAnswersTheSameForAnUnknownEmail(t *testing.T) {
	w := signInWorld(t)
	w.withPassword(t, w.carol, carolPassword)
	must(0, w.svc.RequestPasswordReset(w.ctx, "nobody@acme.example", "192.0.2.1"))(t)
	if n := len(w.pendingEvents(t, "person.password_reset")); n != 0 {
		t.Fatalf("%d resets for an unknown e-mail", n)
	}
	must(0, w.svc.RequestPasswordReset(w.ctx, "Carol.Dupont@acme.example", "192.0.2.1"))(t)
	events := w.pendingEvents(t, "person.password_reset")
	if len(events) != 1 {
		t.Fatalf("%d resets, want 1", len(events))
	}
	var data map[string]string
	must(0, json.Unmarshal(events[0].Data, &data))(t)
	link := must(w.store.Link(w.ctx, data["linkId"]))(t)
	if data["email"] != "carol.dupont@acme.example" || link.ExpiresAt.Sub(t0) != eccs.DefaultPasswordResetTTL || link.Kind != eccs.LinkPasswordReset {
		t.Errorf("reset data %v, link %+v", data, link)
	}
	wantErr(t, w.svc.RequestPasswordReset(w.ctx, "not an e-mail", ""), eccs.Invalid, "", "email")
}

// The mail of an invitation or a reset carries the path of its one-time link, derived from the
// event; other events carry none.
func TestEventLinkPathIsTheLinkOfTheEventsMail(t *testing.T) {
	w := signInWorld(t)
	must(0, w.svc.RequestPasswordReset(w.ctx, "carol.dupont@acme.example", ""))(t)
	reset := w.pendingEvents(t, "person.password_reset")[0]
	var data struct{ LinkID string }
	must(0, json.Unmarshal(reset.Data, &data))(t)
	path := must(w.svc.EventLinkPath(reset))(t)
	if path != "/password-reset/"+w.svc.LinkToken(data.LinkID) {
		t.Errorf("EventLinkPath = %q", path)
	}
	must(w.svc.SetPasswordWithLink(w.ctx, eccs.LinkPasswordReset, strings.TrimPrefix(path, "/password-reset/"), "reset password ok"))(t)

	for _, e := range []eccs.Event{
		{ID: "ev-1", Type: "person.password_changed", Data: json.RawMessage(`{"linkId":"x"}`)},
		{ID: "ev-2", Type: "person.invited", Data: json.RawMessage(`{"email":"a@example.com"}`)},
		{ID: "ev-3", Type: "person.invited", Data: json.RawMessage(`not json`)},
	} {
		if p, err := w.svc.EventLinkPath(e); err == nil {
			t.Errorf("EventLinkPath(%s) = %q, want an error", e.ID, p)
		}
	}
}
