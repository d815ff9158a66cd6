package eccs_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/eccs/eccs/internal/eccs"
)

// TestOperatorValidation checks that the operator's creations refuse invalid, unknown and
// taken values, naming the field, and store nothing when they do; then that valid ones succeed.
func TestOperatorValidation(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	c := operatorCalls{ctx: w.ctx, s: w.svc}
	for _, tc := range slices.Concat(c.catalogCases(), c.contractCases(), c.accountCases(), c.applicationCases()) {
		t.Run(tc.name, func(t *testing.T) {
			wantErr(t, tc.call(), tc.want.code, tc.want.reason, tc.want.field)
		})
	}
	t.Run("refused operations store nothing", func(t *testing.T) { wantRefusedCreationsStoredNothing(t, w) })
	t.Run("valid operations succeed", func(t *testing.T) {
		for name, call := range map[string]func() error{
			"customer":        c.customer(func(*eccs.Customer) {}),
			"billing account": c.billingAccount(func(*eccs.BillingAccount) {}),
			"offer":           c.offer(func(*eccs.Offer) {}),
			"contract":        c.contract(func(*eccs.NewContract) {}),
			"client account":  c.account(func(*eccs.NewAccount) {}),
			"administrator":   c.account(adminWith(eccs.Perimeter{BillingAccountIDs: []string{"BA1"}, OfferIDs: []string{"FE"}})),
			"application":     c.application(func(*eccs.NewApplication) {}),
		} {
			if err := call(); err != nil {
				t.Errorf("%s: %v", name, err)
			}
		}
	})
	t.Run("created records echo their input at the clock's time", func(t *testing.T) { wantCreatedRecordsEcho(t, w) })
}

// opResult is the error an operator's call must fail with.
type opResult struct {
	code   eccs.Code
	reason eccs.Reason
	field  string
}

func opInvalid(field string) opResult { return opResult{eccs.Invalid, "", field} }
func opMissing(field string) opResult { return opResult{eccs.Invalid, eccs.ReasonMissing, field} }

var (
	opNotFound = opResult{code: eccs.NotFound}
	opConflict = opResult{code: eccs.Conflict}
)

// operatorCase is a call of an operator's creation and the error it must fail with.
type operatorCase struct {
	name string
	call func() error
	want opResult
}

// operatorCalls makes the operator's creations of a valid value, once edit has changed it.
type operatorCalls struct {
	ctx context.Context
	s   *eccs.Service
}

func (c operatorCalls) customer(edit func(*eccs.Customer)) func() error {
	return func() error {
		cu := eccs.Customer{ID: "initech", Name: "Initech", Segment: "pme"}
		edit(&cu)
		_, err := c.s.CreateCustomer(c.ctx, cu)
		return err
	}
}

func (c operatorCalls) billingAccount(edit func(*eccs.BillingAccount)) func() error {
	return func() error {
		b := eccs.BillingAccount{ID: "BA-NEW", CustomerID: "acme", Name: "New"}
		edit(&b)
		_, err := c.s.CreateBillingAccount(c.ctx, b)
		return err
	}
}

func (c operatorCalls) offer(edit func(*eccs.Offer)) func() error {
	return func() error {
		o := eccs.Offer{ID: "NEWOFFER", Name: "New offer", ContractType: "SAAS", SupportLevels: []string{"BSC"}}
		edit(&o)
		_, err := c.s.CreateOffer(c.ctx, o)
		return err
	}
}

func (c operatorCalls) contract(edit func(*eccs.NewContract)) func() error {
	return func() error {
		nc := eccs.NewContract{ID: "NEW-CONTRACT", Name: "New", OfferID: "FE", BillingAccountID: "BA1", Referent: ritaPerson}
		edit(&nc)
		_, err := c.s.CreateContract(c.ctx, nc)
		return err
	}
}

func (c operatorCalls) account(edit func(*eccs.NewAccount)) func() error {
	return func() error {
		na := eccs.NewAccount{Type: eccs.AccountClient, Person: eccs.Person{LastName: "New", FirstName: "Person", Email: "new.person@acme.example"}}
		edit(&na)
		_, err := c.s.CreateAccount(c.ctx, na)
		return err
	}
}

func (c operatorCalls) application(edit func(*eccs.NewApplication)) func() error {
	return func() error {
		na := eccs.NewApplication{Name: "New app"}
		edit(&na)
		_, _, err := c.s.CreateApplication(c.ctx, na)
		return err
	}
}

// adminWith makes the new account an administrator of perimeter p.
func adminWith(p eccs.Perimeter) func(*eccs.NewAccount) {
	return func(na *eccs.NewAccount) { na.Type, na.Perimeter = eccs.AccountAdministrator, p }
}

