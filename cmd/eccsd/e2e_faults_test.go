package main

// Dependency faults, end to end (doc/reliability.md): the whole program runs through run(), as
// `eccsd serve` runs, on dependencies that the test breaks and repairs while clients keep
// calling. A PostgreSQL server of the test's own is stopped for ten seconds under load, and
// another is frozen behind a proxy (it refuses nothing and answers nothing); a MinIO of the
// test's own is killed and restarted; the data directory sits on a small tmpfs filled to the
// last page (e2e_faults_linux_test.go). Each test checks that every answer is the one a client
// can act on (503 with code 5 and Retry-After, never 500, never a hang), that nothing is left
// half done, and that the server recovers without a restart. doc/reliability.md reports them.
//
// The tests are here; e2e_faultclient_test.go holds the clients that call and record, and
// e2e_faultdeps_test.go the dependencies the tests break.

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/eccs/eccs/api"
	"github.com/eccs/eccs/internal/testkit/pgtest"
)

const (
	// faultAnswerBound is the longest any answer may take while a dependency is down: the
	// server must fail fast, not hold the client until its own timeout. Connections to a
	// stopped server are refused at once; the object store client tries three times, within
	// about 1.5 s (s3blob). The rest is room for a loaded test machine.
	faultAnswerBound = 3 * time.Second
	// faultRecoverBound is the longest the server may take, once its dependency is back, to
	// answer again the calls that need it.
	faultRecoverBound = 10 * time.Second
	// pgOutage is how long PostgreSQL stays down.
	pgOutage = 10 * time.Second
)

// TestFaultPostgreSQLStoppedUnderLoadAnswers503FastAndRecoversWithoutRestart stops the
// server's PostgreSQL (one of the test's own) for ten seconds while four clients call
// GET /contracts, GET /documents and the token endpoint without pause, then starts it again.
// Every answer is a success (the request-path cache answers what it holds) or a 503 with code
// 5 and Retry-After (the token endpoint: temporarily_unavailable), never a 500, and none
// takes longer than faultAnswerBound; /readyz answers 503 during the outage. Once PostgreSQL
// is back, the same process answers every call again within faultRecoverBound.
func TestFaultPostgreSQLStoppedUnderLoadAnswers503FastAndRecoversWithoutRestart(t *testing.T) {
	pg, dbURL, dir := migratedDedicatedPostgreSQL(t)
	// The documents stay in the data directory's files; the database is PostgreSQL.
	s := startOnPostgreSQL(t, dir, dbURL)
	fc := newFaultClient(t, s, s.demoToken(t))
	kinds := map[string]string{
		"contracts": api.BasePath + "/contracts",
		"documents": api.BasePath + "/documents?limit=5",
		"token":     "",
	}
	for kind, path := range kinds {
		if c := fc.do(kind, path); c.status != http.StatusOK {
			t.Fatalf("before the outage: %s", c)
		}
	}

	ready, o := stopPostgreSQLUnderLoad(t, pg, s, fc, kinds)
	calls := fc.recorded()
	during, after := logOutagePhases(t, calls, o)
	lastFailure := checkOutageAnswers(t, calls, during, o)
	checkReadinessAcrossOutage(t, ready, o)
	checkRecoveryAfterOutage(t, calls, after, kinds, o, lastFailure)
}

// migratedDedicatedPostgreSQL starts a PostgreSQL of the test's own and copies into it the
// database of a copy of the seeded world; it returns the server, its URL and the data
// directory, whose document files the test's eccsd keeps using.
func migratedDedicatedPostgreSQL(t *testing.T) (pg *pgtest.Server, dbURL, dir string) {
	t.Helper()
	pg = pgtest.Dedicated(t)
	dbURL = pg.URL(t)
	dir = seededCopy(t)
	runMigrateData(t, "--from", sqliteURL(filepath.Join(dir, "eccs.db")), "--to", dbURL)
	return pg, dbURL, dir
}

