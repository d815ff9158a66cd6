package httpapi_test

// The isolation property test (doc/reliability.md). It builds a random world through the domain
// Service (customers, billing accounts, offers, contracts, client accounts declared with random
// roles, administrators with random perimeters, documents of every type), serves it over real
// HTTP on loopback, and asks, for every account × contract × endpoint and every document id,
// whether the answer is the one a small model of doc/wire.md §5 predicts: status, envelope
// code, the exact ids of every list and its totals, the bytes of every download. Wherever the
// model says an account may not see a contract (or a document), the same request naming a
// missing one must answer the same bytes, the requested id aside.
//
// The model is the isoWorld methods named want*: plain functions of the world description the
// test generated, written from doc/wire.md and doc/decisions.md. They never call the product.
//
// The seed is ECCS_ISOLATION_SEED when set, otherwise the time; every failure names it. Helpers
// of this file start with "iso".

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/eccs/eccs/api"
	"github.com/eccs/eccs/internal/eccs"
	"github.com/eccs/eccs/internal/httpapi"
	"github.com/eccs/eccs/internal/testkit/apitest"
	"github.com/eccs/eccs/internal/testkit/testenv"
)

// isoNow is the fake clock's time: documents were created in the hours before it.
var isoNow = time.Date(2026, 6, 15, 10, 0, 0, 0, time.UTC)

// isoWorkers is how many requests of a read phase run at once.
const isoWorkers = 4

// isoMaxReported bounds the failures reported one by one; the rest are only counted.
const isoMaxReported = 20

func TestIsolationMatchesTheModelInARandomWorld(t *testing.T) {
	seed := isoSeed(t)
	t.Logf("seed %d (rerun with ECCS_ISOLATION_SEED=%d)", seed, seed)
	start := time.Now()
	s := newIsoSuite(t, seed)
	s.build(isoSizesFor(testing.Short()))
	w := s.w
	t.Logf("world: %d customers, %d billing accounts, %d offers, %d contracts, %d accounts, %d documents (built in %s)",
		len(w.customers), len(w.baIDs), len(w.offerIDs), len(w.contractIDs), len(w.accounts), len(w.docIDs),
		time.Since(start).Round(time.Millisecond))

	// Phase 1: reads, in parallel; nothing changes the world meanwhile.
	phase := time.Now()
	s.runParallel(s.readCases(true))
	t.Logf("reads: %d cases in %s", s.cases.Load(), time.Since(phase).Round(time.Millisecond))
	// Phase 2: writes, one at a time, each folded into the model before the next is predicted.
	phase, before := time.Now(), s.cases.Load()
	s.runWrites()
	t.Logf("writes: %d cases in %s", s.cases.Load()-before, time.Since(phase).Round(time.Millisecond))
	// Phase 3: reads again, on the world the writes changed.
	phase, before = time.Now(), s.cases.Load()
	s.runParallel(s.readCases(false))
	t.Logf("reads after the writes: %d cases in %s", s.cases.Load()-before, time.Since(phase).Round(time.Millisecond))

	t.Logf("%d cases (%d requests, %d invisible/missing comparisons) in %s",
		s.cases.Load(), s.requests.Load(), s.twins.Load(), time.Since(start).Round(time.Millisecond))
	if testing.Verbose() {
		var lines []string
		for k, n := range s.answers {
			lines = append(lines, fmt.Sprintf("%s: %d", k, n))
		}
		slices.Sort(lines)
		t.Logf("cases by endpoint and predicted status:\n  %s", strings.Join(lines, "\n  "))
	}
	if n := s.failures.Load(); n > 0 {
		t.Errorf("%d cases departed from the model (rerun with ECCS_ISOLATION_SEED=%d)", n, seed)
	}
}

func isoSeed(t *testing.T) uint64 {
	if v := os.Getenv("ECCS_ISOLATION_SEED"); v != "" {
		seed, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			t.Fatalf("ECCS_ISOLATION_SEED=%q is not an unsigned integer: %v", v, err)
		}
		return seed
	}
	return uint64(time.Now().UnixNano())
}

// isoSizes is how large the random world is.
type isoSizes struct {
	customers, billingAccounts, offers, contracts, clients, admins, maxDocs int
}

func isoSizesFor(short bool) isoSizes {
	if short {
		return isoSizes{customers: 2, billingAccounts: 4, offers: 3, contracts: 10, clients: 4, admins: 2, maxDocs: 5}
	}
	return isoSizes{customers: 4, billingAccounts: 8, offers: 4, contracts: 20, clients: 6, admins: 3, maxDocs: 6}
}

// ---------------------------------------------------------------------------------------------
// The world description: plain data the test generates, and from which the model predicts.

// isoRole is a role of the model, ordered as doc/wire.md §5 orders them.
type isoRole int

const (
	isoNone isoRole = iota
	isoVisitor
	isoManager
)

// wire is the role as the wire lists it: one name, or nothing.
func (r isoRole) wire() []string {
	switch r {
	case isoVisitor:
		return []string{api.RoleVisitor}
	case isoManager:
		return []string{api.RoleManager}
	}
	return nil
}

// isoRoles are a person's roles on the sections of one contract.
type isoRoles struct{ contracts, documents, users isoRole }

var isoManagerEverywhere = isoRoles{isoManager, isoManager, isoManager}

func (r isoRoles) wire() api.Roles {
	return api.Roles{Contracts: r.contracts.wire(), Documents: r.documents.wire(), Users: r.users.wire()}
}

// isoDocType is a document type of doc/wire.md §4, the role §5 requires to see it, and the media
// type §4 serves it with.
type isoDocType struct {
	name        string
	role        isoRole
	contentType string
	extension   string
}

const isoXLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

var isoDocTypes = []isoDocType{
	{api.DocumentBills, isoManager, isoXLSX, ".xlsx"},
	{api.DocumentInvoices, isoManager, "application/pdf", ".pdf"},
	{api.DocumentReports, isoVisitor, "text/csv", ".csv"},
	{api.DocumentPartialBills, isoManager, isoXLSX, ".xlsx"},
	{api.DocumentConsumptionRatedReports, isoVisitor, "text/csv", ".csv"},
	{api.DocumentPartialConsumptionRatedReports, isoVisitor, "text/csv", ".csv"},
}

func isoTypeOf(name string) (isoDocType, bool) {
	for _, t := range isoDocTypes {
		if t.name == name {
			return t, true
		}
	}
	return isoDocType{}, false
}

type isoCustomer struct{ id, name, segment string }

type isoBillingAccount struct{ id, customerID string }

type isoOffer struct {
	id, name, contractType string
	supportLevels          []string
}

// isoPerson is an identity: one per e-mail address, compared without case. The persons of the
// world always give the same names; login is the one they give, "" when the server chose it.
type isoPerson struct{ email, login, firstName, lastName string }

// isoRecordKey names a customer's record of a person (lower-case e-mail): what a customer's
// callers said about them is that customer's own, and a login names one person within a
// customer (doc/wire.md §4).
type isoRecordKey struct{ customerID, person string }

type isoContract struct {
	id, name, contractType string
	offerID, baID          string
	customerID             string
	referent               string // lower-case e-mail
	closed                 bool
	users                  map[string]isoRoles // declared persons by lower-case e-mail
}

type isoAccount struct {
	name   string // for messages: "client 3 (p007.kx@iso.test)"
	id     string
	admin  bool
	person string // lower-case e-mail of its identity
	key    string
	// The perimeter of an administrator.
	billingAccounts, offers []string
}

type isoDocument struct {
	id, contractID, docType  string
	filename, period, curr   string
	amount                   int64 // cents
	createdAt                time.Time
	content                  []byte
	contentSHA256            string
	contentType, disposition string
}

// isoWorld is everything the test created. Slices keep creation order, so that random picks
// are the same for the same seed; maps index them.
type isoWorld struct {
	customers       map[string]*isoCustomer
	billingAccounts map[string]*isoBillingAccount
	baIDs           []string
	offers          map[string]*isoOffer
	offerIDs        []string
	persons         map[string]*isoPerson
	logins          map[isoRecordKey]string // each customer's record of a person: its login, "" when the server chose it and no answer told it yet
	contracts       map[string]*isoContract
	contractIDs     []string
	documents       map[string]*isoDocument
	docIDs          []string
	accounts        []*isoAccount
}

// ---------------------------------------------------------------------------------------------
// The model: doc/wire.md §3 to §5 and doc/decisions.md, as functions of the world.

