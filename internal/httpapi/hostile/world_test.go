// The world the requests act on.

package hostile_test

import (
	"fmt"
	"net/url"
	"path"
	"strings"
	"testing"

	"github.com/eccs/eccs/api/admin"
	"github.com/eccs/eccs/internal/testkit/apitest"
)

// world holds the listeners, credentials and ids that make valid requests. Objects that
// valid requests would destroy or change (an application, a key, an operator token, a contract
// with two users and a document, a claim link) are made fresh for them.
type world struct {
	t            *testing.T
	customerAddr string // host:port of the customer listener (and the claim links)
	adminAddr    string // host:port of the admin listener

	clientID, clientSecret string
	accessToken            string
	apiKey                 string // the administrator account's key
	operatorToken          string

	customerID, segment          string
	billingAccountID             string
	offerID, contractType, level string

	sampleContractID   string // visible to the administrator key, manager everywhere
	sampleDocumentID   string
	sampleDocumentFile []byte // valid new bytes for the sample document

	contractID       string // a fresh contract: updates, users, referent, documents
	closableID       string // a fresh contract to close
	referentEmail    string // a user of contractID who may become its referent
	userIdentityID   string // another user of contractID: roles, removal
	deletableDocID   string // a document of contractID
	uploadFile       []byte // a valid file for contractID, period uploadPeriod
	clientAccountID  string
	adminAccountID   string
	keyID            string
	applicationID    string
	operatorTokenID  string
	claimToken       string
	customerOrder    map[string]any // a valid POST /contract body
	customerUserBody func(i int) map[string]any
}

const (
	uploadType   = "comsumptionRatedReports"
	uploadPeriod = "202605"
)

// newWorld starts an admin env (customer and admin listeners on one service) and makes
// the fresh objects; every change it makes happens before any snapshot.
func newWorld(t *testing.T) (*apitest.AdminEnv, *world) {
	t.Helper()
	a := apitest.NewAdminEnv(t, apitest.WithMaxUpload(uploadLimit))
	w := &world{t: t, clientID: a.Creds.ClientID, clientSecret: a.Creds.ClientSecret,
		apiKey: a.Creds.APIKeys.Administrator, operatorToken: a.OperatorToken,
		billingAccountID: a.Creds.BillingAccountID, offerID: a.Creds.OfferCode, level: a.Creds.SupportLevel,
		sampleContractID: a.Creds.SampleContractID, sampleDocumentID: a.Creds.SampleDocumentID}
	w.customerAddr = hostPort(t, a.URL)
	w.adminAddr = hostPort(t, a.AdminURL)
	w.accessToken = a.Env.Token()
	w.findSeeded(a)
	w.makeFresh(a)
	w.customerOrder = map[string]any{
		"billingAccountId": w.billingAccountID, "offerCode": w.offerID, "contractName": "Hostile order",
		"supportLevel": w.level, "referentCivility": "Mr", "referentName": "Orderer", "referentFirstName": "Oscar",
		"referentMail": "oscar.orderer@hostile.example", "referentFixPhone": "+33 1 23 45 67 89",
		"referentMobilePhone": "+33 6 12 34 56 78", "referenceExt1": "REF-1", "referenceExt2": "REF-2", "referenceExt3": "REF-3",
	}
	w.customerUserBody = func(i int) map[string]any {
		return map[string]any{
			"civility": "Mrs", "lastName": "Declared", "firstName": "Dora", "email": fmt.Sprintf("dora.declared%d@hostile.example", i),
			"login": fmt.Sprintf("dora.declared.%d", i), "fixPhone": "+33 1 23 45 67 89", "mobilePhone": "+33 6 12 34 56 78",
			"roles": map[string]any{"contracts": []any{"visitor"}, "documents": []any{"visitor"}, "users": []any{"visitor"}},
		}
	}

	// The credentials' last use is written once a minute at most, and the clock does not move:
	// using them once now keeps those writes out of the snapshots.
	a.Env.Call("GET", "/contracts", w.accessToken, w.apiKey, "", "").WantStatus(t, 200)
	return a, w
}

