package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/eccs/eccs/internal/eccs"
)

// This file checks what the operator side keeps: operator tokens, claim links and the audit
// trail.

func operatorToken(id, hash string, created int) eccs.OperatorToken {
	return eccs.OperatorToken{ID: id, Name: "Token " + id, Hash: hash, Prefix: "eccsop_" + id, CreatedAt: at(created)}
}

func operatorTokenID(t eccs.OperatorToken) string { return t.ID }

func testOperatorTokens(t *testing.T, open func(t *testing.T) eccs.Store) {
	for _, tc := range []struct {
		name  string
		token func() eccs.OperatorToken
	}{
		{"new token without expiry reads back equal with zero times", func() eccs.OperatorToken {
			return operatorToken("op-1", "ophash-1", 1)
		}},
		{"expiring, revoked, used token reads back equal", func() eccs.OperatorToken {
			o := operatorToken("op-1", "ophash-1", 1)
			o.ExpiresAt, o.RevokedAt, o.LastUsedAt = at(100), at(50), at(49)
			return o
		}},
	} {
		t.Run(tc.name, func(t *testing.T) { operatorTokenReadsBack(t, open(t), tc.token()) })
	}
	runStoreCases(t, open, []storeCase{
		{"tokens are listed by creation time then id", operatorTokensListed},
		{"no tokens is an empty list", func(t *testing.T, s eccs.Store) {
			list, err := s.OperatorTokens(t.Context())
			checkPage(t, list, 0, err, operatorTokenID, []string{}, 0)
		}},
		{"updated token reads back with its name, expiry and revocation changed", operatorTokenUpdated},
		{"touched token records its last use and keeps everything else", operatorTokenTouched},
	})
	runErrorCases(t, open, operatorTokenErrors())
}

// operatorTokenReadsBack stores o and checks that both lookups return it unchanged.
func operatorTokenReadsBack(t *testing.T, s eccs.Store, o eccs.OperatorToken) {
	must(t, s.CreateOperatorToken(t.Context(), o))
	got, err := s.OperatorToken(t.Context(), o.ID)
	must(t, err)
	equal(t, "OperatorToken", got, o)
	got, err = s.OperatorTokenByHash(t.Context(), o.Hash)
	must(t, err)
	equal(t, "OperatorTokenByHash", got, o)
}

func operatorTokensListed(t *testing.T, s eccs.Store) {
	tokens := []eccs.OperatorToken{
		operatorToken("op-b", "h-b", 5), operatorToken("op-c", "h-c", 1), operatorToken("op-a", "h-a", 5),
	}
	tokens[0].RevokedAt = at(6) // revoked tokens are listed too
	for _, o := range tokens {
		must(t, s.CreateOperatorToken(t.Context(), o))
	}
	list, err := s.OperatorTokens(t.Context())
	must(t, err)
	equal(t, "OperatorTokens", list, []eccs.OperatorToken{tokens[1], tokens[2], tokens[0]})
}

// operatorTokenUpdated checks that UpdateOperatorToken replaces the name, expiry and
// revocation of that one token and nothing else.
func operatorTokenUpdated(t *testing.T, s eccs.Store) {
	o := operatorToken("op-1", "ophash-1", 1)
	o.ExpiresAt = at(100)
	must(t, s.CreateOperatorToken(t.Context(), o))
	must(t, s.CreateOperatorToken(t.Context(), operatorToken("op-2", "ophash-2", 2)))
	o.Name, o.ExpiresAt, o.RevokedAt = "Renamed", time.Time{}, at(20)
	changed := o
	// Not replaced: the hash, prefix, creation time and last use (TouchOperatorToken's).
	changed.Hash, changed.Prefix, changed.CreatedAt, changed.LastUsedAt = "ophash-9", "other", at(99), at(19)
	must(t, s.UpdateOperatorToken(t.Context(), changed))
	got, err := s.OperatorTokenByHash(t.Context(), "ophash-1")
	must(t, err)
	equal(t, "OperatorToken", got, o)
	other, err := s.OperatorToken(t.Context(), "op-2")
	must(t, err)
	equal(t, "untouched OperatorToken", other, operatorToken("op-2", "ophash-2", 2))
}

