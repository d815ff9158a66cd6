// Building the world through the domain Service, with the suite's seeded randomness.

package isolation_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/eccs/eccs/api"
	"github.com/eccs/eccs/internal/eccs"
)

// build makes a random world of size z through the Service, step by step; the steps draw
// from s.rng in this order, so that a seed rebuilds the same world.
func (s *suite) build(z sizes) {
	s.w = &world{
		customers: map[string]*customer{}, billingAccounts: map[string]*billingAccount{},
		offers: map[string]*offer{}, persons: map[string]*person{}, logins: map[recordKey]string{}, contracts: map[string]*contract{},
		documents: map[string]*document{},
	}
	customerIDs := s.buildCustomers(z.customers)
	s.buildBillingAccounts(z.billingAccounts, customerIDs)
	s.buildOffers(z.offers)
	for i := range z.clients + z.admins {
		s.buildAccount(i, i >= z.clients)
	}
	for range z.contracts {
		s.buildContract()
	}
	s.declareUsers()
	s.addDocuments(z.maxDocs)
	s.closeContracts()
}

func (s *suite) buildCustomers(n int) (customerIDs []string) {
	for range n {
		c := eccs.Customer{ID: "CU-" + s.word(2, 8), Name: "Customer " + s.word(4, 4), Segment: pick(s.rng, []string{"int", "large", "sme"})}
		_, err := s.svc.CreateCustomer(s.t.Context(), c)
		s.must(err, "create customer")
		s.w.customers[c.ID] = &customer{id: c.ID, name: c.Name, segment: c.Segment}
		customerIDs = append(customerIDs, c.ID)
	}
	return customerIDs
}

func (s *suite) buildBillingAccounts(n int, customerIDs []string) {
	w := s.w
	for range n {
		id := s.freshBillingAccountID()
		b := eccs.BillingAccount{ID: id, CustomerID: pick(s.rng, customerIDs), Name: "Billing " + s.word(4, 4)}
		_, err := s.svc.CreateBillingAccount(s.t.Context(), b)
		s.must(err, "create billing account")
		w.billingAccounts[id] = &billingAccount{id: id, customerID: b.CustomerID}
		w.baIDs = append(w.baIDs, id)
	}
}

func (s *suite) buildOffers(n int) {
	w := s.w
	for range n {
		o := eccs.Offer{ID: "OF" + s.word(2, 6), Name: "Offer " + s.word(4, 4),
			ContractType: pick(s.rng, []string{"Public Cloud", "Private Cloud", "Backup"})}
		for _, l := range []string{"BSC", "STD", "PRM", "GLD"} {
			if s.rng.IntN(2) == 0 || len(o.SupportLevels) == 0 && l == "GLD" {
				o.SupportLevels = append(o.SupportLevels, l)
			}
		}
		if w.offers[o.ID] != nil {
			continue
		}
		_, err := s.svc.CreateOffer(s.t.Context(), o)
		s.must(err, "create offer")
		w.offers[o.ID] = &offer{id: o.ID, name: o.Name, contractType: o.ContractType, supportLevels: o.SupportLevels}
		w.offerIDs = append(w.offerIDs, o.ID)
	}
}

// buildAccount makes the i-th account, with an API key. Now and then one shares the identity
// (the e-mail) of an earlier account.
func (s *suite) buildAccount(i int, admin bool) {
	ctx, w := s.t.Context(), s.w
	var p *person
	if len(w.accounts) > 0 && s.rng.IntN(6) == 0 {
		p = w.persons[pick(s.rng, w.accounts).person]
	} else {
		p = s.newPerson()
	}
	na := eccs.NewAccount{Type: eccs.AccountClient, Login: p.login,
		Person: eccs.Person{LastName: p.lastName, FirstName: p.firstName, Email: s.emailOf(p)}}
	a := &account{person: strings.ToLower(p.email), admin: admin}
	if admin {
		na.Type = eccs.AccountAdministrator
		a.billingAccounts, a.offers = s.randomPerimeter()
		na.Perimeter = eccs.Perimeter{BillingAccountIDs: a.billingAccounts, OfferIDs: a.offers}
	}
	acct, err := s.svc.CreateAccount(ctx, na)
	s.must(err, "create account")
	_, key, err := s.svc.IssueAPIKey(ctx, acct.ID, eccs.KeyOptions{})
	s.must(err, "issue API key")
	a.id, a.key = acct.ID, key
	kind := "client"
	if admin {
		kind = "administrator"
	}
	a.name = fmt.Sprintf("%s %d (%s)", kind, i, p.email)
	w.remember(p)
	w.accounts = append(w.accounts, a)
}

