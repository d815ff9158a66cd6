package eccs_test

import (
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/eccs/eccs/internal/eccs"
)

// keyOf returns the stored key of value key.
func (w *world) keyOf(t testing.TB, key string) eccs.APIKey {
	t.Helper()
	_, k, err := w.svc.AccountForKey(w.ctx, key)
	if err != nil {
		t.Fatalf("AccountForKey: %v", err)
	}
	return k
}

func TestRevokeAPIKey(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	k := w.keyOf(t, w.carolKey)
	w.clock.Advance(time.Hour)

	revoked := must(w.svc.RevokeAPIKey(w.ctx, k.ID))(t)
	if !revoked.RevokedAt.Equal(t0.Add(time.Hour)) {
		t.Errorf("RevokedAt = %v", revoked.RevokedAt)
	}
	_, _, err := w.svc.AccountForKey(w.ctx, w.carolKey)
	wantErr(t, err, eccs.Unauthenticated, "", "")
	if stored := must(w.svc.APIKeyOf(w.ctx, k.ID))(t); !stored.RevokedAt.Equal(revoked.RevokedAt) || stored.Active(w.clock.Now()) {
		t.Errorf("stored %+v", stored)
	}
	// The other keys of the world still work.
	if _, _, err := w.svc.AccountForKey(w.ctx, w.ritaKey); err != nil {
		t.Errorf("another key: %v", err)
	}

	t.Run("refusals", func(t *testing.T) {
		err := w.wantNoEvent(t, func() error { _, err := w.svc.RevokeAPIKey(w.ctx, k.ID); return err })
		wantErr(t, err, eccs.Conflict, "", "")
		err = w.wantNoEvent(t, func() error { _, err := w.svc.RevokeAPIKey(w.ctx, "nosuchkey0000000"); return err })
		wantErr(t, err, eccs.NotFound, "", "")
	})

	t.Run("listed among inactive keys only", func(t *testing.T) {
		active, total := must2(w.svc.APIKeys(w.ctx, eccs.KeyQuery{AccountID: w.carol.ID, IncludeInactive: false}))(t)
		if total != 0 || len(active) != 0 {
			t.Errorf("active keys of carol: %+v", active)
		}
		all, total := must2(w.svc.APIKeys(w.ctx, eccs.KeyQuery{AccountID: w.carol.ID, IncludeInactive: true}))(t)
		if total != 1 || all[0].ID != k.ID {
			t.Errorf("every key of carol: %+v", all)
		}
		every, total := must2(w.svc.APIKeys(w.ctx, eccs.KeyQuery{}))(t)
		if total != 3 || len(every) != 3 {
			t.Errorf("active keys of everyone: %d", total)
		}
	})
}

