package main

// Slow and oversized clients against a running eccsd with its real http.Server limits, made
// short by the --read-header-timeout, --read-timeout and --idle-timeout flags. Every request
// is written byte for byte on its own TCP connection. No test asserts a timing: only that the
// server cut a client, or answered, before a deadline far longer than its limits. (The
// hostile-input table of every endpoint is internal/httpapi/hostile/.)

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/eccs/eccs/api"
	"github.com/eccs/eccs/api/admin"
	"github.com/eccs/eccs/internal/devseed"
)

// hostileCutDeadline is how long a test waits for the server to cut a slow client or answer:
// far longer than the limits the server runs with (1 s and 2 s), so that a loaded machine
// passes, while a server without limits fails.
const hostileCutDeadline = 30 * time.Second

var adminListeningLine = regexp.MustCompile(`(?m)^eccsd admin API on http://(\S+)$`)

// hostileServer is a dev server with short limits and the admin API on its own listener.
type hostileServer struct {
	*server
	customerAddr, adminAddr string
	token                   string // an access token of the demo application
}

func startHostileServer(t *testing.T) *hostileServer {
	t.Helper()
	s := startSeededDev(t, "--read-header-timeout", "1s", "--read-timeout", "2s", "--idle-timeout", "1s",
		"--admin-addr", "127.0.0.1:0", "--rate-limit", "0", "--max-upload-bytes", "1048576")
	m := adminListeningLine.FindStringSubmatch(s.stdout.String())
	if m == nil {
		t.Fatalf("no admin listening line in:\n%s", s.stdout)
	}
	return &hostileServer{server: s, customerAddr: s.hostport, adminAddr: m[1], token: s.demoToken(t)}
}

// TestHostileSlowClientsAreCutWhileOthersAreServed: clients that dribble their headers
// (slowloris), on both listeners, are cut by the header timeout; meanwhile other clients are
// served. A body sent slower than the read timeout is cut, answered 400 at most, and an upload
// cut that way leaves nothing behind. An idle keep-alive connection is closed.
func TestHostileSlowClientsAreCutWhileOthersAreServed(t *testing.T) {
	t.Parallel()
	h := startHostileServer(t)

	t.Run("slowloris", h.checkSlowlorisIsCutWhileOthersAreServed)
	t.Run("slow body", h.checkSlowBodiesAreCut)
	t.Run("idle connection", h.checkIdleConnectionIsClosed)

	// The server is still healthy.
	resp, body := h.do(t, call{path: api.BasePath + "/contracts", token: h.token, key: devseed.AdministratorKey})
	if resp.StatusCode != http.StatusOK {
		t.Errorf("after the slow clients: %d %s", resp.StatusCode, body)
	}
}

// checkSlowlorisIsCutWhileOthersAreServed holds 20 slowloris clients on each listener; while
// they hold their connections, other calls on both listeners are served, and each slow client
// is cut.
func (h *hostileServer) checkSlowlorisIsCutWhileOthersAreServed(t *testing.T) {
	const perListener = 20
	var started, done sync.WaitGroup
	outcomes := make(chan string, 2*perListener)
	for _, addr := range []string{h.customerAddr, h.adminAddr} {
		for range perListener {
			started.Add(1)
			done.Add(1)
			go func() {
				defer done.Done()
				outcomes <- slowloris(addr, started.Done)
			}()
		}
	}
	started.Wait()
	// While every slow client holds a connection, others are served on both listeners.
	for i := range 10 {
		begin := time.Now()
		resp, body := h.do(t, call{path: api.BasePath + "/contracts", token: h.token, key: devseed.AdministratorKey})
		if resp.StatusCode != http.StatusOK {
			t.Errorf("call %d during the slowloris: %d %s", i, resp.StatusCode, body)
		}
		status, _ := h.adminGet(t, "/customers")
		if status != http.StatusOK {
			t.Errorf("admin call %d during the slowloris: %d", i, status)
		}
		if d := time.Since(begin); d > 10*time.Second {
			t.Errorf("calls %d during the slowloris took %s", i, d)
		}
	}
	done.Wait()
	close(outcomes)
	cut := 0
	for outcome := range outcomes {
		if outcome != "" {
			t.Error(outcome)
		} else {
			cut++
		}
	}
	t.Logf("%d slow clients cut by the server", cut)
}

