package storetest

import (
	"context"
	"testing"

	"github.com/eccs/eccs/internal/eccs"
)

// This file checks the operator's view of the catalogue: lists of customers, billing accounts
// and offers, their updates, and identities by id.

// checkPage fails unless a list call returned no error, a non-nil list whose ids are want, and
// total.
func checkPage[T any](t *testing.T, list []T, total int, err error, id func(T) string, want []string, wantTotal int) {
	t.Helper()
	must(t, err)
	if list == nil {
		t.Error("the list is nil; an empty page is an empty slice")
	}
	got := []string{}
	for _, v := range list {
		got = append(got, id(v))
	}
	equal(t, "ids", got, want)
	if total != wantTotal {
		t.Errorf("total = %d, want %d", total, wantTotal)
	}
}

func customerID(c eccs.Customer) string             { return c.ID }
func billingAccountID(b eccs.BillingAccount) string { return b.ID }
func offerID(o eccs.Offer) string                   { return o.ID }

// catalogueWorld adds to the seed customers and billing accounts whose ids sort by byte order
// ("cust-A" before "cust-a"), and an offer without support levels.
func catalogueWorld(t *testing.T, s eccs.Store) (world, map[string]eccs.Customer, map[string]eccs.BillingAccount) {
	t.Helper()
	ctx := t.Context()
	w := seed(t, s)
	customers := map[string]eccs.Customer{w.customer.ID: w.customer}
	for _, id := range []string{"cust-b", "cust-a", "cust-A"} {
		c := eccs.Customer{ID: id, Name: "Customer " + id, Segment: "int", CreatedAt: at(2), UpdatedAt: at(3)}
		must(t, s.CreateCustomer(ctx, c))
		customers[id] = c
	}
	accounts := map[string]eccs.BillingAccount{w.b1.ID: w.b1, w.b2.ID: w.b2, w.b3.ID: w.b3}
	for _, b := range []eccs.BillingAccount{
		{ID: "ba-Z", CustomerID: "cust-b", Name: "Zed", CreatedAt: at(4), UpdatedAt: at(4)},
		{ID: "ba-0", CustomerID: "cust-b", Name: "Zero", CreatedAt: at(4), UpdatedAt: at(5)},
	} {
		must(t, s.CreateBillingAccount(ctx, b))
		accounts[b.ID] = b
	}
	must(t, s.CreateOffer(ctx, eccs.Offer{ID: "AAA", Name: "No levels", ContractType: "SAAS", CreatedAt: at(0), UpdatedAt: at(0)}))
	return w, customers, accounts
}

func testCatalogueLists(t *testing.T, open func(t *testing.T) eccs.Store) {
	for _, tc := range []listCase[eccs.Page]{
		{"customers are listed by id in byte order", eccs.Page{}, []string{"cust-1", "cust-A", "cust-a", "cust-b"}, 4},
		{"customer page is a slice with the full total", eccs.Page{Offset: 1, Limit: 2}, []string{"cust-A", "cust-a"}, 4},
		{"customer offset without a limit returns the rest", eccs.Page{Offset: 3}, []string{"cust-b"}, 4},
		{"customer offset past the end is empty with the full total", eccs.Page{Offset: 4, Limit: 1}, []string{}, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			_, customers, _ := catalogueWorld(t, s)
			list, total, err := s.Customers(t.Context(), tc.filter)
			checkPage(t, list, total, err, customerID, tc.want, tc.total)
			for _, c := range list {
				equal(t, "listed customer "+c.ID, c, customers[c.ID])
			}
		})
	}
	t.Run("no customers is an empty list", func(t *testing.T) {
		list, total, err := open(t).Customers(t.Context(), eccs.Page{Limit: 10})
		checkPage(t, list, total, err, customerID, []string{}, 0)
	})
	testBillingAccountLists(t, open)
	runStoreCases(t, open, []storeCase{
		{"offers are listed by id with their support levels in order", func(t *testing.T, s eccs.Store) {
			w, _, _ := catalogueWorld(t, s)
			list, err := s.Offers(t.Context())
			checkPage(t, list, 0, err, offerID, []string{"AAA", "CAV", "FE"}, 0)
			if len(list) == 3 {
				equal(t, "offer AAA", list[0], eccs.Offer{ID: "AAA", Name: "No levels", ContractType: "SAAS", CreatedAt: at(0), UpdatedAt: at(0)})
				equal(t, "offer CAV", list[1], w.o2)
				equal(t, "offer FE", list[2], w.o1)
			}
		}},
		{"no offers is an empty list", func(t *testing.T, s eccs.Store) {
			list, err := s.Offers(t.Context())
			checkPage(t, list, 0, err, offerID, []string{}, 0)
		}},
	})
}

// testBillingAccountLists runs BillingAccounts on catalogueWorld, of every customer or of one.
func testBillingAccountLists(t *testing.T, open func(t *testing.T) eccs.Store) {
	for _, tc := range []struct {
		name     string
		customer string
		page     eccs.Page
		want     []string
		total    int
	}{
		{"billing accounts of every customer are listed by id", "", eccs.Page{}, []string{"ba-0", "ba-1", "ba-2", "ba-3", "ba-Z"}, 5},
		{"billing accounts of one customer", "cust-1", eccs.Page{}, []string{"ba-1", "ba-2", "ba-3"}, 3},
		{"billing accounts of another customer", "cust-b", eccs.Page{}, []string{"ba-0", "ba-Z"}, 2},
		{"billing account page of one customer counts only that customer's", "cust-1", eccs.Page{Offset: 1, Limit: 1}, []string{"ba-2"}, 3},
		{"billing account page of every customer", "", eccs.Page{Offset: 3, Limit: 5}, []string{"ba-3", "ba-Z"}, 5},
		{"customer without billing accounts has none", "cust-a", eccs.Page{}, []string{}, 0},
		{"unknown customer has none", "cust-none", eccs.Page{}, []string{}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			_, _, accounts := catalogueWorld(t, s)
			list, total, err := s.BillingAccounts(t.Context(), tc.customer, tc.page)
			checkPage(t, list, total, err, billingAccountID, tc.want, tc.total)
			for _, b := range list {
				equal(t, "listed billing account "+b.ID, b, accounts[b.ID])
			}
		})
	}
}

