package web

import (
	"errors"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/eccs/eccs/internal/eccs"
)

// Sign-in pages: /signin (e-mail and password, or a passkey through assets/passkey.js),
// /signin/code (the second factor), POST /signout. A sign-in that succeeds sets a new session
// cookie (the domain makes a new session every time) and goes to next, a local path only.

// signInForm is the data of the sign-in and second-factor pages.
type signInForm struct {
	Next    string
	Notice  string // a catalogue key shown above the form
	Locked  int    // minutes to wait, when locked
	Problem string // a catalogue key: why the sign-in failed
}

// nextOf returns the page to go to after signing in: next when it is a local path, else "/".
func nextOf(r *http.Request) string {
	next := r.FormValue("next")
	if next == "" {
		return "/"
	}
	return localPath(next)
}

// handleSignInForm is GET /signin.
func (s *server) handleSignInForm(q *request) error {
	notice := ""
	switch q.r.URL.Query().Get("done") {
	case "password":
		notice = "signin.password_set"
	case "signout":
		notice = "signin.signed_out"
	}
	s.render(q, http.StatusOK, "signin", view{Title: "signin.title", Data: signInForm{Next: nextOf(q.r), Notice: notice}})
	return nil
}

// handleSignIn is POST /signin: e-mail and password.
func (s *server) handleSignIn(q *request) error {
	form := signInForm{Next: nextOf(q.r)}
	res, err := s.svc.SignIn(q.ctx, eccs.SignInRequest{
		Email: q.r.PostFormValue("email"), Password: q.r.PostFormValue("password"),
		Address: s.cfg.ClientAddr.Of(q.r), UserAgent: q.r.UserAgent(),
	})
	if err != nil {
		return s.signInRefused(q, "signin", "signin.title", form, err)
	}
	if res.SecondFactorRequired {
		s.setCookie(q.w, s.pendingCookieName(), res.Token, eccs.DefaultPendingSignInTTL)
		http.Redirect(q.w, q.r, "/signin/code?next="+url.QueryEscape(form.Next), http.StatusSeeOther)
		return nil
	}
	s.signedInTo(q, res.Token, form.Next)
	return nil
}

// signInRefused shows a sign-in form again with why it failed: locked (with the wait), or
// wrong credentials; other errors are the error page's.
func (s *server) signInRefused(q *request, page, title string, form signInForm, err error) error {
	var e *eccs.Error
	if !errors.As(err, &e) || e.Code != eccs.Unauthenticated {
		return err
	}
	status := http.StatusUnauthorized
	form.Problem = "signin.wrong"
	if page == "signin_code" {
		form.Problem = "signin.wrong_code"
	}
	if e.Reason == eccs.ReasonLocked {
		status = http.StatusTooManyRequests
		form.Problem = "signin.locked"
		form.Locked = minutes(e.RetryAfter)
		q.w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(e.RetryAfter.Seconds()))))
	}
	values := url.Values{"email": {q.r.PostFormValue("email")}}
	s.render(q, status, page, view{Title: title, Form: values, Data: form})
	return nil
}

// signedInTo sets the session cookie of a new session and goes to next.
func (s *server) signedInTo(q *request, token, next string) {
	s.setCookie(q.w, s.pendingCookieName(), "", 0)
	s.setCookie(q.w, s.sessionCookieName(), token, 0)
	http.Redirect(q.w, q.r, next, http.StatusSeeOther)
}

// handleCodeForm is GET /signin/code: the second factor's form; without a pending sign-in,
// back to /signin.
func (s *server) handleCodeForm(q *request) error {
	if cookieValue(q.r, s.pendingCookieName()) == "" {
		http.Redirect(q.w, q.r, SignInPath+"?next="+url.QueryEscape(nextOf(q.r)), http.StatusSeeOther)
		return nil
	}
	s.render(q, http.StatusOK, "signin_code", view{Title: "signin.code_title", Data: signInForm{Next: nextOf(q.r)}})
	return nil
}

// handleCode is POST /signin/code: a TOTP code or a recovery code completes the sign-in.
func (s *server) handleCode(q *request) error {
	form := signInForm{Next: nextOf(q.r)}
	pending := cookieValue(q.r, s.pendingCookieName())
	if pending == "" {
		http.Redirect(q.w, q.r, SignInPath+"?next="+url.QueryEscape(form.Next), http.StatusSeeOther)
		return nil
	}
	code := strings.ReplaceAll(strings.TrimSpace(q.r.PostFormValue("code")), " ", "")
	res, err := s.svc.CompleteSignIn(q.ctx, pending, code, s.cfg.ClientAddr.Of(q.r), q.r.UserAgent())
	if err != nil {
		return s.signInRefused(q, "signin_code", "signin.code_title", form, err)
	}
	s.signedInTo(q, res.Token, form.Next)
	return nil
}

// handleSignOut is POST /signout: the session ends and its cookie is cleared, signed in or
// not.
func (s *server) handleSignOut(q *request) error {
	if se, err := s.session(q.r); err == nil {
		if err := s.svc.SignOut(q.ctx, se.Person.ID, se.ID); err != nil && !eccs.IsNotFound(err) {
			return err
		}
	}
	s.setCookie(q.w, s.sessionCookieName(), "", 0)
	http.Redirect(q.w, q.r, SignInPath+"?done=signout", http.StatusSeeOther)
	return nil
}

// minutes is d in whole minutes, rounded up, at least one.
func minutes(d time.Duration) int { return max(1, int(math.Ceil(d.Minutes()))) }
