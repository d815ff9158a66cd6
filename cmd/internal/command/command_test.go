package command_test

import (
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/eccs/eccs/cmd/internal/command"
)

func TestUnknownNamesTheClosestAndEveryCommand(t *testing.T) {
	group := &cobra.Command{Use: "contracts"}
	group.AddCommand(&cobra.Command{Use: "list", Run: func(*cobra.Command, []string) {}},
		&cobra.Command{Use: "show", Run: func(*cobra.Command, []string) {}},
		&cobra.Command{Use: "hidden", Hidden: true, Run: func(*cobra.Command, []string) {}})
	for name, want := range map[string]string{
		"lst":   `unknown command "lst" for "contracts" (did you mean "list"?); use one of: list, show`,
		"zzzzz": `unknown command "zzzzz" for "contracts"; use one of: list, show`,
	} {
		if got := command.Unknown(group, name).Error(); got != want {
			t.Errorf("Unknown(%q) = %q, want %q", name, got, want)
		}
	}
}

func TestGroupsAreTheCommandsThatHoldSubcommands(t *testing.T) {
	root := &cobra.Command{Use: "eccs"}
	contracts := &cobra.Command{Use: "contracts"}
	contracts.AddCommand(&cobra.Command{Use: "list", Run: func(*cobra.Command, []string) {}})
	secret := &cobra.Command{Use: "secret", Hidden: true}
	secret.AddCommand(&cobra.Command{Use: "inside", Run: func(*cobra.Command, []string) {}})
	root.AddCommand(contracts, secret, &cobra.Command{Use: "me", Run: func(*cobra.Command, []string) {}})
	var names []string
	for _, g := range command.Groups(root) {
		names = append(names, g.Name())
	}
	if got := strings.Join(names, " "); got != "eccs contracts" {
		t.Errorf("Groups = %s, want eccs contracts", got)
	}
}
