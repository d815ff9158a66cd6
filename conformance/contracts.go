package conformance

import (
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"time"

	"github.com/eccs/eccs/api"
)

// maxContractsFetched bounds how many listed contracts are fetched one by one.
const maxContractsFetched = 5

// The contract ids of the error checks: one the gateway's syntax refuses, and one of the
// right shape that surely does not exist.
const (
	malformedContractID = "OCB 1"
	unknownContractID   = "OCB9999999"
)

// haveToken records that the check cannot run without an access token.
func (r *runner) haveToken(v *verdict) bool {
	if r.token == "" {
		v.cannot("no access token: %s", r.noToken)
		return false
	}
	return true
}

// haveContract records that the check cannot run without a token and a contract.
func (r *runner) haveContract(v *verdict) bool {
	if !r.haveToken(v) {
		return false
	}
	if r.contractID == "" {
		v.cannot("no contract to check: %s", r.noContract)
		return false
	}
	return true
}

// contract fetches GET /contract for id, once.
func (r *runner) contract(id string) *exchange {
	if ex, ok := r.contractEx[id]; ok {
		return ex
	}
	ex := r.do(r.resource("/contract", id))
	r.contractEx[id] = ex
	return ex
}

func (r *runner) contractChecks() {
	r.check("GET /contracts → 200 and a bare JSON array", "doc/wire.md §4, §7.3.1, §8 #2", func(v *verdict) {
		r.noContract = "GET /contracts did not answer a list (see its check), and no contract id was given"
		if !r.haveToken(v) {
			return
		}
		r.contractsEx = r.do(r.resource("/contracts", ""))
		items, ok := v.wantArray(r.contractsEx)
		if !ok {
			return
		}
		r.contracts = items
		if len(items) == 0 {
			r.noContract = "GET /contracts listed no contract, and no contract id was given"
		}
		for _, it := range items {
			if id, ok := it.(map[string]any)["id"].(string); ok && id != "" {
				r.contractID = id
				break
			}
		}
	})
	if r.cfg.ContractID != "" {
		r.contractID = r.cfg.ContractID
	}

	r.check("GET /contracts: id, name, offer.name, contact.firstName and contact.lastName are strings, platformId absent or a string", "doc/wire.md §4, §7.3.1, §8 #4", func(v *verdict) {
		if !r.haveContracts(v) {
			return
		}
		for i, it := range r.contracts {
			for _, p := range contractProblems(it) {
				v.fail(r.contractsEx, "contracts[%d] (%s): %s", i, idOf(it), p)
			}
		}
	})

	r.check("GET /contracts: createdAt and updatedAt are RFC 3339 dates", "doc/wire.md §0, §4", func(v *verdict) {
		if !r.haveContracts(v) {
			return
		}
		for i, it := range r.contracts {
			for _, p := range dateProblems(it) {
				v.fail(r.contractsEx, "contracts[%d] (%s): %s", i, idOf(it), p)
			}
		}
	})

	r.check("GET /contracts ignores X-ECCS-Contract-Id", "doc/wire.md §3 step 5, §7.7 #5", func(v *verdict) {
		if !r.haveContracts(v) {
			return
		}
		sent := r.contractID
		if sent == "" {
			sent = unknownContractID
		}
		ex := r.do(r.resource("/contracts", sent))
		items, ok := v.wantArray(ex)
		if ok && !reflect.DeepEqual(items, r.contracts) {
			v.fail(ex, "expected the same list as without the header (%d contracts), got %s", len(r.contracts), snippet(ex.body))
		}
	})

	r.check(fmt.Sprintf("GET /contract accepts every id GET /contracts lists (up to %d)", maxContractsFetched), "doc/wire.md §4, §7.3.1, §8 #11", func(v *verdict) {
		if !r.haveContracts(v) {
			return
		}
		if len(r.contracts) == 0 {
			v.note = "not applicable: GET /contracts listed no contract"
			return
		}
		for i, it := range r.contracts {
			if i == maxContractsFetched {
				break
			}
			id, isString := it.(map[string]any)["id"].(string)
			if !isString || id == "" {
				v.fail(r.contractsEx, "contracts[%d] has no string id to fetch", i)
				continue
			}
			ex := r.contract(id)
			body, ok := v.wantJSON(ex, http.StatusOK)
			if !ok {
				continue
			}
			if got, _ := member(body, "id"); got != id {
				v.fail(ex, "with X-ECCS-Contract-Id %s: expected the contract %s, got id %s", id, id, describe(got))
			}
		}
	})

	r.check("GET /contract → 200, the contract named by X-ECCS-Contract-Id, with the members of the list", "doc/wire.md §4, §7.3.2, §8 #4", func(v *verdict) {
		if !r.haveContract(v) {
			return
		}
		ex := r.contract(r.contractID)
		body, ok := v.wantJSON(ex, http.StatusOK)
		if !ok {
			return
		}
		obj, isObject := body.(map[string]any)
		if !isObject {
			v.fail(ex, "expected a JSON object, got %s: %s", kind(body), snippet(ex.body))
			return
		}
		if obj["id"] != r.contractID {
			v.fail(ex, "expected id %q, got %s", r.contractID, describe(obj["id"]))
		}
		for _, p := range append(contractProblems(obj), dateProblems(obj)...) {
			v.fail(ex, "%s", p)
		}
		for _, it := range r.contracts {
			listed, _ := it.(map[string]any)
			if listed["id"] != r.contractID {
				continue
			}
			if got, want := keys(obj), keys(listed); !slices.Equal(got, want) {
				v.fail(ex, "expected the members of the contract in GET /contracts %v, got %v", want, got)
			}
		}
	})

	r.check("GET /contract without X-ECCS-Contract-Id → 400, code 25", "doc/wire.md §2, §3 step 5", func(v *verdict) {
		if r.haveToken(v) {
			v.wantEnvelope(r.do(r.resource("/contract", "")), http.StatusBadRequest, api.CodeMissingHeader)
		}
	})

	r.check(fmt.Sprintf("GET /contract with a malformed contract id (%q) → 400, code 26", malformedContractID), "doc/wire.md §2, §3 step 5", func(v *verdict) {
		if r.haveToken(v) {
			v.wantEnvelope(r.do(r.resource("/contract", malformedContractID)), http.StatusBadRequest, api.CodeInvalidHeader)
		}
	})

	r.check(fmt.Sprintf("GET /contract with a contract that does not exist (%s) → 403, code 50", unknownContractID), "doc/wire.md §2, §3 step 5", func(v *verdict) {
		if r.haveToken(v) {
			v.wantEnvelope(r.do(r.resource("/contract", unknownContractID)), http.StatusForbidden, api.CodeAccessDenied)
		}
	})
}

