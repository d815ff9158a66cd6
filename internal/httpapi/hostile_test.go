package httpapi_test

// The hostile-input suite (doc/reliability.md). For every operation of api/openapi.yaml (the
// customer API and the token endpoint) and api/admin/openapi.yaml (the admin API and the claim
// links), it starts from a valid request with valid credentials (TestHostileBaseRequestsSucceed
// proves each one succeeds) and spoils it one way at a time: credentials and headers missing,
// sent twice, oversized, with NUL bytes or invalid UTF-8; bodies empty, truncated, huge, deeply
// nested, of the wrong type, with unknown members, and every member of the request schema given
// a wrong type or a hostile string; path parameters with traversal, NUL bytes, invalid UTF-8 and
// 16 KiB; every query parameter empty, twice, negative, overflowing, malformed; malformed Range
// and conditional headers; methods the path does not serve; very long URLs; and a few requests
// that break HTTP itself. Each request goes over real TCP on loopback, written byte for byte,
// so that nothing is cleaned up by a client library on the way.
//
// Every answer must be a 4xx in the contract's envelope (the OAuth shape on the token endpoint),
// allowed by the OpenAPI description, within hostileDeadline; a case whose input is legitimately
// accepted says so, and why. The database (every table's checksum), the document store (every
// file's SHA-256) and the upload spool are compared before and after the whole table.

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/url"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/eccs/eccs/api"
	"github.com/eccs/eccs/api/admin"
	"github.com/eccs/eccs/internal/sqlstore"
	"github.com/eccs/eccs/internal/testkit/apitest"
	"github.com/eccs/eccs/internal/testkit/openapitest"
)

// hostileDeadline bounds every hostile request, from connecting to the last byte of the
// answer: a server that hangs fails its case instead of the whole run.
const hostileDeadline = 20 * time.Second

// hostileWorkers is how many hostile requests are in flight at once.
const hostileWorkers = 8

// hostileUploadLimit is the upload bound of the suite's admin listener: small, so that an
// oversized upload costs little.
const hostileUploadLimit = 256 << 10

// TestHostileInputIsRefusedAndChangesNothing sends the whole hostile table and checks every
// answer, then that the database, the document store and the upload spool are unchanged.
func TestHostileInputIsRefusedAndChangesNothing(t *testing.T) {
	a, w := newHostileWorld(t)
	endpoints := w.endpoints(t)
	checkHostileCoverage(t, endpoints)
	cases := hostileCases(w, endpoints)

	before := takeHostileSnapshot(t, a)
	start := time.Now()
	results := runHostile(cases)
	elapsed := time.Since(start)
	after := takeHostileSnapshot(t, a)

	statuses := map[int]int{}
	byNetHTTP := map[string]int{} // what net/http refused itself, before any handler
	failed := 0
	for i, c := range cases {
		r := results[i]
		statuses[r.answer.status]++
		if r.answer.status != 0 && r.answer.header.Get(api.HeaderRequestID) == "" {
			byNetHTTP[fmt.Sprintf("%s (%d)", strings.TrimPrefix(c.what, c.ep.path), r.answer.status)]++
		}
		if len(r.problems) > 0 {
			failed++
			t.Errorf("%s\n\tsent: %s\n\tgot:  %s\n\t%s", c.name(), c.req.summary(), r.answer.summary(), strings.Join(r.problems, "\n\t"))
		}
	}
	var dist []string
	for _, s := range slices.Sorted(maps.Keys(statuses)) {
		dist = append(dist, fmt.Sprintf("%d×%d", statuses[s], s))
	}
	t.Logf("%d hostile requests on %d operations in %s (%d failed); statuses: %s",
		len(cases), len(endpoints), elapsed.Round(time.Millisecond), failed, strings.Join(dist, " "))
	var refused []string
	for _, what := range slices.Sorted(maps.Keys(byNetHTTP)) {
		refused = append(refused, fmt.Sprintf("%d× %s", byNetHTTP[what], what))
	}
	t.Logf("refused by net/http itself: %s", strings.Join(refused, "; "))
	slowest := make([]int, len(cases))
	for i := range slowest {
		slowest[i] = i
	}
	sort.Slice(slowest, func(i, j int) bool { return results[slowest[i]].answer.elapsed > results[slowest[j]].answer.elapsed })
	for _, i := range slowest[:min(5, len(slowest))] {
		t.Logf("slow: %s in %s", cases[i].name(), results[i].answer.elapsed.Round(time.Millisecond))
	}

	after.mustEqual(t, before)
}

// TestHostileBaseRequestsSucceed sends the valid request of every operation, unspoilt, to a
// world of its own: each must succeed, so that every hostile case of the table differs from a
// request the server accepts by its hostile part alone.
func TestHostileBaseRequestsSucceed(t *testing.T) {
	_, w := newHostileWorld(t)
	for _, ep := range w.endpoints(t) {
		ans, err := sendHostile(ep.addr, ep.request())
		if err != nil {
			t.Errorf("%s %s: %v", ep.method, ep.path, err)
			continue
		}
		if ans.status < 200 || ans.status > 299 {
			t.Errorf("%s %s: the valid request answers %s", ep.method, ep.path, ans.summary())
		}
		if err := ep.validator.Validate(ep.request().httpRequest(ep.addr), ans.status, ans.header, ans.body); err != nil {
			t.Errorf("%v", err)
		}
	}
}

// --- The world the requests act on. ---

// hostileWorld holds the listeners, credentials and ids that make valid requests. Objects that
// valid requests would destroy or change (an application, a key, an operator token, a contract
// with two users and a document, a claim link) are made fresh for them.
type hostileWorld struct {
	t            *testing.T
	customerAddr string // host:port of the customer listener (and the claim links)
	adminAddr    string // host:port of the admin listener

	clientID, clientSecret string
	accessToken            string
	apiKey                 string // the administrator account's key
	operatorToken          string

	customerID, segment          string
	billingAccountID             string
	offerID, contractType, level string

	sampleContractID   string // visible to the administrator key, manager everywhere
	sampleDocumentID   string
	sampleDocumentFile []byte // valid new bytes for the sample document

	contractID       string // a fresh contract: updates, users, referent, documents
	closableID       string // a fresh contract to close
	referentEmail    string // a user of contractID who may become its referent
	userIdentityID   string // another user of contractID: roles, removal
	deletableDocID   string // a document of contractID
	uploadFile       []byte // a valid file for contractID, period uploadPeriod
	clientAccountID  string
	adminAccountID   string
	keyID            string
	applicationID    string
	operatorTokenID  string
	claimToken       string
	customerOrder    map[string]any // a valid POST /contract body
	customerUserBody func(i int) map[string]any
}

