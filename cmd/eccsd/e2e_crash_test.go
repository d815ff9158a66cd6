package main

// Crash safety (doc/reliability.md): eccsd is killed with SIGKILL while it serves hundreds of concurrent
// writes, then started again on the same data; nothing it acknowledged may be lost, nothing it
// did not acknowledge may be half there, and nothing may be left behind.
//
// The scenario is here; e2e_crash_state_test.go reads and checks what the database holds,
// e2e_stores_test.go reads the document stores, and e2e_process_test.go runs the server as a
// child process, so that the SIGKILL is real.

import (
	"bytes"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, to read the PostgreSQL variant's database

	"github.com/eccs/eccs/api"
	"github.com/eccs/eccs/api/admin"
	"github.com/eccs/eccs/internal/devseed"
	"github.com/eccs/eccs/internal/docformat"
	"github.com/eccs/eccs/internal/testkit/openapitest"
	"github.com/eccs/eccs/internal/testkit/pgtest"
	"github.com/eccs/eccs/internal/testkit/s3test"
)

// The writes of the crash test, and when the server is killed.
const (
	crashWrites    = 500 // contract orders, user declarations and document uploads, in turn
	crashInFlight  = 50  // requests in flight at a time
	crashKillAfter = 150 // answers received before SIGKILL
)

// crashWrite is one write of the crash test and what became of it.
type crashWrite struct {
	i    int
	kind string // "contract", "user" or "document"
	key  string // what finds its rows: the contract's name, the user's e-mail, the document's filename
	req  *http.Request
	body []byte // the request body (for documents, the file)

	sent    bool // false: not sent, the server was dead already
	status  int  // 0: no answer
	answer  []byte
	header  http.Header
	reqID   string // X-OAPI-Request-Id of the answer
	id      string // the contract number, the login or the document id answered
	err     error
	afterAt bool // the kill came while it was in flight (it got no answer)
}

// crashBackend is where the crash test's server keeps its data, and how the test reads that
// data directly.
type crashBackend struct {
	args    []string                                   // --database-url and --blob-url; none for SQLite and files in the data directory
	openDB  func(t *testing.T) *sql.DB                 // the database, to read only
	objects func(t *testing.T) map[string]storedObject // every object of the document store by key, temporary ones included
	spool   func(t *testing.T) []string                // the upload spool's files
	dataDir string
}

func TestCrashDuringConcurrentWritesLosesNothingAcknowledged(t *testing.T) {
	// Not parallel: the PostgreSQL variant sets the S3 credentials in the environment, and
	// each variant loads the 2 cores of the development machine on its own.
	t.Run("SQLite and files", func(t *testing.T) {
		dir := seededCopy(t)
		runCrashTest(t, crashBackend{
			dataDir: dir,
			openDB:  func(t *testing.T) *sql.DB { return openSQLiteCopy(t, filepath.Join(dir, "eccs.db")) },
			objects: func(t *testing.T) map[string]storedObject { return fileObjects(t, filepath.Join(dir, "documents")) },
			spool:   func(t *testing.T) []string { return spoolLeft(t, dir) },
		})
	})
	t.Run("PostgreSQL and S3", func(t *testing.T) {
		pgtest.Require(t)
		dbURL := pgtest.URL(t)
		blobURL := s3test.URL(t) // sets the credentials in the environment, which the child inherits
		dir := filepath.Join(t.TempDir(), "data")
		runCrashTest(t, crashBackend{
			dataDir: dir,
			args:    []string{"--database-url", dbURL, "--blob-url", blobURL},
			openDB: func(t *testing.T) *sql.DB {
				db, err := sql.Open("pgx", dbURL)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { db.Close() })
				return db
			},
			objects: func(t *testing.T) map[string]storedObject { return s3Objects(t, blobURL) },
			spool:   func(t *testing.T) []string { return spoolLeft(t, dir) },
		})
	})
}

