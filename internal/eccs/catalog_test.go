package eccs_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/eccs/eccs/internal/eccs"
)

func ptr[T any](v T) *T { return &v }

// TestCatalogUpdates updates customers, billing accounts and offers an hour after t0, in
// order: the refusals at the end find what the updates before them left.
func TestCatalogUpdates(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.clock.Advance(time.Hour)
	u := &catalogUpdates{w: w, later: t0.Add(time.Hour)}
	t.Run("customer update changes only the given fields", u.wantCustomerUpdate)
	t.Run("billing account rename", u.wantBillingAccountRename)
	t.Run("offer update keeps what is not given", u.wantOfferUpdate)
	t.Run("lists", u.wantLists)
	t.Run("refused updates", u.wantRefusals)
}

// catalogUpdates is a world whose clock is at later, the time of the updates.
type catalogUpdates struct {
	w     *world
	later time.Time
}

// wantCustomerUpdate checks that a customer's update changes only the given fields, which the
// contracts show at once.
func (u *catalogUpdates) wantCustomerUpdate(t *testing.T) {
	ctx, s, later := u.w.ctx, u.w.svc, u.later
	c := must(s.UpdateCustomer(ctx, "acme", eccs.CustomerUpdate{Segment: ptr("int")}))(t)
	stored := must(s.Customer(ctx, "acme"))(t)
	if c != stored || stored.Name != "Acme Industries" || stored.Segment != "int" || !stored.UpdatedAt.Equal(later) || !stored.CreatedAt.Equal(t0) {
		t.Errorf("returned %+v, stored %+v", c, stored)
	}
	c = must(s.UpdateCustomer(ctx, "acme", eccs.CustomerUpdate{Name: ptr("Acme Group")}))(t)
	if c.Name != "Acme Group" || c.Segment != "int" {
		t.Errorf("after renaming: %+v", c)
	}
	// Contracts read the customer's name from its row.
	if got := must(s.Contract(ctx, "BA1-FE"))(t); got.CustomerName != "Acme Group" || got.CustomerSegment != "int" {
		t.Errorf("contract shows customer %q (%s)", got.CustomerName, got.CustomerSegment)
	}
}

// wantBillingAccountRename checks a billing account's new name, returned and listed.
func (u *catalogUpdates) wantBillingAccountRename(t *testing.T) {
	ctx, s, later := u.w.ctx, u.w.svc, u.later
	b := must(s.RenameBillingAccount(ctx, "BA2", "Acme Research"))(t)
	list, total := must2(s.BillingAccounts(ctx, "acme", eccs.Page{}))(t)
	if total != 2 || len(list) != 2 || list[1] != b || b.Name != "Acme Research" || b.CustomerID != "acme" || !b.UpdatedAt.Equal(later) {
		t.Errorf("renamed %+v, listed %+v", b, list)
	}
}

// wantOfferUpdate checks that an offer's update keeps what is not given, and that its contracts
// keep their support level.
func (u *catalogUpdates) wantOfferUpdate(t *testing.T) {
	w, ctx, s, later := u.w, u.w.ctx, u.w.svc, u.later
	o := must(s.UpdateOffer(ctx, "CAV", eccs.OfferUpdate{SupportLevels: []string{"BSC", "PRM", "BSC"}}))(t)
	got := must(w.store.Offer(ctx, "CAV"))(t)
	if !slices.Equal(got.SupportLevels, []string{"BSC", "PRM"}) || got.Name != "Cloud Avenue" || got.ContractType != "PAAS" ||
		!slices.Equal(o.SupportLevels, got.SupportLevels) || !got.UpdatedAt.Equal(later) {
		t.Errorf("returned %+v, stored %+v", o, got)
	}
	o = must(s.UpdateOffer(ctx, "CAV", eccs.OfferUpdate{Name: ptr("Cloud Avenue 2"), ContractType: ptr("IAAS")}))(t)
	if o.Name != "Cloud Avenue 2" || o.ContractType != "IAAS" || !slices.Equal(o.SupportLevels, []string{"BSC", "PRM"}) {
		t.Errorf("after renaming: %+v", o)
	}
	// Contracts keep the support level they were ordered with.
	if c := must(s.Contract(ctx, "BA1-CAV"))(t); c.SupportLevel != "BSC" || c.OfferName != "Cloud Avenue 2" {
		t.Errorf("contract of the offer: %+v", c)
	}
}

