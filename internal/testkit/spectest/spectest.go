// Package spectest checks an OpenAPI description (api/openapi.yaml, api/admin/openapi.yaml)
// against the Go source it describes: the routes that internal/httpapi/routes.go registers,
// read from its source (Routes, Operations, CompareRoutes), the JSON shape of the wire types
// (WireTypes), and what every operation and its responses declare (RequireDocumented,
// Responses, RequireHeader, RequireErrorBody, RequireStatuses). internal/testkit/openapitest checks the running server against the same
// descriptions.
package spectest

import (
	"context"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
)

// Load loads and validates the OpenAPI description data, which name names in the messages, and
// checks that it is OpenAPI 3.0.3.
func Load(t testing.TB, data []byte, name string) *openapi3.T {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(data)
	if err != nil {
		t.Fatalf("%s does not load: %v", name, err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("%s is not a valid OpenAPI 3 description: %v", name, err)
	}
	if doc.OpenAPI != "3.0.3" {
		t.Errorf("%s: openapi: %q, want 3.0.3", name, doc.OpenAPI)
	}
	return doc
}

// Operations returns "METHOD path" for every operation of doc.
func Operations(doc *openapi3.T) map[string]bool {
	routes := map[string]bool{}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			routes[method+" "+path] = true
		}
	}
	return routes
}

// CompareRoutes reports, as errors of t, every route of registered (read from the file named
// source) that described (the operations of the description named spec) lacks, and every
// operation of described that registered lacks.
func CompareRoutes(t testing.TB, source string, registered map[string]bool, spec string, described map[string]bool) {
	t.Helper()
	for r := range registered {
		if !described[r] {
			t.Errorf("%s registers %s, which %s does not describe", source, r, spec)
		}
	}
	for r := range described {
		if !registered[r] {
			t.Errorf("%s describes %s, which %s does not register", spec, r, source)
		}
	}
}

// Routes returns "METHOD path" for every route that the functions funcs of the Go source file
// register: it evaluates their r.add(method, path, handler) calls, where a method is a string
// or an http.Method constant and a path is made of string literals, the qualified constants
// that consts gives the values of (such as "api.BasePath"), local string constants and
// variables, and the variable of a range over a string-slice literal. A call it cannot
// evaluate fails t, so that it is taught the new form rather than silently skipping a route.
func Routes(t testing.TB, file string, consts map[string]string, funcs ...string) map[string]bool {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, file, nil, 0)
	if err != nil {
		t.Fatalf("parse %s: %v", file, err)
	}
	routes := map[string]bool{}
	for _, name := range funcs {
		var body *ast.BlockStmt
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Name.Name == name && fd.Body != nil {
				body = fd.Body
			}
		}
		if body == nil {
			t.Fatalf("%s has no %s function", file, name)
		}
		e := &routeEval{t: t, fset: fset, consts: consts, env: map[string][]string{}, routes: routes}
		e.stmts(body.List)
		// Every .add( call must have been read.
		calls := 0
		ast.Inspect(body, func(n ast.Node) bool {
			if c, ok := n.(*ast.CallExpr); ok {
				if sel, ok := c.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "add" {
					calls++
				}
			}
			return true
		})
		if calls != e.calls {
			t.Fatalf("%s: %s has %d .add calls but internal/testkit/spectest could read only %d; teach it the new form", file, name, calls, e.calls)
		}
	}
	return routes
}

type routeEval struct {
	t      testing.TB
	fset   *token.FileSet
	consts map[string]string   // "pkg.Name" → its value
	env    map[string][]string // identifier → its possible string values
	routes map[string]bool
	calls  int
}

// stmts reads a list of statements in order: declarations and assignments of string values
// teach it local names, a range over a string-slice literal teaches it the range variable's
// values, and every r.add(method, path, handler) call adds its routes.
func (e *routeEval) stmts(list []ast.Stmt) {
	for _, s := range list {
		switch s := s.(type) {
		case *ast.DeclStmt: // const v1 = api.BasePath
			e.decl(s)
		case *ast.AssignStmt: // v1 := api.BasePath
			e.assign(s)
		case *ast.RangeStmt: // for _, p := range []string{...}
			e.rangeOver(s)
		case *ast.BlockStmt:
			e.stmts(s.List)
		case *ast.ExprStmt:
			e.add(s)
		}
	}
}

