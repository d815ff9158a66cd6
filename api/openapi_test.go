package api_test

import (
	"context"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/eccs/eccs/api"
)

// loadSpec loads and validates api.OpenAPI.
func loadSpec(t *testing.T) *openapi3.T {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(api.OpenAPI)
	if err != nil {
		t.Fatalf("api/openapi.yaml does not load: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("api/openapi.yaml is not a valid OpenAPI 3 description: %v", err)
	}
	return doc
}

func TestOpenAPIValid(t *testing.T) {
	doc := loadSpec(t)
	if doc.OpenAPI != "3.0.3" {
		t.Errorf("openapi: %q, want 3.0.3", doc.OpenAPI)
	}
	var servers []string
	for _, s := range doc.Servers {
		servers = append(servers, s.URL)
	}
	if want := []string{"https://api.orange.com", "http://127.0.0.1:8080"}; !slices.Equal(servers, want) {
		t.Errorf("servers: %q, want %q", servers, want)
	}
	// The examples are validated by doc.Validate; check that there are some, so that a
	// loader change that silently drops them is noticed.
	if ex := doc.Paths.Value(api.BasePath + "/contracts").Get.Responses.Status(200).Value.Content.Get("application/json").Example; ex == nil {
		t.Error("GET /contracts has lost its example")
	}
}

// specRoutes returns "METHOD path" for every operation of the spec.
func specRoutes(doc *openapi3.T) map[string]bool {
	routes := map[string]bool{}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			routes[method+" "+path] = true
		}
	}
	return routes
}

// TestOpenAPIRoutes checks that the spec describes exactly the routes that
// internal/httpapi/routes.go registers, both ways. It reads routes.go's source (the routes are
// unexported): every r.add(method, path, handler) call of the routes method is evaluated, where
// a path is made of string literals, api.BasePath, api.TokenPath, the v1 constant and the
// variable of a range over a string-slice literal. A call this cannot evaluate fails the test, so
// that it is updated rather than silently skipping a route. internal/testkit/openapitest checks the same
// routes against the running handler.
func TestOpenAPIRoutes(t *testing.T) {
	doc := loadSpec(t)
	registered := routesFromSource(t, "../internal/httpapi/routes.go")
	if len(registered) == 0 {
		t.Fatal("found no route in internal/httpapi/routes.go")
	}
	described := specRoutes(doc)
	for r := range registered {
		if !described[r] {
			t.Errorf("routes.go registers %s, which api/openapi.yaml does not describe", r)
		}
	}
	for r := range described {
		if !registered[r] {
			t.Errorf("api/openapi.yaml describes %s, which routes.go does not register", r)
		}
	}
}

// routesFromSource evaluates the r.add calls of the routes method in file.
func routesFromSource(t *testing.T, file string) map[string]bool {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, file, nil, 0)
	if err != nil {
		t.Fatalf("parse %s: %v", file, err)
	}
	var body *ast.BlockStmt
	for _, d := range f.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok && fd.Name.Name == "routes" && fd.Body != nil {
			body = fd.Body
		}
	}
	if body == nil {
		t.Fatalf("%s has no routes function", file)
	}
	e := &routeEval{t: t, fset: fset, env: map[string][]string{}, routes: map[string]bool{}}
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
		t.Fatalf("%s has %d .add calls but the test could read only %d; teach routeEval the new form", file, calls, e.calls)
	}
	return e.routes
}

type routeEval struct {
	t      *testing.T
	fset   *token.FileSet
	env    map[string][]string // identifier → its possible string values
	routes map[string]bool
	calls  int
}

