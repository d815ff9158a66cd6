package storetest

import (
	"fmt"
	"slices"
	"testing"

	"github.com/eccs/eccs/internal/eccs"
)

func contractIDs(list []eccs.Contract) []string {
	ids := []string{}
	for _, c := range list {
		ids = append(ids, c.ID)
	}
	return ids
}

func documentIDs(list []eccs.Document) []string {
	ids := []string{}
	for _, d := range list {
		ids = append(ids, d.ID)
	}
	return ids
}

// contractWorld stores contracts around an administrator perimeter {ba-2, ba-1} x {FE}, and
// declarations of alice, plus one contract (OCB0000007) of a second customer. Ids mix cases
// and punctuation: lists sort by byte order.
func contractWorld(t *testing.T, s eccs.Store) (world, map[string]eccs.Contract) {
	t.Helper()
	ctx := t.Context()
	w := seed(t, s)
	all := map[string]eccs.Contract{}
	for _, c := range []struct {
		id string
		b  eccs.BillingAccount
		o  eccs.Offer
	}{
		{"OCB0000003", w.b1, w.o1}, // in the perimeter
		{"OCB0000001", w.b2, w.o1}, // in
		{"OCB0000002", w.b1, w.o2}, // billing account in, offer out
		{"OCB0000004", w.b3, w.o1}, // offer in, billing account out
		{"OCB0000005", w.b2, w.o1}, // in
		{"a-1", w.b1, w.o1},        // in; lower case sorts after upper case
		{"Z-1", w.b2, w.o1},        // in
		{"OCB0000006", w.b3, w.o2}, // both out
	} {
		all[c.id] = w.createContract(t, s, c.id, c.b, c.o, w.bob)
	}
	globex := eccs.Customer{ID: "cust-2", Name: "Globex", Segment: "int", CreatedAt: at(0), UpdatedAt: at(0)}
	must(t, s.CreateCustomer(ctx, globex))
	ba9 := eccs.BillingAccount{ID: "ba-9", CustomerID: globex.ID, Name: "Globex main", CreatedAt: at(1), UpdatedAt: at(1)}
	must(t, s.CreateBillingAccount(ctx, ba9))
	c7 := w.createContract(t, s, "OCB0000007", ba9, w.o2, w.alice)
	c7.CustomerID, c7.CustomerName, c7.CustomerSegment = globex.ID, globex.Name, globex.Segment
	all[c7.ID] = c7
	must(t, s.CreateAccount(ctx, w.adminAccount("acct-admin", w.alice, eccs.Perimeter{
		BillingAccountIDs: []string{w.b2.ID, w.b1.ID}, OfferIDs: []string{w.o1.ID},
	})))
	must(t, s.CreateAccount(ctx, w.adminAccount("acct-empty", w.alice, eccs.Perimeter{})))
	must(t, s.CreateAccount(ctx, w.adminAccount("acct-no-offer", w.alice, eccs.Perimeter{
		BillingAccountIDs: []string{w.b1.ID, w.b2.ID, w.b3.ID},
	})))
	for _, id := range []string{"a-1", "OCB0000004", "OCB0000002"} {
		must(t, s.CreateDeclaration(ctx, w.declaration(id, w.alice)))
	}
	return w, all
}

