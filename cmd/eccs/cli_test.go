package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/eccs/eccs/api"
	"github.com/eccs/eccs/internal/devseed"
	"github.com/eccs/eccs/internal/testkit/testenv"
	"github.com/eccs/eccs/internal/testkit/testserver"
)

// cli runs the program in-process, as a user with their own configuration and cache
// directories, against a test server.
type cli struct {
	t        *testing.T
	srv      *testserver.Server
	env      map[string]string
	http     *http.Client // nil: the SDK's default
	terminal bool         // stderr is a terminal
	home     string
}

type result struct {
	stdout, stderr string
	code           int
	took           time.Duration
}

func newCLI(t *testing.T, srv *testserver.Server) *cli {
	home := t.TempDir()
	return &cli{t: t, srv: srv, home: home, http: testserver.Validating(t), env: map[string]string{
		"HOME": home, "XDG_CONFIG_HOME": filepath.Join(home, "config"), "XDG_CACHE_HOME": filepath.Join(home, "cache"),
	}}
}

func (c *cli) configFile() string { return filepath.Join(c.home, "config", "eccs", "config.json") }

// run runs eccs with args and stdin, bounded in time.
func (c *cli) run(stdin string, args ...string) result {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(c.t.Context(), 60*time.Second)
	defer cancel()
	var out, errb testenv.Buffer
	a := &app{getenv: func(k string) string { return c.env[k] }, stdin: strings.NewReader(stdin), stdout: &out, stderr: &errb,
		httpClient: c.http, isTerminal: func(s any) bool { return c.terminal && s == any(&errb) }}
	a.in = newLineReader(a.stdin)
	start := time.Now()
	code := a.run(ctx, args)
	return result{stdout: out.String(), stderr: errb.String(), code: code, took: time.Since(start)}
}

// ok runs eccs and fails the test unless it exits 0.
func (c *cli) ok(args ...string) string {
	c.t.Helper()
	r := c.run("", args...)
	if r.code != 0 {
		c.t.Fatalf("eccs %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	}
	return r.stdout
}

// login logs in with the demo application and the given API key.
func (c *cli) login(key string, args ...string) result {
	c.t.Helper()
	args = append([]string{"login", "--base-url", c.srv.URL, "--client-id", c.srv.Creds.ClientID}, args...)
	return c.run(c.srv.Creds.ClientSecret+"\n"+key+"\n", args...)
}

// mustLogin logs in as login does, and fails the test unless the login succeeds.
func (c *cli) mustLogin(key string, args ...string) {
	c.t.Helper()
	if r := c.login(key, args...); r.code != 0 {
		c.t.Fatal(r.stderr)
	}
}

func decodeJSON[T any](t *testing.T, s string) T {
	t.Helper()
	var v T
	dec := json.NewDecoder(strings.NewReader(s))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("decode %T from %q: %v", v, s, err)
	}
	return v
}

func decodeCSV(t *testing.T, s string, header []string) [][]string {
	t.Helper()
	recs, err := csv.NewReader(strings.NewReader(s)).ReadAll()
	if err != nil {
		t.Fatalf("CSV %q: %v", s, err)
	}
	if len(recs) == 0 || !slices.Equal(recs[0], header) {
		t.Fatalf("CSV header %v, want %v", recs, header)
	}
	return recs[1:]
}

// TestLoginSavesAProfileForItsOwnerOnlyAndNeverEchoesSecrets logs in as a user would: the
// profile is saved in a file only its owner may read, no secret is echoed, named profiles and
// the environment choose the credentials, wrong or missing ones save nothing, and logout
// removes a profile.
func TestLoginSavesAProfileForItsOwnerOnlyAndNeverEchoesSecrets(t *testing.T) {
	t.Parallel()
	s := world.NewServer(t)
	c := newCLI(t, s)
	checkFirstLoginSavesTheDefaultProfile(t, s, c)
	checkANamedProfileAndTheEnvironmentChooseTheKey(t, s, c)
	checkLoginSavesNothingWithoutGoodSecrets(t, s, c)

	if out := c.ok("logout", "--profile", "admin"); !strings.Contains(out, `"admin" removed`) {
		t.Errorf("logout: %q", out)
	}
	if r := c.run("", "me", "--profile", "admin"); r.code != exitLocal {
		t.Errorf("me after logout: exit %d", r.code)
	}
}

// checkFirstLoginSavesTheDefaultProfile logs in with the client account's key and checks what
// it says (who, where), that it echoes no secret, and the saved file: mode 0600, the default
// profile with every credential.
func checkFirstLoginSavesTheDefaultProfile(t *testing.T, s *testserver.Server, c *cli) {
	t.Helper()
	r := c.login(s.Creds.APIKeys.Client, "--contract", devseed.SampleContractID)
	if r.code != 0 {
		t.Fatalf("login: exit %d: %s", r.code, r.stderr)
	}
	if !strings.Contains(r.stdout, "claire.martin (client account)") || !strings.Contains(r.stdout, c.configFile()) {
		t.Errorf("login said %q", r.stdout)
	}
	for _, secret := range []string{s.Creds.ClientSecret, s.Creds.APIKeys.Client} {
		if strings.Contains(r.stdout+r.stderr, secret) {
			t.Errorf("login echoed a secret: %q %q", r.stdout, r.stderr)
		}
	}
	info, err := os.Stat(c.configFile())
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("config file mode %04o, want 0600", info.Mode().Perm())
	}
	data, _ := os.ReadFile(c.configFile())
	cfg := decodeJSON[Config](t, string(data))
	want := Profile{BaseURL: s.URL, ClientID: s.Creds.ClientID, ClientSecret: s.Creds.ClientSecret, APIKey: s.Creds.APIKeys.Client, Contract: devseed.SampleContractID}
	if cfg.DefaultProfile != "default" || cfg.Profiles["default"] != want {
		t.Errorf("saved %+v", cfg)
	}
}

