// Cases: a request, and what the model says it answers; and the read cases, every account ×
// contract × read endpoint.

package isolation_test

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/eccs/eccs/api"
)

type kind int

const (
	kindListContracts kind = iota
	kindShowContract
	kindListDocuments
	kindFile
	kindMe
	kindDeclare
	kindOrder
)

var kindNames = map[kind]string{
	kindListContracts: "GET /contracts", kindShowContract: "GET /contract", kindListDocuments: "GET /documents",
	kindFile: "GET /documents/{id}/file", kindMe: "GET /me", kindDeclare: "POST /contract/{id}/user", kindOrder: "POST /contract",
}

// prediction is the model's answer. status and code are always set (code only for errors);
// the other fields are those of the case's kind.
type prediction struct {
	status, code int
	ids          []string  // lists: the ids of the page, in order
	total        int       // lists: X-Total-Count
	noDocuments  bool      // GET /documents: {"documents": null}
	contract     string    // GET /contract: the contract answered
	document     string    // file: the document whose bytes answer (200) or whose ETag (304)
	zipped       bool      // file: in a ZIP archive
	user         *api.User // POST …/user: the echo
}

type testCase struct {
	name    string
	kind    kind
	account *account
	req     request
	want    prediction
	// twin is set where the model says req names something the account may not see (hidden):
	// the same request naming a missing one instead (standIn, of the same length) must answer
	// the same status, headers and bytes, once hidden is replaced by standIn.
	twin            *request
	hidden, standIn string
}

// probeContracts are the contract ids every account asks about: every contract of the world,
// two missing ones, and the swapped-case twin of a contract number (a missing one too: ids
// compare exactly).
func (s *suite) probeContracts() []string {
	ids := slices.Clone(s.w.contractIDs)
	ids = append(ids, s.freshContractID(10), s.freshContractID(4+s.rng.IntN(20)))
	for _, id := range s.w.contractIDs {
		if swapped := swapCase(id); swapped != id && s.w.contracts[swapped] == nil {
			ids = append(ids, swapped)
			break
		}
	}
	return ids
}

func swapCase(s string) string {
	b := []byte(s)
	for i, c := range b {
		b[i] = otherCase(c)
	}
	return string(b)
}

// otherCase is an ASCII letter in the other case; any other byte is itself.
func otherCase(c byte) byte {
	switch {
	case c >= 'a' && c <= 'z':
		return c - 'a' + 'A'
	case c >= 'A' && c <= 'Z':
		return c - 'A' + 'a'
	}
	return c
}

// readCases are every account × contract × read endpoint: /me, the contract list with
// paging, GET /contract, GET /documents with paging and type filters (full: every filter on
// every contract whose documents the account may read) and, when full, the download of every
// document id (with its own contract, and half of them with another) and of missing and
// malformed ids.
func (s *suite) readCases(full bool) []testCase {
	w := s.w
	var cases []testCase
	s.twinned = map[string]bool{}
	probes := s.probeContracts()
	for _, a := range w.accounts {
		cases = append(cases, s.meCase(a))
		for range 4 {
			cases = append(cases, s.contractsCase(a))
		}
		for _, id := range probes {
			cases = append(cases, s.showCase(a, id))
			// Where a may read documents, every type filter once; elsewhere, a few random
			// queries (they all answer 403, and each is compared with a missing contract).
			filters := []string{"*", "*"}
			if roles, ok := w.wantRoles(a, id); full && ok && roles.documents != roleNone {
				filters = []string{"", "consumptionRatedReports", "*", "*"}
				for _, t := range documentTypes {
					filters = append(filters, t.name)
				}
			}
			for _, f := range filters {
				cases = append(cases, s.documentsCase(a, id, f))
			}
			if full {
				cases = append(cases, s.fileCase(a, id, s.oddDocumentID()))
			}
		}
		if full {
			for _, d := range w.docIDs {
				own := w.documents[d].contractID
				cases = append(cases, s.fileCase(a, own, d))
				if s.rng.IntN(2) == 0 {
					cases = append(cases, s.fileCase(a, s.otherContract(a, own), d))
				}
			}
		}
	}
	s.rng.Shuffle(len(cases), func(i, j int) { cases[i], cases[j] = cases[j], cases[i] })
	return cases
}

