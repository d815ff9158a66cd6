package webquality

import (
	"fmt"
	"slices"
	"testing"
)

// report is a Lighthouse JSON report cut to what parseReport reads.
func report(bestPractices float64, consoleURL, consoleText string) []byte {
	return fmt.Appendf(nil, `{"categories": {
	"performance": {"score": 0.97, "auditRefs": [{"id": "first-contentful-paint", "weight": 10}, {"id": "uses-long-cache-ttl", "weight": 0}]},
	"accessibility": {"score": 1, "auditRefs": [{"id": "color-contrast", "weight": 7}]},
	"best-practices": {"score": %g, "auditRefs": [{"id": "errors-in-console", "weight": 1}]}},
	"audits": {"first-contentful-paint": {"score": 0.9}, "uses-long-cache-ttl": {"score": 0.5}, "color-contrast": {"score": 1},
	"errors-in-console": {"score": %d, "details": {"items": [{"description": %q, "sourceLocation": {"url": %q}}]}}}}`,
		bestPractices, int(bestPractices), consoleText, consoleURL)
}

func TestReportScoresAndTheErrorPagesOwnStatusAreTold(t *testing.T) {
	const page = "http://localhost:1/no-such-page"
	cases := []struct {
		name      string
		raw       []byte
		status    int
		wantBP    int
		wantOwn   bool
		wantAudit []string
	}{
		{"a clean page", report(1, "", ""), 200, 100, false, []string{"first-contentful-paint"}},
		{"the 404 page's own status", report(0.96, page, "Failed to load resource: the server responded with a status of 404 (Not Found)"),
			404, 96, true, []string{"errors-in-console", "first-contentful-paint"}},
		{"another resource missing on the 404 page", report(0.96, "http://localhost:1/favicon.ico", "… a status of 404 (Not Found)"),
			404, 96, false, []string{"errors-in-console", "first-contentful-paint"}},
		{"a console error on a page answering 200", report(0.96, page, "… a status of 404 (Not Found)"),
			200, 96, false, []string{"errors-in-console", "first-contentful-paint"}},
	}
	for _, c := range cases {
		got, err := parseReport(c.raw)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got.Performance != 97 || got.Accessibility != 100 || got.BestPractices != c.wantBP || !slices.Equal(got.Failed, c.wantAudit) {
			t.Errorf("%s: %+v, want performance 97, accessibility 100, best practices %d, failed %v", c.name, got, c.wantBP, c.wantAudit)
		}
		if own := got.onlyItsOwnStatus(page, c.status); own != c.wantOwn {
			t.Errorf("%s: onlyItsOwnStatus = %v, want %v", c.name, own, c.wantOwn)
		}
	}
}

func TestAReportWithARuntimeErrorIsRefused(t *testing.T) {
	if _, err := parseReport([]byte(`{"runtimeError": {"code": "ERRORED_DOCUMENT_REQUEST", "message": "404"}}`)); err == nil {
		t.Error("a report with a runtime error was read as scores")
	}
}
