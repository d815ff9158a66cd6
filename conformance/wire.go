package conformance

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/eccs/eccs/api"
)

// maxBody bounds what is read of an answer: documents are read whole to be checked.
const maxBody = 256 << 20

// request is one HTTP request of the suite. Header names are sent as written (not
// canonicalised), so that a check can send a lower-case name.
type request struct {
	method string
	path   string // from the base URL, with its query
	header http.Header
	body   string
}

// exchange is a request and its answer, read whole.
type exchange struct {
	label  string // "GET /cloud/b2b/v1/documents?limit=3"
	status int
	header http.Header
	body   []byte
	err    error // no answer, or the answer could not be read
}

// requestID returns the answer's X-OAPI-Request-Id, "" when it has none.
func (ex *exchange) requestID() string {
	if ex == nil || ex.header == nil {
		return ""
	}
	return ex.header.Get(api.HeaderRequestID)
}

// got describes the answer for a failure's detail: its status and the start of its body.
func (ex *exchange) got() string {
	if ex.err != nil {
		return "no answer: " + ex.err.Error()
	}
	return fmt.Sprintf("%d with %s", ex.status, snippet(ex.body))
}

func (r *runner) do(q request) *exchange {
	ex := &exchange{label: q.method + " " + q.path}
	if r.baseErr != nil {
		ex.err = r.baseErr
		return ex
	}
	var body io.Reader
	if q.body != "" {
		body = strings.NewReader(q.body)
	}
	req, err := http.NewRequestWithContext(r.ctx, q.method, r.base+q.path, body)
	if err != nil {
		ex.err = err
		return ex
	}
	for name, values := range q.header {
		req.Header[name] = values
	}
	resp, err := r.hc.Do(req)
	if err != nil {
		ex.err = err
		return ex
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	ex.status, ex.header, ex.body = resp.StatusCode, resp.Header, b
	switch {
	case err != nil:
		ex.err = fmt.Errorf("reading the answer (%d): %w", resp.StatusCode, err)
	case len(b) > maxBody:
		ex.err = fmt.Errorf("the answer (%d) is longer than %d bytes", resp.StatusCode, maxBody)
	}
	r.answers = append(r.answers, ex)
	return ex
}

// tokenRequest is a POST to the token endpoint with a form body.
func tokenRequest(body string, header ...string) request {
	h := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}, "Accept": {"application/json"}}
	for i := 0; i+1 < len(header); i += 2 {
		h[header[i]] = []string{header[i+1]}
	}
	return request{method: http.MethodPost, path: api.TokenPath, header: h, body: body}
}

// resource is a GET on a resource with the run's credentials, as real clients send it:
// Authorization, X-API-Key, Accept: application/json, and X-ECCS-Contract-Id when contract
// is not empty.
func (r *runner) resource(path, contract string) request {
	h := http.Header{
		"Authorization": {"Bearer " + r.token},
		"X-API-Key":     {r.cfg.APIKey},
		"Accept":        {"application/json"},
	}
	if contract != "" {
		h[api.HeaderContractID] = []string{contract}
	}
	return request{method: http.MethodGet, path: api.BasePath + path, header: h}
}

// verdict gathers the problems of one check.
type verdict struct {
	problems []string
	note     string // for a check that passed: why it did not apply
}

// maxProblems bounds the lines of a detail.
const maxProblems = 8

// fail records a problem, prefixed by the request it came from (ex may be nil) and followed
// by the answer's request id.
func (v *verdict) fail(ex *exchange, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if ex != nil {
		msg = ex.label + ": " + msg
		if id := ex.requestID(); id != "" {
			msg += " (" + api.HeaderRequestID + ": " + id + ")"
		}
	}
	v.problems = append(v.problems, msg)
}

// cannot records that the check cannot run, and why.
func (v *verdict) cannot(format string, args ...any) {
	v.problems = append(v.problems, "cannot run: "+fmt.Sprintf(format, args...))
}

func (v *verdict) detail() string {
	lines := v.problems
	if len(lines) > maxProblems {
		lines = append(append([]string{}, lines[:maxProblems]...), fmt.Sprintf("… and %d more", len(v.problems)-maxProblems))
	}
	return strings.Join(lines, "\n")
}

// wantStatus records a problem unless ex answered status.
func (v *verdict) wantStatus(ex *exchange, status int) bool {
	if ex.err != nil {
		v.fail(ex, "expected %d, got %s", status, ex.got())
		return false
	}
	if ex.status != status {
		v.fail(ex, "expected %d, got %s", status, ex.got())
		return false
	}
	return true
}

// wantJSON records a problem unless ex answered status with JSON: Content-Type
// application/json and a body that parses. It returns the parsed body, and whether there is
// one (the Content-Type may still be wrong).
func (v *verdict) wantJSON(ex *exchange, status int) (any, bool) {
	if !v.wantStatus(ex, status) {
		return nil, false
	}
	v.wantJSONType(ex)
	body, err := parseJSON(ex.body)
	if err != nil {
		v.fail(ex, "expected a JSON body, got %s (%v)", snippet(ex.body), err)
		return nil, false
	}
	return body, true
}