// alias picks one of the spellings of a path the server takes (doc/wire.md §0), sometimes with a
// trailing slash.
func (s *suite) alias(forms ...string) string {
	p := pick(s.rng, forms)
	if s.rng.IntN(5) == 0 {
		p += "/"
	}
	return p
}

// hide fills in c.twin when the model says its contract is not visible: the same request
// naming a missing contract of the same length. Each account × endpoint × contract gets one
// such comparison, and one case in four more: the model checks every case's status and code,
// and the comparisons would otherwise grow with the number of queries asked per contract.
func (s *suite) hide(c *testCase, contractID string, twin func(standIn string) request) {
	if s.w.contracts[contractID] == nil {
		return // already a missing contract
	}
	k := fmt.Sprintf("%s %d %s", c.account.id, c.kind, contractID)
	if s.twinned[k] && s.rng.IntN(4) != 0 {
		return
	}
	s.twinned[k] = true
	standIn := s.freshContractID(len(contractID))
	t := twin(standIn)
	c.twin, c.hidden, c.standIn = &t, contractID, standIn
}

func (s *suite) meCase(a *account) testCase {
	return testCase{name: a.name + ": GET /me", kind: kindMe, account: a,
		req: request{method: "GET", path: "/me"}, want: prediction{status: 200}}
}

// contractsCase is GET /contracts with random paging: doc/wire.md §4, every visible contract sorted
// by id, the whole list without limit. X-ECCS-Contract-Id is ignored there (§3.5), so a random
// one is sometimes sent.
func (s *suite) contractsCase(a *account) testCase {
	w := s.w
	visible := w.wantContracts(a)
	q := url.Values{}
	switch s.rng.IntN(8) {
	case 1, 2:
		q.Set("limit", strconv.Itoa(1+s.rng.IntN(len(visible)+2)))
	case 3:
		q.Set("offset", strconv.Itoa(s.rng.IntN(len(visible)+2)))
	case 4, 5:
		q.Set("limit", strconv.Itoa(1+s.rng.IntN(len(visible)+2)))
		q.Set("offset", strconv.Itoa(s.rng.IntN(len(visible)+2)))
	case 6:
		q.Set("limit", pick(s.rng, []string{"0", "1001", "x", "", "-1"}))
	case 7:
		q.Set("offset", pick(s.rng, []string{"-1", "y", ""}))
	}
	req := request{method: "GET", path: s.alias("/contracts") + queryString(q)}
	switch s.rng.IntN(6) {
	case 0, 1:
		req.contract = pick(s.rng, w.contractIDs)
	case 2:
		req.contract = "not a contract!"
	}
	c := testCase{name: fmt.Sprintf("%s: GET %s [contract header %q]", a.name, req.path, req.contract), kind: kindListContracts, account: a, req: req}
	limit, offset, failure := paging(q, 0)
	if failure.status != 0 {
		c.want = failure
		return c
	}
	c.want = prediction{status: 200, ids: page(visible, limit, offset), total: len(visible)}
	return c
}

// showCase is GET /contract: any role on contracts (doc/wire.md §5); otherwise, or for a missing
// contract, 403/50 (§3.5).
func (s *suite) showCase(a *account, id string) testCase {
	path := s.alias("/contract")
	c := testCase{name: fmt.Sprintf("%s: GET %s on %s", a.name, path, id), kind: kindShowContract, account: a,
		req: request{method: "GET", path: path, contract: id}}
	roles, ok := s.w.wantRoles(a, id)
	switch {
	case !ok:
		c.want = prediction{status: 403, code: api.CodeAccessDenied}
		s.hide(&c, id, func(standIn string) request { return request{method: "GET", path: path, contract: standIn} })
	case roles.contracts == roleNone:
		c.want = prediction{status: 403, code: api.CodeAccessDenied}
	default:
		c.want = prediction{status: 200, contract: id}
	}
	return c
}

