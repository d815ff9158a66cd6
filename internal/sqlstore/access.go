package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/eccs/eccs/internal/eccs"
)

// This file holds who may do what: declarations, accounts, API keys and applications.

const declarationSelect = `SELECT contract_id, identity_id, role_contracts, role_documents, role_users,
	created_at, updated_at FROM declarations`

// CreateDeclaration stores d. It returns Conflict if the identity is already declared on the
// contract, and NotFound if the contract or the identity does not exist.
func (s *Store) CreateDeclaration(ctx context.Context, d eccs.Declaration) error {
	_, err := s.writer().ExecContext(ctx,
		`INSERT INTO declarations (contract_id, identity_id, role_contracts, role_documents, role_users, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		d.ContractID, d.IdentityID, int64(d.Roles.Contracts), int64(d.Roles.Documents), int64(d.Roles.Users),
		micros(d.CreatedAt), micros(d.UpdatedAt))
	if err != nil {
		return s.writeErr("create declaration", err,
			fmt.Sprintf("Identity %s is already declared on contract %s.", d.IdentityID, d.ContractID),
			fmt.Sprintf("Contract %s or identity %s does not exist.", d.ContractID, d.IdentityID))
	}
	return nil
}

// Declaration returns the declaration of identity identityID on contract contractID, or
// NotFound.
func (s *Store) Declaration(ctx context.Context, contractID, identityID string) (eccs.Declaration, error) {
	row, err := s.queryRow(ctx, stmtDeclaration, contractID, identityID)
	if err != nil {
		return eccs.Declaration{}, s.readErr("read declaration", err)
	}
	var d eccs.Declaration
	var rc, rd, ru int64
	err = row.Scan(&d.ContractID, &d.IdentityID, &rc, &rd, &ru, usec{&d.CreatedAt}, usec{&d.UpdatedAt})
	if errors.Is(err, sql.ErrNoRows) {
		return eccs.Declaration{}, eccs.Errorf(eccs.NotFound, "Identity %s is not declared on contract %s.", identityID, contractID)
	}
	if err != nil {
		return eccs.Declaration{}, s.readErr("read declaration", err)
	}
	d.Roles = eccs.Roles{Contracts: eccs.Role(rc), Documents: eccs.Role(rd), Users: eccs.Role(ru)}
	return d, nil
}

const accountSelect = `SELECT id, account_type, identity_id, created_at, updated_at FROM accounts`

// accountPerimeterSelect reads both perimeter lists in one round trip: kind 0 rows are billing
// accounts, kind 1 rows offers, each in the order CreateAccount stored them.
const accountPerimeterSelect = `SELECT 0, billing_account_id, position FROM account_billing_accounts WHERE account_id = $1
UNION ALL
SELECT 1, offer_id, position FROM account_offers WHERE account_id = $1
ORDER BY 1, 3`

// CreateAccount stores a and its perimeter, in one transaction. An id listed twice in a
// perimeter list is stored once. It returns Conflict if the id is taken, and NotFound if the
// identity or a billing account or offer of the perimeter does not exist.
func (s *Store) CreateAccount(ctx context.Context, a eccs.Account) error {
	conflict := fmt.Sprintf("Account %s already exists.", a.ID)
	missing := fmt.Sprintf("Account %s names an identity (%s), billing account or offer that does not exist.", a.ID, a.IdentityID)
	err := s.transaction(ctx, func(tx *Store) error {
		q := tx.writer()
		if _, err := q.ExecContext(ctx,
			`INSERT INTO accounts (id, account_type, identity_id, created_at, updated_at) VALUES ($1, $2, $3, $4, $5)`,
			a.ID, string(a.Type), a.IdentityID, micros(a.CreatedAt), micros(a.UpdatedAt)); err != nil {
			return s.writeErr("insert account", err, conflict, missing)
		}
		for i, id := range unique(a.Perimeter.BillingAccountIDs) {
			if _, err := q.ExecContext(ctx,
				`INSERT INTO account_billing_accounts (account_id, billing_account_id, position) VALUES ($1, $2, $3)`,
				a.ID, id, i); err != nil {
				return s.writeErr("insert perimeter billing account "+id, err, conflict,
					fmt.Sprintf("Billing account %s of account %s's perimeter does not exist.", id, a.ID))
			}
		}
		for i, id := range unique(a.Perimeter.OfferIDs) {
			if _, err := q.ExecContext(ctx,
				`INSERT INTO account_offers (account_id, offer_id, position) VALUES ($1, $2, $3)`,
				a.ID, id, i); err != nil {
				return s.writeErr("insert perimeter offer "+id, err, conflict,
					fmt.Sprintf("Offer %s of account %s's perimeter does not exist.", id, a.ID))
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("create account %s: %w", a.ID, err)
	}
	return nil
}

// unique returns list without repeats, in order of first appearance.
func unique(list []string) []string {
	seen := make(map[string]bool, len(list))
	out := list[:0:0]
	for _, s := range list {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// Account returns the account id with its perimeter, or NotFound. The perimeter lists are nil
// when empty.
func (s *Store) Account(ctx context.Context, id string) (eccs.Account, error) {
	row, err := s.queryRow(ctx, stmtAccount, id)
	if err != nil {
		return eccs.Account{}, s.readErr("read account "+id, err)
	}
	var a eccs.Account
	var typ string
	err = row.Scan(&a.ID, &typ, &a.IdentityID, usec{&a.CreatedAt}, usec{&a.UpdatedAt})
	if errors.Is(err, sql.ErrNoRows) {
		return eccs.Account{}, eccs.Errorf(eccs.NotFound, "Account %s does not exist.", id)
	}
	if err != nil {
		return eccs.Account{}, s.readErr("read account "+id, err)
	}
	a.Type = eccs.AccountType(typ)
	st, err := s.stmt(ctx, stmtAccountPerimeter)
	if err != nil {
		return eccs.Account{}, s.readErr("read perimeter of account "+id, err)
	}
	rows, err := st.QueryContext(ctx, id)
	if err != nil {
		return eccs.Account{}, s.readErr("read perimeter of account "+id, err)
	}
	defer rows.Close()
	for rows.Next() {
		var kind, pos int64
		var ref string
		if err := rows.Scan(&kind, &ref, &pos); err != nil {
			return eccs.Account{}, s.readErr("read perimeter of account "+id, err)
		}
		if kind == 0 {
			a.Perimeter.BillingAccountIDs = append(a.Perimeter.BillingAccountIDs, ref)
		} else {
			a.Perimeter.OfferIDs = append(a.Perimeter.OfferIDs, ref)
		}
	}
	if err := rows.Err(); err != nil {
		return eccs.Account{}, s.readErr("read perimeter of account "+id, err)
	}
	return a, nil
}

const apiKeySelect = `SELECT id, account_id, hash, prefix, created_at, expires_at, revoked_at, last_used_at,
	last_used_from FROM api_keys`

// CreateAPIKey stores k. It returns Conflict if the id or the hash is taken, and NotFound if
// the account does not exist.
func (s *Store) CreateAPIKey(ctx context.Context, k eccs.APIKey) error {
	_, err := s.writer().ExecContext(ctx,
		`INSERT INTO api_keys (id, account_id, hash, prefix, created_at, expires_at, revoked_at, last_used_at, last_used_from)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		k.ID, k.AccountID, k.Hash, k.Prefix, micros(k.CreatedAt), micros(k.ExpiresAt), micros(k.RevokedAt),
		micros(k.LastUsedAt), k.LastUsedFrom)
	if err != nil {
		err = s.classify(err)
		conflict := fmt.Sprintf("API key %s already exists.", k.ID)
		if violates(err, "hash") {
			conflict = fmt.Sprintf("Another API key has the same hash as API key %s.", k.ID)
		}
		return s.writeErr("create API key "+k.ID, err, conflict,
			fmt.Sprintf("API key %s names account %s, which does not exist.", k.ID, k.AccountID))
	}
	return nil
}

