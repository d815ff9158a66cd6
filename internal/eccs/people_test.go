package eccs_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/eccs/eccs/internal/eccs"
)

// userNamed returns the user of contractID whose e-mail is email, as the operator's list shows.
func userNamed(t *testing.T, w *world, contractID, email string) eccs.Identity {
	t.Helper()
	users := must(w.svc.Users(w.ctx, contractID))(t)
	i := slices.IndexFunc(users, func(u eccs.User) bool { return strings.EqualFold(u.Identity.Email, email) })
	if i < 0 {
		t.Fatalf("%s is not a user of %s", email, contractID)
	}
	return users[i].Identity
}

// A users manager of one customer names a person of another company with invented data: that
// data stays its own customer's record, and the operator's later contract and account for the
// person get what the operator says, not what was planted.
func TestCustomersCallerCannotPlantAPersonsData(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	const email = "new.cfo@initech.example"
	planted := eccs.NewUser{Civility: "Dr", LastName: "Invented", FirstName: "Name", Email: email,
		Login: "planted.login", MobilePhone: "+33 6 66 66 66 66", Roles: map[string][]string{"contracts": {"visitor"}}}
	echo := must(w.svc.DeclareUser(w.ctx, declarerOf(t, access(t, w, w.rita, "BA3-FE")), planted))(t)
	if echo.Identity.LastName != "Invented" || echo.Identity.Login != "planted.login" {
		t.Fatalf("the declaring customer does not get its own record back: %+v", echo.Identity)
	}
	person := must(w.store.IdentityByEmail(w.ctx, email))(t)
	if person.Described() {
		t.Fatalf("a customer's caller set the person's own data: %+v", person)
	}

	real := eccs.Person{Civility: "Mrs", LastName: "Cfo", FirstName: "Real", Email: email, FixPhone: "+33 1 99 99 99 99"}
	c := must(w.svc.CreateContract(w.ctx, eccs.NewContract{Name: "Initech ERP", OfferID: "FE", BillingAccountID: "BA1", Referent: real}))(t)
	if r := c.Referent; r.ID != person.ID || r.LastName != "Cfo" || r.FirstName != "Real" || r.Civility != "Mrs" || r.MobilePhone != "" || r.Login == "planted.login" {
		t.Errorf("the operator's contract shows %+v, want the operator's data for person %s", r, person.ID)
	}
	acct := must(w.svc.CreateAccount(w.ctx, eccs.NewAccount{Type: eccs.AccountClient, Person: real}))(t)
	own := must(w.svc.Identity(w.ctx, acct.IdentityID))(t)
	if acct.IdentityID != person.ID || own.LastName != "Cfo" || own.Login != "real.cfo" || own.MobilePhone != "" {
		t.Errorf("the account's person is %+v, want the operator's data (login made from the name)", own)
	}

	// Each customer sees its own record only.
	if got := userNamed(t, w, "BA3-FE", email); got.LastName != "Invented" || got.Login != "planted.login" {
		t.Errorf("globex's contract shows %+v, want globex's record", got)
	}
	if got := userNamed(t, w, c.ID, email); got.LastName != "Cfo" || got.Login == "planted.login" {
		t.Errorf("acme's contract shows %+v, want acme's record", got)
	}
	if _, err := w.store.IdentityByLogin(w.ctx, "planted.login"); eccs.ErrorCode(err) != eccs.NotFound {
		t.Errorf("the planted login became the person's: %v", err)
	}
}

// An administrator who orders a contract with another company's person as referent learns
// nothing stored about them: the contract shows what the administrator sent.
func TestAdministratorCannotReadAnotherCustomersPerson(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	dave := must(w.store.IdentityByEmail(w.ctx, "dave@globex.example"))(t) // described by the operator
	o := eccs.ContractOrder{BillingAccountID: "BA1", OfferCode: "FE", ContractName: "Probe", SupportLevel: "BSC",
		ReferentCivility: "M", ReferentName: "Else", ReferentFirstName: "Someone", ReferentMail: "DAVE@globex.example"}
	c := must(w.svc.OrderContract(w.ctx, ordererOf(t, w.admin), o))(t)
	shown := access(t, w, w.admin, c.ID).Contract().Referent
	for _, r := range []eccs.Identity{c.Referent, shown} {
		if r.LastName != "Else" || r.FirstName != "Someone" || r.Civility != "M" || r.FixPhone != "" || r.Login == dave.Login {
			t.Errorf("the ordered contract shows %+v; dave's stored data is %+v", r, dave)
		}
	}
	if after := must(w.store.Identity(w.ctx, dave.ID))(t); after != dave {
		t.Errorf("the order changed the person: %+v", after)
	}
}