// documentsCase is GET /documents with random documentType and paging (doc/wire.md §4, §5, and
// doc/decisions.md "Roles and document types", "Parameters are checked after…").
// filter is the documentType to send, or "*" for a random one (or none).
func (s *suite) documentsCase(a *account, id, filter string) testCase {
	w := s.w
	q := s.documentsQuery(filter)
	path := s.alias("/documents", "/document") + queryString(q)
	c := testCase{name: fmt.Sprintf("%s: GET %s on %s", a.name, path, id), kind: kindListDocuments, account: a,
		req: request{method: "GET", path: path, contract: id}}
	roles, ok := w.wantRoles(a, id)
	if !ok {
		c.want = prediction{status: 403, code: api.CodeAccessDenied}
		s.hide(&c, id, func(standIn string) request { return request{method: "GET", path: path, contract: standIn} })
		return c
	}
	if roles.documents == roleNone {
		c.want = prediction{status: 403, code: api.CodeAccessDenied}
		return c
	}
	limit, offset, failure := paging(q, 10)
	if failure.status != 0 {
		c.want = failure
		return c
	}
	var types []string // nil: every type
	switch name := q.Get("documentType"); {
	case name == "":
	case name == "consumptionRatedReports":
		types = []string{api.DocumentConsumptionRatedReports}
	default:
		if _, known := documentTypeOf(name); !known {
			// doc/wire.md §4: any other value answers {"documents": null}; nothing matches.
			c.want = prediction{status: 200, noDocuments: true}
			return c
		}
		types = []string{name}
	}
	all := w.wantDocuments(id, roles.documents, types)
	c.want = prediction{status: 200, ids: page(all, limit, offset), total: len(all)}
	return c
}

// documentsQuery is the query of a documentsCase: documentType filter (or "*": a random one,
// or none), and now and then random paging.
func (s *suite) documentsQuery(filter string) url.Values {
	q := url.Values{}
	if filter == "*" {
		switch s.rng.IntN(10) {
		case 0, 1, 2: // every type
		case 3:
			q.Set("documentType", "")
		case 4:
			q.Set("documentType", "consumptionRatedReports") // the alias of the misspelt type
		case 5:
			q.Set("documentType", pick(s.rng, []string{"statements", "Bills", "bill"}))
		default:
			q.Set("documentType", pick(s.rng, documentTypes).name)
		}
	} else {
		q.Set("documentType", filter)
	}
	switch s.rng.IntN(8) {
	case 1, 2:
		q.Set("limit", strconv.Itoa(1+s.rng.IntN(8)))
	case 3:
		q.Set("offset", strconv.Itoa(s.rng.IntN(8)))
	case 4:
		q.Set("limit", strconv.Itoa(1+s.rng.IntN(8)))
		q.Set("offset", strconv.Itoa(s.rng.IntN(8)))
	case 5:
		q.Set("limit", pick(s.rng, []string{"0", "1001", "ten", ""}))
	}
	return q
}

