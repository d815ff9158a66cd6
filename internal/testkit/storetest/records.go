package storetest

import (
	"context"
	"slices"
	"testing"

	"github.com/eccs/eccs/internal/eccs"
)

// This file checks each record type on its own: created records read back equal, lookups of
// nothing are NotFound, taken keys are Conflict and references to nothing are NotFound.

func testCustomers(t *testing.T, open func(t *testing.T) eccs.Store) {
	t.Run("created customer reads back equal", func(t *testing.T) {
		s := open(t)
		w := seed(t, s)
		got, err := s.Customer(t.Context(), w.customer.ID)
		must(t, err)
		equal(t, "Customer", got, w.customer)
	})
	runErrorCases(t, open, []errorCase{
		{"unknown customer is NotFound", func(ctx context.Context, t *testing.T, s eccs.Store, w world) error {
			_, err := s.Customer(ctx, "nobody")
			return err
		}, eccs.NotFound},
		{"taken customer id is Conflict", func(ctx context.Context, t *testing.T, s eccs.Store, w world) error {
			c := w.customer
			c.Name = "Other"
			return s.CreateCustomer(ctx, c)
		}, eccs.Conflict},
	})
}

func testBillingAccounts(t *testing.T, open func(t *testing.T) eccs.Store) {
	t.Run("created billing account reads back equal", func(t *testing.T) {
		s := open(t)
		w := seed(t, s)
		for _, b := range []eccs.BillingAccount{w.b1, w.b2, w.b3} {
			got, err := s.BillingAccount(t.Context(), b.ID)
			must(t, err)
			equal(t, "BillingAccount", got, b)
		}
	})
	runErrorCases(t, open, []errorCase{
		{"unknown billing account is NotFound", func(ctx context.Context, t *testing.T, s eccs.Store, w world) error {
			_, err := s.BillingAccount(ctx, "ba-none")
			return err
		}, eccs.NotFound},
		{"taken billing account id is Conflict", func(ctx context.Context, t *testing.T, s eccs.Store, w world) error {
			return s.CreateBillingAccount(ctx, w.b1)
		}, eccs.Conflict},
		{"billing account of an unknown customer is NotFound", func(ctx context.Context, t *testing.T, s eccs.Store, w world) error {
			b := w.b1
			b.ID, b.CustomerID = "ba-new", "cust-none"
			return s.CreateBillingAccount(ctx, b)
		}, eccs.NotFound},
	})
}

func testOffers(t *testing.T, open func(t *testing.T) eccs.Store) {
	t.Run("created offer reads back equal with its support levels in order", func(t *testing.T) {
		s := open(t)
		w := seed(t, s)
		for _, o := range []eccs.Offer{w.o1, w.o2} {
			got, err := s.Offer(t.Context(), o.ID)
			must(t, err)
			equal(t, "Offer", got, o)
		}
	})
	runErrorCases(t, open, []errorCase{
		{"unknown offer is NotFound", func(ctx context.Context, t *testing.T, s eccs.Store, w world) error {
			_, err := s.Offer(ctx, "NONE")
			return err
		}, eccs.NotFound},
		{"taken offer id is Conflict", func(ctx context.Context, t *testing.T, s eccs.Store, w world) error {
			return s.CreateOffer(ctx, w.o2)
		}, eccs.Conflict},
	})
}

func testIdentities(t *testing.T, open func(t *testing.T) eccs.Store) {
	lookups := []struct {
		name string
		find func(ctx context.Context, s eccs.Store) (eccs.Identity, error)
	}{
		{"e-mail as stored finds the identity", func(ctx context.Context, s eccs.Store) (eccs.Identity, error) {
			return s.IdentityByEmail(ctx, "Alice.Martin@Example.com")
		}},
		{"e-mail in another case finds the identity", func(ctx context.Context, s eccs.Store) (eccs.Identity, error) {
			return s.IdentityByEmail(ctx, "alice.MARTIN@example.COM")
		}},
		{"login as stored finds the identity", func(ctx context.Context, s eccs.Store) (eccs.Identity, error) {
			return s.IdentityByLogin(ctx, "alice.martin")
		}},
		{"login in another case finds the identity", func(ctx context.Context, s eccs.Store) (eccs.Identity, error) {
			return s.IdentityByLogin(ctx, "Alice.MARTIN")
		}},
	}
	for _, tc := range lookups {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			w := seed(t, s)
			got, err := tc.find(t.Context(), s)
			must(t, err)
			equal(t, "Identity", got, w.alice)
		})
	}
	t.Run("non-ASCII e-mail in another case finds the identity", func(t *testing.T) {
		s := open(t)
		seed(t, s)
		i := eccs.Identity{ID: "id-elodie", Login: "elodie.lefevre", Email: "Élodie.Lefèvre@Example.fr",
			LastName: "Lefèvre", FirstName: "Élodie", CreatedAt: at(5), UpdatedAt: at(5)}
		must(t, s.CreateIdentity(t.Context(), i))
		got, err := s.IdentityByEmail(t.Context(), "élodie.lefèvre@example.fr")
		must(t, err)
		equal(t, "Identity", got, i)
	})
	runErrorCases(t, open, identityErrors())
}

