package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/eccs/eccs/api"
	"github.com/eccs/eccs/api/admin"
	"github.com/eccs/eccs/internal/devseed"
	"github.com/eccs/eccs/internal/docformat"
	"github.com/eccs/eccs/internal/testkit/openapitest"
)

// slowTransport hands out bodies that a slow client reads: chunk bytes at a time, pausing
// between reads. started is closed when the first bytes arrive.
type slowTransport struct {
	next    http.RoundTripper
	chunk   int
	pause   time.Duration
	started chan struct{}
	once    sync.Once
}

func (st *slowTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := st.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	resp.Body = &slowBody{ReadCloser: resp.Body, st: st}
	return resp, nil
}

type slowBody struct {
	io.ReadCloser
	st    *slowTransport
	reads int
}

func (b *slowBody) Read(p []byte) (int, error) {
	if b.reads > 0 {
		time.Sleep(b.st.pause)
	}
	b.reads++
	if len(p) > b.st.chunk {
		p = p[:b.st.chunk]
	}
	n, err := b.ReadCloser.Read(p)
	if n > 0 {
		b.st.once.Do(func() { close(b.st.started) })
	}
	return n, err
}

// TestGracefulShutdownLetsAnInFlightDownloadFinish shuts the server down (what SIGTERM does)
// while a slow client downloads the largest file the client account may: the listener closes
// at once, the download completes byte for byte, run returns nil, and the log tells the story
// in order.
func TestGracefulShutdownLetsAnInFlightDownloadFinish(t *testing.T) {
	t.Parallel()
	// --rate-limit 0: finding the largest file takes a burst of HEAD requests.
	s := startSeededDev(t, "--rate-limit", "0")
	tok := s.demoToken(t)
	biggest, contract, size := largestClientDocument(t, s, tok)
	t.Logf("downloading %s of %s (%d bytes) while the server shuts down", biggest.Filename, contract, size)

	d := &download{slow: newSlowTransport(4<<10, 15*time.Millisecond)}
	done := make(chan *download, 1)
	startDownload(s.url, &http.Client{Transport: openapitest.New(t).Transport(t, d.slow)}, tok, contract, biggest.ID, d, done) // openapitest reads the whole body, slowly
	select {
	case <-d.slow.started:
	case <-time.After(30 * time.Second):
		t.Fatal("the download did not start")
	}
	s.cancel() // what SIGTERM does: shut down while the body is being read

	// The listener closes at once: new connections are refused while the download drains.
	refusedAt := awaitRefused(s.hostport)
	select {
	case <-done:
	case <-time.After(60 * time.Second):
		t.Fatal("the download did not finish")
	}
	if d.err != nil {
		t.Fatalf("the download failed during the shutdown: %v", d.err)
	}
	checkDownloadedWhole(t, d, biggest, size)
	// Where the client cannot shrink its TCP window (smallReceiveBuffer), the kernel may take
	// the whole file before the shutdown begins: only report what proves the download was in
	// flight.
	inFlight := t.Errorf
	if !canHoldDownloads {
		inFlight = t.Logf
	}
	if refusedAt.IsZero() {
		t.Errorf("new connections were still accepted 10 s after the shutdown began")
	} else if !refusedAt.Before(d.doneAt) {
		inFlight("the listener closed only after the download finished: the download was not in flight during the shutdown")
	}

	if err := s.wait(30 * time.Second); err != nil {
		t.Fatalf("run returned %v after a graceful shutdown, want nil", err)
	}
	checkShutdownLogOrder(t, s, d.resp.Header.Get(api.HeaderRequestID), size, inFlight)
}

