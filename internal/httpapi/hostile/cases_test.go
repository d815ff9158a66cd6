// The cases: the hostile table, every valid request spoilt every way that applies to it (the
// bodies' ways are in bodies_test.go).

package hostile_test

import (
	"encoding/base64"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/eccs/eccs/api"
	"github.com/eccs/eccs/api/admin"
	"github.com/eccs/eccs/internal/testkit/apitest"
	"github.com/getkin/kin-openapi/openapi3"
)

// testCase is one valid request spoilt one way.
type testCase struct {
	ep   *endpoint
	what string
	req  request
	// accepted lists the statuses outside 4xx that this input legitimately gets, and why.
	accepted []int
	why      string
	// field is a body member (dot-separated path): a 400/23 or 400/24 answer must name it, or
	// one of its parents, so that the case is known to reach what it spoils.
	field string
	// bareHTTP: net/http may refuse this input itself, before any handler runs, with a plain
	// text answer; only its status is checked then.
	bareHTTP bool
}

func (c testCase) name() string { return c.ep.method + " " + c.ep.path + ": " + c.what }

// reachesTokenEndpoint reports whether c's path is the token endpoint's, which answers in the
// OAuth shape (a longer path is unknown, and answered in the gateway envelope).
func (c testCase) reachesTokenEndpoint() bool {
	p, _, _ := strings.Cut(c.req.target, "?")
	return strings.TrimRight(p, "/") == api.TokenPath
}

func (c testCase) acceptedAs(why string, statuses ...int) testCase {
	c.accepted, c.why = statuses, why
	return c
}

func (c testCase) naming(field string) testCase { c.field = field; return c }

func (c testCase) maybeBareHTTP() testCase { c.bareHTTP = true; return c }

// Hostile values, reused below.
var (
	kib16     = strings.Repeat("A", 16<<10)
	kib40     = strings.Repeat("A", 40<<10)
	traversal = "../../../etc/passwd"
	sqlQuote  = "x' OR '1'='1"
)

// allCases spoils every endpoint's valid request every way that applies to it.
func allCases(w *world, endpoints []*endpoint) []testCase {
	var cases []testCase
	methodsDone := map[string]bool{}
	for _, e := range endpoints {
		cases = append(cases, credentialCases(e)...)
		cases = append(cases, headerParameterCases(e)...)
		cases = append(cases, pathCases(e)...)
		cases = append(cases, queryCases(e)...)
		cases = append(cases, bodyCases(e)...)
		cases = append(cases, longURLCases(e)...)
		if !methodsDone[e.path] {
			methodsDone[e.path] = true
			cases = append(cases, methodCases(e)...)
		}
	}
	return append(cases, protocolCases(w, endpoints)...)
}

func (e *endpoint) spoil(what string, r request) testCase {
	return testCase{ep: e, what: what, req: r}
}

// tamperSignature changes one character well inside the token's last segment (the
// signature). Not the last character: in unpadded base64 its low bits may be padding that a
// lenient decoder ignores, and the tampered token would still be valid.
func tamperSignature(token string) string {
	i := len(token) - 5
	replacement := byte('A')
	if token[i] == 'A' {
		replacement = 'B'
	}
	return token[:i] + string(replacement) + token[i+1:]
}

// credentialCases spoils the credentials: Authorization and X-API-Key.
func credentialCases(e *endpoint) []testCase {
	base := e.validRequest()
	switch e.auth {
	case authCustomer, authOperator:
		cases := bearerCases(e, base)
		if e.auth == authCustomer {
			cases = append(cases, apiKeyCases(e, base)...)
		}
		return cases
	case authClient:
		return basicCases(e, base)
	}
	return nil
}

