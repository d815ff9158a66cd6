package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/eccs/eccs/internal/eccs"
)

// This file checks the changes the operator and the customer API make after creation: updates
// and deletions, and the lists that show their effect.

func testContractUpdates(t *testing.T, open func(t *testing.T) eccs.Store) {
	runStoreCases(t, open, []storeCase{
		{"updated contract reads back with every mutable field changed and the rest kept", contractUpdated},
		{"reopened contract reads back with a zero closing time", contractReopened},
	})
	runErrorCases(t, open, []errorCase{
		{"updating an unknown contract is NotFound", func(ctx context.Context, t *testing.T, s eccs.Store, w world) error {
			return s.UpdateContract(ctx, w.contract("OCB9999999", w.b1, w.o1, w.alice))
		}, eccs.NotFound},
		{"updating a contract to an unknown referent is NotFound", func(ctx context.Context, t *testing.T, s eccs.Store, w world) error {
			w.createContract(t, s, "OCB0000001", w.b1, w.o1, w.alice)
			c := w.contract("OCB0000001", w.b1, w.o1, eccs.Identity{ID: "id-none"})
			return s.UpdateContract(ctx, c)
		}, eccs.NotFound},
	})
	runStoreCases(t, open, []storeCase{
		{"failed update to an unknown referent changes nothing", contractUpdateFailed},
	})
}

// contractUpdated checks that UpdateContract replaces the mutable fields and keeps the offer,
// billing account and creation time, which a contract never changes.
func contractUpdated(t *testing.T, s eccs.Store) {
	w := seed(t, s)
	created := w.createContract(t, s, "OCB0000001", w.b2, w.o1, w.alice)
	c := w.contract("OCB0000001", w.b2, w.o1, w.alice)
	c.Name, c.Type, c.PlatformID, c.SupportLevel = "Renamed", "PAAS", "plat-new", "ADV"
	c.Referent = eccs.Identity{ID: w.bob.ID}
	c.ReferenceExt = [3]string{"", "ext2-new", ""}
	c.ClosedAt, c.UpdatedAt = at(90), at(91)
	changed := c
	// Not replaced: the offer, the billing account and the creation time.
	changed.OfferID, changed.BillingAccountID, changed.CreatedAt = w.o2.ID, w.b3.ID, at(99)
	must(t, s.UpdateContract(t.Context(), changed))
	want := w.read(c)
	got, err := s.Contract(t.Context(), "OCB0000001")
	must(t, err)
	equal(t, "Contract", got, want)
	if got.OfferID != created.OfferID || got.BillingAccountID != created.BillingAccountID || !got.CreatedAt.Equal(created.CreatedAt) {
		t.Errorf("UpdateContract changed the offer, billing account or creation time: %+v", got)
	}
	list, _, err := s.Contracts(t.Context(), eccs.ContractFilter{All: true})
	must(t, err)
	equal(t, "listed contracts", list, []eccs.Contract{want})
}

func contractReopened(t *testing.T, s eccs.Store) {
	w := seed(t, s)
	c := w.contract("OCB0000001", w.b2, w.o1, w.alice)
	c.ClosedAt = at(12)
	must(t, s.CreateContract(t.Context(), c))
	c.ClosedAt, c.UpdatedAt = time.Time{}, at(13)
	must(t, s.UpdateContract(t.Context(), c))
	got, err := s.Contract(t.Context(), "OCB0000001")
	must(t, err)
	if got.Closed() {
		t.Errorf("ClosedAt = %v after reopening, want the zero time", got.ClosedAt)
	}
	equal(t, "Contract", got, w.read(c))
}

func contractUpdateFailed(t *testing.T, s eccs.Store) {
	w := seed(t, s)
	want := w.createContract(t, s, "OCB0000001", w.b1, w.o1, w.alice)
	c := w.contract("OCB0000001", w.b1, w.o1, eccs.Identity{ID: "id-none"})
	c.Name = "Renamed"
	checkCode(t, s.UpdateContract(t.Context(), c), eccs.NotFound)
	got, err := s.Contract(t.Context(), "OCB0000001")
	must(t, err)
	equal(t, "Contract", got, want)
}

