package web_test

import (
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/eccs/eccs/api"
	"github.com/eccs/eccs/internal/eccs"
	"github.com/eccs/eccs/internal/testkit/apitest"
	"github.com/eccs/eccs/internal/testkit/webtest"
	"github.com/eccs/eccs/internal/web"
)

// TestPagesShowExactlyWhatTheAPIAnswersForTheAccountsKey draws random roles for the client
// account on every contract of the seeded world, then checks, for both accounts, that the
// contracts page and each contract's documents page list exactly what the API lists for the
// account's key.
func TestPagesShowExactlyWhatTheAPIAnswersForTheAccountsKey(t *testing.T) {
	for seed := range uint64(3) {
		e := webtest.NewEnv(t, web.Config{})
		rng := rand.New(rand.NewPCG(seed, 7))
		randomClientRoles(t, e, rng)
		randomPerimeter(t, e, rng)
		token := e.API.Token()
		for _, key := range []string{e.API.Creds.APIKeys.Client, e.API.Creds.APIKeys.Administrator} {
			cookie := e.SignInWithKey(key)
			apiContracts := apiContractIDs(t, e.API, token, key)
			if got := webContractIDs(t, e, cookie); !slices.Equal(got, apiContracts) {
				t.Fatalf("seed %d: the contracts page lists %v, the API %v", seed, got, apiContracts)
			}
			var apiOfPeriod []string
			for _, id := range apiContracts {
				apiDocs, apiStatus := apiDocumentIDs(t, e.API, token, key, id)
				webDocs, webStatus := webDocumentIDs(t, e, cookie, id)
				if apiStatus != webStatus || !slices.Equal(apiDocs, webDocs) {
					t.Errorf("seed %d, %s: the web lists %v (%d), the API %v (%d)", seed, id, webDocs, webStatus, apiDocs, apiStatus)
				}
				apiOfPeriod = append(apiOfPeriod, apiDocumentIDsOf(t, e.API, token, key, id, "202605")...)
			}
			if got := acrossDocumentIDs(t, e, cookie, "202605"); !slices.Equal(slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(apiOfPeriod))) {
				t.Errorf("seed %d: the documents of 202605 across contracts: the web lists %v, the API %v", seed, got, apiOfPeriod)
			}
		}
	}
}

// randomClientRoles gives the client account's person a random role per section on every
// contract of the world (none on contracts hides the contract).
func randomClientRoles(t *testing.T, e *webtest.Env, rng *rand.Rand) {
	t.Helper()
	ctx := t.Context()
	acct, _, err := e.API.Svc.AccountForKey(ctx, e.API.Creds.APIKeys.Client)
	if err != nil {
		t.Fatal(err)
	}
	person, err := e.API.Svc.Identity(ctx, acct.IdentityID)
	if err != nil {
		t.Fatal(err)
	}
	names := []string{"", "visitor", "manager"}
	for _, id := range e.API.Creds.Contracts.All {
		roles := map[string][]string{}
		for _, sec := range []string{"contracts", "documents", "users"} {
			if n := names[rng.IntN(3)]; n != "" {
				roles[sec] = []string{n}
			}
		}
		_, err := e.API.Svc.SetUserRoles(ctx, id, person.ID, roles)
		if eccs.IsNotFound(err) {
			_, err = e.API.Svc.AddUser(ctx, id, eccs.NewUser{LastName: "Client", FirstName: "Demo", Email: person.Email,
				Login: "demo.client.web", Roles: roles})
		}
		if err != nil && eccs.ErrorCode(err) != eccs.Conflict { // the referent keeps its roles
			t.Fatalf("roles on %s: %v", id, err)
		}
	}
}

// randomPerimeter gives the administrator account a random perimeter among every billing
// account and offer of the world.
func randomPerimeter(t *testing.T, e *webtest.Env, rng *rand.Rand) {
	t.Helper()
	ctx := t.Context()
	acct, _, err := e.API.Svc.AccountForKey(ctx, e.API.Creds.APIKeys.Administrator)
	if err != nil {
		t.Fatal(err)
	}
	bas, _, err := e.API.Svc.BillingAccounts(ctx, "", eccs.Page{})
	if err != nil {
		t.Fatal(err)
	}
	offers, err := e.API.Svc.Offers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var p eccs.Perimeter
	for _, b := range bas {
		if rng.IntN(2) == 0 {
			p.BillingAccountIDs = append(p.BillingAccountIDs, b.ID)
		}
	}
	for _, o := range offers {
		if rng.IntN(2) == 0 {
			p.OfferIDs = append(p.OfferIDs, o.ID)
		}
	}
	if _, err := e.API.Svc.SetPerimeter(ctx, acct.ID, p); err != nil {
		t.Fatal(err)
	}
}

