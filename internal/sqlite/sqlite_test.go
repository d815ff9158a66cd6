package sqlite_test

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"testing/fstest"
	"time"

	"github.com/eccs/eccs/internal/eccs"
	"github.com/eccs/eccs/internal/schema"
	"github.com/eccs/eccs/internal/sqlite"
	"github.com/eccs/eccs/internal/sqlstore"
	"github.com/eccs/eccs/internal/testkit/storetest"
)

// openStore opens a migrated store on a new file in a temporary directory.
func openStore(t *testing.T, opts sqlite.Options) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "eccs.db"), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	if _, err := s.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestStoreConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) eccs.Store {
		s := openStore(t, sqlite.Options{})
		t.Cleanup(func() {
			if err := s.IntegrityCheck(context.Background()); err != nil {
				t.Errorf("after the test: %v", err)
			}
		})
		return s
	})
}

func TestPragmasReadBack(t *testing.T) {
	s := openStore(t, sqlite.Options{BusyTimeout: 1234 * time.Millisecond})
	tests := []struct {
		pragma string
		want   string
	}{
		{"journal_mode", "wal"},
		{"foreign_keys", "1"},
		{"synchronous", "1"}, // NORMAL
		{"busy_timeout", "1234"},
	}
	for _, tt := range tests {
		t.Run(tt.pragma, func(t *testing.T) {
			var got string
			if err := s.DB().QueryRowContext(t.Context(), "PRAGMA "+tt.pragma).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("PRAGMA %s = %q, want %q", tt.pragma, got, tt.want)
			}
		})
	}
}

// allMigrations are the migration files, in order (fs.Glob sorts): listed from the directory,
// so that a new migration needs no edit here.
var allMigrations = func() []string {
	names, err := fs.Glob(sqlstore.Migrations(), "*.sql")
	if err != nil || len(names) < 5 || names[0] != "0001_init.sql" {
		panic(fmt.Sprintf("migration files: %q, %v", names, err))
	}
	return names
}()

func TestFreshDatabaseHasEveryMigrationPending(t *testing.T) {
	s, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "eccs.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	pending, err := s.PendingMigrations(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(pending, allMigrations) {
		t.Fatalf("PendingMigrations = %q, want %q", pending, allMigrations)
	}
	// Before migrating, lookups fail (there are no tables) but do not panic.
	if _, err := s.Contract(t.Context(), "OCB0000001"); err == nil {
		t.Error("Contract on an unmigrated database succeeded")
	}
}

func TestMigrateTwiceAppliesOnce(t *testing.T) {
	s, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "eccs.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	first, err := s.Migrate(t.Context())
	if err != nil || !reflect.DeepEqual(first, allMigrations) {
		t.Fatalf("first Migrate = %q, %v; want %q", first, err, allMigrations)
	}
	second, err := s.Migrate(t.Context())
	if err != nil || len(second) != 0 {
		t.Fatalf("second Migrate = %q, %v; want nothing", second, err)
	}
	pending, err := s.PendingMigrations(t.Context())
	if err != nil || len(pending) != 0 {
		t.Fatalf("PendingMigrations after Migrate = %q, %v; want nothing", pending, err)
	}
}

