package httpapi_test

// Tests of GET /documents and GET /documents/{id}/file (doc/wire.md §3, §4, §5, §6 and the
// Documents section of doc/decisions.md). Helpers of this file start with "doc".

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/eccs/eccs/api"
	"github.com/eccs/eccs/internal/docformat"
	"github.com/eccs/eccs/internal/eccs"
	"github.com/eccs/eccs/internal/httpapi"
	"github.com/eccs/eccs/internal/testkit/apitest"
	"github.com/eccs/eccs/internal/testkit/openapitest"
	"github.com/eccs/eccs/internal/testkit/testenv"
)

// The demo world's contracts, as devseed makes them (see internal/devseed): the client account
// is the referent of OCB0000001 (manager everywhere), a visitor on the documents of OCB0000002,
// and a manager on the documents of OCB0000003; it is not declared on OCB0000004 to
// OCB0000006. The administrator's perimeter covers OCB0000001 and OCB0000002.
const (
	docContract        = "OCB0000001" // client: manager on documents
	docVisitorContract = "OCB0000002" // client: visitor on documents; administrator: manager
	docClientOnly      = "OCB0000003" // client: manager on documents; invisible to the administrator
	docNobodys         = "OCB0000004" // invisible to both accounts
	docUnknownContract = "OCB9999999" // no such contract (same length as the others)
	docPerContract     = 54           // 13 months × 4 monthly types, + 2 partial documents
	docUnknownID       = "zzzzzzzzzzzzzzzz"
	docXLSX            = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	docNullBody        = `{"documents":null}`
)

// docPerType is how many documents of each type a seeded contract holds.
var docPerType = map[string]int{
	api.DocumentBills: 13, api.DocumentInvoices: 13, api.DocumentReports: 13,
	api.DocumentConsumptionRatedReports: 13, api.DocumentPartialBills: 1,
	api.DocumentPartialConsumptionRatedReports: 1,
}

// docVisitorTypes are the types a visitor on documents sees (doc/wire.md §5).
var docVisitorTypes = []string{api.DocumentReports, api.DocumentConsumptionRatedReports, api.DocumentPartialConsumptionRatedReports}

// docWorld is one test server shared by read-only subtests, with one access token.
type docWorld struct {
	e   *apitest.Env
	tok string
}

func newDocWorld(t *testing.T) *docWorld {
	t.Helper()
	e := apitest.NewEnv(t)
	return &docWorld{e: e, tok: e.Token()}
}

// docNoKey as docReq.key sends no X-API-Key.
const docNoKey = "-"

// docReq is a request of these tests.
type docReq struct {
	method   string   // GET by default
	path     string   // under api.BasePath, with its query string
	key      string   // X-API-Key: "" sends the client account's key, docNoKey none
	contract string   // X-ECCS-Contract-Id: "" sends none
	header   []string // more headers, name then value; a name given twice is sent twice
}

// docHTTP sends requests without following redirects: an API answers, it does not redirect.
var docHTTP = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// do sends r and fails the test if the answer departs from api/openapi.yaml.
func (w *docWorld) do(t *testing.T, r docReq) apitest.Response {
	t.Helper()
	resp, err := w.send(t, r)
	if err != nil {
		t.Errorf("%v", err)
	}
	return resp
}

// send sends r and returns the answer, and how it departs from api/openapi.yaml (nil if not).
func (w *docWorld) send(t *testing.T, r docReq) (apitest.Response, error) {
	t.Helper()
	hr := w.request(t, r)
	res, err := docHTTP.Do(hr)
	if err != nil {
		t.Fatalf("%s %s: %v", hr.Method, r.path, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("%s %s: read the body: %v", hr.Method, r.path, err)
	}
	if res.Header.Get(api.HeaderRequestID) == "" {
		t.Errorf("%s %s: no %s", hr.Method, r.path, api.HeaderRequestID)
	}
	return apitest.Response{Status: res.StatusCode, Header: res.Header, Body: body},
		openapitest.New(t).Validate(hr, res.StatusCode, res.Header, body)
}

func (w *docWorld) request(t *testing.T, r docReq) *http.Request {
	t.Helper()
	method := r.method
	if method == "" {
		method = http.MethodGet
	}
	hr, err := http.NewRequestWithContext(t.Context(), method, w.e.URL+api.BasePath+r.path, nil)
	if err != nil {
		t.Fatal(err)
	}
	hr.Header.Set("Authorization", "Bearer "+w.tok)
	switch r.key {
	case "":
		hr.Header.Set(api.HeaderAPIKey, w.e.Creds.APIKeys.Client)
	case docNoKey:
	default:
		hr.Header.Set(api.HeaderAPIKey, r.key)
	}
	if r.contract != "" {
		hr.Header.Set(api.HeaderContractID, r.contract)
	}
	for i := 0; i+1 < len(r.header); i += 2 {
		hr.Header.Add(r.header[i], r.header[i+1])
	}
	return hr
}

// list returns the documents GET /documents answers, failing unless it is a 200 list whose
// X-Result-Count is its length.
func (w *docWorld) list(t *testing.T, key, contract, query string) ([]api.Document, apitest.Response) {
	t.Helper()
	r := w.do(t, docReq{path: "/documents" + query, key: key, contract: contract}).WantStatus(t, http.StatusOK)
	var docs []api.Document
	apitest.MustJSON(t, r.Body, &docs)
	if docs == nil {
		t.Fatalf("GET /documents%s on %s: not a list: %s", query, contract, r.Body)
	}
	if got := r.Header.Get(api.HeaderResultCount); got != strconv.Itoa(len(docs)) {
		t.Errorf("GET /documents%s: %s %q for %d documents", query, api.HeaderResultCount, got, len(docs))
	}
	return docs, r
}

// docTotal returns X-Total-Count.
func docTotal(t *testing.T, r apitest.Response) int {
	t.Helper()
	n, err := strconv.Atoi(r.Header.Get(api.HeaderTotalCount))
	if err != nil {
		t.Fatalf("%s %q: %v", api.HeaderTotalCount, r.Header.Get(api.HeaderTotalCount), err)
	}
	return n
}

func docIDs(docs []api.Document) []string {
	ids := make([]string, len(docs))
	for i, d := range docs {
		ids[i] = d.ID
	}
	return ids
}

// docFirstOfType returns the first document of each type in docs.
func docFirstOfType(docs []api.Document) map[string]api.Document {
	m := map[string]api.Document{}
	for _, d := range docs {
		if _, ok := m[d.DocumentType]; !ok {
			m[d.DocumentType] = d
		}
	}
	return m
}

// docError is wantError that returns what is wrong instead of failing.
func docError(r apitest.Response, status, code int) error {
	var e api.Error
	if err := json.Unmarshal(r.Body, &e); err != nil || r.Status != status || e.Code != code {
		return fmt.Errorf("want %d/%d, got %d %s", status, code, r.Status, r.Body)
	}
	return nil
}

// docCheck fails the test with err, if any.
func docCheck(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Error(err)
	}
}

