package postman_test

// The Postman collection, run by newman (postman/node_modules, pinned by package-lock.json)
// against a real `eccsd serve -dev`: twice on the same server, to prove it is repeatable, then
// once more with a cached access token that has expired, to prove the collection fetches a new
// one when the API answers 401 with code 42. Every answer newman got is also checked against
// api/openapi.yaml.

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/eccs/eccs/internal/devseed"
	"github.com/eccs/eccs/internal/testkit/openapitest"
	"github.com/eccs/eccs/internal/testkit/testenv"
)

const (
	collectionFile  = "eccs.postman_collection.json"
	environmentFile = "eccs-dev.postman_environment.json"
	newmanPath      = "node_modules/.bin/newman" // installed by `npm ci` in postman/

	// devBaseURL is where `eccsd serve -dev` listens by default: the environment's baseUrl.
	devBaseURL = "http://127.0.0.1:8080"

	// cachedTokenRequest is the collection's first request with the cached token; after a
	// 401/42 it runs once more, with a new token.
	cachedTokenRequest = "Cached token on a resource call (re-fetched after 401/42)"

	tokenPath     = "/oauth/v3/token"
	startTimeout  = 2 * time.Minute // build, seed and listen
	newmanTimeout = 5 * time.Minute
	stopTimeout   = 30 * time.Second
)

// endpoints are those of doc/wire.md §4 plus the token endpoint and /me: the collection must
// get a success answer from each.
var endpoints = []struct {
	method string
	path   *regexp.Regexp
}{
	{"POST", regexp.MustCompile(`^/oauth/v3/token$`)},
	{"GET", regexp.MustCompile(`^/cloud/b2b/v1/contracts$`)},
	{"GET", regexp.MustCompile(`^/cloud/b2b/v1/contract$`)},
	{"POST", regexp.MustCompile(`^/cloud/b2b/v1/contract$`)},
	{"POST", regexp.MustCompile(`^/cloud/b2b/v1/contract/[^/]+/user$`)},
	{"GET", regexp.MustCompile(`^/cloud/b2b/v1/documents$`)},
	{"GET", regexp.MustCompile(`^/cloud/b2b/v1/documents/[^/]+/file$`)},
	{"GET", regexp.MustCompile(`^/cloud/b2b/v1/me$`)},
}

func TestNewmanRunsTheCollectionAgainstDevMode(t *testing.T) {
	newman := requireNewman(t)
	collection := readJSON[collectionJSON](t, collectionFile)
	srv := startDevServer(t)
	checkVariables(t, srv.creds, collection)
	openapi := openapitest.New(t)

	for _, name := range []string{"first run", "second run on the same server"} {
		t.Run(name, func(t *testing.T) {
			rep, fetches := srv.newman(t, newman, collectionFile, collection)
			checkReport(t, rep, openapi)
			if fetches != 1 {
				t.Errorf("the collection fetched %d access tokens for its resource calls, want 1 (cached and reused)", fetches)
			}
		})
	}

	t.Run("expired cached token", func(t *testing.T) {
		// The collection as Postman keeps it after a run an hour ago: its token cache holds a
		// token the server now answers 401/42 for, and believes it valid.
		expired := srv.expiredToken(t)
		seeded := seedTokenCache(t, map[string]string{
			"accessToken":          expired,
			"accessTokenExpiresAt": strconv.FormatInt(time.Now().Add(time.Hour).UnixMilli(), 10),
			"accessTokenFor":       srv.url + " " + srv.creds.ClientID,
		})
		rep, fetches := srv.newman(t, newman, seeded, collection)
		checkReport(t, rep, openapi)
		if fetches != 1 {
			t.Errorf("the collection fetched %d access tokens, want 1 (after the 401/42)", fetches)
		}
		var codes []int
		for _, e := range rep.Run.Executions {
			if e.Item.Name == cachedTokenRequest && e.Response != nil {
				codes = append(codes, e.Response.Code)
			}
		}
		if len(codes) < 2 || codes[0] != http.StatusUnauthorized || codes[len(codes)-1] != http.StatusOK {
			t.Errorf("%q answered %v, want 401 (the expired token) then 200 (a new one)", cachedTokenRequest, codes)
		}
	})

	srv.stop(t)
	srv.checkLogs(t)
}

