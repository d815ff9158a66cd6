package eccs_test

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/eccs/eccs/internal/eccs"
)

var ocbID = regexp.MustCompile(`^OCB[0-9]{7}$`)

func validOrder() eccs.ContractOrder {
	return eccs.ContractOrder{BillingAccountID: "BA1", OfferCode: "FE", ContractName: "Éloïse's project",
		SupportLevel: "ADV", ReferentCivility: "Mme", ReferentName: "Ô", ReferentFirstName: "Éloïse",
		ReferentMail: "eloise.o@acme.example", ReferentFixPhone: "+33 1 11 11 11 11",
		ReferenceExt: [3]string{"PO-2025-001", "", "cost centre 42"}}
}

// TestOrderContract checks a successful order, then the logins made for new referents: the
// first takes the login the second order's referent would have had.
func TestOrderContract(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	t.Run("success", func(t *testing.T) { wantOrderSucceeds(t, w) })
	t.Run("generated logins", func(t *testing.T) { wantGeneratedLogins(t, w) })
}

// Only an administrator may order contracts: a client is refused before its order is checked,
// and what the refusal returns orders nothing.
func TestOrderContractForbiddenToClients(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	for _, tc := range []struct {
		name  string
		acct  eccs.Account
		order eccs.ContractOrder
	}{
		{"valid order", w.carol, validOrder()},
		{"empty order", w.carol, eccs.ContractOrder{}},
		{"referent of every contract", w.rita, validOrder()},
		{"account of unknown type", eccs.Account{ID: "x", Type: "superuser"}, eccs.ContractOrder{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			orderer, err := eccs.MayOrderContracts(tc.acct)
			wantErr(t, err, eccs.Forbidden, eccs.ReasonNone, "")
			// What a refusal returns orders nothing either.
			if _, err := w.svc.OrderContract(w.ctx, orderer, tc.order); err == nil {
				t.Error("a refused orderer ordered a contract")
			}
		})
	}
}

// An order missing required fields is refused for the first one, and names them all.
func TestOrderContractMissingFields(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	all := []string{"billingAccountId", "offerCode", "contractName", "supportLevel", "referentName", "referentFirstName", "referentMail"}
	for _, tc := range []struct {
		name    string
		edit    func(*eccs.ContractOrder)
		missing []string
	}{
		{"empty order", func(o *eccs.ContractOrder) { *o = eccs.ContractOrder{} }, all},
		{"referent only", func(o *eccs.ContractOrder) { o.ReferentName, o.ReferentFirstName, o.ReferentMail = "", " ", "" }, all[4:]},
		{"support level", func(o *eccs.ContractOrder) { o.SupportLevel = "" }, []string{"supportLevel"}},
		{"contract name blank", func(o *eccs.ContractOrder) { o.ContractName = "\t" }, []string{"contractName"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := validOrder()
			tc.edit(&o)
			_, err := w.svc.OrderContract(w.ctx, ordererOf(t, w.admin), o)
			e := wantErr(t, err, eccs.Invalid, eccs.ReasonMissing, tc.missing[0])
			for _, f := range tc.missing {
				if !strings.Contains(e.Message, f) {
					t.Errorf("message %q does not name %s", e.Message, f)
				}
			}
		})
	}
}

// Each malformed or unknown field of an order is refused and named.
func TestOrderContractInvalidFields(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	for _, tc := range []struct {
		name  string
		edit  func(*eccs.ContractOrder)
		field string
	}{
		{"unknown offer", func(o *eccs.ContractOrder) { o.OfferCode = "NOPE" }, "offerCode"},
		{"offer code in another case", func(o *eccs.ContractOrder) { o.OfferCode = "fe" }, "offerCode"},
		{"malformed offer code", func(o *eccs.ContractOrder) { o.OfferCode = "F E" }, "offerCode"},
		{"support level not sold with the offer", func(o *eccs.ContractOrder) { o.SupportLevel = "GOLD" }, "supportLevel"},
		{"unknown offer outside the perimeter too", func(o *eccs.ContractOrder) { o.OfferCode, o.BillingAccountID = "NOPE", "BA3" }, "offerCode"},
		{"malformed billing account", func(o *eccs.ContractOrder) { o.BillingAccountID = "BA 1" }, "billingAccountId"},
		{"contract name too long", func(o *eccs.ContractOrder) { o.ContractName = strings.Repeat("n", 101) }, "contractName"},
		{"referent e-mail", func(o *eccs.ContractOrder) { o.ReferentMail = "eloise" }, "referentMail"},
		{"referent civility", func(o *eccs.ContractOrder) { o.ReferentCivility = "Lady" }, "referentCivility"},
		{"referent last name", func(o *eccs.ContractOrder) { o.ReferentName = "O\x07" }, "referentName"},
		{"referent first name", func(o *eccs.ContractOrder) { o.ReferentFirstName = "Eloise " }, "referentFirstName"},
		{"referent fix phone", func(o *eccs.ContractOrder) { o.ReferentFixPhone = "phone" }, "referentFixPhone"},
		{"referent mobile phone", func(o *eccs.ContractOrder) { o.ReferentMobilePhone = "+" }, "referentMobilePhone"},
		{"second external reference", func(o *eccs.ContractOrder) { o.ReferenceExt[1] = " padded" }, "referenceExt2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := validOrder()
			tc.edit(&o)
			_, err := w.svc.OrderContract(w.ctx, ordererOf(t, w.admin), o)
			wantErr(t, err, eccs.Invalid, eccs.ReasonNone, tc.field)
		})
	}
}

