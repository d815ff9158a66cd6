package openapitest_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/eccs/eccs/api"
	"github.com/eccs/eccs/internal/testkit/openapitest"
)

var (
	created = time.Date(2021, 3, 4, 10, 11, 12, 0, time.UTC)
	updated = time.Date(2022, 1, 5, 8, 0, 0, 0, time.UTC)
)

var goodContract = api.Contract{
	ID: "OCB0001234", Name: "ACME-PROD", ContractType: "FE",
	Offer:     api.Offer{ID: "FE", Name: "Flexible Engine"},
	Customer:  api.Customer{ID: "CUST000042", Name: "ACME SA", Segment: "int"},
	Contact:   api.Contact{LastName: "Martin", FirstName: "Claire", Name: "Claire Martin", Email: "claire.martin@acme.example"},
	CreatedAt: created, UpdatedAt: updated,
}

var goodDocument = api.Document{
	ID: "8c1f2d3e4a5b6c7d", Filename: "OCB0001234_202108_consumption.csv", Period: "202108",
	CreatedAt: created, UpdatedAt: updated, Amount: 1234.56, Currency: "EUR",
	DocumentType: api.DocumentConsumptionRatedReports,
}

const etag = `"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"`

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// header builds response headers; X-OAPI-Request-Id is added unless listed with "".
func header(kv ...string) http.Header {
	h := http.Header{}
	h.Set(api.HeaderRequestID, "3f1c2a9e-5b7d-4c1e-9a2b-6d8e0f1a2b3c")
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			h.Del(kv[i])
			continue
		}
		h.Set(kv[i], kv[i+1])
	}
	return h
}

func jsonHeader(kv ...string) http.Header {
	return header(append([]string{"Content-Type", "application/json"}, kv...)...)
}

func listHeader(kv ...string) http.Header {
	return jsonHeader(append([]string{api.HeaderTotalCount, "1", api.HeaderResultCount, "1"}, kv...)...)
}

func fileHeader(kv ...string) http.Header {
	return header(append([]string{
		"Content-Type", "text/csv",
		"Content-Disposition", `attachment; filename="OCB0001234_202108_consumption.csv"`,
		"Content-Length", "4",
		"ETag", etag,
		"Last-Modified", "Thu, 02 Sep 2021 03:00:00 GMT",
		"Accept-Ranges", "bytes",
		"Repr-Digest", "sha-256=:ASNFZ4mrze8BI0VniavN7wEjRWeJq83vASNFZ4mrze8=:",
		"Cache-Control", "private, no-cache",
	}, kv...)...)
}

const (
	loopback = "http://127.0.0.1:39187"
	v1       = loopback + api.BasePath
)

// validatorCase is an answer to a request, and whether the Validator accepts it.
type validatorCase struct {
	name   string
	method string
	url    string
	status int
	header http.Header
	body   string
	fail   string // "" when the answer must pass; otherwise a part of the error
}

// tooMany are the headers of a 429 answer.
var tooMany = []string{"Retry-After", "1", "RateLimit-Limit", "200", "RateLimit-Remaining", "0", "RateLimit-Reset", "1"}

func TestValidator(t *testing.T) {
	v := openapitest.New(t)
	tests := slices.Concat(contractAnswers(t), errorAnswers(), orderAnswers(t), documentAnswers(t),
		downloadAnswers(), tokenAnswers(), serviceAnswers())
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(tc.method, tc.url, nil)
			err := v.Validate(req, tc.status, tc.header, []byte(tc.body))
			switch {
			case tc.fail == "" && err != nil:
				t.Errorf("want no error, got:\n%v", err)
			case tc.fail != "" && err == nil:
				t.Errorf("want an error about %q, got none", tc.fail)
			case tc.fail != "" && !strings.Contains(err.Error(), tc.fail):
				t.Errorf("want an error about %q, got:\n%v", tc.fail, err)
			}
		})
	}
}

