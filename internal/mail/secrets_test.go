package mail_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/eccs/eccs/internal/mail"
	"github.com/eccs/eccs/internal/testkit/secretscan"
	"github.com/eccs/eccs/internal/testkit/testenv"
)

func TestNeitherTheDatabaseNorTheLogsHoldALink(t *testing.T) {
	dir := t.TempDir()
	s := openSQLite(t, filepath.Join(dir, "eccs.db"))
	var logs testenv.Buffer
	q := newQueue(t, s, mail.Options{Logger: testLogger(&logs)})
	var links []string
	for _, id := range []string{"lk-a", "lk-b"} {
		e := addEvent(t, s, "ev-"+id, "person.password_reset", invited(id+"@example.com", "en", id))
		l, err := link(e)
		if err != nil {
			t.Fatal(err)
		}
		links = append(links, l)
	}
	if _, err := q.QueueEvents(t.Context()); err != nil {
		t.Fatal(err)
	}
	if n, err := q.SendDue(t.Context()); err != nil || n != 2 {
		t.Fatalf("SendDue = %d, %v; want 2 logged", n, err)
	}
	recent, err := q.Recent(t.Context(), 10)
	if err != nil || len(recent) != 2 || !strings.Contains(recent[0].Content.Text, "#secret-of-") {
		t.Fatalf("Recent = %+v, %v; want both mails rendered with their links", recent, err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "eccs.db*")) // the database, its WAL
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, found := range secretscan.Scan(data, links) {
			t.Errorf("%s: %s", filepath.Base(f), found)
		}
	}
	for _, found := range secretscan.Scan([]byte(logs.String()), links) {
		t.Errorf("logs: %s", found)
	}
}

func TestAnEventThatCannotMakeAMailIsAcknowledgedWithoutOne(t *testing.T) {
	for _, tc := range []struct {
		name string
		typ  string
		data map[string]string
	}{
		{"no address", "person.password_changed", map[string]string{"name": "Ann"}},
		{"no link id", "person.invited", map[string]string{"email": "ann@example.com", "expiresAt": "2026-12-10T09:30:00Z"}},
		{"a bad expiry", "person.password_reset", map[string]string{"email": "ann@example.com", "linkId": "lk", "expiresAt": "tomorrow"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := openSQLite(t, "")
			var logs testenv.Buffer
			q := newQueue(t, s, mail.Options{Logger: testLogger(&logs)})
			addEvent(t, s, "ev-bad", tc.typ, tc.data)
			addEvent(t, s, "ev-good", "person.password_changed", map[string]string{"email": "bob@example.com"})
			if n, err := q.QueueEvents(t.Context()); err != nil || n != 1 {
				t.Fatalf("QueueEvents = %d, %v; want the good event's mail only", n, err)
			}
			if pending, err := s.PendingEvents(t.Context(), mail.Consumer, 10); err != nil || len(pending) != 0 {
				t.Errorf("pending after the pass: %v, %v; want none", pending, err)
			}
			if !strings.Contains(logs.String(), "ev-bad") {
				t.Errorf("the log does not name the event that made no mail:\n%s", logs.String())
			}
		})
	}
}
