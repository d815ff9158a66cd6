package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/eccs/eccs/api"
	"github.com/eccs/eccs/api/admin"
	"github.com/eccs/eccs/client"
)

func (a *app) loginCommand() *cobra.Command {
	var f loginFlags
	cmd := &cobra.Command{
		Use:   "login",
		Short: "Check credentials and save them in a profile",
		Long: `Check the application's client credentials and the account's API key, then save them in a
profile of the configuration file (mode 0600).

The client secret and the API key are never taken from the command line, where other users
could see them: they are read with a hidden prompt on a terminal; otherwise from stdin (the
secret on the first line, the key on the second), or from ECCS_CLIENT_SECRET and ECCS_API_KEY.
--client-secret-stdin and --api-key-stdin read them from stdin even on a terminal. An empty
answer (or an empty line of stdin) keeps the one the profile has saved for the same server (and,
for the secret, the same client id).

--claim takes a one-time claim link that an operator sent (https://<server>/claim/…) instead of
one of the secrets: it reveals the API key or the client secret (and its client id) there, which
uses the link up, and logs in with it. The base URL is then the link's server unless --base-url
says otherwise, and the other credentials come as usual, or from the profile when it has them
for the same server (and client id). The revealed secret is never printed: it is saved in the
profile, even when the login cannot finish, so that it is not lost.

The check gets an access token and calls /me (an eccs extension; against the real gateway,
which answers it 404, it lists the contracts instead). --no-verify saves without checking.`,
		Example: `  # a dev server: prompts for the secret and the key
  eccs login --base-url http://127.0.0.1:8080 --client-id demo-client-00000000000000000001

  # the real gateway, in a second profile, with a default contract
  eccs login --profile prod --client-id "$CLIENT_ID" --contract OCB0001234

  # from a script or a secrets manager: the secret, then the key, on stdin
  printf '%s\n%s\n' "$SECRET" "$API_KEY" | eccs login --client-id "$CLIENT_ID" --client-secret-stdin --api-key-stdin

  # an API key from a claim link; prompts for the client secret unless the profile has it
  eccs login --claim https://api.example.com/claim/Xb3k9QmZ… --client-id "$CLIENT_ID"

  # a client secret (and its client id) from a claim link, with the profile's API key
  eccs login --claim https://api.example.com/claim/Xb3k9QmZ…`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return a.login(cmd, f) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.clientID, "client-id", "", "the application's client id (default: ECCS_CLIENT_ID, else the profile's)")
	fl.StringVarP(&f.contract, "contract", "c", "", "contract the commands use when none is given")
	fl.StringVar(&f.claim, "claim", "", "a claim link (https://<server>/claim/…) that reveals the API key or the client secret to log in with; it is used up")
	fl.BoolVar(&f.secretStdin, "client-secret-stdin", false, "read the client secret from stdin (one line)")
	fl.BoolVar(&f.keyStdin, "api-key-stdin", false, "read the API key from stdin (one line, after the secret when both are)")
	fl.BoolVar(&f.noVerify, "no-verify", false, "save without checking the credentials")
	return cmd
}

// loginFlags are the flags of eccs login.
type loginFlags struct {
	clientID, contract, claim       string
	secretStdin, keyStdin, noVerify bool
}