// runCrashTest fires crashWrites writes at a dev server, kills it with SIGKILL after
// crashKillAfter answers, starts it again on the same data, and checks what it kept.
func runCrashTest(t *testing.T, b crashBackend) {
	// --sweep-orphans-after 1ms: the restarted server may remove every unreferenced file at once
	// (no other server shares its document store).
	args := append([]string{"serve", "-dev", "--addr", "127.0.0.1:0", "--data-dir", b.dataDir, "--rate-limit", "0", "--sweep-orphans-after", "1ms"}, b.args...)
	p := startProcess(t, b.dataDir, args...)
	writes := newCrashWrites(t, p)
	elapsed := fireAndKill(t, p, writes)
	spec, adminSpec := openapitest.New(t), openapitest.NewAdmin(t)
	tallyCrashAnswers(t, writes, spec, adminSpec, elapsed)

	// What the crash itself left, before any restart.
	before := crashStateOf(t, b, "after the SIGKILL")
	orphans, temps := orphanObjects(before, b.objects(t))
	t.Logf("the crash left %d unreferenced document files, %d temporary files and %d spooled uploads", len(orphans), len(temps), len(b.spool(t)))

	// Start again on the same data, as an operator restarts a server (dev mode takes only an
	// empty external database): every acknowledged write is there, through the API.
	p2 := startProcess(t, b.dataDir, slices.DeleteFunc(slices.Clone(args), func(a string) bool { return a == "-dev" })...)
	swept := p2.waitForLog(t, "swept the document store", 30*time.Second)
	t.Logf("the restarted server's sweep: %v", swept)
	checkAcknowledgedThroughAPI(t, p2, adminSpec, writes)
	if err := p2.stop(); err != nil {
		t.Errorf("the restarted server's graceful stop: %v, want exit 0", err)
	}
	p2.checkLogs(t)

	// And in the data itself, read directly.
	after := crashStateOf(t, b, "after the restart")
	checkCrashState(t, after, writes)
	checkStoreAfterRestart(t, b, after)
}

// newCrashWrites prepares the crash test's writes: in turn a contract order, a user
// declaration and a document upload, each a request ready to send to p.
func newCrashWrites(t *testing.T, p *process) []*crashWrite {
	t.Helper()
	tok := p.demoToken(t)
	writes := make([]*crashWrite, crashWrites)
	for i := range writes {
		w := &crashWrite{i: i}
		target := w.prepare(t, p.url)
		req, err := http.NewRequest(http.MethodPost, target, bytes.NewReader(w.body))
		if err != nil {
			t.Fatal(err)
		}
		switch w.kind {
		case "contract":
			req.Header.Set("Authorization", "Bearer "+tok)
			req.Header.Set(api.HeaderAPIKey, devseed.AdministratorKey)
			req.Header.Set("Content-Type", "application/json")
		case "user":
			req.Header.Set("Authorization", "Bearer "+tok)
			req.Header.Set(api.HeaderAPIKey, devseed.ClientAPIKey)
			req.Header.Set("Content-Type", "application/json")
		case "document":
			req.Header.Set("Authorization", "Bearer "+devseed.OperatorToken)
			req.Header.Set("Content-Type", "text/csv")
		}
		req.Header.Set("Accept", "application/json")
		w.req = req
		writes[i] = w
	}
	return writes
}

// prepare sets the write's kind, key and body from its number, and returns the URL it is
// sent to on the server at base.
func (w *crashWrite) prepare(t *testing.T, base string) (target string) {
	t.Helper()
	i := w.i
	switch i % 3 {
	case 0:
		w.kind, w.key = "contract", fmt.Sprintf("CRASH-%03d", i)
		target = base + api.BasePath + "/contracts"
		w.body, _ = json.Marshal(api.ContractOrder{
			BillingAccountID: devseed.BillingAccountID, OfferCode: devseed.OfferCode, ContractName: w.key, SupportLevel: devseed.SupportLevel,
			// Ten referents for 167 orders: concurrent orders create and reuse the same identities.
			ReferentName: "Crash", ReferentFirstName: fmt.Sprintf("Ref%d", i%10), ReferentMail: fmt.Sprintf("crash.ref%d@acme.example", i%10),
		})
	case 1:
		w.kind, w.key = "user", fmt.Sprintf("crash.user%03d@acme.example", i)
		target = base + api.BasePath + "/contract/" + devseed.SampleContractID + "/user"
		w.body, _ = json.Marshal(api.User{LastName: "User", FirstName: fmt.Sprintf("Crash%d", i), Email: w.key, Login: fmt.Sprintf("crash.user%03d", i),
			Roles: api.Roles{Contracts: []string{api.RoleVisitor}, Documents: []string{api.RoleManager}}})
	case 2:
		w.kind, w.key = "document", fmt.Sprintf("crash-%03d.csv", i)
		target = base + admin.BasePath + "/contracts/OCB0000003/documents?type=comsumptionRatedReports&period=202401&amount=12.34&currency=EUR&filename=" + w.key
		period, _ := docformat.ParsePeriod("202401")
		st := docformat.Generate(docformat.Params{Seed: w.key, ContractID: "OCB0000003", CustomerName: "Crash SA", Period: period})
		var buf bytes.Buffer
		if err := docformat.ConsumptionCSV.Write(&buf, st, docformat.Invoice{}); err != nil {
			t.Fatal(err)
		}
		w.body = buf.Bytes()
	}
	return target
}

