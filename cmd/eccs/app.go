package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/eccs/eccs/client"
	"github.com/eccs/eccs/cmd/internal/progress"
)

// Exit codes.
const (
	exitOK          = 0
	exitLocal       = 1 // usage or local error
	exitRefused     = 2 // refused by the server; a conformance check failed
	exitRateLimited = 3 // still rate limited after the SDK's retries
)

// app is one run of the program: its environment, streams and global flags.
type app struct {
	getenv func(string) string
	in     *bufio.Reader // stdin, read line by line (secrets)
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	// isTerminal reports whether a stream (stdin, stdout, stderr) is a terminal.
	isTerminal func(stream any) bool
	// httpClient makes every request (nil: the SDK's default); tests set it.
	httpClient *http.Client

	// Global flags.
	profileName string
	baseURL     string
	output      string
	verbose     bool
}

// run runs the program with args (without the program name) and returns its exit code.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	a := &app{getenv: getenv, stdin: stdin, in: newLineReader(stdin), stdout: stdout, stderr: stderr, isTerminal: progress.OnTerminal}
	return a.run(ctx, args)
}

func (a *app) run(ctx context.Context, args []string) int {
	root := a.rootCommand()
	root.SetArgs(args)
	root.SetIn(a.stdin)
	root.SetOut(a.stdout)
	root.SetErr(a.stderr)
	err := root.ExecuteContext(ctx)
	if err != nil {
		a.report(err)
	}
	return exitCode(err)
}

func newLineReader(r io.Reader) *bufio.Reader { return bufio.NewReader(r) }

// usageError is a command line the program cannot run; it is told with a hint to --help.
type usageError struct {
	cmd string
	err error
}

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

func usagef(cmd *cobra.Command, format string, args ...any) error {
	return &usageError{cmd: cmd.CommandPath(), err: fmt.Errorf(format, args...)}
}

// exitError ends the program with code after it has said why.
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

// exitCode maps an error to the program's exit code.
func exitCode(err error) int {
	var ee *exitError
	var apiErr *client.Error
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &ee):
		return ee.code
	case errors.As(err, &apiErr) && apiErr.RateLimited():
		return exitRateLimited
	case errors.As(err, &apiErr), errors.Is(err, client.ErrUnknownDocumentType):
		return exitRefused
	}
	return exitLocal
}

// report tells on stderr why the program failed, with what to do when it can say.
func (a *app) report(err error) {
	var ue *usageError
	var ee *exitError
	var apiErr *client.Error
	switch {
	case errors.As(err, &ee):
		if ee.msg != "" {
			fmt.Fprintf(a.stderr, "eccs: %s\n", ee.msg)
		}
	case errors.As(err, &ue):
		fmt.Fprintf(a.stderr, "eccs: %v\nRun '%s --help' for usage.\n", ue.err, ue.cmd)
	case errors.As(err, &apiErr) && apiErr.RateLimited():
		fmt.Fprintf(a.stderr, "eccs: rate limited: the server still refused the call after %d attempts", apiErr.Attempts)
		if apiErr.RetryAfter > 0 {
			fmt.Fprintf(a.stderr, "; retry after %v", apiErr.RetryAfter)
		}
		fmt.Fprintf(a.stderr, "\n%s\n", apiErr)
	case errors.As(err, &apiErr):
		fmt.Fprintf(a.stderr, "eccs: the server refused the call: %s\n", strings.TrimPrefix(apiErr.Error(), "eccs: "))
		contract := ""
		if ce := (*contractError)(nil); errors.As(err, &ce) {
			contract = ce.contract
		}
		if hint := hintFor(apiErr, contract); hint != "" {
			fmt.Fprintf(a.stderr, "hint: %s\n", hint)
		}
	default:
		fmt.Fprintf(a.stderr, "eccs: %s\n", strings.TrimPrefix(err.Error(), "eccs client: "))
	}
}

// contractError is the error of a call about one contract: the one a command names with
// --contract (or its argument, ECCS_CONTRACT_ID, the profile's), which the API reads from
// X-ECCS-Contract-Id or the path. Only those refusals may be about that contract.
type contractError struct {
	contract string
	err      error
}

func (e *contractError) Error() string { return e.err.Error() }
func (e *contractError) Unwrap() error { return e.err }

// aboutContract marks err (when not nil) as the error of a call about contract.
func aboutContract(contract string, err error) error {
	if err == nil {
		return nil
	}
	return &contractError{contract: contract, err: err}
}

// hintFor says what to do about the refusals a user can fix. contract is the contract the
// refused call was about ("" when it was about none).
func hintFor(e *client.Error, contract string) string {
	switch {
	case e.OAuthError == "invalid_client":
		return "the client id or secret is wrong, or the application is suspended: run 'eccs login' again"
	case e.Status == 401 && e.Code == 41:
		return "the API key is unknown, revoked or expired: ask for a new one and run 'eccs login' again"
	case e.Status == 403 && e.Code == 50 && contract != "" && !saysSomethingElse(e, contract):
		return fmt.Sprintf("the contract %s does not exist, or this account may not see it or lacks the role: 'eccs contracts list' shows what it sees, 'eccs me' its roles", contract)
	case e.Status == 403 && e.Code == 51:
		return "the operator blocked this application"
	}
	return ""
}

