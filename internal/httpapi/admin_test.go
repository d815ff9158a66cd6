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
	"github.com/eccs/eccs/internal/testkit/openapitest"
)

func ptr[T any](v T) *T { return &v }

func TestAdminRefusesRequestsWithoutAValidOperatorToken(t *testing.T) {
	a := newAdminEnv(t)
	for _, tt := range []struct {
		name   string
		header string
		code   int
	}{
		{"no Authorization", "", api.CodeMissingCredentials},
		{"another scheme", "Basic " + a.token, api.CodeMissingCredentials},
		{"an empty bearer", "Bearer ", api.CodeMissingCredentials},
		{"an unknown token", "Bearer eccsop_" + strings.Repeat("x", 43), api.CodeInvalidCredentials},
		{"an API key", "Bearer " + a.creds.APIKeys.Administrator, api.CodeInvalidCredentials},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := a.send("GET", a.adminURL+"/customers", nil, map[string]string{"Authorization": tt.header})
			desc := r.wantError(t, 401, tt.code)
			// RFC 6750 §3: no error code without a token; invalid_token for a refused one.
			want := "Bearer"
			if tt.code == api.CodeInvalidCredentials {
				want = `Bearer error="invalid_token", error_description="` + desc + `"`
			}
			if got := r.header.Get("WWW-Authenticate"); got != want {
				t.Errorf("WWW-Authenticate %q, want %q", got, want)
			}
			if strings.Contains(desc, a.token) {
				t.Error("the description echoes the token")
			}
		})
	}

	// A revoked token is refused at once; so is an expired one.
	other := ok[admin.IssuedOperatorToken](t, a.call("POST", "/operator-tokens", admin.NewOperatorToken{Name: "ci", TTL: "2h"}), 201)
	if other.Token == "" || !strings.HasPrefix(other.Token, other.OperatorToken.Prefix) || other.OperatorToken.ExpiresAt.IsZero() {
		t.Fatalf("issued operator token %+v", other)
	}
	a.callAs(other.Token, "GET", "/customers", nil).wantStatus(t, 200)
	a.clock.Advance(2 * time.Hour)
	a.callAs(other.Token, "GET", "/customers", nil).wantError(t, 401, api.CodeInvalidCredentials)

	third := ok[admin.IssuedOperatorToken](t, a.call("POST", "/operator-tokens", admin.NewOperatorToken{Name: "laptop"}), 201)
	a.callAs(third.Token, "GET", "/offers", nil).wantStatus(t, 200)
	revoked := ok[admin.OperatorToken](t, a.call("POST", "/operator-tokens/"+third.OperatorToken.ID+"/revoke", nil), 200)
	if revoked.RevokedAt.IsZero() {
		t.Error("no revokedAt")
	}
	a.callAs(third.Token, "GET", "/offers", nil).wantError(t, 401, api.CodeInvalidCredentials)
	a.call("POST", "/operator-tokens/"+third.OperatorToken.ID+"/revoke", nil).wantError(t, 409, api.CodeConflict)
	a.call("POST", "/operator-tokens/nosuchtoken/revoke", nil).wantError(t, 404, api.CodeResourceNotFound)
	a.call("POST", "/operator-tokens", admin.NewOperatorToken{Name: ""}).wantError(t, 400, api.CodeInvalidBodyField)

	tokens := ok[admin.List[admin.OperatorToken]](t, a.call("GET", "/operator-tokens", nil), 200)
	if tokens.Total != len(tokens.Items) || tokens.Total < 3 {
		t.Errorf("operator tokens: %+v", tokens)
	}
	for _, tok := range tokens.Items {
		if tok.ID == a.tokenID && tok.LastUsedAt.IsZero() {
			t.Errorf("the token in use has no lastUsedAt: %+v", tokens)
		}
	}
	if r := a.call("GET", "/operator-tokens", nil); strings.Contains(string(r.body), other.Token) || strings.Contains(string(r.body), third.Token) {
		t.Error("the list shows a token")
	}
	a.checkAudit()
}