// contractAnswers are answers of the contract list and the contract: a good list in every way
// the path may be written, contracts that break their schema, lists without their headers,
// undeclared statuses, a missing request id, a wrong Content-Type and HEAD.
func contractAnswers(t *testing.T) []validatorCase {
	contract := mustJSON(t, goodContract)
	list := "[" + contract + "]"
	return []validatorCase{
		{"good contract list", "GET", v1 + "/contracts", 200, listHeader(), list, ""},
		{"empty contract list", "GET", v1 + "/contracts?limit=10&offset=20", 200, listHeader(api.HeaderTotalCount, "20", api.HeaderResultCount, "0"), "[]", ""},
		{"another loopback port and host", "GET", "http://localhost:1/cloud/b2b/v1/contracts", 200, listHeader(), list, ""},
		{"relative URL", "GET", api.BasePath + "/contracts", 200, listHeader(), list, ""},
		{"trailing slash", "GET", v1 + "/contracts/", 200, listHeader(), list, ""},
		{"contract missing offer", "GET", v1 + "/contracts", 200, listHeader(),
			strings.Replace(list, `"offer":{"id":"FE","name":"Flexible Engine"},`, "", 1), `"offer"`},
		{"contract with an extra field", "GET", v1 + "/contract", 200, jsonHeader(),
			strings.Replace(contract, `"name":"ACME-PROD"`, `"name":"ACME-PROD","region":"eu-west-0"`, 1), `"region"`},
		{"contract with a null platformId", "GET", v1 + "/contract", 200, jsonHeader(),
			strings.Replace(contract, `"name":"ACME-PROD"`, `"name":"ACME-PROD","platformId":null`, 1), "platformId"},
		{"contract date not RFC 3339", "GET", v1 + "/contract", 200, jsonHeader(),
			strings.Replace(contract, "2021-03-04T10:11:12Z", "04/03/2021", 1), "createdAt"},
		{"empty offer name", "GET", v1 + "/contract", 200, jsonHeader(),
			strings.Replace(contract, `"Flexible Engine"`, `""`, 1), "offer/name"},
		{"list without X-Total-Count", "GET", v1 + "/contracts", 200, listHeader(api.HeaderTotalCount, ""), list, "X-Total-Count"},
		{"list that is not an array", "GET", v1 + "/contracts", 200, listHeader(), `{"contracts":` + list + `}`, "array"},
		{"undeclared status", "GET", v1 + "/contracts", 418, jsonHeader(), `{}`, "status 418 is not declared"},
		{"404 on a route without 404", "GET", v1 + "/contracts", 404, jsonHeader(), `{"code":60,"message":"Resource not found","description":"x"}`, "status 404 is not declared"},
		{"no X-OAPI-Request-Id", "GET", v1 + "/contracts", 200, listHeader(api.HeaderRequestID, ""), list, api.HeaderRequestID},
		{"text/plain instead of JSON", "GET", v1 + "/contracts", 200, listHeader("Content-Type", "text/plain"), list, "Content-Type"},
		{"HEAD", "HEAD", v1 + "/contracts", 200, listHeader(), "", ""},
		{"HEAD with a body", "HEAD", v1 + "/contracts", 200, listHeader(), list, "HEAD"},
	}
}