func apiContractIDs(t *testing.T, e *apitest.Env, token, key string) []string {
	t.Helper()
	var list []api.Contract
	apitest.MustJSON(t, e.Call("GET", "/contracts?limit=1000", token, key, "", "").WantStatus(t, http.StatusOK).Body, &list)
	ids := []string{}
	for _, c := range list {
		ids = append(ids, c.ID)
	}
	return ids
}

func apiDocumentIDs(t *testing.T, e *apitest.Env, token, key, contract string) ([]string, int) {
	t.Helper()
	r := e.Call("GET", "/documents?limit=1000", token, key, contract, "")
	if r.Status != http.StatusOK {
		return []string{}, r.Status
	}
	var list []api.Document
	apitest.MustJSON(t, r.Body, &list)
	ids := []string{}
	for _, d := range list {
		ids = append(ids, d.ID)
	}
	return ids, r.Status
}

// webContractIDs follows the contracts pages from the first to the last.
func webContractIDs(t *testing.T, e *webtest.Env, cookie string) []string {
	t.Helper()
	ids := []string{}
	for path := "/contracts"; path != ""; {
		p := e.Get(cookie, path)
		if p.Status != http.StatusOK {
			t.Fatalf("%s: %d", path, p.Status)
		}
		doc := p.Parse(t)
		for _, th := range webtest.Elements(doc, "th") {
			for _, href := range webtest.Links(th, "/contracts/") {
				ids = append(ids, strings.TrimPrefix(href, "/contracts/"))
			}
		}
		path = ""
		for _, a := range webtest.Elements(doc, "a") {
			if webtest.Attr(a, "rel") == "next" {
				path = webtest.Attr(a, "href")
			}
		}
	}
	return ids
}

// webDocumentIDs follows a contract's documents pages; a refusal gives the status the API's
// refusal has.
func webDocumentIDs(t *testing.T, e *webtest.Env, cookie, contract string) ([]string, int) {
	t.Helper()
	ids := []string{}
	prefix := "/contracts/" + contract + "/documents/"
	for path := prefix[:len(prefix)-1]; path != ""; {
		p := e.Get(cookie, path)
		if p.Status != http.StatusOK {
			return ids, p.Status
		}
		doc := p.Parse(t)
		for _, href := range webtest.Links(doc, prefix) {
			if id, ok := strings.CutSuffix(strings.TrimPrefix(href, prefix), "/file"); ok {
				ids = append(ids, id)
			}
		}
		path = ""
		for _, a := range webtest.Elements(doc, "a") {
			if webtest.Attr(a, "rel") == "next" {
				path = webtest.Attr(a, "href")
			}
		}
	}
	return ids, http.StatusOK
}

// apiDocumentIDsOf lists the API's documents of a contract for one period.
func apiDocumentIDsOf(t *testing.T, e *apitest.Env, token, key, contract, period string) []string {
	t.Helper()
	r := e.Call("GET", "/documents?limit=1000", token, key, contract, "")
	if r.Status != http.StatusOK {
		return nil
	}
	var list []api.Document
	apitest.MustJSON(t, r.Body, &list)
	var ids []string
	for _, d := range list {
		if d.Period == period {
			ids = append(ids, d.ID)
		}
	}
	return ids
}

// acrossDocumentIDs lists the documents the page of every contract's documents shows.
func acrossDocumentIDs(t *testing.T, e *webtest.Env, cookie, period string) []string {
	t.Helper()
	p := e.Get(cookie, "/documents?period="+period)
	if p.Status != http.StatusOK {
		t.Fatalf("/documents: %d", p.Status)
	}
	var ids []string
	for _, href := range webtest.Links(p.Parse(t), "/contracts/") {
		if rest, ok := strings.CutSuffix(href, "/file"); ok {
			ids = append(ids, rest[strings.LastIndexByte(rest, '/')+1:])
		}
	}
	return ids
}
