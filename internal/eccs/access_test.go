package eccs_test

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/eccs/eccs/internal/eccs"
)

// --- AccountForKey ----------------------------------------------------------------------------

func TestAccountForKey(t *testing.T) {
	t.Parallel()
	w := newWorld(t)

	t.Run("valid key gives its account", func(t *testing.T) {
		for _, tc := range []struct {
			key  string
			want eccs.Account
		}{{w.adminKey, w.admin}, {w.carolKey, w.carol}, {w.daveKey, w.dave}} {
			acct, k, err := w.svc.AccountForKey(w.ctx, tc.key)
			if err != nil {
				t.Fatal(err)
			}
			if acct.ID != tc.want.ID || acct.Type != tc.want.Type || acct.IdentityID != tc.want.IdentityID || k.AccountID != tc.want.ID {
				t.Errorf("got account %+v (key of %s), want %+v", acct, k.AccountID, tc.want)
			}
		}
		acct, _, err := w.svc.AccountForKey(w.ctx, w.adminKey)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(acct.Perimeter.BillingAccountIDs, []string{"BA1", "BA2"}) || !slices.Equal(acct.Perimeter.OfferIDs, []string{"FE"}) {
			t.Errorf("administrator perimeter = %+v", acct.Perimeter)
		}
	})

	t.Run("unknown keys are unauthenticated without panicking", func(t *testing.T) {
		for _, tc := range []struct{ name, key string }{
			{"unknown", "eccs_" + strings.Repeat("x", 43)},
			{"empty", ""},
			{"10 KB", strings.Repeat("k", 10<<10)},
			{"valid key with a trailing space", w.carolKey + " "},
			{"valid key in upper case", strings.ToUpper(w.carolKey)},
			{"binary", "\x00\xff\xfe"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, _, err := w.svc.AccountForKey(w.ctx, tc.key)
				wantErr(t, err, eccs.Unauthenticated, eccs.ReasonNone, "")
			})
		}
	})

	t.Run("default lifetime: past expiry is unauthenticated with the expiry date", func(t *testing.T) {
		acct := must(w.svc.CreateAccount(w.ctx, eccs.NewAccount{Type: eccs.AccountClient,
			Person: eccs.Person{LastName: "Expiring", FirstName: "Eve", Email: "eve.expiring@acme.example"}}))(t)
		k, key, err := w.svc.IssueAPIKey(w.ctx, acct.ID, eccs.KeyOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if !k.CreatedAt.Equal(t0) || !k.ExpiresAt.Equal(t0.Add(eccs.DefaultAPIKeyTTL)) {
			t.Fatalf("key created %v expires %v, want %v and two years later", k.CreatedAt, k.ExpiresAt, t0)
		}
		w.clock.Advance(eccs.DefaultAPIKeyTTL - time.Microsecond)
		if _, _, err := w.svc.AccountForKey(w.ctx, key); err != nil {
			t.Fatalf("just before expiry: %v", err)
		}
		w.clock.Advance(time.Microsecond)
		defer w.clock.Advance(-eccs.DefaultAPIKeyTTL)
		_, _, err = w.svc.AccountForKey(w.ctx, key)
		// doc/wire.md §3 step 4: past its expiry, 401/41 (not 42, which means "fetch a new token").
		e := wantErr(t, err, eccs.Unauthenticated, eccs.ReasonNone, "")
		expiry := t0.Add(eccs.DefaultAPIKeyTTL)
		if !strings.Contains(e.Message, expiry.Format(time.RFC3339)) || !strings.Contains(e.Message, expiry.Format(time.DateOnly)) {
			t.Errorf("message %q does not give the expiry %s", e.Message, expiry.Format(time.RFC3339))
		}
		if _, _, err := w.svc.AccountForKey(w.ctx, w.carolKey); eccs.ErrorCode(err) != eccs.Unauthenticated {
			t.Errorf("the world's keys expire too: %v", err)
		}
	})

	t.Run("custom lifetime", func(t *testing.T) {
		k, key, err := w.svc.IssueAPIKey(w.ctx, w.dave.ID, eccs.KeyOptions{TTL: 48 * time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		if !k.ExpiresAt.Equal(w.clock.Now().Add(48 * time.Hour)) {
			t.Fatalf("ExpiresAt = %v", k.ExpiresAt)
		}
		w.clock.Advance(47 * time.Hour)
		if _, _, err := w.svc.AccountForKey(w.ctx, key); err != nil {
			t.Fatalf("after 47 hours: %v", err)
		}
		w.clock.Advance(time.Hour)
		defer w.clock.Advance(-48 * time.Hour)
		_, _, err = w.svc.AccountForKey(w.ctx, key)
		e := wantErr(t, err, eccs.Unauthenticated, eccs.ReasonNone, "")
		if !strings.Contains(e.Message, t0.Add(48*time.Hour).Format(time.RFC3339)) {
			t.Errorf("message %q lacks the expiry", e.Message)
		}
		if _, _, err := w.svc.AccountForKey(w.ctx, w.daveKey); err != nil {
			t.Errorf("the two-year key expired with the two-day one: %v", err)
		}
	})

	t.Run("configured lifetime", func(t *testing.T) {
		svc := w.service(func(c *eccs.Config) { c.APIKeyTTL = 24 * time.Hour })
		k, _, err := svc.IssueAPIKey(w.ctx, w.dave.ID, eccs.KeyOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if got := k.ExpiresAt.Sub(k.CreatedAt); got != 24*time.Hour {
			t.Errorf("lifetime %v, want Config.APIKeyTTL", got)
		}
	})

	t.Run("preset key", func(t *testing.T) {
		preset := "eccs_preset_key_0123456789abcdefghijkl"
		if _, _, err := w.svc.IssueAPIKey(w.ctx, w.dave.ID, eccs.KeyOptions{Secret: preset}); err != nil {
			t.Fatal(err)
		}
		acct, _, err := w.svc.AccountForKey(w.ctx, preset)
		if err != nil || acct.ID != w.dave.ID {
			t.Fatalf("preset key: %+v, %v", acct, err)
		}
		_, _, err = w.svc.IssueAPIKey(w.ctx, w.dave.ID, eccs.KeyOptions{Secret: preset})
		wantErr(t, err, eccs.Conflict, eccs.ReasonNone, "")
	})

	t.Run("the key is never stored", func(t *testing.T) {
		k, key, err := w.svc.IssueAPIKey(w.ctx, w.carol.ID, eccs.KeyOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if k.Hash == key || strings.Contains(k.Hash, key) || len(key) < 32 {
			t.Fatalf("key %q, hash %q", key, k.Hash)
		}
		if !strings.HasPrefix(key, k.Prefix) || len(k.Prefix) >= len(key) {
			t.Errorf("prefix %q of key %q", k.Prefix, key)
		}
		stored := must(w.store.APIKeyByHash(w.ctx, k.Hash))(t)
		if stored.Hash != k.Hash || stored.ID != k.ID {
			t.Errorf("stored %+v", stored)
		}
		// Every file of the database (main file, WAL, shared memory), searched for the key in
		// clear, base64 and hex, and for the application's secret the same way.
		forms := func(s string) []string {
			return []string{s, base64.StdEncoding.EncodeToString([]byte(s)), base64.RawURLEncoding.EncodeToString([]byte(s)),
				hex.EncodeToString([]byte(s)), strings.ToUpper(hex.EncodeToString([]byte(s)))}
		}
		needles := append(forms(key), forms(w.carolKey)...)
		needles = append(needles, forms(w.adminKey)...)
		needles = append(needles, forms(appSecret)...)
		files, _ := filepath.Glob(w.dbPath + "*")
		if len(files) == 0 {
			t.Fatal("no database file")
		}
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, n := range needles {
				if strings.Contains(string(data), n) {
					t.Errorf("%s holds a secret (%q)", filepath.Base(f), n)
				}
			}
		}
	})

	t.Run("revoked key", func(t *testing.T) {
		// RevokeAPIKey revokes at the current instant (TestRevokeAPIKey); to check AccountForKey's
		// rule for revocations dated before and after now, store revoked copies of real keys'
		// hashes, taken from another database with the same hash key.
		other := newEnv(t)
		acct := must(other.svc.CreateAccount(other.ctx, eccs.NewAccount{Type: eccs.AccountClient,
			Person: eccs.Person{LastName: "Other", FirstName: "Otto", Email: "otto@acme.example"}}))(t)
		revokedKey := "eccs_revoked_key_0123456789abcdefghijklmn"
		futureKey := "eccs_revoked_later_0123456789abcdefghijkl"
		hashOf := func(key string) string {
			k, _, err := other.svc.IssueAPIKey(other.ctx, acct.ID, eccs.KeyOptions{Secret: key})
			if err != nil {
				t.Fatal(err)
			}
			return k.Hash
		}
		for _, k := range []eccs.APIKey{
			{ID: "revokedkeyaaaaaa", Hash: hashOf(revokedKey), RevokedAt: t0.Add(-time.Hour)},
			{ID: "revokedkeybbbbbb", Hash: hashOf(futureKey), RevokedAt: t0.Add(time.Hour)},
		} {
			k.AccountID, k.Prefix, k.CreatedAt, k.ExpiresAt = w.dave.ID, "eccs_revoked", t0.Add(-2*time.Hour), t0.Add(24*time.Hour)
			if err := w.store.CreateAPIKey(w.ctx, k); err != nil {
				t.Fatal(err)
			}
		}
		_, _, err := w.svc.AccountForKey(w.ctx, revokedKey)
		revoked := wantErr(t, err, eccs.Unauthenticated, eccs.ReasonNone, "")
		_, _, err = w.svc.AccountForKey(w.ctx, "eccs_never_issued_0123456789abcdefghijklm")
		unknown := wantErr(t, err, eccs.Unauthenticated, eccs.ReasonNone, "")
		if revoked.Message != unknown.Message {
			t.Errorf("revoked %q and unknown %q keys answer differently", revoked.Message, unknown.Message)
		}
		if a, _, err := w.svc.AccountForKey(w.ctx, futureKey); err != nil || a.ID != w.dave.ID {
			t.Fatalf("a key revoked from a later date works until then: %+v, %v", a, err)
		}
		w.clock.Advance(time.Hour)
		defer w.clock.Advance(-time.Hour)
		_, _, err = w.svc.AccountForKey(w.ctx, futureKey)
		wantErr(t, err, eccs.Unauthenticated, eccs.ReasonNone, "")
	})

	t.Run("issue key validation", func(t *testing.T) {
		for _, tc := range []struct {
			name   string
			acct   string
			secret string
			code   eccs.Code
			field  string
		}{
			{"unknown account", "nosuchaccount", "", eccs.NotFound, ""},
			{"preset secret of 31", w.dave.ID, strings.Repeat("k", 31), eccs.Invalid, "secret"},
			{"preset secret with a space", w.dave.ID, strings.Repeat("k", 31) + " x", eccs.Invalid, "secret"},
			{"preset secret too long", w.dave.ID, strings.Repeat("k", 513), eccs.Invalid, "secret"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, key, err := w.svc.IssueAPIKey(w.ctx, tc.acct, eccs.KeyOptions{Secret: tc.secret})
				wantErr(t, err, tc.code, eccs.ReasonNone, tc.field)
				if key != "" {
					t.Errorf("a refused key was returned")
				}
			})
		}
	})
}

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

	t.Run("unknown and invisible contracts answer alike", func(t *testing.T) {
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
	})

	t.Run("contract fields are read from the rows they name", func(t *testing.T) {
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
	})
}

// TestContractsMatchContractAccess checks, for every account, that the list of contracts is
// exactly the set of contracts ContractAccess lets it see, sorted, with consistent paging.
func TestContractsMatchContractAccess(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	// A few more contracts, ordered and loaded, so that lists are longer than a page.
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
			var visible []string
			for _, id := range all {
				a, err := w.svc.ContractAccess(w.ctx, tc.acct, id)
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
			list, total, err := w.svc.Contracts(w.ctx, tc.acct, eccs.Page{})
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
			if total != len(visible) || len(visible) != tc.want {
				t.Errorf("total %d, visible %d, want %d", total, len(visible), tc.want)
			}
			if list == nil {
				t.Errorf("an empty list is nil")
			}
			// Pages of every size put back together give the whole list, with the same total.
			for _, limit := range []int{1, 3} {
				var paged []string
				for offset := 0; offset <= len(visible); offset += limit {
					page, total, err := w.svc.Contracts(w.ctx, tc.acct, eccs.Page{Offset: offset, Limit: limit})
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
			// An offset without a limit gives the rest; past the end, nothing but the total.
			if len(visible) > 1 {
				rest, total, err := w.svc.Contracts(w.ctx, tc.acct, eccs.Page{Offset: 1})
				if err != nil || total != len(visible) || len(rest) != len(visible)-1 || rest[0].ID != visible[1] {
					t.Errorf("offset 1 without limit: %d items, total %d, %v", len(rest), total, err)
				}
			}
			past, total, err := w.svc.Contracts(w.ctx, tc.acct, eccs.Page{Offset: len(visible) + 5, Limit: 10})
			if err != nil || len(past) != 0 || total != len(visible) {
				t.Errorf("past the end: %d items, total %d, %v", len(past), total, err)
			}
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
