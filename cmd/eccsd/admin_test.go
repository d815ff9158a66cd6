package main

// `eccsd admin`: help, exit statuses, the audit trail, documents, and the bootstrap's
// refusals.

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/eccs/eccs/api/admin"
	"github.com/eccs/eccs/cmd/internal/command"
	"github.com/eccs/eccs/internal/devseed"
	"github.com/eccs/eccs/internal/docformat"
)

func TestAdminHelpOfEveryCommandHasAnExampleAndItsVariables(t *testing.T) {
	t.Parallel()
	var walk func(c *cobra.Command, path []string)
	var leaves [][]string
	walk = func(c *cobra.Command, path []string) {
		path = append(slices.Clone(path), c.Name())
		leaves = append(leaves, path)
		for _, sub := range c.Commands() {
			if sub.IsAvailableCommand() {
				walk(sub, path)
			}
		}
	}
	walk(newAdminCmd(env{getenv: noEnv}), nil)
	if len(leaves) < 60 {
		t.Fatalf("only %d admin commands", len(leaves))
	}
	for _, path := range leaves {
		args := append(slices.Clone(path), "--help")
		out, _, err := runCmd(t, noEnv, args...)
		if err != nil {
			t.Errorf("eccsd %s: %v", strings.Join(args, " "), err)
			continue
		}
		if !strings.Contains(out, "Examples:\n  eccsd admin") {
			t.Errorf("eccsd %s shows no example:\n%s", strings.Join(args, " "), out)
		}
		bootstrap := slices.Contains(path, "operator-token")
		if !bootstrap && len(path) > 2 && (!strings.Contains(out, "--admin-url") || !strings.Contains(out, "[$ECCS_ADMIN_URL]") || !strings.Contains(out, "[$ECCS_ADMIN_TOKEN]")) {
			t.Errorf("eccsd %s does not document --admin-url, $ECCS_ADMIN_URL and $ECCS_ADMIN_TOKEN:\n%s", strings.Join(args, " "), out)
		}
		if bootstrap && len(path) == 3 && (!strings.Contains(out, "[$ECCS_DATA_DIR]") || !strings.Contains(out, "[$ECCS_DATABASE_URL]") || !strings.Contains(out, "[$ECCS_KEYS_FILE]") || strings.Contains(out, "ECCS_NAME")) {
			t.Errorf("eccsd %s does not document its variables as serve does:\n%s", strings.Join(args, " "), out)
		}
	}
}

func TestAdminExitStatusIsOneForLocalErrorsAndTwoForRefusals(t *testing.T) {
	t.Parallel()
	w := startAdminWorld(t)
	unreachable := envOf(map[string]string{"ECCS_ADMIN_URL": "http://127.0.0.1:1", "ECCS_ADMIN_TOKEN": "eccsop_x"})
	wrongToken := envOf(map[string]string{"ECCS_ADMIN_URL": w.adminURL, "ECCS_ADMIN_TOKEN": "eccsop_not_a_token"})
	for _, tc := range []struct {
		name   string
		getenv func(string) string // nil: the world's
		args   []string
		want   int
		says   string
	}{
		{"an unknown flag", nil, []string{"customers", "list", "--no-such-flag"}, exitLocal, "no-such-flag"},
		{"an unknown output format", nil, []string{"customers", "list", "--output", "yaml"}, exitLocal, "yaml"},
		{"a missing argument", nil, []string{"customers", "show"}, exitLocal, "ID"},
		{"an unknown command", nil, []string{"customers", "frob"}, exitLocal, "frob"},
		{"unparsable roles", nil, []string{"users", "add", "OCB0000001", "--roles", "visitor"}, exitLocal, "section=role"},
		{"a bad --since", nil, []string{"audit", "--since", "yesterday"}, exitLocal, "yesterday"},
		{"no admin URL", noEnv, []string{"customers", "list"}, exitLocal, "ECCS_ADMIN_URL"},
		{"an unreachable admin URL", unreachable, []string{"customers", "list"}, exitLocal, "127.0.0.1:1"},
		{"a customer that does not exist", nil, []string{"customers", "show", "nosuch"}, exitRefused, "404/60"},
		{"a wrong operator token", wrongToken, []string{"customers", "list"}, exitRefused, "401/41"},
		{"a value the server refuses", nil, []string{"customers", "create", "--id", "C 1", "--name", "x", "--segment", "sme"}, exitRefused, "400/24"},
		{"a taken id", nil, []string{"customers", "create", "--id", "C1000001", "--name", "x", "--segment", "sme"}, exitRefused, "409/70"},
		{"a missing required value", nil, []string{"users", "add", "OCB0000001", "--email", "x@acme.example", "--last-name", "X", "--first-name", "Y", "--login", "xyxyxyxy"}, exitRefused, "roles"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			getenv := tc.getenv
			if getenv == nil {
				getenv = w.getenv
			}
			_, stderr, err := runCmd(t, getenv, append([]string{"admin"}, tc.args...)...)
			if got := exitCode(err); got != tc.want {
				t.Errorf("exit %d (%v), want %d", got, err, tc.want)
			}
			if !strings.Contains(stderr, tc.says) {
				t.Errorf("stderr %q does not say %q", stderr, tc.says)
			}
		})
	}
	if exitCode(nil) != 0 {
		t.Error("exitCode(nil) != 0")
	}
}

