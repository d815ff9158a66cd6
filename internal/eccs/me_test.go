package eccs_test

import (
	"slices"
	"testing"

	"github.com/eccs/eccs/internal/eccs"
)

// TestMe checks that a client's /me gives its account, identity, key and application, and its
// declarations with their roles: the contracts it lists.
func TestMe(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx, s := w.ctx, w.svc
	acct, key, err := s.AccountForKey(ctx, w.carolKey)
	if err != nil {
		t.Fatal(err)
	}
	me := must(s.Me(ctx, acct, key, w.app))(t)
	if me.Account.ID != w.carol.ID || me.Identity != w.carolID || me.Key.ID != key.ID || me.Application.ID != w.app.ID {
		t.Errorf("me %+v", me)
	}
	want := []struct {
		contract string
		roles    eccs.Roles
	}{
		{"BA1-FE", eccs.Roles{Contracts: eccs.RoleVisitor, Documents: eccs.RoleManager, Users: eccs.RoleManager}},
		{"BA3-CAV", eccs.Roles{Contracts: eccs.RoleVisitor}},
		{"BA3-FE", eccs.Roles{Contracts: eccs.RoleManager, Documents: eccs.RoleVisitor}},
	}
	if len(me.Declarations) != len(want) {
		t.Fatalf("declarations %+v", me.Declarations)
	}
	for i, d := range me.Declarations {
		if d.ContractID != want[i].contract || d.Roles != want[i].roles || d.IdentityID != w.carolID.ID {
			t.Errorf("declaration %d: %+v, want %s with %+v", i, d, want[i].contract, want[i].roles)
		}
	}
	// What /me lists is what the account may open.
	list, _ := must2(s.Contracts(ctx, acct, eccs.Page{}))(t)
	var declared []string
	for _, d := range me.Declarations {
		declared = append(declared, d.ContractID)
	}
	if !slices.Equal(contractIDs(list), declared) {
		t.Errorf("declared on %v, lists %v", declared, contractIDs(list))
	}
}

// A removed declaration leaves /me at once.
func TestMeAfterARemoval(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx, s := w.ctx, w.svc
	if err := s.RemoveUser(ctx, "BA3-CAV", w.carolID.ID); err != nil {
		t.Fatal(err)
	}
	me := must(s.Me(ctx, w.carol, eccs.APIKey{}, eccs.Application{}))(t)
	if len(me.Declarations) != 2 || me.Declarations[1].ContractID != "BA3-FE" {
		t.Errorf("declarations %+v", me.Declarations)
	}
}

// An administrator's /me gives its perimeter and no declarations, even of its identity.
func TestMeOfAnAdministrator(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx, s := w.ctx, w.svc
	// The administrator's identity is declared nowhere; make it the user of a contract,
	// which an administrator account does not go by.
	must(s.AddUser(ctx, "BA3-CAV", newUser("adam@acme.example", "adam.admin", map[string][]string{})))(t)
	acct, key, err := s.AccountForKey(ctx, w.adminKey)
	if err != nil {
		t.Fatal(err)
	}
	me := must(s.Me(ctx, acct, key, w.app))(t)
	if len(me.Declarations) != 0 || me.Identity.Login != "adam.admin" ||
		!slices.Equal(me.Account.Perimeter.BillingAccountIDs, []string{"BA1", "BA2"}) || !slices.Equal(me.Account.Perimeter.OfferIDs, []string{"FE"}) {
		t.Errorf("me %+v", me)
	}
}

// A client declared nowhere has its identity and no declarations.
func TestMeOfAClientDeclaredNowhere(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx, s := w.ctx, w.svc
	me := must(s.Me(ctx, w.dave, eccs.APIKey{}, eccs.Application{}))(t)
	if len(me.Declarations) != 0 || me.Identity.Email != "dave@globex.example" {
		t.Errorf("me %+v", me)
	}
}

// An account whose identity is gone is an error.
func TestMeWithoutIdentity(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx, s := w.ctx, w.svc
	_, err := s.Me(ctx, eccs.Account{ID: "x", Type: eccs.AccountClient, IdentityID: "nosuchidentity00"}, eccs.APIKey{}, eccs.Application{})
	if err == nil {
		t.Fatal("no error")
	}
}
