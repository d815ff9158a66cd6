package journeys_test

import (
	"bytes"
	"encoding/base64"
	"net/http"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/eccs/eccs/internal/devseed"
	"github.com/eccs/eccs/internal/eccs"
	"github.com/eccs/eccs/internal/testkit/totptest"
)

const (
	newPassword  = "a long passphrase for the journey"
	declaredName = "Jean Dupont"
	declaredMail = "jean.dupont@acme.example"
)

// TestInvitedPersonDownloadsABillAndInvitesAUserWhoEnrolsTOTP is journey 1: an operator
// invites Claire; her mail's link lets her choose a password; she signs in, downloads last
// month's bill (the bytes the API serves), declares Jean on a contract and invites him; Jean's
// mail's link lets him choose a password; he enrols a TOTP app, signs out, and signs in again
// with a code.
func TestInvitedPersonDownloadsABillAndInvitesAUserWhoEnrolsTOTP(t *testing.T) {
	s := newSite(t)
	ctx := eccs.WithActor(t.Context(), eccs.Actor{Type: eccs.ActorOperator, ID: "journey"})
	if _, err := s.svc.InviteAccount(ctx, devseed.ClientPersonEmail, "en"); err != nil {
		t.Fatal(err)
	}
	s.choosePassword(s.mailLinkTo(devseed.ClientPersonEmail), "claire-invitation")
	s.signIn(devseed.ClientPersonEmail, newPassword, "table")
	s.shotBoth("contracts")
	s.checkBillDownload()
	s.declareAndInvite()
	s.signOut()

	s.choosePassword(s.mailLinkTo(declaredMail), "jean-invitation")
	s.signIn(declaredMail, newPassword, "table")
	secret := s.enrolTOTP()
	s.signOut()
	s.signIn(declaredMail, newPassword, "#code")
	s.shotBoth("second-factor")
	// The code of the next step: the current one confirmed the enrolment, and a code serves
	// once; the domain accepts one step either side.
	s.do("enter the code", chromedp.SendKeys(chromedp.CSS("#code"), totptest.Code(t, secret, time.Now().Add(30*time.Second))),
		chromedp.Submit(chromedp.CSS("#code")), chromedp.WaitVisible(chromedp.CSS("form.signout")))
	s.shot("signed-in-with-totp")
	s.signOut()
	s.shot("signed-out")
}

// choosePassword opens a one-time link and chooses newPassword; it waits for the sign-in page.
func (s *site) choosePassword(link, name string) {
	s.t.Helper()
	s.do("open "+name, chromedp.Navigate(link), chromedp.WaitVisible(chromedp.CSS("#confirm")))
	s.shotBoth(name)
	s.do("choose a password",
		chromedp.SendKeys(chromedp.CSS("#password"), newPassword),
		chromedp.SendKeys(chromedp.CSS("#confirm"), newPassword),
		chromedp.Submit(chromedp.CSS("#confirm")),
		chromedp.WaitVisible(chromedp.CSS("p.notice")),
	)
	s.shot(name + "-done")
}

// checkBillDownload finds last month's bill on the contract's documents and fetches its link
// in the browser: the bytes must be what the API serves for the account's key.
func (s *site) checkBillDownload() {
	s.t.Helper()
	contract, doc := s.creds.SampleContractID, s.creds.SampleDocumentID
	href := "/contracts/" + contract + "/documents/" + doc + "/file"
	s.open("/contracts/"+contract+"/documents?type=bills", `a[href="`+href+`"]`)
	s.shotBoth("bills")
	b64, err := chromedp.Run(s.tab, chromedp.Evaluate[string](`fetch("`+href+`").then(r => r.arrayBuffer()).then(b => {
		let s = ""; for (const c of new Uint8Array(b)) { s += String.fromCharCode(c); } return btoa(s); })`, chromedp.EvalAwaitPromise))
	if err != nil {
		s.t.Fatalf("download the bill: %v", err)
	}
	got, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		s.t.Fatal(err)
	}
	status, want := s.apiGet(s.creds.APIKeys.Client, contract, "/documents/"+doc+"/file")
	if status != http.StatusOK || len(want) == 0 || !bytes.Equal(got, want) {
		s.t.Errorf("the bill downloaded in the browser (%d bytes) differs from the API's (status %d, %d bytes)", len(got), status, len(want))
	}
}

// declareAndInvite declares Jean on the sample contract and sends him an invitation.
func (s *site) declareAndInvite() {
	s.t.Helper()
	s.open("/contracts/"+s.creds.SampleContractID+"/users/new", "#lastName")
	s.shotBoth("declare-user")
	s.do("declare Jean",
		chromedp.SetValue(chromedp.CSS("#civility"), "M"),
		chromedp.SendKeys(chromedp.CSS("#lastName"), "Dupont"),
		chromedp.SendKeys(chromedp.CSS("#firstName"), "Jean"),
		chromedp.SendKeys(chromedp.CSS("#email"), declaredMail),
		chromedp.SendKeys(chromedp.CSS("#login"), "jean.dupont"),
		chromedp.SendKeys(chromedp.CSS("#fixPhone"), "0102030405"),
		chromedp.SetValue(chromedp.CSS("#role-contracts"), "visitor"),
		chromedp.Submit(chromedp.CSS("#lastName")),
		chromedp.WaitVisible(`//button[contains(., "`+declaredName+`") and contains(., "invitation")]`),
	)
	s.shot("user-declared")
	s.do("invite Jean",
		chromedp.Click(`//button[contains(., "`+declaredName+`") and contains(., "invitation")]`),
		chromedp.WaitVisible(chromedp.CSS("p.notice")),
	)
	s.shot("user-invited")
}

// enrolTOTP enrols a TOTP app on /account and returns its secret.
func (s *site) enrolTOTP() string {
	s.t.Helper()
	s.open("/account", "#totp-title")
	s.shotBoth("account")
	s.do("begin the enrolment", chromedp.Click(chromedp.CSS(`form[action="/account/totp"] button`)), chromedp.WaitVisible(chromedp.CSS("#totp-secret")))
	s.shot("totp-secret")
	secret := s.text("#totp-secret")
	s.do("confirm the enrolment",
		chromedp.SendKeys(chromedp.CSS("#totp-code"), totptest.Code(s.t, secret, time.Now())),
		chromedp.Submit(chromedp.CSS("#totp-code")),
		chromedp.WaitVisible(chromedp.CSS("ul.codes")),
	)
	s.shot("recovery-codes")
	return secret
}
