package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/eccs/eccs/internal/eccs"
)

// This file keeps the audit trail.

const auditColumns = `id, at, actor_type, actor_id, application_id, request_id, action, object_type, object_id, details`

// AppendAudit stores e. Details are stored as a JSON object of strings, {} when nil or empty;
// AuditEvents reads both back as nil. It returns Conflict if the id is taken.
func (s *Store) AppendAudit(ctx context.Context, e eccs.AuditEvent) error {
	details := []byte("{}")
	if len(e.Details) > 0 {
		var err error
		if details, err = json.Marshal(e.Details); err != nil {
			return fmt.Errorf("append audit event %s: %w", e.ID, err)
		}
	}
	_, err := s.writer().ExecContext(ctx,
		`INSERT INTO audit_events (`+auditColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		e.ID, micros(e.At), string(e.ActorType), e.ActorID, e.ApplicationID, e.RequestID, e.Action,
		e.ObjectType, e.ObjectID, string(details))
	if err != nil {
		return s.writeErr("append audit event "+e.ID, err, fmt.Sprintf("Audit event %s already exists.", e.ID), "")
	}
	return nil
}

func scanAuditEvent(row scanner) (eccs.AuditEvent, error) {
	var e eccs.AuditEvent
	var actorType, details string
	if err := row.Scan(&e.ID, usec{&e.At}, &actorType, &e.ActorID, &e.ApplicationID, &e.RequestID, &e.Action,
		&e.ObjectType, &e.ObjectID, &details); err != nil {
		return eccs.AuditEvent{}, err
	}
	e.ActorType = eccs.ActorType(actorType)
	if details != "" && details != "{}" {
		if err := json.Unmarshal([]byte(details), &e.Details); err != nil {
			return eccs.AuditEvent{}, fmt.Errorf("audit event %s: the stored details are not a JSON object of strings: %w", e.ID, err)
		}
	}
	if len(e.Details) == 0 {
		e.Details = nil
	}
	return e, nil
}

// AuditEvents returns one page of the audit events f selects, newest first (by time, then id,
// descending), and how many it selects in all. Each set field of f narrows the list: actor
// type and id, object type and id (exact match), at or after Since, strictly before Until.
func (s *Store) AuditEvents(ctx context.Context, f eccs.AuditFilter) ([]eccs.AuditEvent, int, error) {
	var c conds
	if f.ActorType != "" {
		c.add(`actor_type = %s`, string(f.ActorType))
	}
	if f.ActorID != "" {
		c.add(`actor_id = %s`, f.ActorID)
	}
	if f.ObjectType != "" {
		c.add(`object_type = %s`, f.ObjectType)
	}
	if f.ObjectID != "" {
		c.add(`object_id = %s`, f.ObjectID)
	}
	if !f.Since.IsZero() {
		c.add(`at >= %s`, micros(f.Since))
	}
	if !f.Until.IsZero() {
		c.add(`at < %s`, micros(f.Until))
	}
	return queryPage(ctx, s, "audit events", auditColumns, "audit_events", "at DESC, id DESC", c, f.Page, scanAuditEvent)
}