func (c operatorCalls) catalogCases() []operatorCase {
	customer, billingAccount, offer := c.customer, c.billingAccount, c.offer
	return []operatorCase{
		{"customer id with a space", customer(func(c *eccs.Customer) { c.ID = "ini tech" }), opInvalid("id")},
		{"customer id empty", customer(func(c *eccs.Customer) { c.ID = "" }), opInvalid("id")},
		{"customer id too long", customer(func(c *eccs.Customer) { c.ID = strings.Repeat("c", 65) }), opInvalid("id")},
		{"customer name empty", customer(func(c *eccs.Customer) { c.Name = "" }), opInvalid("name")},
		{"customer name with a control character", customer(func(c *eccs.Customer) { c.Name = "Ini\ttech" }), opInvalid("name")},
		{"customer segment empty", customer(func(c *eccs.Customer) { c.Segment = "" }), opInvalid("segment")},
		{"customer id taken", customer(func(c *eccs.Customer) { c.ID = "acme" }), opConflict},

		{"billing account id with a slash", billingAccount(func(b *eccs.BillingAccount) { b.ID = "BA/1" }), opInvalid("id")},
		{"billing account name empty", billingAccount(func(b *eccs.BillingAccount) { b.Name = "" }), opInvalid("name")},
		{"billing account of an unknown customer", billingAccount(func(b *eccs.BillingAccount) { b.CustomerID = "nobody" }), opNotFound},
		{"billing account of no customer", billingAccount(func(b *eccs.BillingAccount) { b.CustomerID = "" }), opMissing("customerId")},
		{"billing account of an unknown customer", billingAccount(func(b *eccs.BillingAccount) { b.CustomerID = "NOSUCH" }), opNotFound},
		{"billing account id taken", billingAccount(func(b *eccs.BillingAccount) { b.ID = "BA1" }), opConflict},

		{"offer code with a dot", offer(func(o *eccs.Offer) { o.ID = "NEW.OFFER" }), opInvalid("id")},
		{"offer name empty", offer(func(o *eccs.Offer) { o.Name = "" }), opInvalid("name")},
		{"offer contract type empty", offer(func(o *eccs.Offer) { o.ContractType = "" }), opInvalid("contractType")},
		{"offer without support levels", offer(func(o *eccs.Offer) { o.SupportLevels = nil }), opMissing("supportLevels")},
		{"offer support level with a comma", offer(func(o *eccs.Offer) { o.SupportLevels = []string{"BSC,PRM"} }), opInvalid("supportLevels")},
		{"offer support level empty", offer(func(o *eccs.Offer) { o.SupportLevels = []string{"BSC", ""} }), opInvalid("supportLevels")},
		{"offer code taken", offer(func(o *eccs.Offer) { o.ID = "FE" }), opConflict},
	}
}

func (c operatorCalls) contractCases() []operatorCase {
	contract := c.contract
	return []operatorCase{
		{"contract id too short", contract(func(nc *eccs.NewContract) { nc.ID = "AB" }), opInvalid("id")},
		{"contract id with a leading dash", contract(func(nc *eccs.NewContract) { nc.ID = "-OCB1" }), opInvalid("id")},
		{"contract id with a dot", contract(func(nc *eccs.NewContract) { nc.ID = "OCB.1" }), opInvalid("id")},
		{"contract name empty", contract(func(nc *eccs.NewContract) { nc.Name = "" }), opInvalid("name")},
		{"contract platform id with a newline", contract(func(nc *eccs.NewContract) { nc.PlatformID = "a\nb" }), opInvalid("platformId")},
		{"contract referent e-mail", contract(func(nc *eccs.NewContract) { nc.Referent.Email = "rita" }), opInvalid("referentMail")},
		{"contract referent without a last name", contract(func(nc *eccs.NewContract) { nc.Referent.LastName = "" }), opMissing("referentName")},
		{"contract referent phone", contract(func(nc *eccs.NewContract) { nc.Referent.MobilePhone = "x" }), opInvalid("referentMobilePhone")},
		{"contract referent login", contract(func(nc *eccs.NewContract) { nc.ReferentLogin = "short" }), opInvalid("referentLogin")},
		{"contract support level not sold", contract(func(nc *eccs.NewContract) { nc.SupportLevel = "GOLD" }), opInvalid("supportLevel")},
		{"contract of an unknown offer", contract(func(nc *eccs.NewContract) { nc.OfferID = "NOPE" }), opNotFound},
		{"contract of an unknown billing account", contract(func(nc *eccs.NewContract) { nc.BillingAccountID = "BA9" }), opNotFound},
		{"contract id taken", contract(func(nc *eccs.NewContract) { nc.ID = "BA1-FE" }), opConflict},
	}
}