// newIdentity returns an identity that takes nothing of the seed's, for the error cases to
// change one field of.
func newIdentity() eccs.Identity {
	return eccs.Identity{ID: "id-new", Login: "new.person", Email: "new@example.net", LastName: "New",
		FirstName: "Person", CreatedAt: at(6), UpdatedAt: at(6)}
}

func identityErrors() []errorCase {
	return []errorCase{
		{"unknown e-mail is NotFound", func(ctx context.Context, t *testing.T, s eccs.Store, w world) error {
			_, err := s.IdentityByEmail(ctx, "nobody@example.com")
			return err
		}, eccs.NotFound},
		{"unknown login is NotFound", func(ctx context.Context, t *testing.T, s eccs.Store, w world) error {
			_, err := s.IdentityByLogin(ctx, "nobody.at.all")
			return err
		}, eccs.NotFound},
		{"taken identity id is Conflict", func(ctx context.Context, t *testing.T, s eccs.Store, w world) error {
			i := newIdentity()
			i.ID = w.alice.ID
			return s.CreateIdentity(ctx, i)
		}, eccs.Conflict},
		{"e-mail taken in another case is Conflict", func(ctx context.Context, t *testing.T, s eccs.Store, w world) error {
			i := newIdentity()
			i.Email = "ALICE.martin@example.com"
			return s.CreateIdentity(ctx, i)
		}, eccs.Conflict},
		{"login taken in another case is Conflict", func(ctx context.Context, t *testing.T, s eccs.Store, w world) error {
			i := newIdentity()
			i.Login = "ALICE.Martin"
			return s.CreateIdentity(ctx, i)
		}, eccs.Conflict},
	}
}

func testContracts(t *testing.T, open func(t *testing.T) eccs.Store) {
	t.Run("created contract reads back with its offer, customer and referent", func(t *testing.T) {
		s := open(t)
		w := seed(t, s)
		want := w.createContract(t, s, "OCB0000001", w.b2, w.o1, w.alice)
		got, err := s.Contract(t.Context(), "OCB0000001")
		must(t, err)
		equal(t, "Contract", got, want)
		if got.OfferName != "Flexible Engine" || got.CustomerName != "Acme Industries" || got.Referent.Email != w.alice.Email {
			t.Errorf("joined fields missing: %+v", got)
		}
		if got.Closed() {
			t.Errorf("ClosedAt = %v, want the zero time for an open contract", got.ClosedAt)
		}
	})
	t.Run("contract created closed reads back with its closing time", func(t *testing.T) {
		s := open(t)
		w := seed(t, s)
		c := w.contract("OCB0000001", w.b2, w.o1, w.alice)
		c.ClosedAt = at(12)
		must(t, s.CreateContract(t.Context(), c))
		got, err := s.Contract(t.Context(), "OCB0000001")
		must(t, err)
		equal(t, "Contract", got, w.read(c))
	})
	runErrorCases(t, open, []errorCase{
		{"unknown contract is NotFound", func(ctx context.Context, t *testing.T, s eccs.Store, w world) error {
			_, err := s.Contract(ctx, "OCB9999999")
			return err
		}, eccs.NotFound},
		{"taken contract id is Conflict", func(ctx context.Context, t *testing.T, s eccs.Store, w world) error {
			must(t, s.CreateContract(ctx, w.contract("OCB0000001", w.b1, w.o1, w.alice)))
			return s.CreateContract(ctx, w.contract("OCB0000001", w.b2, w.o2, w.bob))
		}, eccs.Conflict},
		{"contract of an unknown offer is NotFound", func(ctx context.Context, t *testing.T, s eccs.Store, w world) error {
			c := w.contract("OCB0000001", w.b1, w.o1, w.alice)
			c.OfferID = "NONE"
			return s.CreateContract(ctx, c)
		}, eccs.NotFound},
		{"contract of an unknown billing account is NotFound", func(ctx context.Context, t *testing.T, s eccs.Store, w world) error {
			c := w.contract("OCB0000001", w.b1, w.o1, w.alice)
			c.BillingAccountID = "ba-none"
			return s.CreateContract(ctx, c)
		}, eccs.NotFound},
		{"contract of an unknown referent is NotFound", func(ctx context.Context, t *testing.T, s eccs.Store, w world) error {
			c := w.contract("OCB0000001", w.b1, w.o1, w.alice)
			c.Referent.ID = "id-none"
			return s.CreateContract(ctx, c)
		}, eccs.NotFound},
	})
}