// buildContract makes a contract, numbered by the server or loaded with the operator's own
// number (case matters); its referent is sometimes an account's person.
func (s *suite) buildContract() {
	w := s.w
	ba, offer := pick(s.rng, w.baIDs), w.offers[pick(s.rng, w.offerIDs)]
	id := ""
	if s.rng.IntN(2) == 0 {
		id = s.freshContractID(6 + s.rng.IntN(12))
	}
	ref := s.somePerson(3)
	nc := eccs.NewContract{ID: id, Name: "Contract " + s.word(3, 8), Type: pick(s.rng, []string{"Public Cloud", "Private Cloud", "Backup"}),
		OfferID: offer.id, BillingAccountID: ba, ReferentLogin: ref.login,
		Referent: eccs.Person{LastName: ref.lastName, FirstName: ref.firstName, Email: s.emailOf(ref)}}
	c, err := s.svc.CreateContract(s.t.Context(), nc)
	s.must(err, "create contract")
	w.remember(ref)
	w.record(w.billingAccounts[ba].customerID, ref, ref.login)
	w.addContract(&contract{id: c.ID, name: nc.Name, contractType: nc.Type, offerID: offer.id, baID: ba,
		customerID: w.billingAccounts[ba].customerID, referent: strings.ToLower(ref.email)})
}

// declareUsers declares users on every contract: account persons (administrators' too: for
// them a declaration must not matter) and strangers, with random roles.
func (s *suite) declareUsers() {
	w := s.w
	for _, id := range w.contractIDs {
		c := w.contracts[id]
		for _, a := range w.accounts {
			if _, declared := c.users[a.person]; declared || s.rng.IntN(2) != 0 {
				continue
			}
			s.declare(id, w.persons[a.person])
		}
		for range s.rng.IntN(3) {
			s.declare(id, s.newPerson())
		}
	}
}

// addDocuments adds documents of every type, with ties on period and creation time.
func (s *suite) addDocuments(maxDocs int) {
	w := s.w
	for _, id := range w.contractIDs {
		for range s.rng.IntN(maxDocs + 1) {
			s.addDocument(id, pick(s.rng, documentTypes))
		}
	}
	for _, t := range documentTypes {
		s.addDocument(pick(s.rng, w.contractIDs), t)
	}
}

// closeContracts closes some contracts: still visible, with their documents, but no new user.
func (s *suite) closeContracts() {
	for _, id := range s.w.contractIDs {
		if s.rng.IntN(8) == 0 {
			_, err := s.svc.CloseContract(s.t.Context(), id)
			s.must(err, "close contract")
			s.w.contracts[id].closed = true
		}
	}
}

// declare declares person p on a contract as the operator does, with random roles.
func (s *suite) declare(contractID string, p *person) {
	raw := s.randomRoles()
	_, err := s.svc.AddUser(s.t.Context(), contractID, eccs.NewUser{LastName: p.lastName, FirstName: p.firstName,
		Email: s.emailOf(p), Login: p.login, Roles: raw})
	s.must(err, "declare user")
	s.w.remember(p)
	s.w.record(s.w.contracts[contractID].customerID, p, p.login)
	s.w.contracts[contractID].users[strings.ToLower(p.email)] = parseRoles(raw)
}

func (s *suite) addDocument(contractID string, t documentType) {
	content := make([]byte, 16+s.rng.IntN(200))
	for i := range content {
		content[i] = byte(s.rng.Uint32())
	}
	nd := eccs.NewDocument{
		ContractID: contractID, Type: eccs.DocumentType(t.name), Filename: "doc-" + s.word(4, 10) + t.extension,
		Period: fmt.Sprintf("2026%02d", 1+s.rng.IntN(4)), Amount: s.rng.Int64N(2_000_000) - 100_000,
		Currency: pick(s.rng, []string{"EUR", "USD", "GBP"}), CreatedAt: worldNow.Add(-time.Duration(1+s.rng.IntN(3)) * time.Hour),
	}
	d, err := s.svc.AddDocument(s.t.Context(), nd, bytes.NewReader(content), int64(len(content)))
	s.must(err, "add document")
	sum := sha256.Sum256(content)
	s.w.documents[d.ID] = &document{id: d.ID, contractID: contractID, docType: t.name, filename: nd.Filename,
		period: nd.Period, curr: nd.Currency, amount: nd.Amount, createdAt: nd.CreatedAt, content: content,
		contentSHA256: hex.EncodeToString(sum[:]), contentType: t.contentType,
		disposition: `attachment; filename="` + nd.Filename + `"`}
	s.w.docIDs = append(s.w.docIDs, d.ID)
}

