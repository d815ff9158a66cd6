package main

// The whole onboarding of a customer, as doc/operations.md writes it: its shell block is read
// from the document and every eccsd command in it run through run(), from an empty data
// directory to the customer's first call with what the claim links reveal. Then the bootstrap
// of an operator token on the database of a stopped server.

import (
	"context"
	"fmt"
	"maps"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/eccs/eccs/api/admin"
	"github.com/eccs/eccs/internal/testkit/testenv"
)

// onboardingDoc is the document whose first section the test runs, and that section's title.
const (
	onboardingDoc     = "../../doc/operations.md"
	onboardingSection = "## From an empty server to a customer's first call"
	maxOnboardingCmds = 6
)

// onboardingBlock returns the lines of the first ```sh block of the onboarding section, each
// command on one line (continuations joined), without comments and blank lines.
func onboardingBlock(t *testing.T) []string {
	t.Helper()
	data, err := os.ReadFile(onboardingDoc)
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(data), onboardingSection+"\n")
	if !ok {
		t.Fatalf("%s has no section %q", onboardingDoc, onboardingSection)
	}
	section, _, _ = strings.Cut(section, "\n## ")
	_, block, ok := strings.Cut(section, "```sh\n")
	if !ok {
		t.Fatalf("the section %q of %s has no ```sh block", onboardingSection, onboardingDoc)
	}
	block, _, ok = strings.Cut(block, "```")
	if !ok {
		t.Fatalf("the ```sh block of %q does not end", onboardingSection)
	}
	var lines []string
	for _, line := range strings.Split(strings.ReplaceAll(block, "\\\n", " "), "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			lines = append(lines, line)
		}
	}
	return lines
}

// shellWords splits a command line as a POSIX shell does for the quoting the document uses:
// blanks, '…', "…" and backslashes. It refuses any expansion ($, `): a variable would be a
// value carried from one command to another.
func shellWords(line string) ([]string, error) {
	var words []string
	var word strings.Builder
	inWord := false
	var quote rune
	runes := []rune(line)
	for i := 0; i < len(runes); i++ {
		r := runes[i]
		switch {
		case quote == '\'':
			if r == '\'' {
				quote = 0
			} else {
				word.WriteRune(r)
			}
		case quote == '"':
			switch {
			case r == '"':
				quote = 0
			case r == '$' || r == '`':
				return nil, fmt.Errorf("an expansion (%c) in %q", r, line)
			case r == '\\' && i+1 < len(runes) && strings.ContainsRune("\"\\$`", runes[i+1]):
				i++
				word.WriteRune(runes[i])
			default:
				word.WriteRune(r)
			}
		case r == '\'' || r == '"':
			quote, inWord = r, true
		case r == '$' || r == '`' || r == '<' || r == '>' || r == '|' || r == ';':
			return nil, fmt.Errorf("%c in %q: no variable, placeholder, redirection or pipe belongs in the onboarding", r, line)
		case r == '\\' && i+1 < len(runes):
			i++
			word.WriteRune(runes[i])
			inWord = true
		case r == ' ' || r == '\t':
			if inWord {
				words = append(words, word.String())
				word.Reset()
				inWord = false
			}
		default:
			word.WriteRune(r)
			inWord = true
		}
	}
	if quote != 0 {
		return nil, fmt.Errorf("an unterminated %c quote in %q", quote, line)
	}
	if inWord {
		words = append(words, word.String())
	}
	return words, nil
}

// freeAddr returns a loopback address with a port free at the time of the call.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

var evalLine = regexp.MustCompile(`^eval "\$\((eccsd .*)\)"$`)

// TestAdminOnboardingThroughTheCLIGivesTheCustomerAWorkingFirstCall runs the onboarding block
// of doc/operations.md as written, on the test's own addresses and directory: it starts the
// server, runs each eccsd admin command as a shell would, copies nothing from one output into
// a later command, and ends with two claim links that give the customer a working first call.
// Then an operator token made on the stopped server's database works on the restarted one.
func TestAdminOnboardingThroughTheCLIGivesTheCustomerAWorkingFirstCall(t *testing.T) {
	t.Parallel()
	lines := onboardingBlock(t)
	start := time.Now()
	o := startOnboardingServer(t, lines)
	o.runAdminCommands(t, start)
	o.checkNothingCopied(t)
	c := o.claimAndCallFirst(t)
	o.bootstrapOperatorToken(t, c)
}