func testDeclarations(t *testing.T, open func(t *testing.T) eccs.Store) {
	t.Run("created declaration reads back equal", func(t *testing.T) {
		s := open(t)
		w := seed(t, s)
		w.createContract(t, s, "OCB0000001", w.b1, w.o1, w.alice)
		d := w.declaration("OCB0000001", w.bob)
		must(t, s.CreateDeclaration(t.Context(), d))
		got, err := s.Declaration(t.Context(), "OCB0000001", w.bob.ID)
		must(t, err)
		equal(t, "Declaration", got, d)

		all := eccs.Declaration{ContractID: "OCB0000001", IdentityID: w.alice.ID, Roles: eccs.ManagerEverywhere, CreatedAt: at(1), UpdatedAt: at(2)}
		must(t, s.CreateDeclaration(t.Context(), all))
		got, err = s.Declaration(t.Context(), "OCB0000001", w.alice.ID)
		must(t, err)
		equal(t, "Declaration", got, all)
	})
	runErrorCases(t, open, []errorCase{
		{"identity not declared on the contract is NotFound", func(ctx context.Context, t *testing.T, s eccs.Store, w world) error {
			w.createContract(t, s, "OCB0000001", w.b1, w.o1, w.alice)
			must(t, s.CreateDeclaration(ctx, w.declaration("OCB0000001", w.alice)))
			_, err := s.Declaration(ctx, "OCB0000001", w.bob.ID)
			return err
		}, eccs.NotFound},
		{"declaration on an unknown contract is NotFound", func(ctx context.Context, t *testing.T, s eccs.Store, w world) error {
			_, err := s.Declaration(ctx, "OCB9999999", w.bob.ID)
			return err
		}, eccs.NotFound},
		{"second declaration of an identity on a contract is Conflict", func(ctx context.Context, t *testing.T, s eccs.Store, w world) error {
			w.createContract(t, s, "OCB0000001", w.b1, w.o1, w.alice)
			must(t, s.CreateDeclaration(ctx, w.declaration("OCB0000001", w.bob)))
			d := w.declaration("OCB0000001", w.bob)
			d.Roles = eccs.ManagerEverywhere
			return s.CreateDeclaration(ctx, d)
		}, eccs.Conflict},
		{"declaring on an unknown contract is NotFound", func(ctx context.Context, t *testing.T, s eccs.Store, w world) error {
			return s.CreateDeclaration(ctx, w.declaration("OCB9999999", w.bob))
		}, eccs.NotFound},
		{"declaring an unknown identity is NotFound", func(ctx context.Context, t *testing.T, s eccs.Store, w world) error {
			w.createContract(t, s, "OCB0000001", w.b1, w.o1, w.alice)
			return s.CreateDeclaration(ctx, w.declaration("OCB0000001", eccs.Identity{ID: "id-none"}))
		}, eccs.NotFound},
	})
}

