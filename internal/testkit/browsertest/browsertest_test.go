package browsertest

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserFollowsAFormAndScreenshots drives the browser through a page with a form, as the
// journeys do, and checks the screenshot is a PNG.
func TestBrowserFollowsAFormAndScreenshots(t *testing.T) {
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if r.Method == http.MethodPost {
			fmt.Fprintf(w, `<!doctype html><title>done</title><p id="greeting">Bonjour %s</p>`, r.FormValue("name"))
			return
		}
		fmt.Fprint(w, `<!doctype html><title>form</title><form method="post"><label>Name <input id="name" name="name"></label><button id="go">Go</button></form>`)
	}))
	defer site.Close()
	t.Setenv("ECCS_TEST_ARTIFACTS", t.TempDir())

	tab := Start(t)
	err := chromedp.Do(tab,
		chromedp.Navigate(site.URL),
		chromedp.SendKeys("#name", "Ana"),
		chromedp.Click("#go"),
		chromedp.WaitVisible("#greeting"),
	)
	if err != nil {
		t.Fatal(err)
	}
	got, err := chromedp.Run(tab, chromedp.Text("#greeting"))
	if err != nil || got != "Bonjour Ana" {
		t.Fatalf("greeting = %q, %v; want Bonjour Ana", got, err)
	}
	png, err := os.ReadFile(Screenshot(t, tab, "form done"))
	if err != nil || !bytes.HasPrefix(png, []byte("\x89PNG")) {
		t.Fatalf("screenshot: %d bytes, %v; want a PNG", len(png), err)
	}
}
