package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/eccs/eccs/internal/eccs"
)

// This file keeps accounts and their perimeters.

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