// wantJSONType records a problem unless ex's Content-Type is application/json (parameters
// such as charset allowed).
func (v *verdict) wantJSONType(ex *exchange) bool {
	ct := ex.header.Get("Content-Type")
	if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/json" {
		v.fail(ex, "expected Content-Type application/json, got %q", ct)
		return false
	}
	return true
}

// wantArray records a problem unless ex answered 200 with a bare JSON array, and returns its
// items, and whether there are (the Content-Type may still be wrong).
func (v *verdict) wantArray(ex *exchange) ([]any, bool) {
	body, ok := v.wantJSON(ex, http.StatusOK)
	if !ok {
		return nil, false
	}
	items, isArray := body.([]any)
	if !isArray {
		v.fail(ex, "expected a bare JSON array, got %s: %s", kind(body), snippet(ex.body))
		return nil, false
	}
	return items, true
}

// wantEnvelope records a problem unless ex is the gateway error envelope of doc/wire.md §2 with
// this status and code: {"code": <integer>, "message": <string>, "description": <string>},
// Content-Type application/json, and WWW-Authenticate on a 401.
func (v *verdict) wantEnvelope(ex *exchange, status, code int) {
	if ex.err != nil {
		v.fail(ex, "expected %d with code %d, got %s", status, code, ex.got())
		return
	}
	if ex.status != status {
		v.fail(ex, "expected %d with code %d, got %s", status, code, ex.got())
	}
	v.wantJSONType(ex)
	body, err := parseJSON(ex.body)
	obj, isObject := body.(map[string]any)
	if err != nil || !isObject {
		v.fail(ex, "expected the error envelope {\"code\", \"message\", \"description\"}, got %s", snippet(ex.body))
		return
	}
	switch c, present := obj["code"]; {
	case !present:
		v.fail(ex, "expected code %d, got no code member: %s", code, snippet(ex.body))
	default:
		n, isInt := jsonInt(c)
		switch {
		case !isInt:
			v.fail(ex, "expected code to be the JSON integer %d, got %s", code, describe(c))
		case n != int64(code):
			v.fail(ex, "expected code %d, got %d: %s", code, n, snippet(ex.body))
		}
	}
	for _, member := range []string{"message", "description"} {
		if s, isString := obj[member].(string); !isString {
			v.fail(ex, "expected %s to be a string, got %s", member, describe(obj[member]))
		} else if s == "" {
			v.fail(ex, "expected a non-empty %s, got \"\"", member)
		}
	}
	if status == http.StatusUnauthorized && ex.status == http.StatusUnauthorized && ex.header.Get("WWW-Authenticate") == "" {
		v.fail(ex, "expected a WWW-Authenticate header on the 401 (doc/wire.md §2), got none")
	}
}

// parseJSON parses one JSON value, numbers kept as json.Number, and refuses trailing data.
func parseJSON(b []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errors.New("empty body")
		}
		return nil, err
	}
	if _, err := d.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("data after the JSON value")
	}
	return v, nil
}

// jsonInt returns v as an integer when it is a JSON number without fraction or exponent.
func jsonInt(v any) (int64, bool) {
	n, ok := v.(json.Number)
	if !ok || strings.ContainsAny(string(n), ".eE") {
		return 0, false
	}
	i, err := strconv.ParseInt(string(n), 10, 64)
	return i, err == nil
}

// kind names a JSON value's type.
func kind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

// describe names a JSON value's type and shows it.
func describe(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case string:
		return fmt.Sprintf("the string %q", truncate(v, 60))
	case json.Number:
		return "the number " + string(v)
	case bool:
		return fmt.Sprintf("the boolean %v", v)
	}
	b, _ := json.Marshal(v)
	return kind(v) + " " + truncate(string(b), 80)
}

// snippet shows the start of a body on one line.
func snippet(b []byte) string {
	if len(b) == 0 {
		return "an empty body"
	}
	if !utf8.Valid(b) {
		return fmt.Sprintf("%d bytes of binary data", len(b))
	}
	s := strings.Join(strings.Fields(string(b)), " ")
	return "body " + truncate(s, 160)
}

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}

// member returns the value at path in a JSON object, and whether it is present.
func member(v any, path ...string) (any, bool) {
	for _, name := range path {
		obj, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = obj[name]; !ok {
			return nil, false
		}
	}
	return v, true
}

// stringMember returns a problem unless the value at path is a string (non-empty when
// nonEmpty).
func stringMember(v any, nonEmpty bool, path ...string) string {
	name := strings.Join(path, ".")
	m, present := member(v, path...)
	if !present {
		return fmt.Sprintf("%s is missing, expected a string", name)
	}
	s, ok := m.(string)
	if !ok {
		return fmt.Sprintf("%s is %s, expected a string", name, describe(m))
	}
	if nonEmpty && s == "" {
		return fmt.Sprintf("%s is \"\", expected a non-empty string", name)
	}
	return ""
}

// idOf returns an item's id for a failure's detail.
func idOf(item any) string {
	if id, ok := item.(map[string]any)["id"].(string); ok {
		return id
	}
	return "?"
}