// operatorTokenTouched checks that TouchOperatorToken sets the last use only: a revocation
// made meanwhile stays.
func operatorTokenTouched(t *testing.T, s eccs.Store) {
	o := operatorToken("op-1", "ophash-1", 1)
	o.Name, o.ExpiresAt, o.RevokedAt = "Revoked meanwhile", at(100), at(50)
	must(t, s.CreateOperatorToken(t.Context(), o))
	must(t, s.TouchOperatorToken(t.Context(), o.ID, at(49)))
	o.LastUsedAt = at(49)
	got, err := s.OperatorToken(t.Context(), o.ID)
	must(t, err)
	equal(t, "OperatorToken", got, o)
}

// withOperatorToken stores the token op-1, with the hash ophash-1, that the error cases look
// beside.
func withOperatorToken(ctx context.Context, t *testing.T, s eccs.Store) {
	must(t, s.CreateOperatorToken(ctx, operatorToken("op-1", "ophash-1", 1)))
}

func operatorTokenErrors() []errorCase {
	return []errorCase{
		{"unknown token id is NotFound", func(ctx context.Context, t *testing.T, s eccs.Store, w world) error {
			withOperatorToken(ctx, t, s)
			_, err := s.OperatorToken(ctx, "op-2")
			return err
		}, eccs.NotFound},
		{"unknown token hash is NotFound", func(ctx context.Context, t *testing.T, s eccs.Store, w world) error {
			withOperatorToken(ctx, t, s)
			_, err := s.OperatorTokenByHash(ctx, "ophash-2")
			return err
		}, eccs.NotFound},
		{"an API key's hash is no operator token's", func(ctx context.Context, t *testing.T, s eccs.Store, w world) error {
			withOperatorToken(ctx, t, s)
			must(t, s.CreateAccount(ctx, w.clientAccount("acct-1", w.bob)))
			must(t, s.CreateAPIKey(ctx, apiKey("key-1", "acct-1", "shared-hash")))
			_, err := s.OperatorTokenByHash(ctx, "shared-hash")
			return err
		}, eccs.NotFound},
		{"taken token hash is Conflict", func(ctx context.Context, t *testing.T, s eccs.Store, w world) error {
			withOperatorToken(ctx, t, s)
			return s.CreateOperatorToken(ctx, operatorToken("op-2", "ophash-1", 2))
		}, eccs.Conflict},
		{"taken token id is Conflict", func(ctx context.Context, t *testing.T, s eccs.Store, w world) error {
			withOperatorToken(ctx, t, s)
			return s.CreateOperatorToken(ctx, operatorToken("op-1", "ophash-2", 2))
		}, eccs.Conflict},
		{"touching an unknown token is NotFound", func(ctx context.Context, t *testing.T, s eccs.Store, w world) error {
			withOperatorToken(ctx, t, s)
			return s.TouchOperatorToken(ctx, "op-2", at(3))
		}, eccs.NotFound},
		{"updating an unknown token is NotFound", func(ctx context.Context, t *testing.T, s eccs.Store, w world) error {
			withOperatorToken(ctx, t, s)
			return s.UpdateOperatorToken(ctx, operatorToken("op-2", "ophash-2", 2))
		}, eccs.NotFound},
	}
}

// claim returns a claim whose sealed secret holds every byte value, so that an encoding that
// loses or changes bytes shows.
func claim(id, hash string, expires time.Time) eccs.Claim {
	sealed := make([]byte, 256)
	for i := range sealed {
		sealed[i] = byte(255 - i)
	}
	return eccs.Claim{ID: id, Hash: hash, Kind: eccs.ClaimAPIKey, ObjectID: "key-" + id, Sealed: sealed,
		CreatedAt: at(1), ExpiresAt: expires}
}

func testClaims(t *testing.T, open func(t *testing.T) eccs.Store) {
	for _, tc := range []struct {
		name  string
		claim func() eccs.Claim
	}{
		{"taken API key claim equals the one created", func() eccs.Claim { return claim("cl-1", "clhash-1", at(60)) }},
		{"taken client secret claim equals the one created", func() eccs.Claim {
			c := claim("cl-1", "clhash-1", at(60))
			c.Kind, c.ObjectID, c.Sealed = eccs.ClaimClientSecret, "app-1", []byte{0, '\n', 0xff}
			return c
		}},
		{"expired claim is taken too (the caller checks the expiry)", func() eccs.Claim { return claim("cl-1", "clhash-1", at(-60)) }},
	} {
		t.Run(tc.name, func(t *testing.T) { claimTakenOnce(t, open(t), tc.claim()) })
	}
	runStoreCases(t, open, []storeCase{
		{"a claim is read without being taken, expired or not", claimRead},
		{"taking one claim leaves the others", claimTakenAmongOthers},
		{"claim taken in a rolled-back transaction is there again", claimTakenInRollback},
		{"of 20 concurrent takers exactly one gets the claim", claimTakenConcurrently},
		{"expired claims are deleted strictly before the given time, and counted", claimsDeletedBefore},
		{"deleting expired claims keeps the others takable", claimsDeletedAmongOthers},
	})
	runErrorCases(t, open, claimErrors())
}