// onboarding is one run of the onboarding block: the server it started, the shell's
// variables, and every eccsd command (serve included) with what it printed (serve: nothing).
type onboarding struct {
	lines    []string
	s        *server
	w        *adminWorld
	dataDir  string
	subst    *strings.Replacer // the document's addresses and directory → the test's
	shellEnv map[string]string
	commands [][]string
	outputs  []string
}

// onboardedCustomer is what the claim links revealed to the customer.
type onboardedCustomer struct{ key, clientID, secret string }

// startOnboardingServer runs the block's first line, `eccsd serve … &`, with the document's
// addresses and directory replaced by the test's (nothing else changes), trying again with
// other ports if one was taken meanwhile. The server stops when the test ends.
func startOnboardingServer(t *testing.T, lines []string) *onboarding {
	t.Helper()
	o := &onboarding{lines: lines, shellEnv: map[string]string{}}
	for attempt := 1; ; attempt++ {
		s, err := o.launchServe(t)
		if err == nil {
			o.s = s
			break
		}
		if attempt == 3 || !strings.Contains(err.Error(), "address already in use") {
			t.Fatal(err)
		}
	}
	s := o.s
	o.w = &adminWorld{server: s}
	t.Cleanup(func() {
		if err := s.stop(); err != nil {
			t.Errorf("the server: %v\n%s", err, tail(s.stderr.String(), 2000))
		}
		s.checkLogs(t)
	})
	if fi, err := os.Stat(filepath.Join(o.dataDir, "keys.json")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("serve --migrate on an empty directory: keys.json %v (%v), want it, mode 0600", fi, err)
	}
	return o
}

// launchServe chooses free addresses and a new data directory, and launches the block's
// serve line on them.
func (o *onboarding) launchServe(t *testing.T) (*server, error) {
	t.Helper()
	api, adminAddr := freeAddr(t), freeAddr(t)
	o.dataDir = filepath.Join(t.TempDir(), "eccs") // does not exist: serve --migrate makes it
	pairs := []string{
		"https://api.example.com", "http://" + api,
		"127.0.0.1:8081", adminAddr,
		" :8080 ", " " + api + " ",
		"/var/lib/eccs", o.dataDir,
	}
	for i := 0; i < len(pairs); i += 2 {
		if !strings.Contains(strings.Join(o.lines, "\n"), pairs[i]) {
			t.Fatalf("the onboarding block no longer holds %q, which the test replaces with its own", pairs[i])
		}
	}
	o.subst = strings.NewReplacer(pairs...)
	serveLine, ok := strings.CutSuffix(o.lines[0], " &")
	if !ok || !strings.HasPrefix(serveLine, "eccsd serve ") {
		t.Fatalf("the onboarding starts with %q, want `eccsd serve … &`", o.lines[0])
	}
	args, err := shellWords(o.subst.Replace(serveLine))
	if err != nil {
		t.Fatal(err)
	}
	return launch(t, t.Context(), args[1:], noEnv, o.dataDir)
}

// runAdminCommands runs the commands after serve, as a shell would: eval sets the variables it
// prints. There are at most maxOnboardingCmds, and they leave the operator's shell with
// ECCS_ADMIN_URL and ECCS_ADMIN_TOKEN.
func (o *onboarding) runAdminCommands(t *testing.T, start time.Time) {
	t.Helper()
	o.commands = append(o.commands, strings.Fields(o.lines[0]))
	o.outputs = append(o.outputs, "")
	for _, line := range o.lines[1:] {
		o.runLine(t, line)
	}
	t.Logf("the %d commands of the onboarding took %s, the server's start included", len(o.commands), time.Since(start))
	if len(o.commands) > maxOnboardingCmds {
		t.Errorf("the onboarding takes %d eccsd commands, want at most %d", len(o.commands), maxOnboardingCmds)
	}
	if o.shellEnv["ECCS_ADMIN_TOKEN"] == "" || o.shellEnv["ECCS_ADMIN_URL"] == "" {
		t.Fatalf("after the eval, the shell has %v; want ECCS_ADMIN_URL and ECCS_ADMIN_TOKEN", slices.Sorted(maps.Keys(o.shellEnv)))
	}
	o.w.opToken, o.w.adminURL = o.shellEnv["ECCS_ADMIN_TOKEN"], o.shellEnv["ECCS_ADMIN_URL"]
	o.w.remember(o.w.opToken)
}

