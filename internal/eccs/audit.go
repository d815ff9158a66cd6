package eccs

import (
	"context"
	"fmt"
)

// Actor is who makes a change: an operator token, a customer-space account (with the
// application behind its access token), or the system. The transport puts it in the context
// of a request (WithActor); every change the Service makes is recorded in the audit trail
// under it, in the change's own transaction.
type Actor struct {
	Type          ActorType
	ID            string
	ApplicationID string
	RequestID     string
}

type actorKey struct{}

// WithActor returns a context carrying actor.
func WithActor(ctx context.Context, actor Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, actor)
}

// ActorFrom returns the actor of ctx; the system when none was set.
func ActorFrom(ctx context.Context) Actor {
	if a, ok := ctx.Value(actorKey{}).(Actor); ok {
		return a
	}
	return Actor{Type: ActorSystem, ID: "system"}
}

// record appends an audit event for a change made in tx by the actor of ctx. details must
// hold no secret: callers pass ids, names and states only.
func (s *Service) record(ctx context.Context, tx Store, action, objectType, objectID string, details map[string]string) error {
	id, err := s.newID()
	if err != nil {
		return err
	}
	a := ActorFrom(ctx)
	err = tx.AppendAudit(ctx, AuditEvent{
		ID: id, At: s.now(), ActorType: a.Type, ActorID: a.ID, ApplicationID: a.ApplicationID,
		RequestID: a.RequestID, Action: action, ObjectType: objectType, ObjectID: objectID, Details: details,
	})
	if err != nil {
		return fmt.Errorf("record %s: %w", action, err)
	}
	// Other processes watch the generation to empty their caches (cache.go).
	if err := tx.BumpGeneration(ctx); err != nil {
		return fmt.Errorf("record %s: %w", action, err)
	}
	return nil
}

// change runs fn in a transaction and records its audit event in the same one: a change is
// never stored without its record, nor recorded without being stored.
func (s *Service) change(ctx context.Context, action, objectType string, fn func(tx Store) (objectID string, details map[string]string, err error)) error {
	return s.inTx(ctx, func(tx Store) error {
		id, details, err := fn(tx)
		if err != nil {
			return err
		}
		return s.record(ctx, tx, action, objectType, id, details)
	})
}

// AuditEvents returns one page of the audit trail, newest first, and how many events the
// filter selects.
func (s *Service) AuditEvents(ctx context.Context, f AuditFilter) ([]AuditEvent, int, error) {
	events, total, err := s.store.AuditEvents(ctx, f)
	if err != nil {
		return nil, 0, fmt.Errorf("list audit events: %w", err)
	}
	return events, total, nil
}