// findSeeded finds in the seeded world a customer, the offer's contract type, an account of
// each type and the sample document's type and period.
func (w *world) findSeeded(a *apitest.AdminEnv) {
	t := w.t
	customers := apitest.OK[admin.List[admin.Customer]](t, a.Call("GET", "/customers?limit=1", nil), 200)
	if len(customers.Items) == 0 {
		t.Fatal("the seeded world has no customer")
	}
	w.customerID, w.segment = customers.Items[0].ID, customers.Items[0].Segment
	for _, o := range apitest.OK[admin.List[admin.Offer]](t, a.Call("GET", "/offers", nil), 200).Items {
		if o.ID == w.offerID {
			w.contractType = o.ContractType
		}
	}
	for _, acct := range apitest.OK[admin.List[admin.Account]](t, a.Call("GET", "/accounts?limit=1000", nil), 200).Items {
		switch {
		case acct.Type == "client" && w.clientAccountID == "":
			w.clientAccountID = acct.ID
		case acct.Type == "administrator" && w.adminAccountID == "":
			w.adminAccountID = acct.ID
		}
	}
	for _, d := range apitest.OK[admin.List[admin.Document]](t, a.Call("GET", "/contracts/"+w.sampleContractID+"/documents?limit=1000", nil), 200).Items {
		if d.ID == w.sampleDocumentID {
			w.sampleDocumentFile = apitest.GeneratedFile(t, d.DocumentType, d.ContractID, d.Period, "hostile replacement")
		}
	}
	if w.contractType == "" || w.clientAccountID == "" || w.adminAccountID == "" || w.sampleDocumentFile == nil {
		t.Fatalf("the seeded world lacks an offer, an account of each type or the sample document: %+v", w)
	}
}

// makeFresh makes the objects that valid requests destroy or change: two contracts, two
// users of one of them, a document, a key, a claim link, an application and an operator token.
func (w *world) makeFresh(a *apitest.AdminEnv) {
	t := w.t
	newContract := func(id, who string) admin.Contract {
		return apitest.OK[admin.Contract](t, a.Call("POST", "/contracts", admin.NewContract{
			ID: id, Name: "Hostile " + id, OfferID: w.offerID, BillingAccountID: w.billingAccountID, SupportLevel: w.level,
			Referent: admin.Person{LastName: "Referent", FirstName: who, Email: strings.ToLower(who) + ".referent@hostile.example"},
		}), 201)
	}
	w.contractID = newContract("HOSTILE-1", "Rita").ID
	w.closableID = newContract("HOSTILE-2", "Carl").ID
	addUser := func(first string) admin.User {
		return apitest.OK[admin.User](t, a.Call("POST", "/contracts/"+w.contractID+"/users", map[string]any{
			"lastName": "User", "firstName": first, "email": strings.ToLower(first) + ".user@hostile.example",
			"login": strings.ToLower(first) + ".user.hostile", "roles": map[string][]string{"contracts": {"visitor"}},
		}), 201)
	}
	w.referentEmail = addUser("Rebecca").Identity.Email
	w.userIdentityID = addUser("Ulrich").Identity.ID
	csv := apitest.GeneratedFile(t, uploadType, w.contractID, "202604", "hostile setup")
	w.deletableDocID = apitest.OK[admin.Document](t, a.Upload("POST", "/contracts/"+w.contractID+"/documents?type="+uploadType+"&period=202604&amount=1&currency=EUR", csv), 201).ID
	w.uploadFile = apitest.GeneratedFile(t, uploadType, w.contractID, uploadPeriod, "hostile upload")
	if len(w.uploadFile) > uploadLimit || len(w.sampleDocumentFile) > uploadLimit {
		t.Fatalf("a valid file is larger than the suite's upload limit (%d, %d bytes)", len(w.uploadFile), len(w.sampleDocumentFile))
	}
	w.keyID = a.IssueKey(w.clientAccountID, admin.KeyRequest{}).APIKey.ID
	w.claimToken = path.Base(a.IssueKey(w.clientAccountID, admin.KeyRequest{ClaimLink: true}).Claim.URL)
	w.applicationID = apitest.OK[admin.IssuedApplication](t, a.Call("POST", "/applications", admin.NewApplication{Name: "Hostile fresh app"}), 201).Application.ID
	w.operatorTokenID = apitest.OK[admin.IssuedOperatorToken](t, a.Call("POST", "/operator-tokens", admin.NewOperatorToken{Name: "hostile fresh token"}), 201).OperatorToken.ID
}

func hostPort(t *testing.T, rawURL string) string {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	return u.Host
}
