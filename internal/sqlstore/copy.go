package sqlstore

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"strings"
)

// table names a table of the schema and its primary key.
type table struct {
	name string
	key  string
}

// tables lists the tables of the schema with their primary keys, every table after those its
// foreign keys refer to. schema_migrations is not listed: each database keeps its own.
var tables = []table{
	{"customers", "id"},
	{"billing_accounts", "id"},
	{"offers", "id"},
	{"identities", "id"},
	{"contacts", "customer_id, identity_id"},
	{"contracts", "id"},
	{"contract_search_terms", "term, contract_id"},
	{"contract_counts", "billing_account_id, offer_id"},
	{"declarations", "contract_id, identity_id"},
	{"accounts", "id"},
	{"account_billing_accounts", "account_id, billing_account_id"},
	{"account_offers", "account_id, offer_id"},
	{"api_keys", "id"},
	{"applications", "id"},
	{"documents", "id"},
	{"operator_tokens", "id"},
	{"claims", "id"},
	{"audit_events", "id"},
	{"counters", "name"},
	{"passwords", "identity_id"},
	{"sessions", "id"},
	{"links", "id"},
	{"second_factors", "identity_id"},
	{"recovery_codes", "identity_id, hash"},
	{"signin_throttles", "subject"},
	{"passkeys", "id"},
	{"webauthn_ceremonies", "id"},
}

// TableCount is how many rows a table holds in the source and the destination of a copy, and
// how many the copy inserted.
type TableCount struct {
	Table    string
	Source   int64
	Inserted int64
	Dest     int64
}

// CopyRows copies into dst, migrated to the same schema version, every row of src that dst
// lacks (by primary key), table by table in foreign-key order, each table in one transaction.
// Rows dst already has are left alone, so a copy can be run again; the contract number counter
// becomes the larger of both. Both databases may be SQLite or PostgreSQL, in any direction.
func CopyRows(ctx context.Context, src, dst *sql.DB) ([]TableCount, error) {
	var counts []TableCount
	for _, t := range tables {
		c, err := copyTable(ctx, src, dst, t)
		if err != nil {
			return counts, fmt.Errorf("copy %s: %w", t.name, err)
		}
		counts = append(counts, c)
	}
	return counts, nil
}

func copyTable(ctx context.Context, src, dst *sql.DB, t table) (TableCount, error) {
	c := TableCount{Table: t.name}
	rows, err := src.QueryContext(ctx, "SELECT * FROM "+t.name+" ORDER BY "+t.key)
	if err != nil {
		return c, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return c, err
	}
	marks := make([]string, len(cols))
	for i := range marks {
		marks[i] = fmt.Sprintf("$%d", i+1)
	}
	insert := "INSERT INTO " + t.name + " (" + strings.Join(cols, ", ") + ") VALUES (" + strings.Join(marks, ", ") + ") ON CONFLICT DO NOTHING"
	if t.name == "counters" {
		// The destination may have allocated numbers of its own: keep the larger counter.
		insert = "INSERT INTO counters (" + strings.Join(cols, ", ") + ") VALUES (" + strings.Join(marks, ", ") +
			") ON CONFLICT (name) DO UPDATE SET value = CASE WHEN counters.value > excluded.value THEN counters.value ELSE excluded.value END"
	}
	tx, err := dst.BeginTx(ctx, nil)
	if err != nil {
		return c, err
	}
	defer tx.Rollback()
	stmt, err := tx.PrepareContext(ctx, insert)
	if err != nil {
		return c, err
	}
	defer stmt.Close()
	values := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range values {
		ptrs[i] = &values[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return c, err
		}
		c.Source++
		res, err := stmt.ExecContext(ctx, values...)
		if err != nil {
			return c, err
		}
		if n, err := res.RowsAffected(); err == nil && t.name != "counters" {
			c.Inserted += n
		}
	}
	if err := rows.Err(); err != nil {
		return c, err
	}
	if err := tx.Commit(); err != nil {
		return c, err
	}
	err = dst.QueryRowContext(ctx, "SELECT count(*) FROM "+t.name).Scan(&c.Dest)
	return c, err
}

// Checksums returns, for every table but the counters, the number of rows and a SHA-256 of
// all of them in primary key order, written the same way whichever database holds them: two
// databases with the same checksums hold the same data.
func Checksums(ctx context.Context, db *sql.DB) (map[string]string, error) {
	sums := map[string]string{}
	for _, t := range tables {
		if t.name == "counters" {
			continue
		}
		sum, err := checksum(ctx, db, t)
		if err != nil {
			return nil, fmt.Errorf("checksum %s: %w", t.name, err)
		}
		sums[t.name] = sum
	}
	return sums, nil
}

func checksum(ctx context.Context, db *sql.DB, t table) (string, error) {
	rows, err := db.QueryContext(ctx, "SELECT * FROM "+t.name+" ORDER BY "+t.key)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return "", err
	}
	values := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range values {
		ptrs[i] = &values[i]
	}
	h := sha256.New()
	n := 0
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return "", err
		}
		n++
		for _, v := range values {
			switch v := v.(type) {
			case nil:
				h.Write([]byte{0})
			case []byte:
				h.Write(v)
			default:
				fmt.Fprint(h, v)
			}
			h.Write([]byte{0x1f})
		}
		h.Write([]byte{0x1e})
	}
	if err := rows.Err(); err != nil {
		return "", err
	}
	return fmt.Sprintf("%d rows, sha256 %s", n, hex.EncodeToString(h.Sum(nil))), nil
}

// BlobRef is where a document's bytes are and what they must be.
type BlobRef struct {
	DocumentID string
	Key        string
	Size       int64
	SHA256     string
}

// BlobRefs lists the bytes every document of db refers to, by document id.
func BlobRefs(ctx context.Context, db *sql.DB) ([]BlobRef, error) {
	rows, err := db.QueryContext(ctx, `SELECT id, blob_key, size, sha256 FROM documents ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("list document files: %w", err)
	}
	defer rows.Close()
	var refs []BlobRef
	for rows.Next() {
		var r BlobRef
		if err := rows.Scan(&r.DocumentID, &r.Key, &r.Size, &r.SHA256); err != nil {
			return nil, fmt.Errorf("list document files: %w", err)
		}
		refs = append(refs, r)
	}
	return refs, rows.Err()
}
