package main

// Commands as a new user meets them: typos in a group, hints that are true, labels for people,
// flags named as `eccsd admin` names them.

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/eccs/eccs/api"
	"github.com/eccs/eccs/client"
	"github.com/eccs/eccs/cmd/internal/command"
	"github.com/eccs/eccs/internal/devseed"
)

func TestAnUnknownSubcommandOfEveryGroupIsAUsageErrorWithSuggestions(t *testing.T) {
	t.Parallel()
	c := newCLI(t, nil)
	root := (&app{getenv: func(string) string { return "" }}).rootCommand()
	gs := command.Groups(root)
	if len(gs) < 4 {
		t.Fatalf("only %d groups", len(gs))
	}
	for _, g := range gs {
		path := strings.Fields(g.CommandPath())[1:]
		first := command.Subcommands(g)[0].Name()
		// "lis" and "lst" for "list": a prefix, and a letter missing.
		prefix, missing := first[:len(first)-1], first[:1]+first[2:]
		for _, tc := range []struct {
			word    string
			suggest string
		}{{prefix, `"` + first + `"`}, {missing, `"` + first + `"`}, {"frobnicate", ""}} {
			args := append(slices.Clone(path), tc.word)
			r := c.run("", args...)
			if r.code != exitLocal || !strings.Contains(r.stderr, "unknown command") || !strings.Contains(r.stderr, `"`+tc.word+`"`) {
				t.Errorf("eccs %s: exit %d, stderr %q; want 1 and unknown command %q", strings.Join(args, " "), r.code, r.stderr, tc.word)
				continue
			}
			if tc.suggest != "" && !strings.Contains(r.stderr, tc.suggest) {
				t.Errorf("eccs %s does not suggest %s: %q", strings.Join(args, " "), tc.suggest, r.stderr)
			}
			if r.stdout != "" {
				t.Errorf("eccs %s printed on stdout: %q", strings.Join(args, " "), r.stdout)
			}
		}
		// Alone, a group still prints its help and succeeds.
		if r := c.run("", path...); r.code != exitOK || !strings.Contains(r.stdout, "Available Commands:") {
			t.Errorf("eccs %s: exit %d, stdout %q", strings.Join(path, " "), r.code, r.stdout)
		}
	}
}

func TestTheContractHintFollowsOnlyRefusalsAboutTheContract(t *testing.T) {
	t.Parallel()
	s := world.NewServer(t)
	c := newCLI(t, s)
	c.mustLogin(s.Creds.APIKeys.Client, "--contract", devseed.SampleContractID)
	c.mustLogin(s.Creds.APIKeys.Administrator, "--profile", "admin")
	const hint = "may not see it or lacks the role"
	order := func(billingAccount string) []string {
		// The names of old scripts: they stay as hidden aliases.
		return []string{"contracts", "create", "--billing-account-id", billingAccount, "--offer-code", s.Creds.OfferCode,
			"--contract-name", "hint", "--support-level", s.Creds.SupportLevel, "--referent-name", "Doe", "--referent-first-name", "Jane",
			"--referent-mail", "jane.doe@example.com"}
	}
	for _, tc := range []struct {
		name string
		args []string
		hint bool
	}{
		{"a contract the account does not see", []string{"contract", "show", "OCB0000005"}, true},
		{"its documents", []string{"documents", "list", "-c", "OCB0000005"}, true},
		{"a document of it", []string{"documents", "download", "-c", "OCB0000005", "aaaaaaaaaaaaaaaa"}, true},
		{"a user on it", []string{"users", "add", "OCB0000005", "--login", "jane.doe.hint", "--email", "jane.doe@example.com",
			"--last-name", "Doe", "--first-name", "Jane", "--role", "contracts=visitor"}, true},
		{"an order by a client account", order(s.Creds.BillingAccountID), false},
		{"an order outside the perimeter", append(order("99999999"), "--profile", "admin"), false},
	} {
		r := c.run("", tc.args...)
		if r.code != exitRefused || !strings.Contains(r.stderr, "403/50") {
			t.Errorf("%s: eccs %s: exit %d, %q; want 2 and 403/50", tc.name, strings.Join(tc.args, " "), r.code, r.stderr)
			continue
		}
		if got := strings.Contains(r.stderr, hint); got != tc.hint {
			t.Errorf("%s: eccs %s: hint %v, want %v:\n%s", tc.name, strings.Join(tc.args, " "), got, tc.hint, r.stderr)
		}
	}
}

