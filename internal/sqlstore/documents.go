package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/eccs/eccs/internal/eccs"
)

const documentSelect = `SELECT id, contract_id, type, filename, period, amount, currency, content_type, size,
	sha256, blob_key, created_at, updated_at FROM documents`

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

// Documents returns one page of the documents of f.ContractID whose type is in f.Types,
// sorted by period, then creation time, then id, all descending, and how many there are in
// all. An empty Types selects nothing.
func (s *Store) Documents(ctx context.Context, f eccs.DocumentFilter) ([]eccs.Document, int, error) {
	if len(f.Types) == 0 {
		return []eccs.Document{}, 0, nil
	}
	args := make([]any, 0, len(f.Types)+3)
	args = append(args, f.ContractID)
	var where strings.Builder
	where.WriteString(` WHERE contract_id = $1 AND type IN (`)
	for i, t := range f.Types {
		if i > 0 {
			where.WriteString(", ")
		}
		args = append(args, string(t))
		where.WriteString("$" + strconv.Itoa(len(args)))
	}
	where.WriteString(")")
	countArgs := args[:len(args):len(args)] // the count takes the filter values, not the page
	query := documentSelect + where.String() + ` ORDER BY period DESC, created_at DESC, id DESC` + pageClause(f.Page, &args)

	q := s.reader()
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, 0, s.readErr("list documents", err)
	}
	defer rows.Close()
	list := []eccs.Document{}
	for rows.Next() {
		d, err := scanDocument(rows)
		if err != nil {
			return nil, 0, s.readErr("list documents", err)
		}
		list = append(list, d)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, s.readErr("list documents", err)
	}
	var total int
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM documents`+where.String(), countArgs...).Scan(&total); err != nil {
		return nil, 0, s.readErr("count documents", err)
	}
	return list, total, nil
}