// requireNewman returns the path of the pinned newman, or skips (fails under
// ECCS_TEST_REQUIRE_ALL=1) when it is not installed.
func requireNewman(t *testing.T) string {
	t.Helper()
	if _, err := os.Stat(newmanPath); err != nil {
		testenv.Unavailable(t, "newman is not installed in postman/node_modules (run `cd postman && npm ci`)")
	}
	testenv.LookPath(t, "node")
	abs, err := filepath.Abs(newmanPath)
	if err != nil {
		t.Fatal(err)
	}
	return abs
}

// devServer is a running `eccsd serve -dev` process.
type devServer struct {
	url     string
	dataDir string
	creds   devseed.Credentials
	cmd     *exec.Cmd
	stderr  *testenv.Buffer // the JSON log
	exited  chan error
	markers int
}

// startDevServer builds eccsd from this checkout and starts `eccsd serve -dev` on a free
// loopback port, a fresh data directory and no resource rate limit.
func startDevServer(t *testing.T) *devServer {
	t.Helper()
	tmp := t.TempDir()
	bin := filepath.Join(tmp, "eccsd")
	build := exec.Command("go", "build", "-o", bin, "./cmd/eccsd")
	build.Dir = ".."
	build.Env = cleanEnv()
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/eccsd: %v\n%s", err, out)
	}

	s := &devServer{dataDir: filepath.Join(tmp, "data"), stderr: &testenv.Buffer{}, exited: make(chan error, 1)}
	stdout := &testenv.Buffer{}
	s.cmd = exec.Command(bin, "serve", "-dev", "--addr", "127.0.0.1:0", "--data-dir", s.dataDir, "--rate-limit", "0")
	s.cmd.Env = cleanEnv()
	s.cmd.Stdout, s.cmd.Stderr = stdout, s.stderr
	if err := s.cmd.Start(); err != nil {
		t.Fatalf("start eccsd: %v", err)
	}
	go func() { s.exited <- s.cmd.Wait() }()
	t.Cleanup(func() { // a test that stopped early must not leave the server running
		if s.cmd.ProcessState == nil {
			s.cmd.Process.Kill()
			<-s.exited
		}
	})

	listening := regexp.MustCompile(`(?m)^eccsd listening on (http://\S+)$`)
	deadline := time.Now().Add(startTimeout)
	for s.url == "" {
		if m := listening.FindStringSubmatch(stdout.String()); m != nil {
			s.url = m[1]
			break
		}
		select {
		case err := <-s.exited:
			t.Fatalf("eccsd serve -dev exited before listening: %v\nstdout:\n%s\nstderr:\n%s", err, stdout, s.stderr)
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("eccsd serve -dev printed no \"eccsd listening on\" line within %s\nstdout:\n%s\nstderr:\n%s", startTimeout, stdout, s.stderr)
		}
	}
	data, err := os.ReadFile(filepath.Join(s.dataDir, "dev-credentials.json"))
	if err != nil {
		t.Fatalf("dev mode wrote no credentials file: %v", err)
	}
	if err := json.Unmarshal(data, &s.creds); err != nil {
		t.Fatalf("dev-credentials.json: %v", err)
	}
	t.Logf("eccsd serve -dev listening on %s", s.url)
	return s
}

// cleanEnv is this process's environment without ECCS_* variables: the server must not see
// the developer's configuration.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "ECCS_") {
			env = append(env, kv)
		}
	}
	return env
}

// newman runs a collection with the dev environment and baseUrl set to the server. It fails
// the test unless newman exits 0, and returns its JSON report and how many access tokens the
// collection's pre-request script fetched (token requests the server logged, minus the
// collection's own requests to the token endpoint).
func (s *devServer) newman(t *testing.T, newman, collectionPath string, collection collectionJSON) (*report, int) {
	t.Helper()
	reportPath := filepath.Join(t.TempDir(), "report.json")
	tokensBefore := s.loggedRequests(t, tokenPath)

	ctx, cancel := context.WithTimeout(t.Context(), newmanTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, newman, "run", collectionPath,
		"-e", environmentFile, "--env-var", "baseUrl="+s.url,
		"--reporters", "cli,json", "--reporter-json-export", reportPath,
		"--color", "off", "--timeout-request", "30000")
	cmd.Env = append(os.Environ(), "FORCE_COLOR=0") // --color off leaves escapes in the failure table
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err := cmd.Run()
	elapsed := time.Since(start)
	if err != nil {
		t.Errorf("newman run %s: %v (want exit status 0); its output:\n%s", filepath.Base(collectionPath), err, out.String())
	}

	data, rerr := os.ReadFile(reportPath)
	if rerr != nil {
		t.Fatalf("newman wrote no JSON report: %v\n%s", rerr, out.String())
	}
	var rep report
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatalf("newman's JSON report: %v", err)
	}
	st := rep.Run.Stats
	t.Logf("newman: %d requests, %d assertions, %d failed; %d test scripts, %d pre-request scripts; newman's run %s, average response %.1f ms, whole command %s",
		st.Requests.Total, st.Assertions.Total, st.Assertions.Failed, st.TestScripts.Total, st.PrerequestScripts.Total,
		time.Duration(rep.Run.Timings.Completed-rep.Run.Timings.Started)*time.Millisecond,
		rep.Run.Timings.ResponseAverage, elapsed.Round(10*time.Millisecond))

	fetched := s.loggedRequests(t, tokenPath) - tokensBefore - collection.requestsTo(tokenPath)
	return &rep, fetched
}