func TestAdminOperatorTokenCreateRefusesToCreateADatabaseOrKeys(t *testing.T) {
	t.Parallel()
	empty := filepath.Join(t.TempDir(), "nothing")
	migrated := filepath.Join(t.TempDir(), "migrated")
	if _, _, err := runCmd(t, noEnv, "migrate", "--data-dir", migrated); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, dir string
		says      []string
	}{
		{"no database and no keys", empty, []string{"no database", "eccsd migrate"}},
		{"a database without keys", migrated, []string{"keys", "eccsd serve"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := listDir(t, tc.dir)
			out, _, err := runCmd(t, noEnv, "admin", "operator-token", "create", "--data-dir", tc.dir, "--name", "x")
			if exitCode(err) != exitLocal || out != "" {
				t.Fatalf("exit %d (%v), stdout %q; want %d and nothing", exitCode(err), err, out, exitLocal)
			}
			for _, s := range tc.says {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("%v does not say %q", err, s)
				}
			}
			if after := listDir(t, tc.dir); !slices.Equal(before, after) {
				t.Errorf("it changed %s: %v → %v", tc.dir, before, after)
			}
		})
	}
	// With the keys but without the database, it says to migrate.
	keysOnly := t.TempDir()
	if err := os.WriteFile(filepath.Join(keysOnly, "keys.json"), []byte("{}"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, _, err := runCmd(t, noEnv, "admin", "operator-token", "create", "--data-dir", keysOnly, "--name", "x")
	if exitCode(err) != exitLocal || !strings.Contains(err.Error(), "eccsd migrate") {
		t.Errorf("without a database: %v, want it to say eccsd migrate", err)
	}
	if _, statErr := os.Stat(filepath.Join(keysOnly, "eccs.db")); !os.IsNotExist(statErr) {
		t.Errorf("it created a database (%v)", statErr)
	}
}

func listDir(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// TestAdminAuditShowsTheTestsChangesAndNoSecret makes every kind of change to a contract
// through the CLI (its users, its documents: uploaded, downloaded, replaced, deleted), and
// secrets in the same span: the audit trail shows each change, by an operator, with its
// request id, and none of the secrets.
func TestAdminAuditShowsTheTestsChangesAndNoSecret(t *testing.T) {
	t.Parallel()
	w := startAdminWorld(t)
	const id = "OCB9400001"
	w.mustAdmin(t, "contracts", "create", "--id", id, "--name", "AUDITED", "--offer", devseed.OfferCode, "--billing-account", devseed.BillingAccountID,
		"--referent-email", "audit.ref@acme.example", "--referent-last-name", "Ref", "--referent-first-name", "Audrey")
	w.mustAdmin(t, "contracts", "update", id, "--support-level", "PRM", "--platform-id", "tenant-42")
	var user admin.User
	w.adminJSON(t, &user, "users", "add", id, "--email", "audit.user@acme.example", "--last-name", "User", "--first-name", "Aude",
		"--login", "audit.user.acme", "--roles", "contracts=visitor,documents=manager")
	w.mustAdmin(t, "users", "roles", id, user.ID, "--roles", "contracts=visitor,documents=visitor,users=manager")
	checkAdminDocumentCommands(t, w, id)
	w.mustAdmin(t, "contracts", "close", id)

	// Secrets made in the same time span: none may reach the audit trail.
	var acct admin.Account
	w.adminJSON(t, &acct, "accounts", "create", "--type", "client", "--email", "audit.user@acme.example", "--last-name", "User", "--first-name", "Aude")
	var key admin.IssuedKey
	w.adminJSON(t, &key, "keys", "issue", acct.ID)
	var app admin.IssuedApplication
	w.adminJSON(t, &app, "apps", "create", "--name", "Audit app")
	var op admin.IssuedOperatorToken
	w.adminJSON(t, &op, "operator-tokens", "create", "--name", "audit test")
	w.remember(key.Key, app.ClientSecret, op.Token)

	checkContractAuditTrail(t, w, id)
	var recent admin.List[admin.AuditEvent]
	w.adminJSON(t, &recent, "audit", "--actor", "operator", "--since", "1h", "--limit", "1000")
	all := w.mustAdmin(t, "audit", "--since", "1h", "--limit", "1000")
	raw, _ := json.Marshal(recent)
	for _, secret := range w.secrets() {
		if strings.Contains(all, secret) || strings.Contains(string(raw), secret) {
			t.Errorf("the audit trail shows a secret (%.12s…)", secret)
		}
	}
	if recent.Total < 12 {
		t.Errorf("audit --actor operator --since 1h: %d events", recent.Total)
	}
}

// checkAdminDocumentCommands uploads a real invoice to contract id, downloads it (to stdout,
// to a file, not over an existing one), replaces it, refuses a missing file and a broken PDF,
// and deletes it.
func checkAdminDocumentCommands(t *testing.T, w *adminWorld, id string) {
	t.Helper()
	p, _ := docformat.ParsePeriod("202403")
	st := docformat.Generate(docformat.Params{Seed: "audit", ContractID: id, CustomerName: "Acme Industries SA", Period: p})
	var pdf bytes.Buffer
	if err := docformat.InvoicePDF.Write(&pdf, st, docformat.DefaultInvoice(st)); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "invoice.pdf")
	if err := os.WriteFile(file, pdf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	var doc admin.Document
	w.adminJSON(t, &doc, "documents", "upload", id, file, "--type", "invoices", "--period", "202403", "--amount", "1234.56", "--currency", "EUR", "--filename", "invoice-202403.pdf")
	sum := sha256.Sum256(pdf.Bytes())
	if doc.SHA256 != hex.EncodeToString(sum[:]) || doc.Size != int64(pdf.Len()) || doc.Amount != 1234.56 {
		t.Errorf("documents upload: %+v", doc)
	}
	got := w.mustAdmin(t, "documents", "download", id, doc.ID, "--file", "-")
	if got != pdf.String() {
		t.Errorf("documents download --file - gave %d bytes, want the %d uploaded", len(got), pdf.Len())
	}
	dest := filepath.Join(t.TempDir(), "copy.pdf")
	w.mustAdmin(t, "documents", "download", id, doc.ID, "--file", dest)
	if b, err := os.ReadFile(dest); err != nil || !bytes.Equal(b, pdf.Bytes()) {
		t.Errorf("documents download --file %s: %v", dest, err)
	}
	if _, _, err := w.admin(t, "documents", "download", id, doc.ID, "--file", dest); exitCode(err) != exitLocal || !strings.Contains(err.Error(), "exists") {
		t.Errorf("a download over an existing file: %v, want a refusal", err)
	}
	w.mustAdmin(t, "documents", "replace", id, doc.ID, file, "--amount", "1250.00")
	if _, stderr, err := w.admin(t, "documents", "upload", id, filepath.Join(t.TempDir(), "nope.pdf"), "--type", "invoices", "--period", "202403", "--amount", "1", "--currency", "EUR"); exitCode(err) != exitLocal {
		t.Errorf("uploading a missing file: %v (%s), want exit 1", err, stderr)
	}
	broken := filepath.Join(t.TempDir(), "broken.pdf")
	os.WriteFile(broken, []byte("%PDF-1.4 not really"), 0o644)
	if _, stderr, err := w.admin(t, "documents", "upload", id, broken, "--type", "invoices", "--period", "202404", "--amount", "1", "--currency", "EUR"); exitCode(err) != exitRefused || !strings.Contains(stderr, "400/24") {
		t.Errorf("uploading a broken PDF: %v (%s), want the server's 400/24", err, stderr)
	}
	w.mustAdmin(t, "documents", "delete", id, doc.ID)
}

// checkContractAuditTrail checks the audit trail of contract id: every change made to it, in
// the table and in JSON, each by an operator with its request id; none before 2000.
func checkContractAuditTrail(t *testing.T, w *adminWorld, id string) {
	t.Helper()
	table := w.mustAdmin(t, "audit", "--object", "contract:"+id)
	for _, action := range []string{"contract.create", "contract.update", "user.declare", "user.roles", "document.add", "document.replace", "document.delete", "contract.close"} {
		if !strings.Contains(table, action) {
			t.Errorf("audit --object contract:%s does not show %s:\n%s", id, action, table)
		}
	}
	var events admin.List[admin.AuditEvent]
	w.adminJSON(t, &events, "audit", "--object", "contract:"+id)
	if events.Total < 8 || len(events.Items) != events.Total {
		t.Errorf("audit --output json: %d of %d events", len(events.Items), events.Total)
	}
	for _, e := range events.Items {
		if e.ObjectType != "contract" || e.ObjectID != id || e.ActorType != "operator" || e.RequestID == "" {
			t.Errorf("event %+v, want an operator's change of contract %s with its request id", e, id)
		}
	}
	var none admin.List[admin.AuditEvent]
	w.adminJSON(t, &none, "audit", "--object", "contract:"+id, "--until", "2000-01-01T00:00:00Z")
	if none.Total != 0 {
		t.Errorf("audit --until 2000: %d events", none.Total)
	}
}

func TestAdminUnknownSubcommandOfEveryGroupIsAUsageErrorWithSuggestions(t *testing.T) {
	t.Parallel()
	groups := command.Groups(newAdminCmd(env{getenv: noEnv}))
	if len(groups) < 11 {
		t.Fatalf("only %d groups", len(groups))
	}
	for _, g := range groups {
		path := strings.Fields(g.CommandPath()) // "admin customers"
		first := command.Subcommands(g)[0].Name()
		// "creat" and "ceate" for "create": a prefix, and a letter missing.
		prefix, missing := first[:len(first)-1], first[:1]+first[2:]
		for _, tc := range []struct{ word, suggest string }{{prefix, `"` + first + `"`}, {missing, `"` + first + `"`}, {"frobnicate", ""}} {
			args := append(slices.Clone(path), tc.word)
			out, _, err := runCmd(t, noEnv, args...)
			if exitCode(err) != exitLocal || err == nil || !strings.Contains(err.Error(), "unknown command") || !strings.Contains(err.Error(), `"`+tc.word+`"`) {
				t.Errorf("eccsd %s: exit %d (%v); want 1 and unknown command %q", strings.Join(args, " "), exitCode(err), err, tc.word)
				continue
			}
			if tc.suggest != "" && !strings.Contains(err.Error(), "did you mean "+tc.suggest) {
				t.Errorf("eccsd %s does not suggest %s: %v", strings.Join(args, " "), tc.suggest, err)
			}
			if out != "" {
				t.Errorf("eccsd %s printed on stdout: %q", strings.Join(args, " "), out)
			}
		}
	}
}

// helpPage is what a command's --help says: its usage line, subcommands and visible flags
// (long name to shorthand, "" for none).
type helpPage struct {
	usage string
	subs  []string
	flags map[string]string
}

var helpFlag = regexp.MustCompile(`^\s+(?:-([a-zA-Z0-9]), )?--([a-z0-9-]+)`)

func parseHelp(out string) helpPage {
	p := helpPage{flags: map[string]string{}}
	section := ""
	for _, line := range strings.Split(out, "\n") {
		switch {
		case line == "":
			section = ""
		case !strings.HasPrefix(line, " "):
			section = strings.TrimSuffix(line, ":")
		case section == "Usage" && p.usage == "":
			p.usage = strings.TrimSpace(line)
		case section == "Available Commands":
			if f := strings.Fields(line); len(f) > 0 && f[0] != "help" && f[0] != "completion" {
				p.subs = append(p.subs, f[0])
			}
		case section == "Flags" || section == "Global Flags":
			if m := helpFlag.FindStringSubmatch(line); m != nil {
				p.flags[m[2]] = m[1]
			}
		}
	}
	return p
}

// helpTree reads the help of every command under path with help, keyed by the command path
// ("documents list").
func helpTree(t *testing.T, help func(path []string) string, path []string) map[string]helpPage {
	t.Helper()
	tree := map[string]helpPage{}
	var walk func(path []string)
	walk = func(path []string) {
		p := parseHelp(help(path))
		tree[strings.Join(path, " ")] = p
		for _, sub := range p.subs {
			walk(append(slices.Clone(path), sub))
		}
	}
	walk(path)
	return tree
}

// contractFlagName is a flag name that names a contract.
var contractFlagName = regexp.MustCompile(`^contracts?(-?(id|ids|number|no|num))?$`)

// TestAdminAndEccsNameTheSameThingsAlike reads the help of every command of eccs (built for
// the test) and of eccsd admin: a flag that names a contract is --contract, -c, everywhere,
// and each concept the two share has one name and one shorthand in both.
func TestAdminAndEccsNameTheSameThingsAlike(t *testing.T) {
	t.Parallel()
	eccsTree, adminTree := eccsAndAdminHelpTrees(t)
	if len(eccsTree) < 14 || len(adminTree) < 60 {
		t.Fatalf("%d eccs commands and %d eccsd admin commands", len(eccsTree), len(adminTree))
	}

	// Every flag naming a contract is --contract, -c; -c is nothing else; every command that
	// takes a CONTRACT argument takes --contract too.
	for cli, tree := range map[string]map[string]helpPage{"eccs": eccsTree, "eccsd": adminTree} {
		for path, p := range tree {
			for name, short := range p.flags {
				if contractFlagName.MatchString(name) && (name != "contract" || short != "c") {
					t.Errorf("%s %s: --%s (-%s) names a contract: want --contract, -c", cli, path, name, short)
				}
				if short == "c" && name != "contract" {
					t.Errorf("%s %s: -c is --%s, want --contract", cli, path, name)
				}
			}
			if strings.Contains(p.usage, "CONTRACT") && p.flags["contract"] != "c" {
				t.Errorf("%s %s takes a CONTRACT (%s) but not --contract, -c", cli, path, p.usage)
			}
		}
	}

	// One concept, one name (and the same shorthand) in both.
	for _, tc := range sharedConcepts {
		for cli, cmds := range map[string][]string{"eccs": tc.eccs, "eccsd": tc.admin} {
			tree := map[string]map[string]helpPage{"eccs": eccsTree, "eccsd": adminTree}[cli]
			for _, path := range cmds {
				p, ok := tree[path]
				if !ok {
					t.Errorf("%s: no command %s %s", tc.concept, cli, path)
					continue
				}
				if short, ok := p.flags[tc.flag]; !ok || short != tc.short {
					t.Errorf("%s %s: the %s is not --%s (-%s); its flags: %v", cli, path, tc.concept, tc.flag, tc.short, p.flags)
				}
			}
		}
	}
}

// eccsAndAdminHelpTrees builds eccs and reads the help of every command of it (in a home of
// its own) and of eccsd admin.
func eccsAndAdminHelpTrees(t *testing.T) (eccsTree, adminTree map[string]helpPage) {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to build eccs: %v", err)
	}
	eccsBin := filepath.Join(t.TempDir(), "eccs")
	if out, err := exec.Command(goBin, "build", "-o", eccsBin, "github.com/eccs/eccs/cmd/eccs").CombinedOutput(); err != nil {
		t.Fatalf("build eccs: %v\n%s", err, out)
	}
	home := t.TempDir()
	eccsTree = helpTree(t, func(path []string) string {
		cmd := exec.Command(eccsBin, append(slices.Clone(path), "--help")...)
		cmd.Env = []string{"HOME=" + home, "XDG_CONFIG_HOME=" + home, "XDG_CACHE_HOME=" + home}
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("eccs %s --help: %v", strings.Join(path, " "), err)
		}
		return string(out)
	}, nil)
	adminTree = helpTree(t, func(path []string) string {
		out, _, err := runCmd(t, noEnv, append(slices.Clone(path), "--help")...)
		if err != nil {
			t.Fatalf("eccsd %s --help: %v", strings.Join(path, " "), err)
		}
		return out
	}, []string{"admin"})
	return eccsTree, adminTree
}

