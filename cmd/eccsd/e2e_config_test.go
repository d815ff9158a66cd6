package main

// The command line and the environment: what serve refuses, migrate, keys and dev data across
// restarts, ECCS_* variables, version and help.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/spf13/pflag"

	"github.com/eccs/eccs/api"
	"github.com/eccs/eccs/internal/devseed"
	"github.com/eccs/eccs/internal/schema"
	"github.com/eccs/eccs/internal/sqlstore"
)

func TestServeRefusesBadConfigurationBeforeTouchingAnything(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		args  []string // after "serve --data-dir <dir>"
		env   map[string]string
		wants []string // substrings of the error
	}{
		{name: "dev mode on all interfaces (flag)", args: []string{"-dev", "--addr", "0.0.0.0:0"}, wants: []string{"loopback", "0.0.0.0:0"}},
		{name: "dev mode on all IPv6 interfaces", args: []string{"-dev", "--addr", "[::]:0"}, wants: []string{"loopback"}},
		{name: "dev mode on an address without host", args: []string{"--dev", "--addr", ":0"}, wants: []string{"loopback"}},
		{name: "dev mode on a public address from the environment", env: map[string]string{"ECCS_DEV": "true", "ECCS_ADDR": "0.0.0.0:0"}, wants: []string{"loopback"}},
		{name: "bad ECCS_TOKEN_RATE_LIMIT", args: []string{"-dev", "--addr", "127.0.0.1:0"}, env: map[string]string{"ECCS_TOKEN_RATE_LIMIT": "abc"}, wants: []string{"ECCS_TOKEN_RATE_LIMIT", "abc"}},
		{name: "bad ECCS_TOKEN_TTL", args: []string{"-dev", "--addr", "127.0.0.1:0"}, env: map[string]string{"ECCS_TOKEN_TTL": "forever"}, wants: []string{"ECCS_TOKEN_TTL"}},
		{name: "bad ECCS_DEV", env: map[string]string{"ECCS_DEV": "maybe", "ECCS_ADDR": "127.0.0.1:0"}, wants: []string{"ECCS_DEV"}},
		{name: "bad --token-rate-limit", args: []string{"-dev", "--addr", "127.0.0.1:0", "--token-rate-limit", "abc"}, wants: []string{"token-rate-limit", "abc"}},
		{name: "unknown flag", args: []string{"--no-such-flag"}, wants: []string{"no-such-flag"}},
		{name: "bad --rate-limit-status", args: []string{"-dev", "--addr", "127.0.0.1:0", "--rate-limit-status", "500"}, wants: []string{"rate-limit-status", "500"}},
		{name: "bad ECCS_LOG_LEVEL", args: []string{"-dev", "--addr", "127.0.0.1:0"}, env: map[string]string{"ECCS_LOG_LEVEL": "loud"}, wants: []string{"loud", "ECCS_LOG_LEVEL"}},
		{name: "bad ECCS_RATE_LIMIT_STATUS", args: []string{"-dev", "--addr", "127.0.0.1:0"}, env: map[string]string{"ECCS_RATE_LIMIT_STATUS": "500"}, wants: []string{"500", "ECCS_RATE_LIMIT_STATUS"}},
		{name: "negative ECCS_TOKEN_RATE_LIMIT", args: []string{"-dev", "--addr", "127.0.0.1:0"}, env: map[string]string{"ECCS_TOKEN_RATE_LIMIT": "-1"}, wants: []string{"ECCS_TOKEN_RATE_LIMIT"}},
		{name: "zero --token-ttl", args: []string{"-dev", "--addr", "127.0.0.1:0", "--token-ttl", "0s"}, wants: []string{"token-ttl"}},
		{name: "accent not #rrggbb", args: []string{"-dev", "--addr", "127.0.0.1:0", "--brand-accent", "orange"}, wants: []string{"--brand-accent", "#rrggbb"}},
		{name: "accent too light under white text", args: []string{"-dev", "--addr", "127.0.0.1:0"}, env: map[string]string{"ECCS_BRAND_ACCENT": "#ff7900"}, wants: []string{"ECCS_BRAND_ACCENT", "4.5:1"}},
		{name: "logo that is no image", args: []string{"-dev", "--addr", "127.0.0.1:0", "--brand-logo", "/etc/hostname"}, wants: []string{"--brand-logo", "PNG"}},
		{name: "terms that are no URL", args: []string{"-dev", "--addr", "127.0.0.1:0", "--brand-terms", "terms.html"}, wants: []string{"--brand-terms"}},
		{name: "trusted proxy that is no CIDR", args: []string{"-dev", "--addr", "127.0.0.1:0", "--trusted-proxies", "10.0.0.1"}, wants: []string{"--trusted-proxies", "10.0.0.1", "CIDR"}},
		{name: "public URL that is not http(s)", args: []string{"-dev", "--addr", "127.0.0.1:0", "--public-url", "ftp://example.com"}, wants: []string{"--public-url", "https://"}},
		{name: "bad --smtp-url", args: []string{"-dev", "--addr", "127.0.0.1:0", "--smtp-url", "smtp://mailer:s3cret@mail.example?starttls=maybe"}, wants: []string{"--smtp-url", "starttls"}},
		{name: "ECCS_SMTP_URL without a sender", args: []string{"-dev", "--addr", "127.0.0.1:0"}, env: map[string]string{"ECCS_SMTP_URL": "smtp://mail.example"}, wants: []string{"ECCS_SMTP_URL", "sender"}},
		{name: "bad --mail-from", args: []string{"-dev", "--addr", "127.0.0.1:0", "--mail-from", "nobody"}, wants: []string{"--mail-from", "nobody"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(t.TempDir(), "data")
			args := append([]string{"serve", "--data-dir", dir}, tc.args...)
			stdout, stderr, err := runCmd(t, envOf(tc.env), args...)
			if err == nil {
				t.Fatalf("eccsd %s (env %v) returned nil, want an error", strings.Join(args, " "), tc.env)
			}
			if code := exitCode(err); code == 0 {
				t.Errorf("exit code %d for %v, want nonzero", code, err)
			}
			if !errors.As(err, new(usageError)) {
				t.Errorf("%v (%T) is not a usage error", err, err)
			}
			if !strings.Contains(stderr, "eccsd: "+err.Error()) {
				t.Errorf("stderr %q does not show the error", stderr)
			}
			if strings.Contains(stdout, "listening") {
				t.Errorf("it printed %q", stdout)
			}
			if _, statErr := os.Stat(dir); !errors.Is(statErr, os.ErrNotExist) {
				t.Errorf("a refused start created the data directory %s (%v)", dir, statErr)
			}
			for _, want := range tc.wants {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not mention %q", err, want)
				}
			}
		})
	}
}

