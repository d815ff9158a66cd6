// Package pgtest gives tests a real PostgreSQL: the server ECCS_TEST_POSTGRES_URL names, or
// else a throwaway cluster it starts with initdb and pg_ctl in a temporary directory (as the
// postgres user when the tests run as root, since initdb refuses root). Each test gets a fresh
// database. Without either, tests skip loudly, or fail under ECCS_TEST_REQUIRE_ALL=1.
//
// A package whose tests use it calls Main from its TestMain, so that the cluster stops when the
// tests end:
//
//	func TestMain(m *testing.M) { pgtest.Main(m) }
package pgtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver

	"github.com/eccs/eccs/internal/testkit/testenv"
)

var cluster struct {
	once    sync.Once
	url     string // an admin URL: CREATE DATABASE works on it
	err     error
	dir     string
	started bool
	cred    *syscall.Credential
}

// Main runs the tests, then stops the throwaway cluster if one was started.
func Main(m *testing.M) {
	code := m.Run()
	Shutdown()
	os.Exit(code)
}

// Shutdown drops the template databases and stops the throwaway cluster if one was started.
// Main calls it; a TestMain that needs other test servers too calls it after m.Run instead
// of Main.
func Shutdown() {
	dropTemplates()
	stop()
}

// Require skips t loudly (or fails it under ECCS_TEST_REQUIRE_ALL=1) when there is no
// PostgreSQL to test on, starting the throwaway cluster if needed.
func Require(t testing.TB) {
	t.Helper()
	cluster.once.Do(start)
	if cluster.err != nil {
		testenv.Unavailable(t, "no PostgreSQL: %v", cluster.err)
	}
}

var templates struct {
	mu    sync.Mutex
	names []string
}

// Template returns the URL of a fresh, empty database that outlives t: it lives until
// Shutdown (or Main) drops it. Fill it once, close every connection to it, then give each
// test its own copy with Clone.
func Template(t testing.TB) string {
	t.Helper()
	Require(t)
	name := createDatabase(t, cluster.url, "eccs_template_")
	templates.mu.Lock()
	templates.names = append(templates.names, name)
	templates.mu.Unlock()
	return databaseURL(name)
}

// createDatabase creates an empty database named prefix and random hex digits on the server
// adminURL connects to, and returns its name.
func createDatabase(t testing.TB, adminURL, prefix string) string {
	t.Helper()
	admin, err := sql.Open("pgx", adminURL)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	name := prefix + randomHex(6)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create database %s: %v", name, err)
	}
	return name
}

// Clone returns the URL of a fresh database for t that starts as a copy of the database
// templateURL names (CREATE DATABASE … TEMPLATE, a file-level copy: tens of milliseconds where
// replaying migrations and seeding would take seconds). It is dropped when t ends. Nothing
// may be connected to the template while it is copied (PostgreSQL refuses the copy).
func Clone(t testing.TB, templateURL string) string {
	t.Helper()
	Require(t)
	u, err := url.Parse(templateURL)
	if err != nil {
		t.Fatalf("template URL: %v", err)
	}
	tmpl := strings.TrimPrefix(u.Path, "/")
	admin, err := sql.Open("pgx", cluster.url)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	name := "eccs_test_" + randomHex(6)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name+" TEMPLATE "+pgIdent(tmpl)+cloneStrategy(ctx, admin)); err != nil {
		t.Fatalf("clone database %s into %s: %v", tmpl, name, err)
	}
	t.Cleanup(func() { dropDatabase(name) })
	return databaseURL(name)
}

// cloneStrategy picks how CREATE DATABASE copies its template. From PostgreSQL 15 the default
// (WAL_LOG) writes the whole copy through the WAL; FILE_COPY copies the files, which is faster
// for the small databases of tests. Older servers only copy files and do not know the option.
func cloneStrategy(ctx context.Context, admin *sql.DB) string {
	var version int
	if err := admin.QueryRowContext(ctx, "SELECT current_setting('server_version_num')::int").Scan(&version); err != nil || version < 150000 {
		return ""
	}
	return " STRATEGY FILE_COPY"
}

// pgIdent quotes a database name for SQL.
func pgIdent(name string) string { return `"` + strings.ReplaceAll(name, `"`, `""`) + `"` }

func dropDatabase(name string) {
	db, err := sql.Open("pgx", cluster.url)
	if err != nil {
		return
	}
	defer db.Close()
	db.Exec("DROP DATABASE IF EXISTS " + pgIdent(name) + " WITH (FORCE)")
}

// dropTemplates drops the databases Template made (on a server ECCS_TEST_POSTGRES_URL names,
// they would otherwise stay behind).
func dropTemplates() {
	templates.mu.Lock()
	defer templates.mu.Unlock()
	if cluster.url == "" || cluster.err != nil {
		return
	}
	for _, name := range templates.names {
		dropDatabase(name)
	}
	templates.names = nil
}

// URL returns the URL of a fresh, empty database for t, dropped when t ends.
func URL(t testing.TB) string {
	t.Helper()
	return create(t)
}