// loggedRequests returns how many requests to path the server has logged so far. It first
// makes a request of its own and waits for its log line, so that the lines of every earlier
// request are in. The marker is an unknown API path: the API logs it like every request of
// the collection (other unknown paths belong to the web space, which logs its own lines).
func (s *devServer) loggedRequests(t *testing.T, path string) int {
	t.Helper()
	s.markers++
	marker := fmt.Sprintf("/cloud/b2b/v1/postman-test-marker-%d", s.markers)
	resp, err := http.Get(s.url + marker)
	if err != nil {
		t.Fatalf("GET %s: %v", marker, err)
	}
	resp.Body.Close()
	deadline := time.Now().Add(10 * time.Second)
	for {
		counts := s.logCounts(t)
		if counts[marker] > 0 {
			return counts[path]
		}
		if time.Now().After(deadline) {
			t.Fatalf("the server did not log GET %s within 10 s", marker)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// logCounts returns the number of request log lines by path.
func (s *devServer) logCounts(t *testing.T) map[string]int {
	t.Helper()
	counts := map[string]int{}
	for _, line := range strings.Split(s.stderr.String(), "\n") {
		if line == "" {
			continue
		}
		var rec struct{ Msg, Path string }
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("a log line is not JSON: %q", line)
		}
		if rec.Msg == "request" {
			counts[rec.Path]++
		}
	}
	return counts
}

// stop sends SIGTERM and waits for a clean exit.
func (s *devServer) stop(t *testing.T) {
	t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatalf("SIGTERM: %v", err)
	}
	select {
	case err := <-s.exited:
		if err != nil {
			t.Errorf("eccsd serve -dev did not exit cleanly on SIGTERM: %v\n%s", err, s.stderr)
		}
	case <-time.After(stopTimeout):
		t.Fatalf("eccsd serve -dev still running %s after SIGTERM", stopTimeout)
	}
	if !strings.Contains(s.stderr.String(), `"msg":"stopped"`) {
		t.Errorf("eccsd serve -dev did not log \"stopped\" at exit:\n%s", s.stderr)
	}
}

// checkLogs fails when the server's log holds a secret the collection sent: the client secret,
// an API key or an access token.
func (s *devServer) checkLogs(t *testing.T) {
	t.Helper()
	logs := s.stderr.String()
	for name, secret := range map[string]string{"client secret": s.creds.ClientSecret, "client API key": s.creds.APIKeys.Client, "administrator API key": s.creds.APIKeys.Administrator} {
		if strings.Contains(logs, secret) {
			t.Errorf("the server log holds the %s", name)
		}
	}
	if regexp.MustCompile(`eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}`).MatchString(logs) {
		t.Error("the server log holds an access token")
	}
}

// token asks the token endpoint for an access token with the dev client credentials.
func (s *devServer) token(t *testing.T) string {
	t.Helper()
	req, err := http.NewRequest("POST", s.url+tokenPath, strings.NewReader("grant_type=client_credentials"))
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth(s.creds.ClientID, s.creds.ClientSecret)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if status, body := do(t, req, &tok); status != http.StatusOK || tok.AccessToken == "" {
		t.Fatalf("token endpoint: %d %s", status, body)
	}
	return tok.AccessToken
}

// expiredToken returns an access token of the dev client that expired an hour ago: a token
// from the server with its iat and exp moved back, signed again with the server's token key
// (<data-dir>/keys.json; tokens are HS256 JWTs, doc/decisions.md). The server must answer it
// 401/42.
func (s *devServer) expiredToken(t *testing.T) string {
	t.Helper()
	parts := strings.Split(s.token(t), ".")
	if len(parts) != 3 {
		t.Fatalf("an access token is not a JWT any more (%d parts); update expiredToken", len(parts))
	}
	var header struct{ Kid string }
	var claims map[string]any
	for i, v := range []any{&header, &claims} {
		raw, err := base64.RawURLEncoding.DecodeString(parts[i])
		if err != nil {
			t.Fatalf("token part %d: %v", i, err)
		}
		if err := json.Unmarshal(raw, v); err != nil {
			t.Fatalf("token part %d: %v", i, err)
		}
	}
	now := time.Now().Unix()
	claims["iat"], claims["exp"] = now-2*3600, now-3600
	payload, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	keys := readJSON[struct {
		TokenKeys []struct {
			ID     string
			Secret []byte
		}
	}](t, filepath.Join(s.dataDir, "keys.json"))
	var key []byte
	for _, k := range keys.TokenKeys {
		if k.ID == header.Kid {
			key = k.Secret
		}
	}
	if key == nil {
		t.Fatalf("keys.json has no token key %q", header.Kid)
	}
	signingInput := parts[0] + "." + base64.RawURLEncoding.EncodeToString(payload)
	m := hmac.New(sha256.New, key)
	m.Write([]byte(signingInput))
	expired := signingInput + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))

	req, err := http.NewRequest("GET", s.url+"/cloud/b2b/v1/me", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+expired)
	req.Header.Set("X-API-Key", s.creds.APIKeys.Client)
	var e struct{ Code int }
	if status, body := do(t, req, &e); status != http.StatusUnauthorized || e.Code != 42 {
		t.Fatalf("the forged expired token answers %d %s, want 401 with code 42", status, body)
	}
	return expired
}

