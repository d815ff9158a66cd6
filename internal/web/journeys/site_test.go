package journeys_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/eccs/eccs/internal/devseed"
	"github.com/eccs/eccs/internal/docformat"
	"github.com/eccs/eccs/internal/eccs"
	"github.com/eccs/eccs/internal/fileblob"
	"github.com/eccs/eccs/internal/httpapi"
	"github.com/eccs/eccs/internal/mail"
	"github.com/eccs/eccs/internal/sqlite"
	"github.com/eccs/eccs/internal/testkit/browsertest"
	"github.com/eccs/eccs/internal/testkit/mailtest"
	"github.com/eccs/eccs/internal/web"
)

// keys are the journeys' server keys.
var keys = eccs.Keys{
	HashKey:   []byte("journeys hash key, thirty-two bytes!"),
	TokenKeys: []eccs.TokenKey{{ID: "j1", Secret: []byte("journeys token key, thirty-two bytes")}},
}

// stepTimeout bounds one step of a journey: a page that never shows what the step waits for
// fails it with a screenshot.
const stepTimeout = 30 * time.Second

// site is one journey's server, mailbox and browser.
type site struct {
	t     *testing.T
	url   string // http://localhost:PORT: WebAuthn refuses IP origins
	svc   *eccs.Service
	db    eccs.Store
	creds devseed.Credentials
	pit   *mailtest.Server
	tab   context.Context
	shots int
}

// newSite starts the server on 127.0.0.1 named localhost, its mail queue sending to a new
// Mailpit, and a browser.
func newSite(t *testing.T) *site {
	t.Helper()
	tab := browsertest.Start(t)
	// The first action on a tab starts the browser, bound to the context it runs in: run it on
	// the tab's own, not on a step's shorter one.
	if err := chromedp.Do(tab, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("start the browser: %v", err)
	}
	pit := mailtest.Start(t)
	ctx := t.Context()
	dir := t.TempDir()
	db, err := sqlite.Open(ctx, filepath.Join(dir, "eccs.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	blobs, err := fileblob.Open(filepath.Join(dir, "documents"))
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	origin := fmt.Sprintf("http://localhost:%d", ln.Addr().(*net.TCPAddr).Port)
	creds, err := devseed.Seed(ctx, db, blobs, keys, time.Now(), devseed.URLs{Public: origin, Admin: origin, Web: origin})
	if err != nil {
		t.Fatal(err)
	}
	svc, err := eccs.NewService(db, blobs, eccs.Config{Keys: keys, Formats: docformat.Formats{}, PublicURL: origin})
	if err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.DiscardHandler)
	apiHandler := httpapi.New(svc, logger, httpapi.Config{Admin: &httpapi.AdminConfig{PublicURL: origin}})
	webHandler, err := web.New(svc, web.SignInSessions{Svc: svc}, logger, web.Config{PublicURL: origin})
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: frontDoor(apiHandler, webHandler), ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	startMail(t, db, svc, pit, origin)
	return &site{t: t, url: origin, svc: svc, db: db, creds: creds, pit: pit, tab: tab}
}

// frontDoor sends the API's paths to the API and every other one to the web space, as eccsd
// serve does.
func frontDoor(apiHandler, webHandler http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for _, prefix := range []string{"/cloud/", "/oauth/", "/admin/"} {
			if strings.HasPrefix(r.URL.Path, prefix) {
				apiHandler.ServeHTTP(w, r)
				return
			}
		}
		webHandler.ServeHTTP(w, r)
	})
}

// startMail runs the mail queue, sending through SMTP to pit, until the test ends.
func startMail(t *testing.T, db eccs.Store, svc *eccs.Service, pit *mailtest.Server, origin string) {
	t.Helper()
	cfg, err := mail.ParseSMTPURL(pit.SMTPURL("Acme Cloud <noreply@acme.example>"))
	if err != nil {
		t.Fatal(err)
	}
	transport, err := mail.NewSMTP(cfg)
	if err != nil {
		t.Fatal(err)
	}
	link := func(e eccs.Event) (string, error) {
		path, err := svc.EventLinkPath(e)
		return origin + path, err
	}
	q, err := mail.New(db, link, mail.Options{Transport: transport, From: cfg.From,
		Brand: mail.Brand{Name: "Acme Cloud", PublicURL: origin}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { q.Run(ctx, 200*time.Millisecond) })
	t.Cleanup(func() { cancel(); wg.Wait() })
}

// do runs browser actions, failing the journey on an error.
func (s *site) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(s.tab, stepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		url, _ := chromedp.Run(s.tab, chromedp.Location())
		s.t.Errorf("%s (on %s): %v", what, url, err)
		s.shot("failed")
		s.t.FailNow()
	}
}

