// The domain calls of the customers' web space: their own keys, the users of their contracts,
// contract search.

package eccs_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/eccs/eccs/internal/eccs"
)

func TestOwnKeyCallsAnswerAnotherAccountsKeyLikeAnUnknownOne(t *testing.T) {
	w := newWorld(t)
	adminKeys := must(w.svc.OwnAPIKeys(w.ctx, w.admin))(t)
	if len(adminKeys) != 1 {
		t.Fatalf("the administrator has %d keys, want 1", len(adminKeys))
	}
	theirs := adminKeys[0].ID
	for _, id := range []string{theirs, "no-such-key"} {
		_, err := w.svc.RevokeOwnAPIKey(w.ctx, w.carol, id)
		wantErr(t, err, eccs.NotFound, "", "")
		_, _, err = w.svc.RotateOwnAPIKey(w.ctx, w.carol, id, time.Hour)
		wantErr(t, err, eccs.NotFound, "", "")
	}
	if k := must(w.svc.APIKeyOf(w.ctx, theirs))(t); !k.RevokedAt.IsZero() || k.ReplacedBy != "" {
		t.Errorf("another account's refused call changed its key: %+v", k)
	}
}

func TestOwnKeyRotationKeepsTheOldKeyForTheChosenOverlapOnly(t *testing.T) {
	w := newWorld(t)
	old := must(w.svc.OwnAPIKeys(w.ctx, w.carol))(t)[0]
	_, _, err := w.svc.RotateOwnAPIKey(w.ctx, w.carol, old.ID, eccs.MaxOwnRotationOverlap+time.Hour)
	wantErr(t, err, eccs.Invalid, "", "overlap")
	newKey, secret, err := w.svc.RotateOwnAPIKey(w.ctx, w.carol, old.ID, 2*time.Hour)
	if err != nil || secret == "" || newKey.AccountID != w.carol.ID {
		t.Fatalf("RotateOwnAPIKey = %+v, %q, %v", newKey, secret, err)
	}
	if got := must(w.svc.APIKeyOf(w.ctx, old.ID))(t); got.ReplacedBy != newKey.ID || got.ExpiresAt.After(time.Now().Add(3*time.Hour)) {
		t.Errorf("the old key after rotation: %+v", got)
	}
	revoked := must(w.svc.RevokeOwnAPIKey(w.ctx, w.carol, newKey.ID))(t)
	if revoked.RevokedAt.IsZero() {
		t.Errorf("RevokeOwnAPIKey left the key unrevoked: %+v", revoked)
	}
	if keys := must(w.svc.OwnAPIKeys(w.ctx, w.carol))(t); len(keys) != 2 {
		t.Errorf("OwnAPIKeys lists %d keys, want the old and the revoked one", len(keys))
	}
}

func TestContractUsersNeedARoleOnTheUsersSection(t *testing.T) {
	w := newWorld(t)
	for _, tc := range []struct {
		contract string
		acct     eccs.Account
		allowed  bool
	}{
		{"BA1-FE", w.carol, true},  // users manager
		{"BA3-FE", w.carol, false}, // no role on users
		{"BA2-FE", w.admin, true},  // manager everywhere in its perimeter
	} {
		access := must(w.svc.ContractAccess(w.ctx, tc.acct, tc.contract))(t)
		r, err := eccs.MayReadUsers(access)
		if !tc.allowed {
			wantErr(t, err, eccs.Forbidden, "", "")
			continue
		}
		users := must(w.svc.ContractUsers(w.ctx, r))(t)
		if len(users) == 0 {
			t.Errorf("%s: no user listed on %s", tc.acct.ID, tc.contract)
		}
	}
}

func TestDeclarerChangesAndRemovesUsersOfItsContractOnly(t *testing.T) {
	w := newWorld(t)
	d := must(eccs.MayDeclareUsers(must(w.svc.ContractAccess(w.ctx, w.carol, "BA1-FE"))(t)))(t)
	rita := w.ritaID.ID
	_, err := w.svc.ChangeUserRoles(w.ctx, d, rita, map[string][]string{"contracts": {"visitor"}})
	wantErr(t, err, eccs.Conflict, "", "")
	err = w.svc.RemoveDeclaredUser(w.ctx, d, rita)
	wantErr(t, err, eccs.Conflict, "", "")
	u := must(w.svc.ChangeUserRoles(w.ctx, d, w.carolID.ID, map[string][]string{"contracts": {"manager"}, "users": {"manager"}}))(t)
	if u.Roles.Contracts != eccs.RoleManager || u.Roles.Documents != eccs.RoleNone {
		t.Errorf("roles after the change: %+v", u.Roles)
	}
	if err := w.svc.RemoveDeclaredUser(w.ctx, d, w.carolID.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.ContractAccess(w.ctx, w.carol, "BA1-FE"); eccs.ErrorCode(err) != eccs.Forbidden {
		t.Errorf("after removal, ContractAccess = %v, want Forbidden", err)
	}
}

func TestSearchContractsNarrowsWhatTheAccountSeesAndRefusesBadSearches(t *testing.T) {
	w := newWorld(t)
	list, total, err := w.svc.SearchContracts(w.ctx, w.admin, " ba2-fe ", eccs.Page{})
	if err != nil || total != 1 || len(list) != 1 || list[0].ID != "BA2-FE" {
		t.Errorf("SearchContracts = %v (total %d), %v; want BA2-FE", list, total, err)
	}
	if _, total, _ := w.svc.SearchContracts(w.ctx, w.admin, "BA3", eccs.Page{}); total != 0 {
		t.Errorf("a search reached %d contracts outside the perimeter", total)
	}
	for _, bad := range []string{strings.Repeat("x", eccs.MaxContractSearch+1), "tab\there"} {
		_, _, err := w.svc.SearchContracts(w.ctx, w.carol, bad, eccs.Page{})
		wantErr(t, err, eccs.Invalid, "", "q")
	}
}

func TestSearchContractsCountsUpToTheCapWhileAListCountsAll(t *testing.T) {
	w := newWorld(t)
	c := w.contracts["BA1-FE"]
	err := w.store.InTx(w.ctx, func(tx eccs.Store) error {
		for i := range eccs.MaxContractSearchTotal + 2 { // one more than the capped total
			c.ID, c.Name = fmt.Sprintf("MANY%05d", i), "Many"
			if err := tx.CreateContract(w.ctx, c); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	page := eccs.Page{Limit: 25}
	list, total, err := w.svc.SearchContracts(w.ctx, w.admin, "many", page)
	if err != nil || total != eccs.MaxContractSearchTotal+1 || len(list) != 25 || list[0].ID != "MANY00000" {
		t.Errorf("SearchContracts(many) = %d contracts from %v, total %d, %v; want 25 from MANY00000, total %d",
			len(list), contractIDs(list), total, err, eccs.MaxContractSearchTotal+1)
	}
	if _, total, err := w.svc.Contracts(w.ctx, w.admin, page); err != nil || total != eccs.MaxContractSearchTotal+4 {
		t.Errorf("Contracts total = %d, %v; want every contract of the perimeter, %d", total, err, eccs.MaxContractSearchTotal+4)
	}
}
