package eccs_test

import (
	"context"
	"io"
	"strings"
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

// TestDocumentPagesFollowChanges: a page of documents is cached like the rows of the request
// path: the process that adds a document lists it at once, another process within the
// cache's lifetime (at once with Watch, as the test above shows for rows).
func TestDocumentPagesFollowChanges(t *testing.T) {
	w := newWorld(t)
	other := w.service(func(*eccs.Config) {})
	page := eccs.Page{Limit: 10}
	count := func(svc *eccs.Service) int {
		t.Helper()
		a, err := svc.ContractAccess(w.ctx, w.carol, "BA1-FE")
		if err != nil {
			t.Fatal(err)
		}
		list, total, err := svc.Documents(w.ctx, readerOf(t, a), nil, page)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != min(total, page.Limit) {
			t.Fatalf("a page of %d documents for a total of %d", len(list), total)
		}
		return total
	}
	before := count(w.svc)
	if got := count(other); got != before {
		t.Fatalf("the other process counts %d documents, this one %d", got, before)
	}
	nd := eccs.NewDocument{ContractID: "BA1-FE", Type: eccs.TypeBills, Filename: "bill-209901.xlsx",
		Period: "209901", Amount: 100, Currency: "EUR"}
	if _, err := w.svc.AddDocument(w.ctx, nd, strings.NewReader("bill"), 4); err != nil {
		t.Fatal(err)
	}
	if got := count(w.svc); got != before+1 {
		t.Fatalf("the adding process lists %d documents after adding one to %d", got, before)
	}
	if got := count(other); got != before {
		t.Fatalf("the other process lists %d documents at once, want its cached %d (is the page cached?)", got, before)
	}
	w.clock.Advance(11 * time.Second)
	if got := count(other); got != before+1 {
		t.Fatalf("after the cache's lifetime the other process lists %d documents, want %d", got, before+1)
	}
}

// TestCachedDocumentRowWhoseBytesWereReplacedElsewhere: another process replaces a document's
// bytes and deletes the old ones while this one still has the row in its cache; a download
// here gets the new bytes, never an error.
func TestCachedDocumentRowWhoseBytesWereReplacedElsewhere(t *testing.T) {
	w := newWorld(t)
	other := w.service(func(*eccs.Config) {})
	nd := eccs.NewDocument{ContractID: "BA1-FE", Type: eccs.TypeBills, Filename: "bill-209902.xlsx",
		Period: "209902", Amount: 100, Currency: "EUR"}
	d, err := w.svc.AddDocument(w.ctx, nd, strings.NewReader("old bytes"), 9)
	if err != nil {
		t.Fatal(err)
	}
	read := func(svc *eccs.Service) string {
		t.Helper()
		a, err := svc.ContractAccess(w.ctx, w.carol, "BA1-FE")
		if err != nil {
			t.Fatal(err)
		}
		_, blob, err := svc.OpenDocument(w.ctx, readerOf(t, a), d.ID)
		if err != nil {
			t.Fatal(err)
		}
		defer blob.Close()
		b, err := io.ReadAll(blob)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	if got := read(other); got != "old bytes" {
		t.Fatalf("first read: %q", got)
	}
	if _, err := w.svc.ReplaceDocument(w.ctx, "BA1-FE", d.ID, eccs.DocumentUpdate{}, strings.NewReader("new bytes"), 9); err != nil {
		t.Fatal(err)
	}
	if got := read(other); got != "new bytes" {
		t.Fatalf("after the bytes were replaced elsewhere: %q, want the new bytes", got)
	}
}