// wantLists checks the lists of customers, billing accounts and offers.
func (u *catalogUpdates) wantLists(t *testing.T) {
	ctx, s := u.w.ctx, u.w.svc
	customers, total := must2(s.Customers(ctx, eccs.Page{}))(t)
	if total != 2 || len(customers) != 2 || customers[0].ID != "acme" || customers[1].ID != "globex" {
		t.Errorf("customers %+v total %d", customers, total)
	}
	page, total := must2(s.Customers(ctx, eccs.Page{Offset: 1, Limit: 1}))(t)
	if total != 2 || len(page) != 1 || page[0].ID != "globex" {
		t.Errorf("second page of customers %+v total %d", page, total)
	}
	all, total := must2(s.BillingAccounts(ctx, "", eccs.Page{}))(t)
	if total != 3 || len(all) != 3 {
		t.Errorf("every billing account: %+v", all)
	}
	none, total := must2(s.BillingAccounts(ctx, "nobody", eccs.Page{}))(t)
	if total != 0 || len(none) != 0 {
		t.Errorf("billing accounts of an unknown customer: %+v", none)
	}
	offers := must(s.Offers(ctx))(t)
	if len(offers) != 2 || offers[0].ID != "CAV" || offers[1].ID != "FE" {
		t.Errorf("offers %+v", offers)
	}
}

// wantRefusals checks that invalid or unknown updates are refused, unrecorded, and change
// nothing.
func (u *catalogUpdates) wantRefusals(t *testing.T) {
	w, ctx, s := u.w, u.w.ctx, u.w.svc
	for _, tc := range u.refusedUpdates() {
		t.Run(tc.name, func(t *testing.T) {
			err := w.wantNoEvent(t, tc.call)
			wantErr(t, err, tc.code, tc.r, tc.field)
		})
	}
	if c := must(s.Customer(ctx, "acme"))(t); c.Name != "Acme Group" || c.Segment != "int" {
		t.Errorf("a refused update changed the customer: %+v", c)
	}
	if o := must(w.store.Offer(ctx, "FE"))(t); o.Name != "Flexible Engine" || !slices.Equal(o.SupportLevels, []string{"PRM", "BSC", "ADV"}) {
		t.Errorf("a refused update changed the offer: %+v", o)
	}
}

// refusedUpdate is an update that must fail with code, reason r, and field.
type refusedUpdate struct {
	name  string
	call  func() error
	code  eccs.Code
	r     eccs.Reason
	field string
}

// refusedUpdates are the updates wantRefusals makes, and the errors they must fail with.
func (u *catalogUpdates) refusedUpdates() []refusedUpdate {
	ctx, s := u.w.ctx, u.w.svc
	return []refusedUpdate{
		{"customer unknown", func() error {
			_, err := s.UpdateCustomer(ctx, "nobody", eccs.CustomerUpdate{Name: ptr("X")})
			return err
		}, eccs.NotFound, "", ""},
		{"customer name empty", func() error {
			_, err := s.UpdateCustomer(ctx, "acme", eccs.CustomerUpdate{Name: ptr("")})
			return err
		}, eccs.Invalid, "", "name"},
		{"customer segment with a newline", func() error {
			_, err := s.UpdateCustomer(ctx, "acme", eccs.CustomerUpdate{Segment: ptr("a\nb")})
			return err
		}, eccs.Invalid, "", "segment"},
		{"billing account unknown", func() error {
			_, err := s.RenameBillingAccount(ctx, "BA9", "X")
			return err
		}, eccs.NotFound, "", ""},
		{"billing account name too long", func() error {
			_, err := s.RenameBillingAccount(ctx, "BA1", strings.Repeat("n", 201))
			return err
		}, eccs.Invalid, "", "name"},
		{"offer unknown", func() error {
			_, err := s.UpdateOffer(ctx, "NOPE", eccs.OfferUpdate{Name: ptr("X")})
			return err
		}, eccs.NotFound, "", ""},
		{"offer without support levels", func() error {
			_, err := s.UpdateOffer(ctx, "FE", eccs.OfferUpdate{SupportLevels: []string{}})
			return err
		}, eccs.Invalid, eccs.ReasonMissing, "supportLevels"},
		{"offer support level with a space", func() error {
			_, err := s.UpdateOffer(ctx, "FE", eccs.OfferUpdate{SupportLevels: []string{"B SC"}})
			return err
		}, eccs.Invalid, "", "supportLevels"},
		{"offer contract type empty", func() error {
			_, err := s.UpdateOffer(ctx, "FE", eccs.OfferUpdate{ContractType: ptr("")})
			return err
		}, eccs.Invalid, "", "contractType"},
		{"offer name empty", func() error {
			_, err := s.UpdateOffer(ctx, "FE", eccs.OfferUpdate{Name: ptr("")})
			return err
		}, eccs.Invalid, "", "name"},
	}
}

// must2(f())(t) returns f's two values, failing the test if f returned an error.
func must2[T, U any](v T, u U, err error) func(t testing.TB) (T, U) {
	return func(t testing.TB) (T, U) {
		t.Helper()
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return v, u
	}
}