// runLine runs one line of the block, `eccsd admin …` or `eval "$(eccsd admin …)"`, with the
// shell's variables, and records the command and what it printed.
func (o *onboarding) runLine(t *testing.T, line string) {
	t.Helper()
	inner, isEval := strings.CutPrefix(line, "eval ")
	if isEval {
		m := evalLine.FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("%q: the only eval the onboarding may use is eval \"$(eccsd …)\"", line)
		}
		inner = m[1]
	}
	if !strings.HasPrefix(inner, "eccsd admin ") {
		t.Fatalf("%q is not an eccsd admin command: the onboarding is eccsd commands only", line)
	}
	args, err := shellWords(o.subst.Replace(inner))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	var out, errOut testenv.Buffer
	err = run(ctx, args[1:], envOf(o.shellEnv), strings.NewReader(""), &out, &errOut)
	cancel()
	if err != nil {
		t.Fatalf("%s: %v (exit %d)\nstdout:\n%s\nstderr:\n%s", line, err, exitCode(err), out.String(), errOut.String())
	}
	if strings.Contains(errOut.String(), "notice:") {
		t.Errorf("%s: %s", line, errOut.String())
	}
	o.commands = append(o.commands, args)
	o.outputs = append(o.outputs, out.String())
	if !isEval {
		return
	}
	for _, export := range strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n") {
		words, err := shellWords(export)
		if err != nil || len(words) != 2 || words[0] != "export" || !strings.Contains(words[1], "=") {
			t.Fatalf("%s printed %q, which eval would not take as export NAME=VALUE (%v)", line, export, err)
		}
		name, value, _ := strings.Cut(words[1], "=")
		o.shellEnv[name] = value
	}
}

// checkNothingCopied checks that no command holds a word that an earlier one printed and the
// document did not write itself: the operator copies nothing by hand.
func (o *onboarding) checkNothingCopied(t *testing.T) {
	t.Helper()
	doc := strings.Join(o.lines, "\n")
	for i, args := range o.commands {
		for j := range i {
			for _, printed := range strings.Fields(o.outputs[j]) {
				if len(printed) >= 6 && !strings.Contains(doc, printed) && slices.ContainsFunc(args, func(a string) bool { return strings.Contains(a, printed) }) {
					t.Errorf("command %d (%s) holds %q, printed by command %d", i+1, strings.Join(args, " "), printed, j+1)
				}
			}
		}
	}
}

// claimAndCallFirst takes what the operator sends, the two claim links (one per command);
// the customer opens each once, and makes a first call that lists the contract the onboarding
// created, and only it.
func (o *onboarding) claimAndCallFirst(t *testing.T) onboardedCustomer {
	t.Helper()
	var links []string
	for _, out := range o.outputs {
		if link := field(out, "Claim link"); link != "" {
			links = append(links, link)
			o.w.remember(filepath.Base(link))
		}
	}
	if len(links) != 2 {
		t.Fatalf("the onboarding printed %d claim links, want 2 (the key, the client secret)", len(links))
	}
	var contractID string
	for i, args := range o.commands {
		if slices.Equal(args[:min(3, len(args))], []string{"eccsd", "admin", "contracts"}) {
			contractID = field(o.outputs[i], "ID")
		}
	}
	c := o.claimOnce(t, links)
	status, ids := o.w.firstCall(t, c.clientID, c.secret, c.key)
	if status != http.StatusOK || contractID == "" || !slices.Equal(ids, []string{contractID}) {
		t.Fatalf("the customer's first call: %d %v, want 200 [%s]", status, ids, contractID)
	}
	return c
}

