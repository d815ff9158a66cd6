package main

import (
	"errors"
	"net/http"
	"os"
	"path"
	"strings"
	"testing"
	"time"

	"github.com/eccs/eccs/api/admin"
	"github.com/eccs/eccs/internal/eccs"
	"github.com/eccs/eccs/internal/testkit/openapitest"
	"github.com/eccs/eccs/internal/testkit/testserver"
)

// claimValidating is validating for a CLI that opens claim links too: their answers are
// checked against api/admin/openapi.yaml, every other one against api/openapi.yaml.
func claimValidating(t *testing.T) *http.Client {
	customer := openapitest.New(t).Transport(t, http.DefaultTransport)
	claims := openapitest.NewAdmin(t).Transport(t, http.DefaultTransport)
	return &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		if strings.HasPrefix(r.URL.Path, admin.ClaimPath+"/") {
			return claims.RoundTrip(r)
		}
		return customer.RoundTrip(r)
	})}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// apiKeyClaim issues a new API key for the account of key through a claim link, and returns
// the link.
func apiKeyClaim(t *testing.T, s *testserver.Server, key string, ttl time.Duration) string {
	t.Helper()
	acct, _, err := s.Svc.AccountForKey(t.Context(), key)
	if err != nil {
		t.Fatal(err)
	}
	_, _, claim, err := s.Svc.IssueAPIKeyClaim(t.Context(), acct.ID, eccs.KeyOptions{ClaimTTL: ttl})
	if err != nil {
		t.Fatal(err)
	}
	return s.URL + admin.ClaimPath + "/" + claim.Value
}

// secretClaim rotates the demo application's client secret through a claim link (the old
// secret stops working at once), and returns the link.
func secretClaim(t *testing.T, s *testserver.Server) string {
	t.Helper()
	apps, _, err := s.Svc.Applications(t.Context(), eccs.Page{})
	if err != nil {
		t.Fatal(err)
	}
	for _, app := range apps {
		if app.ClientID == s.Creds.ClientID {
			_, _, claim, err := s.Svc.RotateClientSecret(t.Context(), app.ID, 0, time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			return s.URL + admin.ClaimPath + "/" + claim.Value
		}
	}
	t.Fatalf("no application %s", s.Creds.ClientID)
	return ""
}

// profile reads a saved profile.
func (c *cli) profile(name string) (Profile, bool) {
	c.t.Helper()
	data, err := os.ReadFile(c.configFile())
	if err != nil {
		c.t.Fatal(err)
	}
	p, ok := decodeJSON[Config](c.t, string(data)).Profiles[name]
	return p, ok
}

// wantNoSecret fails the test when a run printed one of the secrets (or a claim link's token).
func wantNoSecret(t *testing.T, r result, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		if s != "" && strings.Contains(r.stdout+r.stderr, s) {
			t.Errorf("eccs printed a secret:\nstdout: %s\nstderr: %s", r.stdout, r.stderr)
		}
	}
}

