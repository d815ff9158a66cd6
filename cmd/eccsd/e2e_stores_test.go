package main

// Readers of what a server left on disk or in its bucket, for the tests that check the data
// itself rather than the API's answers: the SQLite database (a copy, opened query-only), the
// document store's files or objects.

import (
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
	_ "modernc.org/sqlite" // the "sqlite" driver, to read the database the server left

	"github.com/eccs/eccs/internal/testkit/s3test"
)

// storedObject is what the document store holds under a key.
type storedObject struct {
	size   int64
	sha256 string
}

// openSQLiteCopy opens a copy of the SQLite database at path (with its -wal and -shm files as
// the server left them), so that whatever SQLite does on opening (recovering the WAL of a
// killed writer) leaves the server's files alone. The copy is opened query-only.
func openSQLiteCopy(t *testing.T, path string) *sql.DB {
	t.Helper()
	dir := t.TempDir()
	for _, suffix := range []string{"", "-wal", "-shm"} {
		data, err := os.ReadFile(path + suffix)
		if errors.Is(err, fs.ErrNotExist) && suffix != "" {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "eccs.db"+suffix), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "eccs.db")+"?_pragma=query_only(1)")
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	return db
}

// checkSQLiteIntegrity runs PRAGMA integrity_check and foreign_key_check.
func checkSQLiteIntegrity(t *testing.T, db *sql.DB, when string) {
	t.Helper()
	var result string
	if err := db.QueryRow(`PRAGMA integrity_check`).Scan(&result); err != nil || result != "ok" {
		t.Errorf("PRAGMA integrity_check %s: %q (%v), want ok", when, result, err)
	}
	rows, err := db.Query(`PRAGMA foreign_key_check`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var table, parent string
		var rowid sql.NullInt64
		var fkid int64
		rows.Scan(&table, &rowid, &parent, &fkid)
		t.Errorf("PRAGMA foreign_key_check %s: row %d of %s refers to a missing row of %s", when, rowid.Int64, table, parent)
	}
}

// fileObjects lists every file under root (a file:// document store), temporary ones
// included, by their key: the path under root with '/'.
func fileObjects(t *testing.T, root string) map[string]storedObject {
	t.Helper()
	objects := map[string]storedObject{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		sum := sha256.Sum256(data)
		objects[filepath.ToSlash(rel)] = storedObject{int64(len(data)), hex.EncodeToString(sum[:])}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return objects
}

// s3Objects lists every object of the bucket an s3test URL names, read whole.
func s3Objects(t *testing.T, blobURL string) map[string]storedObject {
	t.Helper()
	u, err := url.Parse(blobURL)
	if err != nil {
		t.Fatal(err)
	}
	bucket := u.Host
	c, err := minio.New(s3test.Endpoint(t), &minio.Options{Creds: credentials.NewStaticV4(s3test.AccessKey, s3test.SecretKey, ""), BucketLookup: minio.BucketLookupPath})
	if err != nil {
		t.Fatal(err)
	}
	objects := map[string]storedObject{}
	for info := range c.ListObjects(t.Context(), bucket, minio.ListObjectsOptions{Recursive: true}) {
		if info.Err != nil {
			t.Fatalf("list bucket %s: %v", bucket, info.Err)
		}
		obj, err := c.GetObject(t.Context(), bucket, info.Key, minio.GetObjectOptions{})
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(obj)
		obj.Close()
		if err != nil {
			t.Fatalf("read %s: %v", info.Key, err)
		}
		sum := sha256.Sum256(data)
		objects[info.Key] = storedObject{int64(len(data)), hex.EncodeToString(sum[:])}
	}
	return objects
}

// documentFiles lists the files under dir/documents, with their sizes: what the document
// store holds on disk.
func documentFiles(t *testing.T, dir string) map[string]int64 {
	t.Helper()
	files := map[string]int64{}
	root := filepath.Join(dir, "documents")
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		files[rel] = info.Size()
		return nil
	})
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return files
}
