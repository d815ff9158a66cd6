package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/eccs/eccs/internal/eccs"
)

// This file checks the outbox of events and the consumers' receipts.

// outboxEvent returns an event at minute n after the suite's epoch.
func outboxEvent(id string, n int) eccs.Event {
	return eccs.Event{ID: id, Type: "person.invited", ObjectType: "person", ObjectID: "id-" + id, At: at(n),
		Data: json.RawMessage(`{"email":"ann@example.com"}`)}
}

func testEvents(t *testing.T, open func(t *testing.T) eccs.Store) {
	runStoreCases(t, open, []storeCase{
		{"pending events are oldest first and read back equal", eventsPendingInOrder},
		{"an acknowledged event is no longer pending for that consumer only", eventsAcknowledged},
		{"an event added in a rolled-back transaction is gone", eventsRolledBack},
		{"pruning removes only old events every consumer handled", eventsPruned},
		{"empty data reads back as an empty object", func(t *testing.T, s eccs.Store) {
			e := outboxEvent("ev-empty", 0)
			e.Data = nil
			must(t, s.AddEvent(t.Context(), e))
			got, err := s.PendingEvents(t.Context(), "mail", 10)
			must(t, err)
			if len(got) != 1 || string(got[0].Data) != "{}" {
				t.Fatalf("PendingEvents = %+v, want one event with data {}", got)
			}
		}},
	})
	runErrorCases(t, open, []errorCase{
		{"taken event id is Conflict", func(ctx context.Context, t *testing.T, s eccs.Store, w world) error {
			must(t, s.AddEvent(ctx, outboxEvent("ev-1", 0)))
			return s.AddEvent(ctx, outboxEvent("ev-1", 1))
		}, eccs.Conflict},
		{"a second receipt of one consumer is Conflict", func(ctx context.Context, t *testing.T, s eccs.Store, w world) error {
			must(t, s.AddEvent(ctx, outboxEvent("ev-1", 0)))
			must(t, s.AckEvent(ctx, "mail", "ev-1", at(1)))
			return s.AckEvent(ctx, "mail", "ev-1", at(2))
		}, eccs.Conflict},
		{"a receipt of an unknown event is NotFound", func(ctx context.Context, t *testing.T, s eccs.Store, w world) error {
			return s.AckEvent(ctx, "mail", "ev-none", at(1))
		}, eccs.NotFound},
	})
}

func eventsPendingInOrder(t *testing.T, s eccs.Store) {
	// Added in another order than they happened, so that insertion order cannot pass for it.
	want := []eccs.Event{outboxEvent("ev-b", 1), outboxEvent("ev-a", 2), outboxEvent("ev-c", 2), outboxEvent("ev-d", 3)}
	for _, i := range []int{3, 1, 0, 2} {
		must(t, s.AddEvent(t.Context(), want[i]))
	}
	got, err := s.PendingEvents(t.Context(), "mail", 10)
	must(t, err)
	equal(t, "PendingEvents", got, want)
	got, err = s.PendingEvents(t.Context(), "mail", 2)
	must(t, err)
	equal(t, "PendingEvents with a limit of 2", got, want[:2])
}

func eventsAcknowledged(t *testing.T, s eccs.Store) {
	for i, id := range []string{"ev-1", "ev-2"} {
		must(t, s.AddEvent(t.Context(), outboxEvent(id, i)))
	}
	must(t, s.AckEvent(t.Context(), "mail", "ev-1", at(5)))
	pendingIDs := func(consumer string) []string {
		list, err := s.PendingEvents(t.Context(), consumer, 10)
		must(t, err)
		var ids []string
		for _, e := range list {
			ids = append(ids, e.ID)
		}
		return ids
	}
	equal(t, "pending for mail", pendingIDs("mail"), []string{"ev-2"})
	equal(t, "pending for webhooks", pendingIDs("webhooks"), []string{"ev-1", "ev-2"})
}

func eventsRolledBack(t *testing.T, s eccs.Store) {
	errBoom := errors.New("boom")
	err := s.InTx(t.Context(), func(tx eccs.Store) error {
		if err := tx.AddEvent(t.Context(), outboxEvent("ev-1", 0)); err != nil {
			return err
		}
		return errBoom
	})
	if !errors.Is(err, errBoom) {
		t.Fatalf("InTx = %v, want the function's error", err)
	}
	list, err := s.PendingEvents(t.Context(), "mail", 10)
	must(t, err)
	if len(list) != 0 {
		t.Fatalf("PendingEvents after a rollback = %+v, want none", list)
	}
}

func eventsPruned(t *testing.T, s eccs.Store) {
	for i, id := range []string{"ev-old-both", "ev-old-mail-only", "ev-old-none", "ev-new-both"} {
		n := i
		if id == "ev-new-both" {
			n = 10
		}
		must(t, s.AddEvent(t.Context(), outboxEvent(id, n)))
	}
	for _, ack := range [][2]string{{"mail", "ev-old-both"}, {"webhooks", "ev-old-both"}, {"mail", "ev-old-mail-only"},
		{"mail", "ev-new-both"}, {"webhooks", "ev-new-both"}} {
		must(t, s.AckEvent(t.Context(), ack[0], ack[1], at(20)))
	}
	n, err := s.PruneEvents(t.Context(), at(5), nil)
	must(t, err)
	equal(t, "events pruned without consumers", n, 0)
	n, err = s.PruneEvents(t.Context(), at(5), []string{"mail", "webhooks"})
	must(t, err)
	equal(t, "events pruned", n, 1)
	list, err := s.PendingEvents(t.Context(), "other", 10)
	must(t, err)
	var ids []string
	for _, e := range list {
		ids = append(ids, e.ID)
	}
	equal(t, "events left", ids, []string{"ev-old-mail-only", "ev-old-none", "ev-new-both"})
}
