package eccs_test

import (
	"strings"
	"testing"

	"github.com/eccs/eccs/internal/eccs"
)

// An account is found by its id, or by the e-mail or login of the person who holds it.
func TestFindAccount(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	for _, ref := range []string{w.dave.ID, "dave@globex.example", "DAVE@Globex.Example", "dave.nobody"} {
		if a, err := w.svc.FindAccount(w.ctx, ref); err != nil || a.ID != w.dave.ID {
			t.Errorf("FindAccount(%q) = %+v, %v; want dave's account", ref, a, err)
		}
	}
	for _, ref := range []string{"nobody@globex.example", "nobody.at.all", "q2w3e4r5t6y7u8i9", "not a ref"} {
		_, err := w.svc.FindAccount(w.ctx, ref)
		wantErr(t, err, eccs.NotFound, eccs.ReasonNone, "")
	}
	// A person with two accounts is named by an account id.
	second := must(w.svc.CreateAccount(w.ctx, eccs.NewAccount{Type: eccs.AccountAdministrator,
		Person:    eccs.Person{LastName: "Nobody", FirstName: "Dave", Email: "dave@globex.example"},
		Perimeter: eccs.Perimeter{BillingAccountIDs: []string{"BA3"}, OfferIDs: []string{"FE"}}}))(t)
	_, err := w.svc.FindAccount(w.ctx, "dave.nobody")
	e := wantErr(t, err, eccs.Conflict, eccs.ReasonNone, "")
	if !strings.Contains(e.Message, w.dave.ID) || !strings.Contains(e.Message, second.ID) {
		t.Errorf("message %q does not list both accounts", e.Message)
	}
}

// An account and its key are made in one step, and a refusal makes neither.
func TestCreateAccountWithKey(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	na := eccs.NewAccount{Type: eccs.AccountClient, Person: eccs.Person{LastName: "Key", FirstName: "Kim", Email: "kim.key@acme.example"}}
	acct, key, secret, claim, err := w.svc.CreateAccountWithKey(w.ctx, na, eccs.KeyOptions{ClaimTTL: eccs.DefaultClaimTTL})
	if err != nil {
		t.Fatal(err)
	}
	if key.AccountID != acct.ID || secret != "" || claim.Value == "" {
		t.Fatalf("key %+v, secret %q, claim %+v", key, secret, claim)
	}
	_, _, revealed, err := w.svc.RevealClaim(w.ctx, claim.Value)
	if err != nil {
		t.Fatal(err)
	}
	if got, _, err := w.svc.AccountForKey(w.ctx, revealed); err != nil || got.ID != acct.ID {
		t.Errorf("the key names %+v, %v", got, err)
	}
	// A bad key lifetime refuses the whole step.
	na.Person.Email = "kim.other@acme.example"
	_, _, _, _, err = w.svc.CreateAccountWithKey(w.ctx, na, eccs.KeyOptions{TTL: -1})
	wantErr(t, err, eccs.Invalid, eccs.ReasonNone, "ttl")
	if _, err := w.store.IdentityByEmail(w.ctx, "kim.other@acme.example"); eccs.ErrorCode(err) != eccs.NotFound {
		t.Errorf("a refused step left the person: %v", err)
	}
}

// One call onboards a customer: its billing account and itself are made with the contract
// when they are new, and found when they are not.
func TestCreateContractWithItsCustomer(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	initech := &eccs.Customer{ID: "initech", Name: "Initech", Segment: "sme"}
	nc := eccs.NewContract{Name: "Initech ERP", OfferID: "FE", BillingAccountID: "BA-INI", BillingAccountName: "Initech HQ",
		Customer: initech, Referent: eccs.Person{LastName: "Lumbergh", FirstName: "Bill", Email: "bill@initech.example"}}
	c := must(w.svc.CreateContract(w.ctx, nc))(t)
	if c.CustomerID != "initech" || c.CustomerName != "Initech" || c.BillingAccountID != "BA-INI" {
		t.Errorf("contract %+v", c)
	}
	if ba := must(w.store.BillingAccount(w.ctx, "BA-INI"))(t); ba.CustomerID != "initech" || ba.Name != "Initech HQ" {
		t.Errorf("billing account %+v", ba)
	}
	// Again: the customer and billing account exist and are used as they are.
	nc.Name = "Initech CRM"
	if c2 := must(w.svc.CreateContract(w.ctx, nc))(t); c2.BillingAccountID != "BA-INI" || c2.ID == c.ID {
		t.Errorf("second contract %+v", c2)
	}
	// A billing account of another customer is refused; a new one needs its customer.
	nc.BillingAccountID = "BA1"
	_, err := w.svc.CreateContract(w.ctx, nc)
	wantErr(t, err, eccs.Invalid, eccs.ReasonNone, "billingAccountId")
	nc.BillingAccountID, nc.Customer = "BA-NEW", nil
	_, err = w.svc.CreateContract(w.ctx, nc)
	wantErr(t, err, eccs.Invalid, eccs.ReasonMissing, "customer")
}
