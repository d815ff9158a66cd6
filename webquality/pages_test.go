package webquality

import (
	"io"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/eccs/eccs/internal/web"
)

// templatesDir holds the web space's page templates, each a page but the layout around them.
const templatesDir = "../internal/web/templates"

// pageURL is a URL of the web space that renders a template, the status it answers with, and
// who asks for it.
type pageURL struct {
	Template string
	Path     string
	Status   int
	As       visitor
}

// visitor is who asks for a page: the signed-in person, nobody signed in, or a person whose
// sign-in waits for its second factor.
type visitor int

const (
	signedIn visitor = iota
	signedOut
	secondFactorStep
)

// pages maps every page template to a URL that renders it in the dev world, for the person
// signed in (an administrator) unless As says otherwise. A new template fails
// TestEveryTemplateHasAPage until it is listed here, so no page escapes the checks.
func pages(s site) []pageURL {
	contract := "/contracts/" + s.Creds.SampleContractID
	return []pageURL{
		{"contracts", "/contracts", http.StatusOK, signedIn},
		{"contract", contract, http.StatusOK, signedIn},
		{"documents", contract + "/documents", http.StatusOK, signedIn},
		{"preview", contract + "/documents/" + s.Creds.SampleDocumentID + "/preview", http.StatusOK, signedIn},
		{"user_new", contract + "/users/new", http.StatusOK, signedIn},
		{"order", "/order", http.StatusOK, signedIn},
		{"keys", "/keys", http.StatusOK, signedIn},
		{"account", "/account", http.StatusOK, signedIn},
		{"devmail", "/dev/mail", http.StatusOK, signedOut},
		{"signin", "/signin", http.StatusOK, signedOut},
		{"signin_code", "/signin/code", http.StatusOK, secondFactorStep},
		{"reset", "/password-reset", http.StatusOK, signedOut},
		{"link", s.LinkPath, http.StatusOK, signedOut},
		{"error", "/no-such-page", http.StatusNotFound, signedIn},
	}
}

// pageTemplates returns the names of the page templates (layout.html frames them all).
func pageTemplates(t *testing.T) []string {
	t.Helper()
	entries, err := os.ReadDir(templatesDir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), ".html")
		if ok && name != "layout" {
			names = append(names, name)
		}
	}
	return names
}

func TestEveryTemplateHasAPage(t *testing.T) {
	var listed []string
	for _, p := range pages(site{}) {
		listed = append(listed, p.Template)
	}
	for _, name := range pageTemplates(t) {
		if !slices.Contains(listed, name) {
			t.Errorf("template %s.html has no page in pages(): add a URL that renders it, so the quality run checks it", name)
		}
	}
	for _, name := range listed {
		if !slices.Contains(pageTemplates(t), name) {
			t.Errorf("pages() lists %s, which is no template of %s", name, templatesDir)
		}
	}
}

// get fetches a page of s as the signed-in person, in lang.
func (s site) get(t *testing.T, p pageURL, lang string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, s.URL+p.Path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Cookie", s.cookieHeader(p.As, lang))
	req.Header.Set("Accept-Encoding", "identity")
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, body
}

// cookieHeader is the Cookie header of v, who chose lang.
func (s site) cookieHeader(v visitor, lang string) string {
	lc := web.LangCookie + "=" + lang
	switch v {
	case signedOut:
		return lc
	case secondFactorStep:
		return "eccs_signin=" + s.Pending + "; " + lc
	}
	return web.SessionCookie + "=" + s.Cookie + "; " + lc
}
