package api_test

import (
	"fmt"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/eccs/eccs/api"
	"github.com/eccs/eccs/internal/testkit/spectest"
)

// loadSpec loads and validates api.OpenAPI.
func loadSpec(t *testing.T) *openapi3.T {
	t.Helper()
	return spectest.Load(t, api.OpenAPI, "api/openapi.yaml")
}

func TestOpenAPIValid(t *testing.T) {
	doc := loadSpec(t)
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

// TestOpenAPIRoutes checks that the spec describes exactly the routes that
// internal/httpapi/routes.go registers, both ways. The routes are unexported: spectest.Routes
// reads routes.go's source and evaluates every r.add(method, path, handler) call of the routes
// method (paths of string literals, api.BasePath, api.TokenPath, local constants such as v1,
// and the variable of a range over a string-slice literal); a call it cannot evaluate fails the
// test rather than silently skipping a route. internal/testkit/openapitest checks the same
// routes against the running handler.
func TestOpenAPIRoutes(t *testing.T) {
	doc := loadSpec(t)
	registered := spectest.Routes(t, "../internal/httpapi/routes.go", map[string]string{
		"api.BasePath": api.BasePath, "api.TokenPath": api.TokenPath,
	}, "routes")
	if len(registered) == 0 {
		t.Fatal("found no route in internal/httpapi/routes.go")
	}
	spectest.CompareRoutes(t, "routes.go", registered, "api/openapi.yaml", spectest.Operations(doc))
}

// wireTypes maps the schemas of the spec to the Go wire types they describe.
var wireTypes = []spectest.WireType{
	{Schema: "Contract", Type: reflect.TypeFor[api.Contract]()},
	{Schema: "Offer", Type: reflect.TypeFor[api.Offer]()},
	{Schema: "Customer", Type: reflect.TypeFor[api.Customer]()},
	{Schema: "Contact", Type: reflect.TypeFor[api.Contact]()},
	{Schema: "Document", Type: reflect.TypeFor[api.Document]()},
	{Schema: "NoDocuments", Type: reflect.TypeFor[api.NoDocuments]()},
	{Schema: "User", Type: reflect.TypeFor[api.User]()},
	{Schema: "Roles", Type: reflect.TypeFor[api.Roles]()},
	{Schema: "ContractOrder", Type: reflect.TypeFor[api.ContractOrder]()},
	{Schema: "ContractCreated", Type: reflect.TypeFor[api.ContractCreated]()},
	{Schema: "Token", Type: reflect.TypeFor[api.Token]()},
	{Schema: "OAuthError", Type: reflect.TypeFor[api.OAuthError]()},
	{Schema: "Error", Type: reflect.TypeFor[api.Error]()},
	{Schema: "Me", Type: reflect.TypeFor[api.Me]()},
	{Schema: "MeAccount", Type: reflect.TypeFor[api.MeAccount]()},
	{Schema: "MeKey", Type: reflect.TypeFor[api.MeKey]()},
	{Schema: "MeApplication", Type: reflect.TypeFor[api.MeApplication]()},
	{Schema: "MePerimeter", Type: reflect.TypeFor[api.MePerimeter]()},
	{Schema: "MeContract", Type: reflect.TypeFor[api.MeContract]()},
}

// TestOpenAPIWireTypes checks that each schema describes exactly the JSON shape of its Go type:
// the same member names, required exactly when the field is never omitted (no omitempty or
// omitzero), compatible types, and no other member allowed.
func TestOpenAPIWireTypes(t *testing.T) {
	doc := loadSpec(t)
	spectest.WireTypes(t, doc, wireTypes)
}

// wireCodes maps every error code of api.go to its message, as the table of doc/wire.md §2
// gives them.
var wireCodes = map[int]string{
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

// TestOpenAPIEnums checks the enums of the spec against the constants of api.go and the table
// of doc/wire.md §2.
func TestOpenAPIEnums(t *testing.T) {
	doc := loadSpec(t)
	schema := func(name string) *openapi3.Schema { return doc.Components.Schemas[name].Value }

	var wantCodes, wantMessages []string
	for c, m := range wireCodes {
		wantCodes = append(wantCodes, strconv.Itoa(c))
		wantMessages = append(wantMessages, m)
	}
	sort.Strings(wantCodes)
	sort.Strings(wantMessages)
	errSchema := schema("Error")
	if got := spectest.EnumStrings(errSchema.Properties["code"].Value); !slices.Equal(got, wantCodes) {
		t.Errorf("Error.code enum %q, want %q", got, wantCodes)
	}
	if got := spectest.EnumStrings(errSchema.Properties["message"].Value); !slices.Equal(got, wantMessages) {
		t.Errorf("Error.message enum %q, want %q", got, wantMessages)
	}

	checkDocumentTypes(t, doc)

	wantRoles := spectest.Sorted(api.RoleManager, api.RoleVisitor)
	if got := spectest.EnumStrings(schema("Role")); !slices.Equal(got, wantRoles) {
		t.Errorf("Role enum %q, want %q", got, wantRoles)
	}
	if got := spectest.EnumStrings(schema("Token").Properties["token_type"].Value); !slices.Equal(got, []string{"Bearer"}) {
		t.Errorf("Token.token_type enum %q, want [Bearer]", got)
	}
}

// checkDocumentTypes checks that the DocumentType schema and a document's documentType list
// exactly the document types of api.go, while the documentType query parameter takes any
// string (unknown values answer {"documents": null}) and its description names each value.
func checkDocumentTypes(t *testing.T, doc *openapi3.T) {
	wantTypes := spectest.Sorted(api.DocumentBills, api.DocumentInvoices, api.DocumentReports, api.DocumentPartialBills,
		api.DocumentConsumptionRatedReports, api.DocumentPartialConsumptionRatedReports)
	if got := spectest.EnumStrings(doc.Components.Schemas["DocumentType"].Value); !slices.Equal(got, wantTypes) {
		t.Errorf("DocumentType enum %q, want %q", got, wantTypes)
	}
	if got := spectest.EnumStrings(doc.Components.Schemas["Document"].Value.Properties["documentType"].Value); !slices.Equal(got, wantTypes) {
		t.Errorf("Document.documentType enum %q, want %q", got, wantTypes)
	}
	param := doc.Components.Parameters["DocumentType"].Value
	if len(param.Schema.Value.Enum) != 0 {
		t.Error("the documentType parameter must accept any string (no enum)")
	}
	for _, v := range append(wantTypes, "consumptionRatedReports", `{"documents": null}`) {
		if !strings.Contains(param.Description, "`"+v+"`") {
			t.Errorf("the documentType parameter's description does not mention `%s`", v)
		}
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

// TestOpenAPIResponses checks the rules of doc/wire.md that every operation must follow.
func TestOpenAPIResponses(t *testing.T) {
	doc := loadSpec(t)
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			checkOperation(t, path, method, op)
		}
	}
}

// checkOperation checks that an operation is documented, that each of its responses declares
// the headers and the error body the rules want, and that it declares every status its
// credentials, body and parameters can answer.
func checkOperation(t *testing.T, path, method string, op *openapi3.Operation) {
	v1 := strings.HasPrefix(path, api.BasePath+"/")
	name := method + " " + path
	spectest.RequireDocumented(t, name, op)
	authenticated := v1 && (op.Security == nil || len(*op.Security) > 0)
	responses := spectest.Responses(t, name, op)
	for status, resp := range responses {
		checkResponse(t, path, fmt.Sprintf("%s %d", name, status), status, resp)
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
	spectest.RequireStatuses(t, name, responses, need)
}

// checkResponse checks the headers that a response of this status requires on path, and that
// an error is the gateway envelope: every /cloud/b2b/v1 error, and every error anywhere but the
// token endpoint's OAuth ones and /readyz's 503.
func checkResponse(t *testing.T, path, where string, status int, resp *openapi3.Response) {
	v1 := strings.HasPrefix(path, api.BasePath+"/")
	token := path == api.TokenPath
	required := func(header string) { spectest.RequireHeader(t, where, resp, header) }
	required(api.HeaderRequestID)
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
	if status >= 400 && status != http.StatusPreconditionFailed && !(path == "/readyz" && status == 503) {
		want := "Error"
		if token && status != 429 { // server-side failures too (doc/decisions.md)
			want = "OAuthError"
		}
		spectest.RequireErrorBody(t, where, resp, want, want)
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