// sharedConcept is a concept eccs and eccsd admin both take, the commands of each that take
// it, and the flag (and shorthand) that must name it in both.
type sharedConcept struct {
	concept     string
	eccs, admin []string // commands of each that take it
	flag, short string
}

var sharedConcepts = []sharedConcept{
	{"contract", []string{"contracts show", "documents list", "documents download", "users add", "conformance", "login"},
		[]string{"admin contracts show", "admin contracts update", "admin contracts close", "admin contracts referent", "admin documents list",
			"admin documents upload", "admin documents replace", "admin documents delete", "admin documents download",
			"admin users list", "admin users add", "admin users roles", "admin users remove"}, "contract", "c"},
	{"document type", []string{"documents list", "documents download"}, []string{"admin documents upload"}, "type", "t"},
	{"period", []string{"documents list", "documents download"}, []string{"admin documents upload", "admin documents replace"}, "period", ""},
	{"output format", []string{"contracts list", "documents list", "me"}, []string{"admin contracts list", "admin documents list", "admin audit"}, "output", ""},
	{"limit", []string{"documents list"}, []string{"admin documents list", "admin contracts list", "admin audit"}, "limit", "n"},
	{"offset", []string{"documents list"}, []string{"admin documents list", "admin contracts list", "admin audit"}, "offset", ""},
	{"e-mail", []string{"users add"}, []string{"admin users add", "admin accounts create"}, "email", ""},
	{"login", []string{"users add"}, []string{"admin users add", "admin accounts create"}, "login", ""},
	{"last name", []string{"users add"}, []string{"admin users add", "admin accounts create"}, "last-name", ""},
	{"first name", []string{"users add"}, []string{"admin users add", "admin accounts create"}, "first-name", ""},
	{"civility", []string{"users add"}, []string{"admin users add", "admin accounts create"}, "civility", ""},
	{"landline", []string{"users add"}, []string{"admin users add", "admin accounts create"}, "fix-phone", ""},
	{"mobile phone", []string{"users add"}, []string{"admin users add", "admin accounts create"}, "mobile-phone", ""},
	{"roles", []string{"users add"}, []string{"admin users add", "admin users roles"}, "roles", ""},
	{"billing account", []string{"contracts create"}, []string{"admin contracts create", "admin contracts list"}, "billing-account", ""},
	{"offer", []string{"contracts create"}, []string{"admin contracts create", "admin contracts list"}, "offer", ""},
	{"contract name", []string{"contracts create"}, []string{"admin contracts create"}, "name", ""},
	{"support level", []string{"contracts create"}, []string{"admin contracts create"}, "support-level", ""},
	{"referent's e-mail", []string{"contracts create"}, []string{"admin contracts create"}, "referent-email", ""},
	{"referent's last name", []string{"contracts create"}, []string{"admin contracts create"}, "referent-last-name", ""},
	{"referent's first name", []string{"contracts create"}, []string{"admin contracts create"}, "referent-first-name", ""},
	{"referent's civility", []string{"contracts create"}, []string{"admin contracts create"}, "referent-civility", ""},
	{"referent's landline", []string{"contracts create"}, []string{"admin contracts create"}, "referent-fix-phone", ""},
	{"referent's mobile", []string{"contracts create"}, []string{"admin contracts create"}, "referent-mobile-phone", ""},
	{"external references", []string{"contracts create"}, []string{"admin contracts create"}, "reference-ext", ""},
}

