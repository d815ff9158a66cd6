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
	d, err := scanDeclaration(row)
	if errors.Is(err, sql.ErrNoRows) {
		return eccs.Declaration{}, eccs.Errorf(eccs.NotFound, "Identity %s is not declared on contract %s.", identityID, contractID)
	}
	if err != nil {
		return eccs.Declaration{}, s.readErr("read declaration", err)
	}
	return d, nil
}

func scanDeclaration(row scanner) (eccs.Declaration, error) {
	var d eccs.Declaration
	var rc, rd, ru int64
	err := row.Scan(&d.ContractID, &d.IdentityID, &rc, &rd, &ru, usec{&d.CreatedAt}, usec{&d.UpdatedAt})
	d.Roles = eccs.Roles{Contracts: eccs.Role(rc), Documents: eccs.Role(rd), Users: eccs.Role(ru)}
	return d, err
}

// Declarations returns the declarations of identity identityID, sorted by contract id; none
// for an unknown identity.
func (s *Store) Declarations(ctx context.Context, identityID string) ([]eccs.Declaration, error) {
	return queryList(ctx, s, "list declarations of identity "+identityID,
		declarationSelect+` WHERE identity_id = $1 ORDER BY contract_id`, []any{identityID}, scanDeclaration)
}

// Users returns the identities declared on contract contractID with their roles, each as the
// contract's customer records them (see contractColumns), sorted by that login without regard
// to case (unique that way within a customer); none for an unknown contract.
func (s *Store) Users(ctx context.Context, contractID string) ([]eccs.User, error) {
	return queryList(ctx, s, "list users of contract "+contractID,
		`SELECT i.id, COALESCE(ct.login, i.login), i.email, COALESCE(ct.civility, i.civility),
			COALESCE(ct.last_name, i.last_name), COALESCE(ct.first_name, i.first_name),
			COALESCE(ct.fix_phone, i.fix_phone), COALESCE(ct.mobile_phone, i.mobile_phone),
			COALESCE(ct.created_at, i.created_at), COALESCE(ct.updated_at, i.updated_at),
			d.role_contracts, d.role_documents, d.role_users
		FROM declarations d
		JOIN contracts c ON c.id = d.contract_id
		JOIN billing_accounts b ON b.id = c.billing_account_id
		JOIN identities i ON i.id = d.identity_id
		LEFT JOIN contacts ct ON ct.customer_id = b.customer_id AND ct.identity_id = d.identity_id
		WHERE d.contract_id = $1
		ORDER BY COALESCE(ct.login_key, i.login_key), i.id`, []any{contractID},
		func(row scanner) (eccs.User, error) {
			var u eccs.User
			i := &u.Identity
			var rc, rd, ru int64
			err := row.Scan(&i.ID, &i.Login, &i.Email, &i.Civility, &i.LastName, &i.FirstName,
				&i.FixPhone, &i.MobilePhone, usec{&i.CreatedAt}, usec{&i.UpdatedAt}, &rc, &rd, &ru)
			u.Roles = eccs.Roles{Contracts: eccs.Role(rc), Documents: eccs.Role(rd), Users: eccs.Role(ru)}
			return u, err
		})
}

// UpdateDeclaration replaces the roles and update time of the declaration of d.IdentityID on
// d.ContractID. It returns NotFound if there is none.
func (s *Store) UpdateDeclaration(ctx context.Context, d eccs.Declaration) error {
	res, err := s.writer().ExecContext(ctx,
		`UPDATE declarations SET role_contracts = $3, role_documents = $4, role_users = $5, updated_at = $6
		WHERE contract_id = $1 AND identity_id = $2`,
		d.ContractID, d.IdentityID, int64(d.Roles.Contracts), int64(d.Roles.Documents), int64(d.Roles.Users),
		micros(d.UpdatedAt))
	if err != nil {
		return s.writeErr("update declaration", err, "", "")
	}
	return s.mustAffect(res, "update declaration",
		fmt.Sprintf("Identity %s is not declared on contract %s.", d.IdentityID, d.ContractID))
}

// DeleteDeclaration removes the declaration of identity identityID on contract contractID.
// It returns NotFound if there is none.
func (s *Store) DeleteDeclaration(ctx context.Context, contractID, identityID string) error {
	res, err := s.writer().ExecContext(ctx,
		`DELETE FROM declarations WHERE contract_id = $1 AND identity_id = $2`, contractID, identityID)
	if err != nil {
		return s.writeErr("delete declaration", err, "", "")
	}
	return s.mustAffect(res, "delete declaration",
		fmt.Sprintf("Identity %s is not declared on contract %s.", identityID, contractID))
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
		return tx.insertPerimeter(ctx, a)
	})
	if err != nil {
		return fmt.Errorf("create account %s: %w", a.ID, err)
	}
	return nil
}