func TestPersonNotices(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	carol := eccs.Person{Civility: "Ms", LastName: "Dupont", FirstName: "Carol", Email: carolUser.Email, FixPhone: carolUser.FixPhone}
	if n := must(w.svc.PersonNotices(w.ctx, carol, "", "acme"))(t); len(n) != 0 {
		t.Errorf("notices for the stored data: %q", n)
	}
	if n := must(w.svc.PersonNotices(w.ctx, eccs.Person{LastName: "Nobody", FirstName: "Known", Email: "unknown@acme.example"}, "", "acme"))(t); len(n) != 0 {
		t.Errorf("notices for an unknown person: %q", n)
	}
	other := carol
	other.LastName = "Dupond"
	n := must(w.svc.PersonNotices(w.ctx, other, "carol.d", "acme"))(t)
	if len(n) != 2 {
		t.Fatalf("notices %q, want one for the person and one for acme's record", n)
	}
	for _, want := range []string{`lastName "Dupont" (not "Dupond")`, `login "carol.dupont" (not "carol.d")`, "eccsd admin people update"} {
		if !strings.Contains(n[0], want) {
			t.Errorf("notice %q does not say %s", n[0], want)
		}
	}
	if !strings.Contains(n[1], "Customer acme") || !strings.Contains(n[1], `login "carol.dupont" (not "carol.d")`) {
		t.Errorf("notice %q does not describe acme's record", n[1])
	}
}

func TestUpdatePerson(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	str := func(s string) *string { return &s }
	got := must(w.svc.UpdatePerson(w.ctx, w.carolID.ID, eccs.PersonUpdate{LastName: str("Dupont-Martin"), MobilePhone: str("06 11 22 33 44"), Login: str("carol.dm")}))(t)
	if got.LastName != "Dupont-Martin" || got.MobilePhone != "06 11 22 33 44" || got.Login != "carol.dm" || got.FirstName != "Carol" {
		t.Errorf("updated person %+v", got)
	}
	if stored := must(w.store.Identity(w.ctx, w.carolID.ID))(t); stored != got {
		t.Errorf("stored %+v, returned %+v", stored, got)
	}
	// Customers' records stay theirs.
	if r := userNamed(t, w, "BA1-FE", carolUser.Email); r.LastName != "Dupont" || r.Login != "carol.dupont" {
		t.Errorf("acme's record changed: %+v", r)
	}
	_, err := w.svc.UpdatePerson(w.ctx, w.carolID.ID, eccs.PersonUpdate{Email: str("rita@acme.example")})
	wantErr(t, err, eccs.Conflict, eccs.ReasonNone, "")
	_, err = w.svc.UpdatePerson(w.ctx, w.carolID.ID, eccs.PersonUpdate{Email: str("carol@"), FixPhone: str("phone"), LastName: str("")})
	e := wantErr(t, err, eccs.Invalid, eccs.ReasonMissing, "lastName")
	for _, field := range []string{"lastName", "email", "fixPhone"} {
		if !strings.Contains(e.Message, field) {
			t.Errorf("message %q does not name %s", e.Message, field)
		}
	}
	_, err = w.svc.UpdatePerson(w.ctx, "nobody", eccs.PersonUpdate{LastName: str("X")})
	wantErr(t, err, eccs.NotFound, eccs.ReasonNone, "")
	if p := must(w.svc.PersonByEmail(w.ctx, "CAROL.DUPONT@acme.example"))(t); p.ID != w.carolID.ID {
		t.Errorf("PersonByEmail found %+v", p)
	}
}

// Every problem of a request body is named in one answer, not the first only.
func TestEveryProblemOfABodyIsNamed(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	u := eccs.NewUser{Civility: "Sir", LastName: "Doe", FirstName: " John", Email: "john@", FixPhone: "x",
		Roles: map[string][]string{"contracts": {"visitor"}}}
	_, err := w.svc.DeclareUser(w.ctx, declarerOf(t, access(t, w, w.carol, "BA1-FE")), u)
	e := wantErr(t, err, eccs.Invalid, eccs.ReasonMissing, "login")
	for _, field := range []string{"login", "civility", "firstName", "email", "fixPhone"} {
		if !strings.Contains(e.Message, field) {
			t.Errorf("user: message %q does not name %s", e.Message, field)
		}
	}
	o := eccs.ContractOrder{BillingAccountID: "BA 1", OfferCode: "FE", ContractName: "X", ReferentName: "Doe",
		ReferentFirstName: "John", ReferentMail: "john.doe", ReferentMobilePhone: "+"}
	_, err = w.svc.OrderContract(w.ctx, ordererOf(t, w.admin), o)
	e = wantErr(t, err, eccs.Invalid, eccs.ReasonMissing, "supportLevel")
	for _, field := range []string{"supportLevel", "billingAccountId", "referentMail", "referentMobilePhone"} {
		if !strings.Contains(e.Message, field) {
			t.Errorf("order: message %q does not name %s", e.Message, field)
		}
	}
	_, err = w.svc.OrderContract(w.ctx, ordererOf(t, w.admin), eccs.ContractOrder{BillingAccountID: "BA1", OfferCode: "FE", ContractName: "X",
		SupportLevel: "BSC", ReferentName: "Doe", ReferentFirstName: "John", ReferentMail: "john.doe", ReferentFixPhone: "phone"})
	e = wantErr(t, err, eccs.Invalid, eccs.ReasonNone, "referentMail")
	if !strings.Contains(e.Message, "referentFixPhone") {
		t.Errorf("order: message %q does not name referentFixPhone", e.Message)
	}
}