// decl records the values of the constants and variables a declaration gives string values.
func (e *routeEval) decl(s *ast.DeclStmt) {
	if gd, ok := s.Decl.(*ast.GenDecl); ok {
		for _, spec := range gd.Specs {
			if vs, ok := spec.(*ast.ValueSpec); ok && len(vs.Names) == len(vs.Values) {
				for i, name := range vs.Names {
					if v, ok := e.eval(vs.Values[i]); ok {
						e.env[name.Name] = v
					}
				}
			}
		}
	}
}

// assign records the values of the identifiers an assignment gives string values.
func (e *routeEval) assign(s *ast.AssignStmt) {
	if len(s.Lhs) == len(s.Rhs) {
		for i, lhs := range s.Lhs {
			if id, ok := lhs.(*ast.Ident); ok {
				if v, ok := e.eval(s.Rhs[i]); ok {
					e.env[id.Name] = v
				}
			}
		}
	}
}

// rangeOver records, for a range over a composite literal, every value of its elements as
// the values of the range variable (an element it cannot evaluate fails the test), then reads
// the body.
func (e *routeEval) rangeOver(s *ast.RangeStmt) {
	lit, ok := s.X.(*ast.CompositeLit)
	id, ok2 := s.Value.(*ast.Ident)
	if ok && ok2 {
		var values []string
		for _, elt := range lit.Elts {
			v, ok := e.eval(elt)
			if !ok {
				e.t.Fatalf("%s: cannot evaluate %T", e.fset.Position(elt.Pos()), elt)
			}
			values = append(values, v...)
		}
		e.env[id.Name] = values
	}
	e.stmts(s.Body.List)
}

// add records the routes of an x.add(method, path, ...) call, every method with every path;
// one whose method or path it cannot evaluate fails the test. Other expressions are skipped.
func (e *routeEval) add(s *ast.ExprStmt) {
	call, ok := s.X.(*ast.CallExpr)
	if !ok {
		return
	}
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok || sel.Sel.Name != "add" || len(call.Args) < 2 {
		return
	}
	methods, ok1 := e.eval(call.Args[0])
	paths, ok2 := e.eval(call.Args[1])
	if !ok1 || !ok2 {
		e.t.Fatalf("%s: cannot evaluate the method or path of this route", e.fset.Position(call.Pos()))
	}
	e.calls++
	for _, m := range methods {
		for _, p := range paths {
			e.routes[m+" "+p] = true
		}
	}
}

// eval returns the possible values of a string expression.
func (e *routeEval) eval(x ast.Expr) ([]string, bool) {
	switch x := x.(type) {
	case *ast.BasicLit:
		if x.Kind != token.STRING {
			return nil, false
		}
		s, err := strconv.Unquote(x.Value)
		return []string{s}, err == nil
	case *ast.Ident:
		v, ok := e.env[x.Name]
		return v, ok
	case *ast.SelectorExpr:
		pkg, ok := x.X.(*ast.Ident)
		if !ok {
			return nil, false
		}
		if v, ok := e.consts[pkg.Name+"."+x.Sel.Name]; ok {
			return []string{v}, true
		}
		if pkg.Name == "http" && strings.HasPrefix(x.Sel.Name, "Method") {
			return []string{strings.ToUpper(strings.TrimPrefix(x.Sel.Name, "Method"))}, true
		}
	case *ast.ParenExpr:
		return e.eval(x.X)
	case *ast.BinaryExpr:
		if x.Op != token.ADD {
			return nil, false
		}
		l, ok1 := e.eval(x.X)
		r, ok2 := e.eval(x.Y)
		if !ok1 || !ok2 {
			return nil, false
		}
		var out []string
		for _, a := range l {
			for _, b := range r {
				out = append(out, a+b)
			}
		}
		return out, true
	}
	return nil, false
}

// WireType is a schema of the components and the Go type whose JSON shape it describes.
type WireType struct {
	Schema string
	Type   reflect.Type
}

// WireTypes checks, in a subtest of t for each of types named after its schema, that the
// schema describes exactly the JSON shape of the Go type: an object with no other member
// allowed (additionalProperties false), the same member names, required exactly when the
// field is never omitted (no omitempty or omitzero), and compatible types.
func WireTypes(t *testing.T, doc *openapi3.T, types []WireType) {
	t.Helper()
	for _, w := range types {
		t.Run(w.Schema, func(t *testing.T) { wireType(t, doc, w.Schema, w.Type) })
	}
}

