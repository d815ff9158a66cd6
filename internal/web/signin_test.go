package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

const testPassword = "correct horse battery staple"

func TestSignInSetsAFreshHttpOnlyLaxCookieAndSignOutEndsTheSession(t *testing.T) {
	e := newSignInEnv(t, "")
	email := e.person(testPassword)
	var values []string
	for range 2 {
		resp := e.post(newBrowser(t), "/signin", url.Values{"email": {email}, "password": {testPassword}, "next": {"/keys"}})
		c := sessionCookie(resp)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/keys" || c == nil {
			t.Fatalf("sign in: status %d, location %q, cookie %v", resp.StatusCode, resp.Header.Get("Location"), c)
		}
		if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" || c.Secure {
			t.Errorf("cookie on an http origin = %+v, want HttpOnly, SameSite=Lax, Path=/, not Secure", c)
		}
		values = append(values, c.Value)
	}
	if values[0] == values[1] {
		t.Error("two sign-ins got the same session secret")
	}
	b := newBrowser(t)
	e.post(b, "/signin", url.Values{"email": {email}, "password": {testPassword}})
	if resp := e.get(b, "/account"); resp.StatusCode != http.StatusOK {
		t.Fatalf("/account signed in: status %d", resp.StatusCode)
	}
	out := e.post(b, "/signout", url.Values{})
	if c := sessionCookie(out); c == nil || c.MaxAge >= 0 {
		t.Errorf("sign-out's cookie = %v, want it cleared", c)
	}
	if resp := e.get(b, "/account"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("/account after sign-out: status %d, want 303 to sign in", resp.StatusCode)
	}
}

func TestSignInPagesCarryThePolicyAndLoadOnlyOurScript(t *testing.T) {
	e := newSignInEnv(t, "")
	for _, path := range []string{"/signin", "/password-reset", "/signin/code"} {
		resp := e.get(newBrowser(t), path)
		csp := resp.Header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") {
			t.Errorf("%s: CSP %q", path, csp)
		}
	}
	page := body(t, e.get(newBrowser(t), "/signin"))
	if !regexp.MustCompile(`<script src="/assets/passkey\.js\?v=[0-9a-f]+" defer></script>`).MatchString(page) || strings.Count(page, "<script") != 1 {
		t.Errorf("/signin should load passkey.js and no other script:\n%s", page)
	}
	if resp := e.get(newBrowser(t), "/assets/passkey.js"); resp.StatusCode != http.StatusOK ||
		!strings.HasPrefix(resp.Header.Get("Content-Type"), "text/javascript") {
		t.Errorf("/assets/passkey.js: status %d, type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
}

func TestNextAcceptsOnlyLocalPaths(t *testing.T) {
	e := newSignInEnv(t, "")
	email := e.person(testPassword)
	for next, want := range map[string]string{
		"/contracts/OCB0000001": "/contracts/OCB0000001", "//evil.example/x": "/", "https://evil.example/": "/",
		`/\evil.example`: "/", "": "/",
	} {
		resp := e.post(newBrowser(t), "/signin", url.Values{"email": {email}, "password": {testPassword}, "next": {next}})
		if got := resp.Header.Get("Location"); got != want {
			t.Errorf("next=%q: went to %q, want %q", next, got, want)
		}
	}
}

func TestWrongPasswordSaysSoWithoutACookie(t *testing.T) {
	e := newSignInEnv(t, "")
	email := e.person(testPassword)
	resp := e.post(newBrowser(t), "/signin", url.Values{"email": {email}, "password": {"not the password at all"}})
	if resp.StatusCode != http.StatusUnauthorized || sessionCookie(resp) != nil {
		t.Fatalf("wrong password: status %d, cookie %v", resp.StatusCode, sessionCookie(resp))
	}
	if page := body(t, resp); !strings.Contains(page, "The e-mail address or the password is wrong.") {
		t.Errorf("the page does not say why:\n%s", page)
	}
}

func TestRepeatedFailuresLockTheAddressBehindATrustedProxyOnly(t *testing.T) {
	tests := []struct {
		name, trusted     string
		otherAddressLocks bool // whether a fresh X-Forwarded-For is locked too
	}{
		{"listed peer: the forwarded address is locked", "127.0.0.1/32", false},
		{"unlisted peer: its header is ignored, the peer is locked", "10.0.0.0/8", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newSignInEnv(t, tt.trusted)
			var last *http.Response
			for i := range 21 {
				email := "nobody" + string(rune('a'+i)) + "@example.com"
				last = e.post(newBrowser(t), "/signin", url.Values{"email": {email}, "password": {"wrong password here"}},
					"X-Forwarded-For", "203.0.113.9")
			}
			if last.StatusCode != http.StatusTooManyRequests || last.Header.Get("Retry-After") == "" {
				t.Fatalf("21st failure: status %d, Retry-After %q; want 429 with Retry-After", last.StatusCode, last.Header.Get("Retry-After"))
			}
			if page := body(t, last); !strings.Contains(page, "Try again in") {
				t.Errorf("the locked page does not say when to retry:\n%s", page)
			}
			other := e.post(newBrowser(t), "/signin", url.Values{"email": {"someone@example.com"}, "password": {"wrong password here"}},
				"X-Forwarded-For", "198.51.100.7")
			if locked := other.StatusCode == http.StatusTooManyRequests; locked != tt.otherAddressLocks {
				t.Errorf("another forwarded address: status %d, want locked=%v", other.StatusCode, tt.otherAddressLocks)
			}
		})
	}
}