const (
	hostileUploadType   = "comsumptionRatedReports"
	hostileUploadPeriod = "202605"
)

// newHostileWorld starts an admin env (customer and admin listeners on one service) and makes
// the fresh objects; every change it makes happens before any snapshot.
func newHostileWorld(t *testing.T) (*apitest.AdminEnv, *hostileWorld) {
	t.Helper()
	a := apitest.NewAdminEnv(t, apitest.WithMaxUpload(hostileUploadLimit))
	w := &hostileWorld{t: t, clientID: a.Creds.ClientID, clientSecret: a.Creds.ClientSecret,
		apiKey: a.Creds.APIKeys.Administrator, operatorToken: a.OperatorToken,
		billingAccountID: a.Creds.BillingAccountID, offerID: a.Creds.OfferCode, level: a.Creds.SupportLevel,
		sampleContractID: a.Creds.SampleContractID, sampleDocumentID: a.Creds.SampleDocumentID}
	w.customerAddr = hostPort(t, a.URL)
	w.adminAddr = hostPort(t, a.AdminURL)
	w.accessToken = a.Env.Token()

	customers := apitest.OK[admin.List[admin.Customer]](t, a.Call("GET", "/customers?limit=1", nil), 200)
	if len(customers.Items) == 0 {
		t.Fatal("the seeded world has no customer")
	}
	w.customerID, w.segment = customers.Items[0].ID, customers.Items[0].Segment
	for _, o := range apitest.OK[admin.List[admin.Offer]](t, a.Call("GET", "/offers", nil), 200).Items {
		if o.ID == w.offerID {
			w.contractType = o.ContractType
		}
	}
	for _, acct := range apitest.OK[admin.List[admin.Account]](t, a.Call("GET", "/accounts?limit=1000", nil), 200).Items {
		switch {
		case acct.Type == "client" && w.clientAccountID == "":
			w.clientAccountID = acct.ID
		case acct.Type == "administrator" && w.adminAccountID == "":
			w.adminAccountID = acct.ID
		}
	}
	for _, d := range apitest.OK[admin.List[admin.Document]](t, a.Call("GET", "/contracts/"+w.sampleContractID+"/documents?limit=1000", nil), 200).Items {
		if d.ID == w.sampleDocumentID {
			w.sampleDocumentFile = apitest.GeneratedFile(t, d.DocumentType, d.ContractID, d.Period, "hostile replacement")
		}
	}
	if w.contractType == "" || w.clientAccountID == "" || w.adminAccountID == "" || w.sampleDocumentFile == nil {
		t.Fatalf("the seeded world lacks an offer, an account of each type or the sample document: %+v", w)
	}

	// The fresh objects.
	newContract := func(id, who string) admin.Contract {
		return apitest.OK[admin.Contract](t, a.Call("POST", "/contracts", admin.NewContract{
			ID: id, Name: "Hostile " + id, OfferID: w.offerID, BillingAccountID: w.billingAccountID, SupportLevel: w.level,
			Referent: admin.Person{LastName: "Referent", FirstName: who, Email: strings.ToLower(who) + ".referent@hostile.example"},
		}), 201)
	}
	w.contractID = newContract("HOSTILE-1", "Rita").ID
	w.closableID = newContract("HOSTILE-2", "Carl").ID
	addUser := func(first string) admin.User {
		return apitest.OK[admin.User](t, a.Call("POST", "/contracts/"+w.contractID+"/users", map[string]any{
			"lastName": "User", "firstName": first, "email": strings.ToLower(first) + ".user@hostile.example",
			"login": strings.ToLower(first) + ".user.hostile", "roles": map[string][]string{"contracts": {"visitor"}},
		}), 201)
	}
	w.referentEmail = addUser("Rebecca").Identity.Email
	w.userIdentityID = addUser("Ulrich").Identity.ID
	csv := apitest.GeneratedFile(t, hostileUploadType, w.contractID, "202604", "hostile setup")
	w.deletableDocID = apitest.OK[admin.Document](t, a.Upload("POST", "/contracts/"+w.contractID+"/documents?type="+hostileUploadType+"&period=202604&amount=1&currency=EUR", csv), 201).ID
	w.uploadFile = apitest.GeneratedFile(t, hostileUploadType, w.contractID, hostileUploadPeriod, "hostile upload")
	if len(w.uploadFile) > hostileUploadLimit || len(w.sampleDocumentFile) > hostileUploadLimit {
		t.Fatalf("a valid file is larger than the suite's upload limit (%d, %d bytes)", len(w.uploadFile), len(w.sampleDocumentFile))
	}
	w.keyID = a.IssueKey(w.clientAccountID, admin.KeyRequest{}).APIKey.ID
	w.claimToken = path.Base(a.IssueKey(w.clientAccountID, admin.KeyRequest{ClaimLink: true}).Claim.URL)
	w.applicationID = apitest.OK[admin.IssuedApplication](t, a.Call("POST", "/applications", admin.NewApplication{Name: "Hostile fresh app"}), 201).Application.ID
	w.operatorTokenID = apitest.OK[admin.IssuedOperatorToken](t, a.Call("POST", "/operator-tokens", admin.NewOperatorToken{Name: "hostile fresh token"}), 201).OperatorToken.ID

	w.customerOrder = map[string]any{
		"billingAccountId": w.billingAccountID, "offerCode": w.offerID, "contractName": "Hostile order",
		"supportLevel": w.level, "referentCivility": "Mr", "referentName": "Orderer", "referentFirstName": "Oscar",
		"referentMail": "oscar.orderer@hostile.example", "referentFixPhone": "+33 1 23 45 67 89",
		"referentMobilePhone": "+33 6 12 34 56 78", "referenceExt1": "REF-1", "referenceExt2": "REF-2", "referenceExt3": "REF-3",
	}
	w.customerUserBody = func(i int) map[string]any {
		return map[string]any{
			"civility": "Mrs", "lastName": "Declared", "firstName": "Dora", "email": fmt.Sprintf("dora.declared%d@hostile.example", i),
			"login": fmt.Sprintf("dora.declared.%d", i), "fixPhone": "+33 1 23 45 67 89", "mobilePhone": "+33 6 12 34 56 78",
			"roles": map[string]any{"contracts": []any{"visitor"}, "documents": []any{"visitor"}, "users": []any{"visitor"}},
		}
	}

	// The credentials' last use is written once a minute at most, and the clock does not move:
	// using them once now keeps those writes out of the snapshots.
	a.Env.Call("GET", "/contracts", w.accessToken, w.apiKey, "", "").WantStatus(t, 200)
	return a, w
}

