package main

// `eccsd admin …` drives the admin API (/admin/v1) through internal/adminclient, as `vault`
// drives its server: the rules live in the domain, the API applies them, and these commands
// only turn flags into requests and answers into tables or JSON. The one exception is
// `operator-token create`, which works on the database directly to bootstrap the first token.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/eccs/eccs/api/admin"
	"github.com/eccs/eccs/cmd/internal/command"
	"github.com/eccs/eccs/internal/adminclient"
)

// The flags that reach the admin API. Their variables are exactly ECCS_ADMIN_URL and
// ECCS_ADMIN_TOKEN (bindEnv derives ECCS_<FLAG>).
const (
	flagAdminURL   = "admin-url"
	flagAdminToken = "admin-token"
)

// Exit statuses of `eccsd admin`: 0 for success, 1 for a usage or local error (a bad flag, a
// missing file, a server that cannot be reached), 2 when the server refused the request or an
// import rejected rows.
const (
	exitLocal   = 1
	exitRefused = 2
)

// exitCode is the exit status of a run of eccsd: 0 on success, exitRefused when the admin
// API refused the request (*adminclient.Error) or an import rejected rows, exitLocal for any
// other error.
func exitCode(err error) int {
	switch {
	case err == nil:
		return 0
	case errors.As(err, new(*adminclient.Error)), errors.As(err, new(*importRejectedError)):
		return exitRefused
	}
	return exitLocal
}

// eccsdCommand is the command that runs this program where the user is, for the dev banner's
// `… admin` line: "go run ./cmd/eccsd" when `go run` built it (as the README starts the dev
// server: no eccsd on the PATH then), "eccsd" otherwise.
func eccsdCommand(getenv func(string) string) string {
	exe, err := os.Executable()
	if err != nil {
		return "eccsd"
	}
	dirs := []string{getenv("GOTMPDIR"), os.TempDir(), getenv("GOCACHE")}
	if cache, err := os.UserCacheDir(); err == nil {
		dirs = append(dirs, filepath.Join(cache, "go-build"))
	}
	return commandFor(exe, dirs...)
}

// commandFor is eccsdCommand for the executable exe, given the directories `go run` builds
// in: the temporary ones (GOTMPDIR, else the system's), where a build is
// <tmp>/go-build<n>/b<n>/exe/eccsd, and the build cache, where go (1.24 on) keeps what it ran
// as <cache>/<xx>/<hash>-d/eccsd.
func commandFor(exe string, goDirs ...string) string {
	dir := filepath.Dir(exe)
	var root string
	switch build := filepath.Dir(filepath.Dir(dir)); {
	case filepath.Base(dir) == "exe" && strings.HasPrefix(filepath.Base(build), "go-build"):
		root = filepath.Dir(build)
	case strings.HasSuffix(filepath.Base(dir), "-d"):
		root = filepath.Dir(filepath.Dir(dir))
	default:
		return "eccsd"
	}
	for _, d := range goDirs {
		if d != "" && filepath.Clean(d) == root {
			return "go run ./cmd/eccsd"
		}
	}
	return "eccsd"
}

// adminCLI holds what the admin commands share: the program's surroundings and the values of
// the connection and output flags (one command runs per process).
type adminCLI struct {
	e      env
	url    string
	token  string
	output string
}

