package eccs_test

import (
	"slices"
	"testing"

	"github.com/eccs/eccs/internal/eccs"
)

func TestSetPerimeter(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx, s := w.ctx, w.svc

	visible := func(t *testing.T) []string {
		t.Helper()
		acct, _, err := s.AccountForKey(ctx, w.adminKey) // what the next call of the administrator sees
		if err != nil {
			t.Fatal(err)
		}
		var allowed []string
		for _, id := range w.contractIDs {
			if _, err := s.ContractAccess(ctx, acct, id); err == nil {
				allowed = append(allowed, id)
			}
		}
		list, total := must2(s.Contracts(ctx, acct, eccs.Page{}))(t)
		if listed := contractIDs(list); !slices.Equal(listed, allowed) || total != len(allowed) {
			t.Errorf("Contracts lists %v (total %d), ContractAccess allows %v", listed, total, allowed)
		}
		return allowed
	}
	if got := visible(t); !slices.Equal(got, []string{"BA1-FE", "BA2-FE"}) {
		t.Fatalf("before: %v", got)
	}

	t.Run("takes effect at once", func(t *testing.T) {
		a := must(s.SetPerimeter(ctx, w.admin.ID, eccs.Perimeter{BillingAccountIDs: []string{"BA3", "BA3"}, OfferIDs: []string{"CAV", "FE"}}))(t)
		if !slices.Equal(a.Perimeter.BillingAccountIDs, []string{"BA3"}) || !slices.Equal(a.Perimeter.OfferIDs, []string{"CAV", "FE"}) {
			t.Errorf("returned perimeter %+v", a.Perimeter)
		}
		if got := visible(t); !slices.Equal(got, []string{"BA3-CAV", "BA3-FE"}) {
			t.Errorf("after: %v", got)
		}
		stored := must(s.Account(ctx, w.admin.ID))(t)
		if !slices.Equal(stored.Perimeter.BillingAccountIDs, []string{"BA3"}) {
			t.Errorf("stored %+v", stored.Perimeter)
		}
	})

	t.Run("an empty perimeter sees nothing", func(t *testing.T) {
		must(s.SetPerimeter(ctx, w.admin.ID, eccs.Perimeter{}))(t)
		if got := visible(t); len(got) != 0 {
			t.Errorf("an empty perimeter sees %v", got)
		}
		must(s.SetPerimeter(ctx, w.admin.ID, eccs.Perimeter{BillingAccountIDs: []string{"BA1"}, OfferIDs: []string{"FE"}}))(t)
	})

	t.Run("refusals change nothing", func(t *testing.T) {
		for _, tc := range []struct {
			name    string
			account string
			p       eccs.Perimeter
			code    eccs.Code
			field   string
		}{
			{"client account", w.carol.ID, eccs.Perimeter{BillingAccountIDs: []string{"BA1"}, OfferIDs: []string{"FE"}}, eccs.Invalid, "perimeter"},
			{"unknown account", "nosuchaccount000", eccs.Perimeter{}, eccs.NotFound, ""},
			{"unknown billing account", w.admin.ID, eccs.Perimeter{BillingAccountIDs: []string{"BA1", "BA9"}, OfferIDs: []string{"FE"}}, eccs.NotFound, ""},
			{"unknown offer", w.admin.ID, eccs.Perimeter{BillingAccountIDs: []string{"BA1"}, OfferIDs: []string{"fe"}}, eccs.NotFound, ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				err := w.wantNoEvent(t, func() error { _, err := s.SetPerimeter(ctx, tc.account, tc.p); return err })
				wantErr(t, err, tc.code, "", tc.field)
			})
		}
		if got := visible(t); !slices.Equal(got, []string{"BA1-FE"}) {
			t.Errorf("after refusals: %v", got)
		}
	})

	t.Run("accounts list", func(t *testing.T) {
		list, total := must2(s.Accounts(ctx, eccs.Page{}))(t)
		if total != 4 || len(list) != 4 || !slices.IsSortedFunc(list, func(a, b eccs.Account) int {
			if a.ID < b.ID {
				return -1
			}
			return 1
		}) {
			t.Fatalf("accounts %+v (total %d)", list, total)
		}
		for _, a := range list {
			if a.ID == w.admin.ID && !slices.Equal(a.Perimeter.BillingAccountIDs, []string{"BA1"}) {
				t.Errorf("listed administrator %+v", a)
			}
		}
		page, total := must2(s.Accounts(ctx, eccs.Page{Offset: 3, Limit: 5}))(t)
		if total != 4 || len(page) != 1 || page[0].ID != list[3].ID {
			t.Errorf("last page %+v (total %d)", page, total)
		}
		_, err := s.Account(ctx, "nosuchaccount000")
		wantErr(t, err, eccs.NotFound, "", "")
	})
}
