// Operations and their valid requests.

package hostile_test

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/eccs/eccs/api"
	"github.com/eccs/eccs/api/admin"
	"github.com/eccs/eccs/internal/testkit/apitest"
	"github.com/eccs/eccs/internal/testkit/openapitest"
	"github.com/getkin/kin-openapi/openapi3"
)

type authKind int

const (
	authPublic   authKind = iota // no credentials
	authClient                   // the token endpoint: HTTP Basic client credentials
	authCustomer                 // Authorization: Bearer <access token> and X-API-Key
	authOperator                 // Authorization: Bearer <operator token>
)

type bodyKind int

const (
	noBody           bodyKind = iota
	jsonBody                  // a JSON object, required
	optionalJSONBody          // a JSON object of optional members: no body is valid too
	formBody                  // the token endpoint's form
	fileBody                  // an uploaded document file
)

// endpoint is one operation of the descriptions and its valid request.
type endpoint struct {
	method, path string // as in the description
	addr         string // the listener that serves it
	auth         authKind
	params       map[string]string // valid path parameters
	query        []queryPair       // valid query parameters
	contract     bool              // sends X-ECCS-Contract-Id: the sample contract
	bodyKind     bodyKind
	json         map[string]any // jsonBody, optionalJSONBody
	raw          []byte         // formBody, fileBody
	accept       string         // an Accept header, when the operation answers by it
	w            *world
	op           *openapi3.Operation
	pathItem     *openapi3.PathItem
	validator    *openapitest.Validator
}

type queryPair struct{ name, raw string } // raw: escaped as sent

// endpoints lists every operation of both descriptions with its valid request, in an order in
// which each succeeds after the ones before it (TestHostileBaseRequestsSucceed runs them so).
func (w *world) endpoints(t *testing.T) []*endpoint {
	list := slices.Concat(w.customerEndpoints(), w.catalogueEndpoints(), w.contractEndpoints(), w.accessEndpoints())
	for _, e := range list {
		w.complete(t, e)
	}
	return list
}

const v1, av1 = api.BasePath, admin.BasePath

// customer is an operation of the customer API, called with an access token and an API key.
func (w *world) customer(method, p string) *endpoint {
	return &endpoint{method: method, path: p, addr: w.customerAddr, auth: authCustomer}
}

// operator is an operation of the admin API, called with the operator token; params are its
// path parameters, name then value.
func (w *world) operator(method, p string, params ...string) *endpoint {
	e := &endpoint{method: method, path: p, addr: w.adminAddr, auth: authOperator, params: map[string]string{}}
	for i := 0; i+1 < len(params); i += 2 {
		e.params[params[i]] = params[i+1]
	}
	return e
}

func withJSON(e *endpoint, kind bodyKind, body map[string]any) *endpoint {
	e.bodyKind, e.json = kind, body
	return e
}

func withContract(e *endpoint) *endpoint { e.contract = true; return e }

// userPath names the sample contract in the path of a customer's user declaration.
func (w *world) userPath(e *endpoint) *endpoint {
	e.params = map[string]string{"contractId": w.sampleContractID}
	return e
}

// hostilePerson is the person member of a valid admin request.
func hostilePerson(first string) map[string]any {
	return map[string]any{"civility": "Mr", "lastName": "Hostile", "firstName": first,
		"email": strings.ToLower(first) + ".hostile@hostile.example", "fixPhone": "+33 1 23 45 67 89", "mobilePhone": "+33 6 12 34 56 78"}
}

// hostileRoles is the roles member of a valid admin request.
func hostileRoles() map[string]any {
	return map[string]any{"contracts": []any{"manager"}, "documents": []any{"visitor"}, "users": []any{"visitor"}}
}

func merged(base map[string]any, more map[string]any) map[string]any {
	out := maps.Clone(base)
	maps.Copy(out, more)
	return out
}

// customerEndpoints are the token endpoint, the customer API, its description and the health
// checks.
func (w *world) customerEndpoints() []*endpoint {
	c := w.customerAddr
	return []*endpoint{
		{method: "POST", path: api.TokenPath, addr: c, auth: authClient, bodyKind: formBody, raw: []byte("grant_type=client_credentials")},
		w.customer("GET", v1+"/contracts"),
		withJSON(w.customer("POST", v1+"/contracts"), jsonBody, w.customerOrder),
		withContract(w.customer("GET", v1+"/contract")),
		withJSON(w.customer("POST", v1+"/contract"), jsonBody, w.customerOrder),
		withJSON(w.userPath(w.customer("POST", v1+"/contract/{contractId}/user")), jsonBody, w.customerUserBody(1)),
		withJSON(w.userPath(w.customer("POST", v1+"/contract/{contractId}/users")), jsonBody, w.customerUserBody(2)),
		withJSON(w.userPath(w.customer("POST", v1+"/contracts/{contractId}/user")), jsonBody, w.customerUserBody(3)),
		withJSON(w.userPath(w.customer("POST", v1+"/contracts/{contractId}/users")), jsonBody, w.customerUserBody(4)),
		withContract(w.customer("GET", v1+"/documents")),
		withContract(w.customer("GET", v1+"/document")),
		withContract(w.customer("GET", v1+"/documents/{documentId}/file")),
		withContract(w.customer("GET", v1+"/document/{documentId}/file")),
		w.customer("GET", v1+"/me"),
		{method: "GET", path: v1 + "/openapi.yaml", addr: c},
		{method: "GET", path: "/healthz", addr: c},
		{method: "GET", path: "/readyz", addr: c},
	}
}

