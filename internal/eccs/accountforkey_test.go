package eccs_test

// Tests of AccountForKey, which authenticates a call by its API key, and of the lifetime,
// storage and validation of the keys IssueAPIKey gives.

import (
	"encoding/base64"
	"encoding/hex"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/eccs/eccs/internal/eccs"
)

// TestAccountForKey checks that a key gives the account it was issued to, with its perimeter.
func TestAccountForKey(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	for _, tc := range []struct {
		key  string
		want eccs.Account
	}{{w.adminKey, w.admin}, {w.carolKey, w.carol}, {w.daveKey, w.dave}} {
		acct, k, err := w.svc.AccountForKey(w.ctx, tc.key)
		if err != nil {
			t.Fatal(err)
		}
		if acct.ID != tc.want.ID || acct.Type != tc.want.Type || acct.IdentityID != tc.want.IdentityID || k.AccountID != tc.want.ID {
			t.Errorf("got account %+v (key of %s), want %+v", acct, k.AccountID, tc.want)
		}
	}
	acct, _, err := w.svc.AccountForKey(w.ctx, w.adminKey)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(acct.Perimeter.BillingAccountIDs, []string{"BA1", "BA2"}) || !slices.Equal(acct.Perimeter.OfferIDs, []string{"FE"}) {
		t.Errorf("administrator perimeter = %+v", acct.Perimeter)
	}
}

// Keys that match no key, however malformed, are unauthenticated without panicking.
func TestAccountForKeyUnknownKeys(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	for _, tc := range []struct{ name, key string }{
		{"unknown", "eccs_" + strings.Repeat("x", 43)},
		{"empty", ""},
		{"10 KB", strings.Repeat("k", 10<<10)},
		{"valid key with a trailing space", w.carolKey + " "},
		{"valid key in upper case", strings.ToUpper(w.carolKey)},
		{"binary", "\x00\xff\xfe"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := w.svc.AccountForKey(w.ctx, tc.key)
			wantErr(t, err, eccs.Unauthenticated, eccs.ReasonNone, "")
		})
	}
}

