package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/eccs/eccs/internal/eccs"
	"github.com/eccs/eccs/internal/sqlite"
	"github.com/eccs/eccs/internal/testkit/mailtest"
)

// TestServeSendsTheMailsOfEventsThroughSMTP: a server started with --smtp-url turns an event
// of its database into a mail that reaches the SMTP server, under the brand its flags give.
func TestServeSendsTheMailsOfEventsThroughSMTP(t *testing.T) {
	pit := mailtest.Start(t)
	dir := filepath.Join(t.TempDir(), "data")
	startDevOn(t, dir, "--smtp-url", pit.SMTPURL("noreply@acme.example"), "--mail-from", "Acme Cloud <noreply@acme.example>",
		"--brand-name", "Acme Cloud", "--brand-support", "support@acme.example")

	// The event as the domain records it, written by another process sharing the database.
	db, err := sqlite.Open(t.Context(), filepath.Join(dir, "eccs.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	data, _ := json.Marshal(map[string]string{"email": "ann@example.com", "name": "Ann Lee", "language": "en"})
	err = db.AddEvent(t.Context(), eccs.Event{ID: "ev-e2e-1", Type: "person.password_changed", ObjectType: "person",
		ObjectID: "p-1", At: time.Now(), Data: data})
	if err != nil {
		t.Fatal(err)
	}
	msgs := pit.WaitMessages(t, 1, 30*time.Second)
	m := msgs[0]
	if m.Subject != "Your Acme Cloud password changed" || m.To[0].Address != "ann@example.com" ||
		m.From.Name != "Acme Cloud" || !strings.Contains(m.Text, "support@acme.example") {
		t.Errorf("mail: %+v", m)
	}
}
