package main

// `eccsd admin`: help, exit statuses, the audit trail, documents, and the bootstrap's
// refusals.

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/eccs/eccs/api/admin"
	"github.com/eccs/eccs/internal/devseed"
	"github.com/eccs/eccs/internal/docformat"
)

func TestAdminHelpOfEveryCommandHasAnExampleAndItsVariables(t *testing.T) {
	t.Parallel()
	var walk func(c *cobra.Command, path []string)
	var leaves [][]string
	walk = func(c *cobra.Command, path []string) {
		path = append(slices.Clone(path), c.Name())
		leaves = append(leaves, path)
		for _, sub := range c.Commands() {
			if sub.IsAvailableCommand() {
				walk(sub, path)
			}
		}
	}
	walk(newAdminCmd(env{getenv: noEnv}), nil)
	if len(leaves) < 60 {
		t.Fatalf("only %d admin commands", len(leaves))
	}
	for _, path := range leaves {
		args := append(slices.Clone(path), "--help")
		out, _, err := runCmd(t, noEnv, args...)
		if err != nil {
			t.Errorf("eccsd %s: %v", strings.Join(args, " "), err)
			continue
		}
		if !strings.Contains(out, "Examples:\n  eccsd admin") {
			t.Errorf("eccsd %s shows no example:\n%s", strings.Join(args, " "), out)
		}
		bootstrap := slices.Contains(path, "operator-token")
		if !bootstrap && len(path) > 2 && (!strings.Contains(out, "--admin-url") || !strings.Contains(out, "[$ECCS_ADMIN_URL]") || !strings.Contains(out, "[$ECCS_ADMIN_TOKEN]")) {
			t.Errorf("eccsd %s does not document --admin-url, $ECCS_ADMIN_URL and $ECCS_ADMIN_TOKEN:\n%s", strings.Join(args, " "), out)
		}
		if bootstrap && len(path) == 3 && (!strings.Contains(out, "[$ECCS_DATA_DIR]") || !strings.Contains(out, "[$ECCS_DATABASE_URL]") || !strings.Contains(out, "[$ECCS_KEYS_FILE]") || strings.Contains(out, "ECCS_NAME")) {
			t.Errorf("eccsd %s does not document its variables as serve does:\n%s", strings.Join(args, " "), out)
		}
	}
}

func TestAdminExitStatusIsOneForLocalErrorsAndTwoForRefusals(t *testing.T) {
	t.Parallel()
	w := startAdminWorld(t)
	unreachable := envOf(map[string]string{"ECCS_ADMIN_URL": "http://127.0.0.1:1", "ECCS_ADMIN_TOKEN": "eccsop_x"})
	wrongToken := envOf(map[string]string{"ECCS_ADMIN_URL": w.adminURL, "ECCS_ADMIN_TOKEN": "eccsop_not_a_token"})
	for _, tc := range []struct {
		name   string
		getenv func(string) string // nil: the world's
		args   []string
		want   int
		says   string
	}{
		{"an unknown flag", nil, []string{"customers", "list", "--no-such-flag"}, exitLocal, "no-such-flag"},
		{"an unknown output format", nil, []string{"customers", "list", "--output", "yaml"}, exitLocal, "yaml"},
		{"a missing argument", nil, []string{"customers", "show"}, exitLocal, "ID"},
		{"an unknown command", nil, []string{"customers", "frob"}, exitLocal, "frob"},
		{"unparsable roles", nil, []string{"users", "add", "OCB0000001", "--roles", "visitor"}, exitLocal, "section=role"},
		{"a bad --since", nil, []string{"audit", "--since", "yesterday"}, exitLocal, "yesterday"},
		{"no admin URL", noEnv, []string{"customers", "list"}, exitLocal, "ECCS_ADMIN_URL"},
		{"an unreachable admin URL", unreachable, []string{"customers", "list"}, exitLocal, "127.0.0.1:1"},
		{"a customer that does not exist", nil, []string{"customers", "show", "nosuch"}, exitRefused, "404/60"},
		{"a wrong operator token", wrongToken, []string{"customers", "list"}, exitRefused, "401/41"},
		{"a value the server refuses", nil, []string{"customers", "create", "--id", "C 1", "--name", "x", "--segment", "sme"}, exitRefused, "400/24"},
		{"a taken id", nil, []string{"customers", "create", "--id", "C1000001", "--name", "x", "--segment", "sme"}, exitRefused, "409/70"},
		{"a missing required value", nil, []string{"users", "add", "OCB0000001", "--email", "x@acme.example", "--last-name", "X", "--first-name", "Y", "--login", "xyxyxyxy"}, exitRefused, "roles"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			getenv := tc.getenv
			if getenv == nil {
				getenv = w.getenv
			}
			_, stderr, err := runCmd(t, getenv, append([]string{"admin"}, tc.args...)...)
			if got := exitCode(err); got != tc.want {
				t.Errorf("exit %d (%v), want %d", got, err, tc.want)
			}
			if !strings.Contains(stderr, tc.says) {
				t.Errorf("stderr %q does not say %q", stderr, tc.says)
			}
		})
	}
	if exitCode(nil) != 0 {
		t.Error("exitCode(nil) != 0")
	}
}

