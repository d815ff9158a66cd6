package e2e_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/eccs/eccs/api"
	"github.com/eccs/eccs/client"
	"github.com/eccs/eccs/internal/devseed"
	"github.com/eccs/eccs/internal/testkit/testserver"
)

// apiError returns err as an *Error, failing the test when it is not one.
func apiError(t *testing.T, err error) *client.Error {
	t.Helper()
	var e *client.Error
	if !errors.As(err, &e) {
		t.Fatalf("want a *client.Error, got %T: %v", err, err)
	}
	return e
}

// TestEveryEndpointWithOneTokenPerClient calls every endpoint with the client library, as a
// client application and then as an administrator with an API key: each client asks for one
// token, however many calls it makes.
func TestEveryEndpointWithOneTokenPerClient(t *testing.T) {
	t.Parallel()
	s := world.NewServer(t)
	c := s.NewClient(t)
	checkContracts(t, s, c)
	checkDocuments(t, s, c)
	checkMeAndDeclareUser(t, s, c)
	if got := s.TokenRequests.Load(); got != 1 {
		t.Errorf("%d token requests for %d calls, want 1", got, s.Calls.Load())
	}
	checkOrderWithAnAPIKey(t, s)
	if got := s.TokenRequests.Load(); got != 2 {
		t.Errorf("%d token requests for two clients, want 2", got)
	}
	t.Logf("%d calls, %d token requests", s.Calls.Load(), s.TokenRequests.Load())
}

// checkContracts checks that the client lists the contracts of its application, whole and by
// pages of one, and reads the sample contract.
func checkContracts(t *testing.T, s *testserver.Server, c *client.Client) {
	ctx := t.Context()
	list, err := c.Contracts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, ct := range list {
		ids = append(ids, ct.ID)
	}
	if !slices.Equal(ids, s.Creds.Contracts.Client) {
		t.Errorf("Contracts: %v, want %v", ids, s.Creds.Contracts.Client)
	}
	var paged []string
	for ct, err := range c.AllContracts(ctx, 1) {
		if err != nil {
			t.Fatal(err)
		}
		paged = append(paged, ct.ID)
	}
	if !slices.Equal(paged, ids) {
		t.Errorf("AllContracts by pages of 1: %v, want %v", paged, ids)
	}

	ct, err := c.Contract(ctx, devseed.SampleContractID)
	if err != nil {
		t.Fatal(err)
	}
	if ct.ID != devseed.SampleContractID || ct.Offer.Name == "" || ct.Contact.LastName == "" {
		t.Errorf("Contract: %+v", ct)
	}
}

// checkDocuments checks that the client lists the sample contract's bills newest first, finds
// the latest one of all and of a period, and downloads it verified, byte for byte.
func checkDocuments(t *testing.T, s *testserver.Server, c *client.Client) {
	ctx := t.Context()
	const contract = devseed.SampleContractID
	bills, err := c.Documents(ctx, contract, client.DocumentQuery{Type: api.DocumentBills, Limit: 3})
	if err != nil {
		t.Fatal(err)
	}
	if len(bills) != 3 || bills[0].ID != s.Creds.SampleDocumentID || bills[0].Period < bills[2].Period {
		t.Errorf("Documents(bills, 3): %+v", bills)
	}
	latest, err := c.LatestDocument(ctx, contract, api.DocumentBills, "")
	if err != nil || latest.ID != s.Creds.SampleDocumentID {
		t.Errorf("LatestDocument: %+v, %v; want %s", latest, err, s.Creds.SampleDocumentID)
	}
	older, err := c.LatestDocument(ctx, contract, api.DocumentBills, bills[2].Period)
	if err != nil || older.ID != bills[2].ID {
		t.Errorf("LatestDocument of period %s: %+v, %v; want %s", bills[2].Period, older, err, bills[2].ID)
	}

	var buf bytes.Buffer
	d, err := c.DownloadDocument(ctx, contract, latest.ID, false, &buf)
	if err != nil {
		t.Fatal(err)
	}
	if d.Filename != latest.Filename || !d.Verified || d.Resumed != 0 || d.Size != int64(buf.Len()) {
		t.Errorf("DownloadDocument: %+v (listed as %s)", d, latest.Filename)
	}
	if !bytes.Equal(buf.Bytes(), s.FileBytes(t, contract, latest.ID)) {
		t.Error("DownloadDocument: the bytes differ from the stored file")
	}
}

