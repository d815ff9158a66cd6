package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/eccs/eccs/internal/eccs"
)

// This file keeps the queue of mails.

const mailColumns = `id, event_id, recipient, language, template, state, attempts, next_attempt, created_at,
	sent_at, last_error, lease_owner, lease_until`

func scanMail(row scanner) (eccs.Mail, error) {
	var m eccs.Mail
	var state string
	err := row.Scan(&m.ID, &m.EventID, &m.Recipient, &m.Language, &m.Template, &state, &m.Attempts,
		usec{&m.NextAttempt}, usec{&m.CreatedAt}, usec{&m.SentAt}, &m.LastError, &m.LeaseOwner, usec{&m.LeaseUntil})
	m.State = eccs.MailState(state)
	return m, err
}

// AddMail inserts m. Conflict if its id is taken; NotFound if its event does not exist.
func (s *Store) AddMail(ctx context.Context, m eccs.Mail) error {
	_, err := s.writer().ExecContext(ctx,
		`INSERT INTO mails (`+mailColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		m.ID, m.EventID, m.Recipient, m.Language, m.Template, string(m.State), m.Attempts, micros(m.NextAttempt),
		micros(m.CreatedAt), micros(m.SentAt), m.LastError, m.LeaseOwner, micros(m.LeaseUntil))
	if err != nil {
		return s.writeErr("add mail "+m.ID, err, fmt.Sprintf("Mail %s already exists.", m.ID),
			fmt.Sprintf("Event %s does not exist.", m.EventID))
	}
	return nil
}

// ClaimMails leases due queued mails to owner in one statement. The rows are picked once, in a
// materialized WITH query with the dialect's SkipLocked clause (a sub-select in the WHERE may
// be run again per row, and with SKIP LOCKED each run skips the rows just updated and picks
// more than the limit), and the UPDATE checks again that they are claimable, so that two
// claimers never share a row.
func (s *Store) ClaimMails(ctx context.Context, owner string, now, leaseUntil time.Time, limit int) ([]eccs.Mail, error) {
	rows, err := s.writer().QueryContext(ctx,
		`WITH picked AS MATERIALIZED (
		   SELECT id AS picked_id FROM mails WHERE state = 'queued' AND next_attempt <= $3 AND lease_until < $3
		   ORDER BY next_attempt, id LIMIT $4`+s.dialect.SkipLocked+`)
		 UPDATE mails SET lease_owner = $1, lease_until = $2
		 WHERE state = 'queued' AND next_attempt <= $3 AND lease_until < $3 AND id IN (SELECT picked_id FROM picked)
		 RETURNING `+mailColumns,
		owner, micros(leaseUntil), micros(now), limit)
	if err != nil {
		return nil, s.writeErr("claim mails", err, "", "")
	}
	defer rows.Close()
	list := []eccs.Mail{}
	for rows.Next() {
		m, err := scanMail(rows)
		if err != nil {
			return nil, s.readErr("claim mails", err)
		}
		list = append(list, m)
	}
	if err := rows.Err(); err != nil {
		return nil, s.readErr("claim mails", err)
	}
	// RETURNING follows no ORDER BY.
	slices.SortFunc(list, func(a, b eccs.Mail) int {
		if c := a.NextAttempt.Compare(b.NextAttempt); c != 0 {
			return c
		}
		if a.ID < b.ID {
			return -1
		}
		return 1
	})
	return list, nil
}

// FinishMailAttempt writes o and clears the lease if owner holds mail id.
func (s *Store) FinishMailAttempt(ctx context.Context, id, owner string, o eccs.MailOutcome) error {
	res, err := s.writer().ExecContext(ctx,
		`UPDATE mails SET state = $1, attempts = $2, next_attempt = $3, sent_at = $4, last_error = $5,
		 lease_owner = '', lease_until = 0 WHERE id = $6 AND lease_owner = $7`,
		string(o.State), o.Attempts, micros(o.NextAttempt), micros(o.SentAt), o.LastError, id, owner)
	if err != nil {
		return s.writeErr("finish mail "+id, err, "", "")
	}
	n, err := res.RowsAffected()
	if err != nil {
		return s.writeErr("finish mail "+id, err, "", "")
	}
	if n == 1 {
		return nil
	}
	var one int
	err = s.reader().QueryRowContext(ctx, `SELECT 1 FROM mails WHERE id = $1`, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return eccs.Errorf(eccs.NotFound, "Mail %s does not exist.", id)
	}
	if err != nil {
		return s.readErr("finish mail "+id, err)
	}
	return eccs.Errorf(eccs.Conflict, "Mail %s is not held by %s.", id, owner)
}

// RecentMails lists the newest mails first.
func (s *Store) RecentMails(ctx context.Context, limit int) ([]eccs.Mail, error) {
	return queryList(ctx, s, "list recent mails",
		`SELECT `+mailColumns+` FROM mails ORDER BY created_at DESC, id DESC LIMIT $1`, []any{limit}, scanMail)
}

// MailEvent reads one event by id.
func (s *Store) MailEvent(ctx context.Context, eventID string) (eccs.Event, error) {
	e, err := scanEvent(s.reader().QueryRowContext(ctx,
		`SELECT id, event_type, object_type, object_id, at, data FROM events WHERE id = $1`, eventID))
	if errors.Is(err, sql.ErrNoRows) {
		return eccs.Event{}, eccs.Errorf(eccs.NotFound, "Event %s does not exist.", eventID)
	}
	if err != nil {
		return eccs.Event{}, s.readErr("read event "+eventID, err)
	}
	return e, nil
}
