package eccs_test

import (
	"context"
	"testing"
	"time"

	"github.com/eccs/eccs/internal/eccs"
)

// TestAnotherProcessChangesReachTheCacheWithinThePollInterval plays two replicas: two Services
// on one database. The second one has the key and the application in its cache; the first
// revokes the key and suspends the application; the second refuses both once its Watch has
// polled, and never later than the cache's lifetime.
func TestAnotherProcessChangesReachTheCacheWithinThePollInterval(t *testing.T) {
	w := newWorld(t)
	other := w.service(func(*eccs.Config) {})
	ctx, cancel := context.WithCancel(w.ctx)
	defer cancel()
	token, _, err := w.svc.IssueToken(ctx, appClientID, w.appSecret)
	if err != nil {
		t.Fatal(err)
	}
	// Warm the other replica's cache.
	if _, _, err := other.AccountForKey(ctx, w.carolKey); err != nil {
		t.Fatal(err)
	}
	if _, err := other.ApplicationForToken(ctx, token.Value); err != nil {
		t.Fatal(err)
	}
	go other.Watch(ctx, 5*time.Millisecond)

	k := w.keyOf(t, w.carolKey)
	if _, err := w.svc.RevokeAPIKey(ctx, k.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.SetApplicationStatus(ctx, w.app.ID, eccs.ApplicationSuspended); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	for {
		_, _, keyErr := other.AccountForKey(ctx, w.carolKey)
		_, appErr := other.ApplicationForToken(ctx, token.Value)
		if eccs.ErrorCode(keyErr) == eccs.Unauthenticated && eccs.ErrorCode(appErr) == eccs.Unauthenticated {
			t.Logf("the other replica refused both after %s", time.Since(start))
			return
		}
		if time.Since(start) > 5*time.Second {
			t.Fatalf("after 5 s the other replica still accepts: key %v, application %v", keyErr, appErr)
		}
		time.Sleep(time.Millisecond)
	}
}

// TestCachedRowsExpire: without a Watch, a row changed by another process is used at most
// for the cache's lifetime.
func TestCachedRowsExpire(t *testing.T) {
	w := newWorld(t)
	other := w.service(func(*eccs.Config) {})
	if _, _, err := other.AccountForKey(w.ctx, w.carolKey); err != nil {
		t.Fatal(err)
	}
	k := w.keyOf(t, w.carolKey)
	if _, err := w.svc.RevokeAPIKey(w.ctx, k.ID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := other.AccountForKey(w.ctx, w.carolKey); err != nil {
		t.Fatalf("the other replica refused at once without polling (no cache?): %v", err)
	}
	w.clock.Advance(11 * time.Second)
	if _, _, err := other.AccountForKey(w.ctx, w.carolKey); eccs.ErrorCode(err) != eccs.Unauthenticated {
		t.Fatalf("after the cache's lifetime the revoked key is still accepted: %v", err)
	}
}

// TestLocalChangesAreSeenAtOnce: the process that makes a change never serves the old row.
func TestLocalChangesAreSeenAtOnce(t *testing.T) {
	w := newWorld(t)
	if _, _, err := w.svc.AccountForKey(w.ctx, w.carolKey); err != nil {
		t.Fatal(err)
	}
	k := w.keyOf(t, w.carolKey)
	if _, err := w.svc.RevokeAPIKey(w.ctx, k.ID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := w.svc.AccountForKey(w.ctx, w.carolKey); eccs.ErrorCode(err) != eccs.Unauthenticated {
		t.Fatalf("the revoking process still accepts the key: %v", err)
	}
}