// checkSlowBodiesAreCut sends the body of a token request, a contract order and a document
// upload slower than the read timeout.
func (h *hostileServer) checkSlowBodiesAreCut(t *testing.T) {
	order := `{"billingAccountId":"x","offerCode":"y"}`
	for _, c := range []struct {
		name   string
		addr   string
		header string
		body   string
		size   int // the Content-Length announced
	}{
		{"token request", h.customerAddr,
			"POST " + api.TokenPath + " HTTP/1.1\r\nAuthorization: Basic " + basicValue(devseed.ClientID, devseed.ClientSecret) +
				"\r\nContent-Type: application/x-www-form-urlencoded\r\n", "grant_type=", 1000},
		{"contract order", h.customerAddr,
			"POST " + api.BasePath + "/contract HTTP/1.1\r\nAuthorization: Bearer " + h.token + "\r\n" + api.HeaderAPIKey + ": " +
				devseed.AdministratorKey + "\r\nContent-Type: application/json\r\n", order[:10], 1000},
		{"document upload", h.adminAddr,
			"POST " + admin.BasePath + "/contracts/" + h.creds.SampleContractID + "/documents?type=reports&period=202601&amount=1&currency=EUR HTTP/1.1\r\n" +
				"Authorization: Bearer " + devseed.OperatorToken + "\r\nContent-Type: text/csv\r\n", "a;b\r\n", 100000},
	} {
		t.Run(c.name, func(t *testing.T) {
			head := c.header + "Host: x\r\nContent-Length: " + strconv.Itoa(c.size) + "\r\n\r\n" + c.body
			h.checkSlowBodyIsCut(t, c.addr, head, strings.HasPrefix(c.header, "POST "+api.TokenPath))
		})
	}
}

// checkSlowBodyIsCut sends head, then dribbles the rest of the body to addr: the server cuts
// the connection or answers 4xx (the OAuth invalid_request at the token endpoint, else
// 400/InvalidBody), and neither a document nor a spooled upload is left.
func (h *hostileServer) checkSlowBodyIsCut(t *testing.T, addr, head string, tokenEndpoint bool) {
	documents := h.documentCount(t)
	status, body, err := dribbledBody(addr, head)
	t.Logf("answered %d (0: cut without an answer): %.200s", status, body)
	switch {
	case err != nil:
		t.Error(err)
	case status == 0: // cut without an answer
	case status < 400 || status > 499:
		t.Errorf("a body slower than the read timeout was answered %d: %s", status, body)
	case tokenEndpoint:
		var e api.OAuthError
		if json.Unmarshal(body, &e) != nil || e.Error != api.OAuthInvalidRequest {
			t.Errorf("%d %s, want the OAuth invalid_request", status, body)
		}
	default:
		if e := envelope(t, body); e.Code != api.CodeInvalidBody {
			t.Errorf("%d %s, want 400/%d", status, body, api.CodeInvalidBody)
		}
	}
	if after := h.documentCount(t); after != documents {
		t.Errorf("the contract had %d documents, now %d", documents, after)
	}
	if spooled := spoolLeft(t, h.dataDir); len(spooled) > 0 {
		t.Errorf("the upload spool keeps %v", spooled)
	}
}

// checkIdleConnectionIsClosed makes one call on a keep-alive connection and sends nothing
// more: the server closes the connection.
func (h *hostileServer) checkIdleConnectionIsClosed(t *testing.T) {
	conn, err := net.DialTimeout("tcp", h.customerAddr, hostileCutDeadline)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(hostileCutDeadline))
	if _, err := io.WriteString(conn, "GET /readyz HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(conn)
	resp, err := http.ReadResponse(r, nil)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/readyz: %d", resp.StatusCode)
	}
	if _, err := r.ReadByte(); !closedByPeer(err) {
		t.Errorf("the idle connection was not closed by the server: %v", err)
	}
}

