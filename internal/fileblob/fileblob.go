// Package fileblob keeps document bytes in files under a root directory: the eccs.BlobStore of
// a single-machine deployment.
//
// A key is a '/'-separated relative path whose segments are made of A-Z a-z 0-9 '.' '_' '-'
// (not "." or ".."), at most 512 bytes in all; it maps to the same path under the root, so
// no key can reach outside it. On a case-insensitive file system, keys that differ only in case
// name the same file.
//
// Put writes to a temporary file beside the target, fsyncs it, links it to the key's name
// (which fails if the name exists, so nothing is ever replaced) and fsyncs the directory: when
// Put returns, the bytes survive a crash, and no reader ever sees a partial file under a key.
// The file system must support hard links. Temporary files are named "~tmp-…"; '~' never
// appears in a key, so no key can name one. A crash can leave them behind: CleanTemp removes
// them.
package fileblob

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/eccs/eccs/internal/eccs"
)

// tempPrefix starts the names of temporary files. '~' is not allowed in keys.
const tempPrefix = "~tmp-"

// Store is an eccs.BlobStore on the files under one directory. It is safe for concurrent use,
// also by several processes sharing the directory.
type Store struct {
	root string
}

var _ eccs.BlobStore = (*Store)(nil)

// Open returns a Store keeping its files under root, creating the directory if it is missing.
// It fails if root cannot be created or is not a directory.
func Open(root string) (*Store, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("open blob directory %s: %w", root, err)
	}
	if err := os.MkdirAll(abs, 0o750); err != nil {
		return nil, fmt.Errorf("open blob directory %s: %w", root, err)
	}
	fi, err := os.Stat(abs)
	if err != nil {
		return nil, fmt.Errorf("open blob directory %s: %w", root, err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("open blob directory %s: not a directory", root)
	}
	return &Store{root: abs}, nil
}

// Root returns the absolute path of the directory the Store keeps its files in.
func (s *Store) Root() string { return s.root }

// Put stores everything r yields under key and returns its size and hex SHA-256, both computed
// while streaming; the content is never held in memory whole. The bytes are durable when it
// returns. Errors: Invalid for a bad key; Conflict if key exists, or if a prefix of key is
// itself a blob; Unavailable with eccs.ReasonNoSpace when the file system (or the quota) is
// full; r's error or ctx's if either stops the copy. Whatever the error, nothing is stored
// and the temporary file is gone.
func (s *Store) Put(ctx context.Context, key string, r io.Reader, _ int64) (size int64, sha256Hex string, err error) {
	defer func() {
		if err != nil && isNoSpace(err) {
			err = errors.Join(&eccs.Error{Code: eccs.Unavailable, Reason: eccs.ReasonNoSpace,
				Message: "The document store has no space left; nothing was stored."}, err)
		}
	}()
	path, err := s.path(key)
	if err != nil {
		return 0, "", err
	}
	dir := filepath.Dir(path)
	if err := s.mkdirs(dir); err != nil {
		if errors.Is(err, syscall.ENOTDIR) {
			return 0, "", eccs.Errorf(eccs.Conflict, "Blob key %s cannot be stored: a part of it is already a blob.", key)
		}
		return 0, "", fmt.Errorf("store blob %s: %w", key, err)
	}
	f, err := os.CreateTemp(dir, tempPrefix+"*")
	if err != nil {
		return 0, "", fmt.Errorf("store blob %s: %w", key, err)
	}
	tmp := f.Name()
	defer func() {
		if f != nil {
			f.Close()
		}
		// After a successful link the data lives on under path; the temporary name goes
		// either way.
		os.Remove(tmp)
	}()

	h := sha256.New()
	size, err = io.CopyBuffer(io.MultiWriter(f, h), ctxReader{ctx, r}, make([]byte, 128<<10))
	if err != nil {
		return 0, "", fmt.Errorf("store blob %s: %w", key, err)
	}
	if err := f.Sync(); err != nil {
		return 0, "", fmt.Errorf("store blob %s: %w", key, err)
	}
	err = f.Close()
	f = nil
	if err != nil {
		return 0, "", fmt.Errorf("store blob %s: %w", key, err)
	}
	if err := os.Link(tmp, path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return 0, "", eccs.Errorf(eccs.Conflict, "Blob key %s is already stored; blobs are never replaced.", key)
		}
		return 0, "", fmt.Errorf("store blob %s: %w", key, err)
	}
	if err := os.Remove(tmp); err != nil {
		return 0, "", fmt.Errorf("store blob %s: remove temporary file: %w", key, err)
	}
	if err := syncDir(dir); err != nil {
		return 0, "", fmt.Errorf("store blob %s: %w", key, err)
	}
	return size, hex.EncodeToString(h.Sum(nil)), nil
}

// Open returns the blob under key for reading and seeking; the caller closes it. Errors:
// Invalid for a bad key, NotFound if nothing is stored under key.
func (s *Store) Open(ctx context.Context, key string) (eccs.Blob, error) {
	path, err := s.path(key)
	if err != nil {
		return nil, err
	}
	notFound := eccs.Errorf(eccs.NotFound, "No blob is stored under %s.", key)
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
			return nil, notFound
		}
		return nil, fmt.Errorf("open blob %s: %w", key, err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("open blob %s: %w", key, err)
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, notFound // a directory: the prefix of other keys, not a blob
	}
	return &blob{f: f, size: fi.Size(), modTime: fi.ModTime()}, nil
}