// TestServeRefusesAnUnmigratedSchemaUntilEccsdMigrate: serve on a fresh data directory is
// refused, says to run eccsd migrate and creates nothing; migrate applies every migration,
// then finds nothing to do; two starts without -dev keep the same private keys.json and make
// no demo application; --migrate and ECCS_MIGRATE migrate at start.
func TestServeRefusesAnUnmigratedSchemaUntilEccsdMigrate(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "data")

	_, _, err := runCmd(t, noEnv, "serve", "--data-dir", dir, "--addr", "127.0.0.1:0")
	if err == nil || !strings.Contains(err.Error(), "eccsd migrate") || exitCode(err) == 0 {
		t.Fatalf("serve on a fresh data directory: %v (exit %d), want a refusal that says to run `eccsd migrate`", err, exitCode(err))
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the refused start created %s (%v): a mistyped --data-dir must leave nothing behind", dir, err)
	}

	out, _, err := runCmd(t, noEnv, "migrate", "--data-dir", dir)
	all, loadErr := schema.Load(sqlstore.Migrations())
	if loadErr != nil {
		t.Fatal(loadErr)
	}
	if err != nil || !strings.Contains(out, "0001_init.sql") || !strings.Contains(out, "0005_secret_versions.sql") || !strings.Contains(out, fmt.Sprintf("applied %d migration", len(all))) {
		t.Fatalf("first migrate: %v, stdout %q; want it to say it applied 0001_init.sql", err, out)
	}
	out, _, err = runCmd(t, noEnv, "migrate", "--data-dir", dir)
	if err != nil || strings.TrimSpace(out) != "schema up to date" {
		t.Fatalf("second migrate: %v, stdout %q; want \"schema up to date\"", err, out)
	}

	checkMigratedStartsKeepTheirKeys(t, dir)
	t.Run("--migrate and ECCS_MIGRATE migrate at start", checkMigrateAtStart)
}