// fileCase is GET /documents/{docID}/file on contract contractID (doc/wire.md §4, §5): a document
// not in that contract, unknown, or of a type the role may not see answers 404/60 alike. Some
// cases ask for a ZIP, some are conditional on the document's real ETag (which must not tell
// an invisible document from a missing one either), a few send a bad zipped, which is checked
// before the document is looked up.
func (s *suite) fileCase(a *account, contractID, docID string) testCase {
	w := s.w
	d := w.documents[docID]
	q, etag := s.fileQuery(d)
	prefix := s.alias("/documents", "/document")
	path := strings.TrimSuffix(prefix, "/") + "/" + docID + "/file" + queryString(q)
	c := testCase{name: fmt.Sprintf("%s: GET %s on %s [If-None-Match %s]", a.name, path, contractID, etag), kind: kindFile, account: a,
		req: request{method: "GET", path: path, contract: contractID, etag: etag}}
	roles, ok := w.wantRoles(a, contractID)
	if !ok {
		c.want = prediction{status: 403, code: api.CodeAccessDenied}
		s.hide(&c, contractID, func(standIn string) request {
			return request{method: "GET", path: path, contract: standIn, etag: etag}
		})
		return c
	}
	if roles.documents == roleNone {
		c.want = prediction{status: 403, code: api.CodeAccessDenied}
		return c
	}
	zipped, failure := zippedParam(q)
	if failure.status != 0 {
		c.want = failure
		return c
	}
	if d != nil && d.contractID == contractID {
		if t, _ := documentTypeOf(d.docType); roles.documents >= t.role {
			c.want = prediction{status: 200, document: docID, zipped: zipped}
			if etag != "" {
				c.want.status = 304
			}
			return c
		}
	}
	c.want = prediction{status: 404, code: api.CodeResourceNotFound}
	if d != nil {
		standIn := s.missingDocumentID()
		c.twin = &request{method: "GET", path: strings.Replace(path, docID, standIn, 1), contract: contractID, etag: etag}
		c.hidden, c.standIn = docID, standIn
	}
	return c
}

// fileQuery is the query and If-None-Match of a fileCase on document d (nil: a missing one):
// some ask for a ZIP, some are conditional on the document's real ETag, a few send a bad
// zipped.
func (s *suite) fileQuery(d *document) (q url.Values, etag string) {
	q = url.Values{}
	switch s.rng.IntN(10) {
	case 0, 1:
		q.Set("zipped", pick(s.rng, []string{"1", "true"}))
	case 2:
		q.Set("zipped", pick(s.rng, []string{"0", "false"}))
	case 3:
		q.Set("zipped", pick(s.rng, []string{"yes", ""}))
	case 4:
		if d != nil {
			etag = `"` + d.contentSHA256 + `"`
		}
	}
	return q, etag
}

// zippedParam is the model of the zipped parameter (doc/wire.md §4): 1 or true, 0 or false;
// empty is 400/27, any other value 400/28.
func zippedParam(q url.Values) (zipped bool, failure prediction) {
	if !q.Has("zipped") {
		return false, prediction{}
	}
	switch q.Get("zipped") {
	case "":
		return false, prediction{status: 400, code: api.CodeMissingQueryParameter}
	case "1", "true":
		return true, prediction{}
	case "0", "false":
		return false, prediction{}
	}
	return false, prediction{status: 400, code: api.CodeInvalidQueryParameter}
}

// oddDocumentID is a missing document id, or now and then one of another shape: ids are
// opaque, so every unknown one answers 404/60 (doc/wire.md §4).
func (s *suite) oddDocumentID() string {
	if s.rng.IntN(4) == 0 {
		return pick(s.rng, []string{"ABCDEFGHIJKLMNOP", "short", "abcdefghijklmno1", "abcdefghijklmnopq", "INV-2026.04_001", "%C3%A9t%C3%A9", "x%00y"})
	}
	return s.missingDocumentID()
}

// otherContract is a contract other than not, preferably one a may read documents of, so that
// asking for a document of not through it tests the boundary between two visible contracts.
func (s *suite) otherContract(a *account, not string) string {
	var readable, others []string
	for _, id := range s.w.contractIDs {
		if id == not {
			continue
		}
		others = append(others, id)
		if r, ok := s.w.wantRoles(a, id); ok && r.documents != roleNone {
			readable = append(readable, id)
		}
	}
	if len(readable) > 0 && s.rng.IntN(4) != 0 {
		return pick(s.rng, readable)
	}
	return pick(s.rng, others)
}

func queryString(q url.Values) string {
	if len(q) == 0 {
		return ""
	}
	return "?" + q.Encode()
}
