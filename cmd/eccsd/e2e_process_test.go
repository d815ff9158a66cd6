package main

// eccsd as a real child process, for the tests that must signal it (SIGKILL in
// e2e_crash_test.go, SIGTERM in e2e_shutdown_test.go): the test binary itself, started again
// with childArgsEnv naming eccsd's arguments, which TestMain hands to run() instead of running
// the tests. It costs no build (a `go build` of eccsd would take longer than the whole test
// under -race), and the child is built exactly like the code under test, race detector
// included.

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/eccs/eccs/internal/testkit/testenv"
)

// childArgsEnv, when set in the environment of the test binary, makes it run eccsd with the
// arguments it holds (a JSON array of strings) instead of the tests (TestMain).
const childArgsEnv = "ECCS_TEST_RUN_ECCSD_ARGS"

// runChild is the whole child process: eccsd with the arguments of argsJSON, its exit code as
// main computes it. The ECCS_* variables of the test's environment are not read (noEnv).
func runChild(argsJSON string) int {
	var args []string
	if err := json.Unmarshal([]byte(argsJSON), &args); err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", childArgsEnv, err)
		return 2
	}
	return exitCode(run(context.Background(), args, noEnv, os.Stdin, os.Stdout, os.Stderr))
}

// process is an eccsd running as a child process. Its server's cancel sends SIGTERM, and
// stop and wait return the process's exit status (nil for 0, an *exec.ExitError otherwise).
type process struct {
	*server
	cmd *exec.Cmd
}

// startProcess starts `eccsd <args…>` as a child process and waits for its "eccsd listening
// on" line and for /readyz to answer 200. The process is killed when the test ends, if it is
// still running.
func startProcess(t *testing.T, dataDir string, args ...string) *process {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	argsJSON, err := json.Marshal(args)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "-test.run=^$")
	cmd.Env = append(os.Environ(), childArgsEnv+"="+string(argsJSON))
	s := &server{args: args, dataDir: dataDir, stdout: &testenv.Buffer{}, stderr: &testenv.Buffer{}, done: make(chan error, 1)}
	cmd.Stdout, cmd.Stderr = s.stdout, s.stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("start eccsd %s: %v", strings.Join(args, " "), err)
	}
	s.cancel = func() { cmd.Process.Signal(syscall.SIGTERM) }
	go func() { s.done <- cmd.Wait() }()
	p := &process{server: s, cmd: cmd}
	t.Cleanup(func() {
		s.mu.Lock()
		stopped := s.stopped
		s.mu.Unlock()
		if !stopped {
			cmd.Process.Kill()
			s.wait(stopTimeout)
		}
	})

	deadline := time.Now().Add(startTimeout)
	for {
		if m := listeningLine.FindStringSubmatch(s.stdout.String()); m != nil {
			s.url = m[1]
			break
		}
		if err := s.wait(10 * time.Millisecond); !strings.HasPrefix(fmt.Sprint(err), "run did not return") {
			t.Fatalf("eccsd %s exited before listening: %v\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), err, s.stdout, tail(s.stderr.String(), 4000))
		}
		if time.Now().After(deadline) {
			t.Fatalf("eccsd %s printed no \"eccsd listening on\" line within %s\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), startTimeout, s.stdout, tail(s.stderr.String(), 4000))
		}
	}
	if err := s.awaitReady(t, deadline); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dataDir, "dev-credentials.json"))
	if err != nil {
		t.Fatalf("dev mode wrote no credentials file: %v", err)
	}
	if err := json.Unmarshal(data, &s.creds); err != nil {
		t.Fatalf("dev-credentials.json: %v", err)
	}
	return p
}

// waitForLog waits until the server's log holds a line with this msg, and returns it decoded.
func (p *process) waitForLog(t *testing.T, msg string, within time.Duration) map[string]any {
	t.Helper()
	for deadline := time.Now().Add(within); ; {
		for _, line := range strings.Split(p.stderr.String(), "\n") {
			var rec map[string]any
			if json.Unmarshal([]byte(line), &rec) == nil && rec["msg"] == msg {
				return rec
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the server logged no %q within %s; stderr:\n%s", msg, within, tail(p.stderr.String(), 4000))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// dialRefused reports whether a TCP connection to hostport is refused.
func dialRefused(hostport string) bool {
	conn, err := net.DialTimeout("tcp", hostport, time.Second)
	if err != nil {
		return true
	}
	conn.Close()
	return false
}

// awaitRefused dials hostport every 5 ms, for up to 10 s, until a connection is refused, and
// returns when one was (zero if none was).
func awaitRefused(hostport string) time.Time {
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if dialRefused(hostport) {
			return time.Now()
		}
	}
	return time.Time{}
}