func newAdminCmd(e env) *cobra.Command {
	a := &adminCLI{e: e}
	cmd := group("admin", "Operate eccs through the admin API: customers, contracts, documents, keys, applications, audit",
		`Drive the admin API (/admin/v1) of a running eccsd, as an operator: load customers, billing
accounts, offers, contracts, users and documents, create accounts and issue their API keys,
approve developer applications, and read the audit trail.

Every command but "operator-token create" calls the API at $ECCS_ADMIN_URL (or --admin-url)
with the operator token $ECCS_ADMIN_TOKEN (or --admin-token). "operator-token create" works on
the database directly, to make the first token. In dev mode, both values are in
<data-dir>/dev-credentials.json (adminUrl, adminToken).

Output is a table for people, JSON with --output json for scripts, or only the ids, one per
line, with --output id (acct=$(eccsd admin accounts create … --output id)); a secret shown
once is never hidden that way. Notices (where the data sent about a known person differs from
what eccs kept) go to standard error. Exit status: 0 when done, 1 for a usage or local error
(including a server that cannot be reached), 2 when the server refused the request or an
import rejected rows.`,
		`  eccsd admin operator-token create --data-dir /var/lib/eccs --name "Alice (ops)"
  export ECCS_ADMIN_URL=https://ops.example.com ECCS_ADMIN_TOKEN=eccsop_…
  eccsd admin customers create --id C42 --name "Acme SA" --segment large
  eccsd admin keys expiring --within 30d --output json`,
		a.customersCmd(), a.billingAccountsCmd(), a.offersCmd(), a.contractsCmd(), a.usersCmd(),
		a.documentsCmd(), a.peopleCmd(), a.accountsCmd(), a.keysCmd(), a.appsCmd(), a.operatorTokensCmd(),
		a.auditCmd(), a.importCmd(), a.operatorTokenCmd(), newMigrateDataCmd(e))
	return cmd
}

// group returns a command that only holds subcommands: alone it prints its help; with an
// unknown subcommand it is a usage error that suggests the closest ones (cobra would print the
// help and succeed), as the groups of eccs do.
func group(use, short, long, example string, children ...*cobra.Command) *cobra.Command {
	cmd := &cobra.Command{
		Use:     use,
		Short:   short,
		Long:    long,
		Example: example,
		Args:    cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return cmd.Help()
			}
			return usageError{command.Unknown(cmd, args[0])}
		},
	}
	cmd.AddCommand(children...)
	return cmd
}

// contractFlag lets a command that takes the contract as its first argument take it as
// --contract (-c) instead, as eccs does: given, the flag's value becomes that first argument.
func contractFlag(cmd *cobra.Command) *cobra.Command {
	var contract string
	cmd.Flags().StringVarP(&contract, "contract", "c", "", "contract number, instead of the CONTRACT argument")
	check, run := cmd.Args, cmd.RunE
	withContract := func(args []string) []string {
		if contract == "" {
			return args
		}
		return append([]string{contract}, args...)
	}
	cmd.Args = func(cmd *cobra.Command, args []string) error {
		err := check(cmd, withContract(args))
		if err != nil && contract != "" {
			return usageError{fmt.Errorf("%w: --contract gives the CONTRACT argument", err)}
		}
		return err
	}
	cmd.RunE = func(cmd *cobra.Command, args []string) error { return run(cmd, withContract(args)) }
	return cmd
}

// apiGroup is a group whose commands call the admin API: it gives them the connection and
// output flags.
func (a *adminCLI) apiGroup(use, short, long, example string, children ...*cobra.Command) *cobra.Command {
	cmd := group(use, short, long, example, children...)
	a.apiFlags(cmd.PersistentFlags())
	return cmd
}

// apiFlags adds the connection and output flags to f.
func (a *adminCLI) apiFlags(f *pflag.FlagSet) {
	f.StringVar(&a.url, flagAdminURL, "", "URL of the admin API, such as https://ops.example.com (…/admin/v1 also accepted)")
	f.StringVar(&a.token, flagAdminToken, "", "operator token (prefer the variable: flags show in the process list)")
	conn := pflag.NewFlagSet("conn", pflag.ContinueOnError)
	conn.AddFlag(f.Lookup(flagAdminURL))
	conn.AddFlag(f.Lookup(flagAdminToken))
	documentEnv(conn)
	f.StringVar(&a.output, "output", "table", "output format: table, json, or id (only the id of what is printed, one per line, for scripts)")
}

// command is a leaf command that calls the admin API with the client run gets.
func (a *adminCLI) command(use, short, example string, args cobra.PositionalArgs, run func(ctx context.Context, c *adminclient.Client, args []string) error) *cobra.Command {
	return &cobra.Command{
		Use:     use,
		Short:   short,
		Example: example,
		Args:    args,
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := a.connect(cmd)
			if err != nil {
				return err
			}
			return run(cmd.Context(), c, args)
		},
	}
}

