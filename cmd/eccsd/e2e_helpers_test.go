package main

// Helpers of the process-level tests (e2e_*_test.go): they run the whole program through run()
// on 127.0.0.1:0, as `eccsd serve` would run, and talk to it over real TCP. Every HTTP call
// made by Go code goes through the openapitest transport, which fails the test on any answer
// api/openapi.yaml does not allow.
//
// Seeding a dev world costs seconds under the race detector, so it happens once per package
// (seededTemplate: a real `serve -dev` on a fresh data directory, stopped gracefully); most
// tests then start `serve -dev` on a copy of that directory, which dev mode reuses without
// reseeding. Tests of the first start itself (TestServeKeepsKeysAndDevDataAcrossRestarts)
// seed their own.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/eccs/eccs/api"
	"github.com/eccs/eccs/internal/devseed"
	"github.com/eccs/eccs/internal/testkit/openapitest"
	"github.com/eccs/eccs/internal/testkit/pgtest"
	"github.com/eccs/eccs/internal/testkit/s3test"
	"github.com/eccs/eccs/internal/testkit/testenv"
)

const (
	startTimeout = 60 * time.Second // until "eccsd listening on" and /readyz 200
	stopTimeout  = 10 * time.Second // graceful shutdown of an idle server
)

// noEnv is a getenv with nothing set: tests never see the developer's ECCS_* variables.
func noEnv(string) string { return "" }

// envOf returns a getenv reading m.
func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

// runCmd runs a command that returns on its own (migrate, version, a refused serve), bounded by
// a timeout so that a serve that unexpectedly starts does not hang the test.
func runCmd(t *testing.T, getenv func(string) string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	var out, errb testenv.Buffer
	err = run(ctx, args, getenv, strings.NewReader(""), &out, &errb)
	if ctx.Err() != nil {
		t.Fatalf("eccsd %s did not return on its own within 30 s (stdout %q, stderr %q)", strings.Join(args, " "), out.String(), errb.String())
	}
	return out.String(), errb.String(), err
}

// server is one running `eccsd serve`.
type server struct {
	url      string // http://127.0.0.1:PORT, as printed on the "listening" line
	hostport string
	dataDir  string // "" when the test did not choose it
	args     []string
	stdout   *testenv.Buffer
	stderr   *testenv.Buffer
	creds    devseed.Credentials // dev mode only

	cancel context.CancelFunc
	done   chan error // run's result, sent once

	mu      sync.Mutex
	stopped bool
	runErr  error
	tokens  []string // access tokens issued to Go code: they must never be logged
}

var (
	listeningLine = regexp.MustCompile(`(?m)^eccsd listening on (http://\S+)$`)
	uuidV4        = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	jwtShaped     = regexp.MustCompile(`eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}`)
)