// bearerCases spoils the Authorization header of a bearer token.
func bearerCases(e *endpoint, base request) []testCase {
	var cases []testCase
	bearer := base.get("Authorization")
	token := strings.TrimPrefix(bearer, "Bearer ")
	tampered := tamperSignature(token)
	for _, v := range []struct{ what, value string }{
		{"Authorization of 40 KiB", "Bearer " + kib40},
		{"Authorization with invalid UTF-8", "Bearer \xff\xfe" + token},
		{"Authorization Basic, not base64", "Basic %%%not-base64%%%"},
		{"Authorization Bearer, not base64", "Bearer !!!.###.$$$"},
		{"Authorization Bearer, tampered", "Bearer " + tampered},
		{"Authorization Bearer without a token", "Bearer"},
		{"Authorization Bearer with a path traversal", "Bearer " + traversal},
	} {
		cases = append(cases, e.spoil(v.what, base.with("Authorization", v.value)))
	}
	cases = append(cases,
		e.spoil("Authorization absent", base.with("Authorization")),
		e.spoil("Authorization twice", base.with("Authorization", bearer, bearer)),
		e.spoil("Authorization with a NUL byte", base.with("Authorization", bearer+"\x00")).maybeBareHTTP(),
	)
	return cases
}

// apiKeyCases spoils X-API-Key.
func apiKeyCases(e *endpoint, base request) []testCase {
	var cases []testCase
	key := base.get(api.HeaderAPIKey)
	for _, v := range []struct{ what, value string }{
		{"X-API-Key of 40 KiB", kib40},
		{"X-API-Key with invalid UTF-8", "\xff\xfe" + key},
		{"X-API-Key with a path traversal", traversal},
		{"X-API-Key with SQL", sqlQuote},
	} {
		cases = append(cases, e.spoil(v.what, base.with(api.HeaderAPIKey, v.value)))
	}
	cases = append(cases,
		e.spoil("X-API-Key absent", base.with(api.HeaderAPIKey)),
		e.spoil("X-API-Key twice", base.with(api.HeaderAPIKey, key, key)),
		e.spoil("X-API-Key with a NUL byte", base.with(api.HeaderAPIKey, key+"\x00")).maybeBareHTTP(),
	)
	return cases
}

// basicCases spoils the token endpoint's client credentials (HTTP Basic).
func basicCases(e *endpoint, base request) []testCase {
	var cases []testCase
	id, secret := e.w.clientID, e.w.clientSecret
	b64 := func(s string) string { return "Basic " + base64.StdEncoding.EncodeToString([]byte(s)) }
	for _, v := range []struct{ what, value string }{
		{"Basic of 40 KiB", b64(kib40 + ":" + secret)},
		{"Basic, not base64", "Basic %%%not-base64%%%"},
		{"Basic without a colon", b64(id + secret)},
		{"Basic with a NUL in the client id", b64(id + "\x00:" + secret)},
		{"Basic with invalid UTF-8", b64("\xff\xfe" + id + ":" + secret)},
		{"Basic with a path traversal", b64(traversal + ":" + secret)},
		{"Basic with a wrong secret", b64(id + ":" + secret + "x")},
		{"Basic with a 1 KiB secret", b64(id + ":" + strings.Repeat("s", 1024))},
		{"Bearer instead of Basic", "Bearer " + secret},
	} {
		cases = append(cases, e.spoil(v.what, base.with("Authorization", v.value)))
	}
	cases = append(cases,
		e.spoil("Authorization absent", base.with("Authorization")),
		e.spoil("Authorization twice", base.with("Authorization", apitest.Basic(id, secret), apitest.Basic(id, secret))),
		e.spoil("Basic with a raw NUL byte", base.with("Authorization", "Basic \x00")).maybeBareHTTP(),
	)
	return cases
}

// headerParameterCases spoils the header parameters the descriptions declare.
func headerParameterCases(e *endpoint) []testCase {
	base := e.validRequest()
	var cases []testCase
	for _, p := range e.parameters() {
		if p.In != openapi3.ParameterInHeader {
			continue
		}
		switch http.CanonicalHeaderKey(p.Name) {
		case http.CanonicalHeaderKey(api.HeaderContractID):
			cases = append(cases, contractHeaderCases(e, base, p.Required)...)
		case "Range":
			cases = append(cases, rangeCases(e, base)...)
		case "If-None-Match":
			cases = append(cases, ifNoneMatchCases(e, base)...)
		default:
			e.w.t.Errorf("%s %s declares the header %s, which the hostile suite does not spoil: add it to headerParameterCases", e.method, e.path, p.Name)
		}
	}
	return cases
}

