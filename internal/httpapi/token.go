package httpapi

import (
	"bytes"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/eccs/eccs/api"
	"github.com/eccs/eccs/internal/eccs"
)

// The exact descriptions of the token endpoint's 401 answers (doc/wire.md §1).
const (
	descNoCredentials  = "The requested service needs credentials, but none were provided."
	descBadBasic       = "Unable to decode Basic authorization."
	descBadCredentials = "The requested service needs credentials, but the ones provided were invalid."
)

// formNotJSON ends the descriptions of token requests whose body is JSON, which OAuth 2.0 does
// not take (RFC 6749 §4.4.2).
const formNotJSON = "the body is JSON, and the token endpoint takes form parameters (application/x-www-form-urlencoded, such as grant_type=client_credentials), with the client's credentials in HTTP Basic authentication or in the client_id and client_secret parameters."

// isJSON reports whether a request body looks like JSON rather than a form.
func isJSON(body []byte) bool {
	trimmed := bytes.TrimSpace(body)
	return len(trimmed) > 0 && (trimmed[0] == '{' || trimmed[0] == '[')
}

// maxTokenBody bounds the token request body: a few form fields.
const maxTokenBody = 16 << 10

// handleToken is the OAuth 2.0 client-credentials grant (RFC 6749 §4.4). The client
// authenticates with HTTP Basic or with client_id and client_secret form fields. Errors use
// the OAuth shape. The body is read as a form whatever its Content-Type.
func (s *server) handleToken(w http.ResponseWriter, r *http.Request) error {
	authorization := r.Header.Values("Authorization")
	if _, _, hasBasic, basicOK := basicCredentials(authorization); hasBasic && !basicOK {
		writeInvalidClient(w, descBadBasic) // before the body is read, whatever it holds
		return nil
	}
	body, err := readBody(w, r, maxTokenBody)
	if err != nil {
		we := toWire(err)
		writeOAuthError(w, we.status, api.OAuthInvalidRequest, we.description)
		return nil
	}
	tr, refusal := parseTokenRequest(authorization, body)
	if refusal != nil {
		refusal.write(w)
		return nil
	}
	clientID, secret, form := tr.clientID, tr.secret, tr.form

	token, app, err := s.svc.IssueToken(r.Context(), clientID, secret)
	if de, ok := errors.AsType[*eccs.Error](err); ok && de.Code == eccs.Unauthenticated {
		description := descBadCredentials
		if de.Reason == eccs.ReasonSuspended { // the client holds the secret: it may know why
			description = de.Message
		}
		writeInvalidClient(w, description)
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
		description := "The grant_type parameter is missing; send grant_type=client_credentials."
		if isJSON(body) {
			description = "The grant_type parameter is missing: " + formNotJSON
		}
		writeOAuthError(w, http.StatusBadRequest, api.OAuthInvalidRequest, description)
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

// tokenRequest is a token request as parseTokenRequest reads it: the client's credentials,
// from HTTP Basic or the form, and the form (grant_type is checked after the client is
// authenticated, as decisions.md says).
type tokenRequest struct {
	clientID, secret string
	form             url.Values
}

// tokenRefusal is the OAuth error answering a token request that cannot be read.
type tokenRefusal struct {
	status      int
	code        string // api.OAuthInvalidRequest or api.OAuthInvalidClient
	description string
}

func (tr *tokenRefusal) write(w http.ResponseWriter) {
	if tr.code == api.OAuthInvalidClient {
		writeInvalidClient(w, tr.description)
		return
	}
	writeOAuthError(w, tr.status, tr.code, tr.description)
}

// parseTokenRequest reads the credentials and form of a token request from its Authorization
// values and its body. It refuses (400 invalid_request, 401 invalid_client) a body that is not
// a form, a parameter sent twice, undecodable Basic credentials, Basic and form credentials
// that disagree, and a request without a client id. It has no side effect, so that it can be
// fuzzed without HTTP.
func parseTokenRequest(authorization []string, body []byte) (tokenRequest, *tokenRefusal) {
	basicID, basicSecret, hasBasic, basicOK := basicCredentials(authorization)
	if hasBasic && !basicOK {
		return tokenRequest{}, &tokenRefusal{http.StatusUnauthorized, api.OAuthInvalidClient, descBadBasic}
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return tokenRequest{}, &tokenRefusal{http.StatusBadRequest, api.OAuthInvalidRequest, "The request body is not a valid form (application/x-www-form-urlencoded)."}
	}
	for name, values := range form {
		if len(values) > 1 {
			return tokenRequest{}, &tokenRefusal{http.StatusBadRequest, api.OAuthInvalidRequest, "The parameter " + truncate(name, 40) + " is given more than once."}
		}
	}
	formID, formSecret := form.Get("client_id"), form.Get("client_secret")
	hasForm := form.Has("client_id") || form.Has("client_secret")

	// These comparisons are of two values the client sent, neither of them stored: their
	// timing reveals nothing the client does not know.
	tr := tokenRequest{clientID: basicID, secret: basicSecret, form: form}
	switch {
	case hasBasic && hasForm:
		if formID != basicID || (form.Has("client_secret") && formSecret != basicSecret) {
			return tokenRequest{}, &tokenRefusal{http.StatusUnauthorized, api.OAuthInvalidClient, descBadCredentials}
		}
	case hasForm:
		tr.clientID, tr.secret = formID, formSecret
	case !hasBasic:
		description := descNoCredentials
		if isJSON(body) {
			description = strings.TrimSuffix(descNoCredentials, ".") + ": " + formNotJSON
		}
		return tokenRequest{}, &tokenRefusal{http.StatusUnauthorized, api.OAuthInvalidClient, description}
	}
	if tr.clientID == "" {
		return tokenRequest{}, &tokenRefusal{http.StatusUnauthorized, api.OAuthInvalidClient, descNoCredentials}
	}
	return tr, nil
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
	body, _ := marshalJSON(api.OAuthError{Error: code, Description: description})
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	w.Write(body)
}
