// Package openapitest checks HTTP answers against the OpenAPI description of the API
// (api/openapi.yaml, embedded as api.OpenAPI; NewAdmin: api/admin/openapi.yaml, embedded as
// admin.OpenAPI), for end-to-end tests: an answer whose status, headers or JSON body the
// description does not allow fails the test.
//
//	v := openapitest.New(t)
//	rec := httptest.NewRecorder()
//	handler.ServeHTTP(rec, req)
//	v.CheckRecorder(t, req, rec)
//
// or, around a real client:
//
//	client := &http.Client{Transport: v.Transport(t, http.DefaultTransport)}
//
// What is checked:
//   - the request's method and path match an operation (any scheme, host and port, so that
//     httptest servers on 127.0.0.1 match; a trailing slash is ignored, as the server does;
//     HEAD is checked as the GET it mirrors);
//   - the status is declared for that operation (an undeclared status fails);
//   - the declared headers: required ones present, values matching their schemas;
//   - the Content-Type is one the answer declares, and a JSON body matches its schema
//     (additionalProperties: false in the description catches extra members). Other bodies
//     (file downloads, the YAML description) are not parsed.
//
// Two answers have no operation to check against and are accepted when they are the gateway
// envelope with X-OAPI-Request-Id: 404/60 for a path the description does not know, and 405/61
// for a method a described path does not support (then as the 405 its operations declare).
package openapitest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/eccs/eccs/api"
	"github.com/eccs/eccs/api/admin"
)

// Validator checks answers against an OpenAPI description: api.OpenAPI (New) or
// admin.OpenAPI (NewAdmin). It is safe for concurrent use.
type Validator struct {
	doc    *openapi3.T
	router routers.Router
	name   string // the description's file, for messages
}

// description is one OpenAPI description, loaded once per test binary.
type description struct {
	name string
	data []byte
	once sync.Once
	v    *Validator
	err  error
}

var (
	customerSpec = &description{name: "api/openapi.yaml", data: api.OpenAPI}
	adminSpec    = &description{name: "api/admin/openapi.yaml", data: admin.OpenAPI}
)

// load parses and validates the description, and builds a router that matches paths only.
func (d *description) load() (*Validator, error) {
	ctx := context.Background()
	doc, err := openapi3.NewLoader().LoadFromData(d.data)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", d.name, err)
	}
	if err := doc.Validate(ctx); err != nil {
		return nil, fmt.Errorf("%s is invalid: %w", d.name, err)
	}
	// Route on the path alone: the descriptions' servers are api.orange.com and
	// 127.0.0.1:8080, while tests run on any host and port. A copy without servers keeps the
	// document itself intact.
	routing := *doc
	routing.Servers = nil
	router, err := gorillamux.NewRouter(&routing)
	if err != nil {
		return nil, fmt.Errorf("route %s: %w", d.name, err)
	}
	return &Validator{doc: doc, router: router, name: d.name}, nil
}

// validator returns the Validator of d, loading it on first use; it fails the test if the
// description does not load or is invalid.
func (d *description) validator(t testing.TB) *Validator {
	t.Helper()
	d.once.Do(func() { d.v, d.err = d.load() })
	if d.err != nil {
		t.Fatalf("openapitest: %v", d.err)
	}
	return d.v
}

// New returns the Validator of api.OpenAPI, which is loaded once per test binary. It fails
// the test if the description does not load or is invalid.
func New(t testing.TB) *Validator {
	t.Helper()
	return customerSpec.validator(t)
}

// NewAdmin returns the Validator of admin.OpenAPI (api/admin/openapi.yaml: the admin API and
// the claim links), loaded once per test binary. It fails the test if the description does
// not load or is invalid.
func NewAdmin(t testing.TB) *Validator {
	t.Helper()
	return adminSpec.validator(t)
}

// Doc returns the loaded description. Callers must not modify it.
func (v *Validator) Doc() *openapi3.T { return v.doc }

// Check fails the test (t.Errorf, so it may be called from any goroutine) when an answer
// does not match the description. req is the request that was sent (only its method, URL and
// headers are used); status, header and body are the answer's, body completely read.
func (v *Validator) Check(t testing.TB, req *http.Request, status int, header http.Header, body []byte) {
	t.Helper()
	if err := v.Validate(req, status, header, body); err != nil {
		t.Errorf("%s", err)
	}
}