// haveContracts records that the check cannot run without the answer of GET /contracts.
func (r *runner) haveContracts(v *verdict) bool {
	if !r.haveToken(v) {
		return false
	}
	if r.contracts == nil {
		v.cannot("GET /contracts did not answer a JSON array (see its check)")
		return false
	}
	return true
}

// credentialChecks checks the refusals of doc/wire.md §3 steps 1 and 4, and that header names are
// case-insensitive.
func (r *runner) credentialChecks() {
	r.check("no Authorization header → 401, code 40, with WWW-Authenticate", "doc/wire.md §2, §3 step 1", func(v *verdict) {
		q := r.resource("/contracts", "")
		delete(q.header, "Authorization")
		v.wantEnvelope(r.do(q), http.StatusUnauthorized, api.CodeMissingCredentials)
	})

	r.check("unknown access token → 401, code 41, with WWW-Authenticate", "doc/wire.md §2, §3 step 1", func(v *verdict) {
		q := r.resource("/contracts", "")
		q.header["Authorization"] = []string{"Bearer eccs-conformance-not-a-token"}
		v.wantEnvelope(r.do(q), http.StatusUnauthorized, api.CodeInvalidCredentials)
	})

	r.check("no X-API-Key header → 401, code 40, with WWW-Authenticate", "doc/wire.md §2, §3 step 4", func(v *verdict) {
		if !r.haveToken(v) {
			return
		}
		q := r.resource("/contracts", "")
		delete(q.header, "X-API-Key")
		v.wantEnvelope(r.do(q), http.StatusUnauthorized, api.CodeMissingCredentials)
	})

	r.check("header names are case-insensitive (x-api-key)", "doc/wire.md §0", func(v *verdict) {
		if !r.haveToken(v) {
			return
		}
		q := r.resource("/contracts", "")
		delete(q.header, "X-API-Key")
		q.header["x-api-key"] = []string{r.cfg.APIKey}
		v.wantArray(r.do(q))
	})
}

// contractProblems lists what a contract object lacks of what clients read (doc/wire.md §4,
// §8 #4): string id and name, offer.name, contact.firstName and contact.lastName
// never null, platformId absent or a string.
func contractProblems(c any) []string {
	if _, ok := c.(map[string]any); !ok {
		return []string{fmt.Sprintf("expected a contract object, got %s", describe(c))}
	}
	var out []string
	for _, path := range [][]string{{"id"}, {"name"}, {"offer", "name"}, {"contact", "firstName"}, {"contact", "lastName"}} {
		if p := stringMember(c, path[0] == "id", path...); p != "" {
			out = append(out, p)
		}
	}
	if p, present := member(c, "platformId"); present {
		if _, ok := p.(string); !ok {
			out = append(out, fmt.Sprintf("platformId is %s, expected a string or no member at all", describe(p)))
		}
	}
	return out
}

// dateProblems lists the createdAt and updatedAt members of an object that are not RFC 3339
// dates.
func dateProblems(obj any) []string {
	var out []string
	for _, name := range []string{"createdAt", "updatedAt"} {
		m, present := member(obj, name)
		if !present {
			out = append(out, fmt.Sprintf("%s is missing, expected an RFC 3339 date", name))
			continue
		}
		s, isString := m.(string)
		if !isString {
			out = append(out, fmt.Sprintf("%s is %s, expected an RFC 3339 date", name, describe(m)))
			continue
		}
		if _, err := time.Parse(time.RFC3339, s); err != nil {
			out = append(out, fmt.Sprintf("%s is %q, expected an RFC 3339 date such as 2021-09-02T03:00:00Z", name, s))
		}
	}
	return out
}

// keys returns an object's member names, sorted.
func keys(obj map[string]any) []string {
	out := make([]string, 0, len(obj))
	for k := range obj {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
