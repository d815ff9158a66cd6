package main

// API keys and applications: what `eccsd admin keys …` and `eccsd admin apps …` do is visible
// on the customer API at once.

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/eccs/eccs/api"
	"github.com/eccs/eccs/api/admin"
	"github.com/eccs/eccs/internal/devseed"
)

// keyCall lists the contracts with the demo application and an API key, and returns the
// status and gateway code of the answer (0 for a success).
func keyCall(t *testing.T, w *adminWorld, tok, key string) (int, int) {
	t.Helper()
	resp, body := w.do(t, call{path: "/cloud/b2b/v1/contracts", token: tok, key: key})
	if resp.StatusCode == http.StatusOK {
		return http.StatusOK, 0
	}
	return resp.StatusCode, envelope(t, body).Code
}

func TestAdminKeysListExpireRevokeAndRotateWithEffectOnTheCustomerAPI(t *testing.T) {
	t.Parallel()
	w := startAdminWorld(t)
	var account admin.Account
	w.adminJSON(t, &account, "accounts", "create", "--type", "administrator", "--email", "keys.admin@acme.example",
		"--last-name", "Keys", "--first-name", "Kim", "--billing-accounts", devseed.BillingAccountID, "--offers", devseed.OfferCode)

	issue := func(args ...string) admin.IssuedKey {
		t.Helper()
		var k admin.IssuedKey
		w.adminJSON(t, &k, append([]string{"keys", "issue", account.ID}, args...)...)
		w.remember(k.Key)
		return k
	}
	short := issue("--ttl", "719h") // 30 days minus an hour
	long := issue()                 // the default: two years
	tok := w.demoToken(t)

	var expiring admin.List[admin.APIKey]
	w.adminJSON(t, &expiring, "keys", "expiring", "--within", "30d")
	ids := keyIDs(expiring.Items)
	if !slices.Contains(ids, short.APIKey.ID) || slices.Contains(ids, long.APIKey.ID) {
		t.Errorf("keys expiring --within 30d lists %v; want %s (719h) and not %s (two years)", ids, short.APIKey.ID, long.APIKey.ID)
	}
	if out := w.mustAdmin(t, "keys", "expiring"); !strings.Contains(out, short.APIKey.ID) || strings.Contains(out, long.APIKey.ID) {
		t.Errorf("keys expiring (table, default 30d):\n%s", out)
	}

	w.mustAdmin(t, "keys", "revoke", short.APIKey.ID)
	var rotated admin.IssuedKey
	w.adminJSON(t, &rotated, "keys", "rotate", long.APIKey.ID, "--overlap", "1h")
	w.remember(rotated.Key)
	var rotatedNow admin.IssuedKey
	w.adminJSON(t, &rotatedNow, "keys", "rotate", rotated.APIKey.ID)
	w.remember(rotatedNow.Key)

	for _, tc := range []struct {
		name       string
		key        string
		wantStatus int
		wantCode   int
	}{
		{"a revoked key is refused at once", short.Key, http.StatusUnauthorized, api.CodeInvalidCredentials},
		{"a key rotated with an overlap keeps working", long.Key, http.StatusOK, 0},
		{"a key rotated without overlap is refused at once", rotated.Key, http.StatusUnauthorized, api.CodeInvalidCredentials},
		{"the newest key works", rotatedNow.Key, http.StatusOK, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if status, code := keyCall(t, w, tok, tc.key); status != tc.wantStatus || code != tc.wantCode {
				t.Errorf("GET /contracts: %d/%d, want %d/%d", status, code, tc.wantStatus, tc.wantCode)
			}
		})
	}

	var active, all admin.List[admin.APIKey]
	w.adminJSON(t, &active, "keys", "list", "--account", account.ID)
	w.adminJSON(t, &all, "keys", "list", "--account", account.ID, "--include-inactive")
	if got := keyIDs(active.Items); slices.Contains(got, short.APIKey.ID) || !slices.Contains(got, rotatedNow.APIKey.ID) {
		t.Errorf("keys list: %v, want the active keys only", got)
	}
	if got := keyIDs(all.Items); len(got) != 4 || !slices.Contains(got, short.APIKey.ID) {
		t.Errorf("keys list --include-inactive: %v, want all 4 keys", got)
	}
	if _, _, err := w.admin(t, "keys", "revoke", short.APIKey.ID); exitCode(err) != exitRefused {
		t.Errorf("revoking a revoked key: %v (exit %d), want exit %d", err, exitCode(err), exitRefused)
	}
	for _, out := range []string{w.mustAdmin(t, "keys", "list", "--account", account.ID, "--include-inactive"), w.mustAdmin(t, "keys", "show", long.APIKey.ID)} {
		for _, s := range []string{short.Key, long.Key, rotated.Key, rotatedNow.Key} {
			if strings.Contains(out, s) {
				t.Errorf("a key listing shows a key in clear:\n%s", out)
			}
		}
	}
}

