package httpapi_test

import (
	"strings"
	"testing"

	"github.com/eccs/eccs/api"
	"github.com/eccs/eccs/internal/testkit/apitest"
)

// guideUser is the body of the guide's Example 3, as written there.
const guideUser = `{
  "civility": "M",
  "lastName": "Doe",
  "firstName": "John",
  "email": "john.doe@orange.com",
  "login": "john.doe",
  "fixPhone": "0102030405",
  "mobilePhone": "",
  "roles": {
    "contracts": [
       "visitor"
    ]
  }
}`

func TestUserDeclared(t *testing.T) {
	e := apitest.NewEnv(t)
	for i, path := range []string{"/contract/OCB0000001/user", "/contract/OCB0000002/users/", "/contracts/OCB0000001/user", "/contracts/OCB0000001/users"} {
		t.Run(path, func(t *testing.T) {
			body := strings.ReplaceAll(strings.ReplaceAll(guideUser, "john.doe", "john.doe"+string(rune('a'+i))), `"visitor"`, `"manager"`)
			key := e.Creds.APIKeys.Client
			if strings.Contains(path, "OCB0000002") {
				key = e.Creds.APIKeys.Administrator // the client is not manager on users there
			}
			// The guide's curl sends form-encoded JSON: the Content-Type does not matter.
			r := e.Do(apitest.Req{Method: "POST", Path: api.BasePath + path, Body: body, Header: map[string]string{
				"Authorization": "Bearer " + e.Token(), api.HeaderAPIKey: key, "Content-Type": "application/x-www-form-urlencoded"}})
			r.WantStatus(t, 201)
			var u api.User
			apitest.MustJSON(t, r.Body, &u)
			if u.Login != "john.doe"+string(rune('a'+i)) || u.LastName != "Doe" || u.Civility != "M" || u.FixPhone != "0102030405" {
				t.Fatalf("echo %+v", u)
			}
			if strings.Join(u.Roles.Contracts, ",") != "manager" || len(u.Roles.Documents) != 0 {
				t.Fatalf("roles %+v", u.Roles)
			}
		})
	}
}

func TestUserOfAKnownEmailEchoesTheCustomersRecord(t *testing.T) {
	e := apitest.NewEnv(t)
	// Claire Martin is declared on OCB0000001 (she is its referent) with login claire.martin.
	body := `{"lastName": "Other", "firstName": "Name", "email": "CLAIRE.MARTIN@acme.example", "login": "another.login", "roles": {"documents": ["visitor"]}}`
	// The administrator declares her on OCB0000002, where she already is: conflict.
	e.AsAdmin("POST", "/contract/OCB0000002/user", "", body).WantError(t, 409, api.CodeConflict)
	// A new contract, ordered by the administrator, on which she is not declared.
	order := `{"billingAccountId": "20451001", "offerCode": "FE", "contractName": "X", "supportLevel": "BSC", "referentName": "Doe", "referentFirstName": "Jane", "referentMail": "jane.doe@example.com"}`
	var created api.ContractCreated
	apitest.MustJSON(t, e.AsAdmin("POST", "/contract", "", order).WantStatus(t, 201).Body, &created)
	r := e.AsAdmin("POST", "/contract/"+created.ID+"/user", "", body).WantStatus(t, 201)
	var u api.User
	apitest.MustJSON(t, r.Body, &u)
	// Acme's record of her is echoed, kept as it is (login and names), with the e-mail as
	// sent: the caller's own customer's data, nothing of another customer's.
	if u.Login != "claire.martin" || u.LastName != "Martin" || u.FirstName != "Claire" || u.Email != "CLAIRE.MARTIN@acme.example" {
		t.Fatalf("echo %+v", u)
	}
	if strings.Join(u.Roles.Contracts, ",") != "visitor" || strings.Join(u.Roles.Documents, ",") != "visitor" {
		t.Fatalf("roles %+v", u.Roles)
	}
	// The client account (Claire) now sees the new contract.
	e.AsClient("GET", "/contract", created.ID, "").WantStatus(t, 200)
}

func TestUserRefused(t *testing.T) {
	e := apitest.NewEnv(t)
	good := `{"lastName": "Doe", "firstName": "John", "email": "john.doe@example.com", "login": "john.doe", "roles": {"contracts": ["visitor"]}}`
	tests := []struct {
		name     string
		key      string
		path     string
		contract string
		body     string
		status   int
		code     int
		mentions string
	}{
		{"no role on users", "client", "/contract/OCB0000002/user", "", good, 403, 50, "manager"},
		{"an invisible contract", "client", "/contract/OCB0000005/user", "", good, 403, 50, "OCB0000005"},
		{"a malformed contract in the path", "client", "/contract/OCB%20001/user", "", good, 400, 20, "URL"},
		{"a header naming another contract", "client", "/contract/OCB0000001/user", "OCB0000002", good, 400, 26, "X-ECCS-Contract-Id"},
		{"an empty body", "client", "/contract/OCB0000001/user", "", "", 400, 21, "JSON"},
		{"not JSON", "client", "/contract/OCB0000001/user", "", "lastName=Doe", 400, 22, "JSON"},
		{"roles missing", "client", "/contract/OCB0000001/user", "", `{"lastName": "Doe", "firstName": "John", "email": "j@example.com", "login": "john.doe"}`, 400, 23, "roles"},
		{"several fields missing", "client", "/contract/OCB0000001/user", "", `{"lastName": "Doe", "roles": {}}`, 400, 23, "firstName, email, login"},
		{"a short login", "client", "/contract/OCB0000001/user", "", strings.Replace(good, `"john.doe"`, `"jdoe"`, 1), 400, 24, "login"},
		{"a bad e-mail", "client", "/contract/OCB0000001/user", "", strings.Replace(good, "john.doe@example.com", "john", 1), 400, 24, "email"},
		{"an unknown role", "client", "/contract/OCB0000001/user", "", strings.Replace(good, `"visitor"`, `"owner"`, 1), 400, 24, "roles.contracts"},
		{"an unknown section", "client", "/contract/OCB0000001/user", "", strings.Replace(good, `"contracts"`, `"billing"`, 1), 400, 24, "roles.billing"},
		{"roles of the wrong type", "client", "/contract/OCB0000001/user", "", strings.Replace(good, `{"contracts": ["visitor"]}`, `"visitor"`, 1), 400, 24, "roles"},
		{"a NUL byte in a name", "client", "/contract/OCB0000001/user", "", strings.Replace(good, `"Doe"`, `"Do\u0000e"`, 1), 400, 24, "lastName"},
		{"a login taken by another e-mail", "client", "/contract/OCB0000001/user", "", strings.Replace(good, `"john.doe"`, `"claire.martin"`, 1), 409, 70, "login"},
		{"already declared", "client", "/contract/OCB0000001/user", "", strings.Replace(good, "john.doe@example.com", "claire.martin@acme.example", 1), 409, 70, "already"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			key := e.Creds.APIKeys.Client
			desc := e.Call("POST", tt.path, e.Token(), key, tt.contract, tt.body).WantError(t, tt.status, tt.code)
			if !strings.Contains(desc, tt.mentions) {
				t.Errorf("description %q does not mention %q", desc, tt.mentions)
			}
		})
	}
	t.Run("a refused request changed nothing", func(t *testing.T) {
		// john.doe was never created: declaring it now succeeds with that login.
		r := e.AsClient("POST", "/contract/OCB0000001/user", "", good).WantStatus(t, 201)
		var u api.User
		apitest.MustJSON(t, r.Body, &u)
		if u.Login != "john.doe" {
			t.Fatalf("login %q", u.Login)
		}
	})
}