func testDeclarationChanges(t *testing.T, open func(t *testing.T) eccs.Store) {
	runStoreCases(t, open, []storeCase{
		{"declarations of an identity are listed by contract id", declarationsListed},
	})
	for _, id := range []string{"id-bob", "id-none"} {
		t.Run("identity without declarations ("+id+") has an empty list", func(t *testing.T) {
			s := open(t)
			contractWorld(t, s)
			list, err := s.Declarations(t.Context(), id)
			must(t, err)
			if list == nil || len(list) != 0 {
				t.Errorf("Declarations = %#v, want an empty slice", list)
			}
		})
	}
	runStoreCases(t, open, []storeCase{
		{"users of a contract are listed by login without regard to case, with their roles", contractUsersListed},
	})
	for _, id := range []string{"OCB0000002", "OCB9999999"} {
		t.Run("contract without users ("+id+") has an empty list", func(t *testing.T) {
			s := open(t)
			w := seed(t, s)
			w.createContract(t, s, "OCB0000001", w.b1, w.o1, w.alice)
			w.createContract(t, s, "OCB0000002", w.b1, w.o1, w.alice)
			must(t, s.CreateDeclaration(t.Context(), w.declaration("OCB0000001", w.bob)))
			list, err := s.Users(t.Context(), id)
			must(t, err)
			if list == nil || len(list) != 0 {
				t.Errorf("Users = %#v, want an empty slice", list)
			}
		})
	}
	runStoreCases(t, open, []storeCase{
		{"updated declaration reads back with its roles and update time changed", declarationUpdated},
		{"deleted declaration no longer gives visibility", declarationDeleted},
	})
	runErrorCases(t, open, declarationChangeErrors())
}

func declarationsListed(t *testing.T, s eccs.Store) {
	w, _ := contractWorld(t, s)
	list, err := s.Declarations(t.Context(), w.alice.ID)
	must(t, err)
	equal(t, "Declarations", list, []eccs.Declaration{
		w.declaration("OCB0000002", w.alice), w.declaration("OCB0000004", w.alice), w.declaration("a-1", w.alice),
	})
}

func contractUsersListed(t *testing.T, s eccs.Store) {
	w := seed(t, s)
	w.createContract(t, s, "OCB0000001", w.b1, w.o1, w.alice)
	w.createContract(t, s, "OCB0000002", w.b1, w.o1, w.alice)
	// "Carol" sorts before "alice" by bytes, after "bob" without case.
	carol := eccs.Identity{ID: "id-carol", Login: "Carol.Dupont", Email: "carol@example.com", LastName: "Dupont",
		FirstName: "Carol", CreatedAt: at(3), UpdatedAt: at(3)}
	must(t, s.CreateIdentity(t.Context(), carol))
	dCarol := eccs.Declaration{ContractID: "OCB0000001", IdentityID: carol.ID, Roles: eccs.Roles{Users: eccs.RoleVisitor}, CreatedAt: at(20), UpdatedAt: at(20)}
	dAlice := eccs.Declaration{ContractID: "OCB0000001", IdentityID: w.alice.ID, Roles: eccs.ManagerEverywhere, CreatedAt: at(20), UpdatedAt: at(20)}
	for _, d := range []eccs.Declaration{dCarol, w.declaration("OCB0000001", w.bob), dAlice, w.declaration("OCB0000002", w.bob)} {
		must(t, s.CreateDeclaration(t.Context(), d))
	}
	list, err := s.Users(t.Context(), "OCB0000001")
	must(t, err)
	equal(t, "Users", list, []eccs.User{
		{Identity: w.alice, Roles: eccs.ManagerEverywhere},
		{Identity: w.bob, Roles: w.declaration("OCB0000001", w.bob).Roles},
		{Identity: carol, Roles: eccs.Roles{Users: eccs.RoleVisitor}},
	})
}

// declarationUpdated checks that UpdateDeclaration replaces the roles and update time of that
// one declaration, and keeps its creation time and the identity's other declarations.
func declarationUpdated(t *testing.T, s eccs.Store) {
	w, _ := contractWorld(t, s)
	d := w.declaration("OCB0000004", w.alice)
	d.Roles, d.UpdatedAt = eccs.Roles{Contracts: eccs.RoleManager, Users: eccs.RoleVisitor}, at(29)
	changed := d
	changed.CreatedAt = at(99) // not replaced
	must(t, s.UpdateDeclaration(t.Context(), changed))
	got, err := s.Declaration(t.Context(), "OCB0000004", w.alice.ID)
	must(t, err)
	equal(t, "Declaration", got, d)
	other, err := s.Declaration(t.Context(), "a-1", w.alice.ID)
	must(t, err)
	equal(t, "untouched Declaration", other, w.declaration("a-1", w.alice))
}

