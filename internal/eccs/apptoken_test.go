package eccs_test

// Tests of the token checks: IssueToken gives an application an access token for its client id
// and secret, ApplicationForToken gives the application of a valid token.

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/eccs/eccs/internal/eccs"
	"github.com/eccs/eccs/internal/testkit/testenv"
)

// tokenWorld is a world with an application of each status, subscription and terms that
// IssueToken tells apart, named by its client id: app-suspended, app-deleted, app-blocked,
// app-pending (pending subscription), app-none (no subscription), app-no-terms.
func tokenWorld(t *testing.T) *world {
	w := newWorld(t)
	w.newApp("app-suspended", eccs.SubscriptionApproved, true, eccs.ApplicationSuspended)
	w.newApp("app-deleted", eccs.SubscriptionApproved, true, eccs.ApplicationDeleted)
	w.newApp("app-blocked", eccs.SubscriptionApproved, true, eccs.ApplicationBlocked)
	w.newApp("app-pending", eccs.SubscriptionPending, false, eccs.ApplicationActive)
	w.newApp("app-none", eccs.SubscriptionNone, false, eccs.ApplicationActive)
	w.newApp("app-no-terms", eccs.SubscriptionApproved, false, eccs.ApplicationActive)
	return w
}

// TestIssueToken checks that the right secret gets a token of the configured lifetime, whatever
// the application's subscription, terms or blocking, which ApplicationForToken checks.
func TestIssueToken(t *testing.T) {
	t.Parallel()
	w := tokenWorld(t)
	granted := []struct{ name, clientID, secret string }{
		{"right secret", appClientID, appSecret},
		{"blocked application gets a token", "app-blocked", secretOf("app-blocked")},
		{"pending subscription gets a token", "app-pending", secretOf("app-pending")},
		{"no subscription gets a token", "app-none", secretOf("app-none")},
		{"terms not accepted gets a token", "app-no-terms", secretOf("app-no-terms")},
	}
	for _, tc := range granted {
		t.Run(tc.name, func(t *testing.T) {
			tok, app, err := w.svc.IssueToken(w.ctx, tc.clientID, tc.secret)
			if err != nil {
				t.Fatalf("IssueToken: %v", err)
			}
			if app.ClientID != tc.clientID || tok.Value == "" {
				t.Fatalf("got app %q, token %q", app.ClientID, tok.Value)
			}
			if tok.ExpiresIn != testTTL || w.svc.TokenTTL() != testTTL {
				t.Errorf("ExpiresIn = %v, TokenTTL() = %v, want the configured %v", tok.ExpiresIn, w.svc.TokenTTL(), testTTL)
			}
		})
	}
}

// A wrong secret, an unknown client or a deleted application is unauthenticated, and every
// such refusal answers alike; a suspended application with its secret is told why.
func TestIssueTokenRefusals(t *testing.T) {
	t.Parallel()
	w := tokenWorld(t)
	refused := []struct{ name, clientID, secret string }{
		{"wrong secret", appClientID, appSecret + "x"},
		{"secret of another application", appClientID, secretOf("app-blocked")},
		{"empty secret", appClientID, ""},
		{"oversized secret", appClientID, strings.Repeat("s", 4096)},
		{"unknown client", "no-such-client", appSecret},
		{"client id in another case", strings.ToUpper(appClientID), appSecret},
		{"empty client id", "", appSecret},
		{"client id with a colon", appClientID + ":x", appSecret},
		{"suspended application with a wrong secret", "app-suspended", secretOf("app-deleted")},
		{"deleted application", "app-deleted", secretOf("app-deleted")},
	}
	var messages []string
	for _, tc := range refused {
		t.Run(tc.name+" is unauthenticated", func(t *testing.T) {
			tok, _, err := w.svc.IssueToken(w.ctx, tc.clientID, tc.secret)
			e := wantErr(t, err, eccs.Unauthenticated, eccs.ReasonNone, "")
			if tok.Value != "" {
				t.Errorf("a refused request got a token")
			}
			messages = append(messages, e.Message)
		})
	}
	t.Run("a suspended application with its secret is told why", func(t *testing.T) {
		_, _, err := w.svc.IssueToken(w.ctx, "app-suspended", secretOf("app-suspended"))
		e := wantErr(t, err, eccs.Unauthenticated, eccs.ReasonSuspended, "")
		if !strings.Contains(e.Message, "suspended") || !strings.HasPrefix(e.Message, "The requested service needs credentials, but the ones provided were invalid") {
			t.Errorf("message %q: want the gateway's sentence, then that the application is suspended", e.Message)
		}
	})

	t.Run("every refusal answers alike", func(t *testing.T) {
		for _, m := range messages {
			if m != messages[0] {
				t.Errorf("messages differ, which tells unknown clients from wrong secrets: %q vs %q", m, messages[0])
			}
		}
	})
}

