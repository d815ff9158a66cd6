package web_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/eccs/eccs/internal/testkit/webtest"
	"github.com/eccs/eccs/internal/web"
)

// rawKey matches a catalogue key shown as it is ("contracts.title"): a page that shows one
// lacks a string.
var rawKey = regexp.MustCompile(`(^|\s)(layout|nav|pager|form|error|role|section|contracts?|users?|documents?|doctype|preview|order|keys?|account)\.[a-zA-Z_.]+`)

// everyPage lists a page of each kind that the seeded world's client and administrator
// accounts may open.
func everyPage(e *webtest.Env) map[string][]string {
	c := e.API.Creds
	doc := "/contracts/" + c.SampleContractID + "/documents/" + c.SampleDocumentID
	common := []string{"/contracts", "/contracts?q=OCB", "/contracts/" + c.SampleContractID,
		"/contracts/" + c.SampleContractID + "/documents", "/documents", "/documents?period=202605",
		doc + "/preview", "/keys", "/no-such-page"}
	return map[string][]string{
		c.APIKeys.Client:        append(common, "/contracts/"+c.SampleContractID+"/users/new"),
		c.APIKeys.Administrator: append(common, "/order", "/contracts/"+c.SampleContractID+"/users/new"),
	}
}

func TestEveryPageRendersInBothLanguagesWithTheSecurityHeaders(t *testing.T) {
	e := webtest.NewEnv(t, web.Config{})
	for key, paths := range everyPage(e) {
		cookie := e.SignInWithKey(key)
		for _, path := range paths {
			for _, lang := range []string{"en", "fr-FR,fr;q=0.9"} {
				p := e.Get(cookie, path, "Accept-Language", lang)
				wantStatus := http.StatusOK
				if path == "/no-such-page" {
					wantStatus = http.StatusNotFound
				}
				if p.Status != wantStatus {
					t.Errorf("%s (%s): %d, want %d: %.300s", path, lang, p.Status, wantStatus, p.Body)
					continue
				}
				checkSecurityHeaders(t, path, p.Header)
				checkPage(t, path, lang, p.Parse(t))
			}
		}
	}
}

// checkSecurityHeaders checks the headers every answer of the web space carries.
func checkSecurityHeaders(t *testing.T, path string, h http.Header) {
	t.Helper()
	csp := h.Get("Content-Security-Policy")
	for _, directive := range []string{"default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:",
		"form-action 'self'", "frame-ancestors 'none'", "base-uri 'none'"} {
		if !strings.Contains(csp, directive) {
			t.Errorf("%s: Content-Security-Policy %q lacks %q", path, csp, directive)
		}
	}
	for name, want := range map[string]string{"X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin",
		"X-Frame-Options": "DENY", "Cross-Origin-Opener-Policy": "same-origin"} {
		if got := h.Get(name); got != want {
			t.Errorf("%s: %s = %q, want %q", path, name, got, want)
		}
	}
}

// checkPage checks a page's language, landmarks, labels, tables, and that no text is a raw
// catalogue key, no inline script or style is present.
func checkPage(t *testing.T, path, lang string, doc *html.Node) {
	t.Helper()
	htmlEl := webtest.Elements(doc, "html")[0]
	if want := lang[:2]; webtest.Attr(htmlEl, "lang") != want {
		t.Errorf("%s: <html lang=%q>, want %q", path, webtest.Attr(htmlEl, "lang"), want)
	}
	for _, tag := range []string{"main", "header", "footer"} {
		if len(webtest.Elements(doc, tag)) != 1 {
			t.Errorf("%s: %d <%s> landmarks, want 1", path, len(webtest.Elements(doc, tag)), tag)
		}
	}
	if len(webtest.Elements(doc, "script")) > 0 || len(webtest.Elements(doc, "style")) > 0 {
		t.Errorf("%s: the page has an inline <script> or <style>", path)
	}
	for _, n := range webtest.FindAll(doc, func(n *html.Node) bool { return webtest.Attr(n, "style") != "" }) {
		t.Errorf("%s: <%s> has a style attribute", path, n.Data)
	}
	checkLabels(t, path, doc)
	checkTables(t, path, doc)
	for _, n := range webtest.FindAll(doc, func(n *html.Node) bool { return n.Type == html.TextNode }) {
		if s := strings.TrimSpace(n.Data); rawKey.MatchString(s) {
			t.Errorf("%s (%s): text %q looks like a raw catalogue key", path, lang, s)
		}
	}
}

func checkLabels(t *testing.T, path string, doc *html.Node) {
	t.Helper()
	labelled := map[string]bool{}
	for _, l := range webtest.Elements(doc, "label") {
		labelled[webtest.Attr(l, "for")] = true
	}
	for _, tag := range []string{"input", "select"} {
		for _, f := range webtest.Elements(doc, tag) {
			if webtest.Attr(f, "type") == "hidden" {
				continue
			}
			if id := webtest.Attr(f, "id"); id == "" || !labelled[id] {
				t.Errorf("%s: <%s name=%q> has no label", path, tag, webtest.Attr(f, "name"))
			}
		}
	}
}

func checkTables(t *testing.T, path string, doc *html.Node) {
	t.Helper()
	for _, table := range webtest.Elements(doc, "table") {
		if len(webtest.Elements(table, "caption")) != 1 {
			t.Errorf("%s: a table has no caption", path)
		}
		for _, th := range webtest.Elements(table, "th") {
			if s := webtest.Attr(th, "scope"); s != "col" && s != "row" {
				t.Errorf("%s: a <th> has scope %q", path, s)
			}
		}
	}
}