// claimTakenOnce stores c and checks that the first take returns it whole and the second
// finds nothing: a claim is used once.
func claimTakenOnce(t *testing.T, s eccs.Store, c eccs.Claim) {
	must(t, s.CreateClaim(t.Context(), c))
	got, err := s.TakeClaim(t.Context(), c.Hash)
	must(t, err)
	equal(t, "Claim", got, c)
	_, err = s.TakeClaim(t.Context(), c.Hash)
	checkCode(t, err, eccs.NotFound)
}

// claimRead checks that Claim reads without taking, in and out of a transaction, and stops
// finding a claim once it is taken or deleted.
func claimRead(t *testing.T, s eccs.Store) {
	live, expired := claim("cl-1", "clhash-1", at(60)), claim("cl-2", "clhash-2", at(-60))
	expired.Kind, expired.ObjectID, expired.Sealed = eccs.ClaimClientSecret, "app-2", nil
	for _, c := range []eccs.Claim{live, expired} {
		must(t, s.CreateClaim(t.Context(), c))
	}
	for range 2 { // reading twice: the first read did not take it
		for _, c := range []eccs.Claim{live, expired} {
			got, err := s.Claim(t.Context(), c.Hash)
			must(t, err)
			equal(t, "Claim", got, c)
		}
	}
	// In a transaction too, and what it reads is still there afterwards.
	must(t, s.InTx(t.Context(), func(tx eccs.Store) error {
		got, err := tx.Claim(t.Context(), live.Hash)
		must(t, err)
		equal(t, "Claim in a transaction", got, live)
		return nil
	}))
	got, err := s.TakeClaim(t.Context(), live.Hash)
	must(t, err)
	equal(t, "taken Claim", got, live)
	_, err = s.Claim(t.Context(), live.Hash)
	checkCode(t, err, eccs.NotFound)
	got, err = s.Claim(t.Context(), expired.Hash)
	must(t, err)
	equal(t, "the other Claim", got, expired)
	n, err := s.DeleteClaims(t.Context(), at(0))
	must(t, err)
	if n != 1 {
		t.Fatalf("DeleteClaims = %d, want 1", n)
	}
	_, err = s.Claim(t.Context(), expired.Hash)
	checkCode(t, err, eccs.NotFound)
}

func claimTakenAmongOthers(t *testing.T, s eccs.Store) {
	must(t, s.CreateClaim(t.Context(), claim("cl-1", "clhash-1", at(60))))
	must(t, s.CreateClaim(t.Context(), claim("cl-2", "clhash-2", at(60))))
	_, err := s.TakeClaim(t.Context(), "clhash-1")
	must(t, err)
	got, err := s.TakeClaim(t.Context(), "clhash-2")
	must(t, err)
	equal(t, "Claim", got, claim("cl-2", "clhash-2", at(60)))
}

func claimTakenInRollback(t *testing.T, s eccs.Store) {
	c := claim("cl-1", "clhash-1", at(60))
	must(t, s.CreateClaim(t.Context(), c))
	err := s.InTx(t.Context(), func(tx eccs.Store) error {
		_, err := tx.TakeClaim(t.Context(), c.Hash)
		must(t, err)
		return errRollback
	})
	if !errors.Is(err, errRollback) {
		t.Fatalf("InTx = %v, want the function's error", err)
	}
	got, err := s.TakeClaim(t.Context(), c.Hash)
	must(t, err)
	equal(t, "Claim", got, c)
}