func TestDocumentsList(t *testing.T) {
	w := newDocWorld(t)
	all, allResp := w.list(t, "", docContract, "?limit=1000")
	if len(all) != docPerContract || docTotal(t, allResp) != docPerContract {
		t.Fatalf("the seeded contract lists %d documents (X-Total-Count %d), want %d", len(all), docTotal(t, allResp), docPerContract)
	}

	t.Run("limit and offset select exactly that page", func(t *testing.T) {
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
	})

	t.Run("pages of 7 concatenate to the whole list without duplicates", func(t *testing.T) {
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
	})

	t.Run("sorted by period then createdAt, newest first", func(t *testing.T) {
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
	})

	t.Run("each documentType lists only that type", func(t *testing.T) {
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
	})

	t.Run("the correct spelling consumptionRatedReports answers the wire's comsumptionRatedReports", func(t *testing.T) {
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
	})

	t.Run("an unknown documentType answers 200 {\"documents\":null}", func(t *testing.T) {
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
	})

	t.Run("the same list answers every spelling of the request", func(t *testing.T) {
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
	})

	t.Run("bad query parameters are refused", func(t *testing.T) {
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
	})

	t.Run("a visitor on documents sees only the reports", func(t *testing.T) {
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
	})

	t.Run("a visitor asking for money documents gets [] with X-Total-Count 0", func(t *testing.T) {
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
	})

	t.Run("a client manager on another contract's documents sees every type", func(t *testing.T) {
		docs, _ := w.list(t, "", docClientOnly, "?limit=1000")
		if len(docs) != docPerContract {
			t.Errorf("%d documents, want %d", len(docs), docPerContract)
		}
		for _, d := range docs {
			if !strings.HasPrefix(d.Filename, docClientOnly+"_") {
				t.Errorf("document %s of %s is named %s", d.ID, docClientOnly, d.Filename)
			}
		}
	})

	t.Run("documents are shaped as the wire says", func(t *testing.T) {
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
	})

	t.Run("X-ECCS-Contract-Id is checked", func(t *testing.T) {
		docContractHeaderCases(t, w, "/documents")
	})

	t.Run("the contract header is checked before the query", func(t *testing.T) {
		w.do(t, docReq{path: "/documents?limit=0"}).WantError(t, http.StatusBadRequest, api.CodeMissingHeader)
		w.do(t, docReq{path: "/documents?limit=0", contract: "OCB 1"}).WantError(t, http.StatusBadRequest, api.CodeInvalidHeader)
	})

	t.Run("the contract's visibility is checked before the query (doc/wire.md §3 first)", func(t *testing.T) {
		w.do(t, docReq{path: "/documents?limit=0", contract: docNobodys}).WantError(t, http.StatusForbidden, api.CodeAccessDenied)
	})
}

// docContractHeaderCases checks the X-ECCS-Contract-Id cases of doc/wire.md §3 step 5 on path.
func docContractHeaderCases(t *testing.T, w *docWorld, path string) {
	for _, tc := range []struct {
		name   string
		header []string
		code   int
	}{
		{"absent is 25", nil, api.CodeMissingHeader},
		{"empty is 25", []string{api.HeaderContractID, ""}, api.CodeMissingHeader},
		{"with a space inside is 26", []string{api.HeaderContractID, "OCB 1"}, api.CodeInvalidHeader},
		{"a path is 26", []string{api.HeaderContractID, "../x"}, api.CodeInvalidHeader},
		{"40 characters is 26", []string{api.HeaderContractID, "OCB" + strings.Repeat("0", 37)}, api.CodeInvalidHeader},
		{"33 characters is 26", []string{api.HeaderContractID, "OCB" + strings.Repeat("0", 30)}, api.CodeInvalidHeader},
		{"2 characters is 26", []string{api.HeaderContractID, "OC"}, api.CodeInvalidHeader},
		{"a leading dash is 26", []string{api.HeaderContractID, "-OCB0000001"}, api.CodeInvalidHeader},
		{"non-ASCII is 26", []string{api.HeaderContractID, "OCB000000é"}, api.CodeInvalidHeader},
		{"sent twice is 26", []string{api.HeaderContractID, docContract, api.HeaderContractID, docContract}, api.CodeInvalidHeader},
		{"sent twice with different values is 26", []string{api.HeaderContractID, docContract, api.HeaderContractID, docVisitorContract}, api.CodeInvalidHeader},
	} {
		t.Run(tc.name, func(t *testing.T) {
			desc := w.do(t, docReq{path: path, header: tc.header}).WantError(t, http.StatusBadRequest, tc.code)
			if !strings.Contains(desc, api.HeaderContractID) {
				t.Errorf("description %q does not name %s", desc, api.HeaderContractID)
			}
		})
	}

	t.Run("unknown and invisible contracts answer the same 403/50", func(t *testing.T) {
		admin := w.e.Creds.APIKeys.Administrator
		var want []byte
		for _, tc := range []struct{ name, key, contract string }{
			{"unknown to the client", "", docUnknownContract},
			{"invisible to the client", "", docNobodys},
			{"another customer's, for the client", "", "OCB0000005"},
			{"unknown to the administrator", admin, docUnknownContract},
			{"outside the administrator's perimeter", admin, docClientOnly},
			{"the wrong case of a visible one", "", "ocb0000001"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := w.do(t, docReq{path: path, key: tc.key, contract: tc.contract})
				r.WantError(t, http.StatusForbidden, api.CodeAccessDenied)
				// The description quotes the number sent; nothing else may differ.
				body := bytes.ReplaceAll(r.Body, []byte(tc.contract), []byte("<contract>"))
				if want == nil {
					want = body
				} else if !bytes.Equal(body, want) {
					t.Errorf("body %s\ndiffers from the unknown contract's %s", body, want)
				}
			})
		}
		// Same length, so even Content-Length cannot tell them apart.
		a := w.do(t, docReq{path: path, contract: docUnknownContract})
		b := w.do(t, docReq{path: path, contract: docNobodys})
		if a.Header.Get("Content-Length") != b.Header.Get("Content-Length") {
			t.Errorf("Content-Length %s for an unknown contract, %s for an invisible one", a.Header.Get("Content-Length"), b.Header.Get("Content-Length"))
		}
	})
}

// docWantFile checks a 200 download of d (or of its headers, for HEAD) and returns its bytes.
func docWantFile(t *testing.T, r apitest.Response, d api.Document, contentType string, head bool) []byte {
	t.Helper()
	if r.Status != http.StatusOK {
		t.Fatalf("status %d, want 200: %.300s", r.Status, r.Body)
	}
	h := r.Header
	if got := h.Get("Content-Type"); got != contentType {
		t.Errorf("Content-Type %q, want %q", got, contentType)
	}
	if got, want := h.Get("Content-Disposition"), `attachment; filename="`+d.Filename+`"`; got != want {
		t.Errorf("Content-Disposition %q, want %q", got, want)
	}
	size, err := strconv.Atoi(h.Get("Content-Length"))
	if err != nil || size <= 0 {
		t.Errorf("Content-Length %q", h.Get("Content-Length"))
	}
	if !head && size != len(r.Body) {
		t.Errorf("Content-Length %d, body %d bytes", size, len(r.Body))
	}
	if head && len(r.Body) != 0 {
		t.Errorf("HEAD answered %d bytes of body", len(r.Body))
	}
	etag := h.Get("ETag")
	if !regexp.MustCompile(`^"[0-9a-f]{64}"$`).MatchString(etag) {
		t.Errorf("ETag %q is not a strong SHA-256", etag)
	}
	if !head {
		sum := sha256.Sum256(r.Body)
		if want := `"` + hex.EncodeToString(sum[:]) + `"`; etag != want {
			t.Errorf("ETag %s, but the bytes hash to %s", etag, want)
		}
		if got, want := h.Get("Repr-Digest"), "sha-256=:"+base64.StdEncoding.EncodeToString(sum[:])+":"; got != want {
			t.Errorf("Repr-Digest %q, want %q", got, want)
		}
	} else if h.Get("Repr-Digest") == "" {
		t.Error("HEAD: no Repr-Digest")
	}
	if got, want := h.Get("Last-Modified"), d.UpdatedAt.UTC().Format(http.TimeFormat); got != want {
		t.Errorf("Last-Modified %q, want %q (the document's updatedAt)", got, want)
	}
	if got := h.Get("Accept-Ranges"); got != "bytes" {
		t.Errorf("Accept-Ranges %q, want bytes", got)
	}
	if got := h.Get("Cache-Control"); got != "private, no-cache" {
		t.Errorf("Cache-Control %q, want private, no-cache", got)
	}
	return r.Body
}

