package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/eccs/eccs/internal/testkit/totptest"
)

var (
	secretPattern   = regexp.MustCompile(`<code id="totp-secret" class="secret">([A-Z2-7]+)</code>`)
	recoveryPattern = regexp.MustCompile(`<li><code>([a-z2-7-]+)</code></li>`)
)

// enrolTOTP enrols a second factor on /account for the browser's person; it returns the
// secret and the recovery codes, shown once.
func enrolTOTP(t *testing.T, e *signInEnv, b *http.Client) (string, []string) {
	t.Helper()
	m := secretPattern.FindStringSubmatch(body(t, e.post(b, "/account/totp", url.Values{})))
	if m == nil {
		t.Fatal("the enrolment shows no secret")
	}
	confirmed := body(t, e.post(b, "/account/totp/confirm", url.Values{"code": {totptest.Code(t, m[1], e.api.Clock.Now())}}))
	var codes []string
	for _, c := range recoveryPattern.FindAllStringSubmatch(confirmed, -1) {
		codes = append(codes, c[1])
	}
	if len(codes) != 10 {
		t.Fatalf("the confirmation shows %d recovery codes, want 10", len(codes))
	}
	return m[1], codes
}

func TestSecondFactorIsAskedAfterThePasswordAndAcceptsAppAndRecoveryCodes(t *testing.T) {
	e := newSignInEnv(t, "")
	email := e.person(testPassword)
	b := newBrowser(t)
	e.post(b, "/signin", url.Values{"email": {email}, "password": {testPassword}})
	secret, recovery := enrolTOTP(t, e, b)
	if page := body(t, e.get(b, "/account")); strings.Contains(page, secret) || strings.Contains(page, recovery[0]) {
		t.Error("/account shows the secret or a recovery code again")
	}
	e.api.Clock.Advance(time.Minute)
	for _, code := range []string{totptest.Code(t, secret, e.api.Clock.Now()), recovery[3]} {
		b := newBrowser(t)
		first := e.post(b, "/signin", url.Values{"email": {email}, "password": {testPassword}, "next": {"/keys"}})
		if first.StatusCode != http.StatusSeeOther || !strings.HasPrefix(first.Header.Get("Location"), "/signin/code") || sessionCookie(first) != nil {
			t.Fatalf("password of a person with a second factor: status %d, location %q", first.StatusCode, first.Header.Get("Location"))
		}
		if resp := e.get(b, "/account"); resp.StatusCode != http.StatusSeeOther {
			t.Errorf("a pending sign-in opened /account: status %d", resp.StatusCode)
		}
		if wrong := e.post(b, "/signin/code", url.Values{"code": {"000000"}, "next": {"/keys"}}); wrong.StatusCode != http.StatusUnauthorized {
			t.Errorf("a wrong code: status %d, want 401", wrong.StatusCode)
		}
		ok := e.post(b, "/signin/code", url.Values{"code": {code}, "next": {"/keys"}})
		if ok.StatusCode != http.StatusSeeOther || ok.Header.Get("Location") != "/keys" || sessionCookie(ok) == nil {
			t.Fatalf("code %q: status %d, location %q", code, ok.StatusCode, ok.Header.Get("Location"))
		}
		if resp := e.get(b, "/account"); resp.StatusCode != http.StatusOK {
			t.Errorf("/account after the second factor: status %d", resp.StatusCode)
		}
	}
}

func TestAccountListsSessionsAndSignsOutEverywhere(t *testing.T) {
	e := newSignInEnv(t, "")
	email := e.person(testPassword)
	one, two := newBrowser(t), newBrowser(t)
	for _, b := range []*http.Client{one, two} {
		e.post(b, "/signin", url.Values{"email": {email}, "password": {testPassword}}, "User-Agent", "JourneyBrowser/1.0")
	}
	page := body(t, e.get(one, "/account"))
	if strings.Count(page, "JourneyBrowser/1.0") != 2 || !strings.Contains(page, "127.0.0.1") {
		t.Errorf("/account should list both sessions with their address and browser:\n%s", page)
	}
	if resp := e.post(one, "/account/sessions/signout", url.Values{}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign out everywhere: status %d", resp.StatusCode)
	}
	for i, b := range []*http.Client{one, two} {
		if resp := e.get(b, "/account"); resp.StatusCode != http.StatusSeeOther {
			t.Errorf("browser %d after signing out everywhere: status %d, want 303 to sign in", i, resp.StatusCode)
		}
	}
}

