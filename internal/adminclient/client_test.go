package adminclient_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/eccs/eccs/api/admin"
	"github.com/eccs/eccs/internal/adminclient"
	"github.com/eccs/eccs/internal/docformat"
	"github.com/eccs/eccs/internal/eccs"
	"github.com/eccs/eccs/internal/fileblob"
	"github.com/eccs/eccs/internal/httpapi"
	"github.com/eccs/eccs/internal/sqlite"
	"github.com/eccs/eccs/internal/testkit/openapitest"
	"github.com/eccs/eccs/internal/testkit/testenv"
)

var testKeys = eccs.Keys{
	HashKey:   []byte("test hash key, thirty-two bytes!!"),
	TokenKeys: []eccs.TokenKey{{ID: "test1", Secret: []byte("test token key, thirty-two bytes!")}},
}

// world is the admin API (httpapi.NewAdmin) on a fresh SQLite store, and a client of it with
// an operator token whose every answer is checked against api/admin/openapi.yaml.
type world struct {
	c     *adminclient.Client
	url   string
	token string
	logs  *testenv.Buffer
}

func newWorld(t *testing.T) *world {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	db, err := sqlite.Open(ctx, filepath.Join(dir, "eccs.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	blobs, err := fileblob.Open(filepath.Join(dir, "documents"))
	if err != nil {
		t.Fatal(err)
	}
	svc, err := eccs.NewService(db, blobs, eccs.Config{Keys: testKeys, Formats: docformat.Formats{}})
	if err != nil {
		t.Fatal(err)
	}
	_, token, err := svc.CreateOperatorToken(ctx, "client test", 0)
	if err != nil {
		t.Fatal(err)
	}
	logs := &testenv.Buffer{}
	srv := httptest.NewServer(httpapi.NewAdmin(svc, slog.New(slog.NewJSONHandler(logs, nil)), httpapi.AdminConfig{TempDir: t.TempDir()}))
	t.Cleanup(srv.Close)
	hc := &http.Client{Transport: openapitest.NewAdmin(t).Transport(t, nil)}
	c, err := adminclient.New(srv.URL, token, adminclient.WithHTTPClient(hc), adminclient.WithUserAgent("adminclient-test"))
	if err != nil {
		t.Fatal(err)
	}
	return &world{c: c, url: srv.URL, token: token, logs: logs}
}

func must[T any](t *testing.T, what string) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		return v
	}
}

func TestNewAcceptsTheServerURLOrTheAPIURLAndRefusesOthers(t *testing.T) {
	for _, tc := range []struct {
		url, token string
		want       string // BaseURL, or "" for an error
	}{
		{"http://127.0.0.1:8080", "t", "http://127.0.0.1:8080/admin/v1"},
		{"http://127.0.0.1:8080/", "t", "http://127.0.0.1:8080/admin/v1"},
		{"http://127.0.0.1:8080/admin/v1", "t", "http://127.0.0.1:8080/admin/v1"},
		{"https://ops.example.com/eccs/admin/v1/", "t", "https://ops.example.com/eccs/admin/v1"},
		{"https://ops.example.com/eccs", "t", "https://ops.example.com/eccs/admin/v1"},
		{"ops.example.com", "t", ""},
		{"ftp://ops.example.com", "t", ""},
		{"https://user:pw@ops.example.com", "t", ""},
		{"https://ops.example.com", "", ""},
	} {
		c, err := adminclient.New(tc.url, tc.token)
		switch {
		case tc.want == "" && err == nil:
			t.Errorf("New(%q, %q) = %s, want an error", tc.url, tc.token, c.BaseURL())
		case tc.want != "" && (err != nil || c.BaseURL() != tc.want):
			t.Errorf("New(%q): %v, %v; want %s", tc.url, c, err, tc.want)
		case err != nil && strings.Contains(err.Error(), "pw"):
			t.Errorf("the error %q shows the URL's password", err)
		}
	}
}

