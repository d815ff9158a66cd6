package eccs_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/eccs/eccs/internal/eccs"
)

// TestSweepBlobsRemovesOnlyOldOrphansOfKnownContracts checks what the sweep that cleans up
// after a crash leaves alone: young files (an upload about to be committed, perhaps by another
// replica), files of contracts the database does not know (a store shared by mistake), keys
// eccs does not make, and every file a document refers to.
func TestSweepBlobsRemovesOnlyOldOrphansOfKnownContracts(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	doc := w.addDoc("BA1-FE", eccs.TypeBills, "202501", t0, "a bill")
	// The sweep compares the blobs' modification times with its clock: the real one here.
	svc := w.service(func(c *eccs.Config) { c.Now = time.Now })
	old := time.Now().Add(-2 * time.Hour)
	if err := os.Chtimes(filepath.Join(w.blobDir, filepath.FromSlash(doc.BlobKey)), old, old); err != nil {
		t.Fatal(err)
	}
	files := []struct {
		key   string
		old   bool
		swept bool
	}{
		{"contracts/BA1-FE/aaaaaaaaaaaaaaaa-bbbbbbbb", true, true},      // an orphan of a crash
		{"contracts/BA2-FE/aaaaaaaaaaaaaaab-bbbbbbbb", true, true},      // another
		{"contracts/BA1-FE/~tmp-1234", true, true},                      // a Put cut short
		{"contracts/BA1-FE/cccccccccccccccc-dddddddd", false, false},    // young: perhaps about to be committed
		{"contracts/BA1-FE/~tmp-5678", false, false},                    // a Put in progress
		{"contracts/ZZZ0000009/eeeeeeeeeeeeeeee-ffffffff", true, false}, // a contract this database does not know
		{"contracts/BA1-FE/notes.txt", true, false},                     // not a key eccs makes
		{"exports/2026/report.csv", true, false},
	}
	for _, f := range files {
		path := filepath.Join(w.blobDir, filepath.FromSlash(f.key))
		if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(f.key), 0o640); err != nil {
			t.Fatal(err)
		}
		if f.old {
			if err := os.Chtimes(path, old, old); err != nil {
				t.Fatal(err)
			}
		}
	}

	res, err := svc.SweepBlobs(w.ctx, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if res != (eccs.SweepResult{Orphans: 2, Temporary: 1, Foreign: 1}) {
		t.Errorf("sweep: %+v, want 2 orphans and 1 temporary file removed, 1 file of an unknown contract kept", res)
	}
	for _, f := range files {
		_, err := os.Stat(filepath.Join(w.blobDir, filepath.FromSlash(f.key)))
		if there := err == nil; there == f.swept {
			t.Errorf("%s: still there %v, want %v", f.key, there, !f.swept)
		}
	}
	if _, err := os.Stat(filepath.Join(w.blobDir, filepath.FromSlash(doc.BlobKey))); err != nil {
		t.Errorf("the sweep removed %s, a document's file: %v", doc.BlobKey, err)
	}
	if again, err := svc.SweepBlobs(w.ctx, time.Hour); err != nil || again != (eccs.SweepResult{Foreign: 1}) {
		t.Errorf("a second sweep: %+v, %v; want only the foreign file, kept", again, err)
	}
}
