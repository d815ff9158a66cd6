package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/eccs/eccs/internal/mail"
)

func TestDevMailShowsKeptMailsWithTheirLinksOnlyInDevMode(t *testing.T) {
	var q *mail.Queue
	e := newSignInEnvWith(t, "", "", &q)
	email, path := e.invite(e.api.Creds.APIKeys.Client)
	if _, err := q.QueueEvents(t.Context()); err != nil {
		t.Fatal(err)
	}
	page := body(t, e.get(newBrowser(t), "/dev/mail"))
	if !strings.Contains(page, `<dd class="mail-to">`+email+`</dd>`) || !strings.Contains(page, `class="mail-link" href="http://`) ||
		!strings.Contains(page, path) {
		t.Errorf("/dev/mail should show the invitation to %s with its link %s:\n%s", email, path, page)
	}
	plain := newSignInEnv(t, "")
	if resp := plain.get(newBrowser(t), "/dev/mail"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("/dev/mail without dev mode: status %d, want 404", resp.StatusCode)
	}
}
