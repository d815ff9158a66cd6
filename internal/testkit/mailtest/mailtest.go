// Package mailtest gives tests a real SMTP server: a Mailpit it starts on loopback ports,
// offline (no version check, no remote fonts, no reverse DNS) and without authentication, and
// reads back the mails it received through Mailpit's API. Mailpit is a test tool only, pinned
// in tools/go.mod: ECCS_TEST_MAILPIT names its binary (default ~/.cache/eccs-test/bin/mailpit,
// which .ci/run fills, else mailpit on the PATH). Without it, tests skip loudly, or fail under
// ECCS_TEST_REQUIRE_ALL=1. Each call of Start gets a server of its own, stopped when the test
// ends.
package mailtest

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/eccs/eccs/internal/testkit/testenv"
)

// Server is a running Mailpit.
type Server struct {
	SMTPHost string
	SMTPPort int
	api      string // base URL of the HTTP API, ending in /api/v1
}

// Address is an address of a received mail.
type Address struct {
	Name    string `json:"Name"`
	Address string `json:"Address"`
}

// Message is a mail Mailpit received.
type Message struct {
	ID        string    `json:"ID"` // Mailpit's id
	MessageID string    `json:"MessageID"`
	From      Address   `json:"From"`
	To        []Address `json:"To"`
	Subject   string    `json:"Subject"`
	Text      string    `json:"Text"`
	HTML      string    `json:"HTML"`
}

// Binary returns the path of the Mailpit binary tests use, or "" when there is none.
func Binary() string {
	if p := os.Getenv("ECCS_TEST_MAILPIT"); p != "" {
		return p
	}
	home, _ := os.UserHomeDir()
	if p := filepath.Join(home, ".cache", "eccs-test", "bin", "mailpit"); fileExists(p) {
		return p
	}
	if p, err := exec.LookPath("mailpit"); err == nil {
		return p
	}
	return ""
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// Start starts a Mailpit for t and returns once it answers on both ports.
func Start(t testing.TB) *Server {
	t.Helper()
	bin := Binary()
	if bin == "" || !fileExists(bin) {
		testenv.Unavailable(t, "no Mailpit (set ECCS_TEST_MAILPIT, or build it: GOBIN=~/.cache/eccs-test/bin go install -modfile=tools/go.mod github.com/axllent/mailpit)")
	}
	httpPort, smtpPort := freePort(t), freePort(t)
	dir := t.TempDir()
	cmd := exec.Command(bin,
		"--listen", "127.0.0.1:"+strconv.Itoa(httpPort),
		"--smtp", "127.0.0.1:"+strconv.Itoa(smtpPort),
		"--database", filepath.Join(dir, "mailpit.db"),
		"--disable-version-check", "--block-remote-css-and-fonts", "--smtp-disable-rdns", "--quiet")
	log, err := os.Create(filepath.Join(dir, "mailpit.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatalf("start mailpit: %v", err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		log.Close()
	})
	s := &Server{SMTPHost: "127.0.0.1", SMTPPort: smtpPort, api: fmt.Sprintf("http://127.0.0.1:%d/api/v1", httpPort)}
	deadline := time.Now().Add(20 * time.Second)
	for !s.ready() {
		if time.Now().After(deadline) {
			out, _ := os.ReadFile(log.Name())
			t.Fatalf("mailpit did not answer within 20s: %s", out)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return s
}

func (s *Server) ready() bool {
	c, err := net.DialTimeout("tcp", net.JoinHostPort(s.SMTPHost, strconv.Itoa(s.SMTPPort)), time.Second)
	if err != nil {
		return false
	}
	c.Close()
	resp, err := http.Get(s.api + "/messages")
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// SMTPURL returns an smtp:// URL of the server, in plain text (Mailpit offers no TLS here),
// with from as the sender.
func (s *Server) SMTPURL(from string) string {
	return fmt.Sprintf("smtp://%s:%d?starttls=none&from=%s", s.SMTPHost, s.SMTPPort, url.QueryEscape(from))
}

// Messages returns every message received so far, each read whole, the newest first.
func (s *Server) Messages(t testing.TB) []Message {
	t.Helper()
	var list struct {
		Messages []struct {
			ID string `json:"ID"`
		} `json:"messages"`
	}
	s.get(t, "/messages?limit=1000", &list)
	out := make([]Message, 0, len(list.Messages))
	for _, m := range list.Messages {
		var full Message
		s.get(t, "/message/"+url.PathEscape(m.ID), &full)
		out = append(out, full)
	}
	return out
}

// WaitMessages polls until the server has received at least n messages, or fails t after
// timeout; it returns them all, the newest first.
func (s *Server) WaitMessages(t testing.TB, n int, timeout time.Duration) []Message {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		msgs := s.Messages(t)
		if len(msgs) >= n {
			return msgs
		}
		if time.Now().After(deadline) {
			t.Fatalf("mailpit received %d messages within %s, want %d", len(msgs), timeout, n)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (s *Server) get(t testing.TB, path string, into any) {
	t.Helper()
	resp, err := http.Get(s.api + path)
	if err != nil {
		t.Fatalf("mailpit GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("mailpit GET %s: %d %s %v", path, resp.StatusCode, body, err)
	}
	if err := json.Unmarshal(body, into); err != nil {
		t.Fatalf("mailpit GET %s: %v: %s", path, err, body)
	}
}

func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