// connect reads the connection flags (or their variables) and the output flag, and returns
// a client of the admin API.
func (a *adminCLI) connect(cmd *cobra.Command) (*adminclient.Client, error) {
	conn := pflag.NewFlagSet("conn", pflag.ContinueOnError)
	for _, name := range []string{flagAdminURL, flagAdminToken} {
		if f := cmd.Flags().Lookup(name); f != nil {
			conn.AddFlag(f)
		}
	}
	if err := bindEnv(conn, a.e.getenv); err != nil {
		return nil, err
	}
	if err := a.checkOutput(); err != nil {
		return nil, err
	}
	if a.url == "" {
		return nil, usageError{errors.New("no admin API URL: set ECCS_ADMIN_URL or --admin-url (dev mode writes it to <data-dir>/dev-credentials.json as adminUrl)")}
	}
	if a.token == "" {
		return nil, usageError{errors.New("no operator token: set ECCS_ADMIN_TOKEN or --admin-token (`eccsd admin operator-token create` makes one)")}
	}
	c, err := adminclient.New(a.url, a.token, adminclient.WithUserAgent("eccsd/"+Version))
	if err != nil {
		return nil, usageError{err}
	}
	return c, nil
}

// The output formats.
const (
	outputTable = "table"
	outputJSON  = "json"
	outputID    = "id"
)

func (a *adminCLI) checkOutput() error {
	switch a.output {
	case outputTable, outputJSON, outputID:
		return nil
	}
	return usageError{fmt.Errorf("--output %q: use table, json or id", a.output)}
}

// shownOnce makes cmd refuse --output id, before any request, when secret says that its answer
// holds a secret shown once (a key or client secret in clear, an operator token): printing
// only an id would lose it for good. what names the secret; fix says how to get it anyway.
func shownOnce(cmd *cobra.Command, a *adminCLI, what, fix string, secret func() bool) *cobra.Command {
	cmd.PreRunE = func(*cobra.Command, []string) error {
		if a.output == outputID && secret() {
			return usageError{fmt.Errorf("--output id would not show the %s, which is shown once: %s", what, fix)}
		}
		return nil
	}
	return cmd
}

// print writes v as indented JSON with --output json, its id with --output id, otherwise the
// table that table writes.
func (a *adminCLI) print(v any, table func(w io.Writer)) error {
	switch a.output {
	case outputJSON:
		enc := json.NewEncoder(a.e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	case outputID:
		id, err := idOf(v)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintln(a.e.stdout, id)
		return err
	}
	tw := tabwriter.NewWriter(a.e.stdout, 0, 4, 2, ' ', 0)
	table(tw)
	return tw.Flush()
}

// idOf is the id --output id prints for an object: its own id, the key's for an issued key,
// the application's for an issued application, the identity's for a user.
func idOf(v any) (string, error) {
	switch v := v.(type) {
	case admin.Customer:
		return v.ID, nil
	case admin.BillingAccount:
		return v.ID, nil
	case admin.Offer:
		return v.ID, nil
	case admin.Contract:
		return v.ID, nil
	case admin.User:
		return v.ID, nil
	case admin.Identity:
		return v.ID, nil
	case admin.Account:
		return v.ID, nil
	case admin.APIKey:
		return v.ID, nil
	case admin.IssuedKey:
		return v.APIKey.ID, nil
	case admin.Application:
		return v.ID, nil
	case admin.IssuedApplication:
		return v.Application.ID, nil
	case admin.Document:
		return v.ID, nil
	case admin.OperatorToken:
		return v.ID, nil
	case admin.AuditEvent:
		return v.ID, nil
	}
	return "", fmt.Errorf("--output id: %T has no id to print; use --output table or json", v)
}

// notices writes, on stderr, what the server noticed about the data sent (a known person
// whose own data differs): stdout keeps the object alone.
func (a *adminCLI) notices(notices []string) {
	for _, n := range notices {
		fmt.Fprintln(a.e.stderr, "notice:", n)
	}
}

// printList writes a page of a list (with --output id, each item's id on a line), and says on
// stderr how to see the rest.
func printList[T any](a *adminCLI, list admin.List[T], p adminclient.Page, header string, row func(T) []string) error {
	var err error
	if a.output == outputID {
		for _, item := range list.Items {
			var id string
			if id, err = idOf(item); err != nil {
				return err
			}
			if _, err = fmt.Fprintln(a.e.stdout, id); err != nil {
				return err
			}
		}
	} else {
		err = a.print(list, func(w io.Writer) {
			fmt.Fprintln(w, header)
			for _, item := range list.Items {
				fmt.Fprintln(w, strings.Join(row(item), "\t"))
			}
		})
	}
	if err == nil && p.Offset+len(list.Items) < list.Total {
		fmt.Fprintf(a.e.stderr, "showing %d to %d of %d; use --offset %d for more\n", p.Offset+1, p.Offset+len(list.Items), list.Total, p.Offset+len(list.Items))
	}
	return err
}

// fields writes a single object as "name  value" lines.
func fields(w io.Writer, pairs ...string) {
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i+1] != "" {
			fmt.Fprintf(w, "%s\t%s\n", pairs[i], pairs[i+1])
		}
	}
}