// declarationDeleted checks that a deleted declaration is gone from lookups, from the declared
// contracts and from the identity's declarations, and that the contract stays.
func declarationDeleted(t *testing.T, s eccs.Store) {
	w, _ := contractWorld(t, s)
	must(t, s.DeleteDeclaration(t.Context(), "OCB0000004", w.alice.ID))
	_, err := s.Declaration(t.Context(), "OCB0000004", w.alice.ID)
	checkCode(t, err, eccs.NotFound)
	list, total, err := s.Contracts(t.Context(), eccs.ContractFilter{DeclaredIdentityID: w.alice.ID})
	must(t, err)
	equal(t, "visible contracts", contractIDs(list), []string{"OCB0000002", "a-1"})
	if total != 2 {
		t.Errorf("total = %d, want 2", total)
	}
	decls, err := s.Declarations(t.Context(), w.alice.ID)
	must(t, err)
	if len(decls) != 2 {
		t.Errorf("Declarations = %+v, want the 2 left", decls)
	}
	// The contract itself stays.
	_, err = s.Contract(t.Context(), "OCB0000004")
	must(t, err)
}

func declarationChangeErrors() []errorCase {
	return []errorCase{
		{"updating a declaration that does not exist is NotFound", func(ctx context.Context, t *testing.T, s eccs.Store, w world) error {
			w.createContract(t, s, "OCB0000001", w.b1, w.o1, w.alice)
			must(t, s.CreateDeclaration(ctx, w.declaration("OCB0000001", w.alice)))
			return s.UpdateDeclaration(ctx, w.declaration("OCB0000001", w.bob))
		}, eccs.NotFound},
		{"deleting a declaration that does not exist is NotFound", func(ctx context.Context, t *testing.T, s eccs.Store, w world) error {
			w.createContract(t, s, "OCB0000001", w.b1, w.o1, w.alice)
			must(t, s.CreateDeclaration(ctx, w.declaration("OCB0000001", w.alice)))
			return s.DeleteDeclaration(ctx, "OCB0000001", w.bob.ID)
		}, eccs.NotFound},
		{"deleting a declaration twice is NotFound", func(ctx context.Context, t *testing.T, s eccs.Store, w world) error {
			w.createContract(t, s, "OCB0000001", w.b1, w.o1, w.alice)
			must(t, s.CreateDeclaration(ctx, w.declaration("OCB0000001", w.bob)))
			must(t, s.DeleteDeclaration(ctx, "OCB0000001", w.bob.ID))
			return s.DeleteDeclaration(ctx, "OCB0000001", w.bob.ID)
		}, eccs.NotFound},
		{"deleting on an unknown contract is NotFound", func(ctx context.Context, t *testing.T, s eccs.Store, w world) error {
			return s.DeleteDeclaration(ctx, "OCB9999999", w.bob.ID)
		}, eccs.NotFound},
	}
}

func accountID(a eccs.Account) string { return a.ID }

func testAccountChanges(t *testing.T, open func(t *testing.T) eccs.Store) {
	for _, tc := range []listCase[eccs.Page]{
		{"accounts are listed by id with their perimeters", eccs.Page{}, []string{"acct-admin", "acct-client", "acct-empty", "acct-no-offer"}, 4},
		{"account page is a slice with the full total and its own perimeters", eccs.Page{Offset: 1, Limit: 2}, []string{"acct-client", "acct-empty"}, 4},
		{"account offset without a limit returns the rest", eccs.Page{Offset: 3}, []string{"acct-no-offer"}, 4},
		{"account first page", eccs.Page{Limit: 1}, []string{"acct-admin"}, 4},
		{"account offset past the end is empty with the full total", eccs.Page{Offset: 4, Limit: 1}, []string{}, 4},
	} {
		t.Run(tc.name, func(t *testing.T) { accountsListed(t, open(t), tc) })
	}
	runStoreCases(t, open, []storeCase{
		{"no accounts is an empty list", func(t *testing.T, s eccs.Store) {
			list, total, err := s.Accounts(t.Context(), eccs.Page{})
			checkPage(t, list, total, err, accountID, []string{}, 0)
		}},
		{"updated account replaces its perimeter and what it covers", accountPerimeterUpdated},
		{"updated account with an empty perimeter covers nothing", accountPerimeterEmptied},
	})
	for _, tc := range []struct {
		name      string
		perimeter func(w world) eccs.Perimeter
	}{
		{"update with an unknown billing account is NotFound and keeps the old perimeter", func(w world) eccs.Perimeter {
			return eccs.Perimeter{BillingAccountIDs: []string{w.b3.ID, "ba-none"}, OfferIDs: []string{w.o2.ID}}
		}},
		{"update with an unknown offer is NotFound and keeps the old perimeter", func(w world) eccs.Perimeter {
			return eccs.Perimeter{BillingAccountIDs: []string{w.b3.ID}, OfferIDs: []string{w.o2.ID, "NONE"}}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) { accountPerimeterUpdateFailed(t, open(t), tc.perimeter) })
	}
	runStoreCases(t, open, []storeCase{
		{"update inside a rolled-back transaction keeps the old perimeter", accountPerimeterRolledBack},
	})
	runErrorCases(t, open, []errorCase{
		{"updating an unknown account is NotFound", func(ctx context.Context, t *testing.T, s eccs.Store, w world) error {
			return s.UpdateAccount(ctx, w.adminAccount("acct-none", w.alice, eccs.Perimeter{OfferIDs: []string{w.o1.ID}}))
		}, eccs.NotFound},
	})
}

