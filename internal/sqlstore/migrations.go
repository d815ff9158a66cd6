package sqlstore

import (
	"embed"
	"io/fs"
)

// The schema migrations, NNNN_name.sql, forward only. They are written in the SQL that SQLite
// and PostgreSQL share, so one set serves both stores and the two schemas cannot drift; each
// store adapts them where its dialect needs it (PostgreSQL: byte-order collation).
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migrations returns the schema migrations (NNNN_name.sql files at the root), for package
// schema.
func Migrations() fs.FS {
	sub, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		panic(err) // the directory is embedded: it is always there
	}
	return sub
}
