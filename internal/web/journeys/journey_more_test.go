package journeys_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/eccs/eccs/internal/devseed"
	"github.com/eccs/eccs/internal/testkit/browsertest"
	"github.com/eccs/eccs/internal/testkit/totptest"
)

// TestPasskeyAddedOnAccountSignsIn is journey 2: Claire adds a passkey on /account (a virtual
// authenticator stands for her phone), signs out, and signs in with the passkey alone.
func TestPasskeyAddedOnAccountSignsIn(t *testing.T) {
	s := newSite(t)
	browsertest.AddPasskeyAuthenticator(t, s.tab)
	s.signIn(devseed.ClientPersonEmail, devseed.ClientPersonPassword, "form.signout")
	s.open("/account", `button[data-passkey="add"]`)
	s.shotBoth("account")
	s.do("add a passkey",
		chromedp.SetValue(chromedp.CSS("#passkey-name"), "journey laptop"),
		chromedp.Click(chromedp.CSS(`button[data-passkey="add"]`)),
		chromedp.WaitVisible(`//li[contains(., "journey laptop")]`),
	)
	s.shot("passkey-added")
	s.signOut()
	s.do("show the passkey button", chromedp.WaitVisible(chromedp.CSS(`button[data-passkey="signin"]`)))
	s.shotBoth("signin")
	s.do("sign in with the passkey",
		chromedp.Click(chromedp.CSS(`button[data-passkey="signin"]`)),
		chromedp.WaitVisible(chromedp.CSS("form.signout")),
	)
	s.shot("signed-in-with-passkey")
	if who := s.text("p.who"); !strings.Contains(who, devseed.ClientPersonEmail) {
		t.Errorf("signed in as %q, want Claire", who)
	}
}

// TestAdministratorOrdersAContract is journey 3: Nadia, whose administrator account has a TOTP
// second factor, signs in with her code and orders a contract within her perimeter.
func TestAdministratorOrdersAContract(t *testing.T) {
	s := newSite(t)
	s.signIn(devseed.AdminPersonEmail, devseed.AdminPersonPassword, "#code")
	// The seed confirmed the enrolment with the current step's code, which serves once.
	s.do("enter the code",
		chromedp.SendKeys(chromedp.CSS("#code"), totptest.Code(t, devseed.AdminPersonTOTPSecret, time.Now().Add(30*time.Second))),
		chromedp.Submit(chromedp.CSS("#code")),
		chromedp.WaitVisible(chromedp.CSS("form.signout")),
	)
	s.open("/order", "#contractName")
	s.shotBoth("order")
	fields := map[string]string{
		"#billingAccountId": s.creds.BillingAccountID, "#offerCode": s.creds.OfferCode, "#contractName": "journey-contract",
		"#supportLevel": s.creds.SupportLevel, "#referentCivility": "M", "#referentName": "Doe", "#referentFirstName": "John",
		"#referentMail": "john.doe@acme.example", "#referentFixPhone": "0102030405", "#referentMobilePhone": "0607080900",
	}
	var fill []chromedp.Action[chromedp.Void]
	for sel, v := range fields {
		fill = append(fill, chromedp.SetValue(chromedp.CSS(sel), v))
	}
	s.do("fill the order", fill...)
	s.do("order", chromedp.Submit(chromedp.CSS("#contractName")), chromedp.WaitVisible(chromedp.CSS("p.notice a")))
	s.shot("ordered")
	id := s.text("p.notice a")
	status, _ := s.apiGet(s.creds.APIKeys.Administrator, id, "/contract")
	if !strings.HasPrefix(id, "OCB") || status != http.StatusOK {
		t.Errorf("ordered %q; the API answers %d for it, want 200", id, status)
	}
}

// TestAPIKeyIssuedRotatedAndRevokedInTheBrowser is journey 4: a key issued on /keys works at
// once; rotated without overlap, the old one is refused and the new one works; revoked, it is
// refused at once.
func TestAPIKeyIssuedRotatedAndRevokedInTheBrowser(t *testing.T) {
	s := newSite(t)
	s.signIn(devseed.ClientPersonEmail, devseed.ClientPersonPassword, "form.signout")
	s.open("/keys", `form[action="/keys"] button`)
	s.shotBoth("keys")
	s.do("issue a key", chromedp.Click(chromedp.CSS(`form[action="/keys"] button`)), chromedp.WaitVisible(chromedp.CSS("p.secret")))
	s.shot("issued")
	first := s.text("p.secret")
	s.wantAPI(first, http.StatusOK)
	rotate := `form[action="/keys/` + s.keyID(first) + `/rotate"] select`
	s.do("rotate it without overlap",
		chromedp.SetValue(chromedp.CSS(rotate), "0"),
		chromedp.Submit(chromedp.CSS(rotate)),
		chromedp.WaitVisible(chromedp.CSS("p.secret")),
	)
	s.shot("rotated")
	second := s.text("p.secret")
	if second == first {
		t.Fatal("the rotation showed the same key")
	}
	s.wantAPI(first, http.StatusForbidden)
	s.wantAPI(second, http.StatusOK)
	revoke := `form[action="/keys/` + s.keyID(second) + `/revoke"] button`
	s.open("/keys", revoke)
	s.do("revoke the new key", chromedp.Click(chromedp.CSS(revoke)), chromedp.WaitNotPresent(chromedp.CSS(revoke)))
	s.shot("revoked")
	s.wantAPI(second, http.StatusForbidden)
}

// keyID is the id of the API key whose secret is key (the demo key is on the page too).
func (s *site) keyID(key string) string {
	s.t.Helper()
	_, k, err := s.svc.AccountForKey(s.t.Context(), key)
	if err != nil {
		s.t.Fatal(err)
	}
	return k.ID
}

// wantAPI checks how the API answers a call with key: 200, or a refusal (any 4xx) for
// status 403.
func (s *site) wantAPI(key string, status int) {
	s.t.Helper()
	got, body := s.apiGet(key, s.creds.SampleContractID, "/contract")
	if (status == http.StatusOK) != (got == http.StatusOK) || got >= 500 {
		s.t.Errorf("the API answers %d to key %s…, want %d: %s", got, key[:12], status, body)
	}
}
