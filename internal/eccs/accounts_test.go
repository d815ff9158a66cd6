package eccs_test

import (
	"slices"
	"testing"

	"github.com/eccs/eccs/internal/eccs"
)

// TestSetPerimeter changes the administrator's perimeter, in order, checking each time what the
// administrator's next call sees.
func TestSetPerimeter(t *testing.T) {
	t.Parallel()
	p := &perimeterChanges{w: newWorld(t)}
	if got := p.visible(t); !slices.Equal(got, []string{"BA1-FE", "BA2-FE"}) {
		t.Fatalf("before: %v", got)
	}
	t.Run("takes effect at once", p.wantEffectAtOnce)
	t.Run("an empty perimeter sees nothing", p.wantEmptySeesNothing)
	t.Run("refusals change nothing", p.wantRefusals)
	t.Run("accounts list", p.wantAccountsList)
}

// perimeterChanges is a world whose administrator's perimeter the steps change.
type perimeterChanges struct{ w *world }

// visible returns the contracts the administrator's next call may open, checking that the
// list of contracts gives the same.
func (p *perimeterChanges) visible(t *testing.T) []string {
	t.Helper()
	w, ctx, s := p.w, p.w.ctx, p.w.svc
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

// wantEffectAtOnce checks that a new perimeter, without duplicates, is what the administrator's
// next call sees.
func (p *perimeterChanges) wantEffectAtOnce(t *testing.T) {
	w, ctx, s := p.w, p.w.ctx, p.w.svc
	a := must(s.SetPerimeter(ctx, w.admin.ID, eccs.Perimeter{BillingAccountIDs: []string{"BA3", "BA3"}, OfferIDs: []string{"CAV", "FE"}}))(t)
	if !slices.Equal(a.Perimeter.BillingAccountIDs, []string{"BA3"}) || !slices.Equal(a.Perimeter.OfferIDs, []string{"CAV", "FE"}) {
		t.Errorf("returned perimeter %+v", a.Perimeter)
	}
	if got := p.visible(t); !slices.Equal(got, []string{"BA3-CAV", "BA3-FE"}) {
		t.Errorf("after: %v", got)
	}
	stored := must(s.Account(ctx, w.admin.ID))(t)
	if !slices.Equal(stored.Perimeter.BillingAccountIDs, []string{"BA3"}) {
		t.Errorf("stored %+v", stored.Perimeter)
	}
}

// wantEmptySeesNothing checks that an empty perimeter sees nothing, then sets BA1 x FE.
func (p *perimeterChanges) wantEmptySeesNothing(t *testing.T) {
	w, ctx, s := p.w, p.w.ctx, p.w.svc
	must(s.SetPerimeter(ctx, w.admin.ID, eccs.Perimeter{}))(t)
	if got := p.visible(t); len(got) != 0 {
		t.Errorf("an empty perimeter sees %v", got)
	}
	must(s.SetPerimeter(ctx, w.admin.ID, eccs.Perimeter{BillingAccountIDs: []string{"BA1"}, OfferIDs: []string{"FE"}}))(t)
}

// wantRefusals checks that perimeters of clients, unknown accounts, billing accounts or offers
// are refused, unrecorded, and change nothing.
func (p *perimeterChanges) wantRefusals(t *testing.T) {
	w, ctx, s := p.w, p.w.ctx, p.w.svc
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
	if got := p.visible(t); !slices.Equal(got, []string{"BA1-FE"}) {
		t.Errorf("after refusals: %v", got)
	}
}

// wantAccountsList checks the list of accounts, sorted by id, with the perimeter set last.
func (p *perimeterChanges) wantAccountsList(t *testing.T) {
	w, ctx, s := p.w, p.w.ctx, p.w.svc
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
}