func do(t *testing.T, req *http.Request, into any) (int, string) {
	t.Helper()
	resp, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	json.Unmarshal(body, into) // the caller checks what it needs
	return resp.StatusCode, string(body)
}

// seedTokenCache writes a copy of the collection whose collection variables hold vars, and
// returns its path.
func seedTokenCache(t *testing.T, vars map[string]string) string {
	t.Helper()
	c := readJSON[map[string]any](t, collectionFile)
	list, _ := c["variable"].([]any)
	for _, v := range list {
		v := v.(map[string]any)
		if value, ok := vars[v["key"].(string)]; ok {
			v["value"] = value
			delete(vars, v["key"].(string))
		}
	}
	if len(vars) > 0 {
		t.Fatalf("the collection declares no variables %v", vars)
	}
	data, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "seeded.postman_collection.json")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// checkVariables fails unless the environment file, and the collection's own defaults, hold
// the values dev mode prints in dev-credentials.json.
func checkVariables(t *testing.T, creds devseed.Credentials, collection collectionJSON) {
	t.Helper()
	want := map[string]string{
		"baseUrl":          devBaseURL,
		"clientId":         creds.ClientID,
		"clientSecret":     creds.ClientSecret,
		"apiKey":           creds.APIKeys.Client,
		"adminApiKey":      creds.APIKeys.Administrator,
		"contractId":       creds.SampleContractID,
		"billingAccountId": creds.BillingAccountID,
		"offerCode":        creds.OfferCode,
		"supportLevel":     creds.SupportLevel,
	}
	env := readJSON[struct {
		Values []struct {
			Key, Value string
			Enabled    bool
		}
	}](t, environmentFile)
	got := map[string]string{}
	for _, v := range env.Values {
		if v.Enabled {
			got[v.Key] = v.Value
		}
	}
	defaults := map[string]string{}
	for _, v := range collection.Variable {
		defaults[v.Key] = v.Value
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: %s = %q, dev mode has %q", environmentFile, k, got[k], w)
		}
		if defaults[k] != w {
			t.Errorf("%s: the default of %s is %q, dev mode has %q", collectionFile, k, defaults[k], w)
		}
	}
}

