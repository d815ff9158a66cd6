package main

import (
	"archive/zip"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/eccs/eccs/client"
)

// saveDocument downloads a document into dir under the name the server gives, as the SDK's
// DownloadToDir does (a temporary file in dir, renamed only once complete and checked, so that
// a failed download never leaves a file under the final name; a ZIP checked by reading the
// file it holds), except for the mode: a new file's usual one (0666 less the umask), or 0600
// with private. It returns the file's path.
func saveDocument(ctx context.Context, c *client.Client, contract, documentID, dir string, zipped, private bool, opts ...client.DownloadOption) (string, client.Download, error) {
	perm := fs.FileMode(0o666)
	if private {
		perm = 0o600
	}
	tmp, err := createTemp(dir, perm)
	if err != nil {
		return "", client.Download{}, err
	}
	defer os.Remove(tmp.Name()) // after a successful rename this removes nothing
	d, err := c.DownloadDocument(ctx, contract, documentID, zipped, tmp, opts...)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil && zipped {
		d.Verified, err = checkZip(tmp.Name(), d.ETag)
	}
	if err != nil {
		return "", d, err
	}
	path := filepath.Join(dir, d.Filename)
	if err := os.Rename(tmp.Name(), path); err != nil {
		return "", d, err
	}
	return path, d, nil
}

// createTemp creates a new hidden file in dir with mode perm (less the umask): os.CreateTemp
// makes 0600 files, whatever the umask.
func createTemp(dir string, perm fs.FileMode) (*os.File, error) {
	for range 100 {
		name := filepath.Join(dir, ".eccs-download-"+rand.Text()[:12])
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, perm)
		if !errors.Is(err, fs.ErrExist) {
			return f, err
		}
	}
	return nil, fmt.Errorf("create a temporary file in %s: too many names taken", dir)
}

// checkZip reads every file of the ZIP archive at path, which checks their CRC-32; when the
// archive holds one file and etag is "<sha256>-zip" (as eccs sends), it checks that file's
// SHA-256 too and reports true.
func checkZip(path, etag string) (bool, error) {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return false, fmt.Errorf("the downloaded archive is not a ZIP file: %w", err)
	}
	defer zr.Close()
	want, _ := strings.CutSuffix(strings.Trim(etag, `"`), "-zip")
	verified := false
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			return false, fmt.Errorf("the downloaded archive: %w", err)
		}
		h := sha256.New()
		_, err = io.Copy(h, rc)
		rc.Close()
		if err != nil {
			return false, fmt.Errorf("the downloaded archive: %s: %w", f.Name, err)
		}
		if _, err := hex.DecodeString(want); err == nil && len(want) == 2*sha256.Size && len(zr.File) == 1 {
			if got := hex.EncodeToString(h.Sum(nil)); got != strings.ToLower(want) {
				return false, fmt.Errorf("%w: %s in the archive has sha-256 %s, the server announced %s", client.ErrDigestMismatch, f.Name, got, want)
			}
			verified = true
		}
	}
	return verified, nil
}
