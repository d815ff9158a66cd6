package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/eccs/eccs/internal/eccs"
)

const (
	documentColumns = `id, contract_id, type, filename, period, amount, currency, content_type, size,
	sha256, blob_key, created_at, updated_at`
	documentSelect = `SELECT ` + documentColumns + ` FROM documents`
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
	types := make([]string, len(f.Types))
	for i, t := range f.Types {
		types[i] = string(t)
	}
	c.addIn(`type`, types)
	if f.Period != "" {
		c.add(`period = %s`, f.Period)
	}
	if f.Filename != "" {
		c.add(`filename = %s`, f.Filename)
	}
	return queryPage(ctx, s, "documents", documentColumns, "documents", "period DESC, created_at DESC, id DESC", c, f.Page, scanDocument)
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
