package mail_test

import (
	"strings"
	"testing"
	"time"

	"github.com/eccs/eccs/internal/eccs"
	"github.com/eccs/eccs/internal/mail"
	"github.com/eccs/eccs/internal/testkit/mailtest"
	"github.com/eccs/eccs/internal/testkit/testenv"
)

func TestMailsAreDeliveredInFrenchAndEnglish(t *testing.T) {
	s := openSQLite(t, "")
	pit := mailtest.Start(t)
	tr, from := smtpTransport(t, pit.SMTPURL("Acme Cloud <noreply@acme.example>"))
	q := newQueue(t, s, mail.Options{Transport: tr, From: from})
	addEvent(t, s, "ev-fr", "person.invited", invited("ann@example.com", "fr", "lk-fr"))
	addEvent(t, s, "ev-en", "person.invited", invited("bob@example.com", "en-GB", "lk-en"))
	addEvent(t, s, "ev-reset", "person.password_reset", invited("cid@example.com", "en", "lk-reset"))
	addEvent(t, s, "ev-changed", "person.password_changed", map[string]string{"email": "dan@example.com", "name": "Dan"})
	addEvent(t, s, "ev-other", "document.published", map[string]string{"email": "eve@example.com"})

	if n, err := q.QueueEvents(t.Context()); err != nil || n != 4 {
		t.Fatalf("QueueEvents = %d, %v; want 4 mails", n, err)
	}
	if n, err := q.SendDue(t.Context()); err != nil || n != 4 {
		t.Fatalf("SendDue = %d, %v; want 4 sent", n, err)
	}
	byRecipient := map[string]mailtest.Message{}
	for _, m := range pit.WaitMessages(t, 4, 10*time.Second) {
		byRecipient[m.To[0].Address] = m
	}
	for _, want := range []struct {
		to, subject, text, link string
	}{
		{"ann@example.com", "Invitation à l'espace client Acme Cloud", "Bob Martin vous invite", "lk-fr#secret-of-lk-fr"},
		{"bob@example.com", "You are invited to the Acme Cloud customer space", "expires on 10 December 2026 at 09:30 UTC", "lk-en#secret-of-lk-en"},
		{"cid@example.com", "Reset your Acme Cloud password", "If you did not ask for it", "lk-reset#secret-of-lk-reset"},
		{"dan@example.com", "Votre mot de passe Acme Cloud a changé", "contactez le support sans attendre : support@acme.example", ""},
	} {
		m, ok := byRecipient[want.to]
		switch {
		case !ok:
			t.Errorf("no mail to %s", want.to)
		case m.Subject != want.subject || !strings.Contains(m.Text, want.text) || !strings.Contains(m.Text, want.link):
			t.Errorf("mail to %s: subject %q, text:\n%s\nwant subject %q, text with %q and %q", want.to, m.Subject, m.Text, want.subject, want.text, want.link)
		case want.link != "" && !strings.Contains(m.HTML, `href="https://space.acme.example/link/`+want.link+`"`):
			t.Errorf("mail to %s: the HTML has no link to %s:\n%s", want.to, want.link, m.HTML)
		case m.From.Address != "noreply@acme.example" || !strings.HasPrefix(m.MessageID, "mail-ev-") || !strings.HasSuffix(m.MessageID, "@acme.example"):
			t.Errorf("mail to %s: from %+v, Message-ID %q", want.to, m.From, m.MessageID)
		}
	}
	if _, ok := byRecipient["eve@example.com"]; ok {
		t.Error("an event of a type that makes no mail was mailed")
	}
}

func TestWithoutSMTPMailsAreLoggedKeptAndListedRendered(t *testing.T) {
	s := openSQLite(t, "")
	var logs testenv.Buffer
	q := newQueue(t, s, mail.Options{Logger: testLogger(&logs)})
	addEvent(t, s, "ev-1", "person.invited", invited("ann@example.com", "", "lk-1"))
	if _, err := q.QueueEvents(t.Context()); err != nil {
		t.Fatal(err)
	}
	if n, err := q.SendDue(t.Context()); err != nil || n != 1 {
		t.Fatalf("SendDue = %d, %v; want 1 logged", n, err)
	}
	if !strings.Contains(logs.String(), "ann@example.com") || strings.Contains(logs.String(), "secret-of") {
		t.Errorf("the log should name the recipient and hold no link:\n%s", logs.String())
	}
	recent, err := q.Recent(t.Context(), 10)
	if err != nil || len(recent) != 1 {
		t.Fatalf("Recent = %+v, %v; want one mail", recent, err)
	}
	r := recent[0]
	if r.State != eccs.MailLogged || r.Language != "fr" || r.Content.Subject != "Invitation à l'espace client Acme Cloud" ||
		!strings.Contains(r.Content.Text, "lk-1#secret-of-lk-1") || r.RenderError != "" {
		t.Errorf("Recent = %+v, want the logged French invitation with its link", r)
	}
	// The queue keeps what renders the mail, never the mail or its link.
	mails, err := s.RecentMails(t.Context(), 10)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(strings.Join([]string{mails[0].LastError, mails[0].Template, mails[0].Recipient}, " "), "secret") {
		t.Errorf("the stored mail holds the link: %+v", mails[0])
	}
}