func testAccounts(t *testing.T, open func(t *testing.T) eccs.Store) {
	t.Run("client account reads back equal without a perimeter", func(t *testing.T) {
		s := open(t)
		w := seed(t, s)
		a := w.clientAccount("acct-client", w.bob)
		must(t, s.CreateAccount(t.Context(), a))
		got, err := s.Account(t.Context(), a.ID)
		must(t, err)
		equal(t, "Account", got, a)
	})
	runStoreCases(t, open, []storeCase{
		{"administrator account reads back with its perimeter in order", adminAccountReadsBack},
		{"id listed twice in a perimeter is kept once", adminAccountPerimeterOnce},
	})
	runErrorCases(t, open, []errorCase{
		{"unknown account is NotFound", func(ctx context.Context, t *testing.T, s eccs.Store, w world) error {
			_, err := s.Account(ctx, "acct-none")
			return err
		}, eccs.NotFound},
		{"taken account id is Conflict", func(ctx context.Context, t *testing.T, s eccs.Store, w world) error {
			must(t, s.CreateAccount(ctx, w.clientAccount("acct-1", w.bob)))
			return s.CreateAccount(ctx, w.adminAccount("acct-1", w.alice, eccs.Perimeter{OfferIDs: []string{w.o1.ID}}))
		}, eccs.Conflict},
		{"account of an unknown identity is NotFound", func(ctx context.Context, t *testing.T, s eccs.Store, w world) error {
			return s.CreateAccount(ctx, w.clientAccount("acct-1", eccs.Identity{ID: "id-none"}))
		}, eccs.NotFound},
	})
	// A perimeter naming nothing fails whole: the account itself must not be left behind.
	for _, tc := range []struct {
		name      string
		perimeter func(w world) eccs.Perimeter
	}{
		{"perimeter with an unknown billing account is NotFound and stores nothing", func(w world) eccs.Perimeter {
			return eccs.Perimeter{BillingAccountIDs: []string{w.b1.ID, "ba-none"}, OfferIDs: []string{w.o1.ID}}
		}},
		{"perimeter with an unknown offer is NotFound and stores nothing", func(w world) eccs.Perimeter {
			return eccs.Perimeter{BillingAccountIDs: []string{w.b1.ID}, OfferIDs: []string{w.o1.ID, "NONE"}}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			w := seed(t, s)
			checkCode(t, s.CreateAccount(t.Context(), w.adminAccount("acct-admin", w.alice, tc.perimeter(w))), eccs.NotFound)
			_, err := s.Account(t.Context(), "acct-admin")
			checkCode(t, err, eccs.NotFound)
			// The id is free again.
			must(t, s.CreateAccount(t.Context(), w.clientAccount("acct-admin", w.alice)))
		})
	}
}

func adminAccountReadsBack(t *testing.T, s eccs.Store) {
	w := seed(t, s)
	a := w.adminAccount("acct-admin", w.alice, eccs.Perimeter{
		BillingAccountIDs: []string{w.b3.ID, w.b1.ID},
		OfferIDs:          []string{w.o2.ID, w.o1.ID},
	})
	must(t, s.CreateAccount(t.Context(), a))
	got, err := s.Account(t.Context(), a.ID)
	must(t, err)
	equal(t, "Account", got, a)
}

func adminAccountPerimeterOnce(t *testing.T, s eccs.Store) {
	w := seed(t, s)
	a := w.adminAccount("acct-admin", w.alice, eccs.Perimeter{
		BillingAccountIDs: []string{w.b2.ID, w.b1.ID, w.b2.ID},
		OfferIDs:          []string{w.o1.ID, w.o1.ID},
	})
	must(t, s.CreateAccount(t.Context(), a))
	got, err := s.Account(t.Context(), a.ID)
	must(t, err)
	equal(t, "Perimeter", got.Perimeter, eccs.Perimeter{BillingAccountIDs: []string{w.b2.ID, w.b1.ID}, OfferIDs: []string{w.o1.ID}})
}

func testAPIKeys(t *testing.T, open func(t *testing.T) eccs.Store) {
	for _, tc := range []struct {
		name string
		key  func() eccs.APIKey
	}{
		{"new key reads back equal with zero revoked and last-used times", func() eccs.APIKey {
			return apiKey("key-1", "acct-1", "hash-1")
		}},
		{"revoked, used key reads back equal", func() eccs.APIKey {
			k := apiKey("key-1", "acct-1", "hash-1")
			k.RevokedAt, k.LastUsedAt, k.LastUsedFrom, k.ReplacedBy = at(45), at(44), "203.0.113.7", "key-0"
			return k
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			w := seed(t, s)
			must(t, s.CreateAccount(t.Context(), w.clientAccount("acct-1", w.bob)))
			k := tc.key()
			must(t, s.CreateAPIKey(t.Context(), k))
			got, err := s.APIKeyByHash(t.Context(), k.Hash)
			must(t, err)
			equal(t, "APIKey", got, k)
			if k.RevokedAt.IsZero() && !got.RevokedAt.IsZero() {
				t.Errorf("RevokedAt = %v, want the zero time", got.RevokedAt)
			}
		})
	}
	runErrorCases(t, open, []errorCase{
		{"unknown hash is NotFound", func(ctx context.Context, t *testing.T, s eccs.Store, w world) error {
			withAPIKey(t, s, w)
			_, err := s.APIKeyByHash(ctx, "hash-2")
			return err
		}, eccs.NotFound},
		{"taken hash is Conflict", func(ctx context.Context, t *testing.T, s eccs.Store, w world) error {
			withAPIKey(t, s, w)
			return s.CreateAPIKey(ctx, apiKey("key-2", "acct-1", "hash-1"))
		}, eccs.Conflict},
		{"taken key id is Conflict", func(ctx context.Context, t *testing.T, s eccs.Store, w world) error {
			withAPIKey(t, s, w)
			return s.CreateAPIKey(ctx, apiKey("key-1", "acct-1", "hash-2"))
		}, eccs.Conflict},
		{"key of an unknown account is NotFound", func(ctx context.Context, t *testing.T, s eccs.Store, w world) error {
			return s.CreateAPIKey(ctx, apiKey("key-1", "acct-none", "hash-1"))
		}, eccs.NotFound},
	})
}