func wireType(t testing.TB, doc *openapi3.T, schema string, typ reflect.Type) {
	t.Helper()
	ref := doc.Components.Schemas[schema]
	if ref == nil || ref.Value == nil {
		t.Fatalf("no schema %s in components", schema)
	}
	s := ref.Value
	if !s.Type.Is("object") {
		t.Errorf("type %v, want object", s.Type)
	}
	if s.AdditionalProperties.Has == nil || *s.AdditionalProperties.Has {
		t.Error("additionalProperties must be false, so that an extra member is caught")
	}
	var names, required []string
	for _, f := range jsonFields(typ) {
		names = append(names, f.name)
		if !f.optional {
			required = append(required, f.name)
		}
		if p := s.Properties[f.name]; p != nil {
			ftyp := f.typ
			if f.optional && ftyp.Kind() == reflect.Pointer {
				ftyp = ftyp.Elem() // a nil pointer is omitted, never null
			}
			checkType(t, schema+"."+f.name, p, ftyp)
		}
	}
	var props []string
	for name := range s.Properties {
		props = append(props, name)
	}
	sort.Strings(names)
	sort.Strings(props)
	if !slices.Equal(names, props) {
		t.Errorf("properties %q, want the JSON members of %s: %q", props, typ, names)
	}
	sort.Strings(required)
	specRequired := slices.Clone(s.Required)
	sort.Strings(specRequired)
	if !slices.Equal(required, specRequired) {
		t.Errorf("required %q, want the members of %s that are never omitted: %q", specRequired, typ, required)
	}
}

type jsonField struct {
	name     string
	optional bool // omitempty or omitzero: absent when empty
	typ      reflect.Type
}

// jsonFields lists the JSON members of a struct type as encoding/json writes them, with the
// members of embedded structs promoted.
func jsonFields(typ reflect.Type) []jsonField {
	var fields []jsonField
	for i := 0; i < typ.NumField(); i++ {
		f := typ.Field(i)
		tag := f.Tag.Get("json")
		if f.Anonymous && tag == "" && f.Type.Kind() == reflect.Struct {
			fields = append(fields, jsonFields(f.Type)...)
			continue
		}
		if !f.IsExported() || tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if name == "" {
			name = f.Name
		}
		o := strings.Split(opts, ",")
		fields = append(fields, jsonField{name: name, optional: slices.Contains(o, "omitempty") || slices.Contains(o, "omitzero"), typ: f.Type})
	}
	return fields
}

var timeType = reflect.TypeFor[time.Time]()

// checkType checks that the property schema p, at where in the messages, accepts what
// encoding/json writes for typ: a pointer (which may be null) needs a nullable schema, a
// time.Time a date-time string, a struct a $ref to the schema of its name, a slice an array
// and a map an object whose items or values are checked in turn, and the basic kinds their
// JSON types.
func checkType(t testing.TB, where string, p *openapi3.SchemaRef, typ reflect.Type) {
	t.Helper()
	if typ.Kind() == reflect.Pointer {
		if !p.Value.Nullable {
			t.Errorf("%s: a %s can be null, the schema is not nullable", where, typ)
		}
		typ = typ.Elem()
	}
	s := p.Value
	switch {
	case typ == timeType:
		if !s.Type.Is("string") || s.Format != "date-time" {
			t.Errorf("%s: a time.Time is a string with format date-time, not %v/%q", where, s.Type, s.Format)
		}
	case typ.Kind() == reflect.Struct:
		if want := "#/components/schemas/" + typ.Name(); p.Ref != want {
			t.Errorf("%s: $ref %q, want %q", where, p.Ref, want)
		}
	case typ.Kind() == reflect.Slice:
		if !s.Type.Is("array") || s.Items == nil {
			t.Errorf("%s: a %s is an array with items", where, typ)
			return
		}
		checkType(t, where+"[]", s.Items, typ.Elem())
	case typ.Kind() == reflect.Map:
		if !s.Type.Is("object") {
			t.Errorf("%s: a %s is an object", where, typ)
			return
		}
		if s.AdditionalProperties.Schema != nil {
			checkType(t, where+"{}", s.AdditionalProperties.Schema, typ.Elem())
			return
		}
		if len(s.Properties) == 0 {
			t.Errorf("%s: a %s needs properties or an additionalProperties schema", where, typ)
		}
		for name, prop := range s.Properties {
			checkType(t, where+"."+name, prop, typ.Elem())
		}
	case typ.Kind() == reflect.String:
		if !s.Type.Is("string") {
			t.Errorf("%s: type %v, want string", where, s.Type)
		}
	case typ.Kind() == reflect.Int || typ.Kind() == reflect.Int64:
		if !s.Type.Is("integer") {
			t.Errorf("%s: type %v, want integer", where, s.Type)
		}
	case typ.Kind() == reflect.Float64:
		if !s.Type.Is("number") {
			t.Errorf("%s: type %v, want number", where, s.Type)
		}
	case typ.Kind() == reflect.Bool:
		if !s.Type.Is("boolean") {
			t.Errorf("%s: type %v, want boolean", where, s.Type)
		}
	default:
		t.Errorf("%s: teach internal/testkit/spectest about %s", where, typ)
	}
}