// accountsListed checks a page of Accounts on the contract world and a client account: each
// listed account must equal what Account returns, perimeter included.
func accountsListed(t *testing.T, s eccs.Store, tc listCase[eccs.Page]) {
	w, _ := contractWorld(t, s)
	must(t, s.CreateAccount(t.Context(), w.clientAccount("acct-client", w.bob)))
	list, total, err := s.Accounts(t.Context(), tc.filter)
	checkPage(t, list, total, err, accountID, tc.want, tc.total)
	for _, a := range list {
		want, err := s.Account(t.Context(), a.ID)
		must(t, err)
		equal(t, "listed account "+a.ID, a, want)
	}
}

// accountPerimeterUpdated checks that UpdateAccount replaces the perimeter (ids listed twice
// kept once) and the update time, keeps the rest, and that the covered contracts follow.
func accountPerimeterUpdated(t *testing.T, s eccs.Store) {
	w, _ := contractWorld(t, s)
	before, err := s.Account(t.Context(), "acct-admin")
	must(t, err)
	a := before
	a.Perimeter = eccs.Perimeter{BillingAccountIDs: []string{w.b3.ID, w.b3.ID}, OfferIDs: []string{w.o2.ID, w.o1.ID, w.o2.ID}}
	a.UpdatedAt = at(39)
	changed := a
	// Not replaced: the type, identity and creation time.
	changed.Type, changed.IdentityID, changed.CreatedAt = eccs.AccountClient, w.bob.ID, at(99)
	must(t, s.UpdateAccount(t.Context(), changed))
	got, err := s.Account(t.Context(), "acct-admin")
	must(t, err)
	want := before
	want.Perimeter = eccs.Perimeter{BillingAccountIDs: []string{w.b3.ID}, OfferIDs: []string{w.o2.ID, w.o1.ID}}
	want.UpdatedAt = at(39)
	equal(t, "Account", got, want)
	list, total, err := s.Contracts(t.Context(), eccs.ContractFilter{PerimeterOf: "acct-admin"})
	must(t, err)
	equal(t, "covered contracts", contractIDs(list), []string{"OCB0000004", "OCB0000006"})
	if total != 2 {
		t.Errorf("total = %d, want 2", total)
	}
	accounts, _, err := s.Accounts(t.Context(), eccs.Page{Limit: 1})
	must(t, err)
	equal(t, "listed accounts", accounts, []eccs.Account{want})
}

func accountPerimeterEmptied(t *testing.T, s eccs.Store) {
	_, _ = contractWorld(t, s)
	a, err := s.Account(t.Context(), "acct-admin")
	must(t, err)
	a.Perimeter, a.UpdatedAt = eccs.Perimeter{}, at(39)
	must(t, s.UpdateAccount(t.Context(), a))
	got, err := s.Account(t.Context(), "acct-admin")
	must(t, err)
	equal(t, "Account", got, a)
	list, total, err := s.Contracts(t.Context(), eccs.ContractFilter{PerimeterOf: "acct-admin"})
	must(t, err)
	if len(list) != 0 || total != 0 {
		t.Errorf("Contracts = %v (total %d), want none", contractIDs(list), total)
	}
}

// accountPerimeterUpdateFailed checks that an update to a perimeter naming something unknown
// fails whole: the account and what it covers stay as they were.
func accountPerimeterUpdateFailed(t *testing.T, s eccs.Store, perimeter func(w world) eccs.Perimeter) {
	w, _ := contractWorld(t, s)
	before, err := s.Account(t.Context(), "acct-admin")
	must(t, err)
	a := before
	a.Perimeter, a.UpdatedAt = perimeter(w), at(39)
	checkCode(t, s.UpdateAccount(t.Context(), a), eccs.NotFound)
	got, err := s.Account(t.Context(), "acct-admin")
	must(t, err)
	equal(t, "Account", got, before)
	list, _, err := s.Contracts(t.Context(), eccs.ContractFilter{PerimeterOf: "acct-admin"})
	must(t, err)
	equal(t, "covered contracts", contractIDs(list), []string{"OCB0000001", "OCB0000003", "OCB0000005", "Z-1", "a-1"})
}

