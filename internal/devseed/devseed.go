// Package devseed fills an empty eccs database with the demo world of `eccsd serve -dev`:
// two customers, three billing accounts, two offers, six contracts, a client account and an
// administrator account with fixed demo API keys, demo applications in every state, and for
// every contract thirteen months of realistic, mutually consistent billing documents.
//
// The world is deterministic: the same day gives the same contracts, documents, ids and
// files, so the guide's examples can be pasted as printed. The documents cover the thirteen
// months ending with last month, plus partial documents for the current month.
package devseed

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/eccs/eccs/internal/docformat"
	"github.com/eccs/eccs/internal/eccs"
)

// The fixed demo credentials. They are public: dev mode listens on loopback only.
const (
	ClientID           = "demo-client-00000000000000000001"
	ClientSecret       = "demo-secret-not-for-production-0000000001"
	ClientAPIKey       = "eccs_demo_client_key_000000000000000000000000001"
	AdministratorKey   = "eccs_demo_admin_key_0000000000000000000000000001"
	OperatorToken      = "eccsop_demo_operator_token_000000000000000000001"
	demoSecretTemplate = "demo-secret-not-for-production-%010d"
)

// The demo world's identifiers that examples use.
const (
	BillingAccountID = "20451001" // in the administrator's perimeter
	OfferCode        = "FE"       // Flexible Engine, in the administrator's perimeter
	SupportLevel     = "BSC"
	SampleContractID = "OCB0000001" // visible to both accounts, manager on documents
)

// Other demo applications, one per state the token endpoint and resource calls tell apart.
var otherApplications = []struct {
	name, clientID string
	subscription   eccs.SubscriptionState
	terms          bool
	status         eccs.ApplicationStatus
}{
	{"Demo app awaiting approval", "demo-client-pending-000000000002", eccs.SubscriptionPending, false, eccs.ApplicationActive},
	{"Demo app without accepted terms", "demo-client-no-terms-00000000003", eccs.SubscriptionApproved, false, eccs.ApplicationActive},
	{"Demo app suspended", "demo-client-suspended-0000000004", eccs.SubscriptionApproved, true, eccs.ApplicationSuspended},
	{"Demo app blocked", "demo-client-blocked-000000000005", eccs.SubscriptionApproved, true, eccs.ApplicationBlocked},
}

type customer struct {
	id, name, segment string
	billingAccounts   [][2]string // id, name
}

var customers = []customer{
	{"C1000001", "Acme Industries SA", "large", [][2]string{{"20451001", "Acme Industries - IT operations"}, {"20451002", "Acme Industries - R&D"}}},
	{"C1000002", "Bistro Numérique SARL", "sme", [][2]string{{"30872001", "Bistro Numérique"}}},
}

var offers = []eccs.Offer{
	{ID: "FE", Name: docformat.OfferFlexibleEngine, ContractType: "Public Cloud", SupportLevels: []string{"BSC", "STD", "PRM"}},
	{ID: "CAV", Name: docformat.OfferCloudAvenue, ContractType: "Private Cloud", SupportLevels: []string{"STD", "BRZ", "SLV", "GLD"}},
}

var people = map[string]eccs.Person{
	"claire": {Civility: "Mrs", LastName: "Martin", FirstName: "Claire", Email: "claire.martin@acme.example", MobilePhone: "+33 6 12 34 56 78"},
	"paul":   {Civility: "Mr", LastName: "Durand", FirstName: "Paul", Email: "paul.durand@acme.example", FixPhone: "01 23 45 67 89"},
	"sophie": {Civility: "Mrs", LastName: "Bernard", FirstName: "Sophie", Email: "sophie.bernard@acme.example"},
	"hugo":   {Civility: "Mr", LastName: "Lefèvre", FirstName: "Hugo", Email: "hugo.lefevre@bistro-numerique.example", MobilePhone: "06 98 76 54 32"},
	"nadia":  {Civility: "Ms", LastName: "Rousseau", FirstName: "Nadia", Email: "nadia.rousseau@acme.example", FixPhone: "+33 1 40 00 00 00"},
}

