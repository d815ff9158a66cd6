package main

// API keys and applications: what `eccsd admin keys …` and `eccsd admin apps …` do is visible
// on the customer API at once.

import (
	"encoding/json"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/eccs/eccs/api"
	"github.com/eccs/eccs/api/admin"
	"github.com/eccs/eccs/internal/adminclient"
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

// TestAdminKeysListExpireRevokeAndRotateWithEffectOnTheCustomerAPI issues an administrator's
// keys, lists those about to expire, revokes and rotates them (with and without an overlap):
// each change holds on the customer API at once, and no listing shows a key in clear.
func TestAdminKeysListExpireRevokeAndRotateWithEffectOnTheCustomerAPI(t *testing.T) {
	t.Parallel()
	w := startAdminWorld(t)
	var account admin.Account
	w.adminJSON(t, &account, "accounts", "create", "--type", "administrator", "--email", "keys.admin@acme.example",
		"--last-name", "Keys", "--first-name", "Kim", "--billing-accounts", devseed.BillingAccountID, "--offers", devseed.OfferCode)
	var k keyHistory
	k.short = issueKey(t, w, account.ID, "--ttl", "719h") // 30 days minus an hour
	k.long = issueKey(t, w, account.ID)                   // the default: two years
	tok := w.demoToken(t)
	checkKeysExpiring(t, w, k)

	w.mustAdmin(t, "keys", "revoke", k.short.APIKey.ID)
	w.adminJSON(t, &k.rotated, "keys", "rotate", k.long.APIKey.ID, "--overlap", "1h")
	w.remember(k.rotated.Key)
	w.adminJSON(t, &k.rotatedNow, "keys", "rotate", k.rotated.APIKey.ID)
	w.remember(k.rotatedNow.Key)

	for _, tc := range []struct {
		name       string
		key        string
		wantStatus int
		wantCode   int
	}{
		{"a revoked key is refused at once", k.short.Key, http.StatusUnauthorized, api.CodeInvalidCredentials},
		{"a key rotated with an overlap keeps working", k.long.Key, http.StatusOK, 0},
		{"a key rotated without overlap is refused at once", k.rotated.Key, http.StatusUnauthorized, api.CodeInvalidCredentials},
		{"the newest key works", k.rotatedNow.Key, http.StatusOK, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if status, code := keyCall(t, w, tok, tc.key); status != tc.wantStatus || code != tc.wantCode {
				t.Errorf("GET /contracts: %d/%d, want %d/%d", status, code, tc.wantStatus, tc.wantCode)
			}
		})
	}
	checkKeyListings(t, w, account.ID, k)
}

// keyHistory is the keys of TestAdminKeysListExpireRevokeAndRotateWithEffectOnTheCustomerAPI:
// one that expires within 30 days (then revoked), one of two years, its rotation with an
// overlap, and that one's rotation without.
type keyHistory struct{ short, long, rotated, rotatedNow admin.IssuedKey }

// issueKey issues a key of the account with `eccsd admin keys issue` and remembers it.
func issueKey(t *testing.T, w *adminWorld, accountID string, args ...string) admin.IssuedKey {
	t.Helper()
	var k admin.IssuedKey
	w.adminJSON(t, &k, append([]string{"keys", "issue", accountID}, args...)...)
	w.remember(k.Key)
	return k
}

// checkKeysExpiring checks that keys expiring (JSON, --within 30d; table, 30 days by default)
// lists the short key and not the long one.
func checkKeysExpiring(t *testing.T, w *adminWorld, k keyHistory) {
	t.Helper()
	var expiring admin.List[admin.APIKey]
	w.adminJSON(t, &expiring, "keys", "expiring", "--within", "30d")
	ids := keyIDs(expiring.Items)
	if !slices.Contains(ids, k.short.APIKey.ID) || slices.Contains(ids, k.long.APIKey.ID) {
		t.Errorf("keys expiring --within 30d lists %v; want %s (719h) and not %s (two years)", ids, k.short.APIKey.ID, k.long.APIKey.ID)
	}
	if out := w.mustAdmin(t, "keys", "expiring"); !strings.Contains(out, k.short.APIKey.ID) || strings.Contains(out, k.long.APIKey.ID) {
		t.Errorf("keys expiring (table, default 30d):\n%s", out)
	}
}