func TestAdminOperatorTokenCreateRefusesToCreateADatabaseOrKeys(t *testing.T) {
	t.Parallel()
	empty := filepath.Join(t.TempDir(), "nothing")
	migrated := filepath.Join(t.TempDir(), "migrated")
	if _, _, err := runCmd(t, noEnv, "migrate", "--data-dir", migrated); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, dir string
		says      []string
	}{
		{"no database and no keys", empty, []string{"no database", "eccsd migrate"}},
		{"a database without keys", migrated, []string{"keys", "eccsd serve"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := listDir(t, tc.dir)
			out, _, err := runCmd(t, noEnv, "admin", "operator-token", "create", "--data-dir", tc.dir, "--name", "x")
			if exitCode(err) != exitLocal || out != "" {
				t.Fatalf("exit %d (%v), stdout %q; want %d and nothing", exitCode(err), err, out, exitLocal)
			}
			for _, s := range tc.says {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("%v does not say %q", err, s)
				}
			}
			if after := listDir(t, tc.dir); !slices.Equal(before, after) {
				t.Errorf("it changed %s: %v → %v", tc.dir, before, after)
			}
		})
	}
	// With the keys but without the database, it says to migrate.
	keysOnly := t.TempDir()
	if err := os.WriteFile(filepath.Join(keysOnly, "keys.json"), []byte("{}"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, _, err := runCmd(t, noEnv, "admin", "operator-token", "create", "--data-dir", keysOnly, "--name", "x")
	if exitCode(err) != exitLocal || !strings.Contains(err.Error(), "eccsd migrate") {
		t.Errorf("without a database: %v, want it to say eccsd migrate", err)
	}
	if _, statErr := os.Stat(filepath.Join(keysOnly, "eccs.db")); !os.IsNotExist(statErr) {
		t.Errorf("it created a database (%v)", statErr)
	}
}

func listDir(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func TestAdminAuditShowsTheTestsChangesAndNoSecret(t *testing.T) {
	t.Parallel()
	w := startAdminWorld(t)
	const id = "OCB9400001"
	w.mustAdmin(t, "contracts", "create", "--id", id, "--name", "AUDITED", "--offer", devseed.OfferCode, "--billing-account", devseed.BillingAccountID,
		"--referent-email", "audit.ref@acme.example", "--referent-last-name", "Ref", "--referent-first-name", "Audrey")
	w.mustAdmin(t, "contracts", "update", id, "--support-level", "PRM", "--platform-id", "tenant-42")
	var user admin.User
	w.adminJSON(t, &user, "users", "add", id, "--email", "audit.user@acme.example", "--last-name", "User", "--first-name", "Aude",
		"--login", "audit.user.acme", "--roles", "contracts=visitor,documents=manager")
	w.mustAdmin(t, "users", "roles", id, user.ID, "--roles", "contracts=visitor,documents=visitor,users=manager")

	// A real invoice, uploaded, downloaded, replaced.
	p, _ := docformat.ParsePeriod("202403")
	st := docformat.Generate(docformat.Params{Seed: "audit", ContractID: id, CustomerName: "Acme Industries SA", Period: p})
	var pdf bytes.Buffer
	if err := docformat.InvoicePDF.Write(&pdf, st, docformat.DefaultInvoice(st)); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "invoice.pdf")
	if err := os.WriteFile(file, pdf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	var doc admin.Document
	w.adminJSON(t, &doc, "documents", "upload", id, file, "--type", "invoices", "--period", "202403", "--amount", "1234.56", "--currency", "EUR", "--filename", "invoice-202403.pdf")
	sum := sha256.Sum256(pdf.Bytes())
	if doc.SHA256 != hex.EncodeToString(sum[:]) || doc.Size != int64(pdf.Len()) || doc.Amount != 1234.56 {
		t.Errorf("documents upload: %+v", doc)
	}
	got := w.mustAdmin(t, "documents", "download", id, doc.ID, "--file", "-")
	if got != pdf.String() {
		t.Errorf("documents download --file - gave %d bytes, want the %d uploaded", len(got), pdf.Len())
	}
	dest := filepath.Join(t.TempDir(), "copy.pdf")
	w.mustAdmin(t, "documents", "download", id, doc.ID, "--file", dest)
	if b, err := os.ReadFile(dest); err != nil || !bytes.Equal(b, pdf.Bytes()) {
		t.Errorf("documents download --file %s: %v", dest, err)
	}
	if _, _, err := w.admin(t, "documents", "download", id, doc.ID, "--file", dest); exitCode(err) != exitLocal || !strings.Contains(err.Error(), "exists") {
		t.Errorf("a download over an existing file: %v, want a refusal", err)
	}
	w.mustAdmin(t, "documents", "replace", id, doc.ID, file, "--amount", "1250.00")
	if _, stderr, err := w.admin(t, "documents", "upload", id, filepath.Join(t.TempDir(), "nope.pdf"), "--type", "invoices", "--period", "202403", "--amount", "1", "--currency", "EUR"); exitCode(err) != exitLocal {
		t.Errorf("uploading a missing file: %v (%s), want exit 1", err, stderr)
	}
	broken := filepath.Join(t.TempDir(), "broken.pdf")
	os.WriteFile(broken, []byte("%PDF-1.4 not really"), 0o644)
	if _, stderr, err := w.admin(t, "documents", "upload", id, broken, "--type", "invoices", "--period", "202404", "--amount", "1", "--currency", "EUR"); exitCode(err) != exitRefused || !strings.Contains(stderr, "400/24") {
		t.Errorf("uploading a broken PDF: %v (%s), want the server's 400/24", err, stderr)
	}
	w.mustAdmin(t, "documents", "delete", id, doc.ID)
	w.mustAdmin(t, "contracts", "close", id)

	// Secrets made in the same time span: none may reach the audit trail.
	var acct admin.Account
	w.adminJSON(t, &acct, "accounts", "create", "--type", "client", "--email", "audit.user@acme.example", "--last-name", "User", "--first-name", "Aude")
	var key admin.IssuedKey
	w.adminJSON(t, &key, "keys", "issue", acct.ID)
	var app admin.IssuedApplication
	w.adminJSON(t, &app, "apps", "create", "--name", "Audit app")
	var op admin.IssuedOperatorToken
	w.adminJSON(t, &op, "operator-tokens", "create", "--name", "audit test")
	w.remember(key.Key, app.ClientSecret, op.Token)

	table := w.mustAdmin(t, "audit", "--object", "contract:"+id)
	for _, action := range []string{"contract.create", "contract.update", "user.declare", "user.roles", "document.add", "document.replace", "document.delete", "contract.close"} {
		if !strings.Contains(table, action) {
			t.Errorf("audit --object contract:%s does not show %s:\n%s", id, action, table)
		}
	}
	var events admin.List[admin.AuditEvent]
	w.adminJSON(t, &events, "audit", "--object", "contract:"+id)
	if events.Total < 8 || len(events.Items) != events.Total {
		t.Errorf("audit --output json: %d of %d events", len(events.Items), events.Total)
	}
	for _, e := range events.Items {
		if e.ObjectType != "contract" || e.ObjectID != id || e.ActorType != "operator" || e.RequestID == "" {
			t.Errorf("event %+v, want an operator's change of contract %s with its request id", e, id)
		}
	}
	var none admin.List[admin.AuditEvent]
	w.adminJSON(t, &none, "audit", "--object", "contract:"+id, "--until", "2000-01-01T00:00:00Z")
	if none.Total != 0 {
		t.Errorf("audit --until 2000: %d events", none.Total)
	}
	var recent admin.List[admin.AuditEvent]
	w.adminJSON(t, &recent, "audit", "--actor", "operator", "--since", "1h", "--limit", "1000")
	all := w.mustAdmin(t, "audit", "--since", "1h", "--limit", "1000")
	raw, _ := json.Marshal(recent)
	for _, secret := range w.secrets() {
		if strings.Contains(all, secret) || strings.Contains(string(raw), secret) {
			t.Errorf("the audit trail shows a secret (%.12s…)", secret)
		}
	}
	if recent.Total < 12 {
		t.Errorf("audit --actor operator --since 1h: %d events", recent.Total)
	}
}