// largestClientDocument returns the largest file the client account may download (by the
// Content-Length of HEAD), with its contract and size.
func largestClientDocument(t *testing.T, s *server, tok string) (biggest api.Document, contract string, size int) {
	t.Helper()
	c := s.creds
	for _, ct := range c.Contracts.Client {
		var docs []api.Document
		s.mustJSON(t, call{path: "/cloud/b2b/v1/documents?limit=1000", token: tok, key: c.APIKeys.Client, contract: ct}, http.StatusOK, &docs)
		for _, d := range docs {
			req, _ := http.NewRequest(http.MethodHead, s.url+"/cloud/b2b/v1/documents/"+d.ID+"/file", nil)
			req.Header.Set("Authorization", "Bearer "+tok)
			req.Header.Set(api.HeaderAPIKey, c.APIKeys.Client)
			req.Header.Set(api.HeaderContractID, ct)
			resp, _ := send(t, req)
			n, err := strconv.Atoi(resp.Header.Get("Content-Length"))
			if resp.StatusCode != http.StatusOK || err != nil {
				t.Fatalf("HEAD %s: %d, Content-Length %q", d.ID, resp.StatusCode, resp.Header.Get("Content-Length"))
			}
			if n > size {
				size, biggest, contract = n, d, ct
			}
		}
	}
	return biggest, contract, size
}

// checkDownloadedWhole checks that the download during the shutdown got 200, every byte (its
// SHA-256 is the ETag), and a valid file of its type.
func checkDownloadedWhole(t *testing.T, d *download, doc api.Document, size int) {
	t.Helper()
	sum := sha256.Sum256(d.body)
	if d.resp.StatusCode != http.StatusOK || len(d.body) != size || d.resp.Header.Get("ETag") != `"`+hex.EncodeToString(sum[:])+`"` {
		t.Errorf("download during shutdown: %d, %d of %d bytes, ETag %s vs sha256 %x", d.resp.StatusCode, len(d.body), size, d.resp.Header.Get("ETag"), sum)
	}
	kind, _ := docformat.KindOf(doc.DocumentType)
	if err := kind.CheckBytes(d.body); err != nil {
		t.Errorf("the file downloaded during the shutdown is not a valid %v: %v", kind, err)
	}
}

// checkShutdownLogOrder checks that the log tells the story in order: shutting down, the
// download's request line (request id, 200, size bytes), stopped. inFlight reports what only
// a download held in flight proves.
func checkShutdownLogOrder(t *testing.T, s *server, id string, size int, inFlight func(string, ...any)) {
	t.Helper()
	order := map[string]int{}
	for _, rec := range logRecords(s.stderr.String()) {
		switch {
		case rec.Msg == "shutting down", rec.Msg == "stopped":
			order[rec.Msg] = rec.line
		case rec.RequestID == id && id != "":
			order["download"] = rec.line
			if rec.Status != http.StatusOK || rec.Bytes != size {
				t.Errorf("the download's log line says status %d, %d bytes; want 200, %d", rec.Status, rec.Bytes, size)
			}
		}
	}
	if !(order["shutting down"] > 0 && order["shutting down"] < order["download"] && order["download"] < order["stopped"]) {
		inFlight("log order (line numbers) %v; want shutting down < the download's line < stopped", order)
	}
}

// bigConsumptionCSV returns a valid consumption CSV of at least size bytes: the data lines of
// a generated report, repeated.
func bigConsumptionCSV(t *testing.T, contractID string, size int) []byte {
	t.Helper()
	period, _ := docformat.ParsePeriod("202402")
	st := docformat.Generate(docformat.Params{Seed: "shutdown", ContractID: contractID, CustomerName: "Drain SA", Period: period})
	var buf bytes.Buffer
	if err := docformat.ConsumptionCSV.Write(&buf, st, docformat.Invoice{}); err != nil {
		t.Fatal(err)
	}
	header, lines, _ := bytes.Cut(buf.Bytes(), []byte("\n"))
	file := append(append([]byte(nil), header...), '\n')
	for len(file) < size {
		file = append(file, lines...)
	}
	if err := docformat.CheckConsumptionCSV(bytes.NewReader(file)); err != nil {
		t.Fatalf("the large file is not a valid consumption CSV: %v", err)
	}
	return file
}

