// Package command holds what the command lines of eccs and eccsd share beyond cobra.
package command

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
)

// Unknown says that name is no subcommand of cmd, with the closest ones and the list: for a
// group command (eccs contracts, eccsd admin keys) given a subcommand it does not have.
func Unknown(cmd *cobra.Command, name string) error {
	msg := fmt.Sprintf("unknown command %q for %q", name, cmd.CommandPath())
	if cmd.SuggestionsMinimumDistance <= 0 {
		cmd.SuggestionsMinimumDistance = 2 // cobra's default, which only its own suggestions set
	}
	if near := cmd.SuggestionsFor(name); len(near) > 0 {
		for i, c := range near {
			near[i] = strconv.Quote(c)
		}
		msg += " (did you mean " + strings.Join(near, " or ") + "?)"
	}
	var names []string
	for _, c := range Subcommands(cmd) {
		names = append(names, c.Name())
	}
	return fmt.Errorf("%s; use one of: %s", msg, strings.Join(names, ", "))
}

// Subcommands returns the subcommands of cmd a user may run: neither hidden nor help.
func Subcommands(cmd *cobra.Command) []*cobra.Command {
	var out []*cobra.Command
	for _, c := range cmd.Commands() {
		if c.IsAvailableCommand() && c.Name() != "help" {
			out = append(out, c)
		}
	}
	return out
}

// Groups returns root and every command under it that holds subcommands: the commands that
// answer Unknown when given a subcommand they do not have.
func Groups(root *cobra.Command) []*cobra.Command {
	if len(Subcommands(root)) == 0 {
		return nil
	}
	out := []*cobra.Command{root}
	for _, sub := range Subcommands(root) {
		out = append(out, Groups(sub)...)
	}
	return out
}
