package admin_test

import (
	"context"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"net/http"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/eccs/eccs/api"
	"github.com/eccs/eccs/api/admin"
)

// loadSpec loads and validates admin.OpenAPI.
func loadSpec(t *testing.T) *openapi3.T {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(admin.OpenAPI)
	if err != nil {
		t.Fatalf("api/admin/openapi.yaml does not load: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("api/admin/openapi.yaml is not a valid OpenAPI 3 description: %v", err)
	}
	return doc
}

func TestOpenAPIValid(t *testing.T) {
	doc := loadSpec(t)
	if doc.OpenAPI != "3.0.3" {
		t.Errorf("openapi: %q, want 3.0.3", doc.OpenAPI)
	}
	if doc.Components.SecuritySchemes["operatorToken"] == nil {
		t.Error("no operatorToken security scheme")
	}
	for path := range doc.Paths.Map() {
		if !strings.HasPrefix(path, admin.BasePath+"/") && !strings.HasPrefix(path, admin.ClaimPath+"/") {
			t.Errorf("%s is neither under %s nor a claim link", path, admin.BasePath)
		}
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

// TestOpenAPIRoutes checks that the spec describes exactly the routes that the adminRoutes and
// claimRoutes functions of internal/httpapi/routes.go register, both ways. It reads routes.go's
// source (the routes are unexported), as api/openapi_test.go does for the customer API: every
// r.add(method, path, handler) call of those functions is evaluated, where a path is made of
// string literals, admin.BasePath, admin.ClaimPath and local string constants. A call this
// cannot evaluate fails the test, so that it is updated rather than silently skipping a route.
func TestOpenAPIRoutes(t *testing.T) {
	doc := loadSpec(t)
	registered := routesFromSource(t, "../../internal/httpapi/routes.go", "adminRoutes", "claimRoutes")
	if len(registered) < 40 {
		t.Fatalf("found only %d routes in adminRoutes and claimRoutes", len(registered))
	}
	described := specRoutes(doc)
	for r := range registered {
		if !described[r] {
			t.Errorf("routes.go registers %s, which api/admin/openapi.yaml does not describe", r)
		}
	}
	for r := range described {
		if !registered[r] {
			t.Errorf("api/admin/openapi.yaml describes %s, which routes.go does not register", r)
		}
	}
}

// routesFromSource evaluates the .add calls of the named functions of file.
func routesFromSource(t *testing.T, file string, funcs ...string) map[string]bool {
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
		e := &routeEval{t: t, fset: fset, env: map[string][]string{}, routes: routes}
		e.stmts(body.List)
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
			t.Fatalf("%s: %s has %d .add calls but the test could read only %d; teach routeEval the new form", file, name, calls, e.calls)
		}
	}
	return routes
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
		case *ast.DeclStmt: // const v1 = admin.BasePath
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
		case *ast.AssignStmt: // v1 := admin.BasePath
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
						e.t.Fatalf("%s: cannot evaluate this element", e.fset.Position(elt.Pos()))
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
		if pkg, ok := x.X.(*ast.Ident); ok && pkg.Name == "admin" {
			switch x.Sel.Name {
			case "BasePath":
				return []string{admin.BasePath}, true
			case "ClaimPath":
				return []string{admin.ClaimPath}, true
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

// wireTypes maps the schemas of the spec to the Go wire types they describe.
var wireTypes = []struct {
	schema string
	typ    reflect.Type
}{
	{"Customer", reflect.TypeFor[admin.Customer]()},
	{"CustomerUpdate", reflect.TypeFor[admin.CustomerUpdate]()},
	{"BillingAccount", reflect.TypeFor[admin.BillingAccount]()},
	{"BillingAccountUpdate", reflect.TypeFor[admin.BillingAccountUpdate]()},
	{"Offer", reflect.TypeFor[admin.Offer]()},
	{"OfferUpdate", reflect.TypeFor[admin.OfferUpdate]()},
	{"Person", reflect.TypeFor[admin.Person]()},
	{"Identity", reflect.TypeFor[admin.Identity]()},
	{"Roles", reflect.TypeFor[admin.Roles]()},
	{"NewContract", reflect.TypeFor[admin.NewContract]()},
	{"Contract", reflect.TypeFor[admin.Contract]()},
	{"ContractUpdate", reflect.TypeFor[admin.ContractUpdate]()},
	{"ReferentChange", reflect.TypeFor[admin.ReferentChange]()},
	{"NewUser", reflect.TypeFor[admin.NewUser]()},
	{"User", reflect.TypeFor[admin.User]()},
	{"RolesChange", reflect.TypeFor[admin.RolesChange]()},
	{"PersonUpdate", reflect.TypeFor[admin.PersonUpdate]()},
	{"Perimeter", reflect.TypeFor[admin.Perimeter]()},
	{"NewAccount", reflect.TypeFor[admin.NewAccount]()},
	{"Account", reflect.TypeFor[admin.Account]()},
	{"KeyRequest", reflect.TypeFor[admin.KeyRequest]()},
	{"KeyRotation", reflect.TypeFor[admin.KeyRotation]()},
	{"APIKey", reflect.TypeFor[admin.APIKey]()},
	{"IssuedKey", reflect.TypeFor[admin.IssuedKey]()},
	{"Claim", reflect.TypeFor[admin.Claim]()},
	{"ClaimedSecret", reflect.TypeFor[admin.ClaimedSecret]()},
	{"ClaimInfo", reflect.TypeFor[admin.ClaimInfo]()},
	{"NewApplication", reflect.TypeFor[admin.NewApplication]()},
	{"Application", reflect.TypeFor[admin.Application]()},
	{"IssuedApplication", reflect.TypeFor[admin.IssuedApplication]()},
	{"StatusChange", reflect.TypeFor[admin.StatusChange]()},
	{"SubscriptionChange", reflect.TypeFor[admin.SubscriptionChange]()},
	{"TermsAcceptance", reflect.TypeFor[admin.TermsAcceptance]()},
	{"SecretRotation", reflect.TypeFor[admin.SecretRotation]()},
	{"Document", reflect.TypeFor[admin.Document]()},
	{"NewOperatorToken", reflect.TypeFor[admin.NewOperatorToken]()},
	{"OperatorToken", reflect.TypeFor[admin.OperatorToken]()},
	{"IssuedOperatorToken", reflect.TypeFor[admin.IssuedOperatorToken]()},
	{"AuditEvent", reflect.TypeFor[admin.AuditEvent]()},
	{"CustomerList", reflect.TypeFor[admin.List[admin.Customer]]()},
	{"BillingAccountList", reflect.TypeFor[admin.List[admin.BillingAccount]]()},
	{"OfferList", reflect.TypeFor[admin.List[admin.Offer]]()},
	{"ContractList", reflect.TypeFor[admin.List[admin.Contract]]()},
	{"UserList", reflect.TypeFor[admin.List[admin.User]]()},
	{"DocumentList", reflect.TypeFor[admin.List[admin.Document]]()},
	{"AccountList", reflect.TypeFor[admin.List[admin.Account]]()},
	{"APIKeyList", reflect.TypeFor[admin.List[admin.APIKey]]()},
	{"ApplicationList", reflect.TypeFor[admin.List[admin.Application]]()},
	{"OperatorTokenList", reflect.TypeFor[admin.List[admin.OperatorToken]]()},
	{"AuditEventList", reflect.TypeFor[admin.List[admin.AuditEvent]]()},
	{"Error", reflect.TypeFor[api.Error]()},
}

type jsonField struct {
	name     string
	optional bool // omitempty or omitzero: absent when empty
	typ      reflect.Type
}

// jsonFields lists the JSON members of a struct type as encoding/json writes them, with the
// members of embedded structs promoted.
func jsonFields(t *testing.T, typ reflect.Type) []jsonField {
	t.Helper()
	var fields []jsonField
	for i := 0; i < typ.NumField(); i++ {
		f := typ.Field(i)
		tag := f.Tag.Get("json")
		if f.Anonymous && tag == "" && f.Type.Kind() == reflect.Struct {
			fields = append(fields, jsonFields(t, f.Type)...)
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

// TestOpenAPIWireTypes checks that each schema describes exactly the JSON shape of its Go type
// in api/admin/admin.go: the same member names, required exactly when the field is never
// omitted, compatible types, and no other member allowed.
func TestOpenAPIWireTypes(t *testing.T) {
	doc := loadSpec(t)
	mapped := map[string]bool{}
	for _, w := range wireTypes {
		mapped[w.schema] = true
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
				if !f.optional {
					required = append(required, f.name)
				}
				if p := s.Properties[f.name]; p != nil {
					checkType(t, w.schema+"."+f.name, p, f.typ)
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
				t.Errorf("required %q, want the members of %s that are never omitted: %q", specRequired, w.typ, required)
			}
		})
	}
	// Every object schema of the components is a wire type (the error specialisations are
	// allOf the envelope).
	for name, ref := range doc.Components.Schemas {
		if !mapped[name] && !strings.HasPrefix(name, "Error") {
			t.Errorf("schema %s describes no type of api/admin/admin.go; map it in wireTypes", name)
		}
		if strings.HasPrefix(name, "Error") && name != "Error" && !errorSchemaIs(ref, "Error") {
			t.Errorf("schema %s is not allOf the Error envelope", name)
		}
	}
}

var timeType = reflect.TypeFor[time.Time]()

// checkType checks that a property schema accepts what encoding/json writes for typ.
func checkType(t *testing.T, where string, p *openapi3.SchemaRef, typ reflect.Type) {
	t.Helper()
	if typ.Kind() == reflect.Pointer {
		typ = typ.Elem() // every pointer of the admin types is omitempty: absent, never null
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
		t.Errorf("%s: teach checkType about %s", where, typ)
	}
}

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

// TestOpenAPIEnums checks the enums of the spec against the constants of admin.go and api.go.
func TestOpenAPIEnums(t *testing.T) {
	doc := loadSpec(t)
	prop := func(schema, name string) []string {
		return enumStrings(doc.Components.Schemas[schema].Value.Properties[name].Value)
	}
	statuses := sorted(admin.StatusActive, admin.StatusSuspended, admin.StatusBlocked, admin.StatusDeleted)
	if got := prop("Application", "status"); !slices.Equal(got, statuses) {
		t.Errorf("Application.status enum %q, want %q", got, statuses)
	}
	if got, want := prop("StatusChange", "status"), sorted(admin.StatusActive, admin.StatusSuspended, admin.StatusBlocked); !slices.Equal(got, want) {
		t.Errorf("StatusChange.status enum %q, want %q", got, want)
	}
	subs := sorted(admin.SubscriptionPending, admin.SubscriptionApproved, admin.SubscriptionRejected, admin.SubscriptionSuspended)
	if got := prop("SubscriptionChange", "subscription"); !slices.Equal(got, subs) {
		t.Errorf("SubscriptionChange.subscription enum %q, want %q", got, subs)
	}
	// Applications created without a subscription state by the dev seed or the domain may be
	// in "none", which admin.go has no constant for.
	if got := prop("Application", "subscription"); !slices.Equal(got, sorted(append(subs, "none")...)) {
		t.Errorf("Application.subscription enum %q, want %q and none", got, subs)
	}
	accounts := sorted(admin.AccountClient, admin.AccountAdministrator)
	for _, schema := range []string{"Account", "NewAccount"} {
		if got := prop(schema, "type"); !slices.Equal(got, accounts) {
			t.Errorf("%s.type enum %q, want %q", schema, got, accounts)
		}
	}
	docTypes := sorted(api.DocumentBills, api.DocumentInvoices, api.DocumentReports, api.DocumentPartialBills,
		api.DocumentConsumptionRatedReports, api.DocumentPartialConsumptionRatedReports)
	if got := prop("Document", "documentType"); !slices.Equal(got, docTypes) {
		t.Errorf("Document.documentType enum %q, want %q", got, docTypes)
	}
	var codes, messages []string
	for _, c := range []int{api.CodeInternalError, api.CodeServiceUnavailable, api.CodeInvalidURLParameter, api.CodeMissingBody,
		api.CodeInvalidBody, api.CodeMissingBodyField, api.CodeInvalidBodyField, api.CodeMissingHeader, api.CodeInvalidHeader,
		api.CodeMissingQueryParameter, api.CodeInvalidQueryParameter, api.CodeMissingCredentials, api.CodeInvalidCredentials,
		api.CodeExpiredCredentials, api.CodeAccessDenied, api.CodeForbiddenRequester, api.CodeTooManyRequests,
		api.CodeResourceNotFound, api.CodeMethodNotAllowed, api.CodeEntityTooLarge, api.CodeUnsupportedMediaType, api.CodeConflict} {
		codes = append(codes, strconv.Itoa(c))
		messages = append(messages, api.ErrorMessage(c))
	}
	sort.Strings(codes)
	sort.Strings(messages)
	if got := prop("Error", "code"); !slices.Equal(got, codes) {
		t.Errorf("Error.code enum %q, want %q", got, codes)
	}
	if got := prop("Error", "message"); !slices.Equal(got, messages) {
		t.Errorf("Error.message enum %q, want %q", got, messages)
	}
}

// errorSchemaIs reports whether s is the envelope or a specialisation of it.
func errorSchemaIs(s *openapi3.SchemaRef, name string) bool {
	if s.Ref == "#/components/schemas/"+name {
		return true
	}
	if s.Value == nil || len(s.Value.AllOf) == 0 {
		return false
	}
	return errorSchemaIs(s.Value.AllOf[0], name)
}

// secretSchemas are the answers that hold a secret: they must be declared no-store.
var secretSchemas = []string{"IssuedKey", "IssuedApplication", "IssuedOperatorToken", "ClaimedSecret"}

// TestOpenAPIResponses checks the rules every operation follows.
func TestOpenAPIResponses(t *testing.T) {
	doc := loadSpec(t)
	for path, item := range doc.Paths.Map() {
		claim := strings.HasPrefix(path, admin.ClaimPath+"/")
		for method, op := range item.Operations() {
			name := method + " " + path
			if op.OperationID == "" || op.Summary == "" || op.Description == "" {
				t.Errorf("%s: needs an operationId, a summary and a description", name)
			}
			authenticated := op.Security == nil || len(*op.Security) > 0
			if claim && authenticated {
				t.Errorf("%s: claim links need no credentials (security: [])", name)
			}
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
				required := func(header string) {
					if h := resp.Headers[header]; h == nil || !h.Value.Required {
						t.Errorf("%s: must declare %s as required", where, header)
					}
				}
				required(api.HeaderRequestID)
				switch status {
				case http.StatusUnauthorized:
					required("WWW-Authenticate")
				case http.StatusMethodNotAllowed:
					required("Allow")
				case http.StatusServiceUnavailable:
					if !claim {
						required("Retry-After")
					}
				}
				if claim && status == http.StatusOK {
					required("Cache-Control")
					required("Referrer-Policy")
				}
				for _, mt := range resp.Content {
					if mt.Schema != nil && slices.Contains(secretSchemas, strings.TrimPrefix(mt.Schema.Ref, "#/components/schemas/")) {
						required("Cache-Control")
					}
				}
				if status >= 400 {
					mt := resp.Content.Get("application/json")
					if mt == nil || mt.Schema == nil {
						t.Errorf("%s: an error needs an application/json body", where)
						continue
					}
					if !errorSchemaIs(mt.Schema, "Error") {
						t.Errorf("%s: the body must be the Error envelope", where)
					}
				}
			}
			need := []int{http.StatusMethodNotAllowed, http.StatusInternalServerError}
			if authenticated {
				need = append(need, 401, 503)
			}
			if op.RequestBody != nil {
				need = append(need, 400, 413, 415)
			}
			if claim && method == http.MethodPost {
				need = append(need, 404) // a used, expired or unknown link
			}
			for _, p := range op.Parameters {
				if claim {
					break // any token is taken as given: an unknown one is a used one
				}
				if p.Value.In == "query" || p.Value.In == "path" {
					need = append(need, 400)
				}
				if p.Value.In == "path" {
					need = append(need, 404)
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
