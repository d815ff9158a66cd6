package httpapi

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/eccs/eccs/api"
	"github.com/eccs/eccs/internal/eccs"
)

// wireError is an error already in the shape of the wire: the HTTP layer's own errors (a bad
// header, query parameter or body) and domain errors once mapped.
type wireError struct {
	status      int
	code        int
	description string
	header      http.Header // extra response headers, such as Retry-After
}

func (e *wireError) Error() string { return fmt.Sprintf("%d/%d: %s", e.status, e.code, e.description) }

// fail returns a wireError with a formatted description.
func fail(status, code int, format string, args ...any) *wireError {
	return &wireError{status: status, code: code, description: fmt.Sprintf(format, args...)}
}

const internalDescription = "The server failed to answer this request; quote the X-OAPI-Request-Id response header to the support."

// maxDescription bounds the description of an error answer: a sentence, which may quote the
// value at fault, never an echo of a large input.
const maxDescription = 500

// toWire maps any error to its wire form. Domain errors map by code and reason; errors of no
// known kind are internal, and their text never reaches the client.
func toWire(err error) *wireError {
	var we *wireError
	if errors.As(err, &we) {
		return we
	}
	var de *eccs.Error
	if !errors.As(err, &de) {
		if errors.Is(err, context.DeadlineExceeded) {
			return fail(http.StatusServiceUnavailable, api.CodeServiceUnavailable, "The server could not answer in time; retry in a moment.")
		}
		return fail(http.StatusInternalServerError, api.CodeInternalError, internalDescription)
	}
	switch de.Code {
	case eccs.Invalid:
		if de.Reason == eccs.ReasonMissing {
			return fail(http.StatusBadRequest, api.CodeMissingBodyField, "%s", de.Message)
		}
		return fail(http.StatusBadRequest, api.CodeInvalidBodyField, "%s", de.Message)
	case eccs.Unauthenticated:
		switch de.Reason {
		case eccs.ReasonMissing:
			return fail(http.StatusUnauthorized, api.CodeMissingCredentials, "%s", de.Message)
		case eccs.ReasonExpired:
			return fail(http.StatusUnauthorized, api.CodeExpiredCredentials, "%s", de.Message)
		}
		return fail(http.StatusUnauthorized, api.CodeInvalidCredentials, "%s", de.Message)
	case eccs.Forbidden:
		if de.Reason == eccs.ReasonBlocked {
			return fail(http.StatusForbidden, api.CodeForbiddenRequester, "%s", de.Message)
		}
		return fail(http.StatusForbidden, api.CodeAccessDenied, "%s", de.Message)
	case eccs.NotFound:
		return fail(http.StatusNotFound, api.CodeResourceNotFound, "%s", de.Message)
	case eccs.Conflict:
		return fail(http.StatusConflict, api.CodeConflict, "%s", de.Message)
	case eccs.Unavailable:
		return fail(http.StatusServiceUnavailable, api.CodeServiceUnavailable, "%s", de.Message)
	}
	return fail(http.StatusInternalServerError, api.CodeInternalError, internalDescription)
}

// writeError writes err in the gateway envelope. Server-side failures are logged with their
// full text; the client sees only the envelope.
func (s *server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	we := toWire(err)
	if we.status >= 500 {
		s.logFailure(r, err)
	}
	h := w.Header()
	for k, v := range we.header {
		h[k] = v
	}
	switch we.status {
	case http.StatusUnauthorized:
		if h.Get("WWW-Authenticate") == "" {
			h.Set("WWW-Authenticate", "Bearer")
		}
	case http.StatusServiceUnavailable:
		if h.Get("Retry-After") == "" {
			h.Set("Retry-After", "1")
		}
	}
	for _, name := range []string{"Content-Disposition", "ETag", "Last-Modified", "Repr-Digest", "Accept-Ranges", "Cache-Control"} {
		h.Del(name) // headers a download set before it failed
	}
	writeJSON(w, we.status, api.Error{Code: we.code, Message: api.ErrorMessage(we.code), Description: truncate(we.description, maxDescription)})
}

// logFailure logs a server-side failure with its full text and the request id.
func (s *server) logFailure(r *http.Request, err error) {
	s.logger.LogAttrs(r.Context(), slog.LevelError, "request failed",
		slog.String("request_id", requestID(r.Context())), slog.String("error", err.Error()))
}
