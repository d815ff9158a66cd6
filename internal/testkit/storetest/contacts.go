package storetest

import (
	"context"
	"testing"

	"github.com/eccs/eccs/internal/eccs"
)

// contact returns customerID's record of identity i, with data of its own.
func contact(customerID string, i eccs.Identity, login string) eccs.Contact {
	return eccs.Contact{CustomerID: customerID, IdentityID: i.ID, Login: login, Civility: "Dr",
		LastName: "Recorded-" + i.LastName, FirstName: "As", FixPhone: "+33199999999", CreatedAt: at(7), UpdatedAt: at(8)}
}

func testContacts(t *testing.T, open func(t *testing.T) eccs.Store) {
	runStoreCases(t, open, []storeCase{
		{"a record reads back, by person and by login in any case", func(t *testing.T, s eccs.Store) {
			w := seed(t, s)
			want := contact(w.customer.ID, w.alice, "Alice.Recorded")
			must(t, s.CreateContact(t.Context(), want))
			got, err := s.Contact(t.Context(), w.customer.ID, w.alice.ID)
			must(t, err)
			equal(t, "Contact", got, want)
			got, err = s.ContactByLogin(t.Context(), w.customer.ID, "alice.RECORDED")
			must(t, err)
			equal(t, "ContactByLogin", got, want)
		}},
		{"a contract and its users show the customer's record of the person", contactShown},
		{"another customer may record the same person with the same login", func(t *testing.T, s eccs.Store) {
			w := seed(t, s)
			other := eccs.Customer{ID: "cust-2", Name: "Globex", Segment: "int", CreatedAt: at(0), UpdatedAt: at(0)}
			must(t, s.CreateCustomer(t.Context(), other))
			must(t, s.CreateContact(t.Context(), contact(w.customer.ID, w.alice, "same.login")))
			must(t, s.CreateContact(t.Context(), contact(other.ID, w.alice, "same.login")))
			must(t, s.CreateContact(t.Context(), contact(other.ID, w.bob, "bob.at.globex")))
		}},
		{"identities without a login", func(t *testing.T, s eccs.Store) {
			seed(t, s)
			for _, i := range []eccs.Identity{
				{ID: "id-named-1", Email: "named1@example.com", CreatedAt: at(5), UpdatedAt: at(5)},
				{ID: "id-named-2", Email: "named2@example.com", CreatedAt: at(5), UpdatedAt: at(5)},
			} {
				must(t, s.CreateIdentity(t.Context(), i))
			}
			_, err := s.IdentityByLogin(t.Context(), "")
			checkCode(t, err, eccs.NotFound)
		}},
		{"an identity's own data changes", identityUpdated},
	})
	runErrorCases(t, open, contactErrors())
}

// contactShown checks that a contract's referent and its users read as the customer records
// them, and as themselves where it has no record.
func contactShown(t *testing.T, s eccs.Store) {
	w := seed(t, s)
	ctx := t.Context()
	rec := contact(w.customer.ID, w.alice, "alice.recorded")
	must(t, s.CreateContact(ctx, rec))
	c := w.createContract(t, s, "OCB0000001", w.b1, w.o1, w.alice)
	must(t, s.CreateDeclaration(ctx, w.declaration(c.ID, w.alice)))
	must(t, s.CreateDeclaration(ctx, w.declaration(c.ID, w.bob))) // no record: the person's own data
	got, err := s.Contract(ctx, c.ID)
	must(t, err)
	equal(t, "Referent", got.Referent, rec.As(w.alice))
	users, err := s.Users(ctx, c.ID)
	must(t, err)
	if len(users) != 2 {
		t.Fatalf("Users = %+v, want alice and bob", users)
	}
	// Sorted by the shown login: alice.recorded, bob.durand.
	equal(t, "first user", users[0].Identity, rec.As(w.alice))
	equal(t, "second user", users[1].Identity, w.bob)
}

// identityUpdated checks that UpdateIdentity replaces the person's own data: the new e-mail
// finds it in any case, the old one finds nothing.
func identityUpdated(t *testing.T, s eccs.Store) {
	w := seed(t, s)
	i := w.bob
	i.Email, i.Login, i.Civility, i.LastName, i.MobilePhone, i.UpdatedAt = "Bob.New@example.org", "bob.new", "Mr", "Durand-Neuf", "+33611111111", at(9)
	must(t, s.UpdateIdentity(t.Context(), i))
	got, err := s.IdentityByEmail(t.Context(), "bob.new@EXAMPLE.org")
	must(t, err)
	equal(t, "Identity", got, i)
	if _, err := s.IdentityByEmail(t.Context(), w.bob.Email); eccs.ErrorCode(err) != eccs.NotFound {
		t.Errorf("the old e-mail still finds bob: %v", err)
	}
}

func contactErrors() []errorCase {
	return []errorCase{
		{"a second record of the person is Conflict", func(ctx context.Context, t *testing.T, s eccs.Store, w world) error {
			must(t, s.CreateContact(ctx, contact(w.customer.ID, w.alice, "alice.one")))
			return s.CreateContact(ctx, contact(w.customer.ID, w.alice, "alice.two"))
		}, eccs.Conflict},
		{"a login of another person of the customer, in another case, is Conflict", func(ctx context.Context, t *testing.T, s eccs.Store, w world) error {
			must(t, s.CreateContact(ctx, contact(w.customer.ID, w.alice, "shared.login")))
			return s.CreateContact(ctx, contact(w.customer.ID, w.bob, "SHARED.Login"))
		}, eccs.Conflict},
		{"a record of an unknown customer is NotFound", func(ctx context.Context, t *testing.T, s eccs.Store, w world) error {
			return s.CreateContact(ctx, contact("cust-none", w.alice, "alice.none"))
		}, eccs.NotFound},
		{"a record of an unknown person is NotFound", func(ctx context.Context, t *testing.T, s eccs.Store, w world) error {
			return s.CreateContact(ctx, contact(w.customer.ID, eccs.Identity{ID: "id-none"}, "nobody.here"))
		}, eccs.NotFound},
		{"an absent record is NotFound", func(ctx context.Context, t *testing.T, s eccs.Store, w world) error {
			_, err := s.Contact(ctx, w.customer.ID, w.alice.ID)
			return err
		}, eccs.NotFound},
		{"an unknown login is NotFound", func(ctx context.Context, t *testing.T, s eccs.Store, w world) error {
			_, err := s.ContactByLogin(ctx, w.customer.ID, "alice.martin")
			return err
		}, eccs.NotFound},
		{"an identity update to another's e-mail is Conflict", func(ctx context.Context, t *testing.T, s eccs.Store, w world) error {
			i := w.bob
			i.Email = "ALICE.martin@example.com"
			return s.UpdateIdentity(ctx, i)
		}, eccs.Conflict},
		{"an identity update to another's login is Conflict", func(ctx context.Context, t *testing.T, s eccs.Store, w world) error {
			i := w.bob
			i.Login = "Alice.Martin"
			return s.UpdateIdentity(ctx, i)
		}, eccs.Conflict},
		{"an update of an unknown identity is NotFound", func(ctx context.Context, t *testing.T, s eccs.Store, w world) error {
			i := w.bob
			i.ID = "id-none"
			return s.UpdateIdentity(ctx, i)
		}, eccs.NotFound},
	}
}