// claimTakenConcurrently lets 20 takers, half of them in transactions, race for each of 5
// claims: a claim is a one-time secret, so exactly one may get it and the others NotFound.
func claimTakenConcurrently(t *testing.T, s eccs.Store) {
	const takers, rounds = 20, 5
	for r := range rounds {
		c := claim(fmt.Sprintf("cl-%d", r), fmt.Sprintf("clhash-%d", r), at(60))
		must(t, s.CreateClaim(t.Context(), c))
		var wg sync.WaitGroup
		start := make(chan struct{})
		got := make([]eccs.Claim, takers)
		errs := make([]error, takers)
		for i := range takers {
			wg.Go(func() {
				<-start
				if i%2 == 0 {
					got[i], errs[i] = s.TakeClaim(t.Context(), c.Hash)
					return
				}
				errs[i] = s.InTx(t.Context(), func(tx eccs.Store) error {
					var err error
					got[i], err = tx.TakeClaim(t.Context(), c.Hash)
					return err
				})
			})
		}
		close(start)
		wg.Wait()
		winners := 0
		for i, err := range errs {
			if err == nil {
				winners++
				equal(t, "taken Claim", got[i], c)
				continue
			}
			checkCode(t, err, eccs.NotFound)
		}
		if winners != 1 {
			t.Fatalf("round %d: %d takers got the claim, want exactly 1", r, winners)
		}
	}
}

// claimsDeletedBefore checks DeleteClaims's boundary (expiry strictly before the time) and
// count, one microsecond either side.
func claimsDeletedBefore(t *testing.T, s eccs.Store) {
	tick := time.Microsecond
	for _, c := range []eccs.Claim{
		claim("cl-1", "clhash-1", at(10)),
		claim("cl-2", "clhash-2", at(20)),
		claim("cl-3", "clhash-3", at(20).Add(tick)),
		claim("cl-4", "clhash-4", at(30)),
		claim("cl-5", "clhash-5", at(30)),
	} {
		must(t, s.CreateClaim(t.Context(), c))
	}
	for _, step := range []struct {
		before time.Time
		want   int
	}{
		{at(5), 0},
		{at(20).Add(-tick), 1}, // cl-1; cl-2 expires a tick later and stays
		{at(20), 1},            // cl-2, which expires at exactly that time
		{at(20), 0},            // nothing left at or before that time
		{at(30), 3},            // cl-3, cl-4, cl-5
		{at(1000), 0},          // nothing left at all
	} {
		n, err := s.DeleteClaims(t.Context(), step.before)
		must(t, err)
		if n != step.want {
			t.Fatalf("DeleteClaims(%v) = %d, want %d", step.before, n, step.want)
		}
	}
}

func claimsDeletedAmongOthers(t *testing.T, s eccs.Store) {
	must(t, s.CreateClaim(t.Context(), claim("cl-1", "clhash-1", at(10))))
	must(t, s.CreateClaim(t.Context(), claim("cl-2", "clhash-2", at(30))))
	n, err := s.DeleteClaims(t.Context(), at(20))
	must(t, err)
	if n != 1 {
		t.Errorf("DeleteClaims = %d, want 1", n)
	}
	_, err = s.TakeClaim(t.Context(), "clhash-1")
	checkCode(t, err, eccs.NotFound)
	_, err = s.TakeClaim(t.Context(), "clhash-2")
	must(t, err)
}

// withClaim stores the claim cl-1, with the hash clhash-1, that the error cases look beside.
func withClaim(ctx context.Context, t *testing.T, s eccs.Store) {
	must(t, s.CreateClaim(ctx, claim("cl-1", "clhash-1", at(60))))
}

func claimErrors() []errorCase {
	return []errorCase{
		{"unknown claim hash is NotFound", func(ctx context.Context, t *testing.T, s eccs.Store, w world) error {
			withClaim(ctx, t, s)
			_, err := s.TakeClaim(ctx, "clhash-2")
			return err
		}, eccs.NotFound},
		{"claim id is not a claim hash", func(ctx context.Context, t *testing.T, s eccs.Store, w world) error {
			withClaim(ctx, t, s)
			_, err := s.TakeClaim(ctx, "cl-1")
			return err
		}, eccs.NotFound},
		{"reading an unknown claim hash is NotFound", func(ctx context.Context, t *testing.T, s eccs.Store, w world) error {
			withClaim(ctx, t, s)
			_, err := s.Claim(ctx, "clhash-2")
			return err
		}, eccs.NotFound},
		{"reading by claim id is NotFound", func(ctx context.Context, t *testing.T, s eccs.Store, w world) error {
			withClaim(ctx, t, s)
			_, err := s.Claim(ctx, "cl-1")
			return err
		}, eccs.NotFound},
		{"taken claim hash is Conflict", func(ctx context.Context, t *testing.T, s eccs.Store, w world) error {
			withClaim(ctx, t, s)
			return s.CreateClaim(ctx, claim("cl-2", "clhash-1", at(60)))
		}, eccs.Conflict},
		{"taken claim id is Conflict", func(ctx context.Context, t *testing.T, s eccs.Store, w world) error {
			withClaim(ctx, t, s)
			return s.CreateClaim(ctx, claim("cl-1", "clhash-2", at(60)))
		}, eccs.Conflict},
	}
}