// checkReport fails on any newman failure, on a request without assertions, on an endpoint
// with no success answer, and on any answer api/openapi.yaml does not allow.
func checkReport(t *testing.T, rep *report, openapi *openapitest.Validator) {
	t.Helper()
	st := rep.Run.Stats
	if st.Assertions.Failed+st.Requests.Failed+st.TestScripts.Failed+st.PrerequestScripts.Failed > 0 || len(rep.Run.Failures) > 0 {
		t.Errorf("newman: %d of %d assertions failed, %d requests failed, %d test scripts and %d pre-request scripts failed",
			st.Assertions.Failed, st.Assertions.Total, st.Requests.Failed, st.TestScripts.Failed, st.PrerequestScripts.Failed)
		for _, f := range rep.Run.Failures {
			t.Errorf("  %s: %s: %s %s", f.Source.Name, f.Error.Name, f.Error.Test, f.Error.Message)
		}
	}
	if st.Assertions.Total == 0 {
		t.Error("newman ran no assertion")
	}

	assertions := map[string]int{} // by item id: every request has a test script that asserts
	names := map[string]string{}
	succeeded := make([]bool, len(endpoints))
	for _, e := range rep.Run.Executions {
		assertions[e.Item.ID] += len(e.Assertions)
		names[e.Item.ID] = e.Item.Name
		if e.Response == nil {
			t.Errorf("%q got no answer", e.Item.Name)
			continue
		}
		req := e.Request.httpRequest(t)
		for i, ep := range endpoints {
			if req.Method == ep.method && ep.path.MatchString(req.URL.Path) && e.Response.Code/100 == 2 {
				succeeded[i] = true
			}
		}
		header := http.Header{}
		for _, h := range e.Response.Header {
			header.Add(h.Key, h.Value)
		}
		body := make([]byte, len(e.Response.Stream.Data))
		for i, b := range e.Response.Stream.Data {
			body[i] = byte(b)
		}
		openapi.Check(t, req, e.Response.Code, header, body)
	}
	for id, n := range assertions {
		if n < 3 { // the collection's X-OAPI-Request-Id check, the status, and more
			t.Errorf("%q made %d assertions, want at least 3 (status, content type, shape)", names[id], n)
		}
	}
	for i, ok := range succeeded {
		if !ok {
			t.Errorf("no request of the collection got a success answer from %s %s", endpoints[i].method, endpoints[i].path)
		}
	}
}

func readJSON[T any](t *testing.T, path string) T {
	t.Helper()
	var v T
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return v
}

// collectionJSON is what the test reads of the collection file.
type collectionJSON struct {
	Variable []struct{ Key, Value string }
	Item     []collectionItem
}

type collectionItem struct {
	Name    string
	Item    []collectionItem // a folder
	Request *struct {
		URL struct{ Path []string } `json:"url"`
	}
}

// requestsTo counts the collection's requests to path.
func (c collectionJSON) requestsTo(path string) int {
	var count func([]collectionItem) int
	count = func(items []collectionItem) int {
		n := 0
		for _, it := range items {
			n += count(it.Item)
			if it.Request != nil && "/"+strings.Join(it.Request.URL.Path, "/") == path {
				n++
			}
		}
		return n
	}
	return count(c.Item)
}

// report is what the test reads of newman's JSON report.
type report struct {
	Run struct {
		Stats struct {
			Requests, Assertions, TestScripts, PrerequestScripts struct{ Total, Failed int }
		}
		Timings struct {
			Started, Completed int64 // epoch milliseconds
			ResponseAverage    float64
		}
		Executions []struct {
			Item       struct{ ID, Name string }
			Request    reportRequest
			Response   *reportResponse
			Assertions []struct {
				Assertion string
				Error     *struct{ Message string }
			}
		}
		Failures []struct {
			Error  struct{ Name, Message, Test string }
			Source struct{ Name string }
		}
	}
}

type keyValue struct {
	Key, Value string
	Disabled   bool
}

type reportRequest struct {
	Method string
	URL    struct {
		Protocol, Port string
		Host, Path     []string
		Query          []keyValue
	} `json:"url"`
	Header []keyValue
}

type reportResponse struct {
	Code   int
	Header []keyValue
	Stream struct{ Data []int } // a Node Buffer: {"type": "Buffer", "data": [bytes]}
}

// httpRequest rebuilds the request newman sent (method, URL, headers).
func (r reportRequest) httpRequest(t *testing.T) *http.Request {
	t.Helper()
	u := url.URL{Scheme: r.URL.Protocol, Host: strings.Join(r.URL.Host, "."), Path: "/" + strings.Join(r.URL.Path, "/")}
	if r.URL.Port != "" {
		u.Host += ":" + r.URL.Port
	}
	q := url.Values{}
	for _, kv := range r.URL.Query {
		if !kv.Disabled {
			q.Add(kv.Key, kv.Value)
		}
	}
	u.RawQuery = q.Encode()
	req, err := http.NewRequest(r.Method, u.String(), nil)
	if err != nil {
		t.Fatalf("newman's report: request %s %s: %v", r.Method, u.String(), err)
	}
	for _, h := range r.Header {
		if !h.Disabled {
			req.Header.Add(h.Key, h.Value)
		}
	}
	return req
}