// checkMeAndDeclareUser checks that the client is told it is its application's client account,
// and declares a user on the sample contract.
func checkMeAndDeclareUser(t *testing.T, s *testserver.Server, c *client.Client) {
	ctx := t.Context()
	me, err := c.Me(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if me.Account.Type != "client" || me.Application.ClientID != s.Creds.ClientID {
		t.Errorf("Me: %+v", me)
	}

	u, err := c.DeclareUser(ctx, devseed.SampleContractID, api.User{Civility: "M", LastName: "Doe", FirstName: "John",
		Email: "john.doe@example.com", Login: "john.doe.sdk", Roles: api.Roles{Contracts: []string{api.RoleVisitor}}})
	if err != nil {
		t.Fatal(err)
	}
	if u.Login != "john.doe.sdk" || u.Email != "john.doe@example.com" {
		t.Errorf("DeclareUser: %+v", u)
	}
}

// checkOrderWithAnAPIKey checks that a second client, of the administrator's API key, orders a
// contract and reads it back.
func checkOrderWithAnAPIKey(t *testing.T, s *testserver.Server) {
	ctx := t.Context()
	admin := s.NewClient(t, client.WithAPIKey(s.Creds.APIKeys.Administrator))
	id, err := admin.OrderContract(ctx, api.ContractOrder{
		BillingAccountID: s.Creds.BillingAccountID, OfferCode: s.Creds.OfferCode, ContractName: "sdk-order",
		SupportLevel: s.Creds.SupportLevel, ReferentName: "Doe", ReferentFirstName: "Jane", ReferentMail: "jane.doe@example.com",
	})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(id, "OCB") {
		t.Errorf("OrderContract: id %q", id)
	}
	if ordered, err := admin.Contract(ctx, id); err != nil || ordered.Name != "sdk-order" {
		t.Errorf("the ordered contract: %+v, %v", ordered, err)
	}
}

func TestConcurrentCallsShareOneToken(t *testing.T) {
	t.Parallel()
	s := world.NewServer(t)
	c := s.NewClient(t)
	const goroutines, each = 8, 5
	var wg sync.WaitGroup
	errs := make(chan error, goroutines*each)
	for range goroutines {
		wg.Go(func() {
			for range each {
				if _, err := c.Contract(t.Context(), devseed.SampleContractID); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if got := s.TokenRequests.Load(); got != 1 {
		t.Errorf("%d token requests for %d concurrent calls, want 1", got, goroutines*each)
	}
}

func TestExpiredTokenIsRefreshedOnceAndTheCallRetried(t *testing.T) {
	t.Parallel()
	s := world.NewServer(t)
	c := s.NewClient(t)
	ctx := t.Context()
	if _, err := c.Me(ctx); err != nil {
		t.Fatal(err)
	}
	// The server's clock moves past the token's lifetime, which the client cannot know: the
	// server answers 401/42, the client fetches a new token and sends the call again.
	s.Clock.Advance(2 * time.Hour)
	if _, err := c.Contracts(ctx); err != nil {
		t.Fatalf("after the token expired: %v", err)
	}
	if _, err := c.Contract(ctx, devseed.SampleContractID); err != nil {
		t.Fatal(err)
	}
	if tokens, calls := s.TokenRequests.Load(), s.Calls.Load(); tokens != 2 || calls != 4 {
		t.Errorf("%d token requests and %d calls, want 2 and 4 (me, contracts refused 42, contracts, contract)", tokens, calls)
	}
}

func TestExpiredTokenIsRefreshedOnlyOnce(t *testing.T) {
	t.Parallel()
	s := world.NewServer(t)
	c := s.NewClient(t)
	s.RefuseStatus.Store(http.StatusUnauthorized)
	s.RefuseCalls.Store(100)
	_, err := c.Contracts(t.Context())
	if e := apiError(t, err); e.Status != 401 || e.Code != api.CodeExpiredCredentials {
		t.Fatalf("want 401/42, got %v", err)
	}
	if tokens, calls := s.TokenRequests.Load(), s.Calls.Load(); tokens != 2 || calls != 2 {
		t.Errorf("%d token requests and %d calls, want 2 and 2: one refresh, one retry", tokens, calls)
	}
}

func TestRateLimitedCallsWaitRetryAfterThenSucceed(t *testing.T) {
	t.Parallel()
	s := world.NewServer(t)
	c := s.NewClient(t)
	ctx := t.Context()
	if _, err := c.Token(ctx); err != nil {
		t.Fatal(err)
	}
	s.RefuseCalls.Store(2) // Retry-After: 1
	start := time.Now()
	list, err := c.Contracts(ctx)
	elapsed := time.Since(start)
	if err != nil || len(list) == 0 {
		t.Fatalf("Contracts after two 429: %v, %v", list, err)
	}
	if elapsed < 2*time.Second || elapsed > 4*time.Second {
		t.Errorf("two refusals with Retry-After: 1 took %v, want 2 s to 2.5 s (plus the call)", elapsed)
	}
	if refused, calls := s.Refused.Load(), s.Calls.Load(); refused != 2 || calls != 3 {
		t.Errorf("%d refusals, %d calls; want 2 and 3", refused, calls)
	}
	t.Logf("2 × 429 with Retry-After: 1, then success, in %v", elapsed.Round(time.Millisecond))

	// A POST refused for load was not carried out: it is sent again.
	s.RefuseCalls.Store(1)
	s.RetryAfter.Store("0")
	admin := s.NewClient(t, client.WithAPIKey(s.Creds.APIKeys.Administrator), plain)
	id, err := admin.OrderContract(ctx, api.ContractOrder{BillingAccountID: s.Creds.BillingAccountID, OfferCode: s.Creds.OfferCode,
		ContractName: "after-429", SupportLevel: s.Creds.SupportLevel, ReferentName: "Doe", ReferentFirstName: "Jane", ReferentMail: "jane.doe@example.com"})
	if err != nil || id == "" {
		t.Fatalf("OrderContract after a 429: %q, %v", id, err)
	}
	if refused := s.Refused.Load(); refused != 3 {
		t.Errorf("%d refusals, want 3", refused)
	}
}

func TestRateLimitedCallsGiveUpAfterTheirAttempts(t *testing.T) {
	t.Parallel()
	s := world.NewServer(t)
	c := s.NewClient(t, plain)
	s.RetryAfter.Store("0")
	s.RefuseCalls.Store(100)
	_, err := c.Contracts(t.Context())
	e := apiError(t, err)
	if !e.RateLimited() || e.Code != api.CodeTooManyRequests || e.Attempts != client.DefaultAttempts || e.RequestID == "" {
		t.Errorf("want 429/53 after %d attempts with a request id, got %+v", client.DefaultAttempts, e)
	}
	if refused := s.Refused.Load(); refused != client.DefaultAttempts {
		t.Errorf("%d refusals, want %d", refused, client.DefaultAttempts)
	}
	// WithRetries(1, …) turns retries off.
	s.Refused.Store(0)
	c1 := s.NewClient(t, client.WithRetries(1, time.Millisecond), plain)
	if _, err := c1.Contracts(t.Context()); apiError(t, err).Attempts != 1 || s.Refused.Load() != 1 {
		t.Errorf("WithRetries(1): %v after %d refusals", err, s.Refused.Load())
	}
}

func TestRetryAfterLongerThanTheMaximumGivesUpAtOnce(t *testing.T) {
	t.Parallel()
	s := world.NewServer(t)
	c := s.NewClient(t, client.WithMaxWait(5*time.Second))
	s.RetryAfter.Store("3600")
	s.RefuseCalls.Store(100)
	start := time.Now()
	_, err := c.Contracts(t.Context())
	if e := apiError(t, err); !e.RateLimited() || e.RetryAfter != time.Hour || e.Attempts != 1 {
		t.Errorf("want a 429 after one attempt with RetryAfter 1h, got %+v", e)
	}
	if time.Since(start) > 2*time.Second {
		t.Errorf("it waited %v", time.Since(start))
	}
}

func TestServiceUnavailableIsRetriedForReadsOnly(t *testing.T) {
	t.Parallel()
	s := world.NewServer(t)
	c := s.NewClient(t, plain)
	ctx := t.Context()
	s.RefuseStatus.Store(http.StatusServiceUnavailable)
	s.RetryAfter.Store("0")
	s.RefuseCalls.Store(1)
	if _, err := c.Contract(ctx, devseed.SampleContractID); err != nil {
		t.Fatalf("GET after a 503: %v", err)
	}
	s.RefuseCalls.Store(1)
	_, err := c.DeclareUser(ctx, devseed.SampleContractID, api.User{LastName: "Doe", FirstName: "Joe", Email: "joe@example.com",
		Login: "joe.doe.503", Roles: api.Roles{Contracts: []string{api.RoleVisitor}}})
	if e := apiError(t, err); e.Status != 503 || e.Attempts != 1 {
		t.Errorf("a POST answered 503 must not be sent again: %+v", e)
	}
	if refused := s.Refused.Load(); refused != 2 {
		t.Errorf("%d refusals, want 2", refused)
	}
}

func TestTokenRequestsRefusedForLoadAreRetried(t *testing.T) {
	t.Parallel()
	s := world.NewServer(t)
	c := s.NewClient(t, plain)
	s.RetryAfter.Store("0")
	s.RefuseTokens.Store(1)
	if _, err := c.Me(t.Context()); err != nil {
		t.Fatal(err)
	}
	if got := s.TokenRequests.Load(); got != 2 {
		t.Errorf("%d token requests, want 2 (one refused)", got)
	}
}

func TestContextEndsTheWait(t *testing.T) {
	t.Parallel()
	s := world.NewServer(t)
	c := s.NewClient(t)
	s.RetryAfter.Store("30")
	s.RefuseCalls.Store(100)
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.Contracts(ctx)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("want the context's error, got %v", err)
	}
	if time.Since(start) > 5*time.Second {
		t.Errorf("the wait outlived the context: %v", time.Since(start))
	}
}

func TestDownloadResumesAfterBrokenConnectionsByteIdentical(t *testing.T) {
	t.Parallel()
	s := world.NewServer(t)
	c := s.NewClient(t, plain)
	ctx := t.Context()
	const contract = devseed.SampleContractID
	for _, docType := range []string{api.DocumentBills, api.DocumentConsumptionRatedReports, api.DocumentInvoices} {
		doc, err := c.LatestDocument(ctx, contract, docType, "")
		if err != nil {
			t.Fatal(err)
		}
		want := s.FileBytes(t, contract, doc.ID)
		s.Cuts.Store(2) // the first answer and the first resumed one are cut after a third
		s.CutsDone.Store(0)
		s.RangeRequests.Store(0)
		var buf bytes.Buffer
		var last, total int64
		d, err := c.DownloadDocument(ctx, contract, doc.ID, false, &buf, client.OnProgress(func(done, size int64) {
			if done < last {
				t.Errorf("progress went back from %d to %d", last, done)
			}
			last, total = done, size
		}))
		if err != nil {
			t.Fatalf("%s: %v", docType, err)
		}
		if !bytes.Equal(buf.Bytes(), want) {
			t.Fatalf("%s: %d bytes received, not identical to the %d stored", docType, buf.Len(), len(want))
		}
		sum := sha256.Sum256(want)
		if d.Resumed != 2 || s.CutsDone.Load() != 2 || s.RangeRequests.Load() != 2 || !d.Verified || d.SHA256 != hex.EncodeToString(sum[:]) {
			t.Errorf("%s: %+v after %d cuts and %d range requests; want 2 resumes, verified", docType, d, s.CutsDone.Load(), s.RangeRequests.Load())
		}
		if last != int64(len(want)) || total != int64(len(want)) {
			t.Errorf("%s: last progress %d of %d, want %d", docType, last, total, len(want))
		}
		t.Logf("%s %s: %d bytes, cut twice, resumed %d times, sha-256 verified", docType, doc.Filename, len(want), d.Resumed)
	}
}

func TestDownloadFailsWhenTheDocumentChangedBeforeItResumes(t *testing.T) {
	t.Parallel()
	s := world.NewServer(t)
	c := s.NewClient(t, plain)
	dir := t.TempDir()
	s.Cuts.Store(1)
	s.BadIfRange.Store(true) // the server then sends the whole (new) file with 200
	_, _, err := c.DownloadToDir(t.Context(), devseed.SampleContractID, s.Creds.SampleDocumentID, dir, false)
	if err == nil || !strings.Contains(err.Error(), "changed") {
		t.Errorf("want an error saying the document changed, got %v", err)
	}
	assertEmptyDir(t, dir)
}

func TestDownloadToDirNeverLeavesABadFile(t *testing.T) {
	t.Parallel()
	s := world.NewServer(t)
	c := s.NewClient(t)
	dir := t.TempDir()
	s.Corrupt.Store(true)
	_, _, err := c.DownloadToDir(t.Context(), devseed.SampleContractID, s.Creds.SampleDocumentID, dir, false)
	if !errors.Is(err, client.ErrDigestMismatch) {
		t.Errorf("want ErrDigestMismatch, got %v", err)
	}
	assertEmptyDir(t, dir)
}

func TestDownloadToDir(t *testing.T) {
	t.Parallel()
	s := world.NewServer(t)
	c := s.NewClient(t)
	ctx := t.Context()
	dir := t.TempDir()
	const contract = devseed.SampleContractID
	want := s.FileBytes(t, contract, s.Creds.SampleDocumentID)

	path, d, err := c.DownloadToDir(ctx, contract, s.Creds.SampleDocumentID, dir, false)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil || !bytes.Equal(got, want) || filepath.Dir(path) != dir || !d.Verified {
		t.Errorf("DownloadToDir: %s, %+v, %v", path, d, err)
	}
	// Owner only by default; FileMode asks for another mode (less the umask: no bit added).
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, %v; want 0600 by default", fi.Mode().Perm(), err)
	}
	other := t.TempDir()
	opath, _, err := c.DownloadToDir(ctx, contract, s.Creds.SampleDocumentID, other, false, client.FileMode(0o640))
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(opath); err != nil || fi.Mode().Perm()&^0o640 != 0 || fi.Mode().Perm()&0o600 != 0o600 {
		t.Errorf("mode %v, %v; want 0640 less the umask", fi.Mode().Perm(), err)
	}

	zpath, zd, err := c.DownloadToDir(ctx, contract, s.Creds.SampleDocumentID, dir, true)
	if err != nil {
		t.Fatal(err)
	}
	if zpath != path+".zip" || !zd.Verified || zd.ContentType != "application/zip" {
		t.Errorf("zipped: %s, %+v", zpath, zd)
	}
	zr, err := zip.OpenReader(zpath)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	rc, err := zr.File[0].Open()
	if err != nil {
		t.Fatal(err)
	}
	inner, _ := io.ReadAll(rc)
	rc.Close()
	if !bytes.Equal(inner, want) || zr.File[0].Name != d.Filename {
		t.Errorf("the ZIP holds %s, %d bytes; want %s, %d bytes", zr.File[0].Name, len(inner), d.Filename, len(want))
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("the directory holds %d files, want the 2 downloads and nothing else", len(entries))
	}
}

func assertEmptyDir(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		t.Errorf("%s left behind", e.Name())
	}
}

func TestErrorsCarryTheAnswer(t *testing.T) {
	t.Parallel()
	s := world.NewServer(t)
	c := s.NewClient(t)
	ctx := t.Context()

	_, err := c.Contract(ctx, "OCB0000005") // exists, not visible to the client account
	e := apiError(t, err)
	if e.Status != 403 || e.Code != api.CodeAccessDenied || e.Message != "Access denied" || e.Description == "" || e.RequestID == "" {
		t.Errorf("Contract(OCB0000005): %+v", e)
	}
	if !strings.Contains(e.Error(), "403/50 Access denied") || !strings.Contains(e.Error(), e.RequestID) {
		t.Errorf("Error(): %q", e.Error())
	}

	if _, err := c.Documents(ctx, devseed.SampleContractID, client.DocumentQuery{Type: "toto"}); !errors.Is(err, client.ErrUnknownDocumentType) {
		t.Errorf("an unknown document type: %v", err)
	}
	if _, err := c.Documents(ctx, devseed.SampleContractID, client.DocumentQuery{Limit: 5000}); apiError(t, err).Code != api.CodeInvalidQueryParameter {
		t.Errorf("limit 5000: %v", err)
	}
	_, err = c.LatestDocument(ctx, devseed.SampleContractID, api.DocumentBills, "199001")
	if e := apiError(t, err); e.Status != 404 || e.Code != api.CodeResourceNotFound {
		t.Errorf("LatestDocument of 199001: %v", err)
	}

	bad := s.NewClient(t, client.WithCredentials(s.Creds.ClientID, "wrong-secret"))
	_, err = bad.Contracts(ctx)
	if e := apiError(t, err); e.Status != 401 || e.OAuthError != api.OAuthInvalidClient || e.RequestID == "" {
		t.Errorf("a wrong secret: %+v", e)
	}
	badKey := s.NewClient(t, client.WithAPIKey("eccs_not_a_key"))
	if _, err := badKey.Contracts(ctx); apiError(t, err).Code != api.CodeInvalidCredentials {
		t.Errorf("a wrong key: %v", err)
	}
}

func TestPagesMatchOneLongPage(t *testing.T) {
	t.Parallel()
	s := world.NewServer(t)
	c := s.NewClient(t)
	ctx := t.Context()
	const contract = devseed.SampleContractID
	whole, err := c.Documents(ctx, contract, client.DocumentQuery{Limit: client.MaxPageSize})
	if err != nil {
		t.Fatal(err)
	}
	before := s.Calls.Load()
	var paged []api.Document
	for d, err := range c.AllDocuments(ctx, contract, "", 7) {
		if err != nil {
			t.Fatal(err)
		}
		paged = append(paged, d)
	}
	if !slices.EqualFunc(paged, whole, func(a, b api.Document) bool { return a.ID == b.ID }) {
		t.Fatalf("pages of 7 gave %d documents, one page %d", len(paged), len(whole))
	}
	if calls, want := s.Calls.Load()-before, int64((len(whole)+6)/7); calls != want {
		t.Errorf("%d calls for %d documents by pages of 7, want %d", calls, len(whole), want)
	}
	// Stopping early stops the calls.
	before = s.Calls.Load()
	for range c.AllDocuments(ctx, contract, "", 2) {
		break
	}
	if calls := s.Calls.Load() - before; calls != 1 {
		t.Errorf("%d calls for the first document, want 1", calls)
	}
}

// memoryStore is a TokenStore shared by the clients of a test, as a file is by processes.
type memoryStore struct {
	mu    sync.Mutex
	tok   client.AccessToken
	saves int
}

func (m *memoryStore) LoadToken(context.Context) (client.AccessToken, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.tok, nil
}

func (m *memoryStore) SaveToken(_ context.Context, t client.AccessToken) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.tok = t
	m.saves++
	return nil
}

func TestATokenStoreSharesOneTokenBetweenClients(t *testing.T) {
	t.Parallel()
	s := world.NewServer(t)
	ctx := t.Context()
	store := &memoryStore{}
	for range 5 { // five "processes", one after the other
		c := s.NewClient(t, client.WithTokenStore(store))
		if _, err := c.Me(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if got := s.TokenRequests.Load(); got != 1 || store.saves != 1 {
		t.Errorf("%d token requests and %d saves for 5 clients sharing a store, want 1 and 1", got, store.saves)
	}
	first := store.tok.Value
	if first == "" || store.tok.Expiry.Before(time.Now().Add(50*time.Minute)) {
		t.Errorf("stored %+v", store.tok)
	}
	// The stored token expires early on the server's side: the next client is refused 401/42,
	// fetches a new token (not the stored one again) and stores it for the others.
	s.Clock.Advance(2 * time.Hour)
	c := s.NewClient(t, client.WithTokenStore(store))
	if _, err := c.Contracts(ctx); err != nil {
		t.Fatal(err)
	}
	c2 := s.NewClient(t, client.WithTokenStore(store))
	if _, err := c2.Contracts(ctx); err != nil {
		t.Fatal(err)
	}
	if got := s.TokenRequests.Load(); got != 2 || store.tok.Value == first {
		t.Errorf("%d token requests after the expiry, want 2, and a new stored token", got)
	}
	// A stored token about to expire is not used.
	store.SaveToken(ctx, client.AccessToken{Value: "stale", Expiry: time.Now().Add(time.Second)})
	if _, err := s.NewClient(t, client.WithTokenStore(store)).Me(ctx); err != nil {
		t.Fatal(err)
	}
	if got := s.TokenRequests.Load(); got != 3 {
		t.Errorf("%d token requests, want 3: a token expiring within its margin is fetched anew", got)
	}
}
