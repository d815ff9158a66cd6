package eccs

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// Event is something that happened in the domain that people or programs may want to hear of
// (a person invited, a document published). It is recorded in the transaction of the change
// that causes it, so an event exists exactly when its change committed (the outbox); consumers
// (mail, later webhooks) read the events they have not yet handled and acknowledge each.
type Event struct {
	ID         string
	Type       string // "person.invited", "document.published"…
	ObjectType string
	ObjectID   string
	At         time.Time
	// Data is a JSON object describing the object as its consumers need it. It holds no
	// secret: a consumer that needs one (a link's token) derives it when it handles the event.
	Data json.RawMessage
}

// EventStore keeps the outbox of events and which consumer handled which.
type EventStore interface {
	// AddEvent stores e; Conflict if its id is taken.
	AddEvent(ctx context.Context, e Event) error
	// PendingEvents returns up to limit events that consumer has not acknowledged, oldest
	// first (by time, then id).
	PendingEvents(ctx context.Context, consumer string, limit int) ([]Event, error)
	// AckEvent records that consumer handled the event eventID at at. Conflict if it already
	// had: a consumer racing another replica on the same event rolls its transaction back.
	AckEvent(ctx context.Context, consumer, eventID string, at time.Time) error
	// PruneEvents removes the events older than before that every one of consumers has
	// acknowledged, with their receipts, and returns how many events it removed. An event
	// some consumer has not handled stays, however old.
	PruneEvents(ctx context.Context, before time.Time, consumers []string) (int, error)
}

// emit records an event of type typ about an object in tx, the transaction of the change that
// causes it. data is marshalled as JSON and must hold no secret.
func (s *base) emit(ctx context.Context, tx Store, typ, objectType, objectID string, data any) error {
	id, err := s.newID()
	if err != nil {
		return err
	}
	raw, err := json.Marshal(data)
	if err != nil {
		return fmt.Errorf("event %s: %w", typ, err)
	}
	if err := tx.AddEvent(ctx, Event{ID: id, Type: typ, ObjectType: objectType, ObjectID: objectID, At: s.now(), Data: raw}); err != nil {
		return fmt.Errorf("event %s: %w", typ, err)
	}
	return nil
}