// CheckResponse is Check for a client-side answer whose body the caller has already read.
// resp.Request must be set (http.Client sets it).
func (v *Validator) CheckResponse(t testing.TB, resp *http.Response, body []byte) {
	t.Helper()
	if resp.Request == nil {
		t.Errorf("openapitest: %d answer without its Request: cannot find its operation", resp.StatusCode)
		return
	}
	v.Check(t, resp.Request, resp.StatusCode, resp.Header, body)
}

// CheckRecorder is Check for an answer recorded by httptest.ResponseRecorder.
func (v *Validator) CheckRecorder(t testing.TB, req *http.Request, rec *httptest.ResponseRecorder) {
	t.Helper()
	res := rec.Result()
	v.Check(t, req, res.StatusCode, res.Header, rec.Body.Bytes())
}

// Transport returns a RoundTripper that sends requests with next (http.DefaultTransport when
// nil) and checks every answer, reading its body completely first; the caller reads the body
// as usual.
func (v *Validator) Transport(t testing.TB, next http.RoundTripper) http.RoundTripper {
	if next == nil {
		next = http.DefaultTransport
	}
	return roundTripper{v: v, t: t, next: next}
}

type roundTripper struct {
	v    *Validator
	t    testing.TB
	next http.RoundTripper
}

func (rt roundTripper) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := rt.next.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		rt.t.Errorf("openapitest: %s %s → %d: reading the body: %v", req.Method, req.URL.Path, resp.StatusCode, err)
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	rt.v.Check(rt.t, req, resp.StatusCode, resp.Header, body)
	return resp, nil
}

// Validate returns an error describing how an answer departs from the description, or nil.
// The error names the method, path and status, says what is wrong and quotes the body
// (truncated).
func (v *Validator) Validate(req *http.Request, status int, header http.Header, body []byte) error {
	if header == nil {
		header = http.Header{}
	}
	if err := v.validate(req, status, header, body); err != nil {
		return &Error{Method: req.Method, Path: req.URL.Path, Status: status, Problem: err.Error(), Body: body, Spec: v.name}
	}
	return nil
}

// Error is the error of Validate.
type Error struct {
	Method, Path string
	Status       int
	Problem      string // what is wrong
	Body         []byte
	Spec         string // the description's file; "" is api/openapi.yaml
}

// maxQuoted bounds how much of a body an Error quotes.
const maxQuoted = 1024

func (e *Error) Error() string {
	var b strings.Builder
	spec := e.Spec
	if spec == "" {
		spec = "api/openapi.yaml"
	}
	fmt.Fprintf(&b, "openapitest: %s %s → %d does not match %s: %s", e.Method, e.Path, e.Status, spec, e.Problem)
	fmt.Fprintf(&b, "\n\tbody (%d bytes): %s", len(e.Body), quote(e.Body))
	return b.String()
}

// quote returns a body for an error message: text as is, binary as a note, both truncated.
func quote(body []byte) string {
	if len(body) == 0 {
		return "(empty)"
	}
	cut := body
	if len(cut) > maxQuoted {
		cut = cut[:maxQuoted]
	}
	text := bytes.ToValidUTF8(cut, []byte("\uFFFD"))
	// A cut may split one character; more invalid bytes, or a NUL, mean binary.
	if bytes.IndexByte(cut, 0) >= 0 || bytes.Count(text, []byte("\uFFFD")) > bytes.Count(cut, []byte("\uFFFD"))+1 {
		return "(binary)"
	}
	s := string(text)
	if len(body) > maxQuoted {
		s += "…"
	}
	return s
}

