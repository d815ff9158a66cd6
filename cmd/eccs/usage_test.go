package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/eccs/eccs/api"
	"github.com/eccs/eccs/internal/devseed"
)

// -o names a directory that must exist: when it does not, or is a file, the error says what
// -o is, before any request, and creates nothing.
func TestDownloadSaysWhatDashOIsWhenItIsNoDirectory(t *testing.T) {
	t.Parallel()
	s := world.NewServer(t)
	c := newCLI(t, s)
	c.mustLogin(s.Creds.APIKeys.Client, "--contract", devseed.SampleContractID)
	tmp := t.TempDir()
	file := filepath.Join(tmp, "bills.txt")
	if err := os.WriteFile(file, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	const advice = "-o (--dir) names the directory the file is saved in, under the name the server gives (create it first), or - for standard output"
	for _, tc := range []struct{ dir, want string }{
		{filepath.Join(tmp, "x"), "no such directory"},
		{filepath.Join(file, "x"), "no such directory"},
		{file, "a file, not a directory"},
	} {
		calls := s.Calls.Load()
		r := c.run("", "documents", "download", "-c", devseed.SampleContractID, "--latest", "--type", "bills", "-o", tc.dir)
		if want := "eccs: -o " + tc.dir + ": " + tc.want + "; " + advice + "\n"; r.code != exitLocal || !strings.HasPrefix(r.stderr, want) || r.stdout != "" {
			t.Errorf("-o %s: exit %d, stdout %q, stderr %q; want exit 1 and %q", tc.dir, r.code, r.stdout, r.stderr, want)
		}
		if got := s.Calls.Load() - calls; got != 0 {
			t.Errorf("-o %s: %d API calls before the error, want none", tc.dir, got)
		}
	}
	if _, err := os.Stat(filepath.Join(tmp, "x")); err == nil {
		t.Error("download created the directory of -o")
	}
}

// The flags `contracts create` requires are checked before any request, and named as flags:
// the server would name the wire's fields (supportLevel, referentName…).
func TestContractsCreateNamesTheMissingRequiredFlags(t *testing.T) {
	t.Parallel()
	s := world.NewServer(t)
	c := newCLI(t, s)
	c.mustLogin(s.Creds.APIKeys.Administrator)
	partial := filepath.Join(t.TempDir(), "order.json")
	if err := os.WriteFile(partial, []byte(`{"billingAccountId":"`+s.Creds.BillingAccountID+`","offerCode":"FE","referentMail":"jane.doe@example.com"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"contracts", "order", "--billing-account", s.Creds.BillingAccountID, "--offer", s.Creds.OfferCode, "--name", "web"},
			"eccs: missing --support-level, --referent-last-name, --referent-first-name, --referent-email\n"},
		{[]string{"contracts", "create"},
			"eccs: missing --billing-account, --offer, --name, --support-level, --referent-last-name, --referent-first-name, --referent-email\n"},
		// The old names of the flags are theirs too.
		{[]string{"contracts", "create", "--billing-account-id", s.Creds.BillingAccountID, "--offer-code", "FE", "--contract-name", "web",
			"--support-level", "BSC", "--referent-name", "Doe", "--referent-first-name", "Jane"}, "eccs: missing --referent-email\n"},
		{[]string{"contracts", "create", "--from-json", partial, "--name", "web", "--referent-first-name", "Jane"},
			"eccs: missing --support-level, --referent-last-name (or supportLevel, referentName in " + partial + ")\n"},
	} {
		calls := s.Calls.Load()
		r := c.run("", tc.args...)
		if r.code != exitLocal || !strings.HasPrefix(r.stderr, tc.want) || !strings.Contains(r.stderr, "--help") {
			t.Errorf("eccs %s: exit %d, stderr %q; want exit 1 and %q", strings.Join(tc.args, " "), r.code, r.stderr, tc.want)
		}
		if got := s.Calls.Load() - calls; got != 0 {
			t.Errorf("eccs %s: %d API calls, want none", strings.Join(tc.args, " "), got)
		}
	}
	// Everything else is the server's to check.
	r := c.run("", "contracts", "create", "--billing-account", s.Creds.BillingAccountID, "--offer", s.Creds.OfferCode, "--name", "web",
		"--support-level", s.Creds.SupportLevel, "--referent-last-name", "Doe", "--referent-first-name", "Jane", "--referent-email", "not-an-address")
	if r.code != exitRefused || !strings.Contains(r.stderr, "400/") {
		t.Errorf("a bad e-mail address: exit %d, %q; want the server's 400", r.code, r.stderr)
	}
}

// A table of documents that is not the whole list says so on stderr, as eccsd admin's lists
// do; the formats for scripts print the page alone.
func TestDocumentsListSaysWhenTheTableIsNotTheWholeList(t *testing.T) {
	t.Parallel()
	s := world.NewServer(t)
	c := newCLI(t, s)
	c.mustLogin(s.Creds.APIKeys.Client, "--contract", devseed.SampleContractID)
	bills := len(decodeJSON[[]api.Document](t, c.ok("documents", "list", "--type", "bills", "--limit", "0", "--output", "json")))
	if bills <= 10 {
		t.Fatalf("the sample contract has %d bills: the test needs more than a page of 10", bills)
	}
	all := decodeJSON[[]api.Document](t, c.ok("documents", "list", "--limit", "0", "--output", "json"))
	byPeriod := map[string]int{}
	period := ""
	for _, d := range all {
		if byPeriod[d.Period]++; byPeriod[d.Period] > byPeriod[period] {
			period = d.Period
		}
	}
	ofPeriod := byPeriod[period]
	if ofPeriod < 3 {
		t.Fatalf("the sample contract has at most %d documents of a month: the test needs 3", ofPeriod)
	}
	for _, tc := range []struct {
		args []string
		note string
	}{
		{[]string{"--type", "bills"}, fmt.Sprintf("showing 1 to 10 of %d; use --limit 0 for all, or --offset 10\n", bills)},
		{[]string{"--type", "bills", "-n", "3", "--offset", "2"}, fmt.Sprintf("showing 3 to 5 of %d; use --limit 0 for all, or --offset 5\n", bills)},
		{[]string{"-n", "2"}, fmt.Sprintf("showing 1 to 2 of %d; use --limit 0 for all, or --offset 2\n", len(all))},
		{[]string{"--period", period, "-n", "1", "--offset", "1"}, fmt.Sprintf("showing 2 to 2 of %d; use --limit 0 for all, or --offset 2\n", ofPeriod)},
		{[]string{"--type", "bills", "--offset", "10"}, ""}, // the last page
		{[]string{"--type", "bills", "--limit", "0"}, ""},
		{[]string{"--type", "bills", "--output", "json"}, ""},
		{[]string{"--type", "bills", "--output", "csv"}, ""},
	} {
		r := c.run("", append([]string{"documents", "list"}, tc.args...)...)
		if r.code != 0 || r.stderr != tc.note {
			t.Errorf("documents list %s: exit %d, stderr %q; want %q", strings.Join(tc.args, " "), r.code, r.stderr, tc.note)
		}
	}
	// contracts list shows them all, in one call or page by page: nothing to say.
	for _, args := range [][]string{{"contracts", "list"}, {"contracts", "list", "--page-size", "1"}} {
		if r := c.run("", args...); r.code != 0 || r.stderr != "" {
			t.Errorf("eccs %s: exit %d, stderr %q", strings.Join(args, " "), r.code, r.stderr)
		}
	}
}
