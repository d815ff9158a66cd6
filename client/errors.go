package client

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"golang.org/x/oauth2"

	"github.com/eccs/eccs/api"
)

// Error is an error answer of the API: its HTTP status, the gateway's code, message and
// description, and the request id (X-OAPI-Request-Id) to quote to the support. For the token
// endpoint's OAuth answers, Code is 0 and OAuthError holds the OAuth error code
// (invalid_client…); its 429 answers use the gateway envelope (code 53).
type Error struct {
	Status      int
	Code        int
	Message     string
	Description string
	OAuthError  string
	RequestID   string
	// RetryAfter is the delay the API asked for in Retry-After (429, 503), 0 when it gave none.
	RetryAfter time.Duration
	// Attempts is how many times the call was sent before the client gave up (see
	// WithRetries); 1 when it was not retried.
	Attempts int

	retryAfterSent bool
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
	if e.Attempts > 1 {
		s += fmt.Sprintf(" (after %d attempts)", e.Attempts)
	}
	if e.RequestID != "" {
		s += " (request " + e.RequestID + ")"
	}
	return s
}

// RateLimited reports whether the API refused the call because the application made too
// many: 429, or 403 with code 53 on older gateways.
func (e *Error) RateLimited() bool {
	return e.Status == http.StatusTooManyRequests || e.Code == api.CodeTooManyRequests
}

// Retryable reports whether the same call may succeed later unchanged: the API was rate
// limited (RateLimited) or temporarily unavailable (503).
func (e *Error) Retryable() bool {
	return e.RateLimited() || e.Status == http.StatusServiceUnavailable
}

// readError reads an error answer and closes its body.
func readError(resp *http.Response) *Error {
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	return errorFrom(resp, body)
}

// errorFrom builds the *Error of an answer whose body is body.
func errorFrom(resp *http.Response, body []byte) *Error {
	e := &Error{Status: resp.StatusCode, RequestID: resp.Header.Get(api.HeaderRequestID), Attempts: 1}
	e.RetryAfter, e.retryAfterSent = parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
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
	return errorFrom(re.Response, re.Body)
}