// insertPerimeter stores the perimeter of account a, each list deduplicated, in order.
func (s *Store) insertPerimeter(ctx context.Context, a eccs.Account) error {
	q := s.writer()
	for i, id := range unique(a.Perimeter.BillingAccountIDs) {
		if _, err := q.ExecContext(ctx,
			`INSERT INTO account_billing_accounts (account_id, billing_account_id, position) VALUES ($1, $2, $3)`,
			a.ID, id, i); err != nil {
			return s.writeErr("insert perimeter billing account "+id, err, "",
				fmt.Sprintf("Billing account %s of account %s's perimeter does not exist.", id, a.ID))
		}
	}
	for i, id := range unique(a.Perimeter.OfferIDs) {
		if _, err := q.ExecContext(ctx,
			`INSERT INTO account_offers (account_id, offer_id, position) VALUES ($1, $2, $3)`,
			a.ID, id, i); err != nil {
			return s.writeErr("insert perimeter offer "+id, err, "",
				fmt.Sprintf("Offer %s of account %s's perimeter does not exist.", id, a.ID))
		}
	}
	return nil
}

// UpdateAccount replaces the perimeter (both lists, in order, each id once) and update time
// of account a.ID, in one transaction; its type and identity stay. It returns NotFound, and
// changes nothing, if there is no such account or a billing account or offer of the
// perimeter does not exist.
func (s *Store) UpdateAccount(ctx context.Context, a eccs.Account) error {
	err := s.transaction(ctx, func(tx *Store) error {
		q := tx.writer()
		res, err := q.ExecContext(ctx, `UPDATE accounts SET updated_at = $2 WHERE id = $1`, a.ID, micros(a.UpdatedAt))
		if err != nil {
			return s.writeErr("update account", err, "", "")
		}
		if err := s.mustAffect(res, "update account", fmt.Sprintf("Account %s does not exist.", a.ID)); err != nil {
			return err
		}
		if _, err := q.ExecContext(ctx, `DELETE FROM account_billing_accounts WHERE account_id = $1`, a.ID); err != nil {
			return s.writeErr("delete perimeter billing accounts", err, "", "")
		}
		if _, err := q.ExecContext(ctx, `DELETE FROM account_offers WHERE account_id = $1`, a.ID); err != nil {
			return s.writeErr("delete perimeter offers", err, "", "")
		}
		return tx.insertPerimeter(ctx, a)
	})
	if err != nil {
		return fmt.Errorf("update account %s: %w", a.ID, err)
	}
	return nil
}

// accountsPage reads a page of accounts with their perimeters in one statement (so one
// snapshot): each account's row (kind -1) comes first, then its perimeter rows, kind 0 for
// billing accounts and 1 for offers, in stored order. %s is the page's LIMIT clause.
const accountsPage = `WITH page AS (SELECT id, account_type, identity_id, created_at, updated_at FROM accounts ORDER BY id%s)
SELECT id, account_type, identity_id, created_at, updated_at, -1, '', 0 FROM page
UNION ALL
SELECT ab.account_id, '', '', 0, 0, 0, ab.billing_account_id, ab.position
FROM account_billing_accounts ab JOIN page ON page.id = ab.account_id
UNION ALL
SELECT ao.account_id, '', '', 0, 0, 1, ao.offer_id, ao.position
FROM account_offers ao JOIN page ON page.id = ao.account_id
ORDER BY 1, 6, 8`