// pageFlags adds --limit and --offset.
func pageFlags(cmd *cobra.Command, p *adminclient.Page) {
	cmd.Flags().IntVarP(&p.Limit, "limit", "n", 0, "largest number of items to show, 1 to 1000 (default: the server's, 100)")
	cmd.Flags().IntVar(&p.Offset, "offset", 0, "number of items to skip")
}

// when formats a time for tables ("" for the zero time).
func when(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// orDash is s, or "-" when it is empty (a table cell must not be empty).
func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// changed returns a pointer to v when the flag was given, nil otherwise: PATCH bodies send
// only what the operator asked to change.
func changed(cmd *cobra.Command, flag, v string) *string {
	if !cmd.Flags().Changed(flag) {
		return nil
	}
	return &v
}

// personFlags adds the flags of a person's data, prefixed ("referent-") or not.
func personFlags(cmd *cobra.Command, p *admin.Person, prefix string) {
	f := cmd.Flags()
	f.StringVar(&p.Civility, prefix+"civility", "", "civility: M, Mr, Mrs, Ms, Miss, Mme, Mlle or Dr")
	f.StringVar(&p.LastName, prefix+"last-name", "", "last name")
	f.StringVar(&p.FirstName, prefix+"first-name", "", "first name")
	f.StringVar(&p.Email, prefix+"email", "", "e-mail address (one identity per e-mail)")
	f.StringVar(&p.FixPhone, prefix+"fix-phone", "", "landline phone number")
	f.StringVar(&p.MobilePhone, prefix+"mobile-phone", "", "mobile phone number")
}

// parseRoles reads roles written "contracts=visitor<sep>documents=manager" into the wire's
// roles object ({"contracts": ["visitor"], …}). The server checks the sections and roles.
func parseRoles(s string, sep string) (map[string][]string, error) {
	roles := map[string][]string{}
	for _, part := range strings.Split(s, sep) {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		section, role, ok := strings.Cut(part, "=")
		section, role = strings.TrimSpace(section), strings.TrimSpace(role)
		if !ok || section == "" {
			return nil, fmt.Errorf("roles %q: write section=role%ssection=role, such as contracts=visitor%sdocuments=manager", s, sep, sep)
		}
		if role == "" {
			roles[section] = []string{}
			continue
		}
		roles[section] = append(roles[section], role)
	}
	if len(roles) == 0 {
		return nil, fmt.Errorf("roles %q: give at least one, such as contracts=visitor", s)
	}
	return roles, nil
}

// rolesText writes roles back as "contracts=visitor,documents=manager".
func rolesText(r admin.Roles) string {
	var parts []string
	for _, p := range [][2]string{{"contracts", r.Contracts}, {"documents", r.Documents}, {"users", r.Users}} {
		if p[1] != "" {
			parts = append(parts, p[0]+"="+p[1])
		}
	}
	return strings.Join(parts, ",")
}

// parseTime reads an RFC 3339 time, or a delay before now: "90m", "1h", "7d" mean that long
// ago.
func parseTime(s string, now time.Time) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if d, err := parseDelay(s); err == nil {
		return now.Add(-d), nil
	}
	return time.Time{}, fmt.Errorf("%q is neither an RFC 3339 time such as 2026-06-01T00:00:00Z nor a delay such as 1h or 7d", s)
}