// catalogueEndpoints are the admin API's description, customers, billing accounts and offers.
func (w *world) catalogueEndpoints() []*endpoint {
	return []*endpoint{
		{method: "GET", path: av1 + "/openapi.yaml", addr: w.adminAddr},
		withJSON(w.operator("POST", av1+"/customers"), jsonBody, map[string]any{"id": "HOSTILE-CUSTOMER", "name": "Hostile Customer", "segment": w.segment}),
		w.operator("GET", av1+"/customers"),
		w.operator("GET", av1+"/customers/{id}", "id", w.customerID),
		withJSON(w.operator("PATCH", av1+"/customers/{id}", "id", w.customerID), jsonBody, map[string]any{"name": "Renamed Customer", "segment": w.segment}),
		withJSON(w.operator("POST", av1+"/billing-accounts"), jsonBody, map[string]any{"id": "HOSTILE-BA", "customerId": w.customerID, "name": "Hostile billing account"}),
		w.operator("GET", av1+"/billing-accounts"),
		withJSON(w.operator("PATCH", av1+"/billing-accounts/{id}", "id", w.billingAccountID), jsonBody, map[string]any{"name": "Renamed billing account"}),
		withJSON(w.operator("POST", av1+"/offers"), jsonBody, map[string]any{"id": "HOSTILE-OFFER", "name": "Hostile offer", "contractType": w.contractType, "supportLevels": []any{w.level}}),
		w.operator("GET", av1+"/offers"),
		withJSON(w.operator("PATCH", av1+"/offers/{id}", "id", w.offerID), jsonBody, map[string]any{"name": "Renamed offer", "contractType": w.contractType, "supportLevels": []any{w.level}}),
	}
}

// contractEndpoints are the admin API's contracts, their users and documents, and people.
func (w *world) contractEndpoints() []*endpoint {
	docs := "/contracts/{id}/documents"
	uploadQuery := []queryPair{{"type", uploadType}, {"period", uploadPeriod}, {"amount", "12.34"}, {"currency", "EUR"},
		{"filename", "hostile-upload.csv"}, {"createdAt", "2026-06-01T10%3A00%3A00Z"}}
	o := w.adminAddr
	return []*endpoint{
		withJSON(w.operator("POST", av1+"/contracts"), jsonBody, map[string]any{
			"id": "HOSTILE-3", "name": "Hostile contract", "offerId": w.offerID, "billingAccountId": w.billingAccountID,
			"supportLevel": w.level, "contractType": w.contractType, "platformId": "PLATFORM-1", "referent": hostilePerson("Harry"),
			"referentLogin": "harry.hostile", "referenceExt": []any{"REF-1", "REF-2"}, "createdAt": "2026-01-02T03:04:05Z",
			"customer": map[string]any{"id": w.customerID, "name": "Hostile Customer", "segment": w.segment}, "billingAccountName": "Hostile billing account"}),
		w.operator("GET", av1+"/contracts"),
		w.operator("GET", av1+"/contracts/{id}", "id", w.contractID),
		withJSON(w.operator("PATCH", av1+"/contracts/{id}", "id", w.contractID), jsonBody, map[string]any{
			"name": "Renamed contract", "contractType": w.contractType, "platformId": "PLATFORM-2", "supportLevel": w.level, "referenceExt": []any{"REF-3"}}),
		withJSON(w.operator("POST", av1+"/contracts/{id}/users", "id", w.contractID), jsonBody, merged(hostilePerson("Helen"), map[string]any{"login": "helen.hostile", "roles": hostileRoles()})),
		w.operator("GET", av1+"/contracts/{id}/users", "id", w.contractID),
		withJSON(w.operator("PUT", av1+"/contracts/{id}/users/{identityId}/roles", "id", w.contractID, "identityId", w.userIdentityID), jsonBody, map[string]any{"roles": hostileRoles()}),
		w.operator("DELETE", av1+"/contracts/{id}/users/{identityId}", "id", w.contractID, "identityId", w.userIdentityID),
		withJSON(w.operator("PUT", av1+"/contracts/{id}/referent", "id", w.contractID), jsonBody, map[string]any{"email": w.referentEmail, "removePrevious": false}),
		w.operator("GET", av1+docs, "id", w.contractID),
		{method: "POST", path: av1 + docs, addr: o, auth: authOperator, params: map[string]string{"id": w.contractID}, query: uploadQuery, bodyKind: fileBody, raw: w.uploadFile},
		w.operator("GET", av1+docs+"/{documentId}/file", "id", w.sampleContractID, "documentId", w.sampleDocumentID),
		{method: "PUT", path: av1 + docs + "/{documentId}/file", addr: o, auth: authOperator, params: map[string]string{"id": w.sampleContractID, "documentId": w.sampleDocumentID},
			query: []queryPair{{"period", "202601"}, {"amount", "-1.5"}, {"currency", "USD"}, {"filename", "hostile-replaced.xlsx"}}, bodyKind: fileBody, raw: w.sampleDocumentFile},
		w.operator("DELETE", av1+docs+"/{documentId}", "id", w.contractID, "documentId", w.deletableDocID),
		w.operator("POST", av1+"/contracts/{id}/close", "id", w.closableID),
		w.operator("GET", av1+"/people/{ref}", "ref", w.referentEmail),
		withJSON(w.operator("PATCH", av1+"/people/{ref}", "ref", w.referentEmail), jsonBody, map[string]any{"mobilePhone": "+33 6 00 00 00 01", "civility": "Mrs"}),
	}
}

