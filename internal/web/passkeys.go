package web

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"

	"github.com/eccs/eccs/internal/eccs"
)

// Passkey ceremonies: assets/passkey.js asks for the options (POST …/passkey), runs
// navigator.credentials, and posts the browser's answer (POST …/finish?ceremony=ID). These
// four routes answer JSON; every other page works without JavaScript.

// maxPasskeyAnswer bounds the browser's answer to a ceremony.
const maxPasskeyAnswer = 64 << 10

// ceremonyAnswer is what the script gets to start a ceremony.
type ceremonyAnswer struct {
	Ceremony string          `json:"ceremony"`
	Options  json.RawMessage `json:"options"`
}

// writeJSON writes v with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// passkeyFailed answers a ceremony's failure: the domain's sentence for its own errors.
func (s *server) passkeyFailed(q *request, err error) error {
	var e *eccs.Error
	if !errors.As(err, &e) || e.Code == eccs.Internal {
		return err
	}
	status := http.StatusBadRequest
	if e.Code == eccs.Unauthenticated {
		status = http.StatusUnauthorized
	}
	writeJSON(q.w, status, map[string]string{"error": q.lang.T("passkey.failed"), "detail": e.Message})
	return nil
}

// readAnswer reads the browser's answer, bounded.
func readAnswer(q *request) ([]byte, error) {
	return io.ReadAll(http.MaxBytesReader(q.w, q.r.Body, maxPasskeyAnswer))
}

// handlePasskeySignInBegin is POST /signin/passkey.
func (s *server) handlePasskeySignInBegin(q *request) error {
	c, err := s.svc.BeginPasskeySignIn(q.ctx)
	if err != nil {
		return s.passkeyFailed(q, err)
	}
	writeJSON(q.w, http.StatusOK, ceremonyAnswer{Ceremony: c.ID, Options: c.Options})
	return nil
}

// handlePasskeySignInFinish is POST /signin/passkey/finish: a new session, as a password's.
func (s *server) handlePasskeySignInFinish(q *request) error {
	answer, err := readAnswer(q)
	if err != nil {
		return &pageError{status: http.StatusRequestEntityTooLarge, message: "error.too_large"}
	}
	res, err := s.svc.FinishPasskeySignIn(q.ctx, q.r.URL.Query().Get("ceremony"), answer, s.cfg.ClientAddr.Of(q.r), q.r.UserAgent())
	if err != nil {
		return s.passkeyFailed(q, err)
	}
	s.setCookie(q.w, s.pendingCookieName(), "", 0)
	s.setCookie(q.w, s.sessionCookieName(), res.Token, 0)
	writeJSON(q.w, http.StatusOK, map[string]string{"next": nextOf(q.r)})
	return nil
}

// handlePasskeyAddBegin is POST /account/passkeys.
func (s *server) handlePasskeyAddBegin(q *request) error {
	c, err := s.svc.BeginPasskeyRegistration(q.ctx, q.session.Person.ID)
	if err != nil {
		return s.passkeyFailed(q, err)
	}
	writeJSON(q.w, http.StatusOK, ceremonyAnswer{Ceremony: c.ID, Options: c.Options})
	return nil
}

// handlePasskeyAddFinish is POST /account/passkeys/finish?ceremony=ID&name=NAME.
func (s *server) handlePasskeyAddFinish(q *request) error {
	answer, err := readAnswer(q)
	if err != nil {
		return &pageError{status: http.StatusRequestEntityTooLarge, message: "error.too_large"}
	}
	query := q.r.URL.Query()
	if _, err := s.svc.FinishPasskeyRegistration(q.ctx, q.session.Person.ID, query.Get("ceremony"), query.Get("name"), answer); err != nil {
		return s.passkeyFailed(q, err)
	}
	writeJSON(q.w, http.StatusOK, map[string]string{"next": "/account?done=passkey"})
	return nil
}