func TestAdminServesItsDescriptionAndTheEnvelope(t *testing.T) {
	a := newAdminEnv(t)
	r := a.send("GET", a.adminURL+"/openapi.yaml", nil, nil).wantStatus(t, 200)
	if string(r.body) != string(admin.OpenAPI) {
		t.Error("the served description is not api/admin/openapi.yaml")
	}
	a.call("GET", "/nothing", nil).wantError(t, 404, api.CodeResourceNotFound)
	for _, tt := range []struct{ method, path, allow string }{
		{"DELETE", "/customers", "GET, HEAD, POST"},
		{"POST", "/customers/C1000001", "GET, HEAD, PATCH"},
		{"GET", "/keys/abc/revoke", "POST"},
		{"PATCH", "/applications/abc", "DELETE, GET, HEAD"},
	} {
		r := a.call(tt.method, tt.path, nil)
		r.wantError(t, 405, api.CodeMethodNotAllowed)
		if r.header.Get("Allow") != tt.allow {
			t.Errorf("%s %s: Allow %q, want %q", tt.method, tt.path, r.header.Get("Allow"), tt.allow)
		}
	}
	// A trailing slash is accepted, and HEAD wherever GET is.
	a.call("GET", "/customers/", nil).wantStatus(t, 200)
	a.call("HEAD", "/offers", nil).wantStatus(t, 200)
	// The admin listener serves the admin API only, and the customer listener does not serve
	// it when it has its own (answers the description cannot describe: no validation).
	adminRoot := strings.TrimSuffix(a.adminURL, admin.BasePath)
	for _, u := range []string{adminRoot + api.BasePath + "/contracts", adminRoot + "/claim/abc", adminRoot + "/healthz", a.url + admin.BasePath + "/customers"} {
		req, _ := http.NewRequest("GET", u, nil)
		req.Header.Set("Authorization", "Bearer "+a.token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		r := response{status: resp.StatusCode, header: resp.Header, body: readAll(t, resp)}
		resp.Body.Close()
		r.wantError(t, 404, api.CodeResourceNotFound)
	}
}

// TestAdminOnTheCustomerListener serves both APIs on one listener (no --admin-addr).
func TestAdminOnTheCustomerListener(t *testing.T) {
	e := newEnv(t)
	_, token, err := e.svc.CreateOperatorToken(t.Context(), "one listener", 0)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(httpapi.New(e.svc, slog.New(slog.DiscardHandler), httpapi.Config{Admin: &httpapi.AdminConfig{}}))
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
	b := readAll(t, resp)
	resp.Body.Close()
	mustJSON(t, b, &issued)
	if issued.Claim == nil || !strings.HasPrefix(issued.Claim.URL, srv.URL+"/claim/") {
		t.Errorf("claim %+v, want a link on %s", issued.Claim, srv.URL)
	}
}

// accountIDOf returns the id of the seeded account of this type.
func accountIDOf(t *testing.T, e *env, typ string) string {
	t.Helper()
	list, _, err := e.svc.Accounts(t.Context(), eccs.Page{Limit: 1000})
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
	a := newAdminEnv(t)

	c := ok[admin.Customer](t, a.call("POST", "/customers", admin.Customer{ID: "C9000001", Name: "Globex SAS", Segment: "sme"}), 201)
	if c.ID != "C9000001" || c.CreatedAt.IsZero() || !c.CreatedAt.Equal(a.clock.Now().Truncate(time.Second)) {
		t.Errorf("created customer %+v", c)
	}
	a.call("POST", "/customers", admin.Customer{ID: "C9000001", Name: "Again", Segment: "sme"}).wantError(t, 409, api.CodeConflict)
	if d := a.call("POST", "/customers", admin.Customer{ID: "bad id!", Name: "X", Segment: "sme"}).wantError(t, 400, api.CodeInvalidBodyField); !strings.Contains(d, "customer id") {
		t.Errorf("description %q does not name the id", d)
	}
	a.call("POST", "/customers", `{"id": "C9", "name": "X", "segment": "sme", "colour": "red"}`).wantError(t, 400, api.CodeInvalidBodyField)
	a.call("POST", "/customers", "").wantError(t, 400, api.CodeMissingBody)
	a.call("POST", "/customers", "[1]").wantError(t, 400, api.CodeInvalidBody)

	got := ok[admin.Customer](t, a.call("GET", "/customers/C9000001", nil), 200)
	if got != c {
		t.Errorf("GET %+v, want %+v", got, c)
	}
	a.call("GET", "/customers/C0000000", nil).wantError(t, 404, api.CodeResourceNotFound)
	list := ok[admin.List[admin.Customer]](t, a.call("GET", "/customers?limit=1&offset=2", nil), 200)
	if list.Total != 3 || len(list.Items) != 1 || list.Items[0].ID != "C9000001" {
		t.Errorf("page 3 of customers: %+v", list)
	}
	a.call("GET", "/customers?limit=0", nil).wantError(t, 400, api.CodeInvalidQueryParameter)
	a.call("GET", "/customers?offset=", nil).wantError(t, 400, api.CodeMissingQueryParameter)

	a.clock.Advance(time.Minute)
	c = ok[admin.Customer](t, a.call("PATCH", "/customers/C9000001", admin.CustomerUpdate{Name: ptr("Globex")}), 200)
	if c.Name != "Globex" || c.Segment != "sme" || !c.UpdatedAt.After(c.CreatedAt) {
		t.Errorf("updated customer %+v", c)
	}
	a.call("PATCH", "/customers/C0000000", admin.CustomerUpdate{Name: ptr("X")}).wantError(t, 404, api.CodeResourceNotFound)
	a.call("PATCH", "/customers/C9000001", admin.CustomerUpdate{Segment: ptr("")}).wantError(t, 400, api.CodeInvalidBodyField)

	b := ok[admin.BillingAccount](t, a.call("POST", "/billing-accounts", admin.BillingAccount{ID: "90000001", CustomerID: "C9000001", Name: "Globex main"}), 201)
	if b.CustomerID != "C9000001" {
		t.Errorf("billing account %+v", b)
	}
	a.call("POST", "/billing-accounts", admin.BillingAccount{ID: "90000002", CustomerID: "C0000000", Name: "Nobody's"}).wantError(t, 404, api.CodeResourceNotFound)
	a.call("POST", "/billing-accounts", admin.BillingAccount{ID: "90000001", CustomerID: "C9000001", Name: "Twice"}).wantError(t, 409, api.CodeConflict)
	bas := ok[admin.List[admin.BillingAccount]](t, a.call("GET", "/billing-accounts?customerId=C9000001", nil), 200)
	if bas.Total != 1 || bas.Items[0].ID != "90000001" {
		t.Errorf("billing accounts of C9000001: %+v", bas)
	}
	if all := ok[admin.List[admin.BillingAccount]](t, a.call("GET", "/billing-accounts", nil), 200); all.Total != 4 {
		t.Errorf("all billing accounts: %d, want 4", all.Total)
	}
	a.call("GET", "/billing-accounts?customerId=", nil).wantError(t, 400, api.CodeMissingQueryParameter)
	b = ok[admin.BillingAccount](t, a.call("PATCH", "/billing-accounts/90000001", admin.BillingAccountUpdate{Name: "Globex HQ"}), 200)
	if b.Name != "Globex HQ" {
		t.Errorf("renamed %+v", b)
	}
	a.call("PATCH", "/billing-accounts/90000009", admin.BillingAccountUpdate{Name: "X"}).wantError(t, 404, api.CodeResourceNotFound)

	o := ok[admin.Offer](t, a.call("POST", "/offers", admin.Offer{ID: "OBS", Name: "Object storage", ContractType: "Storage", SupportLevels: []string{"STD", "PRM", "STD"}}), 201)
	if !slices.Equal(o.SupportLevels, []string{"STD", "PRM"}) {
		t.Errorf("offer %+v", o)
	}
	a.call("POST", "/offers", admin.Offer{ID: "NOSL", Name: "X", ContractType: "X"}).wantError(t, 400, api.CodeMissingBodyField)
	offers := ok[admin.List[admin.Offer]](t, a.call("GET", "/offers", nil), 200)
	if offers.Total != 3 || len(offers.Items) != 3 {
		t.Errorf("offers: %+v", offers)
	}
	o = ok[admin.Offer](t, a.call("PATCH", "/offers/OBS", admin.OfferUpdate{SupportLevels: []string{"GLD"}}), 200)
	if !slices.Equal(o.SupportLevels, []string{"GLD"}) || o.Name != "Object storage" {
		t.Errorf("updated offer %+v", o)
	}
	a.call("PATCH", "/offers/NONE", admin.OfferUpdate{Name: ptr("X")}).wantError(t, 404, api.CodeResourceNotFound)
	a.checkAudit()
}

func TestAdminContractsAndTheirUsers(t *testing.T) {
	a := newAdminEnv(t)
	referent := admin.Person{Civility: "Ms", LastName: "Keller", FirstName: "Ada", Email: "ada.keller@acme.example"}
	c := ok[admin.Contract](t, a.call("POST", "/contracts", admin.NewContract{
		Name: "ACME-ANALYTICS", OfferID: "FE", BillingAccountID: "20451001", Referent: referent,
		ReferentLogin: "ada.keller", ReferenceExt: []string{"PO-1", "", "CC-3"},
	}), 201)
	if !strings.HasPrefix(c.ID, "OCB") || c.SupportLevel != "BSC" || c.ContractType != "Public Cloud" || c.OfferName == "" ||
		c.CustomerID != "C1000001" || c.CustomerName == "" || c.Referent.Login != "ada.keller" || c.Referent.Email != referent.Email ||
		!slices.Equal(c.ReferenceExt, []string{"PO-1", "", "CC-3"}) || !c.ClosedAt.IsZero() {
		t.Errorf("created contract %+v", c)
	}
	loaded := ok[admin.Contract](t, a.call("POST", "/contracts", admin.NewContract{
		ID: "LEGACY-42", Name: "Loaded", OfferID: "CAV", BillingAccountID: "30872001", SupportLevel: "GLD", Referent: referent,
		CreatedAt: time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC),
	}), 201)
	if loaded.ID != "LEGACY-42" || !loaded.CreatedAt.Equal(time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)) || loaded.Referent.ID != c.Referent.ID {
		t.Errorf("loaded contract %+v", loaded)
	}
	a.call("POST", "/contracts", admin.NewContract{ID: "LEGACY-42", Name: "Again", OfferID: "FE", BillingAccountID: "20451001", Referent: referent}).wantError(t, 409, api.CodeConflict)
	a.call("POST", "/contracts", admin.NewContract{Name: "X", OfferID: "NOPE", BillingAccountID: "20451001", Referent: referent}).wantError(t, 404, api.CodeResourceNotFound)
	if d := a.call("POST", "/contracts", admin.NewContract{Name: "X", OfferID: "FE", BillingAccountID: "20451001", SupportLevel: "GLD", Referent: referent}).wantError(t, 400, api.CodeInvalidBodyField); !strings.Contains(d, "GLD") {
		t.Errorf("description %q", d)
	}
	a.call("POST", "/contracts", admin.NewContract{Name: "X", OfferID: "FE", BillingAccountID: "20451001", Referent: referent, ReferenceExt: []string{"1", "2", "3", "4"}}).wantError(t, 400, api.CodeInvalidBodyField)
	a.call("POST", "/contracts", admin.NewContract{Name: "X", OfferID: "FE", BillingAccountID: "20451001", Referent: admin.Person{LastName: "A", FirstName: "B", Email: "not an e-mail"}}).wantError(t, 400, api.CodeInvalidBodyField)

	if got := ok[admin.Contract](t, a.call("GET", "/contracts/"+c.ID, nil), 200); got.ID != c.ID || got.Referent != c.Referent {
		t.Errorf("GET %+v", got)
	}
	a.call("GET", "/contracts/OCB9999999", nil).wantError(t, 404, api.CodeResourceNotFound)
	a.call("GET", "/contracts/x", nil).wantError(t, 400, api.CodeInvalidURLParameter)
	list := ok[admin.List[admin.Contract]](t, a.call("GET", "/contracts?customerId=C1000002", nil), 200)
	if list.Total != 3 { // BISTRO-WEB, BISTRO-VDC and LEGACY-42
		t.Errorf("contracts of C1000002: %d", list.Total)
	}
	list = ok[admin.List[admin.Contract]](t, a.call("GET", "/contracts?billingAccountId=20451001&offerId=FE", nil), 200)
	if list.Total != 2 {
		t.Errorf("FE contracts of 20451001: %+v", list)
	}
	if all := ok[admin.List[admin.Contract]](t, a.call("GET", "/contracts?limit=2", nil), 200); all.Total != 8 || len(all.Items) != 2 {
		t.Errorf("all contracts: %d, page %d", all.Total, len(all.Items))
	}

	// (admin.ContractUpdate cannot say "referenceExt": [], which removes them: omitempty drops it.)
	c = ok[admin.Contract](t, a.call("PATCH", "/contracts/"+c.ID, `{"name": "ACME-BI", "supportLevel": "PRM", "platformId": "fe-acme-bi", "referenceExt": []}`), 200)
	if c.Name != "ACME-BI" || c.SupportLevel != "PRM" || c.PlatformID != "fe-acme-bi" || c.ReferenceExt != nil {
		t.Errorf("updated contract %+v", c)
	}
	a.call("PATCH", "/contracts/"+c.ID, admin.ContractUpdate{SupportLevel: ptr("GLD")}).wantError(t, 400, api.CodeInvalidBodyField)

	// Users: declared, seen by their account on the customer side, re-roled, removed.
	u := ok[admin.User](t, a.call("POST", "/contracts/"+c.ID+"/users", admin.NewUser{
		Person: admin.Person{LastName: "Zola", FirstName: "Zoé", Email: "zoe.zola@acme.example"}, Login: "zoe.zola",
		Roles: map[string][]string{"contracts": {"visitor"}, "documents": {"manager"}},
	}), 201)
	if u.Roles != (admin.Roles{Contracts: "visitor", Documents: "manager"}) || u.Login != "zoe.zola" || u.ID == "" {
		t.Errorf("declared user %+v", u)
	}
	a.call("POST", "/contracts/"+c.ID+"/users", admin.NewUser{
		Person: admin.Person{LastName: "Zola", FirstName: "Zoé", Email: "zoe.zola@acme.example"}, Login: "zoe.zola",
		Roles: map[string][]string{"contracts": {"visitor"}},
	}).wantError(t, 409, api.CodeConflict)
	a.call("POST", "/contracts/"+c.ID+"/users", admin.NewUser{
		Person: admin.Person{LastName: "Y", FirstName: "Y", Email: "y.y@acme.example"}, Login: "yyyyyyyy",
		Roles: map[string][]string{"billing": {"manager"}},
	}).wantError(t, 400, api.CodeInvalidBodyField)
	a.call("POST", "/contracts/OCB9999999/users", admin.NewUser{
		Person: admin.Person{LastName: "Y", FirstName: "Y", Email: "y.y@acme.example"}, Login: "yyyyyyyy",
		Roles: map[string][]string{"contracts": {"visitor"}},
	}).wantError(t, 404, api.CodeResourceNotFound)

	acct := ok[admin.Account](t, a.call("POST", "/accounts", admin.NewAccount{Type: admin.AccountClient, Person: admin.Person{LastName: "Zola", FirstName: "Zoé", Email: "zoe.zola@acme.example"}}), 201)
	if acct.Identity.ID != u.ID || acct.Identity.Login != "zoe.zola" || acct.Perimeter != nil {
		t.Errorf("account %+v reuses identity %s", acct, u.ID)
	}
	key := a.issueKey(acct.ID, admin.KeyRequest{}).Key
	if seen := a.contractsSeen(key); !slices.Equal(seen, []string{c.ID}) {
		t.Errorf("the new user sees %q, want [%s]", seen, c.ID)
	}
	users := ok[admin.List[admin.User]](t, a.call("GET", "/contracts/"+c.ID+"/users", nil), 200)
	if users.Total != 2 || users.Items[0].Login != "ada.keller" || users.Items[0].Roles != (admin.Roles{Contracts: "manager", Documents: "manager", Users: "manager"}) {
		t.Errorf("users %+v", users)
	}

	u = ok[admin.User](t, a.call("PUT", "/contracts/"+c.ID+"/users/"+u.ID+"/roles", admin.RolesChange{Roles: map[string][]string{"documents": {"visitor"}, "users": {"manager"}}}), 200)
	if u.Roles != (admin.Roles{Contracts: "visitor", Documents: "visitor", Users: "manager"}) {
		t.Errorf("new roles %+v", u.Roles)
	}
	a.call("PUT", "/contracts/"+c.ID+"/users/"+u.ID+"/roles", `{}`).wantError(t, 400, api.CodeMissingBodyField)
	a.call("PUT", "/contracts/"+c.ID+"/users/"+c.Referent.ID+"/roles", admin.RolesChange{Roles: map[string][]string{"contracts": {"visitor"}}}).wantError(t, 409, api.CodeConflict)
	a.call("PUT", "/contracts/"+c.ID+"/users/nobody/roles", admin.RolesChange{Roles: map[string][]string{"contracts": {"visitor"}}}).wantError(t, 404, api.CodeResourceNotFound)
	// The new roles apply from the next call: the user may now declare users.
	declare := `{"lastName": "Doe", "firstName": "Jane", "email": "jane.doe@acme.example", "login": "jane.doe1", "roles": {"contracts": ["visitor"]}}`
	a.env.call("POST", "/contract/"+c.ID+"/user", a.env.token(), key, "", declare).wantStatus(t, 201)

	// The referent changes to Zoé; the previous one is removed, and cannot be removed twice.
	a.call("PUT", "/contracts/"+c.ID+"/referent", admin.ReferentChange{Email: "nobody@acme.example"}).wantError(t, 400, api.CodeInvalidBodyField)
	c = ok[admin.Contract](t, a.call("PUT", "/contracts/"+c.ID+"/referent", admin.ReferentChange{Email: "zoe.zola@acme.example"}), 200)
	if c.Referent.ID != u.ID {
		t.Errorf("referent %+v, want %s", c.Referent, u.ID)
	}
	a.call("DELETE", "/contracts/"+c.ID+"/users/"+u.ID, nil).wantError(t, 409, api.CodeConflict) // the referent
	a.call("DELETE", "/contracts/"+c.ID+"/users/"+loaded.Referent.ID, nil).wantStatus(t, 204)    // Ada, the former referent
	a.call("DELETE", "/contracts/"+c.ID+"/users/"+loaded.Referent.ID, nil).wantError(t, 404, api.CodeResourceNotFound)

	// A removed user's account no longer sees the contract, at once.
	jane := ok[admin.List[admin.User]](t, a.call("GET", "/contracts/"+c.ID+"/users", nil), 200)
	var janeID string
	for _, user := range jane.Items {
		if user.Email == "jane.doe@acme.example" {
			janeID = user.ID
		}
	}
	janeAcct := ok[admin.Account](t, a.call("POST", "/accounts", admin.NewAccount{Type: admin.AccountClient, Person: admin.Person{LastName: "Doe", FirstName: "Jane", Email: "jane.doe@acme.example"}}), 201)
	janeKey := a.issueKey(janeAcct.ID, admin.KeyRequest{}).Key
	a.env.call("GET", "/contract", a.env.token(), janeKey, c.ID, "").wantStatus(t, 200)
	a.call("DELETE", "/contracts/"+c.ID+"/users/"+janeID, nil).wantStatus(t, 204)
	a.env.call("GET", "/contract", a.env.token(), janeKey, c.ID, "").wantError(t, 403, api.CodeAccessDenied)
	if seen := a.contractsSeen(janeKey); len(seen) != 0 {
		t.Errorf("Jane still sees %q", seen)
	}

	// A closed contract stays visible and takes no change, here or on the customer side.
	closed := ok[admin.Contract](t, a.call("POST", "/contracts/"+c.ID+"/close", nil), 200)
	if closed.ClosedAt.IsZero() {
		t.Error("no closedAt")
	}
	a.call("POST", "/contracts/"+c.ID+"/close", nil).wantError(t, 409, api.CodeConflict)
	a.call("PATCH", "/contracts/"+c.ID, admin.ContractUpdate{Name: ptr("X")}).wantError(t, 409, api.CodeConflict)
	a.call("POST", "/contracts/"+c.ID+"/users", admin.NewUser{
		Person: admin.Person{LastName: "Late", FirstName: "Lou", Email: "lou.late@acme.example"}, Login: "lou.late",
		Roles: map[string][]string{"contracts": {"visitor"}},
	}).wantError(t, 409, api.CodeConflict)
	a.env.call("GET", "/contract", a.env.token(), key, c.ID, "").wantStatus(t, 200)
	a.env.call("POST", "/contract/"+c.ID+"/user", a.env.token(), key, "",
		`{"lastName": "Late", "firstName": "Lou", "email": "lou.late@acme.example", "login": "lou.late", "roles": {"contracts": ["visitor"]}}`).wantError(t, 409, api.CodeConflict)
	a.checkAudit()
}

