// GET /documents: paging, order, type filters, roles, and the shape of a document.

package httpapi_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/eccs/eccs/api"
	"github.com/eccs/eccs/internal/testkit/apitest"
)

func TestDocumentsList(t *testing.T) {
	f := &docList{}
	f.w = newDocWorld(t)
	f.all, f.allResp = f.w.list(t, "", docContract, "?limit=1000")
	if len(f.all) != docPerContract || docTotal(t, f.allResp) != docPerContract {
		t.Fatalf("the seeded contract lists %d documents (X-Total-Count %d), want %d", len(f.all), docTotal(t, f.allResp), docPerContract)
	}

	t.Run("limit and offset select exactly that page", f.pages)
	t.Run("pages of 7 concatenate to the whole list without duplicates", f.pagesConcatenate)
	t.Run("sorted by period then createdAt, newest first", f.sorted)
	t.Run("each documentType lists only that type", f.eachType)
	t.Run("the correct spelling consumptionRatedReports answers the wire's comsumptionRatedReports", f.consumptionAlias)
	t.Run("an unknown documentType answers 200 {\"documents\":null}", f.unknownType)
	t.Run("the same list answers every spelling of the request", f.spellings)
	t.Run("bad query parameters are refused", f.badQuery)
	t.Run("a visitor on documents sees only the reports", f.visitor)
	t.Run("a visitor asking for money documents gets [] with X-Total-Count 0", f.visitorMoney)
	t.Run("a client manager on another contract's documents sees every type", f.clientManager)
	t.Run("documents are shaped as the wire says", f.shape)
	t.Run("X-ECCS-Contract-Id is checked", f.contractHeader)
	t.Run("the contract header is checked before the query", f.headerBeforeQuery)
	t.Run("the contract's visibility is checked before the query (doc/wire.md §3 first)", f.visibilityBeforeQuery)
}

// docList is what the subtests of TestDocumentsList share.
type docList struct {
	w       *docWorld
	all     []api.Document
	allResp apitest.Response
}

// pages is the subtest "limit and offset select exactly that page".
func (f *docList) pages(t *testing.T) {
	w, all := f.w, f.all
	for _, tc := range []struct {
		name        string
		query       string
		start, want int // the page is all[start:start+want]
	}{
		{"no limit answers the default 10", "", 0, 10},
		{"limit=3 answers 3", "?limit=3", 0, 3},
		{"limit=1 answers 1", "?limit=1", 0, 1},
		{"limit=54 answers all 54", "?limit=54", 0, 54},
		{"limit=55 answers all 54", "?limit=55", 0, 54},
		{"limit=1000 answers all 54", "?limit=1000", 0, 54},
		{"offset=5 with limit=3 answers the 6th to 8th", "?offset=5&limit=3", 5, 3},
		{"offset alone keeps the default limit", "?offset=20", 20, 10},
		{"offset=50 answers the last 4", "?offset=50", 50, 4},
		{"offset=0 is the first page", "?offset=0&limit=2", 0, 2},
		{"offset at the end answers none", "?offset=54", 54, 0},
		{"offset far past the end answers none", "?offset=1073741824", 54, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			docs, r := w.list(t, "", docContract, tc.query)
			if got, want := docIDs(docs), docIDs(all[tc.start:tc.start+tc.want]); !slices.Equal(got, want) {
				t.Errorf("ids %v, want %v", got, want)
			}
			if n := docTotal(t, r); n != docPerContract {
				t.Errorf("X-Total-Count %d, want %d", n, docPerContract)
			}
		})
	}
}

// pagesConcatenate is the subtest "pages of 7 concatenate to the whole list without duplicates".
func (f *docList) pagesConcatenate(t *testing.T) {
	w, all := f.w, f.all
	var got []string
	seen := map[string]bool{}
	for off := 0; off < docPerContract+7; off += 7 {
		docs, _ := w.list(t, "", docContract, fmt.Sprintf("?limit=7&offset=%d", off))
		for _, d := range docs {
			if seen[d.ID] {
				t.Errorf("document %s is on two pages", d.ID)
			}
			seen[d.ID] = true
			got = append(got, d.ID)
		}
	}
	if want := docIDs(all); !slices.Equal(got, want) {
		t.Errorf("pages give %v, want %v", got, want)
	}
}

