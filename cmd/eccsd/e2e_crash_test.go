package main

// Crash safety (doc/reliability.md): eccsd is killed with SIGKILL while it serves hundreds of concurrent
// writes, then started again on the same data; nothing it acknowledged may be lost, nothing it
// did not acknowledge may be half there, and nothing may be left behind.
//
// SIGKILL must hit a real process, so the server runs as a child: the test binary itself,
// started again with childArgsEnv naming eccsd's arguments, which TestMain hands to run()
// instead of running the tests. It costs no build (a `go build` of eccsd would take longer
// than the whole test under -race), and the child is built exactly like the code under test,
// race detector included.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, to read the PostgreSQL variant's database
	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
	_ "modernc.org/sqlite" // the "sqlite" driver, to read the database the server left

	"github.com/eccs/eccs/api"
	"github.com/eccs/eccs/api/admin"
	"github.com/eccs/eccs/internal/devseed"
	"github.com/eccs/eccs/internal/docformat"
	"github.com/eccs/eccs/internal/testkit/openapitest"
	"github.com/eccs/eccs/internal/testkit/pgtest"
	"github.com/eccs/eccs/internal/testkit/s3test"
	"github.com/eccs/eccs/internal/testkit/testenv"
)

// childArgsEnv, when set in the environment of the test binary, makes it run eccsd with the
// arguments it holds (a JSON array of strings) instead of the tests (TestMain).
const childArgsEnv = "ECCS_TEST_RUN_ECCSD_ARGS"

// runChild is the whole child process: eccsd with the arguments of argsJSON, its exit code as
// main computes it. The ECCS_* variables of the test's environment are not read (noEnv).
func runChild(argsJSON string) int {
	var args []string
	if err := json.Unmarshal([]byte(argsJSON), &args); err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", childArgsEnv, err)
		return 2
	}
	return exitCode(run(context.Background(), args, noEnv, os.Stdin, os.Stdout, os.Stderr))
}

// process is an eccsd running as a child process. Its server's cancel sends SIGTERM, and
// stop and wait return the process's exit status (nil for 0, an *exec.ExitError otherwise).
type process struct {
	*server
	cmd *exec.Cmd
}

// startProcess starts `eccsd <args…>` as a child process and waits for its "eccsd listening
// on" line and for /readyz to answer 200. The process is killed when the test ends, if it is
// still running.
func startProcess(t *testing.T, dataDir string, args ...string) *process {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	argsJSON, err := json.Marshal(args)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "-test.run=^$")
	cmd.Env = append(os.Environ(), childArgsEnv+"="+string(argsJSON))
	s := &server{args: args, dataDir: dataDir, stdout: &testenv.Buffer{}, stderr: &testenv.Buffer{}, done: make(chan error, 1)}
	cmd.Stdout, cmd.Stderr = s.stdout, s.stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("start eccsd %s: %v", strings.Join(args, " "), err)
	}
	s.cancel = func() { cmd.Process.Signal(syscall.SIGTERM) }
	go func() { s.done <- cmd.Wait() }()
	p := &process{server: s, cmd: cmd}
	t.Cleanup(func() {
		s.mu.Lock()
		stopped := s.stopped
		s.mu.Unlock()
		if !stopped {
			cmd.Process.Kill()
			s.wait(stopTimeout)
		}
	})

	deadline := time.Now().Add(startTimeout)
	for {
		if m := listeningLine.FindStringSubmatch(s.stdout.String()); m != nil {
			s.url = m[1]
			break
		}
		if err := s.wait(10 * time.Millisecond); !strings.HasPrefix(fmt.Sprint(err), "run did not return") {
			t.Fatalf("eccsd %s exited before listening: %v\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), err, s.stdout, tail(s.stderr.String(), 4000))
		}
		if time.Now().After(deadline) {
			t.Fatalf("eccsd %s printed no \"eccsd listening on\" line within %s\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), startTimeout, s.stdout, tail(s.stderr.String(), 4000))
		}
	}
	if err := s.awaitReady(t, deadline); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dataDir, "dev-credentials.json"))
	if err != nil {
		t.Fatalf("dev mode wrote no credentials file: %v", err)
	}
	if err := json.Unmarshal(data, &s.creds); err != nil {
		t.Fatalf("dev-credentials.json: %v", err)
	}
	return p
}