// uploadBig uploads file through the admin API as a consumption report of contractID and
// returns its id.
func uploadBig(t *testing.T, p *process, contractID string, file []byte) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, p.url+admin.BasePath+"/contracts/"+contractID+
		"/documents?type=comsumptionRatedReports&period=202402&amount=1.00&currency=EUR&filename=drain-202402.csv", bytes.NewReader(file))
	req.Header.Set("Authorization", "Bearer "+devseed.OperatorToken)
	req.Header.Set("Content-Type", "text/csv")
	resp, body := doWith(t, &http.Client{Transport: openapitest.NewAdmin(t).Transport(t, nil), Timeout: 60 * time.Second}, req)
	var d admin.Document
	if resp.StatusCode != http.StatusCreated || json.Unmarshal(body, &d) != nil || d.Size != int64(len(file)) {
		t.Fatalf("upload %d bytes: %d %s", len(file), resp.StatusCode, body)
	}
	return d.ID
}

// download is one slow download of the shutdown tests.
type download struct {
	slow   *slowTransport
	resp   *http.Response
	body   []byte
	err    error
	doneAt time.Time
}

// startDownload starts a slow download of document id of contractID from the server at
// baseURL (smallReceiveBuffer and slowTransport hold it back) through c, a client built on
// d.slow.
func startDownload(baseURL string, c *http.Client, token, contractID, id string, d *download, done chan<- *download) {
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, baseURL+"/cloud/b2b/v1/documents/"+id+"/file", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set(api.HeaderAPIKey, devseed.ClientAPIKey)
	req.Header.Set(api.HeaderContractID, contractID)
	req.Header.Set("Accept", "application/json")
	go func() {
		d.resp, d.err = c.Do(req)
		if d.err == nil {
			d.body, d.err = io.ReadAll(d.resp.Body)
			d.resp.Body.Close()
		}
		d.doneAt = time.Now()
		done <- d
	}()
}

func newSlowTransport(chunk int, pause time.Duration) *slowTransport {
	return &slowTransport{
		next: &http.Transport{
			DialContext:       (&net.Dialer{Timeout: 5 * time.Second, Control: smallReceiveBuffer}).DialContext,
			DisableKeepAlives: true,
		},
		chunk: chunk, pause: pause, started: make(chan struct{}),
	}
}

// The downloads of TestSIGTERMLetsTwentyLargeDownloadsFinishAndExitsZero. Held back by
// smallReceiveBuffer, a download of 3 MiB takes 7 to 20 s on the loaded development machine,
// under the race detector: the grace leaves room for the slowest.
const (
	drainDownloads = 20
	drainFileSize  = 3 << 20
	drainGrace     = 60 * time.Second
)

// TestSIGTERMLetsTwentyLargeDownloadsFinishAndExitsZero sends a real SIGTERM to a server
// process (startProcess) while 20 clients slowly download a 3 MiB document: every download
// completes byte for byte, new connections are refused as soon as the drain begins, and the
// process exits with status 0 within --shutdown-grace.
func TestSIGTERMLetsTwentyLargeDownloadsFinishAndExitsZero(t *testing.T) {
	t.Parallel()
	dir := seededCopy(t)
	p := startProcess(t, dir, "serve", "-dev", "--addr", "127.0.0.1:0", "--data-dir", dir, "--rate-limit", "0", "--shutdown-grace", drainGrace.String())
	contract := devseed.SampleContractID
	file := bigConsumptionCSV(t, contract, drainFileSize)
	id := uploadBig(t, p, contract, file)
	downloads, done := startDrainDownloads(t, p, p.demoToken(t), contract, id)
	sigterm := time.Now()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}

	// The listener closes at once: new connections are refused while the downloads drain.
	refusedAt := awaitRefused(p.hostport)
	if _, err := (&http.Client{Timeout: 5 * time.Second}).Get(p.url + "/healthz"); refusedAt.IsZero() || err == nil {
		t.Errorf("new connections were still accepted during the drain (GET /healthz: %v)", err)
	}
	firstDone, lastDone := awaitDrainDownloads(t, done)
	err := p.wait(drainGrace + 10*time.Second)
	exited := time.Since(sigterm)
	if err != nil {
		t.Errorf("the process's exit after SIGTERM: %v, want status 0", err)
	}
	if exited > drainGrace {
		t.Errorf("the process exited %s after SIGTERM, past --shutdown-grace %s", exited.Round(time.Millisecond), drainGrace)
	}
	complete := checkDrainedDownloads(t, downloads, file)
	// Where the client cannot shrink its TCP window (smallReceiveBuffer), the kernel may take
	// whole files before the shutdown begins: only report what proves the downloads were in
	// flight.
	inFlight := t.Errorf
	if !canHoldDownloads {
		inFlight = t.Logf
	}
	if !refusedAt.IsZero() && !refusedAt.Before(firstDone) {
		inFlight("new connections were refused only after the first download finished: the downloads were not in flight during the drain")
	}
	t.Logf("%d downloads of %d bytes complete and identical; SIGTERM → connections refused %s, first download done %s, last %s, process exited (status 0: %v) %s (grace %s)",
		complete, len(file), refusedAt.Sub(sigterm).Round(time.Millisecond), firstDone.Sub(sigterm).Round(time.Millisecond),
		lastDone.Sub(sigterm).Round(time.Millisecond), err == nil, exited.Round(time.Millisecond), drainGrace)
	checkDrainLog(t, p, id, len(file), inFlight)
	p.checkLogs(t)
}

