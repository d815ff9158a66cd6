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
	for _, c := range cmd.Commands() {
		if c.IsAvailableCommand() && c.Name() != "help" {
			names = append(names, c.Name())
		}
	}
	return fmt.Errorf("%s; use one of: %s", msg, strings.Join(names, ", "))
}