// parseDelay reads a Go duration or a number of days ("30d"), 0 or more.
func parseDelay(s string) (time.Duration, error) {
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n < 0 || n > 100*365 {
			return 0, fmt.Errorf("%q is not a number of days such as 30d", s)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("%q is not a duration such as 24h, 90m or 30d", s)
	}
	return d, nil
}

// splitList reads a comma-separated list, without empty items.
func splitList(s string) []string {
	var out []string
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// details writes an audit event's details as "k=v k=v", sorted.
func details(m map[string]string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + strconv.Quote(m[k])
		if !strings.ContainsAny(m[k], " \t\"=") {
			parts[i] = k + "=" + m[k]
		}
	}
	return strings.Join(parts, " ")
}

// argHelp says what an argument named in exactArgs is, for the message of a missing one.
var argHelp = map[string]string{
	"ACCOUNT":  "an account id, or its holder's e-mail or login",
	"CONTRACT": "a contract number, such as OCB0000001",
	"DOCUMENT": "a document id, as `eccsd admin documents list CONTRACT` shows",
	"IDENTITY": "a user's identity id, as `eccsd admin users list CONTRACT` shows",
	"PERSON":   "an identity id or an e-mail address",
	"STATE":    "pending, approved, rejected or suspended",
	"FILE":     "the file to upload",
	"DIR":      "the folder to import",
}

// exactArgs is an Args check that names the arguments the command expects, and says which are
// missing or unexpected.
func exactArgs(names ...string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		path, all := cmd.CommandPath(), strings.Join(names, " ")
		switch {
		case len(args) > len(names):
			extra := make([]string, len(args)-len(names))
			for i, v := range args[len(names):] {
				extra[i] = strconv.Quote(v)
			}
			return usageError{fmt.Errorf("%s takes only %s: unexpected %s", path, all, strings.Join(extra, " "))}
		case len(args) < len(names) && len(names) == 1:
			return usageError{fmt.Errorf("%s needs %s%s", path, names[0], argAbout(cmd, names[0]))}
		case len(args) == 0:
			both := "give both"
			if len(names) == 3 {
				both = "give all three"
			} else if len(names) > 3 {
				both = fmt.Sprintf("give all %d", len(names))
			}
			return usageError{fmt.Errorf("%s takes %s: %s", path, all, both)}
		case len(args) < len(names):
			missing := names[len(args):]
			if len(missing) == 1 {
				return usageError{fmt.Errorf("%s takes %s: %s is missing%s", path, all, missing[0], argAbout(cmd, missing[0]))}
			}
			return usageError{fmt.Errorf("%s takes %s: %s are missing", path, all, strings.Join(missing, " and "))}
		}
		if i := slices.Index(args, ""); i >= 0 {
			return usageError{fmt.Errorf("%s: %s is empty", path, names[i])}
		}
		return nil
	}
}

// argAbout is what argHelp says of an argument, in parentheses (" (…)"), with --contract
// when cmd takes the contract that way too; "" when there is nothing to say.
func argAbout(cmd *cobra.Command, name string) string {
	help := argHelp[name]
	if name == "CONTRACT" && cmd.Flags().Lookup("contract") != nil {
		help += ", or --contract"
	}
	if help == "" {
		return ""
	}
	return " (" + help + ")"
}
