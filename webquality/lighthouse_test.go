package webquality

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/eccs/eccs/internal/testkit/browsertest"
)

// The scores every page must reach (0 to 100). Performance depends on a shared machine's load,
// so it gets one retry; accessibility and best practices do not depend on it, and get none.
const (
	minAccessibility = 100
	minBestPractices = 100
	minPerformance   = 95
)

// formFactor is how Lighthouse looks at a page: desktop in French, or mobile (its default,
// throttled) in English.
type formFactor struct {
	Name string
	Lang string
	Args []string
}

var (
	desktopFrench = formFactor{"desktop", "fr", []string{"--preset=desktop"}}
	mobileEnglish = formFactor{"mobile", "en", nil}
)

// scores are a Lighthouse report's category scores, 0 to 100.
type scores struct {
	Performance, Accessibility, BestPractices int
	Failed                                    []string // the audits below 1 that weigh, by id
	// BestPracticesFailed are the best-practices audits below 1 that weigh, by id, and
	// ConsoleErrors the URLs and texts of the errors the browser logged.
	BestPracticesFailed []string
	ConsoleErrors       []consoleError
}

// consoleError is an error the browser logged while Lighthouse loaded the page.
type consoleError struct {
	URL, Description string
}

// onlyItsOwnStatus reports whether the best-practices score lost points only because the
// page at url answers status on purpose (the error page): the browser logs that status as an
// error, and Lighthouse counts it.
func (s scores) onlyItsOwnStatus(url string, status int) bool {
	if status < 400 || !slices.Equal(s.BestPracticesFailed, []string{"errors-in-console"}) {
		return false
	}
	for _, e := range s.ConsoleErrors {
		if e.URL != url || !strings.Contains(e.Description, fmt.Sprintf("status of %d", status)) {
			return false
		}
	}
	return true
}

// lighthouse is the Lighthouse CLI installed by `npm ci` in webquality/.
const lighthouse = "node_modules/lighthouse/cli/index.js"

// requireTools fails t unless Node, the npm packages and Chromium are there: the run was asked
// for (ECCS_TEST_LIGHTHOUSE=1), so a missing tool is a failure, not a skip.
func requireTools(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("node"); err != nil {
		t.Fatal("ECCS_TEST_LIGHTHOUSE=1 but node is not on the PATH: install Node 20")
	}
	for _, f := range []string{lighthouse, axeScript} {
		if _, err := os.Stat(f); err != nil {
			t.Fatalf("ECCS_TEST_LIGHTHOUSE=1 but %s is missing: run npm ci in webquality/", f)
		}
	}
	if browsertest.Binary() == "" {
		t.Fatal("ECCS_TEST_LIGHTHOUSE=1 but no Chromium: install Debian's chromium, or set ECCS_TEST_CHROMIUM")
	}
}

// runLighthouse audits the page at url as ff sees it, with the Cookie header cookie, saves the
// JSON report as lighthouse/<name>.json under the artifacts directory, and returns its scores.
func runLighthouse(t *testing.T, url, cookie string, ff formFactor, name string) scores {
	t.Helper()
	dir := filepath.Join(browsertest.ArtifactsDir(), "lighthouse")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	report := filepath.Join(dir, name+".json")
	headers, err := json.Marshal(map[string]string{"Cookie": cookie, "Accept-Language": ff.Lang})
	if err != nil {
		t.Fatal(err)
	}
	args := append([]string{lighthouse, url,
		"--chrome-flags=--headless=new --no-sandbox --disable-gpu",
		"--only-categories=accessibility,best-practices,performance",
		"--output=json", "--output-path=" + report, "--quiet",
		"--ignore-status-code", // the error page answers 404 on purpose
		"--extra-headers=" + string(headers)}, ff.Args...)
	run := func() ([]byte, error) {
		cmd := exec.CommandContext(t.Context(), "node", args...)
		cmd.Env = append(os.Environ(), "CHROME_PATH="+browsertest.Binary())
		return cmd.CombinedOutput()
	}
	out, err := run()
	// Lighthouse failed to record the page (NO_NAVSTART and the like: "Please run Lighthouse
	// again"; about one run in fifteen here), so it gave no score: up to two more runs measure
	// the page. A score that misses is never run again, except performance
	// (TestEveryTemplateReachesTheLighthouseScores).
	for retries := 2; retries > 0 && err != nil && bytes.Contains(out, []byte("Runtime error encountered")); retries-- {
		t.Logf("lighthouse %s: %s; running it again", url, bytes.TrimSpace(out))
		out, err = run()
	}
	if err != nil {
		t.Fatalf("lighthouse %s: %v\n%s", url, err, out)
	}
	raw, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	s, err := parseReport(raw)
	if err != nil {
		t.Fatalf("lighthouse report %s: %v", report, err)
	}
	return s
}

// parseReport reads the category scores of a Lighthouse JSON report, and the audits that
// lowered them.
func parseReport(raw []byte) (scores, error) {
	var r struct {
		RuntimeError *struct{ Code, Message string } `json:"runtimeError"`
		Categories   map[string]struct {
			Score     *float64 `json:"score"`
			AuditRefs []struct {
				ID     string  `json:"id"`
				Weight float64 `json:"weight"`
			} `json:"auditRefs"`
		} `json:"categories"`
		Audits map[string]struct {
			Score   *float64 `json:"score"`
			Details struct {
				Items []struct {
					Description    string `json:"description"`
					SourceLocation struct {
						URL string `json:"url"`
					} `json:"sourceLocation"`
				} `json:"items"`
			} `json:"details"`
		} `json:"audits"`
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		return scores{}, err
	}
	if r.RuntimeError != nil && r.RuntimeError.Code != "" {
		return scores{}, fmt.Errorf("%s: %s", r.RuntimeError.Code, r.RuntimeError.Message)
	}
	var s scores
	for id, dst := range map[string]*int{"performance": &s.Performance, "accessibility": &s.Accessibility, "best-practices": &s.BestPractices} {
		c, ok := r.Categories[id]
		if !ok || c.Score == nil {
			return scores{}, fmt.Errorf("no %s score", id)
		}
		*dst = int(*c.Score*100 + 0.5)
		for _, ref := range c.AuditRefs {
			if a := r.Audits[ref.ID]; ref.Weight > 0 && a.Score != nil && *a.Score < 1 {
				s.Failed = append(s.Failed, ref.ID)
				if id == "best-practices" {
					s.BestPracticesFailed = append(s.BestPracticesFailed, ref.ID)
				}
			}
		}
	}
	for _, item := range r.Audits["errors-in-console"].Details.Items {
		s.ConsoleErrors = append(s.ConsoleErrors, consoleError{URL: item.SourceLocation.URL, Description: item.Description})
	}
	slices.Sort(s.Failed)
	return s, nil
}
