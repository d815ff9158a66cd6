package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver

	"github.com/eccs/eccs/internal/testkit/pgtest"
)

// postgresDB is a fresh PostgreSQL database for the benchmark: on the server that
// ECCS_BENCH_POSTGRES_URL names, or on a throwaway cluster that internal/testkit/pgtest starts
// (initdb and pg_ctl in a temporary directory, as the postgres user when run as root). close
// drops the database and stops the throwaway cluster.
type postgresDB struct {
	url     string
	name    string
	cluster *pgtest.Cluster
}

// openPostgres returns a fresh database, or an error saying why there is none.
func openPostgres() (*postgresDB, error) {
	if u := os.Getenv("ECCS_BENCH_POSTGRES_URL"); u != "" {
		os.Setenv("ECCS_TEST_POSTGRES_URL", u) // pgtest's variable: create the database there
	}
	c, err := pgtest.Start()
	if err != nil {
		return nil, fmt.Errorf("postgres: no PostgreSQL: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	name, err := c.CreateDatabase(ctx, "eccs_test_")
	if err != nil {
		c.Close()
		return nil, fmt.Errorf("postgres: %v", err)
	}
	return &postgresDB{url: c.DatabaseURL(name), name: name, cluster: c}, nil
}

// postmasterPID returns the pid of the PostgreSQL server when it runs on this machine and
// its data directory is readable (a throwaway cluster), 0 otherwise.
func (db *postgresDB) postmasterPID() int {
	conn, err := sql.Open("pgx", db.url)
	if err != nil {
		return 0
	}
	defer conn.Close()
	var dataDir string
	if err := conn.QueryRow("SHOW data_directory").Scan(&dataDir); err != nil {
		return 0
	}
	b, err := os.ReadFile(filepath.Join(dataDir, "postmaster.pid"))
	if err != nil {
		return 0
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(strings.SplitN(string(b), "\n", 2)[0]))
	return pid
}

// close drops the database, then stops the cluster if pgtest started one and removes its
// directory.
func (db *postgresDB) close() {
	db.cluster.DropDatabase(db.name)
	db.cluster.Close()
}