// SchemaURL returns the URL of a fresh, empty schema for t in a database shared by the tests
// (the URL's search_path names it), dropped when t ends. Schemas cost a few milliseconds where
// databases cost most of a second: suites that need hundreds of empty stores use them.
func SchemaURL(t testing.TB) string {
	t.Helper()
	cluster.once.Do(start)
	if cluster.err != nil {
		testenv.Unavailable(t, "no PostgreSQL: %v", cluster.err)
	}
	shared.once.Do(func() { shared.url, shared.err = sharedDatabase() })
	if shared.err != nil {
		t.Fatalf("shared test database: %v", shared.err)
	}
	db, err := sql.Open("pgx", shared.url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	name := "s_" + randomHex(6)
	if _, err := db.ExecContext(t.Context(), "CREATE SCHEMA "+name); err != nil {
		t.Fatalf("create schema %s: %v", name, err)
	}
	t.Cleanup(func() {
		db, err := sql.Open("pgx", shared.url)
		if err != nil {
			return
		}
		defer db.Close()
		db.Exec("DROP SCHEMA IF EXISTS " + name + " CASCADE")
	})
	u, _ := url.Parse(shared.url)
	q := u.Query()
	q.Set("search_path", name)
	u.RawQuery = q.Encode()
	return u.String()
}

var shared struct {
	once sync.Once
	url  string
	err  error
}

// sharedDatabase creates the database that holds the tests' schemas.
func sharedDatabase() (string, error) {
	admin, err := sql.Open("pgx", cluster.url)
	if err != nil {
		return "", err
	}
	defer admin.Close()
	name := "eccs_schemas_" + randomHex(4)
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		return "", err
	}
	return databaseURL(name), nil
}

func databaseURL(name string) string {
	u, _ := url.Parse(cluster.url)
	u.Path = "/" + name
	return u.String()
}

// create makes a database for t, dropped when t ends.
func create(t testing.TB) string {
	t.Helper()
	cluster.once.Do(start)
	if cluster.err != nil {
		testenv.Unavailable(t, "no PostgreSQL: %v", cluster.err)
	}
	admin, err := sql.Open("pgx", cluster.url)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	name := "eccs_test_" + randomHex(6)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create database %s: %v", name, err)
	}
	t.Cleanup(func() { dropDatabase(name) })
	return databaseURL(name)
}

// start finds or starts the server.
func start() {
	if u := os.Getenv("ECCS_TEST_POSTGRES_URL"); u != "" {
		cluster.url = u
		return
	}
	initdb, err := findBin("initdb")
	if err != nil {
		cluster.err = errors.New("ECCS_TEST_POSTGRES_URL is not set and initdb is not installed")
		return
	}
	pgctl, err := findBin("pg_ctl")
	if err != nil {
		cluster.err = err
		return
	}
	dir, err := os.MkdirTemp("", "eccs-pgtest-")
	if err != nil {
		cluster.err = err
		return
	}
	cluster.dir = dir
	if os.Geteuid() == 0 {
		// initdb refuses to run as root: run the cluster as the postgres user.
		u, err := user.Lookup("postgres")
		if err != nil {
			cluster.err = fmt.Errorf("running as root and there is no postgres user to run initdb as: %w", err)
			return
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		cluster.cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		if err := os.Chown(dir, uid, gid); err != nil {
			cluster.err = err
			return
		}
	}
	port, err := freePort()
	if err != nil {
		cluster.err = err
		return
	}
	data := filepath.Join(dir, "data")
	if out, err := run(initdb, "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-locale", "--no-sync"); err != nil {
		cluster.err = fmt.Errorf("initdb: %v: %s", err, out)
		return
	}
	opts := fmt.Sprintf("-c listen_addresses=127.0.0.1 -p %d -k %s -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200", port, dir)
	if out, err := run(pgctl, "-D", data, "-l", filepath.Join(dir, "log"), "-w", "-o", opts, "start"); err != nil {
		cluster.err = fmt.Errorf("pg_ctl start: %v: %s", err, out)
		return
	}
	cluster.started = true
	cluster.url = fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port)
}

// stop stops the throwaway cluster and removes its directory.
func stop() {
	if cluster.started {
		pgctl, err := findBin("pg_ctl")
		if err == nil {
			run(pgctl, "-D", filepath.Join(cluster.dir, "data"), "-m", "immediate", "-w", "stop")
		}
	}
	if cluster.dir != "" {
		os.RemoveAll(cluster.dir)
	}
}

// Stop and Start stop and start the throwaway cluster, for tests of what the server does
// while its database is down. They fail the test when the cluster is not a throwaway one.
func Stop(t testing.TB) {
	t.Helper()
	mustThrowaway(t)
	pgctl, _ := findBin("pg_ctl")
	if out, err := run(pgctl, "-D", filepath.Join(cluster.dir, "data"), "-m", "fast", "-w", "stop"); err != nil {
		t.Fatalf("pg_ctl stop: %v: %s", err, out)
	}
}

// Start starts the throwaway cluster again after Stop.
func Start(t testing.TB) {
	t.Helper()
	mustThrowaway(t)
	pgctl, _ := findBin("pg_ctl")
	u, _ := url.Parse(cluster.url)
	opts := fmt.Sprintf("-c listen_addresses=127.0.0.1 -p %s -k %s -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200", u.Port(), cluster.dir)
	if out, err := run(pgctl, "-D", filepath.Join(cluster.dir, "data"), "-l", filepath.Join(cluster.dir, "log"), "-w", "-o", opts, "start"); err != nil {
		t.Fatalf("pg_ctl start: %v: %s", err, out)
	}
}

func mustThrowaway(t testing.TB) {
	t.Helper()
	cluster.once.Do(start)
	if !cluster.started {
		testenv.Unavailable(t, "stopping PostgreSQL needs the throwaway cluster (unset ECCS_TEST_POSTGRES_URL)")
	}
}

func run(bin string, args ...string) ([]byte, error) {
	cmd := exec.Command(bin, args...)
	cmd.Dir = os.TempDir()
	if cluster.cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cluster.cred}
	}
	return cmd.CombinedOutput()
}

// findBin finds a PostgreSQL program on PATH or in Debian's /usr/lib/postgresql/*/bin.
func findBin(name string) (string, error) {
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/" + name)
	if len(matches) > 0 {
		return matches[len(matches)-1], nil
	}
	return "", fmt.Errorf("%s is not installed", name)
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