// errorAnswers are error answers: the gateway envelope with its codes, messages and the headers
// its statuses need, statuses an operation does not declare, and unknown paths and methods.
func errorAnswers() []validatorCase {
	bearer := []string{"WWW-Authenticate", "Bearer"}
	return []validatorCase{
		{"good 401", "GET", v1 + "/contract", 401, jsonHeader(bearer...),
			`{"code":42,"message":"Expired credentials","description":"The access token expired."}`, ""},
		{"error code as a string", "GET", v1 + "/contract", 401, jsonHeader(bearer...),
			`{"code":"42","message":"Expired credentials","description":"The access token expired."}`, "code"},
		{"401 code on a 403", "GET", v1 + "/contract", 403, jsonHeader(),
			`{"code":41,"message":"Invalid credentials","description":"x"}`, "code"},
		{"unknown error message", "GET", v1 + "/contract", 400, jsonHeader(),
			`{"code":25,"message":"Header missing","description":"x"}`, "message"},
		{"401 without WWW-Authenticate", "GET", v1 + "/contract", 401, jsonHeader(),
			`{"code":40,"message":"Missing credentials","description":"x"}`, "WWW-Authenticate"},
		{"envelope with an extra member", "GET", v1 + "/contract", 403, jsonHeader(),
			`{"code":50,"message":"Access denied","description":"x","status":403}`, "status"},
		{"good 429", "GET", v1 + "/contracts", 429, jsonHeader(tooMany...),
			`{"code":53,"message":"Too many requests","description":"x"}`, ""},
		{"429 without Retry-After", "GET", v1 + "/contracts", 429, jsonHeader(append(tooMany, "Retry-After", "")...),
			`{"code":53,"message":"Too many requests","description":"x"}`, "Retry-After"},
		{"503 without Retry-After", "GET", v1 + "/contracts", 503, jsonHeader(),
			`{"code":5,"message":"The service is temporarily unavailable","description":"x"}`, "Retry-After"},
		{"415 on a GET", "GET", v1 + "/contracts", 415, jsonHeader(),
			`{"code":68,"message":"Unsupported Media Type","description":"x"}`, "status 415 is not declared"},
		{"unknown path answers 404", "GET", loopback + "/cloud/b2b/v2/contracts", 404, jsonHeader(),
			`{"code":60,"message":"Resource not found","description":"No resource lives at /cloud/b2b/v2/contracts."}`, ""},
		{"unknown path answers 200", "GET", loopback + "/cloud/b2b/v2/contracts", 200, jsonHeader(), `[]`, "not described"},
		{"unknown path, bad envelope", "GET", loopback + "/nowhere", 404, jsonHeader(), `{"error":"not found"}`, "gateway envelope"},
		{"method not allowed", "DELETE", v1 + "/contract", 405, jsonHeader("Allow", "GET, HEAD, POST"),
			`{"code":61,"message":"Method not allowed","description":"x"}`, ""},
		{"method not allowed without Allow", "DELETE", v1 + "/contract", 405, jsonHeader(),
			`{"code":61,"message":"Method not allowed","description":"x"}`, "Allow"},
		{"undescribed method answers 200", "DELETE", v1 + "/contract", 200, jsonHeader(), `{}`, "not described"},
	}
}

// orderAnswers are answers of a contract order and of a user's declaration, on the paths and
// their aliases, and their conflict and too-large errors.
func orderAnswers(t *testing.T) []validatorCase {
	user := mustJSON(t, api.User{LastName: "Dupont", FirstName: "Jean", Email: "jean.dupont@acme.example",
		Login: "jean.dupont", Roles: api.Roles{Contracts: []string{api.RoleVisitor}, Documents: []string{api.RoleManager}}})
	return []validatorCase{
		{"contract created", "POST", v1 + "/contract", 201, jsonHeader(), `{"id":"OCB0009293"}`, ""},
		{"contract created, plural alias", "POST", v1 + "/contracts/", 201, jsonHeader(), `{"id":"OCB0009293"}`, ""},
		{"contract created with 200", "POST", v1 + "/contract", 200, jsonHeader(), `{"id":"OCB0009293"}`, "status 200 is not declared"},
		{"user declared", "POST", v1 + "/contract/OCB0001234/user", 201, jsonHeader(), user, ""},
		{"user declared, alias", "POST", v1 + "/contracts/OCB0001234/users/", 201, jsonHeader(), user, ""},
		{"user with an unknown role", "POST", v1 + "/contract/OCB0001234/user", 201, jsonHeader(),
			strings.Replace(user, `"visitor"`, `"admin"`, 1), "roles/contracts/0"},
		{"user conflict", "POST", v1 + "/contract/OCB0001234/user", 409, jsonHeader(),
			`{"code":70,"message":"Conflict","description":"x"}`, ""},
		{"413 on a POST", "POST", v1 + "/contract", 413, jsonHeader(),
			`{"code":66,"message":"Request entity too large","description":"x"}`, ""},
	}
}

