package fileblob_test

import (
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/eccs/eccs/internal/eccs"
	"github.com/eccs/eccs/internal/fileblob"
	"github.com/eccs/eccs/internal/testkit/blobtest"
)

func openStore(t *testing.T) *fileblob.Store {
	t.Helper()
	s, err := fileblob.Open(filepath.Join(t.TempDir(), "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestBlobStoreConformance(t *testing.T) {
	blobtest.Run(t, func(t *testing.T) eccs.BlobStore {
		s := openStore(t)
		t.Cleanup(func() {
			// Whatever a test did, no temporary file may be left behind.
			if left := tempFiles(t, s.Root()); len(left) > 0 {
				t.Errorf("temporary files left behind: %q", left)
			}
		})
		return s
	})
}

// tempFiles lists the temporary files under root.
func tempFiles(t *testing.T, root string) []string {
	t.Helper()
	var found []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if strings.HasPrefix(d.Name(), "~tmp-") {
			found = append(found, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return found
}

func TestOpenCreatesTheRoot(t *testing.T) {
	root := filepath.Join(t.TempDir(), "a", "b")
	s, err := fileblob.Open(root)
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(root); err != nil || !fi.IsDir() {
		t.Fatalf("root %s not created: %v", root, err)
	}
	if !filepath.IsAbs(s.Root()) {
		t.Errorf("Root() = %q, want an absolute path", s.Root())
	}
}

func TestOpenOnAFileFails(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := fileblob.Open(file); err == nil {
		t.Fatal("Open on a file succeeded")
	}
}

func TestKeyMapsToItsPathUnderTheRoot(t *testing.T) {
	s := openStore(t)
	if _, _, err := s.Put(t.Context(), "contracts/OCB0000001/doc-1", strings.NewReader("bytes"), 5); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(s.Root(), "contracts", "OCB0000001", "doc-1"))
	if err != nil || string(got) != "bytes" {
		t.Fatalf("file under the root = %q, %v; want %q", got, err, "bytes")
	}
}

func TestPutBelowABlobIsConflict(t *testing.T) {
	s := openStore(t)
	if _, _, err := s.Put(t.Context(), "contracts/doc", strings.NewReader("x"), 1); err != nil {
		t.Fatal(err)
	}
	_, _, err := s.Put(t.Context(), "contracts/doc/more", strings.NewReader("y"), 1)
	if code := eccs.ErrorCode(err); code != eccs.Conflict {
		t.Fatalf("Put below a blob = %v (%s), want Conflict", err, code)
	}
}

func TestPutOnAPrefixOfBlobsIsConflict(t *testing.T) {
	s := openStore(t)
	if _, _, err := s.Put(t.Context(), "contracts/OCB0000001/doc", strings.NewReader("x"), 1); err != nil {
		t.Fatal(err)
	}
	_, _, err := s.Put(t.Context(), "contracts/OCB0000001", strings.NewReader("y"), 1)
	if code := eccs.ErrorCode(err); code != eccs.Conflict {
		t.Fatalf("Put on a directory = %v (%s), want Conflict", err, code)
	}
	if err := s.Delete(t.Context(), "contracts/OCB0000001"); err != nil {
		t.Fatalf("Delete of a directory = %v, want nil (no blob there)", err)
	}
	if _, err := s.Open(t.Context(), "contracts/OCB0000001/doc"); err != nil {
		t.Fatalf("the blob below vanished: %v", err)
	}
}

// crashLeftovers makes temporary files as an interrupted Put leaves them, last written at
// the given times.
func crashLeftovers(t *testing.T, s *fileblob.Store, at map[string]time.Time) {
	t.Helper()
	for rel, mtime := range at {
		path := filepath.Join(s.Root(), filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte("half a document"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(path, mtime, mtime); err != nil {
			t.Fatal(err)
		}
	}
}

func TestCleanTempRemovesOldTemporaryFilesOnly(t *testing.T) {
	s := openStore(t)
	if _, _, err := s.Put(t.Context(), "contracts/OCB0000001/doc", strings.NewReader("kept"), 4); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-2 * time.Hour)
	crashLeftovers(t, s, map[string]time.Time{
		"contracts/OCB0000001/~tmp-123": old,
		"~tmp-456":                      old,
		"contracts/~tmp-fresh":          time.Now(),
	})
	removed, err := s.CleanTemp(time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if removed != 2 {
		t.Errorf("CleanTemp removed %d files, want 2", removed)
	}
	left := tempFiles(t, s.Root())
	if len(left) != 1 || !strings.HasSuffix(left[0], "~tmp-fresh") {
		t.Errorf("temporary files left: %q, want only the fresh one", left)
	}
	b, err := s.Open(t.Context(), "contracts/OCB0000001/doc")
	if err != nil {
		t.Fatalf("a blob was removed with the temporary files: %v", err)
	}
	defer b.Close()
	if got, _ := io.ReadAll(b); string(got) != "kept" {
		t.Errorf("blob holds %q, want %q", got, "kept")
	}
}

func TestTemporaryFilesAreNotBlobs(t *testing.T) {
	s := openStore(t)
	crashLeftovers(t, s, map[string]time.Time{"contracts/~tmp-1": time.Now()})
	_, err := s.Open(t.Context(), "contracts/~tmp-1")
	if code := eccs.ErrorCode(err); code != eccs.Invalid {
		t.Errorf("Open of a temporary file's name = %v (%s), want Invalid", err, code)
	}
	// A Put beside a leftover works and leaves it alone.
	if _, _, err := s.Put(t.Context(), "contracts/doc", strings.NewReader("x"), 1); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(s.Root(), "contracts", "~tmp-1")); err != nil {
		t.Errorf("the leftover was touched: %v", err)
	}
}

func TestConcurrentPutsOfOneKeyStoreOne(t *testing.T) {
	s := openStore(t)
	const n = 8
	errs := make(chan error, n)
	for i := range n {
		go func() {
			_, _, err := s.Put(t.Context(), "contracts/race", strings.NewReader(strings.Repeat(string(rune('a'+i)), 100_000)), 100_000)
			errs <- err
		}()
	}
	ok := 0
	for range n {
		err := <-errs
		switch {
		case err == nil:
			ok++
		case eccs.ErrorCode(err) != eccs.Conflict:
			t.Errorf("Put = %v, want nil or Conflict", err)
		}
	}
	if ok != 1 {
		t.Errorf("%d Puts succeeded, want exactly 1", ok)
	}
	b, err := s.Open(t.Context(), "contracts/race")
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	got, _ := io.ReadAll(b)
	if len(got) != 100_000 || strings.Count(string(got), string(got[0])) != len(got) {
		t.Error("the stored blob mixes the content of several Puts")
	}
	if left := tempFiles(t, s.Root()); len(left) > 0 {
		t.Errorf("temporary files left behind: %q", left)
	}
}
