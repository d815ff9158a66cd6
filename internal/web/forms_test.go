package web_test

import (
	"archive/zip"
	"bytes"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/eccs/eccs/internal/testkit/webtest"
	"github.com/eccs/eccs/internal/web"
)

func TestABadUserFormIsShownAgainWithTheMessageNextToItsField(t *testing.T) {
	e := webtest.NewEnv(t, web.Config{})
	cookie := e.SignInWithKey(e.API.Creds.APIKeys.Client)
	path := "/contracts/" + e.API.Creds.SampleContractID + "/users"
	form := url.Values{"lastName": {"Doe"}, "firstName": {"Jane"}, "email": {"not-an-address"}, "login": {"jane.doe.web"},
		"role-contracts": {"visitor"}}
	p := e.Post(cookie, path, form, "Accept-Language", "fr")
	if p.Status != http.StatusBadRequest {
		t.Fatalf("a bad e-mail answers %d", p.Status)
	}
	doc := p.Parse(t)
	errText := webtest.FindAll(doc, func(n *html.Node) bool { return webtest.Attr(n, "id") == "email-error" })
	if len(errText) != 1 || !strings.Contains(webtest.Text(errText[0]), "Vérifiez") {
		t.Errorf("no message next to the e-mail field")
	}
	for _, in := range webtest.Elements(doc, "input") {
		if webtest.Attr(in, "name") == "lastName" && webtest.Attr(in, "value") != "Doe" {
			t.Errorf("the form lost what was typed")
		}
	}
	form.Set("email", "jane.doe@example.com")
	if p := e.Post(cookie, path, form); p.Status != http.StatusSeeOther {
		t.Fatalf("a good form answers %d: %.300s", p.Status, p.Body)
	}
	page := e.Get(cookie, "/contracts/"+e.API.Creds.SampleContractID)
	if !strings.Contains(webtest.Text(page.Parse(t)), "jane.doe.web") {
		t.Errorf("the declared user is not on the contract's page")
	}
	if again := e.Post(cookie, path, form); again.Status != http.StatusConflict {
		t.Errorf("declaring the same person again answers %d, want 409", again.Status)
	}
}

func TestTheArchiveHoldsThePeriodsVisibleDocumentsUnderSafeNames(t *testing.T) {
	e := webtest.NewEnv(t, web.Config{})
	cookie := e.SignInWithKey(e.API.Creds.APIKeys.Client)
	listing := e.Get(cookie, "/documents?period=202605")
	var want []string
	for _, href := range webtest.Links(listing.Parse(t), "/contracts/") {
		if strings.HasSuffix(href, "/file") {
			want = append(want, href)
		}
	}
	p := e.Get(cookie, "/documents/archive?period=202605")
	if p.Status != http.StatusOK || p.Header.Get("Content-Type") != "application/zip" {
		t.Fatalf("archive: %d %s", p.Status, p.Header.Get("Content-Type"))
	}
	zr, err := zip.NewReader(bytes.NewReader(p.Body), int64(len(p.Body)))
	if err != nil {
		t.Fatal(err)
	}
	if len(zr.File) != len(want) || len(want) == 0 {
		t.Fatalf("the archive holds %d files, the page lists %d", len(zr.File), len(want))
	}
	for _, f := range zr.File {
		if strings.Contains(f.Name, "..") || strings.HasPrefix(f.Name, "/") || strings.Count(f.Name, "/") != 1 {
			t.Errorf("unsafe name in the archive: %q", f.Name)
		}
	}
	if p := e.Get(cookie, "/documents/archive"); p.Status != http.StatusBadRequest {
		t.Errorf("an archive without a period answers %d, want 400", p.Status)
	}
}

func TestTheLanguageSwitchIsRememberedAndGoesBackOnlyWithinTheSite(t *testing.T) {
	e := webtest.NewEnv(t, web.Config{})
	for back, want := range map[string]string{"/contracts?q=x": "/contracts?q=x", "//evil.example/": "/", "https://evil.example": "/", `/\evil`: "/"} {
		p := e.Post("", "/language", url.Values{"lang": {"fr"}, "back": {back}})
		if p.Status != http.StatusSeeOther || p.Header.Get("Location") != want {
			t.Errorf("back %q: %d to %q, want %q", back, p.Status, p.Header.Get("Location"), want)
		}
		if c := p.Header.Get("Set-Cookie"); !strings.HasPrefix(c, web.LangCookie+"=fr") {
			t.Errorf("the choice is not remembered: %q", c)
		}
	}
}
