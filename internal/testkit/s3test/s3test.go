// Package s3test gives tests a real S3-compatible server: a MinIO server it starts on loopback
// with a temporary directory. MinIO is a test tool only, never part of eccs (it is AGPL and
// large): it is built once with `go install` into a cache directory (ECCS_TEST_MINIO names the
// binary; default ~/.cache/eccs-test/bin/minio, which .ci/run fills). Without it, tests skip
// loudly, or fail under ECCS_TEST_REQUIRE_ALL=1. Each test gets a fresh bucket.
//
// A package whose tests use it calls Main from its TestMain, so that the server stops when
// the tests end.
package s3test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/eccs/eccs/internal/testkit/testenv"
)

// The credentials of the test server; tests export them as AWS_ACCESS_KEY_ID and
// AWS_SECRET_ACCESS_KEY, which the store reads.
const (
	AccessKey = "eccs-test-access"
	SecretKey = "eccs-test-secret-0123456789"
)

var server struct {
	once     sync.Once
	endpoint string
	err      error
	cmd      *exec.Cmd
	dir      string
}

// Main runs the tests, then stops the server if one was started.
func Main(m *testing.M) {
	code := m.Run()
	Shutdown()
	os.Exit(code)
}

// Shutdown stops the server if one was started and removes its data. Main calls it; a
// TestMain that needs other test servers too calls it after m.Run instead of Main.
func Shutdown() {
	if server.cmd != nil {
		server.cmd.Process.Kill()
		server.cmd.Wait()
		server.cmd = nil
	}
	if server.dir != "" {
		os.RemoveAll(server.dir)
		server.dir = ""
	}
}

// Binary returns the path of the MinIO server binary tests use.
func Binary() string {
	if p := os.Getenv("ECCS_TEST_MINIO"); p != "" {
		return p
	}
	home, _ := os.UserHomeDir()
	return filepath.Join(home, ".cache", "eccs-test", "bin", "minio")
}

