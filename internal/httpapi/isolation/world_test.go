// The world description: plain data the test generates, and from which the model predicts.

package isolation_test

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/eccs/eccs/api"
)

// worldNow is the fake clock's time: documents were created in the hours before it.
var worldNow = time.Date(2026, 6, 15, 10, 0, 0, 0, time.UTC)

// role is a role of the model, ordered as doc/wire.md §5 orders them.
type role int

const (
	roleNone role = iota
	roleVisitor
	roleManager
)

// wire is the role as the wire lists it: one name, or nothing.
func (r role) wire() []string {
	switch r {
	case roleVisitor:
		return []string{api.RoleVisitor}
	case roleManager:
		return []string{api.RoleManager}
	}
	return nil
}

// roleSet are a person's roles on the sections of one contract.
type roleSet struct{ contracts, documents, users role }

var managerEverywhere = roleSet{roleManager, roleManager, roleManager}

func (r roleSet) wire() api.Roles {
	return api.Roles{Contracts: r.contracts.wire(), Documents: r.documents.wire(), Users: r.users.wire()}
}

// documentType is a document type of doc/wire.md §4, the role §5 requires to see it, and the media
// type §4 serves it with.
type documentType struct {
	name        string
	role        role
	contentType string
	extension   string
}

const xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

var documentTypes = []documentType{
	{api.DocumentBills, roleManager, xlsx, ".xlsx"},
	{api.DocumentInvoices, roleManager, "application/pdf", ".pdf"},
	{api.DocumentReports, roleVisitor, "text/csv", ".csv"},
	{api.DocumentPartialBills, roleManager, xlsx, ".xlsx"},
	{api.DocumentConsumptionRatedReports, roleVisitor, "text/csv", ".csv"},
	{api.DocumentPartialConsumptionRatedReports, roleVisitor, "text/csv", ".csv"},
}

func documentTypeOf(name string) (documentType, bool) {
	for _, t := range documentTypes {
		if t.name == name {
			return t, true
		}
	}
	return documentType{}, false
}

type customer struct{ id, name, segment string }

type billingAccount struct{ id, customerID string }

type offer struct {
	id, name, contractType string
	supportLevels          []string
}

// person is an identity: one per e-mail address, compared without case. The persons of the
// world always give the same names; login is the one they give, "" when the server chose it.
type person struct{ email, login, firstName, lastName string }

// recordKey names a customer's record of a person (lower-case e-mail): what a customer's
// callers said about them is that customer's own, and a login names one person within a
// customer (doc/wire.md §4).
type recordKey struct{ customerID, person string }

type contract struct {
	id, name, contractType string
	offerID, baID          string
	customerID             string
	referent               string // lower-case e-mail
	closed                 bool
	users                  map[string]roleSet // declared persons by lower-case e-mail
}

type account struct {
	name   string // for messages: "client 3 (p007.kx@iso.test)"
	id     string
	admin  bool
	person string // lower-case e-mail of its identity
	key    string
	// The perimeter of an administrator.
	billingAccounts, offers []string
}

type document struct {
	id, contractID, docType  string
	filename, period, curr   string
	amount                   int64 // cents
	createdAt                time.Time
	content                  []byte
	contentSHA256            string
	contentType, disposition string
}

// world is everything the test created. Slices keep creation order, so that random picks
// are the same for the same seed; maps index them.
type world struct {
	customers       map[string]*customer
	billingAccounts map[string]*billingAccount
	baIDs           []string
	offers          map[string]*offer
	offerIDs        []string
	persons         map[string]*person
	logins          map[recordKey]string // each customer's record of a person: its login, "" when the server chose it and no answer told it yet
	contracts       map[string]*contract
	contractIDs     []string
	documents       map[string]*document
	docIDs          []string
	accounts        []*account
}

func (w *world) addContract(c *contract) {
	c.users = map[string]roleSet{c.referent: managerEverywhere} // doc/wire.md §4: the referent is manager everywhere
	w.contracts[c.id] = c
	w.contractIDs = append(w.contractIDs, c.id)
}

// remember records p once the server stored it; the first data stored for an address stay.
func (w *world) remember(p *person) {
	if key := strings.ToLower(p.email); w.persons[key] == nil {
		w.persons[key] = p
	}
}

// record notes that customerID records person p with login ("" when the server chose it),
// unless it already did: the first record is kept.
func (w *world) record(customerID string, p *person, login string) {
	k := recordKey{customerID, strings.ToLower(p.email)}
	if _, known := w.logins[k]; !known {
		w.logins[k] = login
	}
}

// loginsOf returns the known logins of customerID's records of persons other than person.
func (w *world) loginsOf(customerID, person string) []string {
	var logins []string
	for k, login := range w.logins {
		if k.customerID == customerID && k.person != person && login != "" {
			logins = append(logins, login)
		}
	}
	slices.Sort(logins) // map order is random; the seed must decide
	return logins
}

// String describes the world, to read a failure against.
func (w *world) String() string {
	var b strings.Builder
	for _, a := range w.accounts {
		fmt.Fprintf(&b, "  %s [%s]", a.name, a.person)
		if a.admin {
			fmt.Fprintf(&b, " perimeter %v × %v", a.billingAccounts, a.offers)
		}
		b.WriteString("\n")
	}
	ids := slices.Clone(w.contractIDs)
	slices.Sort(ids)
	for _, id := range ids {
		c := w.contracts[id]
		fmt.Fprintf(&b, "  contract %s: billing account %s, offer %s, closed %t, referent %s\n", id, c.baID, c.offerID, c.closed, c.referent)
		var users []string
		for e := range c.users {
			users = append(users, e)
		}
		slices.Sort(users)
		for _, e := range users {
			r := c.users[e]
			fmt.Fprintf(&b, "    %s contracts=%v documents=%v users=%v\n", e, r.contracts.wire(), r.documents.wire(), r.users.wire())
		}
		for _, d := range w.docIDs {
			if doc := w.documents[d]; doc.contractID == id {
				fmt.Fprintf(&b, "    document %s %s %s %s\n", d, doc.docType, doc.period, doc.createdAt.Format(time.RFC3339))
			}
		}
	}
	return b.String()
}