func auditEventID(e eccs.AuditEvent) string { return e.ID }

// auditEvents are the events of the audit tests, in the order lists give them: newest first,
// then highest id first among events of the same time (ev-3 and ev-2).
func auditEvents() []eccs.AuditEvent {
	ev := func(id string, minute int, actorType eccs.ActorType, actorID, action, objectType, objectID string) eccs.AuditEvent {
		return eccs.AuditEvent{ID: id, At: at(minute), ActorType: actorType, ActorID: actorID, RequestID: "req-" + id,
			Action: action, ObjectType: objectType, ObjectID: objectID}
	}
	list := []eccs.AuditEvent{
		ev("ev-6", 104, eccs.ActorAccount, "acct-1", "api_key.revoke", "api_key", "key-1"),
		ev("ev-5", 103, eccs.ActorOperator, "op-2", "contract.close", "contract", "OCB2"),
		ev("ev-4", 102, eccs.ActorSystem, "", "application.create", "application", "app-1"),
		ev("ev-3", 101, eccs.ActorOperator, "op-1", "api_key.create", "api_key", "key-1"),
		ev("ev-2", 101, eccs.ActorAccount, "acct-1", "contract.update", "contract", "OCB1"),
		ev("ev-1", 100, eccs.ActorOperator, "op-1", "contract.create", "contract", "OCB1"),
	}
	list[0].ApplicationID = "app-1"
	list[4].ApplicationID = "app-1"
	list[4].Details = map[string]string{"name": "New name", "referent": "id-bob", "quote": `"x" = {y}`}
	list[5].Details = map[string]string{"offer": "FE"}
	return list
}

func testAudit(t *testing.T, open func(t *testing.T) eccs.Store) {
	events := auditEvents()
	byID := map[string]eccs.AuditEvent{}
	for _, e := range events {
		byID[e.ID] = e
	}
	for _, tc := range auditFilterCases() {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			// Stored in another order than listed, so that insertion order cannot pass for sorting.
			for _, i := range []int{4, 1, 5, 0, 3, 2} {
				must(t, s.AppendAudit(t.Context(), events[i]))
			}
			list, total, err := s.AuditEvents(t.Context(), tc.filter)
			checkPage(t, list, total, err, auditEventID, tc.want, tc.total)
			for _, e := range list {
				equal(t, "listed event "+e.ID, e, byID[e.ID])
			}
		})
	}
	runStoreCases(t, open, []storeCase{
		{"nil and empty details both read back nil", auditDetailsNil},
		{"events appended in a rolled-back transaction are gone", auditRolledBack},
	})
	runErrorCases(t, open, []errorCase{
		{"taken event id is Conflict", func(ctx context.Context, t *testing.T, s eccs.Store, w world) error {
			e := auditEvents()[0]
			must(t, s.AppendAudit(ctx, e))
			e.Action = "other"
			return s.AppendAudit(ctx, e)
		}, eccs.Conflict},
	})
}