// Delete removes the blob under key. Deleting a missing key is not an error, and readers that
// opened the blob before keep reading it whole. Errors: Invalid for a bad key.
func (s *Store) Delete(ctx context.Context, key string) error {
	path, err := s.path(key)
	if err != nil {
		return err
	}
	fi, err := os.Lstat(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
			return nil
		}
		return fmt.Errorf("delete blob %s: %w", key, err)
	}
	if fi.IsDir() {
		return nil // the prefix of other keys, not a blob
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("delete blob %s: %w", key, err)
	}
	if err := syncDir(filepath.Dir(path)); err != nil {
		return fmt.Errorf("delete blob %s: %w", key, err)
	}
	return nil
}

// List calls fn with the key and the last modification time of every blob, in lexical order
// of their paths, skipping temporary files. A blob stored or deleted while List runs may or
// may not be listed. It stops at fn's first error, or ctx's, and returns it.
func (s *Store) List(ctx context.Context, fn func(key string, modTime time.Time) error) error {
	return filepath.WalkDir(s.root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) { // removed meanwhile
				return nil
			}
			return fmt.Errorf("list blobs: %w", err)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if d.IsDir() || strings.HasPrefix(d.Name(), tempPrefix) {
			return nil
		}
		fi, err := d.Info()
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("list blobs: %w", err)
		}
		rel, err := filepath.Rel(s.root, path)
		if err != nil {
			return fmt.Errorf("list blobs: %w", err)
		}
		return fn(filepath.ToSlash(rel), fi.ModTime())
	})
}

// CleanTemp removes the temporary files of Puts that a crash interrupted, when they were last
// written more than olderThan ago, and returns how many it removed. olderThan must exceed the
// longest upload, or it removes the file of a Put in progress (which then fails). It goes on
// past errors and returns them together.
func (s *Store) CleanTemp(olderThan time.Duration) (removed int, err error) {
	cutoff := time.Now().Add(-olderThan)
	var errs []error
	walkErr := filepath.WalkDir(s.root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if !errors.Is(err, fs.ErrNotExist) { // removed meanwhile
				errs = append(errs, err)
			}
			return nil
		}
		if d.IsDir() || !strings.HasPrefix(d.Name(), tempPrefix) {
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			if !errors.Is(err, fs.ErrNotExist) {
				errs = append(errs, err)
			}
			return nil
		}
		if fi.ModTime().After(cutoff) {
			return nil
		}
		if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
			return nil
		}
		removed++
		return nil
	})
	if walkErr != nil {
		errs = append(errs, walkErr)
	}
	if len(errs) > 0 {
		return removed, fmt.Errorf("clean temporary blob files: %w", errors.Join(errs...))
	}
	return removed, nil
}

// path returns the file of key, or an Invalid error.
func (s *Store) path(key string) (string, error) {
	if err := eccs.CheckBlobKey(key); err != nil {
		return "", err
	}
	return filepath.Join(s.root, filepath.FromSlash(key)), nil
}

// mkdirs creates dir and its missing parents below the root, fsyncing the parent of each
// directory it creates so that the new entries survive a crash. It returns an error wrapping
// ENOTDIR when a part of dir is a file.
func (s *Store) mkdirs(dir string) error {
	if fi, err := os.Stat(dir); err == nil && fi.IsDir() {
		return nil // the usual case
	}
	rel, err := filepath.Rel(s.root, dir)
	if err != nil {
		return err
	}
	cur := s.root
	for seg := range strings.SplitSeq(rel, string(filepath.Separator)) {
		next := filepath.Join(cur, seg)
		err := os.Mkdir(next, 0o750)
		switch {
		case err == nil:
			if err := syncDir(cur); err != nil {
				return err
			}
		case errors.Is(err, fs.ErrExist):
			fi, err := os.Stat(next)
			if err != nil {
				return err
			}
			if !fi.IsDir() {
				return &fs.PathError{Op: "mkdir", Path: next, Err: syscall.ENOTDIR}
			}
		default:
			return err
		}
		cur = next
	}
	return nil
}

// isNoSpace reports whether err is a write refused for want of room: a full file system or
// an exhausted quota.
func isNoSpace(err error) bool {
	return errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT)
}

// syncDir fsyncs a directory, making the entries added to or removed from it durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

// ctxReader stops a copy when its context ends.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// blob is an open file; it offers only reading, seeking and closing.
type blob struct {
	f       *os.File
	size    int64
	modTime time.Time
}

func (b *blob) Read(p []byte) (int, error)                   { return b.f.Read(p) }
func (b *blob) Seek(offset int64, whence int) (int64, error) { return b.f.Seek(offset, whence) }
func (b *blob) Close() error                                 { return b.f.Close() }
func (b *blob) Size() int64                                  { return b.size }
func (b *blob) ModTime() time.Time                           { return b.modTime }

// SyscallConn exposes the file descriptor so that net/http sends the file with sendfile(2)
// instead of copying it through user space; it offers no way to write.
func (b *blob) SyscallConn() (syscall.RawConn, error) { return b.f.SyscallConn() }
