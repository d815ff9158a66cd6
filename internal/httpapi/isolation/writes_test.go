// Writes: declaring users (every account × contract), ordering contracts, and the operator
// changing perimeters and roles. Each is predicted, run, checked, then folded into the world.

package isolation_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/eccs/eccs/api"
	"github.com/eccs/eccs/internal/eccs"
)

func (s *suite) runWrites() {
	w := s.w
	type pair struct {
		a  *account
		id string
	}
	var pairs []pair
	probes := s.probeContracts()
	for _, a := range w.accounts {
		for _, id := range probes {
			pairs = append(pairs, pair{a, id})
		}
	}
	s.rng.Shuffle(len(pairs), func(i, j int) { pairs[i], pairs[j] = pairs[j], pairs[i] })
	for i, p := range pairs {
		s.declareCase(p.a, p.id)
		if i%12 == 0 {
			a := pick(s.rng, w.accounts)
			s.orderCase(a)
		}
		if s.failures.Load() > maxReported {
			return
		}
	}
	for _, a := range w.accounts {
		s.orderCase(a)
	}
	s.operatorChanges()
}

// declaration is a user that a declareCase declares on a contract, and what the model knows of
// the person before it does.
type declaration struct {
	p        *person
	ct       *contract // nil for a contract that does not exist
	rk       recordKey // the contract's customer's record of p
	recorded string    // the record's login, when not fresh
	fresh    bool      // this customer has no record of the person yet
	login    string
	roles    map[string][]string
	problem  string // "missing" (no login), "invalid" (a role that is none), "login taken", or ""
	email    string // as sent
}

// declareCase is POST /contract/{id}/user: manager on users, else 403/50; the checks of doc/wire.md
// §3 and §5 come before the body (doc/decisions.md, "Parameters are checked after…").
func (s *suite) declareCase(a *account, id string) {
	d := s.newDeclaration(id)
	c, header, twin := s.declareRequest(a, id, d)
	s.predictDeclare(&c, id, d, header, twin)
	r := s.exec(c)
	if c.want.status == 201 && r.status == 201 {
		s.w.foldDeclaration(d, r)
	}
}

// newDeclaration picks a person to declare on contract id, with random roles, and now and then
// one problem with the body.
func (s *suite) newDeclaration(id string) declaration {
	w := s.w
	d := declaration{p: s.somePerson(3), ct: w.contracts[id]}
	d.rk = recordKey{person: strings.ToLower(d.p.email)}
	if d.ct != nil {
		d.rk.customerID = d.ct.customerID
	}
	recorded, known := w.logins[d.rk]
	d.recorded, d.fresh = recorded, !known
	d.login = d.p.login
	if !d.fresh || d.login == "" {
		d.login = "iso-unused-" + s.word(4, 4) // the record's login wins (doc/wire.md §4)
	}
	switch s.rng.IntN(12) {
	case 0:
		d.problem = "missing" // no login: 400/23
	case 1:
		d.problem = "invalid" // a role that is none: 400/24
		d.roles = map[string][]string{"documents": {"owner"}}
	case 2:
		if taken := w.loginsOf(d.rk.customerID, d.rk.person); d.fresh && len(taken) > 0 {
			d.problem = "login taken" // new to the customer, with the login of another of its persons: 409/70
			d.login = pick(s.rng, taken)
		}
	}
	if d.roles == nil {
		d.roles = s.randomRoles()
	}
	d.email = s.emailOf(d.p)
	return d
}

// declareRequest is the request of a declaration, by a on contract id, and its twin naming
// another contract. X-ECCS-Contract-Id is optional there; sent, it must name the contract of the
// path, else 400/26 (doc/decisions.md), which compares two strings and tells nothing of either.
func (s *suite) declareRequest(a *account, id string, d declaration) (c testCase, header string, twin func(string) request) {
	p := d.p
	body := map[string]any{"lastName": p.lastName, "firstName": p.firstName, "email": d.email, "login": d.login, "roles": d.roles}
	if d.problem == "missing" {
		delete(body, "login")
	}
	b, err := json.Marshal(body)
	s.must(err, "marshal a user")
	path := s.alias("/contract/"+id+"/user", "/contract/"+id+"/users", "/contracts/"+id+"/user", "/contracts/"+id+"/users")
	switch s.rng.IntN(8) {
	case 0:
		header = id
	case 1:
		header = pick(s.rng, s.w.contractIDs)
	}
	c = testCase{name: fmt.Sprintf("%s: POST %s [contract header %q] %s", a.name, path, header, b), kind: kindDeclare, account: a,
		req: request{method: "POST", path: path, body: string(b), contract: header}}
	twin = func(standIn string) request {
		t := request{method: "POST", path: strings.Replace(path, "/"+id+"/", "/"+standIn+"/", 1), body: string(b), contract: header}
		if header == id {
			t.contract = standIn
		}
		return t
	}
	return c, header, twin
}

