// Package pgtest gives tests a real PostgreSQL: the server ECCS_TEST_POSTGRES_URL names, or
// else a throwaway cluster it starts with initdb and pg_ctl in a temporary directory (as the
// postgres user when the tests run as root, since initdb refuses root). Each test gets a fresh
// database. Without either, tests skip loudly, or fail under ECCS_TEST_REQUIRE_ALL=1.
//
// A package whose tests use it calls Main from its TestMain, so that the cluster stops when the
// tests end:
//
//	func TestMain(m *testing.M) { pgtest.Main(m) }
//
// Its core, Start and Cluster, needs no testing.TB: programs that are not tests (the
// benchmark) start and stop a cluster with it, and the helpers of tests wrap it.
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

// Cluster is a PostgreSQL server to make databases on: the server ECCS_TEST_POSTGRES_URL
// names, or a throwaway cluster that Start runs with initdb and pg_ctl.
type Cluster struct {
	url  string              // an admin URL: CREATE DATABASE works on it
	dir  string              // a throwaway cluster's directory (data/, the log, the socket); "" otherwise
	cred *syscall.Credential // the postgres user when run as root (initdb refuses root)
}

// Start returns the server ECCS_TEST_POSTGRES_URL names, or else starts a throwaway cluster
// in a temporary directory with initdb and pg_ctl, as the postgres user when run as root, on
// a free port of 127.0.0.1, made for tests (fsync, synchronous_commit and full_page_writes off,
// 200 connections). Close stops it. The error says why there is no server.
func Start() (*Cluster, error) {
	if u := os.Getenv("ECCS_TEST_POSTGRES_URL"); u != "" {
		return &Cluster{url: u}, nil
	}
	initdb, err := findBin("initdb")
	if err != nil {
		return nil, errors.New("ECCS_TEST_POSTGRES_URL is not set and initdb is not installed")
	}
	pgctl, err := findBin("pg_ctl")
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "eccs-pgtest-")
	if err != nil {
		return nil, err
	}
	c := &Cluster{dir: dir}
	if err := c.init(initdb, pgctl); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	return c, nil
}

// init makes the throwaway cluster in c.dir and starts it.
func (c *Cluster) init(initdb, pgctl string) error {
	if os.Geteuid() == 0 {
		// initdb refuses to run as root: run the cluster as the postgres user.
		u, err := user.Lookup("postgres")
		if err != nil {
			return fmt.Errorf("running as root and there is no postgres user to run initdb as: %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		c.cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		if err := os.Chown(c.dir, uid, gid); err != nil {
			return err
		}
	}
	port, err := freePort()
	if err != nil {
		return err
	}
	data := filepath.Join(c.dir, "data")
	if out, err := c.run(initdb, "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-locale", "--no-sync"); err != nil {
		return fmt.Errorf("initdb: %v: %s", err, out)
	}
	opts := fmt.Sprintf("-c listen_addresses=127.0.0.1 -p %d -k %s -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200", port, c.dir)
	if out, err := c.run(pgctl, "-D", data, "-l", filepath.Join(c.dir, "log"), "-w", "-o", opts, "start"); err != nil {
		return fmt.Errorf("pg_ctl start: %v: %s", err, out)
	}
	c.url = fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port)
	return nil
}

// URL returns an admin URL of the server: CREATE DATABASE works on it.
func (c *Cluster) URL() string { return c.url }

// Throwaway reports whether Start started the server (and Close stops it), rather than found
// it in ECCS_TEST_POSTGRES_URL.
func (c *Cluster) Throwaway() bool { return c.dir != "" }

// DatabaseURL returns the URL of the database name on the server.
func (c *Cluster) DatabaseURL(name string) string {
	u, _ := url.Parse(c.url)
	u.Path = "/" + name
	return u.String()
}

// CreateDatabase creates an empty database named prefix and random hex digits, and returns
// its name.
func (c *Cluster) CreateDatabase(ctx context.Context, prefix string) (string, error) {
	return createDatabase(ctx, c.url, prefix)
}

// DropDatabase drops the database name if it exists, closing the connections to it.
func (c *Cluster) DropDatabase(name string) error {
	db, err := sql.Open("pgx", c.url)
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.Exec("DROP DATABASE IF EXISTS " + pgIdent(name) + " WITH (FORCE)")
	return err
}

// Close stops a throwaway cluster and removes its directory. The server
// ECCS_TEST_POSTGRES_URL names is not Close's to stop: it is left as it is.
func (c *Cluster) Close() error {
	if !c.Throwaway() {
		return nil
	}
	var err error
	if pgctl, ferr := findBin("pg_ctl"); ferr != nil {
		err = ferr
	} else if out, rerr := c.run(pgctl, "-D", filepath.Join(c.dir, "data"), "-m", "immediate", "-w", "stop"); rerr != nil {
		err = fmt.Errorf("pg_ctl stop: %v: %s", rerr, out)
	}
	if rerr := os.RemoveAll(c.dir); err == nil {
		err = rerr
	}
	return err
}

