package httpapi_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/eccs/eccs/api"
	"github.com/eccs/eccs/internal/eccs"
	"github.com/eccs/eccs/internal/testkit/apitest"
)

// TestNoAccountReachesAContractItMayNotSee asks, for every account, contract and endpoint that
// names a contract, and checks that only visible contracts answer, and that an invisible
// contract answers exactly like one that does not exist.
func TestNoAccountReachesAContractItMayNotSee(t *testing.T) {
	e := apitest.NewEnv(t)
	// A third account: a client declared nowhere.
	lonelyKey := newLonelyKey(t, e)
	accounts := []struct {
		name    string
		key     string
		visible []string
	}{
		{"client", e.Creds.APIKeys.Client, e.Creds.Contracts.Client},
		{"administrator", e.Creds.APIKeys.Administrator, e.Creds.Contracts.Administrator},
		{"client declared nowhere", lonelyKey, nil},
	}
	reportOf := reportsOf(t, e)
	const unknown = "OCB9999999"
	reportOf[unknown] = reportOf["OCB0000006"]
	token := e.Token()
	user := `{"lastName": "Doe", "firstName": "John", "email": "john.%s@example.com", "login": "john.%s", "roles": {"contracts": ["visitor"]}}`
	endpoints := []struct {
		name string
		call func(key, contract string) apitest.Response
	}{
		{"GET /contract", func(key, c string) apitest.Response { return e.Call("GET", "/contract", token, key, c, "") }},
		{"GET /documents", func(key, c string) apitest.Response { return e.Call("GET", "/documents", token, key, c, "") }},
		{"GET /documents?documentType=bills", func(key, c string) apitest.Response {
			return e.Call("GET", "/documents?documentType=bills", token, key, c, "")
		}},
		{"GET /documents/{id}/file", func(key, c string) apitest.Response {
			return e.Call("GET", "/documents/"+reportOf[c]+"/file", token, key, c, "")
		}},
		{"POST /contract/{id}/user", func(key, c string) apitest.Response {
			return e.Call("POST", "/contract/"+c+"/user", token, key, "", fmt.Sprintf(user, strings.ToLower(c), strings.ToLower(c)))
		}},
	}
	cases := 0
	for _, a := range accounts {
		for _, ep := range endpoints {
			missing := ep.call(a.key, unknown)
			missingDesc := missing.WantError(t, 403, api.CodeAccessDenied)
			for _, c := range e.Creds.Contracts.All {
				cases++
				r := ep.call(a.key, c)
				if slices.Contains(a.visible, c) {
					if r.Status == 403 && strings.Contains(string(r.Body), "not visible") {
						t.Errorf("%s, %s on visible %s: %s", a.name, ep.name, c, r)
					}
					continue
				}
				wantLikeMissing(t, r, c, unknown, missingDesc, a.name, ep.name)
			}
		}
		wantListed(t, e, token, a.key, a.name, a.visible)
	}
	t.Logf("%d account × endpoint × contract cases", cases)
}

// newLonelyKey is the API key of a third account: a client declared nowhere.
func newLonelyKey(t *testing.T, e *apitest.Env) string {
	acct, err := e.Svc.CreateAccount(t.Context(), eccs.NewAccount{Type: eccs.AccountClient,
		Person: eccs.Person{LastName: "Nobody", FirstName: "Nadine", Email: "nadine.nobody@example.com"}, Login: "nadine.nobody"})
	if err != nil {
		t.Fatal(err)
	}
	_, key, err := e.Svc.IssueAPIKey(t.Context(), acct.ID, eccs.KeyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return key
}

// reportsOf maps each contract to a usage report of it: every role on documents may read those.
func reportsOf(t *testing.T, e *apitest.Env) map[string]string {
	reportOf := map[string]string{}
	for _, id := range e.Creds.Contracts.All {
		docs, _, err := e.DB.Documents(t.Context(), eccs.DocumentFilter{ContractID: id, Types: []eccs.DocumentType{eccs.TypeReports}, Page: eccs.Page{Limit: 1}})
		if err != nil || len(docs) != 1 {
			t.Fatalf("no report in %s: %v", id, err)
		}
		reportOf[id] = docs[0].ID
	}
	return reportOf
}

// wantLikeMissing checks that the answer r about contract c, invisible to the account, is the
// answer about the unknown contract (description missingDesc), c aside, and leaks no header.
func wantLikeMissing(t *testing.T, r apitest.Response, c, unknown, missingDesc, account, endpoint string) {
	t.Helper()
	desc := r.WantError(t, 403, api.CodeAccessDenied)
	if strings.ReplaceAll(desc, c, unknown) != missingDesc {
		t.Errorf("%s, %s: invisible %s answers %q, unknown answers %q", account, endpoint, c, desc, missingDesc)
	}
	for _, h := range []string{api.HeaderTotalCount, "Content-Disposition", "ETag"} {
		if r.Header.Get(h) != "" {
			t.Errorf("%s, %s on invisible %s: header %s leaks", account, endpoint, c, h)
		}
	}
}

// wantListed checks that the account of key (name) lists exactly the visible contracts.
func wantListed(t *testing.T, e *apitest.Env, token, key, name string, visible []string) {
	t.Helper()
	r := e.Call("GET", "/contracts", token, key, "", "").WantStatus(t, 200)
	var list []api.Contract
	apitest.MustJSON(t, r.Body, &list)
	var ids []string
	for _, c := range list {
		ids = append(ids, c.ID)
	}
	if !slices.Equal(ids, visible) && !(len(ids) == 0 && len(visible) == 0) {
		t.Errorf("%s lists %v, want %v", name, ids, visible)
	}
}
