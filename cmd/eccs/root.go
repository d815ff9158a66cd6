package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/eccs/eccs/api"
	"github.com/eccs/eccs/client"
	"github.com/eccs/eccs/cmd/internal/command"
)

func (a *app) rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "eccs",
		Short: "Command line of the Cloud Store Customer Space API",
		Long: `eccs calls the Cloud Store Customer Space API: the real gateway (https://api.orange.com) or
an eccs server (eccsd serve -dev) alike.

Log in once ('eccs login' checks the credentials and saves them in a profile), then list
contracts and documents, download bills and reports, declare users and order contracts. The
access token is reused across commands until it expires.

Configuration: the profile (--profile, ECCS_PROFILE, else the default one) in
$XDG_CONFIG_HOME/eccs/config.json (ECCS_CONFIG overrides the path), overridden by
ECCS_BASE_URL, ECCS_CLIENT_ID, ECCS_CLIENT_SECRET, ECCS_API_KEY and ECCS_CONTRACT_ID, overridden
by the flags.

Output: tables for people; --output json (the API's own objects) or --output csv (with a
header line) for scripts.

Exit codes: 0 done; 1 usage or local error; 2 refused by the server; 3 rate limited (still
refused after the retries).`,
		Example: `  # log in to a local dev server (eccsd serve -dev prints the credentials)
  eccs login --base-url http://127.0.0.1:8080 --client-id demo-client-00000000000000000001

  eccs contracts list
  eccs documents list --contract OCB0000001 --type bills --limit 3
  eccs documents download --contract OCB0000001 --latest --type bills -o ~/bills
  eccs contracts list --output json | jq -r '.[].id'`,
		Version:           version(),
		SilenceUsage:      true,
		SilenceErrors:     true,
		CompletionOptions: cobra.CompletionOptions{DisableDefaultCmd: true},
	}
	pf := root.PersistentFlags()
	pf.StringVar(&a.profileName, "profile", "", "profile of the configuration file to use (default: ECCS_PROFILE, else the default profile)")
	pf.StringVar(&a.baseURL, "base-url", "", "base URL of the API (default: the profile's, ECCS_BASE_URL, else "+client.DefaultBaseURL+")")
	pf.StringVar(&a.output, "output", outputTable, "output format: table, json or csv")
	pf.BoolVarP(&a.verbose, "verbose", "v", false, "log every HTTP exchange on stderr (never a secret)")
	root.RegisterFlagCompletionFunc("output", fixedCompletion(outputFormats...))
	root.RegisterFlagCompletionFunc("profile", a.completeProfiles)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error { return &usageError{cmd: c.CommandPath(), err: err} })
	root.InitDefaultHelpCmd()
	for _, c := range root.Commands() {
		if c.Name() == "help" {
			c.Example = "  eccs help documents download"
		}
	}
	return group(root,
		a.loginCommand(), a.logoutCommand(), a.tokenCommand(), a.meCommand(),
		a.contractsCommand(), a.documentsCommand(), a.usersCommand(),
		a.conformanceCommand(), a.completionCommand(),
	)
}

// group makes cmd a command that only holds subcommands: alone it prints its help; followed
// by a word that is none of its subcommands it is a usage error that suggests the closest ones
// (cobra does so for the root only, and prints the group's help and succeeds otherwise), as
// the groups of `eccsd admin` do.
func group(cmd *cobra.Command, children ...*cobra.Command) *cobra.Command {
	cmd.Args = cobra.ArbitraryArgs
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if len(args) == 0 {
			return cmd.Help()
		}
		return &usageError{cmd: cmd.CommandPath(), err: command.Unknown(cmd, args[0])}
	}
	cmd.AddCommand(children...)
	return cmd
}

// alias adds old as a hidden name of the flag name, sharing its value: scripts written with
// the old name keep working, and the help shows one name per thing.
func alias(cmd *cobra.Command, name, old string) {
	f := cmd.Flags()
	fl := f.Lookup(name)
	f.AddFlag(&pflag.Flag{Name: old, Usage: "old name of --" + name, Value: fl.Value, DefValue: fl.DefValue, NoOptDefVal: fl.NoOptDefVal})
	f.MarkHidden(old)
}