func keyIDs(keys []admin.APIKey) []string {
	ids := make([]string, len(keys))
	for i, k := range keys {
		ids[i] = k.ID
	}
	return ids
}

func TestAdminApplicationMovesAreVisibleToTheCustomerAtOnce(t *testing.T) {
	t.Parallel()
	w := startAdminWorld(t)
	var app admin.IssuedApplication
	w.adminJSON(t, &app, "apps", "create", "--name", "Moves test app", "--approve", "--accept-terms-by", "Claire Martin")
	w.remember(app.ClientSecret)
	if app.Application.Subscription != admin.SubscriptionApproved || app.Application.TermsAcceptedBy != "Claire Martin" {
		t.Fatalf("apps create --approve --accept-terms-by: %+v", app.Application)
	}
	id, clientID, secret := app.Application.ID, app.Application.ClientID, app.ClientSecret
	tok := w.token(t, clientID, secret) // issued before the moves: it must follow them

	for _, tc := range []struct {
		move      string
		wantToken bool // the token endpoint issues a token
		status    int  // of a resource call with the earlier token
		code      int
	}{
		{"suspend", false, http.StatusUnauthorized, api.CodeInvalidCredentials},
		{"activate", true, http.StatusOK, 0},
		{"block", true, http.StatusForbidden, api.CodeForbiddenRequester},
		{"activate", true, http.StatusOK, 0},
		{"reject", true, http.StatusForbidden, api.CodeAccessDenied},
		{"approve", true, http.StatusOK, 0},
		{"delete", false, http.StatusUnauthorized, api.CodeInvalidCredentials},
	} {
		t.Run(tc.move, func(t *testing.T) {
			w.mustAdmin(t, "apps", tc.move, id)
			resp, body := w.tokenRequest(t, clientID, secret)
			if got := resp.StatusCode == http.StatusOK; got != tc.wantToken {
				t.Errorf("token endpoint after %s: %d %s", tc.move, resp.StatusCode, body)
			}
			if !tc.wantToken {
				var oe api.OAuthError
				if json.Unmarshal(body, &oe); oe.Error != api.OAuthInvalidClient {
					t.Errorf("token endpoint after %s: %s, want invalid_client", tc.move, body)
				}
			}
			if status, code := keyCall(t, w, tok, devseed.ClientAPIKey); status != tc.status || code != tc.code {
				t.Errorf("GET /contracts after %s: %d/%d, want %d/%d", tc.move, status, code, tc.status, tc.code)
			}
		})
	}
	if _, _, err := w.admin(t, "apps", "activate", id); exitCode(err) != exitRefused {
		t.Errorf("activating a deleted application: %v (exit %d), want exit %d", err, exitCode(err), exitRefused)
	}

	// A secret rotated with an overlap: both work until it ends.
	var other admin.IssuedApplication
	w.adminJSON(t, &other, "apps", "create", "--name", "Rotation test app", "--approve", "--accept-terms-by", "Claire Martin")
	w.remember(other.ClientSecret)
	var rotated admin.IssuedApplication
	w.adminJSON(t, &rotated, "apps", "rotate-secret", other.Application.ID, "--overlap", "1h")
	w.remember(rotated.ClientSecret)
	for name, s := range map[string]string{"previous": other.ClientSecret, "new": rotated.ClientSecret} {
		if resp, body := w.tokenRequest(t, other.Application.ClientID, s); resp.StatusCode != http.StatusOK {
			t.Errorf("token with the %s secret after a rotation with overlap: %d %s", name, resp.StatusCode, body)
		}
	}
	var list admin.List[admin.Application]
	w.adminJSON(t, &list, "apps", "list", "--limit", "1000")
	out := w.mustAdmin(t, "apps", "show", other.Application.ID)
	for _, s := range []string{other.ClientSecret, rotated.ClientSecret, secret} {
		if strings.Contains(out, s) || strings.Contains(w.mustAdmin(t, "apps", "list"), s) {
			t.Errorf("apps show or list shows a client secret")
		}
	}
}