// validate checks an answer: the request id header every answer carries, no body on HEAD, then
// the answer against its operation (findRoute), its declared status and headers, its
// Content-Type (checkContentType) and, for JSON, its body (validateResponse).
func (v *Validator) validate(req *http.Request, status int, header http.Header, body []byte) error {
	if req == nil || req.URL == nil {
		return errors.New("no request: cannot find the operation")
	}
	if header.Get(api.HeaderRequestID) == "" {
		return fmt.Errorf("response header %q missing (every answer carries it)", api.HeaderRequestID)
	}
	head := req.Method == http.MethodHead
	if head && len(body) > 0 {
		return errors.New("a HEAD answer has a body")
	}
	route, params, routed, err := v.findRoute(req, status, header, body)
	if route == nil || err != nil {
		return err
	}

	op := route.Operation
	ref := op.Responses.Status(status)
	if ref == nil {
		return fmt.Errorf("status %d is not declared for %s %s (declared: %s)", status, route.Method, route.Path, declared(op))
	}
	resp := ref.Value

	// ValidateResponse checks nothing on a 304, and nothing on HEAD; check the headers here.
	if status == http.StatusNotModified {
		if len(body) > 0 {
			return errors.New("a 304 answer has a body")
		}
		return checkHeaders(resp, header)
	}
	isJSON, err := checkContentType(resp, status, header, body, head)
	if err != nil {
		return err
	}
	return validateResponse(routed, params, route, status, header, body, !isJSON || head)
}

// findRoute returns the operation to check an answer against, the path parameters and the
// request to validate with. A path the description does not know may only answer the 404
// envelope, and a method a described path does not support only a 405 with Allow, checked as
// the 405 one of the path's operations declares. A nil route means there is no operation to
// check against: the error is then the verdict on the answer (nil: the 404 envelope is right).
func (v *Validator) findRoute(req *http.Request, status int, header http.Header, body []byte) (*routers.Route, map[string]string, *http.Request, error) {
	method := req.Method
	if method == http.MethodHead {
		method = http.MethodGet
	}
	routed := routingRequest(req, method)
	route, params, err := v.router.FindRoute(routed)
	switch {
	case errors.Is(err, routers.ErrPathNotFound):
		if status != http.StatusNotFound {
			return nil, nil, nil, fmt.Errorf("the path is not described (a path the description does not know may only answer 404/%d)", api.CodeResourceNotFound)
		}
		return nil, nil, nil, v.checkEnvelope(header, body, "ErrorNotFound")
	case errors.Is(err, routers.ErrMethodNotAllowed):
		if status != http.StatusMethodNotAllowed {
			return nil, nil, nil, fmt.Errorf("%s is not described on this path (a method the path does not support may only answer 405/%d)", req.Method, api.CodeMethodNotAllowed)
		}
		// Check the answer as the 405 one of the path's operations declares.
		route, params = v.anyRoute(req)
		if route == nil {
			return nil, nil, nil, errors.New("no operation of this path to check the 405 against")
		}
		routed = routingRequest(req, route.Method)
		if header.Get("Allow") == "" {
			return nil, nil, nil, errors.New(`response header "Allow" missing`)
		}
	case err != nil:
		return nil, nil, nil, fmt.Errorf("routing: %v", err)
	}
	return route, params, routed, nil
}

// checkContentType checks the Content-Type of an answer against the media types its response
// declares: none with no body, one of them otherwise (HEAD may omit it when it has no body).
// It reports whether the answer is JSON.
func checkContentType(resp *openapi3.Response, status int, header http.Header, body []byte, head bool) (isJSON bool, err error) {
	mediaType := ""
	if ct := header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil {
			return false, fmt.Errorf("response header Content-Type %q: %v", ct, err)
		}
		mediaType = mt
	}
	isJSON = mediaType == "application/json" || strings.HasSuffix(mediaType, "+json")
	switch {
	case len(resp.Content) == 0:
		if len(body) > 0 {
			return false, fmt.Errorf("status %d declares no body, the answer has one", status)
		}
	case mediaType == "":
		if len(body) > 0 || !head {
			return false, fmt.Errorf("response header Content-Type missing (declared: %s)", mediaTypes(resp.Content))
		}
	case resp.Content.Get(header.Get("Content-Type")) == nil:
		return false, fmt.Errorf("response Content-Type %q is not declared for %d (declared: %s)", mediaType, status, mediaTypes(resp.Content))
	}
	return isJSON, nil
}

// validateResponse checks the status, the declared headers and, unless excludeBody, the body
// of an answer against its operation's response with kin-openapi.
func validateResponse(routed *http.Request, params map[string]string, route *routers.Route, status int, header http.Header, body []byte, excludeBody bool) error {
	input := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{
			Request:    routed,
			PathParams: params,
			Route:      route,
		},
		Status: status,
		Header: header,
		Options: &openapi3filter.Options{
			IncludeResponseStatus:   true,
			ExcludeResponseBody:     excludeBody,
			MultiError:              true,
			SchemaValidationOptions: []openapi3.SchemaValidationOption{openapi3.DisableSchemaErrorDetails()},
		},
	}
	input.SetBodyBytes(body)
	if err := openapi3filter.ValidateResponse(context.Background(), input); err != nil {
		return errors.New(describe(err))
	}
	return nil
}

