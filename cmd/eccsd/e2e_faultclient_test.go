package main

// The callers of the fault tests (e2e_faults_test.go): a client that records every answer
// with its time, a load of such calls, and a watcher of /readyz.

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/eccs/eccs/api"
	"github.com/eccs/eccs/internal/devseed"
	"github.com/eccs/eccs/internal/testkit/openapitest"
)

// faultCall is one answer observed during a fault test.
type faultCall struct {
	kind       string // "contracts", "documents", "token", "download", "list"
	begin      time.Time
	took       time.Duration
	status     int    // 0 when the call got no answer (err says why)
	code       int    // the gateway code of an error answer
	oauth      string // the OAuth error of a token endpoint's error answer
	retryAfter string
	body       string
	err        error
}

func (c faultCall) String() string {
	if c.err != nil {
		return fmt.Sprintf("%s: no answer after %s: %v", c.kind, c.took.Round(time.Millisecond), c.err)
	}
	return fmt.Sprintf("%s: %d after %s: %.300s", c.kind, c.status, c.took.Round(time.Millisecond), c.body)
}

// unavailableAsSpecified reports what is wrong with a 503 answer, or "": the gateway envelope
// with code 5 (the OAuth temporarily_unavailable on the token endpoint), with Retry-After.
func (c faultCall) unavailableAsSpecified() string {
	switch {
	case c.status != http.StatusServiceUnavailable:
		return "not a 503"
	case c.retryAfter == "":
		return "a 503 without Retry-After"
	case c.kind == "token" && c.oauth != api.OAuthTemporarilyUnavailable:
		return "a 503 of the token endpoint without the OAuth error temporarily_unavailable"
	case c.kind != "token" && c.code != api.CodeServiceUnavailable:
		return fmt.Sprintf("a 503 with code %d, want %d", c.code, api.CodeServiceUnavailable)
	}
	return ""
}

// faultClient sends calls whose answers are checked against api/openapi.yaml, and records
// them. Its timeout (30 s) is far past every bound the tests check, so that a call that hangs
// shows up as one past its bound, with its time, before the client gives up.
type faultClient struct {
	s     *server
	http  *http.Client
	token string // an access token of the demo application, for the resource calls
	mu    sync.Mutex
	calls []faultCall
}

func newFaultClient(t *testing.T, s *server, token string) *faultClient {
	return &faultClient{s: s, token: token,
		http: &http.Client{Transport: openapitest.New(t).Transport(t, http.DefaultTransport), Timeout: 30 * time.Second}}
}

// do sends one call of the given kind and records its answer.
func (fc *faultClient) do(kind, path string) faultCall {
	var req *http.Request
	var err error
	if kind == "token" {
		req, err = http.NewRequest(http.MethodPost, fc.s.url+api.TokenPath, strings.NewReader("grant_type=client_credentials"))
		if err == nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.SetBasicAuth(devseed.ClientID, devseed.ClientSecret)
		}
	} else {
		req, err = http.NewRequest(http.MethodGet, fc.s.url+path, nil)
		if err == nil {
			req.Header.Set("Authorization", "Bearer "+fc.token)
			req.Header.Set(api.HeaderAPIKey, devseed.ClientAPIKey)
			req.Header.Set(api.HeaderContractID, devseed.SampleContractID)
			req.Header.Set("Accept", "application/json")
		}
	}
	c := faultCall{kind: kind, begin: time.Now()}
	var resp *http.Response
	if err == nil {
		resp, err = fc.http.Do(req)
	}
	c.took = time.Since(c.begin)
	if err != nil {
		c.err = err
	} else {
		body, _ := io.ReadAll(resp.Body) // already read whole by the checking transport
		resp.Body.Close()
		c.status, c.retryAfter, c.body = resp.StatusCode, resp.Header.Get("Retry-After"), string(body)
		if c.status >= 400 {
			var e struct {
				Code  int    `json:"code"`
				Error string `json:"error"`
			}
			json.Unmarshal(body, &e)
			c.code, c.oauth = e.Code, e.Error
		}
		if kind == "token" && c.status == http.StatusOK {
			var tok api.Token
			if json.Unmarshal(body, &tok) == nil {
				remember(fc.s, tok.AccessToken) // the log checks look for it
			}
		}
	}
	fc.mu.Lock()
	fc.calls = append(fc.calls, c)
	fc.mu.Unlock()
	return c
}

