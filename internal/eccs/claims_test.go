package eccs_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/eccs/eccs/internal/eccs"
)

// TestAPIKeyClaim issues a key of dave's with a claim instead of the key, and follows the claim:
// wrong tokens, the reveal, then a rotation with a claim, in order.
func TestAPIKeyClaim(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx, s := w.ctx, w.svc

	k, key, claim, err := s.IssueAPIKeyClaim(ctx, w.dave.ID, eccs.KeyOptions{ClaimTTL: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if key != "" || len(claim.Value) < 32 || !claim.ExpiresAt.Equal(t0.Add(time.Hour)) || k.AccountID != w.dave.ID {
		t.Fatalf("key %+v, secret %q, claim %+v: want no secret and a claim token", k, key, claim)
	}
	if n := w.count(t, `SELECT count(*) FROM claims`); n != 1 {
		t.Fatalf("%d claims stored", n)
	}
	w.wantNotInDatabase(t, w.dave.ID, claim.Value)

	c := &keyClaim{w: w, k: k, claim: claim}
	t.Run("unknown tokens are not found", c.wantUnknownNotFound)
	t.Run("reveals the key once", c.wantRevealedOnce)
	t.Run("the database never holds the key", c.wantKeyNotStored)
	t.Run("rotation with a claim", c.wantRotationClaim)
}

// keyClaim is a world, a key k of dave's and the claim of its value, then the value revealed.
type keyClaim struct {
	w        *world
	k        eccs.APIKey
	claim    eccs.ClaimToken
	revealed string
}

// wantUnknownNotFound checks that tokens near the claim's are not found, and leave the claim.
func (c *keyClaim) wantUnknownNotFound(t *testing.T) {
	w, ctx, s, claim := c.w, c.w.ctx, c.w.svc, c.claim
	for _, tok := range []string{"", "x", claim.Value + "x", strings.ToUpper(claim.Value), claim.Value[:len(claim.Value)-1], "../" + claim.Value, strings.Repeat("a", 200)} {
		_, _, _, err := s.RevealClaim(ctx, tok)
		wantErr(t, err, eccs.NotFound, "", "")
	}
	if n := w.count(t, `SELECT count(*) FROM claims`); n != 1 {
		t.Fatalf("wrong tokens took the claim: %d left", n)
	}
}

// wantRevealedOnce reveals the key, which works, and checks that the claim is then gone.
func (c *keyClaim) wantRevealedOnce(t *testing.T) {
	w, ctx, s, k, claim := c.w, c.w.ctx, c.w.svc, c.k, c.claim
	kind, objectID, secret, err := s.RevealClaim(ctx, claim.Value)
	if err != nil {
		t.Fatal(err)
	}
	if kind != eccs.ClaimAPIKey || objectID != k.ID || !strings.HasPrefix(secret, k.Prefix) {
		t.Fatalf("revealed %s %s %.12q", kind, objectID, secret)
	}
	c.revealed = secret
	if acct, got, err := s.AccountForKey(ctx, secret); err != nil || acct.ID != w.dave.ID || got.ID != k.ID {
		t.Fatalf("the revealed key: %+v, %v", acct, err)
	}
	_, _, _, err = s.RevealClaim(ctx, claim.Value)
	wantErr(t, err, eccs.NotFound, "", "")
	if n := w.count(t, `SELECT count(*) FROM claims`); n != 0 {
		t.Errorf("%d claims left after the reveal", n)
	}
}

// wantKeyNotStored checks that no file of the database holds the revealed key or the claim.
func (c *keyClaim) wantKeyNotStored(t *testing.T) {
	w, claim := c.w, c.claim
	w.wantNotInDatabase(t, w.dave.ID, c.revealed, claim.Value)
}

// wantRotationClaim rotates the key with a claim, which reveals the new key, never stored.
func (c *keyClaim) wantRotationClaim(t *testing.T) {
	w, ctx, s, k := c.w, c.w.ctx, c.w.svc, c.k
	newKey, secret, c2, err := s.RotateAPIKey(ctx, k.ID, time.Hour, eccs.KeyOptions{ClaimTTL: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if secret != "" || c2.Value == "" {
		t.Fatalf("secret %q, claim %+v", secret, c2)
	}
	kind, objectID, got, err := s.RevealClaim(ctx, c2.Value)
	if err != nil || kind != eccs.ClaimAPIKey || objectID != newKey.ID {
		t.Fatalf("reveal: %s %s, %v", kind, objectID, err)
	}
	w.keyOf(t, got)
	w.wantNotInDatabase(t, w.dave.ID, got, c2.Value)
}

func TestClaimExpiry(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx, s := w.ctx, w.svc

	_, _, expiring, err := s.IssueAPIKeyClaim(ctx, w.carol.ID, eccs.KeyOptions{ClaimTTL: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	_, _, other, err := s.IssueAPIKeyClaim(ctx, w.carol.ID, eccs.KeyOptions{ClaimTTL: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	w.clock.Advance(time.Hour)

	t.Run("an expired claim is not found and is deleted", func(t *testing.T) {
		before := w.count(t, `SELECT count(*) FROM claims`)
		err := w.wantNoEvent(t, func() error { _, _, _, err := s.RevealClaim(ctx, expiring.Value); return err })
		wantErr(t, err, eccs.NotFound, "", "")
		if after := w.count(t, `SELECT count(*) FROM claims`); after != before-1 {
			t.Errorf("claims before %d, after %d: the expired claim was not deleted", before, after)
		}
		// Deleted for good: even back in its lifetime it reveals nothing.
		w.clock.Advance(-time.Minute)
		defer w.clock.Advance(time.Minute)
		_, _, _, err = s.RevealClaim(ctx, expiring.Value)
		wantErr(t, err, eccs.NotFound, "", "")
	})

	t.Run("expired and unknown answer alike", func(t *testing.T) {
		_, _, _, errExpired := s.RevealClaim(ctx, other.Value)
		_, _, _, errUnknown := s.RevealClaim(ctx, "nosuchclaimtoken")
		a := wantErr(t, errExpired, eccs.NotFound, "", "")
		b := wantErr(t, errUnknown, eccs.NotFound, "", "")
		if a.Message != b.Message {
			t.Errorf("%q vs %q", a.Message, b.Message)
		}
	})

	t.Run("DeleteExpiredClaims removes only expired claims", func(t *testing.T) {
		_, _, live, err := s.IssueAPIKeyClaim(ctx, w.carol.ID, eccs.KeyOptions{ClaimTTL: time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		_, _, _, err = s.IssueAPIKeyClaim(ctx, w.carol.ID, eccs.KeyOptions{ClaimTTL: time.Minute})
		if err != nil {
			t.Fatal(err)
		}
		// The store deletes claims that expired strictly before now: one microsecond past.
		w.clock.Advance(time.Minute + time.Microsecond)
		if n := must(s.DeleteExpiredClaims(ctx))(t); n != 1 {
			t.Errorf("deleted %d claims", n)
		}
		if _, _, _, err := s.RevealClaim(ctx, live.Value); err != nil {
			t.Errorf("the live claim: %v", err)
		}
	})
}

func TestRevealClaimConcurrently(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	_, _, claim, err := w.svc.IssueAPIKeyClaim(w.ctx, w.carol.ID, eccs.KeyOptions{ClaimTTL: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var secrets []string
	notFound := 0
	for range 20 {
		wg.Go(func() {
			_, _, secret, err := w.svc.RevealClaim(w.ctx, claim.Value)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				secrets = append(secrets, secret)
			case eccs.ErrorCode(err) == eccs.NotFound:
				notFound++
			default:
				t.Errorf("RevealClaim: %v", err)
			}
		})
	}
	wg.Wait()
	if len(secrets) != 1 || notFound != 19 {
		t.Fatalf("%d reveals succeeded, %d not found; want exactly one success", len(secrets), notFound)
	}
	w.keyOf(t, secrets[0])
	var reveals int
	for _, ev := range w.allEvents() {
		if ev.Action == "claim.reveal" {
			reveals++
		}
	}
	if reveals != 1 {
		t.Errorf("%d claim.reveal events", reveals)
	}
}

func TestApplicationClaim(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx, s := w.ctx, w.svc

	app, claim, err := s.CreateApplicationClaim(ctx, eccs.NewApplication{Name: "Claimed app", Subscription: eccs.SubscriptionApproved, TermsAccepted: true}, 2*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if claim.Value == "" || !claim.ExpiresAt.Equal(t0.Add(2*time.Hour)) || app.ClientID == "" {
		t.Fatalf("app %+v, claim %+v", app, claim)
	}
	kind, objectID, secret, err := s.RevealClaim(ctx, claim.Value)
	if err != nil {
		t.Fatal(err)
	}
	if kind != eccs.ClaimClientSecret || objectID != app.ID || len(secret) < 32 {
		t.Fatalf("revealed %s %s (%d characters)", kind, objectID, len(secret))
	}
	tok := w.token(s, app.ClientID, secret)
	if _, err := s.ApplicationForToken(ctx, tok); err != nil {
		t.Errorf("token of the claimed secret: %v", err)
	}
	_, _, _, err = s.RevealClaim(ctx, claim.Value)
	wantErr(t, err, eccs.NotFound, "", "")

	_, rotated, claim2, err := s.RotateClientSecret(ctx, app.ID, 0, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if rotated != "" || claim2.Value == "" {
		t.Fatalf("rotation with a claim returned secret %q, claim %+v", rotated, claim2)
	}
	_, _, secret2, err := s.RevealClaim(ctx, claim2.Value)
	if err != nil {
		t.Fatal(err)
	}
	w.token(s, app.ClientID, secret2)
	_, _, err = s.IssueToken(ctx, app.ClientID, secret)
	wantErr(t, err, eccs.Unauthenticated, "", "")

	w.wantNotInDatabase(t, app.ClientID, secret, secret2, claim.Value, claim2.Value)

	t.Run("a refused application stores no claim", func(t *testing.T) {
		before := w.count(t, `SELECT count(*) FROM claims`)
		err := w.wantNoEvent(t, func() error {
			_, _, err := s.CreateApplicationClaim(ctx, eccs.NewApplication{Name: "Clash", ClientID: appClientID}, time.Hour)
			return err
		})
		wantErr(t, err, eccs.Conflict, "", "")
		if after := w.count(t, `SELECT count(*) FROM claims`); after != before {
			t.Errorf("claims before %d, after %d", before, after)
		}
	})
}

// Opening a claim link tells what it reveals without using it up: mail scanners and link
// previewers open links.
func TestPeekClaim(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx, s := w.ctx, w.svc

	k, _, claim, err := s.IssueAPIKeyClaim(ctx, w.dave.ID, eccs.KeyOptions{ClaimTTL: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	want := eccs.ClaimInfo{Kind: eccs.ClaimAPIKey, ObjectID: k.ID, ExpiresAt: t0.Add(time.Hour), AccountID: w.dave.ID,
		AccountType: eccs.AccountClient, HolderName: "Dave Nobody", HolderEmail: "dave@globex.example"}
	var infos []eccs.ClaimInfo
	added := w.recorded(t, func() {
		for range 3 {
			infos = append(infos, must(s.PeekClaim(ctx, claim.Value))(t))
		}
	})
	for _, got := range infos {
		if got != want {
			t.Errorf("PeekClaim = %+v, want %+v", got, want)
		}
	}
	if len(added) != 0 {
		t.Errorf("peeking recorded %+v", added)
	}
	if n := w.count(t, `SELECT count(*) FROM claims`); n != 1 {
		t.Fatalf("%d claims left after peeking, want 1", n)
	}
	w.clock.Advance(time.Hour - time.Microsecond) // the last instant of its lifetime
	if _, err := s.PeekClaim(ctx, claim.Value); err != nil {
		t.Fatalf("PeekClaim at the end of the lifetime: %v", err)
	}
	w.clock.Advance(-(time.Hour - time.Microsecond))

	_, _, secret, err := s.RevealClaim(ctx, claim.Value)
	if err != nil {
		t.Fatalf("the link, after peeks: %v", err)
	}
	for _, got := range infos {
		if strings.Contains(fmt.Sprintf("%+v", got), secret) {
			t.Errorf("a peek holds the secret: %+v", got)
		}
	}
	_, errUnknown := s.PeekClaim(ctx, "nosuchclaimtoken")
	unknown := wantErr(t, errUnknown, eccs.NotFound, "", "")
	_, errUsed := s.PeekClaim(ctx, claim.Value)
	if used := wantErr(t, errUsed, eccs.NotFound, "", ""); used.Message != unknown.Message {
		t.Errorf("used %q vs unknown %q", used.Message, unknown.Message)
	}
	_, _, _, errReveal := s.RevealClaim(ctx, claim.Value)
	if reveal := wantErr(t, errReveal, eccs.NotFound, "", ""); reveal.Message != unknown.Message {
		t.Errorf("PeekClaim %q vs RevealClaim %q", unknown.Message, reveal.Message)
	}
	for _, tok := range []string{"", "x", claim.Value + "x", "../" + claim.Value, strings.Repeat("a", 200), strings.Repeat("é", 50)} {
		_, err := s.PeekClaim(ctx, tok)
		wantErr(t, err, eccs.NotFound, "", "")
	}
}

// Peeking at the claim of a client secret tells the application; DescribeClaim tells the same
// after the reveal.
func TestPeekClaimOfAClientSecret(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx, s := w.ctx, w.svc
	app, claim, err := s.CreateApplicationClaim(ctx, eccs.NewApplication{Name: "Peeked app", Subscription: eccs.SubscriptionApproved}, 2*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	got := must(s.PeekClaim(ctx, claim.Value))(t)
	want := eccs.ClaimInfo{Kind: eccs.ClaimClientSecret, ObjectID: app.ID, ExpiresAt: t0.Add(2 * time.Hour),
		ApplicationName: "Peeked app", ClientID: app.ClientID}
	if got != want {
		t.Errorf("PeekClaim = %+v, want %+v", got, want)
	}
	// DescribeClaim tells the same after the reveal, without the expiry.
	kind, objectID, _, err := s.RevealClaim(ctx, claim.Value)
	if err != nil {
		t.Fatal(err)
	}
	want.ExpiresAt = time.Time{}
	if got := must(s.DescribeClaim(ctx, kind, objectID))(t); got != want {
		t.Errorf("DescribeClaim = %+v, want %+v", got, want)
	}
}

// Peeking at the claim of an administrator's key tells whose it is.
func TestPeekClaimOfAnAdministratorsKey(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx, s := w.ctx, w.svc
	_, _, claim, err := s.IssueAPIKeyClaim(ctx, w.admin.ID, eccs.KeyOptions{ClaimTTL: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	got := must(s.PeekClaim(ctx, claim.Value))(t)
	if got.AccountType != eccs.AccountAdministrator || got.HolderName != "Adam Admin" || got.HolderEmail != "adam@acme.example" || got.ClientID != "" {
		t.Errorf("PeekClaim = %+v", got)
	}
}

// An expired link answers like an unknown one, and stays for the sweep.
func TestPeekClaimExpired(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx, s := w.ctx, w.svc
	_, errUnknown := s.PeekClaim(ctx, "nosuchclaimtoken")
	unknown := wantErr(t, errUnknown, eccs.NotFound, "", "")
	_, _, claim, err := s.IssueAPIKeyClaim(ctx, w.carol.ID, eccs.KeyOptions{ClaimTTL: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	before := w.count(t, `SELECT count(*) FROM claims`)
	w.clock.Advance(time.Hour)
	defer w.clock.Advance(-time.Hour)
	_, err = s.PeekClaim(ctx, claim.Value)
	if expired := wantErr(t, err, eccs.NotFound, "", ""); expired.Message != unknown.Message {
		t.Errorf("expired %q vs unknown %q", expired.Message, unknown.Message)
	}
	if after := w.count(t, `SELECT count(*) FROM claims`); after != before {
		t.Errorf("claims before %d, after %d: a peek changed them", before, after)
	}
}