// routingRequest returns a copy of req to route: the given method, the path without a trailing
// slash (the server removes it before routing), no scheme or host.
func routingRequest(req *http.Request, method string) *http.Request {
	u := &url.URL{Path: req.URL.Path, RawPath: req.URL.RawPath, RawQuery: req.URL.RawQuery}
	if len(u.Path) > 1 {
		u.Path = strings.TrimRight(u.Path, "/")
		u.RawPath = strings.TrimRight(u.RawPath, "/")
		if u.Path == "" {
			u.Path = "/"
		}
	}
	r := &http.Request{Method: method, URL: u, Header: req.Header, Host: req.Host, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1}
	return r.WithContext(context.Background())
}

// anyRoute returns the route of req's path under any method the description declares there.
func (v *Validator) anyRoute(req *http.Request) (*routers.Route, map[string]string) {
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		if route, params, err := v.router.FindRoute(routingRequest(req, m)); err == nil {
			return route, params
		}
	}
	return nil, nil
}

// checkEnvelope checks a JSON body against a schema of the components.
func (v *Validator) checkEnvelope(header http.Header, body []byte, schema string) error {
	if mt, _, _ := mime.ParseMediaType(header.Get("Content-Type")); mt != "application/json" {
		return fmt.Errorf("Content-Type %q, want application/json (the gateway envelope)", header.Get("Content-Type"))
	}
	ref := v.doc.Components.Schemas[schema]
	var value any
	if err := json.Unmarshal(body, &value); err != nil {
		return fmt.Errorf("the body is not JSON: %v", err)
	}
	if err := ref.Value.VisitJSON(value, openapi3.MultiErrors(), openapi3.VisitAsResponse(), openapi3.DisableSchemaErrorDetails()); err != nil {
		return fmt.Errorf("the body is not the gateway envelope (%s): %s", schema, describe(err))
	}
	return nil
}

// checkHeaders checks the declared headers of an answer that ValidateResponse skips (304):
// required ones present, values matching their schemas.
func checkHeaders(resp *openapi3.Response, header http.Header) error {
	names := make([]string, 0, len(resp.Headers))
	for name := range resp.Headers {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		h := resp.Headers[name].Value
		value := header.Get(name)
		if value == "" {
			if h.Required {
				return fmt.Errorf("response header %q missing", name)
			}
			continue
		}
		if h.Schema == nil || h.Schema.Value == nil {
			continue
		}
		var decoded any = value
		if h.Schema.Value.Type.Is("integer") || h.Schema.Value.Type.Is("number") {
			n, err := strconv.ParseFloat(value, 64)
			if err != nil {
				return fmt.Errorf("response header %q: %q is not a number", name, value)
			}
			decoded = n
		}
		if err := h.Schema.Value.VisitJSON(decoded, openapi3.DisableSchemaErrorDetails()); err != nil {
			return fmt.Errorf("response header %q doesn't match schema: %s", name, describe(err))
		}
	}
	return nil
}

// declared lists the statuses an operation declares.
func declared(op *openapi3.Operation) string {
	var codes []string
	for code := range op.Responses.Map() {
		codes = append(codes, code)
	}
	sort.Strings(codes)
	return strings.Join(codes, ", ")
}

func mediaTypes(c openapi3.Content) string {
	var types []string
	for t := range c {
		types = append(types, t)
	}
	sort.Strings(types)
	return strings.Join(types, ", ")
}

// describe renders a validation error on as few lines as it can, one per problem.
func describe(err error) string {
	var lines []string
	var walk func(err error)
	walk = func(err error) {
		switch e := err.(type) {
		case openapi3.MultiError:
			for _, inner := range e {
				walk(inner)
			}
		case *openapi3filter.ResponseError:
			if me, ok := e.Err.(openapi3.MultiError); ok && len(me) > 1 {
				lines = append(lines, e.Reason+":")
				walk(me)
				return
			}
			lines = append(lines, e.Error())
		default:
			lines = append(lines, err.Error())
		}
	}
	walk(err)
	return strings.Join(lines, "\n\t\t")
}
