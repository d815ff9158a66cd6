package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/eccs/eccs/api/admin"
	"github.com/eccs/eccs/internal/adminclient"
	"github.com/eccs/eccs/internal/docformat"
	"github.com/eccs/eccs/internal/eccs"
)

func (a *adminCLI) operatorTokensCmd() *cobra.Command {
	var in admin.NewOperatorToken
	create := a.command("create --name NAME", "Create another operator token through the API (printed once)",
		`  eccsd admin operator-tokens create --name "Bob (billing sync)" --ttl 2160h`,
		cobra.NoArgs, func(ctx context.Context, c *adminclient.Client, _ []string) error {
			out, err := c.CreateOperatorToken(ctx, in)
			if err != nil {
				return err
			}
			return a.printIssuedOperatorToken(out, "")
		})
	create.Flags().StringVar(&in.Name, "name", "", "whose token it is, such as the operator's name")
	create.Flags().StringVar(&in.TTL, "ttl", "", "lifetime, such as 2160h or 90d (default: until revoked)")
	shownOnce(create, a, "operator token", "use --output table or json", func() bool { return true })

	list := a.command("list", "List operator tokens (never the tokens themselves)", `  eccsd admin operator-tokens list`,
		cobra.NoArgs, func(ctx context.Context, c *adminclient.Client, _ []string) error {
			out, err := c.OperatorTokens(ctx)
			if err != nil {
				return err
			}
			return printList(a, out, adminclient.Page{}, "ID\tNAME\tPREFIX\tCREATED\tEXPIRES\tSTATE\tLAST USED", func(t admin.OperatorToken) []string {
				return []string{t.ID, t.Name, t.Prefix, when(t.CreatedAt), orDash(when(t.ExpiresAt)), operatorTokenState(t), orDash(when(t.LastUsedAt))}
			})
		})

	revoke := a.command("revoke ID", "Revoke an operator token at once", `  eccsd admin operator-tokens revoke m1n2b3v4c5x6z7l8`,
		exactArgs("ID"), func(ctx context.Context, c *adminclient.Client, args []string) error {
			out, err := c.RevokeOperatorToken(ctx, args[0])
			if err != nil {
				return err
			}
			return a.print(out, func(w io.Writer) { operatorTokenFields(w, out) })
		})

	return a.apiGroup("operator-tokens", "List, create and revoke operator tokens through the API",
		"Operator tokens authenticate operators on the admin API. The first one is made with `eccsd admin operator-token create`, on the database.",
		`  eccsd admin operator-tokens list
  eccsd admin operator-tokens revoke m1n2b3v4c5x6z7l8`, list, create, revoke)
}

func operatorTokenState(t admin.OperatorToken) string {
	if !t.RevokedAt.IsZero() {
		return "revoked " + when(t.RevokedAt)
	}
	return "active"
}

func operatorTokenFields(w io.Writer, t admin.OperatorToken) {
	fields(w, "ID", t.ID, "Name", t.Name, "Prefix", t.Prefix, "Created", when(t.CreatedAt), "Expires", when(t.ExpiresAt),
		"State", operatorTokenState(t), "Last used", when(t.LastUsedAt))
}

// printIssuedOperatorToken prints a new operator token once, to stdout, as the line that puts
// it in the environment of the next commands (so that `eval "$(…)"` works), after the line
// that exports adminURL when it is given; what describes it goes to stderr.
func (a *adminCLI) printIssuedOperatorToken(out admin.IssuedOperatorToken, adminURL string) error {
	if a.output == outputJSON {
		return a.print(out, nil)
	}
	t := out.OperatorToken
	expires := "no expiry"
	if !t.ExpiresAt.IsZero() {
		expires = "expires " + when(t.ExpiresAt)
	}
	// Under eval, stdout never reaches the screen: the note says where the token went.
	lines := "the line `export ECCS_ADMIN_TOKEN=…`"
	if adminURL != "" {
		lines = "the lines `export ECCS_ADMIN_URL=…` and `export ECCS_ADMIN_TOKEN=…`"
	}
	fmt.Fprintf(a.e.stderr, "Created operator token %s for %q (prefix %s, %s). It is printed once, on standard output, as %s for eval: "+
		"store it now in your secret store (after eval it is in $ECCS_ADMIN_TOKEN, in this shell only); nothing can show it again.\n",
		t.ID, t.Name, t.Prefix, expires, lines)
	if adminURL != "" {
		if _, err := fmt.Fprintf(a.e.stdout, "export ECCS_ADMIN_URL=%s\n", shellQuote(adminURL)); err != nil {
			return err
		}
	}
	_, err := fmt.Fprintf(a.e.stdout, "export ECCS_ADMIN_TOKEN=%s\n", shellQuote(out.Token))
	return err
}