// checkKeyListings checks keys list (active keys only, or all four with --include-inactive),
// that a revoked key cannot be revoked again, and that no listing shows a key in clear.
func checkKeyListings(t *testing.T, w *adminWorld, accountID string, k keyHistory) {
	t.Helper()
	var active, all admin.List[admin.APIKey]
	w.adminJSON(t, &active, "keys", "list", "--account", accountID)
	w.adminJSON(t, &all, "keys", "list", "--account", accountID, "--include-inactive")
	if got := keyIDs(active.Items); slices.Contains(got, k.short.APIKey.ID) || !slices.Contains(got, k.rotatedNow.APIKey.ID) {
		t.Errorf("keys list: %v, want the active keys only", got)
	}
	if got := keyIDs(all.Items); len(got) != 4 || !slices.Contains(got, k.short.APIKey.ID) {
		t.Errorf("keys list --include-inactive: %v, want all 4 keys", got)
	}
	if _, _, err := w.admin(t, "keys", "revoke", k.short.APIKey.ID); exitCode(err) != exitRefused {
		t.Errorf("revoking a revoked key: %v (exit %d), want exit %d", err, exitCode(err), exitRefused)
	}
	for _, out := range []string{w.mustAdmin(t, "keys", "list", "--account", accountID, "--include-inactive"), w.mustAdmin(t, "keys", "show", k.long.APIKey.ID)} {
		for _, s := range []string{k.short.Key, k.long.Key, k.rotated.Key, k.rotatedNow.Key} {
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

// TestAdminApplicationMovesAreVisibleToTheCustomerAtOnce moves an application through every
// state: the token endpoint and a token issued before the moves follow each at once. A
// secret rotated with an overlap leaves both secrets working, and no secret is shown again.
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

	for _, tc := range []appMove{
		{"suspend", false, http.StatusUnauthorized, api.CodeInvalidCredentials},
		{"activate", true, http.StatusOK, 0},
		{"block", true, http.StatusForbidden, api.CodeForbiddenRequester},
		{"activate", true, http.StatusOK, 0},
		{"reject", true, http.StatusForbidden, api.CodeAccessDenied},
		{"approve", true, http.StatusOK, 0},
		{"delete", false, http.StatusUnauthorized, api.CodeInvalidCredentials},
	} {
		t.Run(tc.move, func(t *testing.T) { checkAppMove(t, w, app, tok, tc) })
	}
	if _, _, err := w.admin(t, "apps", "activate", id); exitCode(err) != exitRefused {
		t.Errorf("activating a deleted application: %v (exit %d), want exit %d", err, exitCode(err), exitRefused)
	}
	checkAppSecretRotationWithOverlap(t, w, secret)
}

// appMove is a move of an application and what the customer sees after it.
type appMove struct {
	move      string
	wantToken bool // the token endpoint issues a token
	status    int  // of a resource call with the earlier token
	code      int
}

// checkAppMove moves app and checks the token endpoint (invalid_client when it issues no
// token) and a resource call with tok, the token issued before the moves.
func checkAppMove(t *testing.T, w *adminWorld, app admin.IssuedApplication, tok string, tc appMove) {
	w.mustAdmin(t, "apps", tc.move, app.Application.ID)
	resp, body := w.tokenRequest(t, app.Application.ClientID, app.ClientSecret)
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
}

// checkAppSecretRotationWithOverlap rotates another application's secret with an overlap:
// both work until it ends; apps show and list show no client secret (nor firstSecret, the
// moved application's).
func checkAppSecretRotationWithOverlap(t *testing.T, w *adminWorld, firstSecret string) {
	t.Helper()
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
	for _, s := range []string{other.ClientSecret, rotated.ClientSecret, firstSecret} {
		if strings.Contains(out, s) || strings.Contains(w.mustAdmin(t, "apps", "list"), s) {
			t.Errorf("apps show or list shows a client secret")
		}
	}
}

func TestAdminPeopleShowAndUpdateAPersonByIDOrEmail(t *testing.T) {
	t.Parallel()
	w := startAdminWorld(t)
	const email = "paul.durand@acme.example" // seeded, with a landline
	var paul admin.Identity
	w.adminJSON(t, &paul, "people", "show", email)
	if paul.ID == "" || paul.Email != email || paul.LastName != "Durand" || paul.FixPhone == "" {
		t.Fatalf("people show %s: %+v", email, paul)
	}
	if out := w.mustAdmin(t, "people", "show", paul.ID); field(out, "E-mail") != email || field(out, "Identity") != paul.ID {
		t.Errorf("people show %s (table):\n%s", paul.ID, out)
	}
	if out := w.mustAdmin(t, "people", "show", email, "--output", "id"); out != paul.ID+"\n" {
		t.Errorf("people show --output id: %q, want %q", out, paul.ID+"\n")
	}

	// Only the flags given change; "" clears an optional value.
	var got admin.Identity
	w.adminJSON(t, &got, "people", "update", email, "--first-name", "Paulo", "--fix-phone", "", "--mobile-phone", "06 00 00 00 01")
	if got.FirstName != "Paulo" || got.FixPhone != "" || got.MobilePhone != "06 00 00 00 01" || got.LastName != "Durand" || got.Civility != paul.Civility || got.Login != paul.Login {
		t.Errorf("people update: %+v, want first name, landline and mobile changed, the rest as %+v", got, paul)
	}
	const newEmail = "paul.durand@acme-group.example"
	w.adminJSON(t, &got, "people", "update", paul.ID, "--email", newEmail, "--login", "paul.durand.acme")
	if got.Email != newEmail || got.Login != "paul.durand.acme" || got.ID != paul.ID {
		t.Errorf("people update by id: %+v", got)
	}
	if _, stderr, err := w.admin(t, "people", "show", email); exitCode(err) != exitRefused || !strings.Contains(stderr, "404") {
		t.Errorf("people show of the old e-mail: %v (%s), want 404", err, stderr)
	}

	for _, tc := range []struct {
		args []string
		code int
		says string
	}{
		{[]string{"people", "update", newEmail}, exitLocal, "nothing to change"},
		{[]string{"people", "update", newEmail, "--email", "claire.martin@acme.example"}, exitRefused, "409"},
		{[]string{"people", "show"}, exitLocal, "PERSON"},
		{[]string{"people", "show", "nobody@acme.example"}, exitRefused, "404"},
	} {
		if _, stderr, err := w.admin(t, tc.args...); exitCode(err) != tc.code || !strings.Contains(stderr, tc.says) {
			t.Errorf("eccsd admin %s: exit %d (%s), want %d saying %q", strings.Join(tc.args, " "), exitCode(err), stderr, tc.code, tc.says)
		}
	}
}

func TestAdminAccountCommandsTakeTheAccountIDOrItsHoldersEmailOrLogin(t *testing.T) {
	t.Parallel()
	w := startAdminWorld(t)
	const email, login = "refs.admin@acme.example", "refs.admin.acme"
	var account admin.Account
	w.adminJSON(t, &account, "accounts", "create", "--type", "administrator", "--email", email, "--login", login,
		"--last-name", "Refs", "--first-name", "Rita", "--billing-accounts", devseed.BillingAccountID, "--offers", devseed.OfferCode)

	for _, ref := range []string{account.ID, email, login, strings.ToUpper(email)} {
		var shown admin.Account
		w.adminJSON(t, &shown, "accounts", "show", ref)
		if shown.ID != account.ID {
			t.Errorf("accounts show %s: %s, want %s", ref, shown.ID, account.ID)
		}
	}
	var changed admin.Account
	w.adminJSON(t, &changed, "accounts", "perimeter", email, "--billing-accounts", devseed.BillingAccountID, "--offers", devseed.OfferCode+",CAV")
	if changed.ID != account.ID || !slices.Contains(changed.Perimeter.OfferIDs, "CAV") {
		t.Errorf("accounts perimeter %s: %+v", email, changed)
	}
	// The key in clear, in the table a person reads: on stdout, once, and nowhere else.
	out, errOut, err := w.admin(t, "keys", "issue", email)
	key := field(out, "API key")
	w.remember(key)
	if err != nil || !strings.HasPrefix(key, "eccs_") || field(out, "Account") != account.ID || strings.Count(out, key) != 1 || strings.Contains(errOut, key) || !strings.Contains(errOut, "shown once") {
		t.Errorf("keys issue %s: %v; the key must be on stdout once and not on stderr; stdout:\n%s\nstderr:\n%s", email, err, out, errOut)
	}
	w.mustAdmin(t, "keys", "revoke", field(out, "Key id"))
	var issued admin.IssuedKey
	w.adminJSON(t, &issued, "keys", "issue", login, "--claim-link")
	if issued.APIKey.AccountID != account.ID {
		t.Errorf("keys issue %s: %+v, want a key of %s", login, issued.APIKey, account.ID)
	}
	if out := w.mustAdmin(t, "keys", "list", "--account", email, "--output", "id"); out != issued.APIKey.ID+"\n" {
		t.Errorf("keys list --account %s --output id: %q, want %q", email, out, issued.APIKey.ID+"\n")
	}

	// A person who holds two accounts: the server names them, and the id is needed.
	w.mustAdmin(t, "accounts", "create", "--type", "client", "--email", email, "--last-name", "Refs", "--first-name", "Rita")
	if _, stderr, err := w.admin(t, "accounts", "show", email); exitCode(err) != exitRefused || !strings.Contains(stderr, "409/70") || !strings.Contains(stderr, account.ID) {
		t.Errorf("accounts show of a person with two accounts: %v (%s), want 409/70 naming %s", err, stderr, account.ID)
	}

	// The help says so.
	for _, path := range [][]string{{"accounts", "show"}, {"accounts", "perimeter"}, {"keys", "issue"}} {
		out := w.mustAdmin(t, append(path, "--help")...)
		if p := parseHelp(out); !strings.Contains(p.usage, "ACCOUNT") || !strings.Contains(out, "e-mail") || !strings.Contains(out, "login") {
			t.Errorf("eccsd admin %s --help does not say ACCOUNT is an id, e-mail or login:\n%s", strings.Join(path, " "), out)
		}
	}
	if out := w.mustAdmin(t, "keys", "list", "--help"); !strings.Contains(out, "ACCOUNT: its id, or its holder's e-mail or login") {
		t.Errorf("keys list --help does not say what --account takes:\n%s", out)
	}
}

// TestAdminAccountsCreateIssuesTheKeyInTheSameStep: accounts create --issue-key issues the
// account's first key with it: in the table (once, on stdout), in JSON with a claim link, or
// with --output id (the link on stderr); the flags that need --issue-key are refused without
// it, before anything is created.
func TestAdminAccountsCreateIssuesTheKeyInTheSameStep(t *testing.T) {
	t.Parallel()
	w := startAdminWorld(t)
	tok := w.demoToken(t)

	// The table: the account, then the key, once, on stdout.
	out, errOut, err := w.admin(t, keyedAccountArgs("keyed.table@acme.example", "--issue-key", "--key-ttl", "720h")...)
	if err != nil {
		t.Fatalf("accounts create --issue-key: %v\n%s", err, errOut)
	}
	key := field(out, "API key")
	w.remember(key)
	if field(out, "ID") == "" || !strings.HasPrefix(key, "eccs_") || field(out, "Account") != field(out, "ID") || strings.Count(out, key) != 1 ||
		strings.Contains(errOut, key) || !strings.Contains(errOut, "shown once") {
		t.Fatalf("accounts create --issue-key; stdout:\n%s\nstderr:\n%s", out, errOut)
	}
	if status, code := keyCall(t, w, tok, key); status != http.StatusOK {
		t.Errorf("the key issued with the account: %d/%d", status, code)
	}
	checkAccountKeyClaimedFromJSON(t, w, tok)

	// --output id: the account's id alone on stdout; the claim link on stderr.
	out, errOut, err = w.admin(t, keyedAccountArgs("keyed.id@acme.example", "--issue-key", "--claim-link", "--output", "id")...)
	if err != nil {
		t.Fatalf("accounts create --issue-key --claim-link --output id: %v\n%s", err, errOut)
	}
	var byEmail admin.Account
	w.adminJSON(t, &byEmail, "accounts", "show", "keyed.id@acme.example")
	if out != byEmail.ID+"\n" || !strings.Contains(errOut, w.url+admin.ClaimPath+"/") {
		t.Errorf("accounts create --output id: stdout %q (want %q), stderr %q (want the claim link)", out, byEmail.ID+"\n", errOut)
	}
	w.remember(strings.TrimSpace(errOut[strings.LastIndex(errOut, "/")+1:]))
	checkAccountKeyFlagsNeedIssueKey(t, w)
}

// keyedAccountArgs are the arguments of `accounts create` for an administrator with email,
// and extra.
func keyedAccountArgs(email string, extra ...string) []string {
	return append([]string{"accounts", "create", "--type", "administrator", "--email", email, "--last-name", "Keyed", "--first-name", "Kai",
		"--billing-accounts", devseed.BillingAccountID, "--offers", devseed.OfferCode}, extra...)
}

// checkAccountKeyClaimedFromJSON creates an account with --issue-key --claim-link in JSON: the
// key is not in the answer but behind the claim link, which reveals a key that works.
func checkAccountKeyClaimedFromJSON(t *testing.T, w *adminWorld, tok string) {
	t.Helper()
	var acct admin.Account
	w.adminJSON(t, &acct, keyedAccountArgs("keyed.json@acme.example", "--issue-key", "--claim-link", "--claim-ttl", "1h")...)
	if acct.IssuedKey == nil || acct.IssuedKey.Key != "" || acct.IssuedKey.Claim == nil || acct.IssuedKey.APIKey.AccountID != acct.ID {
		t.Fatalf("accounts create --issue-key --claim-link: %+v", acct)
	}
	w.remember(filepath.Base(acct.IssuedKey.Claim.URL))
	status, claimed := claim(t, acct.IssuedKey.Claim.URL)
	w.remember(claimed.Secret)
	if status != http.StatusOK || claimed.ObjectID != acct.IssuedKey.APIKey.ID {
		t.Fatalf("claim: %d %+v", status, claimed)
	}
	if status, code := keyCall(t, w, tok, claimed.Secret); status != http.StatusOK {
		t.Errorf("the claimed key: %d/%d", status, code)
	}
}

// checkAccountKeyFlagsNeedIssueKey checks the usage errors, told before anything is created:
// the key's flags without --issue-key, and --output id, which would hide the key.
func checkAccountKeyFlagsNeedIssueKey(t *testing.T, w *adminWorld) {
	t.Helper()
	for _, tc := range []struct {
		extra []string
		says  string
	}{
		{[]string{"--claim-link"}, "--issue-key"},
		{[]string{"--key-ttl", "720h"}, "--issue-key"},
		{[]string{"--claim-ttl", "1h"}, "--issue-key"},
		{[]string{"--issue-key", "--output", "id"}, "would not show the key, which is shown once: add --claim-link, or use --output json"},
	} {
		const email = "keyed.refused@acme.example"
		out, errOut, err := w.admin(t, keyedAccountArgs(email, tc.extra...)...)
		if exitCode(err) != exitLocal || out != "" || !strings.Contains(errOut, tc.says) {
			t.Errorf("accounts create %s: exit %d, stdout %q, stderr %q; want 1 saying %q", strings.Join(tc.extra, " "), exitCode(err), out, errOut, tc.says)
		}
		if _, _, err := w.admin(t, "accounts", "show", email); !adminclient.IsNotFound(err) {
			t.Errorf("after accounts create %s: accounts show: %v, want 404 (nothing created)", strings.Join(tc.extra, " "), err)
		}
	}
}

// TestAdminOutputIDIsRefusedWhereItWouldHideASecretShownOnce: --output id on a command that
// shows a secret once is refused before any request, unless a claim link carries the secret;
// then the id of what was issued is on stdout and the link on stderr.
func TestAdminOutputIDIsRefusedWhereItWouldHideASecretShownOnce(t *testing.T) {
	t.Parallel()
	w := startAdminWorld(t)
	var account admin.Account
	w.adminJSON(t, &account, "accounts", "create", "--type", "client", "--email", "ids.client@acme.example", "--last-name", "Ids", "--first-name", "Ines")
	var key admin.IssuedKey
	w.adminJSON(t, &key, "keys", "issue", account.ID, "--claim-link")
	var app admin.IssuedApplication
	w.adminJSON(t, &app, "apps", "create", "--name", "Ids app", "--claim-link")
	checkOutputIDRefusedUpFront(t, account, key, app)

	// With a claim link, the id of what was issued, and the link on stderr.
	for _, tc := range []struct {
		args []string
		want string // the id, when known beforehand
	}{
		{[]string{"keys", "issue", account.ID, "--claim-link"}, ""},
		{[]string{"keys", "rotate", key.APIKey.ID, "--claim-link", "--overlap", "1h"}, ""},
		{[]string{"apps", "create", "--name", "Ids app 2", "--claim-link"}, ""},
		{[]string{"apps", "rotate-secret", app.Application.ID, "--claim-link"}, app.Application.ID},
	} {
		out, errOut, err := w.admin(t, append(tc.args, "--output", "id")...)
		id := strings.TrimSuffix(out, "\n")
		if err != nil || id == "" || strings.ContainsAny(id, "\n ") || !strings.Contains(errOut, "Claim link") || !strings.Contains(errOut, w.url+admin.ClaimPath+"/") {
			t.Errorf("eccsd admin %s --output id: %v, stdout %q, stderr %q; want one id, and the claim link on stderr", strings.Join(tc.args, " "), err, out, errOut)
			continue
		}
		w.remember(strings.TrimSpace(errOut[strings.LastIndex(errOut, "/")+1:]))
		if tc.want != "" && id != tc.want {
			t.Errorf("eccsd admin %s --output id: %q, want %q", strings.Join(tc.args, " "), id, tc.want)
		}
	}
	var keys admin.List[admin.APIKey]
	w.adminJSON(t, &keys, "keys", "list", "--account", account.ID, "--include-inactive")
	if want := w.mustAdmin(t, "keys", "list", "--account", account.ID, "--include-inactive", "--output", "id"); strings.Join(keyIDs(keys.Items), "\n")+"\n" != want || len(keys.Items) != 3 {
		t.Errorf("keys list --output id: %q, want the ids of %d keys (3)", want, len(keys.Items))
	}
}

// checkOutputIDRefusedUpFront checks that every command that shows a secret once refuses
// --output id up front: no request is made (the URL is unreachable), so nothing is lost.
func checkOutputIDRefusedUpFront(t *testing.T, account admin.Account, key admin.IssuedKey, app admin.IssuedApplication) {
	t.Helper()
	unreachable := envOf(map[string]string{"ECCS_ADMIN_URL": "http://127.0.0.1:1", "ECCS_ADMIN_TOKEN": "eccsop_x"})
	const keyFix = "would not show the key, which is shown once: add --claim-link, or use --output json"
	const secretFix = "would not show the client secret, which is shown once: add --claim-link, or use --output json"
	for _, tc := range []struct {
		args []string
		says string
	}{
		{[]string{"keys", "issue", account.ID}, keyFix},
		{[]string{"keys", "rotate", key.APIKey.ID}, keyFix},
		{[]string{"accounts", "create", "--email", "x@acme.example", "--last-name", "X", "--first-name", "Y", "--issue-key"}, keyFix},
		{[]string{"apps", "create", "--name", "x"}, secretFix},
		{[]string{"apps", "rotate-secret", app.Application.ID}, secretFix},
		{[]string{"operator-tokens", "create", "--name", "x"}, "would not show the operator token, which is shown once"},
		{[]string{"operator-token", "create", "--name", "x", "--data-dir", t.TempDir()}, "would not show the operator token, which is shown once"},
		{[]string{"import", t.TempDir()}, "use --output table or json"},
	} {
		args := append(append([]string{"admin"}, tc.args...), "--output", "id")
		out, errOut, err := runCmd(t, unreachable, args...)
		if exitCode(err) != exitLocal || out != "" || !strings.Contains(errOut, tc.says) || strings.Contains(errOut, "127.0.0.1:1") {
			t.Errorf("eccsd %s: exit %d, stdout %q, stderr %q; want 1 saying %q, before any request", strings.Join(args, " "), exitCode(err), out, errOut, tc.says)
		}
	}
}