// TestHostileOversizedHeadersAndLongURLsAreRefused: headers past the server's 64 KiB answer
// 431, and so does a URL past it; a long URL or header within it reaches the handlers, which
// answer 4xx in the gateway envelope.
func TestHostileOversizedHeadersAndLongURLsAreRefused(t *testing.T) {
	t.Parallel()
	h := startHostileServer(t)
	creds := "Authorization: Bearer " + h.token + "\r\n" + api.HeaderAPIKey + ": " + devseed.AdministratorKey + "\r\n"
	operator := "Authorization: Bearer " + devseed.OperatorToken + "\r\n"
	many := &strings.Builder{}
	for i := range 3000 {
		fmt.Fprintf(many, "X-Hostile-%d: %s\r\n", i, strings.Repeat("v", 20))
	}
	for _, c := range []struct {
		name    string
		addr    string
		head    string // request line and headers, without the blank line
		status  int
		code    int // for answers of the handlers: the gateway code
		netHTTP bool
	}{
		{"one header of 100 KiB", h.customerAddr, "GET " + api.BasePath + "/contracts HTTP/1.1\r\n" + creds + "X-Hostile: " + strings.Repeat("a", 100<<10) + "\r\n", 431, 0, true},
		{"3000 headers", h.customerAddr, "GET " + api.BasePath + "/contracts HTTP/1.1\r\n" + creds + many.String(), 431, 0, true},
		{"an API key of 100 KiB on the admin listener", h.adminAddr, "GET " + admin.BasePath + "/customers HTTP/1.1\r\nAuthorization: Bearer " + strings.Repeat("a", 100<<10) + "\r\n", 431, 0, true},
		{"a URL of 100 KiB", h.customerAddr, "GET " + api.BasePath + "/contracts/" + strings.Repeat("a", 100<<10) + " HTTP/1.1\r\n" + creds, 431, 0, true},
		{"an API key of 40 KiB", h.customerAddr, "GET " + api.BasePath + "/contracts HTTP/1.1\r\nAuthorization: Bearer " + h.token + "\r\n" + api.HeaderAPIKey + ": " + strings.Repeat("a", 40<<10) + "\r\n", 401, api.CodeInvalidCredentials, false},
		{"a path of 50 KiB", h.customerAddr, "GET " + api.BasePath + "/" + strings.Repeat("a", 50<<10) + " HTTP/1.1\r\n" + creds, 404, api.CodeResourceNotFound, false},
		{"a query value of 50 KiB", h.customerAddr, "GET " + api.BasePath + "/contracts?limit=" + strings.Repeat("9", 50<<10) + " HTTP/1.1\r\n" + creds, 400, api.CodeInvalidQueryParameter, false},
		{"an admin id of 50 KiB", h.adminAddr, "GET " + admin.BasePath + "/customers/" + strings.Repeat("a", 50<<10) + " HTTP/1.1\r\n" + operator, 400, api.CodeInvalidURLParameter, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			status, header, body, err := exchange(c.addr, c.head+"Host: x\r\nConnection: close\r\n\r\n")
			if err != nil {
				t.Fatal(err)
			}
			if status != c.status {
				t.Fatalf("%d %.300s, want %d", status, body, c.status)
			}
			if c.netHTTP {
				return // net/http's own refusal: plain text, before any handler
			}
			if header.Get(api.HeaderRequestID) == "" {
				t.Errorf("no %s: the handler did not answer", api.HeaderRequestID)
			}
			if e := envelope(t, body); e.Code != c.code || e.Message != api.ErrorMessage(c.code) || len(e.Description) > 600 {
				t.Errorf("%d %.300s, want the gateway envelope with code %d and a short description", status, body, c.code)
			}
		})
	}
}

// TestHostileServeRefusesTimeoutsThatWouldLetSlowClientsIn: the limits have floors.
func TestHostileServeRefusesTimeoutsThatWouldLetSlowClientsIn(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		args []string
		env  map[string]string
		want string
	}{
		{args: []string{"--read-header-timeout", "0s"}, want: "--read-header-timeout"},
		{args: []string{"--read-timeout", "1s"}, want: "--read-timeout"}, // shorter than the header timeout (10s)
		{env: map[string]string{"ECCS_IDLE_TIMEOUT": "0s"}, want: "ECCS_IDLE_TIMEOUT"},
		{env: map[string]string{"ECCS_READ_HEADER_TIMEOUT": "soon"}, want: "ECCS_READ_HEADER_TIMEOUT"},
	} {
		dir := filepath.Join(t.TempDir(), "data")
		args := append([]string{"serve", "-dev", "--addr", "127.0.0.1:0", "--data-dir", dir}, c.args...)
		_, _, err := runCmd(t, envOf(c.env), args...)
		if err == nil || !errors.As(err, new(usageError)) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("eccsd %s (env %v): %v, want a usage error naming %s", strings.Join(args, " "), c.env, err, c.want)
		}
	}
}