// fireAndKill fires the writes, crashInFlight at a time, and SIGKILLs the server after
// crashKillAfter answers; it returns how long the writes took. The answers are checked against
// the API descriptions afterwards (tallyCrashAnswers) rather than by a checking transport,
// which would count a connection cut by the kill as a failure.
func fireAndKill(t *testing.T, p *process, writes []*crashWrite) time.Duration {
	t.Helper()
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: crashInFlight}, Timeout: 60 * time.Second}
	k := &crashKiller{t: t, p: p, killed: make(chan struct{})}
	work := make(chan *crashWrite)
	var wg sync.WaitGroup
	for range crashInFlight {
		wg.Go(func() {
			for w := range work {
				k.send(hc, w)
			}
		})
	}
	start := time.Now()
	for _, w := range writes {
		work <- w
	}
	close(work)
	wg.Wait()
	k.kill() // in case fewer than crashKillAfter answers came
	if err := p.wait(stopTimeout); err == nil || !strings.Contains(err.Error(), "signal: killed") {
		t.Fatalf("the server's exit after SIGKILL: %v, want signal: killed", err)
	}
	return time.Since(start)
}

// crashKiller sends the crash test's writes and kills the server after crashKillAfter answers.
type crashKiller struct {
	t        *testing.T
	p        *process
	answers  atomic.Int32
	killed   chan struct{}
	killOnce sync.Once
}

// kill sends SIGKILL to the server, once.
func (k *crashKiller) kill() {
	k.killOnce.Do(func() {
		if err := k.p.cmd.Process.Kill(); err != nil {
			k.t.Errorf("SIGKILL: %v", err)
		}
		close(k.killed)
	})
}

func (k *crashKiller) isKilled() bool {
	select {
	case <-k.killed:
		return true
	default:
		return false
	}
}

// send sends w, unless the server is dead already, and records what came of it.
func (k *crashKiller) send(hc *http.Client, w *crashWrite) {
	if k.isKilled() {
		return
	}
	w.sent = true
	resp, err := hc.Do(w.req)
	if err == nil {
		w.answer, err = io.ReadAll(resp.Body)
		resp.Body.Close()
	}
	if err != nil {
		w.err, w.afterAt = err, k.isKilled()
		return
	}
	w.status, w.header, w.reqID = resp.StatusCode, resp.Header, resp.Header.Get(api.HeaderRequestID)
	if k.answers.Add(1) == crashKillAfter {
		k.kill()
	}
}

// tallyCrashAnswers checks what each write got and logs the counts: an answer the API
// descriptions allow, a 2xx or a 503, and no failure before the kill. Some write must have
// been in flight at the kill, or the test proves nothing.
func tallyCrashAnswers(t *testing.T, writes []*crashWrite, spec, adminSpec *openapitest.Validator, elapsed time.Duration) {
	t.Helper()
	var sent, ok2xx, refused, noAnswer int
	perKind := map[string][3]int{} // acknowledged, no answer, not sent
	for _, w := range writes {
		k := perKind[w.kind]
		switch {
		case !w.sent:
			k[2]++
		case w.status == 0:
			sent++
			noAnswer++
			k[1]++
			if !w.afterAt {
				t.Errorf("write %d (%s) failed before the kill: %v", w.i, w.kind, w.err)
			}
		default:
			sent++
			if !checkCrashAnswer(t, w, spec, adminSpec) {
				refused++
				break
			}
			ok2xx++
			k[0]++
		}
		perKind[w.kind] = k
	}
	t.Logf("%d writes in %s: %d sent, %d acknowledged (2xx), %d refused (503), %d in flight at the SIGKILL (no answer), %d not sent (server dead); per kind [acknowledged, no answer, not sent]: %v",
		crashWrites, elapsed.Round(time.Millisecond), sent, ok2xx, refused, noAnswer, crashWrites-sent, perKind)
	if noAnswer == 0 {
		t.Errorf("no write was in flight when the server was killed: the test proves nothing")
	}
}

// checkCrashAnswer checks an answered write's answer against the API descriptions, and
// reports whether it was acknowledged (2xx, then w.id is the id answered); a refusal must be
// a 503.
func checkCrashAnswer(t *testing.T, w *crashWrite, spec, adminSpec *openapitest.Validator) bool {
	t.Helper()
	v := spec
	if w.kind == "document" {
		v = adminSpec
	}
	if err := v.Validate(w.req, w.status, w.header, w.answer); err != nil {
		t.Errorf("write %d: %v", w.i, err)
	}
	if w.status/100 != 2 {
		if w.status != http.StatusServiceUnavailable {
			t.Errorf("write %d (%s) answered %d %s", w.i, w.kind, w.status, w.answer)
		}
		return false
	}
	w.id = answeredID(t, w)
	return true
}

