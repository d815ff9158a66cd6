package main

// The CLI's tests run against the real server (internal/httpapi over SQLite and files, seeded
// with the dev world) on loopback, behind a wrapper that counts token requests, refuses calls
// with 429 or 503 on demand, and cuts downloads midway.

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/eccs/eccs/api"
	"github.com/eccs/eccs/internal/devseed"
	"github.com/eccs/eccs/internal/docformat"
	"github.com/eccs/eccs/internal/eccs"
	"github.com/eccs/eccs/internal/fileblob"
	"github.com/eccs/eccs/internal/httpapi"
	"github.com/eccs/eccs/internal/sqlite"
	"github.com/eccs/eccs/internal/testkit/openapitest"
	"github.com/eccs/eccs/internal/testkit/testenv"
)

// seedTime is when the test world was seeded.
var seedTime = time.Date(2026, 6, 15, 10, 0, 0, 0, time.UTC)

var testKeys = eccs.Keys{
	HashKey:   []byte("cli test hash key, thirty-two bytes"),
	TokenKeys: []eccs.TokenKey{{ID: "cli1", Secret: []byte("cli test token key, thirty-two b!")}},
}

// template is a seeded data directory, made once and copied for each server.
var template struct {
	dir   string
	creds devseed.Credentials
}

func TestMain(m *testing.M) {
	os.Exit(testMain(m))
}

func testMain(m *testing.M) int {
	dir, err := os.MkdirTemp("", "eccs-cli-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	template.dir = dir
	if template.creds, err = seed(dir); err != nil {
		fmt.Fprintln(os.Stderr, "seed the test world:", err)
		return 1
	}
	return m.Run()
}

func seed(dir string) (devseed.Credentials, error) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(dir, "eccs.db"), sqlite.Options{})
	if err != nil {
		return devseed.Credentials{}, err
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		return devseed.Credentials{}, err
	}
	blobs, err := fileblob.Open(filepath.Join(dir, "documents"))
	if err != nil {
		return devseed.Credentials{}, err
	}
	return devseed.Seed(ctx, db, blobs, testKeys, seedTime, devseed.URLs{Public: "http://example.invalid", Admin: "http://example.invalid"})
}

// server is a real eccs server on loopback behind the test wrapper.
type server struct {
	URL   string
	clock *testenv.Clock
	creds devseed.Credentials
	blobs *fileblob.Store
	svc   *eccs.Service

	// Counters of what reached the server.
	tokenRequests atomic.Int64 // POST /oauth/v3/token
	calls         atomic.Int64 // /cloud/b2b/v1 requests
	rangeRequests atomic.Int64 // requests with a Range header
	refused       atomic.Int64 // answers the wrapper made up (429, 503)
	cutsDone      atomic.Int64

	// What to do to the next requests.
	refuseCalls  atomic.Int64 // resource calls to refuse with refuseStatus
	refuseTokens atomic.Int64 // token requests to refuse with 429
	refuseStatus atomic.Int64 // 429 (default), 503 or 401 (code 42)
	retryAfter   atomic.Value // Retry-After of refusals (string; default "1")
	cuts         atomic.Int64 // file answers to cut after a third of their length
	corrupt      atomic.Bool  // flip a byte of file answers
	badIfRange   atomic.Bool  // alter If-Range on resumed requests (the document "changed")

	close func()
}

// startServer starts a server on a copy of the seeded world in dir.
func startServer(dir string) (*server, error) {
	if err := os.CopyFS(dir, os.DirFS(template.dir)); err != nil {
		return nil, fmt.Errorf("copy the test world: %w", err)
	}
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(dir, "eccs.db"), sqlite.Options{})
	if err != nil {
		return nil, err
	}
	blobs, err := fileblob.Open(filepath.Join(dir, "documents"))
	if err != nil {
		db.Close()
		return nil, err
	}
	clk := testenv.NewClock(seedTime.Add(time.Hour))
	svc, err := eccs.NewService(db, blobs, eccs.Config{Keys: testKeys, Now: clk.Now, Formats: docformat.Formats{}})
	if err != nil {
		db.Close()
		return nil, err
	}
	s := &server{clock: clk, creds: template.creds, blobs: blobs, svc: svc}
	s.retryAfter.Store("1")
	s.refuseStatus.Store(http.StatusTooManyRequests)
	h := httpapi.New(svc, slog.New(slog.DiscardHandler), httpapi.Config{Now: clk.Now})
	ts := httptest.NewServer(s.wrap(h))
	s.URL = ts.URL
	s.close = func() { ts.Close(); db.Close() }
	return s, nil
}

