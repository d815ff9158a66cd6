package eccs_test

import (
	"context"
	"errors"
	"testing"

	"github.com/eccs/eccs/internal/eccs"
)

// errAfterEvent is the failure of a change after its event was written in its transaction.
var errAfterEvent = errors.New("the change failed after its event was written")

// failingAfterEvents is a Store whose transactions fail right after an event is added: the
// event is written in the transaction, then the change fails, as when a later statement or
// the commit fails.
type failingAfterEvents struct{ eccs.Store }

func (s failingAfterEvents) InTx(ctx context.Context, fn func(tx eccs.Store) error) error {
	return s.Store.InTx(ctx, func(tx eccs.Store) error { return fn(failingAfterEvents{tx}) })
}

func (s failingAfterEvents) AddEvent(ctx context.Context, e eccs.Event) error {
	if err := s.Store.AddEvent(ctx, e); err != nil {
		return err
	}
	return errAfterEvent
}

// An event exists exactly when its change committed: a change that fails after writing its
// event leaves neither the event nor the rest of the change (here an invitation: its link and
// its audit record), and the same change that commits leaves one event.
func TestAnEventIsRecordedExactlyWhenItsChangeCommits(t *testing.T) {
	w := signInWorld(t)
	failing, err := eccs.NewService(failingAfterEvents{w.store}, w.blobs, w.cfg)
	if err != nil {
		t.Fatal(err)
	}
	_, err = failing.InviteAccount(w.ctx, w.carol.ID, "en")
	if !errors.Is(err, errAfterEvent) {
		t.Fatalf("InviteAccount = %v, want the failure after the event", err)
	}
	if got := w.pendingEvents(t, "person.invited"); len(got) != 0 {
		t.Errorf("a rolled-back invitation left events: %+v", got)
	}
	audit, _ := must2(w.store.AuditEvents(w.ctx, eccs.AuditFilter{ObjectType: "person", ObjectID: w.carol.IdentityID}))(t)
	if len(audit) != 0 {
		t.Errorf("a rolled-back invitation left audit records: %+v", audit)
	}

	inv := must(w.svc.InviteAccount(w.ctx, w.carol.ID, "en"))(t)
	got := w.pendingEvents(t, "person.invited")
	if len(got) != 1 || got[0].ObjectID != inv.Person.ID {
		t.Fatalf("events of a committed invitation: %+v, want one about %s", got, inv.Person.ID)
	}
	if _, err := w.svc.EventLinkPath(got[0]); err != nil {
		t.Errorf("the committed event's link: %v", err)
	}
}