// testPerimeterPages checks every page of perimeters of few and of many (billing account,
// offer) pairs against the whole sorted list: a store may page a perimeter pair by pair
// and merge (sqlstore does, up to 64 pairs), so pages must come out the same whatever the
// number of pairs.
func testPerimeterPages(t *testing.T, open func(t *testing.T) eccs.Store) {
	for _, offers := range []int{3, 70} {
		t.Run(fmt.Sprintf("%d offers", offers), func(t *testing.T) {
			s := open(t)
			ctx := t.Context()
			w := seed(t, s)
			perimeter := eccs.Perimeter{BillingAccountIDs: []string{w.b1.ID, w.b2.ID}}
			var want []string
			for i := range offers {
				o := w.o1
				o.ID, o.Name = fmt.Sprintf("OFFER-%03d", i), fmt.Sprintf("Offer %d", i)
				must(t, s.CreateOffer(ctx, o))
				perimeter.OfferIDs = append(perimeter.OfferIDs, o.ID)
				// Contract numbers interleave across pairs, and some pairs hold none.
				for j := range i % 3 {
					for _, b := range []eccs.BillingAccount{w.b1, w.b2, w.b3} {
						id := fmt.Sprintf("C%03d-%d-%s", (i*7+j*13)%97, j, b.ID)
						w.createContract(t, s, id, b, o, w.bob)
						if b.ID != w.b3.ID {
							want = append(want, id)
						}
					}
				}
			}
			slices.Sort(want)
			must(t, s.CreateAccount(ctx, w.adminAccount("acct-wide", w.alice, perimeter)))
			for _, limit := range []int{1, 2, 7, 1000} {
				for offset := 0; offset <= len(want)+1; offset += max(1, limit/2) {
					list, total, err := s.Contracts(ctx, eccs.ContractFilter{PerimeterOf: "acct-wide", Page: eccs.Page{Limit: limit, Offset: offset}})
					must(t, err)
					page := want[min(offset, len(want)):min(offset+limit, len(want))]
					if got := contractIDs(list); !slices.Equal(got, page) || total != len(want) {
						t.Fatalf("limit %d offset %d: %v (total %d), want %v (total %d)", limit, offset, got, total, page, len(want))
					}
				}
			}
		})
	}
}

func testContractLists(t *testing.T, open func(t *testing.T) eccs.Store) {
	for _, tc := range append(selectedContractCases(), allContractCases()...) {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			_, all := contractWorld(t, s)
			list, total, err := s.Contracts(t.Context(), tc.filter)
			must(t, err)
			if list == nil {
				t.Error("Contracts returned a nil list; an empty page is an empty slice")
			}
			equal(t, "ids", contractIDs(list), tc.want)
			if total != tc.total {
				t.Errorf("total = %d, want %d", total, tc.total)
			}
			for _, c := range list {
				equal(t, "listed contract "+c.ID, c, all[c.ID])
			}
		})
	}
	// A filter must say what it selects: a forgotten or doubled field is a bug of the caller,
	// never "every contract".
	for _, tc := range []struct {
		name   string
		filter eccs.ContractFilter
	}{
		{"filter without a selector is Internal", eccs.ContractFilter{Page: eccs.Page{Limit: 10}}},
		{"filter with only narrowing fields is Internal", eccs.ContractFilter{CustomerID: "cust-1", OfferID: "FE"}},
		{"declared identity and perimeter together are Internal", eccs.ContractFilter{DeclaredIdentityID: "id-alice", PerimeterOf: "acct-admin"}},
		{"perimeter and all together are Internal", eccs.ContractFilter{PerimeterOf: "acct-admin", All: true}},
		{"declared identity and all together are Internal", eccs.ContractFilter{DeclaredIdentityID: "id-alice", All: true}},
		{"all three selectors are Internal", eccs.ContractFilter{DeclaredIdentityID: "id-alice", PerimeterOf: "acct-admin", All: true}},
		{"narrowing a perimeter is Internal", eccs.ContractFilter{PerimeterOf: "acct-admin", OfferID: "FE"}},
		{"narrowing a declared identity is Internal", eccs.ContractFilter{DeclaredIdentityID: "id-alice", CustomerID: "cust-1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			contractWorld(t, s)
			list, total, err := s.Contracts(t.Context(), tc.filter)
			checkCode(t, err, eccs.Internal)
			if len(list) != 0 || total != 0 {
				t.Errorf("Contracts returned %d contracts and total %d with its error", len(list), total)
			}
		})
	}
}

