package main

import (
	"strings"
	"testing"
)

// An operator invites an account's holder, or creates an account with its invitation; the
// output says what was sent to whom, never the link.
func TestAdminAccountsInviteAndCreateWithInvite(t *testing.T) {
	t.Parallel()
	w := startAdminWorld(t)
	out := w.mustAdmin(t, "accounts", "invite", "claire.martin@acme.example", "--language", "en")
	if field(out, "Invited") != "claire.martin@acme.example" || field(out, "Language") != "en" || !strings.Contains(field(out, "Link"), "sent by mail") {
		t.Errorf("accounts invite:\n%s", out)
	}
	out = w.mustAdmin(t, "accounts", "create", "--type", "client", "--email", "paul.girard@acme.example", "--last-name", "Girard", "--first-name", "Paul", "--invite")
	if field(out, "ID") == "" || field(out, "Invited") != "paul.girard@acme.example" || field(out, "Language") != "fr" {
		t.Errorf("accounts create --invite:\n%s", out)
	}
	for _, tc := range []struct {
		name string
		args []string
		says string
	}{
		{"a bad language", []string{"accounts", "invite", "claire.martin@acme.example", "--language", "de"}, "language"},
		{"--language without --invite", []string{"accounts", "create", "--email", "lea@acme.example", "--last-name", "Roux", "--first-name", "Lea", "--language", "en"}, "--invite"},
		{"--invite with --issue-key", []string{"accounts", "create", "--email", "lea@acme.example", "--last-name", "Roux", "--first-name", "Lea", "--invite", "--issue-key"}, "not both"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, errOut, err := w.admin(t, tc.args...)
			if err == nil || !strings.Contains(errOut, tc.says) {
				t.Errorf("%v: err %v, stderr %q; want a refusal that says %q", tc.args, err, errOut, tc.says)
			}
		})
	}
}