func TestAdminTakesTheContractAsAFlagToo(t *testing.T) {
	t.Parallel()
	w := startAdminWorld(t)
	const id = "OCB0000001"
	for _, pair := range [][2][]string{
		{{"contracts", "show", id}, {"contracts", "show", "--contract", id}},
		{{"users", "list", id}, {"users", "list", "-c", id}},
		{{"documents", "list", id, "--limit", "3"}, {"documents", "list", "-c", id, "--limit", "3"}},
	} {
		if a, b := w.mustAdmin(t, pair[0]...), w.mustAdmin(t, pair[1]...); a != b || a == "" {
			t.Errorf("eccsd admin %s and %s differ:\n%s\n%s", strings.Join(pair[0], " "), strings.Join(pair[1], " "), a, b)
		}
	}
	var user admin.User
	w.adminJSON(t, &user, "users", "add", "-c", id, "--email", "flag.user@acme.example", "--last-name", "Flag", "--first-name", "Fred",
		"--login", "flag.user.acme", "--roles", "contracts=visitor", "--roles", "documents=visitor")
	if user.Roles.Contracts != "visitor" || user.Roles.Documents != "visitor" {
		t.Errorf("users add -c with --roles repeated: %+v", user)
	}
	w.mustAdmin(t, "users", "roles", "-c", id, user.ID, "--roles", "contracts=manager")
	w.mustAdmin(t, "users", "remove", user.ID, "--contract", id)
	for _, args := range [][]string{
		{"users", "list", id, "-c", "OCB0000002"}, // two contracts
		{"users", "remove", "-c", id},             // no identity
	} {
		if _, _, err := w.admin(t, args...); exitCode(err) != exitLocal {
			t.Errorf("eccsd admin %s: %v, want a usage error", strings.Join(args, " "), err)
		}
	}
}

