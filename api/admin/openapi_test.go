package admin_test

import (
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/eccs/eccs/api"
	"github.com/eccs/eccs/api/admin"
	"github.com/eccs/eccs/internal/testkit/spectest"
)

// loadSpec loads and validates admin.OpenAPI.
func loadSpec(t *testing.T) *openapi3.T {
	t.Helper()
	return spectest.Load(t, admin.OpenAPI, "api/admin/openapi.yaml")
}

func TestOpenAPIValid(t *testing.T) {
	doc := loadSpec(t)
	if doc.Components.SecuritySchemes["operatorToken"] == nil {
		t.Error("no operatorToken security scheme")
	}
	for path := range doc.Paths.Map() {
		if !strings.HasPrefix(path, admin.BasePath+"/") && !strings.HasPrefix(path, admin.ClaimPath+"/") {
			t.Errorf("%s is neither under %s nor a claim link", path, admin.BasePath)
		}
	}
}

// TestOpenAPIRoutes checks that the spec describes exactly the routes that the adminRoutes and
// claimRoutes functions of internal/httpapi/routes.go register, both ways. The routes are
// unexported: spectest.Routes reads routes.go's source, as api/openapi_test.go does for the
// customer API, and evaluates every r.add(method, path, handler) call of those functions
// (paths of string literals, admin.BasePath, admin.ClaimPath and local string constants); a
// call it cannot evaluate fails the test rather than silently skipping a route.
func TestOpenAPIRoutes(t *testing.T) {
	doc := loadSpec(t)
	registered := spectest.Routes(t, "../../internal/httpapi/routes.go", map[string]string{
		"admin.BasePath": admin.BasePath, "admin.ClaimPath": admin.ClaimPath,
	}, "adminRoutes", "claimRoutes")
	if len(registered) < 40 {
		t.Fatalf("found only %d routes in adminRoutes and claimRoutes", len(registered))
	}
	spectest.CompareRoutes(t, "routes.go", registered, "api/admin/openapi.yaml", spectest.Operations(doc))
}