// documentAnswers are answers of the document list: good ones, the {"documents": null} of an
// unknown type, and documents that break their schema.
func documentAnswers(t *testing.T) []validatorCase {
	return []validatorCase{
		{"document list", "GET", v1 + "/documents?documentType=bills&limit=3", 200, listHeader(), "[" + mustJSON(t, goodDocument) + "]", ""},
		{"document list, singular alias", "GET", v1 + "/document", 200, listHeader(), "[" + mustJSON(t, goodDocument) + "]", ""},
		{"unknown document type", "GET", v1 + "/documents?documentType=toto", 200, listHeader(api.HeaderTotalCount, "0", api.HeaderResultCount, "0"), `{"documents":null}`, ""},
		{"unknown document type, not null", "GET", v1 + "/documents?documentType=toto", 200, listHeader(), `{"documents":[]}`, "documents"},
		{"document with a bad type", "GET", v1 + "/documents", 200, listHeader(),
			"[" + strings.Replace(mustJSON(t, goodDocument), "comsumptionRatedReports", "consumptionRatedReports", 1) + "]", "documentType"},
		{"document amount as a string", "GET", v1 + "/documents", 200, listHeader(),
			"[" + strings.Replace(mustJSON(t, goodDocument), "1234.56", `"1234.56"`, 1) + "]", "amount"},
	}
}

