// The cases that spoil a request's body: JSON, form and file bodies.

package hostile_test

import (
	"bytes"
	"maps"
	"net/url"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// bodyCases spoils the body.
func bodyCases(e *endpoint) []testCase {
	base := e.validRequest()
	var cases []testCase
	switch e.bodyKind {
	case jsonBody, optionalJSONBody:
		cases = append(cases, jsonBodyCases(e, base)...)
	case formBody:
		cases = append(cases, formBodyCases(e, base)...)
	case fileBody:
		cases = append(cases, fileBodyCases(e, base)...)
	default:
		return nil
	}
	// Every kind of body: a compression the server does not take, and a broken chunked framing.
	chunked := base
	chunked.header = append(slices.Clone(base.header), headerField{"Transfer-Encoding", "chunked"})
	chunked.framed = true
	chunked.body = []byte("zz\r\n{}\r\n0\r\n\r\n")
	cases = append(cases,
		e.spoil("Content-Encoding gzip", base.with("Content-Encoding", "gzip")),
		e.spoil("Content-Encoding of 16 KiB", base.with("Content-Encoding", kib16)),
		e.spoil("a chunked body with a malformed chunk size", chunked),
	)
	return cases
}

func jsonBodyCases(e *endpoint, base request) []testCase {
	valid := base.body
	nested := func(open, close string, n int) []byte {
		return []byte(`{"nested":` + strings.Repeat(open, n) + strings.Repeat(close, n) + `}`)
	}
	bodies := []struct {
		what string
		body []byte
	}{
		{"a truncated JSON object", valid[:len(valid)/2]},
		{"JSON null", []byte("null")},
		{"a JSON array", []byte("[]")},
		{"the object in an array", []byte("[" + string(valid) + "]")},
		{"a JSON string", []byte(`"x"`)},
		{"a JSON number out of range", []byte("1e999")},
		{"JSON true", []byte("true")},
		{"two objects", append(slices.Clone(valid), valid...)},
		{"a raw NUL byte in a string", []byte("{\"x\":\"a\x00b\"}")},
		{"a raw NUL byte between members", []byte("{\x00}")},
		{"a byte order mark", append([]byte("\xef\xbb\xbf"), valid...)},
		{"a comment", append([]byte("/* hostile */"), valid...)},
		{"single quotes", []byte("{'x': 1}")},
		{"a trailing comma", append(slices.Clone(valid[:len(valid)-1]), ",}"...)},
		{"1 MiB", []byte(`{"x":"` + strings.Repeat("A", 1<<20) + `"}`)},
		{"50 000 nested arrays", []byte(strings.Repeat("[", 50000))},
		{"20 000 nested arrays in a member", nested("[", "]", 20000)},
		{"10 000 nested objects in a member", nested(`{"a":`, "}", 10000)},
		{"10 000 members", []byte(`{` + strings.Repeat(`"a":1,`, 9999) + `"a":1}`)},
	}
	var cases []testCase
	for _, b := range bodies {
		cases = append(cases, e.spoil("body: "+b.what, base.withBody(b.body)))
	}
	if e.bodyKind == jsonBody {
		cases = append(cases,
			e.spoil("body: none", base.withBody(nil)),
			e.spoil("body: only white space", base.withBody([]byte(" \r\n\t "))),
		)
	}
	cases = append(cases, e.spoil("body: an unknown member", base.withBody(withMember(e.json, []string{"hostileUnknown"}, "1"))).naming("hostileUnknown"))

	return append(cases, memberCases(e, base)...)
}

// memberCases spoils every member of the request schema: of the wrong type, with an unknown
// member (an object), with an item of the wrong type (an array), with hostile strings.
func memberCases(e *endpoint, base request) []testCase {
	var cases []testCase
	schema := e.op.RequestBody.Value.Content.Get("application/json").Schema.Value
	for _, f := range schemaFields(schema, nil) {
		name := strings.Join(f.path, ".")
		set := func(raw string) []byte { return withMember(e.json, f.path, raw) }
		cases = append(cases, e.spoil("member "+name+" of the wrong type", base.withBody(set(wrongType(f.typ)))).naming(name))
		if f.typ == "object" {
			cases = append(cases, e.spoil("member "+name+" with an unknown member", base.withBody(withMember(e.json, append(slices.Clone(f.path), "hostileUnknown"), "1"))).naming(name+".hostileUnknown"))
		}
		if f.typ != "string" && f.itemType != "string" {
			continue
		}
		wrap := func(raw string) string { return raw }
		if f.typ == "array" {
			wrap = func(raw string) string { return "[" + raw + "]" }
			cases = append(cases, e.spoil("member "+name+" with an item of the wrong type", base.withBody(set("[12345]"))).naming(name))
		}
		for _, v := range hostileStrings(f) {
			cases = append(cases, e.spoil("member "+name+" with "+v.what, base.withBody(set(wrap(v.raw)))).naming(name))
		}
	}
	return cases
}

// hostileStrings are JSON strings (as raw JSON) that no member may hold (a NUL stands for every
// control character); ids, logins, e-mail addresses and codes also may not hold a path traversal
// or SQL.
func hostileStrings(f bodyField) []struct{ what, raw string } {
	out := []struct{ what, raw string }{
		{"a NUL character", `"a\u0000b"`},
		{"invalid UTF-8", "\"a\xff\xfeb\""},
		{"a lone surrogate", `"\ud800"`},
		{"16 KiB", `"` + kib16 + `"`},
	}
	// platformId is free text (1 to 100 characters), whatever its name says.
	leaf := strings.ToLower(f.path[len(f.path)-1])
	if leaf != "platformid" && (strings.HasSuffix(leaf, "id") || strings.HasSuffix(leaf, "ids") || strings.Contains(leaf, "login") ||
		strings.Contains(leaf, "mail") || strings.Contains(leaf, "code") || strings.Contains(leaf, "level")) {
		out = append(out,
			struct{ what, raw string }{"a path traversal", `"` + traversal + `"`},
			struct{ what, raw string }{"SQL", `"x' OR '1'='1"`},
		)
	}
	return out
}

func wrongType(typ string) string {
	switch typ {
	case "string":
		return "12345"
	case "boolean":
		return `"yes"`
	case "integer", "number":
		return `"12"`
	}
	return `"x"` // array, object
}

// bodyField is a member of a request schema.
type bodyField struct {
	path     []string // JSON names from the body's top
	typ      string
	itemType string // of an array
}

// schemaFields lists the members of an object schema (allOf merged), nested objects' members
// too.
func schemaFields(s *openapi3.Schema, prefix []string) []bodyField {
	props := map[string]*openapi3.SchemaRef{}
	var collect func(s *openapi3.Schema)
	collect = func(s *openapi3.Schema) {
		maps.Copy(props, s.Properties)
		for _, ref := range s.AllOf {
			collect(ref.Value)
		}
	}
	collect(s)
	var out []bodyField
	for _, name := range slices.Sorted(maps.Keys(props)) {
		p := props[name].Value
		if p.ReadOnly {
			continue
		}
		f := bodyField{path: append(slices.Clone(prefix), name)}
		switch {
		case p.Type.Is("object") || len(p.AllOf) > 0 || len(p.Properties) > 0:
			f.typ = "object"
			out = append(out, f)
			out = append(out, schemaFields(p, f.path)...)
		case p.Type.Is("array"):
			f.typ = "array"
			if p.Items != nil && p.Items.Value.Type.Is("string") {
				f.itemType = "string"
			}
			out = append(out, f)
		default:
			f.typ = p.Type.Slice()[0]
			out = append(out, f)
		}
	}
	return out
}

// withMember returns body as JSON with the member at path (created when absent) set to raw,
// written as is: raw may be invalid JSON text on purpose (invalid UTF-8, lone surrogates).
func withMember(body map[string]any, path []string, raw string) []byte {
	const placeholder = "hostile-placeholder-5b1d"
	out := cloneJSON(body)
	m := out
	for _, name := range path[:len(path)-1] {
		next, ok := m[name].(map[string]any)
		if !ok {
			next = map[string]any{}
			m[name] = next
		}
		m = next
	}
	m[path[len(path)-1]] = placeholder
	return bytes.Replace(mustMarshal(out), []byte(`"`+placeholder+`"`), []byte(raw), 1)
}

func cloneJSON(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		if inner, ok := v.(map[string]any); ok {
			v = cloneJSON(inner)
		}
		out[k] = v
	}
	return out
}