// launch runs `eccsd <args…>` in a goroutine and waits for its "eccsd listening on" line and
// for /readyz to answer 200. t is used for the openapitest checks of the readiness calls only.
func launch(t testing.TB, parent context.Context, args []string, getenv func(string) string, dataDir string) (*server, error) {
	ctx, cancel := context.WithCancel(parent)
	s := &server{args: args, dataDir: dataDir, stdout: &testenv.Buffer{}, stderr: &testenv.Buffer{}, cancel: cancel, done: make(chan error, 1)}
	go func() { s.done <- run(ctx, args, getenv, strings.NewReader(""), s.stdout, s.stderr) }()

	deadline := time.Now().Add(startTimeout)
	for {
		if m := listeningLine.FindStringSubmatch(s.stdout.String()); m != nil {
			s.url = m[1]
			break
		}
		select {
		case err := <-s.done:
			cancel()
			s.stopped, s.runErr = true, err
			return nil, fmt.Errorf("eccsd %s returned before listening: %v\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), err, s.stdout, s.stderr)
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			s.stop()
			return nil, fmt.Errorf("eccsd %s printed no \"eccsd listening on\" line within %s\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), startTimeout, s.stdout, s.stderr)
		}
	}
	if err := s.awaitReady(t, deadline); err != nil {
		s.stop()
		return nil, err
	}

	if dataDir != "" && (slices.Contains(args, "-dev") || slices.Contains(args, "--dev") || getenv("ECCS_DEV") != "") {
		data, err := os.ReadFile(filepath.Join(dataDir, "dev-credentials.json"))
		if err != nil {
			s.stop()
			return nil, fmt.Errorf("dev mode wrote no credentials file: %v", err)
		}
		if err := json.Unmarshal(data, &s.creds); err != nil {
			s.stop()
			return nil, fmt.Errorf("dev-credentials.json: %v", err)
		}
	}
	return s, nil
}

// awaitReady takes s.hostport from s.url (the listening line's) and waits for /readyz to
// answer 200, until deadline.
func (s *server) awaitReady(t testing.TB, deadline time.Time) error {
	u, err := url.Parse(s.url)
	if err != nil {
		return fmt.Errorf("listening line %q: %v", s.url, err)
	}
	s.hostport = u.Host
	c := client(t)
	for {
		resp, err := c.Get(s.url + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("/readyz of %s did not answer 200 within %s (last: %v)", s.url, startTimeout, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// stop cancels the server's context and returns run's result, or an error if run did not
// return within stopTimeout. It may be called more than once.
func (s *server) stop() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped {
		return s.runErr
	}
	s.cancel()
	select {
	case s.runErr = <-s.done:
	case <-time.After(stopTimeout):
		s.runErr = fmt.Errorf("run did not return within %s of its context being cancelled", stopTimeout)
	}
	s.stopped = true
	return s.runErr
}

// wait returns run's result once it returns by itself (after stop, or after the test cancelled
// the context some other way), or an error after d.
func (s *server) wait(d time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped {
		return s.runErr
	}
	select {
	case s.runErr = <-s.done:
	case <-time.After(d):
		return fmt.Errorf("run did not return within %s", d)
	}
	s.stopped = true
	return s.runErr
}

// checkLogs fails the test when the server's stderr is not JSON lines, or holds a secret: a
// demo client secret, an API key, or an access token issued in the test.
func (s *server) checkLogs(t testing.TB) {
	t.Helper()
	if err := s.logProblems(); err != nil {
		t.Errorf("server %s: %v", strings.Join(s.args, " "), err)
	}
}

func (s *server) logProblems() error {
	s.mu.Lock()
	tokens := append([]string(nil), s.tokens...)
	s.mu.Unlock()
	logs := s.stderr.String()
	var problems []string
	for i, line := range strings.Split(strings.TrimSuffix(logs, "\n"), "\n") {
		if line == "" {
			continue
		}
		var v map[string]any
		if err := json.Unmarshal([]byte(line), &v); err != nil {
			problems = append(problems, fmt.Sprintf("stderr line %d is not a JSON object: %q", i+1, line))
			continue
		}
		if id, _ := v["request_id"].(string); v["msg"] == "request" && !uuidV4.MatchString(id) {
			problems = append(problems, fmt.Sprintf("stderr line %d: request_id %q is not a random (version 4) UUID", i+1, id))
		}
	}
	// Access tokens are JWTs; the ones curl fetched in bash are not known here.
	if jwt := jwtShaped.FindString(logs); jwt != "" {
		problems = append(problems, fmt.Sprintf("the log holds something shaped like an access token: %q", jwt))
	}
	for name, secret := range secretsOf(tokens) {
		if strings.Contains(logs, secret) {
			problems = append(problems, "the log holds "+name)
		}
	}
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "; "))
	}
	return nil
}

// secretsOf names every secret that must never reach a log: the fixed demo credentials and
// the given tokens.
func secretsOf(tokens []string) map[string]string {
	m := map[string]string{
		"the demo client secret":        devseed.ClientSecret,
		"the client account's API key":  devseed.ClientAPIKey,
		"the administrator's API key":   devseed.AdministratorKey,
		"a demo application's secret 2": fmt.Sprintf("demo-secret-not-for-production-%010d", 2),
		"a demo application's secret 3": fmt.Sprintf("demo-secret-not-for-production-%010d", 3),
		"a demo application's secret 4": fmt.Sprintf("demo-secret-not-for-production-%010d", 4),
		"a demo application's secret 5": fmt.Sprintf("demo-secret-not-for-production-%010d", 5),
	}
	for i, tok := range tokens {
		m[fmt.Sprintf("access token #%d issued in the test", i+1)] = tok
	}
	return m
}

// startServer runs `eccsd <args…>` for the duration of the test. On cleanup (after t.Context
// is cancelled, which starts the graceful shutdown) it asserts that run returned nil within a
// few seconds and that the logs are clean.
func startServer(t *testing.T, args []string, getenv func(string) string, dataDir string) *server {
	t.Helper()
	s, err := launch(t, t.Context(), args, getenv, dataDir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.stop(); err != nil {
			t.Errorf("eccsd %s: run returned %v after its context was cancelled; want nil (graceful shutdown)\nstderr tail:\n%s",
				strings.Join(args, " "), err, tail(s.stderr.String(), 2000))
		}
		s.checkLogs(t)
	})
	return s
}

// startDev runs `eccsd serve -dev --addr 127.0.0.1:0 --data-dir <fresh dir> extraArgs…`: a
// freshly seeded dev world.
func startDev(t *testing.T, extraArgs ...string) *server {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "data")
	return startDevOn(t, dir, extraArgs...)
}