func TestAdminAccountsAndPerimeters(t *testing.T) {
	a := newAdminEnv(t)
	person := admin.Person{LastName: "Bistro", FirstName: "Admin", Email: "admin@bistro-numerique.example"}
	acct := ok[admin.Account](t, a.call("POST", "/accounts", admin.NewAccount{
		Type: admin.AccountAdministrator, Person: person, Login: "bistro.admin",
		Perimeter: &admin.Perimeter{BillingAccountIDs: []string{"30872001"}, OfferIDs: []string{"FE"}},
	}), 201)
	if acct.Type != admin.AccountAdministrator || acct.Identity.Login != "bistro.admin" || acct.Perimeter == nil ||
		!slices.Equal(acct.Perimeter.OfferIDs, []string{"FE"}) {
		t.Errorf("account %+v", acct)
	}
	if got := ok[admin.Account](t, a.call("GET", "/accounts/"+acct.ID, nil), 200); got.ID != acct.ID || got.Identity != acct.Identity {
		t.Errorf("GET %+v", got)
	}
	a.call("GET", "/accounts/nosuchaccount", nil).wantError(t, 404, api.CodeResourceNotFound)
	if list := ok[admin.List[admin.Account]](t, a.call("GET", "/accounts", nil), 200); list.Total != 3 {
		t.Errorf("accounts: %d, want 3", list.Total)
	}

	key := a.issueKey(acct.ID, admin.KeyRequest{}).Key
	if seen := a.contractsSeen(key); !slices.Equal(seen, []string{"OCB0000005"}) {
		t.Errorf("the perimeter shows %q, want [OCB0000005]", seen)
	}
	acct = ok[admin.Account](t, a.call("PUT", "/accounts/"+acct.ID+"/perimeter", admin.Perimeter{BillingAccountIDs: []string{"30872001"}, OfferIDs: []string{"FE", "CAV"}}), 200)
	if !slices.Equal(acct.Perimeter.OfferIDs, []string{"FE", "CAV"}) {
		t.Errorf("perimeter %+v", acct.Perimeter)
	}
	if seen := a.contractsSeen(key); !slices.Equal(seen, []string{"OCB0000005", "OCB0000006"}) {
		t.Errorf("the wider perimeter shows %q, at once", seen)
	}
	a.call("PUT", "/accounts/"+acct.ID+"/perimeter", admin.Perimeter{BillingAccountIDs: []string{}, OfferIDs: []string{}}).wantStatus(t, 200)
	if seen := a.contractsSeen(key); len(seen) != 0 {
		t.Errorf("an empty perimeter shows %q", seen)
	}
	a.call("PUT", "/accounts/"+acct.ID+"/perimeter", admin.Perimeter{BillingAccountIDs: []string{"99999999"}, OfferIDs: []string{"FE"}}).wantError(t, 404, api.CodeResourceNotFound)
	client := a.accountOf(admin.AccountClient, "claire.martin@acme.example")
	a.call("PUT", "/accounts/"+client.ID+"/perimeter", admin.Perimeter{BillingAccountIDs: []string{}, OfferIDs: []string{}}).wantError(t, 400, api.CodeInvalidBodyField)
	a.call("POST", "/accounts", admin.NewAccount{Type: admin.AccountClient, Person: person, Perimeter: &admin.Perimeter{BillingAccountIDs: []string{"30872001"}, OfferIDs: []string{"FE"}}}).wantError(t, 400, api.CodeInvalidBodyField)
	a.call("POST", "/accounts", admin.NewAccount{Type: "owner", Person: person}).wantError(t, 400, api.CodeInvalidBodyField)
	a.call("POST", "/accounts", admin.NewAccount{Type: admin.AccountClient, Person: admin.Person{LastName: "X", FirstName: "Y", Email: "x.y@example.com"}, Login: "bistro.admin"}).wantError(t, 409, api.CodeConflict)
	a.checkAudit()
}

