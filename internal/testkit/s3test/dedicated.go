package s3test

import (
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/eccs/eccs/internal/testkit/testenv"
)

// Server is a MinIO server that belongs to one test, which may kill it and start it again to
// see what eccs does while its object store is down, without disturbing the tests that share
// the package's server.
type Server struct {
	dir      string // data/ and minio.log
	endpoint string // host:port, the same after every Start
	cmd      *exec.Cmd
}

// Dedicated starts a MinIO server for t alone, on loopback with a temporary directory, and
// kills it and removes its data when t ends. Without the MinIO binary (see Binary), t is
// skipped loudly, or fails under ECCS_TEST_REQUIRE_ALL=1.
func Dedicated(t testing.TB) *Server {
	t.Helper()
	bin := Binary()
	if _, err := os.Stat(bin); err != nil {
		testenv.Unavailable(t, "no MinIO binary at %s for a server of this test's own (set ECCS_TEST_MINIO)", bin)
	}
	dir, err := os.MkdirTemp(dataRoot(), "eccs-s3test-dedicated-")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{dir: dir, endpoint: fmt.Sprintf("127.0.0.1:%d", freePort())}
	t.Cleanup(func() {
		s.kill()
		os.RemoveAll(dir)
	})
	s.Start(t)
	return s
}

// Endpoint returns the server's host:port.
func (s *Server) Endpoint() string { return s.endpoint }

// URL returns an s3:// blob URL of a fresh bucket on the server, and sets the credentials in
// t's environment (so t must not be parallel).
func (s *Server) URL(t testing.TB) string {
	t.Helper()
	t.Setenv("AWS_ACCESS_KEY_ID", AccessKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", SecretKey)
	client := clientOf(t, s.endpoint)
	bucket := makeBucket(t, client)
	return fmt.Sprintf("s3://%s?endpoint=http://%s&region=us-east-1", bucket, s.endpoint)
}

// Stop kills the server (SIGKILL, as a crash or a lost host would): the port refuses
// connections at once.
func (s *Server) Stop(t testing.TB) {
	t.Helper()
	s.kill()
}

// Start starts the server, on the same address with the same data after a Stop, and returns
// once it answers its health check.
func (s *Server) Start(t testing.TB) {
	t.Helper()
	cmd := exec.Command(Binary(), "server", filepath.Join(s.dir, "data"), "--address", s.endpoint,
		"--console-address", fmt.Sprintf("127.0.0.1:%d", freePort()), "--quiet")
	cmd.Env = append(os.Environ(), "MINIO_ROOT_USER="+AccessKey, "MINIO_ROOT_PASSWORD="+SecretKey, "MINIO_BROWSER=off")
	logFile, err := os.OpenFile(filepath.Join(s.dir, "minio.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close() // the child has its own descriptor
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		t.Fatalf("start MinIO: %v", err)
	}
	s.cmd = cmd
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get("http://" + s.endpoint + "/minio/health/live"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("MinIO did not become ready on %s in 30 s (log: %s)", s.endpoint, filepath.Join(s.dir, "minio.log"))
}

func (s *Server) kill() {
	if s.cmd != nil {
		s.cmd.Process.Kill()
		s.cmd.Wait()
		s.cmd = nil
	}
}

// clientOf returns a client of the server at endpoint, with the test credentials.
func clientOf(t testing.TB, endpoint string) *minio.Client {
	t.Helper()
	client, err := minio.New(endpoint, &minio.Options{Creds: credentials.NewStaticV4(AccessKey, SecretKey, "")})
	if err != nil {
		t.Fatal(err)
	}
	return client
}