// wireTypes maps the schemas of the spec to the Go wire types they describe.
var wireTypes = []spectest.WireType{
	{Schema: "Customer", Type: reflect.TypeFor[admin.Customer]()},
	{Schema: "CustomerUpdate", Type: reflect.TypeFor[admin.CustomerUpdate]()},
	{Schema: "BillingAccount", Type: reflect.TypeFor[admin.BillingAccount]()},
	{Schema: "BillingAccountUpdate", Type: reflect.TypeFor[admin.BillingAccountUpdate]()},
	{Schema: "Offer", Type: reflect.TypeFor[admin.Offer]()},
	{Schema: "OfferUpdate", Type: reflect.TypeFor[admin.OfferUpdate]()},
	{Schema: "Person", Type: reflect.TypeFor[admin.Person]()},
	{Schema: "Identity", Type: reflect.TypeFor[admin.Identity]()},
	{Schema: "Roles", Type: reflect.TypeFor[admin.Roles]()},
	{Schema: "NewContract", Type: reflect.TypeFor[admin.NewContract]()},
	{Schema: "Contract", Type: reflect.TypeFor[admin.Contract]()},
	{Schema: "ContractUpdate", Type: reflect.TypeFor[admin.ContractUpdate]()},
	{Schema: "ReferentChange", Type: reflect.TypeFor[admin.ReferentChange]()},
	{Schema: "NewUser", Type: reflect.TypeFor[admin.NewUser]()},
	{Schema: "User", Type: reflect.TypeFor[admin.User]()},
	{Schema: "RolesChange", Type: reflect.TypeFor[admin.RolesChange]()},
	{Schema: "PersonUpdate", Type: reflect.TypeFor[admin.PersonUpdate]()},
	{Schema: "Perimeter", Type: reflect.TypeFor[admin.Perimeter]()},
	{Schema: "NewAccount", Type: reflect.TypeFor[admin.NewAccount]()},
	{Schema: "Account", Type: reflect.TypeFor[admin.Account]()},
	{Schema: "KeyRequest", Type: reflect.TypeFor[admin.KeyRequest]()},
	{Schema: "KeyRotation", Type: reflect.TypeFor[admin.KeyRotation]()},
	{Schema: "APIKey", Type: reflect.TypeFor[admin.APIKey]()},
	{Schema: "IssuedKey", Type: reflect.TypeFor[admin.IssuedKey]()},
	{Schema: "Invitation", Type: reflect.TypeFor[admin.Invitation]()},
	{Schema: "InvitationRequest", Type: reflect.TypeFor[admin.InvitationRequest]()},
	{Schema: "Claim", Type: reflect.TypeFor[admin.Claim]()},
	{Schema: "ClaimedSecret", Type: reflect.TypeFor[admin.ClaimedSecret]()},
	{Schema: "ClaimInfo", Type: reflect.TypeFor[admin.ClaimInfo]()},
	{Schema: "NewApplication", Type: reflect.TypeFor[admin.NewApplication]()},
	{Schema: "Application", Type: reflect.TypeFor[admin.Application]()},
	{Schema: "IssuedApplication", Type: reflect.TypeFor[admin.IssuedApplication]()},
	{Schema: "StatusChange", Type: reflect.TypeFor[admin.StatusChange]()},
	{Schema: "SubscriptionChange", Type: reflect.TypeFor[admin.SubscriptionChange]()},
	{Schema: "TermsAcceptance", Type: reflect.TypeFor[admin.TermsAcceptance]()},
	{Schema: "SecretRotation", Type: reflect.TypeFor[admin.SecretRotation]()},
	{Schema: "Document", Type: reflect.TypeFor[admin.Document]()},
	{Schema: "NewOperatorToken", Type: reflect.TypeFor[admin.NewOperatorToken]()},
	{Schema: "OperatorToken", Type: reflect.TypeFor[admin.OperatorToken]()},
	{Schema: "IssuedOperatorToken", Type: reflect.TypeFor[admin.IssuedOperatorToken]()},
	{Schema: "AuditEvent", Type: reflect.TypeFor[admin.AuditEvent]()},
	{Schema: "CustomerList", Type: reflect.TypeFor[admin.List[admin.Customer]]()},
	{Schema: "BillingAccountList", Type: reflect.TypeFor[admin.List[admin.BillingAccount]]()},
	{Schema: "OfferList", Type: reflect.TypeFor[admin.List[admin.Offer]]()},
	{Schema: "ContractList", Type: reflect.TypeFor[admin.List[admin.Contract]]()},
	{Schema: "UserList", Type: reflect.TypeFor[admin.List[admin.User]]()},
	{Schema: "DocumentList", Type: reflect.TypeFor[admin.List[admin.Document]]()},
	{Schema: "AccountList", Type: reflect.TypeFor[admin.List[admin.Account]]()},
	{Schema: "APIKeyList", Type: reflect.TypeFor[admin.List[admin.APIKey]]()},
	{Schema: "ApplicationList", Type: reflect.TypeFor[admin.List[admin.Application]]()},
	{Schema: "OperatorTokenList", Type: reflect.TypeFor[admin.List[admin.OperatorToken]]()},
	{Schema: "AuditEventList", Type: reflect.TypeFor[admin.List[admin.AuditEvent]]()},
	{Schema: "Error", Type: reflect.TypeFor[api.Error]()},
}

// TestOpenAPIWireTypes checks that each schema describes exactly the JSON shape of its Go type
// in api/admin/admin.go: the same member names, required exactly when the field is never
// omitted, compatible types, and no other member allowed.
func TestOpenAPIWireTypes(t *testing.T) {
	doc := loadSpec(t)
	spectest.WireTypes(t, doc, wireTypes)
	mapped := map[string]bool{}
	for _, w := range wireTypes {
		mapped[w.Schema] = true
	}
	// Every object schema of the components is a wire type (the error specialisations are
	// allOf the envelope).
	for name, ref := range doc.Components.Schemas {
		if !mapped[name] && !strings.HasPrefix(name, "Error") {
			t.Errorf("schema %s describes no type of api/admin/admin.go; map it in wireTypes", name)
		}
		if strings.HasPrefix(name, "Error") && name != "Error" && !spectest.ErrorSchemaIs(ref, "Error") {
			t.Errorf("schema %s is not allOf the Error envelope", name)
		}
	}
}