func docFilePath(d api.Document) string { return "/documents/" + d.ID + "/file" }

func TestDocumentFile(t *testing.T) {
	w := newDocWorld(t)
	all, _ := w.list(t, "", docContract, "?limit=1000")
	byType := docFirstOfType(all)
	if len(byType) != len(docPerType) {
		t.Fatalf("the seeded contract has %d document types, want %d", len(byType), len(docPerType))
	}

	t.Run("each type downloads with its Content-Type and validators", func(t *testing.T) {
		for _, tc := range []struct {
			typ, contentType, magic string
		}{
			{api.DocumentBills, docXLSX, "PK\x03\x04"},
			{api.DocumentPartialBills, docXLSX, "PK\x03\x04"},
			{api.DocumentInvoices, "application/pdf", "%PDF-"},
			{api.DocumentConsumptionRatedReports, "text/csv", "BillingMode;BeginDate;EndDate;"},
			{api.DocumentPartialConsumptionRatedReports, "text/csv", "BillingMode;BeginDate;EndDate;"},
			{api.DocumentReports, "text/csv", ""},
		} {
			t.Run(tc.typ, func(t *testing.T) {
				d := byType[tc.typ]
				body := docWantFile(t, w.do(t, docReq{path: docFilePath(d), contract: docContract}), d, tc.contentType, false)
				if !bytes.HasPrefix(body, []byte(tc.magic)) {
					t.Errorf("the file starts with %q, want %q", body[:min(len(body), 40)], tc.magic)
				}
			})
		}
	})

	bill := byType[api.DocumentBills]
	full := w.do(t, docReq{path: docFilePath(bill), contract: docContract}).WantStatus(t, http.StatusOK).Body
	size := len(full)
	if size < 1000 {
		t.Fatalf("the bill is %d bytes: too small for the range tests", size)
	}
	sum := sha256.Sum256(full)
	etag := `"` + hex.EncodeToString(sum[:]) + `"`
	zipETag := `"` + hex.EncodeToString(sum[:]) + `-zip"`
	path := docFilePath(bill)

	t.Run("Accept: application/json still gets the bytes", func(t *testing.T) {
		for _, accept := range []string{"application/json", "text/html", "application/xml;q=1, */*;q=0"} {
			r := w.do(t, docReq{path: path, contract: docContract, header: []string{"Accept", accept}})
			if got := docWantFile(t, r, bill, docXLSX, false); !bytes.Equal(got, full) {
				t.Errorf("Accept %s: other bytes", accept)
			}
		}
	})

	t.Run("HEAD answers the headers without the body", func(t *testing.T) {
		r := w.do(t, docReq{method: http.MethodHead, path: path, contract: docContract})
		docWantFile(t, r, bill, docXLSX, true)
		if r.Header.Get("Content-Length") != strconv.Itoa(size) {
			t.Errorf("Content-Length %q, want %d", r.Header.Get("Content-Length"), size)
		}
		if r.Header.Get("ETag") != etag {
			t.Errorf("ETag %q, want %q", r.Header.Get("ETag"), etag)
		}
	})

	t.Run("the same bytes answer every path spelling", func(t *testing.T) {
		for _, p := range []string{
			"/document/" + bill.ID + "/file",
			"/documents/" + bill.ID + "/file/",
			"/document/" + bill.ID + "/file/",
		} {
			r := w.do(t, docReq{path: p, contract: docContract})
			if got := docWantFile(t, r, bill, docXLSX, false); !bytes.Equal(got, full) {
				t.Errorf("%s: other bytes", p)
			}
		}
	})

	t.Run("Range", func(t *testing.T) {
		seventeen := make([]string, 17)
		for i := range seventeen {
			seventeen[i] = fmt.Sprintf("%d-%d", 2*i, 2*i)
		}
		sixteen := strings.Join(seventeen[:16], ",")
		for _, tc := range []struct {
			name     string
			rng      string
			status   int
			from, to int // the bytes a single-range 206 holds
		}{
			{name: "bytes=0-99 answers those 100 bytes", rng: "bytes=0-99", status: 206, from: 0, to: 100},
			{name: "a suffix answers the last 10 bytes", rng: "bytes=-10", status: 206, from: size - 10, to: size},
			{name: "an open range answers to the end", rng: "bytes=100-", status: 206, from: 100, to: size},
			{name: "a range in the middle", rng: "bytes=500-599", status: 206, from: 500, to: 600},
			{name: "the last byte", rng: fmt.Sprintf("bytes=%d-%d", size-1, size-1), status: 206, from: size - 1, to: size},
			{name: "a range past the end is cut at the end", rng: "bytes=10-999999999", status: 206, from: 10, to: size},
			{name: "a suffix longer than the file answers it all", rng: "bytes=-999999999", status: 206, from: 0, to: size},
			{name: "spaces around a range are allowed", rng: "bytes= 0-9", status: 206, from: 0, to: 10},
			{name: "a satisfiable range beside an unsatisfiable one", rng: "bytes=0-9,999999999-", status: 206, from: 0, to: 10},
			{name: "bytes=abc is ignored", rng: "bytes=abc", status: 200},
			{name: "another unit is ignored", rng: "items=0-1", status: 200},
			{name: "an inverted range is ignored", rng: "bytes=5-2", status: 200},
			{name: "17 ranges are ignored", rng: "bytes=" + strings.Join(seventeen, ","), status: 200},
			{name: "a negative start is ignored", rng: "bytes=--1", status: 200},
			{name: "no range at all is ignored", rng: "bytes=", status: 200},
			{name: "a lone dash is ignored", rng: "bytes=-", status: 200},
			{name: "a range without a dash is ignored", rng: "bytes=5", status: 200},
			{name: "a 20-digit position is ignored", rng: "bytes=99999999999999999999-", status: 200},
			{name: "one malformed range among good ones is ignored", rng: "bytes=0-1,x-2", status: 200},
			{name: "ranges adding up to more than the file answer it whole", rng: "bytes=0-,0-", status: 200},
			{name: "the unit is case-insensitive (RFC 9110 §14.1)", rng: "Bytes=0-9", status: 206, from: 0, to: 10},
			{name: "spaces before = are tolerated", rng: "bytes =0-9", status: 206, from: 0, to: 10},
			{name: "a no-break space is not RFC whitespace: ignored", rng: "bytes=\u00a00-9", status: 200},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r, verr := w.send(t, docReq{path: path, contract: docContract, header: []string{"Range", tc.rng}})
				docCheck(t, verr)
				switch tc.status {
				case http.StatusOK:
					docCheck(t, docFull(r, full))
					if r.Status == http.StatusOK {
						docWantFile(t, r, bill, docXLSX, false)
					}
				case http.StatusPartialContent:
					docCheck(t, docPartial(r, full, tc.from, tc.to))
				}
			})
		}

		t.Run("16 ranges answer a multipart 206", func(t *testing.T) {
			r := w.do(t, docReq{path: path, contract: docContract, header: []string{"Range", "bytes=" + sixteen}})
			parts := docParts(t, r, full)
			if len(parts) != 16 {
				t.Errorf("%d parts, want 16", len(parts))
			}
		})

		t.Run("two ranges answer a multipart 206 with each range", func(t *testing.T) {
			r := w.do(t, docReq{path: path, contract: docContract, header: []string{"Range", "bytes=0-9,20-29,-5"}})
			parts := docParts(t, r, full)
			want := [][2]int{{0, 10}, {20, 30}, {size - 5, size}}
			if len(parts) != len(want) {
				t.Fatalf("%d parts, want %d", len(parts), len(want))
			}
			for i, p := range parts {
				if p != want[i] {
					t.Errorf("part %d is bytes %d-%d, want %d-%d", i, p[0], p[1]-1, want[i][0], want[i][1]-1)
				}
			}
		})

		for _, tc := range []struct{ name, rng string }{
			{"a start past the end", "bytes=999999999-"},
			{"a start at the size", fmt.Sprintf("bytes=%d-", size)},
			{"a closed range past the end", fmt.Sprintf("bytes=%d-%d", size, size+10)},
			{"an empty suffix", "bytes=-0"},
			{"several ranges, none in the file", fmt.Sprintf("bytes=%d-,999999999-999999999", size+1)},
		} {
			t.Run(tc.name+" answers 416 with Content-Range", func(t *testing.T) {
				r := w.do(t, docReq{path: path, contract: docContract, header: []string{"Range", tc.rng}})
				desc := r.WantError(t, http.StatusRequestedRangeNotSatisfiable, api.CodeInvalidHeader)
				if got, want := r.Header.Get("Content-Range"), fmt.Sprintf("bytes */%d", size); got != want {
					t.Errorf("Content-Range %q, want %q", got, want)
				}
				if !strings.Contains(desc, "Range") {
					t.Errorf("description %q does not name Range", desc)
				}
				for _, name := range []string{"ETag", "Content-Disposition", "Repr-Digest", "Last-Modified", "Accept-Ranges"} {
					if v := r.Header.Get(name); v != "" {
						t.Errorf("the error carries %s: %s", name, v)
					}
				}
			})
		}
	})

	t.Run("conditional requests", func(t *testing.T) {
		lastModified := bill.UpdatedAt.UTC().Format(http.TimeFormat)
		for _, tc := range []struct {
			name   string
			header []string
			status int
			from   int // for a 206
			to     int
		}{
			{name: "If-None-Match with the ETag answers 304", header: []string{"If-None-Match", etag}, status: 304},
			{name: "If-None-Match with the weak form of the ETag answers 304", header: []string{"If-None-Match", "W/" + etag}, status: 304},
			{name: "If-None-Match with a list holding the ETag answers 304", header: []string{"If-None-Match", `"other", ` + etag}, status: 304},
			{name: "If-None-Match * answers 304", header: []string{"If-None-Match", "*"}, status: 304},
			{name: "If-None-Match with another ETag answers 200", header: []string{"If-None-Match", `"` + strings.Repeat("0", 64) + `"`}, status: 200},
			{name: "If-None-Match with the ZIP's ETag answers the raw file", header: []string{"If-None-Match", zipETag}, status: 200},
			{name: "If-None-Match with the ETag beats Range", header: []string{"If-None-Match", etag, "Range", "bytes=0-99"}, status: 304},
			{name: "If-Modified-Since at Last-Modified answers 304", header: []string{"If-Modified-Since", lastModified}, status: 304},
			{name: "If-Modified-Since before Last-Modified answers 200", header: []string{"If-Modified-Since", bill.UpdatedAt.Add(-time.Hour).UTC().Format(http.TimeFormat)}, status: 200},
			{name: "If-Match with the ETag answers 200", header: []string{"If-Match", etag}, status: 200},
			{name: "If-Match * answers 200", header: []string{"If-Match", "*"}, status: 200},
			{name: "If-Match with another ETag answers 412/26", header: []string{"If-Match", `"other"`}, status: 412},
			{name: "If-Match with another ETag beats Range", header: []string{"If-Match", `"other"`, "Range", "bytes=0-99"}, status: 412},
			{name: "If-Unmodified-Since before Last-Modified answers 412/26", header: []string{"If-Unmodified-Since", bill.UpdatedAt.Add(-time.Hour).UTC().Format(http.TimeFormat)}, status: 412},
			{name: "If-Range with the ETag answers the range", header: []string{"If-Range", etag, "Range", "bytes=0-99"}, status: 206, from: 0, to: 100},
			{name: "If-Range with Last-Modified answers the range", header: []string{"If-Range", lastModified, "Range", "bytes=0-99"}, status: 206, from: 0, to: 100},
			{name: "If-Range with another ETag answers the whole file", header: []string{"If-Range", `"other"`, "Range", "bytes=0-99"}, status: 200},
			{name: "If-Range with a weak ETag answers the whole file", header: []string{"If-Range", "W/" + etag, "Range", "bytes=0-99"}, status: 200},
			{name: "If-Range with another ETag ignores even an unsatisfiable Range", header: []string{"If-Range", `"other"`, "Range", "bytes=999999999-"}, status: 200},
			{name: "If-None-Match with the ETag beats an unsatisfiable Range", header: []string{"If-None-Match", etag, "Range", "bytes=999999999-"}, status: 304},
			{name: "If-Match with another ETag beats an unsatisfiable Range", header: []string{"If-Match", `"other"`, "Range", "bytes=999999999-"}, status: 412},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r, verr := w.send(t, docReq{path: path, contract: docContract, header: tc.header})
				docCheck(t, verr)
				switch tc.status {
				case http.StatusNotModified:
					if r.Status != http.StatusNotModified {
						docCheck(t, fmt.Errorf("status %d, want 304: %.200s", r.Status, r.Body))
						return
					}
					if len(r.Body) != 0 {
						t.Errorf("304 with a body of %d bytes", len(r.Body))
					}
					if got := r.Header.Get("ETag"); got != etag {
						t.Errorf("ETag %q, want %q", got, etag)
					}
					if got := r.Header.Get("Content-Type"); got != "" {
						t.Errorf("304 with Content-Type %q", got)
					}
				case http.StatusOK:
					docCheck(t, docFull(r, full))
				case http.StatusPartialContent:
					docCheck(t, docPartial(r, full, tc.from, tc.to))
				case http.StatusPreconditionFailed:
					docCheck(t, docError(r, http.StatusPreconditionFailed, api.CodeInvalidHeader))
					desc := r.WantError(t, http.StatusPreconditionFailed, api.CodeInvalidHeader)
					if !strings.Contains(desc, "If-Match") {
						t.Errorf("description %q does not name the header", desc)
					}
					for _, name := range []string{"ETag", "Content-Disposition", "Repr-Digest", "Last-Modified"} {
						if v := r.Header.Get(name); v != "" {
							t.Errorf("the error carries %s: %s", name, v)
						}
					}
				}
			})
		}
	})

	t.Run("zipped", func(t *testing.T) {
		for _, tc := range []struct {
			name   string
			query  string
			zipped bool
			code   int // an error
		}{
			{"zipped=1 is a ZIP", "zipped=1", true, 0},
			{"zipped=true is a ZIP", "zipped=true", true, 0},
			{"zipped=TRUE is a ZIP", "zipped=TRUE", true, 0},
			{"zipped=True is a ZIP", "zipped=True", true, 0},
			{"zipped=0 is the raw file", "zipped=0", false, 0},
			{"zipped=false is the raw file", "zipped=false", false, 0},
			{"zipped=FALSE is the raw file", "zipped=FALSE", false, 0},
			{"an unknown parameter is ignored", "foo=bar", false, 0},
			{"zipped=2 is 28", "zipped=2", false, 28},
			{"zipped=yes is 28", "zipped=yes", false, 28},
			{"zipped=1.0 is 28", "zipped=1.0", false, 28},
			{"zipped= 1 is 28", "zipped=%201", false, 28},
			{"zipped given twice is 28", "zipped=1&zipped=1", false, 28},
			{"zipped= empty is 27", "zipped=", false, 27},
			{"zipped without = is 27", "zipped", false, 27},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := w.do(t, docReq{path: path + "?" + tc.query, contract: docContract})
				switch {
				case tc.code != 0:
					desc := r.WantError(t, http.StatusBadRequest, tc.code)
					if !strings.Contains(desc, "zipped") {
						t.Errorf("description %q does not name zipped", desc)
					}
				case tc.zipped:
					docWantZip(t, r, bill, full, zipETag)
				default:
					if got := docWantFile(t, r, bill, docXLSX, false); !bytes.Equal(got, full) {
						t.Error("other bytes")
					}
				}
			})
		}

		t.Run("two ZIPs are byte-identical, as their strong ETag promises", func(t *testing.T) {
			a := w.do(t, docReq{path: path + "?zipped=1", contract: docContract})
			b := w.do(t, docReq{path: path + "?zipped=true", contract: docContract})
			if !bytes.Equal(a.Body, b.Body) {
				t.Error("two downloads of the same ZIP differ")
			}
		})

		for _, tc := range []struct {
			name   string
			header []string
			status int
		}{
			{"If-None-Match with the ZIP's ETag answers 304", []string{"If-None-Match", zipETag}, 304},
			{"If-None-Match with the ZIP's weak ETag answers 304", []string{"If-None-Match", "W/" + zipETag}, 304},
			{"If-None-Match * answers 304", []string{"If-None-Match", "*"}, 304},
			{"If-None-Match with the raw file's ETag answers the ZIP", []string{"If-None-Match", etag}, 200},
			{"Range is ignored", []string{"Range", "bytes=0-99"}, 200},
			{"an unsatisfiable Range is ignored", []string{"Range", "bytes=999999999-"}, 200},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := w.do(t, docReq{path: path + "?zipped=1", contract: docContract, header: tc.header})
				if tc.status == http.StatusOK {
					docWantZip(t, r, bill, full, zipETag)
					return
				}
				r.WantStatus(t, tc.status)
				if len(r.Body) != 0 {
					t.Errorf("304 with %d bytes of body", len(r.Body))
				}
				if got := r.Header.Get("ETag"); got != zipETag {
					t.Errorf("ETag %q, want %q", got, zipETag)
				}
			})
		}

		t.Run("HEAD answers the ZIP's headers without the body", func(t *testing.T) {
			r, verr := w.send(t, docReq{method: http.MethodHead, path: path + "?zipped=1", contract: docContract})
			r.WantStatus(t, http.StatusOK)
			if len(r.Body) != 0 {
				t.Errorf("HEAD answered %d bytes", len(r.Body))
			}
			if got := r.Header.Get("ETag"); got != zipETag {
				t.Errorf("ETag %q, want %q", got, zipETag)
			}
			if got := r.Header.Get("Content-Type"); got != "application/zip" {
				t.Errorf("Content-Type %q", got)
			}
			docCheck(t, verr)
			if got := r.Header.Get("Accept-Ranges"); got != "none" {
				t.Errorf("Accept-Ranges %q, want none (as the GET answers)", got)
			}
		})
	})

	// The visitor's contract, seen by its administrator (manager there) and by the client.
	adminOf2, _ := w.list(t, w.e.Creds.APIKeys.Administrator, docVisitorContract, "?limit=1000")
	billOf2 := docFirstOfType(adminOf2)[api.DocumentBills]
	reportOf2 := docFirstOfType(adminOf2)[api.DocumentReports]
	of3, _ := w.list(t, "", docClientOnly, "?limit=1")

	t.Run("a visitor downloads a report", func(t *testing.T) {
		r := w.do(t, docReq{path: docFilePath(reportOf2), contract: docVisitorContract})
		docWantFile(t, r, reportOf2, "text/csv", false)
	})

	t.Run("documents that are not there answer 404/60", func(t *testing.T) {
		unknown := w.do(t, docReq{path: "/documents/" + docUnknownID + "/file", contract: docVisitorContract})
		unknownDesc := unknown.WantError(t, http.StatusNotFound, api.CodeResourceNotFound)
		for _, tc := range []struct {
			name, key, contract, id string
		}{
			{"a document of another contract", "", docContract, reportOf2.ID},
			{"a bill of OCB0000002 asked with OCB0000001", "", docContract, billOf2.ID},
			{"a document of OCB0000001 asked by its administrator with OCB0000002", w.e.Creds.APIKeys.Administrator, docVisitorContract, bill.ID},
			{"an unknown well-formed id", "", docContract, docUnknownID},
			{"another unknown well-formed id", "", docContract, "2222222222222222"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				w.do(t, docReq{path: "/documents/" + tc.id + "/file", key: tc.key, contract: tc.contract}).
					WantError(t, http.StatusNotFound, api.CodeResourceNotFound)
			})
		}

		t.Run("a visitor asking for a bill answers as an unknown id", func(t *testing.T) {
			r := w.do(t, docReq{path: docFilePath(billOf2), contract: docVisitorContract})
			desc := r.WantError(t, http.StatusNotFound, api.CodeResourceNotFound)
			if got, want := strings.ReplaceAll(desc, billOf2.ID, "<id>"), strings.ReplaceAll(unknownDesc, docUnknownID, "<id>"); got != want {
				t.Errorf("description %q\ndiffers from the unknown id's %q", got, want)
			}
			if got, want := bytes.ReplaceAll(r.Body, []byte(billOf2.ID), []byte("<id>")), bytes.ReplaceAll(unknown.Body, []byte(docUnknownID), []byte("<id>")); !bytes.Equal(got, want) {
				t.Errorf("body %s\ndiffers from the unknown id's %s", got, want)
			}
			// Zipped, the same.
			w.do(t, docReq{path: docFilePath(billOf2) + "?zipped=1", contract: docVisitorContract}).WantError(t, http.StatusNotFound, api.CodeResourceNotFound)
			// Its administrator, manager there, downloads it.
			docWantFile(t, w.do(t, docReq{path: docFilePath(billOf2), key: w.e.Creds.APIKeys.Administrator, contract: docVisitorContract}), billOf2, docXLSX, false)
		})
	})

	t.Run("unknown document ids of any shape answer 404/60", func(t *testing.T) {
		// Ids are opaque to clients: documents loaded by an operator may keep another
		// billing system's ids, and an id the server does not know is absent, whatever it is.
		for _, tc := range []struct{ name, id string }{
			{"a dot", "a.b"},
			{"65 characters", strings.Repeat("a", 65)},
			{"64 characters", strings.Repeat("a", 64)},
			{"17 characters", strings.Repeat("a", 17)},
			{"15 characters", strings.Repeat("a", 15)},
			{"1 character", "a"},
			{"a real id in capitals", strings.ToUpper(bill.ID)},
			{"digits outside base32", "0000000000000000"},
			{"a dash", "aaaaaaaa-aaaaaaa"},
			{"an underscore", "aaaaaaaa_aaaaaaa"},
			{"an escaped space", "a%20b"},
			{"an escaped slash", "a%2Fb"},
			{"a tilde", "a~b"},
			{"a non-ASCII letter", "%C3%A9t%C3%A9"},
			{"a plus", "a+b"},
			{"three dots", "..."},
		} {
			t.Run(tc.name, func(t *testing.T) {
				desc := w.do(t, docReq{path: "/documents/" + tc.id + "/file", contract: docContract}).WantError(t, http.StatusNotFound, api.CodeResourceNotFound)
				if !strings.Contains(desc, "no document") {
					t.Errorf("description %q does not say what is wrong", desc)
				}
			})
		}
		t.Run("after the contract's visibility (doc/wire.md §3 first)", func(t *testing.T) {
			w.do(t, docReq{path: "/documents/a.b/file", contract: docNobodys}).WantError(t, http.StatusForbidden, api.CodeAccessDenied)
		})
		t.Run("after the contract header", func(t *testing.T) {
			w.do(t, docReq{path: "/documents/a.b/file"}).WantError(t, http.StatusBadRequest, api.CodeMissingHeader)
		})
	})

	t.Run("paths with dot or empty segments answer 404/60, never a redirect", func(t *testing.T) {
		for _, p := range []string{
			"/documents/../documents/" + bill.ID + "/file",
			"/documents/" + bill.ID + "/../" + bill.ID + "/file",
			"/documents/./" + bill.ID + "/file",
			"/documents//" + bill.ID + "/file",
			"/documents/" + bill.ID + "/file/..",
			"/documents/%2e%2e/file", // RFC 3986 §6.2.2.2: %2e%2e is the segment ".."
			"/documents/%2E%2E/" + bill.ID + "/file",
			"/documents/%2e/file",
		} {
			t.Run(p, func(t *testing.T) {
				r := w.do(t, docReq{path: p, contract: docContract})
				if loc := r.Header.Get("Location"); loc != "" {
					t.Errorf("redirect to %s", loc)
				}
				r.WantError(t, http.StatusNotFound, api.CodeResourceNotFound)
			})
		}
	})

	t.Run("X-ECCS-Contract-Id is checked", func(t *testing.T) {
		docContractHeaderCases(t, w, path)
	})

	t.Run("a contract invisible to the key answers 403/50", func(t *testing.T) {
		for _, tc := range []struct{ name, key, contract, path string }{
			{"the administrator asking a client-only contract's document", w.e.Creds.APIKeys.Administrator, docClientOnly, docFilePath(of3[0])},
			{"the client asking a contract it is not declared on", "", docNobodys, "/documents/" + docUnknownID + "/file"},
			{"the client asking an unknown contract", "", docUnknownContract, path},
			{"zipped, the same", "", docNobodys, "/documents/" + docUnknownID + "/file?zipped=1"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				w.do(t, docReq{path: tc.path, key: tc.key, contract: tc.contract}).WantError(t, http.StatusForbidden, api.CodeAccessDenied)
			})
		}
		// The client, declared there, downloads the same document.
		docWantFile(t, w.do(t, docReq{path: docFilePath(of3[0]), contract: docClientOnly}), of3[0], docContentType(of3[0]), false)
	})

	t.Run("methods other than GET and HEAD answer 405/61", func(t *testing.T) {
		for _, m := range []string{http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodPatch} {
			r := w.do(t, docReq{method: m, path: path, contract: docContract})
			r.WantError(t, http.StatusMethodNotAllowed, api.CodeMethodNotAllowed)
			if allow := r.Header.Get("Allow"); allow != "GET, HEAD" {
				t.Errorf("%s: Allow %q, want GET, HEAD", m, allow)
			}
		}
	})
}