// checkMigratedStartsKeepTheirKeys starts a plain serve twice on the migrated data directory:
// it prints only the listening line, keys.json is mode 0600 and the same both times, and
// there is no demo application.
func checkMigratedStartsKeepTheirKeys(t *testing.T, dir string) {
	t.Helper()
	var keys []byte
	for i := range 2 {
		s := startServer(t, []string{"serve", "--data-dir", dir, "--addr", "127.0.0.1:0"}, noEnv, dir)
		if out := s.stdout.String(); out != "eccsd listening on "+s.url+"\n" {
			t.Errorf("start %d printed %q; without -dev only the listening line is expected", i+1, out)
		}
		info, err := os.Stat(filepath.Join(dir, "keys.json"))
		if err != nil {
			t.Fatalf("start %d: %v", i+1, err)
		}
		if mode := info.Mode().Perm(); mode != 0o600 {
			t.Errorf("keys.json has mode %o, want 600", mode)
		}
		data, err := os.ReadFile(filepath.Join(dir, "keys.json"))
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			keys = data
		} else if !bytes.Equal(keys, data) {
			t.Errorf("the restart rewrote keys.json")
		}
		// Without -dev there is no demo application.
		resp, body := s.tokenRequest(t, devseed.ClientID, devseed.ClientSecret)
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("a demo token from a non-dev server: %d %s, want 401", resp.StatusCode, body)
		}
		if err := s.stop(); err != nil {
			t.Fatalf("start %d: run returned %v on shutdown, want nil", i+1, err)
		}
	}
}