// sorted is the subtest "sorted by period then createdAt, newest first".
func (f *docList) sorted(t *testing.T) {
	w, all := f.w, f.all
	for i := 1; i < len(all); i++ {
		a, b := all[i-1], all[i]
		if a.Period < b.Period || a.Period == b.Period && a.CreatedAt.Before(b.CreatedAt) {
			t.Errorf("element %d (%s %s %s) comes before element %d (%s %s %s)",
				i-1, a.Period, a.CreatedAt, a.DocumentType, i, b.Period, b.CreatedAt, b.DocumentType)
		}
	}
	if all[0].Period != "202606" {
		t.Errorf("element 0 covers %s, want the current month 202606 (partial documents)", all[0].Period)
	}
	bills, _ := w.list(t, "", docContract, "?documentType=bills&limit=1000")
	if len(bills) == 0 || bills[0].Period != "202605" || bills[0].DocumentType != api.DocumentBills {
		t.Fatalf("element 0 of the bills is not the 202605 bill: %+v", bills)
	}
	if last := bills[len(bills)-1]; last.Period != "202505" {
		t.Errorf("the last bill covers %s, want 202505", last.Period)
	}
	latest, _ := w.list(t, "", docContract, "?documentType=bills&limit=1")
	if len(latest) != 1 || latest[0].ID != bills[0].ID {
		t.Errorf("limit=1 gives %v, want the latest bill %s", docIDs(latest), bills[0].ID)
	}
}

// eachType is the subtest "each documentType lists only that type".
func (f *docList) eachType(t *testing.T) {
	w := f.w
	for typ, want := range docPerType {
		t.Run(typ, func(t *testing.T) {
			docs, r := w.list(t, "", docContract, "?limit=1000&documentType="+typ)
			if len(docs) != want || docTotal(t, r) != want {
				t.Errorf("%d documents (X-Total-Count %d), want %d", len(docs), docTotal(t, r), want)
			}
			for _, d := range docs {
				if d.DocumentType != typ {
					t.Errorf("document %s is a %s", d.ID, d.DocumentType)
				}
			}
			def, _ := w.list(t, "", docContract, "?documentType="+typ)
			if len(def) != min(want, 10) {
				t.Errorf("without limit: %d documents, want %d", len(def), min(want, 10))
			}
		})
	}
}

// consumptionAlias is the subtest "the correct spelling consumptionRatedReports answers the wire's comsumptionRatedReports".
func (f *docList) consumptionAlias(t *testing.T) {
	w := f.w
	wire, wireResp := w.list(t, "", docContract, "?limit=1000&documentType=comsumptionRatedReports")
	alias, aliasResp := w.list(t, "", docContract, "?limit=1000&documentType=consumptionRatedReports")
	if !bytes.Equal(wireResp.Body, aliasResp.Body) {
		t.Errorf("the alias answers another list:\n%s\nwant\n%s", aliasResp.Body, wireResp.Body)
	}
	if len(alias) != 13 {
		t.Errorf("%d documents, want 13", len(alias))
	}
	for _, d := range append(wire, alias...) {
		if d.DocumentType != "comsumptionRatedReports" {
			t.Errorf("document %s says %q, want the wire's comsumptionRatedReports", d.ID, d.DocumentType)
		}
	}
	if !bytes.Contains(aliasResp.Body, []byte(`"documentType":"comsumptionRatedReports"`)) || bytes.Contains(aliasResp.Body, []byte(`consumptionRatedReports"`)) {
		t.Errorf("body does not spell the type as the wire does: %s", aliasResp.Body)
	}
}

// unknownType is the subtest "an unknown documentType answers 200 {\"documents\":null}".
func (f *docList) unknownType(t *testing.T) {
	w := f.w
	for _, tc := range []struct{ name, key, contract, value string }{
		{"all", "", docContract, "all"},
		{"toto", "", docContract, "toto"},
		{"partialComsumptionRatedReports (misspelt like the other)", "", docContract, "partialComsumptionRatedReports"},
		{"BILLS (case matters)", "", docContract, "BILLS"},
		{"bills with a trailing space", "", docContract, "bills%20"},
		{"a visitor asking an unknown type", "", docVisitorContract, "all"},
		{"with limit and offset", "", docContract, "toto&limit=3&offset=2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := w.do(t, docReq{path: "/documents?documentType=" + tc.value, key: tc.key, contract: tc.contract}).WantStatus(t, http.StatusOK)
			if string(r.Body) != docNullBody {
				t.Errorf("body %s, want exactly %s", r.Body, docNullBody)
			}
			if ct := r.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q", ct)
			}
			if r.Header.Get(api.HeaderTotalCount) != "0" || r.Header.Get(api.HeaderResultCount) != "0" {
				t.Errorf("counts %q/%q, want 0/0", r.Header.Get(api.HeaderTotalCount), r.Header.Get(api.HeaderResultCount))
			}
		})
	}
}