// Two tokens issued at the same instant differ, with distinct ids.
func TestIssueTokenTwiceDiffers(t *testing.T) {
	t.Parallel()
	w := tokenWorld(t)
	a, _, err := w.svc.IssueToken(w.ctx, appClientID, appSecret)
	if err != nil {
		t.Fatal(err)
	}
	b, _, err := w.svc.IssueToken(w.ctx, appClientID, appSecret)
	if err != nil {
		t.Fatal(err)
	}
	if a.Value == b.Value {
		t.Fatal("two tokens issued at the same instant are equal")
	}
	ca, cb := claimsOf(t, a.Value), claimsOf(t, b.Value)
	if ca["jti"] == cb["jti"] || ca["jti"] == "" {
		t.Errorf("jti %v and %v: want distinct non-empty ids", ca["jti"], cb["jti"])
	}
}

// A token's header and claims are those of the gateway's tokens.
func TestIssueTokenClaims(t *testing.T) {
	t.Parallel()
	w := tokenWorld(t)
	tok, app, err := w.svc.IssueToken(w.ctx, appClientID, appSecret)
	if err != nil {
		t.Fatal(err)
	}
	header := segment(t, tok.Value, 0)
	if header["alg"] != "HS256" || header["kid"] != "k1" || header["typ"] != "JWT" {
		t.Errorf("header = %v", header)
	}
	c := claimsOf(t, tok.Value)
	if c["app_id"] != app.ID || c["client_id"] != appClientID || c["sub"] != appClientID || c["iss"] != "eccs" || c["app_name"] != app.Name {
		t.Errorf("claims = %v", c)
	}
	iat, exp := c["iat"].(float64), c["exp"].(float64)
	if int64(iat) != t0.Unix() || time.Duration(exp-iat)*time.Second != testTTL {
		t.Errorf("iat %v exp %v: want iat %d and a lifetime of %v", iat, exp, t0.Unix(), testTTL)
	}
}

// A preset secret shorter than 32 characters is refused at creation; one of 32 works.
func TestIssueTokenShortPresetSecret(t *testing.T) {
	t.Parallel()
	w := tokenWorld(t)
	_, _, err := w.svc.CreateApplication(w.ctx, eccs.NewApplication{Name: "Short", ClientID: "short-secret",
		Secret: strings.Repeat("s", 31), Subscription: eccs.SubscriptionApproved})
	wantErr(t, err, eccs.Invalid, eccs.ReasonNone, "secret")
	if _, _, err := w.svc.IssueToken(w.ctx, "short-secret", strings.Repeat("s", 31)); eccs.ErrorCode(err) != eccs.Unauthenticated {
		t.Errorf("the refused application exists: IssueToken = %v", err)
	}
	_, secret, err := w.svc.CreateApplication(w.ctx, eccs.NewApplication{Name: "Long enough", ClientID: "secret-32",
		Secret: strings.Repeat("s", 32)})
	if err != nil || secret != strings.Repeat("s", 32) {
		t.Fatalf("a 32-character secret: %q, %v", secret, err)
	}
	if _, _, err := w.svc.IssueToken(w.ctx, "secret-32", secret); err != nil {
		t.Errorf("IssueToken with the 32-character secret: %v", err)
	}
}

