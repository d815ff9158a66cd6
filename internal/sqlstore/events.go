package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/eccs/eccs/internal/eccs"
)

// This file keeps the outbox of events and the consumers' receipts.

// AddEvent stores e; Conflict if its id is taken. An empty Data is stored as {}.
func (s *Store) AddEvent(ctx context.Context, e eccs.Event) error {
	data := string(e.Data)
	if data == "" {
		data = "{}"
	}
	if !json.Valid([]byte(data)) {
		return fmt.Errorf("add event %s: its data is not JSON", e.ID)
	}
	_, err := s.writer().ExecContext(ctx,
		`INSERT INTO events (id, event_type, object_type, object_id, at, data) VALUES ($1, $2, $3, $4, $5, $6)`,
		e.ID, e.Type, e.ObjectType, e.ObjectID, micros(e.At), data)
	if err != nil {
		return s.writeErr("add event "+e.ID, err, fmt.Sprintf("Event %s already exists.", e.ID), "")
	}
	return nil
}

// PendingEvents returns up to limit events that consumer has no receipt for, oldest first.
func (s *Store) PendingEvents(ctx context.Context, consumer string, limit int) ([]eccs.Event, error) {
	return queryList(ctx, s, "list pending events",
		`SELECT id, event_type, object_type, object_id, at, data FROM events e
		 WHERE NOT EXISTS (SELECT 1 FROM event_receipts r WHERE r.consumer = $1 AND r.event_id = e.id)
		 ORDER BY at, id LIMIT $2`,
		[]any{consumer, limit}, scanEvent)
}

func scanEvent(row scanner) (eccs.Event, error) {
	var e eccs.Event
	var data string
	if err := row.Scan(&e.ID, &e.Type, &e.ObjectType, &e.ObjectID, usec{&e.At}, &data); err != nil {
		return eccs.Event{}, err
	}
	e.Data = json.RawMessage(data)
	return e, nil
}

// AckEvent records consumer's receipt of eventID. Conflict if it has one; NotFound if there
// is no such event.
func (s *Store) AckEvent(ctx context.Context, consumer, eventID string, at time.Time) error {
	_, err := s.writer().ExecContext(ctx,
		`INSERT INTO event_receipts (consumer, event_id, at) VALUES ($1, $2, $3)`, consumer, eventID, micros(at))
	if err != nil {
		return s.writeErr("acknowledge event "+eventID, err,
			fmt.Sprintf("Consumer %s already handled event %s.", consumer, eventID),
			fmt.Sprintf("Event %s does not exist.", eventID))
	}
	return nil
}

// PruneEvents removes the events older than before that each of consumers has a receipt for
// (their receipts go with them, ON DELETE CASCADE). Without consumers it removes nothing.
func (s *Store) PruneEvents(ctx context.Context, before time.Time, consumers []string) (int, error) {
	if len(consumers) == 0 {
		return 0, nil
	}
	args := []any{micros(before)}
	var handled strings.Builder
	for _, c := range consumers {
		args = append(args, c)
		fmt.Fprintf(&handled, " AND EXISTS (SELECT 1 FROM event_receipts r WHERE r.event_id = events.id AND r.consumer = $%d)", len(args))
	}
	res, err := s.writer().ExecContext(ctx, `DELETE FROM events WHERE at < $1`+handled.String(), args...)
	if err != nil {
		return 0, s.writeErr("prune events", err, "", "")
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, s.writeErr("prune events", err, "", "")
	}
	return int(n), nil
}
