package sqlstore

import (
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/eccs/eccs/internal/eccs"
)

// The Store's behaviour is checked by internal/testkit/storetest through each database
// package; these tests cover the helpers whose cases a database cannot easily produce.

func TestPageClause(t *testing.T) {
	tests := []struct {
		name string
		page eccs.Page
		sql  string
		args []any
	}{
		{"no page writes nothing", eccs.Page{}, "", []any{"k"}},
		{"limit and offset are bound after the filter's values", eccs.Page{Offset: 20, Limit: 10}, " LIMIT $2 OFFSET $3", []any{"k", int64(10), int64(20)}},
		{"limit alone has offset 0", eccs.Page{Limit: 5}, " LIMIT $2 OFFSET $3", []any{"k", int64(5), int64(0)}},
		{"offset alone has the largest limit", eccs.Page{Offset: 3}, " LIMIT $2 OFFSET $3", []any{"k", int64(math.MaxInt64), int64(3)}},
		{"negative values count as zero", eccs.Page{Offset: -1, Limit: -1}, "", []any{"k"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := []any{"k"}
			got := pageClause(tt.page, &args)
			if got != tt.sql || !reflect.DeepEqual(args, tt.args) {
				t.Errorf("pageClause(%+v) = %q with %v, want %q with %v", tt.page, got, args, tt.sql, tt.args)
			}
		})
	}
}

func TestTimestampsRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		in   time.Time
		want time.Time
	}{
		{"zero time is stored as 0 and comes back zero", time.Time{}, time.Time{}},
		{"nanoseconds are truncated and the zone becomes UTC",
			time.Date(2026, 3, 1, 12, 0, 0, 123456789, time.FixedZone("X", -5*3600)),
			time.Date(2026, 3, 1, 17, 0, 0, 123456000, time.UTC)},
		{"time before 1970 comes back", time.Date(1969, 7, 20, 20, 17, 0, 0, time.UTC), time.Date(1969, 7, 20, 20, 17, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got time.Time
			if err := (usec{&got}).Scan(micros(tt.in)); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("round trip of %v = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
	var got time.Time
	if err := (usec{&got}).Scan("2026-01-01"); err == nil {
		t.Error("scanning text into a timestamp succeeded")
	}
}

func TestUniqueKeepsFirstOccurrences(t *testing.T) {
	got := unique([]string{"b", "a", "b", "c", "a"})
	if want := []string{"b", "a", "c"}; !reflect.DeepEqual(got, want) {
		t.Errorf("unique = %q, want %q", got, want)
	}
	if got := unique(nil); len(got) != 0 {
		t.Errorf("unique(nil) = %q, want empty", got)
	}
}

var errDriverUnique = errors.New("driver: UNIQUE constraint failed: identities.email_key")

func TestWriteErrNamesTheRecordAndKeepsTheCause(t *testing.T) {
	s := &Store{dialect: Dialect{Name: "fake", Classify: func(err error) error {
		switch {
		case strings.Contains(err.Error(), "UNIQUE"):
			return ConflictError(err)
		case strings.Contains(err.Error(), "FOREIGN"):
			return MissingReferenceError(err)
		}
		return err
	}}}
	err := s.writeErr("create identity x", errDriverUnique, "The e-mail is taken.", "unused")
	var e *eccs.Error
	if !errors.As(err, &e) || e.Code != eccs.Conflict || e.Message != "The e-mail is taken." {
		t.Fatalf("writeErr = %v, want a Conflict with the given sentence", err)
	}
	if !errors.Is(err, errDriverUnique) {
		t.Error("the driver's error is not in the chain")
	}
	if !violates(s.classify(errDriverUnique), "email_key") || violates(s.classify(errDriverUnique), "login_key") {
		t.Error("violates does not tell the unique indexes apart")
	}

	err = s.writeErr("create contract", errors.New("FOREIGN KEY constraint failed"), "", "The offer does not exist.")
	if !errors.As(err, &e) || e.Code != eccs.NotFound || e.Message != "The offer does not exist." {
		t.Fatalf("writeErr = %v, want a NotFound with the given sentence", err)
	}

	other := errors.New("disk I/O error")
	err = s.writeErr("create contract", other, "a", "b")
	if eccs.ErrorCode(err) != eccs.Internal || !errors.Is(err, other) {
		t.Errorf("writeErr of an unknown error = %v, want it wrapped as is (Internal)", err)
	}
}

func TestCondsNumberPlaceholdersInOrder(t *testing.T) {
	tests := []struct {
		name  string
		build func(c *conds)
		where string
		args  []any
	}{
		{"no condition writes nothing", func(c *conds) {}, "", nil},
		{"conditions are joined by AND and numbered from 1", func(c *conds) {
			c.add("a = %s", "x")
			c.add("(b = 0 OR b > %s)", int64(7))
		}, " WHERE a = $1 AND (b = 0 OR b > $2)", []any{"x", int64(7)}},
		{"IN takes one placeholder per value, numbered after the others", func(c *conds) {
			c.add("a = %s", "x")
			c.addIn("t", []string{"p", "q"})
			c.add("z < %s", int64(1))
		}, " WHERE a = $1 AND t IN ($2, $3) AND z < $4", []any{"x", "p", "q", int64(1)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c conds
			tt.build(&c)
			if got := c.where(); got != tt.where || !reflect.DeepEqual(c.args, tt.args) {
				t.Errorf("where = %q with %v, want %q with %v", got, c.args, tt.where, tt.args)
			}
		})
	}
}