// startOnPostgreSQL serves the data directory dir with the database at dbURL, without rate
// limits.
func startOnPostgreSQL(t *testing.T, dir, dbURL string) *server {
	t.Helper()
	return startServer(t, []string{"serve", "--addr", "127.0.0.1:0", "--data-dir", dir, "--database-url", dbURL,
		"--rate-limit", "0", "--token-rate-limit", "0"}, noEnv, "")
}

// outageClock is when the PostgreSQL outage began and ended: pg_ctl stop began and returned,
// pg_ctl start began and returned.
type outageClock struct{ stopBegin, down, startBegin, up time.Time }

// stopPostgreSQLUnderLoad puts four clients calling kinds on s, stops pg for pgOutage, starts
// it again, and keeps the load on until every kind of call has succeeded again, and two
// seconds more. It returns what /readyz answered meanwhile and when the outage was.
func stopPostgreSQLUnderLoad(t *testing.T, pg *pgtest.Server, s *server, fc *faultClient, kinds map[string]string) (*readiness, outageClock) {
	t.Helper()
	stop := make(chan struct{})
	ready, readyDone := watchReadiness(t, s, stop)
	loadDone := fc.load(4, kinds, stop)
	time.Sleep(time.Second)

	var o outageClock
	o.stopBegin = time.Now()
	pg.Stop(t)
	o.down = time.Now()
	time.Sleep(pgOutage - time.Since(o.stopBegin))
	o.startBegin = time.Now()
	pg.Start(t)
	o.up = time.Now()
	for {
		if time.Since(o.up) > faultRecoverBound+2*time.Second {
			break
		}
		recovered := map[string]bool{}
		for _, c := range fc.recorded() {
			if c.begin.After(o.up) && c.status == http.StatusOK {
				recovered[c.kind] = true
			}
		}
		if len(recovered) == len(kinds) {
			time.Sleep(2 * time.Second)
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	close(stop)
	loadDone()
	readyDone()
	return ready, o
}

// logOutagePhases logs the calls before, during and after the outage, and returns those of
// the last two phases.
func logOutagePhases(t *testing.T, calls []faultCall, o outageClock) (during, after []faultCall) {
	t.Helper()
	var before []faultCall
	for _, c := range calls {
		switch {
		case c.begin.Before(o.stopBegin):
			before = append(before, c)
		case c.begin.Before(o.up):
			during = append(during, c)
		default:
			after = append(after, c)
		}
	}
	t.Logf("%d calls: %d before the outage (%s), %d during it (%s), %d after it (%s)",
		len(calls), len(before), tally(before), len(during), tally(during), len(after), tally(after))
	t.Logf("PostgreSQL down for %s; pg_ctl stop took %s, pg_ctl start %s", o.up.Sub(o.stopBegin).Round(time.Millisecond),
		o.down.Sub(o.stopBegin).Round(time.Millisecond), o.up.Sub(o.startBegin).Round(time.Millisecond))
	return during, after
}

// checkOutageAnswers checks every answer, whatever the phase: a success or the specified 503,
// within the bound; some resource call must have failed, or the test proved nothing. It
// returns when the last 503 was answered.
func checkOutageAnswers(t *testing.T, calls, during []faultCall, o outageClock) (lastFailure time.Time) {
	t.Helper()
	var firstFailure time.Time
	var problems []string
	needDB := 0
	for _, c := range calls {
		switch {
		case c.err != nil:
			problems = append(problems, c.String())
		case c.status == http.StatusOK:
		case c.begin.Add(c.took).Before(o.stopBegin):
			// Answered before the stop began. A call sent just before it and answered during
			// it may rightly be refused: it is judged as the calls of the outage are.
			problems = append(problems, "before the outage: "+c.String())
		case c.unavailableAsSpecified() == "":
			if firstFailure.IsZero() {
				firstFailure = c.begin.Add(c.took)
			}
			lastFailure = c.begin.Add(c.took)
			if c.kind != "token" {
				needDB++
			}
		default:
			problems = append(problems, c.unavailableAsSpecified()+": "+c.String())
		}
		if c.took > faultAnswerBound {
			problems = append(problems, fmt.Sprintf("answered after %s, past %s: %s", c.took.Round(time.Millisecond), faultAnswerBound, c))
		}
	}
	if len(problems) > 0 {
		t.Errorf("%d of %d answers are wrong; the first ones:\n%s", len(problems), len(calls), strings.Join(problems[:min(len(problems), 10)], "\n"))
	}
	if needDB == 0 {
		t.Fatalf("no resource call failed while PostgreSQL was down (%s): the test proved nothing", tally(during))
	}
	t.Logf("slowest answer during the outage: %s; first 503 %s after pg_ctl stop began",
		slowest(during).Round(time.Millisecond), firstFailure.Sub(o.stopBegin).Round(time.Millisecond))
	return lastFailure
}

// checkReadinessAcrossOutage checks that /readyz answered 503 during the outage and 200 again
// within faultRecoverBound of PostgreSQL's return.
func checkReadinessAcrossOutage(t *testing.T, ready *readiness, o outageClock) {
	t.Helper()
	if at, ok := ready.firstAfter(o.stopBegin, http.StatusServiceUnavailable); !ok || at.After(o.up) {
		t.Errorf("/readyz never answered 503 while PostgreSQL was down")
	} else {
		t.Logf("/readyz answered 503 %s after pg_ctl stop began", at.Sub(o.stopBegin).Round(time.Millisecond))
	}
	if at, ok := ready.firstAfter(o.startBegin, http.StatusOK); !ok {
		t.Errorf("/readyz never answered 200 again after PostgreSQL was back")
	} else if d := at.Sub(o.up); d > faultRecoverBound {
		t.Errorf("/readyz answered 200 again %s after PostgreSQL was back, past %s", d.Round(time.Millisecond), faultRecoverBound)
	} else {
		t.Logf("/readyz answered 200 again %s after pg_ctl start began", at.Sub(o.startBegin).Round(time.Millisecond))
	}
}

// checkRecoveryAfterOutage checks the recovery: from faultRecoverBound after the restart on,
// every call succeeds; and calls of every kind succeeded after it.
func checkRecoveryAfterOutage(t *testing.T, calls, after []faultCall, kinds map[string]string, o outageClock, lastFailure time.Time) {
	t.Helper()
	for _, c := range calls {
		if c.kind == "contracts" && c.status == http.StatusOK && c.begin.After(o.startBegin) { // never cached
			t.Logf("first GET /contracts answered from the database again %s after pg_ctl start began",
				c.begin.Add(c.took).Sub(o.startBegin).Round(time.Millisecond))
			break
		}
	}
	if lastFailure.After(o.up) {
		t.Logf("last 503 %s after PostgreSQL was back", lastFailure.Sub(o.up).Round(time.Millisecond))
	} else {
		t.Logf("no 503 after PostgreSQL was back (pg_ctl start returns once it accepts connections)")
	}
	for _, c := range after {
		if c.status != http.StatusOK && c.begin.Sub(o.up) > faultRecoverBound {
			t.Errorf("%s after PostgreSQL was back: %s", c.begin.Sub(o.up).Round(time.Millisecond), c)
		}
	}
	for kind := range kinds {
		ok := false
		for _, c := range after {
			ok = ok || (c.kind == kind && c.status == http.StatusOK)
		}
		if !ok {
			t.Errorf("no %s call succeeded after PostgreSQL was back", kind)
		}
	}
}

// TestFaultPostgreSQLThatStopsAnsweringFailsCallsWithinABound puts PostgreSQL behind a
// proxy that, frozen, accepts and holds connections but passes nothing: the failure that
// refuses nothing and answers nothing. The server runs with statement_timeout=1s in its
// database URL, so its connections wait at most 1 s + 2 s (internal/postgres) for an answer.
// Calls that need the database answer 503 with code 5 within three such waits (database/sql
// tries up to two pooled connections, whose liveness ping waits the bound, then a new one),
// /readyz answers 503 within its own second, and once the proxy passes bytes again calls
// succeed without a restart.
func TestFaultPostgreSQLThatStopsAnsweringFailsCallsWithinABound(t *testing.T) {
	_, dbURL, dir := migratedDedicatedPostgreSQL(t)
	proxy, proxiedURL := proxiedPostgreSQL(t, dbURL)
	s := startOnPostgreSQL(t, dir, proxiedURL)
	fc := newFaultClient(t, s, s.demoToken(t))
	if c := fc.do("contracts", api.BasePath+"/contracts"); c.status != http.StatusOK {
		t.Fatalf("before the freeze: %s", c)
	}

	proxy.frozen.Store(true)
	frozenAt := time.Now()
	during := callWhilePostgreSQLIsFrozen(t, s, fc)
	checkAnswersWhilePostgreSQLIsFrozen(t, during)

	proxy.frozen.Store(false)
	thawed := time.Now()
	t.Logf("thawed %s after the freeze", thawed.Sub(frozenAt).Round(time.Millisecond))
	_, took := fc.awaitRecovery(t, "contracts", api.BasePath+"/contracts", thawed, "after the thaw", "GET /contracts still fails", "the thaw")
	t.Logf("GET /contracts answered from the database again %s after the thaw", took.Round(time.Millisecond))
}

// frozenPGBound is the longest a connection of the server waits for a frozen PostgreSQL:
// the statement_timeout proxiedPostgreSQL sets, and the margin of internal/postgres.
const frozenPGBound = 1*time.Second + 2*time.Second

// proxiedPostgreSQL puts a freezer in front of the PostgreSQL at dbURL, and returns it with
// the URL that reaches the database through it, with statement_timeout=1s.
func proxiedPostgreSQL(t *testing.T, dbURL string) (*freezer, string) {
	t.Helper()
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	proxy := freezeProxy(t, u.Host)
	u.Host = proxy.ln.Addr().String()
	q := u.Query()
	q.Set("statement_timeout", "1000")
	u.RawQuery = q.Encode()
	return proxy, u.String()
}

// callWhilePostgreSQLIsFrozen makes two calls of each kind at once, checks meanwhile that
// /readyz answers 503 within faultAnswerBound, and returns the calls (all but the one made
// before the freeze).
func callWhilePostgreSQLIsFrozen(t *testing.T, s *server, fc *faultClient) []faultCall {
	t.Helper()
	kinds := map[string]string{"contracts": api.BasePath + "/contracts", "documents": api.BasePath + "/documents?limit=5", "token": ""}
	var wg sync.WaitGroup
	for range 2 {
		for kind, path := range kinds {
			wg.Add(1)
			go func() {
				defer wg.Done()
				fc.do(kind, path)
			}()
		}
	}
	begin := time.Now()
	resp, _ := send(t, mustRequest(t, http.MethodGet, s.url+"/readyz"))
	if took := time.Since(begin); resp.StatusCode != http.StatusServiceUnavailable || took > faultAnswerBound {
		t.Errorf("/readyz with PostgreSQL frozen: %d after %s, want 503 within %s", resp.StatusCode, took.Round(time.Millisecond), faultAnswerBound)
	} else {
		t.Logf("/readyz with PostgreSQL frozen: 503 after %s", took.Round(time.Millisecond))
	}
	wg.Wait()
	return fc.recorded()[1:]
}

// checkAnswersWhilePostgreSQLIsFrozen checks that each call was answered, a success or the
// specified 503, within three waits of frozenPGBound; some must have failed, or the test
// proved nothing.
func checkAnswersWhilePostgreSQLIsFrozen(t *testing.T, during []faultCall) {
	t.Helper()
	t.Logf("PostgreSQL frozen: %d calls (%s), answered in %s to %s", len(during), tally(during),
		fastest(during).Round(time.Millisecond), slowest(during).Round(time.Millisecond))
	failed := 0
	for _, c := range during {
		switch {
		case c.err != nil:
			t.Errorf("%s", c)
		case c.status == http.StatusOK:
		case c.unavailableAsSpecified() == "":
			failed++
		default:
			t.Errorf("%s: %s", c.unavailableAsSpecified(), c)
		}
		if c.took > 3*frozenPGBound+faultAnswerBound {
			t.Errorf("answered after %s, past three waits of %s: %s", c.took.Round(time.Millisecond), frozenPGBound, c)
		}
	}
	if failed == 0 {
		t.Errorf("no call failed while PostgreSQL was frozen (%s): the test proved nothing", tally(during))
	}
}

// TestFaultObjectStoreDownFailsDownloadsWith503AndKeepsListsServed kills the server's MinIO
// (one of the test's own): downloads answer 503 with code 5 and Retry-After within
// faultAnswerBound, while the document list (metadata, in the database) and /readyz still
// answer 200. Once MinIO is back on the same address and data, downloads give the same bytes
// again within faultRecoverBound, without a restart of eccsd.
func TestFaultObjectStoreDownFailsDownloadsWith503AndKeepsListsServed(t *testing.T) {
	dir := seededCopy(t)
	m, blobURL := dedicatedMinIO(t, dir)
	s := startOnObjectStore(t, dir, blobURL)
	fc := newFaultClient(t, s, s.demoToken(t))
	download := firstDocumentDownload(t, fc, "before the outage")
	want := fc.do("download", download)
	if want.status != http.StatusOK {
		t.Fatalf("before the outage: %s", want)
	}
	sum := sha256.Sum256([]byte(want.body))
	wantSum := hex.EncodeToString(sum[:])

	stopBegin := time.Now()
	m.Stop(t)
	checkCallsWhileObjectStoreIsDown(t, s, fc, download)
	if t.Failed() {
		t.Logf("(%s after the MinIO was killed)", time.Since(stopBegin).Round(time.Millisecond))
	}

	m.Start(t)
	up := time.Now()
	c, took := fc.awaitRecovery(t, "download", download, up, "while the object store comes back", "downloads still fail", "MinIO was back")
	got := sha256.Sum256([]byte(c.body))
	if hex.EncodeToString(got[:]) != wantSum {
		t.Errorf("after the object store came back, the download gave other bytes (%d bytes, want %d)", len(c.body), len(want.body))
	}
	t.Logf("downloads work again %s after MinIO was back", took.Round(time.Millisecond))
}

// startOnObjectStore serves the data directory dir with its documents in the bucket at
// blobURL, without a rate limit.
func startOnObjectStore(t *testing.T, dir, blobURL string) *server {
	t.Helper()
	return startServer(t, []string{"serve", "--addr", "127.0.0.1:0", "--data-dir", dir, "--blob-url", blobURL, "--rate-limit", "0"}, noEnv, "")
}

// firstDocumentDownload lists the demo contract's documents and returns the download path of
// the first one; when names the phase in a failure.
func firstDocumentDownload(t *testing.T, fc *faultClient, when string) string {
	t.Helper()
	list := fc.do("list", api.BasePath+"/documents?limit=3")
	var docs []api.Document
	if list.status != http.StatusOK || json.Unmarshal([]byte(list.body), &docs) != nil || len(docs) == 0 {
		t.Fatalf("%s: %s", when, list)
	}
	return api.BasePath + "/documents/" + docs[0].ID + "/file"
}

// checkCallsWhileObjectStoreIsDown downloads and lists ten times with the object store down:
// downloads answer the specified 503, the list and /readyz 200, all within faultAnswerBound.
func checkCallsWhileObjectStoreIsDown(t *testing.T, s *server, fc *faultClient, download string) {
	t.Helper()
	const rounds = 10
	var during []faultCall
	for range rounds {
		during = append(during, fc.do("download", download), fc.do("list", api.BasePath+"/documents?limit=3"))
		if resp, _ := send(t, mustRequest(t, http.MethodGet, s.url+"/readyz")); resp.StatusCode != http.StatusOK {
			t.Errorf("/readyz answered %d while only the object store was down; want 200 (metadata and tokens are still served)", resp.StatusCode)
		}
	}
	var downloads []faultCall
	for _, c := range during {
		if c.kind == "download" {
			downloads = append(downloads, c)
		}
	}
	t.Logf("object store down: %d calls (%s); downloads answered in %s to %s; slowest call %s", len(during), tally(during),
		fastest(downloads).Round(time.Millisecond), slowest(downloads).Round(time.Millisecond), slowest(during).Round(time.Millisecond))
	for _, c := range during {
		switch {
		case c.err != nil:
			t.Errorf("%s", c)
		case c.kind == "list" && c.status != http.StatusOK:
			t.Errorf("the document list must not need the object store: %s", c)
		case c.kind == "download" && c.unavailableAsSpecified() != "":
			t.Errorf("download while the object store is down: %s: %s", c.unavailableAsSpecified(), c)
		}
		if c.took > faultAnswerBound {
			t.Errorf("answered after %s, past %s: %s", c.took.Round(time.Millisecond), faultAnswerBound, c)
		}
	}
}

// TestFaultObjectStoreThatStopsAnsweringFailsDownloadsWithinABound puts MinIO behind a
// freezer: frozen, the store accepts connections and answers nothing. A download then answers
// 503 with code 5 within s3StallBound (s3blob waits 5 s for the store's answer, three times),
// the document list, which needs no object store, still answers at once, and downloads work
// again once the store answers.
func TestFaultObjectStoreThatStopsAnsweringFailsDownloadsWithinABound(t *testing.T) {
	// s3StallBound: three attempts of 5 s each, minio-go's backoff between them, and room for
	// a loaded machine; below the fault client's 30 s timeout.
	const s3StallBound = 25 * time.Second
	dir := seededCopy(t)
	m, blobURL := dedicatedMinIO(t, dir)
	proxy := freezeProxy(t, m.Endpoint())
	blobURL = strings.Replace(blobURL, "endpoint=http://"+m.Endpoint(), "endpoint=http://"+proxy.ln.Addr().String(), 1)
	s := startOnObjectStore(t, dir, blobURL)
	fc := newFaultClient(t, s, s.demoToken(t))
	download := firstDocumentDownload(t, fc, "before the freeze")
	if c := fc.do("download", download); c.status != http.StatusOK {
		t.Fatalf("before the freeze: %s", c)
	}

	proxy.frozen.Store(true)
	stalled := fc.do("download", download)
	t.Logf("object store frozen: the download answered %d after %s", stalled.status, stalled.took.Round(time.Millisecond))
	if why := stalled.unavailableAsSpecified(); why != "" {
		t.Errorf("download from a frozen object store: %s: %s", why, stalled)
	}
	if stalled.took > s3StallBound {
		t.Errorf("the download answered after %s, past %s", stalled.took.Round(time.Millisecond), s3StallBound)
	}
	if c := fc.do("list", api.BasePath+"/documents?limit=3"); c.status != http.StatusOK || c.took > faultAnswerBound {
		t.Errorf("the document list must not wait for the object store: %s", c)
	}

	proxy.frozen.Store(false)
	thawed := time.Now()
	for {
		c := fc.do("download", download)
		if c.status == http.StatusOK {
			t.Logf("downloads work again %s after the thaw", time.Since(thawed).Round(time.Millisecond))
			break
		}
		if time.Since(thawed) > s3StallBound+faultRecoverBound {
			t.Fatalf("downloads still fail %s after the thaw: %s", time.Since(thawed).Round(time.Millisecond), c)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