func TestAdminNoticesGoToStderrAndTheOutputStaysTheObject(t *testing.T) {
	t.Parallel()
	w := startAdminWorld(t)
	const paul = "paul.durand@acme.example" // seeded: Mr Paul Durand
	const id = "OCB9500001"
	const other = "OCB9500002" // where paul is not declared
	w.mustAdmin(t, "contracts", "create", "--id", other, "--name", "OTHER", "--offer", devseed.OfferCode, "--billing-account", devseed.BillingAccountID,
		"--referent-email", "nina.notice@acme.example", "--referent-last-name", "Notice", "--referent-first-name", "Nina")
	var known admin.Identity
	w.adminJSON(t, &known, "people", "show", paul)
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"contracts create", []string{"contracts", "create", "--id", id, "--name", "NOTICED", "--offer", devseed.OfferCode, "--billing-account", devseed.BillingAccountID,
			"--referent-email", paul, "--referent-last-name", "Durant", "--referent-first-name", "Paul"}},
		{"users add", []string{"users", "add", other, "--email", paul, "--login", known.Login, "--last-name", "Durand", "--first-name", "Pablo", "--roles", "contracts=visitor"}},
		{"accounts create", []string{"accounts", "create", "--type", "client", "--email", paul, "--last-name", "Durand", "--first-name", "Paolo"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, errOut, err := w.admin(t, tc.args...)
			if err != nil {
				t.Fatalf("%v\n%s", err, errOut)
			}
			if !strings.HasPrefix(errOut, "notice: "+paul+" is already known") || !strings.Contains(errOut, "eccsd admin people update") || strings.Contains(out, "notice") {
				t.Errorf("stdout:\n%s\nstderr:\n%s\nwant the notice on stderr only", out, errOut)
			}
			if field(out, "ID") == "" && field(out, "Identity") == "" {
				t.Errorf("the table is not the object's:\n%s", out)
			}
		})
	}
	// JSON carries them in the object, and stderr repeats them.
	out, errOut, err := w.admin(t, "accounts", "create", "--type", "administrator", "--email", paul, "--last-name", "Dupont", "--first-name", "Paul",
		"--billing-accounts", devseed.BillingAccountID, "--offers", devseed.OfferCode, "--output", "json")
	var acct admin.Account
	if err != nil || json.Unmarshal([]byte(out), &acct) != nil || len(acct.Notices) != 1 || errOut != "notice: "+acct.Notices[0]+"\n" {
		t.Errorf("accounts create --output json: %v, stdout:\n%s\nstderr:\n%s", err, out, errOut)
	}
	// No notice when the data sent is what was kept.
	if _, errOut, err := w.admin(t, "users", "add", other, "--email", "claire.martin@acme.example", "--login", "claire.martin", "--last-name", "Martin", "--first-name", "Claire", "--roles", "documents=visitor"); err != nil || errOut != "" {
		t.Errorf("users add with the kept data: %v, stderr %q", err, errOut)
	}
}