func accountPerimeterRolledBack(t *testing.T, s eccs.Store) {
	w, _ := contractWorld(t, s)
	before, err := s.Account(t.Context(), "acct-admin")
	must(t, err)
	err = s.InTx(t.Context(), func(tx eccs.Store) error {
		a := before
		a.Perimeter = eccs.Perimeter{BillingAccountIDs: []string{w.b3.ID}, OfferIDs: []string{w.o2.ID}}
		must(t, tx.UpdateAccount(t.Context(), a))
		got, err := tx.Account(t.Context(), "acct-admin")
		must(t, err)
		equal(t, "Perimeter inside the transaction", got.Perimeter, a.Perimeter)
		return errRollback
	})
	if !errors.Is(err, errRollback) {
		t.Fatalf("InTx = %v, want the function's error", err)
	}
	got, err := s.Account(t.Context(), "acct-admin")
	must(t, err)
	equal(t, "Account", got, before)
}

func apiKeyID(k eccs.APIKey) string { return k.ID }

func testAPIKeyChanges(t *testing.T, open func(t *testing.T) eccs.Store) {
	runStoreCases(t, open, []storeCase{
		{"key by id reads back equal", func(t *testing.T, s eccs.Store) {
			k := withAPIKey(t, s, seed(t, s))
			got, err := s.APIKey(t.Context(), k.ID)
			must(t, err)
			equal(t, "APIKey", got, k)
		}},
		{"updated key reads back with its expiry, revocation and successor changed", apiKeyUpdated},
		{"key updated back to unrevoked reads back with a zero time", apiKeyUnrevoked},
		{"touched key records its last use and keeps everything else", apiKeyTouched},
	})
	runErrorCases(t, open, []errorCase{
		{"touching an unknown key is NotFound", func(ctx context.Context, t *testing.T, s eccs.Store, w world) error {
			withAPIKey(t, s, w)
			return s.TouchAPIKey(ctx, "key-2", at(44), "198.51.100.4")
		}, eccs.NotFound},
		{"unknown key id is NotFound", func(ctx context.Context, t *testing.T, s eccs.Store, w world) error {
			withAPIKey(t, s, w)
			_, err := s.APIKey(ctx, "key-2")
			return err
		}, eccs.NotFound},
		{"key hash is not a key id", func(ctx context.Context, t *testing.T, s eccs.Store, w world) error {
			withAPIKey(t, s, w)
			_, err := s.APIKey(ctx, "hash-1")
			return err
		}, eccs.NotFound},
		{"updating an unknown key is NotFound", func(ctx context.Context, t *testing.T, s eccs.Store, w world) error {
			withAPIKey(t, s, w)
			return s.UpdateAPIKey(ctx, apiKey("key-2", "acct-1", "hash-2"))
		}, eccs.NotFound},
	})
	testAPIKeyLists(t, open)
}

// withAPIKey stores the client account acct-1 of bob and its key key-1 (hash hash-1), and
// returns the key.
func withAPIKey(t *testing.T, s eccs.Store, w world) eccs.APIKey {
	must(t, s.CreateAccount(t.Context(), w.clientAccount("acct-1", w.bob)))
	k := apiKey("key-1", "acct-1", "hash-1")
	must(t, s.CreateAPIKey(t.Context(), k))
	return k
}

// apiKeyUpdated checks that UpdateAPIKey replaces the expiry, revocation and successor, and
// keeps the fields that only creation and TouchAPIKey set.
func apiKeyUpdated(t *testing.T, s eccs.Store) {
	k := withAPIKey(t, s, seed(t, s))
	k.ExpiresAt, k.RevokedAt, k.ReplacedBy = at(500), at(499), "key-9"
	changed := k
	// Not replaced: the account, hash, prefix, creation time and last use (TouchAPIKey's).
	changed.AccountID, changed.Hash, changed.Prefix, changed.CreatedAt = "acct-none", "hash-2", "other", at(99)
	changed.LastUsedAt, changed.LastUsedFrom = at(498), "2001:db8::1"
	must(t, s.UpdateAPIKey(t.Context(), changed))
	got, err := s.APIKey(t.Context(), k.ID)
	must(t, err)
	equal(t, "APIKey", got, k)
	got, err = s.APIKeyByHash(t.Context(), "hash-1")
	must(t, err)
	equal(t, "APIKeyByHash", got, k)
}

