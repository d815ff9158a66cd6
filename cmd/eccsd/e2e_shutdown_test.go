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

func TestGracefulShutdownLetsAnInFlightDownloadFinish(t *testing.T) {
	t.Parallel()
	// --rate-limit 0: finding the largest file takes a burst of HEAD requests.
	s := startSeededDev(t, "--rate-limit", "0")
	c := s.creds
	tok := s.demoToken(t)

	// The largest file the client account may download.
	var biggest api.Document
	var biggestContract string
	size := 0
	for _, contract := range c.Contracts.Client {
		var docs []api.Document
		s.mustJSON(t, call{path: "/cloud/b2b/v1/documents?limit=1000", token: tok, key: c.APIKeys.Client, contract: contract}, http.StatusOK, &docs)
		for _, d := range docs {
			req, _ := http.NewRequest(http.MethodHead, s.url+"/cloud/b2b/v1/documents/"+d.ID+"/file", nil)
			req.Header.Set("Authorization", "Bearer "+tok)
			req.Header.Set(api.HeaderAPIKey, c.APIKeys.Client)
			req.Header.Set(api.HeaderContractID, contract)
			resp, _ := send(t, req)
			n, err := strconv.Atoi(resp.Header.Get("Content-Length"))
			if resp.StatusCode != http.StatusOK || err != nil {
				t.Fatalf("HEAD %s: %d, Content-Length %q", d.ID, resp.StatusCode, resp.Header.Get("Content-Length"))
			}
			if n > size {
				size, biggest, biggestContract = n, d, contract
			}
		}
	}
	t.Logf("downloading %s of %s (%d bytes) while the server shuts down", biggest.Filename, biggestContract, size)

	slow := &slowTransport{
		next: &http.Transport{
			DialContext:       (&net.Dialer{Timeout: 5 * time.Second, Control: smallReceiveBuffer}).DialContext,
			DisableKeepAlives: true,
		},
		chunk: 4 << 10, pause: 15 * time.Millisecond, started: make(chan struct{}),
	}
	slowClient := &http.Client{Transport: openapitest.New(t).Transport(t, slow)}
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, s.url+"/cloud/b2b/v1/documents/"+biggest.ID+"/file", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set(api.HeaderAPIKey, c.APIKeys.Client)
	req.Header.Set(api.HeaderContractID, biggestContract)
	req.Header.Set("Accept", "application/json") // as real clients send it to the download

	type result struct {
		resp *http.Response
		body []byte
		err  error
		at   time.Time
	}
	done := make(chan result, 1)
	go func() {
		resp, err := slowClient.Do(req) // openapitest reads the whole body, slowly
		var body []byte
		if err == nil {
			body, err = io.ReadAll(resp.Body)
			resp.Body.Close()
		}
		done <- result{resp, body, err, time.Now()}
	}()
	select {
	case <-slow.started:
	case <-time.After(30 * time.Second):
		t.Fatal("the download did not start")
	}
	s.cancel() // what SIGTERM does: shut down while the body is being read

	// The listener closes at once: new connections are refused while the download drains.
	var refusedAt time.Time
	for deadline := time.Now().Add(10 * time.Second); refusedAt.IsZero() && time.Now().Before(deadline); {
		conn, err := net.DialTimeout("tcp", s.hostport, time.Second)
		if err != nil {
			refusedAt = time.Now()
			break
		}
		conn.Close()
		time.Sleep(5 * time.Millisecond)
	}

	var r result
	select {
	case r = <-done:
	case <-time.After(60 * time.Second):
		t.Fatal("the download did not finish")
	}
	if r.err != nil {
		t.Fatalf("the download failed during the shutdown: %v", r.err)
	}
	sum := sha256.Sum256(r.body)
	if r.resp.StatusCode != http.StatusOK || len(r.body) != size || r.resp.Header.Get("ETag") != `"`+hex.EncodeToString(sum[:])+`"` {
		t.Errorf("download during shutdown: %d, %d of %d bytes, ETag %s vs sha256 %x", r.resp.StatusCode, len(r.body), size, r.resp.Header.Get("ETag"), sum)
	}
	kind, _ := docformat.KindOf(biggest.DocumentType)
	if err := kind.CheckBytes(r.body); err != nil {
		t.Errorf("the file downloaded during the shutdown is not a valid %v: %v", kind, err)
	}
	// Where the client cannot shrink its TCP window (smallReceiveBuffer), the kernel may take
	// the whole file before the shutdown begins: only report what proves the download was in
	// flight.
	inFlight := t.Errorf
	if !canHoldDownloads {
		inFlight = t.Logf
	}
	if refusedAt.IsZero() {
		t.Errorf("new connections were still accepted 10 s after the shutdown began")
	} else if !refusedAt.Before(r.at) {
		inFlight("the listener closed only after the download finished: the download was not in flight during the shutdown")
	}

	if err := s.wait(30 * time.Second); err != nil {
		t.Fatalf("run returned %v after a graceful shutdown, want nil", err)
	}

	// The log tells the story in order: shutting down, the download's request line, stopped.
	id := r.resp.Header.Get(api.HeaderRequestID)
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

// startDownload starts a slow download of document id of contractID (smallReceiveBuffer and
// slowTransport hold it back) through c, a client built on d.slow.
func startDownload(p *process, c *http.Client, token, contractID, id string, d *download, done chan<- *download) {
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, p.url+"/cloud/b2b/v1/documents/"+id+"/file", nil)
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
	sum := sha256.Sum256(file)
	etag := `"` + hex.EncodeToString(sum[:]) + `"`
	id := uploadBig(t, p, contract, file)
	tok := p.demoToken(t)

	done := make(chan *download, drainDownloads)
	downloads := make([]*download, drainDownloads)
	for i := range downloads {
		d := &download{slow: newSlowTransport(16<<10, 2*time.Millisecond)}
		downloads[i] = d
		startDownload(p, &http.Client{Transport: openapitest.New(t).Transport(t, d.slow)}, tok, contract, id, d, done)
	}
	for i, d := range downloads {
		select {
		case <-d.slow.started:
		case <-time.After(30 * time.Second):
			t.Fatalf("download %d did not start", i)
		}
	}
	sigterm := time.Now()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}

	// The listener closes at once: new connections are refused while the downloads drain.
	var refusedAt time.Time
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if dialRefused(p.hostport) {
			refusedAt = time.Now()
			break
		}
	}
	if _, err := (&http.Client{Timeout: 5 * time.Second}).Get(p.url + "/healthz"); refusedAt.IsZero() || err == nil {
		t.Errorf("new connections were still accepted during the drain (GET /healthz: %v)", err)
	}

	var firstDone, lastDone time.Time
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
	err := p.wait(drainGrace + 10*time.Second)
	exited := time.Since(sigterm)
	if err != nil {
		t.Errorf("the process's exit after SIGTERM: %v, want status 0", err)
	}
	if exited > drainGrace {
		t.Errorf("the process exited %s after SIGTERM, past --shutdown-grace %s", exited.Round(time.Millisecond), drainGrace)
	}
	complete := 0
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

	// Every download has its request line, 200 and every byte, between "shutting down" and
	// "stopped".
	lines := map[string]int{}
	served := 0
	for _, rec := range logRecords(p.stderr.String()) {
		switch {
		case rec.Msg == "shutting down", rec.Msg == "stopped":
			lines[rec.Msg] = rec.line
		case rec.Msg == "request" && strings.HasSuffix(rec.Path, "/"+id+"/file"):
			if rec.Status == http.StatusOK && rec.Bytes == len(file) && rec.line > lines["shutting down"] && lines["shutting down"] > 0 {
				served++
			}
		}
	}
	if served != drainDownloads || lines["stopped"] == 0 {
		inFlight("the log has %d download lines (200, every byte) after \"shutting down\", want %d; \"stopped\" on line %d", served, drainDownloads, lines["stopped"])
	}
	p.checkLogs(t)
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
	startDownload(p, &http.Client{Transport: d.slow}, tok, contract, id, d, done)
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
