package httpapi_test

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/eccs/eccs/api"
	"github.com/eccs/eccs/api/admin"
	"github.com/eccs/eccs/internal/eccs"
	"github.com/eccs/eccs/internal/httpapi"
	"github.com/eccs/eccs/internal/testkit/apitest"
	"github.com/eccs/eccs/internal/testkit/openapitest"
)

func ptr[T any](v T) *T { return &v }

func TestAdminRefusesRequestsWithoutAValidOperatorToken(t *testing.T) {
	a := apitest.NewAdminEnv(t)
	adminRefusedTokens(t, a)

	// A revoked token is refused at once; so is an expired one.
	other := apitest.OK[admin.IssuedOperatorToken](t, a.Call("POST", "/operator-tokens", admin.NewOperatorToken{Name: "ci", TTL: "2h"}), 201)
	if other.Token == "" || !strings.HasPrefix(other.Token, other.OperatorToken.Prefix) || other.OperatorToken.ExpiresAt.IsZero() {
		t.Fatalf("issued operator token %+v", other)
	}
	a.CallAs(other.Token, "GET", "/customers", nil).WantStatus(t, 200)
	a.Clock.Advance(2 * time.Hour)
	a.CallAs(other.Token, "GET", "/customers", nil).WantError(t, 401, api.CodeInvalidCredentials)

	third := apitest.OK[admin.IssuedOperatorToken](t, a.Call("POST", "/operator-tokens", admin.NewOperatorToken{Name: "laptop"}), 201)
	a.CallAs(third.Token, "GET", "/offers", nil).WantStatus(t, 200)
	revoked := apitest.OK[admin.OperatorToken](t, a.Call("POST", "/operator-tokens/"+third.OperatorToken.ID+"/revoke", nil), 200)
	if revoked.RevokedAt.IsZero() {
		t.Error("no revokedAt")
	}
	a.CallAs(third.Token, "GET", "/offers", nil).WantError(t, 401, api.CodeInvalidCredentials)
	a.Call("POST", "/operator-tokens/"+third.OperatorToken.ID+"/revoke", nil).WantError(t, 409, api.CodeConflict)
	a.Call("POST", "/operator-tokens/nosuchtoken/revoke", nil).WantError(t, 404, api.CodeResourceNotFound)
	a.Call("POST", "/operator-tokens", admin.NewOperatorToken{Name: ""}).WantError(t, 400, api.CodeInvalidBodyField)

	tokens := apitest.OK[admin.List[admin.OperatorToken]](t, a.Call("GET", "/operator-tokens", nil), 200)
	if tokens.Total != len(tokens.Items) || tokens.Total < 3 {
		t.Errorf("operator tokens: %+v", tokens)
	}
	for _, tok := range tokens.Items {
		if tok.ID == a.OperatorTokenID && tok.LastUsedAt.IsZero() {
			t.Errorf("the token in use has no lastUsedAt: %+v", tokens)
		}
	}
	if r := a.Call("GET", "/operator-tokens", nil); strings.Contains(string(r.Body), other.Token) || strings.Contains(string(r.Body), third.Token) {
		t.Error("the list shows a token")
	}
	a.CheckAudit()
}

// adminRefusedTokens checks what the admin API answers a request without a valid operator
// token.
func adminRefusedTokens(t *testing.T, a *apitest.AdminEnv) {
	for _, tt := range []struct {
		name   string
		header string
		code   int
	}{
		{"no Authorization", "", api.CodeMissingCredentials},
		{"another scheme", "Basic " + a.OperatorToken, api.CodeMissingCredentials},
		{"an empty bearer", "Bearer ", api.CodeMissingCredentials},
		{"an unknown token", "Bearer eccsop_" + strings.Repeat("x", 43), api.CodeInvalidCredentials},
		{"an API key", "Bearer " + a.Creds.APIKeys.Administrator, api.CodeInvalidCredentials},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := a.Send("GET", a.AdminURL+"/customers", nil, map[string]string{"Authorization": tt.header})
			desc := r.WantError(t, 401, tt.code)
			// RFC 6750 §3: no error code without a token; invalid_token for a refused one.
			want := "Bearer"
			if tt.code == api.CodeInvalidCredentials {
				want = `Bearer error="invalid_token", error_description="` + desc + `"`
			}
			if got := r.Header.Get("WWW-Authenticate"); got != want {
				t.Errorf("WWW-Authenticate %q, want %q", got, want)
			}
			if strings.Contains(desc, a.OperatorToken) {
				t.Error("the description echoes the token")
			}
		})
	}
}