func apiKeyUnrevoked(t *testing.T, s eccs.Store) {
	k := withAPIKey(t, s, seed(t, s))
	k.RevokedAt = at(45)
	must(t, s.UpdateAPIKey(t.Context(), k))
	k.RevokedAt = time.Time{}
	must(t, s.UpdateAPIKey(t.Context(), k))
	got, err := s.APIKey(t.Context(), k.ID)
	must(t, err)
	equal(t, "APIKey", got, k)
}

func apiKeyTouched(t *testing.T, s eccs.Store) {
	k := withAPIKey(t, s, seed(t, s))
	// An operator revoked the key meanwhile: recording a use must not undo that.
	k.RevokedAt, k.ExpiresAt = at(45), at(46)
	must(t, s.UpdateAPIKey(t.Context(), k))
	must(t, s.TouchAPIKey(t.Context(), k.ID, at(44), "198.51.100.4"))
	k.LastUsedAt, k.LastUsedFrom = at(44), "198.51.100.4"
	got, err := s.APIKey(t.Context(), k.ID)
	must(t, err)
	equal(t, "APIKey", got, k)
}

// apiKeysNow is the time the keys of apiKeysAroundNow are active or not at.
var apiKeysNow = at(1000)

// apiKeysAroundNow returns keys around apiKeysNow, in another order than lists give them.
// Boundaries: a key expiring or revoked exactly at now is inactive; one microsecond later it
// is active.
func apiKeysAroundNow() []eccs.APIKey {
	now, tick := apiKeysNow, time.Microsecond
	key := func(id, account string, expires, revoked time.Time) eccs.APIKey {
		k := apiKey(id, account, "hash-"+id)
		k.ExpiresAt, k.RevokedAt = expires, revoked
		return k
	}
	return []eccs.APIKey{
		key("key-h", "acct-1", at(2000), time.Time{}),      // active
		key("key-b", "acct-1", at(1100), time.Time{}),      // active
		key("key-g", "acct-1", now, time.Time{}),           // expired at now
		key("key-a", "acct-2", now.Add(tick), time.Time{}), // expires just after now: active
		key("key-c", "acct-2", at(3000), now),              // revoked at now
		key("key-d", "acct-2", at(3000), now.Add(tick)),    // revocation just after now: active
		key("key-e", "acct-1", at(500), time.Time{}),       // expired
		key("key-f", "acct-1", at(2000), at(900)),          // revoked
	}
}

// testAPIKeyLists runs the APIKeys filters on apiKeysAroundNow, stored for the accounts acct-1
// (bob) and acct-2 (alice).
func testAPIKeyLists(t *testing.T, open func(t *testing.T) eccs.Store) {
	keys := apiKeysAroundNow()
	byID := map[string]eccs.APIKey{}
	for _, k := range keys {
		byID[k.ID] = k
	}
	setup := func(t *testing.T) eccs.Store {
		s := open(t)
		w := seed(t, s)
		must(t, s.CreateAccount(t.Context(), w.clientAccount("acct-1", w.bob)))
		must(t, s.CreateAccount(t.Context(), w.clientAccount("acct-2", w.alice)))
		for _, k := range keys {
			must(t, s.CreateAPIKey(t.Context(), k))
		}
		return s
	}
	for _, tc := range apiKeyFilterCases() {
		t.Run(tc.name, func(t *testing.T) {
			s := setup(t)
			list, total, err := s.APIKeys(t.Context(), tc.filter)
			checkPage(t, list, total, err, apiKeyID, tc.want, tc.total)
			for _, k := range list {
				equal(t, "listed key "+k.ID, k, byID[k.ID])
			}
		})
	}
	t.Run("active keys without the time they are active at is Internal", func(t *testing.T) {
		s := setup(t)
		_, _, err := s.APIKeys(t.Context(), eccs.APIKeyFilter{AccountID: "acct-1"})
		checkCode(t, err, eccs.Internal)
	})
}

