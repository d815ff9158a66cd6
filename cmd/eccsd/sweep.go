package main

// The sweep of what a crash leaves behind.
//
// A document is stored in three steps: the upload is spooled to <data-dir>/uploads, its bytes
// are put in the document store under a new key, then its row is committed with its audit
// event (eccs.Service.AddDocument; a replacement commits, then deletes the old bytes). A
// process killed between two steps leaves a spooled file, bytes no document refers to (an
// orphan), or a file store's temporary file; never a document without its bytes. The crash
// test (e2e_crash_test.go) finds them after a SIGKILL; this file removes them.

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/eccs/eccs/internal/eccs"
	"github.com/eccs/eccs/internal/fileblob"
	"github.com/eccs/eccs/internal/sqlstore"
)

// sweepEvery is how often a running server sweeps the document store, after the sweep at start.
const sweepEvery = time.Hour

// spoolPattern names spooled uploads (httpapi's spool uses os.CreateTemp with it).
const spoolPattern = "eccs-upload-*"

// cleanSpool removes the spooled uploads in dir last written before started (the start of this
// process): files of a process that died before removing them. It returns how many it removed;
// a file it cannot remove is an error, after it has tried the others. On Linux, removing the
// spool file of another live process sharing dir would not disturb it either: the upload reads
// the file it holds open.
func cleanSpool(dir string, started time.Time) (int, error) {
	matches, err := filepath.Glob(filepath.Join(dir, spoolPattern))
	if err != nil {
		return 0, fmt.Errorf("clean the upload spool: %w", err)
	}
	removed := 0
	var errs []error
	for _, path := range matches {
		fi, err := os.Lstat(path)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if !fi.Mode().IsRegular() || !fi.ModTime().Before(started) {
			continue
		}
		if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
			continue
		}
		removed++
	}
	if len(errs) > 0 {
		return removed, fmt.Errorf("clean the upload spool: %w", errors.Join(errs...))
	}
	return removed, nil
}

// blobLister is a document store that can list what it holds: fileblob and s3blob are.
type blobLister interface {
	List(ctx context.Context, fn func(key string, modTime time.Time) error) error
}

// sweepResult counts what one sweep did.
type sweepResult struct {
	orphans   int // document files no document refers to, removed
	temporary int // temporary files of interrupted writes (file stores), removed
	foreign   int // unreferenced files kept because this database does not know their contract
}

// sweepOrphans removes from the document store the files last modified before cutoff that no
// document refers to, and the file store's temporary files older than cutoff.
//
// The cutoff spares the writes in progress, on this server and on others sharing the store: a
// file is put before its document is committed, so a file younger than the longest upload
// may belong to a document about to be committed. Only keys of the shape eccs gives document
// bytes (contracts/<contract>/<document id>-<suffix>) are considered, and only for contracts
// this database knows: a store shared by mistake with another deployment, or a database
// restored empty, must not lose its files. The listing comes first, then the documents are
// read, so that a document committed in between counts as referring to its file.
func sweepOrphans(ctx context.Context, db database, svc *eccs.Service, blobs eccs.BlobStore, cutoff time.Time) (sweepResult, error) {
	var res sweepResult
	if fb, ok := blobs.(*fileblob.Store); ok {
		n, err := fb.CleanTemp(time.Since(cutoff))
		res.temporary = n
		if err != nil {
			return res, err
		}
	}
	lister, ok := blobs.(blobLister)
	if !ok {
		return res, nil
	}
	var candidates []string
	err := lister.List(ctx, func(key string, modTime time.Time) error {
		if modTime.Before(cutoff) && documentKeyContract(key) != "" {
			candidates = append(candidates, key)
		}
		return nil
	})
	if err != nil || len(candidates) == 0 {
		return res, err
	}
	// On SQLite this reads on the one write connection: writes wait for the scan of the
	// documents table (milliseconds for tens of thousands of documents), once an hour.
	refs, err := sqlstore.BlobRefs(ctx, db.DB())
	if err != nil {
		return res, err
	}
	referenced := make(map[string]bool, len(refs))
	for _, r := range refs {
		referenced[r.Key] = true
	}
	known := map[string]bool{} // contract → this database has it
	for _, key := range candidates {
		if referenced[key] {
			continue
		}
		contract := documentKeyContract(key)
		exists, seen := known[contract]
		if !seen {
			_, err := svc.Contract(ctx, contract)
			if err != nil && !eccs.IsNotFound(err) {
				return res, fmt.Errorf("sweep the document store: %w", err)
			}
			exists = err == nil
			known[contract] = exists
		}
		if !exists {
			res.foreign++
			continue
		}
		if err := blobs.Delete(ctx, key); err != nil {
			return res, fmt.Errorf("sweep the document store: %w", err)
		}
		res.orphans++
	}
	return res, nil
}

// documentKeyContract returns the contract of a key of the shape eccs gives document bytes
// (eccs.ParseDocumentBlobKey), or "" for any other key.
func documentKeyContract(key string) string {
	contractID, _, ok := eccs.ParseDocumentBlobKey(key)
	if !ok {
		return ""
	}
	return contractID
}

// sweepDocuments sweeps the document store (sweepOrphans) at start, then every sweepEvery,
// until ctx ends; age is how old an unreferenced file must be to go. age 0 turns it off.
func sweepDocuments(ctx context.Context, db database, svc *eccs.Service, blobs eccs.BlobStore, age time.Duration, logger *slog.Logger) {
	if age <= 0 {
		return
	}
	t := time.NewTicker(sweepEvery)
	defer t.Stop()
	for {
		res, err := sweepOrphans(ctx, db, svc, blobs, time.Now().Add(-age))
		attrs := []any{"orphans_removed", res.orphans, "temporary_removed", res.temporary, "older_than", age.String()}
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			logger.Warn("sweep the document store", append(attrs, "error", err.Error())...)
		default:
			logger.Info("swept the document store", attrs...)
		}
		if res.foreign > 0 {
			logger.Warn("the document store holds files of contracts this database does not know; they are kept (is --blob-url shared with another deployment?)", "files", res.foreign)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