// selectedContractCases are the Contracts filters on contractWorld that select by the
// administrator perimeter or the declared identity, each with what it selects.
func selectedContractCases() []listCase[eccs.ContractFilter] {
	perimeter := func(p eccs.Page) eccs.ContractFilter { return eccs.ContractFilter{PerimeterOf: "acct-admin", Page: p} }
	declared := func(p eccs.Page) eccs.ContractFilter {
		return eccs.ContractFilter{DeclaredIdentityID: "id-alice", Page: p}
	}
	return []listCase[eccs.ContractFilter]{
		{"perimeter selects contracts whose billing account and offer are both in it, by id",
			perimeter(eccs.Page{}), []string{"OCB0000001", "OCB0000003", "OCB0000005", "Z-1", "a-1"}, 5},
		{"perimeter page is a slice of the sorted list with the full total",
			perimeter(eccs.Page{Offset: 1, Limit: 2}), []string{"OCB0000003", "OCB0000005"}, 5},
		{"perimeter first page", perimeter(eccs.Page{Limit: 1}), []string{"OCB0000001"}, 5},
		{"perimeter offset without a limit returns the rest",
			perimeter(eccs.Page{Offset: 3}), []string{"Z-1", "a-1"}, 5},
		{"perimeter limit past the end returns the rest",
			perimeter(eccs.Page{Offset: 4, Limit: 10}), []string{"a-1"}, 5},
		{"perimeter offset past the end is empty with the full total",
			perimeter(eccs.Page{Offset: 10, Limit: 2}), []string{}, 5},
		{"declared identity selects the contracts it is declared on, by id",
			declared(eccs.Page{}), []string{"OCB0000002", "OCB0000004", "a-1"}, 3},
		{"declared page is a slice of the sorted list with the full total",
			declared(eccs.Page{Offset: 2, Limit: 1}), []string{"a-1"}, 3},
		{"declared offset past the end is empty with the full total",
			declared(eccs.Page{Offset: 3}), []string{}, 3},
		{"identity declared nowhere selects nothing",
			eccs.ContractFilter{DeclaredIdentityID: "id-bob"}, []string{}, 0},
		{"empty perimeter selects nothing",
			eccs.ContractFilter{PerimeterOf: "acct-empty"}, []string{}, 0},
		{"perimeter without offers selects nothing",
			eccs.ContractFilter{PerimeterOf: "acct-no-offer"}, []string{}, 0},
		{"unknown account selects nothing",
			eccs.ContractFilter{PerimeterOf: "acct-none"}, []string{}, 0},
	}
}

// allContractCases are the Contracts filters on contractWorld that select every contract,
// narrowed or not, each with what it selects.
func allContractCases() []listCase[eccs.ContractFilter] {
	every := func(customer, billingAccount, offer string, p eccs.Page) eccs.ContractFilter {
		return eccs.ContractFilter{All: true, CustomerID: customer, BillingAccountID: billingAccount, OfferID: offer, Page: p}
	}
	allIDs := []string{"OCB0000001", "OCB0000002", "OCB0000003", "OCB0000004", "OCB0000005", "OCB0000006", "OCB0000007", "Z-1", "a-1"}
	return []listCase[eccs.ContractFilter]{
		{"all selects every contract of every customer, by id",
			every("", "", "", eccs.Page{}), allIDs, 9},
		{"all page is a slice of the sorted list with the full total",
			every("", "", "", eccs.Page{Offset: 2, Limit: 3}), []string{"OCB0000003", "OCB0000004", "OCB0000005"}, 9},
		{"all offset past the end is empty with the full total",
			every("", "", "", eccs.Page{Offset: 9, Limit: 3}), []string{}, 9},
		{"all narrowed by customer selects the contracts of its billing accounts",
			every("cust-1", "", "", eccs.Page{}), []string{"OCB0000001", "OCB0000002", "OCB0000003", "OCB0000004", "OCB0000005", "OCB0000006", "Z-1", "a-1"}, 8},
		{"all narrowed by the other customer selects its one contract",
			every("cust-2", "", "", eccs.Page{}), []string{"OCB0000007"}, 1},
		{"all narrowed by billing account",
			every("", "ba-1", "", eccs.Page{}), []string{"OCB0000002", "OCB0000003", "a-1"}, 3},
		{"all narrowed by offer",
			every("", "", "CAV", eccs.Page{}), []string{"OCB0000002", "OCB0000006", "OCB0000007"}, 3},
		{"all narrowed by billing account and offer",
			every("", "ba-1", "FE", eccs.Page{}), []string{"OCB0000003", "a-1"}, 2},
		{"all narrowed by customer and offer",
			every("cust-1", "", "CAV", eccs.Page{}), []string{"OCB0000002", "OCB0000006"}, 2},
		{"all narrowed by customer, billing account and offer",
			every("cust-1", "ba-2", "FE", eccs.Page{}), []string{"OCB0000001", "OCB0000005", "Z-1"}, 3},
		{"all narrowed by a customer and another customer's billing account selects nothing",
			every("cust-2", "ba-1", "", eccs.Page{}), []string{}, 0},
		{"all narrowed by offer, paged, with the narrowed total",
			every("", "", "FE", eccs.Page{Offset: 4, Limit: 5}), []string{"Z-1", "a-1"}, 6},
		{"all narrowed by an unknown offer selects nothing",
			every("", "", "NONE", eccs.Page{}), []string{}, 0},
	}
}