// contracts are created in this order, so they get OCB0000001 to OCB0000006.
var contracts = []struct {
	name, offer, billingAccount, platformID, referent, customer string
}{
	{"ACME-PROD", "FE", "20451001", "OCB0000001", "claire", "Acme Industries SA"},
	{"ACME-DEV", "FE", "20451002", "OCB0000002", "paul", "Acme Industries SA"},
	{"ACME-VDC-PARIS", "CAV", "20451001", "vdc-acme-paris-01", "sophie", "Acme Industries SA"},
	{"ACME-VDC-BACKUP", "CAV", "20451002", "", "sophie", "Acme Industries SA"},
	{"BISTRO-WEB", "FE", "30872001", "OCB0000005", "hugo", "Bistro Numérique SARL"},
	{"BISTRO-VDC", "CAV", "30872001", "", "hugo", "Bistro Numérique SARL"},
}

// The client account (Claire Martin) is the referent of OCB0000001 and declared on two more
// contracts with narrower roles; it is not declared on the other three.
var clientDeclarations = []struct {
	contract string
	roles    map[string][]string
}{
	{"OCB0000002", map[string][]string{"contracts": {"visitor"}, "documents": {"visitor"}}},
	{"OCB0000003", map[string][]string{"contracts": {"visitor"}, "documents": {"manager"}, "users": {"manager"}}},
}

// URLs are where the dev server answers: the customer API (and claim links) at Public, the
// admin API at Admin (the same server unless --admin-addr says otherwise).
type URLs struct {
	Public string
	Admin  string
	Web    string // the web space's origin (http://localhost:PORT in dev mode); Public when empty
}

// ErrHoldsData is Seed's error for a database that holds data it did not seed.
var ErrHoldsData = errors.New("the database holds data that dev mode did not seed; dev mode seeds only an empty database, because its demo credentials (an operator token among them) are public")

// Seed fills an empty database with the demo world as of now and returns the credentials to
// print. On a database it already seeded, it changes nothing and returns the same credentials.
// A database that holds anything else is refused with ErrHoldsData: planting the published
// demo credentials in a real database would open it to anyone.
func Seed(ctx context.Context, store eccs.Store, blobs eccs.BlobStore, keys eccs.Keys, now time.Time, urls URLs) (Credentials, error) {
	now = now.UTC()
	ctx = eccs.WithActor(ctx, eccs.Actor{Type: eccs.ActorSystem, ID: "dev-seed"})
	if seeded, err := Seeded(ctx, store); err != nil || seeded {
		if err != nil {
			return Credentials{}, err
		}
		return credentials(ctx, store, urls)
	}
	if empty, err := Empty(ctx, store); err != nil || !empty {
		if err != nil {
			return Credentials{}, err
		}
		return Credentials{}, ErrHoldsData
	}
	svc, err := newService(store, blobs, keys, now, "world")
	if err != nil {
		return Credentials{}, err
	}
	if err := seedWorld(ctx, svc, now); err != nil {
		return Credentials{}, err
	}
	people, err := newService(store, blobs, keys, now, "people")
	if err != nil {
		return Credentials{}, err
	}
	if err := seedPeople(ctx, people, now); err != nil {
		return Credentials{}, err
	}
	if err := ackSeedMails(ctx, store, now); err != nil {
		return Credentials{}, err
	}
	if err := seedDocuments(ctx, store, blobs, keys, now); err != nil {
		return Credentials{}, err
	}
	return credentials(ctx, store, urls)
}

// Seeded reports whether Seed filled the database: its demo application is there.
func Seeded(ctx context.Context, store eccs.Store) (bool, error) {
	_, err := store.ApplicationByClientID(ctx, ClientID)
	if eccs.IsNotFound(err) {
		return false, nil
	}
	return err == nil, err
}

// Empty reports whether the database holds nothing: no change was ever recorded in it, and it
// has no customer, offer, application, account or operator token.
func Empty(ctx context.Context, store eccs.Store) (bool, error) {
	gen, err := store.Generation(ctx)
	if err != nil || gen > 0 {
		return false, err
	}
	counts := []func() (int, error){
		func() (int, error) { _, n, err := store.Customers(ctx, eccs.Page{Limit: 1}); return n, err },
		func() (int, error) { list, err := store.Offers(ctx); return len(list), err },
		func() (int, error) { _, n, err := store.Applications(ctx, eccs.Page{Limit: 1}); return n, err },
		func() (int, error) { _, n, err := store.Accounts(ctx, eccs.Page{Limit: 1}); return n, err },
		func() (int, error) { list, err := store.OperatorTokens(ctx); return len(list), err },
	}
	for _, count := range counts {
		if n, err := count(); err != nil || n > 0 {
			return false, err
		}
	}
	return true, nil
}

