package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/eccs/eccs/api"
)

// marshalJSON encodes v as JSON without escaping '<', '>' and '&': answers are read by
// programs and people, never pasted into HTML, and a description that names a field as
// <name> must read as written.
func marshalJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// writeJSON writes v as a JSON response with its length.
func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := marshalJSON(v)
	if err != nil {
		// Only a programming error (an unencodable type) gets here.
		status = http.StatusInternalServerError
		body, _ = marshalJSON(api.Error{Code: api.CodeInternalError, Message: api.ErrorMessage(api.CodeInternalError), Description: internalDescription})
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	w.Write(body)
}

// readBody reads a request body of at most limit bytes. It fails with 415/68 for a
// Content-Encoding other than identity and 413/66 past the limit.
func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	if enc := r.Header.Get("Content-Encoding"); enc != "" && !strings.EqualFold(enc, "identity") {
		return nil, fail(http.StatusUnsupportedMediaType, api.CodeUnsupportedMediaType,
			"The request body is encoded with %q; send it without Content-Encoding.", truncate(enc, 40))
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return nil, fail(http.StatusRequestEntityTooLarge, api.CodeEntityTooLarge,
			"The request body is larger than %d bytes.", limit)
	}
	if err != nil {
		return nil, fail(http.StatusBadRequest, api.CodeInvalidBody, "The request body could not be read completely.")
	}
	return body, nil
}

// decodeJSON reads a JSON object into v, whatever the request's Content-Type says (the guide's
// own curl examples send form-encoded JSON). Unknown members are refused, so that a misspelt
// field is reported instead of silently ignored. Errors: 21 for an empty body, 22 for a body
// that is not one JSON object, 24 for a member of the wrong type or an unknown member.
func decodeJSON(w http.ResponseWriter, r *http.Request, limit int64, v any) error {
	body, err := readBody(w, r, limit)
	if err != nil {
		return err
	}
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return fail(http.StatusBadRequest, api.CodeMissingBody, "The request needs a JSON object body.")
	}
	// null would decode into v as nothing at all, and pass for {}.
	if trimmed[0] != '{' {
		return fail(http.StatusBadRequest, api.CodeInvalidBody, "The request body must be a JSON object.")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	err = dec.Decode(v)
	if err == nil {
		if _, tokErr := dec.Token(); tokErr != io.EOF {
			err = errors.New("data after the JSON object")
		}
	}
	if err == nil {
		return nil
	}
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) {
		if typeErr.Field == "" {
			return fail(http.StatusBadRequest, api.CodeInvalidBody, "The request body must be a JSON object.")
		}
		return fail(http.StatusBadRequest, api.CodeInvalidBodyField, "The body field %s must be a JSON %s.", typeErr.Field, jsonKind(typeErr.Type.String()))
	}
	if field, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return fail(http.StatusBadRequest, api.CodeInvalidBodyField, "The body field %s is not part of this request; check its spelling.", truncate(field, 80))
	}
	return fail(http.StatusBadRequest, api.CodeInvalidBody, "The request body is not valid JSON: %s.", truncate(strings.TrimPrefix(err.Error(), "json: "), 120))
}

// jsonKind names the JSON kind of a Go type for error messages.
func jsonKind(goType string) string {
	switch {
	case goType == "string":
		return "string"
	case strings.HasPrefix(goType, "[]"):
		return "array"
	case strings.HasPrefix(goType, "map[") || strings.Contains(goType, "."):
		return "object"
	case goType == "bool":
		return "boolean"
	}
	return "number"
}

// truncate shortens a client-supplied value quoted back in a message to at most n bytes,
// without splitting a UTF-8 sequence.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