func formBodyCases(e *endpoint, base request) []testCase {
	noBasic := base.with("Authorization")
	form := func(s string) []byte { return []byte(s) }
	grant := "grant_type=client_credentials"
	cases := []testCase{
		e.spoil("body: none", base.withBody(nil)),
		e.spoil("body: grant_type twice", base.withBody(form(grant+"&"+grant))),
		e.spoil("body: another grant type", base.withBody(form("grant_type=password"))),
		e.spoil("body: grant_type with a NUL byte", base.withBody(form(grant+"%00"))),
		e.spoil("body: grant_type of invalid UTF-8", base.withBody(form("grant_type=%FF%FE"))),
		e.spoil("body: grant_type of 15 KiB", base.withBody(form("grant_type="+strings.Repeat("A", 15<<10)))),
		e.spoil("body: a bad escape", base.withBody(form("grant_type=%zz"))),
		e.spoil("body: 17 KiB", base.withBody(form(grant+"&x="+strings.Repeat("A", 17<<10)))),
		e.spoil("body: JSON", base.withBody(form(`{"grant_type":"client_credentials"}`))),
		e.spoil("body: 1 000 nested brackets", base.withBody(form(strings.Repeat("grant_type[", 1000)+"=client_credentials"))),
		e.spoil("body: a raw NUL byte", base.withBody(form(grant+"\x00"))),
		e.spoil("body: a client_id other than Basic's", base.withBody(form(grant+"&client_id=someone-else"))),
		e.spoil("body: client_id twice", noBasic.withBody(form(grant+"&client_id=a&client_id=a&client_secret=b"))),
		e.spoil("body: client_id with a NUL byte", noBasic.withBody(form(grant+"&client_id=%00&client_secret=x"))),
		e.spoil("body: client_id of invalid UTF-8", noBasic.withBody(form(grant+"&client_id=%FF%FE&client_secret=x"))),
		e.spoil("body: client_id of 10 KiB", noBasic.withBody(form(grant+"&client_id="+strings.Repeat("A", 10<<10)+"&client_secret=x"))),
		e.spoil("body: client_id with a path traversal", noBasic.withBody(form(grant+"&client_id="+url.QueryEscape(traversal)+"&client_secret=x"))),
		e.spoil("body: client_secret of 10 KiB", noBasic.withBody(form(grant+"&client_id="+e.w.clientID+"&client_secret="+strings.Repeat("A", 10<<10)))),
		e.spoil("body: client_secret with a NUL byte", noBasic.withBody(form(grant+"&client_id="+e.w.clientID+"&client_secret="+url.QueryEscape(e.w.clientSecret)+"%00"))),
	}
	return cases
}

func fileBodyCases(e *endpoint, base request) []testCase {
	valid := base.body
	withInsert := func(insert string) []byte {
		mid := len(valid) / 2
		return slices.Concat(valid[:mid], []byte(insert), valid[mid:])
	}
	tooLarge := bytes.Repeat(valid, uploadLimit/len(valid)+1)
	return []testCase{
		e.spoil("body: none", base.withBody(nil)),
		e.spoil("body: not a document", base.withBody([]byte("not a document\x00\xff"))),
		e.spoil("body: the file with NUL bytes inside", base.withBody(withInsert("\x00\x00\x00"))),
		e.spoil("body: the file with invalid UTF-8 inside", base.withBody(withInsert("\xff\xfe\xc0\xaf"))),
		e.spoil("body: the file cut in half", base.withBody(valid[:len(valid)/2])),
		e.spoil("body: a JSON object", base.withBody([]byte(`{"documentType":"bills"}`))),
		e.spoil("body: larger than the upload limit", base.withBody(tooLarge)),
	}
}