// newService returns a Service whose ids come from a generator seeded by name, so that the
// demo world has the same ids every time.
func newService(store eccs.Store, blobs eccs.BlobStore, keys eccs.Keys, now time.Time, name string) (*eccs.Service, error) {
	return eccs.NewService(store, blobs, eccs.Config{
		Keys:    keys,
		Formats: docformat.Formats{},
		Now:     func() time.Time { return now },
		Random:  rand.NewChaCha8(sha256.Sum256([]byte("eccs dev seed/" + name))),
	})
}

func seedWorld(ctx context.Context, svc *eccs.Service, now time.Time) error {
	today := now.Truncate(24 * time.Hour) // the same day seeds the same world
	for _, o := range offers {
		if _, err := svc.CreateOffer(ctx, o); err != nil {
			return fmt.Errorf("offer %s: %w", o.ID, err)
		}
	}
	for _, c := range customers {
		if _, err := svc.CreateCustomer(ctx, eccs.Customer{ID: c.id, Name: c.name, Segment: c.segment}); err != nil {
			return fmt.Errorf("customer %s: %w", c.id, err)
		}
		for _, ba := range c.billingAccounts {
			if _, err := svc.CreateBillingAccount(ctx, eccs.BillingAccount{ID: ba[0], CustomerID: c.id, Name: ba[1]}); err != nil {
				return fmt.Errorf("billing account %s: %w", ba[0], err)
			}
		}
	}
	for i, c := range contracts {
		_, err := svc.CreateContract(ctx, eccs.NewContract{
			Name: c.name, OfferID: c.offer, BillingAccountID: c.billingAccount, PlatformID: c.platformID,
			Referent:     people[c.referent],
			ReferenceExt: [3]string{fmt.Sprintf("PO-2023-%04d", 117+i), "", ""},
			CreatedAt:    today.AddDate(-3, 0, -20*i).Add(9 * time.Hour),
		})
		if err != nil {
			return fmt.Errorf("contract %s: %w", c.name, err)
		}
	}
	for _, d := range clientDeclarations {
		claire := people["claire"]
		if _, err := svc.AddUser(ctx, d.contract, eccs.NewUser{
			Civility: claire.Civility, LastName: claire.LastName, FirstName: claire.FirstName,
			Email: claire.Email, Login: "claire.martin", Roles: d.roles,
		}); err != nil {
			return fmt.Errorf("declare the client account on %s: %w", d.contract, err)
		}
	}
	client, err := svc.CreateAccount(ctx, eccs.NewAccount{Type: eccs.AccountClient, Person: people["claire"], Login: "claire.martin"})
	if err != nil {
		return fmt.Errorf("client account: %w", err)
	}
	admin, err := svc.CreateAccount(ctx, eccs.NewAccount{
		Type: eccs.AccountAdministrator, Person: people["nadia"], Login: "nadia.rousseau.admin",
		Perimeter: eccs.Perimeter{BillingAccountIDs: []string{"20451001", "20451002"}, OfferIDs: []string{"FE"}},
	})
	if err != nil {
		return fmt.Errorf("administrator account: %w", err)
	}
	if _, _, err := svc.IssueAPIKey(ctx, client.ID, eccs.KeyOptions{Secret: ClientAPIKey}); err != nil {
		return fmt.Errorf("client API key: %w", err)
	}
	if _, _, err := svc.IssueAPIKey(ctx, admin.ID, eccs.KeyOptions{Secret: AdministratorKey}); err != nil {
		return fmt.Errorf("administrator API key: %w", err)
	}
	if _, err := svc.CreatePresetOperatorToken(ctx, "Demo operator", OperatorToken); err != nil {
		return fmt.Errorf("operator token: %w", err)
	}
	if _, _, err := svc.CreateApplication(ctx, eccs.NewApplication{
		Name: "Demo billing dashboard", ClientID: ClientID, Secret: ClientSecret,
		Subscription: eccs.SubscriptionApproved, TermsAccepted: true,
	}); err != nil {
		return fmt.Errorf("demo application: %w", err)
	}
	for i, a := range otherApplications {
		app, _, err := svc.CreateApplication(ctx, eccs.NewApplication{
			Name: a.name, ClientID: a.clientID, Secret: fmt.Sprintf(demoSecretTemplate, i+2),
			Subscription: a.subscription, TermsAccepted: a.terms,
		})
		if err != nil {
			return fmt.Errorf("application %q: %w", a.name, err)
		}
		if a.status != eccs.ApplicationActive {
			if _, err := svc.SetApplicationStatus(ctx, app.ID, a.status); err != nil {
				return fmt.Errorf("application %q: %w", a.name, err)
			}
		}
	}
	return nil
}