// startDrainDownloads starts drainDownloads slow downloads of document id, and returns once
// each has received its first bytes; done receives each when it ends.
func startDrainDownloads(t *testing.T, p *process, tok, contract, id string) ([]*download, chan *download) {
	t.Helper()
	done := make(chan *download, drainDownloads)
	downloads := make([]*download, drainDownloads)
	for i := range downloads {
		d := &download{slow: newSlowTransport(16<<10, 2*time.Millisecond)}
		downloads[i] = d
		startDownload(p.url, &http.Client{Transport: openapitest.New(t).Transport(t, d.slow)}, tok, contract, id, d, done)
	}
	for i, d := range downloads {
		select {
		case <-d.slow.started:
		case <-time.After(30 * time.Second):
			t.Fatalf("download %d did not start", i)
		}
	}
	return downloads, done
}

// awaitDrainDownloads waits for the drainDownloads downloads to end, and returns when the
// first and the last did.
func awaitDrainDownloads(t *testing.T, done <-chan *download) (firstDone, lastDone time.Time) {
	t.Helper()
	for range drainDownloads {
		select {
		case d := <-done:
			if firstDone.IsZero() || d.doneAt.Before(firstDone) {
				firstDone = d.doneAt
			}
			if d.doneAt.After(lastDone) {
				lastDone = d.doneAt
			}
		case <-time.After(drainGrace + 10*time.Second):
			t.Fatal("the downloads did not finish")
		}
	}
	return firstDone, lastDone
}

// checkDrainedDownloads checks that every download got 200 and the uploaded bytes, their
// SHA-256 as the ETag, and returns how many did.
func checkDrainedDownloads(t *testing.T, downloads []*download, file []byte) (complete int) {
	t.Helper()
	sum := sha256.Sum256(file)
	etag := `"` + hex.EncodeToString(sum[:]) + `"`
	for i, d := range downloads {
		switch {
		case d.err != nil:
			t.Errorf("download %d failed during the shutdown: %v", i, d.err)
		case d.resp.StatusCode != http.StatusOK || d.resp.Header.Get("ETag") != etag || !bytes.Equal(d.body, file):
			got := sha256.Sum256(d.body)
			t.Errorf("download %d: %d, %d of %d bytes, sha256 %x, ETag %s; want 200 and the uploaded bytes (ETag %s)", i, d.resp.StatusCode, len(d.body), len(file), got, d.resp.Header.Get("ETag"), etag)
		default:
			complete++
		}
	}
	return complete
}