// startDevOn runs `eccsd serve -dev` on the data directory dir.
func startDevOn(t *testing.T, dir string, extraArgs ...string) *server {
	t.Helper()
	args := append([]string{"serve", "-dev", "--addr", "127.0.0.1:0", "--data-dir", dir}, extraArgs...)
	return startServer(t, args, noEnv, dir)
}

// startSeededDev runs `eccsd serve -dev` on a private copy of the seeded template: the same
// world as a fresh start, without the seeding time.
func startSeededDev(t *testing.T, extraArgs ...string) *server {
	t.Helper()
	return startDevOn(t, seededCopy(t), extraArgs...)
}

// seededCopy returns a private copy of the seeded template's data directory.
func seededCopy(t *testing.T) string {
	t.Helper()
	tmpl := seededTemplate(t)
	dir := filepath.Join(t.TempDir(), "data")
	if err := copyDir(tmpl.dir, dir); err != nil {
		t.Fatalf("copy the seeded data directory: %v", err)
	}
	return dir
}

// template is a data directory seeded by a real `eccsd serve -dev`, stopped gracefully.
type template struct {
	dir    string
	stdout string // what the first, seeding start printed
	stderr string
	creds  devseed.Credentials
	url    string
	err    error
}

var (
	templateOnce sync.Once
	tmpl         template

	sharedOnce sync.Once
	shared     *server
	sharedErr  error
)

func seededTemplate(t *testing.T) *template {
	t.Helper()
	templateOnce.Do(func() {
		root, err := os.MkdirTemp("", "eccsd-e2e-template-")
		if err != nil {
			tmpl.err = err
			return
		}
		tmpl.dir = filepath.Join(root, "data")
		s, err := launch(t, context.Background(), []string{"serve", "-dev", "--addr", "127.0.0.1:0", "--data-dir", tmpl.dir}, noEnv, tmpl.dir)
		if err != nil {
			tmpl.err = err
			return
		}
		if err := s.stop(); err != nil {
			tmpl.err = fmt.Errorf("the seeding dev server did not shut down gracefully: %v", err)
			return
		}
		if err := s.logProblems(); err != nil {
			tmpl.err = fmt.Errorf("the seeding dev server's logs: %v", err)
			return
		}
		tmpl.stdout, tmpl.stderr, tmpl.creds, tmpl.url = s.stdout.String(), s.stderr.String(), s.creds, s.url
	})
	if tmpl.err != nil {
		t.Fatalf("seed the dev world: %v", tmpl.err)
	}
	return &tmpl
}

// sharedDev returns the dev server that read-only tests share (on a copy of the template). It
// runs until TestMain stops it, which checks its shutdown and its logs.
func sharedDev(t *testing.T) *server {
	t.Helper()
	tm := seededTemplate(t)
	sharedOnce.Do(func() {
		root, err := os.MkdirTemp("", "eccsd-e2e-shared-")
		if err != nil {
			sharedErr = err
			return
		}
		dir := filepath.Join(root, "data")
		if err := copyDir(tm.dir, dir); err != nil {
			sharedErr = err
			return
		}
		// --rate-limit 0: TestSeededDocumentsParseAsWireSpecSaysAndAgree downloads every seeded
		// file of three contracts in parallel, faster than 100 calls a second; the limit itself
		// is tested on servers of their own.
		shared, sharedErr = launch(t, context.Background(), []string{"serve", "-dev", "--addr", "127.0.0.1:0", "--data-dir", dir, "--rate-limit", "0"}, noEnv, dir)
	})
	if sharedErr != nil {
		t.Fatalf("start the shared dev server: %v", sharedErr)
	}
	return shared
}

func TestMain(m *testing.M) {
	if args, ok := os.LookupEnv(childArgsEnv); ok { // this process is a child server (e2e_process_test.go)
		os.Exit(runChild(args))
	}
	code := m.Run()
	if shared != nil {
		if err := shared.stop(); err != nil {
			fmt.Fprintf(os.Stderr, "FAIL: the shared dev server: run returned %v after its context was cancelled; want nil\n", err)
			code = 1
		}
		if err := shared.logProblems(); err != nil {
			fmt.Fprintf(os.Stderr, "FAIL: the shared dev server's logs: %v\n", err)
			code = 1
		}
		os.RemoveAll(filepath.Dir(shared.dataDir))
	}
	if tmpl.dir != "" {
		os.RemoveAll(filepath.Dir(tmpl.dir))
	}
	pgtest.Shutdown() // the PostgreSQL and MinIO of the scale-out tests (replicas_test.go, migrate_data_test.go)
	s3test.Shutdown()
	os.Exit(code)
}