// Accounts returns one page of the accounts sorted by id, each with its perimeter as Account
// returns it, and how many accounts there are.
func (s *Store) Accounts(ctx context.Context, p eccs.Page) ([]eccs.Account, int, error) {
	var args []any
	query := fmt.Sprintf(accountsPage, pageClause(p, &args))
	rows, err := s.reader().QueryContext(ctx, query, args...)
	if err != nil {
		return nil, 0, s.readErr("list accounts", err)
	}
	defer rows.Close()
	list := []eccs.Account{}
	for rows.Next() {
		var a eccs.Account
		var typ, ref string
		var kind, pos int64
		if err := rows.Scan(&a.ID, &typ, &a.IdentityID, usec{&a.CreatedAt}, usec{&a.UpdatedAt}, &kind, &ref, &pos); err != nil {
			return nil, 0, s.readErr("list accounts", err)
		}
		switch kind {
		case -1:
			a.Type = eccs.AccountType(typ)
			list = append(list, a)
		case 0:
			last := &list[len(list)-1].Perimeter
			last.BillingAccountIDs = append(last.BillingAccountIDs, ref)
		default:
			last := &list[len(list)-1].Perimeter
			last.OfferIDs = append(last.OfferIDs, ref)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, 0, s.readErr("list accounts", err)
	}
	var total int
	if err := s.reader().QueryRowContext(ctx, `SELECT count(*) FROM accounts`).Scan(&total); err != nil {
		return nil, 0, s.readErr("count accounts", err)
	}
	return list, total, nil
}

// AccountsOf returns the accounts of identity identityID with their perimeters, sorted by id;
// none for an unknown identity.
func (s *Store) AccountsOf(ctx context.Context, identityID string) ([]eccs.Account, error) {
	ids, err := queryList(ctx, s, "list accounts of identity "+identityID,
		`SELECT id FROM accounts WHERE identity_id = $1 ORDER BY id`, []any{identityID},
		func(row scanner) (string, error) {
			var id string
			return id, row.Scan(&id)
		})
	if err != nil {
		return nil, err
	}
	list := make([]eccs.Account, 0, len(ids))
	for _, id := range ids {
		a, err := s.Account(ctx, id)
		if err != nil {
			return nil, err
		}
		list = append(list, a)
	}
	return list, nil
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

const (
	apiKeyColumns = `id, account_id, hash, prefix, created_at, expires_at, revoked_at, last_used_at, last_used_from, replaced_by`
	apiKeySelect  = `SELECT ` + apiKeyColumns + ` FROM api_keys`
)

// CreateAPIKey stores k. It returns Conflict if the id or the hash is taken, and NotFound if
// the account does not exist.
func (s *Store) CreateAPIKey(ctx context.Context, k eccs.APIKey) error {
	_, err := s.writer().ExecContext(ctx,
		`INSERT INTO api_keys (id, account_id, hash, prefix, created_at, expires_at, revoked_at, last_used_at, last_used_from, replaced_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		k.ID, k.AccountID, k.Hash, k.Prefix, micros(k.CreatedAt), micros(k.ExpiresAt), micros(k.RevokedAt),
		micros(k.LastUsedAt), k.LastUsedFrom, k.ReplacedBy)
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
	k, err := scanAPIKey(row)
	if errors.Is(err, sql.ErrNoRows) {
		// The hash is derived from a secret: it is not repeated in the message.
		return eccs.APIKey{}, eccs.Errorf(eccs.NotFound, "No API key matches.")
	}
	if err != nil {
		return eccs.APIKey{}, s.readErr("find API key", err)
	}
	return k, nil
}

func scanAPIKey(row scanner) (eccs.APIKey, error) {
	var k eccs.APIKey
	err := row.Scan(&k.ID, &k.AccountID, &k.Hash, &k.Prefix, usec{&k.CreatedAt}, usec{&k.ExpiresAt},
		usec{&k.RevokedAt}, usec{&k.LastUsedAt}, &k.LastUsedFrom, &k.ReplacedBy)
	return k, err
}

// APIKey returns the API key id, or NotFound.
func (s *Store) APIKey(ctx context.Context, id string) (eccs.APIKey, error) {
	k, err := scanAPIKey(s.reader().QueryRowContext(ctx, apiKeySelect+` WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return eccs.APIKey{}, eccs.Errorf(eccs.NotFound, "API key %s does not exist.", id)
	}
	if err != nil {
		return eccs.APIKey{}, s.readErr("read API key "+id, err)
	}
	return k, nil
}

// APIKeys returns one page of the API keys f selects, sorted by expiry then id, and how many
// it selects in all. Without IncludeInactive it leaves out the keys revoked at or before
// f.Now and those that expire at or before f.Now (as the domain refuses them), and then
// f.Now must be set: a zero Now fails with Internal. ExpiringBefore selects the keys whose
// expiry is strictly before it.
func (s *Store) APIKeys(ctx context.Context, f eccs.APIKeyFilter) ([]eccs.APIKey, int, error) {
	var c conds
	if f.AccountID != "" {
		c.add(`account_id = %s`, f.AccountID)
	}
	if !f.ExpiringBefore.IsZero() {
		c.add(`expires_at < %s`, micros(f.ExpiringBefore))
	}
	if !f.IncludeInactive {
		if f.Now.IsZero() {
			return nil, 0, eccs.Errorf(eccs.Internal, "A list of active API keys needs the time at which they are active.")
		}
		now := micros(f.Now)
		c.add(`expires_at > %s`, now)
		c.add(`(revoked_at = 0 OR revoked_at > %s)`, now)
	}
	return queryPage(ctx, s, "API keys", apiKeyColumns, "api_keys", "expires_at, id", c, f.Page, scanAPIKey)
}

// UpdateAPIKey replaces the expiry, revocation time and successor of API key
// k.ID. It returns NotFound if there is none.
func (s *Store) UpdateAPIKey(ctx context.Context, k eccs.APIKey) error {
	res, err := s.writer().ExecContext(ctx,
		`UPDATE api_keys SET expires_at = $2, revoked_at = $3, replaced_by = $4 WHERE id = $1`,
		k.ID, micros(k.ExpiresAt), micros(k.RevokedAt), k.ReplacedBy)
	if err != nil {
		return s.writeErr("update API key "+k.ID, err, "", "")
	}
	return s.mustAffect(res, "update API key "+k.ID, fmt.Sprintf("API key %s does not exist.", k.ID))
}

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