func (c *Cluster) run(bin string, args ...string) ([]byte, error) {
	cmd := exec.Command(bin, args...)
	cmd.Dir = os.TempDir()
	if c.cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: c.cred}
	}
	return cmd.CombinedOutput()
}

// tests is the cluster the tests of a package share: started by the first test that needs it,
// closed by Shutdown.
var tests struct {
	once    sync.Once
	cluster *Cluster
	err     error
}

// testCluster returns the shared cluster, starting it if needed, or skips t loudly (fails it
// under ECCS_TEST_REQUIRE_ALL=1) when there is no PostgreSQL.
func testCluster(t testing.TB) *Cluster {
	t.Helper()
	tests.once.Do(func() { tests.cluster, tests.err = Start() })
	if tests.err != nil {
		testenv.Unavailable(t, "no PostgreSQL: %v", tests.err)
	}
	return tests.cluster
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
	if tests.cluster != nil {
		tests.cluster.Close()
	}
}

// Require skips t loudly (or fails it under ECCS_TEST_REQUIRE_ALL=1) when there is no
// PostgreSQL to test on, starting the throwaway cluster if needed.
func Require(t testing.TB) {
	t.Helper()
	testCluster(t)
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
	c := testCluster(t)
	name := mustCreateDatabase(t, c.url, "eccs_template_")
	templates.mu.Lock()
	templates.names = append(templates.names, name)
	templates.mu.Unlock()
	return c.DatabaseURL(name)
}

// createDatabase creates an empty database named prefix and random hex digits on the server
// adminURL connects to, and returns its name.
func createDatabase(ctx context.Context, adminURL, prefix string) (string, error) {
	admin, err := sql.Open("pgx", adminURL)
	if err != nil {
		return "", err
	}
	defer admin.Close()
	name := prefix + randomHex(6)
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		return "", fmt.Errorf("create database %s: %w", name, err)
	}
	return name, nil
}

// mustCreateDatabase is createDatabase for t, which fails when it does.
func mustCreateDatabase(t testing.TB, adminURL, prefix string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	name, err := createDatabase(ctx, adminURL, prefix)
	if err != nil {
		t.Fatal(err)
	}
	return name
}

// Clone returns the URL of a fresh database for t that starts as a copy of the database
// templateURL names (CREATE DATABASE … TEMPLATE, a file-level copy: tens of milliseconds where
// replaying migrations and seeding would take seconds). It is dropped when t ends. Nothing
// may be connected to the template while it is copied (PostgreSQL refuses the copy).
func Clone(t testing.TB, templateURL string) string {
	t.Helper()
	c := testCluster(t)
	u, err := url.Parse(templateURL)
	if err != nil {
		t.Fatalf("template URL: %v", err)
	}
	tmpl := strings.TrimPrefix(u.Path, "/")
	admin, err := sql.Open("pgx", c.url)
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
	t.Cleanup(func() { c.DropDatabase(name) })
	return c.DatabaseURL(name)
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

// dropTemplates drops the databases Template made (on a server ECCS_TEST_POSTGRES_URL names,
// they would otherwise stay behind).
func dropTemplates() {
	templates.mu.Lock()
	defer templates.mu.Unlock()
	if tests.cluster == nil {
		return
	}
	for _, name := range templates.names {
		tests.cluster.DropDatabase(name)
	}
	templates.names = nil
}

// URL returns the URL of a fresh, empty database for t, dropped when t ends.
func URL(t testing.TB) string {
	t.Helper()
	c := testCluster(t)
	name := mustCreateDatabase(t, c.url, "eccs_test_")
	t.Cleanup(func() { c.DropDatabase(name) })
	return c.DatabaseURL(name)
}

// SchemaURL returns the URL of a fresh, empty schema for t in a database shared by the tests
// (the URL's search_path names it), dropped when t ends. Schemas cost a few milliseconds where
// databases cost most of a second: suites that need hundreds of empty stores use them.
func SchemaURL(t testing.TB) string {
	t.Helper()
	c := testCluster(t)
	shared.once.Do(func() { shared.url, shared.err = sharedDatabase(c) })
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
func sharedDatabase(c *Cluster) (string, error) {
	admin, err := sql.Open("pgx", c.url)
	if err != nil {
		return "", err
	}
	defer admin.Close()
	name := "eccs_schemas_" + randomHex(4)
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		return "", err
	}
	return c.DatabaseURL(name), nil
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
