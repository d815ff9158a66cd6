package web

import (
	"errors"
	"net/http"

	"github.com/eccs/eccs/internal/eccs"
)

// "My account" (/account): the person's profile and preferred language, password, second
// factor, passkeys, sessions and the accounts they hold. Secrets made here (a TOTP secret,
// recovery codes) are shown on the answer that made them, and never again.

// accountPage is the data of /account.
type accountPage struct {
	Person        eccs.Identity
	SessionID     string
	Sessions      []eccs.Session
	Passkeys      []eccs.Passkey
	HasTOTP       bool
	CodesLeft     int
	Enrolment     *eccs.TOTPEnrolment // a TOTP enrolment under way, shown once
	RecoveryCodes []string            // shown once, after the enrolment is confirmed
	Accounts      []eccs.Account
	AccountID     string
	Notice        string // a catalogue key
	errors        map[string]string
}

// handleAccount is GET /account.
func (s *server) handleAccount(q *request) error {
	notice := ""
	if k := q.r.URL.Query().Get("done"); accountNotices[k] {
		notice = "account.done." + k
	}
	return s.renderAccount(q, http.StatusOK, accountPage{Notice: notice})
}

// accountNotices are the notices a redirect to /account may ask for.
var accountNotices = map[string]bool{"language": true, "password": true, "totp_removed": true, "passkey": true,
	"passkey_removed": true, "session": true, "switch": true}

func (s *server) renderAccount(q *request, status int, p accountPage) error {
	id := q.session.Person.ID
	var err error
	p.Person, p.SessionID, p.Accounts, p.AccountID = q.session.Person, q.session.ID, q.session.Accounts, q.session.Account.ID
	if p.Sessions, err = s.svc.Sessions(q.ctx, id); err != nil {
		return err
	}
	if p.Passkeys, err = s.svc.Passkeys(q.ctx, id); err != nil {
		return err
	}
	if p.HasTOTP, err = s.svc.HasSecondFactor(q.ctx, id); err != nil {
		return err
	}
	if p.CodesLeft, err = s.svc.RecoveryCodesLeft(q.ctx, id); err != nil {
		return err
	}
	s.render(q, status, "account", view{Title: "account.title", Nav: "account", Errors: p.errors, Data: p})
	return nil
}

// accountAgain shows /account with a form's error next to its field.
func (s *server) accountAgain(q *request, field, message string) error {
	return s.renderAccount(q, http.StatusBadRequest, accountPage{errors: map[string]string{field: message}})
}

// done goes back to /account with a notice.
func done(q *request, notice string) error {
	http.Redirect(q.w, q.r, "/account?done="+notice, http.StatusSeeOther)
	return nil
}

