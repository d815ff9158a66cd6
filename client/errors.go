package client

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"

	"golang.org/x/oauth2"

	"github.com/eccs/eccs/api"
)

// Error is an error answer of the API: its HTTP status, the gateway's code, message and
// description, and the request id to quote to the support. For the token endpoint, Code is 0
// and OAuthError holds the OAuth error code (invalid_client…).
type Error struct {
	Status      int
	Code        int
	Message     string
	Description string
	OAuthError  string
	RequestID   string
}

func (e *Error) Error() string {
	what := e.Message
	if e.OAuthError != "" {
		what = e.OAuthError
	}
	s := fmt.Sprintf("eccs: %d", e.Status)
	if e.Code != 0 {
		s += fmt.Sprintf("/%d", e.Code)
	}
	if what != "" {
		s += " " + what
	}
	if e.Description != "" {
		s += ": " + e.Description
	}
	if e.RequestID != "" {
		s += " (request " + e.RequestID + ")"
	}
	return s
}

// Retryable reports whether the same call may succeed later unchanged: the API was rate
// limited (429, or 403 with code 53 on older gateways) or temporarily unavailable (503).
func (e *Error) Retryable() bool {
	return e.Status == http.StatusTooManyRequests || e.Status == http.StatusServiceUnavailable ||
		e.Code == api.CodeTooManyRequests
}

// readError reads an error answer and closes its body.
func readError(resp *http.Response) *Error {
	defer resp.Body.Close()
	e := &Error{Status: resp.StatusCode, RequestID: resp.Header.Get(api.HeaderRequestID)}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	var env api.Error
	if json.Unmarshal(body, &env) == nil && env.Code != 0 {
		e.Code, e.Message, e.Description = env.Code, env.Message, env.Description
		return e
	}
	var oe api.OAuthError
	if json.Unmarshal(body, &oe) == nil && oe.Error != "" {
		e.OAuthError, e.Description = oe.Error, oe.Description
		return e
	}
	e.Message = http.StatusText(resp.StatusCode)
	return e
}

// tokenError turns a token endpoint refusal into an *Error.
func tokenError(re *oauth2.RetrieveError) *Error {
	e := &Error{Status: re.Response.StatusCode, RequestID: re.Response.Header.Get(api.HeaderRequestID),
		OAuthError: re.ErrorCode, Description: re.ErrorDescription}
	var env api.Error
	if json.Unmarshal(re.Body, &env) == nil && env.Code != 0 { // 429 answers in the gateway envelope
		e.Code, e.Message, e.Description = env.Code, env.Message, env.Description
	}
	return e
}