func TestErrorsAreTheServersEnvelopeWithTheRequestID(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := context.Background()
	bad, err := adminclient.New(w.url, "eccsop_wrong", adminclient.WithHTTPClient(&http.Client{Transport: openapitest.NewAdmin(t).Transport(t, nil)}))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name         string
		call         func() error
		status, code int
	}{
		{"an unknown customer", func() error { _, err := w.c.Customer(ctx, "nosuch"); return err }, 404, 60},
		{"a wrong token", func() error { _, err := bad.Customers(ctx, adminclient.Page{}); return err }, 401, 41},
		{"a bad value", func() error { _, err := w.c.CreateCustomer(ctx, admin.Customer{ID: "a b"}); return err }, 400, 24},
		{"a bad page", func() error { _, err := w.c.Customers(ctx, adminclient.Page{Limit: 5000}); return err }, 400, 28},
		{"a bad duration", func() error { _, err := w.c.Keys(ctx, adminclient.KeyFilter{ExpiringWithin: "soon"}); return err }, 400, 28},
		{"a malformed contract number", func() error { _, err := w.c.Contract(ctx, "no/such"); return err }, 400, 20},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			var e *adminclient.Error
			if !errors.As(err, &e) {
				t.Fatalf("%v (%T), want *adminclient.Error", err, err)
			}
			if e.Status != tc.status || e.Code != tc.code || e.Message == "" || e.Description == "" || e.RequestID == "" {
				t.Errorf("%+v, want %d/%d with message, description and request id", e, tc.status, tc.code)
			}
			if !strings.Contains(e.Error(), e.RequestID) || strings.Contains(e.Error(), w.token) {
				t.Errorf("Error() = %q", e.Error())
			}
		})
	}
	if !adminclient.IsNotFound(func() error { _, err := w.c.Customer(ctx, "nosuch"); return err }()) {
		t.Error("IsNotFound is false for a 404")
	}
}

func TestAnUnreachableServerIsNotARefusal(t *testing.T) {
	c, err := adminclient.New("http://127.0.0.1:1", "eccsop_secret_token")
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Customers(context.Background(), adminclient.Page{})
	var e *adminclient.Error
	if err == nil || errors.As(err, &e) || strings.Contains(err.Error(), "eccsop_secret_token") || !strings.Contains(err.Error(), "127.0.0.1:1") {
		t.Errorf("%v", err)
	}
}

func TestANonEnvelopeAnswerIsAnErrorWithItsStatus(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "<html>bad gateway</html>", http.StatusBadGateway)
	}))
	defer srv.Close()
	c, _ := adminclient.New(srv.URL, "t")
	_, err := c.Offers(context.Background())
	var e *adminclient.Error
	if !errors.As(err, &e) || e.Status != 502 || e.Code != 0 || e.Message != "Bad Gateway" || !strings.Contains(e.Description, "bad gateway") {
		t.Errorf("%#v", err)
	}
}

// Every method, once, against the real admin API: the happy path of an operator's day, in
// steps that each use what the ones before created.
func TestEveryRouteRoundTripsTheWireTypes(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	d := &day{ctx: context.Background(), c: w.c, secrets: []string{w.token}}
	d.catalogue(t)
	d.contractAndUsers(t)
	d.uploads(t)
	d.documents(t)
	d.accountsAndKeys(t)
	d.applications(t)
	d.operatorTokensAndAudit(t)
	for _, secret := range d.secrets {
		if strings.Contains(w.logs.String(), secret) {
			t.Errorf("the server's log holds a secret")
		}
	}
}

// day is what the steps of an operator's day hand on to the next ones.
type day struct {
	ctx      context.Context
	c        *adminclient.Client
	cust     admin.Customer
	ba       admin.BillingAccount
	offer    admin.Offer
	contract admin.Contract
	meta     adminclient.DocumentMeta // of the uploads
	csv      []byte                   // a consumption report of the contract
	doc      admin.Document           // uploaded from csv
	secrets  []string                 // every secret issued: the server's log must hold none
}