func TestLoginWithAClaimLinkTakesTheAPIKeyItReveals(t *testing.T) {
	t.Parallel()
	s := world.NewServer(t)
	c := newCLI(t, s)
	c.http = claimValidating(t)
	link := apiKeyClaim(t, s, s.Creds.APIKeys.Client, time.Hour)

	// No --base-url: the link's server. The client secret on stdin, as without a claim.
	r := c.run(s.Creds.ClientSecret+"\n", "login", "--claim", link, "--client-id", s.Creds.ClientID, "--contract", "OCB0000001")
	if r.code != 0 {
		t.Fatalf("login --claim: exit %d\nstdout: %s\nstderr: %s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stdout, "The claim link revealed the API key; the link is now used up.") ||
		!strings.Contains(r.stdout, "Logged in to "+s.URL+" as claire.martin (client account)") {
		t.Errorf("login --claim said %q", r.stdout)
	}
	p, _ := c.profile("default")
	if p.BaseURL != s.URL || p.ClientID != s.Creds.ClientID || p.ClientSecret != s.Creds.ClientSecret || p.Contract != "OCB0000001" ||
		!strings.HasPrefix(p.APIKey, "eccs_") || p.APIKey == s.Creds.APIKeys.Client {
		t.Errorf("saved %+v", p)
	}
	wantNoSecret(t, r, p.APIKey, p.ClientSecret, path.Base(link))
	if info, err := os.Stat(c.configFile()); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("config file: %v, %v", info, err)
	}
	// The saved key is the revealed one: it works, and the seeded one is not in the profile.
	if out := c.ok("me"); !strings.Contains(out, "claire.martin") {
		t.Errorf("me: %s", out)
	}

	// The link is used up: exit 2, and the profile is untouched.
	r = c.run(s.Creds.ClientSecret+"\n", "login", "--claim", link, "--client-id", s.Creds.ClientID)
	if r.code != exitRefused || !strings.Contains(r.stderr, "already used, or has expired: the operator must send a new one") {
		t.Errorf("a used link: exit %d, %q", r.code, r.stderr)
	}
	wantNoSecret(t, r, path.Base(link))
	if again, _ := c.profile("default"); again != p {
		t.Errorf("a refused claim changed the profile: %+v", again)
	}

	// A second key, for the same profile: the client id and secret are the profile's, and
	// nothing is read from stdin.
	link = apiKeyClaim(t, s, s.Creds.APIKeys.Client, time.Hour)
	if r := c.run("", "login", "--claim", link); r.code != 0 {
		t.Fatalf("login --claim with the profile's client credentials: exit %d: %s", r.code, r.stderr)
	}
	if next, _ := c.profile("default"); next.APIKey == p.APIKey || next.ClientSecret != p.ClientSecret || next.ClientID != p.ClientID {
		t.Errorf("saved %+v after %+v", next, p)
	}
}

func TestLoginWithAClaimLinkTakesTheClientSecretItReveals(t *testing.T) {
	t.Parallel()
	s := world.NewServer(t)
	c := newCLI(t, s)
	c.http = claimValidating(t)
	if r := c.login(s.Creds.APIKeys.Administrator); r.code != 0 {
		t.Fatalf("login: %d %s", r.code, r.stderr)
	}
	before, _ := c.profile("default")

	// The secret is rotated: the profile's stops working. The claim gives the new one and its
	// client id; the API key is the profile's.
	link := secretClaim(t, s)
	r := c.run("", "login", "--claim", link)
	if r.code != 0 {
		t.Fatalf("login --claim: exit %d\nstdout: %s\nstderr: %s", r.code, r.stdout, r.stderr)
	}
	after, _ := c.profile("default")
	if !strings.Contains(r.stdout, "revealed the client secret of client id "+s.Creds.ClientID) || !strings.Contains(r.stdout, "administrator account") {
		t.Errorf("login --claim said %q", r.stdout)
	}
	if after.ClientID != s.Creds.ClientID || after.ClientSecret == before.ClientSecret || after.ClientSecret == "" ||
		after.APIKey != s.Creds.APIKeys.Administrator || after.BaseURL != s.URL {
		t.Errorf("saved %+v", after)
	}
	wantNoSecret(t, r, after.ClientSecret, path.Base(link))
	c.ok("contracts", "list")

	// A client id given on the command line that is not the claim's: the claim's wins, said so.
	link = secretClaim(t, s)
	r = c.run("", "login", "--claim", link, "--client-id", "someone-else")
	if r.code != 0 || !strings.Contains(r.stderr, "the one of client id "+s.Creds.ClientID+", not someone-else") {
		t.Errorf("login --claim --client-id someone-else: exit %d, %q", r.code, r.stderr)
	}
}

func TestLoginWithAClaimLinkRefusesWhatIsNotOne(t *testing.T) {
	t.Parallel()
	s := world.NewServer(t)
	c := newCLI(t, s)
	c.http = claimValidating(t)
	for _, link := range []string{
		"Xb3k9QmZ2r7TtW4pLc8vN1sY6hJd0aF5gE2uK7oRqPi",
		"/claim/Xb3k9QmZ2r7TtW4pLc8vN1sY6hJd0aF5gE2uK7oRqPi",
		s.URL + "/cloud/b2b/v1/contracts",
		s.URL + "/claim/",
		s.URL + "/claim/abc/def",
		s.URL + "/claim/abc?x=1",
		"ftp://example.com/claim/abc",
		"https://user:pass@example.com/claim/abc",
	} {
		r := c.run("", "login", "--claim", link, "--client-id", "id")
		if r.code != exitLocal || !strings.Contains(r.stderr, "--claim takes a claim link") || !strings.Contains(r.stderr, "--help") ||
			strings.Contains(r.stderr, "abc") {
			t.Errorf("--claim %q: exit %d, %q", link, r.code, r.stderr)
		}
	}
	if _, err := os.Stat(c.configFile()); !os.IsNotExist(err) {
		t.Errorf("a refused link saved a profile: %v", err)
	}

	// An expired link answers as a used one.
	link := apiKeyClaim(t, s, s.Creds.APIKeys.Client, time.Minute)
	s.Clock.Advance(time.Minute)
	r := c.run(s.Creds.ClientSecret+"\n", "login", "--claim", link, "--client-id", s.Creds.ClientID)
	if r.code != exitRefused || !strings.Contains(r.stderr, "unknown, was already used, or has expired") {
		t.Errorf("an expired link: exit %d, %q", r.code, r.stderr)
	}
	wantNoSecret(t, r, path.Base(link))
}

// A login that cannot finish after the link revealed its secret saves the secret all the
// same, and the next login keeps it.
func TestLoginWithAClaimLinkKeepsTheSecretWhenItCannotFinish(t *testing.T) {
	t.Parallel()
	s := world.NewServer(t)
	c := newCLI(t, s)
	c.http = claimValidating(t)
	link := apiKeyClaim(t, s, s.Creds.APIKeys.Client, time.Hour)

	// No client secret anywhere: stdin is empty.
	r := c.run("", "login", "--profile", "fresh", "--claim", link, "--client-id", s.Creds.ClientID)
	if r.code != exitLocal || !strings.Contains(r.stderr, `the API key it revealed is saved in profile "fresh"`) ||
		!strings.Contains(r.stderr, "eccs login --profile fresh") || !strings.Contains(r.stderr, "read the client secret") {
		t.Fatalf("exit %d, %q", r.code, r.stderr)
	}
	saved, ok := c.profile("fresh")
	if !ok || !strings.HasPrefix(saved.APIKey, "eccs_") || saved.ClientSecret != "" || saved.BaseURL != s.URL {
		t.Fatalf("saved %+v", saved)
	}
	wantNoSecret(t, r, saved.APIKey, path.Base(link))

	// The next login, without the link: the secret, then an empty line that keeps the key.
	r = c.run(s.Creds.ClientSecret+"\n\n", "login", "--profile", "fresh")
	if r.code != 0 || !strings.Contains(r.stdout, "claire.martin (client account)") {
		t.Fatalf("login keeping the saved key: exit %d\nstdout: %s\nstderr: %s", r.code, r.stdout, r.stderr)
	}
	if done, _ := c.profile("fresh"); done.APIKey != saved.APIKey || done.ClientSecret != s.Creds.ClientSecret {
		t.Errorf("saved %+v", done)
	}
	wantNoSecret(t, r, saved.APIKey)

	// An empty line keeps nothing when nothing is saved for that server.
	r = c.run(s.Creds.ClientSecret+"\n\n", "login", "--profile", "fresh", "--base-url", "http://127.0.0.1:1")
	if r.code != exitLocal || !strings.Contains(r.stderr, "read the API key: empty") {
		t.Errorf("an empty key for another server: exit %d, %q", r.code, r.stderr)
	}
}

func TestParseClaimLink(t *testing.T) {
	for _, tc := range []struct{ link, clean, base string }{
		{"https://api.example.com/claim/Xb3k9", "https://api.example.com/claim/Xb3k9", "https://api.example.com"},
		{" http://127.0.0.1:8080/claim/a-b_c\n", "http://127.0.0.1:8080/claim/a-b_c", "http://127.0.0.1:8080"},
		{"https://example.com/eccs/claim/tok", "https://example.com/eccs/claim/tok", "https://example.com/eccs"},
		{"https://example.com/claim/%41b", "https://example.com/claim/%41b", "https://example.com"},
		{"https://example.com/claim", "", ""},
		{"https://example.com/claim/", "", ""},
		{"https://example.com/claims/x", "", ""},
		{"https://example.com/claim/x#frag", "", ""},
		{"https://example.com/claim/x?", "", ""},
		{"mailto:x@example.com", "", ""},
		{"", "", ""},
	} {
		clean, base, ok := parseClaimLink(tc.link)
		if clean != tc.clean || base != tc.base || ok != (tc.clean != "") {
			t.Errorf("parseClaimLink(%q) = %q, %q, %v; want %q, %q", tc.link, clean, base, ok, tc.clean, tc.base)
		}
	}
}

// A login with a claim link that could not finish without a client id refuses before it
// reveals anything: the link is still good afterwards.
func TestLoginWithAClaimLinkChecksTheClientIDBeforeUsingTheLink(t *testing.T) {
	t.Parallel()
	s := world.NewServer(t)
	c := newCLI(t, s)
	c.http = claimValidating(t)
	link := apiKeyClaim(t, s, s.Creds.APIKeys.Client, time.Hour)

	r := c.run(s.Creds.ClientSecret+"\n", "login", "--profile", "noid", "--claim", link, "--client-secret-stdin")
	if r.code != exitLocal || !strings.Contains(r.stderr, "--client-id") || !strings.Contains(r.stderr, "the link was not used") {
		t.Fatalf("exit %d, %q: want a usage error asking for --client-id", r.code, r.stderr)
	}
	if _, err := os.Stat(c.configFile()); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a refused login wrote the configuration file: %v", err)
	}
	wantNoSecret(t, r, path.Base(link))
	r = c.run(s.Creds.ClientSecret+"\n", "login", "--profile", "noid", "--claim", link, "--client-secret-stdin", "--client-id", s.Creds.ClientID)
	if r.code != 0 {
		t.Fatalf("the same link, with --client-id: exit %d\nstdout: %s\nstderr: %s", r.code, r.stdout, r.stderr)
	}
}