// checkANamedProfileAndTheEnvironmentChooseTheKey saves a second profile, "admin", with the
// administrator's key: the default stays, --profile picks the other, and ECCS_API_KEY
// overrides the profile.
func checkANamedProfileAndTheEnvironmentChooseTheKey(t *testing.T, s *testserver.Server, c *cli) {
	t.Helper()
	if r := c.login(s.Creds.APIKeys.Administrator, "--profile", "admin"); r.code != 0 || !strings.Contains(r.stdout, "administrator account") {
		t.Fatalf("login --profile admin: %d %s %s", r.code, r.stdout, r.stderr)
	}
	if me := decodeJSON[api.Me](t, c.ok("me", "--output", "json")); me.Account.Type != "client" {
		t.Errorf("the default profile is %s", me.Account.Type)
	}
	if me := decodeJSON[api.Me](t, c.ok("me", "--output", "json", "--profile", "admin")); me.Account.Type != "administrator" {
		t.Errorf("--profile admin is %s", me.Account.Type)
	}
	c.env["ECCS_API_KEY"] = s.Creds.APIKeys.Administrator
	if me := decodeJSON[api.Me](t, c.ok("me", "--output", "json")); me.Account.Type != "administrator" {
		t.Errorf("ECCS_API_KEY did not override the profile: %s", me.Account.Type)
	}
	delete(c.env, "ECCS_API_KEY")
}

// checkLoginSavesNothingWithoutGoodSecrets checks that wrong credentials are refused by the
// server (exit 2) and nothing is saved, that secrets missing from stdin are a local error, and
// that --client-secret-stdin and --api-key-stdin read stdin even when the environment has
// values.
func checkLoginSavesNothingWithoutGoodSecrets(t *testing.T, s *testserver.Server, c *cli) {
	t.Helper()
	r := c.run("wrong-secret\n"+s.Creds.APIKeys.Client+"\n", "login", "--profile", "bad", "--base-url", s.URL, "--client-id", s.Creds.ClientID)
	if r.code != exitRefused || !strings.Contains(r.stderr, "invalid_client") || strings.Contains(r.stderr, "wrong-secret") {
		t.Errorf("login with a wrong secret: exit %d, %q", r.code, r.stderr)
	}
	if r := c.run("", "me", "--profile", "bad"); r.code != exitLocal || !strings.Contains(r.stderr, `no profile "bad"`) {
		t.Errorf("a profile that was not saved: exit %d, %q", r.code, r.stderr)
	}
	if r := c.run("", "login", "--profile", "x", "--base-url", s.URL, "--client-id", "id"); r.code != exitLocal {
		t.Errorf("login without a secret: exit %d, %q", r.code, r.stderr)
	}
	c.env["ECCS_CLIENT_SECRET"] = "ignored"
	r = c.run(s.Creds.ClientSecret+"\n"+s.Creds.APIKeys.Client+"\n", "login", "--profile", "stdin", "--base-url", s.URL,
		"--client-id", s.Creds.ClientID, "--client-secret-stdin", "--api-key-stdin")
	if r.code != 0 {
		t.Errorf("login --client-secret-stdin --api-key-stdin: exit %d, %s", r.code, r.stderr)
	}
	delete(c.env, "ECCS_CLIENT_SECRET")
}