// orderedDocuments returns the documents of OCB0000001 in the order lists must give them:
// period, then creation time, then id, all descending.
func orderedDocuments() []eccs.Document {
	ordered := []eccs.Document{
		document("doc-b", "OCB0000001", eccs.TypeBills, "202602", 65),
		document("doc-a", "OCB0000001", eccs.TypeReports, "202602", 65),
		document("doc-c", "OCB0000001", eccs.TypeInvoices, "202602", 61),
		document("doc-z", "OCB0000001", eccs.TypeBills, "202601", 90),
		document("doc-y", "OCB0000001", eccs.TypeReports, "202512", 99),
	}
	// Two documents share a file name, as monthly statements do.
	ordered[3].Filename, ordered[4].Filename = "statement.pdf", "statement.pdf"
	return ordered
}

func testDocumentLists(t *testing.T, open func(t *testing.T) eccs.Store) {
	ordered := orderedDocuments()
	setup := func(t *testing.T) eccs.Store {
		s := open(t)
		w := seed(t, s)
		w.createContract(t, s, "OCB0000001", w.b1, w.o1, w.alice)
		w.createContract(t, s, "OCB0000002", w.b1, w.o1, w.alice)
		// Stored in another order than listed, so that insertion order cannot pass for sorting.
		for _, i := range []int{3, 0, 4, 2, 1} {
			must(t, s.CreateDocument(t.Context(), ordered[i]))
		}
		other := document("doc-other", "OCB0000002", eccs.TypeBills, "202602", 70)
		other.Filename = "statement.pdf"
		must(t, s.CreateDocument(t.Context(), other))
		return s
	}
	byID := map[string]eccs.Document{}
	for _, d := range ordered {
		byID[d.ID] = d
	}
	for _, tc := range documentFilterCases() {
		t.Run(tc.name, func(t *testing.T) {
			s := setup(t)
			list, total, err := s.Documents(t.Context(), tc.filter)
			must(t, err)
			if list == nil {
				t.Error("Documents returned a nil list; an empty page is an empty slice")
			}
			equal(t, "ids", documentIDs(list), tc.want)
			if total != tc.total {
				t.Errorf("total = %d, want %d", total, tc.total)
			}
			for _, d := range list {
				if want, ok := byID[d.ID]; ok {
					equal(t, "listed document "+d.ID, d, want)
				}
			}
		})
	}
}