// apiKeyFilterCases are the filters of APIKeys on apiKeysAroundNow, each with what it selects.
func apiKeyFilterCases() []listCase[eccs.APIKeyFilter] {
	now, tick := apiKeysNow, time.Microsecond
	return []listCase[eccs.APIKeyFilter]{
		{"active keys are listed by expiry then id, leaving out keys revoked or expired at now",
			eccs.APIKeyFilter{Now: now}, []string{"key-a", "key-b", "key-h", "key-d"}, 4},
		{"inactive keys included lists every key by expiry then id",
			eccs.APIKeyFilter{IncludeInactive: true}, []string{"key-e", "key-g", "key-a", "key-b", "key-f", "key-h", "key-c", "key-d"}, 8},
		{"a moment later the keys expiring and revoked just after now are inactive too",
			eccs.APIKeyFilter{Now: now.Add(tick)}, []string{"key-b", "key-h"}, 2},
		{"a moment earlier the keys expiring and revoked at now are active",
			eccs.APIKeyFilter{Now: now.Add(-tick)}, []string{"key-g", "key-a", "key-b", "key-h", "key-c", "key-d"}, 6},
		{"account narrows the active keys",
			eccs.APIKeyFilter{AccountID: "acct-1", Now: now}, []string{"key-b", "key-h"}, 2},
		{"account narrows every key",
			eccs.APIKeyFilter{AccountID: "acct-1", IncludeInactive: true}, []string{"key-e", "key-g", "key-b", "key-f", "key-h"}, 5},
		{"expiring before selects expiries strictly before it",
			eccs.APIKeyFilter{ExpiringBefore: at(2000), Now: now}, []string{"key-a", "key-b"}, 2},
		{"expiring before with inactive keys",
			eccs.APIKeyFilter{ExpiringBefore: at(2000), IncludeInactive: true}, []string{"key-e", "key-g", "key-a", "key-b"}, 4},
		{"expiring before one microsecond after an expiry includes it",
			eccs.APIKeyFilter{ExpiringBefore: at(2000).Add(tick), Now: now}, []string{"key-a", "key-b", "key-h"}, 3},
		{"account and expiring before narrow together",
			eccs.APIKeyFilter{AccountID: "acct-1", ExpiringBefore: at(2000), Now: now}, []string{"key-b"}, 1},
		{"account and expiring before with inactive keys",
			eccs.APIKeyFilter{AccountID: "acct-2", ExpiringBefore: at(3000), IncludeInactive: true}, []string{"key-a"}, 1},
		{"page of active keys with the full total",
			eccs.APIKeyFilter{Now: now, Page: eccs.Page{Offset: 1, Limit: 2}}, []string{"key-b", "key-h"}, 4},
		{"page of an account's keys with its total",
			eccs.APIKeyFilter{AccountID: "acct-2", IncludeInactive: true, Page: eccs.Page{Offset: 2}}, []string{"key-d"}, 3},
		{"offset past the end is empty with the full total",
			eccs.APIKeyFilter{Now: now, Page: eccs.Page{Offset: 4, Limit: 4}}, []string{}, 4},
		{"unknown account has no keys",
			eccs.APIKeyFilter{AccountID: "acct-none", IncludeInactive: true}, []string{}, 0},
	}
}

func applicationID(a eccs.Application) string { return a.ID }

func testApplicationLists(t *testing.T, open func(t *testing.T) eccs.Store) {
	for _, tc := range []struct {
		name  string
		page  eccs.Page
		want  []string
		total int
	}{
		{"applications are listed by id in byte order", eccs.Page{}, []string{"app-1", "app-10", "app-2"}, 3},
		{"application page is a slice with the full total", eccs.Page{Offset: 1, Limit: 1}, []string{"app-10"}, 3},
		{"application offset past the end is empty with the full total", eccs.Page{Offset: 3}, []string{}, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			apps := map[string]eccs.Application{}
			for _, id := range []string{"app-2", "app-10", "app-1"} {
				a := application(id, "client-"+id)
				a.TermsAcceptedAt, a.TermsAcceptedBy = at(51), "operator "+id
				must(t, s.CreateApplication(t.Context(), a))
				apps[id] = a
			}
			list, total, err := s.Applications(t.Context(), tc.page)
			checkPage(t, list, total, err, applicationID, tc.want, tc.total)
			for _, a := range list {
				equal(t, "listed application "+a.ID, a, apps[a.ID])
			}
		})
	}
	t.Run("no applications is an empty list", func(t *testing.T) {
		list, total, err := open(t).Applications(t.Context(), eccs.Page{Limit: 5})
		checkPage(t, list, total, err, applicationID, []string{}, 0)
	})
}