// EnumStrings returns a schema's enum values as strings, sorted.
func EnumStrings(s *openapi3.Schema) []string {
	var out []string
	for _, v := range s.Enum {
		out = append(out, fmt.Sprint(v))
	}
	sort.Strings(out)
	return out
}

// Sorted returns values sorted, as EnumStrings returns an enum.
func Sorted(values ...string) []string {
	sort.Strings(values)
	return values
}

// ErrorSchemaIs reports whether s is the schema of the components named name (an error
// envelope) or a specialisation of it (allOf it first).
func ErrorSchemaIs(s *openapi3.SchemaRef, name string) bool {
	if s.Ref == "#/components/schemas/"+name {
		return true
	}
	if s.Value == nil || len(s.Value.AllOf) == 0 {
		return false
	}
	return ErrorSchemaIs(s.Value.AllOf[0], name)
}

// Responses returns the responses of the operation op, named name in the messages, by status,
// and reports as errors of t those whose status is not exact (a range such as 4XX, or default)
// and those without a description.
func Responses(t testing.TB, name string, op *openapi3.Operation) map[int]*openapi3.Response {
	t.Helper()
	responses := map[int]*openapi3.Response{}
	for code, ref := range op.Responses.Map() {
		status, err := strconv.Atoi(code)
		if err != nil {
			t.Errorf("%s: response %q: declare exact statuses", name, code)
			continue
		}
		resp := ref.Value
		if resp.Description == nil || *resp.Description == "" {
			t.Errorf("%s %d: no description", name, status)
		}
		responses[status] = resp
	}
	return responses
}

// RequireDocumented reports, as an error of t, an operation (name, in the messages) without an
// operationId, a summary or a description.
func RequireDocumented(t testing.TB, name string, op *openapi3.Operation) {
	t.Helper()
	if op.OperationID == "" || op.Summary == "" || op.Description == "" {
		t.Errorf("%s: needs an operationId, a summary and a description", name)
	}
}

// RequireErrorBody reports, as an error of t, an error response (where, in the messages) whose
// body is not application/json with the schema of the components named schema (an error
// envelope) or a specialisation of it; what names that schema in the message.
func RequireErrorBody(t testing.TB, where string, resp *openapi3.Response, schema, what string) {
	t.Helper()
	mt := resp.Content.Get("application/json")
	if mt == nil || mt.Schema == nil {
		t.Errorf("%s: an error needs an application/json body", where)
		return
	}
	if !ErrorSchemaIs(mt.Schema, schema) {
		t.Errorf("%s: the body must be %s", where, what)
	}
}

// RequireHeader reports, as an error of t, a response (where, in the messages) that does not
// declare header as required.
func RequireHeader(t testing.TB, where string, resp *openapi3.Response, header string) {
	t.Helper()
	if h := resp.Headers[header]; h == nil || !h.Value.Required {
		t.Errorf("%s: must declare %s as required", where, header)
	}
}

// RequireStatuses reports, as errors of t, each status of need that the responses of the
// operation name lack.
func RequireStatuses(t testing.TB, name string, responses map[int]*openapi3.Response, need []int) {
	t.Helper()
	for _, s := range need {
		if responses[s] == nil {
			t.Errorf("%s: does not declare %d", name, s)
		}
	}
}
