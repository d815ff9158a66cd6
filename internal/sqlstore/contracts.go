package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/eccs/eccs/internal/eccs"
)

// contractColumns and contractJoins read a contract with the rows it names: its offer, its
// billing account's customer, and its referent as that customer records them (the domain
// always writes the record with the declaration; the person's own data stands in should it
// be missing).
const (
	contractColumns = `c.id, c.name, c.contract_type, c.offer_id, o.name, c.billing_account_id,
	b.customer_id, cu.name, cu.segment, c.platform_id, c.support_level,
	i.id, COALESCE(ct.login, i.login), i.email, COALESCE(ct.civility, i.civility),
	COALESCE(ct.last_name, i.last_name), COALESCE(ct.first_name, i.first_name),
	COALESCE(ct.fix_phone, i.fix_phone), COALESCE(ct.mobile_phone, i.mobile_phone),
	COALESCE(ct.created_at, i.created_at), COALESCE(ct.updated_at, i.updated_at),
	c.reference_ext1, c.reference_ext2, c.reference_ext3, c.closed_at, c.created_at, c.updated_at`
	contractJoins = `
JOIN offers o ON o.id = c.offer_id
JOIN billing_accounts b ON b.id = c.billing_account_id
JOIN customers cu ON cu.id = b.customer_id
JOIN identities i ON i.id = c.referent_id
LEFT JOIN contacts ct ON ct.customer_id = b.customer_id AND ct.identity_id = c.referent_id`
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
		&c.ReferenceExt[0], &c.ReferenceExt[1], &c.ReferenceExt[2], usec{&c.ClosedAt}, usec{&c.CreatedAt}, usec{&c.UpdatedAt})
	return c, err
}

// contractSearchTerms returns what a contract search looks up (migration 0010), ASCII
// letters in lower case: the number, the number without its leading letters, and each word
// of the name (split at spaces), sorted, without repeats.
func contractSearchTerms(c eccs.Contract) []string {
	number := asciiLower(c.ID)
	var terms []string
	for _, w := range strings.Split(number+" "+asciiLower(c.Name), " ") {
		if w != "" {
			terms = append(terms, w)
		}
	}
	if digits := strings.TrimLeft(number, "abcdefghijklmnopqrstuvwxyz"); digits != "" && digits != number {
		terms = append(terms, digits)
	}
	slices.Sort(terms)
	return slices.Compact(terms)
}

// maxRune ends the range of the terms that start with a word w: every term starting with w
// sorts, by bytes, at or after w and before w+maxRune (but those that continue with maxRune
// itself, a noncharacter).
const maxRune = "\U0010FFFF"

// searchWords returns the words of a contract search, ASCII letters in lower case, without
// repeats, the longest first: each must start a term of a contract for the search to keep it.
func searchWords(search string) []string {
	var words []string
	for _, w := range strings.Split(asciiLower(search), " ") {
		if w != "" && !slices.Contains(words, w) {
			words = append(words, w)
		}
	}
	slices.SortStableFunc(words, func(a, b string) int { return len(b) - len(a) })
	return words
}