// docContentType is the Content-Type of a seeded document, by its type.
func docContentType(d api.Document) string {
	switch d.DocumentType {
	case api.DocumentBills, api.DocumentPartialBills:
		return docXLSX
	case api.DocumentInvoices:
		return "application/pdf"
	}
	return "text/csv"
}

// docFull reports whether r is a 200 holding the whole file.
func docFull(r apitest.Response, full []byte) error {
	if r.Status != http.StatusOK {
		return fmt.Errorf("status %d, want 200 with the whole file: %.200s", r.Status, r.Body)
	}
	if !bytes.Equal(r.Body, full) {
		return fmt.Errorf("200 with %d bytes, not the %d of the file", len(r.Body), len(full))
	}
	if r.Header.Get("Content-Range") != "" {
		return fmt.Errorf("200 with Content-Range %q", r.Header.Get("Content-Range"))
	}
	return nil
}

// docPartial reports whether r is a single-range 206 holding full[from:to].
func docPartial(r apitest.Response, full []byte, from, to int) error {
	if r.Status != http.StatusPartialContent {
		return fmt.Errorf("status %d, want 206 for bytes %d-%d: %.200s", r.Status, from, to-1, r.Body)
	}
	if !bytes.Equal(r.Body, full[from:to]) {
		return fmt.Errorf("206 with %d bytes, not bytes %d-%d", len(r.Body), from, to-1)
	}
	if got, want := r.Header.Get("Content-Range"), fmt.Sprintf("bytes %d-%d/%d", from, to-1, len(full)); got != want {
		return fmt.Errorf("Content-Range %q, want %q", got, want)
	}
	if got := r.Header.Get("Content-Length"); got != strconv.Itoa(to-from) {
		return fmt.Errorf("Content-Length %q, want %d", got, to-from)
	}
	sum := sha256.Sum256(full)
	if got, want := r.Header.Get("Repr-Digest"), "sha-256=:"+base64.StdEncoding.EncodeToString(sum[:])+":"; got != want {
		return fmt.Errorf("Repr-Digest %q, want the whole file's %q", got, want)
	}
	return nil
}