// newServer starts a server of its own for one test.
func newServer(t *testing.T) *server {
	t.Helper()
	s, err := startServer(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.close)
	return s
}

func (s *server) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == api.TokenPath {
			s.tokenRequests.Add(1)
			if take(&s.refuseTokens) {
				s.refuse(w, http.StatusTooManyRequests)
				return
			}
		} else if strings.HasPrefix(r.URL.Path, api.BasePath) {
			s.calls.Add(1)
			if take(&s.refuseCalls) {
				s.refuse(w, int(s.refuseStatus.Load()))
				return
			}
		}
		if r.Header.Get("Range") != "" {
			s.rangeRequests.Add(1)
			if s.badIfRange.Load() {
				r.Header.Set("If-Range", `"0000"`)
			}
		}
		if strings.HasSuffix(r.URL.Path, "/file") {
			if take(&s.cuts) {
				w = &cuttingWriter{ResponseWriter: w, s: s}
			} else if s.corrupt.Load() {
				w = &corruptingWriter{ResponseWriter: w}
			}
		}
		next.ServeHTTP(w, r)
	})
}

// take decrements n when it is positive and reports whether it did.
func take(n *atomic.Int64) bool {
	for {
		v := n.Load()
		if v <= 0 {
			return false
		}
		if n.CompareAndSwap(v, v-1) {
			return true
		}
	}
}

// refuse answers as a loaded gateway does: the envelope with code 53 (429) or 5 (503), and
// Retry-After; or 401/42, as for an expired token.
func (s *server) refuse(w http.ResponseWriter, status int) {
	s.refused.Add(1)
	code := api.CodeTooManyRequests
	switch status {
	case http.StatusServiceUnavailable:
		code = api.CodeServiceUnavailable
	case http.StatusUnauthorized:
		code = api.CodeExpiredCredentials
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	if status == http.StatusUnauthorized {
		h.Set("WWW-Authenticate", "Bearer")
	} else {
		h.Set("Retry-After", s.retryAfter.Load().(string))
		h.Set("RateLimit-Limit", "100")
		h.Set("RateLimit-Remaining", "0")
		h.Set("RateLimit-Reset", s.retryAfter.Load().(string))
	}
	w.Header().Set(api.HeaderRequestID, "test-refusal")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(api.Error{Code: code, Message: api.ErrorMessage(code), Description: "The test server refuses this call."})
}

// cuttingWriter sends a third of the announced body, then cuts the connection.
type cuttingWriter struct {
	http.ResponseWriter
	s       *server
	limit   int64 // -1 until the headers are known
	written int64
	started bool
}

func (c *cuttingWriter) Write(b []byte) (int, error) {
	if !c.started {
		c.started = true
		n, _ := strconv.ParseInt(c.Header().Get("Content-Length"), 10, 64)
		c.limit = n / 3
	}
	if c.limit > 0 && c.written+int64(len(b)) > c.limit {
		part := b[:c.limit-c.written]
		c.ResponseWriter.Write(part)
		c.ResponseWriter.(http.Flusher).Flush()
		c.s.cutsDone.Add(1)
		panic(http.ErrAbortHandler)
	}
	n, err := c.ResponseWriter.Write(b)
	c.written += int64(n)
	return n, err
}

// corruptingWriter flips the first byte of the body.
type corruptingWriter struct {
	http.ResponseWriter
	done bool
}

func (c *corruptingWriter) Write(b []byte) (int, error) {
	if !c.done && len(b) > 0 {
		c.done = true
		b = append([]byte{b[0] ^ 0xff}, b[1:]...)
	}
	return c.ResponseWriter.Write(b)
}

// validating returns an HTTP client that checks every answer against api/openapi.yaml.
func validating(t *testing.T) *http.Client {
	return &http.Client{Transport: openapitest.New(t).Transport(t, http.DefaultTransport)}
}

// fileBytes returns a document's stored bytes, read from the blob store directly.
func (s *server) fileBytes(t *testing.T, contractID, documentID string) []byte {
	t.Helper()
	ctx := t.Context()
	acct, _, err := s.svc.AccountForKey(ctx, s.creds.APIKeys.Client)
	if err != nil {
		t.Fatal(err)
	}
	access, err := s.svc.ContractAccess(ctx, acct, contractID)
	if err != nil {
		t.Fatal(err)
	}
	_, blob, err := s.svc.OpenDocument(ctx, access, documentID)
	if err != nil {
		t.Fatal(err)
	}
	defer blob.Close()
	b, err := io.ReadAll(blob)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
