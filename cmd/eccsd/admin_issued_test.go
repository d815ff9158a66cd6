package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/eccs/eccs/api/admin"
)

// Every command that issues a secret prints it alike: the object first, then the secret in
// clear, or "Claim link" and "Link expires", as the last lines.
func TestAdminIssuedSecretsArePrintedAlikeAfterTheirObject(t *testing.T) {
	t.Parallel()
	w := startAdminWorld(t)
	var acct admin.Account
	w.adminJSON(t, &acct, "accounts", "create", "--email", "alike@acme.example", "--last-name", "Alike", "--first-name", "Al")
	var app admin.IssuedApplication
	w.adminJSON(t, &app, "apps", "create", "--name", "Alike", "--claim-link")
	w.remember(filepath.Base(app.Claim.URL))
	keyID := ""
	n := 0
	for _, tc := range []struct {
		args         func() []string
		first, label string
	}{
		{func() []string { return []string{"keys", "issue", acct.ID} }, "Key id", "API key"},
		{func() []string { return []string{"keys", "rotate", keyID} }, "Key id", "API key"},
		{func() []string {
			n++
			return []string{"accounts", "create", "--email", "alike" + string(rune('a'+n)) + "@acme.example", "--last-name", "Alike", "--first-name", "Al", "--issue-key"}
		}, "ID", "API key"},
		{func() []string { return []string{"apps", "create", "--name", "Alike too"} }, "ID", "Client secret"},
		{func() []string { return []string{"apps", "rotate-secret", app.Application.ID} }, "ID", "Client secret"},
	} {
		for _, link := range []bool{false, true} {
			args := tc.args()
			if link {
				args = append(args, "--claim-link")
			}
			out, errOut, err := w.admin(t, args...)
			if err != nil {
				t.Fatalf("eccsd admin %s: %v\n%s", strings.Join(args, " "), err, errOut)
			}
			lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
			if id := field(out, "Key id"); id != "" {
				keyID = id
			}
			last := lines[len(lines)-1]
			if !strings.HasPrefix(lines[0], tc.first+"  ") {
				t.Errorf("eccsd admin %s: the first line is %q, want the object's %s:\n%s", strings.Join(args, " "), lines[0], tc.first, out)
			}
			if !link {
				w.remember(field(out, tc.label))
				if !strings.HasPrefix(last, tc.label+"  ") || strings.Contains(out, "Claim link") {
					t.Errorf("eccsd admin %s: the last line is %q, want the %s:\n%s", strings.Join(args, " "), last, tc.label, out)
				}
				continue
			}
			w.remember(filepath.Base(field(out, "Claim link")))
			if len(lines) < 3 || !strings.HasPrefix(lines[len(lines)-2], "Claim link  ") || !strings.HasPrefix(last, "Link expires  ") || field(out, tc.label) != "" {
				t.Errorf("eccsd admin %s: want the claim link and when it expires as the last lines:\n%s", strings.Join(args, " "), out)
			}
		}
	}
}

// A rotation made while the previous one's overlap runs ends the secret that overlap kept: the
// server's notice says so on stderr, and stdout keeps the application and its secret.
func TestAdminAppsRotateSecretSaysWhenItEndsTheSecretAnOverlapKept(t *testing.T) {
	t.Parallel()
	w := startAdminWorld(t)
	var app admin.IssuedApplication
	w.adminJSON(t, &app, "apps", "create", "--name", "Twice rotated", "--claim-link")
	w.remember(filepath.Base(app.Claim.URL))
	rotate := func(args ...string) (string, string) {
		t.Helper()
		out, errOut, err := w.admin(t, append([]string{"apps", "rotate-secret", app.Application.ID}, args...)...)
		if err != nil {
			t.Fatalf("apps rotate-secret %s: %v\n%s", strings.Join(args, " "), err, errOut)
		}
		w.remember(field(out, "Client secret"))
		return out, errOut
	}
	if _, errOut := rotate("--overlap", "1h"); strings.Contains(errOut, "notice:") {
		t.Errorf("a first rotation: stderr %q, want no notice", errOut)
	}
	out, errOut := rotate()
	if !strings.Contains(errOut, "notice: The secret that the previous rotation kept working until ") || !strings.Contains(errOut, "stopped working now") {
		t.Errorf("a rotation during the overlap of another: stderr %q, want the server's notice", errOut)
	}
	if field(out, "Client secret") == "" || strings.Contains(out, "notice") {
		t.Errorf("a rotation during the overlap of another: stdout %q, want the application and its secret alone", out)
	}
}
