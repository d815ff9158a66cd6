package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/eccs/eccs/api"
	"github.com/eccs/eccs/internal/eccs"
)

// caller is who makes a resource call: the application behind the token and the
// customer-space account named by the API key. ctx carries them as the actor of the changes
// the call makes (the audit trail).
type caller struct {
	app     eccs.Application
	account eccs.Account
	key     eccs.APIKey
	ctx     context.Context
}

// authenticate runs checks 1 to 4 of doc/wire.md §3 in their order: the bearer token, the
// application behind it, the application's rate limit, the API key.
func (s *server) authenticate(w http.ResponseWriter, r *http.Request) (caller, error) {
	w.Header().Set("Vary", varyCredentials)
	token, err := bearerToken(r.Header.Values("Authorization"))
	if err != nil {
		return caller{}, err
	}
	app, err := s.svc.ApplicationForToken(r.Context(), token)
	if err != nil {
		return caller{}, invalidToken(err)
	}
	if s.callLimiter != nil {
		v := s.callLimiter.allow(app.ID)
		v.setHeaders(w.Header())
		if !v.allowed {
			status := http.StatusTooManyRequests
			if s.cfg.RateLimitForbidden {
				status = http.StatusForbidden
			}
			return caller{}, fail(status, api.CodeTooManyRequests,
				"The application has made too many calls and has exceeded the rate limit for this service; retry after the delay in Retry-After.")
		}
	}
	keys := r.Header.Values(api.HeaderAPIKey)
	switch {
	case len(keys) == 0 || strings.TrimSpace(keys[0]) == "":
		return caller{}, fail(http.StatusUnauthorized, api.CodeMissingCredentials,
			"The X-API-Key header is missing: send the API key of your customer-space account.")
	case len(keys) > 1:
		return caller{}, fail(http.StatusUnauthorized, api.CodeInvalidCredentials,
			"The X-API-Key header is sent more than once; send it once.")
	}
	acct, key, err := s.svc.AccountForKey(r.Context(), strings.TrimSpace(keys[0]))
	if err != nil {
		return caller{}, err
	}
	if now := s.cfg.Now(); key.ExpiresSoon(now) {
		expires := key.ExpiresAt.UTC().Format(time.RFC3339)
		w.Header().Set(api.HeaderKeyExpires, expires)
		warn(w, "This API key expires on "+expires+"; ask your operator for a new one.")
	}
	if err := s.svc.RecordKeyUse(r.Context(), key, s.cfg.ClientAddr.Of(r)); err != nil {
		s.logFailure(r, fmt.Errorf("record the use of API key %s: %w", key.ID, err)) // the call goes on
	}
	ctx := eccs.WithActor(r.Context(), eccs.Actor{Type: eccs.ActorAccount, ID: acct.ID, ApplicationID: app.ID, RequestID: requestID(r.Context())})
	return caller{app: app, account: acct, key: key, ctx: ctx}, nil
}

// The request headers that answers of resource calls depend on (Vary): the token and the API
// key for every call, the contract header too for the calls on one contract.
const (
	varyCredentials = "Authorization, X-API-Key"
	varyContract    = varyCredentials + ", " + api.HeaderContractID
)

// warn adds a Warning header (RFC 9111 §5.5, code 299) to the answer: something the caller
// should fix although the answer is what the wire contract says it is.
func warn(w http.ResponseWriter, text string) {
	w.Header().Add("Warning", `299 eccs "`+headerText(text)+`"`)
}

// invalidToken gives a refusal of the bearer token (401) the challenge of RFC 6750 §3,
// Bearer error="invalid_token": OAuth libraries read it as "get a new token". Other errors
// pass unchanged.
func invalidToken(err error) error {
	we := toWire(err)
	if we.status != http.StatusUnauthorized {
		return err
	}
	challenge := &wireError{status: we.status, code: we.code, description: we.description, header: http.Header{}}
	challenge.header.Set("WWW-Authenticate", `Bearer error="invalid_token", error_description="`+headerText(we.description)+`"`)
	return fmt.Errorf("%w: %w", challenge, err) // the cause stays in the chain, for the log
}

// headerText makes s fit a quoted string of a header (RFC 6750's error_description is the
// narrowest): printable ASCII without a double quote or a backslash. Other characters become
// '?', a double quote an apostrophe; at most maxDescription bytes.
func headerText(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '"':
			return '\''
		case r == '\\' || r < 0x20 || r > 0x7e:
			return '?'
		}
		return r
	}, truncate(s, maxDescription))
}

// contractAccess runs checks 1 to 5 of doc/wire.md §3 for a call on the contract named by
// X-ECCS-Contract-Id, and returns the caller's access to it.
func (s *server) contractAccess(w http.ResponseWriter, r *http.Request) (eccs.Access, error) {
	c, err := s.authenticate(w, r)
	if err != nil {
		return eccs.Access{}, err
	}
	w.Header().Set("Vary", varyContract)
	id, err := contractHeader(r)
	if err != nil {
		return eccs.Access{}, err
	}
	return s.svc.ContractAccess(r.Context(), c.account, id)
}

// bearerToken returns the token of an "Authorization: Bearer <token>" header; 401/40 when
// there is none (absent, another scheme, empty), 401/41 when sent more than once.
func bearerToken(values []string) (string, error) {
	missing := fail(http.StatusUnauthorized, api.CodeMissingCredentials,
		"The requested service needs credentials, but none were provided: send Authorization: Bearer <access token>, with a token from /oauth/v3/token.")
	if len(values) == 0 {
		return "", missing
	}
	if len(values) > 1 {
		return "", fail(http.StatusUnauthorized, api.CodeInvalidCredentials, "The Authorization header is sent more than once; send it once.")
	}
	scheme, token, _ := strings.Cut(strings.TrimSpace(values[0]), " ")
	token = strings.TrimSpace(token)
	if !strings.EqualFold(scheme, "Bearer") || token == "" {
		return "", missing
	}
	return token, nil
}

// contractHeader returns the contract number of X-ECCS-Contract-Id: 400/25 when absent,
// 400/26 when malformed or sent more than once.
func contractHeader(r *http.Request) (string, error) {
	values := r.Header.Values(api.HeaderContractID)
	if len(values) == 0 || strings.TrimSpace(values[0]) == "" {
		return "", fail(http.StatusBadRequest, api.CodeMissingHeader,
			"The X-ECCS-Contract-Id header is required: send the contract number, for example OCB0001234.")
	}
	if len(values) > 1 {
		return "", fail(http.StatusBadRequest, api.CodeInvalidHeader, "The X-ECCS-Contract-Id header is sent more than once; send it once.")
	}
	id := strings.TrimSpace(values[0])
	if !eccs.ValidContractID(id) {
		return "", fail(http.StatusBadRequest, api.CodeInvalidHeader,
			"The X-ECCS-Contract-Id header %q is not a contract number such as OCB0001234.", truncate(id, 40))
	}
	return id, nil
}