// docParts checks a multipart/byteranges 206 and returns the [from, to) of each part.
func docParts(t *testing.T, r apitest.Response, full []byte) [][2]int {
	t.Helper()
	r.WantStatus(t, http.StatusPartialContent)
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/byteranges" {
		t.Fatalf("Content-Type %q, want multipart/byteranges", r.Header.Get("Content-Type"))
	}
	if got := r.Header.Get("Content-Length"); got != strconv.Itoa(len(r.Body)) {
		t.Errorf("Content-Length %q for %d bytes", got, len(r.Body))
	}
	var parts [][2]int
	mr := multipart.NewReader(bytes.NewReader(r.Body), params["boundary"])
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("part %d: %v", len(parts), err)
		}
		var from, to, total int
		if _, err := fmt.Sscanf(p.Header.Get("Content-Range"), "bytes %d-%d/%d", &from, &to, &total); err != nil || total != len(full) {
			t.Fatalf("part %d: Content-Range %q", len(parts), p.Header.Get("Content-Range"))
		}
		if ct := p.Header.Get("Content-Type"); ct != docXLSX {
			t.Errorf("part %d: Content-Type %q", len(parts), ct)
		}
		b, err := io.ReadAll(p)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(b, full[from:to+1]) {
			t.Errorf("part %d: not bytes %d-%d", len(parts), from, to)
		}
		parts = append(parts, [2]int{from, to + 1})
	}
	return parts
}