// flagChanged reports whether the flag name, or one of its aliases, was given.
func flagChanged(cmd *cobra.Command, name string) bool {
	fl := cmd.Flags().Lookup(name)
	given := false
	cmd.Flags().Visit(func(g *pflag.Flag) { given = given || g.Value == fl.Value })
	return given
}

// noArgs and exactArgs check positional arguments, as usage errors.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usagef(cmd, "unexpected argument %q", args[0])
	}
	return nil
}

func maxArgs(n int, what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) > n {
			return usagef(cmd, "too many arguments: want at most %s", what)
		}
		return nil
	}
}

func exactArgs(n int, what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return usagef(cmd, "want %s", what)
		}
		return nil
	}
}

func fixedCompletion(values ...string) cobra.CompletionFunc {
	return func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return values, cobra.ShellCompDirectiveNoFileComp
	}
}

func (a *app) completeProfiles(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	path, err := configPath(a.getenv)
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	cfg, err := loadConfig(path)
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	return cfg.names(), cobra.ShellCompDirectiveNoFileComp
}

// completeContracts completes contract numbers from the API (what the account sees).
func (a *app) completeContracts(cmd *cobra.Command, _ []string, _ string) ([]string, cobra.ShellCompDirective) {
	c, _, err := a.client()
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	ctx, cancel := context.WithTimeout(cmd.Context(), completionTimeout)
	defer cancel()
	list, err := c.Contracts(ctx)
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	var out []string
	for _, ct := range list {
		out = append(out, ct.ID+"\t"+ct.Name)
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}

// contractArgCompletion completes the first argument with contract numbers.
func (a *app) contractArgCompletion(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	if len(args) > 0 {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	return a.completeContracts(cmd, args, toComplete)
}

// documentTypeCompletion completes --type.
var documentTypeCompletion = fixedCompletion(client.DocumentTypes...)

// documentType checks a --type value; the correct spelling of the wire's misspelt
// comsumptionRatedReports is accepted too.
func documentType(cmd *cobra.Command, t string) (string, error) {
	if t == "" || t == "all" {
		return "", nil
	}
	for _, known := range client.DocumentTypes {
		if t == known {
			return t, nil
		}
	}
	if strings.EqualFold(t, "consumptionRatedReports") {
		return api.DocumentConsumptionRatedReports, nil
	}
	return "", usagef(cmd, "--type %q: want one of %s", t, strings.Join(client.DocumentTypes, ", "))
}

func (a *app) completionCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "completion bash|zsh|fish|powershell",
		Short: "Print the shell completion script",
		Long: `Print the completion script of a shell. Completion covers commands, flags, document types,
profiles, and contract numbers and document ids read from the API.`,
		Example: `  # bash, for this shell
  source <(eccs completion bash)
  # bash, for every shell (Debian, Ubuntu)
  eccs completion bash | sudo tee /etc/bash_completion.d/eccs
  # zsh
  eccs completion zsh > "${fpath[1]}/_eccs"
  # fish
  eccs completion fish > ~/.config/fish/completions/eccs.fish`,
		ValidArgs: []string{"bash", "zsh", "fish", "powershell"},
		Args:      exactArgs(1, "one shell: bash, zsh, fish or powershell"),
		RunE: func(cmd *cobra.Command, args []string) error {
			root := cmd.Root()
			switch args[0] {
			case "bash":
				return root.GenBashCompletionV2(a.stdout, true)
			case "zsh":
				return root.GenZshCompletion(a.stdout)
			case "fish":
				return root.GenFishCompletion(a.stdout, true)
			case "powershell":
				return root.GenPowerShellCompletionWithDesc(a.stdout)
			}
			return usagef(cmd, "unknown shell %q: want bash, zsh, fish or powershell", args[0])
		},
	}
	return cmd
}

// plural returns "n things" with the right ending.
func plural(n int, thing string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", thing)
	}
	return fmt.Sprintf("%d %ss", n, thing)
}