// TestRotateAPIKey checks that a rotation's new key works at once, the old one until the end
// of the overlap; an inactive key is not rotated.
func TestRotateAPIKey(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx, s := w.ctx, w.svc
	old := w.keyOf(t, w.carolKey)
	k, key, claim, err := s.RotateAPIKey(ctx, old.ID, 24*time.Hour, eccs.KeyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if key == "" || claim.Value != "" || k.AccountID != w.carol.ID || k.ID == old.ID || !strings.HasPrefix(key, k.Prefix) {
		t.Fatalf("new key %+v %q, claim %+v", k, key, claim)
	}
	if acct, _, err := s.AccountForKey(ctx, key); err != nil || acct.ID != w.carol.ID {
		t.Fatalf("new key: %+v, %v", acct, err)
	}
	if stored := must(s.APIKeyOf(ctx, old.ID))(t); !stored.ExpiresAt.Equal(t0.Add(24*time.Hour)) || !stored.RevokedAt.IsZero() {
		t.Errorf("old key %+v", stored)
	}
	w.clock.Advance(24*time.Hour - time.Microsecond)
	if _, _, err := s.AccountForKey(ctx, w.carolKey); err != nil {
		t.Errorf("old key at the end of the overlap: %v", err)
	}
	w.clock.Advance(time.Microsecond)
	_, _, err = s.AccountForKey(ctx, w.carolKey)
	wantErr(t, err, eccs.Unauthenticated, "", "")
	if _, _, err := s.AccountForKey(ctx, key); err != nil {
		t.Errorf("new key after the overlap: %v", err)
	}
	w.clock.Advance(-24 * time.Hour)

	// An inactive key is not rotated.
	err = w.wantNoEvent(t, func() error {
		w.clock.Advance(24 * time.Hour)
		defer w.clock.Advance(-24 * time.Hour)
		_, _, _, err := s.RotateAPIKey(ctx, old.ID, time.Hour, eccs.KeyOptions{})
		return err
	})
	wantErr(t, err, eccs.Conflict, "", "")
}

// A key is rotated once: its successor is rotated next, and the replaced key, once expired,
// says it was replaced.
func TestRotateAPIKeyOnce(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx, s := w.ctx, w.svc
	first, firstKey, err := s.IssueAPIKey(ctx, w.dave.ID, eccs.KeyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	second, _, _, err := s.RotateAPIKey(ctx, first.ID, time.Hour, eccs.KeyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if stored := must(s.APIKeyOf(ctx, first.ID))(t); stored.ReplacedBy != second.ID {
		t.Fatalf("ReplacedBy %q, want %q", stored.ReplacedBy, second.ID)
	}
	_, _, _, err = s.RotateAPIKey(ctx, first.ID, time.Hour, eccs.KeyOptions{})
	wantErr(t, err, eccs.Conflict, "", "")
	if _, _, _, err := s.RotateAPIKey(ctx, second.ID, time.Hour, eccs.KeyOptions{}); err != nil {
		t.Fatalf("rotating the successor: %v", err)
	}
	w.clock.Advance(time.Hour)
	defer w.clock.Advance(-time.Hour)
	_, _, err = s.AccountForKey(ctx, firstKey)
	var e *eccs.Error
	if !errors.As(err, &e) || e.Code != eccs.Unauthenticated || !strings.Contains(e.Message, "replaced by a new key") {
		t.Fatalf("a replaced key after the overlap: %v, want a message saying it was replaced", err)
	}
}

// The overlap never extends the old key past its own expiry; the new key has its options' lifetime.
func TestRotateAPIKeyOverlapNeverExtends(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx, s := w.ctx, w.svc
	short, shortKey, err := s.IssueAPIKey(ctx, w.dave.ID, eccs.KeyOptions{TTL: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	_, newKey, _, err := s.RotateAPIKey(ctx, short.ID, 7*24*time.Hour, eccs.KeyOptions{TTL: 48 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if stored := must(s.APIKeyOf(ctx, short.ID))(t); !stored.ExpiresAt.Equal(short.ExpiresAt) {
		t.Errorf("old key now expires %v, want its own %v", stored.ExpiresAt, short.ExpiresAt)
	}
	w.clock.Advance(time.Hour)
	defer w.clock.Advance(-time.Hour)
	_, _, err = s.AccountForKey(ctx, shortKey)
	wantErr(t, err, eccs.Unauthenticated, "", "")
	k := w.keyOf(t, newKey)
	if !k.ExpiresAt.Equal(t0.Add(48 * time.Hour)) {
		t.Errorf("new key expires %v, want its options' TTL", k.ExpiresAt)
	}
}

// Without an overlap the old key stops at once.
func TestRotateAPIKeyWithoutOverlap(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx, s := w.ctx, w.svc
	old := w.keyOf(t, w.ritaKey)
	_, newKey, _, err := s.RotateAPIKey(ctx, old.ID, 0, eccs.KeyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = s.AccountForKey(ctx, w.ritaKey)
	wantErr(t, err, eccs.Unauthenticated, "", "")
	w.keyOf(t, newKey)
}

// Rotating a revoked key is a conflict that issues no key.
func TestRotateAPIKeyRevoked(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx, s := w.ctx, w.svc
	k, _, err := s.IssueAPIKey(ctx, w.dave.ID, eccs.KeyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	must(s.RevokeAPIKey(ctx, k.ID))(t)
	keysBefore, _ := must2(s.APIKeys(ctx, eccs.KeyQuery{AccountID: w.dave.ID, IncludeInactive: true}))(t)
	err = w.wantNoEvent(t, func() error { _, _, _, err := s.RotateAPIKey(ctx, k.ID, time.Hour, eccs.KeyOptions{}); return err })
	wantErr(t, err, eccs.Conflict, "", "")
	if keysAfter, _ := must2(s.APIKeys(ctx, eccs.KeyQuery{AccountID: w.dave.ID, IncludeInactive: true}))(t); len(keysAfter) != len(keysBefore) {
		t.Errorf("a refused rotation issued a key")
	}
}

// Unknown keys and invalid options are refused, unrecorded, and leave the old key as it was.
func TestRotateAPIKeyRefusals(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx, s := w.ctx, w.svc
	old := w.keyOf(t, w.adminKey)
	for _, tc := range []struct {
		name    string
		id      string
		overlap time.Duration
		opts    eccs.KeyOptions
		code    eccs.Code
		field   string
	}{
		{"unknown key", "nosuchkey0000000", time.Hour, eccs.KeyOptions{}, eccs.NotFound, ""},
		{"negative overlap", old.ID, -time.Second, eccs.KeyOptions{}, eccs.Invalid, "overlap"},
		{"negative lifetime", old.ID, time.Hour, eccs.KeyOptions{TTL: -time.Hour}, eccs.Invalid, "ttl"},
		{"short preset key", old.ID, time.Hour, eccs.KeyOptions{Secret: "short"}, eccs.Invalid, "secret"},
		// The old key's expiry is written before the new key clashes: the rollback undoes it.
		{"preset key that exists", old.ID, time.Hour, eccs.KeyOptions{Secret: w.daveKey}, eccs.Conflict, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := w.wantNoEvent(t, func() error { _, _, _, err := s.RotateAPIKey(ctx, tc.id, tc.overlap, tc.opts); return err })
			wantErr(t, err, tc.code, "", tc.field)
		})
	}
	if stored := must(s.APIKeyOf(ctx, old.ID))(t); stored != old {
		t.Errorf("refused rotations changed the key:\n%+v\n%+v", old, stored)
	}
}

// expiringKeys is an environment with two client accounts, acct and other, and keys named by
// when they expire, issued an hour before now: in10, in29 and in40 days of acct, in20 of other;
// a key of acct revoked, which would expire in 5 days, and one that has expired.
type expiringKeys struct {
	w                                           *env
	acct                                        eccs.Account
	in10, in20, in29, in40, revokedIn5, expired eccs.APIKey
}

func newExpiringKeys(t *testing.T) expiringKeys {
	w := newEnv(t)
	ctx, s := w.ctx, w.svc
	acct := must(s.CreateAccount(ctx, eccs.NewAccount{Type: eccs.AccountClient,
		Person: eccs.Person{LastName: "Keys", FirstName: "Kim", Email: "kim@acme.example"}}))(t)
	other := must(s.CreateAccount(ctx, eccs.NewAccount{Type: eccs.AccountClient,
		Person: eccs.Person{LastName: "Other", FirstName: "Otto", Email: "otto@acme.example"}}))(t)
	issue := func(a eccs.Account, ttl time.Duration) eccs.APIKey {
		k, _, err := s.IssueAPIKey(ctx, a.ID, eccs.KeyOptions{TTL: ttl})
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	day := 24 * time.Hour
	k := expiringKeys{w: w, acct: acct}
	k.in10 = issue(acct, 10*day)
	k.in20 = issue(other, 20*day)
	k.in29 = issue(acct, 29*day)
	k.in40 = issue(acct, 40*day)
	k.revokedIn5 = issue(acct, 5*day)
	must(s.RevokeAPIKey(ctx, k.revokedIn5.ID))(t)
	k.expired = issue(acct, time.Hour)
	w.clock.Advance(time.Hour) // expired is now past its expiry; the others have an hour less
	return k
}

func keyIDs(list []eccs.APIKey) []string {
	out := make([]string, len(list))
	for i, k := range list {
		out[i] = k.ID
	}
	return out
}

// TestExpiringAPIKeys checks the list of the active keys that expire within a duration, soonest
// first, and its paging.
func TestExpiringAPIKeys(t *testing.T) {
	t.Parallel()
	k := newExpiringKeys(t)
	ctx, s, day := k.w.ctx, k.w.svc, 24*time.Hour
	in10, in20, in29 := k.in10, k.in20, k.in29
	for _, tc := range []struct {
		name   string
		within time.Duration
		page   eccs.Page
		want   []eccs.APIKey
	}{
		{"within 30 days, soonest first, active only", 30 * day, eccs.Page{}, []eccs.APIKey{in10, in20, in29}},
		{"within 10 days: a key expiring in 10 days minus an hour", 10 * day, eccs.Page{}, []eccs.APIKey{in10}},
		{"within a day: nothing", day, eccs.Page{}, nil},
		{"paging keeps the total", 30 * day, eccs.Page{Offset: 1, Limit: 1}, []eccs.APIKey{in20}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			list, total := must2(s.APIKeys(ctx, eccs.KeyQuery{ExpiringWithin: tc.within, Page: tc.page}))(t)
			if got, want := keyIDs(list), keyIDs(tc.want); !slices.Equal(got, want) {
				t.Errorf("got %v, want %v", got, want)
			}
			if tc.page.Limit == 0 && total != len(tc.want) || tc.page.Limit > 0 && total != 3 {
				t.Errorf("total %d", total)
			}
		})
	}
}

// The keys of one account are its active ones, or all of them with the inactive ones.
func TestAPIKeysOfOneAccount(t *testing.T) {
	t.Parallel()
	k := newExpiringKeys(t)
	ctx, s, acct := k.w.ctx, k.w.svc, k.acct
	in10, in29, in40, revokedIn5, expired := k.in10, k.in29, k.in40, k.revokedIn5, k.expired
	active, total := must2(s.APIKeys(ctx, eccs.KeyQuery{AccountID: acct.ID}))(t)
	if got := keyIDs(active); !slices.Equal(got, keyIDs([]eccs.APIKey{in10, in29, in40})) || total != 3 {
		t.Errorf("active: %v", got)
	}
	all, total := must2(s.APIKeys(ctx, eccs.KeyQuery{AccountID: acct.ID, IncludeInactive: true}))(t)
	if got := keyIDs(all); !slices.Equal(got, keyIDs([]eccs.APIKey{expired, revokedIn5, in10, in29, in40})) || total != 5 {
		t.Errorf("all: %v", got)
	}
}

// A key expires soon within KeyExpiryWarning of its expiry, and is active until its expiry or
// revocation.
func TestAPIKeyExpiresSoonAndActive(t *testing.T) {
	t.Parallel()
	k := newExpiringKeys(t)
	w, ctx, s, day := k.w, k.w.ctx, k.w.svc, 24*time.Hour
	in10, in29, in40, revokedIn5 := k.in10, k.in29, k.in40, k.revokedIn5
	now := w.clock.Now()
	for _, tc := range []struct {
		name         string
		k            eccs.APIKey
		at           time.Time
		soon, active bool
	}{
		{"in 29 days is soon", in29, now, true, true},
		{"in 40 days is not soon", in40, now, false, true},
		{"exactly 30 days before expiry is not soon", in40, in40.ExpiresAt.Add(-eccs.KeyExpiryWarning), false, true},
		{"just under 30 days is soon", in40, in40.ExpiresAt.Add(-eccs.KeyExpiryWarning + time.Microsecond), true, true},
		{"at expiry is inactive", in10, in10.ExpiresAt, true, false},
		{"revoked is inactive", must(s.APIKeyOf(ctx, revokedIn5.ID))(t), now, true, false},
		{"revoked later is active until then", eccs.APIKey{ExpiresAt: now.Add(day), RevokedAt: now.Add(time.Hour)}, now, true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.k.ExpiresSoon(tc.at); got != tc.soon {
				t.Errorf("ExpiresSoon = %v", got)
			}
			if got := tc.k.Active(tc.at); got != tc.active {
				t.Errorf("Active = %v", got)
			}
		})
	}
}

// TestRecordKeyUse checks how the last use of keys is written, step after step on the same
// keys, each an hour after the last, counting the writes.
func TestRecordKeyUse(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	counting := &countingStore{Store: w.store}
	r := &keyUses{w: w, counting: counting, s: w.serviceOn(counting, nil)}
	t.Run("at most once a minute per key", r.wantOncePerMinute)
	t.Run("concurrent uses write once", r.wantConcurrentUsesWriteOnce)
	t.Run("never undoes a revocation", r.wantRevocationKept)
	t.Run("never undoes a rotation", r.wantRotationKept)
	t.Run("unknown key is not found", r.wantUnknownKeyNotFound)
}

// keyUses is a world and a Service over its store that counts the writes of keys' uses.
type keyUses struct {
	w        *world
	counting *countingStore
	s        *eccs.Service
}

// stored returns the stored key id.
func (r *keyUses) stored(t *testing.T, id string) eccs.APIKey {
	t.Helper()
	return must(r.w.store.APIKey(r.w.ctx, id))(t)
}

// wantOncePerMinute checks that a key's use is written at most once a minute, from whatever
// address, and each key's apart.
func (r *keyUses) wantOncePerMinute(t *testing.T) {
	w, counting, s, ctx := r.w, r.counting, r.s, r.w.ctx
	k := w.keyOf(t, w.carolKey)
	if err := s.RecordKeyUse(ctx, k, "192.0.2.1"); err != nil {
		t.Fatal(err)
	}
	if got := r.stored(t, k.ID); !got.LastUsedAt.Equal(t0) || got.LastUsedFrom != "192.0.2.1" {
		t.Fatalf("after the first use: %v from %q", got.LastUsedAt, got.LastUsedFrom)
	}
	w.clock.Advance(59 * time.Second)
	// From another address too: the key was written less than a minute ago.
	for _, from := range []string{"192.0.2.1", "198.51.100.7"} {
		if err := s.RecordKeyUse(ctx, w.keyOf(t, w.carolKey), from); err != nil {
			t.Fatal(err)
		}
	}
	if got := r.stored(t, k.ID); !got.LastUsedAt.Equal(t0) || got.LastUsedFrom != "192.0.2.1" || counting.touches.Load() != 1 {
		t.Errorf("within the minute: %v from %q, %d writes", got.LastUsedAt, got.LastUsedFrom, counting.touches.Load())
	}
	w.clock.Advance(time.Second)
	if err := s.RecordKeyUse(ctx, w.keyOf(t, w.carolKey), "198.51.100.7"); err != nil {
		t.Fatal(err)
	}
	if got := r.stored(t, k.ID); !got.LastUsedAt.Equal(t0.Add(time.Minute)) || got.LastUsedFrom != "198.51.100.7" || counting.touches.Load() != 2 {
		t.Errorf("a minute later: %v from %q, %d writes", got.LastUsedAt, got.LastUsedFrom, counting.touches.Load())
	}
	// Another key is written independently.
	if err := s.RecordKeyUse(ctx, w.keyOf(t, w.ritaKey), "192.0.2.9"); err != nil {
		t.Fatal(err)
	}
	if counting.touches.Load() != 3 {
		t.Errorf("another key's use was not written")
	}
}

// wantConcurrentUsesWriteOnce checks that 20 uses of a key at once write its last use once.
func (r *keyUses) wantConcurrentUsesWriteOnce(t *testing.T) {
	w, counting, s, ctx := r.w, r.counting, r.s, r.w.ctx
	w.clock.Advance(time.Hour)
	k := w.keyOf(t, w.daveKey)
	before := counting.touches.Load()
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for range 20 {
		wg.Go(func() { errs <- s.RecordKeyUse(ctx, k, "203.0.113.5") })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if n := counting.touches.Load() - before; n != 1 {
		t.Errorf("20 concurrent uses wrote %d times", n)
	}
	if got := r.stored(t, k.ID); !got.LastUsedAt.Equal(w.clock.Now()) {
		t.Errorf("LastUsedAt %v", got.LastUsedAt)
	}
}

// wantRevocationKept checks that the use of a key read before its revocation leaves it revoked.
func (r *keyUses) wantRevocationKept(t *testing.T) {
	w, s, ctx := r.w, r.s, r.w.ctx
	w.clock.Advance(time.Hour)
	stale := w.keyOf(t, w.adminKey) // read by a request before the revocation
	revoked := must(s.RevokeAPIKey(ctx, stale.ID))(t)
	if err := s.RecordKeyUse(ctx, stale, "192.0.2.66"); err != nil {
		t.Fatal(err)
	}
	got := r.stored(t, stale.ID)
	if !got.RevokedAt.Equal(revoked.RevokedAt) || got.LastUsedFrom != "192.0.2.66" {
		t.Errorf("after the stale use: %+v", got)
	}
	_, _, err := s.AccountForKey(ctx, w.adminKey)
	wantErr(t, err, eccs.Unauthenticated, "", "")
}

// wantRotationKept checks that the use of a key read before its rotation leaves its new expiry.
func (r *keyUses) wantRotationKept(t *testing.T) {
	w, s, ctx := r.w, r.s, r.w.ctx
	w.clock.Advance(time.Hour)
	stale := w.keyOf(t, w.ritaKey)
	_, _, _, err := s.RotateAPIKey(ctx, stale.ID, time.Minute, eccs.KeyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.RecordKeyUse(ctx, stale, "192.0.2.67"); err != nil {
		t.Fatal(err)
	}
	if got := r.stored(t, stale.ID); !got.ExpiresAt.Equal(w.clock.Now().Add(time.Minute)) {
		t.Errorf("the rotated key now expires %v", got.ExpiresAt)
	}
}

// wantUnknownKeyNotFound checks that the use of an unknown key is not found.
func (r *keyUses) wantUnknownKeyNotFound(t *testing.T) {
	w, s, ctx := r.w, r.s, r.w.ctx
	w.clock.Advance(time.Hour)
	err := s.RecordKeyUse(ctx, eccs.APIKey{ID: "nosuchkey0000000"}, "192.0.2.1")
	wantErr(t, err, eccs.NotFound, "", "")
}