func testDocumentChanges(t *testing.T, open func(t *testing.T) eccs.Store) {
	runStoreCases(t, open, []storeCase{
		{"updated document reads back with every mutable field changed", documentUpdated},
		{"deleted document is gone from lookups and lists, and its neighbours stay", documentDeleted},
	})
	runErrorCases(t, open, []errorCase{
		{"updating an unknown document is NotFound", func(ctx context.Context, t *testing.T, s eccs.Store, w world) error {
			withDocuments(t, s, w)
			return s.UpdateDocument(ctx, document("doc-3", "OCB0000001", eccs.TypeBills, "202601", 60))
		}, eccs.NotFound},
		{"updating a document through another contract is NotFound", func(ctx context.Context, t *testing.T, s eccs.Store, w world) error {
			withDocuments(t, s, w)
			return s.UpdateDocument(ctx, document("doc-1", "OCB0000002", eccs.TypeBills, "202601", 60))
		}, eccs.NotFound},
		{"deleting an unknown document is NotFound", func(ctx context.Context, t *testing.T, s eccs.Store, w world) error {
			withDocuments(t, s, w)
			return s.DeleteDocument(ctx, "OCB0000001", "doc-3")
		}, eccs.NotFound},
		{"deleting a document twice is NotFound", func(ctx context.Context, t *testing.T, s eccs.Store, w world) error {
			withDocuments(t, s, w)
			must(t, s.DeleteDocument(ctx, "OCB0000001", "doc-1"))
			return s.DeleteDocument(ctx, "OCB0000001", "doc-1")
		}, eccs.NotFound},
	})
	runStoreCases(t, open, []storeCase{
		{"deleting a document through another contract is NotFound and keeps it", func(t *testing.T, s eccs.Store) {
			d := withDocuments(t, s, seed(t, s))
			checkCode(t, s.DeleteDocument(t.Context(), "OCB0000002", "doc-1"), eccs.NotFound)
			got, err := s.Document(t.Context(), "OCB0000001", "doc-1")
			must(t, err)
			equal(t, "Document", got, d)
		}},
		{"failed update through another contract changes nothing", func(t *testing.T, s eccs.Store) {
			d := withDocuments(t, s, seed(t, s))
			changed := d
			changed.ContractID, changed.Filename = "OCB0000002", "moved.pdf"
			checkCode(t, s.UpdateDocument(t.Context(), changed), eccs.NotFound)
			got, err := s.Document(t.Context(), "OCB0000001", "doc-1")
			must(t, err)
			equal(t, "Document", got, d)
		}},
	})
}

// withDocuments stores the contracts OCB0000001 and OCB0000002, and the documents doc-1 and
// doc-2 of OCB0000001; it returns doc-1.
func withDocuments(t *testing.T, s eccs.Store, w world) eccs.Document {
	w.createContract(t, s, "OCB0000001", w.b1, w.o1, w.alice)
	w.createContract(t, s, "OCB0000002", w.b1, w.o1, w.alice)
	d := document("doc-1", "OCB0000001", eccs.TypeBills, "202601", 60)
	must(t, s.CreateDocument(t.Context(), d))
	must(t, s.CreateDocument(t.Context(), document("doc-2", "OCB0000001", eccs.TypeInvoices, "202601", 61)))
	return d
}

// documentUpdated checks that UpdateDocument replaces every field but the creation time, and
// that lists find the document by its new file name.
func documentUpdated(t *testing.T, s eccs.Store) {
	d := withDocuments(t, s, seed(t, s))
	d.Type, d.Filename, d.Period, d.Amount, d.Currency = eccs.TypePartialBills, "renamed.xlsx", "202512", -4200, "USD"
	d.ContentType, d.Size = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", 4096
	d.SHA256, d.BlobKey, d.UpdatedAt = "0000000000000000000000000000000000000000000000000000000000000000", "contracts/OCB0000001/doc-1-v2", at(69)
	changed := d
	changed.CreatedAt = at(99) // not replaced
	must(t, s.UpdateDocument(t.Context(), changed))
	got, err := s.Document(t.Context(), "OCB0000001", "doc-1")
	must(t, err)
	equal(t, "Document", got, d)
	list, _, err := s.Documents(t.Context(), eccs.DocumentFilter{ContractID: "OCB0000001", Types: eccs.DocumentTypes, Filename: "renamed.xlsx"})
	must(t, err)
	equal(t, "listed documents", list, []eccs.Document{d})
}

func documentDeleted(t *testing.T, s eccs.Store) {
	withDocuments(t, s, seed(t, s))
	must(t, s.DeleteDocument(t.Context(), "OCB0000001", "doc-1"))
	_, err := s.Document(t.Context(), "OCB0000001", "doc-1")
	checkCode(t, err, eccs.NotFound)
	list, total, err := s.Documents(t.Context(), eccs.DocumentFilter{ContractID: "OCB0000001", Types: eccs.DocumentTypes})
	must(t, err)
	equal(t, "listed documents", documentIDs(list), []string{"doc-2"})
	if total != 1 {
		t.Errorf("total = %d, want 1", total)
	}
	// The id is free again.
	must(t, s.CreateDocument(t.Context(), document("doc-1", "OCB0000002", eccs.TypeBills, "202601", 70)))
}