// An application created without credentials gets random ones that work, and the defaults.
// Its secret is stored only as a hash.
func TestIssueTokenRandomCredentials(t *testing.T) {
	t.Parallel()
	w := tokenWorld(t)
	app, secret, err := w.svc.CreateApplication(w.ctx, eccs.NewApplication{Name: "Random"})
	if err != nil {
		t.Fatal(err)
	}
	if len(secret) < 32 || app.ClientID == "" || app.SecretHash == secret || strings.Contains(app.SecretHash, secret) {
		t.Fatalf("client id %q, secret %q, stored hash %q", app.ClientID, secret, app.SecretHash)
	}
	if app.Subscription != eccs.SubscriptionPending || app.Status != eccs.ApplicationActive || !app.TermsAcceptedAt.IsZero() {
		t.Errorf("defaults: %+v", app)
	}
	if _, _, err := w.svc.IssueToken(w.ctx, app.ClientID, secret); err != nil {
		t.Errorf("IssueToken: %v", err)
	}
}

// During a rotation the previous secret gets tokens too, until it expires.
func TestIssueTokenPreviousSecret(t *testing.T) {
	t.Parallel()
	w := tokenWorld(t)
	// Make the approved application's previous secret that of app-pending, for one hour.
	other := must(w.store.ApplicationByClientID(w.ctx, "app-pending"))(t)
	app := must(w.store.ApplicationByClientID(w.ctx, appClientID))(t)
	app.PreviousSecretHash, app.PreviousSecretExpiresAt = other.SecretHash, w.clock.Now().Add(time.Hour)
	if err := w.store.UpdateApplication(w.ctx, app); err != nil {
		t.Fatal(err)
	}
	if _, _, err := w.svc.IssueToken(w.ctx, appClientID, secretOf("app-pending")); err != nil {
		t.Fatalf("previous secret during the rotation: %v", err)
	}
	if _, _, err := w.svc.IssueToken(w.ctx, appClientID, appSecret); err != nil {
		t.Fatalf("current secret during the rotation: %v", err)
	}
	w.clock.Advance(time.Hour)
	defer w.clock.Advance(-time.Hour)
	_, _, err := w.svc.IssueToken(w.ctx, appClientID, secretOf("app-pending"))
	wantErr(t, err, eccs.Unauthenticated, eccs.ReasonNone, "")
	if _, _, err := w.svc.IssueToken(w.ctx, appClientID, appSecret); err != nil {
		t.Fatalf("current secret after the rotation: %v", err)
	}
}

// worldWithToken is a world and a token of its application, issued at t0 and signed with k1.
func worldWithToken(t *testing.T) (*world, string) {
	w := newWorld(t)
	return w, w.token(w.svc, appClientID, appSecret)
}

// TestApplicationForToken checks that a valid token gives the application it was issued to.
func TestApplicationForToken(t *testing.T) {
	t.Parallel()
	w, good := worldWithToken(t)
	app, err := w.svc.ApplicationForToken(w.ctx, good)
	if err != nil {
		t.Fatal(err)
	}
	if app.ID != w.app.ID || app.ClientID != appClientID {
		t.Errorf("got application %+v, want %s", app, w.app.ID)
	}
}

// Forged, altered, foreign or garbage tokens are unauthenticated, without a reason.
func TestApplicationForTokenForgedTokens(t *testing.T) {
	t.Parallel()
	w, good := worldWithToken(t)
	other := w.newApp("other-app", eccs.SubscriptionApproved, true, eccs.ApplicationActive)
	parts := strings.Split(good, ".")
	claims := claimsOf(t, good)
	claims["app_id"] = other.ID
	raw, _ := json.Marshal(claims)
	swapped := parts[0] + "." + base64.RawURLEncoding.EncodeToString(raw) + "." + parts[2]
	claims = claimsOf(t, good)
	claims["exp"] = float64(t0.Add(100 * 365 * 24 * time.Hour).Unix())
	raw, _ = json.Marshal(claims)
	extended := parts[0] + "." + base64.RawURLEncoding.EncodeToString(raw) + "." + parts[2]
	flipped := []byte(good)
	if flipped[len(flipped)-2] == 'A' {
		flipped[len(flipped)-2] = 'B'
	} else {
		flipped[len(flipped)-2] = 'A'
	}
	foreign := must(eccs.NewService(w.store, w.blobs, eccs.Config{Keys: eccs.Keys{HashKey: hashKey,
		TokenKeys: []eccs.TokenKey{{ID: "k1", Secret: []byte("another-secret-with-the-same-kid-0123456789")}}},
		Now: w.clock.Now, Formats: testenv.AnyFormats{}}))(t)
	foreignToken := w.token(foreign, appClientID, appSecret)
	for _, tc := range []struct{ name, token string }{
		{"empty", ""},
		{"garbage", "garbage"},
		{"three dots", "..."},
		{"payload swapped to another application", swapped},
		{"expiry pushed back", extended},
		{"signature altered", string(flipped)},
		{"signed by another server with the same kid", foreignToken},
		{"oversized", good + strings.Repeat("A", 5000)},
		{"trailing space", good + " "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := w.svc.ApplicationForToken(w.ctx, tc.token)
			wantErr(t, err, eccs.Unauthenticated, eccs.ReasonNone, "")
		})
	}
}