// docWantZip checks a ZIP download of d: one entry, named as the document, holding its bytes.
func docWantZip(t *testing.T, r apitest.Response, d api.Document, full []byte, etag string) {
	t.Helper()
	r.WantStatus(t, http.StatusOK)
	h := r.Header
	if got := h.Get("Content-Type"); got != "application/zip" {
		t.Errorf("Content-Type %q, want application/zip", got)
	}
	if got, want := h.Get("Content-Disposition"), `attachment; filename="`+d.Filename+`.zip"`; got != want {
		t.Errorf("Content-Disposition %q, want %q", got, want)
	}
	if got := h.Get("ETag"); got != etag {
		t.Errorf("ETag %q, want %q", got, etag)
	}
	if got := h.Get("Accept-Ranges"); got != "none" {
		t.Errorf("Accept-Ranges %q, want none", got)
	}
	if got := h.Get("Content-Length"); got != "" {
		t.Errorf("Content-Length %q on a ZIP built while sent", got)
	}
	if got := h.Get("Content-Range"); got != "" {
		t.Errorf("Content-Range %q on a ZIP", got)
	}
	if got, want := h.Get("Last-Modified"), d.UpdatedAt.UTC().Format(http.TimeFormat); got != want {
		t.Errorf("Last-Modified %q, want %q", got, want)
	}
	zr, err := zip.NewReader(bytes.NewReader(r.Body), int64(len(r.Body)))
	if err != nil {
		t.Fatalf("not a ZIP archive: %v", err)
	}
	if len(zr.File) != 1 {
		t.Fatalf("%d entries, want 1", len(zr.File))
	}
	f := zr.File[0]
	if f.Name != d.Filename {
		t.Errorf("entry %q, want %q", f.Name, d.Filename)
	}
	rc, err := f.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	got, err := io.ReadAll(rc) // checks the entry's CRC-32 too
	if err != nil {
		t.Fatalf("read the entry: %v", err)
	}
	if !bytes.Equal(got, full) {
		t.Errorf("the entry holds %d bytes, not the %d of the raw download", len(got), len(full))
	}
}

