package webquality

import (
	"fmt"
	"os"
	"testing"

	"github.com/eccs/eccs/internal/testkit/browsertest"
)

// runQuality skips t unless the quality run was asked for, and then requires its tools.
func runQuality(t *testing.T) {
	t.Helper()
	if os.Getenv("ECCS_TEST_LIGHTHOUSE") != "1" {
		t.Skip("the web quality run (Lighthouse, axe-core) runs only with ECCS_TEST_LIGHTHOUSE=1, after npm ci in webquality/ (.ci/run does both)")
	}
	requireTools(t)
}

// TestEveryPagePassesAxeInBothLanguages opens a page of every template in French and in
// English, saves a screenshot of each, and requires no axe-core violation.
func TestEveryPagePassesAxeInBothLanguages(t *testing.T) {
	runQuality(t)
	s := startSite(t)
	for _, lang := range []string{"fr", "en"} {
		tab := browsertest.Start(t)
		for _, p := range pages(s) {
			visitAs(t, tab, s, p.As, lang)
			if status, body := s.get(t, p, lang); status != p.Status {
				t.Errorf("%s (%s): %s answers %d, want %d: %.300s", p.Template, lang, p.Path, status, p.Status, body)
				continue
			}
			for _, v := range axeCheck(t, tab, s.URL+p.Path) {
				t.Errorf("%s (%s) %s: axe-core: %s", p.Template, lang, p.Path, v)
			}
			browsertest.Screenshot(t, tab, fmt.Sprintf("webquality-%s-%s", p.Template, lang))
		}
	}
}

// TestEveryTemplateReachesTheLighthouseScores runs Lighthouse once per template, serially,
// alternating desktop in French and mobile in English, and requires the minimum scores;
// performance gets one retry. The error page's best practices may lose only the console error
// of its own 404. It prints one line per template.
func TestEveryTemplateReachesTheLighthouseScores(t *testing.T) {
	runQuality(t)
	s := startSite(t)
	for i, p := range pages(s) {
		ff := desktopFrench
		if i%2 == 1 {
			ff = mobileEnglish
		}
		name := fmt.Sprintf("%s-%s-%s", p.Template, ff.Name, ff.Lang)
		got := runLighthouse(t, s.URL+p.Path, s.cookieHeader(p.As, ff.Lang), ff, name)
		if got.Performance < minPerformance {
			t.Logf("%s: performance %d, retrying once", name, got.Performance)
			got = runLighthouse(t, s.URL+p.Path, s.cookieHeader(p.As, ff.Lang), ff, name)
		}
		ownStatus := got.onlyItsOwnStatus(s.URL+p.Path, p.Status)
		note := ""
		if ownStatus {
			note = fmt.Sprintf(" (best practices: only the console error of its own %d)", p.Status)
		}
		fmt.Printf("lighthouse %-28s performance %3d  accessibility %3d  best-practices %3d  %s%s\n",
			name, got.Performance, got.Accessibility, got.BestPractices, p.Path, note)
		bestPracticesMet := got.BestPractices >= minBestPractices || ownStatus
		if got.Accessibility < minAccessibility || !bestPracticesMet || got.Performance < minPerformance {
			t.Errorf("%s (%s): performance %d (want >= %d), accessibility %d (want %d), best practices %d (want %d); audits that failed: %v",
				name, p.Path, got.Performance, minPerformance, got.Accessibility, minAccessibility,
				got.BestPractices, minBestPractices, got.Failed)
		}
	}
}