func testApplications(t *testing.T, open func(t *testing.T) eccs.Store) {
	for _, tc := range []struct {
		name string
		app  func() eccs.Application
	}{
		{"new application reads back equal with zero times", func() eccs.Application {
			return application("app-1", "client-1")
		}},
		{"application in secret rotation with accepted terms reads back equal", func() eccs.Application {
			a := application("app-1", "client-1")
			a.PreviousSecretHash, a.PreviousSecretExpiresAt, a.SecretVersion = "old-hash", at(70), 2
			a.Status, a.Subscription, a.TermsAcceptedAt = eccs.ApplicationBlocked, eccs.SubscriptionApproved, at(55)
			a.TermsAcceptedBy = "Jeanne Operator <ops@example.com>"
			return a
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			a := tc.app()
			must(t, s.CreateApplication(t.Context(), a))
			got, err := s.Application(t.Context(), a.ID)
			must(t, err)
			equal(t, "Application", got, a)
			got, err = s.ApplicationByClientID(t.Context(), a.ClientID)
			must(t, err)
			equal(t, "ApplicationByClientID", got, a)
		})
	}
	runStoreCases(t, open, []storeCase{
		{"updated application reads back with every mutable field changed", applicationUpdated},
	})
	withApp := func(ctx context.Context, t *testing.T, s eccs.Store) {
		must(t, s.CreateApplication(ctx, application("app-1", "client-1")))
	}
	runErrorCases(t, open, []errorCase{
		{"unknown application is NotFound", func(ctx context.Context, t *testing.T, s eccs.Store, w world) error {
			withApp(ctx, t, s)
			_, err := s.Application(ctx, "app-2")
			return err
		}, eccs.NotFound},
		{"unknown client id is NotFound", func(ctx context.Context, t *testing.T, s eccs.Store, w world) error {
			withApp(ctx, t, s)
			_, err := s.ApplicationByClientID(ctx, "client-2")
			return err
		}, eccs.NotFound},
		{"taken client id is Conflict", func(ctx context.Context, t *testing.T, s eccs.Store, w world) error {
			withApp(ctx, t, s)
			return s.CreateApplication(ctx, application("app-2", "client-1"))
		}, eccs.Conflict},
		{"taken application id is Conflict", func(ctx context.Context, t *testing.T, s eccs.Store, w world) error {
			withApp(ctx, t, s)
			return s.CreateApplication(ctx, application("app-1", "client-2"))
		}, eccs.Conflict},
		{"updating an unknown application is NotFound", func(ctx context.Context, t *testing.T, s eccs.Store, w world) error {
			withApp(ctx, t, s)
			return s.UpdateApplication(ctx, application("app-2", "client-2"))
		}, eccs.NotFound},
	})
}

func applicationUpdated(t *testing.T, s eccs.Store) {
	a := application("app-1", "client-1")
	must(t, s.CreateApplication(t.Context(), a))
	a.Name, a.SecretHash, a.PreviousSecretHash, a.PreviousSecretExpiresAt = "Renamed", "new-hash", a.SecretHash, at(70)
	a.SecretVersion++
	a.Status, a.Subscription, a.TermsAcceptedAt, a.UpdatedAt = eccs.ApplicationSuspended, eccs.SubscriptionApproved, at(71), at(72)
	a.TermsAcceptedBy = "ticket OPS-42"
	must(t, s.UpdateApplication(t.Context(), a))
	got, err := s.Application(t.Context(), a.ID)
	must(t, err)
	equal(t, "Application", got, a)
}