// kinds of the documents of a whole month, and when in the following month each appears.
var monthly = []struct {
	typ       eccs.DocumentType
	name      string
	day, hour int
	inclVAT   bool
}{
	{eccs.TypeReports, "usage", 1, 4, false},
	{eccs.TypeBills, "bill", 2, 3, false},
	{eccs.TypeConsumptionRatedReports, "consumption", 2, 3, false},
	{eccs.TypeInvoices, "invoice", 5, 6, true},
}

// seedDocuments writes every contract's documents, one contract per goroutine: generating
// the files is the slow part of seeding.
func seedDocuments(ctx context.Context, store eccs.Store, blobs eccs.BlobStore, keys eccs.Keys, now time.Time) error {
	var wg sync.WaitGroup
	errs := make([]error, len(contracts))
	for i, c := range contracts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := fmt.Sprintf("OCB%07d", i+1)
			svc, err := newService(store, blobs, keys, now, id)
			if err == nil {
				err = seedContractDocuments(ctx, svc, id, c.name, c.customer, offerName(c.offer), now)
			}
			if err != nil {
				errs[i] = fmt.Errorf("documents of %s: %w", id, err)
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func offerName(id string) string {
	for _, o := range offers {
		if o.ID == id {
			return o.Name
		}
	}
	return id
}

func seedContractDocuments(ctx context.Context, svc *eccs.Service, contractID, contractName, customerName, offer string, now time.Time) error {
	params := docformat.Params{
		Seed: "eccs dev", ContractID: contractID, ContractName: contractName,
		CustomerName: customerName, OfferName: offer, Currency: "EUR",
	}
	thisMonth := docformat.Period{Year: now.Year(), Month: now.Month()}
	for back := 13; back >= 1; back-- {
		p := params
		p.Period = docformat.Period{Year: now.Year(), Month: now.Month() - time.Month(back)} // Generate folds the month
		st := docformat.Generate(p)
		next := st.Period.Start().AddDate(0, 1, 0)
		for _, m := range monthly {
			created := next.Add(time.Duration((m.day-1)*24+m.hour) * time.Hour)
			if created.After(now) { // last month's documents, early on the 1st
				created = now.Add(-time.Minute)
			}
			amount := st.Total()
			if m.inclVAT {
				amount = st.TotalInclVAT()
			}
			if err := addDocument(ctx, svc, st, m.typ, m.name, amount, created); err != nil {
				return err
			}
		}
	}
	p := params
	p.Period = thisMonth
	p.Through = max(1, now.Day()-1)
	st := docformat.Generate(p)
	created := now.Add(-10 * time.Minute)
	if err := addDocument(ctx, svc, st, eccs.TypePartialBills, "partial_bill", st.Total(), created); err != nil {
		return err
	}
	return addDocument(ctx, svc, st, eccs.TypePartialConsumptionRatedReports, "partial_consumption", st.Total(), created)
}

func addDocument(ctx context.Context, svc *eccs.Service, st docformat.Statement, typ eccs.DocumentType, name string, amount int64, created time.Time) error {
	kind, _ := docformat.KindOf(string(typ))
	var buf bytes.Buffer
	if err := kind.Write(&buf, st, docformat.DefaultInvoice(st)); err != nil {
		return fmt.Errorf("write %s of %s: %w", typ, st.Period, err)
	}
	_, err := svc.AddDocument(ctx, eccs.NewDocument{
		ContractID: st.ContractID,
		Type:       typ,
		Filename:   fmt.Sprintf("%s_%s_%s%s", st.ContractID, st.Period, name, kind.Extension()),
		Period:     st.Period.String(),
		Amount:     amount,
		Currency:   st.Currency,
		CreatedAt:  created,
	}, bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		return fmt.Errorf("add %s of %s: %w", typ, st.Period, err)
	}
	return nil
}
