package eccs_test

import (
	"context"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/eccs/eccs/internal/eccs"
)

// --- ContractAccess and visibility -------------------------------------------------------------

// access returns acct's access to contract contractID, failing the test when ContractAccess
// refuses it.
func access(t testing.TB, w *world, acct eccs.Account, contractID string) eccs.Access {
	t.Helper()
	a, err := w.svc.ContractAccess(w.ctx, acct, contractID)
	if err != nil {
		t.Fatalf("ContractAccess(%s, %s): %v", acct.ID, contractID, err)
	}
	return a
}

// readerOf, declarerOf and ordererOf return the permission that the document, user and order
// calls take, failing the test when the rule refuses it.
func readerOf(t testing.TB, a eccs.Access) eccs.DocumentReader {
	t.Helper()
	r, err := eccs.MayReadDocuments(a)
	if err != nil {
		t.Fatalf("MayReadDocuments: %v", err)
	}
	return r
}

func declarerOf(t testing.TB, a eccs.Access) eccs.UserDeclarer {
	t.Helper()
	d, err := eccs.MayDeclareUsers(a)
	if err != nil {
		t.Fatalf("MayDeclareUsers: %v", err)
	}
	return d
}

func ordererOf(t testing.TB, acct eccs.Account) eccs.ContractOrderer {
	t.Helper()
	o, err := eccs.MayOrderContracts(acct)
	if err != nil {
		t.Fatalf("MayOrderContracts: %v", err)
	}
	return o
}