// claimOnce opens each claim link, which must be under the public URL and answer 404 the
// second time, and returns the API key and the client credentials they reveal.
func (o *onboarding) claimOnce(t *testing.T, links []string) onboardedCustomer {
	t.Helper()
	var c onboardedCustomer
	for _, link := range links {
		if !strings.HasPrefix(link, o.s.url+admin.ClaimPath+"/") {
			t.Errorf("claim link %s is not under the public URL %s", link, o.s.url)
		}
		status, claimed := claim(t, link)
		if status != http.StatusOK {
			t.Fatalf("claim %s: %d", link, status)
		}
		o.w.remember(claimed.Secret)
		switch claimed.Kind {
		case "api_key":
			c.key = claimed.Secret
		case "client_secret":
			c.clientID, c.secret = claimed.ClientID, claimed.Secret
		}
		if again, _ := claim(t, link); again != http.StatusNotFound {
			t.Errorf("a second POST of the claim link answered %d, want 404", again)
		}
	}
	if c.key == "" || c.clientID == "" || c.secret == "" {
		t.Fatalf("the claim links revealed key %t, client id %q, secret %t", c.key != "", c.clientID, c.secret != "")
	}
	return c
}

// bootstrapOperatorToken stops the server and checks that an operator token made on its
// database works on the restarted one, and that its creation is in the audit trail under the
// system; the customer's first call still works.
func (o *onboarding) bootstrapOperatorToken(t *testing.T, c onboardedCustomer) {
	t.Helper()
	o.w.stop(t)
	token := createBootstrapToken(t, o.dataDir)
	s2 := startServer(t, o.s.args, noEnv, o.dataDir)
	w2 := &adminWorld{server: s2, adminURL: o.w.adminURL, opToken: token}
	w2.remember(token, c.key, c.secret, o.w.opToken)
	var events admin.List[admin.AuditEvent]
	w2.adminJSON(t, &events, "audit", "--object", "operator_token", "--actor", "system", "--since", "10m")
	var names []string
	for _, e := range events.Items {
		if e.Action == "operator_token.create" {
			names = append(names, e.Details["name"])
		}
	}
	if !slices.Contains(names, "Bootstrap test") || !slices.Contains(names, "Alice (ops)") {
		t.Errorf("audit: operator tokens created by the system: %q, want the onboarding's and the bootstrap test's", names)
	}
	if status, _ := w2.firstCall(t, c.clientID, c.secret, c.key); status != http.StatusOK {
		t.Errorf("first call after the restart: %d", status)
	}
}

// createBootstrapToken runs `eccsd admin operator-token create` on the data directory of a
// stopped server and returns the token: the export line alone on stdout, and on stderr where
// the token went but not the token.
func createBootstrapToken(t *testing.T, dataDir string) string {
	t.Helper()
	out, errOut, err := runCmd(t, noEnv, "admin", "operator-token", "create", "--data-dir", dataDir, "--name", "Bootstrap test", "--ttl", "1h")
	if err != nil {
		t.Fatalf("operator-token create: %v\n%s", err, errOut)
	}
	token, ok := strings.CutPrefix(strings.TrimSuffix(out, "\n"), "export ECCS_ADMIN_TOKEN=")
	if !ok || !strings.HasPrefix(token, "eccsop_") || strings.Contains(token, "\n") || strings.Contains(errOut, token) || !strings.Contains(errOut, "printed once") {
		t.Fatalf("operator-token create: want the export line alone on stdout, and no token on stderr; stdout:\n%s\nstderr:\n%s", out, errOut)
	}
	// Under eval (step 2 of the document) stdout is never seen: stderr says where the token went.
	if want := "It is printed once, on standard output, as the line `export ECCS_ADMIN_TOKEN=…` for eval: store it now in your secret store"; !strings.Contains(errOut, want) {
		t.Errorf("operator-token create: stderr %q does not say %q", errOut, want)
	}
	return token
}

func TestAdminOnboardingBlockIsReadAsAShellWould(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		line string
		want []string
		err  bool
	}{
		{`eccsd admin x --name 'Alice (ops)' --b "A \"B\"" c\ d ''`, []string{"eccsd", "admin", "x", "--name", "Alice (ops)", "--b", `A "B"`, "c d", ""}, false},
		{`eccsd admin keys issue $acct`, nil, true},
		{`eccsd admin keys issue <account id>`, nil, true},
		{`eccsd admin keys issue "$(cat id)"`, nil, true},
		{`eccsd admin x 'open`, nil, true},
	} {
		got, err := shellWords(tc.line)
		if (err != nil) != tc.err || !slices.Equal(got, tc.want) {
			t.Errorf("shellWords(%q) = %q, %v", tc.line, got, err)
		}
	}
}