// handleAccountLanguage is POST /account/language: the language of the person's mails and
// pages.
func (s *server) handleAccountLanguage(q *request) error {
	l, ok := parseLang(q.r.PostFormValue("lang"))
	if !ok {
		return &pageError{status: http.StatusBadRequest, message: "error.bad_form"}
	}
	lang := string(l)
	if _, err := s.svc.UpdatePerson(q.ctx, q.session.Person.ID, eccs.PersonUpdate{Language: &lang}); err != nil {
		return err
	}
	http.SetCookie(q.w, &http.Cookie{Name: LangCookie, Value: lang, Path: "/", MaxAge: 365 * 24 * 3600,
		Secure: s.secure, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	return done(q, "language")
}

// handleAccountPassword is POST /account/password: the current password proves who asks; the
// person's other sessions end.
func (s *server) handleAccountPassword(q *request) error {
	f := q.r.PostForm
	if f.Get("new") != f.Get("confirm") {
		return s.accountAgain(q, "confirm", q.lang.T("link.mismatch"))
	}
	err := s.svc.ChangePassword(q.ctx, q.session.Person.ID, q.session.ID, f.Get("current"), f.Get("new"), s.cfg.ClientAddr.Of(q.r))
	var e *eccs.Error
	switch {
	case errors.As(err, &e) && e.Code == eccs.Invalid:
		return s.accountAgain(q, "new", e.Message)
	case errors.As(err, &e) && e.Code == eccs.Unauthenticated:
		return s.accountAgain(q, "current", e.Message)
	case err != nil:
		return err
	}
	return done(q, "password")
}

// handleTOTPBegin is POST /account/totp: a new secret to add to an authenticator app, shown
// once, with the form that confirms it with a first code.
func (s *server) handleTOTPBegin(q *request) error {
	en, err := s.svc.BeginTOTPEnrolment(q.ctx, q.session.Person.ID)
	if err != nil {
		return err
	}
	return s.renderAccount(q, http.StatusOK, accountPage{Enrolment: &en})
}

// handleTOTPConfirm is POST /account/totp/confirm: the first code confirms the enrolment;
// the recovery codes are shown once.
func (s *server) handleTOTPConfirm(q *request) error {
	codes, err := s.svc.ConfirmTOTP(q.ctx, q.session.Person.ID, q.r.PostFormValue("code"))
	var e *eccs.Error
	if errors.As(err, &e) && (e.Code == eccs.Unauthenticated || e.Code == eccs.NotFound) {
		return s.accountAgain(q, "code", e.Message)
	}
	if err != nil {
		return err
	}
	return s.renderAccount(q, http.StatusOK, accountPage{RecoveryCodes: codes, Notice: "account.done.totp"})
}

// handleTOTPRemove is POST /account/totp/remove: the password proves who asks again.
func (s *server) handleTOTPRemove(q *request) error {
	err := s.svc.RemoveOwnSecondFactor(q.ctx, q.session.Person.ID, q.r.PostFormValue("password"), s.cfg.ClientAddr.Of(q.r))
	var e *eccs.Error
	if errors.As(err, &e) && e.Code == eccs.Unauthenticated {
		return s.accountAgain(q, "totp_password", e.Message)
	}
	if err != nil {
		return err
	}
	return done(q, "totp_removed")
}

// handlePasskeyRemove is POST /account/passkeys/{id}/remove.
func (s *server) handlePasskeyRemove(q *request) error {
	if err := s.svc.RemovePasskey(q.ctx, q.session.Person.ID, q.r.PathValue("id")); err != nil {
		return err
	}
	return done(q, "passkey_removed")
}

// handleSessionEnd is POST /account/sessions/{id}/signout: one session ends (this one sends
// to sign in).
func (s *server) handleSessionEnd(q *request) error {
	id := q.r.PathValue("id")
	if err := s.svc.SignOut(q.ctx, q.session.Person.ID, id); err != nil {
		return err
	}
	if id == q.session.ID {
		s.setCookie(q.w, s.sessionCookieName(), "", 0)
		http.Redirect(q.w, q.r, SignInPath+"?done=signout", http.StatusSeeOther)
		return nil
	}
	return done(q, "session")
}

// handleSignOutEverywhere is POST /account/sessions/signout: every session of the person ends,
// this one too.
func (s *server) handleSignOutEverywhere(q *request) error {
	if _, err := s.svc.SignOutEverywhere(q.ctx, q.session.Person.ID); err != nil {
		return err
	}
	s.setCookie(q.w, s.sessionCookieName(), "", 0)
	http.Redirect(q.w, q.r, SignInPath+"?done=signout", http.StatusSeeOther)
	return nil
}

// handleSwitch is POST /account/switch: the session acts as another of the person's accounts.
func (s *server) handleSwitch(q *request) error {
	se := eccs.Session{ID: q.session.ID, IdentityID: q.session.Person.ID}
	if _, err := s.svc.SwitchAccount(q.ctx, se, q.r.PostFormValue("account")); err != nil {
		return err
	}
	http.Redirect(q.w, q.r, "/contracts", http.StatusSeeOther)
	return nil
}

// PasswordFields are the fields of the form that changes the password.
func (accountPage) PasswordFields() []string { return []string{"current", "new", "confirm"} }
