package httpapi_test

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/eccs/eccs/api"
	"github.com/eccs/eccs/internal/testkit/apitest"
)

func TestContractsListsWhatEachAccountSees(t *testing.T) {
	e := apitest.NewEnv(t)
	for _, tt := range []struct {
		name string
		key  string
		want []string
	}{
		{"client account", e.Creds.APIKeys.Client, e.Creds.Contracts.Client},
		{"administrator account", e.Creds.APIKeys.Administrator, e.Creds.Contracts.Administrator},
	} {
		t.Run(tt.name, func(t *testing.T) {
			// X-ECCS-Contract-Id is ignored on the list.
			r := e.Call("GET", "/contracts", e.Token(), tt.key, "OCB0000005", "").WantStatus(t, 200)
			var list []api.Contract
			apitest.MustJSON(t, r.Body, &list)
			var ids []string
			for _, c := range list {
				ids = append(ids, c.ID)
				if c.Offer.Name == "" || c.Contact.FirstName == "" || c.Contact.LastName == "" || c.Customer.Name == "" {
					t.Errorf("contract %s lacks a name clients rely on: %+v", c.ID, c)
				}
			}
			if strings.Join(ids, ",") != strings.Join(tt.want, ",") || !sort.StringsAreSorted(ids) {
				t.Fatalf("ids %v, want %v sorted", ids, tt.want)
			}
			if r.Header.Get(api.HeaderTotalCount) != fmt.Sprint(len(tt.want)) || r.Header.Get(api.HeaderResultCount) != fmt.Sprint(len(tt.want)) {
				t.Errorf("counts %s/%s", r.Header.Get(api.HeaderTotalCount), r.Header.Get(api.HeaderResultCount))
			}
			// Every listed contract answers GET /contract with the same body.
			for _, c := range list {
				one := e.Call("GET", "/contract", e.Token(), tt.key, c.ID, "").WantStatus(t, 200)
				var got api.Contract
				apitest.MustJSON(t, one.Body, &got)
				if fmt.Sprint(got) != fmt.Sprint(c) {
					t.Errorf("GET /contract %s = %+v, list says %+v", c.ID, got, c)
				}
			}
		})
	}
}

func TestContractsPage(t *testing.T) {
	e := apitest.NewEnv(t)
	key := e.Creds.APIKeys.Client
	tests := []struct {
		query string
		want  string
	}{
		{"?limit=2", "OCB0000001,OCB0000002"},
		{"?limit=2&offset=2", "OCB0000003"},
		{"?offset=1", "OCB0000002,OCB0000003"},
		{"?offset=10", ""},
		{"?limit=1000", "OCB0000001,OCB0000002,OCB0000003"},
	}
	for _, tt := range tests {
		r := e.Call("GET", "/contracts"+tt.query, e.Token(), key, "", "").WantStatus(t, 200)
		var list []api.Contract
		apitest.MustJSON(t, r.Body, &list)
		var ids []string
		for _, c := range list {
			ids = append(ids, c.ID)
		}
		if strings.Join(ids, ",") != tt.want || r.Header.Get(api.HeaderTotalCount) != "3" || r.Header.Get(api.HeaderResultCount) != fmt.Sprint(len(ids)) {
			t.Errorf("%s: %v (total %s, result %s), want %s", tt.query, ids, r.Header.Get(api.HeaderTotalCount), r.Header.Get(api.HeaderResultCount), tt.want)
		}
	}
	for _, bad := range []string{"?limit=0", "?limit=1001", "?limit=x", "?offset=-1", "?limit=1&limit=2"} {
		e.Call("GET", "/contracts"+bad, e.Token(), key, "", "").WantError(t, 400, api.CodeInvalidQueryParameter)
	}
	e.Call("GET", "/contracts?limit=", e.Token(), key, "", "").WantError(t, 400, api.CodeMissingQueryParameter)
}

func TestContractShowsTheGuideShape(t *testing.T) {
	e := apitest.NewEnv(t)
	r := e.AsClient("GET", "/contract", "OCB0000001", "").WantStatus(t, 200)
	var c map[string]any
	apitest.MustJSON(t, r.Body, &c)
	for _, f := range []string{"id", "name", "contractType", "offer", "platformId", "customer", "contact", "createdAt", "updatedAt"} {
		if _, ok := c[f]; !ok {
			t.Errorf("no %s in %s", f, r.Body)
		}
	}
	if !regexp.MustCompile(`"createdAt":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"`).Match(r.Body) {
		t.Errorf("createdAt is not RFC 3339 UTC with whole seconds: %s", r.Body)
	}
	// A contract without a platform id omits it rather than sending null.
	r = e.AsClient("GET", "/contract", "OCB0000003", "").WantStatus(t, 200)
	if strings.Contains(string(e.AsAdmin("GET", "/contracts", "", "").Body), "null") {
		t.Error("a list holds null")
	}
	_ = r
}