func TestHintForA403Slash50NeedsAContractTheDescriptionDoesNotContradict(t *testing.T) {
	t.Parallel()
	refusal := func(desc string) *client.Error {
		return &client.Error{Status: 403, Code: api.CodeAccessDenied, Message: api.ErrorMessage(api.CodeAccessDenied), Description: desc}
	}
	for _, tc := range []struct {
		name     string
		err      *client.Error
		contract string
		hint     bool
	}{
		{"a hidden contract", refusal("Contract OCB0000005 does not exist or is not visible to this API key."), "OCB0000005", true},
		{"no role on its documents", refusal("This API key has no role on the documents of contract OCB0000005."), "OCB0000005", true},
		{"no description", refusal(""), "OCB0000005", true},
		{"the generic message only", refusal(api.ErrorMessage(api.CodeAccessDenied)), "OCB0000005", true},
		{"a description of the contract without its number", refusal("The contract is not accessible."), "OCB0000005", true},
		{"a call about no contract", refusal(""), "", false},
		{"an application not subscribed", refusal(`The application "demo" is not subscribed to the Cloud Store Customer Space API (subscription pending); it needs an approved subscription.`), "OCB0000005", false},
		{"terms not accepted", refusal(`The application "demo" has not accepted the terms of use of the Cloud Store Customer Space API.`), "OCB0000005", false},
		{"an order outside the perimeter", refusal("Billing account 99999999 with offer FE is outside this API key's perimeter."), "", false},
	} {
		if got := strings.Contains(hintFor(tc.err, tc.contract), "contract"); got != tc.hint {
			t.Errorf("%s: hint %q, want one: %v", tc.name, hintFor(tc.err, tc.contract), tc.hint)
		}
	}
}

// camelKey is a raw wire key as a label: "contractType:", "keyPrefix:".
var camelKey = regexp.MustCompile(`(?m)^[a-z]+[A-Z][A-Za-z]*:`)

func TestShowAndMeSpeakInLabels(t *testing.T) {
	t.Parallel()
	s := world.NewServer(t)
	c := newCLI(t, s)
	c.mustLogin(s.Creds.APIKeys.Client, "--contract", devseed.SampleContractID)
	for _, tc := range []struct {
		args   []string
		labels []string
	}{
		{[]string{"contracts", "show"}, []string{"ID:", "Name:", "Contract type:", "Offer:", "Platform:", "Customer:", "Contact:", "Created:", "Updated:"}},
		{[]string{"me"}, []string{"Account:", "Type:", "Login:", "Name:", "E-mail:", "Key prefix:", "Key created:", "Key expires:", "Application:", "Client id:", "Subscription:", "Contracts:"}},
	} {
		out := c.ok(tc.args...)
		for _, l := range tc.labels {
			if !strings.Contains(out, "\n"+l) && !strings.HasPrefix(out, l) {
				t.Errorf("eccs %s has no %q:\n%s", strings.Join(tc.args, " "), l, out)
			}
		}
		if m := camelKey.FindAllString(out, -1); len(m) > 0 {
			t.Errorf("eccs %s shows raw keys %v:\n%s", strings.Join(tc.args, " "), m, out)
		}
		// The values start in one column.
		col := -1
		for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
			label, _, ok := strings.Cut(line, ":")
			if !ok {
				t.Errorf("eccs %s: line %q has no label", strings.Join(tc.args, " "), line)
				continue
			}
			at := len(label) + 1 + len(line[len(label)+1:]) - len(strings.TrimLeft(line[len(label)+1:], " "))
			if col >= 0 && at != col {
				t.Errorf("eccs %s: the value of %q starts at %d, the others at %d:\n%s", strings.Join(tc.args, " "), label, at, col, out)
			}
			col = at
		}
	}
	if out := c.ok("contracts", "show"); !strings.Contains(out, "FE (Flexible Engine)") {
		t.Errorf("contracts show does not name the offer with its code:\n%s", out)
	}
}