func TestAConfigFileOthersMayReadIsRefused(t *testing.T) {
	t.Parallel()
	s := world.NewServer(t)
	c := newCLI(t, s)
	c.mustLogin(s.Creds.APIKeys.Client)
	if err := os.Chmod(c.configFile(), 0o644); err != nil {
		t.Fatal(err)
	}
	r := c.run("", "contracts", "list")
	if r.code != exitLocal || !strings.Contains(r.stderr, "chmod 600") {
		t.Errorf("exit %d, %q", r.code, r.stderr)
	}
	// ECCS_CONFIG points elsewhere.
	c.env["ECCS_CONFIG"] = filepath.Join(t.TempDir(), "other.json")
	if r := c.login(s.Creds.APIKeys.Client, "--profile", "elsewhere"); r.code != 0 || !strings.Contains(r.stdout, c.env["ECCS_CONFIG"]) {
		t.Errorf("ECCS_CONFIG: %d %q %q", r.code, r.stdout, r.stderr)
	}
}

// TestEveryCommandInEveryFormatWithOneToken runs every command of the client and the
// administrator profiles, in every output format, and checks what each prints; all of them
// share the one token the first login fetched.
func TestEveryCommandInEveryFormatWithOneToken(t *testing.T) {
	t.Parallel()
	s := world.NewServer(t)
	c := newCLI(t, s)
	c.mustLogin(s.Creds.APIKeys.Client, "--contract", devseed.SampleContractID)
	c.mustLogin(s.Creds.APIKeys.Administrator, "--profile", "admin")
	start := time.Now()
	x := &commandTour{t: t, s: s, c: c}
	x.contractsList()
	x.contractShow()
	bills, period := x.documentsList()
	x.documentsDownload(bills, period)
	x.meAndToken()
	x.usersAdd()
	x.contractsCreate()

	// One application, one token: every command of both profiles reused the first one.
	if got := s.TokenRequests.Load(); got != 1 {
		t.Errorf("%d token requests for 2 logins and %d commands (%d API calls), want 1", got, x.commands, s.Calls.Load())
	}
	t.Logf("2 logins + %d commands, %d API calls, %d token request(s), in %v", x.commands, s.Calls.Load(), s.TokenRequests.Load(), time.Since(start).Round(time.Millisecond))
}

// commandTour runs the commands of TestEveryCommandInEveryFormatWithOneToken, counting them.
type commandTour struct {
	t        *testing.T
	s        *testserver.Server
	c        *cli
	commands int
}

// run runs eccs, which must exit 0, and returns its stdout.
func (x *commandTour) run(args ...string) string {
	x.t.Helper()
	x.commands++
	return x.c.ok(args...)
}

// contractsList: the client account's contracts, in every format and a page at a time.
func (x *commandTour) contractsList() {
	t := x.t
	list := decodeJSON[[]api.Contract](t, x.run("contracts", "list", "--output", "json"))
	var ids []string
	for _, ct := range list {
		ids = append(ids, ct.ID)
	}
	if !slices.Equal(ids, x.s.Creds.Contracts.Client) {
		t.Errorf("contracts list --output json: %v", ids)
	}
	if paged := decodeJSON[[]api.Contract](t, x.run("contracts", "list", "--output", "json", "--page-size", "1")); len(paged) != len(list) {
		t.Errorf("--page-size 1: %d contracts", len(paged))
	}
	recs := decodeCSV(t, x.run("contracts", "list", "--output", "csv"), contractHeader)
	if len(recs) != len(list) || recs[0][0] != list[0].ID || recs[0][4] != list[0].Offer.Name {
		t.Errorf("contracts list --output csv: %v", recs)
	}
	table := x.run("contracts", "list")
	if !strings.HasPrefix(table, "ID ") || !strings.Contains(table, list[0].Name) || strings.Count(table, "\n") != len(list)+1 {
		t.Errorf("contracts list:\n%s", table)
	}
}

// contractShow: the contract of the argument, of --contract, of the profile.
func (x *commandTour) contractShow() {
	t := x.t
	for _, args := range [][]string{{"contract", "show", "OCB0000002"}, {"contracts", "show", "-c", "OCB0000002"}} {
		if ct := decodeJSON[api.Contract](t, x.run(append(args, "--output", "json")...)); ct.ID != "OCB0000002" {
			t.Errorf("%v: %s", args, ct.ID)
		}
	}
	if ct := decodeJSON[api.Contract](t, x.run("contract", "show", "--output", "json")); ct.ID != devseed.SampleContractID {
		t.Errorf("the profile's contract: %s", ct.ID)
	}
	if recs := decodeCSV(t, x.run("contract", "show", "--output", "csv"), contractHeader); len(recs) != 1 || recs[0][0] != devseed.SampleContractID {
		t.Errorf("contract show --output csv: %v", recs)
	}
	if out := x.run("contract", "show"); !strings.Contains(out, "Offer:") || !strings.Contains(out, "Flexible Engine") {
		t.Errorf("contract show:\n%s", out)
	}
}