// catalogue creates, updates, reads and lists a customer, its billing account and an offer.
func (d *day) catalogue(t *testing.T) {
	ctx, c := d.ctx, d.c
	d.cust = must[admin.Customer](t, "CreateCustomer")(c.CreateCustomer(ctx, admin.Customer{ID: "C1", Name: "Acme", Segment: "large"}))
	name := "Acme SA"
	if got := must[admin.Customer](t, "UpdateCustomer")(c.UpdateCustomer(ctx, d.cust.ID, admin.CustomerUpdate{Name: &name})); got.Name != name || got.Segment != "large" {
		t.Errorf("UpdateCustomer: %+v", got)
	}
	if got := must[admin.Customer](t, "Customer")(c.Customer(ctx, d.cust.ID)); got.Name != name {
		t.Errorf("Customer: %+v", got)
	}
	if l := must[admin.List[admin.Customer]](t, "Customers")(c.Customers(ctx, adminclient.Page{Limit: 10})); l.Total != 1 {
		t.Errorf("Customers: %+v", l)
	}
	d.ba = must[admin.BillingAccount](t, "CreateBillingAccount")(c.CreateBillingAccount(ctx, admin.BillingAccount{ID: "BA1", CustomerID: d.cust.ID, Name: "IT"}))
	if got := must[admin.BillingAccount](t, "UpdateBillingAccount")(c.UpdateBillingAccount(ctx, d.ba.ID, admin.BillingAccountUpdate{Name: "IT ops"})); got.Name != "IT ops" {
		t.Errorf("UpdateBillingAccount: %+v", got)
	}
	if l := must[admin.List[admin.BillingAccount]](t, "BillingAccounts")(c.BillingAccounts(ctx, d.cust.ID, adminclient.Page{})); l.Total != 1 {
		t.Errorf("BillingAccounts: %+v", l)
	}
	d.offer = must[admin.Offer](t, "CreateOffer")(c.CreateOffer(ctx, admin.Offer{ID: "FE", Name: "Flexible Engine", ContractType: "Public Cloud", SupportLevels: []string{"BSC", "PRM"}}))
	if got := must[admin.Offer](t, "UpdateOffer")(c.UpdateOffer(ctx, d.offer.ID, admin.OfferUpdate{SupportLevels: []string{"BSC", "STD", "PRM"}})); len(got.SupportLevels) != 3 {
		t.Errorf("UpdateOffer: %+v", got)
	}
	if l := must[admin.List[admin.Offer]](t, "Offers")(c.Offers(ctx)); l.Total != 1 {
		t.Errorf("Offers: %+v", l)
	}
}

// contractAndUsers orders a contract of the offer on the billing account, updates it (an empty
// ReferenceExt clears the references), lists it, declares a user, changes their roles, makes
// them the referent and removes the first referent.
func (d *day) contractAndUsers(t *testing.T) {
	ctx, c := d.ctx, d.c
	d.contract = must[admin.Contract](t, "CreateContract")(c.CreateContract(ctx, admin.NewContract{
		Name: "ACME-PROD", OfferID: d.offer.ID, BillingAccountID: d.ba.ID, ReferenceExt: []string{"PO-1", "PO-2"},
		Referent: admin.Person{LastName: "Martin", FirstName: "Claire", Email: "claire@acme.example"},
	}))
	id := d.contract.ID
	level := "PRM"
	if got := must[admin.Contract](t, "UpdateContract")(c.UpdateContract(ctx, id, admin.ContractUpdate{SupportLevel: &level})); got.SupportLevel != "PRM" || len(got.ReferenceExt) != 2 {
		t.Errorf("UpdateContract: %+v", got)
	}
	if got := must[admin.Contract](t, "UpdateContract")(c.UpdateContract(ctx, id, admin.ContractUpdate{ReferenceExt: []string{}})); len(got.ReferenceExt) != 0 {
		t.Errorf("UpdateContract with an empty ReferenceExt kept %v, want them cleared", got.ReferenceExt)
	}
	if l := must[admin.List[admin.Contract]](t, "Contracts")(c.Contracts(ctx, adminclient.ContractFilter{CustomerID: d.cust.ID, OfferID: d.offer.ID})); l.Total != 1 {
		t.Errorf("Contracts: %+v", l)
	}
	user := must[admin.User](t, "AddUser")(c.AddUser(ctx, id, admin.NewUser{
		Person: admin.Person{LastName: "Durand", FirstName: "Paul", Email: "paul@acme.example"}, Login: "paul.durand",
		Roles: map[string][]string{"contracts": {"visitor"}, "documents": {"manager"}},
	}))
	if got := must[admin.User](t, "SetUserRoles")(c.SetUserRoles(ctx, id, user.ID, admin.RolesChange{Roles: map[string][]string{"users": {"manager"}}})); got.Roles.Users != "manager" {
		t.Errorf("SetUserRoles: %+v", got)
	}
	if l := must[admin.List[admin.User]](t, "Users")(c.Users(ctx, id)); l.Total != 2 {
		t.Errorf("Users: %+v", l)
	}
	if got := must[admin.Contract](t, "ChangeReferent")(c.ChangeReferent(ctx, id, admin.ReferentChange{Email: "paul@acme.example"})); got.Referent.Email != "paul@acme.example" {
		t.Errorf("ChangeReferent: %+v", got.Referent)
	}
	if err := c.RemoveUser(ctx, id, d.contract.Referent.ID); err != nil {
		t.Errorf("RemoveUser: %v", err)
	}
}

