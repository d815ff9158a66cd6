package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/eccs/eccs/internal/eccs"
)

const (
	documentColumns = `id, contract_id, type, filename, period, amount, currency, content_type, size,
	sha256, blob_key, created_at, updated_at`
	documentSelect = `SELECT ` + documentColumns + ` FROM documents`
	// documentColumnsOfD reads the same columns of the documents named d in a join.
	documentColumnsOfD = `d.id, d.contract_id, d.type, d.filename, d.period, d.amount, d.currency, d.content_type,
	d.size, d.sha256, d.blob_key, d.created_at, d.updated_at`
)

func scanDocument(row scanner) (eccs.Document, error) {
	var d eccs.Document
	var typ string
	err := row.Scan(&d.ID, &d.ContractID, &typ, &d.Filename, &d.Period, &d.Amount, &d.Currency,
		&d.ContentType, &d.Size, &d.SHA256, &d.BlobKey, usec{&d.CreatedAt}, usec{&d.UpdatedAt})
	d.Type = eccs.DocumentType(typ)
	return d, err
}

// CreateDocument stores d's metadata. It returns Conflict if the id is taken and NotFound if
// the contract does not exist.
func (s *Store) CreateDocument(ctx context.Context, d eccs.Document) error {
	_, err := s.writer().ExecContext(ctx,
		`INSERT INTO documents (id, contract_id, type, filename, period, amount, currency, content_type,
			size, sha256, blob_key, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		d.ID, d.ContractID, string(d.Type), d.Filename, d.Period, d.Amount, d.Currency, d.ContentType,
		d.Size, d.SHA256, d.BlobKey, micros(d.CreatedAt), micros(d.UpdatedAt))
	if err != nil {
		return s.writeErr("create document "+d.ID, err,
			fmt.Sprintf("Document %s already exists.", d.ID),
			fmt.Sprintf("Document %s names contract %s, which does not exist.", d.ID, d.ContractID))
	}
	return nil
}

// Document returns the document id of contract contractID, or NotFound (also when the
// document exists but belongs to another contract).
func (s *Store) Document(ctx context.Context, contractID, id string) (eccs.Document, error) {
	row, err := s.queryRow(ctx, stmtDocument, id, contractID)
	if err != nil {
		return eccs.Document{}, s.readErr("read document "+id, err)
	}
	d, err := scanDocument(row)
	if errors.Is(err, sql.ErrNoRows) {
		return eccs.Document{}, eccs.Errorf(eccs.NotFound, "Contract %s has no document %s.", contractID, id)
	}
	if err != nil {
		return eccs.Document{}, s.readErr("read document "+id, err)
	}
	return d, nil
}

// Documents returns one page of the documents of f.ContractID whose type is in f.Types, and
// whose period and file name are f.Period and f.Filename when those are set (exact match),
// sorted by period, then creation time, then id, all descending, and how many there are in
// all. An empty Types selects nothing.
func (s *Store) Documents(ctx context.Context, f eccs.DocumentFilter) ([]eccs.Document, int, error) {
	if len(f.Types) == 0 {
		return []eccs.Document{}, 0, nil
	}
	var c conds
	c.add(`contract_id = %s`, f.ContractID)
	c.addIn(`type`, typeNames(f.Types))
	if f.Period != "" {
		c.add(`period = %s`, f.Period)
	}
	if f.Filename != "" {
		c.add(`filename = %s`, f.Filename)
	}
	return queryPage(ctx, s, "documents", documentColumns, "documents", "period DESC, created_at DESC, id DESC", c, f.Page, scanDocument)
}

// AccountDocuments returns one page of the documents f selects across contracts: those of
// the contracts in f.PerimeterOf's perimeter whose type is in f.Types, or those of the
// contracts on which f.DeclaredIdentityID is declared with a contracts role of at least
// f.MinContractsRole and whose type is in f.TypesByRole for the declaration's documents role;
// of period f.Period when set. They are sorted by period, then creation time, then id, all
// descending; the total counts every one selected. A filter that sets neither or both
// selections is a bug of the caller and fails with Internal.
func (s *Store) AccountDocuments(ctx context.Context, f eccs.AccountDocumentFilter) ([]eccs.Document, int, error) {
	if (f.PerimeterOf == "") == (f.DeclaredIdentityID == "") {
		return nil, 0, eccs.Errorf(eccs.Internal, "A list of documents across contracts selects by exactly one of perimeter and declared identity.")
	}
	var c conds
	var from string
	// The documents of a period come from documents_period_newest already in page order, and
	// each is checked against the perimeter by primary keys (CROSS JOIN keeps SQLite from
	// starting with the perimeter, which would read every contract it covers). A declared
	// identity has few contracts: its declarations come first, then their documents.
	switch {
	case f.PerimeterOf != "":
		if len(f.Types) == 0 {
			return []eccs.Document{}, 0, nil
		}
		from = `documents d CROSS JOIN contracts c
			JOIN account_billing_accounts ab ON ab.billing_account_id = c.billing_account_id
			JOIN account_offers ao ON ao.offer_id = c.offer_id`
		c.parts = append(c.parts, `c.id = d.contract_id`)
		c.add(`ab.account_id = %s`, f.PerimeterOf)
		c.add(`ao.account_id = %s`, f.PerimeterOf)
		c.addIn(`d.type`, typeNames(f.Types))
	default:
		from = `declarations dl CROSS JOIN documents d`
		c.parts = append(c.parts, `d.contract_id = dl.contract_id`)
		c.add(`dl.identity_id = %s`, f.DeclaredIdentityID)
		c.add(`dl.role_contracts >= %s`, int64(f.MinContractsRole))
		var byRole []string
		for _, role := range slices.Sorted(maps.Keys(f.TypesByRole)) {
			types := f.TypesByRole[role]
			if len(types) == 0 {
				continue
			}
			var rc conds
			rc.args = c.args
			rc.add(`dl.role_documents = %s`, int64(role))
			rc.addIn(`d.type`, typeNames(types))
			c.args = rc.args
			byRole = append(byRole, `(`+strings.Join(rc.parts, ` AND `)+`)`)
		}
		if len(byRole) == 0 {
			return []eccs.Document{}, 0, nil
		}
		c.parts = append(c.parts, `(`+strings.Join(byRole, ` OR `)+`)`)
	}
	if f.Period != "" {
		c.add(`d.period = %s`, f.Period)
	}
	return queryPage(ctx, s, "documents across contracts", documentColumnsOfD, from, "d.period DESC, d.created_at DESC, d.id DESC", c, f.Page, scanDocument)
}

// typeNames returns the stored names of types.
func typeNames(types []eccs.DocumentType) []string {
	names := make([]string, len(types))
	for i, t := range types {
		names[i] = string(t)
	}
	return names
}

// UpdateDocument replaces the type, file name, period, amount, currency, content type, size,
// digest, blob key and update time of document d.ID of contract d.ContractID. It returns
// NotFound if that contract has no such document.
func (s *Store) UpdateDocument(ctx context.Context, d eccs.Document) error {
	res, err := s.writer().ExecContext(ctx,
		`UPDATE documents SET type = $3, filename = $4, period = $5, amount = $6, currency = $7,
			content_type = $8, size = $9, sha256 = $10, blob_key = $11, updated_at = $12
		WHERE id = $1 AND contract_id = $2`,
		d.ID, d.ContractID, string(d.Type), d.Filename, d.Period, d.Amount, d.Currency,
		d.ContentType, d.Size, d.SHA256, d.BlobKey, micros(d.UpdatedAt))
	if err != nil {
		return s.writeErr("update document "+d.ID, err, "", "")
	}
	return s.mustAffect(res, "update document "+d.ID, fmt.Sprintf("Contract %s has no document %s.", d.ContractID, d.ID))
}

// DeleteDocument removes the metadata of document id of contract contractID (not its bytes:
// the caller deletes the blob). It returns NotFound if that contract has no such document.
func (s *Store) DeleteDocument(ctx context.Context, contractID, id string) error {
	res, err := s.writer().ExecContext(ctx,
		`DELETE FROM documents WHERE id = $1 AND contract_id = $2`, id, contractID)
	if err != nil {
		return s.writeErr("delete document "+id, err, "", "")
	}
	return s.mustAffect(res, "delete document "+id, fmt.Sprintf("Contract %s has no document %s.", contractID, id))
}

// BlobKeys returns the blob key of every document, sorted.
func (s *Store) BlobKeys(ctx context.Context) ([]string, error) {
	return queryList(ctx, s, "list the blob keys of documents", `SELECT blob_key FROM documents ORDER BY blob_key`, nil,
		func(row scanner) (string, error) {
			var key string
			err := row.Scan(&key)
			return key, err
		})
}