// accessEndpoints are the admin API's accounts, keys, applications, operator tokens and audit
// trail, and the claim links.
func (w *world) accessEndpoints() []*endpoint {
	c := w.customerAddr
	return []*endpoint{
		withJSON(w.operator("POST", av1+"/accounts"), jsonBody, map[string]any{"type": "administrator", "person": hostilePerson("Henry"), "login": "henry.hostile",
			"perimeter": map[string]any{"billingAccountIds": []any{w.billingAccountID}, "offerIds": []any{w.offerID}},
			"issueKey":  map[string]any{"ttl": "720h", "claimLink": true, "claimTtl": "1h"}}),
		w.operator("GET", av1+"/accounts"),
		w.operator("GET", av1+"/accounts/{id}", "id", w.clientAccountID),
		withJSON(w.operator("PUT", av1+"/accounts/{id}/perimeter", "id", w.adminAccountID), jsonBody, map[string]any{"billingAccountIds": []any{w.billingAccountID}, "offerIds": []any{w.offerID}}),
		withJSON(w.operator("POST", av1+"/accounts/{id}/keys", "id", w.clientAccountID), optionalJSONBody, map[string]any{"ttl": "720h", "claimLink": true, "claimTtl": "1h"}),
		withJSON(w.operator("POST", av1+"/accounts/{id}/invitations", "id", w.clientAccountID), optionalJSONBody, map[string]any{"language": "en"}),
		w.operator("GET", av1+"/keys"),
		w.operator("GET", av1+"/keys/{id}", "id", w.keyID),
		withJSON(w.operator("POST", av1+"/keys/{id}/rotate", "id", w.keyID), optionalJSONBody, map[string]any{"overlap": "1h", "ttl": "720h", "claimLink": true, "claimTtl": "1h"}),
		w.operator("POST", av1+"/keys/{id}/revoke", "id", w.keyID),
		withJSON(w.operator("POST", av1+"/applications"), jsonBody, map[string]any{"name": "Hostile app", "subscription": "approved", "claimLink": true, "claimTtl": "1h"}),
		w.operator("GET", av1+"/applications"),
		w.operator("GET", av1+"/applications/{id}", "id", w.applicationID),
		withJSON(w.operator("PUT", av1+"/applications/{id}/status", "id", w.applicationID), jsonBody, map[string]any{"status": "blocked"}),
		withJSON(w.operator("PUT", av1+"/applications/{id}/subscription", "id", w.applicationID), jsonBody, map[string]any{"subscription": "approved"}),
		withJSON(w.operator("POST", av1+"/applications/{id}/terms", "id", w.applicationID), jsonBody, map[string]any{"acceptedBy": "Hostile Tester"}),
		withJSON(w.operator("POST", av1+"/applications/{id}/rotate-secret", "id", w.applicationID), optionalJSONBody, map[string]any{"overlap": "1h", "claimLink": true, "claimTtl": "1h"}),
		w.operator("DELETE", av1+"/applications/{id}", "id", w.applicationID),
		withJSON(w.operator("POST", av1+"/operator-tokens"), jsonBody, map[string]any{"name": "Hostile token", "ttl": "1h"}),
		w.operator("GET", av1+"/operator-tokens"),
		w.operator("POST", av1+"/operator-tokens/{id}/revoke", "id", w.operatorTokenID),
		w.operator("GET", av1+"/audit"),
		{method: "GET", path: admin.ClaimPath + "/{token}", addr: c, params: map[string]string{"token": w.claimToken}, accept: "application/json"},
		{method: "POST", path: admin.ClaimPath + "/{token}", addr: c, params: map[string]string{"token": w.claimToken}, accept: "application/json"},
	}
}