// An order outside the administrator's perimeter is forbidden, with one message whatever is
// outside, checked before the support level; it creates no referent.
func TestOrderContractOutsideThePerimeter(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	order := func(ba, offer, level string) eccs.ContractOrder {
		o := validOrder()
		o.BillingAccountID, o.OfferCode, o.SupportLevel = ba, offer, level
		return o
	}
	_, err := w.svc.OrderContract(w.ctx, ordererOf(t, w.admin), order("BA3", "FE", "BSC"))
	outside := wantErr(t, err, eccs.Forbidden, eccs.ReasonNone, "")
	for _, tc := range []struct {
		name  string
		order eccs.ContractOrder
	}{
		{"unknown billing account", order("BA9", "FE", "BSC")},
		{"billing account in another case", order("ba1", "FE", "BSC")},
		{"billing account in, offer out", order("BA1", "CAV", "BSC")},
		{"both out", order("BA3", "CAV", "BSC")},
		// The perimeter is checked before the support level: an administrator learns
		// nothing of what an offer outside its perimeter sells.
		{"offer out, with a support level it does not sell", order("BA1", "CAV", "PRM")},
		{"offer out, with a support level it sells", order("BA1", "CAV", "BSC")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := w.svc.OrderContract(w.ctx, ordererOf(t, w.admin), tc.order)
			e := wantErr(t, err, eccs.Forbidden, eccs.ReasonNone, "")
			want := strings.NewReplacer("BA3", tc.order.BillingAccountID, "offer FE", "offer "+tc.order.OfferCode).Replace(outside.Message)
			if e.Message != want {
				t.Errorf("message %q, want the outside-perimeter message %q", e.Message, want)
			}
		})
	}
	if _, err := w.store.IdentityByEmail(w.ctx, validOrder().ReferentMail); eccs.ErrorCode(err) != eccs.NotFound {
		t.Errorf("a refused order created the referent: %v", err)
	}
}