// documentsList: by type, period and limit, in every format; it returns the three latest
// bills and the period of the second, which documentsDownload fetches.
func (x *commandTour) documentsList() (bills []api.Document, period string) {
	t := x.t
	bills = decodeJSON[[]api.Document](t, x.run("documents", "list", "--type", "bills", "--limit", "3", "--output", "json"))
	if len(bills) != 3 || bills[0].ID != x.s.Creds.SampleDocumentID || bills[0].DocumentType != "bills" {
		t.Errorf("documents list --type bills --limit 3: %+v", bills)
	}
	period = bills[1].Period
	ofPeriod := decodeJSON[[]api.Document](t, x.run("documents", "list", "--period", period, "--output", "json"))
	if len(ofPeriod) < 3 {
		t.Errorf("--period %s: %d documents", period, len(ofPeriod))
	}
	for _, d := range ofPeriod {
		if d.Period != period {
			t.Errorf("--period %s listed %s of %s", period, d.ID, d.Period)
		}
	}
	all := decodeJSON[[]api.Document](t, x.run("documents", "list", "--limit", "0", "--output", "json"))
	if len(all) <= 10 {
		t.Errorf("--limit 0: %d documents", len(all))
	}
	if recs := decodeCSV(t, x.run("documents", "list", "--type", "comsumptionRatedReports", "-n", "2", "--output", "csv"), documentHeader); len(recs) != 2 || recs[0][7] != "comsumptionRatedReports" {
		t.Errorf("documents list --output csv: %v", recs)
	}
	if out := x.run("documents", "list", "--type", "consumptionRatedReports", "-n", "1"); !strings.Contains(out, "comsumptionRatedReports") {
		t.Errorf("the correct spelling as an alias:\n%s", out)
	}
	if empty := x.run("documents", "list", "--period", "199001", "--output", "json"); strings.TrimSpace(empty) != "[]" {
		t.Errorf("no document: %q, want []", empty)
	}
	return bills, period
}