func TestAdminAPIKeys(t *testing.T) {
	a := newAdminEnv(t)
	client := a.accountOf(admin.AccountClient, "claire.martin@acme.example")
	now := a.clock.Now().UTC().Truncate(time.Second)

	issued := a.issueKey(client.ID, admin.KeyRequest{})
	r := a.call("POST", "/accounts/"+client.ID+"/keys", admin.KeyRequest{TTL: "48h"})
	short := ok[admin.IssuedKey](t, r, 201)
	if r.header.Get("Cache-Control") != "no-store" {
		t.Errorf("Cache-Control %q on an issued key", r.header.Get("Cache-Control"))
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
	thirty := ok[admin.IssuedKey](t, a.call("POST", "/accounts/"+client.ID+"/keys", `{"ttl": "10d"}`), 201)
	a.call("POST", "/accounts/"+client.ID+"/keys", admin.KeyRequest{TTL: "two years"}).wantError(t, 400, api.CodeInvalidBodyField)
	a.call("POST", "/accounts/"+client.ID+"/keys", admin.KeyRequest{TTL: "-1h"}).wantError(t, 400, api.CodeInvalidBodyField)
	a.call("POST", "/accounts/"+client.ID+"/keys", admin.KeyRequest{ClaimTTL: "1h"}).wantError(t, 400, api.CodeInvalidBodyField)
	a.call("POST", "/accounts/nosuchaccount/keys", nil).wantError(t, 404, api.CodeResourceNotFound)

	// The key works at once; its use is shown.
	a.env.call("GET", "/contracts", a.env.token(), issued.Key, "", "").wantStatus(t, 200)
	k := ok[admin.APIKey](t, a.call("GET", "/keys/"+issued.APIKey.ID, nil), 200)
	if k.LastUsedAt.IsZero() || k.LastUsedFrom != "127.0.0.1" || k.Prefix != issued.APIKey.Prefix {
		t.Errorf("key %+v", k)
	}
	a.call("GET", "/keys/nosuchkey", nil).wantError(t, 404, api.CodeResourceNotFound)
	if r := a.call("GET", "/keys/"+issued.APIKey.ID, nil); strings.Contains(string(r.body), issued.Key) {
		t.Error("the key is shown again")
	}

	keys := ok[admin.List[admin.APIKey]](t, a.call("GET", "/keys?accountId="+client.ID, nil), 200)
	if keys.Total != 4 { // the demo key and three new ones
		t.Errorf("keys of %s: %d, want 4", client.ID, keys.Total)
	}
	expiring := ok[admin.List[admin.APIKey]](t, a.call("GET", "/keys?expiringWithin=30d", nil), 200)
	if expiring.Total != 2 || expiring.Items[0].ID != short.APIKey.ID || expiring.Items[1].ID != thirty.APIKey.ID {
		t.Errorf("keys expiring within 30 days: %+v", expiring)
	}
	if n := ok[admin.List[admin.APIKey]](t, a.call("GET", "/keys?expiringWithin=24h", nil), 200).Total; n != 0 {
		t.Errorf("keys expiring within a day: %d", n)
	}
	a.call("GET", "/keys?expiringWithin=soon", nil).wantError(t, 400, api.CodeInvalidQueryParameter)
	if n := ok[admin.List[admin.APIKey]](t, a.call("GET", "/keys?expiringWithin=30d&accountId="+client.ID, nil), 200).Total; n != 2 {
		t.Errorf("keys of the client account expiring within 30 days: %d, want 2", n)
	}
	a.call("GET", "/keys?includeInactive=perhaps", nil).wantError(t, 400, api.CodeInvalidQueryParameter)

	// Revoked: refused at once; listed only with includeInactive.
	revoked := ok[admin.APIKey](t, a.call("POST", "/keys/"+issued.APIKey.ID+"/revoke", nil), 200)
	if revoked.RevokedAt.IsZero() {
		t.Error("no revokedAt")
	}
	a.env.call("GET", "/contracts", a.env.token(), issued.Key, "", "").wantError(t, 401, api.CodeInvalidCredentials)
	a.call("POST", "/keys/"+issued.APIKey.ID+"/revoke", nil).wantError(t, 409, api.CodeConflict)
	if n := ok[admin.List[admin.APIKey]](t, a.call("GET", "/keys?accountId="+client.ID, nil), 200).Total; n != 3 {
		t.Errorf("active keys after a revocation: %d, want 3", n)
	}
	if n := ok[admin.List[admin.APIKey]](t, a.call("GET", "/keys?accountId="+client.ID+"&includeInactive=true", nil), 200).Total; n != 4 {
		t.Errorf("all keys: %d, want 4", n)
	}
	a.call("POST", "/keys/"+issued.APIKey.ID+"/rotate", nil).wantError(t, 409, api.CodeConflict)

	// Rotated with an hour of overlap: both keys work for the hour, then only the new one.
	r = a.call("POST", "/keys/"+thirty.APIKey.ID+"/rotate", admin.KeyRotation{Overlap: "1h", KeyRequest: admin.KeyRequest{TTL: "720h"}})
	rotated := ok[admin.IssuedKey](t, r, 201)
	if r.header.Get("Cache-Control") != "no-store" || rotated.Key == "" || rotated.APIKey.ID == thirty.APIKey.ID || rotated.APIKey.AccountID != client.ID {
		t.Errorf("rotated %+v", rotated)
	}
	if old := ok[admin.APIKey](t, a.call("GET", "/keys/"+thirty.APIKey.ID, nil), 200); !old.ExpiresAt.Equal(now.Add(time.Hour)) {
		t.Errorf("the old key expires at %s, want the end of the overlap", old.ExpiresAt)
	}
	a.env.call("GET", "/contracts", a.env.token(), thirty.Key, "", "").wantStatus(t, 200)
	a.env.call("GET", "/contracts", a.env.token(), rotated.Key, "", "").wantStatus(t, 200)
	a.clock.Advance(time.Hour + time.Second)
	a.env.call("GET", "/contracts", a.env.token(), thirty.Key, "", "").wantError(t, 401, api.CodeInvalidCredentials)
	a.env.call("GET", "/contracts", a.env.token(), rotated.Key, "", "").wantStatus(t, 200)

	// Without overlap the old key stops at once.
	r2 := ok[admin.IssuedKey](t, a.send("POST", a.adminURL+"/keys/"+short.APIKey.ID+"/rotate", nil, map[string]string{"Authorization": "Bearer " + a.token}), 201)
	a.env.call("GET", "/contracts", a.env.token(), short.Key, "", "").wantError(t, 401, api.CodeInvalidCredentials)
	a.env.call("GET", "/contracts", a.env.token(), r2.Key, "", "").wantStatus(t, 200)
	a.call("POST", "/keys/"+rotated.APIKey.ID+"/rotate", admin.KeyRotation{Overlap: "-1h"}).wantError(t, 400, api.CodeInvalidBodyField)
	a.checkAudit()
}

func TestAdminApplications(t *testing.T) {
	a := newAdminEnv(t)
	key := a.creds.APIKeys.Client
	r := a.call("POST", "/applications", admin.NewApplication{Name: "Acme FinOps", Subscription: admin.SubscriptionApproved})
	created := ok[admin.IssuedApplication](t, r, 201)
	app := created.Application
	if r.header.Get("Cache-Control") != "no-store" || created.ClientSecret == "" || app.ClientID == "" ||
		app.Status != admin.StatusActive || app.Subscription != admin.SubscriptionApproved || !app.TermsAcceptedAt.IsZero() {
		t.Errorf("created %+v", created)
	}
	a.call("POST", "/applications", admin.NewApplication{Name: ""}).wantError(t, 400, api.CodeInvalidBodyField)
	a.call("POST", "/applications", admin.NewApplication{Name: "X", Subscription: "maybe"}).wantError(t, 400, api.CodeInvalidBodyField)
	if got := ok[admin.Application](t, a.call("GET", "/applications/"+app.ID, nil), 200); got != app {
		t.Errorf("GET %+v, want %+v", got, app)
	}
	a.call("GET", "/applications/nosuchapp", nil).wantError(t, 404, api.CodeResourceNotFound)
	if list := ok[admin.List[admin.Application]](t, a.call("GET", "/applications", nil), 200); list.Total != 6 {
		t.Errorf("applications: %d, want the 5 demo ones and the new one", list.Total)
	}

	// Without accepted terms its calls are refused; with them, accepted.
	tok := a.env.token(app.ClientID, created.ClientSecret)
	a.env.call("GET", "/contracts", tok, key, "", "").wantError(t, 403, api.CodeAccessDenied)
	app = ok[admin.Application](t, a.call("POST", "/applications/"+app.ID+"/terms", admin.TermsAcceptance{AcceptedBy: "dev@acme.example"}), 200)
	if app.TermsAcceptedBy != "dev@acme.example" || app.TermsAcceptedAt.IsZero() {
		t.Errorf("terms %+v", app)
	}
	a.call("POST", "/applications/"+app.ID+"/terms", admin.TermsAcceptance{}).wantError(t, 400, api.CodeInvalidBodyField)
	a.env.call("GET", "/contracts", tok, key, "", "").wantStatus(t, 200)

	// A subscription that is not approved: 403/50.
	for _, state := range []string{admin.SubscriptionSuspended, admin.SubscriptionPending, admin.SubscriptionRejected} {
		app = ok[admin.Application](t, a.call("PUT", "/applications/"+app.ID+"/subscription", admin.SubscriptionChange{Subscription: state}), 200)
		if app.Subscription != state {
			t.Errorf("subscription %s, want %s", app.Subscription, state)
		}
		a.env.call("GET", "/contracts", tok, key, "", "").wantError(t, 403, api.CodeAccessDenied)
	}
	a.call("PUT", "/applications/"+app.ID+"/subscription", admin.SubscriptionChange{Subscription: "none"}).wantError(t, 400, api.CodeInvalidBodyField)
	a.call("PUT", "/applications/"+app.ID+"/subscription", admin.SubscriptionChange{Subscription: admin.SubscriptionApproved}).wantStatus(t, 200)
	a.env.call("GET", "/contracts", tok, key, "", "").wantStatus(t, 200)

	// Suspended: no new token (invalid_client) and the token it holds is refused.
	a.call("PUT", "/applications/"+app.ID+"/status", admin.StatusChange{Status: admin.StatusSuspended}).wantStatus(t, 200)
	a.tokenRefused(app.ClientID, created.ClientSecret)
	a.env.call("GET", "/contracts", tok, key, "", "").wantError(t, 401, api.CodeInvalidCredentials)
	a.call("PUT", "/applications/"+app.ID+"/status", admin.StatusChange{Status: admin.StatusActive}).wantStatus(t, 200)
	a.env.call("GET", "/contracts", tok, key, "", "").wantStatus(t, 200)
	// Blocked: its calls are refused with 403/51.
	a.call("PUT", "/applications/"+app.ID+"/status", admin.StatusChange{Status: admin.StatusBlocked}).wantStatus(t, 200)
	a.env.call("GET", "/contracts", tok, key, "", "").wantError(t, 403, api.CodeForbiddenRequester)
	a.call("PUT", "/applications/"+app.ID+"/status", admin.StatusChange{Status: admin.StatusActive}).wantStatus(t, 200)
	a.call("PUT", "/applications/"+app.ID+"/status", admin.StatusChange{Status: admin.StatusDeleted}).wantError(t, 400, api.CodeInvalidBodyField)
	a.call("PUT", "/applications/"+app.ID+"/status", admin.StatusChange{Status: "paused"}).wantError(t, 400, api.CodeInvalidBodyField)

	// The secret rotates with an hour of overlap at the token endpoint.
	r = a.call("POST", "/applications/"+app.ID+"/rotate-secret", admin.SecretRotation{Overlap: "1h"})
	rot := ok[admin.IssuedApplication](t, r, 200)
	if r.header.Get("Cache-Control") != "no-store" || rot.ClientSecret == "" || rot.ClientSecret == created.ClientSecret || rot.Application.PreviousSecretExpiresAt.IsZero() {
		t.Errorf("rotated %+v", rot)
	}
	a.env.token(app.ClientID, created.ClientSecret)
	a.env.token(app.ClientID, rot.ClientSecret)
	a.clock.Advance(time.Hour + time.Second)
	a.tokenRefused(app.ClientID, created.ClientSecret)
	tok = a.env.token(app.ClientID, rot.ClientSecret)
	a.env.call("GET", "/contracts", tok, key, "", "").wantStatus(t, 200)
	// Without overlap, the previous secret stops at once.
	rot2 := ok[admin.IssuedApplication](t, a.send("POST", a.adminURL+"/applications/"+app.ID+"/rotate-secret", nil, map[string]string{"Authorization": "Bearer " + a.token}), 200)
	a.tokenRefused(app.ClientID, rot.ClientSecret)
	a.env.token(app.ClientID, rot2.ClientSecret)
	if len(rot.Notices)+len(rot2.Notices) != 0 {
		t.Errorf("notices of rotations made outside any overlap: %q, %q", rot.Notices, rot2.Notices)
	}
	// A rotation while another's overlap runs ends the secret that overlap kept, and says so.
	rot3 := ok[admin.IssuedApplication](t, a.call("POST", "/applications/"+app.ID+"/rotate-secret", admin.SecretRotation{Overlap: "1h"}), 200)
	rot4 := ok[admin.IssuedApplication](t, a.call("POST", "/applications/"+app.ID+"/rotate-secret", admin.SecretRotation{Overlap: "1h"}), 200)
	if len(rot3.Notices) != 0 || len(rot4.Notices) != 1 || !strings.Contains(rot4.Notices[0], "stopped working now") {
		t.Errorf("notices %q then %q: want none, then one saying the secret before stopped working", rot3.Notices, rot4.Notices)
	}
	a.tokenRefused(app.ClientID, rot2.ClientSecret)
	a.env.token(app.ClientID, rot3.ClientSecret)
	rot2 = rot4

	// Deleted: final.
	deleted := ok[admin.Application](t, a.call("DELETE", "/applications/"+app.ID, nil), 200)
	if deleted.Status != admin.StatusDeleted {
		t.Errorf("status %s", deleted.Status)
	}
	a.env.call("GET", "/contracts", tok, key, "", "").wantError(t, 401, api.CodeInvalidCredentials)
	a.tokenRefused(app.ClientID, rot2.ClientSecret)
	a.call("DELETE", "/applications/"+app.ID, nil).wantError(t, 409, api.CodeConflict)
	a.call("PUT", "/applications/"+app.ID+"/status", admin.StatusChange{Status: admin.StatusActive}).wantError(t, 409, api.CodeConflict)

	// A new application awaits approval.
	pending := ok[admin.IssuedApplication](t, a.call("POST", "/applications", admin.NewApplication{Name: "Pending app"}), 201)
	if pending.Application.Subscription != admin.SubscriptionPending {
		t.Errorf("default subscription %s", pending.Application.Subscription)
	}
	a.env.call("GET", "/contracts", a.env.token(pending.Application.ClientID, pending.ClientSecret), key, "", "").wantError(t, 403, api.CodeAccessDenied)
	a.checkAudit()
}

func TestAdminAuditTrail(t *testing.T) {
	a := newAdminEnv(t)
	client := a.accountOf(admin.AccountClient, "claire.martin@acme.example")
	issued := a.issueKey(client.ID, admin.KeyRequest{})
	a.clock.Advance(time.Minute)
	revoke := a.call("POST", "/keys/"+issued.APIKey.ID+"/revoke", nil).wantStatus(t, 200)

	events := ok[admin.List[admin.AuditEvent]](t, a.call("GET", "/audit?objectType=api_key&objectId="+issued.APIKey.ID, nil), 200)
	if events.Total != 2 || events.Items[0].Action != "api_key.revoke" || events.Items[1].Action != "api_key.issue" {
		t.Fatalf("events of the key: %+v", events)
	}
	ev := events.Items[0]
	if ev.ActorType != "operator" || ev.ActorID != a.tokenID || ev.RequestID != revoke.header.Get(api.HeaderRequestID) ||
		ev.Details["account"] != client.ID || !ev.At.Equal(a.clock.Now().UTC().Truncate(time.Microsecond)) {
		t.Errorf("revocation event %+v", ev)
	}
	mine := ok[admin.List[admin.AuditEvent]](t, a.call("GET", "/audit?actorType=operator&actorId="+a.tokenID, nil), 200)
	if mine.Total != 2 {
		t.Errorf("events of this operator: %d, want 2", mine.Total)
	}
	since := a.clock.Now().UTC().Add(-time.Second).Format(time.RFC3339)
	if n := ok[admin.List[admin.AuditEvent]](t, a.call("GET", "/audit?actorId="+a.tokenID+"&since="+since, nil), 200).Total; n != 1 {
		t.Errorf("events since %s: %d, want 1", since, n)
	}
	if n := ok[admin.List[admin.AuditEvent]](t, a.call("GET", "/audit?actorId="+a.tokenID+"&until="+since, nil), 200).Total; n != 1 {
		t.Errorf("events until %s: %d, want 1", since, n)
	}
	if seed := ok[admin.List[admin.AuditEvent]](t, a.call("GET", "/audit?actorType=system&limit=1", nil), 200); seed.Total == 0 || len(seed.Items) != 1 {
		t.Errorf("the seed's events: %+v", seed)
	}
	// Changes made through the customer API are recorded under the account and application.
	order := `{"billingAccountId": "20451001", "offerCode": "FE", "contractName": "AUDITED", "supportLevel": "BSC", "referentName": "Doe", "referentFirstName": "John", "referentMail": "john.doe@acme.example"}`
	placed := a.asAdmin("POST", "/contract", "", order).wantStatus(t, 201)
	byCustomer := ok[admin.List[admin.AuditEvent]](t, a.call("GET", "/audit?actorType=account", nil), 200)
	if byCustomer.Total != 1 || byCustomer.Items[0].Action != "contract.order" || byCustomer.Items[0].ApplicationID == "" ||
		byCustomer.Items[0].RequestID != placed.header.Get(api.HeaderRequestID) {
		t.Errorf("customer events %+v", byCustomer)
	}
	for _, q := range []string{"actorType=robot", "since=yesterday", "until=2026-13-01T00:00:00Z", "limit=5000"} {
		a.call("GET", "/audit?"+q, nil).wantError(t, 400, api.CodeInvalidQueryParameter)
	}
	a.call("GET", "/audit?objectId=", nil).wantError(t, 400, api.CodeMissingQueryParameter)
	a.checkAudit()
}