func TestReopenKeepsData(t *testing.T) {
	path := filepath.Join(t.TempDir(), "eccs.db")
	s, err := sqlite.Open(t.Context(), path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	c := eccs.Customer{ID: "cust-1", Name: "Acme", Segment: "int", CreatedAt: time.UnixMicro(1_800_000_000_000_000).UTC()}
	if err := s.CreateCustomer(t.Context(), c); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = sqlite.Open(t.Context(), path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if pending, err := s.PendingMigrations(t.Context()); err != nil || len(pending) != 0 {
		t.Fatalf("PendingMigrations after reopening = %q, %v; want nothing", pending, err)
	}
	got, err := s.Customer(t.Context(), "cust-1")
	if err != nil || got != c {
		t.Fatalf("Customer after reopening = %+v, %v; want %+v", got, err, c)
	}
}

func TestIntegrityCheckPassesOnMigratedDatabase(t *testing.T) {
	s := openStore(t, sqlite.Options{})
	if err := s.IntegrityCheck(t.Context()); err != nil {
		t.Fatal(err)
	}
}

func TestIntegrityCheckReportsBrokenForeignKey(t *testing.T) {
	s := openStore(t, sqlite.Options{})
	ctx := t.Context()
	conn, err := s.DB().Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Only a connection with foreign keys off can break them, as a careless manual edit would.
	for _, q := range []string{
		`PRAGMA foreign_keys = OFF`,
		`INSERT INTO billing_accounts (id, customer_id, name, created_at, updated_at) VALUES ('ba-1', 'missing', 'x', 0, 0)`,
		`PRAGMA foreign_keys = ON`,
	} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	conn.Close()
	if err := s.IntegrityCheck(ctx); err == nil {
		t.Fatal("IntegrityCheck passed with a billing account of a missing customer")
	}
}

func TestWriteBlockedPastBusyTimeoutIsUnavailable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "eccs.db")
	s, err := sqlite.Open(t.Context(), path, sqlite.Options{BusyTimeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}

	// Another process holds the write lock.
	other, err := sqlite.Open(t.Context(), path, sqlite.Options{BusyTimeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	conn, err := other.DB().Conn(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(t.Context(), "BEGIN EXCLUSIVE"); err != nil {
		t.Fatal(err)
	}
	defer conn.ExecContext(context.Background(), "ROLLBACK") //nolint:errcheck

	c := eccs.Customer{ID: "cust-1", Name: "Acme", Segment: "int"}
	tests := []struct {
		name string
		call func(ctx context.Context) error
	}{
		{"single write", func(ctx context.Context) error { return s.CreateCustomer(ctx, c) }},
		{"transaction", func(ctx context.Context) error {
			return s.InTx(ctx, func(tx eccs.Store) error { return tx.CreateCustomer(ctx, c) })
		}},
		{"counter", func(ctx context.Context) error { _, err := s.NextContractNumber(ctx); return err }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			err := tt.call(t.Context())
			if code := eccs.ErrorCode(err); code != eccs.Unavailable {
				t.Fatalf("error %v has code %q, want %q", err, code, eccs.Unavailable)
			}
			if waited := time.Since(start); waited < 90*time.Millisecond {
				t.Errorf("failed after %v, before the busy timeout", waited)
			}
		})
	}
	// Reads go on while the writer is locked out (WAL).
	if _, err := s.Offer(t.Context(), "none"); !eccs.IsNotFound(err) {
		t.Errorf("read during the lock = %v, want NotFound", err)
	}
}

func TestOpenPathWithURICharacters(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a b?c#d%e&f")
	if err := os.Mkdir(dir, 0o750); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "eccs.db")
	s, err := sqlite.Open(t.Context(), path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("the database is not at the given path: %v", err)
	}
}

// rows0001 are rows written with 0001's columns only, as the previous release wrote them.
var rows0001 = []string{
	`INSERT INTO customers (id, name, segment, created_at, updated_at) VALUES ('cust-1', 'Acme', 'int', 1, 1)`,
	`INSERT INTO billing_accounts (id, customer_id, name, created_at, updated_at) VALUES ('ba-1', 'cust-1', 'Main', 1, 1)`,
	`INSERT INTO offers (id, name, contract_type, support_levels, created_at, updated_at) VALUES ('FE', 'Flexible Engine', 'IAAS', 'BSC', 1, 1)`,
	`INSERT INTO identities (id, login, login_key, email, email_key, civility, last_name, first_name, fix_phone, mobile_phone, created_at, updated_at)
		VALUES ('id-1', 'alice.martin', 'alice.martin', 'alice@example.com', 'alice@example.com', '', 'Martin', 'Alice', '', '', 1, 1)`,
	`INSERT INTO contracts (id, name, contract_type, offer_id, billing_account_id, platform_id, support_level, referent_id,
		reference_ext1, reference_ext2, reference_ext3, created_at, updated_at)
		VALUES ('OCB0000001', 'C1', 'IAAS', 'FE', 'ba-1', '', 'BSC', 'id-1', '', '', '', 1, 1)`,
	`INSERT INTO applications (id, client_id, name, secret_hash, status, subscription, terms_accepted_at, created_at, updated_at)
		VALUES ('app-1', 'client-1', 'App', 'h', 'active', 'approved', 5, 1, 1)`,
}

// TestUpgradeFrom0001KeepsDataAndDefaultsNewColumns migrates a database that only 0001 built
// and filled, as a release before 0002 left it: its rows must read back with the new columns
// at their defaults (open contracts, terms accepted by nobody recorded).
func TestUpgradeFrom0001KeepsDataAndDefaultsNewColumns(t *testing.T) {
	ctx := t.Context()
	s, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "eccs.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	initSQL, err := fs.ReadFile(sqlstore.Migrations(), "0001_init.sql")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := schema.Apply(ctx, s.DB(), fstest.MapFS{"0001_init.sql": {Data: initSQL}}); err != nil {
		t.Fatal(err)
	}
	for _, q := range rows0001 {
		if _, err := s.DB().ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	applied, err := s.Migrate(ctx)
	if err != nil || !reflect.DeepEqual(applied, allMigrations[1:]) {
		t.Fatalf("Migrate = %q, %v; want %q", applied, err, allMigrations[1:])
	}
	c, err := s.Contract(ctx, "OCB0000001")
	if err != nil {
		t.Fatal(err)
	}
	// 0003 counted the contract that was already there.
	if list, total, err := s.Contracts(ctx, eccs.ContractFilter{All: true}); err != nil || total != 1 || len(list) != 1 {
		t.Fatalf("Contracts after the upgrade: %d of %d, %v", len(list), total, err)
	}
	if c.Closed() || c.Name != "C1" || c.Referent.Login != "alice.martin" {
		t.Errorf("contract after the upgrade = %+v, want C1, open, referent alice.martin", c)
	}
	// 0004 made the referent's data its customer's record of them.
	if rec, err := s.Contact(ctx, "cust-1", "id-1"); err != nil || rec.Login != "alice.martin" || rec.LastName != "Martin" {
		t.Errorf("cust-1's record of the referent after the upgrade = %+v, %v", rec, err)
	}
	a, err := s.Application(ctx, "app-1")
	if err != nil {
		t.Fatal(err)
	}
	if a.TermsAcceptedBy != "" || a.TermsAcceptedAt.IsZero() {
		t.Errorf("application after the upgrade = %+v, want terms accepted at 5µs by nobody recorded", a)
	}
	if err := s.IntegrityCheck(ctx); err != nil {
		t.Fatal(err)
	}
}
