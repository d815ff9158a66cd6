package eccs_test

import (
	"strings"
	"testing"

	"github.com/eccs/eccs/internal/eccs"
)

func TestOperatorValidation(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx, s := w.ctx, w.svc
	type result struct {
		code   eccs.Code
		reason eccs.Reason
		field  string
	}
	invalid := func(field string) result { return result{eccs.Invalid, "", field} }
	missing := func(field string) result { return result{eccs.Invalid, eccs.ReasonMissing, field} }
	notFound := result{code: eccs.NotFound}
	conflict := result{code: eccs.Conflict}

	customer := func(edit func(*eccs.Customer)) func() error {
		return func() error {
			c := eccs.Customer{ID: "initech", Name: "Initech", Segment: "pme"}
			edit(&c)
			_, err := s.CreateCustomer(ctx, c)
			return err
		}
	}
	billingAccount := func(edit func(*eccs.BillingAccount)) func() error {
		return func() error {
			b := eccs.BillingAccount{ID: "BA-NEW", CustomerID: "acme", Name: "New"}
			edit(&b)
			_, err := s.CreateBillingAccount(ctx, b)
			return err
		}
	}
	offer := func(edit func(*eccs.Offer)) func() error {
		return func() error {
			o := eccs.Offer{ID: "NEWOFFER", Name: "New offer", ContractType: "SAAS", SupportLevels: []string{"BSC"}}
			edit(&o)
			_, err := s.CreateOffer(ctx, o)
			return err
		}
	}
	contract := func(edit func(*eccs.NewContract)) func() error {
		return func() error {
			nc := eccs.NewContract{ID: "NEW-CONTRACT", Name: "New", OfferID: "FE", BillingAccountID: "BA1", Referent: ritaPerson}
			edit(&nc)
			_, err := s.CreateContract(ctx, nc)
			return err
		}
	}
	account := func(edit func(*eccs.NewAccount)) func() error {
		return func() error {
			na := eccs.NewAccount{Type: eccs.AccountClient, Person: eccs.Person{LastName: "New", FirstName: "Person", Email: "new.person@acme.example"}}
			edit(&na)
			_, err := s.CreateAccount(ctx, na)
			return err
		}
	}
	application := func(edit func(*eccs.NewApplication)) func() error {
		return func() error {
			na := eccs.NewApplication{Name: "New app"}
			edit(&na)
			_, _, err := s.CreateApplication(ctx, na)
			return err
		}
	}
	admin := func(p eccs.Perimeter) func(*eccs.NewAccount) {
		return func(na *eccs.NewAccount) { na.Type, na.Perimeter = eccs.AccountAdministrator, p }
	}

	for _, tc := range []struct {
		name string
		call func() error
		want result
	}{
		{"customer id with a space", customer(func(c *eccs.Customer) { c.ID = "ini tech" }), invalid("id")},
		{"customer id empty", customer(func(c *eccs.Customer) { c.ID = "" }), invalid("id")},
		{"customer id too long", customer(func(c *eccs.Customer) { c.ID = strings.Repeat("c", 65) }), invalid("id")},
		{"customer name empty", customer(func(c *eccs.Customer) { c.Name = "" }), invalid("name")},
		{"customer name with a control character", customer(func(c *eccs.Customer) { c.Name = "Ini\ttech" }), invalid("name")},
		{"customer segment empty", customer(func(c *eccs.Customer) { c.Segment = "" }), invalid("segment")},
		{"customer id taken", customer(func(c *eccs.Customer) { c.ID = "acme" }), conflict},

		{"billing account id with a slash", billingAccount(func(b *eccs.BillingAccount) { b.ID = "BA/1" }), invalid("id")},
		{"billing account name empty", billingAccount(func(b *eccs.BillingAccount) { b.Name = "" }), invalid("name")},
		{"billing account of an unknown customer", billingAccount(func(b *eccs.BillingAccount) { b.CustomerID = "nobody" }), notFound},
		{"billing account of no customer", billingAccount(func(b *eccs.BillingAccount) { b.CustomerID = "" }), missing("customerId")},
		{"billing account of an unknown customer", billingAccount(func(b *eccs.BillingAccount) { b.CustomerID = "NOSUCH" }), notFound},
		{"billing account id taken", billingAccount(func(b *eccs.BillingAccount) { b.ID = "BA1" }), conflict},

		{"offer code with a dot", offer(func(o *eccs.Offer) { o.ID = "NEW.OFFER" }), invalid("id")},
		{"offer name empty", offer(func(o *eccs.Offer) { o.Name = "" }), invalid("name")},
		{"offer contract type empty", offer(func(o *eccs.Offer) { o.ContractType = "" }), invalid("contractType")},
		{"offer without support levels", offer(func(o *eccs.Offer) { o.SupportLevels = nil }), missing("supportLevels")},
		{"offer support level with a comma", offer(func(o *eccs.Offer) { o.SupportLevels = []string{"BSC,PRM"} }), invalid("supportLevels")},
		{"offer support level empty", offer(func(o *eccs.Offer) { o.SupportLevels = []string{"BSC", ""} }), invalid("supportLevels")},
		{"offer code taken", offer(func(o *eccs.Offer) { o.ID = "FE" }), conflict},

		{"contract id too short", contract(func(nc *eccs.NewContract) { nc.ID = "AB" }), invalid("id")},
		{"contract id with a leading dash", contract(func(nc *eccs.NewContract) { nc.ID = "-OCB1" }), invalid("id")},
		{"contract id with a dot", contract(func(nc *eccs.NewContract) { nc.ID = "OCB.1" }), invalid("id")},
		{"contract name empty", contract(func(nc *eccs.NewContract) { nc.Name = "" }), invalid("name")},
		{"contract platform id with a newline", contract(func(nc *eccs.NewContract) { nc.PlatformID = "a\nb" }), invalid("platformId")},
		{"contract referent e-mail", contract(func(nc *eccs.NewContract) { nc.Referent.Email = "rita" }), invalid("referentMail")},
		{"contract referent without a last name", contract(func(nc *eccs.NewContract) { nc.Referent.LastName = "" }), missing("referentName")},
		{"contract referent phone", contract(func(nc *eccs.NewContract) { nc.Referent.MobilePhone = "x" }), invalid("referentMobilePhone")},
		{"contract referent login", contract(func(nc *eccs.NewContract) { nc.ReferentLogin = "short" }), invalid("referentLogin")},
		{"contract support level not sold", contract(func(nc *eccs.NewContract) { nc.SupportLevel = "GOLD" }), invalid("supportLevel")},
		{"contract of an unknown offer", contract(func(nc *eccs.NewContract) { nc.OfferID = "NOPE" }), notFound},
		{"contract of an unknown billing account", contract(func(nc *eccs.NewContract) { nc.BillingAccountID = "BA9" }), notFound},
		{"contract id taken", contract(func(nc *eccs.NewContract) { nc.ID = "BA1-FE" }), conflict},

		{"account of unknown type", account(func(na *eccs.NewAccount) { na.Type = "root" }), invalid("type")},
		{"account of no type", account(func(na *eccs.NewAccount) { na.Type = "" }), invalid("type")},
		{"client account with a perimeter", account(func(na *eccs.NewAccount) {
			na.Perimeter = eccs.Perimeter{BillingAccountIDs: []string{"BA1"}}
		}), invalid("perimeter")},
		{"client account with a perimeter of offers only", account(func(na *eccs.NewAccount) {
			na.Perimeter = eccs.Perimeter{OfferIDs: []string{"FE"}}
		}), invalid("perimeter")},
		{"administrator with an unknown billing account", account(admin(eccs.Perimeter{BillingAccountIDs: []string{"BA1", "BA9"}, OfferIDs: []string{"FE"}})), notFound},
		{"administrator with an unknown offer", account(admin(eccs.Perimeter{BillingAccountIDs: []string{"BA1"}, OfferIDs: []string{"NOPE"}})), notFound},
		{"account e-mail", account(func(na *eccs.NewAccount) { na.Person.Email = "new.person@" }), invalid("email")},
		{"account civility", account(func(na *eccs.NewAccount) { na.Person.Civility = "Lord" }), invalid("civility")},
		{"account first name", account(func(na *eccs.NewAccount) { na.Person.FirstName = "" }), missing("firstName")},
		{"account login", account(func(na *eccs.NewAccount) { na.Login = "bad login" }), invalid("login")},
		{"account login of another e-mail", account(func(na *eccs.NewAccount) { na.Login = "carol.dupont" }), conflict},

		{"application name empty", application(func(na *eccs.NewApplication) { na.Name = "" }), invalid("name")},
		{"application subscription unknown", application(func(na *eccs.NewApplication) { na.Subscription = "granted" }), invalid("subscription")},
		{"application client id with a colon", application(func(na *eccs.NewApplication) { na.ClientID = "a:b" }), invalid("clientId")},
		{"application client id too long", application(func(na *eccs.NewApplication) { na.ClientID = strings.Repeat("c", 129) }), invalid("clientId")},
		{"application secret too short", application(func(na *eccs.NewApplication) { na.Secret = "short" }), invalid("secret")},
		{"application secret with a space", application(func(na *eccs.NewApplication) { na.Secret = strings.Repeat("s", 32) + " " }), invalid("secret")},
		{"application client id taken", application(func(na *eccs.NewApplication) { na.ClientID = appClientID }), conflict},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantErr(t, tc.call(), tc.want.code, tc.want.reason, tc.want.field)
		})
	}

	t.Run("refused operations store nothing", func(t *testing.T) {
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
	})

	t.Run("valid operations succeed", func(t *testing.T) {
		for name, call := range map[string]func() error{
			"customer":        customer(func(*eccs.Customer) {}),
			"billing account": billingAccount(func(*eccs.BillingAccount) {}),
			"offer":           offer(func(*eccs.Offer) {}),
			"contract":        contract(func(*eccs.NewContract) {}),
			"client account":  account(func(*eccs.NewAccount) {}),
			"administrator":   account(admin(eccs.Perimeter{BillingAccountIDs: []string{"BA1"}, OfferIDs: []string{"FE"}})),
			"application":     application(func(*eccs.NewApplication) {}),
		} {
			if err := call(); err != nil {
				t.Errorf("%s: %v", name, err)
			}
		}
	})

	t.Run("created records echo their input at the clock's time", func(t *testing.T) {
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
	})
}