// documentsDownload: by id, --latest, --zipped, in every format; no temporary file is left.
func (x *commandTour) documentsDownload(bills []api.Document, period string) {
	t := x.t
	dir := t.TempDir()
	path := strings.TrimSpace(x.run("documents", "download", x.s.Creds.SampleDocumentID, "-o", dir))
	want := x.s.FileBytes(t, devseed.SampleContractID, x.s.Creds.SampleDocumentID)
	if got, err := os.ReadFile(path); err != nil || !bytes.Equal(got, want) || filepath.Base(path) != bills[0].Filename {
		t.Errorf("documents download: %s, %v", path, err)
	}
	res := decodeJSON[downloadResult](t, x.run("documents", "download", "--latest", "--type", "bills", "--period", period, "-o", dir, "--output", "json"))
	if res.DocumentID != bills[1].ID || !res.Verified || filepath.Dir(res.Path) != dir {
		t.Errorf("download --latest --period: %+v", res)
	}
	recs := decodeCSV(t, x.run("documents", "download", "--latest", "--type", "bills", "--zipped", "-o", dir, "--output", "csv"),
		[]string{"path", "documentId", "filename", "contentType", "size", "sha256", "verified", "resumed"})
	if len(recs) != 1 || !strings.HasSuffix(recs[0][0], ".zip") || recs[0][6] != "true" {
		t.Errorf("download --zipped --output csv: %v", recs)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 3 {
		t.Errorf("%d files in the download directory, want 3 (no temporary file left)", len(entries))
	}
}

// meAndToken: me and token, in every format.
func (x *commandTour) meAndToken() {
	t := x.t
	me := decodeJSON[api.Me](t, x.run("me", "--output", "json"))
	if me.Account.Login != "claire.martin" || len(me.Contracts) != 3 {
		t.Errorf("me: %+v", me)
	}
	if recs := decodeCSV(t, x.run("me", "--output", "csv"), meHeader); len(recs) != 1 || recs[0][1] != "client" {
		t.Errorf("me --output csv: %v", recs)
	}
	if out := x.run("me"); !strings.Contains(out, "Login:") || !strings.Contains(out, "claire.martin") {
		t.Errorf("me:\n%s", out)
	}
	token := strings.TrimSpace(x.run("token"))
	tok := decodeJSON[api.Token](t, x.run("token", "--output", "json"))
	if tok.AccessToken != token || tok.TokenType != "Bearer" || tok.ExpiresIn < 3000 {
		t.Errorf("token --output json: %+v (token %q)", tok, token)
	}
	if recs := decodeCSV(t, x.run("token", "--output", "csv"), []string{"token_type", "access_token", "expires_in"}); recs[0][1] != token {
		t.Errorf("token --output csv: %v", recs)
	}
}

// usersAdd: a user declared in every format, and one from a JSON file with a flag that
// overrides a field.
func (x *commandTour) usersAdd() {
	t := x.t
	for i, format := range outputFormats {
		login := "cli.user." + format
		args := []string{"users", "add", devseed.SampleContractID, "--login", login, "--email", login + "@example.com",
			"--last-name", "Doe", "--first-name", "Jo", "--civility", "M", "--role", "contracts=visitor", "--role", "documents=manager", "--output", format}
		out := x.run(args...)
		switch i {
		case 0:
			if !strings.Contains(out, "Roles:") || !strings.Contains(out, "contracts=visitor documents=manager") {
				t.Errorf("users add:\n%s", out)
			}
		case 1:
			if u := decodeJSON[api.User](t, out); u.Login != login || !slices.Equal(u.Roles.Documents, []string{"manager"}) {
				t.Errorf("users add --output json: %+v", u)
			}
		case 2:
			if recs := decodeCSV(t, out, userHeader); recs[0][0] != login {
				t.Errorf("users add --output csv: %v", recs)
			}
		}
	}
	userFile := filepath.Join(t.TempDir(), "user.json")
	os.WriteFile(userFile, []byte(`{"lastName":"Roe","firstName":"Ann","email":"ann.roe@example.com","login":"ann.roe.json","roles":{"contracts":["visitor"]}}`), 0o600)
	if u := decodeJSON[api.User](t, x.run("users", "add", devseed.SampleContractID, "--from-json", userFile, "--first-name", "Anna", "--output", "json")); u.FirstName != "Anna" || u.Login != "ann.roe.json" {
		t.Errorf("users add --from-json: %+v", u)
	}
}

// contractsCreate: contracts ordered with the administrator profile, in every format, and
// one from a JSON file with a flag that overrides a field.
func (x *commandTour) contractsCreate() {
	t, s := x.t, x.s
	orderArgs := func(name, format string) []string {
		return []string{"contracts", "create", "--profile", "admin", "--billing-account-id", s.Creds.BillingAccountID, "--offer-code", s.Creds.OfferCode,
			"--contract-name", name, "--support-level", s.Creds.SupportLevel, "--referent-name", "Doe", "--referent-first-name", "Jane",
			"--referent-mail", "jane.doe@example.com", "--referent-civility", "Mme", "--reference-ext1", "PO-1", "--output", format}
	}
	created := decodeJSON[api.ContractCreated](t, x.run(orderArgs("cli-json", "json")...))
	if ct := decodeJSON[api.Contract](t, x.run("contract", "show", created.ID, "--profile", "admin", "--output", "json")); ct.Name != "cli-json" {
		t.Errorf("the ordered contract: %+v", ct)
	}
	if recs := decodeCSV(t, x.run(orderArgs("cli-csv", "csv")...), []string{"id"}); !strings.HasPrefix(recs[0][0], "OCB") {
		t.Errorf("contracts create --output csv: %v", recs)
	}
	if out := x.run(orderArgs("cli-table", "table")...); !strings.HasPrefix(out, "ID:") {
		t.Errorf("contracts create: %q", out)
	}
	orderFile := filepath.Join(t.TempDir(), "order.json")
	os.WriteFile(orderFile, []byte(`{"billingAccountId":"`+s.Creds.BillingAccountID+`","offerCode":"FE","contractName":"from-file","supportLevel":"BSC","referentName":"Doe","referentFirstName":"Jane","referentMail":"jane.doe@example.com"}`), 0o600)
	fromFile := decodeJSON[api.ContractCreated](t, x.run("contracts", "create", "--profile", "admin", "--from-json", orderFile, "--contract-name", "from-file-2", "--output", "json"))
	if ct := decodeJSON[api.Contract](t, x.run("contract", "show", fromFile.ID, "--profile", "admin", "--output", "json")); ct.Name != "from-file-2" {
		t.Errorf("contracts create --from-json with an override: %+v", ct)
	}
}

func TestTheTokenIsReusedAcrossCommandsAndRefreshedOn42(t *testing.T) {
	t.Parallel()
	s := world.NewServer(t)
	c := newCLI(t, s)
	c.mustLogin(s.Creds.APIKeys.Client)
	const n = 10
	for range n {
		c.ok("contract", "show", devseed.SampleContractID)
	}
	if got := s.TokenRequests.Load(); got != 1 {
		t.Errorf("%d token requests for a login and %d commands, want 1", got, n)
	}
	// The server's clock passes the token's expiry: the next command is refused 401/42,
	// fetches a new token once, retries, and saves it for the following commands.
	s.Clock.Advance(2 * time.Hour)
	before := s.Calls.Load()
	c.ok("contracts", "list")
	if calls := s.Calls.Load() - before; calls != 2 {
		t.Errorf("%d calls for contracts list after the expiry, want 2 (refused 42, then retried)", calls)
	}
	for range n {
		c.ok("me")
	}
	if got := s.TokenRequests.Load(); got != 2 {
		t.Errorf("%d token requests after the refresh, want 2", got)
	}
	// Without the cache, each command fetches its own.
	c.env["ECCS_NO_TOKEN_CACHE"] = "1"
	c.ok("me")
	c.ok("me")
	if got := s.TokenRequests.Load(); got != 4 {
		t.Errorf("%d token requests, want 4 with ECCS_NO_TOKEN_CACHE=1", got)
	}
}

func TestRateLimitedCallsBackOffThenExit3(t *testing.T) {
	t.Parallel()
	s := world.NewServer(t)
	c := newCLI(t, s)
	c.mustLogin(s.Creds.APIKeys.Client)
	// Two refusals with Retry-After: 1, then success.
	s.RefuseCalls.Store(2)
	r := c.run("", "contracts", "list", "--output", "json")
	if r.code != 0 || s.Refused.Load() != 2 {
		t.Fatalf("exit %d after %d refusals: %s", r.code, s.Refused.Load(), r.stderr)
	}
	if r.took < 2*time.Second {
		t.Errorf("two refusals with Retry-After: 1 took %v", r.took)
	}
	t.Logf("2 × 429 (Retry-After: 1), then success: %v", r.took.Round(time.Millisecond))

	// Refused every time: exit 3 after the SDK's 4 attempts. Retry-After: 0 is not what the
	// description allows, so the answers are not checked.
	c.http = &http.Client{}
	s.RetryAfter.Store("0")
	s.Refused.Store(0)
	s.RefuseCalls.Store(100)
	r = c.run("", "documents", "list", "-c", devseed.SampleContractID)
	if r.code != exitRateLimited || !strings.Contains(r.stderr, "rate limited") || s.Refused.Load() != 4 {
		t.Errorf("exit %d after %d refusals: %q", r.code, s.Refused.Load(), r.stderr)
	}
}

func TestDownloadResumesAfterTheConnectionIsCut(t *testing.T) {
	t.Parallel()
	s := world.NewServer(t)
	c := newCLI(t, s)
	c.http = &http.Client{} // the validating transport reads bodies whole: no cut would be seen
	c.mustLogin(s.Creds.APIKeys.Client)
	dir := t.TempDir()
	s.Cuts.Store(2)
	res := decodeJSON[downloadResult](t, c.ok("documents", "download", "-c", devseed.SampleContractID, s.Creds.SampleDocumentID, "-o", dir, "--output", "json"))
	want := s.FileBytes(t, devseed.SampleContractID, s.Creds.SampleDocumentID)
	got, err := os.ReadFile(res.Path)
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("the file is not byte-identical: %v", err)
	}
	if res.Resumed != 2 || !res.Verified || s.CutsDone.Load() != 2 || s.RangeRequests.Load() != 2 {
		t.Errorf("%+v after %d cuts, %d range requests", res, s.CutsDone.Load(), s.RangeRequests.Load())
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("%d files in the directory, want 1", len(entries))
	}
	t.Logf("%s: %d bytes, cut twice, resumed %d times, sha-256 verified", res.Filename, res.Size, res.Resumed)

	// A corrupted transfer leaves nothing and exits 1.
	s.Corrupt.Store(true)
	dir2 := t.TempDir()
	r := c.run("", "documents", "download", "-c", devseed.SampleContractID, s.Creds.SampleDocumentID, "-o", dir2)
	if r.code != exitLocal || !strings.Contains(r.stderr, "digest") {
		t.Errorf("corrupted: exit %d, %q", r.code, r.stderr)
	}
	if entries, _ := os.ReadDir(dir2); len(entries) != 0 {
		t.Errorf("a corrupted download left %d files", len(entries))
	}
}

