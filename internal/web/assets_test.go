package web_test

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/eccs/eccs/internal/testkit/webtest"
	"github.com/eccs/eccs/internal/web"
)

func TestTheBrandIsShownFromItsOwnStylesheetAndLogo(t *testing.T) {
	logo := filepath.Join(t.TempDir(), "logo.png")
	png := []byte("\x89PNG\r\n\x1a\n-not-really-an-image")
	if err := os.WriteFile(logo, png, 0o600); err != nil {
		t.Fatal(err)
	}
	e := webtest.NewEnv(t, web.Config{Brand: web.Brand{Name: "Nuage <Pro>", Logo: logo, Accent: "#00563f",
		Support: "support@nuage.example", TermsURL: "https://nuage.example/terms"}})
	if p := e.Get("", "/assets/brand.css"); p.Status != http.StatusOK || !strings.Contains(string(p.Body), "--accent: #00563f") {
		t.Errorf("brand.css: %d %q", p.Status, p.Body)
	}
	if p := e.Get("", "/assets/logo"); p.Status != http.StatusOK || p.Header.Get("Content-Type") != "image/png" || string(p.Body) != string(png) {
		t.Errorf("logo: %d %s", p.Status, p.Header.Get("Content-Type"))
	}
	cookie := e.SignInWithKey(e.API.Creds.APIKeys.Client)
	doc := e.Get(cookie, "/contracts").Parse(t)
	text := webtest.Text(doc)
	for _, want := range []string{"Nuage <Pro>", "support@nuage.example"} {
		if !strings.Contains(text, want) {
			t.Errorf("the page does not show %q", want)
		}
	}
	if links := webtest.Links(doc, "https://nuage.example/terms"); len(links) != 1 {
		t.Errorf("the terms are linked %d times", len(links))
	}
}

func TestALogoURLWidensOnlyTheImagePolicyToItsHost(t *testing.T) {
	e := webtest.NewEnv(t, web.Config{Brand: web.Brand{Logo: "https://cdn.example.com/logo.svg"}})
	csp := e.Get("", "/nothing").Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "img-src 'self' data: https://cdn.example.com;") || strings.Count(csp, "cdn.example.com") != 1 {
		t.Errorf("policy %q", csp)
	}
}