// predictDeclare is the model's answer to a declaration; header is the X-ECCS-Contract-Id sent.
func (s *suite) predictDeclare(c *testCase, id string, d declaration, header string, twin func(string) request) {
	held, ok := s.w.wantRoles(c.account, id)
	switch {
	case header != "" && header != id:
		c.want = prediction{status: 400, code: api.CodeInvalidHeader}
		if !ok {
			s.hide(c, id, twin)
		}
	case !ok:
		c.want = prediction{status: 403, code: api.CodeAccessDenied}
		s.hide(c, id, twin)
	case held.users != roleManager:
		c.want = prediction{status: 403, code: api.CodeAccessDenied}
	case d.problem == "missing":
		c.want = prediction{status: 400, code: api.CodeMissingBodyField}
	case d.problem == "invalid":
		c.want = prediction{status: 400, code: api.CodeInvalidBodyField}
	case d.ct.closed, d.problem == "login taken":
		c.want = prediction{status: 409, code: api.CodeConflict}
	default:
		if _, declared := d.ct.users[strings.ToLower(d.email)]; declared {
			c.want = prediction{status: 409, code: api.CodeConflict}
			break
		}
		// The echo: the customer's record (the caller's data when new), the e-mail as sent,
		// the roles that count.
		p := d.p
		echo := &api.User{LastName: p.lastName, FirstName: p.firstName, Email: d.email, Login: d.login, Roles: parseRoles(d.roles).wire()}
		if !d.fresh {
			echo.Login = d.recorded // "" when not known yet: not checked
		}
		c.want = prediction{status: 201, user: echo}
	}
}

// foldDeclaration records a declaration the server made (answer r) in the world.
func (w *world) foldDeclaration(d declaration, r response) {
	d.ct.users[strings.ToLower(d.email)] = parseRoles(d.roles)
	w.remember(d.p)
	if d.fresh {
		w.logins[d.rk] = d.login
	} else if d.recorded == "" {
		var u api.User
		if json.Unmarshal(r.body, &u) == nil {
			w.logins[d.rk] = u.Login
		}
	}
}

// orderCase is POST /contract (doc/wire.md §4 and doc/decisions.md "POST /contract, order of
// checks"): administrators only, a known offer, then the billing account and offer both in the
// perimeter (an unknown billing account answers like one outside it), then the support level.
func (s *suite) orderCase(a *account) {
	o, offer, ref := s.newOrder(a)
	b, err := json.Marshal(o)
	s.must(err, "marshal an order")
	path := s.alias("/contract", "/contracts")
	c := testCase{name: fmt.Sprintf("%s: POST %s %s", a.name, path, b), kind: kindOrder, account: a,
		req: request{method: "POST", path: path, body: string(b)}}
	s.predictOrder(&c, o, offer)
	r := s.exec(c)
	if c.want.status != 201 || r.status != 201 {
		return
	}
	var created api.ContractCreated
	if json.Unmarshal(r.body, &created) != nil || s.w.contracts[created.ID] != nil {
		return // check reported it
	}
	s.w.foldOrder(created.ID, o, offer, ref)
}