// TestContractAccess checks who sees which contract, with which roles: an administrator by its
// perimeter, a client by its declarations, a referent as manager everywhere.
func TestContractAccess(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	carolOnBA1FE := eccs.Roles{Contracts: eccs.RoleVisitor, Documents: eccs.RoleManager, Users: eccs.RoleManager}
	carolOnBA3FE := eccs.Roles{Contracts: eccs.RoleManager, Documents: eccs.RoleVisitor}
	carolOnBA3CAV := eccs.Roles{Contracts: eccs.RoleVisitor}

	tests := []struct {
		name     string
		acct     eccs.Account
		contract string
		visible  bool
		roles    eccs.Roles
	}{
		{"admin sees billing account in and offer in", w.admin, "BA1-FE", true, eccs.ManagerEverywhere},
		{"admin sees the other billing account in with offer in", w.admin, "BA2-FE", true, eccs.ManagerEverywhere},
		{"admin does not see billing account in and offer out", w.admin, "BA1-CAV", false, eccs.Roles{}},
		{"admin does not see billing account out and offer in", w.admin, "BA3-FE", false, eccs.Roles{}},
		{"admin does not see billing account out and offer out", w.admin, "BA3-CAV", false, eccs.Roles{}},
		{"client sees a declared contract with its roles", w.carol, "BA1-FE", true, carolOnBA1FE},
		{"client sees another declared contract with its roles", w.carol, "BA3-FE", true, carolOnBA3FE},
		{"client sees a contract declared with contracts role only", w.carol, "BA3-CAV", true, carolOnBA3CAV},
		{"client does not see an undeclared contract", w.carol, "BA1-CAV", false, eccs.Roles{}},
		{"client does not see an undeclared contract of its perimeter-less customer", w.carol, "BA2-FE", false, eccs.Roles{}},
		{"referent sees its contract as manager everywhere", w.rita, "BA3-CAV", true, eccs.ManagerEverywhere},
		{"client declared nowhere sees nothing", w.dave, "BA1-FE", false, eccs.Roles{}},
		{"unknown contract is invisible to an admin", w.admin, "OCB9999999", false, eccs.Roles{}},
		{"unknown contract is invisible to a client", w.carol, "OCB9999999", false, eccs.Roles{}},
		{"contract id in another case is unknown", w.rita, "ba1-fe", false, eccs.Roles{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, err := w.svc.ContractAccess(w.ctx, tc.acct, tc.contract)
			c, roles := a.Contract(), a.Roles()
			if !tc.visible {
				wantErr(t, err, eccs.Forbidden, eccs.ReasonNone, "")
				if c.ID != "" || roles != (eccs.Roles{}) || a != (eccs.Access{}) {
					t.Errorf("a refused access returned %s with %+v", c.ID, roles)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.ID != tc.contract || roles != tc.roles {
				t.Errorf("got %s with %+v, want %s with %+v", c.ID, roles, tc.contract, tc.roles)
			}
		})
	}
}

// An unknown contract and an invisible one are refused with the same message, but for the id:
// a caller cannot tell which contracts exist.
func TestContractAccessUnknownAndInvisibleAnswerAlike(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	for _, acct := range []eccs.Account{w.admin, w.carol, w.dave} {
		_, errUnknown := w.svc.ContractAccess(w.ctx, acct, "ZZZ-UNKNOWN")
		_, errHidden := w.svc.ContractAccess(w.ctx, acct, "BA3-FE0")
		hidden := "BA1-CAV" // invisible to all three
		_, errInvisible := w.svc.ContractAccess(w.ctx, acct, hidden)
		u := wantErr(t, errUnknown, eccs.Forbidden, eccs.ReasonNone, "")
		wantErr(t, errHidden, eccs.Forbidden, eccs.ReasonNone, "")
		i := wantErr(t, errInvisible, eccs.Forbidden, eccs.ReasonNone, "")
		if got := strings.ReplaceAll(u.Message, "ZZZ-UNKNOWN", hidden); got != i.Message {
			t.Errorf("%s: unknown contract says %q, invisible one %q", acct.Type, u.Message, i.Message)
		}
	}
}

// ContractAccess gives the contract as its rows hold it: offer, billing account, customer, referent.
func TestContractAccessReadsTheContractRows(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	c := access(t, w, w.carol, "BA3-FE").Contract()
	want := eccs.Contract{ID: "BA3-FE", Name: "Contract BA3-FE", Type: "IAAS", OfferID: "FE", OfferName: "Flexible Engine",
		BillingAccountID: "BA3", CustomerID: "globex", CustomerName: "Globex", CustomerSegment: "int", SupportLevel: "PRM"}
	got := c
	got.Referent, got.CreatedAt, got.UpdatedAt = eccs.Identity{}, time.Time{}, time.Time{}
	if got != want {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
	if c.Referent.ID != w.ritaID.ID || c.Referent.Login != "rita.referent" || c.Referent.FirstName != "Rita" || c.Referent.Email != ritaPerson.Email {
		t.Errorf("referent %+v", c.Referent)
	}
	if !c.CreatedAt.Equal(t0) || !c.UpdatedAt.Equal(t0) {
		t.Errorf("created %v updated %v, want the clock's %v", c.CreatedAt, c.UpdatedAt, t0)
	}
}

// TestContractsMatchContractAccess checks, for every account, that the list of contracts is
// exactly the set of contracts ContractAccess lets it see, sorted, with consistent paging.
func TestContractsMatchContractAccess(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	all := addContractsToList(t, w)
	olga := must(w.svc.CreateAccount(w.ctx, eccs.NewAccount{Type: eccs.AccountClient,
		Person: eccs.Person{LastName: "Other", FirstName: "Olga", Email: "OLGA@acme.example"}}))(t)
	wide := must(w.svc.CreateAccount(w.ctx, eccs.NewAccount{Type: eccs.AccountAdministrator,
		Person:    eccs.Person{LastName: "Wide", FirstName: "Walter", Email: "walter@acme.example"},
		Perimeter: eccs.Perimeter{BillingAccountIDs: []string{"BA3", "BA1", "BA2", "BA1"}, OfferIDs: []string{"CAV", "FE"}}}))(t)
	narrow := must(w.svc.CreateAccount(w.ctx, eccs.NewAccount{Type: eccs.AccountAdministrator,
		Person:    eccs.Person{LastName: "Narrow", FirstName: "Nina", Email: "nina@acme.example"},
		Perimeter: eccs.Perimeter{BillingAccountIDs: []string{"BA3"}, OfferIDs: []string{"FE"}}}))(t)
	empty := must(w.svc.CreateAccount(w.ctx, eccs.NewAccount{Type: eccs.AccountAdministrator,
		Person: eccs.Person{LastName: "Empty", FirstName: "Emma", Email: "emma@acme.example"}}))(t)

	// An administrator who is also the referent of a contract outside its perimeter: the
	// perimeter alone decides, in the list and in ContractAccess.
	outsider := must(w.svc.CreateContract(w.ctx, eccs.NewContract{ID: "BA3-CAV-ADMIN", Name: "Admin's own", OfferID: "CAV",
		BillingAccountID: "BA3", Referent: eccs.Person{LastName: "Admin", FirstName: "Adam", Email: "adam@acme.example"}}))(t)
	all = append(all, outsider.ID)
	slices.Sort(all)
	accounts := []struct {
		name string
		acct eccs.Account
		want int
	}{
		{"admin", w.admin, 8}, // BA1-FE, BA2-FE, three ordered on BA2/FE, three loaded on BA1/FE
		{"carol", w.carol, 3},
		{"rita", w.rita, 9}, // referent of the six contracts of the world and of the three ordered
		{"dave", w.dave, 0},
		{"olga", olga, 3}, // referent of the three loaded contracts, found by e-mail without case
		{"wide admin", wide, 13},
		{"narrow admin", narrow, 1},
		{"admin without perimeter", empty, 0},
	}
	for _, tc := range accounts {
		t.Run(tc.name, func(t *testing.T) {
			visible := visibleContracts(t, w, tc.acct, all)
			wantContractsList(t, w, tc.acct, visible, tc.want)
			wantContractsPages(t, w, tc.acct, visible)
		})
	}

	t.Run("listed contracts carry the fields ContractAccess gives", func(t *testing.T) {
		list, _, err := w.svc.Contracts(w.ctx, w.rita, eccs.Page{})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range list {
			one := access(t, w, w.rita, c.ID).Contract()
			if one != c {
				t.Errorf("listed %+v\nread   %+v", c, one)
			}
		}
	})
}

// addContractsToList orders three contracts and loads three more, so that lists are longer
// than a page, and returns the ids of every contract, sorted.
func addContractsToList(t *testing.T, w *world) []string {
	all := slices.Clone(w.contractIDs)
	for range 3 {
		c := must(w.svc.OrderContract(w.ctx, ordererOf(t, w.admin), eccs.ContractOrder{BillingAccountID: "BA2", OfferCode: "FE",
			ContractName: "Ordered", SupportLevel: "BSC", ReferentName: "Referent", ReferentFirstName: "Rita",
			ReferentMail: ritaPerson.Email}))(t)
		all = append(all, c.ID)
	}
	for _, id := range []string{"0-FIRST", "zz-last", "BA1-FE-2"} {
		must(w.svc.CreateContract(w.ctx, eccs.NewContract{ID: id, Name: "Loaded " + id, OfferID: "FE",
			BillingAccountID: "BA1", Referent: eccs.Person{LastName: "Other", FirstName: "Olga", Email: "olga@acme.example"}}))(t)
	}
	all = append(all, "0-FIRST", "zz-last", "BA1-FE-2")
	slices.Sort(all)
	if len(all) != 12 {
		t.Fatalf("the world has %d contracts: %v", len(all), all)
	}
	return all
}

// visibleContracts returns the ids among all that ContractAccess lets acct see, checking the
// contract and roles it gives.
func visibleContracts(t *testing.T, w *world, acct eccs.Account, all []string) []string {
	var visible []string
	for _, id := range all {
		a, err := w.svc.ContractAccess(w.ctx, acct, id)
		switch {
		case err == nil:
			if c, roles := a.Contract(), a.Roles(); c.ID != id || roles.Contracts == eccs.RoleNone {
				t.Errorf("ContractAccess(%s) = %s with %+v", id, c.ID, roles)
			}
			visible = append(visible, id)
		case eccs.ErrorCode(err) != eccs.Forbidden:
			t.Fatalf("ContractAccess(%s): %v", id, err)
		}
	}
	return visible
}

// wantContractsList checks that Contracts lists acct exactly the visible contracts, want of
// them, sorted, with their number as the total.
func wantContractsList(t *testing.T, w *world, acct eccs.Account, visible []string, want int) {
	list, total, err := w.svc.Contracts(w.ctx, acct, eccs.Page{})
	if err != nil {
		t.Fatal(err)
	}
	listed := make([]string, 0, len(list))
	for _, c := range list {
		listed = append(listed, c.ID)
	}
	if !slices.Equal(listed, visible) {
		t.Fatalf("Contracts lists %v, ContractAccess allows %v", listed, visible)
	}
	if !slices.IsSorted(listed) {
		t.Errorf("list not sorted by id: %v", listed)
	}
	if total != len(visible) || len(visible) != want {
		t.Errorf("total %d, visible %d, want %d", total, len(visible), want)
	}
	if list == nil {
		t.Errorf("an empty list is nil")
	}
}

// wantContractsPages checks that pages of every size, put back together, give acct's whole
// list with the same total; that an offset without a limit gives the rest, and past the end
// nothing but the total.
func wantContractsPages(t *testing.T, w *world, acct eccs.Account, visible []string) {
	for _, limit := range []int{1, 3} {
		var paged []string
		for offset := 0; offset <= len(visible); offset += limit {
			page, total, err := w.svc.Contracts(w.ctx, acct, eccs.Page{Offset: offset, Limit: limit})
			if err != nil {
				t.Fatal(err)
			}
			if total != len(visible) || len(page) > limit {
				t.Fatalf("page %d+%d: %d items, total %d", offset, limit, len(page), total)
			}
			for _, c := range page {
				paged = append(paged, c.ID)
			}
		}
		if !slices.Equal(paged, visible) {
			t.Errorf("limit %d pages give %v, want %v", limit, paged, visible)
		}
	}
	if len(visible) > 1 {
		rest, total, err := w.svc.Contracts(w.ctx, acct, eccs.Page{Offset: 1})
		if err != nil || total != len(visible) || len(rest) != len(visible)-1 || rest[0].ID != visible[1] {
			t.Errorf("offset 1 without limit: %d items, total %d, %v", len(rest), total, err)
		}
	}
	past, total, err := w.svc.Contracts(w.ctx, acct, eccs.Page{Offset: len(visible) + 5, Limit: 10})
	if err != nil || len(past) != 0 || total != len(visible) {
		t.Errorf("past the end: %d items, total %d, %v", len(past), total, err)
	}
}

// pathStore forwards the two reads of ContractAccess to a real store and counts them. Every
// other method of its embedded Store is nil: a call to one panics, so the counts are all the
// calls there were.
type pathStore struct {
	eccs.Store // nil
	real       eccs.Store
	calls      []string
}

func (p *pathStore) Contract(ctx context.Context, id string) (eccs.Contract, error) {
	p.calls = append(p.calls, "Contract")
	return p.real.Contract(ctx, id)
}

func (p *pathStore) Declaration(ctx context.Context, contractID, identityID string) (eccs.Declaration, error) {
	p.calls = append(p.calls, "Declaration")
	return p.real.Declaration(ctx, contractID, identityID)
}

// An unknown contract and an invisible one make the same store calls, first and again once
// cached: their timing cannot tell which contracts exist.
func TestUnknownAndInvisibleContractsCostTheSame(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	for _, tc := range []struct {
		name      string
		acct      eccs.Account
		invisible string
	}{
		{"administrator", w.admin, "BA3-FE"},
		{"client", w.carol, "BA2-FE"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			calls := map[string][][]string{}
			for _, id := range []string{tc.invisible, "OCB9999999"} {
				store := &pathStore{real: w.store}
				svc, err := eccs.NewService(store, w.blobs, w.cfg)
				if err != nil {
					t.Fatal(err)
				}
				for range 2 { // the first call reads the store, the second the cache
					store.calls = nil
					_, err := svc.ContractAccess(w.ctx, tc.acct, id)
					wantErr(t, err, eccs.Forbidden, eccs.ReasonNone, "")
					calls[id] = append(calls[id], store.calls)
				}
			}
			if got, want := calls["OCB9999999"], calls[tc.invisible]; !reflect.DeepEqual(got, want) {
				t.Errorf("store calls of an unknown contract %q, of an invisible one %q", got, want)
			}
			if first, again := calls[tc.invisible][0], calls[tc.invisible][1]; len(first) == 0 || len(again) != 0 {
				t.Errorf("store calls %q then %q: want reads, then none (cached)", first, again)
			}
		})
	}
}