func TestProgressBarOnATerminalOnly(t *testing.T) {
	t.Parallel()
	s := world.NewServer(t)
	c := newCLI(t, s)
	c.mustLogin(s.Creds.APIKeys.Client)
	args := []string{"documents", "download", "-c", devseed.SampleContractID, "--latest", "--type", "bills", "-o", t.TempDir()}
	c.terminal = true
	r := c.run("", args...)
	if r.code != 0 || !strings.Contains(r.stderr, "\r"+s.Creds.SampleDocumentID+" [") || !strings.Contains(r.stderr, "100%") {
		t.Errorf("on a terminal: exit %d, stderr %q", r.code, r.stderr)
	}
	if strings.Contains(r.stdout, "%") {
		t.Errorf("the progress bar went to stdout: %q", r.stdout)
	}
	c.terminal = false
	if r := c.run("", args...); r.code != 0 || r.stderr != "" {
		t.Errorf("not on a terminal: exit %d, stderr %q", r.code, r.stderr)
	}
}

func TestExitCodes(t *testing.T) {
	t.Parallel()
	s := world.NewServer(t)
	c := newCLI(t, s)
	// No profile, no environment: a local error.
	if r := c.run("", "contracts", "list"); r.code != exitLocal || !strings.Contains(r.stderr, "eccs login") {
		t.Errorf("no credentials: exit %d, %q", r.code, r.stderr)
	}
	// The environment alone is enough.
	c.env["ECCS_BASE_URL"], c.env["ECCS_CLIENT_ID"], c.env["ECCS_CLIENT_SECRET"], c.env["ECCS_API_KEY"] = s.URL, s.Creds.ClientID, s.Creds.ClientSecret, s.Creds.APIKeys.Client
	for _, tc := range []struct {
		args   []string
		code   int
		stderr string
	}{
		{[]string{"contracts", "list"}, exitOK, ""},
		{[]string{"--help"}, exitOK, ""},
		{[]string{}, exitOK, ""},
		{[]string{"contracts", "list", "--bogus"}, exitLocal, "unknown flag"},
		{[]string{"contracts", "list", "--output", "xml"}, exitLocal, "--output"},
		{[]string{"contract", "show"}, exitLocal, "no contract"},
		{[]string{"contract", "show", "a", "b"}, exitLocal, "too many arguments"},
		{[]string{"users", "add"}, exitLocal, "contract number"},
		{[]string{"users", "add", "OCB0000001", "--role", "billing=manager"}, exitLocal, "sections"},
		{[]string{"documents", "list", "-c", "OCB0000001", "--period", "2026-05"}, exitLocal, "YYYYMM"},
		{[]string{"documents", "download", "-c", "OCB0000001"}, exitLocal, "--latest"},
		{[]string{"documents", "download", "-c", "OCB0000001", "x", "--latest"}, exitLocal, "not both"},
		{[]string{"documents", "download", "-c", "OCB0000001", "--latest", "-o", "/nonexistent/dir"}, exitLocal, "no such directory"},
		{[]string{"contract", "show", "OCB0000005"}, exitRefused, "403/50"},
		{[]string{"documents", "download", "-c", "OCB0000001", "aaaaaaaaaaaaaaaa"}, exitRefused, "404/60"},
		{[]string{"documents", "download", "-c", "OCB0000001", "--latest", "--period", "199001"}, exitRefused, "404/60"},
		{[]string{"contracts", "create", "--contract-name", "x"}, exitLocal, "missing --billing-account, --offer, --support-level"},
		{[]string{"contracts", "create", "--billing-account", s.Creds.BillingAccountID, "--offer", s.Creds.OfferCode, "--name", "x", "--support-level", s.Creds.SupportLevel,
			"--referent-last-name", "Doe", "--referent-first-name", "Jane", "--referent-email", "jane.doe@example.com"}, exitRefused, "403/50"}, // a client account may not order
		{[]string{"users", "add", "OCB0000001", "--login", "short"}, exitRefused, "400/2"},
		{[]string{"completion", "tcsh"}, exitLocal, "shell"},
	} {
		r := c.run("", tc.args...)
		if r.code != tc.code || !strings.Contains(r.stderr, tc.stderr) {
			t.Errorf("eccs %s: exit %d, stderr %q; want %d and %q", strings.Join(tc.args, " "), r.code, r.stderr, tc.code, tc.stderr)
		}
	}
	// A wrong API key in the environment: refused, with a hint.
	c.env["ECCS_API_KEY"] = "eccs_wrong"
	if r := c.run("", "me"); r.code != exitRefused || !strings.Contains(r.stderr, "hint:") || !strings.Contains(r.stderr, "request ") {
		t.Errorf("a wrong key: exit %d, %q", r.code, r.stderr)
	}
}

