package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/eccs/eccs/api"
	"github.com/eccs/eccs/internal/docformat"
	"github.com/eccs/eccs/internal/openapitest"
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
	for i, line := range strings.Split(strings.TrimSpace(s.stderr.String()), "\n") {
		var rec struct {
			Msg       string `json:"msg"`
			RequestID string `json:"request_id"`
			Status    int    `json:"status"`
			Bytes     int    `json:"bytes"`
		}
		if json.Unmarshal([]byte(line), &rec) != nil {
			continue
		}
		switch {
		case rec.Msg == "shutting down", rec.Msg == "stopped":
			order[rec.Msg] = i + 1
		case rec.RequestID == id && id != "":
			order["download"] = i + 1
			if rec.Status != http.StatusOK || rec.Bytes != size {
				t.Errorf("the download's log line says status %d, %d bytes; want 200, %d", rec.Status, rec.Bytes, size)
			}
		}
	}
	if !(order["shutting down"] > 0 && order["shutting down"] < order["download"] && order["download"] < order["stopped"]) {
		inFlight("log order (line numbers) %v; want shutting down < the download's line < stopped", order)
	}
}