func TestContractOrdered(t *testing.T) {
	e := apitest.NewEnv(t)
	body := fmt.Sprintf(`{"billingAccountId": %q, "offerCode": %q, "contractName": "New project", "supportLevel": %q,
		"referentCivility": "M", "referentName": "Doe", "referentFirstName": "Jane", "referentMail": "jane.doe@example.com",
		"referentFixPhone": "0102030405", "referentMobilePhone": "0607080900", "referenceExt1": "PO-1"}`,
		e.Creds.BillingAccountID, e.Creds.OfferCode, e.Creds.SupportLevel)
	for _, path := range []string{"/contract", "/contract/", "/contracts", "/contracts/"} {
		r := e.AsAdmin("POST", path, "", strings.Replace(body, "jane.doe", "jane.doe"+strings.ReplaceAll(path, "/", "x"), 1)).WantStatus(t, 201)
		var created api.ContractCreated
		apitest.MustJSON(t, r.Body, &created)
		if !regexp.MustCompile(`^OCB\d{7}$`).MatchString(created.ID) {
			t.Fatalf("id %q", created.ID)
		}
		// The administrator sees it; its referent is the contact.
		one := e.AsAdmin("GET", "/contract", created.ID, "").WantStatus(t, 200)
		var c api.Contract
		apitest.MustJSON(t, one.Body, &c)
		if c.Name != "New project" || c.Contact.LastName != "Doe" || c.Offer.ID != e.Creds.OfferCode {
			t.Fatalf("contract %+v", c)
		}
	}
}

func TestContractOrderRefused(t *testing.T) {
	e := apitest.NewEnv(t)
	good := map[string]string{
		"billingAccountId": e.Creds.BillingAccountID, "offerCode": e.Creds.OfferCode, "contractName": "X",
		"supportLevel": e.Creds.SupportLevel, "referentName": "Doe", "referentFirstName": "Jane", "referentMail": "jane@example.com",
	}
	with := func(k, v string) string { return orderWith(good, k, v) }
	tests := []struct {
		name   string
		key    string
		body   string
		status int
		code   int
	}{
		{"a client account, whatever the body", e.Creds.APIKeys.Client, "", 403, 50},
		{"an empty body", "", "", 400, 21},
		{"a body that is not JSON", "", "billingAccountId=1", 400, 22},
		{"a JSON array", "", "[]", 400, 22},
		{"two objects", "", "{}{}", 400, 22},
		{"a missing field", "", with("contractName", "<absent>"), 400, 23},
		{"an empty field", "", with("referentMail", ""), 400, 23},
		{"a number instead of a string", "", `{"contractName": 5}`, 400, 24},
		{"an unknown field", "", strings.Replace(with("contractName", "X"), "{", `{"contract_name":"x",`, 1), 400, 24},
		{"an unknown offer", "", with("offerCode", "NOPE"), 400, 24},
		{"an unsold support level", "", with("supportLevel", "GLD"), 400, 24},
		{"a bad e-mail", "", with("referentMail", "jane"), 400, 24},
		{"a billing account outside the perimeter", "", with("billingAccountId", "30872001"), 403, 50},
		{"an offer outside the perimeter", "", strings.Replace(with("offerCode", "CAV"), `"BSC"`, `"STD"`, 1), 403, 50},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			key := tt.key
			if key == "" {
				key = e.Creds.APIKeys.Administrator
			}
			e.Call("POST", "/contract", e.Token(), key, "", tt.body).WantError(t, tt.status, tt.code)
		})
	}
	t.Run("an unknown billing account answers like one outside the perimeter", func(t *testing.T) {
		outside := e.AsAdmin("POST", "/contract", "", with("billingAccountId", "30872001"))
		unknown := e.AsAdmin("POST", "/contract", "", with("billingAccountId", "99999999"))
		d1 := outside.WantError(t, 403, 50)
		d2 := unknown.WantError(t, 403, 50)
		if strings.ReplaceAll(d1, "30872001", "X") != strings.ReplaceAll(d2, "99999999", "X") {
			t.Fatalf("%q vs %q", d1, d2)
		}
	})
}

// orderWith is the order good as JSON, with member k set to v, or removed when v is "<absent>".
func orderWith(good map[string]string, k, v string) string {
	m := map[string]string{}
	for kk, vv := range good {
		m[kk] = vv
	}
	if v == "<absent>" {
		delete(m, k)
	} else {
		m[k] = v
	}
	var parts []string
	for kk, vv := range m {
		parts = append(parts, fmt.Sprintf("%q:%q", kk, vv))
	}
	return "{" + strings.Join(parts, ",") + "}"
}

// TestConcurrentOrdersGetDistinctIDs orders 200 contracts at once: 200 distinct numbers, and
// each contract is readable.
func TestConcurrentOrdersGetDistinctIDs(t *testing.T) {
	e := apitest.NewEnv(t)
	token := e.Token()
	const n = 200
	ids := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			body := fmt.Sprintf(`{"billingAccountId": %q, "offerCode": "FE", "contractName": "Load %d", "supportLevel": "BSC",
				"referentName": "Doe", "referentFirstName": "Jane", "referentMail": "jane.load%d@example.com"}`, e.Creds.BillingAccountID, i, i%7)
			r := e.Call("POST", "/contract", token, e.Creds.APIKeys.Administrator, "", body)
			if r.Status != 201 {
				t.Errorf("order %d: %s", i, r)
				return
			}
			var c api.ContractCreated
			apitest.MustJSON(t, r.Body, &c)
			ids[i] = c.ID
		}()
	}
	wg.Wait()
	seen := map[string]bool{}
	for _, id := range ids {
		if id == "" || seen[id] {
			t.Fatalf("id %q missing or given twice", id)
		}
		seen[id] = true
		e.Call("GET", "/contract", token, e.Creds.APIKeys.Administrator, id, "").WantStatus(t, 200)
	}
}