func TestEveryCommandHasHelpWithExamples(t *testing.T) {
	t.Parallel()
	a := &app{getenv: func(string) string { return "" }}
	var walk func(cmd *cobra.Command)
	n := 0
	walk = func(cmd *cobra.Command) {
		if cmd.Hidden {
			return
		}
		n++
		if strings.TrimSpace(cmd.Example) == "" {
			t.Errorf("%q has no example", cmd.CommandPath())
		}
		if cmd.Short == "" {
			t.Errorf("%q has no short description", cmd.CommandPath())
		}
		for _, sub := range cmd.Commands() {
			walk(sub)
		}
	}
	root := a.rootCommand()
	walk(root)
	if n < 14 {
		t.Errorf("only %d commands", n)
	}
	c := newCLI(t, nil)
	for _, args := range [][]string{
		{"--help"}, {"login", "--help"}, {"contracts", "list", "--help"}, {"contract", "show", "--help"},
		{"documents", "download", "--help"}, {"users", "add", "--help"}, {"help", "me"},
	} {
		if out := c.ok(args...); !strings.Contains(out, "Examples:") {
			t.Errorf("eccs %s shows no example:\n%s", strings.Join(args, " "), out)
		}
	}
}

func TestShellCompletion(t *testing.T) {
	t.Parallel()
	s := world.NewServer(t)
	c := newCLI(t, s)
	for _, shell := range []string{"bash", "zsh", "fish", "powershell"} {
		if out := c.ok("completion", shell); len(out) < 500 || !strings.Contains(out, "eccs") {
			t.Errorf("completion %s: %d bytes", shell, len(out))
		}
	}
	c.mustLogin(s.Creds.APIKeys.Client, "--contract", devseed.SampleContractID)
	complete := func(args ...string) []string {
		out := c.ok(append([]string{cobra.ShellCompRequestCmd}, args...)...)
		var vals []string
		for _, l := range strings.Split(out, "\n") {
			if l != "" && !strings.HasPrefix(l, ":") && !strings.HasPrefix(l, "Completion ended") {
				v, _, _ := strings.Cut(l, "\t")
				vals = append(vals, v)
			}
		}
		return vals
	}
	if got := complete("documents", "list", "--type", ""); !slices.Contains(got, "comsumptionRatedReports") || len(got) != 6 {
		t.Errorf("--type completes to %v", got)
	}
	if got := complete("contract", "show", ""); !slices.Equal(got, s.Creds.Contracts.Client) {
		t.Errorf("contract show completes to %v", got)
	}
	if got := complete("documents", "download", ""); !slices.Contains(got, s.Creds.SampleDocumentID) {
		t.Errorf("documents download completes to %v", got)
	}
	if got := complete("--profile", ""); !slices.Equal(got, []string{"default"}) {
		t.Errorf("--profile completes to %v", got)
	}
	if got := complete("co"); !slices.Contains(got, "contracts") || !slices.Contains(got, "conformance") {
		t.Errorf("co completes to %v", got)
	}
}

