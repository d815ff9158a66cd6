package web_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/eccs/eccs/internal/testkit/webtest"
	"github.com/eccs/eccs/internal/web"
)

func TestPagesAndStylesheetsAreGzippedOnlyForBrowsersThatAcceptIt(t *testing.T) {
	e := webtest.NewEnv(t, web.Config{})
	cookie := e.SignInWithKey(e.API.Creds.APIKeys.Client)
	plain := e.Get(cookie, "/contracts", "Accept-Encoding", "identity")
	for _, c := range []struct {
		path, accept string
		wantGzip     bool
	}{
		{"/contracts", "gzip, deflate, br", true},
		{"/contracts", "br;q=1, gzip;q=0", false},
		{"/contracts", "identity", false},
		{"/assets/site.css", "gzip", true},
	} {
		p := e.Get(cookie, c.path, "Accept-Encoding", c.accept)
		if got := p.Header.Get("Content-Encoding") == "gzip"; got != c.wantGzip {
			t.Errorf("%s with Accept-Encoding %q: Content-Encoding %q, want gzip: %v", c.path, c.accept, p.Header.Get("Content-Encoding"), c.wantGzip)
			continue
		}
		if !strings.Contains(strings.Join(p.Header.Values("Vary"), ","), "Accept-Encoding") {
			t.Errorf("%s: Vary %q lacks Accept-Encoding", c.path, p.Header.Values("Vary"))
		}
		if !c.wantGzip || c.path != "/contracts" {
			continue
		}
		zr, err := gzip.NewReader(bytes.NewReader(p.Body))
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(zr)
		if err != nil || !bytes.Equal(body, plain.Body) {
			t.Errorf("the gzipped page differs from the plain one (%v): %d bytes, want %d", err, len(body), len(plain.Body))
		}
	}
}

// versioned matches the stylesheet links of a page.
var versioned = regexp.MustCompile(`href="(/assets/(?:site|brand)\.css\?v=[0-9a-f]{16})"`)

func TestStylesheetsAreLinkedByVersionAndCachedForAYear(t *testing.T) {
	e := webtest.NewEnv(t, web.Config{})
	cookie := e.SignInWithKey(e.API.Creds.APIKeys.Client)
	links := versioned.FindAllStringSubmatch(string(e.Get(cookie, "/contracts").Body), -1)
	if len(links) != 2 {
		t.Fatalf("the page links %d versioned stylesheets, want 2", len(links))
	}
	for _, l := range links {
		p := e.Get("", l[1])
		if p.Status != http.StatusOK || p.Header.Get("Cache-Control") != "public, max-age=31536000, immutable" {
			t.Errorf("%s: %d, Cache-Control %q", l[1], p.Status, p.Header.Get("Cache-Control"))
		}
	}
	stale := e.Get("", "/assets/site.css?v=0000000000000000")
	if stale.Header.Get("Cache-Control") != "public, max-age=86400" {
		t.Errorf("another version: Cache-Control %q, want a day only", stale.Header.Get("Cache-Control"))
	}
}
