package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"strconv"

	"github.com/eccs/eccs/internal/eccs"
)

// contractColumns and contractJoins read a contract with the rows it names: its offer, its
// billing account's customer and its referent.
const (
	contractColumns = `c.id, c.name, c.contract_type, c.offer_id, o.name, c.billing_account_id,
	b.customer_id, cu.name, cu.segment, c.platform_id, c.support_level,
	i.id, i.login, i.email, i.civility, i.last_name, i.first_name, i.fix_phone, i.mobile_phone,
	i.created_at, i.updated_at,
	c.reference_ext1, c.reference_ext2, c.reference_ext3, c.created_at, c.updated_at`
	contractJoins = `
JOIN offers o ON o.id = c.offer_id
JOIN billing_accounts b ON b.id = c.billing_account_id
JOIN customers cu ON cu.id = b.customer_id
JOIN identities i ON i.id = c.referent_id`
	contractSelect = `SELECT ` + contractColumns + ` FROM contracts c` + contractJoins
)

// scanner is what *sql.Row and *sql.Rows share.
type scanner interface{ Scan(dest ...any) error }

func scanContract(row scanner) (eccs.Contract, error) {
	var c eccs.Contract
	r := &c.Referent
	err := row.Scan(&c.ID, &c.Name, &c.Type, &c.OfferID, &c.OfferName, &c.BillingAccountID,
		&c.CustomerID, &c.CustomerName, &c.CustomerSegment, &c.PlatformID, &c.SupportLevel,
		&r.ID, &r.Login, &r.Email, &r.Civility, &r.LastName, &r.FirstName, &r.FixPhone, &r.MobilePhone,
		usec{&r.CreatedAt}, usec{&r.UpdatedAt},
		&c.ReferenceExt[0], &c.ReferenceExt[1], &c.ReferenceExt[2], usec{&c.CreatedAt}, usec{&c.UpdatedAt})
	return c, err
}

// NextContractNumber returns the next value of the contract counter: 1 the first time, then
// one more on each call. The increment is part of the caller's transaction, if any, so a
// rolled-back transaction gives its number back.
func (s *Store) NextContractNumber(ctx context.Context) (int64, error) {
	var n int64
	err := s.writer().QueryRowContext(ctx,
		`INSERT INTO counters (name, value) VALUES ('contract', 1)
		ON CONFLICT (name) DO UPDATE SET value = counters.value + 1
		RETURNING value`).Scan(&n)
	if err != nil {
		return 0, s.writeErr("next contract number", err, "", "")
	}
	return n, nil
}

// CreateContract stores c's own fields and the ids it names (OfferID, BillingAccountID,
// Referent.ID); the customer is its billing account's. It returns Conflict if the id is taken
// and NotFound if the offer, billing account or referent does not exist.
func (s *Store) CreateContract(ctx context.Context, c eccs.Contract) error {
	_, err := s.writer().ExecContext(ctx,
		`INSERT INTO contracts (id, name, contract_type, offer_id, billing_account_id, platform_id,
			support_level, referent_id, reference_ext1, reference_ext2, reference_ext3, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		c.ID, c.Name, c.Type, c.OfferID, c.BillingAccountID, c.PlatformID,
		c.SupportLevel, c.Referent.ID, c.ReferenceExt[0], c.ReferenceExt[1], c.ReferenceExt[2],
		micros(c.CreatedAt), micros(c.UpdatedAt))
	if err != nil {
		return s.writeErr("create contract "+c.ID, err,
			fmt.Sprintf("Contract %s already exists.", c.ID),
			fmt.Sprintf("Contract %s names an offer (%s), billing account (%s) or referent (%s) that does not exist.",
				c.ID, c.OfferID, c.BillingAccountID, c.Referent.ID))
	}
	return nil
}

// Contract returns the contract id with its offer name, customer and referent, or NotFound.
func (s *Store) Contract(ctx context.Context, id string) (eccs.Contract, error) {
	row, err := s.queryRow(ctx, stmtContract, id)
	if err != nil {
		return eccs.Contract{}, s.readErr("read contract "+id, err)
	}
	c, err := scanContract(row)
	if errors.Is(err, sql.ErrNoRows) {
		return eccs.Contract{}, eccs.Errorf(eccs.NotFound, "Contract %s does not exist.", id)
	}
	if err != nil {
		return eccs.Contract{}, s.readErr("read contract "+id, err)
	}
	return c, nil
}

// Contracts returns one page of the contracts f selects, sorted by id, with their joined
// fields, and how many it selects in all. PerimeterOf selects the contracts whose billing
// account and offer are both in the account's perimeter. A filter that sets neither or both of
// DeclaredIdentityID and PerimeterOf is a bug of the caller and fails (Internal).
func (s *Store) Contracts(ctx context.Context, f eccs.ContractFilter) ([]eccs.Contract, int, error) {
	// The page of ids is chosen first, from indexes alone; only its rows are then joined to
	// the rows they name. Joining first would join every selected contract before sorting.
	var ids, count, key string
	switch {
	case f.DeclaredIdentityID != "" && f.PerimeterOf == "":
		key = f.DeclaredIdentityID
		ids = `SELECT contract_id AS id FROM declarations WHERE identity_id = $1 ORDER BY contract_id`
		count = `SELECT count(*) FROM declarations WHERE identity_id = $1`
	case f.PerimeterOf != "" && f.DeclaredIdentityID == "":
		key = f.PerimeterOf
		perimeter := ` FROM contracts c
			JOIN account_billing_accounts ab ON ab.billing_account_id = c.billing_account_id AND ab.account_id = $1
			JOIN account_offers ao ON ao.offer_id = c.offer_id AND ao.account_id = $1`
		ids = `SELECT c.id` + perimeter + ` ORDER BY c.id`
		count = `SELECT count(*)` + perimeter
	default:
		return nil, 0, errors.New("list contracts: the filter must set exactly one of DeclaredIdentityID and PerimeterOf")
	}
	args := []any{key}
	query := `SELECT ` + contractColumns + ` FROM (` + ids + pageClause(f.Page, &args) + `) page
JOIN contracts c ON c.id = page.id` + contractJoins + `
ORDER BY c.id`
	q := s.reader()
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, 0, s.readErr("list contracts", err)
	}
	defer rows.Close()
	list := []eccs.Contract{}
	for rows.Next() {
		c, err := scanContract(rows)
		if err != nil {
			return nil, 0, s.readErr("list contracts", err)
		}
		list = append(list, c)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, s.readErr("list contracts", err)
	}
	var total int
	if err := q.QueryRowContext(ctx, count, key).Scan(&total); err != nil {
		return nil, 0, s.readErr("count contracts", err)
	}
	return list, total, nil
}

// pageClause returns the LIMIT and OFFSET of p, appending their values to args. A zero Limit
// writes no LIMIT; since SQLite accepts OFFSET only after a LIMIT, an offset without a limit is
// written with the largest BIGINT as the limit, which both databases accept. Negative values
// count as zero.
func pageClause(p eccs.Page, args *[]any) string {
	limit, offset := int64(max(p.Limit, 0)), int64(max(p.Offset, 0))
	if limit == 0 && offset == 0 {
		return ""
	}
	if limit == 0 {
		limit = math.MaxInt64
	}
	*args = append(*args, limit, offset)
	n := len(*args)
	return " LIMIT $" + strconv.Itoa(n-1) + " OFFSET $" + strconv.Itoa(n)
}
