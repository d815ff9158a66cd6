package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/eccs/eccs/internal/eccs"
)

// This file keeps declarations: which identity is declared on which contract, with which roles.

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