// APIKeyByHash returns the API key whose hash is hash, or NotFound.
func (s *Store) APIKeyByHash(ctx context.Context, hash string) (eccs.APIKey, error) {
	row, err := s.queryRow(ctx, stmtAPIKeyByHash, hash)
	if err != nil {
		return eccs.APIKey{}, s.readErr("find API key", err)
	}
	var k eccs.APIKey
	err = row.Scan(&k.ID, &k.AccountID, &k.Hash, &k.Prefix, usec{&k.CreatedAt}, usec{&k.ExpiresAt},
		usec{&k.RevokedAt}, usec{&k.LastUsedAt}, &k.LastUsedFrom)
	if errors.Is(err, sql.ErrNoRows) {
		// The hash is derived from a secret: it is not repeated in the message.
		return eccs.APIKey{}, eccs.Errorf(eccs.NotFound, "No API key matches.")
	}
	if err != nil {
		return eccs.APIKey{}, s.readErr("find API key", err)
	}
	return k, nil
}

const applicationSelect = `SELECT id, client_id, name, secret_hash, previous_secret_hash,
	previous_secret_expires_at, status, subscription, terms_accepted_at, created_at, updated_at
FROM applications`

// CreateApplication stores a. It returns Conflict if the id or the client id is taken.
func (s *Store) CreateApplication(ctx context.Context, a eccs.Application) error {
	_, err := s.writer().ExecContext(ctx,
		`INSERT INTO applications (id, client_id, name, secret_hash, previous_secret_hash, previous_secret_expires_at,
			status, subscription, terms_accepted_at, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		a.ID, a.ClientID, a.Name, a.SecretHash, a.PreviousSecretHash, micros(a.PreviousSecretExpiresAt),
		string(a.Status), string(a.Subscription), micros(a.TermsAcceptedAt), micros(a.CreatedAt), micros(a.UpdatedAt))
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
			previous_secret_expires_at = $5, status = $6, subscription = $7, terms_accepted_at = $8,
			updated_at = $9
		WHERE id = $1`,
		a.ID, a.Name, a.SecretHash, a.PreviousSecretHash, micros(a.PreviousSecretExpiresAt),
		string(a.Status), string(a.Subscription), micros(a.TermsAcceptedAt), micros(a.UpdatedAt))
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

func scanApplication(row *sql.Row) (eccs.Application, error) {
	var a eccs.Application
	var status, subscription string
	err := row.Scan(&a.ID, &a.ClientID, &a.Name, &a.SecretHash, &a.PreviousSecretHash,
		usec{&a.PreviousSecretExpiresAt}, &status, &subscription, usec{&a.TermsAcceptedAt},
		usec{&a.CreatedAt}, usec{&a.UpdatedAt})
	a.Status, a.Subscription = eccs.ApplicationStatus(status), eccs.SubscriptionState(subscription)
	return a, err
}
