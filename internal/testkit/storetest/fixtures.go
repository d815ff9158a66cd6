package storetest

import (
	"testing"

	"github.com/eccs/eccs/internal/eccs"
)

// world is the catalogue most tests start from: one customer with three billing accounts, two
// offers and two identities.
type world struct {
	customer   eccs.Customer
	b1, b2, b3 eccs.BillingAccount
	o1, o2     eccs.Offer
	alice, bob eccs.Identity
}

// seed stores the world in s.
func seed(t *testing.T, s eccs.Store) world {
	t.Helper()
	ctx := t.Context()
	w := world{
		customer: eccs.Customer{ID: "cust-1", Name: "Acme Industries", Segment: "large", CreatedAt: at(0), UpdatedAt: at(1)},
		o1: eccs.Offer{ID: "FE", Name: "Flexible Engine", ContractType: "IAAS",
			SupportLevels: []string{"PRM", "BSC", "ADV"}, CreatedAt: at(0), UpdatedAt: at(0)},
		o2: eccs.Offer{ID: "CAV", Name: "Cloud Avenue", ContractType: "PAAS",
			SupportLevels: []string{"BSC"}, CreatedAt: at(0), UpdatedAt: at(2)},
		alice: eccs.Identity{ID: "id-alice", Login: "alice.martin", Email: "Alice.Martin@Example.com",
			Civility: "Mrs", LastName: "Martin", FirstName: "Alice", FixPhone: "+33100000001",
			MobilePhone: "+33600000001", CreatedAt: at(3), UpdatedAt: at(4)},
		bob: eccs.Identity{ID: "id-bob", Login: "bob.durand", Email: "bob@example.org",
			LastName: "Durand", FirstName: "Bob", CreatedAt: at(3), UpdatedAt: at(3)},
	}
	w.b1 = eccs.BillingAccount{ID: "ba-1", CustomerID: w.customer.ID, Name: "Main", CreatedAt: at(1), UpdatedAt: at(1)}
	w.b2 = eccs.BillingAccount{ID: "ba-2", CustomerID: w.customer.ID, Name: "Labs", CreatedAt: at(1), UpdatedAt: at(2)}
	w.b3 = eccs.BillingAccount{ID: "ba-3", CustomerID: w.customer.ID, Name: "Subsidiary", CreatedAt: at(1), UpdatedAt: at(1)}

	must(t, s.CreateCustomer(ctx, w.customer))
	for _, b := range []eccs.BillingAccount{w.b1, w.b2, w.b3} {
		must(t, s.CreateBillingAccount(ctx, b))
	}
	for _, o := range []eccs.Offer{w.o1, w.o2} {
		must(t, s.CreateOffer(ctx, o))
	}
	for _, i := range []eccs.Identity{w.alice, w.bob} {
		must(t, s.CreateIdentity(ctx, i))
	}
	return w
}

// contract returns a contract as the domain passes it to CreateContract: the fields read from
// other rows (offer name, customer, referent) are empty but for the referent's id.
func (w world) contract(id string, b eccs.BillingAccount, o eccs.Offer, referent eccs.Identity) eccs.Contract {
	return eccs.Contract{
		ID: id, Name: "Contract " + id, Type: o.ContractType, OfferID: o.ID, BillingAccountID: b.ID,
		PlatformID: "plat-" + id, SupportLevel: o.SupportLevels[0], Referent: eccs.Identity{ID: referent.ID},
		ReferenceExt: [3]string{"ext1-" + id, "", "ext3"}, CreatedAt: at(10), UpdatedAt: at(11),
	}
}

// read returns c as Contract and Contracts return it: with the fields of the rows it names.
func (w world) read(c eccs.Contract) eccs.Contract {
	for _, o := range []eccs.Offer{w.o1, w.o2} {
		if o.ID == c.OfferID {
			c.OfferName = o.Name
		}
	}
	c.CustomerID, c.CustomerName, c.CustomerSegment = w.customer.ID, w.customer.Name, w.customer.Segment
	for _, i := range []eccs.Identity{w.alice, w.bob} {
		if i.ID == c.Referent.ID {
			c.Referent = i
		}
	}
	return c
}

// createContract stores w.contract(...) and returns it as read back.
func (w world) createContract(t *testing.T, s eccs.Store, id string, b eccs.BillingAccount, o eccs.Offer, referent eccs.Identity) eccs.Contract {
	t.Helper()
	c := w.contract(id, b, o, referent)
	must(t, s.CreateContract(t.Context(), c))
	return w.read(c)
}

func (w world) declaration(contractID string, i eccs.Identity) eccs.Declaration {
	return eccs.Declaration{
		ContractID: contractID, IdentityID: i.ID,
		Roles:     eccs.Roles{Contracts: eccs.RoleVisitor, Documents: eccs.RoleManager, Users: eccs.RoleNone},
		CreatedAt: at(20), UpdatedAt: at(21),
	}
}

func (w world) clientAccount(id string, i eccs.Identity) eccs.Account {
	return eccs.Account{ID: id, Type: eccs.AccountClient, IdentityID: i.ID, CreatedAt: at(30), UpdatedAt: at(30)}
}

func (w world) adminAccount(id string, i eccs.Identity, p eccs.Perimeter) eccs.Account {
	return eccs.Account{ID: id, Type: eccs.AccountAdministrator, IdentityID: i.ID, Perimeter: p, CreatedAt: at(30), UpdatedAt: at(31)}
}

func apiKey(id, accountID, hash string) eccs.APIKey {
	return eccs.APIKey{
		ID: id, AccountID: accountID, Hash: hash, Prefix: "eccs_" + id[:min(len(id), 7)],
		CreatedAt: at(40), ExpiresAt: at(40 + 60*24*365),
	}
}

func application(id, clientID string) eccs.Application {
	return eccs.Application{
		ID: id, ClientID: clientID, Name: "App " + id, SecretHash: "hash-of-" + id,
		Status: eccs.ApplicationActive, Subscription: eccs.SubscriptionPending,
		CreatedAt: at(50), UpdatedAt: at(50),
	}
}

func document(id, contractID string, typ eccs.DocumentType, period string, created int) eccs.Document {
	return eccs.Document{
		ID: id, ContractID: contractID, Type: typ, Filename: id + ".pdf", Period: period,
		Amount: 123456, Currency: "EUR", ContentType: "application/pdf", Size: 2048,
		SHA256:  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		BlobKey: "contracts/" + contractID + "/" + id, CreatedAt: at(created), UpdatedAt: at(created),
	}
}
