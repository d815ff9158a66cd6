package httpapi

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/eccs/eccs/api"
	"github.com/eccs/eccs/internal/eccs"
)

// The exact descriptions of the token endpoint's 401 answers (spec/wire.md §1).
const (
	descNoCredentials  = "The requested service needs credentials, but none were provided."
	descBadBasic       = "Unable to decode Basic authorization."
	descBadCredentials = "The requested service needs credentials, but the ones provided were invalid."
)

// maxTokenBody bounds the token request body: a few form fields.
const maxTokenBody = 16 << 10

// handleToken is the OAuth 2.0 client-credentials grant (RFC 6749 §4.4). The client
// authenticates with HTTP Basic or with client_id and client_secret form fields. Errors use
// the OAuth shape. The body is read as a form whatever its Content-Type.
func (s *server) handleToken(w http.ResponseWriter, r *http.Request) error {
	basicID, basicSecret, hasBasic, basicOK := basicCredentials(r.Header.Values("Authorization"))
	if hasBasic && !basicOK {
		writeInvalidClient(w, descBadBasic)
		return nil
	}
	body, err := readBody(w, r, maxTokenBody)
	if err != nil {
		we := toWire(err)
		writeOAuthError(w, we.status, api.OAuthInvalidRequest, we.description)
		return nil
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		writeOAuthError(w, http.StatusBadRequest, api.OAuthInvalidRequest, "The request body is not a valid form (application/x-www-form-urlencoded).")
		return nil
	}
	for name, values := range form {
		if len(values) > 1 {
			writeOAuthError(w, http.StatusBadRequest, api.OAuthInvalidRequest, "The parameter "+truncate(name, 40)+" is given more than once.")
			return nil
		}
	}
	formID, formSecret := form.Get("client_id"), form.Get("client_secret")
	hasForm := form.Has("client_id") || form.Has("client_secret")

	clientID, secret := basicID, basicSecret
	switch {
	case hasBasic && hasForm:
		if formID != basicID || (form.Has("client_secret") && formSecret != basicSecret) {
			writeInvalidClient(w, descBadCredentials)
			return nil
		}
	case hasForm:
		clientID, secret = formID, formSecret
	case !hasBasic:
		writeInvalidClient(w, descNoCredentials)
		return nil
	}
	if clientID == "" {
		writeInvalidClient(w, descNoCredentials)
		return nil
	}

	token, app, err := s.svc.IssueToken(r.Context(), clientID, secret)
	if eccs.ErrorCode(err) == eccs.Unauthenticated {
		writeInvalidClient(w, descBadCredentials)
		return nil
	}
	if err != nil {
		s.writeTokenFailure(w, r, err)
		return nil
	}
	if s.tokenLimiter != nil {
		v := s.tokenLimiter.allow(app.ID)
		v.setHeaders(w.Header())
		if !v.allowed {
			writeJSON(w, http.StatusTooManyRequests, api.Error{
				Code: api.CodeTooManyRequests, Message: api.ErrorMessage(api.CodeTooManyRequests),
				Description: "The application has made too many token requests (" + strconv.Itoa(s.cfg.TokenRateLimit) + " per minute allowed); reuse the access token until it expires.",
			})
			return nil
		}
	}

	switch grant := form.Get("grant_type"); {
	case !form.Has("grant_type") || grant == "":
		writeOAuthError(w, http.StatusBadRequest, api.OAuthInvalidRequest, "The grant_type parameter is missing; send grant_type=client_credentials.")
		return nil
	case grant != "client_credentials":
		writeOAuthError(w, http.StatusBadRequest, api.OAuthUnsupportedGrantType, "The grant type "+strconv.Quote(truncate(grant, 40))+" is not supported; use client_credentials.")
		return nil
	}

	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	writeJSON(w, http.StatusOK, api.Token{
		TokenType:   api.TokenType,
		AccessToken: token.Value,
		ExpiresIn:   int(token.ExpiresIn.Seconds()),
	})
	return nil
}

// basicCredentials reads HTTP Basic credentials (RFC 7617) from the Authorization values.
// hasBasic reports whether a Basic value was sent; ok whether it decoded to "id:secret". A
// value of another scheme is ignored (the form fields may carry the credentials); several
// Authorization values are undecodable.
func basicCredentials(values []string) (id, secret string, hasBasic, ok bool) {
	if len(values) == 0 {
		return "", "", false, false
	}
	scheme, rest, _ := strings.Cut(strings.TrimSpace(values[0]), " ")
	if !strings.EqualFold(scheme, "Basic") {
		return "", "", len(values) > 1, false
	}
	if len(values) > 1 {
		return "", "", true, false
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(rest))
	if err != nil {
		return "", "", true, false
	}
	id, secret, found := strings.Cut(string(raw), ":")
	if !found {
		return "", "", true, false
	}
	// RFC 6749 §2.3.1 form-encodes the credentials before Basic; undo it when it applies.
	if u, err := url.QueryUnescape(id); err == nil {
		id = u
	}
	if u, err := url.QueryUnescape(secret); err == nil {
		secret = u
	}
	return id, secret, true, true
}

// writeTokenFailure answers a server-side failure of the token endpoint in the OAuth shape:
// temporarily_unavailable (503, with Retry-After) when the database is down or busy,
// server_error (500) otherwise. The cause is logged, never sent.
func (s *server) writeTokenFailure(w http.ResponseWriter, r *http.Request, err error) {
	s.logFailure(r, err)
	if toWire(err).status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", "1")
		writeOAuthError(w, http.StatusServiceUnavailable, api.OAuthTemporarilyUnavailable, "The service is temporarily unavailable; retry in a moment.")
		return
	}
	writeOAuthError(w, http.StatusInternalServerError, api.OAuthServerError, internalDescription)
}

func writeInvalidClient(w http.ResponseWriter, description string) {
	w.Header().Set("WWW-Authenticate", `Basic realm="Authorization Required"`)
	writeOAuthError(w, http.StatusUnauthorized, api.OAuthInvalidClient, description)
}

// writeOAuthError writes an error of the token endpoint in the OAuth shape.
func writeOAuthError(w http.ResponseWriter, status int, code, description string) {
	w.Header().Set("Cache-Control", "no-store")
	body, _ := json.Marshal(api.OAuthError{Error: code, Description: description})
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	w.Write(body)
}