func hostPort(t *testing.T, rawURL string) string {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	return u.Host
}

// --- Operations and their valid requests. ---

type hostileAuth int

const (
	authPublic   hostileAuth = iota // no credentials
	authClient                      // the token endpoint: HTTP Basic client credentials
	authCustomer                    // Authorization: Bearer <access token> and X-API-Key
	authOperator                    // Authorization: Bearer <operator token>
)

type hostileBodyKind int

const (
	noBody           hostileBodyKind = iota
	jsonBody                         // a JSON object, required
	optionalJSONBody                 // a JSON object of optional members: no body is valid too
	formBody                         // the token endpoint's form
	fileBody                         // an uploaded document file
)

// hostileEndpoint is one operation of the descriptions and its valid request.
type hostileEndpoint struct {
	method, path string // as in the description
	addr         string // the listener that serves it
	auth         hostileAuth
	params       map[string]string // valid path parameters
	query        []queryPair       // valid query parameters
	contract     bool              // sends X-ECCS-Contract-Id: the sample contract
	bodyKind     hostileBodyKind
	json         map[string]any // jsonBody, optionalJSONBody
	raw          []byte         // formBody, fileBody
	accept       string         // an Accept header, when the operation answers by it
	w            *hostileWorld
	op           *openapi3.Operation
	pathItem     *openapi3.PathItem
	validator    *openapitest.Validator
}

type queryPair struct{ name, raw string } // raw: escaped as sent