func (a *app) login(cmd *cobra.Command, f loginFlags) error {
	var claimBase, claimLink string
	if f.claim != "" {
		var ok bool
		if claimLink, claimBase, ok = parseClaimLink(f.claim); !ok {
			// Not echoed: a mangled link may still hold a token.
			return usagef(cmd, "--claim takes a claim link, such as https://api.example.com/claim/Xb3k9QmZ…; this is not one")
		}
	}
	path, err := configPath(a.getenv)
	if err != nil {
		return err
	}
	cfg, err := loadConfig(path)
	if err != nil {
		return err
	}
	name := a.profileName
	if name == "" {
		name = a.getenv("ECCS_PROFILE")
	}
	if name == "" {
		name = cfg.DefaultProfile
	}
	if name == "" {
		name = defaultProfileName
	}
	old := cfg.Profiles[name]
	p := Profile{Contract: old.Contract}
	p.BaseURL = firstOf(a.baseURL, claimBase, a.getenv(client.EnvBaseURL), old.BaseURL, client.DefaultBaseURL)
	p.ClientID = firstOf(f.clientID, a.getenv(client.EnvClientID), old.ClientID)
	if f.contract != "" {
		p.Contract = f.contract
	}
	save := func() error {
		cfg.Profiles[name] = p
		if cfg.DefaultProfile == "" {
			cfg.DefaultProfile = name
		}
		if err := cfg.save(path); err != nil {
			return fmt.Errorf("save the profile: %w", err)
		}
		return nil
	}

	var claimed *admin.ClaimedSecret
	if claimLink != "" {
		// Ask what the link reveals first: a login that cannot finish must not use it up.
		info, known, err := a.peekClaim(cmd.Context(), claimLink, claimBase)
		if err != nil {
			return err
		}
		if known && info.Kind == claimAPIKey && p.ClientID == "" && !a.isTerminal(a.stdin) {
			return usagef(cmd, "the claim link reveals an API key (for %s); give --client-id, your application's client id, too (the link was not used)", cmp.Or(info.HolderEmail, "an account"))
		}
		c, err := a.revealClaim(cmd.Context(), claimLink, claimBase)
		if err != nil {
			return err
		}
		claimed = &c
		if c.Kind == claimClientSecret {
			if p.ClientID != "" && p.ClientID != c.ClientID && firstOf(f.clientID, a.getenv(client.EnvClientID)) != "" {
				fmt.Fprintf(a.stderr, "eccs: the claim link's client secret is the one of client id %s, not %s: logging in with %s\n", c.ClientID, p.ClientID, c.ClientID)
			}
			p.ClientID, p.ClientSecret = c.ClientID, c.Secret
			if f.secretStdin {
				fmt.Fprintln(a.stderr, "eccs: --client-secret-stdin ignored: the claim link gave the client secret")
			}
		} else {
			p.APIKey = c.Secret
			if f.keyStdin {
				fmt.Fprintln(a.stderr, "eccs: --api-key-stdin ignored: the claim link gave the API key")
			}
		}
	}

	base, who, err := a.finishLogin(cmd, &p, old, f, claimed)
	if err != nil {
		if claimed == nil {
			return err
		}
		// The link is used up: what it revealed must not be lost with the failed login.
		what := claimWhat(*claimed)
		if serr := save(); serr != nil {
			fmt.Fprintf(a.stderr, "eccs: the claim link is used up, and %s it revealed could not be saved (%v): ask your operator for a new link\n", what, serr)
			return err
		}
		fmt.Fprintf(a.stderr, "eccs: the claim link is used up: %s it revealed is saved in profile %q of %s, but the login did not finish. "+
			"Fix what follows and run 'eccs login%s' again: an empty answer (or line of stdin) keeps the saved %s.\n",
			what, name, path, profileFlag(a.profileName, name), noun(claimed.Kind))
		return err
	}
	if err := save(); err != nil {
		return err
	}
	if claimed != nil {
		fmt.Fprintf(a.stdout, "The claim link revealed %s; the link is now used up.\n", claimWhat(*claimed))
	}
	if f.noVerify {
		fmt.Fprintf(a.stdout, "Profile %q saved in %s (credentials not checked).\n", name, path)
		return nil
	}
	fmt.Fprintf(a.stdout, "Logged in to %s%s.\nProfile %q saved in %s.\n", base, who, name, path)
	return nil
}

