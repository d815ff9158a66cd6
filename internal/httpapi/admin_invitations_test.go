package httpapi_test

import (
	"testing"

	"github.com/eccs/eccs/api/admin"
	"github.com/eccs/eccs/internal/testkit/apitest"
)

// An operator invites an account's holder to the web space, or creates an account with its
// invitation; the answer never holds the link, and refused calls change nothing.
func TestAdminInvitesAnAccountsHolder(t *testing.T) {
	a := apitest.NewAdminEnv(t)
	inv := apitest.OK[admin.Invitation](t, a.Call("POST", "/accounts/claire.martin@acme.example/invitations", admin.InvitationRequest{Language: "en"}), 201)
	if inv.Email != "claire.martin@acme.example" || inv.Language != "en" || inv.LinkID == "" || inv.ExpiresAt.IsZero() {
		t.Fatalf("invitation %+v", inv)
	}
	a.Call("POST", "/accounts/claire.martin@acme.example/invitations", admin.InvitationRequest{Language: "de"}).WantError(t, 400, 24)
	a.Call("POST", "/accounts/nobody@acme.example/invitations", nil).WantError(t, 404, 60)
	person := admin.Person{LastName: "Girard", FirstName: "Paul", Email: "paul.girard@acme.example"}
	acct := apitest.OK[admin.Account](t, a.Call("POST", "/accounts", admin.NewAccount{Type: admin.AccountClient, Person: person,
		Invite: &admin.InvitationRequest{}}), 201)
	if acct.Invitation == nil || acct.Invitation.AccountID != acct.ID || acct.Invitation.Language != "fr" || acct.IssuedKey != nil {
		t.Fatalf("account %+v, invitation %+v", acct, acct.Invitation)
	}
	other := admin.Person{LastName: "Roux", FirstName: "Lea", Email: "lea.roux@acme.example"}
	a.Call("POST", "/accounts", admin.NewAccount{Type: admin.AccountClient, Person: other, Invite: &admin.InvitationRequest{},
		IssueKey: &admin.KeyRequest{}}).WantError(t, 400, 24)
	a.CheckAudit()
}