// endpoints lists every operation of both descriptions with its valid request, in an order in
// which each succeeds after the ones before it (TestHostileBaseRequestsSucceed runs them so).
func (w *hostileWorld) endpoints(t *testing.T) []*hostileEndpoint {
	const v1, av1 = api.BasePath, admin.BasePath
	c, o := w.customerAddr, w.adminAddr
	customer := func(method, p string) *hostileEndpoint {
		return &hostileEndpoint{method: method, path: p, addr: c, auth: authCustomer}
	}
	operator := func(method, p string, params ...string) *hostileEndpoint {
		e := &hostileEndpoint{method: method, path: p, addr: o, auth: authOperator, params: map[string]string{}}
		for i := 0; i+1 < len(params); i += 2 {
			e.params[params[i]] = params[i+1]
		}
		return e
	}
	withJSON := func(e *hostileEndpoint, kind hostileBodyKind, body map[string]any) *hostileEndpoint {
		e.bodyKind, e.json = kind, body
		return e
	}
	withContract := func(e *hostileEndpoint) *hostileEndpoint { e.contract = true; return e }
	userPath := func(e *hostileEndpoint) *hostileEndpoint {
		e.params = map[string]string{"contractId": w.sampleContractID}
		return e
	}
	person := func(first string) map[string]any {
		return map[string]any{"civility": "Mr", "lastName": "Hostile", "firstName": first,
			"email": strings.ToLower(first) + ".hostile@hostile.example", "fixPhone": "+33 1 23 45 67 89", "mobilePhone": "+33 6 12 34 56 78"}
	}
	roles := map[string]any{"contracts": []any{"manager"}, "documents": []any{"visitor"}, "users": []any{"visitor"}}
	merged := func(base map[string]any, more map[string]any) map[string]any {
		out := maps.Clone(base)
		maps.Copy(out, more)
		return out
	}
	docs := "/contracts/{id}/documents"
	uploadQuery := []queryPair{{"type", hostileUploadType}, {"period", hostileUploadPeriod}, {"amount", "12.34"}, {"currency", "EUR"},
		{"filename", "hostile-upload.csv"}, {"createdAt", "2026-06-01T10%3A00%3A00Z"}}

	list := []*hostileEndpoint{
		{method: "POST", path: api.TokenPath, addr: c, auth: authClient, bodyKind: formBody, raw: []byte("grant_type=client_credentials")},
		customer("GET", v1+"/contracts"),
		withJSON(customer("POST", v1+"/contracts"), jsonBody, w.customerOrder),
		withContract(customer("GET", v1+"/contract")),
		withJSON(customer("POST", v1+"/contract"), jsonBody, w.customerOrder),
		withJSON(userPath(customer("POST", v1+"/contract/{contractId}/user")), jsonBody, w.customerUserBody(1)),
		withJSON(userPath(customer("POST", v1+"/contract/{contractId}/users")), jsonBody, w.customerUserBody(2)),
		withJSON(userPath(customer("POST", v1+"/contracts/{contractId}/user")), jsonBody, w.customerUserBody(3)),
		withJSON(userPath(customer("POST", v1+"/contracts/{contractId}/users")), jsonBody, w.customerUserBody(4)),
		withContract(customer("GET", v1+"/documents")),
		withContract(customer("GET", v1+"/document")),
		withContract(customer("GET", v1+"/documents/{documentId}/file")),
		withContract(customer("GET", v1+"/document/{documentId}/file")),
		customer("GET", v1+"/me"),
		{method: "GET", path: v1 + "/openapi.yaml", addr: c},
		{method: "GET", path: "/healthz", addr: c},
		{method: "GET", path: "/readyz", addr: c},

		{method: "GET", path: av1 + "/openapi.yaml", addr: o},
		withJSON(operator("POST", av1+"/customers"), jsonBody, map[string]any{"id": "HOSTILE-CUSTOMER", "name": "Hostile Customer", "segment": w.segment}),
		operator("GET", av1+"/customers"),
		operator("GET", av1+"/customers/{id}", "id", w.customerID),
		withJSON(operator("PATCH", av1+"/customers/{id}", "id", w.customerID), jsonBody, map[string]any{"name": "Renamed Customer", "segment": w.segment}),
		withJSON(operator("POST", av1+"/billing-accounts"), jsonBody, map[string]any{"id": "HOSTILE-BA", "customerId": w.customerID, "name": "Hostile billing account"}),
		operator("GET", av1+"/billing-accounts"),
		withJSON(operator("PATCH", av1+"/billing-accounts/{id}", "id", w.billingAccountID), jsonBody, map[string]any{"name": "Renamed billing account"}),
		withJSON(operator("POST", av1+"/offers"), jsonBody, map[string]any{"id": "HOSTILE-OFFER", "name": "Hostile offer", "contractType": w.contractType, "supportLevels": []any{w.level}}),
		operator("GET", av1+"/offers"),
		withJSON(operator("PATCH", av1+"/offers/{id}", "id", w.offerID), jsonBody, map[string]any{"name": "Renamed offer", "contractType": w.contractType, "supportLevels": []any{w.level}}),
		withJSON(operator("POST", av1+"/contracts"), jsonBody, map[string]any{
			"id": "HOSTILE-3", "name": "Hostile contract", "offerId": w.offerID, "billingAccountId": w.billingAccountID,
			"supportLevel": w.level, "contractType": w.contractType, "platformId": "PLATFORM-1", "referent": person("Harry"),
			"referentLogin": "harry.hostile", "referenceExt": []any{"REF-1", "REF-2"}, "createdAt": "2026-01-02T03:04:05Z",
			"customer": map[string]any{"id": w.customerID, "name": "Hostile Customer", "segment": w.segment}, "billingAccountName": "Hostile billing account"}),
		operator("GET", av1+"/contracts"),
		operator("GET", av1+"/contracts/{id}", "id", w.contractID),
		withJSON(operator("PATCH", av1+"/contracts/{id}", "id", w.contractID), jsonBody, map[string]any{
			"name": "Renamed contract", "contractType": w.contractType, "platformId": "PLATFORM-2", "supportLevel": w.level, "referenceExt": []any{"REF-3"}}),
		withJSON(operator("POST", av1+"/contracts/{id}/users", "id", w.contractID), jsonBody, merged(person("Helen"), map[string]any{"login": "helen.hostile", "roles": roles})),
		operator("GET", av1+"/contracts/{id}/users", "id", w.contractID),
		withJSON(operator("PUT", av1+"/contracts/{id}/users/{identityId}/roles", "id", w.contractID, "identityId", w.userIdentityID), jsonBody, map[string]any{"roles": roles}),
		operator("DELETE", av1+"/contracts/{id}/users/{identityId}", "id", w.contractID, "identityId", w.userIdentityID),
		withJSON(operator("PUT", av1+"/contracts/{id}/referent", "id", w.contractID), jsonBody, map[string]any{"email": w.referentEmail, "removePrevious": false}),
		operator("GET", av1+docs, "id", w.contractID),
		{method: "POST", path: av1 + docs, addr: o, auth: authOperator, params: map[string]string{"id": w.contractID}, query: uploadQuery, bodyKind: fileBody, raw: w.uploadFile},
		operator("GET", av1+docs+"/{documentId}/file", "id", w.sampleContractID, "documentId", w.sampleDocumentID),
		{method: "PUT", path: av1 + docs + "/{documentId}/file", addr: o, auth: authOperator, params: map[string]string{"id": w.sampleContractID, "documentId": w.sampleDocumentID},
			query: []queryPair{{"period", "202601"}, {"amount", "-1.5"}, {"currency", "USD"}, {"filename", "hostile-replaced.xlsx"}}, bodyKind: fileBody, raw: w.sampleDocumentFile},
		operator("DELETE", av1+docs+"/{documentId}", "id", w.contractID, "documentId", w.deletableDocID),
		operator("POST", av1+"/contracts/{id}/close", "id", w.closableID),
		operator("GET", av1+"/people/{ref}", "ref", w.referentEmail),
		withJSON(operator("PATCH", av1+"/people/{ref}", "ref", w.referentEmail), jsonBody, map[string]any{"mobilePhone": "+33 6 00 00 00 01", "civility": "Mrs"}),
		withJSON(operator("POST", av1+"/accounts"), jsonBody, map[string]any{"type": "administrator", "person": person("Henry"), "login": "henry.hostile",
			"perimeter": map[string]any{"billingAccountIds": []any{w.billingAccountID}, "offerIds": []any{w.offerID}},
			"issueKey":  map[string]any{"ttl": "720h", "claimLink": true, "claimTtl": "1h"}}),
		operator("GET", av1+"/accounts"),
		operator("GET", av1+"/accounts/{id}", "id", w.clientAccountID),
		withJSON(operator("PUT", av1+"/accounts/{id}/perimeter", "id", w.adminAccountID), jsonBody, map[string]any{"billingAccountIds": []any{w.billingAccountID}, "offerIds": []any{w.offerID}}),
		withJSON(operator("POST", av1+"/accounts/{id}/keys", "id", w.clientAccountID), optionalJSONBody, map[string]any{"ttl": "720h", "claimLink": true, "claimTtl": "1h"}),
		operator("GET", av1+"/keys"),
		operator("GET", av1+"/keys/{id}", "id", w.keyID),
		withJSON(operator("POST", av1+"/keys/{id}/rotate", "id", w.keyID), optionalJSONBody, map[string]any{"overlap": "1h", "ttl": "720h", "claimLink": true, "claimTtl": "1h"}),
		operator("POST", av1+"/keys/{id}/revoke", "id", w.keyID),
		withJSON(operator("POST", av1+"/applications"), jsonBody, map[string]any{"name": "Hostile app", "subscription": "approved", "claimLink": true, "claimTtl": "1h"}),
		operator("GET", av1+"/applications"),
		operator("GET", av1+"/applications/{id}", "id", w.applicationID),
		withJSON(operator("PUT", av1+"/applications/{id}/status", "id", w.applicationID), jsonBody, map[string]any{"status": "blocked"}),
		withJSON(operator("PUT", av1+"/applications/{id}/subscription", "id", w.applicationID), jsonBody, map[string]any{"subscription": "approved"}),
		withJSON(operator("POST", av1+"/applications/{id}/terms", "id", w.applicationID), jsonBody, map[string]any{"acceptedBy": "Hostile Tester"}),
		withJSON(operator("POST", av1+"/applications/{id}/rotate-secret", "id", w.applicationID), optionalJSONBody, map[string]any{"overlap": "1h", "claimLink": true, "claimTtl": "1h"}),
		operator("DELETE", av1+"/applications/{id}", "id", w.applicationID),
		withJSON(operator("POST", av1+"/operator-tokens"), jsonBody, map[string]any{"name": "Hostile token", "ttl": "1h"}),
		operator("GET", av1+"/operator-tokens"),
		operator("POST", av1+"/operator-tokens/{id}/revoke", "id", w.operatorTokenID),
		operator("GET", av1+"/audit"),
		{method: "GET", path: admin.ClaimPath + "/{token}", addr: c, params: map[string]string{"token": w.claimToken}, accept: "application/json"},
		{method: "POST", path: admin.ClaimPath + "/{token}", addr: c, params: map[string]string{"token": w.claimToken}, accept: "application/json"},
	}
	for _, e := range list {
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
	return list
}

// checkHostileCoverage fails the test unless the table holds every operation of both
// descriptions, and nothing else. (The descriptions and the routes are held equal by
// internal/testkit/openapitest's TestServerAgainstSpec and TestAdminServerAgainstSpec.)
func checkHostileCoverage(t *testing.T, endpoints []*hostileEndpoint) {
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
					t.Errorf("%s %s is described but not in the hostile table (hostileWorld.endpoints): give it a valid request", method, p)
				}
			}
		}
	}
}

