// Tests of GET /documents and GET /documents/{id}/file (doc/wire.md §3, §4, §5, §6 and the
// Documents section of doc/decisions.md): the world they share and their helpers. The tests
// are in documents_list_test.go, documents_file_test.go and documents_stream_test.go; helpers
// of these files start with "doc".

package httpapi_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/eccs/eccs/api"
	"github.com/eccs/eccs/internal/testkit/apitest"
	"github.com/eccs/eccs/internal/testkit/openapitest"
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