// text returns the text of the first element sel matches, once visible.
func (s *site) text(sel string) string {
	s.t.Helper()
	got, err := chromedp.Run(s.tab, chromedp.Text(chromedp.CSS(sel), chromedp.NodeVisible))
	if err != nil {
		s.t.Fatalf("read %s: %v", sel, err)
	}
	return got
}

// shot saves a screenshot of the page, numbered in the journey's order.
func (s *site) shot(name string) {
	s.t.Helper()
	s.shots++
	browsertest.Screenshot(s.t, s.tab, fmt.Sprintf("%s-%02d-%s", s.t.Name(), s.shots, name))
}

// shotBoth saves the page in English, switches it to French (the footer's language switch,
// which reloads it), saves it again and switches back.
func (s *site) shotBoth(name string) {
	s.t.Helper()
	s.shot(name + "-en")
	s.setLanguage("fr")
	s.shot(name + "-fr")
	s.setLanguage("en")
}

// setLanguage uses the footer's language switch and waits for the page in lang.
func (s *site) setLanguage(lang string) {
	s.t.Helper()
	s.do("switch to "+lang,
		chromedp.SetValue(chromedp.CSS("#lang-switch"), lang),
		chromedp.Submit(chromedp.CSS("#lang-switch")),
		chromedp.WaitReady(chromedp.CSS(`html[lang="`+lang+`"]`)),
	)
}

// open navigates to path and waits for sel.
func (s *site) open(path, sel string) {
	s.t.Helper()
	s.do("open "+path, chromedp.Navigate(s.url+path), chromedp.WaitVisible(chromedp.CSS(sel)))
}

// signIn signs in with e-mail and password from /signin and waits for sel.
func (s *site) signIn(email, password, sel string) {
	s.t.Helper()
	s.open("/signin", "#email")
	s.do("sign in as "+email,
		chromedp.SendKeys(chromedp.CSS("#email"), email),
		chromedp.SendKeys(chromedp.CSS("#password"), password),
		chromedp.Submit(chromedp.CSS("#password")),
		chromedp.WaitVisible(chromedp.CSS(sel)),
	)
}

// signOut uses the sign-out button and waits for the sign-in page.
func (s *site) signOut() {
	s.t.Helper()
	s.do("sign out", chromedp.Click(chromedp.CSS("form.signout button")), chromedp.WaitVisible(chromedp.CSS("#email")))
}

// linkPattern finds a one-time link in a mail's HTML (its text may wrap long lines).
var linkPattern = regexp.MustCompile(`href="(http://localhost:\d+/(?:invitation|password-reset)/[A-Za-z0-9_-]+)"`)

// mailLinkTo waits for a mail to address in Mailpit and returns its one-time link.
func (s *site) mailLinkTo(address string) string {
	s.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		for _, m := range s.pit.Messages(s.t) {
			if len(m.To) > 0 && strings.EqualFold(m.To[0].Address, address) {
				if link := linkPattern.FindStringSubmatch(m.HTML); link != nil {
					return link[1]
				}
			}
		}
	}
	mails, _ := s.db.RecentMails(s.t.Context(), 10)
	for _, m := range mails {
		s.t.Logf("mail %s to %s: %s attempts %d, %s", m.Template, m.Recipient, m.State, m.Attempts, m.LastError)
	}
	s.t.Fatalf("no mail with a link to %s in Mailpit", address)
	return ""
}

// apiGet calls the API with a fresh token of the demo application and an API key, and returns
// the status and body.
func (s *site) apiGet(apiKey, contractID, path string) (int, []byte) {
	s.t.Helper()
	token, _, err := s.svc.IssueToken(s.t.Context(), s.creds.ClientID, s.creds.ClientSecret)
	if err != nil {
		s.t.Fatal(err)
	}
	req, err := http.NewRequestWithContext(s.t.Context(), http.MethodGet, s.url+"/cloud/b2b/v1"+path, nil)
	if err != nil {
		s.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token.Value)
	req.Header.Set("X-API-Key", apiKey)
	if contractID != "" {
		req.Header.Set("X-ECCS-Contract-Id", contractID)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil && !errors.Is(err, io.EOF) {
		s.t.Fatal(err)
	}
	return resp.StatusCode, b
}