// finishLogin completes p with the credentials no claim gave (the client id, the client
// secret, the API key) and checks them unless told not to. It returns the base URL and who the
// credentials log in as, for the message.
func (a *app) finishLogin(cmd *cobra.Command, p *Profile, old Profile, f loginFlags, claimed *admin.ClaimedSecret) (base, who string, err error) {
	if p.ClientID == "" {
		if !a.isTerminal(a.stdin) {
			return "", "", usagef(cmd, "give --client-id (or set ECCS_CLIENT_ID)")
		}
		fmt.Fprint(a.stderr, "Client id: ")
		if p.ClientID, err = a.readLine(); err != nil || p.ClientID == "" {
			return "", "", usagef(cmd, "no client id")
		}
	}
	// What the profile saved for the same server (and client id), which an empty answer keeps,
	// and which a login with a claim link takes for what the link did not give.
	var savedSecret, savedKey string
	if strings.TrimRight(old.BaseURL, "/") == strings.TrimRight(p.BaseURL, "/") {
		savedKey = old.APIKey
		if old.ClientID == p.ClientID {
			savedSecret = old.ClientSecret
		}
	}
	if p.ClientSecret == "" {
		if p.ClientSecret, err = a.secret(f.secretStdin, client.EnvClientSecret, "Client secret: ", savedSecret, claimed != nil); err != nil {
			return "", "", fmt.Errorf("read the client secret: %w", err)
		}
	}
	if p.APIKey == "" {
		if p.APIKey, err = a.secret(f.keyStdin, client.EnvAPIKey, "API key: ", savedKey, claimed != nil); err != nil {
			return "", "", fmt.Errorf("read the API key: %w", err)
		}
	}
	c, err := a.newClient(*p)
	if err != nil {
		return "", "", err
	}
	if f.noVerify {
		return c.BaseURL(), "", nil
	}
	if _, err := c.Token(cmd.Context()); err != nil {
		return "", "", err
	}
	me, err := c.Me(cmd.Context())
	var apiErr *client.Error
	switch {
	case err == nil:
		who = fmt.Sprintf(" as %s (%s account", me.Account.Login, me.Account.Type)
		if me.APIKey.ExpiresSoon {
			who += fmt.Sprintf("; its API key expires on %s: ask for a new one", wireTime(me.APIKey.ExpiresAt))
		}
		return c.BaseURL(), who + ")", nil
	case errors.As(err, &apiErr) && apiErr.Status == http.StatusNotFound:
		// The real gateway has no /me: check the key with the contracts.
		list, err := c.Contracts(cmd.Context())
		if err != nil {
			return "", "", err
		}
		return c.BaseURL(), fmt.Sprintf(" (the account sees %s)", plural(len(list), "contract")), nil
	default:
		return "", "", err
	}
}

// secret reads a secret: from stdin when asked, else from the environment variable, else (when
// preferSaved) the saved one, else with a hidden prompt (or a line of stdin when it is not a
// terminal). An empty answer keeps the saved one, when there is one.
func (a *app) secret(fromStdin bool, env, prompt, saved string, preferSaved bool) (string, error) {
	var v string
	var err error
	switch {
	case fromStdin:
		v, err = a.readLine()
	case strings.TrimSpace(a.getenv(env)) != "":
		v = strings.TrimSpace(a.getenv(env))
	case preferSaved && saved != "":
		return saved, nil
	default:
		if saved != "" {
			prompt = strings.TrimSuffix(prompt, ": ") + " (empty keeps the saved one): "
		}
		v, err = a.readSecret(prompt)
	}
	if err == nil && v == "" {
		if saved != "" {
			return saved, nil
		}
		err = errors.New("empty")
	}
	return v, err
}

// The kinds of secret a claim link reveals (admin.ClaimedSecret.Kind).
const (
	claimAPIKey       = "api_key"
	claimClientSecret = "client_secret"
)

// claimTimeout bounds the request that reveals a claim when the program has no HTTP client of
// its own.
const claimTimeout = time.Minute

// parseClaimLink checks that link is a claim link, an absolute http(s) URL whose path ends in
// /claim/<token>, and returns it cleaned and its server (scheme, host and any path prefix).
func parseClaimLink(link string) (clean, base string, ok bool) {
	u, err := url.Parse(strings.TrimSpace(link))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Opaque != "" || u.User != nil ||
		u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		return "", "", false
	}
	path := u.EscapedPath()
	i := strings.LastIndex(path, admin.ClaimPath+"/")
	if i < 0 {
		return "", "", false
	}
	token := path[i+len(admin.ClaimPath)+1:]
	if token == "" || strings.Contains(token, "/") {
		return "", "", false
	}
	return u.String(), u.Scheme + "://" + u.Host + path[:i], true
}

// callClaim sends method to a claim link, asking for JSON, and returns the answer and its body.
// Redirects are not followed: a redirected POST becomes a GET elsewhere, and would send the
// token along. No error holds the link: its token is a secret.
func (a *app) callClaim(ctx context.Context, method, link, base string) (*http.Response, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, link, nil)
	if err != nil {
		return nil, nil, errors.New("the claim link cannot be requested")
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "eccs-cli/"+version())
	hc := &http.Client{Timeout: claimTimeout}
	if a.httpClient != nil {
		c := *a.httpClient
		hc = &c
	}
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := hc.Do(req)
	if err != nil {
		if ue := (*url.Error)(nil); errors.As(err, &ue) {
			err = ue.Err // a url.Error names the link
		}
		return nil, nil, fmt.Errorf("reach the server of the claim link, %s: %w", base, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, nil, fmt.Errorf("read the answer of the claim link: %w", err)
	}
	return resp, body, nil
}