func testDocuments(t *testing.T, open func(t *testing.T) eccs.Store) {
	t.Run("created document reads back equal", func(t *testing.T) {
		s := open(t)
		w := seed(t, s)
		w.createContract(t, s, "OCB0000001", w.b1, w.o1, w.alice)
		d := document("doc-1", "OCB0000001", eccs.TypeConsumptionRatedReports, "202601", 60)
		must(t, s.CreateDocument(t.Context(), d))
		got, err := s.Document(t.Context(), "OCB0000001", "doc-1")
		must(t, err)
		equal(t, "Document", got, d)
	})
	t.Run("blob keys are those of every document, deleted ones gone", func(t *testing.T) {
		s := open(t)
		w := seed(t, s)
		ctx := t.Context()
		keys, err := s.BlobKeys(ctx)
		must(t, err)
		equal(t, "BlobKeys of no document", len(keys), 0)
		w.createContract(t, s, "OCB0000001", w.b1, w.o1, w.alice)
		w.createContract(t, s, "OCB0000002", w.b1, w.o1, w.alice)
		d1 := document("doc-1", "OCB0000001", eccs.TypeBills, "202601", 60)
		d2 := document("doc-2", "OCB0000002", eccs.TypeBills, "202601", 61)
		d3 := document("doc-3", "OCB0000002", eccs.TypeInvoices, "202601", 62)
		for _, d := range []eccs.Document{d1, d2, d3} {
			must(t, s.CreateDocument(ctx, d))
		}
		must(t, s.DeleteDocument(ctx, "OCB0000002", "doc-2"))
		keys, err = s.BlobKeys(ctx)
		must(t, err)
		slices.Sort(keys)
		want := []string{d1.BlobKey, d3.BlobKey}
		slices.Sort(want)
		equal(t, "BlobKeys", keys, want)
	})
	withDocument := func(ctx context.Context, t *testing.T, s eccs.Store, w world) {
		w.createContract(t, s, "OCB0000001", w.b1, w.o1, w.alice)
		w.createContract(t, s, "OCB0000002", w.b1, w.o1, w.alice)
		must(t, s.CreateDocument(ctx, document("doc-1", "OCB0000001", eccs.TypeBills, "202601", 60)))
	}
	runErrorCases(t, open, []errorCase{
		{"unknown document is NotFound", func(ctx context.Context, t *testing.T, s eccs.Store, w world) error {
			withDocument(ctx, t, s, w)
			_, err := s.Document(ctx, "OCB0000001", "doc-2")
			return err
		}, eccs.NotFound},
		{"document asked of another contract is NotFound", func(ctx context.Context, t *testing.T, s eccs.Store, w world) error {
			withDocument(ctx, t, s, w)
			_, err := s.Document(ctx, "OCB0000002", "doc-1")
			return err
		}, eccs.NotFound},
		{"taken document id is Conflict", func(ctx context.Context, t *testing.T, s eccs.Store, w world) error {
			withDocument(ctx, t, s, w)
			return s.CreateDocument(ctx, document("doc-1", "OCB0000002", eccs.TypeInvoices, "202602", 61))
		}, eccs.Conflict},
		{"document of an unknown contract is NotFound", func(ctx context.Context, t *testing.T, s eccs.Store, w world) error {
			return s.CreateDocument(ctx, document("doc-1", "OCB9999999", eccs.TypeBills, "202601", 60))
		}, eccs.NotFound},
	})
}

func testAccountsOf(t *testing.T, open func(t *testing.T) eccs.Store) {
	s := open(t)
	w := seed(t, s)
	ctx := t.Context()
	p := eccs.Perimeter{BillingAccountIDs: []string{w.b2.ID, w.b1.ID}, OfferIDs: []string{w.o1.ID}}
	admin := w.adminAccount("acct-2", w.alice, p)
	client := w.clientAccount("acct-1", w.alice)
	must(t, s.CreateAccount(ctx, admin))
	must(t, s.CreateAccount(ctx, client))
	must(t, s.CreateAccount(ctx, w.clientAccount("acct-3", w.bob)))
	got, err := s.AccountsOf(ctx, w.alice.ID)
	must(t, err)
	equal(t, "AccountsOf", got, []eccs.Account{client, admin})
	none, err := s.AccountsOf(ctx, "id-none")
	must(t, err)
	if len(none) != 0 {
		t.Errorf("AccountsOf an unknown identity = %+v", none)
	}
}