func TestAdminContractsCreateMakesItsCustomerAndBillingAccountWhenNew(t *testing.T) {
	t.Parallel()
	w := startAdminWorld(t)
	onboard := func(extra ...string) []string {
		return append([]string{"contracts", "create", "--name", "ONBOARDED", "--offer", devseed.OfferCode,
			"--referent-email", "rene.roux@newco.example", "--referent-last-name", "Roux", "--referent-first-name", "René"}, extra...)
	}
	var c admin.Contract
	w.adminJSON(t, &c, onboard("--customer", "C-NEWCO", "--customer-name", "NewCo SAS", "--segment", "sme",
		"--billing-account", "BA-NEWCO-1", "--billing-account-name", "NewCo - IT")...)
	if c.CustomerID != "C-NEWCO" || c.CustomerName != "NewCo SAS" || c.BillingAccountID != "BA-NEWCO-1" {
		t.Fatalf("contracts create --customer: %+v", c)
	}
	var bas admin.List[admin.BillingAccount]
	w.adminJSON(t, &bas, "billing-accounts", "list", "--customer", "C-NEWCO")
	if len(bas.Items) != 1 || bas.Items[0].ID != "BA-NEWCO-1" || bas.Items[0].Name != "NewCo - IT" {
		t.Errorf("billing accounts of C-NEWCO: %+v", bas.Items)
	}
	// Again for the same customer and billing account: they are found, not created twice.
	var again admin.Contract
	w.adminJSON(t, &again, onboard("--customer", "C-NEWCO", "--customer-name", "NewCo SAS", "--segment", "sme",
		"--billing-account", "BA-NEWCO-1", "--billing-account-name", "NewCo - IT")...)
	if again.ID == c.ID || again.BillingAccountID != "BA-NEWCO-1" {
		t.Errorf("a second contract: %+v", again)
	}
	// An existing billing account must be the customer's.
	if _, stderr, err := w.admin(t, onboard("--customer", "C-NEWCO", "--customer-name", "NewCo SAS", "--segment", "sme", "--billing-account", devseed.BillingAccountID)...); exitCode(err) != exitRefused || !strings.Contains(stderr, "400/24") {
		t.Errorf("another customer's billing account: %v (%s), want 400/24", err, stderr)
	}

	// Usage errors, told before any request.
	unreachable := envOf(map[string]string{"ECCS_ADMIN_URL": "http://127.0.0.1:1", "ECCS_ADMIN_TOKEN": "eccsop_x"})
	for _, tc := range []struct {
		extra []string
		says  string
	}{
		{[]string{"--customer", "C-X", "--billing-account", "BA-X"}, "--customer C-X needs --customer-name and --segment"},
		{[]string{"--customer", "C-X", "--customer-name", "X SA", "--billing-account", "BA-X"}, "needs --segment"},
		{[]string{"--customer-name", "X SA", "--segment", "sme", "--billing-account", "BA-X"}, "--customer-name describes the customer of --customer"},
		{[]string{"--billing-account", "BA-X", "--billing-account-name", "X - IT"}, "--billing-account-name describes the customer of --customer"},
	} {
		args := append([]string{"admin"}, onboard(tc.extra...)...)
		_, stderr, err := runCmd(t, unreachable, args...)
		if exitCode(err) != exitLocal || !strings.Contains(stderr, tc.says) || strings.Contains(stderr, "127.0.0.1:1") {
			t.Errorf("contracts create %s: exit %d, stderr %q; want 1 saying %q", strings.Join(tc.extra, " "), exitCode(err), stderr, tc.says)
		}
	}
}

