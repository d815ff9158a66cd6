package webquality

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// axeScript is axe-core, installed by `npm ci` in webquality/.
const axeScript = "node_modules/axe-core/axe.min.js"

// violation is one axe-core rule a page breaks, with where.
type violation struct {
	ID      string   `json:"id"`
	Impact  string   `json:"impact"`
	Help    string   `json:"help"`
	Targets []string `json:"targets"`
}

func (v violation) String() string {
	return fmt.Sprintf("%s (%s): %s at %s", v.ID, v.Impact, v.Help, strings.Join(v.Targets, ", "))
}

// axeRun runs every axe-core rule but the experimental ones on the page and returns the
// violations, with the selectors of the elements that break each.
const axeRun = `axe.run(document, {resultTypes: ["violations"]}).then(r => r.violations.map(v => ({
	id: v.id, impact: v.impact || "", help: v.help, targets: v.nodes.map(n => n.target.join(" "))})))`

// visitAs gives the tab the cookies of v in lang (and no other), and lets it inject axe-core
// into pages whose policy forbids scripts that are not the site's own.
func visitAs(t *testing.T, tab context.Context, s site, v visitor, lang string) {
	t.Helper()
	if _, err := chromedp.Call(tab, page.SetBypassCSP, page.SetBypassCSPParams{Enabled: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(tab, network.ClearBrowserCookies, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	for pair := range strings.SplitSeq(s.cookieHeader(v, lang), "; ") {
		name, value, _ := strings.Cut(pair, "=")
		if _, err := chromedp.Call(tab, network.SetCookie, network.SetCookieParams{Name: name, Value: value, URL: s.URL + "/"}); err != nil {
			t.Fatalf("set cookie %s: %v", name, err)
		}
	}
}

// axeCheck opens url in the tab and returns the axe-core violations of the page.
func axeCheck(t *testing.T, tab context.Context, url string) []violation {
	t.Helper()
	source, err := os.ReadFile(axeScript)
	if err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(tab, chromedp.Navigate(url), chromedp.WaitReady("main")); err != nil {
		t.Fatalf("open %s: %v", url, err)
	}
	if _, err := chromedp.Run(tab, chromedp.Evaluate[bool](string(source)+";true")); err != nil {
		t.Fatalf("inject axe-core into %s: %v", url, err)
	}
	found, err := chromedp.Run(tab, chromedp.Evaluate[[]violation](axeRun, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("axe-core on %s: %v", url, err)
	}
	return found
}
