package spool_test

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/eccs/eccs/internal/spool"
)

// TestCleanRemovesWhatAPreviousProcessLeft: spool files older than the start go; this
// process's spool files and the directory's other files stay.
func TestCleanRemovesWhatAPreviousProcessLeft(t *testing.T) {
	dir := t.TempDir()
	started := time.Now().Add(-time.Minute)
	old := started.Add(-time.Hour)
	left, err := spool.Create(dir) // a previous process's, never removed
	if err != nil {
		t.Fatal(err)
	}
	left.Close()
	if err := os.Chtimes(left.Name(), old, old); err != nil {
		t.Fatal(err)
	}
	current, err := spool.Create(dir) // this process's, in use
	if err != nil {
		t.Fatal(err)
	}
	defer current.Close()
	other := filepath.Join(dir, "keep.txt")
	if err := os.WriteFile(other, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(other, old, old); err != nil {
		t.Fatal(err)
	}

	if n, err := spool.Clean(dir, started); n != 1 || err != nil {
		t.Fatalf("Clean = %d, %v; want 1 removed", n, err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	want := []string{filepath.Base(current.Name()), "keep.txt"}
	slices.Sort(want)
	if !slices.Equal(names, want) {
		t.Errorf("the spool holds %v after Clean, want %v", names, want)
	}
}

func TestCleanOfAMissingDirectoryRemovesNothing(t *testing.T) {
	if n, err := spool.Clean(filepath.Join(t.TempDir(), "absent"), time.Now()); n != 0 || err != nil {
		t.Errorf("Clean = %d, %v; want 0, nil", n, err)
	}
}