// uploads uploads a consumption report streamed from a reader of unknown length, refuses a bad
// file, and uploads one that keeps the id another billing system gave it: the id is then taken
// until that document is deleted.
func (d *day) uploads(t *testing.T) {
	ctx, c, contract := d.ctx, d.c, d.contract.ID
	p, _ := docformat.ParsePeriod("202403")
	st := docformat.Generate(docformat.Params{Seed: "client", ContractID: contract, CustomerName: "Acme SA", Period: p})
	var csv bytes.Buffer
	if err := docformat.ConsumptionCSV.Write(&csv, st, docformat.Invoice{}); err != nil {
		t.Fatal(err)
	}
	d.csv = csv.Bytes()
	d.meta = adminclient.DocumentMeta{Type: "comsumptionRatedReports", Period: "202403", Amount: "1413.38", Currency: "EUR", Filename: "conso.csv"}
	d.doc = must[admin.Document](t, "UploadDocument")(c.UploadDocument(ctx, contract, d.meta, io.MultiReader(bytes.NewReader(d.csv))))
	sum := sha256.Sum256(d.csv)
	if d.doc.SHA256 != hex.EncodeToString(sum[:]) || d.doc.Amount != 1413.38 || d.doc.Filename != "conso.csv" {
		t.Errorf("UploadDocument: %+v", d.doc)
	}
	if _, err := c.UploadDocument(ctx, contract, d.meta, strings.NewReader("not;a;consumption;csv\n")); !isStatus(err, 400, 24) {
		t.Errorf("UploadDocument of a bad file: %v, want 400/24", err)
	}
	withID := d.meta
	withID.ID, withID.Filename = "LEGACY-INV.0001", "conso-legacy.csv"
	if got := must[admin.Document](t, "UploadDocument with an id")(c.UploadDocument(ctx, contract, withID, bytes.NewReader(d.csv))); got.ID != withID.ID {
		t.Errorf("UploadDocument with id %s: %+v", withID.ID, got)
	}
	if _, err := c.UploadDocument(ctx, contract, withID, bytes.NewReader(d.csv)); !adminclient.IsConflict(err) {
		t.Errorf("UploadDocument with a taken id: %v, want 409", err)
	}
	if err := c.DeleteDocument(ctx, contract, withID.ID); err != nil {
		t.Errorf("DeleteDocument %s: %v", withID.ID, err)
	}
}

