package web

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/eccs/eccs/internal/eccs"
)

// SignInPath is where a person without a session is sent, with the page they asked for in
// next.
const SignInPath = "/signin"

// maxFormBytes bounds a form's body.
const maxFormBytes = 64 << 10

// public serves a page that needs no session. Its POSTs are checked for their origin.
func (s *server) public(h handler) http.Handler {
	return s.cop.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := s.newRequest(w, r)
		if err := s.readForm(q); err != nil {
			s.renderError(q, err)
			return
		}
		if err := h(q); err != nil {
			s.renderError(q, err)
		}
	}))
}

// page serves a page of a signed-in person who acts as one of their accounts: without a valid
// session, GETs are sent to sign in and come back after; POSTs are refused (what they carried
// would be lost on the way). A person who holds no account is sent to their own page. The
// changes the page makes are recorded under the person's chosen account.
func (s *server) page(h handler) http.Handler {
	return s.signedIn(true, h)
}

// personPage serves a page of a signed-in person about themselves (/account), which needs no
// account; its changes are recorded under the person.
func (s *server) personPage(h handler) http.Handler {
	return s.signedIn(false, h)
}

func (s *server) signedIn(needsAccount bool, h handler) http.Handler {
	return s.cop.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := s.newRequest(w, r)
		session, err := s.session(r)
		if eccs.ErrorCode(err) == eccs.Unauthenticated {
			s.toSignIn(q)
			return
		}
		if err != nil {
			s.fail(q, err)
			return
		}
		q.session = &session
		actor := eccs.Actor{Type: eccs.ActorAccount, ID: session.Account.ID}
		if !needsAccount {
			actor = eccs.Actor{Type: eccs.ActorPerson, ID: session.Person.ID}
		} else if session.Account.ID == "" {
			http.Redirect(w, r, "/account", http.StatusSeeOther)
			return
		}
		q.ctx = eccs.WithActor(r.Context(), actor)
		if err := s.readForm(q); err != nil {
			s.renderError(q, err)
			return
		}
		if err := h(q); err != nil {
			s.renderError(q, err)
		}
	}))
}

// session returns the session of the request's cookie; Unauthenticated without one.
func (s *server) session(r *http.Request) (Session, error) {
	value := cookieValue(r, s.sessionCookieName())
	if value == "" {
		return Session{}, eccs.Errorf(eccs.Unauthenticated, "No session.")
	}
	return s.sessions.SessionFor(r.Context(), value, s.cfg.ClientAddr.Of(r), r.UserAgent())
}

// toSignIn sends a GET to the sign-in page, which sends the person back to it after; any
// other method gets the 401 page.
func (s *server) toSignIn(q *request) {
	if q.r.Method != http.MethodGet && q.r.Method != http.MethodHead {
		s.renderError(q, &pageError{status: http.StatusUnauthorized, message: "error.signed_out"})
		return
	}
	http.Redirect(q.w, q.r, SignInPath+"?next="+url.QueryEscape(q.r.URL.RequestURI()), http.StatusSeeOther)
}

// readForm parses a POST's form, bounded in size.
func (s *server) readForm(q *request) error {
	if q.r.Method != http.MethodPost {
		return nil
	}
	q.r.Body = http.MaxBytesReader(q.w, q.r.Body, maxFormBytes)
	if err := q.r.ParseForm(); err != nil {
		if _, tooBig := errors.AsType[*http.MaxBytesError](err); tooBig {
			return &pageError{status: http.StatusRequestEntityTooLarge, message: "error.too_large"}
		}
		return &pageError{status: http.StatusBadRequest, message: "error.bad_form"}
	}
	return nil
}

// handleHome sends a signed-in person to their contracts.
func (s *server) handleHome(q *request) error {
	http.Redirect(q.w, q.r, "/contracts", http.StatusSeeOther)
	return nil
}

// handleLanguage is the language switch: it remembers the choice in a cookie for a year and
// goes back to the page it came from (a local path only).
func (s *server) handleLanguage(q *request) error {
	l, ok := parseLang(q.r.PostFormValue("lang"))
	if !ok {
		return &pageError{status: http.StatusBadRequest, message: "error.bad_form"}
	}
	http.SetCookie(q.w, &http.Cookie{Name: LangCookie, Value: string(l), Path: "/", MaxAge: 365 * 24 * 3600,
		Secure: s.secure, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	http.Redirect(q.w, q.r, localPath(q.r.PostFormValue("back")), http.StatusSeeOther)
	return nil
}

// localPath returns p when it is a path of this site ("/…", not "//…" nor "/\…"), "/"
// otherwise: a redirect must never leave the site.
func localPath(p string) string {
	if len(p) == 0 || p[0] != '/' || (len(p) > 1 && (p[1] == '/' || p[1] == '\\')) {
		return "/"
	}
	u, err := url.Parse(p)
	if err != nil || u.Scheme != "" || u.Host != "" {
		return "/"
	}
	return p
}