// recorded returns the calls recorded so far, in the order they began.
func (fc *faultClient) recorded() []faultCall {
	fc.mu.Lock()
	defer fc.mu.Unlock()
	calls := append([]faultCall(nil), fc.calls...)
	sort.Slice(calls, func(i, j int) bool { return calls[i].begin.Before(calls[j].begin) })
	return calls
}

// load runs workers goroutines that each loop over kinds (GET paths, or "token") until stop
// is closed, a few milliseconds apart, and returns once they have all stopped.
func (fc *faultClient) load(workers int, kinds map[string]string, stop <-chan struct{}) (wait func()) {
	names := make([]string, 0, len(kinds))
	for k := range kinds {
		names = append(names, k)
	}
	sort.Strings(names)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				kind := names[i%len(names)]
				fc.do(kind, kinds[kind])
				time.Sleep(5 * time.Millisecond)
			}
		}()
	}
	return wg.Wait
}

// awaitRecovery calls kind at path every 100 ms until it answers 200, and returns that call
// and how long after since it came. Until then every answer must be the specified 503
// (during names the phase in the failure); past faultRecoverBound the test fails, saying
// stillFails … after after.
func (fc *faultClient) awaitRecovery(t *testing.T, kind, path string, since time.Time, during, stillFails, after string) (faultCall, time.Duration) {
	t.Helper()
	for {
		c := fc.do(kind, path)
		if c.status == http.StatusOK {
			return c, time.Since(since)
		}
		if c.unavailableAsSpecified() != "" {
			t.Errorf("%s: %s", during, c)
		}
		if time.Since(since) > faultRecoverBound {
			t.Fatalf("%s %s after %s: %s", stillFails, faultRecoverBound, after, c)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// readiness polls /readyz every 50 ms until stop is closed and records each change of its
// status with the time it was seen.
type readiness struct {
	mu      sync.Mutex
	changes []readyChange
}

type readyChange struct {
	at     time.Time
	status int
}

func watchReadiness(t *testing.T, s *server, stop <-chan struct{}) (*readiness, func()) {
	r := &readiness{}
	c := &http.Client{Transport: openapitest.New(t).Transport(t, http.DefaultTransport), Timeout: 30 * time.Second}
	done := make(chan struct{})
	go func() {
		defer close(done)
		last := 0
		for {
			select {
			case <-stop:
				return
			default:
			}
			status := 0
			begin := time.Now()
			if resp, err := c.Get(s.url + "/readyz"); err == nil {
				resp.Body.Close()
				status = resp.StatusCode
			}
			if took := time.Since(begin); took > faultAnswerBound {
				t.Errorf("/readyz answered %d after %s, past %s", status, took.Round(time.Millisecond), faultAnswerBound)
			}
			if status != last {
				r.mu.Lock()
				r.changes = append(r.changes, readyChange{time.Now(), status})
				r.mu.Unlock()
				last = status
			}
			time.Sleep(50 * time.Millisecond)
		}
	}()
	return r, func() { <-done }
}

// firstAfter returns when /readyz was first seen answering status at or after from.
func (r *readiness) firstAfter(from time.Time, status int) (time.Time, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, c := range r.changes {
		if !c.at.Before(from) && c.status == status {
			return c.at, true
		}
	}
	return time.Time{}, false
}

// tally counts calls by kind and status ("documents 503": 12).
func tally(calls []faultCall) string {
	counts := map[string]int{}
	for _, c := range calls {
		counts[fmt.Sprintf("%s %d", c.kind, c.status)]++
	}
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s: %d", k, counts[k])
	}
	return b.String()
}

// slowest returns the longest time a call took.
func slowest(calls []faultCall) time.Duration {
	var d time.Duration
	for _, c := range calls {
		d = max(d, c.took)
	}
	return d
}

// fastest returns the shortest time a call took.
func fastest(calls []faultCall) time.Duration {
	if len(calls) == 0 {
		return 0
	}
	d := calls[0].took
	for _, c := range calls[1:] {
		d = min(d, c.took)
	}
	return d
}