// documents replaces the uploaded document, lists it, downloads it whole with its name, type
// and size, deletes it, and closes the contract.
func (d *day) documents(t *testing.T) {
	ctx, c, contract := d.ctx, d.c, d.contract.ID
	if got := must[admin.Document](t, "ReplaceDocument")(c.ReplaceDocument(ctx, contract, d.doc.ID, adminclient.DocumentChange{Amount: "1500"}, bytes.NewReader(d.csv))); got.Amount != 1500 {
		t.Errorf("ReplaceDocument: %+v", got)
	}
	if l := must[admin.List[admin.Document]](t, "Documents")(c.Documents(ctx, contract, adminclient.Page{})); l.Total != 1 {
		t.Errorf("Documents: %+v", l)
	}
	f := must[*adminclient.DocumentFile](t, "OpenDocument")(c.OpenDocument(ctx, contract, d.doc.ID))
	body, _ := io.ReadAll(f.Body)
	f.Body.Close()
	if !bytes.Equal(body, d.csv) || f.Filename != "conso.csv" || !strings.HasPrefix(f.ContentType, "text/csv") || f.Size != int64(len(d.csv)) {
		t.Errorf("OpenDocument: %q %q %d, %d bytes", f.Filename, f.ContentType, f.Size, len(body))
	}
	if err := c.DeleteDocument(ctx, contract, d.doc.ID); err != nil {
		t.Errorf("DeleteDocument: %v", err)
	}
	if got := must[admin.Contract](t, "CloseContract")(c.CloseContract(ctx, contract)); got.ClosedAt.IsZero() {
		t.Errorf("CloseContract: %+v", got)
	}
}

// accountsAndKeys creates an administrator account with a perimeter, narrows it, reads and
// lists it, invites its holder, issues it a key and a claim link, finds the key expiring soon, rotates it, revokes
// the new one and lists all three keys.
func (d *day) accountsAndKeys(t *testing.T) {
	ctx, c := d.ctx, d.c
	acct := must[admin.Account](t, "CreateAccount")(c.CreateAccount(ctx, admin.NewAccount{
		Type: admin.AccountAdministrator, Person: admin.Person{LastName: "Rousseau", FirstName: "Nadia", Email: "nadia@acme.example"},
		Perimeter: &admin.Perimeter{BillingAccountIDs: []string{d.ba.ID}, OfferIDs: []string{d.offer.ID}},
	}))
	if got := must[admin.Account](t, "SetPerimeter")(c.SetPerimeter(ctx, acct.ID, admin.Perimeter{BillingAccountIDs: []string{d.ba.ID}})); len(got.Perimeter.OfferIDs) != 0 {
		t.Errorf("SetPerimeter: %+v", got.Perimeter)
	}
	if got := must[admin.Account](t, "Account")(c.Account(ctx, acct.ID)); got.Identity.Email != "nadia@acme.example" {
		t.Errorf("Account: %+v", got)
	}
	if l := must[admin.List[admin.Account]](t, "Accounts")(c.Accounts(ctx, adminclient.Page{})); l.Total != 1 {
		t.Errorf("Accounts: %+v", l)
	}
	if inv := must[admin.Invitation](t, "InviteAccount")(c.InviteAccount(ctx, "nadia@acme.example", admin.InvitationRequest{Language: "en"})); inv.AccountID != acct.ID || inv.Language != "en" || inv.LinkID == "" {
		t.Errorf("InviteAccount: %+v", inv)
	}
	key := must[admin.IssuedKey](t, "IssueKey")(c.IssueKey(ctx, acct.ID, admin.KeyRequest{TTL: "240h"}))
	claimed := must[admin.IssuedKey](t, "IssueKey")(c.IssueKey(ctx, acct.ID, admin.KeyRequest{ClaimLink: true}))
	if key.Key == "" || claimed.Key != "" || claimed.Claim == nil {
		t.Errorf("IssueKey: %+v, %+v", key, claimed)
	}
	if l := must[admin.List[admin.APIKey]](t, "Keys")(c.Keys(ctx, adminclient.KeyFilter{ExpiringWithin: "30d"})); l.Total != 1 || l.Items[0].ID != key.APIKey.ID {
		t.Errorf("Keys expiring within 30d: %+v", l)
	}
	rotated := must[admin.IssuedKey](t, "RotateKey")(c.RotateKey(ctx, key.APIKey.ID, admin.KeyRotation{Overlap: "1h"}))
	d.secrets = append(d.secrets, key.Key, rotated.Key)
	if got := must[admin.APIKey](t, "RevokeKey")(c.RevokeKey(ctx, rotated.APIKey.ID)); got.RevokedAt.IsZero() {
		t.Errorf("RevokeKey: %+v", got)
	}
	if got := must[admin.APIKey](t, "Key")(c.Key(ctx, rotated.APIKey.ID)); got.RevokedAt.IsZero() {
		t.Errorf("Key: %+v", got)
	}
	if l := must[admin.List[admin.APIKey]](t, "Keys")(c.Keys(ctx, adminclient.KeyFilter{AccountID: acct.ID, IncludeInactive: true})); l.Total != 3 {
		t.Errorf("Keys of the account: %+v", l)
	}
}