// TestOpenAPIEnums checks the enums of the spec against the constants of admin.go and api.go.
func TestOpenAPIEnums(t *testing.T) {
	doc := loadSpec(t)
	prop := func(schema, name string) []string {
		return spectest.EnumStrings(doc.Components.Schemas[schema].Value.Properties[name].Value)
	}
	statuses := spectest.Sorted(admin.StatusActive, admin.StatusSuspended, admin.StatusBlocked, admin.StatusDeleted)
	if got := prop("Application", "status"); !slices.Equal(got, statuses) {
		t.Errorf("Application.status enum %q, want %q", got, statuses)
	}
	if got, want := prop("StatusChange", "status"), spectest.Sorted(admin.StatusActive, admin.StatusSuspended, admin.StatusBlocked); !slices.Equal(got, want) {
		t.Errorf("StatusChange.status enum %q, want %q", got, want)
	}
	subs := spectest.Sorted(admin.SubscriptionPending, admin.SubscriptionApproved, admin.SubscriptionRejected, admin.SubscriptionSuspended)
	if got := prop("SubscriptionChange", "subscription"); !slices.Equal(got, subs) {
		t.Errorf("SubscriptionChange.subscription enum %q, want %q", got, subs)
	}
	// Applications created without a subscription state by the dev seed or the domain may be
	// in "none", which admin.go has no constant for.
	if got := prop("Application", "subscription"); !slices.Equal(got, spectest.Sorted(append(subs, "none")...)) {
		t.Errorf("Application.subscription enum %q, want %q and none", got, subs)
	}
	accounts := spectest.Sorted(admin.AccountClient, admin.AccountAdministrator)
	for _, schema := range []string{"Account", "NewAccount"} {
		if got := prop(schema, "type"); !slices.Equal(got, accounts) {
			t.Errorf("%s.type enum %q, want %q", schema, got, accounts)
		}
	}
	docTypes := spectest.Sorted(api.DocumentBills, api.DocumentInvoices, api.DocumentReports, api.DocumentPartialBills,
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

// secretSchemas are the answers that hold a secret: they must be declared no-store.
var secretSchemas = []string{"IssuedKey", "IssuedApplication", "IssuedOperatorToken", "ClaimedSecret"}

// TestOpenAPIResponses checks the rules every operation follows.
func TestOpenAPIResponses(t *testing.T) {
	doc := loadSpec(t)
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			checkOperation(t, path, method, op)
		}
	}
}

// checkOperation checks that an operation is documented, that a claim link needs no
// credentials, that each of its responses declares the headers and the error body the rules
// want, and that it declares every status its credentials, body and parameters can answer.
func checkOperation(t *testing.T, path, method string, op *openapi3.Operation) {
	claim := strings.HasPrefix(path, admin.ClaimPath+"/")
	name := method + " " + path
	spectest.RequireDocumented(t, name, op)
	authenticated := op.Security == nil || len(*op.Security) > 0
	if claim && authenticated {
		t.Errorf("%s: claim links need no credentials (security: [])", name)
	}
	responses := spectest.Responses(t, name, op)
	for status, resp := range responses {
		checkResponse(t, claim, fmt.Sprintf("%s %d", name, status), status, resp)
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
	spectest.RequireStatuses(t, name, responses, need)
}

// checkResponse checks the headers that a response of this status requires (claim: of a claim
// link), that an answer holding a secret or a claim page is not cached, and that an error is
// the Error envelope.
func checkResponse(t *testing.T, claim bool, where string, status int, resp *openapi3.Response) {
	required := func(header string) { spectest.RequireHeader(t, where, resp, header) }
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
		spectest.RequireErrorBody(t, where, resp, "Error", "the Error envelope")
	}
}
