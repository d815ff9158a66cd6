package web

import (
	"context"
	"net/http"
	"regexp"

	"github.com/eccs/eccs/internal/mail"
)

// RecentMails returns up to limit mails, the newest first, rendered with their links: the
// mail queue's Recent, given to the web space in dev mode only.
type RecentMails func(ctx context.Context, limit int) ([]mail.Rendered, error)

// devMailLimit is how many mails /dev/mail shows.
const devMailLimit = 50

// devMail is one mail on /dev/mail.
type devMail struct {
	mail.Rendered
	Links []string
}

// linkPattern finds the links in a mail's text.
var linkPattern = regexp.MustCompile(`https?://[^\s<>"]+`)

// handleDevMail is GET /dev/mail, in dev mode only: the kept mails, rendered, so that a
// newcomer follows an invitation without a mail server.
func (s *server) handleDevMail(q *request) error {
	mails, err := s.cfg.DevMails(q.ctx, devMailLimit)
	if err != nil {
		return err
	}
	out := make([]devMail, 0, len(mails))
	for _, m := range mails {
		out = append(out, devMail{Rendered: m, Links: linkPattern.FindAllString(m.Content.Text, -1)})
	}
	s.render(q, http.StatusOK, "devmail", view{Title: "devmail.title", Data: out})
	return nil
}