// A token is valid until its expiry, then unauthenticated with the reason expired and the date.
func TestApplicationForTokenExpired(t *testing.T) {
	t.Parallel()
	w, good := worldWithToken(t)
	w.clock.Advance(testTTL - time.Second)
	if _, err := w.svc.ApplicationForToken(w.ctx, good); err != nil {
		t.Fatalf("one second before expiry: %v", err)
	}
	w.clock.Advance(time.Second)
	defer w.clock.Advance(-testTTL)
	_, err := w.svc.ApplicationForToken(w.ctx, good)
	e := wantErr(t, err, eccs.Unauthenticated, eccs.ReasonExpired, "")
	if want := t0.Add(testTTL).Format(time.RFC3339); !strings.Contains(e.Message, want) {
		t.Errorf("message %q does not give the expiry %s", e.Message, want)
	}
}

// An expired token is told so even when its application has since been blocked.
func TestApplicationForTokenExpiryFirst(t *testing.T) {
	t.Parallel()
	w, _ := worldWithToken(t)
	app := w.newApp("app-blocked-later", eccs.SubscriptionApproved, true, eccs.ApplicationActive)
	tok := w.token(w.svc, app.ClientID, secretOf(app.ClientID))
	must(w.svc.SetApplicationStatus(w.ctx, app.ID, eccs.ApplicationBlocked))(t)
	w.clock.Advance(testTTL)
	defer w.clock.Advance(-testTTL)
	_, err := w.svc.ApplicationForToken(w.ctx, tok)
	wantErr(t, err, eccs.Unauthenticated, eccs.ReasonExpired, "")
}

// A token's application, as it is when the token is checked, decides: its status first, then its
// subscription and terms.
func TestApplicationForTokenStatusAndSubscription(t *testing.T) {
	t.Parallel()
	w, _ := worldWithToken(t)
	tests := []struct {
		name     string
		sub      eccs.SubscriptionState
		terms    bool
		status   eccs.ApplicationStatus // set after the token is minted
		code     eccs.Code
		reason   eccs.Reason
		accepted bool
	}{
		{name: "active approved with terms is accepted", sub: eccs.SubscriptionApproved, terms: true, status: eccs.ApplicationActive, accepted: true},
		{name: "suspended after minting is unauthenticated", sub: eccs.SubscriptionApproved, terms: true, status: eccs.ApplicationSuspended, code: eccs.Unauthenticated},
		{name: "deleted after minting is unauthenticated", sub: eccs.SubscriptionApproved, terms: true, status: eccs.ApplicationDeleted, code: eccs.Unauthenticated},
		{name: "blocked is forbidden with reason blocked", sub: eccs.SubscriptionApproved, terms: true, status: eccs.ApplicationBlocked, code: eccs.Forbidden, reason: eccs.ReasonBlocked},
		{name: "blocked wins over a pending subscription", sub: eccs.SubscriptionPending, status: eccs.ApplicationBlocked, code: eccs.Forbidden, reason: eccs.ReasonBlocked},
		{name: "suspended wins over a pending subscription", sub: eccs.SubscriptionPending, status: eccs.ApplicationSuspended, code: eccs.Unauthenticated},
		{name: "subscription pending is forbidden", sub: eccs.SubscriptionPending, terms: true, status: eccs.ApplicationActive, code: eccs.Forbidden},
		{name: "subscription rejected is forbidden", sub: eccs.SubscriptionRejected, terms: true, status: eccs.ApplicationActive, code: eccs.Forbidden},
		{name: "subscription suspended is forbidden", sub: eccs.SubscriptionSuspended, terms: true, status: eccs.ApplicationActive, code: eccs.Forbidden},
		{name: "no subscription is forbidden", sub: eccs.SubscriptionNone, terms: true, status: eccs.ApplicationActive, code: eccs.Forbidden},
		{name: "approved without terms is forbidden", sub: eccs.SubscriptionApproved, terms: false, status: eccs.ApplicationActive, code: eccs.Forbidden},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clientID := "status-app-" + string(rune('a'+i))
			app := w.newApp(clientID, tc.sub, tc.terms, eccs.ApplicationActive)
			tok := w.token(w.svc, clientID, secretOf(clientID))
			must(w.svc.SetApplicationStatus(w.ctx, app.ID, tc.status))(t)
			got, err := w.svc.ApplicationForToken(w.ctx, tok)
			if tc.accepted {
				if err != nil || got.ID != app.ID {
					t.Fatalf("got %+v, %v", got, err)
				}
				return
			}
			wantErr(t, err, tc.code, tc.reason, "")
		})
	}
}

