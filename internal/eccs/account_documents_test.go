package eccs_test

import (
	"cmp"
	"slices"
	"testing"

	"github.com/eccs/eccs/internal/eccs"
)

// AccountDocuments lists, in one call, what DocumentsOfPeriod lists contract by contract for
// every contract the account sees and may read the documents of, newest first.
func TestAccountDocumentsAreWhatEachContractsReaderLists(t *testing.T) {
	t.Parallel()
	w, _, _ := docWorld(t)
	for _, acct := range []eccs.Account{w.carol, w.admin, w.rita} {
		for _, types := range [][]eccs.DocumentType{nil, {eccs.TypeBills, eccs.TypeReports}, {}} {
			for _, period := range []string{"", "202503"} {
				want := documentsContractByContract(t, w, acct, types, period)
				got, total, err := w.svc.AccountDocuments(w.ctx, acct, types, period, eccs.Page{})
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(got, want) || total != len(want) {
					t.Errorf("%s, types %v, period %q: got %v (total %d), want %v", acct.ID, types, period, ids(got), total, ids(want))
				}
				page, total, err := w.svc.AccountDocuments(w.ctx, acct, types, period, eccs.Page{Offset: 1, Limit: 2})
				if err != nil || total != len(want) || !slices.Equal(page, want[min(1, len(want)):min(3, len(want))]) {
					t.Errorf("%s, types %v, period %q: page 2 of 2 is %v (total %d, %v)", acct.ID, types, period, ids(page), total, err)
				}
			}
		}
	}
}

// documentsContractByContract is what AccountDocuments must give, gathered the long way.
func documentsContractByContract(t *testing.T, w *world, acct eccs.Account, types []eccs.DocumentType, period string) []eccs.Document {
	t.Helper()
	contracts, _, err := w.svc.Contracts(w.ctx, acct, eccs.Page{})
	if err != nil {
		t.Fatal(err)
	}
	want := []eccs.Document{}
	for _, c := range contracts {
		a, err := w.svc.ContractAccess(w.ctx, acct, c.ID)
		if eccs.ErrorCode(err) == eccs.Forbidden {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		r, err := eccs.MayReadDocuments(a)
		if err != nil {
			continue
		}
		list, _, err := w.svc.DocumentsOfPeriod(w.ctx, r, types, period, eccs.Page{})
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, list...)
	}
	slices.SortFunc(want, func(a, b eccs.Document) int {
		return cmp.Or(cmp.Compare(b.Period, a.Period), b.CreatedAt.Compare(a.CreatedAt), cmp.Compare(b.ID, a.ID))
	})
	return want
}

func TestAccountDocumentsRefuseAPeriodThatIsNotAMonth(t *testing.T) {
	t.Parallel()
	w, _, _ := docWorld(t)
	_, _, err := w.svc.AccountDocuments(w.ctx, w.admin, nil, "2025-03", eccs.Page{})
	wantErr(t, err, eccs.Invalid, eccs.ReasonNone, "period")
}
