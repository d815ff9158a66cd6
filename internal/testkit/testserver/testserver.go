// Package testserver starts the real eccs server for the tests of its clients (the SDK's
// end-to-end tests in e2e/, the CLI's in cmd/eccs): internal/httpapi over SQLite and files,
// seeded with the dev world, on loopback, behind a wrapper that counts token requests, refuses
// calls with 429 or 503 on demand, and cuts downloads midway.
//
// A test package seeds the world once, from its TestMain, and each test starts a server of its
// own on a copy of it:
//
//	var world *testserver.World
//
//	func TestMain(m *testing.M) {
//		w, err := testserver.Seed("eccs-xyz-test-")
//		…
//		world = w
//		code := m.Run()
//		w.Remove()
//		os.Exit(code)
//	}
//
//	func TestSomething(t *testing.T) {
//		s := world.NewServer(t)
//		c := s.NewClient(t)
//		…
package testserver

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
	"github.com/eccs/eccs/client"
	"github.com/eccs/eccs/internal/devseed"
	"github.com/eccs/eccs/internal/docformat"
	"github.com/eccs/eccs/internal/eccs"
	"github.com/eccs/eccs/internal/fileblob"
	"github.com/eccs/eccs/internal/httpapi"
	"github.com/eccs/eccs/internal/sqlite"
	"github.com/eccs/eccs/internal/testkit/openapitest"
	"github.com/eccs/eccs/internal/testkit/testenv"
)

// SeedTime is when the test world was seeded. The clock of every server starts an hour later.
var SeedTime = time.Date(2026, 6, 15, 10, 0, 0, 0, time.UTC)

// Keys are the servers' keys: the hash key of stored secrets and the token signing key.
var Keys = eccs.Keys{
	HashKey:   []byte("test server hash key, thirty-two bytes"),
	TokenKeys: []eccs.TokenKey{{ID: "ts1", Secret: []byte("test server token key, thirty-two b")}},
}

// World is a seeded data directory, made once and copied for each server.
type World struct {
	Dir   string              // the data directory: eccs.db and documents/
	Creds devseed.Credentials // the credentials the dev world was seeded with
}

// Seed seeds the dev world in a new temporary directory (os.MkdirTemp with pattern). Remove
// removes it.
func Seed(pattern string) (*World, error) {
	dir, err := os.MkdirTemp("", pattern)
	if err != nil {
		return nil, err
	}
	creds, err := seed(dir)
	if err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("seed the test world: %w", err)
	}
	return &World{Dir: dir, Creds: creds}, nil
}

// Remove removes the world's directory.
func (w *World) Remove() error { return os.RemoveAll(w.Dir) }

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
	return devseed.Seed(ctx, db, blobs, Keys, SeedTime, devseed.URLs{Public: "http://example.invalid", Admin: "http://example.invalid"})
}

// Server is a real eccs server on loopback behind the test wrapper. The counters say what
// reached it; the fields under them, set by a test, say what to do to the next requests.
type Server struct {
	URL   string              // http://127.0.0.1:port
	Clock *testenv.Clock      // the server's clock, SeedTime plus an hour at the start
	Creds devseed.Credentials // the dev world's credentials
	Blobs *fileblob.Store     // the document store
	Svc   *eccs.Service       // the service behind the handler

	// Counters of what reached the server.
	TokenRequests atomic.Int64 // POST /oauth/v3/token
	Calls         atomic.Int64 // /cloud/b2b/v1 requests
	RangeRequests atomic.Int64 // requests with a Range header
	Refused       atomic.Int64 // answers the wrapper made up (429, 503)
	CutsDone      atomic.Int64

	// What to do to the next requests.
	RefuseCalls  atomic.Int64 // resource calls to refuse with RefuseStatus
	RefuseTokens atomic.Int64 // token requests to refuse with 429
	RefuseStatus atomic.Int64 // 429 (default), 503 or 401 (code 42)
	RetryAfter   atomic.Value // Retry-After of refusals (string; default "1")
	Cuts         atomic.Int64 // file answers to cut after a third of their length
	Corrupt      atomic.Bool  // flip a byte of file answers
	BadIfRange   atomic.Bool  // alter If-Range on resumed requests (the document "changed")

	close func()
}