// newOrder is a random order by a: inside a's perimeter or not, now and then of a billing
// account, an offer or a support level that does not exist. offer is the offer picked (before
// any spoiling of the order's offer code), ref the referent.
func (s *suite) newOrder(a *account) (o api.ContractOrder, of *offer, ref *person) {
	w := s.w
	ba, offerID := pick(s.rng, w.baIDs), pick(s.rng, w.offerIDs)
	if a.admin && len(a.billingAccounts) > 0 && len(a.offers) > 0 && s.rng.IntN(2) == 0 {
		ba, offerID = pick(s.rng, a.billingAccounts), pick(s.rng, a.offers) // inside the perimeter
	}
	if s.rng.IntN(6) == 0 {
		ba = s.missingBillingAccount(ba)
	}
	of = w.offers[offerID]
	level := pick(s.rng, of.supportLevels)
	switch s.rng.IntN(10) {
	case 0:
		offerID = "OFnope" + s.word(2, 2)
	case 1:
		level = "NOPE"
	}
	ref = s.somePerson(3)
	o = api.ContractOrder{BillingAccountID: ba, OfferCode: offerID, ContractName: "Ordered " + s.word(3, 8),
		SupportLevel: level, ReferentName: ref.lastName, ReferentFirstName: ref.firstName, ReferentMail: s.emailOf(ref)}
	return o, of, ref
}

// predictOrder is the model's answer to order o, of offer of.
func (s *suite) predictOrder(c *testCase, o api.ContractOrder, of *offer) {
	w, a, ba := s.w, c.account, o.BillingAccountID
	switch {
	case !a.admin:
		c.want = prediction{status: 403, code: api.CodeAccessDenied}
	case w.offers[o.OfferCode] == nil: // the catalogue is not secret
		c.want = prediction{status: 400, code: api.CodeInvalidBodyField}
	case w.billingAccounts[ba] == nil:
		c.want = prediction{status: 403, code: api.CodeAccessDenied}
	case !slices.Contains(a.billingAccounts, ba) || !slices.Contains(a.offers, o.OfferCode):
		// Before the support level: what an offer outside the perimeter sells is not told.
		c.want = prediction{status: 403, code: api.CodeAccessDenied}
		standIn := s.missingBillingAccount(ba)
		o.BillingAccountID = standIn
		tb, err := json.Marshal(o)
		s.must(err, "marshal an order")
		c.twin = &request{method: "POST", path: c.req.path, body: string(tb)}
		c.hidden, c.standIn = ba, standIn
	case !slices.Contains(of.supportLevels, o.SupportLevel):
		c.want = prediction{status: 400, code: api.CodeInvalidBodyField}
	default:
		c.want = prediction{status: 201}
	}
}

// foldOrder records contract id, which the server made for order o, in the world.
func (w *world) foldOrder(id string, o api.ContractOrder, of *offer, ref *person) {
	ba := o.BillingAccountID
	key := strings.ToLower(ref.email)
	if w.persons[key] == nil {
		ref.login = "" // the server makes it from the name (doc/decisions.md)
		w.persons[key] = ref
	}
	w.record(w.billingAccounts[ba].customerID, ref, "") // the record's login is made from the name
	w.addContract(&contract{id: id, name: o.ContractName, contractType: of.contractType,
		offerID: o.OfferCode, baID: ba, customerID: w.billingAccounts[ba].customerID, referent: key})
}

// operatorChanges changes what accounts see behind their backs, as an operator does: new
// perimeters for some administrators, changed roles and removed users on some contracts.
// The read phase that follows checks that every account sees the change at once.
func (s *suite) operatorChanges() {
	ctx := s.t.Context()
	w := s.w
	for _, a := range w.accounts {
		if !a.admin || s.rng.IntN(2) == 0 {
			continue
		}
		a.billingAccounts, a.offers = s.randomPerimeter()
		_, err := s.svc.SetPerimeter(ctx, a.id, eccs.Perimeter{BillingAccountIDs: a.billingAccounts, OfferIDs: a.offers})
		s.must(err, "set perimeter")
	}
	for _, id := range w.contractIDs {
		c := w.contracts[id]
		if c.closed || s.rng.IntN(3) != 0 {
			continue
		}
		users, err := s.svc.Users(ctx, id)
		s.must(err, "list users")
		for _, u := range users {
			key := strings.ToLower(u.Identity.Email)
			if key == c.referent || s.rng.IntN(2) == 0 {
				continue
			}
			if s.rng.IntN(2) == 0 {
				s.must(s.svc.RemoveUser(ctx, id, u.Identity.ID), "remove user")
				delete(c.users, key)
				continue
			}
			raw := s.randomRoles()
			_, err := s.svc.SetUserRoles(ctx, id, u.Identity.ID, raw)
			s.must(err, "set user roles")
			c.users[key] = parseRoles(raw)
		}
	}
}