func TestAdminServesItsDescriptionAndTheEnvelope(t *testing.T) {
	a := apitest.NewAdminEnv(t)
	r := a.Send("GET", a.AdminURL+"/openapi.yaml", nil, nil).WantStatus(t, 200)
	if string(r.Body) != string(admin.OpenAPI) {
		t.Error("the served description is not api/admin/openapi.yaml")
	}
	a.Call("GET", "/nothing", nil).WantError(t, 404, api.CodeResourceNotFound)
	for _, tt := range []struct{ method, path, allow string }{
		{"DELETE", "/customers", "GET, HEAD, POST"},
		{"POST", "/customers/C1000001", "GET, HEAD, PATCH"},
		{"GET", "/keys/abc/revoke", "POST"},
		{"PATCH", "/applications/abc", "DELETE, GET, HEAD"},
	} {
		r := a.Call(tt.method, tt.path, nil)
		r.WantError(t, 405, api.CodeMethodNotAllowed)
		if r.Header.Get("Allow") != tt.allow {
			t.Errorf("%s %s: Allow %q, want %q", tt.method, tt.path, r.Header.Get("Allow"), tt.allow)
		}
	}
	// A trailing slash is accepted, and HEAD wherever GET is.
	a.Call("GET", "/customers/", nil).WantStatus(t, 200)
	a.Call("HEAD", "/offers", nil).WantStatus(t, 200)
	// The admin listener serves the admin API only, and the customer listener does not serve
	// it when it has its own (answers the description cannot describe: no validation).
	adminRoot := strings.TrimSuffix(a.AdminURL, admin.BasePath)
	for _, u := range []string{adminRoot + api.BasePath + "/contracts", adminRoot + "/claim/abc", adminRoot + "/healthz", a.URL + admin.BasePath + "/customers"} {
		req, _ := http.NewRequest("GET", u, nil)
		req.Header.Set("Authorization", "Bearer "+a.OperatorToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		r := apitest.Response{Status: resp.StatusCode, Header: resp.Header, Body: apitest.ReadAll(t, resp)}
		resp.Body.Close()
		r.WantError(t, 404, api.CodeResourceNotFound)
	}
}

// TestAdminOnTheCustomerListener serves both APIs on one listener (no --admin-addr).
func TestAdminOnTheCustomerListener(t *testing.T) {
	e := apitest.NewEnv(t)
	_, token, err := e.Svc.CreateOperatorToken(t.Context(), "one listener", 0)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(httpapi.New(e.Svc, slog.New(slog.DiscardHandler), httpapi.Config{Admin: &httpapi.AdminConfig{}}))
	defer srv.Close()
	client := &http.Client{Transport: openapitest.NewAdmin(t).Transport(t, nil)}
	get := func(path, auth string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		if auth != "" {
			req.Header.Set("Authorization", "Bearer "+auth)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	if resp := get(admin.BasePath+"/customers", token); resp.StatusCode != 200 {
		t.Errorf("admin API on the customer listener: %d", resp.StatusCode)
	}
	if resp := get(admin.BasePath+"/customers", ""); resp.StatusCode != 401 {
		t.Errorf("without a token: %d", resp.StatusCode)
	}
	if resp := get("/claim/abc", ""); resp.StatusCode != 404 {
		t.Errorf("claim page of an unknown link: %d, want 404", resp.StatusCode)
	}
	// The claim link of a key issued here is on this listener, derived from the request.
	var issued admin.IssuedKey
	req, _ := http.NewRequest("POST", srv.URL+admin.BasePath+"/accounts/"+accountIDOf(t, e, "client")+"/keys", strings.NewReader(`{"claimLink": true}`))
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b := apitest.ReadAll(t, resp)
	resp.Body.Close()
	apitest.MustJSON(t, b, &issued)
	if issued.Claim == nil || !strings.HasPrefix(issued.Claim.URL, srv.URL+"/claim/") {
		t.Errorf("claim %+v, want a link on %s", issued.Claim, srv.URL)
	}
}

// accountIDOf returns the id of the seeded account of this type.
func accountIDOf(t *testing.T, e *apitest.Env, typ string) string {
	t.Helper()
	list, _, err := e.Svc.Accounts(t.Context(), eccs.Page{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range list {
		if string(a.Type) == typ {
			return a.ID
		}
	}
	t.Fatalf("no %s account", typ)
	return ""
}

func TestAdminCatalog(t *testing.T) {
	a := apitest.NewAdminEnv(t)

	c := apitest.OK[admin.Customer](t, a.Call("POST", "/customers", admin.Customer{ID: "C9000001", Name: "Globex SAS", Segment: "sme"}), 201)
	if c.ID != "C9000001" || c.CreatedAt.IsZero() || !c.CreatedAt.Equal(a.Clock.Now().Truncate(time.Second)) {
		t.Errorf("created customer %+v", c)
	}
	a.Call("POST", "/customers", admin.Customer{ID: "C9000001", Name: "Again", Segment: "sme"}).WantError(t, 409, api.CodeConflict)
	if d := a.Call("POST", "/customers", admin.Customer{ID: "bad id!", Name: "X", Segment: "sme"}).WantError(t, 400, api.CodeInvalidBodyField); !strings.Contains(d, "customer id") {
		t.Errorf("description %q does not name the id", d)
	}
	a.Call("POST", "/customers", `{"id": "C9", "name": "X", "segment": "sme", "colour": "red"}`).WantError(t, 400, api.CodeInvalidBodyField)
	a.Call("POST", "/customers", "").WantError(t, 400, api.CodeMissingBody)
	a.Call("POST", "/customers", "[1]").WantError(t, 400, api.CodeInvalidBody)

	got := apitest.OK[admin.Customer](t, a.Call("GET", "/customers/C9000001", nil), 200)
	if got != c {
		t.Errorf("GET %+v, want %+v", got, c)
	}
	a.Call("GET", "/customers/C0000000", nil).WantError(t, 404, api.CodeResourceNotFound)
	list := apitest.OK[admin.List[admin.Customer]](t, a.Call("GET", "/customers?limit=1&offset=2", nil), 200)
	if list.Total != 3 || len(list.Items) != 1 || list.Items[0].ID != "C9000001" {
		t.Errorf("page 3 of customers: %+v", list)
	}
	a.Call("GET", "/customers?limit=0", nil).WantError(t, 400, api.CodeInvalidQueryParameter)
	a.Call("GET", "/customers?offset=", nil).WantError(t, 400, api.CodeMissingQueryParameter)

	a.Clock.Advance(time.Minute)
	c = apitest.OK[admin.Customer](t, a.Call("PATCH", "/customers/C9000001", admin.CustomerUpdate{Name: ptr("Globex")}), 200)
	if c.Name != "Globex" || c.Segment != "sme" || !c.UpdatedAt.After(c.CreatedAt) {
		t.Errorf("updated customer %+v", c)
	}
	a.Call("PATCH", "/customers/C0000000", admin.CustomerUpdate{Name: ptr("X")}).WantError(t, 404, api.CodeResourceNotFound)
	a.Call("PATCH", "/customers/C9000001", admin.CustomerUpdate{Segment: ptr("")}).WantError(t, 400, api.CodeInvalidBodyField)

	adminCatalogAccountsAndOffers(t, a)
	a.CheckAudit()
}

// adminCatalogAccountsAndOffers creates, lists and renames billing accounts of customer
// C9000001, and offers.
func adminCatalogAccountsAndOffers(t *testing.T, a *apitest.AdminEnv) {
	b := apitest.OK[admin.BillingAccount](t, a.Call("POST", "/billing-accounts", admin.BillingAccount{ID: "90000001", CustomerID: "C9000001", Name: "Globex main"}), 201)
	if b.CustomerID != "C9000001" {
		t.Errorf("billing account %+v", b)
	}
	a.Call("POST", "/billing-accounts", admin.BillingAccount{ID: "90000002", CustomerID: "C0000000", Name: "Nobody's"}).WantError(t, 404, api.CodeResourceNotFound)
	a.Call("POST", "/billing-accounts", admin.BillingAccount{ID: "90000001", CustomerID: "C9000001", Name: "Twice"}).WantError(t, 409, api.CodeConflict)
	bas := apitest.OK[admin.List[admin.BillingAccount]](t, a.Call("GET", "/billing-accounts?customerId=C9000001", nil), 200)
	if bas.Total != 1 || bas.Items[0].ID != "90000001" {
		t.Errorf("billing accounts of C9000001: %+v", bas)
	}
	if all := apitest.OK[admin.List[admin.BillingAccount]](t, a.Call("GET", "/billing-accounts", nil), 200); all.Total != 4 {
		t.Errorf("all billing accounts: %d, want 4", all.Total)
	}
	a.Call("GET", "/billing-accounts?customerId=", nil).WantError(t, 400, api.CodeMissingQueryParameter)
	b = apitest.OK[admin.BillingAccount](t, a.Call("PATCH", "/billing-accounts/90000001", admin.BillingAccountUpdate{Name: "Globex HQ"}), 200)
	if b.Name != "Globex HQ" {
		t.Errorf("renamed %+v", b)
	}
	a.Call("PATCH", "/billing-accounts/90000009", admin.BillingAccountUpdate{Name: "X"}).WantError(t, 404, api.CodeResourceNotFound)

	o := apitest.OK[admin.Offer](t, a.Call("POST", "/offers", admin.Offer{ID: "OBS", Name: "Object storage", ContractType: "Storage", SupportLevels: []string{"STD", "PRM", "STD"}}), 201)
	if !slices.Equal(o.SupportLevels, []string{"STD", "PRM"}) {
		t.Errorf("offer %+v", o)
	}
	a.Call("POST", "/offers", admin.Offer{ID: "NOSL", Name: "X", ContractType: "X"}).WantError(t, 400, api.CodeMissingBodyField)
	offers := apitest.OK[admin.List[admin.Offer]](t, a.Call("GET", "/offers", nil), 200)
	if offers.Total != 3 || len(offers.Items) != 3 {
		t.Errorf("offers: %+v", offers)
	}
	o = apitest.OK[admin.Offer](t, a.Call("PATCH", "/offers/OBS", admin.OfferUpdate{SupportLevels: []string{"GLD"}}), 200)
	if !slices.Equal(o.SupportLevels, []string{"GLD"}) || o.Name != "Object storage" {
		t.Errorf("updated offer %+v", o)
	}
	a.Call("PATCH", "/offers/NONE", admin.OfferUpdate{Name: ptr("X")}).WantError(t, 404, api.CodeResourceNotFound)
}

func TestAdminContractsAndTheirUsers(t *testing.T) {
	a := apitest.NewAdminEnv(t)
	c, loaded := adminCreateContracts(t, a)

	c = adminReadAndUpdateContract(t, a, c)

	u, key := adminDeclareUser(t, a, c)

	u = adminChangeRoles(t, a, c, u, key)

	c = adminChangeReferent(t, a, c, loaded, u)

	adminRemoveUser(t, a, c)

	adminCloseContract(t, a, c, key)
	a.CheckAudit()
}

// adminCreateContracts creates a contract numbered by the server and one loaded with its own
// number (and its date), and checks the refusals of POST /contracts.
func adminCreateContracts(t *testing.T, a *apitest.AdminEnv) (admin.Contract, admin.Contract) {
	referent := admin.Person{Civility: "Ms", LastName: "Keller", FirstName: "Ada", Email: "ada.keller@acme.example"}
	c := apitest.OK[admin.Contract](t, a.Call("POST", "/contracts", admin.NewContract{
		Name: "ACME-ANALYTICS", OfferID: "FE", BillingAccountID: "20451001", Referent: referent,
		ReferentLogin: "ada.keller", ReferenceExt: []string{"PO-1", "", "CC-3"},
	}), 201)
	if !strings.HasPrefix(c.ID, "OCB") || c.SupportLevel != "BSC" || c.ContractType != "Public Cloud" || c.OfferName == "" ||
		c.CustomerID != "C1000001" || c.CustomerName == "" || c.Referent.Login != "ada.keller" || c.Referent.Email != referent.Email ||
		!slices.Equal(c.ReferenceExt, []string{"PO-1", "", "CC-3"}) || !c.ClosedAt.IsZero() {
		t.Errorf("created contract %+v", c)
	}
	loaded := apitest.OK[admin.Contract](t, a.Call("POST", "/contracts", admin.NewContract{
		ID: "LEGACY-42", Name: "Loaded", OfferID: "CAV", BillingAccountID: "30872001", SupportLevel: "GLD", Referent: referent,
		CreatedAt: time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC),
	}), 201)
	if loaded.ID != "LEGACY-42" || !loaded.CreatedAt.Equal(time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)) || loaded.Referent.ID != c.Referent.ID {
		t.Errorf("loaded contract %+v", loaded)
	}
	a.Call("POST", "/contracts", admin.NewContract{ID: "LEGACY-42", Name: "Again", OfferID: "FE", BillingAccountID: "20451001", Referent: referent}).WantError(t, 409, api.CodeConflict)
	a.Call("POST", "/contracts", admin.NewContract{Name: "X", OfferID: "NOPE", BillingAccountID: "20451001", Referent: referent}).WantError(t, 404, api.CodeResourceNotFound)
	if d := a.Call("POST", "/contracts", admin.NewContract{Name: "X", OfferID: "FE", BillingAccountID: "20451001", SupportLevel: "GLD", Referent: referent}).WantError(t, 400, api.CodeInvalidBodyField); !strings.Contains(d, "GLD") {
		t.Errorf("description %q", d)
	}
	a.Call("POST", "/contracts", admin.NewContract{Name: "X", OfferID: "FE", BillingAccountID: "20451001", Referent: referent, ReferenceExt: []string{"1", "2", "3", "4"}}).WantError(t, 400, api.CodeInvalidBodyField)
	a.Call("POST", "/contracts", admin.NewContract{Name: "X", OfferID: "FE", BillingAccountID: "20451001", Referent: admin.Person{LastName: "A", FirstName: "B", Email: "not an e-mail"}}).WantError(t, 400, api.CodeInvalidBodyField)
	return c, loaded
}

// adminReadAndUpdateContract reads contract c, lists contracts by filter, and updates c.
func adminReadAndUpdateContract(t *testing.T, a *apitest.AdminEnv, c admin.Contract) admin.Contract {
	if got := apitest.OK[admin.Contract](t, a.Call("GET", "/contracts/"+c.ID, nil), 200); got.ID != c.ID || got.Referent != c.Referent {
		t.Errorf("GET %+v", got)
	}
	a.Call("GET", "/contracts/OCB9999999", nil).WantError(t, 404, api.CodeResourceNotFound)
	a.Call("GET", "/contracts/x", nil).WantError(t, 400, api.CodeInvalidURLParameter)
	list := apitest.OK[admin.List[admin.Contract]](t, a.Call("GET", "/contracts?customerId=C1000002", nil), 200)
	if list.Total != 3 { // BISTRO-WEB, BISTRO-VDC and LEGACY-42
		t.Errorf("contracts of C1000002: %d", list.Total)
	}
	list = apitest.OK[admin.List[admin.Contract]](t, a.Call("GET", "/contracts?billingAccountId=20451001&offerId=FE", nil), 200)
	if list.Total != 2 {
		t.Errorf("FE contracts of 20451001: %+v", list)
	}
	if all := apitest.OK[admin.List[admin.Contract]](t, a.Call("GET", "/contracts?limit=2", nil), 200); all.Total != 8 || len(all.Items) != 2 {
		t.Errorf("all contracts: %d, page %d", all.Total, len(all.Items))
	}

	// (admin.ContractUpdate cannot say "referenceExt": [], which removes them: omitempty drops it.)
	c = apitest.OK[admin.Contract](t, a.Call("PATCH", "/contracts/"+c.ID, `{"name": "ACME-BI", "supportLevel": "PRM", "platformId": "fe-acme-bi", "referenceExt": []}`), 200)
	if c.Name != "ACME-BI" || c.SupportLevel != "PRM" || c.PlatformID != "fe-acme-bi" || c.ReferenceExt != nil {
		t.Errorf("updated contract %+v", c)
	}
	a.Call("PATCH", "/contracts/"+c.ID, admin.ContractUpdate{SupportLevel: ptr("GLD")}).WantError(t, 400, api.CodeInvalidBodyField)
	return c
}

// adminDeclareUser declares a user on contract c, gives the same person an account and a key
// (returned), which sees c.
func adminDeclareUser(t *testing.T, a *apitest.AdminEnv, c admin.Contract) (admin.User, string) {
	// Users: declared, seen by their account on the customer side, re-roled, removed.
	u := apitest.OK[admin.User](t, a.Call("POST", "/contracts/"+c.ID+"/users", admin.NewUser{
		Person: admin.Person{LastName: "Zola", FirstName: "Zoé", Email: "zoe.zola@acme.example"}, Login: "zoe.zola",
		Roles: map[string][]string{"contracts": {"visitor"}, "documents": {"manager"}},
	}), 201)
	if u.Roles != (admin.Roles{Contracts: "visitor", Documents: "manager"}) || u.Login != "zoe.zola" || u.ID == "" {
		t.Errorf("declared user %+v", u)
	}
	a.Call("POST", "/contracts/"+c.ID+"/users", admin.NewUser{
		Person: admin.Person{LastName: "Zola", FirstName: "Zoé", Email: "zoe.zola@acme.example"}, Login: "zoe.zola",
		Roles: map[string][]string{"contracts": {"visitor"}},
	}).WantError(t, 409, api.CodeConflict)
	a.Call("POST", "/contracts/"+c.ID+"/users", admin.NewUser{
		Person: admin.Person{LastName: "Y", FirstName: "Y", Email: "y.y@acme.example"}, Login: "yyyyyyyy",
		Roles: map[string][]string{"billing": {"manager"}},
	}).WantError(t, 400, api.CodeInvalidBodyField)
	a.Call("POST", "/contracts/OCB9999999/users", admin.NewUser{
		Person: admin.Person{LastName: "Y", FirstName: "Y", Email: "y.y@acme.example"}, Login: "yyyyyyyy",
		Roles: map[string][]string{"contracts": {"visitor"}},
	}).WantError(t, 404, api.CodeResourceNotFound)

	acct := apitest.OK[admin.Account](t, a.Call("POST", "/accounts", admin.NewAccount{Type: admin.AccountClient, Person: admin.Person{LastName: "Zola", FirstName: "Zoé", Email: "zoe.zola@acme.example"}}), 201)
	if acct.Identity.ID != u.ID || acct.Identity.Login != "zoe.zola" || acct.Perimeter != nil {
		t.Errorf("account %+v reuses identity %s", acct, u.ID)
	}
	key := a.IssueKey(acct.ID, admin.KeyRequest{}).Key
	if seen := a.ContractsSeen(key); !slices.Equal(seen, []string{c.ID}) {
		t.Errorf("the new user sees %q, want [%s]", seen, c.ID)
	}
	users := apitest.OK[admin.List[admin.User]](t, a.Call("GET", "/contracts/"+c.ID+"/users", nil), 200)
	if users.Total != 2 || users.Items[0].Login != "ada.keller" || users.Items[0].Roles != (admin.Roles{Contracts: "manager", Documents: "manager", Users: "manager"}) {
		t.Errorf("users %+v", users)
	}
	return u, key
}

// adminChangeRoles changes the roles of user u of contract c; the user's key sees them at once.
func adminChangeRoles(t *testing.T, a *apitest.AdminEnv, c admin.Contract, u admin.User, key string) admin.User {
	u = apitest.OK[admin.User](t, a.Call("PUT", "/contracts/"+c.ID+"/users/"+u.ID+"/roles", admin.RolesChange{Roles: map[string][]string{"documents": {"visitor"}, "users": {"manager"}}}), 200)
	if u.Roles != (admin.Roles{Contracts: "visitor", Documents: "visitor", Users: "manager"}) {
		t.Errorf("new roles %+v", u.Roles)
	}
	a.Call("PUT", "/contracts/"+c.ID+"/users/"+u.ID+"/roles", `{}`).WantError(t, 400, api.CodeMissingBodyField)
	a.Call("PUT", "/contracts/"+c.ID+"/users/"+c.Referent.ID+"/roles", admin.RolesChange{Roles: map[string][]string{"contracts": {"visitor"}}}).WantError(t, 409, api.CodeConflict)
	a.Call("PUT", "/contracts/"+c.ID+"/users/nobody/roles", admin.RolesChange{Roles: map[string][]string{"contracts": {"visitor"}}}).WantError(t, 404, api.CodeResourceNotFound)
	// The new roles apply from the next call: the user may now declare users.
	declare := `{"lastName": "Doe", "firstName": "Jane", "email": "jane.doe@acme.example", "login": "jane.doe1", "roles": {"contracts": ["visitor"]}}`
	a.Env.Call("POST", "/contract/"+c.ID+"/user", a.Env.Token(), key, "", declare).WantStatus(t, 201)
	return u
}

// adminChangeReferent makes u the referent of c and removes the former one, the referent of
// loaded too.
func adminChangeReferent(t *testing.T, a *apitest.AdminEnv, c, loaded admin.Contract, u admin.User) admin.Contract {
	// The referent changes to Zoé; the previous one is removed, and cannot be removed twice.
	a.Call("PUT", "/contracts/"+c.ID+"/referent", admin.ReferentChange{Email: "nobody@acme.example"}).WantError(t, 400, api.CodeInvalidBodyField)
	c = apitest.OK[admin.Contract](t, a.Call("PUT", "/contracts/"+c.ID+"/referent", admin.ReferentChange{Email: "zoe.zola@acme.example"}), 200)
	if c.Referent.ID != u.ID {
		t.Errorf("referent %+v, want %s", c.Referent, u.ID)
	}
	a.Call("DELETE", "/contracts/"+c.ID+"/users/"+u.ID, nil).WantError(t, 409, api.CodeConflict) // the referent
	a.Call("DELETE", "/contracts/"+c.ID+"/users/"+loaded.Referent.ID, nil).WantStatus(t, 204)    // Ada, the former referent
	a.Call("DELETE", "/contracts/"+c.ID+"/users/"+loaded.Referent.ID, nil).WantError(t, 404, api.CodeResourceNotFound)
	return c
}

// adminRemoveUser removes a user of c, whose account stops seeing c at once.
func adminRemoveUser(t *testing.T, a *apitest.AdminEnv, c admin.Contract) {
	// A removed user's account no longer sees the contract, at once.
	jane := apitest.OK[admin.List[admin.User]](t, a.Call("GET", "/contracts/"+c.ID+"/users", nil), 200)
	var janeID string
	for _, user := range jane.Items {
		if user.Email == "jane.doe@acme.example" {
			janeID = user.ID
		}
	}
	janeAcct := apitest.OK[admin.Account](t, a.Call("POST", "/accounts", admin.NewAccount{Type: admin.AccountClient, Person: admin.Person{LastName: "Doe", FirstName: "Jane", Email: "jane.doe@acme.example"}}), 201)
	janeKey := a.IssueKey(janeAcct.ID, admin.KeyRequest{}).Key
	a.Env.Call("GET", "/contract", a.Env.Token(), janeKey, c.ID, "").WantStatus(t, 200)
	a.Call("DELETE", "/contracts/"+c.ID+"/users/"+janeID, nil).WantStatus(t, 204)
	a.Env.Call("GET", "/contract", a.Env.Token(), janeKey, c.ID, "").WantError(t, 403, api.CodeAccessDenied)
	if seen := a.ContractsSeen(janeKey); len(seen) != 0 {
		t.Errorf("Jane still sees %q", seen)
	}
}

// adminCloseContract closes c, which stays visible (to key) and takes no change.
func adminCloseContract(t *testing.T, a *apitest.AdminEnv, c admin.Contract, key string) {
	// A closed contract stays visible and takes no change, here or on the customer side.
	closed := apitest.OK[admin.Contract](t, a.Call("POST", "/contracts/"+c.ID+"/close", nil), 200)
	if closed.ClosedAt.IsZero() {
		t.Error("no closedAt")
	}
	a.Call("POST", "/contracts/"+c.ID+"/close", nil).WantError(t, 409, api.CodeConflict)
	a.Call("PATCH", "/contracts/"+c.ID, admin.ContractUpdate{Name: ptr("X")}).WantError(t, 409, api.CodeConflict)
	a.Call("POST", "/contracts/"+c.ID+"/users", admin.NewUser{
		Person: admin.Person{LastName: "Late", FirstName: "Lou", Email: "lou.late@acme.example"}, Login: "lou.late",
		Roles: map[string][]string{"contracts": {"visitor"}},
	}).WantError(t, 409, api.CodeConflict)
	a.Env.Call("GET", "/contract", a.Env.Token(), key, c.ID, "").WantStatus(t, 200)
	a.Env.Call("POST", "/contract/"+c.ID+"/user", a.Env.Token(), key, "",
		`{"lastName": "Late", "firstName": "Lou", "email": "lou.late@acme.example", "login": "lou.late", "roles": {"contracts": ["visitor"]}}`).WantError(t, 409, api.CodeConflict)
}

func TestAdminAccountsAndPerimeters(t *testing.T) {
	a := apitest.NewAdminEnv(t)
	person := admin.Person{LastName: "Bistro", FirstName: "Admin", Email: "admin@bistro-numerique.example"}
	acct := apitest.OK[admin.Account](t, a.Call("POST", "/accounts", admin.NewAccount{
		Type: admin.AccountAdministrator, Person: person, Login: "bistro.admin",
		Perimeter: &admin.Perimeter{BillingAccountIDs: []string{"30872001"}, OfferIDs: []string{"FE"}},
	}), 201)
	if acct.Type != admin.AccountAdministrator || acct.Identity.Login != "bistro.admin" || acct.Perimeter == nil ||
		!slices.Equal(acct.Perimeter.OfferIDs, []string{"FE"}) {
		t.Errorf("account %+v", acct)
	}
	if got := apitest.OK[admin.Account](t, a.Call("GET", "/accounts/"+acct.ID, nil), 200); got.ID != acct.ID || got.Identity != acct.Identity {
		t.Errorf("GET %+v", got)
	}
	a.Call("GET", "/accounts/nosuchaccount", nil).WantError(t, 404, api.CodeResourceNotFound)
	if list := apitest.OK[admin.List[admin.Account]](t, a.Call("GET", "/accounts", nil), 200); list.Total != 3 {
		t.Errorf("accounts: %d, want 3", list.Total)
	}

	key := a.IssueKey(acct.ID, admin.KeyRequest{}).Key
	if seen := a.ContractsSeen(key); !slices.Equal(seen, []string{"OCB0000005"}) {
		t.Errorf("the perimeter shows %q, want [OCB0000005]", seen)
	}
	acct = apitest.OK[admin.Account](t, a.Call("PUT", "/accounts/"+acct.ID+"/perimeter", admin.Perimeter{BillingAccountIDs: []string{"30872001"}, OfferIDs: []string{"FE", "CAV"}}), 200)
	if !slices.Equal(acct.Perimeter.OfferIDs, []string{"FE", "CAV"}) {
		t.Errorf("perimeter %+v", acct.Perimeter)
	}
	if seen := a.ContractsSeen(key); !slices.Equal(seen, []string{"OCB0000005", "OCB0000006"}) {
		t.Errorf("the wider perimeter shows %q, at once", seen)
	}
	a.Call("PUT", "/accounts/"+acct.ID+"/perimeter", admin.Perimeter{BillingAccountIDs: []string{}, OfferIDs: []string{}}).WantStatus(t, 200)
	if seen := a.ContractsSeen(key); len(seen) != 0 {
		t.Errorf("an empty perimeter shows %q", seen)
	}
	a.Call("PUT", "/accounts/"+acct.ID+"/perimeter", admin.Perimeter{BillingAccountIDs: []string{"99999999"}, OfferIDs: []string{"FE"}}).WantError(t, 404, api.CodeResourceNotFound)
	client := a.AccountOf(admin.AccountClient, "claire.martin@acme.example")
	a.Call("PUT", "/accounts/"+client.ID+"/perimeter", admin.Perimeter{BillingAccountIDs: []string{}, OfferIDs: []string{}}).WantError(t, 400, api.CodeInvalidBodyField)
	a.Call("POST", "/accounts", admin.NewAccount{Type: admin.AccountClient, Person: person, Perimeter: &admin.Perimeter{BillingAccountIDs: []string{"30872001"}, OfferIDs: []string{"FE"}}}).WantError(t, 400, api.CodeInvalidBodyField)
	a.Call("POST", "/accounts", admin.NewAccount{Type: "owner", Person: person}).WantError(t, 400, api.CodeInvalidBodyField)
	a.Call("POST", "/accounts", admin.NewAccount{Type: admin.AccountClient, Person: admin.Person{LastName: "X", FirstName: "Y", Email: "x.y@example.com"}, Login: "bistro.admin"}).WantError(t, 409, api.CodeConflict)
	a.CheckAudit()
}

func TestAdminAPIKeys(t *testing.T) {
	a := apitest.NewAdminEnv(t)
	client := a.AccountOf(admin.AccountClient, "claire.martin@acme.example")
	now := a.Clock.Now().UTC().Truncate(time.Second)

	issued := a.IssueKey(client.ID, admin.KeyRequest{})
	r := a.Call("POST", "/accounts/"+client.ID+"/keys", admin.KeyRequest{TTL: "48h"})
	short := apitest.OK[admin.IssuedKey](t, r, 201)
	if r.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("Cache-Control %q on an issued key", r.Header.Get("Cache-Control"))
	}
	if issued.Key == "" || issued.Claim != nil || !strings.HasPrefix(issued.Key, issued.APIKey.Prefix) || issued.APIKey.AccountID != client.ID {
		t.Errorf("issued %+v", issued)
	}
	if want := now.Add(2 * 365 * 24 * time.Hour); !issued.APIKey.ExpiresAt.Equal(want) {
		t.Errorf("default expiry %s, want %s (two years)", issued.APIKey.ExpiresAt, want)
	}
	if want := now.Add(48 * time.Hour); !short.APIKey.ExpiresAt.Equal(want) {
		t.Errorf("expiry %s, want %s", short.APIKey.ExpiresAt, want)
	}
	thirty := apitest.OK[admin.IssuedKey](t, a.Call("POST", "/accounts/"+client.ID+"/keys", `{"ttl": "10d"}`), 201)
	a.Call("POST", "/accounts/"+client.ID+"/keys", admin.KeyRequest{TTL: "two years"}).WantError(t, 400, api.CodeInvalidBodyField)
	a.Call("POST", "/accounts/"+client.ID+"/keys", admin.KeyRequest{TTL: "-1h"}).WantError(t, 400, api.CodeInvalidBodyField)
	a.Call("POST", "/accounts/"+client.ID+"/keys", admin.KeyRequest{ClaimTTL: "1h"}).WantError(t, 400, api.CodeInvalidBodyField)
	a.Call("POST", "/accounts/nosuchaccount/keys", nil).WantError(t, 404, api.CodeResourceNotFound)

	adminKeyListing(t, a, client, issued, short, thirty)

	// Revoked: refused at once; listed only with includeInactive.
	revoked := apitest.OK[admin.APIKey](t, a.Call("POST", "/keys/"+issued.APIKey.ID+"/revoke", nil), 200)
	if revoked.RevokedAt.IsZero() {
		t.Error("no revokedAt")
	}
	a.Env.Call("GET", "/contracts", a.Env.Token(), issued.Key, "", "").WantError(t, 401, api.CodeInvalidCredentials)
	a.Call("POST", "/keys/"+issued.APIKey.ID+"/revoke", nil).WantError(t, 409, api.CodeConflict)
	if n := apitest.OK[admin.List[admin.APIKey]](t, a.Call("GET", "/keys?accountId="+client.ID, nil), 200).Total; n != 3 {
		t.Errorf("active keys after a revocation: %d, want 3", n)
	}
	if n := apitest.OK[admin.List[admin.APIKey]](t, a.Call("GET", "/keys?accountId="+client.ID+"&includeInactive=true", nil), 200).Total; n != 4 {
		t.Errorf("all keys: %d, want 4", n)
	}
	a.Call("POST", "/keys/"+issued.APIKey.ID+"/rotate", nil).WantError(t, 409, api.CodeConflict)

	adminRotateKeys(t, a, client, now, thirty, short)
	a.CheckAudit()
}

// adminKeyListing checks that a new key works at once and shows its use, and lists the keys of
// client by account and expiry.
func adminKeyListing(t *testing.T, a *apitest.AdminEnv, client admin.Account, issued, short, thirty admin.IssuedKey) {
	// The key works at once; its use is shown.
	a.Env.Call("GET", "/contracts", a.Env.Token(), issued.Key, "", "").WantStatus(t, 200)
	k := apitest.OK[admin.APIKey](t, a.Call("GET", "/keys/"+issued.APIKey.ID, nil), 200)
	if k.LastUsedAt.IsZero() || k.LastUsedFrom != "127.0.0.1" || k.Prefix != issued.APIKey.Prefix {
		t.Errorf("key %+v", k)
	}
	a.Call("GET", "/keys/nosuchkey", nil).WantError(t, 404, api.CodeResourceNotFound)
	if r := a.Call("GET", "/keys/"+issued.APIKey.ID, nil); strings.Contains(string(r.Body), issued.Key) {
		t.Error("the key is shown again")
	}

	keys := apitest.OK[admin.List[admin.APIKey]](t, a.Call("GET", "/keys?accountId="+client.ID, nil), 200)
	if keys.Total != 4 { // the demo key and three new ones
		t.Errorf("keys of %s: %d, want 4", client.ID, keys.Total)
	}
	expiring := apitest.OK[admin.List[admin.APIKey]](t, a.Call("GET", "/keys?expiringWithin=30d", nil), 200)
	if expiring.Total != 2 || expiring.Items[0].ID != short.APIKey.ID || expiring.Items[1].ID != thirty.APIKey.ID {
		t.Errorf("keys expiring within 30 days: %+v", expiring)
	}
	if n := apitest.OK[admin.List[admin.APIKey]](t, a.Call("GET", "/keys?expiringWithin=24h", nil), 200).Total; n != 0 {
		t.Errorf("keys expiring within a day: %d", n)
	}
	a.Call("GET", "/keys?expiringWithin=soon", nil).WantError(t, 400, api.CodeInvalidQueryParameter)
	if n := apitest.OK[admin.List[admin.APIKey]](t, a.Call("GET", "/keys?expiringWithin=30d&accountId="+client.ID, nil), 200).Total; n != 2 {
		t.Errorf("keys of the client account expiring within 30 days: %d, want 2", n)
	}
	a.Call("GET", "/keys?includeInactive=perhaps", nil).WantError(t, 400, api.CodeInvalidQueryParameter)
}

// adminRotateKeys rotates keys of client with an hour of overlap (thirty) and without (short).
func adminRotateKeys(t *testing.T, a *apitest.AdminEnv, client admin.Account, now time.Time, thirty, short admin.IssuedKey) {
	// Rotated with an hour of overlap: both keys work for the hour, then only the new one.
	r := a.Call("POST", "/keys/"+thirty.APIKey.ID+"/rotate", admin.KeyRotation{Overlap: "1h", KeyRequest: admin.KeyRequest{TTL: "720h"}})
	rotated := apitest.OK[admin.IssuedKey](t, r, 201)
	if r.Header.Get("Cache-Control") != "no-store" || rotated.Key == "" || rotated.APIKey.ID == thirty.APIKey.ID || rotated.APIKey.AccountID != client.ID {
		t.Errorf("rotated %+v", rotated)
	}
	if old := apitest.OK[admin.APIKey](t, a.Call("GET", "/keys/"+thirty.APIKey.ID, nil), 200); !old.ExpiresAt.Equal(now.Add(time.Hour)) {
		t.Errorf("the old key expires at %s, want the end of the overlap", old.ExpiresAt)
	}
	a.Env.Call("GET", "/contracts", a.Env.Token(), thirty.Key, "", "").WantStatus(t, 200)
	a.Env.Call("GET", "/contracts", a.Env.Token(), rotated.Key, "", "").WantStatus(t, 200)
	a.Clock.Advance(time.Hour + time.Second)
	a.Env.Call("GET", "/contracts", a.Env.Token(), thirty.Key, "", "").WantError(t, 401, api.CodeInvalidCredentials)
	a.Env.Call("GET", "/contracts", a.Env.Token(), rotated.Key, "", "").WantStatus(t, 200)

	// Without overlap the old key stops at once.
	r2 := apitest.OK[admin.IssuedKey](t, a.Send("POST", a.AdminURL+"/keys/"+short.APIKey.ID+"/rotate", nil, map[string]string{"Authorization": "Bearer " + a.OperatorToken}), 201)
	a.Env.Call("GET", "/contracts", a.Env.Token(), short.Key, "", "").WantError(t, 401, api.CodeInvalidCredentials)
	a.Env.Call("GET", "/contracts", a.Env.Token(), r2.Key, "", "").WantStatus(t, 200)
	a.Call("POST", "/keys/"+rotated.APIKey.ID+"/rotate", admin.KeyRotation{Overlap: "-1h"}).WantError(t, 400, api.CodeInvalidBodyField)
}

func TestAdminApplications(t *testing.T) {
	a := apitest.NewAdminEnv(t)
	key := a.Creds.APIKeys.Client
	r := a.Call("POST", "/applications", admin.NewApplication{Name: "Acme FinOps", Subscription: admin.SubscriptionApproved})
	created := apitest.OK[admin.IssuedApplication](t, r, 201)
	app := created.Application
	if r.Header.Get("Cache-Control") != "no-store" || created.ClientSecret == "" || app.ClientID == "" ||
		app.Status != admin.StatusActive || app.Subscription != admin.SubscriptionApproved || !app.TermsAcceptedAt.IsZero() {
		t.Errorf("created %+v", created)
	}
	a.Call("POST", "/applications", admin.NewApplication{Name: ""}).WantError(t, 400, api.CodeInvalidBodyField)
	a.Call("POST", "/applications", admin.NewApplication{Name: "X", Subscription: "maybe"}).WantError(t, 400, api.CodeInvalidBodyField)
	if got := apitest.OK[admin.Application](t, a.Call("GET", "/applications/"+app.ID, nil), 200); got != app {
		t.Errorf("GET %+v, want %+v", got, app)
	}
	a.Call("GET", "/applications/nosuchapp", nil).WantError(t, 404, api.CodeResourceNotFound)
	if list := apitest.OK[admin.List[admin.Application]](t, a.Call("GET", "/applications", nil), 200); list.Total != 6 {
		t.Errorf("applications: %d, want the 5 demo ones and the new one", list.Total)
	}

	app = adminApplicationStates(t, a, app, created, key)

	tok, rot2 := adminRotateSecret(t, a, app, created, key)

	// Deleted: final.
	deleted := apitest.OK[admin.Application](t, a.Call("DELETE", "/applications/"+app.ID, nil), 200)
	if deleted.Status != admin.StatusDeleted {
		t.Errorf("status %s", deleted.Status)
	}
	a.Env.Call("GET", "/contracts", tok, key, "", "").WantError(t, 401, api.CodeInvalidCredentials)
	a.TokenRefused(app.ClientID, rot2.ClientSecret)
	a.Call("DELETE", "/applications/"+app.ID, nil).WantError(t, 409, api.CodeConflict)
	a.Call("PUT", "/applications/"+app.ID+"/status", admin.StatusChange{Status: admin.StatusActive}).WantError(t, 409, api.CodeConflict)

	// A new application awaits approval.
	pending := apitest.OK[admin.IssuedApplication](t, a.Call("POST", "/applications", admin.NewApplication{Name: "Pending app"}), 201)
	if pending.Application.Subscription != admin.SubscriptionPending {
		t.Errorf("default subscription %s", pending.Application.Subscription)
	}
	a.Env.Call("GET", "/contracts", a.Env.Token(pending.Application.ClientID, pending.ClientSecret), key, "", "").WantError(t, 403, api.CodeAccessDenied)
	a.CheckAudit()
}

// adminApplicationStates checks that the calls of application app (its first secret in created)
// follow its terms, subscription and status, and returns it.
func adminApplicationStates(t *testing.T, a *apitest.AdminEnv, app admin.Application, created admin.IssuedApplication, key string) admin.Application {
	// Without accepted terms its calls are refused; with them, accepted.
	tok := a.Env.Token(app.ClientID, created.ClientSecret)
	a.Env.Call("GET", "/contracts", tok, key, "", "").WantError(t, 403, api.CodeAccessDenied)
	app = apitest.OK[admin.Application](t, a.Call("POST", "/applications/"+app.ID+"/terms", admin.TermsAcceptance{AcceptedBy: "dev@acme.example"}), 200)
	if app.TermsAcceptedBy != "dev@acme.example" || app.TermsAcceptedAt.IsZero() {
		t.Errorf("terms %+v", app)
	}
	a.Call("POST", "/applications/"+app.ID+"/terms", admin.TermsAcceptance{}).WantError(t, 400, api.CodeInvalidBodyField)
	a.Env.Call("GET", "/contracts", tok, key, "", "").WantStatus(t, 200)

	// A subscription that is not approved: 403/50.
	for _, state := range []string{admin.SubscriptionSuspended, admin.SubscriptionPending, admin.SubscriptionRejected} {
		app = apitest.OK[admin.Application](t, a.Call("PUT", "/applications/"+app.ID+"/subscription", admin.SubscriptionChange{Subscription: state}), 200)
		if app.Subscription != state {
			t.Errorf("subscription %s, want %s", app.Subscription, state)
		}
		a.Env.Call("GET", "/contracts", tok, key, "", "").WantError(t, 403, api.CodeAccessDenied)
	}
	a.Call("PUT", "/applications/"+app.ID+"/subscription", admin.SubscriptionChange{Subscription: "none"}).WantError(t, 400, api.CodeInvalidBodyField)
	a.Call("PUT", "/applications/"+app.ID+"/subscription", admin.SubscriptionChange{Subscription: admin.SubscriptionApproved}).WantStatus(t, 200)
	a.Env.Call("GET", "/contracts", tok, key, "", "").WantStatus(t, 200)

	// Suspended: no new token (invalid_client) and the token it holds is refused.
	a.Call("PUT", "/applications/"+app.ID+"/status", admin.StatusChange{Status: admin.StatusSuspended}).WantStatus(t, 200)
	a.TokenRefused(app.ClientID, created.ClientSecret)
	a.Env.Call("GET", "/contracts", tok, key, "", "").WantError(t, 401, api.CodeInvalidCredentials)
	a.Call("PUT", "/applications/"+app.ID+"/status", admin.StatusChange{Status: admin.StatusActive}).WantStatus(t, 200)
	a.Env.Call("GET", "/contracts", tok, key, "", "").WantStatus(t, 200)
	// Blocked: its calls are refused with 403/51.
	a.Call("PUT", "/applications/"+app.ID+"/status", admin.StatusChange{Status: admin.StatusBlocked}).WantStatus(t, 200)
	a.Env.Call("GET", "/contracts", tok, key, "", "").WantError(t, 403, api.CodeForbiddenRequester)
	a.Call("PUT", "/applications/"+app.ID+"/status", admin.StatusChange{Status: admin.StatusActive}).WantStatus(t, 200)
	a.Call("PUT", "/applications/"+app.ID+"/status", admin.StatusChange{Status: admin.StatusDeleted}).WantError(t, 400, api.CodeInvalidBodyField)
	a.Call("PUT", "/applications/"+app.ID+"/status", admin.StatusChange{Status: "paused"}).WantError(t, 400, api.CodeInvalidBodyField)
	return app
}

// adminRotateSecret rotates the secret of app with and without overlap, and returns an access
// token and the last secret issued.
func adminRotateSecret(t *testing.T, a *apitest.AdminEnv, app admin.Application, created admin.IssuedApplication, key string) (string, admin.IssuedApplication) {
	// The secret rotates with an hour of overlap at the token endpoint.
	r := a.Call("POST", "/applications/"+app.ID+"/rotate-secret", admin.SecretRotation{Overlap: "1h"})
	rot := apitest.OK[admin.IssuedApplication](t, r, 200)
	if r.Header.Get("Cache-Control") != "no-store" || rot.ClientSecret == "" || rot.ClientSecret == created.ClientSecret || rot.Application.PreviousSecretExpiresAt.IsZero() {
		t.Errorf("rotated %+v", rot)
	}
	a.Env.Token(app.ClientID, created.ClientSecret)
	a.Env.Token(app.ClientID, rot.ClientSecret)
	a.Clock.Advance(time.Hour + time.Second)
	a.TokenRefused(app.ClientID, created.ClientSecret)
	tok := a.Env.Token(app.ClientID, rot.ClientSecret)
	a.Env.Call("GET", "/contracts", tok, key, "", "").WantStatus(t, 200)
	// Without overlap, the previous secret stops at once.
	rot2 := apitest.OK[admin.IssuedApplication](t, a.Send("POST", a.AdminURL+"/applications/"+app.ID+"/rotate-secret", nil, map[string]string{"Authorization": "Bearer " + a.OperatorToken}), 200)
	a.TokenRefused(app.ClientID, rot.ClientSecret)
	a.Env.Token(app.ClientID, rot2.ClientSecret)
	if len(rot.Notices)+len(rot2.Notices) != 0 {
		t.Errorf("notices of rotations made outside any overlap: %q, %q", rot.Notices, rot2.Notices)
	}
	// A rotation while another's overlap runs ends the secret that overlap kept, and says so.
	rot3 := apitest.OK[admin.IssuedApplication](t, a.Call("POST", "/applications/"+app.ID+"/rotate-secret", admin.SecretRotation{Overlap: "1h"}), 200)
	rot4 := apitest.OK[admin.IssuedApplication](t, a.Call("POST", "/applications/"+app.ID+"/rotate-secret", admin.SecretRotation{Overlap: "1h"}), 200)
	if len(rot3.Notices) != 0 || len(rot4.Notices) != 1 || !strings.Contains(rot4.Notices[0], "stopped working now") {
		t.Errorf("notices %q then %q: want none, then one saying the secret before stopped working", rot3.Notices, rot4.Notices)
	}
	a.TokenRefused(app.ClientID, rot2.ClientSecret)
	a.Env.Token(app.ClientID, rot3.ClientSecret)
	rot2 = rot4
	return tok, rot2
}

func TestAdminAuditTrail(t *testing.T) {
	a := apitest.NewAdminEnv(t)
	client := a.AccountOf(admin.AccountClient, "claire.martin@acme.example")
	issued := a.IssueKey(client.ID, admin.KeyRequest{})
	a.Clock.Advance(time.Minute)
	revoke := a.Call("POST", "/keys/"+issued.APIKey.ID+"/revoke", nil).WantStatus(t, 200)

	events := apitest.OK[admin.List[admin.AuditEvent]](t, a.Call("GET", "/audit?objectType=api_key&objectId="+issued.APIKey.ID, nil), 200)
	if events.Total != 2 || events.Items[0].Action != "api_key.revoke" || events.Items[1].Action != "api_key.issue" {
		t.Fatalf("events of the key: %+v", events)
	}
	ev := events.Items[0]
	if ev.ActorType != "operator" || ev.ActorID != a.OperatorTokenID || ev.RequestID != revoke.Header.Get(api.HeaderRequestID) ||
		ev.Details["account"] != client.ID || !ev.At.Equal(a.Clock.Now().UTC().Truncate(time.Microsecond)) {
		t.Errorf("revocation event %+v", ev)
	}
	mine := apitest.OK[admin.List[admin.AuditEvent]](t, a.Call("GET", "/audit?actorType=operator&actorId="+a.OperatorTokenID, nil), 200)
	if mine.Total != 2 {
		t.Errorf("events of this operator: %d, want 2", mine.Total)
	}
	since := a.Clock.Now().UTC().Add(-time.Second).Format(time.RFC3339)
	if n := apitest.OK[admin.List[admin.AuditEvent]](t, a.Call("GET", "/audit?actorId="+a.OperatorTokenID+"&since="+since, nil), 200).Total; n != 1 {
		t.Errorf("events since %s: %d, want 1", since, n)
	}
	if n := apitest.OK[admin.List[admin.AuditEvent]](t, a.Call("GET", "/audit?actorId="+a.OperatorTokenID+"&until="+since, nil), 200).Total; n != 1 {
		t.Errorf("events until %s: %d, want 1", since, n)
	}
	if seed := apitest.OK[admin.List[admin.AuditEvent]](t, a.Call("GET", "/audit?actorType=system&limit=1", nil), 200); seed.Total == 0 || len(seed.Items) != 1 {
		t.Errorf("the seed's events: %+v", seed)
	}
	// Changes made through the customer API are recorded under the account and application.
	order := `{"billingAccountId": "20451001", "offerCode": "FE", "contractName": "AUDITED", "supportLevel": "BSC", "referentName": "Doe", "referentFirstName": "John", "referentMail": "john.doe@acme.example"}`
	placed := a.AsAdmin("POST", "/contract", "", order).WantStatus(t, 201)
	byCustomer := apitest.OK[admin.List[admin.AuditEvent]](t, a.Call("GET", "/audit?actorType=account", nil), 200)
	if byCustomer.Total != 1 || byCustomer.Items[0].Action != "contract.order" || byCustomer.Items[0].ApplicationID == "" ||
		byCustomer.Items[0].RequestID != placed.Header.Get(api.HeaderRequestID) {
		t.Errorf("customer events %+v", byCustomer)
	}
	for _, q := range []string{"actorType=robot", "since=yesterday", "until=2026-13-01T00:00:00Z", "limit=5000"} {
		a.Call("GET", "/audit?"+q, nil).WantError(t, 400, api.CodeInvalidQueryParameter)
	}
	a.Call("GET", "/audit?objectId=", nil).WantError(t, 400, api.CodeMissingQueryParameter)
	a.CheckAudit()
}
