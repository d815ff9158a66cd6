package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/eccs/eccs/internal/eccs"
)

// This file keeps one-time links (their tokens are never stored).

// CreateLink stores l; Conflict if its id is taken, NotFound for an unknown identity.
func (s *Store) CreateLink(ctx context.Context, l eccs.Link) error {
	_, err := s.writer().ExecContext(ctx,
		`INSERT INTO links (id, kind, identity_id, created_at, expires_at, used_at) VALUES ($1, $2, $3, $4, $5, $6)`,
		l.ID, string(l.Kind), l.IdentityID, micros(l.CreatedAt), micros(l.ExpiresAt), micros(l.UsedAt))
	if err != nil {
		return s.writeErr("create link "+l.ID, err, fmt.Sprintf("Link %s already exists.", l.ID),
			fmt.Sprintf("Identity %s does not exist.", l.IdentityID))
	}
	return nil
}

// Link returns link id, or NotFound.
func (s *Store) Link(ctx context.Context, id string) (eccs.Link, error) {
	var l eccs.Link
	var kind string
	err := s.reader().QueryRowContext(ctx, `SELECT id, kind, identity_id, created_at, expires_at, used_at FROM links WHERE id = $1`, id).
		Scan(&l.ID, &kind, &l.IdentityID, usec{&l.CreatedAt}, usec{&l.ExpiresAt}, usec{&l.UsedAt})
	if errors.Is(err, sql.ErrNoRows) {
		return eccs.Link{}, eccs.Errorf(eccs.NotFound, "Link %s does not exist.", id)
	}
	if err != nil {
		return eccs.Link{}, s.readErr("read link "+id, err)
	}
	l.Kind = eccs.LinkKind(kind)
	return l, nil
}

// UseLink marks link id used at at, in one statement: Conflict when it was used already,
// NotFound when there is no such link.
func (s *Store) UseLink(ctx context.Context, id string, at time.Time) error {
	res, err := s.writer().ExecContext(ctx, `UPDATE links SET used_at = $2 WHERE id = $1 AND used_at = 0`, id, micros(at))
	if err != nil {
		return s.writeErr("use link "+id, err, "", "")
	}
	if n, err := affected(s, res, "use link "+id); err != nil || n == 1 {
		return err
	}
	if _, err := s.Link(ctx, id); err != nil {
		return err
	}
	return eccs.Errorf(eccs.Conflict, "Link %s was already used.", id)
}
