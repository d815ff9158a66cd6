package eccs

import (
	"context"
	"fmt"
	"time"
)

// AuditService reads the audit trail (every change records itself there; see record).
type AuditService struct {
	*base
}

// AuditStore keeps the audit trail.
type AuditStore interface {
	// AppendAudit stores an audit event.
	AppendAudit(ctx context.Context, e AuditEvent) error
	// AuditEvents returns one page of the events f selects, newest first, and how many it
	// selects in all.
	AuditEvents(ctx context.Context, f AuditFilter) ([]AuditEvent, int, error)
}

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
func (s *base) record(ctx context.Context, tx Store, action, objectType, objectID string, details map[string]string) error {
	if err := s.note(ctx, tx, action, objectType, objectID, details); err != nil {
		return err
	}
	// Other processes watch the generation to empty their caches (cache.go).
	if err := tx.BumpGeneration(ctx); err != nil {
		return fmt.Errorf("record %s: %w", action, err)
	}
	return nil
}

// note appends an audit event as record does, without bumping the generation: for what
// changes nothing the request-path cache holds (sign-ins, sessions, passwords), so that
// people signing in do not empty every replica's cache.
func (s *base) note(ctx context.Context, tx Store, action, objectType, objectID string, details map[string]string) error {
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
	return nil
}

// change runs fn in a transaction and records its audit event in the same one: a change is
// never stored without its record, nor recorded without being stored.
func (s *base) change(ctx context.Context, action, objectType string, fn func(tx Store) (objectID string, details map[string]string, err error)) error {
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
func (s *AuditService) AuditEvents(ctx context.Context, f AuditFilter) ([]AuditEvent, int, error) {
	events, total, err := s.store.AuditEvents(ctx, f)
	if err != nil {
		return nil, 0, fmt.Errorf("list audit events: %w", err)
	}
	return events, total, nil
}

// AuditFilter selects audit events: by actor, by object, and in [Since, Until) when those are
// set.
type AuditFilter struct {
	ActorType  ActorType
	ActorID    string
	ObjectType string
	ObjectID   string
	Since      time.Time
	Until      time.Time
	Page
}