// request returns the operation's valid request.
func (e *hostileEndpoint) request() hostileRequest {
	r := hostileRequest{method: e.method, target: e.target(e.params, e.query)}
	switch e.auth {
	case authClient:
		r.header = append(r.header, hostileHeader{"Authorization", apitest.Basic(e.w.clientID, e.w.clientSecret)})
	case authCustomer:
		r.header = append(r.header, hostileHeader{"Authorization", "Bearer " + e.w.accessToken},
			hostileHeader{api.HeaderAPIKey, e.w.apiKey})
	case authOperator:
		r.header = append(r.header, hostileHeader{"Authorization", "Bearer " + e.w.operatorToken})
	}
	if e.contract {
		r.header = append(r.header, hostileHeader{api.HeaderContractID, e.w.sampleContractID})
	}
	if e.accept != "" {
		r.header = append(r.header, hostileHeader{"Accept", e.accept})
	}
	switch e.bodyKind {
	case jsonBody, optionalJSONBody:
		r.header = append(r.header, hostileHeader{"Content-Type", "application/json"})
		r.body = mustMarshal(e.json)
	case formBody:
		r.header = append(r.header, hostileHeader{"Content-Type", "application/x-www-form-urlencoded"})
		r.body = e.raw
	case fileBody:
		r.header = append(r.header, hostileHeader{"Content-Type", "application/octet-stream"})
		r.body = e.raw
	}
	return r
}