func TestTheFlagsOfEccsdAdminWorkHereToo(t *testing.T) {
	t.Parallel()
	s := world.NewServer(t)
	c := newCLI(t, s)
	c.mustLogin(s.Creds.APIKeys.Administrator)
	// contracts create with the names eccsd admin uses.
	created := decodeJSON[api.ContractCreated](t, c.ok("contracts", "create", "--billing-account", s.Creds.BillingAccountID, "--offer", s.Creds.OfferCode,
		"--name", "aligned", "--support-level", s.Creds.SupportLevel, "--referent-civility", "Mme", "--referent-last-name", "Doe",
		"--referent-first-name", "Jane", "--referent-email", "jane.doe@example.com", "--reference-ext", "PO-1", "--reference-ext", "CC-2", "--output", "json"))
	ct := decodeJSON[api.Contract](t, c.ok("contracts", "show", "-c", created.ID, "--output", "json"))
	if ct.Name != "aligned" || ct.Offer.ID != s.Creds.OfferCode || ct.Contact.LastName != "Doe" || ct.Contact.Email != "jane.doe@example.com" {
		t.Errorf("contracts create with eccsd admin's flag names: %+v", ct)
	}
	if r := c.run("", "contracts", "create", "--reference-ext", "1", "--reference-ext", "2", "--reference-ext", "3", "--reference-ext", "4"); r.code != exitLocal || !strings.Contains(r.stderr, "--reference-ext") {
		t.Errorf("four --reference-ext: exit %d, %q", r.code, r.stderr)
	}
	// users add with --contract and comma-separated --roles, as eccsd admin users add.
	u := decodeJSON[api.User](t, c.ok("users", "add", "-c", created.ID, "--login", "jo.aligned", "--email", "jo.aligned@example.com",
		"--last-name", "Doe", "--first-name", "Jo", "--roles", "contracts=visitor,documents=manager", "--output", "json"))
	if !slices.Equal(u.Roles.Contracts, []string{"visitor"}) || !slices.Equal(u.Roles.Documents, []string{"manager"}) {
		t.Errorf("users add --roles a,b: %+v", u.Roles)
	}
	if r := c.run("", "users", "add", created.ID, "-c", "OCB0000002", "--login", "x"); r.code != exitLocal || !strings.Contains(r.stderr, "contract") {
		t.Errorf("two different contracts: exit %d, %q", r.code, r.stderr)
	}
	// documents list --offset, as eccsd admin documents list.
	all := decodeJSON[[]api.Document](t, c.ok("documents", "list", "-c", devseed.SampleContractID, "--limit", "4", "--output", "json"))
	next := decodeJSON[[]api.Document](t, c.ok("documents", "list", "-c", devseed.SampleContractID, "--limit", "2", "--offset", "2", "--output", "json"))
	if len(all) != 4 || len(next) != 2 || next[0].ID != all[2].ID || next[1].ID != all[3].ID {
		t.Errorf("--limit 2 --offset 2 gave %v, want the 3rd and 4th of %v", ids(next), ids(all))
	}
	bills := decodeJSON[[]api.Document](t, c.ok("documents", "list", "-c", devseed.SampleContractID, "--type", "bills", "--limit", "0", "--output", "json"))
	skipped := decodeJSON[[]api.Document](t, c.ok("documents", "list", "-c", devseed.SampleContractID, "--type", "bills", "--limit", "0", "--offset", "1", "--output", "json"))
	if len(bills) < 2 || len(skipped) != len(bills)-1 || skipped[0].ID != bills[1].ID {
		t.Errorf("--limit 0 --offset 1: %d documents of %d", len(skipped), len(bills))
	}
}

func ids(docs []api.Document) []string {
	var out []string
	for _, d := range docs {
		out = append(out, d.ID)
	}
	return out
}
