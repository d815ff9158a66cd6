// What the answer of a case must be.

package hostile_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/eccs/eccs/api"
)

// check returns what is wrong with the answer to c. The OpenAPI validator, which costs far more
// than a request, sees the first answer of each kind (operation, status, error code) that kinds
// has not seen; the envelope checks see every answer.
func (c testCase) check(a response, kinds *answerKinds) []string {
	var problems []string
	if a.header.Get(api.HeaderRequestID) == "" {
		// Not answered by our handler. net/http closes the connection after its own refusals,
		// which may cut its short answer when the request's body is still coming.
		if !c.bareHTTP {
			problems = append(problems, "no "+api.HeaderRequestID+": the handler did not answer")
		}
		if !(a.status >= 400 && a.status <= 499) && !slices.Contains(c.accepted, a.status) {
			problems = append(problems, fmt.Sprintf("status %d from net/http, want 4xx", a.status))
		}
		return problems
	}
	if a.cut != nil {
		problems = append(problems, fmt.Sprintf("the answer was cut: %v", a.cut))
	}
	if req := c.req.httpRequest(c.ep.addr); req != nil && kinds.first(c.ep, a) {
		if err := c.ep.validator.Validate(req, a.status, a.header, a.body); err != nil {
			problems = append(problems, err.Error())
		}
	}
	if slices.Contains(c.accepted, a.status) {
		return problems
	}
	if a.status < 400 || a.status > 499 {
		return append(problems, fmt.Sprintf("status %d, want 4xx", a.status))
	}
	return append(problems, c.checkEnvelope(a)...)
}

// checkEnvelope checks a 4xx body: the OAuth shape on the token endpoint (its 429 excepted), the
// gateway envelope everywhere else, with a code that goes with the status, its fixed message
// and a description that leaks nothing internal.
func (c testCase) checkEnvelope(a response) []string {
	var problems []string
	if ct := a.header.Get("Content-Type"); ct != "application/json" {
		problems = append(problems, fmt.Sprintf("Content-Type %q, want application/json", ct))
	}
	dec := json.NewDecoder(bytes.NewReader(a.body))
	dec.DisallowUnknownFields()
	var description string
	if c.reachesTokenEndpoint() && a.status != http.StatusTooManyRequests {
		var e api.OAuthError
		if err := dec.Decode(&e); err != nil {
			return append(problems, "not the OAuth error shape: "+err.Error())
		}
		if !slices.Contains([]string{api.OAuthInvalidRequest, api.OAuthInvalidClient, api.OAuthUnsupportedGrantType}, e.Error) {
			problems = append(problems, fmt.Sprintf("OAuth error %q", e.Error))
		}
		description = e.Description
	} else {
		var e api.Error
		if err := dec.Decode(&e); err != nil {
			return append(problems, "not the gateway envelope: "+err.Error())
		}
		if e.Message == "" || e.Message != api.ErrorMessage(e.Code) {
			problems = append(problems, fmt.Sprintf("code %d with message %q", e.Code, e.Message))
		}
		if !slices.Contains(statusesOfCode[e.Code], a.status) {
			problems = append(problems, fmt.Sprintf("code %d does not go with status %d", e.Code, a.status))
		}
		description = e.Description
		if c.field != "" && a.status == 400 && (e.Code == api.CodeMissingBodyField || e.Code == api.CodeInvalidBodyField) {
			named := false
			for _, part := range strings.Split(c.field, ".") {
				named = named || strings.Contains(strings.ToLower(description), strings.ToLower(part))
			}
			if !named {
				problems = append(problems, fmt.Sprintf("the description does not name %s: the case did not reach what it spoils", c.field))
			}
		}
	}
	if len(description) < 10 {
		problems = append(problems, fmt.Sprintf("description %q says nothing", description))
	}
	if len(description) > maxDescription {
		problems = append(problems, fmt.Sprintf("the description is %d bytes long: a sentence, not an echo of the input, is wanted", len(description)))
	}
	lower := strings.ToLower(description)
	for _, leak := range []string{"sqlite", "postgres", "pgx", "sql:", "panic", "goroutine", ".go:", "runtime error", "/tmp/"} {
		if strings.Contains(lower, leak) {
			problems = append(problems, fmt.Sprintf("the description leaks %q", leak))
		}
	}
	return problems
}

// maxDescription bounds an error description: one sentence, which may quote a cut value
// (the server cuts descriptions at 500 bytes).
const maxDescription = 600

// statusesOfCode lists the statuses each gateway code may come with (doc/wire.md §2; 412 and
// 416 with 26 for failed preconditions and ranges, doc/decisions.md).
var statusesOfCode = map[int][]int{
	api.CodeInvalidURLParameter: {400}, api.CodeMissingBody: {400}, api.CodeInvalidBody: {400},
	api.CodeMissingBodyField: {400}, api.CodeInvalidBodyField: {400}, api.CodeMissingHeader: {400},
	api.CodeInvalidHeader: {400, 412, 416}, api.CodeMissingQueryParameter: {400}, api.CodeInvalidQueryParameter: {400},
	api.CodeMissingCredentials: {401}, api.CodeInvalidCredentials: {401}, api.CodeExpiredCredentials: {401},
	api.CodeAccessDenied: {403}, api.CodeForbiddenRequester: {403}, api.CodeTooManyRequests: {429, 403},
	api.CodeResourceNotFound: {404}, api.CodeMethodNotAllowed: {405}, api.CodeEntityTooLarge: {413},
	api.CodeUnsupportedMediaType: {415}, api.CodeConflict: {409},
}

// answerKinds remembers the kinds of answers already checked against the descriptions.
type answerKinds struct {
	mu   sync.Mutex
	seen map[string]bool
}

// first reports whether a is the first answer of its kind to an operation of e's.
func (k *answerKinds) first(e *endpoint, a response) bool {
	var shape struct {
		Code  int    `json:"code"`
		Error string `json:"error"`
	}
	json.Unmarshal(a.body, &shape)
	key := fmt.Sprintf("%s %s %d %d %s %s", e.method, e.path, a.status, shape.Code, shape.Error, a.header.Get("Content-Type"))
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.seen[key] {
		return false
	}
	k.seen[key] = true
	return true
}