// contractHeaderCases spoils X-ECCS-Contract-Id; required says whether the operation requires it.
func contractHeaderCases(e *endpoint, base request, required bool) []testCase {
	var cases []testCase
	valid := e.w.sampleContractID
	for _, v := range []struct{ what, value string }{
		{"X-ECCS-Contract-Id of 40 KiB", kib40},
		{"X-ECCS-Contract-Id with invalid UTF-8", "\xff\xfe" + valid},
		{"X-ECCS-Contract-Id with a path traversal", traversal},
		{"X-ECCS-Contract-Id with SQL", sqlQuote},
		{"X-ECCS-Contract-Id of another contract", "OCB9999999"},
		{"X-ECCS-Contract-Id of fullwidth letters", "ＯＣＢ０００００１"},
	} {
		cases = append(cases, e.spoil(v.what, base.with(api.HeaderContractID, v.value)))
	}
	cases = append(cases,
		e.spoil("X-ECCS-Contract-Id twice", base.with(api.HeaderContractID, valid, valid)),
		e.spoil("X-ECCS-Contract-Id with a NUL byte", base.with(api.HeaderContractID, valid+"\x00")).maybeBareHTTP(),
	)
	if required {
		cases = append(cases, e.spoil("X-ECCS-Contract-Id absent", base.with(api.HeaderContractID)))
	}
	return cases
}

// rangeCases spoils Range, and the conditional headers that go with it.
func rangeCases(e *endpoint, base request) []testCase {
	var cases []testCase
	ignored := "a malformed Range, or one of more than 16 ranges, is ignored and the whole file sent (RFC 9110 §14.2; doc/decisions.md)"
	for _, v := range []struct{ what, value string }{
		{"Range not a number", "bytes=abc-def"},
		{"Range backwards", "bytes=5-1"},
		{"Range overflowing", "bytes=99999999999999999999-"},
		{"Range negative", "bytes=--5"},
		{"Range of another unit", "items=0-1"},
		{"Range of 17 ranges", "bytes=" + strings.Repeat("0-0,", 16) + "0-0"},
		{"Range of 10 000 ranges", "bytes=" + strings.Repeat("0-0,", 9999) + "0-0"},
		{"Range of 16 KiB", "bytes=" + strings.Repeat("1", 16<<10) + "-"},
		{"Range with invalid UTF-8", "bytes=0-1\xff"},
	} {
		cases = append(cases, e.spoil(v.what, base.with("Range", v.value)).acceptedAs(ignored, 200))
	}
	cases = append(cases,
		e.spoil("Range past the end", base.with("Range", "bytes=999999999999-")),
		e.spoil("Range of the last 0 bytes", base.with("Range", "bytes=-0")),
		e.spoil("If-Match of another ETag", base.with("If-Match", `"not-this-one"`)),
		e.spoil("If-Unmodified-Since 1970", base.with("If-Unmodified-Since", "Thu, 01 Jan 1970 00:00:00 GMT")),
		e.spoil("If-Modified-Since not a date", base.with("If-Modified-Since", "yesterday\xff")).acceptedAs("an unreadable If-Modified-Since is ignored (RFC 9110 §13.1.3)", 200),
		e.spoil("If-Range not an ETag", base.with("If-Range", "\xff\xfe").with("Range", "bytes=0-1")).acceptedAs("an If-Range that does not match sends the whole file (RFC 9110 §13.1.5)", 200),
	)
	return cases
}

// ifNoneMatchCases spoils If-None-Match.
func ifNoneMatchCases(e *endpoint, base request) []testCase {
	var cases []testCase
	ignored := "an If-None-Match that matches nothing sends the file (RFC 9110 §13.1.2)"
	for _, v := range []struct{ what, value string }{
		{"If-None-Match of 16 KiB", `"` + kib16 + `"`},
		{"If-None-Match unquoted", "no-quotes"},
		{"If-None-Match with invalid UTF-8", "\"\xff\xfe\""},
		{"If-None-Match of 10 000 ETags", strings.Repeat(`"x",`, 9999) + `"x"`},
	} {
		cases = append(cases, e.spoil(v.what, base.with("If-None-Match", v.value)).acceptedAs(ignored, 200))
	}
	return cases
}

