package pgtest

import (
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"

	"github.com/eccs/eccs/internal/testkit/testenv"
)

// Server is a PostgreSQL server that belongs to one test, which may stop and start it to see
// what eccs does while its database is down, without disturbing the tests that share the
// package's cluster.
type Server struct {
	dir  string              // the cluster: data/, the log, the socket
	port int                 // on 127.0.0.1, the same after every Start
	cred *syscall.Credential // the postgres user when the tests run as root (initdb refuses root)
}

// Dedicated starts a throwaway PostgreSQL server for t alone, with initdb and pg_ctl in a
// temporary directory, and stops and removes it when t ends. It needs initdb even when
// ECCS_TEST_POSTGRES_URL is set: a server the test did not start is not the test's to stop.
// Without initdb, t is skipped loudly, or fails under ECCS_TEST_REQUIRE_ALL=1.
func Dedicated(t testing.TB) *Server {
	t.Helper()
	initdb, err := findBin("initdb")
	if err != nil {
		testenv.Unavailable(t, "no PostgreSQL server of its own for this test: %v", err)
	}
	if _, err := findBin("pg_ctl"); err != nil {
		testenv.Unavailable(t, "no PostgreSQL server of its own for this test: %v", err)
	}
	dir, err := os.MkdirTemp("", "eccs-pgtest-dedicated-")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{dir: dir}
	t.Cleanup(func() {
		if pgctl, err := findBin("pg_ctl"); err == nil {
			s.run(pgctl, "-D", s.data(), "-m", "immediate", "-w", "stop") // already stopped: an error, ignored
		}
		os.RemoveAll(dir)
	})
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			testenv.Unavailable(t, "running as root and there is no postgres user to run initdb as: %v", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		s.cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
	}
	if s.port, err = freePort(); err != nil {
		t.Fatal(err)
	}
	if out, err := s.run(initdb, "-D", s.data(), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-locale", "--no-sync"); err != nil {
		t.Fatalf("initdb: %v: %s", err, out)
	}
	s.Start(t)
	return s
}

// URL returns the URL of a fresh, empty database on the server (removed with the server).
func (s *Server) URL(t testing.TB) string {
	t.Helper()
	return s.url(mustCreateDatabase(t, s.url("postgres"), "eccs_test_"))
}

// Stop stops the server as an operator's restart does (pg_ctl stop -m fast: open
// connections are closed at once, the port refuses new ones) and returns once it is down.
func (s *Server) Stop(t testing.TB) {
	t.Helper()
	pgctl, _ := findBin("pg_ctl")
	if out, err := s.run(pgctl, "-D", s.data(), "-m", "fast", "-w", "stop"); err != nil {
		t.Fatalf("pg_ctl stop: %v: %s", err, out)
	}
}

// Start starts the server, on the same port with the same data after a Stop, and returns once
// it accepts connections.
func (s *Server) Start(t testing.TB) {
	t.Helper()
	pgctl, _ := findBin("pg_ctl")
	opts := fmt.Sprintf("-c listen_addresses=127.0.0.1 -p %d -k %s -c fsync=off -c synchronous_commit=off -c full_page_writes=off", s.port, s.dir)
	if out, err := s.run(pgctl, "-D", s.data(), "-l", filepath.Join(s.dir, "log"), "-w", "-o", opts, "start"); err != nil {
		t.Fatalf("pg_ctl start: %v: %s", err, out)
	}
}

func (s *Server) data() string { return filepath.Join(s.dir, "data") }

func (s *Server) url(database string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", s.port, database)
}

func (s *Server) run(bin string, args ...string) ([]byte, error) {
	cmd := exec.Command(bin, args...)
	cmd.Dir = os.TempDir()
	if s.cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: s.cred}
	}
	return cmd.CombinedOutput()
}
