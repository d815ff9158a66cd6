package web_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/eccs/eccs/internal/clientaddr"
	"github.com/eccs/eccs/internal/eccs"
	"github.com/eccs/eccs/internal/mail"
	"github.com/eccs/eccs/internal/testkit/apitest"
	"github.com/eccs/eccs/internal/web"
)

// signInEnv is the web space with the real sign-in service, over a fresh seeded world.
type signInEnv struct {
	t   *testing.T
	api *apitest.Env
	url string
}

// newSignInEnv starts the web space with SignInSessions; trusted lists the proxies whose
// X-Forwarded-For is believed ("" for none).
func newSignInEnv(t *testing.T, trusted string) *signInEnv {
	t.Helper()
	return newSignInEnvAt(t, trusted, "")
}

// newSignInEnvAt is newSignInEnv with the public URL given ("" for the server's own).
func newSignInEnvAt(t *testing.T, trusted, publicURL string) *signInEnv {
	t.Helper()
	return newSignInEnvWith(t, trusted, publicURL, nil)
}

// newSignInEnvWith is newSignInEnvAt with /dev/mail served from the mail queue over the
// env's store when devMail is not nil (it then holds the queue).
func newSignInEnvWith(t *testing.T, trusted, publicURL string, devMail **mail.Queue) *signInEnv {
	t.Helper()
	api := apitest.NewEnv(t)
	rule, err := clientaddr.Parse(trusted)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(nil)
	if publicURL == "" {
		publicURL = "http://" + srv.Listener.Addr().String()
	}
	cfg := web.Config{PublicURL: publicURL, Now: api.Clock.Now, ClientAddr: rule}
	if devMail != nil {
		q, err := mail.New(api.DB, func(e eccs.Event) (string, error) {
			path, err := api.Svc.EventLinkPath(e)
			return publicURL + path, err
		}, mail.Options{Now: api.Clock.Now})
		if err != nil {
			t.Fatal(err)
		}
		*devMail, cfg.DevMails = q, q.Recent
	}
	h, err := web.New(api.Svc, web.SignInSessions{Svc: api.Svc}, slog.New(slog.NewJSONHandler(api.Logs, nil)), cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv.Config.Handler = h
	srv.Start()
	t.Cleanup(srv.Close)
	return &signInEnv{t: t, api: api, url: srv.URL}
}

// invite invites the holder of the account of an API key and returns their e-mail and the
// invitation's path.
func (e *signInEnv) invite(key string) (email, path string) {
	e.t.Helper()
	acct, _, err := e.api.Svc.AccountForKey(e.t.Context(), key)
	if err != nil {
		e.t.Fatal(err)
	}
	inv, err := e.api.Svc.InviteAccount(e.t.Context(), acct.ID, "en")
	if err != nil {
		e.t.Fatal(err)
	}
	return inv.Person.Email, e.api.Svc.LinkURL(eccs.LinkInvitation, inv.Link.ID)
}

// person gives the holder of the client account a password and returns their e-mail.
func (e *signInEnv) person(password string) string {
	e.t.Helper()
	email, path := e.invite(e.api.Creds.APIKeys.Client)
	if resp := e.post(newBrowser(e.t), path, url.Values{"password": {password}, "confirm": {password}}); resp.StatusCode != http.StatusSeeOther {
		e.t.Fatalf("set the password: status %d", resp.StatusCode)
	}
	return email
}

// newBrowser is a client that keeps cookies and does not follow redirects.
func newBrowser(t *testing.T) *http.Client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// post sends a form from the web space's own origin, with headers given in pairs.
func (e *signInEnv) post(c *http.Client, path string, form url.Values, header ...string) *http.Response {
	e.t.Helper()
	req, err := http.NewRequestWithContext(e.t.Context(), http.MethodPost, e.url+path, strings.NewReader(form.Encode()))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", e.url)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return e.do(c, req)
}

// get fetches path.
func (e *signInEnv) get(c *http.Client, path string) *http.Response {
	e.t.Helper()
	req, err := http.NewRequestWithContext(e.t.Context(), http.MethodGet, e.url+path, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	return e.do(c, req)
}

func (e *signInEnv) do(c *http.Client, req *http.Request) *http.Response {
	e.t.Helper()
	resp, err := c.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		e.t.Fatal(err)
	}
	resp.Body = io.NopCloser(strings.NewReader(string(body)))
	return resp
}

// body is what an answer held.
func body(t *testing.T, resp *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// sessionCookie returns the Set-Cookie of the session in resp, nil without one.
func sessionCookie(resp *http.Response) *http.Cookie {
	for _, c := range resp.Cookies() {
		if c.Name == web.SessionCookie || c.Name == web.SecureSessionCookie {
			return c
		}
	}
	return nil
}