func testCatalogueUpdates(t *testing.T, open func(t *testing.T) eccs.Store) {
	runStoreCases(t, open, []storeCase{
		{"updated customer reads back with its name, segment and update time changed", func(t *testing.T, s eccs.Store) {
			w := seed(t, s)
			c := w.customer
			c.Name, c.Segment, c.UpdatedAt = "Acme Group", "int", at(9)
			changed := c
			changed.CreatedAt = at(99) // not replaced
			must(t, s.UpdateCustomer(t.Context(), changed))
			got, err := s.Customer(t.Context(), c.ID)
			must(t, err)
			equal(t, "Customer", got, c)
		}},
		{"updated customer is what contracts then read", func(t *testing.T, s eccs.Store) {
			w := seed(t, s)
			want := w.createContract(t, s, "OCB0000001", w.b1, w.o1, w.alice)
			c := w.customer
			c.Name, c.Segment, c.UpdatedAt = "Acme Group", "int", at(9)
			must(t, s.UpdateCustomer(t.Context(), c))
			want.CustomerName, want.CustomerSegment = c.Name, c.Segment
			got, err := s.Contract(t.Context(), "OCB0000001")
			must(t, err)
			equal(t, "Contract", got, want)
		}},
		{"updated billing account reads back with its name and update time changed", billingAccountUpdated},
	})
	for _, tc := range []struct {
		name   string
		levels []string
	}{
		{"updated offer reads back with its fields and reordered support levels", []string{"ADV", "PRM"}},
		{"updated offer without support levels reads back without", nil},
	} {
		t.Run(tc.name, func(t *testing.T) { offerUpdated(t, open(t), tc.levels) })
	}
	runErrorCases(t, open, []errorCase{
		{"updating an unknown customer is NotFound", func(ctx context.Context, t *testing.T, s eccs.Store, w world) error {
			return s.UpdateCustomer(ctx, eccs.Customer{ID: "cust-none", Name: "X", Segment: "int"})
		}, eccs.NotFound},
		{"updating an unknown billing account is NotFound", func(ctx context.Context, t *testing.T, s eccs.Store, w world) error {
			return s.UpdateBillingAccount(ctx, eccs.BillingAccount{ID: "ba-none", CustomerID: w.customer.ID, Name: "X"})
		}, eccs.NotFound},
		{"updating an unknown offer is NotFound", func(ctx context.Context, t *testing.T, s eccs.Store, w world) error {
			return s.UpdateOffer(ctx, eccs.Offer{ID: "NONE", Name: "X", ContractType: "X", SupportLevels: []string{"BSC"}})
		}, eccs.NotFound},
	})
}

// billingAccountUpdated checks that UpdateBillingAccount replaces the name and update time of
// that one billing account, and keeps its customer and creation time.
func billingAccountUpdated(t *testing.T, s eccs.Store) {
	w := seed(t, s)
	must(t, s.CreateCustomer(t.Context(), eccs.Customer{ID: "cust-2", Name: "Other", Segment: "int"}))
	b := w.b2
	b.Name, b.UpdatedAt = "Labs & Research", at(9)
	changed := b
	changed.CustomerID, changed.CreatedAt = "cust-2", at(99) // not replaced
	must(t, s.UpdateBillingAccount(t.Context(), changed))
	got, err := s.BillingAccount(t.Context(), b.ID)
	must(t, err)
	equal(t, "BillingAccount", got, b)
	other, err := s.BillingAccount(t.Context(), w.b1.ID)
	must(t, err)
	equal(t, "untouched BillingAccount", other, w.b1)
}

// offerUpdated checks that UpdateOffer replaces the fields and support levels (in the given
// order) of that one offer, and keeps its creation time.
func offerUpdated(t *testing.T, s eccs.Store, levels []string) {
	w := seed(t, s)
	o := w.o1
	o.Name, o.ContractType, o.SupportLevels, o.UpdatedAt = "Flexible Engine 2", "PAAS", levels, at(9)
	changed := o
	changed.CreatedAt = at(99) // not replaced
	must(t, s.UpdateOffer(t.Context(), changed))
	got, err := s.Offer(t.Context(), o.ID)
	must(t, err)
	equal(t, "Offer", got, o)
	other, err := s.Offer(t.Context(), w.o2.ID)
	must(t, err)
	equal(t, "untouched Offer", other, w.o2)
}

func testIdentityByID(t *testing.T, open func(t *testing.T) eccs.Store) {
	t.Run("identity by id reads back equal", func(t *testing.T) {
		s := open(t)
		w := seed(t, s)
		for _, i := range []eccs.Identity{w.alice, w.bob} {
			got, err := s.Identity(t.Context(), i.ID)
			must(t, err)
			equal(t, "Identity", got, i)
		}
	})
	runErrorCases(t, open, []errorCase{
		{"unknown identity id is NotFound", func(ctx context.Context, t *testing.T, s eccs.Store, w world) error {
			_, err := s.Identity(ctx, "id-none")
			return err
		}, eccs.NotFound},
		{"identity id in another case is NotFound (ids are exact)", func(ctx context.Context, t *testing.T, s eccs.Store, w world) error {
			_, err := s.Identity(ctx, "ID-ALICE")
			return err
		}, eccs.NotFound},
	})
}