// Start starts a server on a copy of the world in dir. Close stops it.
func (w *World) Start(dir string) (*Server, error) {
	if err := os.CopyFS(dir, os.DirFS(w.Dir)); err != nil {
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
	clk := testenv.NewClock(SeedTime.Add(time.Hour))
	svc, err := eccs.NewService(db, blobs, eccs.Config{Keys: Keys, Now: clk.Now, Formats: docformat.Formats{}})
	if err != nil {
		db.Close()
		return nil, err
	}
	s := &Server{Clock: clk, Creds: w.Creds, Blobs: blobs, Svc: svc}
	s.RetryAfter.Store("1")
	s.RefuseStatus.Store(http.StatusTooManyRequests)
	h := httpapi.New(svc, slog.New(slog.DiscardHandler), httpapi.Config{Now: clk.Now})
	ts := httptest.NewServer(s.wrap(h))
	s.URL = ts.URL
	s.close = func() { ts.Close(); db.Close() }
	return s, nil
}

// NewServer starts a server of its own for t, stopped when t ends.
func (w *World) NewServer(t testing.TB) *Server {
	t.Helper()
	s, err := w.Start(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// Close stops the server.
func (s *Server) Close() { s.close() }

func (s *Server) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == api.TokenPath {
			s.TokenRequests.Add(1)
			if take(&s.RefuseTokens) {
				s.refuse(w, http.StatusTooManyRequests)
				return
			}
		} else if strings.HasPrefix(r.URL.Path, api.BasePath) {
			s.Calls.Add(1)
			if take(&s.RefuseCalls) {
				s.refuse(w, int(s.RefuseStatus.Load()))
				return
			}
		}
		if r.Header.Get("Range") != "" {
			s.RangeRequests.Add(1)
			if s.BadIfRange.Load() {
				r.Header.Set("If-Range", `"0000"`)
			}
		}
		if strings.HasSuffix(r.URL.Path, "/file") {
			if take(&s.Cuts) {
				w = &cuttingWriter{ResponseWriter: w, s: s}
			} else if s.Corrupt.Load() {
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
func (s *Server) refuse(w http.ResponseWriter, status int) {
	s.Refused.Add(1)
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
		h.Set("Retry-After", s.RetryAfter.Load().(string))
		h.Set("RateLimit-Limit", "100")
		h.Set("RateLimit-Remaining", "0")
		h.Set("RateLimit-Reset", s.RetryAfter.Load().(string))
	}
	w.Header().Set(api.HeaderRequestID, "test-refusal")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(api.Error{Code: code, Message: api.ErrorMessage(code), Description: "The test server refuses this call."})
}

// cuttingWriter sends a third of the announced body, then cuts the connection.
type cuttingWriter struct {
	http.ResponseWriter
	s       *Server
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
		c.s.CutsDone.Add(1)
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

// Validating returns an HTTP client that checks every answer against api/openapi.yaml (and
// fails t when one does not match it).
func Validating(t testing.TB) *http.Client {
	return &http.Client{Transport: openapitest.New(t).Transport(t, http.DefaultTransport)}
}

// NewClient returns an SDK client of s with the demo application and the given key (default
// the client account's), its answers checked against api/openapi.yaml, and no environment.
// Options are applied after those, so they may replace them.
func (s *Server) NewClient(t testing.TB, opts ...client.Option) *client.Client {
	t.Helper()
	all := append([]client.Option{
		client.WithEnv(func(string) string { return "" }),
		client.WithCredentials(s.Creds.ClientID, s.Creds.ClientSecret),
		client.WithAPIKey(s.Creds.APIKeys.Client),
		client.WithHTTPClient(Validating(t)),
	}, opts...)
	c, err := client.New(s.URL, all...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// FileBytes returns a document's stored bytes, read from the blob store directly.
func (s *Server) FileBytes(t testing.TB, contractID, documentID string) []byte {
	t.Helper()
	ctx := t.Context()
	_, blob, err := s.Svc.OperatorDocument(ctx, contractID, documentID)
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