// waitForLog waits until the server's log holds a line with this msg, and returns it decoded.
func (p *process) waitForLog(t *testing.T, msg string, within time.Duration) map[string]any {
	t.Helper()
	for deadline := time.Now().Add(within); ; {
		for _, line := range strings.Split(p.stderr.String(), "\n") {
			var rec map[string]any
			if json.Unmarshal([]byte(line), &rec) == nil && rec["msg"] == msg {
				return rec
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the server logged no %q within %s; stderr:\n%s", msg, within, tail(p.stderr.String(), 4000))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

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

// storedObject is what the document store holds under a key.
type storedObject struct {
	size   int64
	sha256 string
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
	tok := p.demoToken(t)
	adminBase := p.url + admin.BasePath

	writes := make([]*crashWrite, crashWrites)
	for i := range writes {
		w := &crashWrite{i: i}
		var target string
		switch i % 3 {
		case 0:
			w.kind, w.key = "contract", fmt.Sprintf("CRASH-%03d", i)
			target = p.url + api.BasePath + "/contracts"
			w.body, _ = json.Marshal(api.ContractOrder{
				BillingAccountID: devseed.BillingAccountID, OfferCode: devseed.OfferCode, ContractName: w.key, SupportLevel: devseed.SupportLevel,
				// Ten referents for 167 orders: concurrent orders create and reuse the same identities.
				ReferentName: "Crash", ReferentFirstName: fmt.Sprintf("Ref%d", i%10), ReferentMail: fmt.Sprintf("crash.ref%d@acme.example", i%10),
			})
		case 1:
			w.kind, w.key = "user", fmt.Sprintf("crash.user%03d@acme.example", i)
			target = p.url + api.BasePath + "/contract/" + devseed.SampleContractID + "/user"
			w.body, _ = json.Marshal(api.User{LastName: "User", FirstName: fmt.Sprintf("Crash%d", i), Email: w.key, Login: fmt.Sprintf("crash.user%03d", i),
				Roles: api.Roles{Contracts: []string{api.RoleVisitor}, Documents: []string{api.RoleManager}}})
		case 2:
			w.kind, w.key = "document", fmt.Sprintf("crash-%03d.csv", i)
			target = adminBase + "/contracts/OCB0000003/documents?type=comsumptionRatedReports&period=202401&amount=12.34&currency=EUR&filename=" + w.key
			period, _ := docformat.ParsePeriod("202401")
			st := docformat.Generate(docformat.Params{Seed: w.key, ContractID: "OCB0000003", CustomerName: "Crash SA", Period: period})
			var buf bytes.Buffer
			if err := docformat.ConsumptionCSV.Write(&buf, st, docformat.Invoice{}); err != nil {
				t.Fatal(err)
			}
			w.body = buf.Bytes()
		}
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

	// Fire them, crashInFlight at a time, and SIGKILL the server after crashKillAfter answers.
	// The answers are checked against the API descriptions here rather than by a checking
	// transport, which would count a connection cut by the kill as a failure.
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: crashInFlight}, Timeout: 60 * time.Second}
	var answers atomic.Int32
	killed := make(chan struct{})
	var killOnce sync.Once
	kill := func() {
		killOnce.Do(func() {
			if err := p.cmd.Process.Kill(); err != nil {
				t.Errorf("SIGKILL: %v", err)
			}
			close(killed)
		})
	}
	isKilled := func() bool {
		select {
		case <-killed:
			return true
		default:
			return false
		}
	}
	work := make(chan *crashWrite)
	var wg sync.WaitGroup
	for range crashInFlight {
		wg.Go(func() {
			for w := range work {
				if isKilled() {
					continue
				}
				w.sent = true
				resp, err := hc.Do(w.req)
				if err == nil {
					w.answer, err = io.ReadAll(resp.Body)
					resp.Body.Close()
				}
				if err != nil {
					w.err, w.afterAt = err, isKilled()
					continue
				}
				w.status, w.header, w.reqID = resp.StatusCode, resp.Header, resp.Header.Get(api.HeaderRequestID)
				if answers.Add(1) == crashKillAfter {
					kill()
				}
			}
		})
	}
	start := time.Now()
	for _, w := range writes {
		work <- w
	}
	close(work)
	wg.Wait()
	kill() // in case fewer than crashKillAfter answers came
	if err := p.wait(stopTimeout); err == nil || !strings.Contains(err.Error(), "signal: killed") {
		t.Fatalf("the server's exit after SIGKILL: %v, want signal: killed", err)
	}
	elapsed := time.Since(start)

	// What each write got.
	spec, adminSpec := openapitest.New(t), openapitest.NewAdmin(t)
	var sent, ok2xx, refused, noAnswer, unexpected int
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
			v := spec
			if w.kind == "document" {
				v = adminSpec
			}
			if err := v.Validate(w.req, w.status, w.header, w.answer); err != nil {
				t.Errorf("write %d: %v", w.i, err)
			}
			if w.status/100 != 2 {
				refused++
				if w.status != http.StatusServiceUnavailable {
					unexpected++
					t.Errorf("write %d (%s) answered %d %s", w.i, w.kind, w.status, w.answer)
				}
				break
			}
			ok2xx++
			k[0]++
			w.id = answeredID(t, w)
		}
		perKind[w.kind] = k
	}
	t.Logf("%d writes in %s: %d sent, %d acknowledged (2xx), %d refused (503), %d in flight at the SIGKILL (no answer), %d not sent (server dead); per kind [acknowledged, no answer, not sent]: %v",
		crashWrites, elapsed.Round(time.Millisecond), sent, ok2xx, refused, noAnswer, crashWrites-sent, perKind)
	if noAnswer == 0 {
		t.Errorf("no write was in flight when the server was killed: the test proves nothing")
	}

	// What the crash itself left, before any restart.
	db := b.openDB(t)
	if b.args == nil {
		checkSQLiteIntegrity(t, db, "after the SIGKILL")
	}
	before := readCrashState(t, db)
	db.Close()
	orphans, temps := orphanObjects(before, b.objects(t))
	t.Logf("the crash left %d unreferenced document files, %d temporary files and %d spooled uploads", len(orphans), len(temps), len(b.spool(t)))

	// Start again on the same data, as an operator restarts a server (dev mode takes only an
	// empty external database): every acknowledged write is there, through the API.
	p2 := startProcess(t, b.dataDir, slices.DeleteFunc(slices.Clone(args), func(a string) bool { return a == "-dev" })...)
	swept := p2.waitForLog(t, "swept the document store", 30*time.Second)
	t.Logf("the restarted server's sweep: %v", swept)
	ac := &http.Client{Transport: adminSpec.Transport(t, nil), Timeout: 30 * time.Second}
	adminBase = p2.url + admin.BasePath
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
	if err := p2.stop(); err != nil {
		t.Errorf("the restarted server's graceful stop: %v, want exit 0", err)
	}
	p2.checkLogs(t)

	// And in the data itself, read directly.
	db = b.openDB(t)
	if b.args == nil {
		checkSQLiteIntegrity(t, db, "after the restart")
	}
	after := readCrashState(t, db)
	checkCrashState(t, after, writes)
	orphans, temps = orphanObjects(after, b.objects(t))
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

// doWith sends req with c and reads the whole answer.
func doWith(t *testing.T, c *http.Client, req *http.Request) (*http.Response, []byte) {
	t.Helper()
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	return resp, body
}

// crashState is what the database holds, as far as the crash test is concerned.
type crashState struct {
	contracts    map[string]crashContract // by id
	identities   map[string]crashIdentity // by id
	declarations map[[2]string][3]int     // (contract, identity) → roles on contracts, documents, users
	documents    map[string]crashDocument // by id
	audit        []crashEvent
	counts       map[[2]string]int64 // contract_counts: (billing account, offer) → n
	counter      int64               // the contract counter
}

type crashContract struct{ id, name, billingAccount, offer, referent string }
type crashIdentity struct{ id, email, login string } // login: the sample contract's customer's record
type crashDocument struct {
	id, contract, filename, sha256, blobKey string
	size                                    int64
}
type crashEvent struct {
	action, objectID, requestID string
	details                     map[string]string
}

// readCrashState reads every table the checks need, in the SQL SQLite and PostgreSQL share.
func readCrashState(t *testing.T, db *sql.DB) crashState {
	t.Helper()
	st := crashState{contracts: map[string]crashContract{}, identities: map[string]crashIdentity{}, declarations: map[[2]string][3]int{},
		documents: map[string]crashDocument{}, counts: map[[2]string]int64{}}
	query := func(q string, scan func(rows *sql.Rows) error) {
		t.Helper()
		rows, err := db.Query(q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		defer rows.Close()
		for rows.Next() {
			if err := scan(rows); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	query(`SELECT id, name, billing_account_id, offer_id, referent_id FROM contracts`, func(r *sql.Rows) error {
		var c crashContract
		err := r.Scan(&c.id, &c.name, &c.billingAccount, &c.offer, &c.referent)
		st.contracts[c.id] = c
		return err
	})
	// A person's login on the sample contract is its customer's record of them.
	query(`SELECT i.id, i.email, COALESCE(ct.login, i.login) FROM identities i
		LEFT JOIN contacts ct ON ct.identity_id = i.id AND ct.customer_id = (SELECT b.customer_id FROM contracts c
			JOIN billing_accounts b ON b.id = c.billing_account_id WHERE c.id = '`+devseed.SampleContractID+`')`, func(r *sql.Rows) error {
		var i crashIdentity
		err := r.Scan(&i.id, &i.email, &i.login)
		st.identities[i.id] = i
		return err
	})
	query(`SELECT contract_id, identity_id, role_contracts, role_documents, role_users FROM declarations`, func(r *sql.Rows) error {
		var k [2]string
		var roles [3]int
		err := r.Scan(&k[0], &k[1], &roles[0], &roles[1], &roles[2])
		st.declarations[k] = roles
		return err
	})
	query(`SELECT id, contract_id, filename, size, sha256, blob_key FROM documents`, func(r *sql.Rows) error {
		var d crashDocument
		err := r.Scan(&d.id, &d.contract, &d.filename, &d.size, &d.sha256, &d.blobKey)
		st.documents[d.id] = d
		return err
	})
	query(`SELECT action, object_id, request_id, details FROM audit_events`, func(r *sql.Rows) error {
		var e crashEvent
		var details string
		if err := r.Scan(&e.action, &e.objectID, &e.requestID, &details); err != nil {
			return err
		}
		if err := json.Unmarshal([]byte(details), &e.details); err != nil {
			return err
		}
		st.audit = append(st.audit, e)
		return nil
	})
	query(`SELECT billing_account_id, offer_id, n FROM contract_counts`, func(r *sql.Rows) error {
		var k [2]string
		var n int64
		err := r.Scan(&k[0], &k[1], &n)
		st.counts[k] = n
		return err
	})
	query(`SELECT value FROM counters WHERE name = 'contract'`, func(r *sql.Rows) error { return r.Scan(&st.counter) })
	return st
}

// checkCrashState checks the invariants of the data after the crash and the restart:
// acknowledged writes are there whole, with the ids answered; unanswered ones are whole or
// absent; refused ones are absent; every change has its audit event.
func checkCrashState(t *testing.T, st crashState, writes []*crashWrite) {
	t.Helper()
	// Audit events by what they record.
	events := map[string][]crashEvent{} // "action object" → events
	for _, e := range st.audit {
		var k string
		switch e.action {
		case "contract.order":
			k = e.objectID
		case "user.declare":
			k = e.objectID + " " + e.details["identity"]
		case "document.add":
			k = e.details["document"]
		default:
			continue
		}
		events[e.action+" "+k] = append(events[e.action+" "+k], e)
	}
	oneEvent := func(w *crashWrite, key string) {
		t.Helper()
		list := events[key]
		if len(list) != 1 {
			t.Errorf("write %d (%s %s): %d audit events %q, want 1", w.i, w.kind, w.key, len(list), key)
			return
		}
		if w.status/100 == 2 && list[0].requestID != w.reqID {
			t.Errorf("write %d (%s %s): its audit event has request id %q, the answer %q", w.i, w.kind, w.key, list[0].requestID, w.reqID)
		}
	}
	byName := map[string][]crashContract{}
	for _, c := range st.contracts {
		byName[c.name] = append(byName[c.name], c)
	}
	byEmail := map[string]crashIdentity{}
	for _, i := range st.identities {
		byEmail[strings.ToLower(i.email)] = i
	}
	byFilename := map[string][]crashDocument{}
	for _, d := range st.documents {
		byFilename[d.filename] = append(byFilename[d.filename], d)
	}
	ids := map[string]int{} // answered ids: unique
	found := map[string]int{}
	for _, w := range writes {
		if w.status/100 == 2 {
			if prev, dup := ids[w.kind+" "+w.id]; dup {
				t.Errorf("writes %d and %d were both answered %s %s", prev, w.i, w.kind, w.id)
			}
			ids[w.kind+" "+w.id] = w.i
		}
		var n int // how many times the write is there
		switch w.kind {
		case "contract":
			list := byName[w.key]
			n = len(list)
			for _, c := range list {
				ref := st.identities[c.referent]
				var order api.ContractOrder
				json.Unmarshal(w.body, &order)
				if !strings.EqualFold(ref.email, order.ReferentMail) {
					t.Errorf("contract %s (write %d): referent %q, want %s", c.id, w.i, ref.email, order.ReferentMail)
				}
				if roles, ok := st.declarations[[2]string{c.id, c.referent}]; !ok || roles != [3]int{2, 2, 2} {
					t.Errorf("contract %s (write %d): its referent's declaration is %v (present: %v), want manager everywhere", c.id, w.i, roles, ok)
				}
				if num, err := strconv.ParseInt(strings.TrimPrefix(c.id, "OCB"), 10, 64); err != nil || num > st.counter {
					t.Errorf("contract %s (write %d): its number is above the contract counter %d", c.id, w.i, st.counter)
				}
				oneEvent(w, "contract.order "+c.id)
				if w.status/100 == 2 && c.id != w.id {
					t.Errorf("write %d was answered contract %s, but its contract is %s", w.i, w.id, c.id)
				}
			}
		case "user":
			id, ok := byEmail[w.key]
			if ok {
				roles, declared := st.declarations[[2]string{devseed.SampleContractID, id.id}]
				switch {
				case !declared:
					t.Errorf("write %d: identity %s (%s) exists without its declaration: half there", w.i, id.id, w.key)
				case roles != [3]int{1, 2, 0}:
					t.Errorf("write %d: declared with roles %v, want [1 2 0] (visitor, manager, none)", w.i, roles)
				default:
					n = 1
					oneEvent(w, "user.declare "+devseed.SampleContractID+" "+id.id)
				}
				if w.status/100 == 2 && id.login != w.id {
					t.Errorf("write %d was answered login %s, the identity has %s", w.i, w.id, id.login)
				}
			}
		case "document":
			list := byFilename[w.key]
			n = len(list)
			sum := sha256.Sum256(w.body)
			for _, d := range list {
				if d.contract != "OCB0000003" || d.size != int64(len(w.body)) || d.sha256 != hex.EncodeToString(sum[:]) {
					t.Errorf("document %s (write %d): contract %s, %d bytes, sha256 %s; want OCB0000003, the %d bytes sent, %x", d.id, w.i, d.contract, d.size, d.sha256, len(w.body), sum)
				}
				oneEvent(w, "document.add "+d.id)
				if w.status/100 == 2 && d.id != w.id {
					t.Errorf("write %d was answered document %s, but its document is %s", w.i, w.id, d.id)
				}
			}
		}
		switch {
		case n > 1:
			t.Errorf("write %d (%s %s) is there %d times", w.i, w.kind, w.key, n)
		case w.status/100 == 2 && n != 1:
			t.Errorf("write %d (%s %s) was acknowledged (%d, %s) but is not there", w.i, w.kind, w.key, w.status, w.id)
		case (w.status != 0 && w.status/100 != 2 || !w.sent) && n != 0:
			t.Errorf("write %d (%s %s) was refused (%d) or never sent, but is there", w.i, w.kind, w.key, w.status)
		}
		if n == 1 {
			found[w.kind]++
		}
	}
	// Identities the test created are all in use (none left by a transaction cut short).
	for _, i := range st.identities {
		if !strings.HasPrefix(i.email, "crash.") {
			continue
		}
		used := false
		for k := range st.declarations {
			used = used || k[1] == i.id
		}
		if !used {
			t.Errorf("identity %s (%s) is declared nowhere: half a write", i.id, i.email)
		}
	}
	// contract_counts agrees with the contracts.
	counted := map[[2]string]int64{}
	for _, c := range st.contracts {
		counted[[2]string{c.billingAccount, c.offer}]++
	}
	for k, n := range counted {
		if st.counts[k] != n {
			t.Errorf("contract_counts says %d contracts for %v, there are %d", st.counts[k], k, n)
		}
	}
	for k, n := range st.counts {
		if counted[k] != n {
			t.Errorf("contract_counts says %d contracts for %v, there are %d", n, k, counted[k])
		}
	}
	t.Logf("in the database after the restart: %v of the writes (acknowledged, and unanswered ones that committed)", found)
}

// orphanObjects returns the keys of the store's objects no document refers to, and those of
// temporary files (names no key can have, such as fileblob's "~tmp-…").
func orphanObjects(st crashState, objects map[string]storedObject) (orphans, temps []string) {
	referenced := map[string]bool{}
	for _, d := range st.documents {
		referenced[d.blobKey] = true
	}
	for key := range objects {
		switch {
		case strings.Contains(key, "~"):
			temps = append(temps, key)
		case !referenced[key]:
			orphans = append(orphans, key)
		}
	}
	slices.Sort(orphans)
	slices.Sort(temps)
	return orphans, temps
}

func firstFew(list []string) []string {
	if len(list) > 5 {
		return append(list[:5:5], "…")
	}
	return list
}

// openSQLiteCopy opens a copy of the SQLite database at path (with its -wal and -shm files as
// the server left them), so that whatever SQLite does on opening (recovering the WAL of a
// killed writer) leaves the server's files alone. The copy is opened query-only.
func openSQLiteCopy(t *testing.T, path string) *sql.DB {
	t.Helper()
	dir := t.TempDir()
	for _, suffix := range []string{"", "-wal", "-shm"} {
		data, err := os.ReadFile(path + suffix)
		if errors.Is(err, fs.ErrNotExist) && suffix != "" {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "eccs.db"+suffix), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "eccs.db")+"?_pragma=query_only(1)")
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	return db
}

// checkSQLiteIntegrity runs PRAGMA integrity_check and foreign_key_check.
func checkSQLiteIntegrity(t *testing.T, db *sql.DB, when string) {
	t.Helper()
	var result string
	if err := db.QueryRow(`PRAGMA integrity_check`).Scan(&result); err != nil || result != "ok" {
		t.Errorf("PRAGMA integrity_check %s: %q (%v), want ok", when, result, err)
	}
	rows, err := db.Query(`PRAGMA foreign_key_check`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var table, parent string
		var rowid sql.NullInt64
		var fkid int64
		rows.Scan(&table, &rowid, &parent, &fkid)
		t.Errorf("PRAGMA foreign_key_check %s: row %d of %s refers to a missing row of %s", when, rowid.Int64, table, parent)
	}
}

// fileObjects lists every file under root (a file:// document store), temporary ones
// included, by their key: the path under root with '/'.
func fileObjects(t *testing.T, root string) map[string]storedObject {
	t.Helper()
	objects := map[string]storedObject{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		sum := sha256.Sum256(data)
		objects[filepath.ToSlash(rel)] = storedObject{int64(len(data)), hex.EncodeToString(sum[:])}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return objects
}

// s3Objects lists every object of the bucket an s3test URL names, read whole.
func s3Objects(t *testing.T, blobURL string) map[string]storedObject {
	t.Helper()
	u, err := url.Parse(blobURL)
	if err != nil {
		t.Fatal(err)
	}
	bucket := u.Host
	c, err := minio.New(s3test.Endpoint(t), &minio.Options{Creds: credentials.NewStaticV4(s3test.AccessKey, s3test.SecretKey, ""), BucketLookup: minio.BucketLookupPath})
	if err != nil {
		t.Fatal(err)
	}
	objects := map[string]storedObject{}
	for info := range c.ListObjects(t.Context(), bucket, minio.ListObjectsOptions{Recursive: true}) {
		if info.Err != nil {
			t.Fatalf("list bucket %s: %v", bucket, info.Err)
		}
		obj, err := c.GetObject(t.Context(), bucket, info.Key, minio.GetObjectOptions{})
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(obj)
		obj.Close()
		if err != nil {
			t.Fatalf("read %s: %v", info.Key, err)
		}
		sum := sha256.Sum256(data)
		objects[info.Key] = storedObject{int64(len(data)), hex.EncodeToString(sum[:])}
	}
	return objects
}

// dialRefused reports whether a TCP connection to hostport is refused.
func dialRefused(hostport string) bool {
	conn, err := net.DialTimeout("tcp", hostport, time.Second)
	if err != nil {
		return true
	}
	conn.Close()
	return false
}