func TestInvitationLinkIsSingleUseAndShowsThePolicy(t *testing.T) {
	e := newSignInEnv(t, "")
	_, path := e.invite(e.api.Creds.APIKeys.Client)
	b := newBrowser(t)
	if resp := e.get(b, path); resp.StatusCode != http.StatusOK || !strings.Contains(body(t, resp), "At least 12 characters") {
		t.Fatalf("open the invitation: status %d", resp.StatusCode)
	}
	short := e.post(b, path, url.Values{"password": {"short"}, "confirm": {"short"}})
	if page := body(t, short); short.StatusCode != http.StatusBadRequest || !strings.Contains(page, `id="password-error"`) {
		t.Errorf("a short password: status %d, want 400 with the message next to the field", short.StatusCode)
	}
	if resp := e.post(b, path, url.Values{"password": {testPassword}, "confirm": {testPassword}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("a good password: status %d", resp.StatusCode)
	}
	for _, resp := range []*http.Response{e.get(b, path), e.post(b, path, url.Values{"password": {testPassword + "!"}, "confirm": {testPassword + "!"}})} {
		if resp.StatusCode != http.StatusGone || !strings.Contains(body(t, resp), "already used") {
			t.Errorf("a used link: status %d, want 410 saying it was used", resp.StatusCode)
		}
	}
	token := path[strings.LastIndex(path, "/")+1:]
	if logs := e.api.Logs.String(); strings.Contains(logs, token) || strings.Contains(logs, testPassword) {
		t.Error("the log holds the link's token or the password")
	}
}

func TestExpiredAndUnknownLinksGiveReadablePages(t *testing.T) {
	e := newSignInEnv(t, "")
	_, path := e.invite(e.api.Creds.APIKeys.Client)
	e.api.Clock.Advance(8 * 24 * time.Hour)
	if resp := e.get(newBrowser(t), path); resp.StatusCode != http.StatusGone || !strings.Contains(body(t, resp), "has expired") {
		t.Errorf("an expired invitation: status %d, want 410 saying it expired", resp.StatusCode)
	}
	if resp := e.get(newBrowser(t), "/password-reset/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("an unknown reset link: status %d, want 404", resp.StatusCode)
	}
}

func TestPasswordResetAnswersTheSameForUnknownEmails(t *testing.T) {
	e := newSignInEnv(t, "")
	email := e.person(testPassword)
	known := body(t, e.post(newBrowser(t), "/password-reset", url.Values{"email": {email}}))
	unknown := body(t, e.post(newBrowser(t), "/password-reset", url.Values{"email": {"nobody@example.com"}}))
	if known != unknown || !strings.Contains(known, "If this address belongs to an account") {
		t.Errorf("the answers differ or say nothing:\nknown: %s\nunknown: %s", known, unknown)
	}
}

func TestHTTPSOriginNamesTheCookieHostPrefixedAndSecure(t *testing.T) {
	e := newSignInEnvAt(t, "", "https://espace.example")
	email := e.person(testPassword)
	resp := e.post(newBrowser(t), "/signin", url.Values{"email": {email}, "password": {testPassword}}, "Origin", "https://espace.example")
	c := sessionCookie(resp)
	if c == nil || c.Name != "__Host-eccs_session" || !c.Secure || !c.HttpOnly || c.Path != "/" || c.Domain != "" || c.SameSite != http.SameSiteLaxMode {
		t.Errorf("cookie on an https origin = %+v, want __Host-eccs_session, Secure, HttpOnly, Path=/, no Domain, Lax", c)
	}
}