// complete gives e its world, the sample document in a customer path, and the description of
// its operation.
func (w *world) complete(t *testing.T, e *endpoint) {
	e.w = w
	if strings.Contains(e.path, "{contractId}") || strings.HasPrefix(e.path, v1+"/document") {
		if e.params == nil {
			e.params = map[string]string{}
		}
		if strings.Contains(e.path, "{documentId}") {
			e.params["documentId"] = w.sampleDocumentID
		}
	}
	e.validator = openapitest.New(t)
	if strings.HasPrefix(e.path, av1) || strings.HasPrefix(e.path, admin.ClaimPath) {
		e.validator = openapitest.NewAdmin(t)
	}
	e.pathItem = e.validator.Doc().Paths.Find(e.path)
	if e.pathItem != nil {
		e.op = e.pathItem.GetOperation(e.method)
	}
}

// checkCoverage fails the test unless the table holds every operation of both
// descriptions, and nothing else. (The descriptions and the routes are held equal by
// internal/testkit/openapitest's TestServerAgainstSpec and TestAdminServerAgainstSpec.)
func checkCoverage(t *testing.T, endpoints []*endpoint) {
	t.Helper()
	inTable := map[string]bool{}
	for _, e := range endpoints {
		key := e.method + " " + e.path
		if e.op == nil {
			t.Errorf("the hostile table has %s, which no description has", key)
		}
		if inTable[key] {
			t.Errorf("the hostile table has %s twice", key)
		}
		inTable[key] = true
	}
	for _, v := range []*openapitest.Validator{openapitest.New(t), openapitest.NewAdmin(t)} {
		for p, item := range v.Doc().Paths.Map() {
			for method := range item.Operations() {
				if !inTable[method+" "+p] {
					t.Errorf("%s %s is described but not in the hostile table (world.endpoints): give it a valid request", method, p)
				}
			}
		}
	}
}

// request returns the operation's valid request.
func (e *endpoint) validRequest() request {
	r := request{method: e.method, target: e.target(e.params, e.query)}
	switch e.auth {
	case authClient:
		r.header = append(r.header, headerField{"Authorization", apitest.Basic(e.w.clientID, e.w.clientSecret)})
	case authCustomer:
		r.header = append(r.header, headerField{"Authorization", "Bearer " + e.w.accessToken},
			headerField{api.HeaderAPIKey, e.w.apiKey})
	case authOperator:
		r.header = append(r.header, headerField{"Authorization", "Bearer " + e.w.operatorToken})
	}
	if e.contract {
		r.header = append(r.header, headerField{api.HeaderContractID, e.w.sampleContractID})
	}
	if e.accept != "" {
		r.header = append(r.header, headerField{"Accept", e.accept})
	}
	switch e.bodyKind {
	case jsonBody, optionalJSONBody:
		r.header = append(r.header, headerField{"Content-Type", "application/json"})
		r.body = mustMarshal(e.json)
	case formBody:
		r.header = append(r.header, headerField{"Content-Type", "application/x-www-form-urlencoded"})
		r.body = e.raw
	case fileBody:
		r.header = append(r.header, headerField{"Content-Type", "application/octet-stream"})
		r.body = e.raw
	}
	return r
}

// target returns the request-target with these (already escaped) path parameters and query.
func (e *endpoint) target(params map[string]string, query []queryPair) string {
	p := e.path
	for name, value := range params {
		p = strings.ReplaceAll(p, "{"+name+"}", value)
	}
	if len(query) == 0 {
		return p
	}
	pairs := make([]string, len(query))
	for i, q := range query {
		pairs[i] = q.name + "=" + q.raw
	}
	return p + "?" + strings.Join(pairs, "&")
}

// parameters returns the parameters of e's operation and path.
func (e *endpoint) parameters() []*openapi3.Parameter {
	var out []*openapi3.Parameter
	for _, refs := range []openapi3.Parameters{e.pathItem.Parameters, e.op.Parameters} {
		for _, ref := range refs {
			out = append(out, ref.Value)
		}
	}
	return out
}

func mustMarshal(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}
