// Package spool keeps uploads on disk while they are checked and stored: the server writes an
// upload's body to a spool file before it reads it (it is read more than once: its format is
// checked, then it is stored), and removes the file when the request ends. A process killed
// meanwhile leaves its spool files behind; the next process removes them at start (Clean).
package spool

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// pattern names spool files, so that Clean removes them and nothing else of the directory.
const pattern = "eccs-upload-*"

// Create returns a new spool file in dir, open for reading and writing. The caller removes it.
func Create(dir string) (*os.File, error) {
	return os.CreateTemp(dir, pattern)
}

// Clean removes the spool files in dir last written before started (the start of this
// process): files of a process that died before removing them. It returns how many it
// removed; a file it cannot remove is an error, after it has tried the others. Removing the
// spool file of another live process sharing dir would not disturb it either, on the systems
// eccs runs on: the upload reads the file it holds open.
func Clean(dir string, started time.Time) (int, error) {
	matches, err := filepath.Glob(filepath.Join(dir, pattern))
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
