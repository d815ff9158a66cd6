// The suite: a server on a fresh store, the world, and the runner that sends the requests.

package isolation_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/eccs/eccs/api"
	"github.com/eccs/eccs/internal/eccs"
	"github.com/eccs/eccs/internal/httpapi"
	"github.com/eccs/eccs/internal/testkit/apitest"
	"github.com/eccs/eccs/internal/testkit/testenv"
)

// workers is how many requests of a read phase run at once.
const workers = 4

// maxReported bounds the failures reported one by one; the rest are only counted.
const maxReported = 20

type request struct {
	method   string
	path     string // under api.BasePath, with its query string
	contract string // X-ECCS-Contract-Id; "" sends none
	body     string
	etag     string // If-None-Match; "" sends none
}

// response is an answer, read whole.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) String() string {
	b := r.body
	if len(b) > 200 {
		b = append(b[:200:200], "…"...)
	}
	return fmt.Sprintf("%d %q", r.status, b)
}

type suite struct {
	t      *testing.T
	seed   uint64
	rng    *rand.Rand
	svc    *eccs.Service
	url    string
	token  string
	client *http.Client
	w      *world
	next   int // numbers the names the world needs unique
	// twinned records the account × endpoint × contract triples given a comparison with a
	// missing contract (see hide).
	twinned map[string]bool

	cases, requests, twins, failures atomic.Int64
	describe                         sync.Once

	mu      sync.Mutex
	answers map[string]int // "GET /documents 403" → how many cases the model predicted so
}

// newSuite starts a server on a fresh, empty store of the test backend (apitest.EmptyStore:
// the seeded test world is not used, this test makes its own). The Service takes
// any file (testenv.AnyFormats): this test is about who sees which bytes, not their format.
// Its ids come from the seed, so that a seed rebuilds the same world.
func newSuite(t *testing.T, seed uint64) *suite {
	db, blobs := apitest.EmptyStore(t)
	clock := testenv.NewClock(worldNow)
	var chacha [32]byte
	binary.LittleEndian.PutUint64(chacha[:], seed)
	svc, err := eccs.NewService(db, blobs, eccs.Config{
		Keys: apitest.Keys, Now: clock.Now, Formats: testenv.AnyFormats{},
		Random: testenv.LockedReader(rand.NewChaCha8(chacha)),
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(httpapi.New(svc, slog.New(slog.NewJSONHandler(io.Discard, nil)), httpapi.Config{Now: clock.Now}))
	t.Cleanup(srv.Close)
	transport := &http.Transport{MaxIdleConnsPerHost: workers}
	t.Cleanup(transport.CloseIdleConnections)
	s := &suite{
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

func (s *suite) must(err error, what string) {
	s.t.Helper()
	if err != nil {
		s.t.Fatalf("%s: %v (rerun with ECCS_ISOLATION_SEED=%d)", what, err, s.seed)
	}
}

// fail reports a case that departed from the model, with the seed; past maxReported
// failures it only counts them. The first failure also logs the world, to read it against.
func (s *suite) fail(c testCase, format string, args ...any) {
	n := s.failures.Add(1)
	s.describe.Do(func() { s.t.Logf("the world:\n%s", s.w.String()) })
	if n <= maxReported {
		s.t.Errorf("%s: %s (rerun with ECCS_ISOLATION_SEED=%d)", c.name, fmt.Sprintf(format, args...), s.seed)
	}
}

// send sends hr and reads the answer whole; a transport failure fails the test and answers
// status -1.
func (s *suite) send(hr *http.Request) response {
	s.requests.Add(1)
	res, err := s.client.Do(hr)
	if err != nil {
		s.t.Errorf("%s %s: %v (rerun with ECCS_ISOLATION_SEED=%d)", hr.Method, hr.URL, err, s.seed)
		return response{status: -1}
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		s.t.Errorf("%s %s: read the body: %v (rerun with ECCS_ISOLATION_SEED=%d)", hr.Method, hr.URL, err, s.seed)
		return response{status: -1}
	}
	return response{status: res.StatusCode, header: res.Header, body: body}
}

// do sends a resource call of account a.
func (s *suite) do(a *account, r request) response {
	var body io.Reader
	if r.body != "" {
		body = strings.NewReader(r.body)
	}
	hr, err := http.NewRequestWithContext(context.Background(), r.method, s.url+api.BasePath+r.path, body)
	if err != nil {
		s.t.Errorf("%s %s: %v", r.method, r.path, err)
		return response{status: -1}
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
func (s *suite) exec(c testCase) response {
	s.cases.Add(1)
	s.mu.Lock()
	s.answers[fmt.Sprintf("%-22s %d", kindNames[c.kind], c.want.status)]++
	s.mu.Unlock()
	r := s.do(c.account, c.req)
	if err := s.w.check(c, r); err != nil {
		s.fail(c, "%v", err)
	}
	if c.twin != nil {
		s.twins.Add(1)
		tr := s.do(c.account, *c.twin)
		if err := sameAnswer(r, tr, c.hidden, c.standIn); err != nil {
			s.fail(c, "%s (invisible) and %s (missing) answer differently: %v", c.hidden, c.standIn, err)
		}
	}
	return r
}

// runParallel runs read cases on workers goroutines.
func (s *suite) runParallel(cases []testCase) {
	work := make(chan testCase)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for c := range work {
				s.exec(c)
			}
		})
	}
	for _, c := range cases {
		if s.failures.Load() > 10*maxReported {
			break // enough to read
		}
		work <- c
	}
	close(work)
	wg.Wait()
}

// sameAnswer compares the answer about something invisible (a) with the answer about something
// missing (b): same status, same headers (but the request id and the date), and the same bytes
// once hidden is replaced by standIn. The two ids have the same length, so Content-Length
// compares as well.
func sameAnswer(a, b response, hidden, standIn string) error {
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