func TestConformanceAgainstEccs(t *testing.T) {
	t.Parallel()
	s := world.NewServer(t)
	c := newCLI(t, s)
	c.http = nil // the suite sends wrong requests on purpose and reads every answer itself
	c.mustLogin(s.Creds.APIKeys.Client)
	r := c.run("", "conformance", "--contract", devseed.SampleContractID)
	if r.code != 0 || !strings.Contains(r.stdout, "PASS") || !strings.Contains(r.stdout, " 0 failed") {
		t.Fatalf("conformance against eccs: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	rep := decodeJSON[reportJSON](t, c.ok("conformance", "--contract", devseed.SampleContractID, "--output", "json"))
	if rep.Failed != 0 || len(rep.Checks) < 10 || rep.BaseURL != s.URL {
		t.Errorf("--output json: %d checks, %d failed, base %s", len(rep.Checks), rep.Failed, rep.BaseURL)
	}
	decodeCSV(t, c.ok("conformance", "--output", "csv"), []string{"name", "ref", "passed", "informational", "detail"})
	t.Logf("conformance: %d checks, %d failed", len(rep.Checks), rep.Failed)

	// A server that answers every resource call 503: checks fail, exit 2.
	s.RefuseStatus.Store(http.StatusServiceUnavailable)
	s.RefuseCalls.Store(1000)
	r = c.run("", "conformance")
	if r.code != exitRefused || !strings.Contains(r.stdout, "FAIL") || !strings.Contains(r.stderr, "failed") {
		t.Errorf("conformance against a failing server: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
}
