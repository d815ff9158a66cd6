package main

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/spf13/cobra"

	"github.com/eccs/eccs/client"
)

func (a *app) loginCommand() *cobra.Command {
	var clientID, contract string
	var secretStdin, keyStdin, noVerify bool
	cmd := &cobra.Command{
		Use:   "login",
		Short: "Check credentials and save them in a profile",
		Long: `Check the application's client credentials and the account's API key, then save them in a
profile of the configuration file (mode 0600).

The client secret and the API key are never taken from the command line, where other users
could see them: they are read with a hidden prompt on a terminal; otherwise from stdin (the
secret on the first line, the key on the second), or from ECCS_CLIENT_SECRET and ECCS_API_KEY.
--client-secret-stdin and --api-key-stdin read them from stdin even on a terminal.

The check gets an access token and calls /me (an eccs extension; against the real gateway,
which answers it 404, it lists the contracts instead). --no-verify saves without checking.`,
		Example: `  # a dev server: prompts for the secret and the key
  eccs login --base-url http://127.0.0.1:8080 --client-id demo-client-00000000000000000001

  # the real gateway, in a second profile, with a default contract
  eccs login --profile prod --client-id "$CLIENT_ID" --contract OCB0001234

  # from a script or a secrets manager: the secret, then the key, on stdin
  printf '%s\n%s\n' "$SECRET" "$API_KEY" | eccs login --client-id "$CLIENT_ID" --client-secret-stdin --api-key-stdin`,
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
			p.BaseURL = firstOf(a.baseURL, a.getenv(client.EnvBaseURL), old.BaseURL, client.DefaultBaseURL)
			p.ClientID = firstOf(clientID, a.getenv(client.EnvClientID), old.ClientID)
			if contract != "" {
				p.Contract = contract
			}
			if p.ClientID == "" {
				if !a.isTerminal(a.stdin) {
					return usagef(cmd, "give --client-id (or set ECCS_CLIENT_ID)")
				}
				fmt.Fprint(a.stderr, "Client id: ")
				if p.ClientID, err = a.readLine(); err != nil || p.ClientID == "" {
					return usagef(cmd, "no client id")
				}
			}
			if p.ClientSecret, err = a.secret(secretStdin, client.EnvClientSecret, "Client secret: "); err != nil {
				return fmt.Errorf("read the client secret: %w", err)
			}
			if p.APIKey, err = a.secret(keyStdin, client.EnvAPIKey, "API key: "); err != nil {
				return fmt.Errorf("read the API key: %w", err)
			}
			c, err := a.newClient(p)
			if err != nil {
				return err
			}
			who := ""
			if !noVerify {
				if _, err := c.Token(cmd.Context()); err != nil {
					return err
				}
				me, err := c.Me(cmd.Context())
				var apiErr *client.Error
				switch {
				case err == nil:
					who = fmt.Sprintf(" as %s (%s account", me.Account.Login, me.Account.Type)
					if me.APIKey.ExpiresSoon {
						who += fmt.Sprintf("; its API key expires on %s: ask for a new one", wireTime(me.APIKey.ExpiresAt))
					}
					who += ")"
				case errors.As(err, &apiErr) && apiErr.Status == http.StatusNotFound:
					// The real gateway has no /me: check the key with the contracts.
					list, err := c.Contracts(cmd.Context())
					if err != nil {
						return err
					}
					who = fmt.Sprintf(" (the account sees %s)", plural(len(list), "contract"))
				default:
					return err
				}
			}
			cfg.Profiles[name] = p
			if cfg.DefaultProfile == "" {
				cfg.DefaultProfile = name
			}
			if err := cfg.save(path); err != nil {
				return fmt.Errorf("save the profile: %w", err)
			}
			if noVerify {
				fmt.Fprintf(a.stdout, "Profile %q saved in %s (credentials not checked).\n", name, path)
				return nil
			}
			fmt.Fprintf(a.stdout, "Logged in to %s%s.\nProfile %q saved in %s.\n", c.BaseURL(), who, name, path)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&clientID, "client-id", "", "the application's client id (default: ECCS_CLIENT_ID, else the profile's)")
	f.StringVarP(&contract, "contract", "c", "", "contract the commands use when none is given")
	f.BoolVar(&secretStdin, "client-secret-stdin", false, "read the client secret from stdin (one line)")
	f.BoolVar(&keyStdin, "api-key-stdin", false, "read the API key from stdin (one line, after the secret when both are)")
	f.BoolVar(&noVerify, "no-verify", false, "save without checking the credentials")
	return cmd
}

// secret reads a secret: from stdin when asked, else from the environment variable, else
// with a hidden prompt (or a line of stdin when it is not a terminal).
func (a *app) secret(fromStdin bool, env, prompt string) (string, error) {
	var v string
	var err error
	switch {
	case fromStdin:
		v, err = a.readLine()
	case strings.TrimSpace(a.getenv(env)) != "":
		v = strings.TrimSpace(a.getenv(env))
	default:
		v, err = a.readSecret(prompt)
	}
	if err == nil && v == "" {
		err = errors.New("empty")
	}
	return v, err
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