// URL returns an s3:// blob URL of a fresh bucket for t, and sets the credentials in t's
// environment.
func URL(t testing.TB) string {
	t.Helper()
	server.once.Do(start)
	if server.err != nil {
		testenv.Unavailable(t, "no S3-compatible server: %v", server.err)
	}
	t.Setenv("AWS_ACCESS_KEY_ID", AccessKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", SecretKey)
	return bucketURL(makeBucket(t, newClient(t)))
}

// CopyBucket returns an s3:// blob URL of a fresh bucket for t that holds a server-side copy
// of every object of the bucket fromURL names (its prefix included), and sets the
// credentials in t's environment. Objects are copied in parallel: a few hundred take a
// fraction of a second. The bucket is removed when t ends (those of URL live until Shutdown).
func CopyBucket(t testing.TB, fromURL string) string {
	t.Helper()
	Endpoint(t)
	t.Setenv("AWS_ACCESS_KEY_ID", AccessKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", SecretKey)
	from, _ := parseURL(t, fromURL)
	client := newClient(t)
	bucket := makeBucket(t, client)
	t.Cleanup(func() {
		client.RemoveBucketWithOptions(context.Background(), bucket, minio.RemoveBucketOptions{ForceDelete: true})
	})
	var keys []string
	for obj := range client.ListObjects(t.Context(), from, minio.ListObjectsOptions{Recursive: true}) {
		if obj.Err != nil {
			t.Fatalf("list bucket %s: %v", from, obj.Err)
		}
		keys = append(keys, obj.Key)
	}
	const workers = 16
	work := make(chan string)
	errs := make(chan error, workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var first error
			for key := range work {
				if first != nil {
					continue
				}
				_, err := client.CopyObject(context.Background(),
					minio.CopyDestOptions{Bucket: bucket, Object: key},
					minio.CopySrcOptions{Bucket: from, Object: key})
				if err != nil {
					first = fmt.Errorf("copy %s/%s to bucket %s: %w", from, key, bucket, err)
				}
			}
			errs <- first
		}()
	}
	for _, k := range keys {
		work <- k
	}
	close(work)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	u := bucketURL(bucket)
	if _, prefix := parseURL(t, fromURL); prefix != "" {
		u = fmt.Sprintf("s3://%s/%s?endpoint=http://%s&region=us-east-1", bucket, prefix, server.endpoint)
	}
	return u
}

// Keys lists the keys of the objects under the bucket and prefix of an s3:// blob URL,
// relative to the prefix, in byte order.
func Keys(t testing.TB, blobURL string) []string {
	t.Helper()
	Endpoint(t)
	bucket, prefix := parseURL(t, blobURL)
	if prefix != "" {
		prefix += "/"
	}
	var keys []string
	for obj := range newClient(t).ListObjects(t.Context(), bucket, minio.ListObjectsOptions{Prefix: prefix, Recursive: true}) {
		if obj.Err != nil {
			t.Fatalf("list bucket %s: %v", bucket, obj.Err)
		}
		keys = append(keys, strings.TrimPrefix(obj.Key, prefix))
	}
	slices.Sort(keys)
	return keys
}

func newClient(t testing.TB) *minio.Client {
	t.Helper()
	client, err := minio.New(server.endpoint, &minio.Options{Creds: credentials.NewStaticV4(AccessKey, SecretKey, "")})
	if err != nil {
		t.Fatal(err)
	}
	return client
}

func makeBucket(t testing.TB, client *minio.Client) string {
	t.Helper()
	bucket := "eccs-test-" + randomHex(6)
	if err := client.MakeBucket(t.Context(), bucket, minio.MakeBucketOptions{}); err != nil {
		t.Fatalf("make bucket %s: %v", bucket, err)
	}
	return bucket
}

func bucketURL(bucket string) string {
	return fmt.Sprintf("s3://%s?endpoint=http://%s&region=us-east-1", bucket, server.endpoint)
}

// parseURL returns the bucket and the prefix (without slashes around it) of an s3:// URL.
func parseURL(t testing.TB, blobURL string) (bucket, prefix string) {
	t.Helper()
	u, err := url.Parse(blobURL)
	if err != nil || u.Scheme != "s3" || u.Host == "" {
		t.Fatalf("%q is not an s3:// blob URL", blobURL)
	}
	return u.Host, strings.Trim(u.Path, "/")
}

// Endpoint returns the host:port of the server (starting it if needed), or "" when there is
// none.
func Endpoint(t testing.TB) string {
	t.Helper()
	server.once.Do(start)
	if server.err != nil {
		testenv.Unavailable(t, "no S3-compatible server: %v", server.err)
	}
	return server.endpoint
}

func start() {
	bin := Binary()
	if _, err := os.Stat(bin); err != nil {
		server.err = fmt.Errorf("no MinIO binary at %s (build it with: GOBIN=%s go install github.com/minio/minio@v0.0.0-20260212201848-7aac2a2c5b7c, or set ECCS_TEST_MINIO)", bin, filepath.Dir(bin))
		return
	}
	dir, err := os.MkdirTemp(dataRoot(), "eccs-s3test-")
	if err != nil {
		server.err = err
		return
	}
	server.dir = dir
	server.endpoint = fmt.Sprintf("127.0.0.1:%d", freePort())
	server.cmd, server.err = launch()
}

// dataRoot is where the server keeps its data: in memory (/dev/shm) when the machine has it,
// since MinIO syncs every object to disk and tests need no durability (copying the 324
// objects of a test world takes a fifth of the time), else the temporary directory.
func dataRoot() string {
	const shm = "/dev/shm"
	if f, err := os.CreateTemp(shm, "eccs-s3test-probe-"); err == nil {
		f.Close()
		os.Remove(f.Name())
		return shm
	}
	return os.TempDir()
}

// launch starts MinIO on server.endpoint with server.dir's data and waits until it is ready.
func launch() (*exec.Cmd, error) {
	cmd := exec.Command(Binary(), "server", filepath.Join(server.dir, "data"), "--address", server.endpoint,
		"--console-address", fmt.Sprintf("127.0.0.1:%d", freePort()), "--quiet")
	cmd.Env = append(os.Environ(), "MINIO_ROOT_USER="+AccessKey, "MINIO_ROOT_PASSWORD="+SecretKey, "MINIO_BROWSER=off")
	if logFile, err := os.OpenFile(filepath.Join(server.dir, "minio.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600); err == nil {
		cmd.Stdout, cmd.Stderr = logFile, logFile
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start MinIO: %w", err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get("http://" + server.endpoint + "/minio/health/live"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return cmd, nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	cmd.Process.Kill()
	cmd.Wait()
	return nil, fmt.Errorf("MinIO did not become ready in 30 s (log: %s)", filepath.Join(server.dir, "minio.log"))
}

// Stop stops the server, for tests of what eccs does while its object store is down; Start
// starts it again on the same address, with the same data.
func Stop(t testing.TB) {
	t.Helper()
	Endpoint(t)
	server.cmd.Process.Kill()
	server.cmd.Wait()
}

// Start starts the server again after Stop.
func Start(t testing.TB) {
	t.Helper()
	cmd, err := launch()
	if err != nil {
		t.Fatalf("restart MinIO: %v", err)
	}
	server.cmd = cmd
}

func freePort() int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