// hostilePathValues replace a path parameter, escaped as sent.
var hostilePathValues = []struct{ what, raw string }{
	{"an encoded path traversal", "..%2F..%2F..%2Fetc%2Fpasswd"},
	{"an encoded backslash traversal", "..%5C..%5C..%5Cwindows%5Cwin.ini"},
	{"encoded dots", "%2e%2e"},
	{"dots", ".."},
	{"a NUL byte", "%00"},
	{"invalid UTF-8", "%FF%FE"},
	{"overlong UTF-8 dots", "%C0%AE%C0%AE"},
	{"16 KiB", kib16},
	{"a space", "%20"},
	{"markup", "%3Cscript%3Ealert(1)%3C%2Fscript%3E"},
	{"SQL", "x'%20OR%20'1'%3D'1"},
	{"fullwidth letters", "%EF%BC%AF%EF%BC%A3%EF%BC%A2%EF%BC%90"},
	{"a control character", "%07"},
}

// pathCases spoils each path parameter.
func pathCases(e *endpoint) []testCase {
	base := e.validRequest()
	var cases []testCase
	names := slices.Sorted(maps.Keys(e.params))
	for _, name := range names {
		spoilt := func(raw string) request {
			params := maps.Clone(e.params)
			params[name] = raw
			r := base
			r.target = e.target(params, e.query)
			return r
		}
		for _, v := range hostilePathValues {
			cases = append(cases, e.spoil(name+" with "+v.what, spoilt(v.raw)))
		}
		cases = append(cases,
			e.spoil(name+" with a NUL byte after a valid value", spoilt(e.params[name]+"%00")),
			e.spoil(name+" with a bad escape", spoilt("%zz")).maybeBareHTTP(),
		)
	}
	return cases
}

// freeTextFilters are query parameters that select the items equal to a value: a value no item
// has selects nothing.
var freeTextFilters = []string{"customerId", "billingAccountId", "offerId", "accountId", "actorId", "objectType", "objectId"}

// queryCases spoils each query parameter the descriptions declare.
func queryCases(e *endpoint) []testCase {
	base := e.validRequest()
	var cases []testCase
	for _, p := range e.parameters() {
		if p.In != openapi3.ParameterInQuery {
			continue
		}
		valid := sampleQueryValue(e, p)
		for _, v := range queryValues(p.Schema.Value, valid) {
			if p.Name == "filename" && v.what == "SQL" {
				continue // quotes and spaces are allowed in a filename: it is a valid one
			}
			c := e.spoil(p.Name+" with "+v.what, e.withQuery(base, p.Name, v.raw))
			switch {
			case e.method != "GET":
			case p.Name == "documentType":
				c = c.acceptedAs(`an unknown documentType answers {"documents": null} (doc/wire.md §4)`, 200)
			case slices.Contains(freeTextFilters, p.Name) && (v.what == "a path traversal" || v.what == "SQL"):
				c = c.acceptedAs("a filter that no item matches selects nothing: an empty page", 200)
			}
			cases = append(cases, c)
		}
		empty := e.spoil(p.Name+" empty", e.withQuery(base, p.Name, ""))
		if p.Name == "documentType" {
			empty = empty.acceptedAs("an empty documentType means every type (doc/wire.md §4)", 200)
		}
		cases = append(cases, empty, e.spoil(p.Name+" twice", e.withQuery(base, p.Name, valid, valid)))
	}
	return cases
}

// withQuery returns base with the query parameter name sent once per raw value (escaped as
// sent) instead of its valid value.
func (e *endpoint) withQuery(base request, name string, raws ...string) request {
	var q []queryPair
	for _, pair := range e.query {
		if pair.name != name {
			q = append(q, pair)
		}
	}
	for _, raw := range raws {
		q = append(q, queryPair{name, raw})
	}
	r := base
	r.target = e.target(e.params, q)
	return r
}