// randomRoles is a "roles" object: each section absent, empty, or holding one or both roles.
func (s *suite) randomRoles() map[string][]string {
	raw := map[string][]string{}
	for _, sec := range []string{"contracts", "documents", "users"} {
		switch s.rng.IntN(6) {
		case 1:
			raw[sec] = []string{}
		case 2:
			raw[sec] = []string{api.RoleVisitor}
		case 3:
			raw[sec] = []string{api.RoleManager}
		case 4:
			raw[sec] = []string{api.RoleVisitor, api.RoleManager}
		case 5:
			raw[sec] = []string{api.RoleManager, api.RoleVisitor}
		}
	}
	return raw
}

// randomPerimeter picks billing accounts and offers; sometimes none of one or the other.
func (s *suite) randomPerimeter() (bas, offers []string) {
	for _, id := range s.w.baIDs {
		if s.rng.IntN(2) == 0 {
			bas = append(bas, id)
		}
	}
	for _, id := range s.w.offerIDs {
		if s.rng.IntN(2) == 0 {
			offers = append(offers, id)
		}
	}
	return bas, offers
}

// word is random letters and digits, of min to max characters.
func (s *suite) word(min, max int) string {
	const alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	b := make([]byte, min+s.rng.IntN(max-min+1))
	for i := range b {
		b[i] = alphabet[s.rng.IntN(len(alphabet))]
	}
	return string(b)
}

// emailOf is the address to send for p: as it is when the server does not know p yet (it
// stores it so), otherwise with some letters in another case, which must not matter: the
// server compares addresses without case (doc/decisions.md, "One identity per e-mail").
func (s *suite) emailOf(p *person) string {
	if s.w.persons[strings.ToLower(p.email)] == nil {
		return p.email
	}
	return s.recase(p.email)
}

// recase changes the case of some letters.
func (s *suite) recase(email string) string {
	b := []byte(email)
	for i, c := range b {
		if s.rng.IntN(4) == 0 {
			b[i] = otherCase(c)
		}
	}
	return string(b)
}

// newPerson is a person nobody declared yet. Logins have a '-', which the logins the server
// makes from names never have.
func (s *suite) newPerson() *person {
	s.next++
	first, last := "F"+s.word(3, 6), "L"+s.word(3, 6)
	p := &person{email: s.recase(fmt.Sprintf("p%03d.%s@iso.test", s.next, strings.ToLower(s.word(2, 4)))),
		login: fmt.Sprintf("iso-%03d-%s", s.next, s.word(2, 4)), firstName: first, lastName: last}
	return p
}

// somePerson is, one time in oneIn, an account's person, then sometimes another known
// person, otherwise a new one.
func (s *suite) somePerson(oneIn int) *person {
	switch {
	case s.rng.IntN(oneIn) == 0:
		return s.w.persons[pick(s.rng, s.w.accounts).person]
	case s.rng.IntN(6) == 0 && len(s.w.persons) > 0:
		var known []string
		for e := range s.w.persons {
			known = append(known, e)
		}
		slices.Sort(known) // map order is random; the seed must decide
		return s.w.persons[pick(s.rng, known)]
	}
	return s.newPerson()
}

// freshContractID is a contract number of n characters that is not in the world, does not
// start with "OCB" (the server's own numbers, which orders may allocate later) and starts with
// a letter or a digit.
func (s *suite) freshContractID(n int) string {
	const first = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789"
	const rest = first + "-_"
	for {
		b := make([]byte, n)
		b[0] = first[s.rng.IntN(len(first))]
		for i := 1; i < n; i++ {
			b[i] = rest[s.rng.IntN(len(rest))]
		}
		id := string(b)
		if s.w.contracts[id] == nil && !strings.HasPrefix(id, "OCB") {
			return id
		}
	}
}

func (s *suite) freshBillingAccountID() string {
	for {
		id := "BA-" + s.word(3, 8)
		if s.w.billingAccounts[id] == nil {
			return id
		}
	}
}

// missingBillingAccount is a billing account id of the same length as id that is not in the
// world.
func (s *suite) missingBillingAccount(id string) string {
	for {
		m := "BA-" + s.word(len(id)-3, len(id)-3)
		if s.w.billingAccounts[m] == nil {
			return m
		}
	}
}

// missingDocumentID is a well-formed document id that is not in the world.
func (s *suite) missingDocumentID() string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz234567"
	for {
		b := make([]byte, 16)
		for i := range b {
			b[i] = alphabet[s.rng.IntN(len(alphabet))]
		}
		if s.w.documents[string(b)] == nil {
			return string(b)
		}
	}
}

func pick[T any](rng *rand.Rand, list []T) T { return list[rng.IntN(len(list))] }