// downloadAnswers are answers of a document's file: whole, partial, zipped, not modified or
// refused, with the headers a download needs or without them.
func downloadAnswers() []validatorCase {
	return []validatorCase{
		{"download", "GET", v1 + "/documents/8c1f2d3e4a5b6c7d/file?zipped=0", 200, fileHeader(), "a;b\n", ""},
		{"download, singular alias", "GET", v1 + "/document/8c1f2d3e4a5b6c7d/file", 200, fileHeader(), "a;b\n", ""},
		{"download, XLSX", "GET", v1 + "/documents/8c1f2d3e4a5b6c7d/file", 200,
			fileHeader("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), "PK\x03\x04\x00binary", ""},
		{"download, zipped", "GET", v1 + "/documents/8c1f2d3e4a5b6c7d/file?zipped=1", 200,
			fileHeader("Content-Type", "application/zip", "ETag", strings.TrimSuffix(etag, `"`)+`-zip"`, "Accept-Ranges", "none", "Content-Length", "", "Repr-Digest", ""), "PK\x03\x04", ""},
		{"download without ETag", "GET", v1 + "/documents/8c1f2d3e4a5b6c7d/file", 200, fileHeader("ETag", ""), "a;b\n", `"ETag" missing`},
		{"download with a weak ETag", "GET", v1 + "/documents/8c1f2d3e4a5b6c7d/file", 200, fileHeader("ETag", "W/"+etag), "a;b\n", "ETag"},
		{"download as JSON", "GET", v1 + "/documents/8c1f2d3e4a5b6c7d/file", 200, fileHeader("Content-Type", "application/json"), `{}`, "Content-Type"},
		{"download without Content-Disposition", "GET", v1 + "/documents/8c1f2d3e4a5b6c7d/file", 200, fileHeader("Content-Disposition", ""), "a;b\n", "Content-Disposition"},
		{"HEAD download", "HEAD", v1 + "/documents/8c1f2d3e4a5b6c7d/file", 200, fileHeader(), "", ""},
		{"partial download", "GET", v1 + "/documents/8c1f2d3e4a5b6c7d/file", 206, fileHeader("Content-Range", "bytes 0-1/4", "Content-Length", "2"), "a;", ""},
		{"multipart download", "GET", v1 + "/documents/8c1f2d3e4a5b6c7d/file", 206,
			fileHeader("Content-Type", "multipart/byteranges; boundary=3d6b6a416f9b5"), "--3d6b6a416f9b5\r\n", ""},
		{"not modified", "GET", v1 + "/documents/8c1f2d3e4a5b6c7d/file", 304,
			header("ETag", etag, "Cache-Control", "private, no-cache"), "", ""},
		{"not modified with a bad ETag", "GET", v1 + "/documents/8c1f2d3e4a5b6c7d/file", 304,
			header("ETag", "abc", "Cache-Control", "private, no-cache"), "", "ETag"},
		{"304 where none is declared", "GET", v1 + "/contracts", 304, header(), "", "status 304 is not declared"},
		{"range not satisfiable", "GET", v1 + "/documents/8c1f2d3e4a5b6c7d/file", 416, jsonHeader("Content-Range", "bytes */4"),
			`{"code":26,"message":"Invalid header value","description":"The Range header asks for bytes outside the 4-byte file."}`, ""},
		{"document not found", "GET", v1 + "/documents/8c1f2d3e4a5b6c7d/file", 404, jsonHeader(),
			`{"code":60,"message":"Resource not found","description":"x"}`, ""},
		{"precondition failed", "GET", v1 + "/documents/8c1f2d3e4a5b6c7d/file", 412, jsonHeader(),
			`{"code":26,"message":"Invalid header value","description":"x"}`, ""},
		{"412 in plain text", "GET", v1 + "/documents/8c1f2d3e4a5b6c7d/file", 412, header("Content-Type", "text/plain"), "no\n", "text/plain"},
	}
}

// tokenAnswers are answers of the token endpoint: a token, its OAuth errors and the headers
// they need, and its rate limit.
func tokenAnswers() []validatorCase {
	return []validatorCase{
		{"token", "POST", loopback + "/oauth/v3/token", 200, jsonHeader("Cache-Control", "no-store", "Pragma", "no-cache"),
			`{"token_type":"Bearer","access_token":"abc","expires_in":3600}`, ""},
		{"token without Cache-Control", "POST", loopback + "/oauth/v3/token", 200, jsonHeader(),
			`{"token_type":"Bearer","access_token":"abc","expires_in":3600}`, "Cache-Control"},
		{"token with expires_in as a string", "POST", loopback + "/oauth/v3/token", 200, jsonHeader("Cache-Control", "no-store"),
			`{"token_type":"Bearer","access_token":"abc","expires_in":"3600"}`, "expires_in"},
		{"token error", "POST", loopback + "/oauth/v3/token", 401,
			jsonHeader("Cache-Control", "no-store", "WWW-Authenticate", `Basic realm="Authorization Required"`),
			`{"error":"invalid_client","error_description":"Unable to decode Basic authorization."}`, ""},
		{"token error without WWW-Authenticate", "POST", loopback + "/oauth/v3/token", 401, jsonHeader("Cache-Control", "no-store"),
			`{"error":"invalid_client","error_description":"Unable to decode Basic authorization."}`, "WWW-Authenticate"},
		{"token error in the gateway envelope", "POST", loopback + "/oauth/v3/token", 400, jsonHeader("Cache-Control", "no-store"),
			`{"code":28,"message":"Invalid query-string parameter value","description":"x"}`, "error"},
		{"token GET", "GET", loopback + "/oauth/v3/token", 405, jsonHeader("Cache-Control", "no-store", "Allow", "POST"),
			`{"error":"invalid_request","error_description":"The token endpoint accepts POST only."}`, ""},
		{"token rate limit", "POST", loopback + "/oauth/v3/token", 429, jsonHeader(tooMany...),
			`{"code":53,"message":"Too many requests","description":"x"}`, ""},
	}
}

// serviceAnswers are answers of the description itself and of the health probes.
func serviceAnswers() []validatorCase {
	return []validatorCase{
		{"openapi.yaml", "GET", v1 + "/openapi.yaml", 200, header("Content-Type", "application/yaml"), string(api.OpenAPI), ""},
		{"healthz", "GET", loopback + "/healthz", 200, jsonHeader(), `{"status":"ok"}`, ""},
		{"readyz unavailable", "GET", loopback + "/readyz", 503, jsonHeader(), `{"status":"unavailable"}`, ""},
		{"healthz with another status", "GET", loopback + "/healthz", 200, jsonHeader(), `{"status":"fine"}`, "status"},
	}
}

// TestValidatorMessage checks that the error names the request and the status, says what is
// wrong, and quotes the body, truncated.
func TestValidatorMessage(t *testing.T) {
	v := openapitest.New(t)
	long := `{"code":"42","message":"Expired credentials","description":"` + strings.Repeat("x", 5000) + `"}`
	req := httptest.NewRequest("GET", v1+"/contract", nil)
	err := v.Validate(req, 401, jsonHeader("WWW-Authenticate", "Bearer"), []byte(long))
	if err == nil {
		t.Fatal("want an error")
	}
	msg := err.Error()
	for _, want := range []string{"GET /cloud/b2b/v1/contract → 401", "code", fmt.Sprintf(`body (%d bytes): {"code":"42"`, len(long)), "…"} {
		if !strings.Contains(msg, want) {
			t.Errorf("the message lacks %q:\n%s", want, msg)
		}
	}
	if len(msg) > 3000 {
		t.Errorf("the message is %d bytes long:\n%s", len(msg), msg)
	}
	// Binary bodies are not quoted.
	bin := v.Validate(httptest.NewRequest("GET", v1+"/documents/abc/file", nil), 200,
		fileHeader("ETag", ""), []byte("PK\x03\x04\x00\x00\xff\xfe"))
	if bin == nil || !strings.Contains(bin.Error(), "(binary)") || !strings.Contains(bin.Error(), `"ETag" missing`) {
		t.Errorf("binary body: %v", bin)
	}

	var verr *openapitest.Error
	if !errors.As(err, &verr) {
		t.Fatalf("the error is a %T, want *openapitest.Error", err)
	}
	if verr.Status != 401 || verr.Method != "GET" || verr.Path != "/cloud/b2b/v1/contract" {
		t.Errorf("error fields: %+v", verr)
	}
}

// TestCheckHelpers checks Check, CheckRecorder, CheckResponse and Transport on a good answer
// from a real server on a loopback port.
func TestCheckHelpers(t *testing.T) {
	v := openapitest.New(t)
	contract := mustJSON(t, goodContract)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set(api.HeaderRequestID, "id-1")
		h.Set("Content-Type", "application/json")
		h.Set(api.HeaderTotalCount, "1")
		h.Set(api.HeaderResultCount, "1")
		w.Write([]byte("[" + contract + "]"))
	}))
	defer srv.Close()

	client := &http.Client{Transport: v.Transport(t, nil)}
	resp, err := client.Get(srv.URL + api.BasePath + "/contracts")
	if err != nil {
		t.Fatal(err)
	}
	var got []api.Contract
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
		t.Fatalf("the body is not readable after Transport: %v", err)
	}
	resp.Body.Close()
	if len(got) != 1 || got[0].ID != goodContract.ID {
		t.Errorf("body after Transport: %+v", got)
	}

	req := httptest.NewRequest("GET", api.BasePath+"/contracts", nil)
	rec := httptest.NewRecorder()
	srv.Config.Handler.ServeHTTP(rec, req)
	v.CheckRecorder(t, req, rec)
	v.Check(t, req, rec.Code, rec.Header(), rec.Body.Bytes())
	v.CheckResponse(t, &http.Response{StatusCode: rec.Code, Header: rec.Header(), Request: req}, rec.Body.Bytes())
}