// documentFilterCases are the Documents filters on orderedDocuments and doc-other, the one
// document of OCB0000002, each with what it selects.
func documentFilterCases() []listCase[eccs.DocumentFilter] {
	allTypes := eccs.DocumentTypes
	return []listCase[eccs.DocumentFilter]{
		{"every type lists the contract's documents newest period first, then newest, then highest id",
			eccs.DocumentFilter{ContractID: "OCB0000001", Types: allTypes}, []string{"doc-b", "doc-a", "doc-c", "doc-z", "doc-y"}, 5},
		{"one type lists only that type",
			eccs.DocumentFilter{ContractID: "OCB0000001", Types: []eccs.DocumentType{eccs.TypeBills}}, []string{"doc-b", "doc-z"}, 2},
		{"two types list both in order",
			eccs.DocumentFilter{ContractID: "OCB0000001", Types: []eccs.DocumentType{eccs.TypeReports, eccs.TypeBills}},
			[]string{"doc-b", "doc-a", "doc-z", "doc-y"}, 4},
		{"page is a slice of the sorted list with the full total",
			eccs.DocumentFilter{ContractID: "OCB0000001", Types: allTypes, Page: eccs.Page{Offset: 1, Limit: 2}}, []string{"doc-a", "doc-c"}, 5},
		{"offset without a limit returns the rest",
			eccs.DocumentFilter{ContractID: "OCB0000001", Types: allTypes, Page: eccs.Page{Offset: 3}}, []string{"doc-z", "doc-y"}, 5},
		{"offset past the end is empty with the full total",
			eccs.DocumentFilter{ContractID: "OCB0000001", Types: allTypes, Page: eccs.Page{Offset: 5, Limit: 10}}, []string{}, 5},
		{"paged type filter counts only that type",
			eccs.DocumentFilter{ContractID: "OCB0000001", Types: []eccs.DocumentType{eccs.TypeBills}, Page: eccs.Page{Offset: 1, Limit: 1}}, []string{"doc-z"}, 2},
		{"empty types select nothing",
			eccs.DocumentFilter{ContractID: "OCB0000001", Types: []eccs.DocumentType{}}, []string{}, 0},
		{"type without documents selects nothing",
			eccs.DocumentFilter{ContractID: "OCB0000001", Types: []eccs.DocumentType{eccs.TypePartialBills}}, []string{}, 0},
		{"another contract lists only its own documents",
			eccs.DocumentFilter{ContractID: "OCB0000002", Types: allTypes}, []string{"doc-other"}, 1},
		{"unknown contract lists nothing",
			eccs.DocumentFilter{ContractID: "OCB9999999", Types: allTypes}, []string{}, 0},
		{"period narrows to that month",
			eccs.DocumentFilter{ContractID: "OCB0000001", Types: allTypes, Period: "202602"}, []string{"doc-b", "doc-a", "doc-c"}, 3},
		{"period and type narrow together",
			eccs.DocumentFilter{ContractID: "OCB0000001", Types: []eccs.DocumentType{eccs.TypeBills}, Period: "202602"}, []string{"doc-b"}, 1},
		{"paged period counts only that month",
			eccs.DocumentFilter{ContractID: "OCB0000001", Types: allTypes, Period: "202602", Page: eccs.Page{Offset: 1, Limit: 1}}, []string{"doc-a"}, 3},
		{"period without documents selects nothing",
			eccs.DocumentFilter{ContractID: "OCB0000001", Types: allTypes, Period: "202603"}, []string{}, 0},
		{"period is an exact match, not a prefix",
			eccs.DocumentFilter{ContractID: "OCB0000001", Types: allTypes, Period: "2026"}, []string{}, 0},
		{"file name narrows to the contract's documents of that name",
			eccs.DocumentFilter{ContractID: "OCB0000001", Types: allTypes, Filename: "statement.pdf"}, []string{"doc-z", "doc-y"}, 2},
		{"file name is an exact match, with case",
			eccs.DocumentFilter{ContractID: "OCB0000001", Types: allTypes, Filename: "Statement.pdf"}, []string{}, 0},
		{"file name and period narrow together",
			eccs.DocumentFilter{ContractID: "OCB0000001", Types: allTypes, Filename: "statement.pdf", Period: "202601"}, []string{"doc-z"}, 1},
		{"file name, period and type that match nothing together select nothing",
			eccs.DocumentFilter{ContractID: "OCB0000001", Types: []eccs.DocumentType{eccs.TypeBills}, Filename: "statement.pdf", Period: "202512"}, []string{}, 0},
		{"file name and type narrow together",
			eccs.DocumentFilter{ContractID: "OCB0000001", Types: []eccs.DocumentType{eccs.TypeReports}, Filename: "statement.pdf"}, []string{"doc-y"}, 1},
		{"file name shared with another contract lists only that contract's document",
			eccs.DocumentFilter{ContractID: "OCB0000002", Types: allTypes, Filename: "statement.pdf"}, []string{"doc-other"}, 1},
	}
}
