// Package webtest is the fixture of the web space's tests: the customer API and the web space
// side by side on loopback, over one service on a copy of the seeded test world (apitest), with
// a Sessions that maps cookie values to the world's accounts, and helpers that fetch pages and
// parse them with golang.org/x/net/html. A package that uses it hands its TestMain to
// apitest.Main.
package webtest

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"golang.org/x/net/html"

	"github.com/eccs/eccs/internal/eccs"
	"github.com/eccs/eccs/internal/testkit/apitest"
	"github.com/eccs/eccs/internal/web"
)

// Env is one test's API and web space.
type Env struct {
	T        *testing.T
	API      *apitest.Env
	URL      string // the web space's origin
	Sessions *Sessions
	client   *http.Client
}

// NewEnv starts the web space beside a fresh apitest.Env, with cfg (its PublicURL and Now are
// set here).
func NewEnv(t *testing.T, cfg web.Config) *Env {
	t.Helper()
	api := apitest.NewEnv(t)
	e := &Env{T: t, API: api, Sessions: &Sessions{byCookie: map[string]web.Session{}}}
	srv := httptest.NewUnstartedServer(nil)
	cfg.PublicURL = "http://" + srv.Listener.Addr().String()
	cfg.Now = api.Clock.Now
	h, err := web.New(api.Svc, e.Sessions, slog.New(slog.NewJSONHandler(api.Logs, nil)), cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv.Config.Handler = h
	srv.Start()
	t.Cleanup(srv.Close)
	e.URL = srv.URL
	e.client = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return e
}

// Sessions maps cookie values to sessions; the zero value is not usable (NewEnv makes one).
type Sessions struct {
	mu       sync.Mutex
	byCookie map[string]web.Session
}

// SessionFor returns the session of a cookie value, or Unauthenticated.
func (s *Sessions) SessionFor(_ context.Context, cookie, _, _ string) (web.Session, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sess, ok := s.byCookie[cookie]; ok {
		return sess, nil
	}
	return web.Session{}, eccs.Errorf(eccs.Unauthenticated, "No such session.")
}

// SignInWithKey signs in the person of the account an API key names and returns the cookie
// value of their session.
func (e *Env) SignInWithKey(key string) string {
	e.T.Helper()
	ctx := e.T.Context()
	acct, _, err := e.API.Svc.AccountForKey(ctx, key)
	if err != nil {
		e.T.Fatal(err)
	}
	person, err := e.API.Svc.Identity(ctx, acct.IdentityID)
	if err != nil {
		e.T.Fatal(err)
	}
	cookie := "session-of-" + acct.ID
	e.Sessions.mu.Lock()
	e.Sessions.byCookie[cookie] = web.Session{ID: "sid-" + acct.ID, Person: person, Account: acct, Accounts: []eccs.Account{acct}}
	e.Sessions.mu.Unlock()
	return cookie
}

// Page is a fetched page.
type Page struct {
	Status int
	Header http.Header
	Body   []byte
}

// Get fetches path with the session cookie (none when empty) and the given headers.
func (e *Env) Get(cookie, path string, header ...string) Page {
	return e.do(http.MethodGet, cookie, path, nil, header)
}

// Post sends a form to path, from the web space's own origin unless header says otherwise.
func (e *Env) Post(cookie, path string, form url.Values, header ...string) Page {
	return e.do(http.MethodPost, cookie, path, form, header)
}

func (e *Env) do(method, cookie, path string, form url.Values, header []string) Page {
	e.T.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(e.T.Context(), method, e.URL+path, body)
	if err != nil {
		e.T.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", e.URL)
		req.Header.Set("Sec-Fetch-Site", "same-origin")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	if cookie != "" {
		req.AddCookie(&http.Cookie{Name: web.SessionCookie, Value: cookie})
	}
	resp, err := e.client.Do(req)
	if err != nil {
		e.T.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.T.Fatal(err)
	}
	return Page{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

// Parse parses a page's HTML.
func (p Page) Parse(t testing.TB) *html.Node {
	t.Helper()
	doc, err := html.Parse(bytes.NewReader(p.Body))
	if err != nil {
		t.Fatalf("parse the page: %v", err)
	}
	return doc
}

// FindAll returns the nodes under n, in document order, for which match is true.
func FindAll(n *html.Node, match func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	for d := range n.Descendants() {
		if match(d) {
			out = append(out, d)
		}
	}
	return out
}

// Elements returns the elements named tag under n.
func Elements(n *html.Node, tag string) []*html.Node {
	return FindAll(n, func(d *html.Node) bool { return d.Type == html.ElementNode && d.Data == tag })
}

// Attr returns the value of attribute key of n, "" when absent.
func Attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// Text returns the text under n, its pieces joined by spaces.
func Text(n *html.Node) string {
	var parts []string
	for d := range n.Descendants() {
		if d.Type == html.TextNode {
			if s := strings.TrimSpace(d.Data); s != "" {
				parts = append(parts, s)
			}
		}
	}
	return strings.Join(parts, " ")
}

// Links returns the href of every link under n whose href starts with prefix.
func Links(n *html.Node, prefix string) []string {
	var out []string
	for _, a := range Elements(n, "a") {
		if href := Attr(a, "href"); strings.HasPrefix(href, prefix) {
			out = append(out, href)
		}
	}
	return out
}
