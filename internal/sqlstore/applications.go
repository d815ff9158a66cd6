package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/eccs/eccs/internal/eccs"
)

// This file keeps applications (OAuth clients).

const (
	applicationColumns = `id, client_id, name, secret_hash, previous_secret_hash,
	previous_secret_expires_at, secret_version, status, subscription, terms_accepted_at, terms_accepted_by, created_at, updated_at`
	applicationSelect = `SELECT ` + applicationColumns + ` FROM applications`
)

// CreateApplication stores a. It returns Conflict if the id or the client id is taken.
func (s *Store) CreateApplication(ctx context.Context, a eccs.Application) error {
	_, err := s.writer().ExecContext(ctx,
		`INSERT INTO applications (id, client_id, name, secret_hash, previous_secret_hash, previous_secret_expires_at,
			secret_version, status, subscription, terms_accepted_at, terms_accepted_by, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		a.ID, a.ClientID, a.Name, a.SecretHash, a.PreviousSecretHash, micros(a.PreviousSecretExpiresAt), a.SecretVersion,
		string(a.Status), string(a.Subscription), micros(a.TermsAcceptedAt), a.TermsAcceptedBy,
		micros(a.CreatedAt), micros(a.UpdatedAt))
	if err != nil {
		err = s.classify(err)
		conflict := fmt.Sprintf("Application %s already exists.", a.ID)
		if violates(err, "client_id") {
			conflict = fmt.Sprintf("The client id %s belongs to another application.", a.ClientID)
		}
		return s.writeErr("create application "+a.ID, err, conflict, "")
	}
	return nil
}

// UpdateApplication replaces the mutable fields of application a.ID. It returns NotFound if
// there is none.
func (s *Store) UpdateApplication(ctx context.Context, a eccs.Application) error {
	res, err := s.writer().ExecContext(ctx,
		`UPDATE applications SET name = $2, secret_hash = $3, previous_secret_hash = $4,
			previous_secret_expires_at = $5, secret_version = $6, status = $7, subscription = $8,
			terms_accepted_at = $9, terms_accepted_by = $10, updated_at = $11
		WHERE id = $1`,
		a.ID, a.Name, a.SecretHash, a.PreviousSecretHash, micros(a.PreviousSecretExpiresAt), a.SecretVersion,
		string(a.Status), string(a.Subscription), micros(a.TermsAcceptedAt), a.TermsAcceptedBy, micros(a.UpdatedAt))
	if err != nil {
		return s.writeErr("update application "+a.ID, err, "", "")
	}
	return s.mustAffect(res, "update application "+a.ID, fmt.Sprintf("Application %s does not exist.", a.ID))
}

// Application returns the application id, or NotFound.
func (s *Store) Application(ctx context.Context, id string) (eccs.Application, error) {
	row, err := s.queryRow(ctx, stmtApplication, id)
	if err != nil {
		return eccs.Application{}, s.readErr("read application "+id, err)
	}
	a, err := scanApplication(row)
	if errors.Is(err, sql.ErrNoRows) {
		return eccs.Application{}, eccs.Errorf(eccs.NotFound, "Application %s does not exist.", id)
	}
	if err != nil {
		return eccs.Application{}, s.readErr("read application "+id, err)
	}
	return a, nil
}

// ApplicationByClientID returns the application whose client id is clientID, or NotFound.
func (s *Store) ApplicationByClientID(ctx context.Context, clientID string) (eccs.Application, error) {
	row, err := s.queryRow(ctx, stmtApplicationByClientID, clientID)
	if err != nil {
		return eccs.Application{}, s.readErr("find application by client id", err)
	}
	a, err := scanApplication(row)
	if errors.Is(err, sql.ErrNoRows) {
		return eccs.Application{}, eccs.Errorf(eccs.NotFound, "No application has the client id %s.", clientID)
	}
	if err != nil {
		return eccs.Application{}, s.readErr("find application by client id", err)
	}
	return a, nil
}

// Applications returns one page of the applications sorted by id, and how many there are.
func (s *Store) Applications(ctx context.Context, p eccs.Page) ([]eccs.Application, int, error) {
	return queryPage(ctx, s, "applications", applicationColumns, "applications", "id", conds{}, p, scanApplication)
}

func scanApplication(row scanner) (eccs.Application, error) {
	var a eccs.Application
	var status, subscription string
	err := row.Scan(&a.ID, &a.ClientID, &a.Name, &a.SecretHash, &a.PreviousSecretHash,
		usec{&a.PreviousSecretExpiresAt}, &a.SecretVersion, &status, &subscription, usec{&a.TermsAcceptedAt},
		&a.TermsAcceptedBy, usec{&a.CreatedAt}, usec{&a.UpdatedAt})
	a.Status, a.Subscription = eccs.ApplicationStatus(status), eccs.SubscriptionState(subscription)
	return a, err
}