func TestChangePasswordRefusesAWrongCurrentOne(t *testing.T) {
	e := newSignInEnv(t, "")
	email := e.person(testPassword)
	b := newBrowser(t)
	e.post(b, "/signin", url.Values{"email": {email}, "password": {testPassword}})
	const newPassword = "another long passphrase here"
	wrong := e.post(b, "/account/password", url.Values{"current": {"not it at all!!"}, "new": {newPassword}, "confirm": {newPassword}})
	if wrong.StatusCode != http.StatusBadRequest || !strings.Contains(body(t, wrong), `id="pw-current-error"`) {
		t.Errorf("a wrong current password: status %d, want 400 next to the field", wrong.StatusCode)
	}
	if resp := e.post(b, "/account/password", url.Values{"current": {testPassword}, "new": {newPassword}, "confirm": {newPassword}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("change the password: status %d", resp.StatusCode)
	}
	if resp := e.post(newBrowser(t), "/signin", url.Values{"email": {email}, "password": {newPassword}}); sessionCookie(resp) == nil {
		t.Error("the new password does not sign in")
	}
}

// A person ends one of their other sessions from /account: that browser is signed out, this
// one stays; a session id that is not theirs ends nothing.
func TestAccountEndsOneOtherSession(t *testing.T) {
	e := newSignInEnv(t, "")
	email := e.person(testPassword)
	here, there := newBrowser(t), newBrowser(t)
	e.post(here, "/signin", url.Values{"email": {email}, "password": {testPassword}}, "User-Agent", "HereBrowser/1.0")
	e.post(there, "/signin", url.Values{"email": {email}, "password": {testPassword}}, "User-Agent", "ThereBrowser/1.0")
	person, err := e.api.Svc.PersonByEmail(t.Context(), email)
	if err != nil {
		t.Fatal(err)
	}
	sessions, err := e.api.Svc.Sessions(t.Context(), person.ID)
	if err != nil {
		t.Fatal(err)
	}
	var thereID string
	for _, se := range sessions {
		if se.UserAgent == "ThereBrowser/1.0" {
			thereID = se.ID
		}
	}
	if thereID == "" {
		t.Fatalf("no session of the second browser among %+v", sessions)
	}
	if resp := e.post(here, "/account/sessions/unknown-session/signout", url.Values{}); resp.StatusCode < 400 {
		t.Errorf("ending an unknown session: status %d, want a refusal", resp.StatusCode)
	}
	if resp := e.get(there, "/account"); resp.StatusCode != http.StatusOK {
		t.Fatalf("the second browser after a refused sign-out: status %d, want 200", resp.StatusCode)
	}
	if resp := e.post(here, "/account/sessions/"+thereID+"/signout", url.Values{}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("end the other session: status %d", resp.StatusCode)
	}
	if resp := e.get(there, "/account"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("the ended session: status %d, want 303 to sign in", resp.StatusCode)
	}
	if resp := e.get(here, "/account"); resp.StatusCode != http.StatusOK {
		t.Errorf("this session after ending the other: status %d, want 200", resp.StatusCode)
	}
}

// Removing the second factor asks for the password again: a session alone (left open, or
// stolen) cannot strip it.
func TestRemovingTheSecondFactorAsksForThePassword(t *testing.T) {
	e := newSignInEnv(t, "")
	email := e.person(testPassword)
	b := newBrowser(t)
	e.post(b, "/signin", url.Values{"email": {email}, "password": {testPassword}})
	enrolTOTP(t, e, b)
	person, err := e.api.Svc.PersonByEmail(t.Context(), email)
	if err != nil {
		t.Fatal(err)
	}
	hasTOTP := func() bool {
		on, err := e.api.Svc.HasSecondFactor(t.Context(), person.ID)
		if err != nil {
			t.Fatal(err)
		}
		return on
	}
	for _, password := range []string{"", "not the password at all"} {
		resp := e.post(b, "/account/totp/remove", url.Values{"password": {password}})
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body(t, resp), `id="totp-password-error"`) {
			t.Errorf("removal with password %q: status %d, want 400 with the field's message", password, resp.StatusCode)
		}
		if !hasTOTP() {
			t.Fatalf("a removal with password %q removed the second factor", password)
		}
	}
	if resp := e.post(b, "/account/totp/remove", url.Values{"password": {testPassword}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("removal with the password: status %d, want 303", resp.StatusCode)
	}
	if hasTOTP() {
		t.Error("the second factor is still there after a removal with the password")
	}
}
