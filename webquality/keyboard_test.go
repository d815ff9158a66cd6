package webquality

import (
	"context"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"

	"github.com/eccs/eccs/internal/testkit/browsertest"
)

// focused describes the focused element: its tag, its link or field name, and whether it shows
// a focus indicator (an outline).
const focused = `(e => ({tag: e.tagName, name: e.getAttribute("href") || e.getAttribute("name") || e.id || "",
	outline: getComputedStyle(e).outlineStyle !== "none" && getComputedStyle(e).outlineWidth !== "0px"}))(document.activeElement)`

// focus is what focused reports.
type focus struct {
	Tag     string `json:"tag"`
	Name    string `json:"name"`
	Outline bool   `json:"outline"`
}

// TestEveryPageReflowsAndShowsWhereTheKeyboardIs opens a page of every template in French
// (the longer words) at 320 CSS pixels wide (a 1280-pixel window zoomed to 400 %) and requires
// no page-wide horizontal scrolling (WCAG 1.4.10; tables scroll in their own region); then,
// at full width, tabs through the page: the skip link comes first, and every stop shows its
// focus (WCAG 2.4.7).
func TestEveryPageReflowsAndShowsWhereTheKeyboardIs(t *testing.T) {
	runQuality(t)
	s := startSite(t)
	tab := browsertest.Start(t)
	for _, p := range pages(s) {
		visitAs(t, tab, s, p.As, "fr")
		narrow := emulation.SetDeviceMetricsOverrideParams{Width: 320, Height: 900, DeviceScaleFactor: 4}
		if _, err := chromedp.Call(tab, emulation.SetDeviceMetricsOverride, narrow); err != nil {
			t.Fatal(err)
		}
		if err := chromedp.Do(tab, chromedp.Navigate(s.URL+p.Path), chromedp.WaitReady("main")); err != nil {
			t.Fatal(err)
		}
		width, err := chromedp.Run(tab, chromedp.Evaluate[[]int](`[document.documentElement.scrollWidth, document.documentElement.clientWidth]`))
		if err != nil || width[0] > width[1] {
			t.Errorf("%s at 320 px: the page is %v px wide (%v), wider than the screen", p.Template, width, err)
		}
		browsertest.Screenshot(t, tab, "webquality-"+p.Template+"-320px")
		if _, err := chromedp.Call(tab, emulation.ClearDeviceMetricsOverride, cdp.Empty{}); err != nil {
			t.Fatal(err)
		}
		if err := chromedp.Do(tab, chromedp.Navigate(s.URL+p.Path), chromedp.WaitReady("main")); err != nil {
			t.Fatal(err)
		}
		stops := tabThrough(t, tab)
		if len(stops) == 0 || stops[0].Name != "#main" {
			t.Errorf("%s: the first Tab reaches %+v, want the skip link to #main", p.Template, stops)
		}
		for _, f := range stops {
			if !f.Outline {
				t.Errorf("%s: Tab reaches <%s %s> without a visible focus", p.Template, f.Tag, f.Name)
			}
		}
	}
}

// tabThrough presses Tab until the focus leaves the page's controls (back to the body) or
// returns to the first stop, at most 200 times, and returns each stop.
func tabThrough(t *testing.T, tab context.Context) []focus {
	t.Helper()
	var stops []focus
	for range 200 {
		for _, typ := range []input.DispatchKeyEventType{input.DispatchKeyEventTypeRawKeyDown, input.DispatchKeyEventTypeKeyUp} {
			key := input.DispatchKeyEventParams{Type: typ, Key: "Tab", Code: "Tab", WindowsVirtualKeyCode: 9}
			if _, err := chromedp.Call(tab, input.DispatchKeyEvent, key); err != nil {
				t.Fatalf("press Tab: %v", err)
			}
		}
		f, err := chromedp.Run(tab, chromedp.Evaluate[focus](focused))
		if err != nil {
			t.Fatalf("read the focus: %v", err)
		}
		if f.Tag == "BODY" || (len(stops) > 0 && f == stops[0]) {
			return stops
		}
		stops = append(stops, f)
	}
	t.Fatalf("200 Tab stops without coming back to the first, from %+v", stops[:5])
	return nil
}