// wantRoles is doc/wire.md §5: an administrator sees the contracts whose billing account AND offer
// are both in its perimeter, with manager everywhere; a client sees the contracts its person is
// declared on, with the roles it was given. ok is false when the account may not see the
// contract, or there is no such contract (ids compare exactly: case matters).
func (w *isoWorld) wantRoles(a *isoAccount, contractID string) (roles isoRoles, ok bool) {
	c := w.contracts[contractID]
	if c == nil {
		return isoRoles{}, false
	}
	if a.admin {
		if slices.Contains(a.billingAccounts, c.baID) && slices.Contains(a.offers, c.offerID) {
			return isoManagerEverywhere, true
		}
		return isoRoles{}, false
	}
	r, declared := c.users[a.person]
	return r, declared && r.contracts != isoNone
}

// wantContracts is the ids of the contracts a may see, sorted by id (byte order).
func (w *isoWorld) wantContracts(a *isoAccount) []string {
	var ids []string
	for _, id := range w.contractIDs {
		if _, ok := w.wantRoles(a, id); ok {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids
}

// isoParseRoles is the model of a "roles" object (doc/decisions.md, "Roles" and "A declaration
// always grants…"): the highest role listed on a section counts, an empty or absent list is
// no role, and a declared user has at least visitor on the contracts section.
func isoParseRoles(raw map[string][]string) isoRoles {
	best := func(names []string) isoRole {
		r := isoNone
		for _, n := range names {
			switch n {
			case api.RoleManager:
				r = isoManager
			case api.RoleVisitor:
				r = max(r, isoVisitor)
			}
		}
		return r
	}
	return isoRoles{
		contracts: max(best(raw["contracts"]), isoVisitor),
		documents: best(raw["documents"]),
		users:     best(raw["users"]),
	}
}

// wantDocuments is the documents of contractID that the documents role may see among types
// (nil: every type), sorted by period, then creation time, newest first. doc/wire.md §4 leaves
// ties open; the stores break them by id, descending (sqlstore's Documents), which keeps pages
// stable.
func (w *isoWorld) wantDocuments(contractID string, role isoRole, types []string) []string {
	var docs []*isoDocument
	for _, id := range w.docIDs {
		d := w.documents[id]
		t, _ := isoTypeOf(d.docType)
		if d.contractID == contractID && role >= t.role && (types == nil || slices.Contains(types, d.docType)) {
			docs = append(docs, d)
		}
	}
	slices.SortFunc(docs, func(a, b *isoDocument) int {
		if c := strings.Compare(b.period, a.period); c != 0 {
			return c
		}
		if c := b.createdAt.Compare(a.createdAt); c != 0 {
			return c
		}
		return strings.Compare(b.id, a.id)
	})
	ids := make([]string, len(docs))
	for i, d := range docs {
		ids[i] = d.id
	}
	return ids
}

// isoPage is the page of ids that limit and offset select (limit 0: all).
func isoPage(ids []string, limit, offset int) []string {
	if offset >= len(ids) {
		return []string{}
	}
	ids = ids[offset:]
	if limit > 0 && limit < len(ids) {
		ids = ids[:limit]
	}
	return ids
}

// isoPaging is the model of the limit and offset parameters (doc/wire.md §4, doc/decisions.md
// "Query parameters"): limit 1 to 1000, offset 0 or more, checked in that order; an empty
// value is 400/27, any other bad value 400/28.
func isoPaging(q url.Values, defaultLimit int) (limit, offset int, failure isoWant) {
	limit = defaultLimit
	for _, p := range []struct {
		name     string
		min, max int
		dst      *int
	}{{"limit", 1, 1000, &limit}, {"offset", 0, 1 << 30, &offset}} {
		vs, present := q[p.name]
		if !present {
			continue
		}
		if vs[0] == "" {
			return 0, 0, isoWant{status: 400, code: api.CodeMissingQueryParameter}
		}
		n, err := strconv.Atoi(vs[0])
		if err != nil || n < p.min || n > p.max {
			return 0, 0, isoWant{status: 400, code: api.CodeInvalidQueryParameter}
		}
		*p.dst = n
	}
	return limit, offset, isoWant{}
}

// isoOrderedID is the shape of the numbers of contracts ordered here (doc/wire.md §4).
var isoOrderedID = regexp.MustCompile(`^OCB[0-9]{7}$`)

// ---------------------------------------------------------------------------------------------
// Cases: a request, and what the model says it answers.

type isoKind int

const (
	isoListContracts isoKind = iota
	isoShowContract
	isoListDocuments
	isoFile
	isoMe
	isoDeclare
	isoOrder
)

var isoKindNames = map[isoKind]string{
	isoListContracts: "GET /contracts", isoShowContract: "GET /contract", isoListDocuments: "GET /documents",
	isoFile: "GET /documents/{id}/file", isoMe: "GET /me", isoDeclare: "POST /contract/{id}/user", isoOrder: "POST /contract",
}

type isoRequest struct {
	method   string
	path     string // under api.BasePath, with its query string
	contract string // X-ECCS-Contract-Id; "" sends none
	body     string
	etag     string // If-None-Match; "" sends none
}

// isoWant is the model's answer. status and code are always set (code only for errors);
// the other fields are those of the case's kind.
type isoWant struct {
	status, code int
	ids          []string  // lists: the ids of the page, in order
	total        int       // lists: X-Total-Count
	noDocuments  bool      // GET /documents: {"documents": null}
	contract     string    // GET /contract: the contract answered
	document     string    // file: the document whose bytes answer (200) or whose ETag (304)
	zipped       bool      // file: in a ZIP archive
	user         *api.User // POST …/user: the echo
}

type isoCase struct {
	name    string
	kind    isoKind
	account *isoAccount
	req     isoRequest
	want    isoWant
	// twin is set where the model says req names something the account may not see (hidden):
	// the same request naming a missing one instead (standIn, of the same length) must answer
	// the same status, headers and bytes, once hidden is replaced by standIn.
	twin            *isoRequest
	hidden, standIn string
}

// isoResponse is an answer, read whole.
type isoResponse struct {
	status int
	header http.Header
	body   []byte
}

func (r isoResponse) String() string {
	b := r.body
	if len(b) > 200 {
		b = append(b[:200:200], "…"...)
	}
	return fmt.Sprintf("%d %q", r.status, b)
}

// ---------------------------------------------------------------------------------------------
// The suite: a server on a fresh store, the world, the runner.

type isoSuite struct {
	t      *testing.T
	seed   uint64
	rng    *rand.Rand
	svc    *eccs.Service
	url    string
	token  string
	client *http.Client
	w      *isoWorld
	next   int // numbers the names the world needs unique
	// twinned records the account × endpoint × contract triples given a comparison with a
	// missing contract (see hide).
	twinned map[string]bool

	cases, requests, twins, failures atomic.Int64
	describe                         sync.Once

	mu      sync.Mutex
	answers map[string]int // "GET /documents 403" → how many cases the model predicted so
}

// isoLockedReader makes a seeded randomness source safe for the Service's concurrent use.
type isoLockedReader struct {
	mu sync.Mutex
	r  io.Reader
}

func (l *isoLockedReader) Read(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.r.Read(p)
}

// newIsoSuite starts a server on a fresh, empty store of the test backend (apitest.EmptyStore:
// the seeded test world is not used, this test makes its own). The Service takes
// any file (testenv.AnyFormats): this test is about who sees which bytes, not their format.
// Its ids come from the seed, so that a seed rebuilds the same world.
func newIsoSuite(t *testing.T, seed uint64) *isoSuite {
	db, blobs := apitest.EmptyStore(t)
	clock := testenv.NewClock(isoNow)
	var chacha [32]byte
	binary.LittleEndian.PutUint64(chacha[:], seed)
	svc, err := eccs.NewService(db, blobs, eccs.Config{
		Keys: apitest.Keys, Now: clock.Now, Formats: testenv.AnyFormats{},
		Random: &isoLockedReader{r: rand.NewChaCha8(chacha)},
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(httpapi.New(svc, slog.New(slog.NewJSONHandler(io.Discard, nil)), httpapi.Config{Now: clock.Now}))
	t.Cleanup(srv.Close)
	transport := &http.Transport{MaxIdleConnsPerHost: isoWorkers}
	t.Cleanup(transport.CloseIdleConnections)
	s := &isoSuite{
		t: t, seed: seed, answers: map[string]int{}, rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), svc: svc, url: srv.URL,
		client: &http.Client{Transport: transport, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }},
	}
	app, secret, err := svc.CreateApplication(t.Context(), eccs.NewApplication{
		Name: "Isolation test", Subscription: eccs.SubscriptionApproved, TermsAccepted: true})
	s.must(err, "create the application")
	hr, err := http.NewRequestWithContext(t.Context(), "POST", s.url+api.TokenPath, strings.NewReader("grant_type=client_credentials"))
	s.must(err, "token request")
	hr.SetBasicAuth(app.ClientID, secret)
	hr.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r := s.send(hr)
	var tok api.Token
	if r.status != http.StatusOK || json.Unmarshal(r.body, &tok) != nil {
		t.Fatalf("token: %s", r)
	}
	s.token = tok.AccessToken
	return s
}

func (s *isoSuite) must(err error, what string) {
	s.t.Helper()
	if err != nil {
		s.t.Fatalf("%s: %v (rerun with ECCS_ISOLATION_SEED=%d)", what, err, s.seed)
	}
}

// fail reports a case that departed from the model, with the seed; past isoMaxReported
// failures it only counts them. The first failure also logs the world, to read it against.
func (s *isoSuite) fail(c isoCase, format string, args ...any) {
	n := s.failures.Add(1)
	s.describe.Do(func() { s.t.Logf("the world:\n%s", s.w.String()) })
	if n <= isoMaxReported {
		s.t.Errorf("%s: %s (rerun with ECCS_ISOLATION_SEED=%d)", c.name, fmt.Sprintf(format, args...), s.seed)
	}
}

// send sends hr and reads the answer whole; a transport failure fails the test and answers
// status -1.
func (s *isoSuite) send(hr *http.Request) isoResponse {
	s.requests.Add(1)
	res, err := s.client.Do(hr)
	if err != nil {
		s.t.Errorf("%s %s: %v (rerun with ECCS_ISOLATION_SEED=%d)", hr.Method, hr.URL, err, s.seed)
		return isoResponse{status: -1}
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		s.t.Errorf("%s %s: read the body: %v (rerun with ECCS_ISOLATION_SEED=%d)", hr.Method, hr.URL, err, s.seed)
		return isoResponse{status: -1}
	}
	return isoResponse{status: res.StatusCode, header: res.Header, body: body}
}

// do sends a resource call of account a.
func (s *isoSuite) do(a *isoAccount, r isoRequest) isoResponse {
	var body io.Reader
	if r.body != "" {
		body = strings.NewReader(r.body)
	}
	hr, err := http.NewRequestWithContext(context.Background(), r.method, s.url+api.BasePath+r.path, body)
	if err != nil {
		s.t.Errorf("%s %s: %v", r.method, r.path, err)
		return isoResponse{status: -1}
	}
	hr.Header.Set("Authorization", "Bearer "+s.token)
	hr.Header.Set(api.HeaderAPIKey, a.key)
	hr.Header.Set("Accept", "application/json")
	if r.contract != "" {
		hr.Header.Set(api.HeaderContractID, r.contract)
	}
	if r.etag != "" {
		hr.Header.Set("If-None-Match", r.etag)
	}
	if r.body != "" {
		hr.Header.Set("Content-Type", "application/json")
	}
	return s.send(hr)
}

// exec runs one case: the request, the check against the model, and the comparison with its
// twin. It returns the answer.
func (s *isoSuite) exec(c isoCase) isoResponse {
	s.cases.Add(1)
	s.mu.Lock()
	s.answers[fmt.Sprintf("%-22s %d", isoKindNames[c.kind], c.want.status)]++
	s.mu.Unlock()
	r := s.do(c.account, c.req)
	if err := s.w.check(c, r); err != nil {
		s.fail(c, "%v", err)
	}
	if c.twin != nil {
		s.twins.Add(1)
		tr := s.do(c.account, *c.twin)
		if err := isoSame(r, tr, c.hidden, c.standIn); err != nil {
			s.fail(c, "%s (invisible) and %s (missing) answer differently: %v", c.hidden, c.standIn, err)
		}
	}
	return r
}

// runParallel runs read cases on isoWorkers goroutines.
func (s *isoSuite) runParallel(cases []isoCase) {
	work := make(chan isoCase)
	var wg sync.WaitGroup
	for range isoWorkers {
		wg.Go(func() {
			for c := range work {
				s.exec(c)
			}
		})
	}
	for _, c := range cases {
		if s.failures.Load() > 10*isoMaxReported {
			break // enough to read
		}
		work <- c
	}
	close(work)
	wg.Wait()
}

// isoSame compares the answer about something invisible (a) with the answer about something
// missing (b): same status, same headers (but the request id and the date), and the same bytes
// once hidden is replaced by standIn. The two ids have the same length, so Content-Length
// compares as well.
func isoSame(a, b isoResponse, hidden, standIn string) error {
	if a.status != b.status {
		return fmt.Errorf("status %d and %d: %s / %s", a.status, b.status, a, b)
	}
	if got := bytes.ReplaceAll(a.body, []byte(hidden), []byte(standIn)); !bytes.Equal(got, b.body) {
		return fmt.Errorf("bodies %q and %q", a.body, b.body)
	}
	names := map[string]bool{}
	for k := range a.header {
		names[k] = true
	}
	for k := range b.header {
		names[k] = true
	}
	for k := range names {
		if k == http.CanonicalHeaderKey(api.HeaderRequestID) || k == "Date" {
			continue
		}
		if !slices.Equal(a.header[k], b.header[k]) {
			return fmt.Errorf("header %s: %q and %q", k, a.header[k], b.header[k])
		}
	}
	return nil
}

// ---------------------------------------------------------------------------------------------
// Building the world through the domain Service.

func (s *isoSuite) build(z isoSizes) {
	ctx := s.t.Context()
	w := &isoWorld{
		customers: map[string]*isoCustomer{}, billingAccounts: map[string]*isoBillingAccount{},
		offers: map[string]*isoOffer{}, persons: map[string]*isoPerson{}, logins: map[isoRecordKey]string{}, contracts: map[string]*isoContract{},
		documents: map[string]*isoDocument{},
	}
	s.w = w
	var customerIDs []string
	for range z.customers {
		c := eccs.Customer{ID: "CU-" + s.word(2, 8), Name: "Customer " + s.word(4, 4), Segment: isoPick(s.rng, []string{"int", "large", "sme"})}
		_, err := s.svc.CreateCustomer(ctx, c)
		s.must(err, "create customer")
		w.customers[c.ID] = &isoCustomer{id: c.ID, name: c.Name, segment: c.Segment}
		customerIDs = append(customerIDs, c.ID)
	}
	for range z.billingAccounts {
		id := s.freshBillingAccountID()
		b := eccs.BillingAccount{ID: id, CustomerID: isoPick(s.rng, customerIDs), Name: "Billing " + s.word(4, 4)}
		_, err := s.svc.CreateBillingAccount(ctx, b)
		s.must(err, "create billing account")
		w.billingAccounts[id] = &isoBillingAccount{id: id, customerID: b.CustomerID}
		w.baIDs = append(w.baIDs, id)
	}
	for range z.offers {
		o := eccs.Offer{ID: "OF" + s.word(2, 6), Name: "Offer " + s.word(4, 4),
			ContractType: isoPick(s.rng, []string{"Public Cloud", "Private Cloud", "Backup"})}
		for _, l := range []string{"BSC", "STD", "PRM", "GLD"} {
			if s.rng.IntN(2) == 0 || len(o.SupportLevels) == 0 && l == "GLD" {
				o.SupportLevels = append(o.SupportLevels, l)
			}
		}
		if w.offers[o.ID] != nil {
			continue
		}
		_, err := s.svc.CreateOffer(ctx, o)
		s.must(err, "create offer")
		w.offers[o.ID] = &isoOffer{id: o.ID, name: o.Name, contractType: o.ContractType, supportLevels: o.SupportLevels}
		w.offerIDs = append(w.offerIDs, o.ID)
	}

	// Accounts. Now and then one shares the identity (the e-mail) of an earlier account.
	for i := range z.clients + z.admins {
		admin := i >= z.clients
		var p *isoPerson
		if len(w.accounts) > 0 && s.rng.IntN(6) == 0 {
			p = w.persons[isoPick(s.rng, w.accounts).person]
		} else {
			p = s.newPerson()
		}
		na := eccs.NewAccount{Type: eccs.AccountClient, Login: p.login,
			Person: eccs.Person{LastName: p.lastName, FirstName: p.firstName, Email: s.emailOf(p)}}
		a := &isoAccount{person: strings.ToLower(p.email), admin: admin}
		if admin {
			na.Type = eccs.AccountAdministrator
			a.billingAccounts, a.offers = s.randomPerimeter()
			na.Perimeter = eccs.Perimeter{BillingAccountIDs: a.billingAccounts, OfferIDs: a.offers}
		}
		acct, err := s.svc.CreateAccount(ctx, na)
		s.must(err, "create account")
		_, key, err := s.svc.IssueAPIKey(ctx, acct.ID, eccs.KeyOptions{})
		s.must(err, "issue API key")
		a.id, a.key = acct.ID, key
		kind := "client"
		if admin {
			kind = "administrator"
		}
		a.name = fmt.Sprintf("%s %d (%s)", kind, i, p.email)
		w.remember(p)
		w.accounts = append(w.accounts, a)
	}

	// Contracts: numbered by the server or loaded with the operator's own numbers (case
	// matters); their referent is sometimes an account's person.
	for range z.contracts {
		ba, offer := isoPick(s.rng, w.baIDs), w.offers[isoPick(s.rng, w.offerIDs)]
		id := ""
		if s.rng.IntN(2) == 0 {
			id = s.freshContractID(6 + s.rng.IntN(12))
		}
		ref := s.somePerson(3)
		nc := eccs.NewContract{ID: id, Name: "Contract " + s.word(3, 8), Type: isoPick(s.rng, []string{"Public Cloud", "Private Cloud", "Backup"}),
			OfferID: offer.id, BillingAccountID: ba, ReferentLogin: ref.login,
			Referent: eccs.Person{LastName: ref.lastName, FirstName: ref.firstName, Email: s.emailOf(ref)}}
		c, err := s.svc.CreateContract(ctx, nc)
		s.must(err, "create contract")
		w.remember(ref)
		w.record(w.billingAccounts[ba].customerID, ref, ref.login)
		w.addContract(&isoContract{id: c.ID, name: nc.Name, contractType: nc.Type, offerID: offer.id, baID: ba,
			customerID: w.billingAccounts[ba].customerID, referent: strings.ToLower(ref.email)})
	}

	// Declarations: account persons (administrators' too: for them a declaration must not
	// matter) and strangers, with random roles.
	for _, id := range w.contractIDs {
		c := w.contracts[id]
		for _, a := range w.accounts {
			if _, declared := c.users[a.person]; declared || s.rng.IntN(2) != 0 {
				continue
			}
			s.declare(id, w.persons[a.person])
		}
		for range s.rng.IntN(3) {
			s.declare(id, s.newPerson())
		}
	}

	// Documents of every type, with ties on period and creation time.
	for _, id := range w.contractIDs {
		for range s.rng.IntN(z.maxDocs + 1) {
			s.addDocument(id, isoPick(s.rng, isoDocTypes))
		}
	}
	for _, t := range isoDocTypes {
		s.addDocument(isoPick(s.rng, w.contractIDs), t)
	}

	// Some contracts are closed: still visible, with their documents, but no new user.
	for _, id := range w.contractIDs {
		if s.rng.IntN(8) == 0 {
			_, err := s.svc.CloseContract(ctx, id)
			s.must(err, "close contract")
			w.contracts[id].closed = true
		}
	}
}

func (w *isoWorld) addContract(c *isoContract) {
	c.users = map[string]isoRoles{c.referent: isoManagerEverywhere} // doc/wire.md §4: the referent is manager everywhere
	w.contracts[c.id] = c
	w.contractIDs = append(w.contractIDs, c.id)
}

// declare declares person p on a contract as the operator does, with random roles.
func (s *isoSuite) declare(contractID string, p *isoPerson) {
	raw := s.randomRoles()
	_, err := s.svc.AddUser(s.t.Context(), contractID, eccs.NewUser{LastName: p.lastName, FirstName: p.firstName,
		Email: s.emailOf(p), Login: p.login, Roles: raw})
	s.must(err, "declare user")
	s.w.remember(p)
	s.w.record(s.w.contracts[contractID].customerID, p, p.login)
	s.w.contracts[contractID].users[strings.ToLower(p.email)] = isoParseRoles(raw)
}

func (s *isoSuite) addDocument(contractID string, t isoDocType) {
	content := make([]byte, 16+s.rng.IntN(200))
	for i := range content {
		content[i] = byte(s.rng.Uint32())
	}
	nd := eccs.NewDocument{
		ContractID: contractID, Type: eccs.DocumentType(t.name), Filename: "doc-" + s.word(4, 10) + t.extension,
		Period: fmt.Sprintf("2026%02d", 1+s.rng.IntN(4)), Amount: s.rng.Int64N(2_000_000) - 100_000,
		Currency: isoPick(s.rng, []string{"EUR", "USD", "GBP"}), CreatedAt: isoNow.Add(-time.Duration(1+s.rng.IntN(3)) * time.Hour),
	}
	d, err := s.svc.AddDocument(s.t.Context(), nd, bytes.NewReader(content), int64(len(content)))
	s.must(err, "add document")
	sum := sha256.Sum256(content)
	s.w.documents[d.ID] = &isoDocument{id: d.ID, contractID: contractID, docType: t.name, filename: nd.Filename,
		period: nd.Period, curr: nd.Currency, amount: nd.Amount, createdAt: nd.CreatedAt, content: content,
		contentSHA256: hex.EncodeToString(sum[:]), contentType: t.contentType,
		disposition: `attachment; filename="` + nd.Filename + `"`}
	s.w.docIDs = append(s.w.docIDs, d.ID)
}

// randomRoles is a "roles" object: each section absent, empty, or holding one or both roles.
func (s *isoSuite) randomRoles() map[string][]string {
	raw := map[string][]string{}
	for _, sec := range []string{"contracts", "documents", "users"} {
		switch s.rng.IntN(6) {
		case 1:
			raw[sec] = []string{}
		case 2:
			raw[sec] = []string{api.RoleVisitor}
		case 3:
			raw[sec] = []string{api.RoleManager}
		case 4:
			raw[sec] = []string{api.RoleVisitor, api.RoleManager}
		case 5:
			raw[sec] = []string{api.RoleManager, api.RoleVisitor}
		}
	}
	return raw
}

// randomPerimeter picks billing accounts and offers; sometimes none of one or the other.
func (s *isoSuite) randomPerimeter() (bas, offers []string) {
	for _, id := range s.w.baIDs {
		if s.rng.IntN(2) == 0 {
			bas = append(bas, id)
		}
	}
	for _, id := range s.w.offerIDs {
		if s.rng.IntN(2) == 0 {
			offers = append(offers, id)
		}
	}
	return bas, offers
}

// word is random letters and digits, of min to max characters.
func (s *isoSuite) word(min, max int) string {
	const alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	b := make([]byte, min+s.rng.IntN(max-min+1))
	for i := range b {
		b[i] = alphabet[s.rng.IntN(len(alphabet))]
	}
	return string(b)
}

// emailOf is the address to send for p: as it is when the server does not know p yet (it
// stores it so), otherwise with some letters in another case, which must not matter: the
// server compares addresses without case (doc/decisions.md, "One identity per e-mail").
func (s *isoSuite) emailOf(p *isoPerson) string {
	if s.w.persons[strings.ToLower(p.email)] == nil {
		return p.email
	}
	return s.recase(p.email)
}

// remember records p once the server stored it; the first data stored for an address stay.
func (w *isoWorld) remember(p *isoPerson) {
	if key := strings.ToLower(p.email); w.persons[key] == nil {
		w.persons[key] = p
	}
}

// record notes that customerID records person p with login ("" when the server chose it),
// unless it already did: the first record is kept.
func (w *isoWorld) record(customerID string, p *isoPerson, login string) {
	k := isoRecordKey{customerID, strings.ToLower(p.email)}
	if _, known := w.logins[k]; !known {
		w.logins[k] = login
	}
}

// recase changes the case of some letters.
func (s *isoSuite) recase(email string) string {
	b := []byte(email)
	for i, c := range b {
		if s.rng.IntN(4) == 0 {
			switch {
			case c >= 'a' && c <= 'z':
				b[i] = c - 'a' + 'A'
			case c >= 'A' && c <= 'Z':
				b[i] = c - 'A' + 'a'
			}
		}
	}
	return string(b)
}

// newPerson is a person nobody declared yet. Logins have a '-', which the logins the server
// makes from names never have.
func (s *isoSuite) newPerson() *isoPerson {
	s.next++
	first, last := "F"+s.word(3, 6), "L"+s.word(3, 6)
	p := &isoPerson{email: s.recase(fmt.Sprintf("p%03d.%s@iso.test", s.next, strings.ToLower(s.word(2, 4)))),
		login: fmt.Sprintf("iso-%03d-%s", s.next, s.word(2, 4)), firstName: first, lastName: last}
	return p
}

// somePerson is, one time in oneIn, an account's person, then sometimes another known
// person, otherwise a new one.
func (s *isoSuite) somePerson(oneIn int) *isoPerson {
	switch {
	case s.rng.IntN(oneIn) == 0:
		return s.w.persons[isoPick(s.rng, s.w.accounts).person]
	case s.rng.IntN(6) == 0 && len(s.w.persons) > 0:
		var known []string
		for e := range s.w.persons {
			known = append(known, e)
		}
		slices.Sort(known) // map order is random; the seed must decide
		return s.w.persons[isoPick(s.rng, known)]
	}
	return s.newPerson()
}

// freshContractID is a contract number of n characters that is not in the world, does not
// start with "OCB" (the server's own numbers, which orders may allocate later) and starts with
// a letter or a digit.
func (s *isoSuite) freshContractID(n int) string {
	const first = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789"
	const rest = first + "-_"
	for {
		b := make([]byte, n)
		b[0] = first[s.rng.IntN(len(first))]
		for i := 1; i < n; i++ {
			b[i] = rest[s.rng.IntN(len(rest))]
		}
		id := string(b)
		if s.w.contracts[id] == nil && !strings.HasPrefix(id, "OCB") {
			return id
		}
	}
}

func (s *isoSuite) freshBillingAccountID() string {
	for {
		id := "BA-" + s.word(3, 8)
		if s.w.billingAccounts[id] == nil {
			return id
		}
	}
}

// missingBillingAccount is a billing account id of the same length as id that is not in the
// world.
func (s *isoSuite) missingBillingAccount(id string) string {
	for {
		m := "BA-" + s.word(len(id)-3, len(id)-3)
		if s.w.billingAccounts[m] == nil {
			return m
		}
	}
}

// missingDocumentID is a well-formed document id that is not in the world.
func (s *isoSuite) missingDocumentID() string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz234567"
	for {
		b := make([]byte, 16)
		for i := range b {
			b[i] = alphabet[s.rng.IntN(len(alphabet))]
		}
		if s.w.documents[string(b)] == nil {
			return string(b)
		}
	}
}

func isoPick[T any](rng *rand.Rand, list []T) T { return list[rng.IntN(len(list))] }

// ---------------------------------------------------------------------------------------------
// Read cases.

// probeContracts are the contract ids every account asks about: every contract of the world,
// two missing ones, and the swapped-case twin of a contract number (a missing one too: ids
// compare exactly).
func (s *isoSuite) probeContracts() []string {
	ids := slices.Clone(s.w.contractIDs)
	ids = append(ids, s.freshContractID(10), s.freshContractID(4+s.rng.IntN(20)))
	for _, id := range s.w.contractIDs {
		if swapped := isoSwapCase(id); swapped != id && s.w.contracts[swapped] == nil {
			ids = append(ids, swapped)
			break
		}
	}
	return ids
}

func isoSwapCase(s string) string {
	b := []byte(s)
	for i, c := range b {
		switch {
		case c >= 'a' && c <= 'z':
			b[i] = c - 'a' + 'A'
		case c >= 'A' && c <= 'Z':
			b[i] = c - 'A' + 'a'
		}
	}
	return string(b)
}

// readCases are every account × contract × read endpoint: /me, the contract list with
// paging, GET /contract, GET /documents with paging and type filters (full: every filter on
// every contract whose documents the account may read) and, when full, the download of every
// document id (with its own contract, and half of them with another) and of missing and
// malformed ids.
func (s *isoSuite) readCases(full bool) []isoCase {
	w := s.w
	var cases []isoCase
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
			if roles, ok := w.wantRoles(a, id); full && ok && roles.documents != isoNone {
				filters = []string{"", "consumptionRatedReports", "*", "*"}
				for _, t := range isoDocTypes {
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
func (s *isoSuite) alias(forms ...string) string {
	p := isoPick(s.rng, forms)
	if s.rng.IntN(5) == 0 {
		p += "/"
	}
	return p
}

// hide fills in c.twin when the model says its contract is not visible: the same request
// naming a missing contract of the same length. Each account × endpoint × contract gets one
// such comparison, and one case in four more: the model checks every case's status and code,
// and the comparisons would otherwise grow with the number of queries asked per contract.
func (s *isoSuite) hide(c *isoCase, contractID string, twin func(standIn string) isoRequest) {
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

func (s *isoSuite) meCase(a *isoAccount) isoCase {
	return isoCase{name: a.name + ": GET /me", kind: isoMe, account: a,
		req: isoRequest{method: "GET", path: "/me"}, want: isoWant{status: 200}}
}

// contractsCase is GET /contracts with random paging: doc/wire.md §4, every visible contract sorted
// by id, the whole list without limit. X-ECCS-Contract-Id is ignored there (§3.5), so a random
// one is sometimes sent.
func (s *isoSuite) contractsCase(a *isoAccount) isoCase {
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
		q.Set("limit", isoPick(s.rng, []string{"0", "1001", "x", "", "-1"}))
	case 7:
		q.Set("offset", isoPick(s.rng, []string{"-1", "y", ""}))
	}
	req := isoRequest{method: "GET", path: s.alias("/contracts") + isoQuery(q)}
	switch s.rng.IntN(6) {
	case 0, 1:
		req.contract = isoPick(s.rng, w.contractIDs)
	case 2:
		req.contract = "not a contract!"
	}
	c := isoCase{name: fmt.Sprintf("%s: GET %s [contract header %q]", a.name, req.path, req.contract), kind: isoListContracts, account: a, req: req}
	limit, offset, failure := isoPaging(q, 0)
	if failure.status != 0 {
		c.want = failure
		return c
	}
	c.want = isoWant{status: 200, ids: isoPage(visible, limit, offset), total: len(visible)}
	return c
}

// showCase is GET /contract: any role on contracts (doc/wire.md §5); otherwise, or for a missing
// contract, 403/50 (§3.5).
func (s *isoSuite) showCase(a *isoAccount, id string) isoCase {
	path := s.alias("/contract")
	c := isoCase{name: fmt.Sprintf("%s: GET %s on %s", a.name, path, id), kind: isoShowContract, account: a,
		req: isoRequest{method: "GET", path: path, contract: id}}
	roles, ok := s.w.wantRoles(a, id)
	switch {
	case !ok:
		c.want = isoWant{status: 403, code: api.CodeAccessDenied}
		s.hide(&c, id, func(standIn string) isoRequest { return isoRequest{method: "GET", path: path, contract: standIn} })
	case roles.contracts == isoNone:
		c.want = isoWant{status: 403, code: api.CodeAccessDenied}
	default:
		c.want = isoWant{status: 200, contract: id}
	}
	return c
}

// documentsCase is GET /documents with random documentType and paging (doc/wire.md §4, §5, and
// doc/decisions.md "Roles and document types", "Parameters are checked after…").
// filter is the documentType to send, or "*" for a random one (or none).
func (s *isoSuite) documentsCase(a *isoAccount, id, filter string) isoCase {
	w := s.w
	q := url.Values{}
	if filter == "*" {
		switch s.rng.IntN(10) {
		case 0, 1, 2: // every type
		case 3:
			q.Set("documentType", "")
		case 4:
			q.Set("documentType", "consumptionRatedReports") // the alias of the misspelt type
		case 5:
			q.Set("documentType", isoPick(s.rng, []string{"statements", "Bills", "bill"}))
		default:
			q.Set("documentType", isoPick(s.rng, isoDocTypes).name)
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
		q.Set("limit", isoPick(s.rng, []string{"0", "1001", "ten", ""}))
	}
	path := s.alias("/documents", "/document") + isoQuery(q)
	c := isoCase{name: fmt.Sprintf("%s: GET %s on %s", a.name, path, id), kind: isoListDocuments, account: a,
		req: isoRequest{method: "GET", path: path, contract: id}}
	roles, ok := w.wantRoles(a, id)
	if !ok {
		c.want = isoWant{status: 403, code: api.CodeAccessDenied}
		s.hide(&c, id, func(standIn string) isoRequest { return isoRequest{method: "GET", path: path, contract: standIn} })
		return c
	}
	if roles.documents == isoNone {
		c.want = isoWant{status: 403, code: api.CodeAccessDenied}
		return c
	}
	limit, offset, failure := isoPaging(q, 10)
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
		if _, known := isoTypeOf(name); !known {
			// doc/wire.md §4: any other value answers {"documents": null}; nothing matches.
			c.want = isoWant{status: 200, noDocuments: true}
			return c
		}
		types = []string{name}
	}
	all := w.wantDocuments(id, roles.documents, types)
	c.want = isoWant{status: 200, ids: isoPage(all, limit, offset), total: len(all)}
	return c
}

// fileCase is GET /documents/{docID}/file on contract contractID (doc/wire.md §4, §5): a document
// not in that contract, unknown, or of a type the role may not see answers 404/60 alike. Some
// cases ask for a ZIP, some are conditional on the document's real ETag (which must not tell
// an invisible document from a missing one either), a few send a bad zipped, which is checked
// before the document is looked up.
func (s *isoSuite) fileCase(a *isoAccount, contractID, docID string) isoCase {
	w := s.w
	d := w.documents[docID]
	q, etag := url.Values{}, ""
	switch s.rng.IntN(10) {
	case 0, 1:
		q.Set("zipped", isoPick(s.rng, []string{"1", "true"}))
	case 2:
		q.Set("zipped", isoPick(s.rng, []string{"0", "false"}))
	case 3:
		q.Set("zipped", isoPick(s.rng, []string{"yes", ""}))
	case 4:
		if d != nil {
			etag = `"` + d.contentSHA256 + `"`
		}
	}
	prefix := s.alias("/documents", "/document")
	path := strings.TrimSuffix(prefix, "/") + "/" + docID + "/file" + isoQuery(q)
	c := isoCase{name: fmt.Sprintf("%s: GET %s on %s [If-None-Match %s]", a.name, path, contractID, etag), kind: isoFile, account: a,
		req: isoRequest{method: "GET", path: path, contract: contractID, etag: etag}}
	roles, ok := w.wantRoles(a, contractID)
	if !ok {
		c.want = isoWant{status: 403, code: api.CodeAccessDenied}
		s.hide(&c, contractID, func(standIn string) isoRequest {
			return isoRequest{method: "GET", path: path, contract: standIn, etag: etag}
		})
		return c
	}
	if roles.documents == isoNone {
		c.want = isoWant{status: 403, code: api.CodeAccessDenied}
		return c
	}
	zipped := false
	if q.Has("zipped") {
		switch q.Get("zipped") {
		case "":
			c.want = isoWant{status: 400, code: api.CodeMissingQueryParameter}
			return c
		case "1", "true":
			zipped = true
		case "0", "false":
		default:
			c.want = isoWant{status: 400, code: api.CodeInvalidQueryParameter}
			return c
		}
	}
	if d != nil && d.contractID == contractID {
		if t, _ := isoTypeOf(d.docType); roles.documents >= t.role {
			c.want = isoWant{status: 200, document: docID, zipped: zipped}
			if etag != "" {
				c.want.status = 304
			}
			return c
		}
	}
	c.want = isoWant{status: 404, code: api.CodeResourceNotFound}
	if d != nil {
		standIn := s.missingDocumentID()
		c.twin = &isoRequest{method: "GET", path: strings.Replace(path, docID, standIn, 1), contract: contractID, etag: etag}
		c.hidden, c.standIn = docID, standIn
	}
	return c
}

// oddDocumentID is a missing document id, or now and then one of another shape: ids are
// opaque, so every unknown one answers 404/60 (doc/wire.md §4).
func (s *isoSuite) oddDocumentID() string {
	if s.rng.IntN(4) == 0 {
		return isoPick(s.rng, []string{"ABCDEFGHIJKLMNOP", "short", "abcdefghijklmno1", "abcdefghijklmnopq", "INV-2026.04_001", "%C3%A9t%C3%A9", "x%00y"})
	}
	return s.missingDocumentID()
}

// otherContract is a contract other than not, preferably one a may read documents of, so that
// asking for a document of not through it tests the boundary between two visible contracts.
func (s *isoSuite) otherContract(a *isoAccount, not string) string {
	var readable, others []string
	for _, id := range s.w.contractIDs {
		if id == not {
			continue
		}
		others = append(others, id)
		if r, ok := s.w.wantRoles(a, id); ok && r.documents != isoNone {
			readable = append(readable, id)
		}
	}
	if len(readable) > 0 && s.rng.IntN(4) != 0 {
		return isoPick(s.rng, readable)
	}
	return isoPick(s.rng, others)
}

func isoQuery(q url.Values) string {
	if len(q) == 0 {
		return ""
	}
	return "?" + q.Encode()
}

// ---------------------------------------------------------------------------------------------
// Writes: declaring users (every account × contract), ordering contracts, and the operator
// changing perimeters and roles. Each is predicted, run, checked, then folded into the world.

func (s *isoSuite) runWrites() {
	w := s.w
	type pair struct {
		a  *isoAccount
		id string
	}
	var pairs []pair
	probes := s.probeContracts()
	for _, a := range w.accounts {
		for _, id := range probes {
			pairs = append(pairs, pair{a, id})
		}
	}
	s.rng.Shuffle(len(pairs), func(i, j int) { pairs[i], pairs[j] = pairs[j], pairs[i] })
	for i, p := range pairs {
		s.declareCase(p.a, p.id)
		if i%12 == 0 {
			a := isoPick(s.rng, w.accounts)
			s.orderCase(a)
		}
		if s.failures.Load() > isoMaxReported {
			return
		}
	}
	for _, a := range w.accounts {
		s.orderCase(a)
	}
	s.operatorChanges()
}

// declareCase is POST /contract/{id}/user: manager on users, else 403/50; the checks of doc/wire.md
// §3 and §5 come before the body (doc/decisions.md, "Parameters are checked after…").
func (s *isoSuite) declareCase(a *isoAccount, id string) {
	w := s.w
	p := s.somePerson(3)
	ct := w.contracts[id] // nil for a contract that does not exist
	rk := isoRecordKey{person: strings.ToLower(p.email)}
	if ct != nil {
		rk.customerID = ct.customerID
	}
	recorded, fresh := w.logins[rk]
	fresh = !fresh // this customer has no record of the person yet
	login := p.login
	if !fresh || login == "" {
		login = "iso-unused-" + s.word(4, 4) // the record's login wins (doc/wire.md §4)
	}
	var roles map[string][]string
	problem := ""
	switch s.rng.IntN(12) {
	case 0:
		problem = "missing" // no login: 400/23
	case 1:
		problem = "invalid" // a role that is none: 400/24
		roles = map[string][]string{"documents": {"owner"}}
	case 2:
		if taken := w.loginsOf(rk.customerID, rk.person); fresh && len(taken) > 0 {
			problem = "login taken" // new to the customer, with the login of another of its persons: 409/70
			login = isoPick(s.rng, taken)
		}
	}
	if roles == nil {
		roles = s.randomRoles()
	}
	email := s.emailOf(p)
	body := map[string]any{"lastName": p.lastName, "firstName": p.firstName, "email": email, "login": login, "roles": roles}
	if problem == "missing" {
		delete(body, "login")
	}
	b, err := json.Marshal(body)
	s.must(err, "marshal a user")
	path := s.alias("/contract/"+id+"/user", "/contract/"+id+"/users", "/contracts/"+id+"/user", "/contracts/"+id+"/users")
	// X-ECCS-Contract-Id is optional here; sent, it must name the contract of the path, else
	// 400/26 (doc/decisions.md), which compares two strings and tells nothing of either.
	header, mismatch := "", false
	switch s.rng.IntN(8) {
	case 0:
		header = id
	case 1:
		header = isoPick(s.rng, w.contractIDs)
		mismatch = header != id
	}
	c := isoCase{name: fmt.Sprintf("%s: POST %s [contract header %q] %s", a.name, path, header, b), kind: isoDeclare, account: a,
		req: isoRequest{method: "POST", path: path, body: string(b), contract: header}}
	twin := func(standIn string) isoRequest {
		t := isoRequest{method: "POST", path: strings.Replace(path, "/"+id+"/", "/"+standIn+"/", 1), body: string(b), contract: header}
		if header == id {
			t.contract = standIn
		}
		return t
	}
	key := strings.ToLower(email)
	held, ok := w.wantRoles(a, id)
	switch {
	case mismatch:
		c.want = isoWant{status: 400, code: api.CodeInvalidHeader}
		if !ok {
			s.hide(&c, id, twin)
		}
	case !ok:
		c.want = isoWant{status: 403, code: api.CodeAccessDenied}
		s.hide(&c, id, twin)
	case held.users != isoManager:
		c.want = isoWant{status: 403, code: api.CodeAccessDenied}
	case problem == "missing":
		c.want = isoWant{status: 400, code: api.CodeMissingBodyField}
	case problem == "invalid":
		c.want = isoWant{status: 400, code: api.CodeInvalidBodyField}
	case ct.closed, problem == "login taken":
		c.want = isoWant{status: 409, code: api.CodeConflict}
	default:
		if _, declared := ct.users[key]; declared {
			c.want = isoWant{status: 409, code: api.CodeConflict}
			break
		}
		// The echo: the customer's record (the caller's data when new), the e-mail as sent,
		// the roles that count.
		echo := &api.User{LastName: p.lastName, FirstName: p.firstName, Email: email, Login: login, Roles: isoParseRoles(roles).wire()}
		if !fresh {
			echo.Login = recorded // "" when not known yet: not checked
		}
		c.want = isoWant{status: 201, user: echo}
	}
	r := s.exec(c)
	if c.want.status == 201 && r.status == 201 {
		ct.users[key] = isoParseRoles(roles)
		w.remember(p)
		if fresh {
			w.logins[rk] = login
		} else if recorded == "" {
			var u api.User
			if json.Unmarshal(r.body, &u) == nil {
				w.logins[rk] = u.Login
			}
		}
	}
}

// orderCase is POST /contract (doc/wire.md §4 and doc/decisions.md "POST /contract, order of
// checks"): administrators only, a known offer, then the billing account and offer both in the
// perimeter (an unknown billing account answers like one outside it), then the support level.
func (s *isoSuite) orderCase(a *isoAccount) {
	w := s.w
	ba, offerID := isoPick(s.rng, w.baIDs), isoPick(s.rng, w.offerIDs)
	if a.admin && len(a.billingAccounts) > 0 && len(a.offers) > 0 && s.rng.IntN(2) == 0 {
		ba, offerID = isoPick(s.rng, a.billingAccounts), isoPick(s.rng, a.offers) // inside the perimeter
	}
	if s.rng.IntN(6) == 0 {
		ba = s.missingBillingAccount(ba)
	}
	offer := w.offers[offerID]
	level := isoPick(s.rng, offer.supportLevels)
	switch s.rng.IntN(10) {
	case 0:
		offerID = "OFnope" + s.word(2, 2)
	case 1:
		level = "NOPE"
	}
	ref := s.somePerson(3)
	o := api.ContractOrder{BillingAccountID: ba, OfferCode: offerID, ContractName: "Ordered " + s.word(3, 8),
		SupportLevel: level, ReferentName: ref.lastName, ReferentFirstName: ref.firstName, ReferentMail: s.emailOf(ref)}
	b, err := json.Marshal(o)
	s.must(err, "marshal an order")
	path := s.alias("/contract", "/contracts")
	c := isoCase{name: fmt.Sprintf("%s: POST %s %s", a.name, path, b), kind: isoOrder, account: a,
		req: isoRequest{method: "POST", path: path, body: string(b)}}
	switch {
	case !a.admin:
		c.want = isoWant{status: 403, code: api.CodeAccessDenied}
	case w.offers[offerID] == nil: // the catalogue is not secret
		c.want = isoWant{status: 400, code: api.CodeInvalidBodyField}
	case w.billingAccounts[ba] == nil:
		c.want = isoWant{status: 403, code: api.CodeAccessDenied}
	case !slices.Contains(a.billingAccounts, ba) || !slices.Contains(a.offers, offerID):
		// Before the support level: what an offer outside the perimeter sells is not told.
		c.want = isoWant{status: 403, code: api.CodeAccessDenied}
		standIn := s.missingBillingAccount(ba)
		o.BillingAccountID = standIn
		tb, err := json.Marshal(o)
		s.must(err, "marshal an order")
		c.twin = &isoRequest{method: "POST", path: path, body: string(tb)}
		c.hidden, c.standIn = ba, standIn
	case !slices.Contains(offer.supportLevels, level):
		c.want = isoWant{status: 400, code: api.CodeInvalidBodyField}
	default:
		c.want = isoWant{status: 201}
	}
	r := s.exec(c)
	if c.want.status != 201 || r.status != 201 {
		return
	}
	var created api.ContractCreated
	if json.Unmarshal(r.body, &created) != nil || w.contracts[created.ID] != nil {
		return // check reported it
	}
	key := strings.ToLower(ref.email)
	if w.persons[key] == nil {
		ref.login = "" // the server makes it from the name (doc/decisions.md)
		w.persons[key] = ref
	}
	w.record(w.billingAccounts[ba].customerID, ref, "") // the record's login is made from the name
	w.addContract(&isoContract{id: created.ID, name: o.ContractName, contractType: offer.contractType,
		offerID: offerID, baID: ba, customerID: w.billingAccounts[ba].customerID, referent: key})
}

// operatorChanges changes what accounts see behind their backs, as an operator does: new
// perimeters for some administrators, changed roles and removed users on some contracts.
// The read phase that follows checks that every account sees the change at once.
func (s *isoSuite) operatorChanges() {
	ctx := s.t.Context()
	w := s.w
	for _, a := range w.accounts {
		if !a.admin || s.rng.IntN(2) == 0 {
			continue
		}
		a.billingAccounts, a.offers = s.randomPerimeter()
		_, err := s.svc.SetPerimeter(ctx, a.id, eccs.Perimeter{BillingAccountIDs: a.billingAccounts, OfferIDs: a.offers})
		s.must(err, "set perimeter")
	}
	for _, id := range w.contractIDs {
		c := w.contracts[id]
		if c.closed || s.rng.IntN(3) != 0 {
			continue
		}
		users, err := s.svc.Users(ctx, id)
		s.must(err, "list users")
		for _, u := range users {
			key := strings.ToLower(u.Identity.Email)
			if key == c.referent || s.rng.IntN(2) == 0 {
				continue
			}
			if s.rng.IntN(2) == 0 {
				s.must(s.svc.RemoveUser(ctx, id, u.Identity.ID), "remove user")
				delete(c.users, key)
				continue
			}
			raw := s.randomRoles()
			_, err := s.svc.SetUserRoles(ctx, id, u.Identity.ID, raw)
			s.must(err, "set user roles")
			c.users[key] = isoParseRoles(raw)
		}
	}
}

// ---------------------------------------------------------------------------------------------
// Checking an answer against the model.

// check compares an answer with the model's prediction. The bodies of successes are checked
// against the world, field by field, so that nothing of another contract can slip in.
func (w *isoWorld) check(c isoCase, r isoResponse) error {
	want := c.want
	if r.header.Get(api.HeaderRequestID) == "" && r.status > 0 {
		return fmt.Errorf("no %s (doc/wire.md §0)", api.HeaderRequestID)
	}
	if r.status != want.status {
		return fmt.Errorf("status %d, want %d: %s", r.status, want.status, r)
	}
	if want.status == 304 {
		return w.checkFile(want, r)
	}
	if want.status >= 400 {
		var e api.Error
		if err := json.Unmarshal(r.body, &e); err != nil || e.Code != want.code || e.Message != api.ErrorMessage(want.code) {
			return fmt.Errorf("want the envelope %d/%d, got %s", want.status, want.code, r)
		}
		for _, h := range []string{api.HeaderTotalCount, api.HeaderResultCount, "Content-Disposition", "ETag"} {
			if v := r.header.Get(h); v != "" {
				return fmt.Errorf("an error answer carries %s: %s", h, v)
			}
		}
		return nil
	}
	switch c.kind {
	case isoListContracts:
		var list []api.Contract
		if err := json.Unmarshal(r.body, &list); err != nil || list == nil {
			return fmt.Errorf("not a list of contracts: %s", r)
		}
		ids := make([]string, len(list))
		for i, ct := range list {
			ids[i] = ct.ID
			if err := w.checkContract(ct); err != nil {
				return err
			}
		}
		return isoCheckList(r, ids, want)
	case isoShowContract:
		var ct api.Contract
		if err := json.Unmarshal(r.body, &ct); err != nil {
			return fmt.Errorf("not a contract: %s", r)
		}
		if ct.ID != want.contract {
			return fmt.Errorf("answers contract %s, want %s", ct.ID, want.contract)
		}
		return w.checkContract(ct)
	case isoListDocuments:
		if want.noDocuments {
			if string(r.body) != `{"documents":null}` || r.header.Get(api.HeaderTotalCount) != "0" {
				return fmt.Errorf("want {\"documents\":null} with %s 0, got %s (%s %q)", api.HeaderTotalCount, r, api.HeaderTotalCount, r.header.Get(api.HeaderTotalCount))
			}
			return nil
		}
		var list []api.Document
		if err := json.Unmarshal(r.body, &list); err != nil || list == nil {
			return fmt.Errorf("not a list of documents: %s", r)
		}
		ids := make([]string, len(list))
		for i, d := range list {
			ids[i] = d.ID
			if err := w.checkDocument(d, c.req.contract); err != nil {
				return err
			}
		}
		return isoCheckList(r, ids, want)
	case isoFile:
		return w.checkFile(want, r)
	case isoMe:
		return w.checkMe(c.account, r)
	case isoDeclare:
		var u api.User
		if err := json.Unmarshal(r.body, &u); err != nil {
			return fmt.Errorf("not a user: %s", r)
		}
		echo := *want.user
		if echo.Login == "" {
			echo.Login = u.Login // the server chose it; nothing told it yet
		}
		if !isoEqualJSON(u, echo) {
			return fmt.Errorf("echo %+v, want %+v", u, echo)
		}
		return nil
	case isoOrder:
		var created api.ContractCreated
		if err := json.Unmarshal(r.body, &created); err != nil || !isoOrderedID.MatchString(created.ID) {
			return fmt.Errorf("not a new contract number: %s", r)
		}
		if w.contracts[created.ID] != nil {
			return fmt.Errorf("contract %s was ordered twice", created.ID)
		}
		return nil
	}
	return fmt.Errorf("unknown case kind %d", c.kind)
}

// checkFile checks a download (doc/wire.md §4, doc/decisions.md "Documents"): the document's
// bytes, raw or alone in a ZIP, with its media type, name and ETag (the SHA-256 of the bytes);
// or, for a conditional request on that ETag, 304 and no bytes.
func (w *isoWorld) checkFile(want isoWant, r isoResponse) error {
	d := w.documents[want.document]
	headers := map[string]string{"Content-Type": d.contentType, "Content-Disposition": d.disposition,
		"ETag": `"` + d.contentSHA256 + `"`, "Content-Length": strconv.Itoa(len(d.content))}
	content := r.body
	switch {
	case want.status == 304:
		if len(r.body) != 0 {
			return fmt.Errorf("a 304 with a body: %s", r)
		}
		headers = map[string]string{"ETag": headers["ETag"]}
	case want.zipped:
		headers = map[string]string{"Content-Type": "application/zip", "ETag": `"` + d.contentSHA256 + `-zip"`,
			"Content-Disposition": `attachment; filename="` + d.filename + `.zip"`}
		zr, err := zip.NewReader(bytes.NewReader(r.body), int64(len(r.body)))
		if err != nil || len(zr.File) != 1 || zr.File[0].Name != d.filename {
			return fmt.Errorf("not a ZIP holding %s alone: %v", d.filename, err)
		}
		f, err := zr.File[0].Open()
		if err != nil {
			return err
		}
		defer f.Close()
		if content, err = io.ReadAll(f); err != nil {
			return err
		}
	}
	if want.status != 304 && !bytes.Equal(content, d.content) {
		return fmt.Errorf("the bytes of %s are not those of document %s", r, d.id)
	}
	for h, v := range headers {
		if got := r.header.Get(h); got != v {
			return fmt.Errorf("%s %q, want %q", h, got, v)
		}
	}
	return nil
}

// isoCheckList checks a list's ids and its headers: X-Total-Count the items matching,
// X-Result-Count the items in the answer (doc/wire.md §0).
func isoCheckList(r isoResponse, ids []string, want isoWant) error {
	if !slices.Equal(ids, want.ids) {
		return fmt.Errorf("lists %v, want %v", ids, want.ids)
	}
	if got := r.header.Get(api.HeaderTotalCount); got != strconv.Itoa(want.total) {
		return fmt.Errorf("%s %q, want %d", api.HeaderTotalCount, got, want.total)
	}
	if got := r.header.Get(api.HeaderResultCount); got != strconv.Itoa(len(ids)) {
		return fmt.Errorf("%s %q for %d items", api.HeaderResultCount, got, len(ids))
	}
	return nil
}

// checkContract compares a contract object with the world (doc/wire.md §4).
func (w *isoWorld) checkContract(got api.Contract) error {
	c := w.contracts[got.ID]
	if c == nil {
		return fmt.Errorf("answers contract %s, which the world does not hold", got.ID)
	}
	offer, customer, ref := w.offers[c.offerID], w.customers[c.customerID], w.persons[c.referent]
	want := api.Contract{ID: c.id, Name: c.name, ContractType: c.contractType,
		Offer:    api.Offer{ID: offer.id, Name: offer.name},
		Customer: api.Customer{ID: customer.id, Name: customer.name, Segment: customer.segment},
		Contact:  api.Contact{LastName: ref.lastName, FirstName: ref.firstName, Name: ref.firstName + " " + ref.lastName, Email: ref.email},
	}
	got.CreatedAt, got.UpdatedAt = time.Time{}, time.Time{}
	if !isoEqualJSON(got, want) {
		return fmt.Errorf("contract %+v, want %+v", got, want)
	}
	return nil
}

// checkDocument compares a document object with the world (doc/wire.md §4): it must be one of
// contractID's.
func (w *isoWorld) checkDocument(got api.Document, contractID string) error {
	d := w.documents[got.ID]
	if d == nil || d.contractID != contractID {
		return fmt.Errorf("lists document %s, which is not one of %s", got.ID, contractID)
	}
	want := api.Document{ID: d.id, Filename: d.filename, Period: d.period, CreatedAt: d.createdAt, UpdatedAt: d.createdAt,
		Amount: float64(d.amount) / 100, Currency: d.curr, DocumentType: d.docType}
	if !isoEqualJSON(got, want) {
		return fmt.Errorf("document %+v, want %+v", got, want)
	}
	return nil
}

// checkMe checks GET /me: the account's identity; for a client, the contracts it is declared
// on with its roles, sorted by id; for an administrator, its perimeter and no contracts.
func (w *isoWorld) checkMe(a *isoAccount, r isoResponse) error {
	var me api.Me
	if err := json.Unmarshal(r.body, &me); err != nil {
		return fmt.Errorf("not /me: %s", r)
	}
	p := w.persons[a.person]
	wantType := "client"
	if a.admin {
		wantType = "administrator"
	}
	if me.Account.ID != a.id || me.Account.Type != wantType || me.Account.Email != p.email {
		return fmt.Errorf("account %+v, want %s %s %s", me.Account, a.id, wantType, p.email)
	}
	if a.admin {
		if me.Perimeter == nil || len(me.Contracts) > 0 ||
			!isoSameSet(me.Perimeter.BillingAccountIDs, a.billingAccounts) || !isoSameSet(me.Perimeter.OfferIDs, a.offers) {
			return fmt.Errorf("administrator /me %s, want perimeter %v × %v", r.body, a.billingAccounts, a.offers)
		}
		return nil
	}
	var want []api.MeContract
	for _, id := range w.wantContracts(a) {
		roles, _ := w.wantRoles(a, id)
		want = append(want, api.MeContract{ID: id, Roles: roles.wire()})
	}
	if me.Perimeter != nil || !isoEqualJSON(me.Contracts, want) {
		return fmt.Errorf("client /me lists %+v (perimeter %v), want %+v", me.Contracts, me.Perimeter, want)
	}
	return nil
}

func isoSameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// isoEqualJSON compares two values by their JSON forms: what the wire can tell apart.
func isoEqualJSON(a, b any) bool {
	ja, err1 := json.Marshal(a)
	jb, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && bytes.Equal(ja, jb)
}

// String describes the world, to read a failure against.
func (w *isoWorld) String() string {
	var b strings.Builder
	for _, a := range w.accounts {
		fmt.Fprintf(&b, "  %s [%s]", a.name, a.person)
		if a.admin {
			fmt.Fprintf(&b, " perimeter %v × %v", a.billingAccounts, a.offers)
		}
		b.WriteString("\n")
	}
	ids := slices.Clone(w.contractIDs)
	slices.Sort(ids)
	for _, id := range ids {
		c := w.contracts[id]
		fmt.Fprintf(&b, "  contract %s: billing account %s, offer %s, closed %t, referent %s\n", id, c.baID, c.offerID, c.closed, c.referent)
		var users []string
		for e := range c.users {
			users = append(users, e)
		}
		slices.Sort(users)
		for _, e := range users {
			r := c.users[e]
			fmt.Fprintf(&b, "    %s contracts=%v documents=%v users=%v\n", e, r.contracts.wire(), r.documents.wire(), r.users.wire())
		}
		for _, d := range w.docIDs {
			if doc := w.documents[d]; doc.contractID == id {
				fmt.Fprintf(&b, "    document %s %s %s %s\n", d, doc.docType, doc.period, doc.createdAt.Format(time.RFC3339))
			}
		}
	}
	return b.String()
}

// loginsOf returns the known logins of customerID's records of persons other than person.
func (w *isoWorld) loginsOf(customerID, person string) []string {
	var logins []string
	for k, login := range w.logins {
		if k.customerID == customerID && k.person != person && login != "" {
			logins = append(logins, login)
		}
	}
	slices.Sort(logins) // map order is random; the seed must decide
	return logins
}