// shellQuote quotes s for a POSIX shell, leaving it bare when it needs no quotes.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.,:/@%+=") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// operatorTokenCmd is `eccsd admin operator-token create`: the bootstrap. It works on the
// database directly (the API needs a token to make one), through the domain's
// CreateOperatorToken, as the system.
func (a *adminCLI) operatorTokenCmd() *cobra.Command {
	var dataDir, databaseURL, keysFile, name, adminURL string
	var ttl time.Duration
	create := &cobra.Command{
		Use:   "create --name NAME",
		Short: "Create an operator token directly in the database, to bootstrap the admin API",
		Long: `Create an operator token in the database of an eccs deployment, without the admin API: the
way to make the first one. The database and the keys file must exist (start ` + "`eccsd serve --migrate`" + `
once first, or run ` + "`eccsd migrate`" + ` and start ` + "`eccsd serve`" + `); the server may be running. The token is
printed once, on standard output, as the line that exports it as ECCS_ADMIN_TOKEN; with
--admin-url, a line that exports ECCS_ADMIN_URL comes first, so that one eval sets up the
shell for the other commands. The audit trail records its creation by the system.`,
		Example: `  eccsd admin operator-token create --data-dir /var/lib/eccs --name "Alice (ops)"
  eval "$(eccsd admin operator-token create --data-dir /var/lib/eccs --name 'Alice (ops)' --admin-url http://127.0.0.1:8081)"
  eccsd admin operator-token create --database-url sqlite:///var/lib/eccs/eccs.db --keys-file /etc/eccs/keys.json --name ci --ttl 720h`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			store := pflag.NewFlagSet("store", pflag.ContinueOnError)
			for _, n := range []string{"data-dir", "database-url", "keys-file"} {
				store.AddFlag(cmd.Flags().Lookup(n))
			}
			if err := bindEnv(store, a.e.getenv); err != nil {
				return err
			}
			if err := a.checkOutput(); err != nil {
				return err
			}
			if a.output == outputID {
				return usageError{errors.New("--output id would not show the operator token, which is shown once: use --output table or json")}
			}
			if adminURL != "" {
				if _, err := adminclient.New(adminURL, "-"); err != nil {
					return usageError{fmt.Errorf("--admin-url: %w", err)}
				}
				if a.output == outputJSON {
					return usageError{errors.New("--admin-url adds an export line to the table output; with --output json, leave it out")}
				}
			}
			if name == "" {
				return usageError{errors.New("--name is required: say whose token it is, such as the operator's name")}
			}
			if ttl < 0 {
				return usageError{fmt.Errorf("--ttl %s: give a positive lifetime, or 0 for none", ttl)}
			}
			if databaseURL == "" {
				databaseURL = sqliteURL(filepath.Join(dataDir, "eccs.db"))
			}
			if keysFile == "" {
				keysFile = filepath.Join(dataDir, "keys.json")
			}
			out, err := createOperatorToken(cmd.Context(), databaseURL, keysFile, name, ttl)
			if err != nil {
				return err
			}
			return a.printIssuedOperatorToken(out, adminURL)
		},
	}
	f := create.Flags()
	f.StringVar(&dataDir, "data-dir", "eccs-data", "data directory of the deployment, as given to serve")
	f.StringVar(&databaseURL, "database-url", "", "database URL (default sqlite://<data-dir>/eccs.db)")
	f.StringVar(&keysFile, "keys-file", "", "file of the secret keys (default <data-dir>/keys.json)")
	documentEnv(f)
	f.StringVar(&name, "name", "", "whose token it is, such as the operator's name")
	f.DurationVar(&ttl, "ttl", 0, "lifetime, such as 2160h (default: until revoked)")
	f.StringVar(&adminURL, flagAdminURL, "", "URL of the admin API of this deployment: the output then exports it as ECCS_ADMIN_URL too")
	f.StringVar(&a.output, "output", "table", "output format: table (the export lines, for eval) or json")
	return group("operator-token", "Bootstrap: create an operator token directly in the database",
		"Create the first operator token of a deployment, on its database; later ones can be made with `eccsd admin operator-tokens create`.",
		`  eccsd admin operator-token create --data-dir /var/lib/eccs --name "Alice (ops)"`, create)
}