// applications creates an application, takes it through its subscription, terms and status,
// rotates its client secret, deletes it and lists it.
func (d *day) applications(t *testing.T) {
	ctx, c := d.ctx, d.c
	app := must[admin.IssuedApplication](t, "CreateApplication")(c.CreateApplication(ctx, admin.NewApplication{Name: "Dashboard"}))
	id := app.Application.ID
	for _, step := range []func() (admin.Application, error){
		func() (admin.Application, error) { return c.SetSubscription(ctx, id, admin.SubscriptionApproved) },
		func() (admin.Application, error) { return c.AcceptTerms(ctx, id, "Claire Martin") },
		func() (admin.Application, error) { return c.SetApplicationStatus(ctx, id, admin.StatusBlocked) },
		func() (admin.Application, error) { return c.Application(ctx, id) },
	} {
		must[admin.Application](t, "application step")(step())
	}
	rot := must[admin.IssuedApplication](t, "RotateClientSecret")(c.RotateClientSecret(ctx, id, admin.SecretRotation{Overlap: "1h"}))
	d.secrets = append(d.secrets, app.ClientSecret, rot.ClientSecret)
	if rot.ClientSecret == "" || rot.ClientSecret == app.ClientSecret || rot.Application.PreviousSecretExpiresAt.IsZero() {
		t.Errorf("RotateClientSecret: %+v", rot)
	}
	if got := must[admin.Application](t, "DeleteApplication")(c.DeleteApplication(ctx, id)); got.Status != admin.StatusDeleted {
		t.Errorf("DeleteApplication: %+v", got)
	}
	if l := must[admin.List[admin.Application]](t, "Applications")(c.Applications(ctx, adminclient.Page{})); l.Total != 1 {
		t.Errorf("Applications: %+v", l)
	}
}

// operatorTokensAndAudit creates and revokes a second operator token, lists both, and finds
// every change of the contract in the audit trail.
func (d *day) operatorTokensAndAudit(t *testing.T) {
	ctx, c := d.ctx, d.c
	op := must[admin.IssuedOperatorToken](t, "CreateOperatorToken")(c.CreateOperatorToken(ctx, admin.NewOperatorToken{Name: "second", TTL: "24h"}))
	d.secrets = append(d.secrets, op.Token)
	if got := must[admin.OperatorToken](t, "RevokeOperatorToken")(c.RevokeOperatorToken(ctx, op.OperatorToken.ID)); got.RevokedAt.IsZero() {
		t.Errorf("RevokeOperatorToken: %+v", got)
	}
	if l := must[admin.List[admin.OperatorToken]](t, "OperatorTokens")(c.OperatorTokens(ctx)); l.Total != 2 {
		t.Errorf("OperatorTokens: %+v", l)
	}
	events := must[admin.List[admin.AuditEvent]](t, "Audit")(c.Audit(ctx, adminclient.AuditFilter{
		ActorType: "operator", ObjectType: "contract", ObjectID: d.contract.ID, Since: time.Now().Add(-time.Hour), Until: time.Now().Add(time.Hour),
	}))
	var actions []string
	for _, e := range events.Items {
		actions = append(actions, e.Action)
	}
	for _, want := range []string{"contract.create", "contract.update", "user.declare", "user.roles", "contract.referent", "user.remove", "document.add", "document.replace", "document.delete", "contract.close"} {
		if !slices.Contains(actions, want) {
			t.Errorf("Audit of the contract: %v lacks %s", actions, want)
		}
	}
}

func isStatus(err error, status, code int) bool {
	var e *adminclient.Error
	return errors.As(err, &e) && e.Status == status && e.Code == code
}