// checkMigrateAtStart starts serve with --migrate, then with ECCS_MIGRATE, on a fresh data
// directory: each applies the migrations and says so in its log.
func checkMigrateAtStart(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
	}{
		{"flag", []string{"--migrate"}, nil},
		{"environment", nil, map[string]string{"ECCS_MIGRATE": "true"}},
	} {
		fresh := filepath.Join(t.TempDir(), "data")
		s := startServer(t, append([]string{"serve", "--data-dir", fresh, "--addr", "127.0.0.1:0"}, tc.args...), envOf(tc.env), fresh)
		if !strings.Contains(s.stderr.String(), "0001_init.sql") {
			t.Errorf("%s: the log does not say 0001_init.sql was applied:\n%s", tc.name, s.stderr)
		}
		if err := s.stop(); err != nil {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
}

func TestDevRestartOnTheSameDataDirKeepsKeysTokensAndData(t *testing.T) {
	t.Parallel()
	first := startDev(t) // seeds a fresh world in a data directory of its own
	dir := first.dataDir
	if !strings.Contains(first.stderr.String(), "created secret keys") {
		t.Errorf("the first start did not log that it created the keys:\n%s", first.stderr)
	}
	keys, err := os.ReadFile(filepath.Join(dir, "keys.json"))
	if err != nil {
		t.Fatal(err)
	}
	if info, err := os.Stat(filepath.Join(dir, "keys.json")); err != nil {
		t.Fatal(err)
	} else if info.Mode().Perm() != 0o600 {
		t.Errorf("keys.json has mode %o, want 600", info.Mode().Perm())
	}
	c := first.creds
	tok := first.demoToken(t)
	var created api.ContractCreated
	first.mustJSON(t, call{method: http.MethodPost, path: "/cloud/b2b/v1/contract", token: tok, key: c.APIKeys.Administrator,
		body: `{"billingAccountId":"` + c.BillingAccountID + `","offerCode":"` + c.OfferCode + `","contractName":"restart","supportLevel":"` + c.SupportLevel +
			`","referentName":"Doe","referentFirstName":"Jane","referentMail":"jane.doe@example.com"}`}, http.StatusCreated, &created)
	countDocs := func(s *server) string {
		resp := s.mustJSON(t, call{path: "/cloud/b2b/v1/documents?limit=1", token: tok, key: c.APIKeys.Client, contract: c.SampleContractID}, http.StatusOK, nil)
		return resp.Header.Get(api.HeaderTotalCount)
	}
	docs := countDocs(first)
	if err := first.stop(); err != nil {
		t.Fatalf("first start: run returned %v on shutdown, want nil", err)
	}

	second := startDevOn(t, dir)
	again, err := os.ReadFile(filepath.Join(dir, "keys.json"))
	if err != nil || !bytes.Equal(keys, again) {
		t.Errorf("the restart changed keys.json (%v)", err)
	}
	for _, line := range []string{"created secret keys", "applied migrations"} {
		if strings.Contains(second.stderr.String(), line) {
			t.Errorf("the restart logged %q", line)
		}
	}
	a, b := first.creds, second.creds
	a.BaseURL, a.TokenURL, a.APIURL, a.AdminURL, b.BaseURL, b.TokenURL, b.APIURL, b.AdminURL = "", "", "", "", "", "", "", ""
	a.WebURL, b.WebURL = "", ""
	if !reflect.DeepEqual(a, b) {
		t.Errorf("credentials changed across the restart:\n%+v\n%+v", a, b)
	}
	if !strings.Contains(second.stdout.String(), c.ClientSecret) || !strings.Contains(second.stdout.String(), c.SampleDocumentID) {
		t.Errorf("the restart did not print the same credentials:\n%s", second.stdout)
	}
	// The token minted before the restart is still good, and the data is the same.
	var got api.Contract
	second.mustJSON(t, call{path: "/cloud/b2b/v1/contract", token: tok, key: c.APIKeys.Administrator, contract: created.ID}, http.StatusOK, &got)
	if got.Name != "restart" {
		t.Errorf("the contract ordered before the restart: %+v", got)
	}
	if n := countDocs(second); n != docs {
		t.Errorf("%s has %s documents after the restart, %s before: the restart reseeded", c.SampleContractID, n, docs)
	}
}

func TestEnvironmentConfiguresServeAndFlagsWin(t *testing.T) {
	t.Parallel()

	t.Run("ECCS_TOKEN_RATE_LIMIT=2: the third token within a minute is 429", func(t *testing.T) {
		t.Parallel()
		dir := seededCopy(t)
		s := startServer(t, []string{"serve", "-dev", "--addr", "127.0.0.1:0", "--data-dir", dir},
			envOf(map[string]string{"ECCS_TOKEN_RATE_LIMIT": "2", "ECCS_RATE_LIMIT": "1", "ECCS_RATE_LIMIT_STATUS": "403"}), dir)
		tok := s.demoToken(t)
		s.demoToken(t)
		resp, body := s.tokenRequest(t, devseed.ClientID, devseed.ClientSecret)
		checkRateLimited(t, "third token", resp, body, http.StatusTooManyRequests)

		// ECCS_RATE_LIMIT=1 (bursts of 2) and ECCS_RATE_LIMIT_STATUS=403: quick resource
		// calls are soon refused with 403/53.
		var statuses []int
		for range 6 {
			resp, body := s.do(t, call{path: "/cloud/b2b/v1/contracts", token: tok, key: s.creds.APIKeys.Client})
			statuses = append(statuses, resp.StatusCode)
			if resp.StatusCode != http.StatusOK {
				checkRateLimited(t, "resource call", resp, body, http.StatusForbidden)
				break
			}
		}
		if statuses[0] != http.StatusOK || statuses[len(statuses)-1] != http.StatusForbidden {
			t.Errorf("quick GET /contracts answered %v; want 200 first, then 403 (rate limited)", statuses)
		}
	})

	t.Run("ECCS_DEV, ECCS_ADDR and ECCS_DATA_DIR start dev mode; --token-rate-limit=3 beats ECCS_TOKEN_RATE_LIMIT=2", func(t *testing.T) {
		t.Parallel()
		dir := seededCopy(t)
		s := startServer(t, []string{"serve", "--token-rate-limit", "3"},
			envOf(map[string]string{"ECCS_DEV": "1", "ECCS_ADDR": "127.0.0.1:0", "ECCS_DATA_DIR": dir, "ECCS_TOKEN_RATE_LIMIT": "2"}), dir)
		if !strings.HasPrefix(s.url, "http://127.0.0.1:") || s.creds.BaseURL != s.url {
			t.Errorf("listening on %s, credentials for %s", s.url, s.creds.BaseURL)
		}
		for i := range 3 {
			if resp, body := s.tokenRequest(t, devseed.ClientID, devseed.ClientSecret); resp.StatusCode != http.StatusOK {
				t.Fatalf("token %d: %d %s; the flag allows 3 a minute", i+1, resp.StatusCode, body)
			}
		}
		resp, body := s.tokenRequest(t, devseed.ClientID, devseed.ClientSecret)
		checkRateLimited(t, "fourth token", resp, body, http.StatusTooManyRequests)
	})
}

// checkRateLimited checks a rate-limited answer: the status, the gateway envelope with code
// 53, and Retry-After.
func checkRateLimited(t *testing.T, what string, resp *http.Response, body []byte, status int) {
	t.Helper()
	if resp.StatusCode != status {
		t.Fatalf("%s: %d %s, want %d", what, resp.StatusCode, body, status)
	}
	var e api.Error
	if err := json.Unmarshal(body, &e); err != nil || e.Code != api.CodeTooManyRequests || e.Message != "Too many requests" {
		t.Errorf("%s: body %s (%v), want the gateway envelope with code 53", what, body, err)
	}
	if ra, err := strconv.Atoi(resp.Header.Get("Retry-After")); err != nil || ra < 1 {
		t.Errorf("%s: Retry-After %q, want a positive number of seconds", what, resp.Header.Get("Retry-After"))
	}
}

func TestVersionAndHelpDocumentEveryVariable(t *testing.T) {
	t.Parallel()
	out, _, err := runCmd(t, noEnv, "version")
	if err != nil || !regexp.MustCompile(`^eccsd \S+\n$`).MatchString(out) {
		t.Errorf("version: %v, %q; want \"eccsd <version>\"", err, out)
	}

	var flags []string
	newServeCmd(env{getenv: noEnv}).Flags().VisitAll(func(f *pflag.Flag) { flags = append(flags, f.Name) })
	for _, helpArg := range []string{"--help", "-help"} {
		out, _, err := runCmd(t, noEnv, "serve", helpArg)
		if err != nil {
			t.Fatalf("serve %s: %v", helpArg, err)
		}
		for _, f := range flags {
			if !strings.Contains(out, "--"+f) || !strings.Contains(out, "$"+envName(f)) {
				t.Errorf("serve %s does not mention --%s and $%s:\n%s", helpArg, f, envName(f), out)
			}
		}
	}
	out, _, err = runCmd(t, noEnv, "migrate", "--help")
	if err != nil || !strings.Contains(out, "ECCS_DATA_DIR") || !strings.Contains(out, "ECCS_DATABASE_URL") {
		t.Errorf("migrate --help (%v) does not mention ECCS_DATA_DIR and ECCS_DATABASE_URL:\n%s", err, out)
	}

	// README.md's configuration table lists exactly serve's flags, each with its variable.
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	var documented []string
	for _, m := range regexp.MustCompile("(?m)^\\| `--([a-z-]+)` \\| `(ECCS_[A-Z_]+)` \\|").FindAllStringSubmatch(string(readme), -1) {
		documented = append(documented, m[1])
		if m[2] != envName(m[1]) {
			t.Errorf("README.md pairs --%s with %s; serve reads %s", m[1], m[2], envName(m[1]))
		}
	}
	slices.Sort(documented)
	slices.Sort(flags)
	if !reflect.DeepEqual(documented, flags) {
		t.Errorf("README.md's configuration table lists %v; serve has %v", documented, flags)
	}
}

// Dev mode never plants its public demo credentials (an operator token among them) in a
// database that holds data it did not seed, and changes nothing in the database it refuses.
func TestDevModeSeedsOnlyAnEmptyDatabase(t *testing.T) {
	t.Parallel()
	// A real deployment's data directory: migrated, with an operator token.
	real := t.TempDir()
	if err := startServer(t, []string{"serve", "--migrate", "--addr", "127.0.0.1:0", "--data-dir", real}, noEnv, real).stop(); err != nil {
		t.Fatalf("serve: %v", err)
	}
	if _, errOut, err := runCmd(t, noEnv, "admin", "operator-token", "create", "--name", "ops", "--data-dir", real); err != nil {
		t.Fatalf("operator-token create: %v\n%s", err, errOut)
	}
	digest := func() string {
		sum, _, err := fileDigest(filepath.Join(real, "eccs.db"))
		if err != nil {
			t.Fatal(err)
		}
		return sum
	}
	before := digest()
	dbURL := "sqlite://" + filepath.Join(real, "eccs.db")
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"its data directory", []string{"--data-dir", real}, "dev mode seeds only an empty database"},
		{"its database, from another data directory", []string{"--data-dir", t.TempDir(), "--database-url", dbURL}, "seeds only an empty database"},
		{"its keys file, with another database", []string{"--data-dir", t.TempDir(), "--database-url", dbURL, "--keys-file", filepath.Join(real, "keys.json")}, "seeds only an empty database"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, errOut, err := runCmd(t, noEnv, append([]string{"serve", "-dev", "--addr", "127.0.0.1:0"}, tc.args...)...)
			if err == nil || !strings.Contains(err.Error()+errOut, tc.want) {
				t.Fatalf("serve -dev: %v\n%s\nwant a refusal saying %q", err, errOut, tc.want)
			}
			if after := digest(); after != before {
				t.Error("the refused database changed")
			}
		})
	}

	t.Run("a database it seeded, through --database-url", func(t *testing.T) {
		dir := seededCopy(t) // a data directory dev mode seeded
		_, errOut, err := runCmd(t, noEnv, "serve", "-dev", "--addr", "127.0.0.1:0", "--data-dir", t.TempDir(), "--database-url", "sqlite://"+filepath.Join(dir, "eccs.db"))
		if err == nil || !strings.Contains(err.Error()+errOut, "seeds only an empty database") {
			t.Fatalf("serve -dev on another data directory's database: %v\n%s", err, errOut)
		}
	})
	t.Run("an empty database, through --database-url", func(t *testing.T) {
		dir := t.TempDir()
		s := startServer(t, []string{"serve", "-dev", "--addr", "127.0.0.1:0", "--data-dir", dir, "--database-url", "sqlite://" + filepath.Join(t.TempDir(), "new.db")}, noEnv, dir)
		s.demoToken(t)
	})
}
