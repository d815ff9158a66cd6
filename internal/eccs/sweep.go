package eccs

import (
	"context"
	"fmt"
	"time"
)

// The sweep of what a crash leaves behind in the document store.
//
// A document is stored in steps: its bytes are put in the BlobStore under a new key, then its
// row is committed with its audit event (AddDocument; a replacement commits, then deletes the
// old bytes). A process killed between two steps leaves bytes no document refers to (an
// orphan), or a file store's temporary file; never a document without its bytes. SweepBlobs
// removes them; the server runs it at start and then periodically.

// BlobLister is a BlobStore that can list what it holds (fileblob and s3blob can): SweepBlobs
// finds orphans only in those.
type BlobLister interface {
	// List calls fn with the key and last modification time of every blob; it stops at fn's
	// first error, or ctx's, and returns it.
	List(ctx context.Context, fn func(key string, modTime time.Time) error) error
}

// TempCleaner is a BlobStore that writes temporary files (a file store does, before it
// renames them into place): SweepBlobs has it remove those an interrupted write left.
type TempCleaner interface {
	// CleanTemp removes the temporary files last written more than olderThan ago and
	// returns how many it removed.
	CleanTemp(olderThan time.Duration) (int, error)
}

// SweepResult counts what one sweep did.
type SweepResult struct {
	Orphans   int // document bytes no document refers to, removed
	Temporary int // temporary files of interrupted writes, removed
	Foreign   int // unreferenced bytes kept because this database does not know their contract
}

// SweepBlobs removes from the BlobStore the bytes last modified more than olderThan ago that
// no document refers to, and the temporary files of interrupted writes older than that.
//
// olderThan spares the writes in progress, on this server and on others sharing the store:
// bytes are put before their document is committed, so bytes younger than the longest upload
// may belong to a document about to be committed. Only keys of the shape documents' bytes
// have (ParseDocumentBlobKey) are considered, and only for contracts this database knows: a
// store shared by mistake with another deployment, or a database restored empty, must not
// lose its files. The listing comes first, then the documents are read, so that a document
// committed in between counts as referring to its bytes.
func (s *DocumentService) SweepBlobs(ctx context.Context, olderThan time.Duration) (SweepResult, error) {
	var res SweepResult
	if tc, ok := s.blobs.(TempCleaner); ok {
		n, err := tc.CleanTemp(olderThan)
		res.Temporary = n
		if err != nil {
			return res, err
		}
	}
	lister, ok := s.blobs.(BlobLister)
	if !ok {
		return res, nil
	}
	cutoff := s.nowFunc().Add(-olderThan)
	candidates := map[string]string{} // key → its contract
	err := lister.List(ctx, func(key string, modTime time.Time) error {
		if contractID, _, ok := ParseDocumentBlobKey(key); ok && modTime.Before(cutoff) {
			candidates[key] = contractID
		}
		return nil
	})
	if err != nil || len(candidates) == 0 {
		return res, err
	}
	referenced, err := s.store.BlobKeys(ctx)
	if err != nil {
		return res, fmt.Errorf("sweep the document store: %w", err)
	}
	for _, key := range referenced {
		delete(candidates, key)
	}
	known := map[string]bool{} // contract → this database has it
	for key, contractID := range candidates {
		exists, seen := known[contractID]
		if !seen {
			_, err := s.store.Contract(ctx, contractID)
			if err != nil && !IsNotFound(err) {
				return res, fmt.Errorf("sweep the document store: %w", err)
			}
			exists = err == nil
			known[contractID] = exists
		}
		if !exists {
			res.Foreign++
			continue
		}
		if err := s.blobs.Delete(ctx, key); err != nil {
			return res, fmt.Errorf("sweep the document store: %w", err)
		}
		res.Orphans++
	}
	return res, nil
}