// crashStateOf reads the database the server left (SQLite checked for integrity first).
func crashStateOf(t *testing.T, b crashBackend, when string) crashState {
	t.Helper()
	db := b.openDB(t)
	defer db.Close()
	if b.args == nil {
		checkSQLiteIntegrity(t, db, when)
	}
	return readCrashState(t, db)
}

// checkAcknowledgedThroughAPI checks, through the restarted server's admin API, that every
// acknowledged contract is there and every acknowledged document gives the bytes uploaded.
func checkAcknowledgedThroughAPI(t *testing.T, p2 *process, adminSpec *openapitest.Validator, writes []*crashWrite) {
	t.Helper()
	ac := &http.Client{Transport: adminSpec.Transport(t, nil), Timeout: 30 * time.Second}
	adminBase := p2.url + admin.BasePath
	for _, w := range writes {
		if w.status/100 != 2 {
			continue
		}
		switch w.kind {
		case "contract":
			req, _ := http.NewRequest(http.MethodGet, adminBase+"/contracts/"+w.id, nil)
			req.Header.Set("Authorization", "Bearer "+devseed.OperatorToken)
			if resp, body := doWith(t, ac, req); resp.StatusCode != http.StatusOK {
				t.Errorf("contract %s (write %d, acknowledged) after the restart: %d %s", w.id, w.i, resp.StatusCode, body)
			}
		case "document":
			req, _ := http.NewRequest(http.MethodGet, adminBase+"/contracts/OCB0000003/documents/"+w.id+"/file", nil)
			req.Header.Set("Authorization", "Bearer "+devseed.OperatorToken)
			if resp, body := doWith(t, ac, req); resp.StatusCode != http.StatusOK || !bytes.Equal(body, w.body) {
				t.Errorf("document %s (write %d, acknowledged) after the restart: %d, %d bytes, want the %d uploaded", w.id, w.i, resp.StatusCode, len(body), len(w.body))
			}
		}
	}
}

// checkStoreAfterRestart checks that the restarted server left no unreferenced or temporary
// file in the document store and nothing in the upload spool, and that every document's
// bytes are in the store as its row describes them.
func checkStoreAfterRestart(t *testing.T, b crashBackend, after crashState) {
	t.Helper()
	orphans, temps := orphanObjects(after, b.objects(t))
	if len(orphans) > 0 || len(temps) > 0 {
		t.Errorf("after the restart, the document store holds %d files no document refers to (%v) and %d temporary files (%v)", len(orphans), firstFew(orphans), len(temps), firstFew(temps))
	}
	if left := b.spool(t); len(left) > 0 {
		t.Errorf("after the restart, the upload spool holds %v", firstFew(left))
	}
	objects := b.objects(t)
	for _, d := range after.documents {
		o, ok := objects[d.blobKey]
		switch {
		case !ok:
			t.Errorf("document %s (%s) has no bytes under %s", d.id, d.filename, d.blobKey)
		case o.size != d.size || o.sha256 != d.sha256:
			t.Errorf("document %s (%s): the store holds %d bytes with sha256 %s under %s, the row says %d and %s", d.id, d.filename, o.size, o.sha256, d.blobKey, d.size, d.sha256)
		}
	}
	t.Logf("after the restart: %d documents, %d files in the document store, %d contracts, %d declarations, %d audit events", len(after.documents), len(objects), len(after.contracts), len(after.declarations), len(after.audit))
}

// answeredID returns the id a 2xx answer gives: the contract number, the login, or the
// document id, after checking the answer echoes the request.
func answeredID(t *testing.T, w *crashWrite) string {
	t.Helper()
	switch w.kind {
	case "contract":
		var c api.ContractCreated
		if err := json.Unmarshal(w.answer, &c); err != nil || c.ID == "" {
			t.Errorf("write %d: answer %s (%v)", w.i, w.answer, err)
		}
		return c.ID
	case "user":
		var u api.User
		if err := json.Unmarshal(w.answer, &u); err != nil || u.Email != w.key || u.Login == "" {
			t.Errorf("write %d: answer %s (%v)", w.i, w.answer, err)
		}
		return u.Login
	default:
		var d admin.Document
		sum := sha256.Sum256(w.body)
		if err := json.Unmarshal(w.answer, &d); err != nil || d.ID == "" || d.Filename != w.key || d.Size != int64(len(w.body)) || d.SHA256 != hex.EncodeToString(sum[:]) {
			t.Errorf("write %d: answer %s (%v), want the file's size %d and sha256 %x", w.i, w.answer, err, len(w.body), sum)
		}
		return d.ID
	}
}