func (e *routeEval) stmts(list []ast.Stmt) {
	for _, s := range list {
		switch s := s.(type) {
		case *ast.DeclStmt: // const v1 = api.BasePath
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
		case *ast.AssignStmt: // v1 := api.BasePath
			if len(s.Lhs) == len(s.Rhs) {
				for i, lhs := range s.Lhs {
					if id, ok := lhs.(*ast.Ident); ok {
						if v, ok := e.eval(s.Rhs[i]); ok {
							e.env[id.Name] = v
						}
					}
				}
			}
		case *ast.RangeStmt: // for _, p := range []string{...}
			lit, ok := s.X.(*ast.CompositeLit)
			id, ok2 := s.Value.(*ast.Ident)
			if ok && ok2 {
				var values []string
				for _, elt := range lit.Elts {
					v, ok := e.eval(elt)
					if !ok {
						e.t.Fatalf("%s: cannot evaluate %s", e.fset.Position(elt.Pos()), types(elt))
					}
					values = append(values, v...)
				}
				e.env[id.Name] = values
			}
			e.stmts(s.Body.List)
		case *ast.BlockStmt:
			e.stmts(s.List)
		case *ast.ExprStmt:
			call, ok := s.X.(*ast.CallExpr)
			if !ok {
				continue
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok || sel.Sel.Name != "add" || len(call.Args) < 2 {
				continue
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
		if pkg, ok := x.X.(*ast.Ident); ok && pkg.Name == "api" {
			switch x.Sel.Name {
			case "BasePath":
				return []string{api.BasePath}, true
			case "TokenPath":
				return []string{api.TokenPath}, true
			}
		}
		if pkg, ok := x.X.(*ast.Ident); ok && pkg.Name == "http" && strings.HasPrefix(x.Sel.Name, "Method") {
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

func types(x ast.Expr) string { return fmt.Sprintf("%T", x) }

// wireTypes maps the schemas of the spec to the Go wire types they describe.
var wireTypes = []struct {
	schema string
	typ    reflect.Type
}{
	{"Contract", reflect.TypeFor[api.Contract]()},
	{"Offer", reflect.TypeFor[api.Offer]()},
	{"Customer", reflect.TypeFor[api.Customer]()},
	{"Contact", reflect.TypeFor[api.Contact]()},
	{"Document", reflect.TypeFor[api.Document]()},
	{"NoDocuments", reflect.TypeFor[api.NoDocuments]()},
	{"User", reflect.TypeFor[api.User]()},
	{"Roles", reflect.TypeFor[api.Roles]()},
	{"ContractOrder", reflect.TypeFor[api.ContractOrder]()},
	{"ContractCreated", reflect.TypeFor[api.ContractCreated]()},
	{"Token", reflect.TypeFor[api.Token]()},
	{"OAuthError", reflect.TypeFor[api.OAuthError]()},
	{"Error", reflect.TypeFor[api.Error]()},
	{"Me", reflect.TypeFor[api.Me]()},
	{"MeAccount", reflect.TypeFor[api.MeAccount]()},
	{"MeKey", reflect.TypeFor[api.MeKey]()},
	{"MeApplication", reflect.TypeFor[api.MeApplication]()},
	{"MePerimeter", reflect.TypeFor[api.MePerimeter]()},
	{"MeContract", reflect.TypeFor[api.MeContract]()},
}

type jsonField struct {
	name      string
	omitempty bool
	typ       reflect.Type
}

// jsonFields lists the JSON members of a struct type as encoding/json writes them.
func jsonFields(t *testing.T, typ reflect.Type) []jsonField {
	t.Helper()
	var fields []jsonField
	for i := 0; i < typ.NumField(); i++ {
		f := typ.Field(i)
		if !f.IsExported() {
			continue
		}
		if f.Anonymous {
			t.Fatalf("%s embeds %s: teach jsonFields about embedding", typ, f.Type)
		}
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if name == "" {
			name = f.Name
		}
		o := strings.Split(opts, ",")
		fields = append(fields, jsonField{name: name, omitempty: slices.Contains(o, "omitempty") || slices.Contains(o, "omitzero"), typ: f.Type})
	}
	return fields
}

// TestOpenAPIWireTypes checks that each schema describes exactly the JSON shape of its Go type:
// the same member names, required exactly when the field has no omitempty, compatible types, and
// no other member allowed.
func TestOpenAPIWireTypes(t *testing.T) {
	doc := loadSpec(t)
	for _, w := range wireTypes {
		t.Run(w.schema, func(t *testing.T) {
			ref := doc.Components.Schemas[w.schema]
			if ref == nil || ref.Value == nil {
				t.Fatalf("no schema %s in components", w.schema)
			}
			s := ref.Value
			if !s.Type.Is("object") {
				t.Errorf("type %v, want object", s.Type)
			}
			if s.AdditionalProperties.Has == nil || *s.AdditionalProperties.Has {
				t.Error("additionalProperties must be false, so that an extra member is caught")
			}
			var names, required []string
			for _, f := range jsonFields(t, w.typ) {
				names = append(names, f.name)
				if !f.omitempty {
					required = append(required, f.name)
				}
				if p := s.Properties[f.name]; p != nil {
					typ := f.typ
					if f.omitempty && typ.Kind() == reflect.Pointer {
						typ = typ.Elem() // a nil pointer is omitted, never null
					}
					checkType(t, doc, w.schema+"."+f.name, p, typ)
				}
			}
			var props []string
			for name := range s.Properties {
				props = append(props, name)
			}
			sort.Strings(names)
			sort.Strings(props)
			if !slices.Equal(names, props) {
				t.Errorf("properties %q, want the JSON members of %s: %q", props, w.typ, names)
			}
			sort.Strings(required)
			specRequired := slices.Clone(s.Required)
			sort.Strings(specRequired)
			if !slices.Equal(required, specRequired) {
				t.Errorf("required %q, want the members of %s without omitempty: %q", specRequired, w.typ, required)
			}
		})
	}
}

var timeType = reflect.TypeFor[time.Time]()

// checkType checks that a property schema accepts what encoding/json writes for typ.
func checkType(t *testing.T, doc *openapi3.T, where string, p *openapi3.SchemaRef, typ reflect.Type) {
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
		checkType(t, doc, where+"[]", s.Items, typ.Elem())
	case typ.Kind() == reflect.String:
		if !s.Type.Is("string") {
			t.Errorf("%s: type %v, want string", where, s.Type)
		}
	case typ.Kind() == reflect.Int:
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
		t.Errorf("%s: teach checkType about %s", where, typ)
	}
}

// enumStrings returns a schema's enum values as strings.
func enumStrings(s *openapi3.Schema) []string {
	var out []string
	for _, v := range s.Enum {
		out = append(out, fmt.Sprint(v))
	}
	sort.Strings(out)
	return out
}

func sorted(values ...string) []string {
	sort.Strings(values)
	return values
}

// TestOpenAPIEnums checks the enums of the spec against the constants of api.go and the table
// of doc/wire.md §2.
func TestOpenAPIEnums(t *testing.T) {
	doc := loadSpec(t)
	schema := func(name string) *openapi3.Schema { return doc.Components.Schemas[name].Value }

	// code → message, doc/wire.md §2.
	codes := map[int]string{
		api.CodeInternalError:         "Internal error",
		api.CodeServiceUnavailable:    "The service is temporarily unavailable",
		api.CodeInvalidURLParameter:   "Invalid URL parameter value",
		api.CodeMissingBody:           "Missing body",
		api.CodeInvalidBody:           "Invalid body",
		api.CodeMissingBodyField:      "Missing body field",
		api.CodeInvalidBodyField:      "Invalid body field",
		api.CodeMissingHeader:         "Missing header",
		api.CodeInvalidHeader:         "Invalid header value",
		api.CodeMissingQueryParameter: "Missing query-string parameter",
		api.CodeInvalidQueryParameter: "Invalid query-string parameter value",
		api.CodeMissingCredentials:    "Missing credentials",
		api.CodeInvalidCredentials:    "Invalid credentials",
		api.CodeExpiredCredentials:    "Expired credentials",
		api.CodeAccessDenied:          "Access denied",
		api.CodeForbiddenRequester:    "Forbidden requester",
		api.CodeTooManyRequests:       "Too many requests",
		api.CodeResourceNotFound:      "Resource not found",
		api.CodeMethodNotAllowed:      "Method not allowed",
		api.CodeEntityTooLarge:        "Request entity too large",
		api.CodeUnsupportedMediaType:  "Unsupported Media Type",
		api.CodeConflict:              "Conflict",
	}
	var wantCodes, wantMessages []string
	for c, m := range codes {
		wantCodes = append(wantCodes, strconv.Itoa(c))
		wantMessages = append(wantMessages, m)
	}
	sort.Strings(wantCodes)
	sort.Strings(wantMessages)
	errSchema := schema("Error")
	if got := enumStrings(errSchema.Properties["code"].Value); !slices.Equal(got, wantCodes) {
		t.Errorf("Error.code enum %q, want %q", got, wantCodes)
	}
	if got := enumStrings(errSchema.Properties["message"].Value); !slices.Equal(got, wantMessages) {
		t.Errorf("Error.message enum %q, want %q", got, wantMessages)
	}

	wantTypes := sorted(api.DocumentBills, api.DocumentInvoices, api.DocumentReports, api.DocumentPartialBills,
		api.DocumentConsumptionRatedReports, api.DocumentPartialConsumptionRatedReports)
	if got := enumStrings(schema("DocumentType")); !slices.Equal(got, wantTypes) {
		t.Errorf("DocumentType enum %q, want %q", got, wantTypes)
	}
	if got := enumStrings(schema("Document").Properties["documentType"].Value); !slices.Equal(got, wantTypes) {
		t.Errorf("Document.documentType enum %q, want %q", got, wantTypes)
	}
	// The documentType parameter takes any string: unknown values answer {"documents": null}.
	param := doc.Components.Parameters["DocumentType"].Value
	if len(param.Schema.Value.Enum) != 0 {
		t.Error("the documentType parameter must accept any string (no enum)")
	}
	for _, v := range append(wantTypes, "consumptionRatedReports", `{"documents": null}`) {
		if !strings.Contains(param.Description, "`"+v+"`") {
			t.Errorf("the documentType parameter's description does not mention `%s`", v)
		}
	}

	wantRoles := sorted(api.RoleManager, api.RoleVisitor)
	if got := enumStrings(schema("Role")); !slices.Equal(got, wantRoles) {
		t.Errorf("Role enum %q, want %q", got, wantRoles)
	}
	if got := enumStrings(schema("Token").Properties["token_type"].Value); !slices.Equal(got, []string{"Bearer"}) {
		t.Errorf("Token.token_type enum %q, want [Bearer]", got)
	}
}

// TestOpenAPIHeaderNames checks that the spec spells the headers as api.go does.
func TestOpenAPIHeaderNames(t *testing.T) {
	doc := loadSpec(t)
	if got := doc.Components.SecuritySchemes["apiKey"].Value.Name; got != api.HeaderAPIKey {
		t.Errorf("apiKey security scheme names %q, want %q", got, api.HeaderAPIKey)
	}
	for _, name := range []string{"ContractIdHeader", "ContractIdHeaderOptional"} {
		if got := doc.Components.Parameters[name].Value.Name; got != api.HeaderContractID {
			t.Errorf("parameter %s names %q, want %q", name, got, api.HeaderContractID)
		}
	}
	list := doc.Paths.Value(api.BasePath + "/contracts").Get.Responses.Status(200).Value
	for _, h := range []string{api.HeaderRequestID, api.HeaderTotalCount, api.HeaderResultCount} {
		if list.Headers[h] == nil {
			t.Errorf("GET /contracts 200 does not declare %s", h)
		}
	}
}

// errorSchemaIs reports whether s is the gateway envelope or a specialisation of it.
func errorSchemaIs(s *openapi3.SchemaRef, name string) bool {
	if s.Ref == "#/components/schemas/"+name {
		return true
	}
	if s.Value == nil || len(s.Value.AllOf) == 0 {
		return false
	}
	return errorSchemaIs(s.Value.AllOf[0], name)
}

// TestOpenAPIResponses checks the rules of doc/wire.md that every operation must follow.
func TestOpenAPIResponses(t *testing.T) {
	doc := loadSpec(t)
	for path, item := range doc.Paths.Map() {
		v1 := strings.HasPrefix(path, api.BasePath+"/")
		token := path == api.TokenPath
		for method, op := range item.Operations() {
			name := method + " " + path
			if op.OperationID == "" || op.Summary == "" || op.Description == "" {
				t.Errorf("%s: needs an operationId, a summary and a description", name)
			}
			authenticated := v1 && (op.Security == nil || len(*op.Security) > 0)
			statuses := map[int]bool{}
			for code, ref := range op.Responses.Map() {
				status, err := strconv.Atoi(code)
				if err != nil {
					t.Errorf("%s: response %q: declare exact statuses", name, code)
					continue
				}
				statuses[status] = true
				resp := ref.Value
				where := fmt.Sprintf("%s %d", name, status)
				if resp.Description == nil || *resp.Description == "" {
					t.Errorf("%s: no description", where)
				}
				rid := resp.Headers[api.HeaderRequestID]
				if rid == nil || !rid.Value.Required {
					t.Errorf("%s: must declare %s as required", where, api.HeaderRequestID)
				}
				required := func(header string) {
					if h := resp.Headers[header]; h == nil || !h.Value.Required {
						t.Errorf("%s: must declare %s as required", where, header)
					}
				}
				switch {
				case status == http.StatusUnauthorized && v1:
					required("WWW-Authenticate")
				case status == http.StatusUnauthorized && token:
					required("WWW-Authenticate")
				case status == http.StatusMethodNotAllowed:
					required("Allow")
				case status == http.StatusTooManyRequests:
					required("Retry-After")
					required("RateLimit-Limit")
					required("RateLimit-Remaining")
					required("RateLimit-Reset")
				case status == http.StatusServiceUnavailable && (v1 || token):
					required("Retry-After")
				}
				// Every /cloud/b2b/v1 error, and every error anywhere but the token endpoint's
				// OAuth ones and /readyz's 503, is the gateway envelope.
				if status >= 400 && status != http.StatusPreconditionFailed && !(path == "/readyz" && status == 503) {
					mt := resp.Content.Get("application/json")
					if mt == nil || mt.Schema == nil {
						t.Errorf("%s: an error needs an application/json body", where)
						continue
					}
					want := "Error"
					if token && status != 429 { // server-side failures too (doc/decisions.md)
						want = "OAuthError"
					}
					if !errorSchemaIs(mt.Schema, want) {
						t.Errorf("%s: the body must be %s", where, want)
					}
				}
			}
			need := []int{http.StatusMethodNotAllowed, http.StatusInternalServerError}
			if authenticated {
				need = append(need, 401, 403, 429, 503)
			}
			if op.RequestBody != nil {
				need = append(need, 400, 413, 415)
			}
			for _, p := range op.Parameters {
				if p.Value.In == "header" && p.Value.Name == api.HeaderContractID {
					need = append(need, 400)
					if p.Value.Required {
						need = append(need, 403)
					}
				}
				if p.Value.In == "query" || p.Value.In == "path" {
					need = append(need, 400)
				}
			}
			for _, s := range need {
				if !statuses[s] {
					t.Errorf("%s: does not declare %d", name, s)
				}
			}
		}
	}
}

// The token operation's prose says which of its errors use the gateway envelope; the response
// objects and the server (internal/httpapi/token.go) must agree with it.
func TestTokenOperationProseMatchesItsResponses(t *testing.T) {
	doc := loadSpec(t)
	op := doc.Paths.Value(api.TokenPath).Post
	envelope := map[string]bool{}
	for status, ref := range op.Responses.Map() {
		if status >= "400" && !strings.HasSuffix(ref.Value.Content.Get("application/json").Schema.Ref, "/OAuthError") {
			envelope[status] = true
		}
	}
	_, rest, ok := strings.Cut(op.Description, "Errors use the OAuth 2.0 shape")
	end := regexp.MustCompile(`which uses? the gateway envelope`).FindStringIndex(rest)
	if !ok || end == nil {
		t.Fatalf("the description does not say which errors use the gateway envelope:\n%s", op.Description)
	}
	_, exceptions, _ := strings.Cut(rest[:end[0]], "except")
	said := map[string]bool{}
	for _, f := range strings.FieldsFunc(exceptions, func(r rune) bool { return r < '0' || r > '9' }) {
		if len(f) == 3 {
			said[f] = true
		}
	}
	if !reflect.DeepEqual(said, envelope) {
		t.Errorf("the prose says %v use the gateway envelope; the response objects say %v", said, envelope)
	}
}
