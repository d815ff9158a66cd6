package mail_test

import (
	"fmt"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/eccs/eccs/internal/eccs"
	"github.com/eccs/eccs/internal/mail"
	"github.com/eccs/eccs/internal/testkit/testenv"
)

func testLogger(w *testenv.Buffer) *slog.Logger { return slog.New(slog.NewJSONHandler(w, nil)) }

// closedPort returns a loopback port nothing listens on.
func closedPort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	return port
}

func TestFailedAttemptsBackOffThenTheMailFails(t *testing.T) {
	s := openSQLite(t, "")
	clock := testenv.NewClock(t0)
	var logs testenv.Buffer
	tr, from := smtpTransport(t, fmt.Sprintf("smtp://mailer:hunter2-pass@127.0.0.1:%d?starttls=none&from=noreply@acme.example", closedPort(t)))
	q := newQueue(t, s, mail.Options{Transport: tr, From: from, Now: clock.Now, Logger: testLogger(&logs),
		MaxAttempts: 3, Backoff: time.Minute})
	addEvent(t, s, "ev-1", "person.password_changed", map[string]string{"email": "ann@example.com"})
	if _, err := q.QueueEvents(t.Context()); err != nil {
		t.Fatal(err)
	}
	for _, step := range []struct {
		advance  time.Duration
		attempts int
		state    eccs.MailState
	}{
		{0, 1, eccs.MailQueued},                // fails; next attempt in 1 min
		{30 * time.Second, 1, eccs.MailQueued}, // not due yet
		{30 * time.Second, 2, eccs.MailQueued}, // fails; next in 2 min
		{time.Minute, 2, eccs.MailQueued},      // not due yet
		{time.Minute, 3, eccs.MailFailed},      // the last attempt
		{time.Hour, 3, eccs.MailFailed},        // never tried again
	} {
		clock.Advance(step.advance)
		if _, err := q.SendDue(t.Context()); err != nil {
			t.Fatal(err)
		}
		mails, err := s.RecentMails(t.Context(), 1)
		if err != nil {
			t.Fatal(err)
		}
		if m := mails[0]; m.Attempts != step.attempts || m.State != step.state || m.LastError == "" {
			t.Fatalf("at +%s: %d attempts, %s, last error %q; want %d attempts, %s, an error",
				clock.Now().Sub(t0), m.Attempts, m.State, m.LastError, step.attempts, step.state)
		}
	}
	if !strings.Contains(logs.String(), "mail failed") || strings.Contains(logs.String(), "hunter2") {
		t.Errorf("the log should say the mail failed and hold no password:\n%s", logs.String())
	}
}

func TestSMTPURLs(t *testing.T) {
	for _, tc := range []struct {
		url  string
		want string // the configuration's String, or the error's start
	}{
		{"smtp://user:p%40ss@mail.example?from=noreply@acme.example", "smtp://user:xxxxx@mail.example:587?from=noreply%40acme.example"},
		{"smtp://mail.example:2525?starttls=opportunistic", "smtp://mail.example:2525?starttls=opportunistic"},
		{"smtp://127.0.0.1:1025?starttls=none", "smtp://127.0.0.1:1025?starttls=none"},
		{"smtps://user:secret@mail.example", "smtps://user:xxxxx@mail.example:465"},
		{"http://mail.example", `SMTP URL: scheme "http" is not smtp or smtps`},
		{"smtp://:secret@mail.example", "SMTP URL: a password without a user name"},
		{"smtp://user:secret@", "SMTP URL: no host"},
		{"smtp://mail.example:99999", `SMTP URL: port "99999"`},
		{"smtp://mail.example?starttls=maybe", `SMTP URL: starttls="maybe"`},
		{"smtps://mail.example?starttls=none", "SMTP URL: starttls= does not apply to smtps://"},
		{"smtp://mail.example?form=a@b.example", `SMTP URL: unknown parameter "form"`},
		{"smtp://mail.example?from=not-an-address", `SMTP URL: from="not-an-address"`},
		{"smtp://user:secret@mail.example/inbox", `SMTP URL: unexpected path "/inbox"`},
		{"smtp://user:sec%zzret@mail.example", "SMTP URL: not a URL"},
	} {
		t.Run(tc.url, func(t *testing.T) {
			cfg, err := mail.ParseSMTPURL(tc.url)
			got := cfg.String()
			if err != nil {
				got = err.Error()
			}
			if !strings.HasPrefix(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
			if strings.Contains(got, "secret") || strings.Contains(got, "p@ss") {
				t.Errorf("%q holds the password", got)
			}
		})
	}
}