// writeSearchTerms replaces the search terms of contract c.ID with those of c.
func (s *Store) writeSearchTerms(ctx context.Context, c eccs.Contract) error {
	if _, err := s.writer().ExecContext(ctx, `DELETE FROM contract_search_terms WHERE contract_id = $1`, c.ID); err != nil {
		return s.writeErr("clear the search terms of contract "+c.ID, err, "", "")
	}
	for _, term := range contractSearchTerms(c) {
		_, err := s.writer().ExecContext(ctx, `INSERT INTO contract_search_terms (term, contract_id) VALUES ($1, $2)`, term, c.ID)
		if err != nil {
			return s.writeErr("write the search terms of contract "+c.ID, err, "", "")
		}
	}
	return nil
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

// CreateContract stores c's own fields (ClosedAt included) and the ids it names (OfferID,
// BillingAccountID, Referent.ID); the customer is its billing account's. It returns Conflict
// if the id is taken and NotFound if the offer, billing account or referent does not exist.
func (s *Store) CreateContract(ctx context.Context, c eccs.Contract) error {
	return s.transaction(ctx, func(tx *Store) error { return tx.createContract(ctx, c) })
}

func (s *Store) createContract(ctx context.Context, c eccs.Contract) error {
	_, err := s.writer().ExecContext(ctx,
		`INSERT INTO contracts (id, name, contract_type, offer_id, billing_account_id, platform_id,
			support_level, referent_id, reference_ext1, reference_ext2, reference_ext3, closed_at, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
		c.ID, c.Name, c.Type, c.OfferID, c.BillingAccountID, c.PlatformID,
		c.SupportLevel, c.Referent.ID, c.ReferenceExt[0], c.ReferenceExt[1], c.ReferenceExt[2],
		micros(c.ClosedAt), micros(c.CreatedAt), micros(c.UpdatedAt))
	if err != nil {
		return s.writeErr("create contract "+c.ID, err,
			fmt.Sprintf("Contract %s already exists.", c.ID),
			fmt.Sprintf("Contract %s names an offer (%s), billing account (%s) or referent (%s) that does not exist.",
				c.ID, c.OfferID, c.BillingAccountID, c.Referent.ID))
	}
	if err := s.writeSearchTerms(ctx, c); err != nil {
		return err
	}
	_, err = s.writer().ExecContext(ctx,
		`INSERT INTO contract_counts (billing_account_id, offer_id, n) VALUES ($1, $2, 1)
		ON CONFLICT (billing_account_id, offer_id) DO UPDATE SET n = contract_counts.n + 1`,
		c.BillingAccountID, c.OfferID)
	if err != nil {
		return s.writeErr("count contract "+c.ID, err, "", "")
	}
	return nil
}

// UpdateContract replaces the name, type, platform id, support level, referent (by
// c.Referent.ID), external references, closing time and update time of contract c.ID; its
// offer, billing account and creation time stay. It returns NotFound if there is no such
// contract or no such referent.
func (s *Store) UpdateContract(ctx context.Context, c eccs.Contract) error {
	return s.transaction(ctx, func(tx *Store) error {
		res, err := tx.writer().ExecContext(ctx,
			`UPDATE contracts SET name = $2, contract_type = $3, platform_id = $4, support_level = $5,
				referent_id = $6, reference_ext1 = $7, reference_ext2 = $8, reference_ext3 = $9,
				closed_at = $10, updated_at = $11
			WHERE id = $1`,
			c.ID, c.Name, c.Type, c.PlatformID, c.SupportLevel, c.Referent.ID,
			c.ReferenceExt[0], c.ReferenceExt[1], c.ReferenceExt[2], micros(c.ClosedAt), micros(c.UpdatedAt))
		if err != nil {
			return tx.writeErr("update contract "+c.ID, err, "",
				fmt.Sprintf("The referent %s of contract %s does not exist.", c.Referent.ID, c.ID))
		}
		if err := tx.mustAffect(res, "update contract "+c.ID, fmt.Sprintf("Contract %s does not exist.", c.ID)); err != nil {
			return err
		}
		return tx.writeSearchTerms(ctx, c)
	})
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
// fields, and how many it selects in all (with a Search and a positive CountLimit, at most
// CountLimit + 1). PerimeterOf selects the contracts whose billing
// account and offer are both in the account's perimeter; All selects every contract, narrowed
// by CustomerID (the billing account's customer), BillingAccountID and OfferID when set. A
// filter that sets none or more than one of DeclaredIdentityID, PerimeterOf and All, or that
// narrows without All, is a bug of the caller and fails with Internal: a forgotten field must
// never list every contract, nor a narrowing be silently ignored.
func (s *Store) Contracts(ctx context.Context, f eccs.ContractFilter) ([]eccs.Contract, int, error) {
	modes := 0
	for _, set := range []bool{f.DeclaredIdentityID != "", f.PerimeterOf != "", f.All} {
		if set {
			modes++
		}
	}
	if modes != 1 {
		return nil, 0, eccs.Errorf(eccs.Internal, "A contract list must select by exactly one of declared identity, perimeter and all; this one sets %d.", modes)
	}
	if !f.All && (f.CustomerID != "" || f.BillingAccountID != "" || f.OfferID != "") {
		return nil, 0, eccs.Errorf(eccs.Internal, "A contract list narrows by customer, billing account or offer only when it selects all contracts.")
	}
	words := searchWords(f.Search)
	if f.PerimeterOf != "" && f.Page.Limit > 0 && len(words) == 0 {
		return s.perimeterPage(ctx, f.PerimeterOf, f.Page)
	}
	broad := false
	if len(words) > 0 {
		var err error
		if broad, err = s.broadSearchWord(ctx, words[0]); err != nil {
			return nil, 0, err
		}
	}
	// The page of ids is chosen first, from indexes alone; only its rows are then joined to
	// the rows they name. Joining first would join every selected contract before sorting.
	var c conds
	var from, id string
	if len(words) > 0 && !broad {
		// The candidates come first (CROSS JOIN keeps SQLite from reordering): the contracts
		// with a term starting with the longest word, a range of the terms' primary key. The
		// selection then keeps those the account sees, by primary keys; starting from the
		// selection would read every contract the account sees.
		from = `(SELECT DISTINCT contract_id FROM contract_search_terms WHERE term >= ` + c.arg(words[0]) +
			` AND term < ` + c.arg(words[0]+maxRune) + `) m CROSS JOIN `
	}
	switch {
	case f.DeclaredIdentityID != "":
		from, id = from+`declarations d`, `d.contract_id`
		c.add(`d.identity_id = %s`, f.DeclaredIdentityID)
	case f.PerimeterOf != "" && broad:
		// CROSS JOIN keeps SQLite walking the contracts in id order, each checked against
		// the perimeter by primary keys; starting from the perimeter would sort it all.
		from, id = `contracts c CROSS JOIN account_billing_accounts ab CROSS JOIN account_offers ao`, `c.id`
		c.parts = append(c.parts, `ab.billing_account_id = c.billing_account_id`, `ao.offer_id = c.offer_id`)
		c.add(`ab.account_id = %s`, f.PerimeterOf)
		c.add(`ao.account_id = %s`, f.PerimeterOf)
	case f.PerimeterOf != "":
		from, id = from+`contracts c
			JOIN account_billing_accounts ab ON ab.billing_account_id = c.billing_account_id
			JOIN account_offers ao ON ao.offer_id = c.offer_id`, `c.id`
		c.add(`ab.account_id = %s`, f.PerimeterOf)
		c.add(`ao.account_id = %s`, f.PerimeterOf)
	default:
		from, id = from+`contracts c`, `c.id`
		if f.CustomerID != "" {
			from += ` JOIN billing_accounts b ON b.id = c.billing_account_id`
			c.add(`b.customer_id = %s`, f.CustomerID)
		}
		if f.BillingAccountID != "" {
			c.add(`c.billing_account_id = %s`, f.BillingAccountID)
		}
		if f.OfferID != "" {
			c.add(`c.offer_id = %s`, f.OfferID)
		}
	}
	switch {
	case broad:
		// A word most contracts match: the selection is walked in id order, each contract
		// kept if it has a term starting with each word (by the terms' contract index), so
		// a page stops as soon as it is full instead of sorting every match.
		for _, w := range words {
			c.parts = append(c.parts, `EXISTS (SELECT 1 FROM contract_search_terms t WHERE t.contract_id = `+id+
				` AND t.term >= `+c.arg(w)+` AND t.term < `+c.arg(w+maxRune)+`)`)
		}
	case len(words) > 0:
		c.parts = append(c.parts, id+` = m.contract_id`)
		for _, w := range words[1:] {
			c.parts = append(c.parts, id+` IN (SELECT contract_id FROM contract_search_terms WHERE term >= `+c.arg(w)+
				` AND term < `+c.arg(w+maxRune)+`)`)
		}
	}
	args := c.args[:len(c.args):len(c.args)]
	ids := `SELECT ` + id + ` AS id FROM ` + from + c.where() + ` ORDER BY ` + id + pageClause(f.Page, &args)
	list, err := s.contractsOf(ctx, ids, args)
	if err != nil {
		return nil, 0, err
	}
	count, countArgs := `SELECT count(*) FROM `+from+c.where(), c.args
	if f.CountLimit > 0 && len(words) > 0 {
		countArgs = append(c.args[:len(c.args):len(c.args)], int64(f.CountLimit)+1)
		// In page order, so that the planner walks as the page does and stops at the cap;
		// unordered, PostgreSQL may hash every term of a broad word first.
		count = `SELECT count(*) FROM (SELECT ` + id + ` FROM ` + from + c.where() +
			` ORDER BY ` + id + ` LIMIT $` + strconv.Itoa(len(countArgs)) + `) capped`
	}
	if f.PerimeterOf != "" && len(words) == 0 {
		// Counting every contract of a large perimeter would cost as much as listing it:
		// contract_counts holds how many contracts each (billing account, offer) pair has.
		count = `SELECT COALESCE(SUM(n), 0) FROM contract_counts cc
			JOIN account_billing_accounts ab ON ab.billing_account_id = cc.billing_account_id
			JOIN account_offers ao ON ao.offer_id = cc.offer_id
			WHERE ab.account_id = $1 AND ao.account_id = $1`
		countArgs = []any{f.PerimeterOf}
	}
	var total int64
	if err := s.reader().QueryRowContext(ctx, count, countArgs...).Scan(&total); err != nil {
		return nil, 0, s.readErr("count contracts", err)
	}
	return list, int(total), nil
}

// broadSearchTerms is how many terms starting with a word make it broad: a search by a
// broad word walks the selection in page order rather than gathering and sorting every
// contract the word matches (doc/performance.md).
const broadSearchTerms = 2000

// broadSearchWord reports whether more than broadSearchTerms terms start with word. It reads
// at most broadSearchTerms + 1 entries of the terms' primary key.
func (s *Store) broadSearchWord(ctx context.Context, word string) (bool, error) {
	var n int64
	// ORDER BY term keeps PostgreSQL on the index: a sequential scan of a range that is most
	// of the table may read all the rows stored before it.
	err := s.reader().QueryRowContext(ctx, `SELECT count(*) FROM (SELECT term FROM contract_search_terms
		WHERE term >= $1 AND term < $2 ORDER BY term LIMIT $3) estimate`, word, word+maxRune, int64(broadSearchTerms)+1).Scan(&n)
	if err != nil {
		return false, s.readErr("estimate a contract search", err)
	}
	return n > broadSearchTerms, nil
}

// maxMergedPairs bounds the (billing account, offer) pairs whose contracts perimeterPage
// merges in one statement. A perimeter with more pairs is paged by sorting all its contracts,
// which costs in proportion to them (doc/performance.md).
const maxMergedPairs = 64

// perimeterPage returns one page of the contracts in account's perimeter, sorted by id, and
// how many there are in all, at a cost that grows with the page (limit + offset) and the
// number of (billing account, offer) pairs of the perimeter, not with its contracts. The
// contracts of one pair come in id order from the index contracts_billing_account_offer:
// each pair gives at most limit + offset of them, and their union is sorted and cut. Sorting
// every contract of the perimeter instead made a page of 100 among 100,000 contracts cost a
// hundred times the same page among 1,000. The total is summed from contract_counts.
func (s *Store) perimeterPage(ctx context.Context, account string, p eccs.Page) ([]eccs.Contract, int, error) {
	type pair struct{ billingAccount, offer string }
	var pairs []pair
	var total int64
	rows, err := s.reader().QueryContext(ctx, `SELECT cc.billing_account_id, cc.offer_id, cc.n FROM contract_counts cc
		JOIN account_billing_accounts ab ON ab.billing_account_id = cc.billing_account_id
		JOIN account_offers ao ON ao.offer_id = cc.offer_id
		WHERE ab.account_id = $1 AND ao.account_id = $1 AND cc.n > 0
		ORDER BY cc.billing_account_id, cc.offer_id`, account)
	if err != nil {
		return nil, 0, s.readErr("count contracts", err)
	}
	defer rows.Close()
	for rows.Next() {
		var pr pair
		var n int64
		if err := rows.Scan(&pr.billingAccount, &pr.offer, &n); err != nil {
			return nil, 0, s.readErr("count contracts", err)
		}
		pairs, total = append(pairs, pr), total+n
	}
	if err := rows.Err(); err != nil {
		return nil, 0, s.readErr("count contracts", err)
	}
	rows.Close()
	if len(pairs) == 0 || int64(max(p.Offset, 0)) >= total {
		return []eccs.Contract{}, int(total), nil
	}

	var ids string
	var args []any
	if len(pairs) > maxMergedPairs {
		ids = `SELECT c.id AS id FROM contracts c
			JOIN account_billing_accounts ab ON ab.billing_account_id = c.billing_account_id
			JOIN account_offers ao ON ao.offer_id = c.offer_id
			WHERE ab.account_id = $1 AND ao.account_id = $1 ORDER BY c.id`
		args = []any{account}
	} else {
		args = []any{int64(p.Limit) + int64(max(p.Offset, 0))} // $1: rows each pair gives at most
		branches := make([]string, len(pairs))
		for i, pr := range pairs {
			args = append(args, pr.billingAccount, pr.offer)
			branches[i] = fmt.Sprintf(`SELECT id FROM (SELECT id FROM contracts WHERE billing_account_id = $%d AND offer_id = $%d ORDER BY id LIMIT $1) p%d`,
				len(args)-1, len(args), i)
		}
		ids = strings.Join(branches, "\nUNION ALL\n") + `
ORDER BY id`
	}
	ids += pageClause(p, &args)
	list, err := s.contractsOf(ctx, ids, args)
	if err != nil {
		return nil, 0, err
	}
	return list, int(total), nil
}

// contractsOf returns the contracts whose ids the query ids selects (a column named id), with
// their joined fields, sorted by id. The page of ids is chosen first, from indexes alone; only
// its rows are then joined to the rows they name.
func (s *Store) contractsOf(ctx context.Context, ids string, args []any) ([]eccs.Contract, error) {
	query := `SELECT ` + contractColumns + ` FROM (` + ids + `) page
JOIN contracts c ON c.id = page.id` + contractJoins + `
ORDER BY c.id`
	return queryList(ctx, s, "list contracts", query, args, scanContract)
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
