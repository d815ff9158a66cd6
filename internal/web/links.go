package web

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/eccs/eccs/internal/eccs"
)

// One-time links: /invitation/{token} and /password-reset/{token} let a person choose a
// password; /password-reset asks for a reset link by e-mail. Opening a link (GET) uses nothing:
// mail scanners open links; only the POST of a password uses it up.

// linkPage is the data of a link's page.
type linkPage struct {
	Kind     eccs.LinkKind
	Info     eccs.LinkInfo
	Action   string
	MinChars int
}

// linkKinds maps the path's first segment to the link kind it serves.
var linkKinds = map[string]eccs.LinkKind{"invitation": eccs.LinkInvitation, "password-reset": eccs.LinkPasswordReset}

func linkKindOf(q *request) eccs.LinkKind {
	for prefix, kind := range linkKinds {
		if len(q.r.URL.Path) > len(prefix)+1 && q.r.URL.Path[1:len(prefix)+1] == prefix {
			return kind
		}
	}
	return ""
}

// handleLink is GET /invitation/{token} and /password-reset/{token}: the form to choose a
// password, or a readable page for a link that is unknown, used or expired.
func (s *server) handleLink(q *request) error {
	kind, token := linkKindOf(q), q.r.PathValue("token")
	info, err := s.svc.PeekLink(q.ctx, kind, token)
	if err != nil {
		return linkError(err)
	}
	q.w.Header().Set("Referrer-Policy", "no-referrer")
	s.render(q, http.StatusOK, "link", view{Title: "link.title." + string(kind),
		Data: linkPage{Kind: kind, Info: info, Action: q.r.URL.Path, MinChars: eccs.MinPasswordChars}})
	return nil
}

// handleLinkPassword is POST of a link's form: the password is set and the link used up; the
// person then signs in. A password the policy refuses shows the form again, its message next
// to the field, and the link stays usable.
func (s *server) handleLinkPassword(q *request) error {
	kind, token := linkKindOf(q), q.r.PathValue("token")
	password := q.r.PostFormValue("password")
	if password != q.r.PostFormValue("confirm") {
		return s.linkAgain(q, kind, token, map[string]string{"confirm": q.lang.T("link.mismatch")})
	}
	_, err := s.svc.SetPasswordWithLink(q.ctx, kind, token, password)
	var e *eccs.Error
	if errors.As(err, &e) && e.Code == eccs.Invalid {
		return s.linkAgain(q, kind, token, map[string]string{"password": e.Message})
	}
	if err != nil {
		return linkError(err)
	}
	http.Redirect(q.w, q.r, SignInPath+"?done=password", http.StatusSeeOther)
	return nil
}

func (s *server) linkAgain(q *request, kind eccs.LinkKind, token string, problems map[string]string) error {
	info, err := s.svc.PeekLink(q.ctx, kind, token)
	if err != nil {
		return linkError(err)
	}
	s.render(q, http.StatusBadRequest, "link", view{Title: "link.title." + string(kind), Errors: problems,
		Data: linkPage{Kind: kind, Info: info, Action: q.r.URL.Path, MinChars: eccs.MinPasswordChars}})
	return nil
}

// linkError is the page of a link that cannot be used: unknown (404), used (410) or expired
// (410).
func linkError(err error) error {
	var e *eccs.Error
	if !errors.As(err, &e) {
		return err
	}
	switch {
	case e.Code == eccs.NotFound:
		return &pageError{status: http.StatusNotFound, message: "link.unknown"}
	case e.Code == eccs.Conflict:
		return &pageError{status: http.StatusGone, message: "link.used"}
	case e.Code == eccs.Unauthenticated && e.Reason == eccs.ReasonExpired:
		return &pageError{status: http.StatusGone, message: "link.expired"}
	}
	return err
}

// resetForm is the data of /password-reset.
type resetForm struct {
	Sent   bool
	Locked int
}

// handleResetForm is GET /password-reset.
func (s *server) handleResetForm(q *request) error {
	s.render(q, http.StatusOK, "reset", view{Title: "reset.title"})
	return nil
}

// handleReset is POST /password-reset: the answer is the same whether the e-mail is known.
func (s *server) handleReset(q *request) error {
	email := q.r.PostFormValue("email")
	err := s.svc.RequestPasswordReset(q.ctx, email, s.cfg.ClientAddr.Of(q.r))
	var e *eccs.Error
	switch {
	case errors.As(err, &e) && e.Code == eccs.Invalid:
		s.render(q, http.StatusBadRequest, "reset", view{Title: "reset.title", Form: url.Values{"email": {email}},
			Errors: map[string]string{"email": e.Message}})
		return nil
	case errors.As(err, &e) && e.Reason == eccs.ReasonLocked:
		s.render(q, http.StatusTooManyRequests, "reset", view{Title: "reset.title", Form: url.Values{"email": {email}},
			Data: resetForm{Locked: minutes(e.RetryAfter)}})
		return nil
	case err != nil:
		return err
	}
	s.render(q, http.StatusOK, "reset", view{Title: "reset.title", Data: resetForm{Sent: true}})
	return nil
}