// TestAdminOutputIDPrintsTheIDsOfObjectsAndListsOnePerLine: --output id prints the id of the
// object a command made or showed, which the next command of a script takes; for a list, the
// id of each item, one a line, as in the JSON output; and the help of every command says so.
func TestAdminOutputIDPrintsTheIDsOfObjectsAndListsOnePerLine(t *testing.T) {
	t.Parallel()
	w := startAdminWorld(t)
	contract := checkOutputIDOfObjects(t, w)
	checkOutputIDOfLists(t, w, contract)

	// The help of every command of the API says so.
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			walk(sub)
		}
		if f := c.Flags().Lookup("output"); f != nil && c.Runnable() && !slices.Contains([]string{"import", "operator-token"}, c.Name()) && c.Parent().Name() != "operator-token" {
			if !strings.Contains(f.Usage, "table, json, or id") {
				t.Errorf("eccsd %s: --output says %q", c.CommandPath(), f.Usage)
			}
		}
	}
	walk(newAdminCmd(env{getenv: noEnv}))
}

// checkOutputIDOfObjects makes a customer, billing account, offer, contract, user, account and
// application with --output id, checking each id is the object's, and returns the contract's.
func checkOutputIDOfObjects(t *testing.T, w *adminWorld) (contract string) {
	t.Helper()
	if got := w.mustAdminID(t, "customers", "create", "--id", "C-IDS", "--name", "Ids SA", "--segment", "sme"); got != "C-IDS" {
		t.Errorf("customers create: %q", got)
	}
	if got := w.mustAdminID(t, "billing-accounts", "create", "--id", "BA-IDS", "--customer", "C-IDS", "--name", "Ids - IT"); got != "BA-IDS" {
		t.Errorf("billing-accounts create: %q", got)
	}
	if got := w.mustAdminID(t, "offers", "create", "--id", "IDS", "--name", "Ids Cloud", "--contract-type", "Public Cloud", "--support-levels", "BSC"); got != "IDS" {
		t.Errorf("offers create: %q", got)
	}
	contract = w.mustAdminID(t, "contracts", "create", "--name", "IDS-PROD", "--offer", "IDS", "--billing-account", "BA-IDS",
		"--referent-email", "ida.ids@ids.example", "--referent-last-name", "Ids", "--referent-first-name", "Ida")
	var c admin.Contract
	w.adminJSON(t, &c, "contracts", "show", contract)
	if c.Name != "IDS-PROD" {
		t.Errorf("contracts create --output id gave %q, which is %+v", contract, c)
	}
	user := w.mustAdminID(t, "users", "add", contract, "--email", "ivo.ids@ids.example", "--login", "ivo.ids.example", "--last-name", "Ids", "--first-name", "Ivo", "--roles", "contracts=visitor")
	var person admin.Identity
	w.adminJSON(t, &person, "people", "show", "ivo.ids@ids.example")
	if user != person.ID {
		t.Errorf("users add --output id: %q, want the identity %q", user, person.ID)
	}
	if got := w.mustAdminID(t, "contracts", "update", contract, "--support-level", "BSC"); got != contract {
		t.Errorf("contracts update: %q", got)
	}
	acct := w.mustAdminID(t, "accounts", "create", "--email", "ivo.ids@ids.example", "--last-name", "Ids", "--first-name", "Ivo")
	if got := w.mustAdminID(t, "accounts", "show", "ivo.ids@ids.example"); got != acct {
		t.Errorf("accounts show: %q, want %q", got, acct)
	}
	app := w.mustAdminID(t, "apps", "create", "--name", "Ids dashboard", "--claim-link")
	if got := w.mustAdminID(t, "apps", "approve", app); got != app {
		t.Errorf("apps approve: %q, want %q", got, app)
	}
	return contract
}