// A key lives DefaultAPIKeyTTL by default; past its expiry it is unauthenticated, with the date.
func TestAPIKeyDefaultLifetime(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	acct := must(w.svc.CreateAccount(w.ctx, eccs.NewAccount{Type: eccs.AccountClient,
		Person: eccs.Person{LastName: "Expiring", FirstName: "Eve", Email: "eve.expiring@acme.example"}}))(t)
	k, key, err := w.svc.IssueAPIKey(w.ctx, acct.ID, eccs.KeyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !k.CreatedAt.Equal(t0) || !k.ExpiresAt.Equal(t0.Add(eccs.DefaultAPIKeyTTL)) {
		t.Fatalf("key created %v expires %v, want %v and two years later", k.CreatedAt, k.ExpiresAt, t0)
	}
	w.clock.Advance(eccs.DefaultAPIKeyTTL - time.Microsecond)
	if _, _, err := w.svc.AccountForKey(w.ctx, key); err != nil {
		t.Fatalf("just before expiry: %v", err)
	}
	w.clock.Advance(time.Microsecond)
	defer w.clock.Advance(-eccs.DefaultAPIKeyTTL)
	_, _, err = w.svc.AccountForKey(w.ctx, key)
	// doc/wire.md §3 step 4: past its expiry, 401/41 (not 42, which means "fetch a new token").
	e := wantErr(t, err, eccs.Unauthenticated, eccs.ReasonNone, "")
	expiry := t0.Add(eccs.DefaultAPIKeyTTL)
	if !strings.Contains(e.Message, expiry.Format(time.RFC3339)) || !strings.Contains(e.Message, expiry.Format(time.DateOnly)) {
		t.Errorf("message %q does not give the expiry %s", e.Message, expiry.Format(time.RFC3339))
	}
	if _, _, err := w.svc.AccountForKey(w.ctx, w.carolKey); eccs.ErrorCode(err) != eccs.Unauthenticated {
		t.Errorf("the world's keys expire too: %v", err)
	}
}

// A key issued with a lifetime expires after it, and alone.
func TestAPIKeyCustomLifetime(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	k, key, err := w.svc.IssueAPIKey(w.ctx, w.dave.ID, eccs.KeyOptions{TTL: 48 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if !k.ExpiresAt.Equal(w.clock.Now().Add(48 * time.Hour)) {
		t.Fatalf("ExpiresAt = %v", k.ExpiresAt)
	}
	w.clock.Advance(47 * time.Hour)
	if _, _, err := w.svc.AccountForKey(w.ctx, key); err != nil {
		t.Fatalf("after 47 hours: %v", err)
	}
	w.clock.Advance(time.Hour)
	defer w.clock.Advance(-48 * time.Hour)
	_, _, err = w.svc.AccountForKey(w.ctx, key)
	e := wantErr(t, err, eccs.Unauthenticated, eccs.ReasonNone, "")
	if !strings.Contains(e.Message, t0.Add(48*time.Hour).Format(time.RFC3339)) {
		t.Errorf("message %q lacks the expiry", e.Message)
	}
	if _, _, err := w.svc.AccountForKey(w.ctx, w.daveKey); err != nil {
		t.Errorf("the two-year key expired with the two-day one: %v", err)
	}
}

// Config.APIKeyTTL sets the default lifetime of keys.
func TestAPIKeyConfiguredLifetime(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	svc := w.service(func(c *eccs.Config) { c.APIKeyTTL = 24 * time.Hour })
	k, _, err := svc.IssueAPIKey(w.ctx, w.dave.ID, eccs.KeyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := k.ExpiresAt.Sub(k.CreatedAt); got != 24*time.Hour {
		t.Errorf("lifetime %v, want Config.APIKeyTTL", got)
	}
}

// A preset key works as issued, and cannot be issued twice.
func TestPresetAPIKey(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	preset := "eccs_preset_key_0123456789abcdefghijkl"
	if _, _, err := w.svc.IssueAPIKey(w.ctx, w.dave.ID, eccs.KeyOptions{Secret: preset}); err != nil {
		t.Fatal(err)
	}
	acct, _, err := w.svc.AccountForKey(w.ctx, preset)
	if err != nil || acct.ID != w.dave.ID {
		t.Fatalf("preset key: %+v, %v", acct, err)
	}
	_, _, err = w.svc.IssueAPIKey(w.ctx, w.dave.ID, eccs.KeyOptions{Secret: preset})
	wantErr(t, err, eccs.Conflict, eccs.ReasonNone, "")
}

// Only a key's hash and prefix are stored: no file of the database holds a key, or the
// application's secret, in any common encoding.
func TestAPIKeyIsNeverStored(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	k, key, err := w.svc.IssueAPIKey(w.ctx, w.carol.ID, eccs.KeyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if k.Hash == key || strings.Contains(k.Hash, key) || len(key) < 32 {
		t.Fatalf("key %q, hash %q", key, k.Hash)
	}
	if !strings.HasPrefix(key, k.Prefix) || len(k.Prefix) >= len(key) {
		t.Errorf("prefix %q of key %q", k.Prefix, key)
	}
	stored := must(w.store.APIKeyByHash(w.ctx, k.Hash))(t)
	if stored.Hash != k.Hash || stored.ID != k.ID {
		t.Errorf("stored %+v", stored)
	}
	// Every file of the database (main file, WAL, shared memory), searched for the key in
	// clear, base64 and hex, and for the application's secret the same way.
	forms := func(s string) []string {
		return []string{s, base64.StdEncoding.EncodeToString([]byte(s)), base64.RawURLEncoding.EncodeToString([]byte(s)),
			hex.EncodeToString([]byte(s)), strings.ToUpper(hex.EncodeToString([]byte(s)))}
	}
	needles := append(forms(key), forms(w.carolKey)...)
	needles = append(needles, forms(w.adminKey)...)
	needles = append(needles, forms(appSecret)...)
	files, _ := filepath.Glob(w.dbPath + "*")
	if len(files) == 0 {
		t.Fatal("no database file")
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range needles {
			if strings.Contains(string(data), n) {
				t.Errorf("%s holds a secret (%q)", filepath.Base(f), n)
			}
		}
	}
}

// A key revoked before now answers like an unknown key; one revoked from a later date works
// until then.
func TestAccountForKeyRevokedKey(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	// RevokeAPIKey revokes at the current instant (TestRevokeAPIKey); to check AccountForKey's
	// rule for revocations dated before and after now, store revoked copies of real keys'
	// hashes, taken from another database with the same hash key.
	other := newEnv(t)
	acct := must(other.svc.CreateAccount(other.ctx, eccs.NewAccount{Type: eccs.AccountClient,
		Person: eccs.Person{LastName: "Other", FirstName: "Otto", Email: "otto@acme.example"}}))(t)
	revokedKey := "eccs_revoked_key_0123456789abcdefghijklmn"
	futureKey := "eccs_revoked_later_0123456789abcdefghijkl"
	hashOf := func(key string) string {
		k, _, err := other.svc.IssueAPIKey(other.ctx, acct.ID, eccs.KeyOptions{Secret: key})
		if err != nil {
			t.Fatal(err)
		}
		return k.Hash
	}
	for _, k := range []eccs.APIKey{
		{ID: "revokedkeyaaaaaa", Hash: hashOf(revokedKey), RevokedAt: t0.Add(-time.Hour)},
		{ID: "revokedkeybbbbbb", Hash: hashOf(futureKey), RevokedAt: t0.Add(time.Hour)},
	} {
		k.AccountID, k.Prefix, k.CreatedAt, k.ExpiresAt = w.dave.ID, "eccs_revoked", t0.Add(-2*time.Hour), t0.Add(24*time.Hour)
		if err := w.store.CreateAPIKey(w.ctx, k); err != nil {
			t.Fatal(err)
		}
	}
	_, _, err := w.svc.AccountForKey(w.ctx, revokedKey)
	revoked := wantErr(t, err, eccs.Unauthenticated, eccs.ReasonNone, "")
	_, _, err = w.svc.AccountForKey(w.ctx, "eccs_never_issued_0123456789abcdefghijklm")
	unknown := wantErr(t, err, eccs.Unauthenticated, eccs.ReasonNone, "")
	if revoked.Message != unknown.Message {
		t.Errorf("revoked %q and unknown %q keys answer differently", revoked.Message, unknown.Message)
	}
	if a, _, err := w.svc.AccountForKey(w.ctx, futureKey); err != nil || a.ID != w.dave.ID {
		t.Fatalf("a key revoked from a later date works until then: %+v, %v", a, err)
	}
	w.clock.Advance(time.Hour)
	defer w.clock.Advance(-time.Hour)
	_, _, err = w.svc.AccountForKey(w.ctx, futureKey)
	wantErr(t, err, eccs.Unauthenticated, eccs.ReasonNone, "")
}

// IssueAPIKey refuses an unknown account and malformed preset keys, and returns no key.
func TestIssueAPIKeyValidation(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	for _, tc := range []struct {
		name   string
		acct   string
		secret string
		code   eccs.Code
		field  string
	}{
		{"unknown account", "nosuchaccount", "", eccs.NotFound, ""},
		{"preset secret of 31", w.dave.ID, strings.Repeat("k", 31), eccs.Invalid, "secret"},
		{"preset secret with a space", w.dave.ID, strings.Repeat("k", 31) + " x", eccs.Invalid, "secret"},
		{"preset secret too long", w.dave.ID, strings.Repeat("k", 513), eccs.Invalid, "secret"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, key, err := w.svc.IssueAPIKey(w.ctx, tc.acct, eccs.KeyOptions{Secret: tc.secret})
			wantErr(t, err, tc.code, eccs.ReasonNone, tc.field)
			if key != "" {
				t.Errorf("a refused key was returned")
			}
		})
	}
}