func (c operatorCalls) accountCases() []operatorCase {
	account, admin := c.account, adminWith
	return []operatorCase{
		{"account of unknown type", account(func(na *eccs.NewAccount) { na.Type = "root" }), opInvalid("type")},
		{"account of no type", account(func(na *eccs.NewAccount) { na.Type = "" }), opInvalid("type")},
		{"client account with a perimeter", account(func(na *eccs.NewAccount) {
			na.Perimeter = eccs.Perimeter{BillingAccountIDs: []string{"BA1"}}
		}), opInvalid("perimeter")},
		{"client account with a perimeter of offers only", account(func(na *eccs.NewAccount) {
			na.Perimeter = eccs.Perimeter{OfferIDs: []string{"FE"}}
		}), opInvalid("perimeter")},
		{"administrator with an unknown billing account", account(admin(eccs.Perimeter{BillingAccountIDs: []string{"BA1", "BA9"}, OfferIDs: []string{"FE"}})), opNotFound},
		{"administrator with an unknown offer", account(admin(eccs.Perimeter{BillingAccountIDs: []string{"BA1"}, OfferIDs: []string{"NOPE"}})), opNotFound},
		{"account e-mail", account(func(na *eccs.NewAccount) { na.Person.Email = "new.person@" }), opInvalid("email")},
		{"account civility", account(func(na *eccs.NewAccount) { na.Person.Civility = "Lord" }), opInvalid("civility")},
		{"account first name", account(func(na *eccs.NewAccount) { na.Person.FirstName = "" }), opMissing("firstName")},
		{"account login", account(func(na *eccs.NewAccount) { na.Login = "bad login" }), opInvalid("login")},
		{"account login of another e-mail", account(func(na *eccs.NewAccount) { na.Login = "carol.dupont" }), opConflict},
	}
}

func (c operatorCalls) applicationCases() []operatorCase {
	application := c.application
	return []operatorCase{
		{"application name empty", application(func(na *eccs.NewApplication) { na.Name = "" }), opInvalid("name")},
		{"application subscription unknown", application(func(na *eccs.NewApplication) { na.Subscription = "granted" }), opInvalid("subscription")},
		{"application client id with a colon", application(func(na *eccs.NewApplication) { na.ClientID = "a:b" }), opInvalid("clientId")},
		{"application client id too long", application(func(na *eccs.NewApplication) { na.ClientID = strings.Repeat("c", 129) }), opInvalid("clientId")},
		{"application secret too short", application(func(na *eccs.NewApplication) { na.Secret = "short" }), opInvalid("secret")},
		{"application secret with a space", application(func(na *eccs.NewApplication) { na.Secret = strings.Repeat("s", 32) + " " }), opInvalid("secret")},
		{"application client id taken", application(func(na *eccs.NewApplication) { na.ClientID = appClientID }), opConflict},
	}
}

// wantRefusedCreationsStoredNothing checks that none of the refused creations stored its value.
func wantRefusedCreationsStoredNothing(t *testing.T, w *world) {
	ctx := w.ctx
	if _, err := w.store.Customer(ctx, "initech"); eccs.ErrorCode(err) != eccs.NotFound {
		t.Errorf("customer: %v", err)
	}
	if _, err := w.store.BillingAccount(ctx, "BA-NEW"); eccs.ErrorCode(err) != eccs.NotFound {
		t.Errorf("billing account: %v", err)
	}
	if _, err := w.store.Offer(ctx, "NEWOFFER"); eccs.ErrorCode(err) != eccs.NotFound {
		t.Errorf("offer: %v", err)
	}
	if _, err := w.store.Contract(ctx, "NEW-CONTRACT"); eccs.ErrorCode(err) != eccs.NotFound {
		t.Errorf("contract: %v", err)
	}
	if _, err := w.store.IdentityByEmail(ctx, "new.person@acme.example"); eccs.ErrorCode(err) != eccs.NotFound {
		t.Errorf("identity: %v", err)
	}
}

// wantCreatedRecordsEcho checks that an offer keeps its support levels, and an administrator its
// perimeter, in the order given, and that an account's login is made of its name.
func wantCreatedRecordsEcho(t *testing.T, w *world) {
	ctx, s := w.ctx, w.svc
	o := must(s.CreateOffer(ctx, eccs.Offer{ID: "ORDERED", Name: "Levels in order", ContractType: "X", SupportLevels: []string{"C", "A", "B"}}))(t)
	stored := must(w.store.Offer(ctx, "ORDERED"))(t)
	if strings.Join(stored.SupportLevels, ",") != "C,A,B" || !stored.CreatedAt.Equal(t0) || !o.CreatedAt.Equal(t0) {
		t.Errorf("offer %+v", stored)
	}
	a := must(s.CreateAccount(ctx, eccs.NewAccount{Type: eccs.AccountAdministrator,
		Person:    eccs.Person{LastName: "Perimeter", FirstName: "Order", Email: "order@acme.example"},
		Perimeter: eccs.Perimeter{BillingAccountIDs: []string{"BA3", "BA1"}, OfferIDs: []string{"CAV", "FE"}}}))(t)
	back := must(w.store.Account(ctx, a.ID))(t)
	if strings.Join(back.Perimeter.BillingAccountIDs, ",") != "BA3,BA1" || strings.Join(back.Perimeter.OfferIDs, ",") != "CAV,FE" {
		t.Errorf("perimeter %+v", back.Perimeter)
	}
	id := must(w.store.IdentityByEmail(ctx, "order@acme.example"))(t)
	if id.Login != "order.perimeter" {
		t.Errorf("generated account login %q", id.Login)
	}
}