// checkOutputIDOfLists checks that every list prints each item's id, as in the JSON output,
// one a line.
func checkOutputIDOfLists(t *testing.T, w *adminWorld, contract string) {
	t.Helper()
	for _, args := range [][]string{
		{"customers", "list"}, {"billing-accounts", "list"}, {"offers", "list"}, {"contracts", "list"}, {"users", "list", contract},
		{"documents", "list", "OCB0000001"}, {"accounts", "list"}, {"keys", "expiring", "--within", "1000d"}, {"apps", "list"},
		{"operator-tokens", "list"}, {"audit", "--since", "1h"},
	} {
		var list admin.List[json.RawMessage]
		w.adminJSON(t, &list, args...)
		var want []string
		for _, raw := range list.Items {
			var item struct {
				ID string `json:"id"`
			}
			if err := json.Unmarshal(raw, &item); err != nil || item.ID == "" {
				t.Fatalf("%s: an item without an id: %s", strings.Join(args, " "), raw)
			}
			want = append(want, item.ID)
		}
		out := w.mustAdmin(t, append(args, "--output", "id")...)
		if len(want) == 0 || out != strings.Join(want, "\n")+"\n" {
			t.Errorf("eccsd admin %s --output id:\n%s\nwant:\n%s", strings.Join(args, " "), out, strings.Join(want, "\n"))
		}
	}
}

func TestAdminDocumentsUploadKeepsTheIDItIsGiven(t *testing.T) {
	t.Parallel()
	w := startAdminWorld(t)
	p, _ := docformat.ParsePeriod("202402")
	st := docformat.Generate(docformat.Params{Seed: "ids", ContractID: "OCB0000001", CustomerName: "Acme Industries SA", Period: p})
	var pdf bytes.Buffer
	if err := docformat.InvoicePDF.Write(&pdf, st, docformat.DefaultInvoice(st)); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "legacy.pdf")
	if err := os.WriteFile(file, pdf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	upload := func(id string) (string, string, error) {
		return w.admin(t, "documents", "upload", "OCB0000001", file, "--id", id, "--type", "invoices", "--period", "202402",
			"--amount", "10.00", "--currency", "EUR", "--filename", "legacy-"+id+".pdf", "--output", "id")
	}
	const id = "INV-2024.000317_a"
	if out, stderr, err := upload(id); err != nil || out != id+"\n" {
		t.Fatalf("documents upload --id %s: %v, stdout %q, stderr %s", id, err, out, stderr)
	}
	got := w.mustAdmin(t, "documents", "download", "OCB0000001", id, "--file", "-")
	if got != pdf.String() {
		t.Errorf("documents download %s: %d bytes, want the %d uploaded", id, len(got), pdf.Len())
	}
	for _, tc := range []struct {
		id, says string
	}{
		{id, "409"},      // taken
		{"INV 1", "400"}, // not an id
	} {
		if _, stderr, err := upload(tc.id); exitCode(err) != exitRefused || !strings.Contains(stderr, tc.says) {
			t.Errorf("documents upload --id %q: %v (%s), want %s", tc.id, err, stderr, tc.says)
		}
	}
}

func TestAdminOperatorTokenCreateExportsTheAdminURLToo(t *testing.T) {
	t.Parallel()
	w := startAdminWorld(t)
	w.stop(t)
	out, errOut, err := runCmd(t, noEnv, "admin", "operator-token", "create", "--data-dir", w.dataDir, "--name", "URL test", "--admin-url", "http://127.0.0.1:8081")
	if err != nil {
		t.Fatalf("operator-token create --admin-url: %v\n%s", err, errOut)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 2 || lines[0] != "export ECCS_ADMIN_URL=http://127.0.0.1:8081" || !strings.HasPrefix(lines[1], "export ECCS_ADMIN_TOKEN=eccsop_") {
		t.Errorf("operator-token create --admin-url: stdout %q, want the two export lines", out)
	}
	if want := "It is printed once, on standard output, as the lines `export ECCS_ADMIN_URL=…` and `export ECCS_ADMIN_TOKEN=…` for eval: store it now in your secret store"; !strings.Contains(errOut, want) {
		t.Errorf("operator-token create --admin-url: stderr %q does not say %q", errOut, want)
	}
	if _, _, err := runCmd(t, noEnv, "admin", "operator-token", "create", "--data-dir", w.dataDir, "--name", "x", "--admin-url", "ftp://ops"); exitCode(err) != exitLocal || !strings.Contains(err.Error(), "--admin-url") {
		t.Errorf("operator-token create with a bad --admin-url: %v, want a usage error", err)
	}
	for in, want := range map[string]string{"http://h:1/x": "http://h:1/x", "a b": "'a b'", "it's": `'it'\''s'`, "": "''"} {
		if got := shellQuote(in); got != want {
			t.Errorf("shellQuote(%q) = %s, want %s", in, got, want)
		}
	}
}
