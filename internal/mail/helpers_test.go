package mail_test

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/eccs/eccs/internal/eccs"
	"github.com/eccs/eccs/internal/mail"
	"github.com/eccs/eccs/internal/postgres"
	"github.com/eccs/eccs/internal/sqlite"
	"github.com/eccs/eccs/internal/testkit/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

var brand = mail.Brand{Name: "Acme Cloud", Support: "support@acme.example", PublicURL: "https://space.acme.example"}

// t0 is when the tests' events happen.
var t0 = time.Date(2026, 12, 7, 9, 30, 0, 0, time.UTC)

// openSQLite returns a migrated SQLite store in path (a fresh temporary file when empty).
func openSQLite(t *testing.T, path string) *sqlite.Store {
	t.Helper()
	if path == "" {
		path = filepath.Join(t.TempDir(), "eccs.db")
	}
	s, err := sqlite.Open(t.Context(), path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if _, err := s.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	return s
}

// openPostgres returns n migrated stores on one fresh PostgreSQL database: n replicas.
func openPostgres(t *testing.T, n int) []eccs.Store {
	t.Helper()
	url := pgtest.SchemaURL(t)
	var out []eccs.Store
	for range n {
		s, err := postgres.Open(t.Context(), url, postgres.Options{MaxConns: 4})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		if _, err := s.Migrate(t.Context()); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

// link is the tests' Link hook: the link holds a "secret" the tests look for where it must
// not be.
func link(e eccs.Event) (string, error) {
	var d struct {
		LinkID string `json:"linkId"`
	}
	if err := json.Unmarshal(e.Data, &d); err != nil || d.LinkID == "" {
		return "", fmt.Errorf("no link for event %s", e.ID)
	}
	return "https://space.acme.example/link/" + d.LinkID + "#secret-of-" + d.LinkID, nil
}

// addEvent stores an event of type typ with data, at t0.
func addEvent(t *testing.T, s eccs.Store, id, typ string, data map[string]string) eccs.Event {
	t.Helper()
	raw, err := json.Marshal(data)
	if err != nil {
		t.Fatal(err)
	}
	e := eccs.Event{ID: id, Type: typ, ObjectType: "person", ObjectID: "p-" + id, At: t0, Data: raw}
	if err := s.AddEvent(t.Context(), e); err != nil {
		t.Fatal(err)
	}
	return e
}

// invited returns the data of a person.invited event.
func invited(email, lang, linkID string) map[string]string {
	return map[string]string{"email": email, "name": "Ann Lee", "language": lang, "linkId": linkID,
		"expiresAt": "2026-12-10T09:30:00Z", "invitedBy": "Bob Martin"}
}

func newQueue(t *testing.T, s eccs.Store, opts mail.Options) *mail.Queue {
	t.Helper()
	opts.Brand = brand
	q, err := mail.New(s, link, opts)
	if err != nil {
		t.Fatal(err)
	}
	return q
}

func smtpTransport(t *testing.T, rawURL string) (*mail.SMTP, string) {
	t.Helper()
	cfg, err := mail.ParseSMTPURL(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := mail.NewSMTP(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return tr, cfg.From
}