// wantOrderSucceeds orders a contract an hour after t0 and checks what it made: a numbered
// contract, its referent, visible to the administrator and to the referent, not to others.
func wantOrderSucceeds(t *testing.T, w *world) {
	w.clock.Advance(time.Hour)
	defer w.clock.Advance(-time.Hour)
	o := validOrder()
	c, err := w.svc.OrderContract(w.ctx, ordererOf(t, w.admin), o)
	if err != nil {
		t.Fatal(err)
	}
	if !ocbID.MatchString(c.ID) {
		t.Errorf("id %q is not OCB + 7 digits", c.ID)
	}
	want := eccs.Contract{ID: c.ID, Name: o.ContractName, Type: "IAAS", OfferID: "FE", OfferName: "Flexible Engine",
		BillingAccountID: "BA1", CustomerID: "acme", CustomerName: "Acme Industries", CustomerSegment: "large",
		SupportLevel: "ADV", Referent: c.Referent, ReferenceExt: o.ReferenceExt,
		CreatedAt: t0.Add(time.Hour), UpdatedAt: t0.Add(time.Hour)}
	if c != want {
		t.Errorf("got  %+v\nwant %+v", c, want)
	}
	ref := c.Referent
	if ref.Email != o.ReferentMail || ref.LastName != "Ô" || ref.FirstName != "Éloïse" || ref.Civility != "Mme" || ref.FixPhone != o.ReferentFixPhone {
		t.Errorf("referent %+v", ref)
	}
	if !eccs.ValidLogin(ref.Login) || len(ref.Login) < 8 || !strings.HasPrefix(ref.Login, "eloise.o") {
		t.Errorf("login %q: want a valid login made of the folded name, like eloise.o…", ref.Login)
	}
	// What the administrator sent is its customer's record of the referent; the person's
	// own data is not a customer's to set.
	person := must(w.store.IdentityByEmail(w.ctx, o.ReferentMail))(t)
	if record := must(w.store.Contact(w.ctx, "acme", person.ID))(t); record.As(person) != ref {
		t.Errorf("acme's record %+v, returned referent %+v", record, ref)
	}
	if person.Described() {
		t.Errorf("an administrator's order described the person: %+v", person)
	}
	d := must(w.store.Declaration(w.ctx, c.ID, ref.ID))(t)
	if d.Roles != eccs.ManagerEverywhere {
		t.Errorf("referent declared with %+v, want manager everywhere", d.Roles)
	}
	// Visible to the ordering administrator, listed and readable alike.
	a, err := w.svc.ContractAccess(w.ctx, w.admin, c.ID)
	if got, roles := a.Contract(), a.Roles(); err != nil || got != c || roles != eccs.ManagerEverywhere {
		t.Errorf("ContractAccess: %+v %+v %v", got, roles, err)
	}
	list, _, err := w.svc.Contracts(w.ctx, w.admin, eccs.Page{})
	if err != nil || !slices.ContainsFunc(list, func(x eccs.Contract) bool { return x.ID == c.ID }) {
		t.Errorf("the new contract is not listed: %v", err)
	}
	// The referent, given an account, sees it as manager everywhere.
	acct := must(w.svc.CreateAccount(w.ctx, eccs.NewAccount{Type: eccs.AccountClient,
		Person: eccs.Person{LastName: "O", FirstName: "E", Email: "ELOISE.O@acme.example"}}))(t)
	if a, err := w.svc.ContractAccess(w.ctx, acct, c.ID); err != nil || a.Roles() != eccs.ManagerEverywhere {
		t.Errorf("the referent's access: %+v %v", a.Roles(), err)
	}
	// Another client sees nothing of it.
	_, err = w.svc.ContractAccess(w.ctx, w.dave, c.ID)
	wantErr(t, err, eccs.Forbidden, eccs.ReasonNone, "")
}

// wantGeneratedLogins orders contracts for new referents and checks the logins made of their
// names: folded to ASCII, numbered when taken.
func wantGeneratedLogins(t *testing.T, w *world) {
	for i, tc := range []struct {
		first, last string
		want        string
	}{
		{"Éloïse", "Ô", "eloise.o2"}, // eloise.o is taken by the referent of the success step
		{"Jean-François", "D'Ornano", "jean-francois.d.ornano"},
		{"Zoë", "Li", "zoe.li00"},
		{"Ægir", "Strauß", "aegir.strauss"},
		{"李", "王", ""}, // nothing to fold: any valid login
	} {
		t.Run(tc.first+" "+tc.last, func(t *testing.T) {
			o := validOrder()
			o.ReferentFirstName, o.ReferentName = tc.first, tc.last
			o.ReferentMail = fmt.Sprintf("login%d@acme.example", i)
			c, err := w.svc.OrderContract(w.ctx, ordererOf(t, w.admin), o)
			if err != nil {
				t.Fatal(err)
			}
			if tc.want != "" && c.Referent.Login != tc.want || !eccs.ValidLogin(c.Referent.Login) {
				t.Errorf("login %q, want %q", c.Referent.Login, tc.want)
			}
		})
	}
}

// An order whose referent's e-mail is known, in any case, makes that person the referent.
func TestOrderContractKnownReferent(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	o := validOrder()
	o.ReferentMail, o.ReferentName, o.ReferentFirstName = "CAROL.DUPONT@acme.example", "Someone", "Else"
	c, err := w.svc.OrderContract(w.ctx, ordererOf(t, w.admin), o)
	if err != nil {
		t.Fatal(err)
	}
	if c.Referent != w.carolID {
		t.Errorf("referent %+v, want carol's identity %+v", c.Referent, w.carolID)
	}
	if a, err := w.svc.ContractAccess(w.ctx, w.carol, c.ID); err != nil || a.Roles() != eccs.ManagerEverywhere {
		t.Errorf("carol's access to the contract she is referent of: %+v %v", a.Roles(), err)
	}
}

