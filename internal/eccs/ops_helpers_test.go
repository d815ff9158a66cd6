package eccs_test

// Shared helpers of the tests of the operator functions: audit trail snapshots, a Store that
// fails the audit of one action, a Store that counts key touches, the secret scan of the
// database files, and valid documents made with docformat.

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/eccs/eccs/internal/docformat"
	"github.com/eccs/eccs/internal/eccs"
)

// --- audit trail ------------------------------------------------------------------------------

// allEvents returns every audit event, newest first.
func (e *env) allEvents() []eccs.AuditEvent {
	e.t.Helper()
	events, total, err := e.svc.AuditEvents(e.ctx, eccs.AuditFilter{})
	if err != nil {
		e.t.Fatal(err)
	}
	if total != len(events) {
		e.t.Fatalf("AuditEvents: %d events, total %d", len(events), total)
	}
	return events
}

// eventIDs returns the set of the ids of the audit events stored now.
func (e *env) eventIDs() map[string]bool {
	e.t.Helper()
	ids := map[string]bool{}
	for _, ev := range e.allEvents() {
		ids[ev.ID] = true
	}
	return ids
}

// recorded runs fn and returns the audit events it added, oldest first.
func (e *env) recorded(t testing.TB, fn func()) []eccs.AuditEvent {
	t.Helper()
	before := e.eventIDs()
	fn()
	var added []eccs.AuditEvent
	events := e.allEvents()
	for i := len(events) - 1; i >= 0; i-- {
		if !before[events[i].ID] {
			added = append(added, events[i])
		}
	}
	return added
}

// wantNoEvent runs fn, which must fail, and checks that it recorded nothing.
func (e *env) wantNoEvent(t testing.TB, fn func() error) error {
	t.Helper()
	var err error
	if added := e.recorded(t, func() { err = fn() }); len(added) != 0 {
		t.Errorf("a failed change recorded %d audit events: %+v", len(added), added)
	}
	if err == nil {
		t.Errorf("the change did not fail")
	}
	return err
}

// actions returns the action names of events.
func actions(events []eccs.AuditEvent) []string {
	out := make([]string, len(events))
	for i, ev := range events {
		out[i] = ev.Action
	}
	return out
}

// --- stores that misbehave on purpose ---------------------------------------------------------

// failingAudit is a Store whose AppendAudit fails for one action, inside transactions too.
type failingAudit struct {
	eccs.Store
	action string
}

var errAuditDown = errors.New("the audit trail is down")

func (f failingAudit) InTx(ctx context.Context, fn func(tx eccs.Store) error) error {
	return f.Store.InTx(ctx, func(tx eccs.Store) error { return fn(failingAudit{Store: tx, action: f.action}) })
}

func (f failingAudit) AppendAudit(ctx context.Context, e eccs.AuditEvent) error {
	if e.Action == f.action {
		return errAuditDown
	}
	return f.Store.AppendAudit(ctx, e)
}

// serviceOn returns a Service with the env's configuration over another Store.
func (e *env) serviceOn(st eccs.Store, edit func(*eccs.Config)) *eccs.Service {
	e.t.Helper()
	cfg := e.cfg
	if edit != nil {
		edit(&cfg)
	}
	svc, err := eccs.NewService(st, e.blobs, cfg)
	if err != nil {
		e.t.Fatal(err)
	}
	return svc
}

// countingStore counts the writes of a key's last use.
type countingStore struct {
	eccs.Store
	touches atomic.Int32
}

func (c *countingStore) TouchAPIKey(ctx context.Context, id string, at time.Time, from string) error {
	c.touches.Add(1)
	return c.Store.TouchAPIKey(ctx, id, at, from)
}

// --- secrets ----------------------------------------------------------------------------------

// encodings returns s and the forms in which a careless store would keep it: hex in both
// cases, and standard and URL base64 (padded or not) of s at its three alignments, without
// the characters that depend on what surrounds it.
func encodings(s string) []string {
	out := []string{s, hex.EncodeToString([]byte(s)), strings.ToUpper(hex.EncodeToString([]byte(s)))}
	for shift := range 3 {
		for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
			b := strings.TrimRight(enc.EncodeToString([]byte(s[shift:])), "=")
			if len(b) > 8 {
				out = append(out, b[:len(b)-4])
			}
		}
	}
	return out
}

// databaseBytes returns the contents of every file of the database: main file, WAL, shared
// memory.
func (e *env) databaseBytes() map[string][]byte {
	e.t.Helper()
	files, err := filepath.Glob(e.dbPath + "*")
	if err != nil || len(files) == 0 {
		e.t.Fatalf("database files: %v, %v", files, err)
	}
	out := map[string][]byte{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			e.t.Fatal(err)
		}
		out[filepath.Base(f)] = data
	}
	return out
}

// wantNotInDatabase checks that no file of the database holds any secret in any encoding.
// A canary, a value stored in clear, must be found: it proves the scan sees what is written.
func (e *env) wantNotInDatabase(t testing.TB, canary string, secrets ...string) {
	t.Helper()
	files := e.databaseBytes()
	found := false
	for _, data := range files {
		found = found || bytes.Contains(data, []byte(canary))
	}
	if !found {
		t.Fatalf("the canary %q is in no database file: the scan sees nothing", canary)
	}
	for name, data := range files {
		for _, s := range secrets {
			if s == "" {
				t.Fatal("an empty secret to look for")
			}
			for _, form := range encodings(s) {
				if bytes.Contains(data, []byte(form)) {
					t.Errorf("%s holds secret %.8s… as %q", name, s, form)
				}
			}
		}
	}
}

// count runs a counting query on the database.
func (e *env) count(t testing.TB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := e.store.DB().QueryRowContext(e.ctx, query, args...).Scan(&n); err != nil && !errors.Is(err, sql.ErrNoRows) {
		t.Fatal(err)
	}
	return n
}

// --- documents made with docformat --------------------------------------------------------------

// generated returns a valid file of document type typ for a contract and period.
func generated(t testing.TB, contractID string, typ eccs.DocumentType, period docformat.Period, seed string) []byte {
	t.Helper()
	kind, ok := docformat.KindOf(string(typ))
	if !ok {
		t.Fatalf("no format for %s", typ)
	}
	p := docformat.Params{Seed: seed, ContractID: contractID, ContractName: "Contract " + contractID,
		CustomerName: "Acme Industries", OfferName: "Flexible Engine", Period: period, Currency: "EUR"}
	if strings.HasPrefix(string(typ), "partial") {
		p.Through = 10
	}
	st := docformat.Generate(p)
	var b bytes.Buffer
	if err := kind.Write(&b, st, docformat.DefaultInvoice(st)); err != nil {
		t.Fatalf("write %s: %v", kind, err)
	}
	if err := kind.CheckBytes(b.Bytes()); err != nil {
		t.Fatalf("the generated %s does not pass its own check: %v", kind, err)
	}
	return b.Bytes()
}
