package httpapi_test

import (
	"strings"
	"testing"

	"github.com/eccs/eccs/api/admin"
	"github.com/eccs/eccs/internal/testkit/apitest"
)

// Operators read and correct a person's own data; customers' records of them stay theirs.
func TestAdminPeople(t *testing.T) {
	a := apitest.NewAdminEnv(t)
	p := apitest.OK[admin.Identity](t, a.Call("GET", "/people/CLAIRE.MARTIN@acme.example", nil), 200)
	if p.Email != "claire.martin@acme.example" || p.Login != "claire.martin" || p.LastName != "Martin" {
		t.Fatalf("person %+v", p)
	}
	if byID := apitest.OK[admin.Identity](t, a.Call("GET", "/people/"+p.ID, nil), 200); byID != p {
		t.Errorf("by id %+v, by e-mail %+v", byID, p)
	}
	last := "Martin-Durand"
	got := apitest.OK[admin.Identity](t, a.Call("PATCH", "/people/"+p.ID, admin.PersonUpdate{LastName: &last}), 200)
	if got.LastName != last || got.FirstName != "Claire" || got.Login != p.Login {
		t.Errorf("updated %+v", got)
	}
	// The contract's referent is shown as its customer records her: unchanged.
	c := apitest.OK[admin.Contract](t, a.Call("GET", "/contracts/OCB0000001", nil), 200)
	if c.Referent.LastName != "Martin" {
		t.Errorf("the customer's record changed: %+v", c.Referent)
	}
	bad, taken := "not an e-mail", "paul.durand@acme.example"
	a.Call("PATCH", "/people/"+p.ID, admin.PersonUpdate{Email: &bad}).WantError(t, 400, 24)
	a.Call("PATCH", "/people/"+p.ID, admin.PersonUpdate{Email: &taken}).WantError(t, 409, 70)
	a.Call("GET", "/people/nobody@acme.example", nil).WantError(t, 404, 60)
	a.CheckAudit()
}

// An operator's call that finds a known person with other data says so, and keeps the data.
func TestAdminCallsSayWhenAKnownPersonDiffers(t *testing.T) {
	a := apitest.NewAdminEnv(t)
	other := admin.Person{LastName: "Martine", FirstName: "Claire", Email: "claire.martin@acme.example"}
	c := apitest.OK[admin.Contract](t, a.Call("POST", "/contracts", admin.NewContract{Name: "Notice", OfferID: "FE", BillingAccountID: "20451001", Referent: other}), 201)
	if len(c.Notices) == 0 || !strings.Contains(c.Notices[0], `lastName "Martin" (not "Martine")`) || c.Referent.LastName != "Martin" {
		t.Errorf("contract referent %+v, notices %q", c.Referent, c.Notices)
	}
	acct := apitest.OK[admin.Account](t, a.Call("POST", "/accounts", admin.NewAccount{Type: admin.AccountClient, Person: other, Login: "claire.m"}), 201)
	if len(acct.Notices) != 1 || !strings.Contains(acct.Notices[0], `login "claire.martin" (not "claire.m")`) || acct.Identity.LastName != "Martin" {
		t.Errorf("account %+v, notices %q", acct.Identity, acct.Notices)
	}
	same := admin.Person{Civility: "Mrs", LastName: "Martin", FirstName: "Claire", Email: "claire.martin@acme.example"}
	if acct := apitest.OK[admin.Account](t, a.Call("POST", "/accounts", admin.NewAccount{Type: admin.AccountClient, Person: same}), 201); len(acct.Notices) != 0 {
		t.Errorf("notices for the stored data: %q", acct.Notices)
	}
}

// Onboarding without copying ids: an account is named by its holder's e-mail or login, and
// is created with its key in one call; a contract is created with its customer.
func TestAdminOnboardingNamesAccountsByPersonAndCreatesWhatIsMissing(t *testing.T) {
	a := apitest.NewAdminEnv(t)
	c := apitest.OK[admin.Contract](t, a.Call("POST", "/contracts", admin.NewContract{Name: "Initech ERP", OfferID: "FE",
		BillingAccountID: "90000001", BillingAccountName: "Initech HQ", Customer: &admin.Customer{ID: "C9000001", Name: "Initech", Segment: "sme"},
		Referent: admin.Person{LastName: "Lumbergh", FirstName: "Bill", Email: "bill@initech.example"}}), 201)
	if c.CustomerID != "C9000001" || c.CustomerName != "Initech" || c.BillingAccountID != "90000001" {
		t.Errorf("contract %+v", c)
	}
	r := a.Call("POST", "/accounts", admin.NewAccount{Type: admin.AccountAdministrator,
		Person:    admin.Person{LastName: "Lumbergh", FirstName: "Bill", Email: "bill@initech.example"},
		Perimeter: &admin.Perimeter{BillingAccountIDs: []string{"90000001"}, OfferIDs: []string{"FE"}},
		IssueKey:  &admin.KeyRequest{ClaimLink: true}})
	acct := apitest.OK[admin.Account](t, r, 201)
	if r.Header.Get("Cache-Control") != "no-store" || acct.IssuedKey == nil || acct.IssuedKey.Claim == nil || acct.IssuedKey.APIKey.AccountID != acct.ID {
		t.Fatalf("account %s", r.Body)
	}
	for _, ref := range []string{acct.ID, "bill@initech.example", "BILL@Initech.example", acct.Identity.Login} {
		if got := apitest.OK[admin.Account](t, a.Call("GET", "/accounts/"+ref, nil), 200); got.ID != acct.ID {
			t.Errorf("GET /accounts/%s: %+v", ref, got)
		}
	}
	keys := apitest.OK[admin.List[admin.APIKey]](t, a.Call("GET", "/keys?accountId=bill@initech.example", nil), 200)
	if keys.Total != 1 || keys.Items[0].ID != acct.IssuedKey.APIKey.ID {
		t.Errorf("keys of bill: %+v", keys)
	}
	apitest.OK[admin.IssuedKey](t, a.Call("POST", "/accounts/bill@initech.example/keys", admin.KeyRequest{ClaimLink: true}), 201)
	// Two accounts for one person: name one by id.
	apitest.OK[admin.Account](t, a.Call("POST", "/accounts", admin.NewAccount{Type: admin.AccountClient,
		Person: admin.Person{LastName: "Lumbergh", FirstName: "Bill", Email: "bill@initech.example"}}), 201)
	if desc := a.Call("GET", "/accounts/bill@initech.example", nil).WantError(t, 409, 70); !strings.Contains(desc, acct.ID) {
		t.Errorf("description %q does not list the accounts", desc)
	}
	a.CheckAudit()
}