// auditFilterCases are the filters of AuditEvents on auditEvents, each with what it selects.
func auditFilterCases() []listCase[eccs.AuditFilter] {
	tick := time.Microsecond
	return []listCase[eccs.AuditFilter]{
		{"every event, newest first, highest id first at the same time",
			eccs.AuditFilter{}, []string{"ev-6", "ev-5", "ev-4", "ev-3", "ev-2", "ev-1"}, 6},
		{"actor type", eccs.AuditFilter{ActorType: eccs.ActorOperator}, []string{"ev-5", "ev-3", "ev-1"}, 3},
		{"actor type and id", eccs.AuditFilter{ActorType: eccs.ActorAccount, ActorID: "acct-1"}, []string{"ev-6", "ev-2"}, 2},
		{"actor id alone", eccs.AuditFilter{ActorID: "op-1"}, []string{"ev-3", "ev-1"}, 2},
		{"actor type and another type's id select nothing", eccs.AuditFilter{ActorType: eccs.ActorOperator, ActorID: "acct-1"}, []string{}, 0},
		{"system actor", eccs.AuditFilter{ActorType: eccs.ActorSystem}, []string{"ev-4"}, 1},
		{"object type", eccs.AuditFilter{ObjectType: "contract"}, []string{"ev-5", "ev-2", "ev-1"}, 3},
		{"object type and id", eccs.AuditFilter{ObjectType: "contract", ObjectID: "OCB1"}, []string{"ev-2", "ev-1"}, 2},
		{"object id alone", eccs.AuditFilter{ObjectID: "key-1"}, []string{"ev-6", "ev-3"}, 2},
		{"actor and object together", eccs.AuditFilter{ActorID: "op-1", ObjectType: "api_key"}, []string{"ev-3"}, 1},
		{"since includes events at that time", eccs.AuditFilter{Since: at(101)}, []string{"ev-6", "ev-5", "ev-4", "ev-3", "ev-2"}, 5},
		{"since one microsecond later excludes them", eccs.AuditFilter{Since: at(101).Add(tick)}, []string{"ev-6", "ev-5", "ev-4"}, 3},
		{"until excludes events at that time", eccs.AuditFilter{Until: at(101)}, []string{"ev-1"}, 1},
		{"until one microsecond later includes them", eccs.AuditFilter{Until: at(101).Add(tick)}, []string{"ev-3", "ev-2", "ev-1"}, 3},
		{"since and until select [since, until)", eccs.AuditFilter{Since: at(101), Until: at(103)}, []string{"ev-4", "ev-3", "ev-2"}, 3},
		{"since equal to until selects nothing", eccs.AuditFilter{Since: at(101), Until: at(101)}, []string{}, 0},
		{"since after until selects nothing", eccs.AuditFilter{Since: at(103), Until: at(101)}, []string{}, 0},
		{"time range and actor together", eccs.AuditFilter{ActorType: eccs.ActorOperator, Since: at(101)}, []string{"ev-5", "ev-3"}, 2},
		{"time range and object together", eccs.AuditFilter{ObjectType: "contract", ObjectID: "OCB1", Until: at(101)}, []string{"ev-1"}, 1},
		{"page is a slice of the sorted list with the full total",
			eccs.AuditFilter{Page: eccs.Page{Offset: 1, Limit: 2}}, []string{"ev-5", "ev-4"}, 6},
		{"page splits events of the same time in id order",
			eccs.AuditFilter{Page: eccs.Page{Offset: 3, Limit: 1}}, []string{"ev-3"}, 6},
		{"filtered page counts only what the filter selects",
			eccs.AuditFilter{ActorType: eccs.ActorOperator, Page: eccs.Page{Offset: 2}}, []string{"ev-1"}, 3},
		{"offset past the end is empty with the full total",
			eccs.AuditFilter{ObjectID: "key-1", Page: eccs.Page{Offset: 2, Limit: 5}}, []string{}, 2},
		{"unknown object selects nothing", eccs.AuditFilter{ObjectType: "contract", ObjectID: "OCB9"}, []string{}, 0},
	}
}

// auditDetailsNil checks that no details read back as nil whether they were stored nil or
// empty, so that callers need not tell the two apart.
func auditDetailsNil(t *testing.T, s eccs.Store) {
	for i, details := range []map[string]string{nil, {}} {
		e := eccs.AuditEvent{ID: fmt.Sprintf("ev-%d", i), At: at(i), ActorType: eccs.ActorSystem, Action: "seed",
			ObjectType: "customer", ObjectID: "cust-1", Details: details}
		must(t, s.AppendAudit(t.Context(), e))
	}
	list, _, err := s.AuditEvents(t.Context(), eccs.AuditFilter{})
	must(t, err)
	for _, e := range list {
		if e.Details != nil {
			t.Errorf("event %s Details = %#v, want nil", e.ID, e.Details)
		}
	}
}

func auditRolledBack(t *testing.T, s eccs.Store) {
	err := s.InTx(t.Context(), func(tx eccs.Store) error {
		must(t, tx.AppendAudit(t.Context(), auditEvents()[0]))
		return errRollback
	})
	if !errors.Is(err, errRollback) {
		t.Fatalf("InTx = %v, want the function's error", err)
	}
	list, total, err := s.AuditEvents(t.Context(), eccs.AuditFilter{})
	checkPage(t, list, total, err, auditEventID, []string{}, 0)
}