// peekClaim asks a claim link what it reveals (GET), which does not use it up. ok is false
// when the server does not say (a server that answers only the page): the caller goes on
// without knowing. A link that is gone is an error, as for revealClaim.
func (a *app) peekClaim(ctx context.Context, link, base string) (info admin.ClaimInfo, ok bool, err error) {
	resp, body, err := a.callClaim(ctx, http.MethodGet, link, base)
	if err != nil {
		return admin.ClaimInfo{}, false, err
	}
	if resp.StatusCode == http.StatusNotFound {
		return admin.ClaimInfo{}, false, &exitError{code: exitRefused, msg: "the claim link is unknown, was already used, or has expired: the operator must send a new one"}
	}
	mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if resp.StatusCode != http.StatusOK || mt != "application/json" || json.Unmarshal(body, &info) != nil || info.Kind == "" {
		return admin.ClaimInfo{}, false, nil
	}
	return info, true, nil
}

// revealClaim POSTs to a claim link, asking for JSON, and returns what it reveals. The link is
// then used up. No error holds the link: its token is a secret.
func (a *app) revealClaim(ctx context.Context, link, base string) (admin.ClaimedSecret, error) {
	resp, body, err := a.callClaim(ctx, http.MethodPost, link, base)
	if err != nil {
		return admin.ClaimedSecret{}, err
	}
	refused := func(format string, args ...any) error {
		return &exitError{code: exitRefused, msg: fmt.Sprintf(format, args...)}
	}
	switch status := resp.StatusCode; {
	case status == http.StatusOK:
		var c admin.ClaimedSecret
		mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
		if mt != "application/json" || json.Unmarshal(body, &c) != nil ||
			c.Secret == "" || !(c.Kind == claimAPIKey || c.Kind == claimClientSecret && c.ClientID != "") {
			return admin.ClaimedSecret{}, refused("the server of the claim link, %s, did not answer a claimed secret that eccs can use: is it an eccs server's claim link?", base)
		}
		return c, nil
	case status == http.StatusNotFound:
		return admin.ClaimedSecret{}, refused("the claim link is unknown, was already used, or has expired: the operator must send a new one")
	case status >= 300 && status < 400:
		where := "elsewhere"
		if loc, err := resp.Location(); err == nil {
			where = "to " + loc.Scheme + "://" + loc.Host
		}
		return admin.ClaimedSecret{}, refused("the claim link redirects %s: give the link it redirects to (the link was not used)", where)
	default:
		var e api.Error
		desc := ""
		if json.Unmarshal(body, &e) == nil && e.Description != "" {
			desc = ": " + e.Description
		}
		if status >= 500 {
			return admin.ClaimedSecret{}, refused("the server of the claim link failed (%d)%s; the link was not used: try again later", status, desc)
		}
		return admin.ClaimedSecret{}, refused("the server refused the claim link (%d)%s", status, desc)
	}
}

// claimWhat says what a claim link revealed, without the secret.
func claimWhat(c admin.ClaimedSecret) string {
	if c.Kind == claimClientSecret {
		return "the client secret of client id " + c.ClientID
	}
	return "the API key"
}

// noun names the secret of a claim kind.
func noun(kind string) string {
	if kind == claimClientSecret {
		return "client secret"
	}
	return "API key"
}

// profileFlag is the --profile flag that names profile name again, when it was named.
func profileFlag(given, name string) string {
	if given == "" {
		return ""
	}
	return " --profile " + name
}

func firstOf(values ...string) string {
	for _, v := range values {
		if v = strings.TrimSpace(v); v != "" {
			return v
		}
	}
	return ""
}

func (a *app) logoutCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "logout",
		Short: "Remove a profile and its cached token",
		Example: `  eccs logout
  eccs logout --profile prod`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			path, err := configPath(a.getenv)
			if err != nil {
				return err
			}
			cfg, err := loadConfig(path)
			if err != nil {
				return err
			}
			name := firstOf(a.profileName, a.getenv("ECCS_PROFILE"), cfg.DefaultProfile, defaultProfileName)
			p, ok := cfg.Profiles[name]
			if !ok {
				return fmt.Errorf("no profile %q in %s", name, path)
			}
			if f := a.tokenFileFor(p); f != nil {
				if err := f.remove(); err != nil {
					return err
				}
			}
			delete(cfg.Profiles, name)
			if cfg.DefaultProfile == name {
				cfg.DefaultProfile = ""
			}
			if err := cfg.save(path); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "Profile %q removed from %s.\n", name, path)
			return nil
		},
	}
}
