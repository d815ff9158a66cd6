package main

// The dependencies the fault tests (e2e_faults_test.go) break: a TCP proxy that stops
// answering, and a MinIO of the test's own filled with the seeded documents.

import (
	"context"
	"io/fs"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/eccs/eccs/internal/testkit/s3test"
)

// freezer is a TCP proxy in front of PostgreSQL or the object store that can stop answering. Frozen, it keeps
// every connection open and accepts new ones, but passes no byte either way, as a frozen
// server process, or a network cut that drops packets, would: nothing is refused, nothing
// answers.
type freezer struct {
	ln     net.Listener
	target string // host:port of the server behind it
	frozen atomic.Bool
	mu     sync.Mutex
	conns  []net.Conn
}

// freezeProxy starts a freezer in front of target, closed when t ends.
func freezeProxy(t *testing.T, target string) *freezer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := &freezer{ln: ln, target: target}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			f.hold(c)
			if f.frozen.Load() {
				continue // accepted, never answered
			}
			up, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			f.hold(up)
			go f.pipe(up, c)
			go f.pipe(c, up)
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		<-done
		f.mu.Lock()
		defer f.mu.Unlock()
		for _, c := range f.conns {
			c.Close()
		}
	})
	return f
}

func (f *freezer) hold(c net.Conn) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.conns = append(f.conns, c)
}

// pipe copies src to dst, holding what it reads while the proxy is frozen.
func (f *freezer) pipe(dst, src net.Conn) {
	defer dst.Close()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		for f.frozen.Load() {
			time.Sleep(10 * time.Millisecond)
		}
		if n > 0 {
			if _, err := dst.Write(buf[:n]); err != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// dedicatedMinIO starts a MinIO of the test's own, makes a bucket holding a copy of every
// document file of the data directory dir (the key is the file's path under documents/, as
// in migrate-data), and returns the server and the bucket's blob URL.
func dedicatedMinIO(t *testing.T, dir string) (*s3test.Server, string) {
	t.Helper()
	m := s3test.Dedicated(t)
	blobURL := m.URL(t)
	bucket := strings.TrimPrefix(strings.SplitN(blobURL, "?", 2)[0], "s3://")
	client, err := minio.New(m.Endpoint(), &minio.Options{Creds: credentials.NewStaticV4(s3test.AccessKey, s3test.SecretKey, "")})
	if err != nil {
		t.Fatal(err)
	}
	root := filepath.Join(dir, "documents")
	var paths []string
	filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			paths = append(paths, path)
		}
		return err
	})
	if len(paths) == 0 {
		t.Fatalf("no document file under %s", root)
	}
	work := make(chan string)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for path := range work {
				rel, _ := filepath.Rel(root, path)
				if _, err := client.FPutObject(context.Background(), bucket, filepath.ToSlash(rel), path, minio.PutObjectOptions{}); err != nil {
					t.Errorf("copy %s to the bucket: %v", rel, err)
				}
			}
		}()
	}
	for _, p := range paths {
		work <- p
	}
	close(work)
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	return m, blobURL
}