// saysSomethingElse reports whether the description of a 403/50 about contract tells another
// cause than the contract (the application's subscription or terms, say): then the hint about
// the contract would mislead. A description that is empty, the bare message, or that speaks of
// the contract (its number, or the word) is about it.
func saysSomethingElse(e *client.Error, contract string) bool {
	d := strings.TrimSpace(e.Description)
	if d == "" || strings.EqualFold(strings.TrimSuffix(d, "."), e.Message) || strings.Contains(d, contract) {
		return false
	}
	return !strings.Contains(strings.ToLower(d), "contract")
}

// version is the module version the binary was built from.
func version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "(devel)"
}

// settings are the resolved configuration of a command: the profile, overridden by the
// ECCS_* variables, overridden by the flags.
type settings struct {
	Profile
	profileName string // "" when no profile was found
	configPath  string
}

// settings resolves the configuration. A profile named by --profile or ECCS_PROFILE must
// exist; without one, the default profile is used when there is one.
func (a *app) settings() (settings, error) {
	path, err := configPath(a.getenv)
	if err != nil {
		return settings{}, err
	}
	s := settings{configPath: path}
	cfg, err := loadConfig(path)
	if err != nil {
		return settings{}, err
	}
	name := a.profileName
	if name == "" {
		name = a.getenv("ECCS_PROFILE")
	}
	if name != "" {
		p, ok := cfg.Profiles[name]
		if !ok {
			return settings{}, fmt.Errorf("no profile %q in %s: run 'eccs login --profile %s'", name, path, name)
		}
		s.Profile, s.profileName = p, name
	} else {
		name = cfg.DefaultProfile
		if name == "" {
			name = defaultProfileName
		}
		if p, ok := cfg.Profiles[name]; ok {
			s.Profile, s.profileName = p, name
		}
	}
	for _, v := range []struct {
		dst *string
		env string
	}{
		{&s.BaseURL, client.EnvBaseURL}, {&s.ClientID, client.EnvClientID}, {&s.ClientSecret, client.EnvClientSecret},
		{&s.APIKey, client.EnvAPIKey}, {&s.Contract, "ECCS_CONTRACT_ID"},
	} {
		if e := strings.TrimSpace(a.getenv(v.env)); e != "" {
			*v.dst = e
		}
	}
	if a.baseURL != "" {
		s.BaseURL = a.baseURL
	}
	if s.BaseURL == "" {
		s.BaseURL = client.DefaultBaseURL
	}
	return s, nil
}

// client returns an SDK client of the resolved settings.
func (a *app) client() (*client.Client, settings, error) {
	s, err := a.settings()
	if err != nil {
		return nil, s, err
	}
	if s.ClientID == "" || s.ClientSecret == "" || s.APIKey == "" {
		return nil, s, fmt.Errorf("no credentials: run 'eccs login' (or set ECCS_CLIENT_ID, ECCS_CLIENT_SECRET and ECCS_API_KEY)")
	}
	c, err := a.newClient(s.Profile)
	return c, s, err
}

func (a *app) newClient(p Profile) (*client.Client, error) {
	opts := []client.Option{
		client.WithEnv(func(string) string { return "" }), // the settings already hold the environment
		client.WithCredentials(p.ClientID, p.ClientSecret),
		client.WithAPIKey(p.APIKey),
		client.WithUserAgent("eccs-cli/" + version()),
	}
	if a.httpClient != nil {
		opts = append(opts, client.WithHTTPClient(a.httpClient))
	}
	if f := a.tokenFileFor(p); f != nil {
		opts = append(opts, client.WithTokenStore(f))
	}
	if a.verbose {
		opts = append(opts, client.WithLogger(slog.New(slog.NewTextHandler(a.stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	}
	return client.New(p.BaseURL, opts...)
}

// contract returns the contract a command acts on: the flag's (or argument's) value, else
// ECCS_CONTRACT_ID, else the profile's.
func (a *app) contract(cmd *cobra.Command, given string, s settings) (string, error) {
	if given != "" {
		return given, nil
	}
	if s.Contract != "" {
		return s.Contract, nil
	}
	return "", usagef(cmd, "no contract: give the contract number with --contract (or set ECCS_CONTRACT_ID, or save one with 'eccs login --contract')")
}

// contractGiven returns the contract given on the command line to a command that takes it as
// an optional argument or as --contract: either, or both when they agree.
func contractGiven(cmd *cobra.Command, args []string, flag string) (string, error) {
	if len(args) == 0 {
		return flag, nil
	}
	if flag != "" && flag != args[0] {
		return "", usagef(cmd, "contract %s as the argument and %s as --contract: give one contract", args[0], flag)
	}
	return args[0], nil
}

// readSecret reads a secret: with a hidden prompt when stdin is a terminal, else a line of
// stdin. It never echoes what it reads.
func (a *app) readSecret(prompt string) (string, error) {
	if f, ok := a.stdin.(*os.File); ok && a.isTerminal(f) {
		fmt.Fprint(a.stderr, prompt)
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(a.stderr)
		if err != nil {
			return "", err
		}
		return strings.TrimSpace(string(b)), nil
	}
	return a.readLine()
}

// readLine reads one line of stdin, without its line ending.
func (a *app) readLine() (string, error) {
	line, err := a.in.ReadString('\n')
	if err != nil && !(errors.Is(err, io.EOF) && line != "") {
		if errors.Is(err, io.EOF) {
			return "", errors.New("stdin ended before the value was read")
		}
		return "", err
	}
	return strings.TrimSpace(line), nil
}

// timeout bounds calls made for shell completion, which must answer fast.
const completionTimeout = 5 * time.Second