// queryValues are the hostile values of a query parameter of this schema, whose valid value is
// valid: those of every parameter, then those of its type.
func queryValues(schema *openapi3.Schema, valid string) []struct{ what, raw string } {
	values := []struct{ what, raw string }{
		{"a NUL byte", "%00"},
		{"a NUL byte after a valid value", valid + "%00"},
		{"a control character", "%07"},
		{"invalid UTF-8", "%FF%FE"},
		{"overlong UTF-8", "%C0%AF"},
		{"16 KiB", kib16},
		{"a path traversal", "..%2F..%2F..%2Fetc%2Fpasswd"},
		{"SQL", "x'%20OR%20'1'%3D'1"},
		{"a bad escape", "%zz"},
	}
	switch {
	case schema.Type.Is("integer"):
		values = append(values, integerValues(schema)...)
	case schema.Type.Is("boolean"):
		values = append(values,
			struct{ what, raw string }{"maybe", "maybe"},
			struct{ what, raw string }{"2", "2"},
			struct{ what, raw string }{"-1", "-1"},
		)
	case schema.Format == "date-time":
		values = append(values,
			struct{ what, raw string }{"not a time", "yesterday"},
			struct{ what, raw string }{"an impossible time", "2026-13-45T99%3A99%3A99Z"},
			struct{ what, raw string }{"a five-digit year", "99999-01-01T00%3A00%3A00Z"},
		)
	case len(schema.Enum) > 0 || schema.Pattern != "":
		values = append(values, struct{ what, raw string }{"not one of its values", "notAValue"})
	}
	return values
}

// integerValues are the hostile values of an integer query parameter.
func integerValues(schema *openapi3.Schema) []struct{ what, raw string } {
	min, max := 0.0, 0.0
	if schema.Min != nil {
		min = *schema.Min
	}
	values := []struct{ what, raw string }{
		{"below the minimum", strconv.Itoa(int(min) - 1)},
		{"overflowing", "99999999999999999999"},
		{"overflowing negatively", "-99999999999999999999"},
		{"an exponent", "1e3"},
		{"hexadecimal", "0x10"},
		{"a fraction", "1.5"},
		{"a leading space", "%201"},
		{"letters", "abc"},
		{"an Arabic-Indic digit", "%D9%A3"},
	}
	if schema.Max != nil {
		max = *schema.Max
		values = append(values, struct{ what, raw string }{"above the maximum", strconv.Itoa(int(max) + 1)})
	}
	return values
}

// sampleQueryValue returns a valid value of a query parameter: the one of e's valid request,
// or one its schema allows.
func sampleQueryValue(e *endpoint, p *openapi3.Parameter) string {
	for _, q := range e.query {
		if q.name == p.Name {
			return q.raw
		}
	}
	s := p.Schema.Value
	switch {
	case s.Type.Is("integer"):
		return "1"
	case s.Type.Is("boolean"):
		return "true"
	case len(s.Enum) > 0:
		return fmt.Sprint(s.Enum[0])
	case s.Format == "date-time":
		return "2026-01-01T00%3A00%3A00Z"
	case s.Example != nil:
		return url.QueryEscape(fmt.Sprint(s.Example))
	}
	return "x"
}

// methodCases sends a method the path does not serve, a lower-case one, and one of 10 KiB.
func methodCases(e *endpoint) []testCase {
	base := e.validRequest()
	served := e.pathItem.Operations()
	var cases []testCase
	for _, m := range []string{"DELETE", "PATCH", "PUT", "POST", "GET"} {
		if served[m] == nil && !(m == "GET" && served["HEAD"] != nil) {
			r := base
			r.method = m
			cases = append(cases, e.spoil("method "+m, r))
			break
		}
	}
	lower := base
	lower.method = strings.ToLower(e.method)
	long := base
	long.method = strings.Repeat("X", 10<<10)
	return append(cases, e.spoil("method in lower case", lower), e.spoil("method of 10 KiB", long))
}

// longURLCases sends the request with a 16 KiB segment added to its path.
func longURLCases(e *endpoint) []testCase {
	r := e.validRequest()
	p, q, _ := strings.Cut(r.target, "?")
	r.target = p + "/" + kib16
	if q != "" {
		r.target += "?" + q
	}
	return []testCase{e.spoil("a 16 KiB segment added to the path", r)}
}

