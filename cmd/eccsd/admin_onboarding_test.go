package main

// The whole onboarding of a customer, scripted end to end through `eccsd admin` against a
// running server, and the bootstrap of an operator token on the database of a stopped one.

import (
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/eccs/eccs/api/admin"
)

func TestAdminOnboardingThroughTheCLIGivesTheCustomerAWorkingFirstCall(t *testing.T) {
	t.Parallel()
	w := startAdminWorld(t)
	start := time.Now()

	var customer admin.Customer
	w.adminJSON(t, &customer, "customers", "create", "--id", "C-ONB-1", "--name", "Onboarded Logistics SA", "--segment", "sme")
	var ba admin.BillingAccount
	w.adminJSON(t, &ba, "billing-accounts", "create", "--id", "ONB-BA-1", "--customer", customer.ID, "--name", "Onboarded - IT")
	var offer admin.Offer
	w.adminJSON(t, &offer, "offers", "create", "--id", "ONB", "--name", "Onboarding Cloud", "--contract-type", "Public Cloud", "--support-levels", "BSC,STD")
	var contract admin.Contract
	w.adminJSON(t, &contract, "contracts", "create", "--name", "ONB-PROD", "--offer", offer.ID, "--billing-account", ba.ID,
		"--referent-email", "lea.garnier@onboarded.example", "--referent-last-name", "Garnier", "--referent-first-name", "Léa",
		"--reference-ext", "PO-2026-001")
	if contract.ID == "" || contract.CustomerID != customer.ID || contract.SupportLevel != "BSC" || contract.Referent.Email != "lea.garnier@onboarded.example" {
		t.Fatalf("contracts create: %+v", contract)
	}
	var account admin.Account
	w.adminJSON(t, &account, "accounts", "create", "--type", "administrator", "--email", "it.admin@onboarded.example",
		"--last-name", "Admin", "--first-name", "Ivan", "--billing-accounts", ba.ID, "--offers", offer.ID)
	if account.Perimeter == nil || !slices.Equal(account.Perimeter.BillingAccountIDs, []string{ba.ID}) || !slices.Equal(account.Perimeter.OfferIDs, []string{offer.ID}) {
		t.Fatalf("accounts create: perimeter %+v", account.Perimeter)
	}

	// The key in clear, in the table a person reads: on stdout, once, and nowhere else.
	out, errOut, err := w.admin(t, "keys", "issue", account.ID)
	if err != nil {
		t.Fatalf("keys issue: %v\n%s", err, errOut)
	}
	key := field(out, "API key")
	if !strings.HasPrefix(key, "eccs_") {
		t.Fatalf("keys issue printed no key:\n%s", out)
	}
	w.remember(key)
	if strings.Count(out, key) != 1 || strings.Contains(errOut, key) || !strings.Contains(errOut, "shown once") {
		t.Errorf("keys issue: the key must be on stdout once and not on stderr; stdout:\n%s\nstderr:\n%s", out, errOut)
	}

	// The same account's second key through a claim link, revealed once.
	var issued admin.IssuedKey
	w.adminJSON(t, &issued, "keys", "issue", account.ID, "--claim-link", "--claim-ttl", "1h")
	if issued.Key != "" || issued.Claim == nil || !strings.HasPrefix(issued.Claim.URL, w.url+admin.ClaimPath+"/") {
		t.Fatalf("keys issue --claim-link: %+v (want a claim link under %s)", issued, w.url)
	}
	w.remember(filepath.Base(issued.Claim.URL))
	status, claimed := claim(t, issued.Claim.URL)
	if status != http.StatusOK || claimed.Kind != "api_key" || claimed.ObjectID != issued.APIKey.ID || claimed.Secret == "" {
		t.Fatalf("claim: %d %+v", status, claimed)
	}
	w.remember(claimed.Secret)
	if again, _ := claim(t, issued.Claim.URL); again != http.StatusNotFound {
		t.Errorf("a second POST of the claim link answered %d, want 404", again)
	}

	// The application, approved with its terms accepted.
	var app admin.IssuedApplication
	w.adminJSON(t, &app, "apps", "create", "--name", "Onboarded billing dashboard")
	w.remember(app.ClientSecret)
	if app.ClientSecret == "" || app.Application.Subscription != admin.SubscriptionPending {
		t.Fatalf("apps create: %+v", app.Application)
	}
	w.mustAdmin(t, "apps", "approve", app.Application.ID)
	out = w.mustAdmin(t, "apps", "terms", app.Application.ID, "--accepted-by", "Léa Garnier")
	if !strings.Contains(field(out, "Terms accepted"), "Léa Garnier") || field(out, "Subscription") != admin.SubscriptionApproved {
		t.Fatalf("apps terms:\n%s", out)
	}

	// The customer's first call, with each key.
	for name, k := range map[string]string{"printed": key, "claimed": claimed.Secret} {
		status, ids := w.firstCall(t, app.Application.ClientID, app.ClientSecret, k)
		if status != http.StatusOK || !slices.Equal(ids, []string{contract.ID}) {
			t.Errorf("first call with the %s key: %d %v, want 200 [%s]", name, status, ids, contract.ID)
		}
	}
	t.Logf("onboarding took %s", time.Since(start))

	// Bootstrap: an operator token made on the database of the stopped server works on the
	// restarted one, and its creation is in the audit trail under the system.
	w.stop(t)
	dir := w.dataDir
	out, errOut, err = runCmd(t, noEnv, "admin", "operator-token", "create", "--data-dir", dir, "--name", "Bootstrap test", "--ttl", "1h")
	if err != nil {
		t.Fatalf("operator-token create: %v\n%s", err, errOut)
	}
	token, ok := strings.CutPrefix(strings.TrimSuffix(out, "\n"), "export ECCS_ADMIN_TOKEN=")
	if !ok || !strings.HasPrefix(token, "eccsop_") || strings.Contains(token, "\n") || strings.Contains(errOut, token) || !strings.Contains(errOut, "shown once") {
		t.Fatalf("operator-token create: want the export line alone on stdout, and no token on stderr; stdout:\n%s\nstderr:\n%s", out, errOut)
	}
	w2 := withAdmin(t, startDevOn(t, dir))
	w2.opToken = token
	w2.remember(token, key, app.ClientSecret)
	var shown admin.Customer
	w2.adminJSON(t, &shown, "customers", "show", customer.ID)
	if shown.Name != customer.Name {
		t.Errorf("customers show with the new token: %+v", shown)
	}
	var events admin.List[admin.AuditEvent]
	w2.adminJSON(t, &events, "audit", "--object", "operator_token", "--actor", "system", "--since", "10m")
	found := false
	for _, e := range events.Items {
		found = found || (e.Action == "operator_token.create" && e.Details["name"] == "Bootstrap test")
	}
	if !found {
		t.Errorf("audit: no operator_token.create by the system for the bootstrap token in %+v", events.Items)
	}
	if status, _ := w2.firstCall(t, app.Application.ClientID, app.ClientSecret, key); status != http.StatusOK {
		t.Errorf("first call after the restart: %d", status)
	}
	if _, err := os.Stat(filepath.Join(dir, "eccs.db")); err != nil {
		t.Error(err)
	}
}