// target returns the request-target with these (already escaped) path parameters and query.
func (e *hostileEndpoint) target(params map[string]string, query []queryPair) string {
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

func mustMarshal(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// --- Requests, written byte for byte. ---

// hostileRequest is a request as it goes on the wire.
type hostileRequest struct {
	method   string
	target   string // the request-target, sent as is
	proto    string // "HTTP/1.1" when empty
	header   []hostileHeader
	rawLines []string // header lines sent verbatim, after header
	body     []byte
	framed   bool // header already frames the body (Content-Length, Transfer-Encoding): add nothing
	noHost   bool
}

type hostileHeader struct{ name, value string }

// with returns r with every header named name replaced by one header per value; no value
// removes it.
func (r hostileRequest) with(name string, values ...string) hostileRequest {
	var h []hostileHeader
	for _, x := range r.header {
		if !strings.EqualFold(x.name, name) {
			h = append(h, x)
		}
	}
	for _, v := range values {
		h = append(h, hostileHeader{name, v})
	}
	r.header = h
	return r
}

// get returns the first value of a header of r.
func (r hostileRequest) get(name string) string {
	for _, x := range r.header {
		if strings.EqualFold(x.name, name) {
			return x.value
		}
	}
	return ""
}

// withBody returns r with another body.
func (r hostileRequest) withBody(body []byte) hostileRequest {
	r.body = body
	return r
}

// wire returns the bytes of r for a server at addr. Every request closes its connection.
func (r hostileRequest) wire(addr string) []byte {
	var b bytes.Buffer
	proto := r.proto
	if proto == "" {
		proto = "HTTP/1.1"
	}
	b.WriteString(r.method + " " + r.target + " " + proto + "\r\n")
	if !r.noHost {
		b.WriteString("Host: " + addr + "\r\n")
	}
	for _, h := range r.header {
		b.WriteString(h.name + ": " + h.value + "\r\n")
	}
	for _, line := range r.rawLines {
		b.WriteString(line + "\r\n")
	}
	if !r.framed && (len(r.body) > 0 || r.method == "POST" || r.method == "PUT" || r.method == "PATCH") {
		b.WriteString("Content-Length: " + strconv.Itoa(len(r.body)) + "\r\n")
	}
	b.WriteString("Connection: close\r\n\r\n")
	b.Write(r.body)
	return b.Bytes()
}

// httpRequest returns r as the OpenAPI validator needs it (method, URL, headers), or nil when
// its target is not a URL.
func (r hostileRequest) httpRequest(addr string) *http.Request {
	u, err := url.ParseRequestURI(r.target)
	if err != nil {
		return nil
	}
	u.Scheme, u.Host = "http", addr
	// The server answers a path with '.' or '..' segments (once decoded) 404/60 before any
	// route (doc/decisions.md); the descriptions have no operation to check that against.
	if strings.Contains(u.Path, "/.") && path.Clean(u.Path) != strings.TrimRight(u.Path, "/") {
		return nil
	}
	h := http.Header{}
	for _, x := range r.header {
		h.Add(x.name, x.value)
	}
	return &http.Request{Method: r.method, URL: u, Header: h, Host: addr}
}

// summary describes r for a failure message: method, target and header names (cut), body size.
func (r hostileRequest) summary() string {
	var names []string
	for _, h := range r.header {
		names = append(names, fmt.Sprintf("%s(%d)", h.name, len(h.value)))
	}
	return fmt.Sprintf("%s %q headers %s, %d lines verbatim, %d-byte body", cutText(r.method, 20), cutText(r.target, 120),
		strings.Join(names, " "), len(r.rawLines), len(r.body))
}

// hostileAnswer is what came back.
type hostileAnswer struct {
	status  int
	header  http.Header
	body    []byte
	cut     error // reading the body failed after the status line
	elapsed time.Duration
}

// cutText shortens a value quoted in a failure message.
func cutText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

func (a hostileAnswer) summary() string {
	return fmt.Sprintf("%d after %s: %s", a.status, a.elapsed.Round(time.Millisecond), cutText(string(a.body), 300))
}

// sendHostile writes r on a fresh connection to addr and reads the answer, all within
// hostileDeadline. The request is written while the answer is read: a server may answer (413)
// before it has read a large body.
func sendHostile(addr string, r hostileRequest) (hostileAnswer, error) {
	start := time.Now()
	conn, err := net.DialTimeout("tcp", addr, hostileDeadline)
	if err != nil {
		return hostileAnswer{}, err
	}
	defer conn.Close()
	conn.SetDeadline(start.Add(hostileDeadline))
	wrote := make(chan error, 1)
	go func() {
		_, err := conn.Write(r.wire(addr))
		wrote <- err
	}()
	resp, err := http.ReadResponse(bufio.NewReader(conn), &http.Request{Method: r.method})
	if err != nil {
		var writeErr error
		select {
		case writeErr = <-wrote:
		default:
		}
		return hostileAnswer{elapsed: time.Since(start)}, fmt.Errorf("no answer after %s: %v (writing: %v)", time.Since(start).Round(time.Millisecond), err, writeErr)
	}
	body, err := io.ReadAll(resp.Body)
	return hostileAnswer{status: resp.StatusCode, header: resp.Header, body: body, cut: err, elapsed: time.Since(start)}, nil
}

// --- The cases and what their answers must be. ---

// hostileCase is one valid request spoilt one way.
type hostileCase struct {
	ep   *hostileEndpoint
	what string
	req  hostileRequest
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

func (c hostileCase) name() string { return c.ep.method + " " + c.ep.path + ": " + c.what }

// reachesTokenEndpoint reports whether c's path is the token endpoint's, which answers in the
// OAuth shape (a longer path is unknown, and answered in the gateway envelope).
func (c hostileCase) reachesTokenEndpoint() bool {
	p, _, _ := strings.Cut(c.req.target, "?")
	return strings.TrimRight(p, "/") == api.TokenPath
}

func (c hostileCase) acceptedAs(why string, statuses ...int) hostileCase {
	c.accepted, c.why = statuses, why
	return c
}

func (c hostileCase) naming(field string) hostileCase { c.field = field; return c }

func (c hostileCase) maybeBareHTTP() hostileCase { c.bareHTTP = true; return c }

// check returns what is wrong with the answer to c. The OpenAPI validator, which costs far more
// than a request, sees the first answer of each kind (operation, status, error code) that kinds
// has not seen; the envelope checks see every answer.
func (c hostileCase) check(a hostileAnswer, kinds *answerKinds) []string {
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
func (c hostileCase) checkEnvelope(a hostileAnswer) []string {
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
func (k *answerKinds) first(e *hostileEndpoint, a hostileAnswer) bool {
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

type hostileResult struct {
	answer   hostileAnswer
	problems []string
}

// runHostile sends every case, hostileWorkers at a time, and checks each answer.
func runHostile(cases []hostileCase) []hostileResult {
	results := make([]hostileResult, len(cases))
	kinds := &answerKinds{seen: map[string]bool{}}
	next := make(chan int)
	var wg sync.WaitGroup
	for range hostileWorkers {
		wg.Go(func() {
			for i := range next {
				a, err := sendHostile(cases[i].ep.addr, cases[i].req)
				if err != nil {
					results[i] = hostileResult{answer: a, problems: []string{err.Error()}}
					continue
				}
				results[i] = hostileResult{answer: a, problems: cases[i].check(a, kinds)}
			}
		})
	}
	for i := range cases {
		next <- i
	}
	close(next)
	wg.Wait()
	return results
}

// --- The hostile table. ---

// Hostile values, reused below.
var (
	kib16     = strings.Repeat("A", 16<<10)
	kib40     = strings.Repeat("A", 40<<10)
	traversal = "../../../etc/passwd"
	sqlQuote  = "x' OR '1'='1"
)

// hostileCases spoils every endpoint's valid request every way that applies to it.
func hostileCases(w *hostileWorld, endpoints []*hostileEndpoint) []hostileCase {
	var cases []hostileCase
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

func (e *hostileEndpoint) spoil(what string, r hostileRequest) hostileCase {
	return hostileCase{ep: e, what: what, req: r}
}

// credentialCases spoils the credentials: Authorization and X-API-Key.
func credentialCases(e *hostileEndpoint) []hostileCase {
	base := e.request()
	var cases []hostileCase
	switch e.auth {
	case authCustomer, authOperator:
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
		if e.auth == authCustomer {
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
		}
	case authClient:
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
	}
	return cases
}

// parameters returns the parameters of e's operation and path.
func (e *hostileEndpoint) parameters() []*openapi3.Parameter {
	var out []*openapi3.Parameter
	for _, refs := range []openapi3.Parameters{e.pathItem.Parameters, e.op.Parameters} {
		for _, ref := range refs {
			out = append(out, ref.Value)
		}
	}
	return out
}

// headerParameterCases spoils the header parameters the descriptions declare.
func headerParameterCases(e *hostileEndpoint) []hostileCase {
	base := e.request()
	var cases []hostileCase
	for _, p := range e.parameters() {
		if p.In != openapi3.ParameterInHeader {
			continue
		}
		switch http.CanonicalHeaderKey(p.Name) {
		case http.CanonicalHeaderKey(api.HeaderContractID):
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
			if p.Required {
				cases = append(cases, e.spoil("X-ECCS-Contract-Id absent", base.with(api.HeaderContractID)))
			}
		case "Range":
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
		case "If-None-Match":
			ignored := "an If-None-Match that matches nothing sends the file (RFC 9110 §13.1.2)"
			for _, v := range []struct{ what, value string }{
				{"If-None-Match of 16 KiB", `"` + kib16 + `"`},
				{"If-None-Match unquoted", "no-quotes"},
				{"If-None-Match with invalid UTF-8", "\"\xff\xfe\""},
				{"If-None-Match of 10 000 ETags", strings.Repeat(`"x",`, 9999) + `"x"`},
			} {
				cases = append(cases, e.spoil(v.what, base.with("If-None-Match", v.value)).acceptedAs(ignored, 200))
			}
		default:
			e.w.t.Errorf("%s %s declares the header %s, which the hostile suite does not spoil: add it to headerParameterCases", e.method, e.path, p.Name)
		}
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
func pathCases(e *hostileEndpoint) []hostileCase {
	base := e.request()
	var cases []hostileCase
	names := slices.Sorted(maps.Keys(e.params))
	for _, name := range names {
		spoilt := func(raw string) hostileRequest {
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
func queryCases(e *hostileEndpoint) []hostileCase {
	base := e.request()
	var cases []hostileCase
	for _, p := range e.parameters() {
		if p.In != openapi3.ParameterInQuery {
			continue
		}
		schema := p.Schema.Value
		valid := sampleQueryValue(e, p)
		spoilt := func(raws ...string) hostileRequest {
			var q []queryPair
			for _, pair := range e.query {
				if pair.name != p.Name {
					q = append(q, pair)
				}
			}
			for _, raw := range raws {
				q = append(q, queryPair{p.Name, raw})
			}
			r := base
			r.target = e.target(e.params, q)
			return r
		}
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
			min, max := 0.0, 0.0
			if schema.Min != nil {
				min = *schema.Min
			}
			values = append(values,
				struct{ what, raw string }{"below the minimum", strconv.Itoa(int(min) - 1)},
				struct{ what, raw string }{"overflowing", "99999999999999999999"},
				struct{ what, raw string }{"overflowing negatively", "-99999999999999999999"},
				struct{ what, raw string }{"an exponent", "1e3"},
				struct{ what, raw string }{"hexadecimal", "0x10"},
				struct{ what, raw string }{"a fraction", "1.5"},
				struct{ what, raw string }{"a leading space", "%201"},
				struct{ what, raw string }{"letters", "abc"},
				struct{ what, raw string }{"an Arabic-Indic digit", "%D9%A3"},
			)
			if schema.Max != nil {
				max = *schema.Max
				values = append(values, struct{ what, raw string }{"above the maximum", strconv.Itoa(int(max) + 1)})
			}
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
		for _, v := range values {
			if p.Name == "filename" && v.what == "SQL" {
				continue // quotes and spaces are allowed in a filename: it is a valid one
			}
			c := e.spoil(p.Name+" with "+v.what, spoilt(v.raw))
			switch {
			case e.method != "GET":
			case p.Name == "documentType":
				c = c.acceptedAs(`an unknown documentType answers {"documents": null} (doc/wire.md §4)`, 200)
			case slices.Contains(freeTextFilters, p.Name) && (v.what == "a path traversal" || v.what == "SQL"):
				c = c.acceptedAs("a filter that no item matches selects nothing: an empty page", 200)
			}
			cases = append(cases, c)
		}
		empty := e.spoil(p.Name+" empty", spoilt(""))
		if p.Name == "documentType" {
			empty = empty.acceptedAs("an empty documentType means every type (doc/wire.md §4)", 200)
		}
		cases = append(cases, empty, e.spoil(p.Name+" twice", spoilt(valid, valid)))
	}
	return cases
}

// sampleQueryValue returns a valid value of a query parameter: the one of e's valid request,
// or one its schema allows.
func sampleQueryValue(e *hostileEndpoint, p *openapi3.Parameter) string {
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

// bodyCases spoils the body.
func bodyCases(e *hostileEndpoint) []hostileCase {
	base := e.request()
	var cases []hostileCase
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
	chunked.header = append(slices.Clone(base.header), hostileHeader{"Transfer-Encoding", "chunked"})
	chunked.framed = true
	chunked.body = []byte("zz\r\n{}\r\n0\r\n\r\n")
	cases = append(cases,
		e.spoil("Content-Encoding gzip", base.with("Content-Encoding", "gzip")),
		e.spoil("Content-Encoding of 16 KiB", base.with("Content-Encoding", kib16)),
		e.spoil("a chunked body with a malformed chunk size", chunked),
	)
	return cases
}

func jsonBodyCases(e *hostileEndpoint, base hostileRequest) []hostileCase {
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
	var cases []hostileCase
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
func hostileStrings(f hostileField) []struct{ what, raw string } {
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

// hostileField is a member of a request schema.
type hostileField struct {
	path     []string // JSON names from the body's top
	typ      string
	itemType string // of an array
}

// schemaFields lists the members of an object schema (allOf merged), nested objects' members
// too.
func schemaFields(s *openapi3.Schema, prefix []string) []hostileField {
	props := map[string]*openapi3.SchemaRef{}
	var collect func(s *openapi3.Schema)
	collect = func(s *openapi3.Schema) {
		maps.Copy(props, s.Properties)
		for _, ref := range s.AllOf {
			collect(ref.Value)
		}
	}
	collect(s)
	var out []hostileField
	for _, name := range slices.Sorted(maps.Keys(props)) {
		p := props[name].Value
		if p.ReadOnly {
			continue
		}
		f := hostileField{path: append(slices.Clone(prefix), name)}
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

func formBodyCases(e *hostileEndpoint, base hostileRequest) []hostileCase {
	noBasic := base.with("Authorization")
	form := func(s string) []byte { return []byte(s) }
	grant := "grant_type=client_credentials"
	cases := []hostileCase{
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

func fileBodyCases(e *hostileEndpoint, base hostileRequest) []hostileCase {
	valid := base.body
	withInsert := func(insert string) []byte {
		mid := len(valid) / 2
		return slices.Concat(valid[:mid], []byte(insert), valid[mid:])
	}
	tooLarge := bytes.Repeat(valid, hostileUploadLimit/len(valid)+1)
	return []hostileCase{
		e.spoil("body: none", base.withBody(nil)),
		e.spoil("body: not a document", base.withBody([]byte("not a document\x00\xff"))),
		e.spoil("body: the file with NUL bytes inside", base.withBody(withInsert("\x00\x00\x00"))),
		e.spoil("body: the file with invalid UTF-8 inside", base.withBody(withInsert("\xff\xfe\xc0\xaf"))),
		e.spoil("body: the file cut in half", base.withBody(valid[:len(valid)/2])),
		e.spoil("body: a JSON object", base.withBody([]byte(`{"documentType":"bills"}`))),
		e.spoil("body: larger than the upload limit", base.withBody(tooLarge)),
	}
}

// methodCases sends a method the path does not serve, a lower-case one, and one of 10 KiB.
func methodCases(e *hostileEndpoint) []hostileCase {
	base := e.request()
	served := e.pathItem.Operations()
	var cases []hostileCase
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
func longURLCases(e *hostileEndpoint) []hostileCase {
	r := e.request()
	p, q, _ := strings.Cut(r.target, "?")
	r.target = p + "/" + kib16
	if q != "" {
		r.target += "?" + q
	}
	return []hostileCase{e.spoil("a 16 KiB segment added to the path", r)}
}

// protocolCases breaks HTTP itself: the request line, the Host header, the framing of the body,
// and paths no route has.
func protocolCases(w *hostileWorld, endpoints []*hostileEndpoint) []hostileCase {
	var get, post *hostileEndpoint // a read and a write that have a body
	for _, e := range endpoints {
		switch e.method + " " + e.path {
		case "GET " + api.BasePath + "/contracts":
			get = e
		case "POST " + admin.BasePath + "/customers":
			post = e
		}
	}
	g := get.request()
	target := func(t string) hostileRequest { r := g; r.target = t; return r }
	lines := func(r hostileRequest, lines ...string) hostileRequest {
		r.rawLines = lines
		return r
	}
	cases := []hostileCase{
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
		get.spoil("no Host header", func() hostileRequest { r := g; r.noHost = true; return r }()).maybeBareHTTP(),
		get.spoil("Host twice", lines(g, "Host: evil.example")).maybeBareHTTP(),
		get.spoil("a header name with a space", lines(g, "X Hostile: 1")).maybeBareHTTP(),
		get.spoil("a header line without a colon", lines(g, "X-Hostile")).maybeBareHTTP(),
		get.spoil("a header folded over two lines", lines(g, "X-Hostile: a", " b")).maybeBareHTTP().
			acceptedAs("net/http unfolds an obsolete line folding into a space (RFC 9112 §5.2 allows it), and X-Hostile is ignored", 200),
		get.spoil("an unknown protocol version", func() hostileRequest { r := g; r.proto = "HTTP/9.9"; return r }()).maybeBareHTTP().
			acceptedAs("net/http answers an HTTP version it does not implement 505, as RFC 9110 §15.6.6 asks", 505),
	}
	p := post.request()
	framing := func(body string, headers ...hostileHeader) hostileRequest {
		r := p
		r.header = append(slices.Clone(p.header), headers...)
		r.body = []byte(body)
		r.framed = true
		return r
	}
	cases = append(cases,
		post.spoil("Content-Length negative", framing("{}", hostileHeader{"Content-Length", "-1"})).maybeBareHTTP(),
		post.spoil("Content-Length overflowing", framing("{}", hostileHeader{"Content-Length", "99999999999999999999"})).maybeBareHTTP(),
		post.spoil("Content-Length twice, different", framing("{}", hostileHeader{"Content-Length", "2"}, hostileHeader{"Content-Length", "3"})).maybeBareHTTP(),
		post.spoil("Content-Length not a number", framing("{}", hostileHeader{"Content-Length", "two"})).maybeBareHTTP(),
		post.spoil("Content-Length and chunked", framing("1\r\n{\r\n0\r\n\r\n", hostileHeader{"Content-Length", "10"}, hostileHeader{"Transfer-Encoding", "chunked"})).maybeBareHTTP(),
		post.spoil("Transfer-Encoding gzip", framing("{}", hostileHeader{"Transfer-Encoding", "gzip"})).maybeBareHTTP().
			acceptedAs("net/http answers a transfer coding it does not implement 501, as RFC 9112 §6.1 asks", 501),
	)
	return cases
}

// --- What must not change. ---

// hostileSnapshot is the content of everything a request could change.
type hostileSnapshot struct {
	tables map[string]string // table → row count and checksum
	blobs  map[string]string // document file → SHA-256
	spool  []string          // files left in the upload spool
}

func takeHostileSnapshot(t *testing.T, a *apitest.AdminEnv) hostileSnapshot {
	t.Helper()
	ctx := t.Context()
	store, ok := a.DB.(interface{ DB() *sql.DB })
	if !ok {
		t.Fatalf("the %T store does not give its *sql.DB", a.DB)
	}
	db := store.DB()
	tables, err := sqlstore.Checksums(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	// Checksums leaves out the counters (two databases count on their own); here they count.
	rows, err := db.QueryContext(ctx, "SELECT name, value FROM counters ORDER BY name")
	if err != nil {
		t.Fatal(err)
	}
	var counters []string
	for rows.Next() {
		var name string
		var value int64
		if err := rows.Scan(&name, &value); err != nil {
			t.Fatal(err)
		}
		counters = append(counters, fmt.Sprintf("%s=%d", name, value))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	rows.Close()
	tables["counters"] = strings.Join(counters, " ")

	blobs := map[string]string{}
	for _, key := range a.BlobKeys(t) {
		b, err := a.Blobs.Open(ctx, key)
		if err != nil {
			t.Fatalf("open document file %s: %v", key, err)
		}
		h := sha256.New()
		_, err = io.Copy(h, b)
		b.Close()
		if err != nil {
			t.Fatalf("read document file %s: %v", key, err)
		}
		blobs[key] = hex.EncodeToString(h.Sum(nil))
	}
	return hostileSnapshot{tables: tables, blobs: blobs, spool: a.Spooled()}
}

// mustEqual fails the test where s differs from before, or where the spool holds anything.
func (s hostileSnapshot) mustEqual(t *testing.T, before hostileSnapshot) {
	t.Helper()
	for _, table := range slices.Sorted(maps.Keys(before.tables)) {
		if s.tables[table] != before.tables[table] {
			t.Errorf("table %s changed: %s before, %s after", table, before.tables[table], s.tables[table])
		}
	}
	var changed []string
	for key, sum := range before.blobs {
		if s.blobs[key] != sum {
			changed = append(changed, key+" (changed or removed)")
		}
	}
	for key := range s.blobs {
		if _, ok := before.blobs[key]; !ok {
			changed = append(changed, key+" (added)")
		}
	}
	sort.Strings(changed)
	if len(changed) > 0 {
		t.Errorf("the document store changed: %s", strings.Join(changed, ", "))
	}
	if len(s.spool) > 0 {
		t.Errorf("the upload spool keeps %q", s.spool)
	}
	if len(before.tables) == 0 || len(before.blobs) == 0 {
		t.Errorf("the snapshot saw %d tables and %d document files: it checks nothing", len(before.tables), len(before.blobs))
	}
}