func TestContractNumbers(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	loaded := func(id string) eccs.NewContract {
		return eccs.NewContract{ID: id, Name: "Loaded " + id, OfferID: "FE", BillingAccountID: "BA2", Referent: ritaPerson}
	}
	must(w.svc.CreateContract(w.ctx, loaded("OCB0000002")))(t)
	must(w.svc.CreateContract(w.ctx, loaded("OCB0000004")))(t)
	var got []string
	for range 2 {
		c, err := w.svc.OrderContract(w.ctx, ordererOf(t, w.admin), validOrder())
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, c.ID)
	}
	c, err := w.svc.CreateContract(w.ctx, eccs.NewContract{Name: "Allocated by an operator", OfferID: "CAV", BillingAccountID: "BA3", Referent: ritaPerson})
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, c.ID)
	if want := []string{"OCB0000001", "OCB0000003", "OCB0000005"}; !slices.Equal(got, want) {
		t.Errorf("numbers %v, want %v", got, want)
	}
	if c.SupportLevel != "BSC" || c.Type != "PAAS" {
		t.Errorf("operator contract defaults: level %q type %q", c.SupportLevel, c.Type)
	}
	// An operator cannot load a number already given.
	_, err = w.svc.CreateContract(w.ctx, loaded("OCB0000003"))
	wantErr(t, err, eccs.Conflict, eccs.ReasonNone, "")
	// A refused order gives no number away.
	o := validOrder()
	o.SupportLevel = "GOLD"
	if _, err := w.svc.OrderContract(w.ctx, ordererOf(t, w.admin), o); eccs.ErrorCode(err) != eccs.Invalid {
		t.Fatal(err)
	}
	if c, err := w.svc.OrderContract(w.ctx, ordererOf(t, w.admin), validOrder()); err != nil || c.ID != "OCB0000006" {
		t.Errorf("next number %q, %v; want OCB0000006", c.ID, err)
	}
}

// TestOrderContractConcurrently places 100 orders at once, half of them for one new referent:
// every order gets its own number, none is lost.
func TestOrderContractConcurrently(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	const n = 100
	created := make([]eccs.Contract, n)
	errs := make([]error, n)
	orderer := ordererOf(t, w.admin)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			o := validOrder()
			o.BillingAccountID = []string{"BA1", "BA2"}[i%2]
			o.ContractName = fmt.Sprintf("Concurrent %d", i)
			if i%2 == 0 {
				// Distinct new referents with the same name: distinct numbered logins.
				o.ReferentFirstName, o.ReferentName, o.ReferentMail = "Paul", "Martin", fmt.Sprintf("paul.martin.%d@acme.example", i)
			} else {
				// The same new referent for half the orders: one identity.
				o.ReferentMail = "shared.referent@acme.example"
			}
			created[i], errs[i] = w.svc.OrderContract(w.ctx, orderer, o)
		})
	}
	close(start)
	wg.Wait()
	seen := wantConcurrentOrders(t, created, errs)
	list, total, err := w.svc.Contracts(w.ctx, w.admin, eccs.Page{})
	if err != nil {
		t.Fatal(err)
	}
	if total != n+2 || len(list) != n+2 {
		t.Errorf("the administrator sees %d contracts (total %d), want %d", len(list), total, n+2)
	}
	for i, c := range created {
		a, err := w.svc.ContractAccess(w.ctx, w.admin, c.ID)
		if got := a.Contract(); err != nil || got != c {
			t.Errorf("order %d: reading %s back: %+v, %v", i, c.ID, got, err)
		}
	}
	// Numbers are dense: 1 to n, none lost.
	for k := 1; k <= n; k++ {
		if _, ok := seen[fmt.Sprintf("OCB%07d", k)]; !ok {
			t.Errorf("number %d was never given", k)
		}
	}
}

// wantConcurrentOrders checks the contracts the concurrent orders made: every order succeeded
// with a number of its own, for its own contract; the orders of the shared referent share one
// identity, the distinct referents of the same name have distinct logins. It returns the
// order of each number.
func wantConcurrentOrders(t *testing.T, created []eccs.Contract, errs []error) map[string]int {
	seen := map[string]int{}
	logins := map[string]string{}
	var shared string
	for i, err := range errs {
		if err != nil {
			t.Fatalf("order %d: %v", i, err)
		}
		c := created[i]
		if !ocbID.MatchString(c.ID) {
			t.Errorf("order %d: id %q", i, c.ID)
		}
		if j, dup := seen[c.ID]; dup {
			t.Errorf("orders %d and %d both got %s", j, i, c.ID)
		}
		seen[c.ID] = i
		if c.Name != fmt.Sprintf("Concurrent %d", i) {
			t.Errorf("order %d returned contract %s named %q", i, c.ID, c.Name)
		}
		if i%2 == 1 {
			if shared == "" {
				shared = c.Referent.ID
			} else if c.Referent.ID != shared {
				t.Errorf("order %d: the shared referent has two identities (%s, %s)", i, shared, c.Referent.ID)
			}
		} else {
			if other, dup := logins[c.Referent.Login]; dup {
				t.Errorf("login %s given to %s and %s", c.Referent.Login, other, c.Referent.Email)
			}
			logins[c.Referent.Login] = c.Referent.Email
		}
	}
	return seen
}
