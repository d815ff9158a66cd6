package httpapi_test

import (
	"strings"
	"testing"

	"github.com/eccs/eccs/api/admin"
)

// Operators read and correct a person's own data; customers' records of them stay theirs.
func TestAdminPeople(t *testing.T) {
	a := newAdminEnv(t)
	p := ok[admin.Identity](t, a.call("GET", "/people/CLAIRE.MARTIN@acme.example", nil), 200)
	if p.Email != "claire.martin@acme.example" || p.Login != "claire.martin" || p.LastName != "Martin" {
		t.Fatalf("person %+v", p)
	}
	if byID := ok[admin.Identity](t, a.call("GET", "/people/"+p.ID, nil), 200); byID != p {
		t.Errorf("by id %+v, by e-mail %+v", byID, p)
	}
	last := "Martin-Durand"
	got := ok[admin.Identity](t, a.call("PATCH", "/people/"+p.ID, admin.PersonUpdate{LastName: &last}), 200)
	if got.LastName != last || got.FirstName != "Claire" || got.Login != p.Login {
		t.Errorf("updated %+v", got)
	}
	// The contract's referent is shown as its customer records her: unchanged.
	c := ok[admin.Contract](t, a.call("GET", "/contracts/OCB0000001", nil), 200)
	if c.Referent.LastName != "Martin" {
		t.Errorf("the customer's record changed: %+v", c.Referent)
	}
	bad, taken := "not an e-mail", "paul.durand@acme.example"
	a.call("PATCH", "/people/"+p.ID, admin.PersonUpdate{Email: &bad}).wantError(t, 400, 24)
	a.call("PATCH", "/people/"+p.ID, admin.PersonUpdate{Email: &taken}).wantError(t, 409, 70)
	a.call("GET", "/people/nobody@acme.example", nil).wantError(t, 404, 60)
	a.checkAudit()
}

// An operator's call that finds a known person with other data says so, and keeps the data.
func TestAdminCallsSayWhenAKnownPersonDiffers(t *testing.T) {
	a := newAdminEnv(t)
	other := admin.Person{LastName: "Martine", FirstName: "Claire", Email: "claire.martin@acme.example"}
	c := ok[admin.Contract](t, a.call("POST", "/contracts", admin.NewContract{Name: "Notice", OfferID: "FE", BillingAccountID: "20451001", Referent: other}), 201)
	if len(c.Notices) == 0 || !strings.Contains(c.Notices[0], `lastName "Martin" (not "Martine")`) || c.Referent.LastName != "Martin" {
		t.Errorf("contract referent %+v, notices %q", c.Referent, c.Notices)
	}
	acct := ok[admin.Account](t, a.call("POST", "/accounts", admin.NewAccount{Type: admin.AccountClient, Person: other, Login: "claire.m"}), 201)
	if len(acct.Notices) != 1 || !strings.Contains(acct.Notices[0], `login "claire.martin" (not "claire.m")`) || acct.Identity.LastName != "Martin" {
		t.Errorf("account %+v, notices %q", acct.Identity, acct.Notices)
	}
	same := admin.Person{Civility: "Mrs", LastName: "Martin", FirstName: "Claire", Email: "claire.martin@acme.example"}
	if acct := ok[admin.Account](t, a.call("POST", "/accounts", admin.NewAccount{Type: admin.AccountClient, Person: same}), 201); len(acct.Notices) != 0 {
		t.Errorf("notices for the stored data: %q", acct.Notices)
	}
}

// Onboarding without copying ids: an account is named by its holder's e-mail or login, and
// is created with its key in one call; a contract is created with its customer.
func TestAdminOnboardingNamesAccountsByPersonAndCreatesWhatIsMissing(t *testing.T) {
	a := newAdminEnv(t)
	c := ok[admin.Contract](t, a.call("POST", "/contracts", admin.NewContract{Name: "Initech ERP", OfferID: "FE",
		BillingAccountID: "90000001", BillingAccountName: "Initech HQ", Customer: &admin.Customer{ID: "C9000001", Name: "Initech", Segment: "sme"},
		Referent: admin.Person{LastName: "Lumbergh", FirstName: "Bill", Email: "bill@initech.example"}}), 201)
	if c.CustomerID != "C9000001" || c.CustomerName != "Initech" || c.BillingAccountID != "90000001" {
		t.Errorf("contract %+v", c)
	}
	r := a.call("POST", "/accounts", admin.NewAccount{Type: admin.AccountAdministrator,
		Person:    admin.Person{LastName: "Lumbergh", FirstName: "Bill", Email: "bill@initech.example"},
		Perimeter: &admin.Perimeter{BillingAccountIDs: []string{"90000001"}, OfferIDs: []string{"FE"}},
		IssueKey:  &admin.KeyRequest{ClaimLink: true}})
	acct := ok[admin.Account](t, r, 201)
	if r.header.Get("Cache-Control") != "no-store" || acct.IssuedKey == nil || acct.IssuedKey.Claim == nil || acct.IssuedKey.APIKey.AccountID != acct.ID {
		t.Fatalf("account %s", r.body)
	}
	for _, ref := range []string{acct.ID, "bill@initech.example", "BILL@Initech.example", acct.Identity.Login} {
		if got := ok[admin.Account](t, a.call("GET", "/accounts/"+ref, nil), 200); got.ID != acct.ID {
			t.Errorf("GET /accounts/%s: %+v", ref, got)
		}
	}
	keys := ok[admin.List[admin.APIKey]](t, a.call("GET", "/keys?accountId=bill@initech.example", nil), 200)
	if keys.Total != 1 || keys.Items[0].ID != acct.IssuedKey.APIKey.ID {
		t.Errorf("keys of bill: %+v", keys)
	}
	ok[admin.IssuedKey](t, a.call("POST", "/accounts/bill@initech.example/keys", admin.KeyRequest{ClaimLink: true}), 201)
	// Two accounts for one person: name one by id.
	ok[admin.Account](t, a.call("POST", "/accounts", admin.NewAccount{Type: admin.AccountClient,
		Person: admin.Person{LastName: "Lumbergh", FirstName: "Bill", Email: "bill@initech.example"}}), 201)
	if desc := a.call("GET", "/accounts/bill@initech.example", nil).wantError(t, 409, 70); !strings.Contains(desc, acct.ID) {
		t.Errorf("description %q does not list the accounts", desc)
	}
	a.checkAudit()
}