// slowloris opens a connection to addr, calls started once its request line is sent, then
// sends the headers one byte every 50 ms, never ending them. It returns "" once the server
// has closed the connection, or what went wrong.
func slowloris(addr string, started func()) string {
	conn, err := net.DialTimeout("tcp", addr, hostileCutDeadline)
	if err != nil {
		started()
		return fmt.Sprintf("slowloris: %v", err)
	}
	defer conn.Close()
	begin := time.Now()
	conn.SetDeadline(begin.Add(hostileCutDeadline))
	_, err = io.WriteString(conn, "GET "+api.BasePath+"/contracts HTTP/1.1\r\nHost: x\r\nX-Slow: ")
	started()
	if err != nil {
		return fmt.Sprintf("slowloris: %v", err)
	}
	closed := make(chan error, 1)
	go func() {
		_, err := io.Copy(io.Discard, conn) // whatever the server sends, until it closes
		closed <- err
	}()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case err := <-closed:
			if err != nil && !closedByPeer(err) {
				return fmt.Sprintf("slowloris on %s: not cut by the server after %s: %v", addr, time.Since(begin).Round(time.Millisecond), err)
			}
			return ""
		case <-tick.C:
			conn.Write([]byte("a")) // fails once the server has closed: the reader tells
		}
	}
}

// dribbledBody writes head (a request and the start of its body) to addr, then the rest of the
// body one byte every 100 ms. It returns the answer (status 0: none, the connection was cut)
// or an error when the server neither answered nor cut the client before hostileCutDeadline.
func dribbledBody(addr, head string) (int, []byte, error) {
	conn, err := net.DialTimeout("tcp", addr, hostileCutDeadline)
	if err != nil {
		return 0, nil, err
	}
	defer conn.Close()
	begin := time.Now()
	conn.SetDeadline(begin.Add(hostileCutDeadline))
	if _, err := io.WriteString(conn, head); err != nil {
		return 0, nil, err
	}
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				if _, err := conn.Write([]byte("a")); err != nil {
					return
				}
			}
		}
	}()
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		if closedByPeer(err) || errors.Is(err, io.ErrUnexpectedEOF) {
			return 0, nil, nil
		}
		return 0, nil, fmt.Errorf("no answer and not cut after %s: %v", time.Since(begin).Round(time.Millisecond), err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, body, nil
}

// exchange writes a whole request to addr while it reads the answer (a server may answer
// before it has read everything), and returns the answer.
func exchange(addr, request string) (int, http.Header, []byte, error) {
	conn, err := net.DialTimeout("tcp", addr, hostileCutDeadline)
	if err != nil {
		return 0, nil, nil, err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(hostileCutDeadline))
	go io.WriteString(conn, request)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		return 0, nil, nil, fmt.Errorf("no answer: %v", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body) // net/http may cut its own refusals short
	return resp.StatusCode, resp.Header, body, nil
}

// closedByPeer reports whether err says the other side closed the connection (and not that
// our own deadline passed).
func closedByPeer(err error) bool {
	if err == nil || errors.Is(err, os.ErrDeadlineExceeded) {
		return false
	}
	return errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed) || strings.Contains(err.Error(), "connection reset")
}

func basicValue(id, secret string) string {
	req, _ := http.NewRequest("GET", "/", nil)
	req.SetBasicAuth(id, secret)
	return strings.TrimPrefix(req.Header.Get("Authorization"), "Basic ")
}

// adminGet makes an admin API call with the demo operator token and returns its status and
// body.
func (h *hostileServer) adminGet(t *testing.T, path string) (int, []byte) {
	t.Helper()
	status, _, body, err := exchange(h.adminAddr, "GET "+admin.BasePath+path+" HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "+devseed.OperatorToken+"\r\nConnection: close\r\n\r\n")
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	return status, body
}

// documentCount is how many documents the sample contract has, through the admin API.
func (h *hostileServer) documentCount(t *testing.T) int {
	t.Helper()
	status, body := h.adminGet(t, "/contracts/"+h.creds.SampleContractID+"/documents?limit=1")
	var list admin.List[admin.Document]
	if status != http.StatusOK || json.Unmarshal(body, &list) != nil {
		t.Fatalf("count documents: %d %s", status, body)
	}
	return list.Total
}

// spoolLeft lists the files left in the upload spool of a data directory.
func spoolLeft(t *testing.T, dataDir string) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(dataDir, "uploads"))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}