// spellings is the subtest "the same list answers every spelling of the request".
func (f *docList) spellings(t *testing.T) {
	w, allResp := f.w, f.allResp
	for _, tc := range []struct{ name, path string }{
		{"an empty documentType lists every type", "/documents?documentType=&limit=1000"},
		{"the singular alias /document", "/document?limit=1000"},
		{"a trailing slash", "/documents/?limit=1000"},
		{"the singular alias with a trailing slash", "/document/?limit=1000"},
		{"the parameters in another order", "/documents?limit=1000&documentType="},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := w.do(t, docReq{path: tc.path, contract: docContract}).WantStatus(t, http.StatusOK)
			if !bytes.Equal(r.Body, allResp.Body) {
				t.Errorf("body differs from GET /documents?limit=1000:\n%s", r.Body)
			}
			if r.Header.Get(api.HeaderTotalCount) != "54" || r.Header.Get(api.HeaderResultCount) != "54" {
				t.Errorf("counts %q/%q, want 54/54", r.Header.Get(api.HeaderTotalCount), r.Header.Get(api.HeaderResultCount))
			}
		})
	}
}

// badQuery is the subtest "bad query parameters are refused".
func (f *docList) badQuery(t *testing.T) {
	w := f.w
	for _, tc := range []struct {
		name  string
		query string
		code  int
	}{
		{"limit=0 is 28", "limit=0", 28},
		{"limit=1001 is 28", "limit=1001", 28},
		{"limit=-1 is 28", "limit=-1", 28},
		{"limit=abc is 28", "limit=abc", 28},
		{"limit=1.5 is 28", "limit=1.5", 28},
		{"limit=1e2 is 28", "limit=1e2", 28},
		{"limit=0x10 is 28", "limit=0x10", 28},
		{"limit with a space is 28", "limit=%205", 28},
		{"a huge limit is 28", "limit=99999999999999999999", 28},
		{"offset=-1 is 28", "offset=-1", 28},
		{"offset=abc is 28", "offset=abc", 28},
		{"offset past 2^30 is 28", "offset=1073741825", 28},
		{"limit given twice is 28", "limit=1&limit=2", 28},
		{"limit given twice alike is 28", "limit=5&limit=5", 28},
		{"offset given twice is 28", "offset=1&offset=1", 28},
		{"documentType given twice is 28", "documentType=bills&documentType=bills", 28},
		{"limit= empty is 27", "limit=", 27},
		{"offset= empty is 27", "offset=", 27},
		{"limit without = is 27", "limit", 27},
	} {
		t.Run(tc.name, func(t *testing.T) {
			desc := w.do(t, docReq{path: "/documents?" + tc.query, contract: docContract}).WantError(t, http.StatusBadRequest, tc.code)
			name, _, _ := strings.Cut(tc.query, "=")
			if !strings.Contains(desc, name) {
				t.Errorf("description %q does not name %s", desc, name)
			}
		})
	}
}

// visitor is the subtest "a visitor on documents sees only the reports".
func (f *docList) visitor(t *testing.T) {
	w := f.w
	docs, r := w.list(t, "", docVisitorContract, "?limit=1000")
	if want := 13 + 13 + 1; len(docs) != want || docTotal(t, r) != want {
		t.Errorf("%d documents (X-Total-Count %d), want %d", len(docs), docTotal(t, r), want)
	}
	for _, d := range docs {
		if !slices.Contains(docVisitorTypes, d.DocumentType) {
			t.Errorf("the visitor sees document %s, a %s", d.ID, d.DocumentType)
		}
	}
	for _, typ := range docVisitorTypes {
		docs, _ := w.list(t, "", docVisitorContract, "?limit=1000&documentType="+typ)
		if len(docs) != docPerType[typ] {
			t.Errorf("%s: %d documents, want %d", typ, len(docs), docPerType[typ])
		}
	}
	// The same contract seen by its administrator, manager there: every type.
	adminAll, _ := w.list(t, w.e.Creds.APIKeys.Administrator, docVisitorContract, "?limit=1000")
	if len(adminAll) != docPerContract {
		t.Errorf("the administrator sees %d documents of %s, want %d", len(adminAll), docVisitorContract, docPerContract)
	}
}