func TestDocumentFileWithoutItsBytesAnswers500(t *testing.T) {
	w := newDocWorld(t)
	docs, _ := w.list(t, "", docContract, "?documentType=invoices&limit=2")
	gone, kept := docs[0], docs[1]
	stored, err := w.e.DB.Document(t.Context(), docContract, gone.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.e.Blobs.Delete(t.Context(), stored.BlobKey); err != nil {
		t.Fatalf("remove the document's bytes: %v", err)
	}
	if _, err := w.e.Blobs.Open(t.Context(), stored.BlobKey); !eccs.IsNotFound(err) {
		t.Fatalf("the bytes are still there after Delete: %v", err)
	}

	for _, tc := range []struct {
		name, method, query string
		header              []string
	}{
		{"GET", http.MethodGet, "", nil},
		{"HEAD", http.MethodHead, "", nil},
		{"zipped", http.MethodGet, "?zipped=1", nil},
		{"a range", http.MethodGet, "", []string{"Range", "bytes=0-9"}},
		{"a conditional request", http.MethodGet, "", []string{"If-None-Match", `"` + strings.Repeat("0", 64) + `"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := w.do(t, docReq{method: tc.method, path: docFilePath(gone) + tc.query, contract: docContract, header: tc.header})
			if tc.method == http.MethodHead {
				// No body to read: the status and the absence of file headers.
				r.WantStatus(t, http.StatusInternalServerError)
			} else {
				r.WantError(t, http.StatusInternalServerError, api.CodeInternalError)
			}
			for _, leak := range []string{w.e.Dir, "documents/", "contracts/", gone.ID, "no such file", "open ", "blob", "bytes missing", ".go"} {
				if bytes.Contains(r.Body, []byte(leak)) {
					t.Errorf("the answer shows %q: %s", leak, r.Body)
				}
			}
			for _, name := range []string{"ETag", "Content-Disposition", "Repr-Digest", "Accept-Ranges", "Last-Modified"} {
				if v := r.Header.Get(name); v != "" {
					t.Errorf("the error carries %s: %s", name, v)
				}
			}
			rid := r.Header.Get(api.HeaderRequestID)
			if line := docLogLine(t, w.e.Logs.String(), rid, "ERROR"); line == nil {
				t.Errorf("no ERROR log line with request id %s:\n%s", rid, w.e.Logs.String())
			} else if msg, _ := line["error"].(string); !strings.Contains(msg, gone.ID) || !strings.Contains(msg, "contracts/"+docContract+"/"+gone.ID) {
				t.Errorf("the log line does not hold the real error: %v", line)
			}
		})
	}

	t.Run("the other documents still download", func(t *testing.T) {
		docWantFile(t, w.do(t, docReq{path: docFilePath(kept), contract: docContract}), kept, "application/pdf", false)
	})
	t.Run("the list still names it", func(t *testing.T) {
		if !slices.Contains(docIDs(docs), gone.ID) {
			t.Error("the list lost the document")
		}
	})
}

// docLogLine returns the first JSON log line of this request id at this level.
func docLogLine(t *testing.T, logs, requestID, level string) map[string]any {
	t.Helper()
	for line := range strings.Lines(logs) {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			continue
		}
		if m["request_id"] == requestID && m["level"] == level {
			return m
		}
	}
	return nil
}

// docPattern is deterministic content where every 8-byte word holds its own offset, mixed:
// any slice of it is checkable, and a slice from the wrong offset is detected.
type docPattern struct{ off, size int64 }

func docPatternByte(p int64) byte {
	word := uint64(p&^7) * 0x9E3779B97F4A7C15
	return byte(word >> (8 * uint(p&7)))
}

func (d *docPattern) Read(b []byte) (int, error) {
	if d.off >= d.size {
		return 0, io.EOF
	}
	n := int(min(int64(len(b)), d.size-d.off))
	i := 0
	for ; i < n && (d.off+int64(i))&7 != 0; i++ {
		b[i] = docPatternByte(d.off + int64(i))
	}
	for ; i+8 <= n; i += 8 {
		binary.LittleEndian.PutUint64(b[i:], uint64(d.off+int64(i))*0x9E3779B97F4A7C15)
	}
	for ; i < n; i++ {
		b[i] = docPatternByte(d.off + int64(i))
	}
	d.off += int64(n)
	return n, nil
}

func docPatternSlice(from, to int64) []byte {
	b := make([]byte, to-from)
	io.ReadFull(&docPattern{off: from, size: to}, b)
	return b
}

func TestDocumentDownloadStreamsALargeFile(t *testing.T) {
	e := apitest.NewEnv(t)
	tok := e.Token()
	const size = 64 << 20
	h := sha256.New()
	// The bytes are a pattern, not a usage report: store them through a Service that takes any
	// file, and serve them through the test's own.
	raw, err := eccs.NewService(e.DB, e.Blobs, eccs.Config{Keys: apitest.Keys, Now: e.Clock.Now, Formats: testenv.AnyFormats{}})
	if err != nil {
		t.Fatal(err)
	}
	content := make([]byte, size)
	io.ReadFull(io.TeeReader(&docPattern{size: size}, h), content)
	doc, err := raw.AddDocument(t.Context(), eccs.NewDocument{
		ContractID: docContract, Type: eccs.TypeReports, Filename: "OCB0000001_202606_large_usage.csv",
		Period: "202606", Amount: 123456, Currency: "EUR",
	}, bytes.NewReader(content), size)
	if err != nil {
		t.Fatalf("add a %d-byte document: %v", size, err)
	}
	wantSum := hex.EncodeToString(h.Sum(nil))
	if doc.Size != size || doc.SHA256 != wantSum {
		t.Fatalf("stored %d bytes hashing to %s, want %d and %s", doc.Size, doc.SHA256, size, wantSum)
	}

	// A plain client, reading the body as it comes: the validating transport would buffer it.
	get := func(t *testing.T, header ...string) (*http.Response, func()) {
		t.Helper()
		hr, err := http.NewRequestWithContext(t.Context(), http.MethodGet, e.URL+api.BasePath+"/documents/"+doc.ID+"/file", nil)
		if err != nil {
			t.Fatal(err)
		}
		hr.Header.Set("Authorization", "Bearer "+tok)
		hr.Header.Set(api.HeaderAPIKey, e.Creds.APIKeys.Client)
		hr.Header.Set(api.HeaderContractID, docContract)
		hr.Header.Set("Accept", "application/json")
		for i := 0; i+1 < len(header); i += 2 {
			hr.Header.Set(header[i], header[i+1])
		}
		res, err := docHTTP.Do(hr)
		if err != nil {
			t.Fatal(err)
		}
		openapitest.New(t).Check(t, hr, res.StatusCode, res.Header, nil)
		return res, func() { res.Body.Close() }
	}

	t.Run("the whole file arrives intact", func(t *testing.T) {
		res, done := get(t)
		defer done()
		if res.StatusCode != http.StatusOK {
			t.Fatalf("status %d", res.StatusCode)
		}
		if res.ContentLength != size {
			t.Errorf("Content-Length %d, want %d", res.ContentLength, size)
		}
		if got, want := res.Header.Get("ETag"), `"`+wantSum+`"`; got != want {
			t.Errorf("ETag %s, want %s", got, want)
		}
		got := sha256.New()
		n, err := io.Copy(got, res.Body)
		if err != nil || n != size {
			t.Fatalf("read %d bytes (%v), want %d", n, err, size)
		}
		if sum := hex.EncodeToString(got.Sum(nil)); sum != wantSum {
			t.Errorf("the bytes hash to %s, want %s", sum, wantSum)
		}
	})

	for _, tc := range []struct {
		name     string
		rng      string
		from, to int64
	}{
		{"a range in the middle", "bytes=33554429-33558531", 33554429, 33558532},
		{"a range across the last byte", fmt.Sprintf("bytes=%d-", size-1000), size - 1000, size},
		{"a suffix", "bytes=-4099", size - 4099, size},
		{"a large range from an odd offset", "bytes=12345677-46789012", 12345677, 46789013},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, done := get(t, "Range", tc.rng)
			defer done()
			if res.StatusCode != http.StatusPartialContent {
				t.Fatalf("status %d, want 206", res.StatusCode)
			}
			if got, want := res.Header.Get("Content-Range"), fmt.Sprintf("bytes %d-%d/%d", tc.from, tc.to-1, size); got != want {
				t.Errorf("Content-Range %q, want %q", got, want)
			}
			got, want := sha256.New(), sha256.New()
			n, err := io.Copy(got, res.Body)
			if err != nil || n != tc.to-tc.from {
				t.Fatalf("read %d bytes (%v), want %d", n, err, tc.to-tc.from)
			}
			docHashPattern(want, tc.from, tc.to)
			if !bytes.Equal(got.Sum(nil), want.Sum(nil)) {
				t.Errorf("not bytes %d-%d of the file", tc.from, tc.to-1)
			}
		})
	}

	t.Run("the pattern check catches a wrong offset", func(t *testing.T) {
		if bytes.Equal(docPatternSlice(1000, 1100), docPatternSlice(1008, 1108)) {
			t.Fatal("the pattern repeats every 8 bytes: the range checks prove nothing")
		}
	})
}

func docHashPattern(h hash.Hash, from, to int64) {
	io.CopyBuffer(h, &docPattern{off: from, size: to}, make([]byte, 256<<10))
}

// docFailingBlobs opens blobs whose reads fail once `after` bytes have been read: a disk error
// in the middle of a download.
type docFailingBlobs struct {
	eccs.BlobStore
	after int64
}

func (s docFailingBlobs) Open(ctx context.Context, key string) (eccs.Blob, error) {
	b, err := s.BlobStore.Open(ctx, key)
	if err != nil {
		return nil, err
	}
	return &docFailingBlob{Blob: b, after: s.after}, nil
}

type docFailingBlob struct {
	eccs.Blob
	after, pos int64
}

var errDocDisk = errors.New("input/output error on the document disk")

func (b *docFailingBlob) Read(p []byte) (int, error) {
	if b.pos >= b.after {
		return 0, errDocDisk
	}
	if rest := b.after - b.pos; int64(len(p)) > rest {
		p = p[:rest]
	}
	n, err := b.Blob.Read(p)
	b.pos += int64(n)
	return n, err
}

func (b *docFailingBlob) Seek(offset int64, whence int) (int64, error) {
	n, err := b.Blob.Seek(offset, whence)
	if err == nil {
		b.pos = n
	}
	return n, err
}

func TestDocumentDownloadFailingMidwayIsNeverAnswerComplete(t *testing.T) {
	e := apitest.NewEnv(t)
	tok := e.Token()
	svc, err := eccs.NewService(e.DB, docFailingBlobs{BlobStore: e.Blobs, after: 5000}, eccs.Config{Keys: apitest.Keys, Now: e.Clock.Now, Formats: docformat.Formats{}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(httpapi.New(svc, slog.New(slog.NewJSONHandler(io.Discard, nil)), httpapi.Config{Now: e.Clock.Now}))
	t.Cleanup(srv.Close)
	w := &docWorld{e: &apitest.Env{T: t, URL: srv.URL, Creds: e.Creds}, tok: tok}
	docs, _ := w.list(t, "", docContract, "?documentType=bills&limit=1")
	bill := docs[0]

	for _, tc := range []struct {
		name   string
		query  string
		header []string
	}{
		{name: "the raw file", query: ""},
		{name: "a range across the failure", query: "", header: []string{"Range", "bytes=4000-9999"}},
		{name: "the ZIP", query: "?zipped=1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hr := w.request(t, docReq{path: docFilePath(bill) + tc.query, contract: docContract, header: tc.header})
			res, err := docHTTP.Do(hr)
			if err != nil {
				return // the connection was aborted: the client knows it failed
			}
			defer res.Body.Close()
			if res.StatusCode != http.StatusOK && res.StatusCode != http.StatusPartialContent {
				return // an error status tells the client too
			}
			n, err := io.Copy(io.Discard, res.Body)
			if err == nil {
				docCheck(t, fmt.Errorf("%d answer read to its end (%d bytes) although the server could not read the file past byte 5000", res.StatusCode, n))
			}
		})
	}
}
