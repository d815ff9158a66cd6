package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// env is what the program receives from its surroundings, passed explicitly so tests run the
// whole program in-process.
type env struct {
	getenv func(string) string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

// usageError marks errors of the command line itself (exit code 1, like every local error).
type usageError struct{ error }

// run is the whole program. It returns when the command is done or, for serve, when ctx is
// cancelled or the process gets SIGINT or SIGTERM.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	e := env{getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr}
	root := &cobra.Command{
		Use:           "eccsd",
		Short:         "The eccs server: the Cloud Store Customer Space API and its operator tools",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetArgs(goStyleFlags(args))
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.AddCommand(newServeCmd(e), newMigrateCmd(e), newVersionCmd(e), newAdminCmd(e))
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	err := root.ExecuteContext(ctx)
	if err != nil {
		fmt.Fprintln(stderr, "eccsd:", err)
	}
	return err
}

// goStyleFlags accepts Go-style single-dash long flags (`eccsd serve -dev`, as the Go flag
// package and the getting-started instructions write them) by doubling their dash. eccsd has
// no one-letter flags, so "-dev" can only mean --dev. Values (after a flag that takes one,
// or after "--") are left alone when they do not look like a flag.
func goStyleFlags(args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = a
		if a == "--" {
			copy(out[i:], args[i:])
			break
		}
		if len(a) > 2 && a[0] == '-' && a[1] != '-' && (a[1] < '0' || a[1] > '9') {
			out[i] = "-" + a
		}
	}
	return out
}

// bindEnv gives every flag of fs an environment variable: ECCS_ and the flag name in upper
// case with dashes as underscores (--token-rate-limit ↔ ECCS_TOKEN_RATE_LIMIT). A flag given
// on the command line wins over its variable.
func bindEnv(fs *pflag.FlagSet, getenv func(string) string) error {
	var errs []error
	fs.VisitAll(func(f *pflag.Flag) {
		name := envName(f.Name)
		if f.Changed {
			return
		}
		if v := getenv(name); v != "" {
			if err := f.Value.Set(v); err != nil {
				errs = append(errs, usageError{fmt.Errorf("%s=%q: %w", name, v, err)})
			}
		}
	})
	return errors.Join(errs...)
}

// documentEnv appends each flag's environment variable to its help text.
func documentEnv(fs *pflag.FlagSet) {
	fs.VisitAll(func(f *pflag.Flag) { f.Usage += " [$" + envName(f.Name) + "]" })
}

func envName(flag string) string {
	return "ECCS_" + strings.ToUpper(strings.ReplaceAll(flag, "-", "_"))
}

// Version is the version of the build, set with -ldflags "-X main.Version=…".
var Version = "dev"

func newVersionCmd(e env) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fmt.Fprintln(e.stdout, "eccsd", Version)
			return nil
		},
	}
}
