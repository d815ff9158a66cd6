// Package conformance checks that a server speaks the Cloud Store Customer Space API the way
// real client programs expect: the gateway's envelope and headers (doc/wire.md §0 to §3) and
// the client compatibility checklist of doc/wire.md §8. Every check names, in its Ref, the
// sections of doc/wire.md (and the RFCs) it checks. It runs against any server — eccs, another
// self-hosted implementation, or the real gateway — so that an integrator can show that two
// servers answer alike. `eccs conformance` prints its report.
//
// The suite is read-only: it sends GET requests to resources and POST requests to the token
// endpoint only (never POST /contract or a user declaration), and asks for few tokens (the
// real gateway allows 50 a minute). It uses plain net/http, without retries, so that what the
// server does is what the report shows.
//
// Every check is reported, none is skipped silently: a check that cannot run because an
// earlier one failed (no token, no contract, no document) fails and says why. A check that
// does not apply (no consumption report on the contract) passes and says so in its Detail.
//
// Checks of eccs extensions (X-Total-Count, /me, ETag and Range on downloads…) are
// informational: the real gateway need not pass them. They carry Informational, their Ref
// says "eccs extension (informational)", and Report.Failed does not count them.
package conformance

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/eccs/eccs/client"
)

// Config says which server to check and with which credentials.
type Config struct {
	// BaseURL is the scheme and host the API's paths hang from (https://api.orange.com for
	// the real gateway, http://127.0.0.1:8080 for `eccsd serve -dev`). Empty: the real gateway.
	BaseURL string
	// ClientID and ClientSecret are the application's client credentials (token endpoint).
	ClientID, ClientSecret string
	// APIKey is the customer-space account's key (X-API-Key).
	APIKey string
	// ContractID is the contract whose documents are checked (X-ECCS-Contract-Id). Empty: the
	// first contract GET /contracts lists. Choose one on which the account is manager of the
	// documents section, so that bills can be checked too.
	ContractID string
	// HTTPClient makes every request (default: a client with a two-minute timeout).
	HTTPClient *http.Client
}

// Check is the outcome of one compatibility check.
type Check struct {
	// Name says what is checked, e.g. "GET /documents → 200 and a bare JSON array".
	Name string
	// Ref names the rules a user can read, e.g. "doc/wire.md §4, §7.3.3, §8 #3" or
	// "doc/wire.md §1; RFC 6749 §5.2"; "eccs extension (informational)" for checks of eccs
	// extensions.
	Ref string
	// Passed is true when the server did what the rule says.
	Passed bool
	// Detail explains a failure, one problem per line: the request, what was expected, what
	// came back, and the X-OAPI-Request-Id of the answer when the server sent one. On a check
	// that passed, it is empty, or says why the check did not apply.
	Detail string
	// Informational marks the checks of eccs extensions, which the real gateway need not pass:
	// their failures are reported but not counted by Report.Failed.
	Informational bool
}

// Report is the outcome of a run: every check, in the order they ran.
type Report struct {
	BaseURL string
	Checks  []Check
}

// Failed returns the number of checks that failed, informational checks excepted: 0 means
// the server passed the suite.
func (r Report) Failed() int {
	n := 0
	for _, c := range r.Checks {
		if !c.Passed && !c.Informational {
			n++
		}
	}
	return n
}

// WriteText writes the report for people: a heading, one line per check (PASS or FAIL, its
// name and its rule), the detail of failures indented under them, and a summary line
// "N checks, M failed".
func (r Report) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "eccs conformance report for %s\n\n", r.BaseURL)
	informationalFailed := 0
	for _, c := range r.Checks {
		status := "PASS"
		if !c.Passed {
			status = "FAIL"
			if c.Informational {
				informationalFailed++
			}
		}
		fmt.Fprintf(&b, "%s  %s  [%s]\n", status, c.Name, c.Ref)
		if c.Detail != "" {
			for _, line := range strings.Split(c.Detail, "\n") {
				fmt.Fprintf(&b, "      %s\n", line)
			}
		}
	}
	fmt.Fprintf(&b, "\n%d checks, %d failed", len(r.Checks), r.Failed())
	if informationalFailed > 0 {
		fmt.Fprintf(&b, " (and %d informational %s failed, not counted: eccs extensions the real gateway need not offer)",
			informationalFailed, plural(informationalFailed, "check", "checks"))
	}
	b.WriteString("\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// Run checks the server of cfg and returns the report. It never fails: a server that cannot be
// reached fails every check, with the reason.
func Run(ctx context.Context, cfg Config) Report {
	r := newRunner(ctx, cfg)
	r.tokenChecks()
	r.contractChecks()
	r.credentialChecks()
	r.documentChecks()
	r.fileChecks()
	r.requestIDChecks()
	r.extensionChecks()
	return Report{BaseURL: r.base, Checks: r.checks}
}

// runner holds a run's state: what earlier checks learnt that later ones need.
type runner struct {
	ctx     context.Context
	cfg     Config
	base    string
	baseErr error
	hc      *http.Client
	checks  []Check
	answers []*exchange // every answer received, for the request-id checks

	token, noToken string // the access token, or why there is none

	contractsEx            *exchange // GET /contracts
	contracts              []any     // its items, when it answered an array
	contractID, noContract string    // the contract of the document checks, or why there is none
	contractEx             map[string]*exchange
	docsDefault, docsAll   *docList // GET /documents without limit, with limit=100
	docsLimit3             *docList
	bills, consumption     *docList // documentType=bills, documentType=comsumptionRatedReports
	file                   *downloaded
	fileWhy                string // why there is no file
}

// docList is a GET /documents answer: its items when it is an array, otherwise why not.
type docList struct {
	ex    *exchange
	items []any
	why   string // non-empty: not an array, and why
}

// downloaded is the document whose file the file checks fetched.
type downloaded struct {
	id, docType string
	ex          *exchange
}

func newRunner(ctx context.Context, cfg Config) *runner {
	r := &runner{ctx: ctx, cfg: cfg, hc: cfg.HTTPClient, contractEx: map[string]*exchange{}}
	if r.hc == nil {
		r.hc = &http.Client{Timeout: 2 * time.Minute}
	}
	base := strings.TrimRight(strings.TrimSpace(cfg.BaseURL), "/")
	if base == "" {
		base = client.DefaultBaseURL
	}
	r.base = base
	if u, err := url.Parse(base); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		r.baseErr = fmt.Errorf("the base URL %q is not an absolute http(s) URL", cfg.BaseURL)
	}
	return r
}

// check runs one check and records it.
func (r *runner) check(name, ref string, f func(v *verdict)) {
	r.record(name, ref, false, f)
}

// extension runs one informational check of an eccs extension and records it.
func (r *runner) extension(name string, f func(v *verdict)) {
	r.record(name, "eccs extension (informational)", true, f)
}

func (r *runner) record(name, ref string, informational bool, f func(v *verdict)) {
	v := &verdict{}
	f(v)
	c := Check{Name: name, Ref: ref, Passed: len(v.problems) == 0, Informational: informational}
	if c.Passed {
		c.Detail = v.note
	} else {
		c.Detail = v.detail()
	}
	r.checks = append(r.checks, c)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
