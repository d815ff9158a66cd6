package apitest

import (
	"context"
	"errors"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/eccs/eccs/internal/devseed"
	"github.com/eccs/eccs/internal/testkit/pgtest"
	"github.com/eccs/eccs/internal/testkit/s3test"
)

// template is the seeded test world, made once and copied for each test, so that every test
// has its own database and document files and may change them. On SQLite it is a data
// directory (eccs.db and documents/); on PostgreSQL a template database and a bucket.
var template struct {
	once    sync.Once
	dir     string // sqlite
	dbURL   string // postgres
	blobURL string // postgres
	creds   devseed.Credentials
	err     error
}

func seededTemplate(t *testing.T) devseed.Credentials {
	t.Helper()
	if Backend() == BackendPostgres {
		// Outside the Once: without a server, every test skips loudly (or fails under
		// ECCS_TEST_REQUIRE_ALL=1), not only the first.
		pgtest.Require(t)
		s3test.Endpoint(t)
	}
	template.once.Do(func() {
		template.err = errors.New("seeding stopped half-way") // unless it finishes
		start := time.Now()
		if Backend() == BackendPostgres {
			// The database is closed after seeding, since PostgreSQL copies only a database
			// nobody is connected to.
			template.dbURL = pgtest.Template(t)
			template.blobURL = s3test.URL(t)
		} else if template.dir, template.err = os.MkdirTemp("", "eccs-httpapi-test-"); template.err != nil {
			return
		}
		template.err = seedTemplate()
		t.Logf("seeded the %s test world in %s", Backend(), time.Since(start).Round(time.Millisecond))
	})
	if template.err != nil {
		t.Fatalf("seed the test world: %v", template.err)
	}
	return template.creds
}

var seedURLs = devseed.URLs{Public: "http://example.invalid", Admin: "http://example.invalid"}

// seedTemplate seeds the template's store, then closes it.
func seedTemplate() error {
	ctx := context.Background()
	db, blobs, err := openMigrated(ctx, template.dir, template.dbURL, template.blobURL)
	if err != nil {
		return err
	}
	defer db.Close()
	template.creds, err = devseed.Seed(ctx, db, blobs, Keys, SeedTime, seedURLs)
	return err
}