// checkDrainLog checks that every download has its request line, 200 and every byte,
// between "shutting down" and "stopped". inFlight reports what only downloads held in flight
// prove.
func checkDrainLog(t *testing.T, p *process, id string, size int, inFlight func(string, ...any)) {
	t.Helper()
	lines := map[string]int{}
	served := 0
	for _, rec := range logRecords(p.stderr.String()) {
		switch {
		case rec.Msg == "shutting down", rec.Msg == "stopped":
			lines[rec.Msg] = rec.line
		case rec.Msg == "request" && strings.HasSuffix(rec.Path, "/"+id+"/file"):
			if rec.Status == http.StatusOK && rec.Bytes == size && rec.line > lines["shutting down"] && lines["shutting down"] > 0 {
				served++
			}
		}
	}
	if served != drainDownloads || lines["stopped"] == 0 {
		inFlight("the log has %d download lines (200, every byte) after \"shutting down\", want %d; \"stopped\" on line %d", served, drainDownloads, lines["stopped"])
	}
}

// TestSIGTERMCutsADownloadPastTheGraceAndExitsPromptly: a download that cannot finish within
// --shutdown-grace (its client reads a few KiB a second) is cut when the grace ends, and the
// process exits then, with status 1 and the reason on stderr, instead of waiting for it.
func TestSIGTERMCutsADownloadPastTheGraceAndExitsPromptly(t *testing.T) {
	t.Parallel()
	const grace = 2 * time.Second
	dir := seededCopy(t)
	p := startProcess(t, dir, "serve", "-dev", "--addr", "127.0.0.1:0", "--data-dir", dir, "--rate-limit", "0", "--shutdown-grace", grace.String())
	contract := devseed.SampleContractID
	file := bigConsumptionCSV(t, contract, drainFileSize)
	id := uploadBig(t, p, contract, file)
	tok := p.demoToken(t)

	// 4 KiB every 100 ms: 3 MiB would take 75 s. Not the checking client: its transport
	// reports a cut body as a failure, and here a cut is the point.
	d := &download{slow: newSlowTransport(4<<10, 100*time.Millisecond)}
	done := make(chan *download, 1)
	startDownload(p.url, &http.Client{Transport: d.slow}, tok, contract, id, d, done)
	select {
	case <-d.slow.started:
	case <-time.After(30 * time.Second):
		t.Fatal("the download did not start")
	}
	sigterm := time.Now()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	err := p.wait(grace + 20*time.Second)
	exited := time.Since(sigterm)
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Errorf("the process's exit: %v, want status 1 (requests were cut)", err)
	}
	// The grace, plus what closing the connections and exiting take on a loaded machine.
	if exited < grace || exited > grace+5*time.Second {
		t.Errorf("the process exited %s after SIGTERM; want the grace, %s, and not much more", exited.Round(time.Millisecond), grace)
	}
	if want := "requests still running after " + grace.String(); !strings.Contains(p.stderr.String(), want) {
		t.Errorf("stderr does not say %q:\n%s", want, tail(p.stderr.String(), 2000))
	}
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("the cut download's client did not return")
	}
	if d.err == nil || len(d.body) >= len(file) {
		t.Errorf("the download past the grace: %d of %d bytes, error %v; want it cut", len(d.body), len(file), d.err)
	}
	t.Logf("SIGTERM with --shutdown-grace %s: exited %s later (%v); the download was cut after %d of %d bytes (%v)",
		grace, exited.Round(time.Millisecond), err, len(d.body), len(file), d.err)
}

// logRecord is what the shutdown tests read of a line of the server's JSON log.
type logRecord struct {
	line      int    // from 1
	Msg       string `json:"msg"`
	RequestID string `json:"request_id"`
	Path      string `json:"path"`
	Status    int    `json:"status"`
	Bytes     int    `json:"bytes"`
}

// logRecords returns the JSON lines of a server's log; other lines are skipped.
func logRecords(log string) []logRecord {
	var records []logRecord
	for i, line := range strings.Split(strings.TrimSpace(log), "\n") {
		rec := logRecord{line: i + 1}
		if json.Unmarshal([]byte(line), &rec) == nil {
			records = append(records, rec)
		}
	}
	return records
}