// protocolCases breaks HTTP itself: the request line, the Host header, the framing of the body,
// and paths no route has.
func protocolCases(w *world, endpoints []*endpoint) []testCase {
	var get, post *endpoint // a read and a write that have a body
	for _, e := range endpoints {
		switch e.method + " " + e.path {
		case "GET " + api.BasePath + "/contracts":
			get = e
		case "POST " + admin.BasePath + "/customers":
			post = e
		}
	}
	g := get.validRequest()
	target := func(t string) request { r := g; r.target = t; return r }
	lines := func(r request, lines ...string) request {
		r.rawLines = lines
		return r
	}
	cases := []testCase{
		get.spoil("path with a raw traversal", target(api.BasePath+"/../../../etc/passwd")),
		get.spoil("path with encoded dots", target(api.BasePath+"/%2e%2e/%2e%2e/etc/passwd")),
		get.spoil("path with double slashes", target("//cloud//b2b//v1//contracts")),
		get.spoil("path with a NUL byte", target(api.BasePath+"/contracts%00")),
		get.spoil("path with invalid UTF-8", target(api.BasePath+"/contracts%FF%FE")),
		get.spoil("path with a raw byte above 0x7F", target(api.BasePath+"/contracts\xff")).maybeBareHTTP(),
		get.spoil("path with a semicolon parameter", target(api.BasePath+"/contracts;jsessionid=1")),
		get.spoil("path in upper case", target("/CLOUD/B2B/V1/CONTRACTS")),
		get.spoil("path with backslashes", target("/cloud\\b2b\\v1\\contracts")),
		get.spoil("path of 16 KiB segments", target(strings.Repeat("/a", 8<<10))),
		get.spoil("path with a bad escape", target(api.BasePath+"/contracts%zz")).maybeBareHTTP(),
		get.spoil("target without a leading slash", target("cloud/b2b/v1/contracts")).maybeBareHTTP(),
		get.spoil("target with a raw space", target(api.BasePath+"/con tracts")).maybeBareHTTP(),
		get.spoil("no Host header", func() request { r := g; r.noHost = true; return r }()).maybeBareHTTP(),
		get.spoil("Host twice", lines(g, "Host: evil.example")).maybeBareHTTP(),
		get.spoil("a header name with a space", lines(g, "X Hostile: 1")).maybeBareHTTP(),
		get.spoil("a header line without a colon", lines(g, "X-Hostile")).maybeBareHTTP(),
		get.spoil("a header folded over two lines", lines(g, "X-Hostile: a", " b")).maybeBareHTTP().
			acceptedAs("net/http unfolds an obsolete line folding into a space (RFC 9112 §5.2 allows it), and X-Hostile is ignored", 200),
		get.spoil("an unknown protocol version", func() request { r := g; r.proto = "HTTP/9.9"; return r }()).maybeBareHTTP().
			acceptedAs("net/http answers an HTTP version it does not implement 505, as RFC 9110 §15.6.6 asks", 505),
	}
	p := post.validRequest()
	framing := func(body string, headers ...headerField) request {
		r := p
		r.header = append(slices.Clone(p.header), headers...)
		r.body = []byte(body)
		r.framed = true
		return r
	}
	cases = append(cases,
		post.spoil("Content-Length negative", framing("{}", headerField{"Content-Length", "-1"})).maybeBareHTTP(),
		post.spoil("Content-Length overflowing", framing("{}", headerField{"Content-Length", "99999999999999999999"})).maybeBareHTTP(),
		post.spoil("Content-Length twice, different", framing("{}", headerField{"Content-Length", "2"}, headerField{"Content-Length", "3"})).maybeBareHTTP(),
		post.spoil("Content-Length not a number", framing("{}", headerField{"Content-Length", "two"})).maybeBareHTTP(),
		post.spoil("Content-Length and chunked", framing("1\r\n{\r\n0\r\n\r\n", headerField{"Content-Length", "10"}, headerField{"Transfer-Encoding", "chunked"})).maybeBareHTTP(),
		post.spoil("Transfer-Encoding gzip", framing("{}", headerField{"Transfer-Encoding", "gzip"})).maybeBareHTTP().
			acceptedAs("net/http answers a transfer coding it does not implement 501, as RFC 9112 §6.1 asks", 501),
	)
	return cases
}