// The tokens of a suspended application work again once it is reactivated.
func TestApplicationForTokenAfterReactivation(t *testing.T) {
	t.Parallel()
	w, _ := worldWithToken(t)
	app := w.newApp("app-reactivated", eccs.SubscriptionApproved, true, eccs.ApplicationActive)
	tok := w.token(w.svc, app.ClientID, secretOf(app.ClientID))
	must(w.svc.SetApplicationStatus(w.ctx, app.ID, eccs.ApplicationSuspended))(t)
	_, err := w.svc.ApplicationForToken(w.ctx, tok)
	wantErr(t, err, eccs.Unauthenticated, eccs.ReasonNone, "")
	must(w.svc.SetApplicationStatus(w.ctx, app.ID, eccs.ApplicationActive))(t)
	if _, err := w.svc.ApplicationForToken(w.ctx, tok); err != nil {
		t.Fatalf("after reactivation: %v", err)
	}
}

// The first key of the ring signs; any key of the ring verifies, and only those.
func TestApplicationForTokenKeyRing(t *testing.T) {
	t.Parallel()
	w, good := worldWithToken(t)
	underK1 := good // w.svc signs with k1
	rotated := w.service(func(c *eccs.Config) { c.Keys.TokenKeys = []eccs.TokenKey{tokenK2, tokenK1} })
	underK2 := w.token(rotated, appClientID, appSecret)
	if h := segment(t, underK2, 0); h["kid"] != "k2" {
		t.Fatalf("the first key of the ring signs: kid = %v", h["kid"])
	}
	retired := w.service(func(c *eccs.Config) { c.Keys.TokenKeys = []eccs.TokenKey{tokenK2} })

	for _, tc := range []struct {
		name   string
		svc    *eccs.Service
		token  string
		accept bool
	}{
		{"older key still in the ring is accepted", rotated, underK1, true},
		{"newest key is accepted", rotated, underK2, true},
		{"key removed from the ring is unauthenticated", retired, underK1, false},
		{"key not yet in the ring is unauthenticated", w.svc, underK2, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.svc.ApplicationForToken(w.ctx, tc.token)
			if tc.accept {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			wantErr(t, err, eccs.Unauthenticated, eccs.ReasonNone, "")
		})
	}
}

// SetApplicationStatus refuses an unknown status, and an unknown application is not found.
func TestSetApplicationStatusValidation(t *testing.T) {
	t.Parallel()
	w, _ := worldWithToken(t)
	_, err := w.svc.SetApplicationStatus(w.ctx, w.app.ID, "paused")
	wantErr(t, err, eccs.Invalid, eccs.ReasonNone, "status")
	_, err = w.svc.SetApplicationStatus(w.ctx, "nosuchapplication", eccs.ApplicationBlocked)
	wantErr(t, err, eccs.NotFound, eccs.ReasonNone, "")
}