// visitorMoney is the subtest "a visitor asking for money documents gets [] with X-Total-Count 0".
func (f *docList) visitorMoney(t *testing.T) {
	w := f.w
	for _, typ := range []string{api.DocumentBills, api.DocumentInvoices, api.DocumentPartialBills} {
		t.Run(typ, func(t *testing.T) {
			r := w.do(t, docReq{path: "/documents?documentType=" + typ, contract: docVisitorContract}).WantStatus(t, http.StatusOK)
			if string(r.Body) != "[]" {
				t.Errorf("body %s, want []", r.Body)
			}
			if r.Header.Get(api.HeaderTotalCount) != "0" || r.Header.Get(api.HeaderResultCount) != "0" {
				t.Errorf("counts %q/%q, want 0/0", r.Header.Get(api.HeaderTotalCount), r.Header.Get(api.HeaderResultCount))
			}
		})
	}
}

// clientManager is the subtest "a client manager on another contract's documents sees every type".
func (f *docList) clientManager(t *testing.T) {
	w := f.w
	docs, _ := w.list(t, "", docClientOnly, "?limit=1000")
	if len(docs) != docPerContract {
		t.Errorf("%d documents, want %d", len(docs), docPerContract)
	}
	for _, d := range docs {
		if !strings.HasPrefix(d.Filename, docClientOnly+"_") {
			t.Errorf("document %s of %s is named %s", d.ID, docClientOnly, d.Filename)
		}
	}
}

// shape is the subtest "documents are shaped as the wire says".
func (f *docList) shape(t *testing.T) {
	all, allResp := f.all, f.allResp
	var raw []map[string]json.RawMessage
	apitest.MustJSON(t, allResp.Body, &raw)
	period := regexp.MustCompile(`^[0-9]{4}(0[1-9]|1[0-2])$`)
	date := regexp.MustCompile(`^"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z"$`)
	number := regexp.MustCompile(`^-?[0-9]+(\.[0-9]{1,2})?$`)
	id := regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)
	ids := map[string]bool{}
	for i, m := range raw {
		d := all[i]
		if len(m) != 8 {
			t.Errorf("document %d has %d members, want 8: %v", i, len(m), m)
		}
		if !id.MatchString(d.ID) || ids[d.ID] {
			t.Errorf("document %d: id %q is not a fresh document id", i, d.ID)
		}
		ids[d.ID] = true
		if !period.MatchString(d.Period) || d.Period < "202505" || d.Period > "202606" {
			t.Errorf("document %s: period %q is not a YYYYMM of the seeded months", d.ID, d.Period)
		}
		for _, name := range []string{"createdAt", "updatedAt"} {
			if !date.Match(m[name]) {
				t.Errorf("document %s: %s %s is not RFC 3339 UTC with whole seconds", d.ID, name, m[name])
			}
		}
		if !number.Match(m["amount"]) {
			t.Errorf("document %s: amount %s is not a JSON number with two decimals at most", d.ID, m["amount"])
		}
		if d.Amount <= 0 {
			t.Errorf("document %s: amount %v", d.ID, d.Amount)
		}
		if d.Currency != "EUR" {
			t.Errorf("document %s: currency %q, want EUR", d.ID, d.Currency)
		}
		if d.Filename == "" || !strings.HasPrefix(d.Filename, docContract+"_"+d.Period+"_") {
			t.Errorf("document %s: filename %q", d.ID, d.Filename)
		}
		if _, ok := docPerType[d.DocumentType]; !ok {
			t.Errorf("document %s: documentType %q", d.ID, d.DocumentType)
		}
		if d.UpdatedAt.Before(d.CreatedAt) {
			t.Errorf("document %s: updated %s before created %s", d.ID, d.UpdatedAt, d.CreatedAt)
		}
		if d.CreatedAt.After(apitest.SeedTime) {
			t.Errorf("document %s: created %s, after the world was seeded", d.ID, d.CreatedAt)
		}
	}
	if ct := allResp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}
}

// contractHeader is the subtest "X-ECCS-Contract-Id is checked".
func (f *docList) contractHeader(t *testing.T) {
	w := f.w
	docContractHeaderCases(t, w, "/documents")
}

// headerBeforeQuery is the subtest "the contract header is checked before the query".
func (f *docList) headerBeforeQuery(t *testing.T) {
	w := f.w
	w.do(t, docReq{path: "/documents?limit=0"}).WantError(t, http.StatusBadRequest, api.CodeMissingHeader)
	w.do(t, docReq{path: "/documents?limit=0", contract: "OCB 1"}).WantError(t, http.StatusBadRequest, api.CodeInvalidHeader)
}

// visibilityBeforeQuery is the subtest "the contract's visibility is checked before the query (doc/wire.md §3 first)".
func (f *docList) visibilityBeforeQuery(t *testing.T) {
	w := f.w
	w.do(t, docReq{path: "/documents?limit=0", contract: docNobodys}).WantError(t, http.StatusForbidden, api.CodeAccessDenied)
}