// copyDir copies a directory tree, keeping file modes.
func copyDir(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		info, err := d.Info()
		if err != nil {
			return err
		}
		if d.IsDir() {
			return os.MkdirAll(target, info.Mode().Perm())
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if err := os.WriteFile(target, data, info.Mode().Perm()); err != nil {
			return err
		}
		return os.Chmod(target, info.Mode().Perm())
	})
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}

// client returns an HTTP client whose every answer is checked against api/openapi.yaml.
func client(t testing.TB) *http.Client {
	return &http.Client{Transport: openapitest.New(t).Transport(t, http.DefaultTransport), Timeout: 30 * time.Second}
}

// token gets an access token with HTTP Basic client authentication and remembers it, so that
// the log checks look for it.
func (s *server) token(t testing.TB, clientID, secret string) string {
	t.Helper()
	resp, body := s.tokenRequest(t, clientID, secret)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("token for %s: %d %s", clientID, resp.StatusCode, body)
	}
	var tok api.Token
	if err := json.Unmarshal(body, &tok); err != nil || tok.AccessToken == "" || tok.TokenType != api.TokenType {
		t.Fatalf("token for %s: %s (%v)", clientID, body, err)
	}
	return tok.AccessToken
}

// tokenRequest asks the token endpoint for a token, whatever the answer.
func (s *server) tokenRequest(t testing.TB, clientID, secret string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, s.url+api.TokenPath, strings.NewReader("grant_type=client_credentials"))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(clientID, secret)
	resp, body := send(t, req)
	if resp.StatusCode == http.StatusOK {
		var tok api.Token
		if json.Unmarshal(body, &tok) == nil && tok.AccessToken != "" {
			s.mu.Lock()
			s.tokens = append(s.tokens, tok.AccessToken)
			s.mu.Unlock()
		}
	}
	return resp, body
}

// demoToken is a token of the main demo application.
func (s *server) demoToken(t testing.TB) string {
	t.Helper()
	return s.token(t, devseed.ClientID, devseed.ClientSecret)
}

// call is one resource call.
type call struct {
	method   string // GET when empty
	path     string // under the server's URL, e.g. /cloud/b2b/v1/contract
	token    string
	key      string // X-API-Key
	contract string // X-ECCS-Contract-Id
	body     string
}

// do sends c and returns the answer with its body read.
func (s *server) do(t testing.TB, c call) (*http.Response, []byte) {
	t.Helper()
	method := c.method
	if method == "" {
		method = http.MethodGet
	}
	var body io.Reader
	if c.body != "" {
		body = strings.NewReader(c.body)
	}
	req, err := http.NewRequestWithContext(context.Background(), method, s.url+c.path, body)
	if err != nil {
		t.Fatal(err)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if c.key != "" {
		req.Header.Set(api.HeaderAPIKey, c.key)
	}
	if c.contract != "" {
		req.Header.Set(api.HeaderContractID, c.contract)
	}
	req.Header.Set("Accept", "application/json")
	if c.body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	return send(t, req)
}

// send sends req through the checking client and reads the whole answer.
func send(t testing.TB, req *http.Request) (*http.Response, []byte) {
	t.Helper()
	resp, err := client(t).Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading the body: %v", req.Method, req.URL, err)
	}
	return resp, body
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

// mustRequest makes a request without a body.
func mustRequest(t *testing.T, method, url string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

// mustJSON sends c, requires the status want and decodes the JSON answer into v.
func (s *server) mustJSON(t testing.TB, c call, want int, v any) *http.Response {
	t.Helper()
	resp, body := s.do(t, c)
	if resp.StatusCode != want {
		t.Fatalf("%s %s (contract %q): %d %s, want %d", c.method, c.path, c.contract, resp.StatusCode, body, want)
	}
	if v != nil {
		if err := json.Unmarshal(body, v); err != nil {
			t.Fatalf("%s %s: %v in %s", c.method, c.path, err, body)
		}
	}
	return resp
}

// envelope decodes a gateway error envelope.
func envelope(t testing.TB, body []byte) api.Error {
	t.Helper()
	var e api.Error
	if err := json.Unmarshal(body, &e); err != nil {
		t.Fatalf("not the gateway envelope: %v in %s", err, body)
	}
	return e
}

// requireTool returns the path of a program the test needs (testenv.LookPath: skip loudly, or
// fail under ECCS_TEST_REQUIRE_ALL=1).
func requireTool(t *testing.T, name string) string {
	t.Helper()
	return testenv.LookPath(t, name)
}
