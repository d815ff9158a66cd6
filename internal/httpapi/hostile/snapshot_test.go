// What must not change.

package hostile_test

import (
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"maps"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/eccs/eccs/internal/sqlstore"
	"github.com/eccs/eccs/internal/testkit/apitest"
)

// snapshot is the content of everything a request could change.
type snapshot struct {
	tables map[string]string // table → row count and checksum
	blobs  map[string]string // document file → SHA-256
	spool  []string          // files left in the upload spool
}

func takeSnapshot(t *testing.T, a *apitest.AdminEnv) snapshot {
	t.Helper()
	ctx := t.Context()
	store, ok := a.DB.(interface{ DB() *sql.DB })
	if !ok {
		t.Fatalf("the %T store does not give its *sql.DB", a.DB)
	}
	db := store.DB()
	tables, err := sqlstore.Checksums(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	// Checksums leaves out the counters (two databases count on their own); here they count.
	rows, err := db.QueryContext(ctx, "SELECT name, value FROM counters ORDER BY name")
	if err != nil {
		t.Fatal(err)
	}
	var counters []string
	for rows.Next() {
		var name string
		var value int64
		if err := rows.Scan(&name, &value); err != nil {
			t.Fatal(err)
		}
		counters = append(counters, fmt.Sprintf("%s=%d", name, value))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	rows.Close()
	tables["counters"] = strings.Join(counters, " ")

	blobs := map[string]string{}
	for _, key := range a.BlobKeys(t) {
		b, err := a.Blobs.Open(ctx, key)
		if err != nil {
			t.Fatalf("open document file %s: %v", key, err)
		}
		h := sha256.New()
		_, err = io.Copy(h, b)
		b.Close()
		if err != nil {
			t.Fatalf("read document file %s: %v", key, err)
		}
		blobs[key] = hex.EncodeToString(h.Sum(nil))
	}
	return snapshot{tables: tables, blobs: blobs, spool: a.Spooled()}
}

// mustEqual fails the test where s differs from before, or where the spool holds anything.
func (s snapshot) mustEqual(t *testing.T, before snapshot) {
	t.Helper()
	for _, table := range slices.Sorted(maps.Keys(before.tables)) {
		if s.tables[table] != before.tables[table] {
			t.Errorf("table %s changed: %s before, %s after", table, before.tables[table], s.tables[table])
		}
	}
	var changed []string
	for key, sum := range before.blobs {
		if s.blobs[key] != sum {
			changed = append(changed, key+" (changed or removed)")
		}
	}
	for key := range s.blobs {
		if _, ok := before.blobs[key]; !ok {
			changed = append(changed, key+" (added)")
		}
	}
	sort.Strings(changed)
	if len(changed) > 0 {
		t.Errorf("the document store changed: %s", strings.Join(changed, ", "))
	}
	if len(s.spool) > 0 {
		t.Errorf("the upload spool keeps %q", s.spool)
	}
	if len(before.tables) == 0 || len(before.blobs) == 0 {
		t.Errorf("the snapshot saw %d tables and %d document files: it checks nothing", len(before.tables), len(before.blobs))
	}
}