// createOperatorToken opens an existing database and keys file, and creates an operator token
// with the domain's rules. It creates neither the database nor the keys: a wrong path must not
// leave a fresh, empty deployment behind.
func createOperatorToken(ctx context.Context, databaseURL, keysFile, name string, ttl time.Duration) (admin.IssuedOperatorToken, error) {
	db, err := openDatabase(ctx, databaseURL, false)
	if err != nil {
		return admin.IssuedOperatorToken{}, err
	}
	defer db.Close()
	if err := prepareSchema(ctx, db, false, slog.New(slog.DiscardHandler)); err != nil {
		return admin.IssuedOperatorToken{}, err
	}
	if _, err := os.Stat(keysFile); errors.Is(err, fs.ErrNotExist) {
		return admin.IssuedOperatorToken{}, fmt.Errorf("there is no keys file at %s: start `eccsd serve` on this deployment once (it creates the keys), or give --keys-file", keysFile)
	} else if err != nil {
		return admin.IssuedOperatorToken{}, fmt.Errorf("keys file: %w", err)
	}
	keys, _, err := loadOrCreateKeys(keysFile, refuseKeys{})
	if err != nil {
		return admin.IssuedOperatorToken{}, err
	}
	svc, err := eccs.NewService(db, noBlobs{}, eccs.Config{Keys: keys, Formats: docformat.Formats{}})
	if err != nil {
		return admin.IssuedOperatorToken{}, err
	}
	ctx = eccs.WithActor(ctx, eccs.Actor{Type: eccs.ActorSystem, ID: "eccsd admin operator-token create"})
	t, token, err := svc.CreateOperatorToken(ctx, name, ttl)
	if err != nil {
		var de *eccs.Error
		if errors.As(err, &de) && de.Code == eccs.Invalid {
			return admin.IssuedOperatorToken{}, usageError{errors.New(de.Message)}
		}
		return admin.IssuedOperatorToken{}, err
	}
	return admin.IssuedOperatorToken{Token: token, OperatorToken: admin.OperatorToken{
		ID: t.ID, Name: t.Name, Prefix: t.Prefix, CreatedAt: t.CreatedAt.UTC(), ExpiresAt: t.ExpiresAt.UTC(),
	}}, nil
}

// refuseKeys is the randomness of loadOrCreateKeys when keys must exist already: should the
// file vanish after the check, it creates none.
type refuseKeys struct{}

func (refuseKeys) Read([]byte) (int, error) {
	return 0, errors.New("the keys file vanished; this command creates no keys")
}

// noBlobs is the document store of a Service that only makes operator tokens: it touches no
// document, and this one refuses to.
type noBlobs struct{}

var errNoBlobs = &eccs.Error{Code: eccs.Unavailable, Message: "This command stores no documents."}

func (noBlobs) Put(context.Context, string, io.Reader, int64) (int64, string, error) {
	return 0, "", errNoBlobs
}
func (noBlobs) Open(context.Context, string) (eccs.Blob, error) { return nil, errNoBlobs }
func (noBlobs) Delete(context.Context, string) error            { return errNoBlobs }

func (a *adminCLI) auditCmd() *cobra.Command {
	var actor, object, since, until string
	var page adminclient.Page
	cmd := &cobra.Command{
		Use:   "audit",
		Short: "Read the audit trail, filtered by actor, object and time",
		Long: `Read the audit trail, newest first: every change, who made it (an operator token, a
customer-space account, or the system), on what, when, and the request that made it.

--actor and --object take TYPE or TYPE:ID (actor types: operator, account, person, system; object types:
customer, billing_account, offer, contract, account, api_key, application, operator_token).
--since and --until take an RFC 3339 time, or a delay before now such as 1h or 7d.`,
		Example: `  eccsd admin audit --object contract:OCB0000001
  eccsd admin audit --actor operator:m1n2b3v4c5x6z7l8 --since 24h
  eccsd admin audit --since 2026-06-01T00:00:00Z --until 2026-07-01T00:00:00Z --output json`,
		Args: cobra.NoArgs,
	}
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		c, err := a.connect(cmd)
		if err != nil {
			return err
		}
		f := adminclient.AuditFilter{Page: page}
		f.ActorType, f.ActorID = typeAndID(actor)
		f.ObjectType, f.ObjectID = typeAndID(object)
		now := time.Now()
		for _, p := range []struct {
			flag, value string
			dst         *time.Time
		}{{"since", since, &f.Since}, {"until", until, &f.Until}} {
			if p.value == "" {
				continue
			}
			t, err := parseTime(p.value, now)
			if err != nil {
				return usageError{fmt.Errorf("--%s: %w", p.flag, err)}
			}
			*p.dst = t
		}
		out, err := c.Audit(cmd.Context(), f)
		if err != nil {
			return err
		}
		return printList(a, out, page, "AT\tACTOR\tACTION\tOBJECT\tREQUEST\tDETAILS", func(e admin.AuditEvent) []string {
			who := e.ActorType + ":" + e.ActorID
			if e.ApplicationID != "" {
				who += " (application " + e.ApplicationID + ")"
			}
			return []string{when(e.At), who, e.Action, e.ObjectType + ":" + e.ObjectID, orDash(e.RequestID), details(e.Details)}
		})
	}
	cmd.Flags().StringVar(&actor, "actor", "", "only the changes of this actor: TYPE or TYPE:ID, such as operator:m1n2b3v4c5x6z7l8")
	cmd.Flags().StringVar(&object, "object", "", "only the changes of this object: TYPE or TYPE:ID, such as contract:OCB0000001")
	cmd.Flags().StringVar(&since, "since", "", "only the changes at or after this time (RFC 3339, or a delay such as 1h)")
	cmd.Flags().StringVar(&until, "until", "", "only the changes before this time (RFC 3339, or a delay such as 1h)")
	pageFlags(cmd, &page)
	a.apiFlags(cmd.Flags())
	return cmd
}

// typeAndID splits "TYPE:ID" (the id may hold colons) or "TYPE".
func typeAndID(s string) (string, string) {
	t, id, _ := strings.Cut(s, ":")
	return t, id
}
